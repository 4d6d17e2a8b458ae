"""The shape primitives every formula is made of, written once against a Backend.

A phase of ``length`` steps is described by ``elapsed`` (steps since its start) and ``remaining`` (steps
to its end), with ``elapsed + remaining == length``; both come exact from :class:`~jaxsched._numerics.Steps`
arithmetic. Each shape is evaluated from whichever end keeps it free of cancellation, so a value near 0
at the end of a decay keeps full relative precision in float32 at any horizon.

- :func:`half_cosine`, :func:`cosine_factor`: the cosine annealing factor (with timm's ``k_decay`` and an
  exponent);
- :func:`rise`, :func:`fall`: 0 -> 1 and 1 -> 0 ramps (linear, cosine, 1-sqrt); :func:`decay` between
  two values with any of :data:`DECAY_SHAPES`;
- :func:`anneal`: from one value to another by half cosine or linearly;
- :func:`linear_warmup`: the linear warmup in front of a decay; :func:`phase_length`;
- :func:`geometric_cycles`: the position inside cycles of geometrically growing length;
- :func:`power_rise`: the polynomial ramp ``1 - (1 - p)**w``, stable at both ends.
- :func:`geometric_table`, :func:`table_cycles`: the same cycles located exactly, from a static table of
  their (fractional) starts;
- :func:`cycle_phase`: the exact phase inside periodic cycles of any (fractional) length.
"""

from __future__ import annotations

import fractions
import functools
import math
from typing import Any

import numpy as np

from jaxsched._numerics import MAX_STEP, Array, Backend, Steps, safe_div
from jaxsched._validate import ScheduleArgumentError

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


def cosine_factor(
    bk: Backend, elapsed: Array, remaining: Array, length: Array, k_decay: Any = 1.0, exponent: Any = 1.0
) -> Array:
    r"""The annealing factor :math:`\left(\tfrac{1 + \cos(\pi (e/L)^{\kappa})}{2}\right)^{q}`, stable at
    both ends: the first of :func:`cosine_factors`."""
    return cosine_factors(bk, elapsed, remaining, length, k_decay, exponent)[0]


def cosine_factors(
    bk: Backend, elapsed: Array, remaining: Array, length: Array, k_decay: Any = 1.0, exponent: Any = 1.0
) -> tuple[Array, Array]:
    r"""The annealing factor :math:`c = \left(\tfrac{1 + \cos(\pi (e/L)^{\kappa})}{2}\right)^{q}` and its
    complement :math:`1 - c`, each without cancellation where it is small.

    ``elapsed`` and ``remaining`` must add up to ``length``. With :math:`\kappa \ne 1` (timm's ``k_decay``)
    the warped progress :math:`w = (e/L)^\kappa` is taken through its logarithm from the nearer end
    (:math:`\kappa \log(e/L)`, or :math:`\kappa\,\operatorname{log1p}(-r/L)`), which gives both :math:`w`
    and :math:`1 - w` accurately; the factor is :math:`\cos^2(\pi w/2)` for :math:`w \le 1/2` and
    :math:`\sin^2(\pi (1 - w)/2)` above, so no end comes out of a cancellation. The complement swaps the
    sine and cosine; with :math:`q \ne 1`, :math:`c^q` is raised directly for :math:`c < 1/2` and taken as
    :math:`\exp(q \operatorname{log1p}(-\bar c))` above, :math:`1 - c^q` by ``expm1`` where :math:`c^q`
    is near 1.
    """
    xp = bk.xp
    if bk.plain(k_decay) == 1.0:
        c = half_cosine(bk, elapsed, remaining, length)
        cc = half_cosine(bk, remaining, elapsed, length)
    else:
        k = bk.value(k_decay)
        length = bk.to_float(length)
        first = elapsed <= remaining
        e = xp.where(first, elapsed, 0.0)  # each branch sees only its own half (no NaN from the other)
        r = xp.where(first, 0.0, remaining)
        # log w of the warped progress, exact from the nearer end; then w and 1 - w both accurate.
        log_w = k * xp.where(first, xp.log(e / length), xp.log1p(-r / length))
        w, rest = xp.exp(log_w), -xp.expm1(log_w)
        low = w <= 0.5  # the cosine of the smaller of the two angles: no cancellation near pi/2
        a, b = math.pi / 2 * w, math.pi / 2 * rest
        c = xp.where(low, xp.cos(a) ** 2, xp.sin(b) ** 2)
        cc = xp.where(low, xp.sin(a) ** 2, xp.cos(b) ** 2)
    if bk.plain(exponent) == 1.0:
        return c, cc
    q = bk.value(exponent)
    # From whichever of c and its complement is small (so accurate): c**q directly for a small c, and
    # through log1p of the complement otherwise; 1 - c**q likewise, or by expm1 where c**q is near 1.
    small = c < 0.5
    cq = c**q
    q_log_c = q * xp.where(small, xp.log(xp.where(c > 0, c, 1.0)), xp.log1p(-cc))
    cq = xp.where(small, cq, xp.exp(q_log_c))
    ccq = xp.where(small & (cq < 0.5), 1.0 - cq, -xp.expm1(q_log_c))
    return cq, xp.where(c > 0, ccq, xp.where(q > 0, 1.0, 0.0))


