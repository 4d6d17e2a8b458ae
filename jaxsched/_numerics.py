"""The few numerical pieces every formula shares.

A formula is written once against a :class:`Backend`, which wraps either ``jax.numpy`` (float32, or float64
under ``jax_enable_x64``) or NumPy (always float64, no JAX computation). Steps reach formulas as
:class:`Steps`: an integer part and an optional fractional part, so that differences of step counts
(``T - t``, the position inside a cycle) are exact integer arithmetic before anything is rounded to float.
That is what keeps float32 tails accurate at steps far beyond 2**24.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_STEP = 2**31 - 1
"""The largest step: optax's int32 counters saturate here, and every formula is exact up to it."""

Array = Any  # a jax.Array or a numpy.ndarray, depending on the backend


def is_concrete(x: Any) -> bool:
    """True when ``x`` holds a value now (not a JAX tracer)."""
    try:
        import jax.core
    except ImportError:  # pragma: no cover - jax is a hard dependency
        return True
    return not isinstance(x, jax.core.Tracer)


@dataclass(frozen=True)
class Backend:
    """An array namespace plus the float and integer dtypes formulas compute in."""

    xp: Any
    float_dtype: Any
    int_dtype: Any

    @property
    def is_numpy(self) -> bool:
        return self.xp is np

    @property
    def int_max(self) -> int:
        return int(np.iinfo(self.int_dtype).max)

    def value(self, x: Any) -> Array:
        """A hyperparameter value (LR, factor, ...) as a float array."""
        return self.xp.asarray(x, dtype=self.float_dtype)

    def count(self, x: Any) -> Array:
        """A duration or boundary in steps: an integer array when it is integral and fits, else float.

        Integer durations keep ``T - t`` exact; a duration beyond the integer range (say 1e10 steps under
        x32) only ever meets steps far below it, where float rounding of both is harmless.
        """
        if isinstance(x, numbers.Integral) and not isinstance(x, bool):
            return self.xp.asarray(x, self.int_dtype) if abs(int(x)) <= self.int_max else self.value(x)
        if isinstance(x, float):
            return self.value(x)
        arr = self.xp.asarray(x)
        if self.is_numpy and np.issubdtype(arr.dtype, np.integer):
            return arr.astype(np.int64)
        if arr.dtype.kind in "iu":
            return arr.astype(self.int_dtype) if not self.is_numpy else arr
        return arr.astype(self.float_dtype)

    def to_float(self, x: Array) -> Array:
        return self.xp.asarray(x).astype(self.float_dtype)

    def is_int(self, x: Array) -> bool:
        return bool(self.xp.asarray(x).dtype.kind in "iu")

    def quotient(self, a: Array, b: Array) -> Array:
        """``a // b`` for integers ``a >= 0``, ``b > 0``: one truncating division, no sign fix-ups."""
        if self.is_numpy:
            return a // b
        from jax import lax

        a, b = self.xp.broadcast_arrays(a, self.xp.asarray(b, a.dtype))
        return lax.div(a, b)

    def add(self, a: Array, b: Array) -> Array:
        """``a + b`` for step counts, saturating at the integer maximum instead of wrapping."""
        if self.is_int(a) and self.is_int(b):
            top = self.xp.asarray(self.int_max, self.int_dtype)
            return self.xp.where(a > top - b, top, a + b)
        return self.to_float(a) + self.to_float(b)


def numpy_backend() -> Backend:
    return Backend(np, np.float64, np.int64)


def jax_backend() -> Backend:
    import jax
    import jax.numpy as jnp

    if jax.config.read("jax_enable_x64"):
        return Backend(jnp, jnp.float64, jnp.int64)
    return Backend(jnp, jnp.float32, jnp.int32)


