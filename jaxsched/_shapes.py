"""The shape primitives every formula is made of, written once against a Backend.

A phase of ``length`` steps is described by ``elapsed`` (steps since its start) and ``remaining`` (steps
to its end), with ``elapsed + remaining == length``; both come exact from :class:`~jaxsched._numerics.Steps`
arithmetic. Each shape is evaluated from whichever end keeps it free of cancellation, so a value near 0
at the end of a decay keeps full relative precision in float32 at any horizon.

- :func:`half_cosine`, :func:`cosine_factor`: the cosine annealing factor (with timm's ``k_decay`` and an
  exponent);
- :func:`rise`, :func:`fall`: 0 -> 1 and 1 -> 0 ramps (linear, cosine, 1-sqrt);
- :func:`anneal`: from one value to another by half cosine or linearly;
- :func:`linear_warmup`: the linear warmup in front of a decay; :func:`phase_length`;
- :func:`geometric_cycles`: the position inside cycles of geometrically growing length.
"""

from __future__ import annotations

import math
from typing import Any

from jaxsched._numerics import MAX_STEP, Array, Backend, Steps, safe_div

WARMUP_SHAPES = ("linear", "cosine", "1-sqrt")
DECAY_SHAPES = ("linear", "cosine", "1-sqrt", "exponential", "2^(1-p)-1")
ANNEAL = ("cos", "linear")


def half_cosine(bk: Backend, elapsed: Array, remaining: Array, length: Array) -> Array:
    """``(1 + cos(pi * elapsed / length)) / 2`` computed without cancellation near either end.

    With ``elapsed + remaining == length`` it equals ``sin(pi/2 * r/L)**2``, one transcendental that is
    accurate everywhere: near the end ``r`` is a small exact count, so a value near 0 at the end of a decay
    keeps full relative precision (the naive form loses it all in float32 once L >~ 1e4); near the start
    the sine is flat, so rounding its argument hardly moves it (relative error <= 2x that of ``r/L``).
    ``elapsed`` is not needed beyond that contract.
    """
    return bk.xp.sin(math.pi / 2 * safe_div(bk, remaining, length)) ** 2


def cosine_factor(bk: Backend, elapsed: Array, remaining: Array, length: Array, k_decay: Any = 1.0,
                  exponent: Any = 1.0) -> Array:
    r"""The annealing factor :math:`\left(\tfrac{1 + \cos(\pi (e/L)^{\kappa})}{2}\right)^{q}`, stable at
    both ends.

    ``elapsed`` and ``remaining`` must add up to ``length``. With :math:`\kappa \ne 1` (timm's ``k_decay``)
    the remaining part of the warped progress is :math:`1 - (1 - r/L)^\kappa`, computed with
    ``expm1``/``log1p`` so the tail stays accurate.
    """
    xp = bk.xp
    if bk.plain(k_decay) == 1.0:
        c = half_cosine(bk, elapsed, remaining, length)
    else:
        k = bk.value(k_decay)
        length = bk.to_float(length)
        warped = (elapsed / length) ** k
        # log1p(-1) is -inf at step 0; the where keeps NumPy quiet and the value exact (1).
        q = remaining / length
        inside = xp.where(q >= 1.0, 0.0, q)
        left = xp.where(q >= 1.0, 1.0, -xp.expm1(k * xp.log1p(-inside)))
        c = half_cosine(bk, warped, left, 1.0)
    if bk.plain(exponent) == 1.0:
        return c
    return c ** bk.value(exponent)


def rise(bk: Backend, shape: str, elapsed: Array, remaining: Array, length: Array) -> Array:
    """A 0 -> 1 ramp of the given shape over ``length`` steps (``elapsed + remaining == length``)."""
    xp = bk.xp
    p = safe_div(bk, elapsed, length)
    if shape == "linear":
        return p
    if shape == "cosine":
        return half_cosine(bk, remaining, elapsed, length)
    # 1 - sqrt(1 - p), written without cancellation for small p.
    return p / (1.0 + xp.sqrt(xp.maximum(safe_div(bk, remaining, length), 0.0)))


def fall(bk: Backend, shape: str, elapsed: Array, remaining: Array, length: Array) -> Array:
    """A 1 -> 0 ramp of the given shape (``linear``, ``cosine``, ``1-sqrt`` or ``2^(1-p)-1``)."""
    xp = bk.xp
    q = safe_div(bk, remaining, length)
    if shape == "linear":
        return q
    if shape == "cosine":
        return half_cosine(bk, elapsed, remaining, length)
    if shape == "2^(1-p)-1":  # Megatron's "exponential" WSD decay, 2 * 0.5**p - 1, from the exact end
        return xp.expm1(math.log(2.0) * q)
    # 1 - sqrt(p) with p = 1 - q, exact near the end where it matters.
    return q / (1.0 + xp.sqrt(safe_div(bk, elapsed, length)))