def between(bk: Backend, start: Array, end: Array, weight: Array, complement: Array) -> Array:
    """``start * weight + end * (1 - weight)`` with ``complement = 1 - weight`` given exactly, from the
    smaller end: ``end + (start - end) * weight`` when falling (a small end keeps its precision),
    ``start + (end - start) * complement`` when rising (a small start does). Never below the smaller end."""
    down = end + (start - end) * weight
    up = start + (end - start) * complement
    rising = bk.larger(end, start)
    if rising is None:
        return bk.xp.where(end > start, up, down)
    return up if rising else down


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


def tanh_fall(bk: Backend, progress: Array, lower: Any, upper: Any) -> Array:
    r"""Hsueh et al.'s tanh fall :math:`\tfrac12(1 - \tanh x)`, :math:`x = l + (u - l)\,p`, as the logistic
    :math:`1/(1 + e^{2x})` (no cancellation for large :math:`x`)."""
    lo, hi = bk.value(lower), bk.value(upper)
    return 1.0 / (1.0 + bk.xp.exp(2.0 * (lo + (hi - lo) * progress)))


def warped(bk: Backend, elapsed: Array, remaining: Array, length: Array, k: Any) -> tuple[Array, Array]:
    r"""timm's k-decay time warp: :math:`w = (e/L)^\kappa` and :math:`1 - w`, each accurate
    (``elapsed + remaining == length``): :math:`w` from the start, :math:`1 - w` near the end from the
    exact steps left, :math:`-\operatorname{expm1}(\kappa \operatorname{log1p}(-r/L))`."""
    xp = bk.xp
    p, q = safe_div(bk, elapsed, length), safe_div(bk, remaining, length)
    if bk.plain(k) == 1.0:
        return p, q
    kv = bk.value(k)
    w = p**kv
    return w, xp.where(q <= 0.5, -xp.expm1(kv * xp.log1p(-xp.minimum(q, 0.5))), 1.0 - w)


def _fall_complement(bk: Backend, shape: str, elapsed: Array, remaining: Array, length: Array) -> Array:
    """``1 - fall(...)`` without the subtraction."""
    p = safe_div(bk, elapsed, length)
    if shape == "linear":
        return p
    if shape == "cosine":
        return half_cosine(bk, remaining, elapsed, length)
    return bk.xp.sqrt(p)


def decay(
    bk: Backend, shape: str, start: Array, end: Array, elapsed: Array, remaining: Array, length: Array
) -> Array:
    """From ``start`` to ``end`` over ``length`` steps with one of :data:`DECAY_SHAPES`.

    ``"exponential"`` is :math:`P (E/P)^{e/L}` (positive ends), evaluated from the nearer end so the value
    near either end keeps full relative precision; the others are ``end + (start - end) * fall(...)``.
    """
    xp = bk.xp
    if shape != "exponential":
        # From the smaller end: a fall towards a small end, a rise from a small start (1 - fall exactly).
        return between(
            bk,
            start,
            end,
            fall(bk, shape, elapsed, remaining, length),
            _fall_complement(bk, shape, elapsed, remaining, length),
        )
    ratio = xp.log(safe_div(bk, end, start))
    from_start = start * xp.exp(safe_div(bk, elapsed, length) * ratio)
    from_end = end * xp.exp(-safe_div(bk, remaining, length) * ratio)
    return xp.where(remaining <= 0, end, xp.where(elapsed <= remaining, from_start, from_end))