@dataclass(frozen=True)
class Steps:
    """Steps split as ``n + f``: ``n`` integer in ``[0, MAX_STEP]``, ``f`` in ``[0, 1)`` or ``None``."""

    bk: Backend
    n: Array
    f: Array | None = None

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def from_input(cls, bk: Backend, step: Any) -> Steps:
        """Normalise a user step: negative -> 0, beyond ``MAX_STEP`` -> ``MAX_STEP``, split into n + f."""
        xp = bk.xp
        if is_concrete(step) and not hasattr(step, "aval"):
            # Python and NumPy values are normalised on the host, so huge Python ints never overflow.
            step = np.asarray(step)
        if isinstance(step, np.ndarray) or np.isscalar(step):
            arr = np.asarray(step)
            if arr.dtype.kind in "iub":
                n = np.clip(arr.astype(object) if arr.dtype == object else arr, 0, MAX_STEP).astype(np.int64)
                return cls(bk, xp.asarray(n, bk.int_dtype))
            if arr.dtype.kind == "O":
                n = np.asarray(np.clip(arr, 0, MAX_STEP), dtype=np.int64)
                return cls(bk, xp.asarray(n, bk.int_dtype))
            fl = np.clip(np.nan_to_num(arr.astype(np.float64), nan=0.0), 0.0, float(MAX_STEP))
            whole = np.floor(fl)
            frac = fl - whole
            n_arr = xp.asarray(whole.astype(np.int64), bk.int_dtype)
            if not np.any(frac):
                return cls(bk, n_arr)
            return cls(bk, n_arr, xp.asarray(frac, bk.float_dtype))
        # A JAX array or tracer.
        arr = xp.asarray(step)
        if arr.dtype.kind in "iub":
            n = xp.maximum(arr.astype(bk.int_dtype) if arr.dtype.kind == "b" else arr, 0)
            if arr.dtype.itemsize > np.dtype(bk.int_dtype).itemsize or arr.dtype.kind == "u":
                n = xp.minimum(n, MAX_STEP)
            return cls(bk, n.astype(bk.int_dtype))
        # Largest float below 2**31 in this dtype, so the cast to int cannot overflow.
        top = float(np.nextafter(np.asarray(2.0**31, arr.dtype), 0, dtype=arr.dtype))
        fl = xp.clip(xp.where(xp.isnan(arr), 0.0, arr), 0.0, top)  # NaN counts as step 0, as on the host
        whole = xp.floor(fl)
        return cls(bk, whole.astype(bk.int_dtype), (fl - whole).astype(bk.float_dtype))

    # -- arithmetic ---------------------------------------------------------------------------------
    def value(self) -> Array:
        """The step itself as a float."""
        t = self.bk.to_float(self.n)
        return t if self.f is None else t + self.f

    def since(self, begin: Array) -> Array:
        """``t - begin`` as a float, exact in the integer part (may be negative)."""
        bk = self.bk
        if bk.is_int(begin):
            d = bk.to_float(self.n - begin)
        else:
            d = bk.to_float(self.n) - bk.to_float(begin)
        return d if self.f is None else d + self.f

    def until(self, end: Array) -> Array:
        """``end - t`` as a float, exact in the integer part (may be negative)."""
        bk = self.bk
        if bk.is_int(end):
            d = bk.to_float(end - self.n)
        else:
            d = bk.to_float(end) - bk.to_float(self.n)
        return d if self.f is None else d - self.f

    def left_in(self, start: Array, length: Array, start_value: Any = None) -> Array:
        """``start + length - t`` as a float: the steps left in a phase, at most ``length``.

        Exact for integers and free of overflow even when the phase ends past ``MAX_STEP`` (where
        ``start + length`` itself would not fit): ``length - max(t - start, 0)``. ``start_value`` is the
        start as the caller knows it (a hyperparameter): when it is concrete and >= 0 the guard for a
        negative start (whose ``t - start`` overflows int32) is left out of the graph.
        """
        bk = self.bk
        xp = bk.xp
        if bk.is_int(start) and bk.is_int(length):
            done = self.n - start
            left = length - xp.maximum(done, 0)
            known = (start_value is not None and is_concrete(start_value)
                     and bool(np.all(np.asarray(start_value) >= 0)))
            if not (bk.is_numpy or known):  # t - start overflows int32 for a negative start
                left = xp.where(start < 0, (length + start) - self.n, left)
            d = bk.to_float(left)
            if self.f is not None:
                d = d - xp.where(done >= 0, self.f, 0.0)
            return d
        d = bk.to_float(length) - xp.maximum(bk.to_float(self.n) - bk.to_float(start), 0.0)
        return d if self.f is None else d - self.f

    def ge(self, boundary: Array) -> Array:
        """``t >= boundary`` (boolean array)."""
        if self.f is None or self.bk.is_int(boundary):
            return self.n >= boundary
        return self.value() >= boundary

    def shifted(self, offset: Array, offset_value: Any = None) -> Steps:
        """The steps ``t - offset`` clipped at 0, as a new :class:`Steps` (used by join and shift).

        ``offset_value`` is the offset as the caller knows it (a boundary): when it is concrete and
        >= 0 the shift is a single ``max(t - offset, 0)``, with no guard for negative offsets.
        """
        bk = self.bk
        xp = bk.xp
        if bk.is_int(offset):
            off = xp.asarray(offset, bk.int_dtype)
            if (offset_value is not None and is_concrete(offset_value)
                    and bool(np.all(np.asarray(offset_value) >= 0))):
                d = self.n - off
                n = xp.maximum(d, 0)
                return Steps(bk, n, None if self.f is None else xp.where(d < 0, 0.0, self.f))
            # n - off cannot overflow: both lie in [-MAX, MAX]; saturate on the way up for negative offsets.
            top = xp.asarray(MAX_STEP, bk.int_dtype)
            up = xp.where(off < 0, xp.where(self.n > top + off, top, self.n - off), self.n - off)
            neg = up < 0
            n = xp.where(neg, xp.zeros_like(up), up)
            f = None if self.f is None else xp.where(neg, xp.zeros_like(self.f), self.f)
            return Steps(bk, n, f)
        return Steps.from_float(bk, self.value() - bk.to_float(offset))

    def map_int(self, n: Array) -> Steps:
        """Steps with a new integer part and the same fractional part."""
        return Steps(self.bk, n, self.f)

    @classmethod
    def from_float(cls, bk: Backend, t: Array) -> Steps:
        xp = bk.xp
        top = float(np.nextafter(np.asarray(2.0**31, bk.float_dtype), 0, dtype=bk.float_dtype))
        fl = xp.clip(t, 0.0, top)
        whole = xp.floor(fl)
        return cls(bk, whole.astype(bk.int_dtype), fl - whole)