def anneal(bk: Backend, kind: str, start: Array, end: Array, elapsed: Array, remaining: Array,
           length: Array) -> Array:
    """From ``start`` to ``end`` over ``length`` steps, by half cosine or linearly, stable at both ends."""
    xp = bk.xp
    if kind == "cos":  # each half from its own end: a small end never comes out of a cancellation
        return xp.where(elapsed <= remaining,
                        start + (end - start) * half_cosine(bk, remaining, elapsed, length),
                        end + (start - end) * half_cosine(bk, elapsed, remaining, length))
    p = elapsed / length
    return xp.where(elapsed <= remaining, start + (end - start) * p,
                    end + (start - end) * (remaining / length))


def linear_warmup(bk: Backend, t: Steps, init: Array, peak: Array, warmup: Array, rest: Array) -> Array:
    """``init -> peak`` linearly over ``warmup`` steps (reaching ``peak`` at ``warmup``), then ``rest``."""
    ramp = init + (peak - init) * safe_div(bk, t.value(), warmup)
    return bk.xp.where(t.ge(warmup), rest, ramp)


def phase_length(bk: Backend, begin: Any, end: Any) -> Array:
    """``end - begin`` as a step count; from the Python values when concrete, so the difference is exact
    even when ``end`` is beyond the integer range of the backend."""
    if isinstance(begin, int) and isinstance(end, int):
        return bk.count(end - begin)
    return bk.count(end) - bk.count(begin)


def geometric_cycles(
    bk: Backend, t: Steps, first: Array, mult: float
) -> tuple[Array, Array, Array, Array]:
    """Locate ``t`` in cycles of lengths ``first * mult**i`` (``mult`` concrete, >= 1).

    Returns ``(i, elapsed, remaining, length)``: the cycle index (int), the float position inside the
    cycle, the float steps left in it, and its length. Integer ``first`` with integer ``mult`` is exact:
    ``mult == 1`` is an integer modulo, an integer ``mult >= 2`` walks the (at most 31) cycle starts
    below ``2**31`` in saturating integer arithmetic. A fractional ``mult`` uses the closed-form ``log``
    in floating point (as timm and fairseq do); its positions are accurate to the float rounding of the
    cycle start.
    """
    xp = bk.xp
    integral = bk.is_int(first) and float(mult).is_integer()
    if integral and mult == 1:
        i = t.n // first
        start = i * first
        return i, t.since(start), t.left_in(start, first, nonneg=True), bk.to_float(first) + 0 * t.value()
    if integral:
        m = int(mult)
        top = xp.asarray(MAX_STEP, bk.int_dtype)
        start = xp.zeros_like(t.n)
        length = xp.zeros_like(t.n) + first
        i = xp.zeros_like(t.n)
        # After k iterations: start/length of cycle i (the last cycle whose start <= n).
        for _ in range(31):
            nxt = xp.where(length > top - start, top, start + length)
            inside = (t.n >= nxt) & (nxt < top)
            start = xp.where(inside, nxt, start)
            i = xp.where(inside, i + 1, i)
            grown = xp.where(length > top // m, top, length * m)
            length = xp.where(inside, grown, length)
        return i, t.since(start), t.left_in(start, length, nonneg=True), bk.to_float(length)
    tf = t.value()
    first_f = bk.to_float(first)
    mf = float(mult)
    i_f = xp.floor(xp.log1p(tf / first_f * (mf - 1.0)) / math.log(mf))
    # The log can land one cycle off at a boundary; correct with the exact start formula.
    start = first_f * xp.expm1(i_f * math.log(mf)) / (mf - 1.0)
    i_f = xp.where(start > tf, i_f - 1, i_f)
    length = first_f * mf**i_f
    start = first_f * xp.expm1(i_f * math.log(mf)) / (mf - 1.0)
    nxt = start + length
    bump = tf >= nxt
    i_f = xp.where(bump, i_f + 1, i_f)
    start = xp.where(bump, nxt, start)
    length = xp.where(bump, length * mf, length)
    elapsed = tf - start
    return i_f.astype(bk.int_dtype), elapsed, length - elapsed, length