def anneal(
    bk: Backend, kind: str, start: Array, end: Array, elapsed: Array, remaining: Array, length: Array
) -> Array:
    """From ``start`` to ``end`` over ``length`` steps, by half cosine or linearly, stable at both ends."""
    xp = bk.xp
    if kind == "cos":  # each half from its own end: a small end never comes out of a cancellation
        return xp.where(
            elapsed <= remaining,
            start + (end - start) * half_cosine(bk, remaining, elapsed, length),
            end + (start - end) * half_cosine(bk, elapsed, remaining, length),
        )
    p = elapsed / length
    return xp.where(
        elapsed <= remaining, start + (end - start) * p, end + (start - end) * (remaining / length)
    )


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


def geometric_cycles(bk: Backend, t: Steps, first: Array, mult: float) -> tuple[Array, Array, Array, Array]:
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
        m = min(int(mult), MAX_STEP)  # any larger factor already puts the second cycle past the last step
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
    mf = bk.value(float(mult))  # constants in the backend's precision, so its roundings stay consistent
    log_m = xp.log(mf)
    i_f = xp.floor(xp.log1p(tf / first_f * (mf - 1.0)) / log_m)
    # The log can land one cycle off at a boundary; correct with the exact start formula.
    start = first_f * xp.expm1(i_f * log_m) / (mf - 1.0)
    i_f = xp.where(start > tf, i_f - 1, i_f)
    length = first_f * mf**i_f
    start = first_f * xp.expm1(i_f * log_m) / (mf - 1.0)
    nxt = start + length
    bump = tf >= nxt
    i_f = xp.where(bump, i_f + 1, i_f)
    start = xp.where(bump, nxt, start)
    length = xp.where(bump, length * mf, length)
    elapsed = tf - start
    return i_f.astype(bk.int_dtype), elapsed, length - elapsed, length


def power_rise(bk: Backend, elapsed: Array, remaining: Array, length: Array, power: Any) -> Array:
    """``1 - (1 - e/L)**w`` for ``elapsed + remaining == length`` (both >= 0), accurate at both ends: up to
    the middle as ``-expm1(w log1p(-e/L))`` (no cancellation for small ``e``), past it from the exact steps
    left, where ``(r/L)**w`` is small."""
    xp = bk.xp
    w = bk.value(power)
    p = safe_div(bk, elapsed, length)
    early = -xp.expm1(w * xp.log1p(-xp.minimum(p, 0.5)))
    return xp.where(p <= 0.5, early, 1.0 - safe_div(bk, remaining, length) ** w)


# -- exact phases of periodic and growing cycles ------------------------------------------------------------

_LIMB = 13
_LIMBS = 7  # 91 bits of fraction, 13 at a time: every partial product of two limbs is exact in int32


def _dyadic(x: float, bits: int = 8) -> int | None:
    """The smallest ``s <= bits`` with ``x * 2**s`` a whole number, or None."""
    for s in range(bits + 1):
        if float(x * 2**s).is_integer():
            return s
    return None