# -- shared shapes ----------------------------------------------------------------------------------


def half_cosine(bk: Backend, elapsed: Array, remaining: Array, length: Array) -> Array:
    """``(1 + cos(pi * elapsed / length)) / 2`` computed without cancellation near either end.

    With ``elapsed + remaining == length`` it equals ``sin(pi/2 * r/L)**2``, one transcendental that is
    accurate everywhere: near the end ``r`` is a small exact count, so a value near 0 at the end of a decay
    keeps full relative precision (the naive form loses it all in float32 once L >~ 1e4); near the start
    the sine is flat, so rounding its argument hardly moves it (relative error <= 2x that of ``r/L``).
    ``elapsed`` is not needed beyond that contract.
    """
    return bk.xp.sin(math.pi / 2 * safe_div(bk, remaining, length)) ** 2


def power(bk: Backend, base: Any, *exponents: Array) -> Array:
    """``base ** sum(exponents)`` (``base >= 0``), exact to ``base`` as given, not to its float rounding.

    Rounding the base to float32 (0.999 -> 0.99900001) multiplies ``base ** k`` by ``(1 + 1.3e-8) ** k``:
    1.3e-4 at k = 1e4. For a concrete base that rounding is undone by a host-side float64 constant,
    ``exp(k * log(base / base32))``. Several exponents (an exact integer part and a fraction, say) are
    raised separately, so a large exponent is never rounded as a whole. A traced base is used as it is.
    """
    b = bk.value(base)
    out = b ** exponents[0]
    for e in exponents[1:]:
        out = out * b ** e
    if is_concrete(base):
        host = np.asarray(base, dtype=np.float64)
        low = host.astype(bk.float_dtype).astype(np.float64)
        if np.all(np.isfinite(host)) and np.all(low > 0) and not np.array_equal(low, host):
            total = exponents[0]
            for e in exponents[1:]:
                total = total + e
            # An underflowed power stays 0 (the correction may be huge where b**k is 0).
            corr = bk.xp.exp(bk.xp.minimum(total * bk.value(np.log(host / low)), 80.0))
            out = bk.xp.where(out == 0, out, out * corr)
    return out


def larger(a: Any, b: Any) -> bool | None:
    """``|a| > |b|`` for concrete scalars, ``None`` when either is traced or an array (decide in the graph).

    Formulas use it to pick, at trace time, the form of an interpolation that has no cancellation.
    """
    if not (is_concrete(a) and is_concrete(b)) or np.ndim(a) or np.ndim(b):
        return None
    return bool(abs(float(a)) > abs(float(b)))


def safe_div(bk: Backend, num: Array, den: Array) -> Array:
    """``num / den`` with ``den`` replaced by 1 where it is 0 (the branch using it is masked anyway)."""
    xp = bk.xp
    den = bk.to_float(den)
    return num / xp.where(den == 0, xp.ones_like(den), den)


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
        return i, t.since(start), t.left_in(start, first, 0), bk.to_float(first) + 0 * t.value()
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
        return i, t.since(start), t.left_in(start, length, 0), bk.to_float(length)
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