def cycle_phase(
    bk: Backend, t: Steps, cycles: float, length: float, offset: float = 0.0
) -> tuple[Array, Array, Array]:
    r"""The phase :math:`y = \operatorname{frac}(c\,(t + o) / L)` of ``cycles`` :math:`c` periods every
    ``length`` :math:`L` steps, ``offset`` :math:`o` steps in (all three concrete), as
    ``(y, 1 - y, y - 1/2)``, each accurate to about one float32 ulp of ``2**-13`` absolutely (``2**-37``),
    and to float64 rounding on the NumPy path, at any step up to ``2**31 - 1``.

    The product :math:`c\,t/L` is never formed in floating point (in float32 it is off by whole cycles at
    large steps, and by :math:`10^{-4}` of a cycle already at step 1000). When :math:`c` and :math:`L` are
    multiples of :math:`2^{-8}` the phase is the exact rational :math:`(M t \bmod Q)/Q`, computed by
    modular doubling in the integer type (so a restart or a trough is met exactly); otherwise the fraction
    of :math:`c/L` is taken as a 91-bit fixed-point number and multiplied by the step limb by limb (13-bit
    limbs: every partial product is exact in int32), keeping the 91 bits below the point (float64 itself
    is off by 1e-16 of the product, 1e-7 of a cycle at step 1e9 with one cycle per step). The three
    returned forms come from the exact parts, so the distance to a restart (``1 - y``) or to a trough
    (``y - 1/2``) keeps its relative precision. The whole part of the offset is added exactly (also past
    the last step); a fractional step or offset adds its share in floating point.
    """
    xp = bk.xp
    n = t.n
    whole_off = math.floor(offset)
    share = None if t.f is None else t.f
    if offset != whole_off:
        share = (offset - whole_off) if share is None else share + (offset - whole_off)
    rate = fractions.Fraction(cycles) / fractions.Fraction(length)
    s = _dyadic(cycles)
    s2 = _dyadic(length)
    if s is not None and s2 is not None and 0 < rate.denominator < 2**30:
        M, Q = rate.numerator % rate.denominator, rate.denominator
        a = n % Q + whole_off % Q  # M * a mod Q by doubling: every intermediate value stays below 2Q < 2**31
        a = xp.where(a >= Q, a - Q, a)
        r = xp.zeros_like(n)
        for bit in bin(M)[2:]:
            r = r + r
            r = xp.where(r >= Q, r - Q, r)
            if bit == "1":
                r = r + a
                r = xp.where(r >= Q, r - Q, r)
        y, rest, dist = (bk.to_float(r) / Q, bk.to_float(Q - r) / Q, bk.to_float(2 * r - Q) / (2 * Q))
    else:
        scale = 2 ** (_LIMB * _LIMBS)
        F = round((rate - rate.numerator // rate.denominator) * scale)
        start = rate * whole_off
        G = round((start - start.numerator // start.denominator) * scale)  # the offset's phase
        mask = 2**_LIMB - 1
        f = [(F >> (_LIMB * i)) & mask for i in range(_LIMBS)]
        g = [(G >> (_LIMB * i)) & mask for i in range(_LIMBS)]
        k = [n & mask, (n >> _LIMB) & mask, n >> (2 * _LIMB)]
        carry = xp.zeros_like(n)
        r = []
        for level in range(_LIMBS):  # terms of weight 2**(13 * level - 65); higher ones are whole cycles
            acc = carry + g[level]
            for i in range(_LIMBS):
                if 0 <= level - i < len(k) and f[i]:
                    acc = acc + f[i] * k[level - i]
            r.append(acc & mask)
            carry = acc >> _LIMB
        hi = bk.to_float(r[-1]) * 2.0**-_LIMB  # the top 13 bits, exact; the rest below them
        lo = bk.to_float(r[0])
        for limb in r[1:-1]:
            lo = lo * 2.0**-_LIMB + bk.to_float(limb)
        lo = lo * 2.0 ** (-2 * _LIMB)
        y, rest, dist = hi + lo, (1.0 - hi) - lo, (hi - 0.5) + lo
    if share is not None:  # a fractional step or offset: its share of a cycle, wrapped
        d = share * (cycles / length)
        wrap = xp.floor(y + d)
        y, rest, dist = (y + d) - wrap, (rest - d) + wrap, (dist + d) - wrap
    return y, rest, dist


MAX_CYCLE_TABLE = 2**16
"""The most cycles of growing length a schedule may start before step ``2**31 - 1`` (their starts are a
static table)."""


def geometric_table(
    first: int, mult: float, limit: int | None, name: str = "period_mult"
) -> tuple[np.ndarray, ...]:
    r"""The cycles of lengths :math:`L_i = T_0 m^i` (``mult`` :math:`m > 1`) as a static table: the starts
    :math:`S_i = T_0 (1 - m^i)/(1 - m)` (timm's and fairseq's float64 expression) as their whole part, their
    fraction and their ceiling, the ends :math:`S_i + L_i` (whole part at most ``2**31 - 1`` and the rest),
    and :math:`L_i`; every cycle starting at or before step ``2**31 - 1``, or the first ``limit`` cycles and
    the start of the next. Raises when that is more than :data:`MAX_CYCLE_TABLE` cycles (naming ``name``,
    the multiplier as the caller calls it)."""
    return _geometric_table(int(first), float(mult), limit, name)


@functools.lru_cache(maxsize=64)
def _geometric_table(first: int, mult: float, limit: int | None, name: str) -> tuple[np.ndarray, ...]:
    starts, lengths = [], []
    i = 0
    while True:
        start = (1 - mult**i) / (1 - mult) * first
        if start > MAX_STEP or not math.isfinite(start):
            break
        starts.append(start)
        lengths.append(mult**i * first)
        if limit is not None and i == limit:
            break
        if len(starts) > MAX_CYCLE_TABLE:
            raise ScheduleArgumentError(
                name,
                f"starts more than {MAX_CYCLE_TABLE} cycles of first_period={first} before "
                "step 2**31 - 1; give max_cycles, or a larger period_mult or first_period",
                mult,
            )
        i += 1
    s = np.asarray(starts, np.float64)
    whole = np.floor(s)
    # The ends S_i + L_i summed exactly (a float64 sum rounds away 1e-8 of a step at 1e8 steps).
    ends = [fractions.Fraction(a) + fractions.Fraction(b) for a, b in zip(starts, lengths, strict=True)]
    end_whole = [min(math.floor(e), MAX_STEP) for e in ends]
    end_frac = [float(e - w) for e, w in zip(ends, end_whole, strict=True)]
    return (
        whole.astype(np.int64),
        s - whole,
        np.ceil(s).astype(np.int64),
        np.asarray(end_whole, np.int64),
        np.asarray(end_frac, np.float64),
        np.asarray(lengths, np.float64),
    )


def table_cycles(bk: Backend, t: Steps, table: tuple[np.ndarray, ...]) -> tuple[Array, Array, Array, Array]:
    """Locate ``t`` in the cycles of a :func:`geometric_table`: ``(i, elapsed, remaining, length)``, the
    cycle index, the steps since its start and to its end, and its length. ``elapsed`` and ``remaining``
    are exact in their integer parts (a start's or an end's whole part and fraction are subtracted apart),
    so both ends of a cycle keep their relative precision in float32 at any step."""
    xp = bk.xp
    whole, frac, ceil, end_whole, end_frac, length = table
    idt = np.dtype(bk.int_dtype)
    method = "compare_all" if len(whole) <= 64 else "scan"

    def search(bounds: np.ndarray, key: Array) -> Array:
        if bk.is_numpy:
            return np.searchsorted(bounds, key, side="right") - 1
        return xp.searchsorted(xp.asarray(bounds.astype(idt)), key, side="right", method=method) - 1

    def at(values: np.ndarray, i: Array) -> Array:
        kind = values.dtype.kind
        return xp.asarray(
            values.astype(idt) if kind in "iu" else values, None if kind in "iu" else bk.float_dtype
        )[i]

    if t.f is None:  # a whole step is in cycle i from the first whole step at or after S_i
        i = search(ceil, t.n)
    else:
        i = search(whole, t.n)
        i = xp.where((t.n == at(whole, i)) & (t.f < at(frac, i)), i - 1, i)
    elapsed = bk.to_float(t.n - at(whole, i)) - at(frac, i)
    remaining = bk.to_float(at(end_whole, i) - t.n) + at(end_frac, i)
    if t.f is not None:
        elapsed, remaining = elapsed + t.f, remaining - t.f
    return i, elapsed, remaining, at(length, i)


def value_at(bk: Backend, schedule: Any, step: Any, like: Steps) -> Array:
    """``schedule(step)`` for a fixed ``step``, broadcast like the steps ``like``: the start of a phase that
    continues from another schedule's value (the same computation as the schedule at that step, so the
    join is continuous on every path)."""
    xp = bk.xp
    n = (xp.zeros_like(like.n) + bk.count(step)).astype(like.n.dtype)
    return bk.value(schedule.evaluate(bk, Steps(bk, n)))
