"""The numerical ground every formula stands on: backends, exact steps, exact powers.

A formula is written once against a :class:`Backend`, which wraps either ``jax.numpy`` (float32, or float64
under ``jax_enable_x64``) or NumPy (always float64, no JAX computation). Steps reach formulas as
:class:`Steps`: an integer part and an optional fractional part, so that differences of step counts
(``T - t``, the position inside a cycle) are exact integer arithmetic before anything is rounded to float.
That is what keeps float32 tails accurate at steps far beyond 2**24.

This module imports no JAX: the NumPy path (and ``torch_bridge``) runs where JAX is not installed.
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_STEP = 2**31 - 1
"""The largest step: optax's int32 counters saturate here, and every formula is exact up to it."""

Array = Any  # a jax.Array or a numpy.ndarray, depending on the backend


def is_concrete(x: Any) -> bool:
    """True when ``x`` holds a value now (not a JAX tracer). Never imports JAX."""
    jax = sys.modules.get("jax")
    if jax is None:
        return True
    core = getattr(jax, "core", None)
    return core is None or not isinstance(x, core.Tracer)


def x64_enabled() -> bool:
    """Whether JAX computes in float64 (False when JAX is not even imported)."""
    jax = sys.modules.get("jax")
    return bool(jax is not None and jax.config.read("jax_enable_x64"))


class Split:
    """A float hyperparameter as three parts ``hi + mid + lo``: how a float leaf crosses JAX.

    Under float32 JAX, ``hi`` is the float32 rounding of the value, ``mid`` the float32 rounding of the
    rest and ``lo`` of what is left, so three float32 numbers hold every bit of a float64 (for magnitudes
    above about 1e-22). Under ``jax_enable_x64`` the parts are ``(x, 0, 0)`` in float64. Formulas read
    ``hi`` (plus the rest, without gradient) as the value, and the rest where float32 is not enough (a
    rate raised to a large power, see :func:`power`). The parts are the pytree leaves; a ``Split`` is what
    a schedule holds after ``jax.device_put``, as a ``jit`` argument or under ``vmap``.
    """

    __slots__ = ("hi", "lo", "mid")

    def __init__(self, hi: Any, mid: Any, lo: Any) -> None:
        self.hi, self.mid, self.lo = hi, mid, lo

    @classmethod
    def of(cls, x: float | int, *, x64: bool | None = None) -> Split:
        """The parts of a Python number, for float32 JAX (or float64 with ``x64``)."""
        if x64_enabled() if x64 is None else x64:
            return cls(np.float64(x), np.float64(0.0), np.float64(0.0))
        hi = np.float32(x)
        rest = float(x) - float(hi)
        mid = np.float32(rest)
        lo = np.float32(rest - float(mid))
        return cls(hi, mid, lo)

    def is_concrete(self) -> bool:
        return is_concrete(self.hi) and is_concrete(self.mid) and is_concrete(self.lo)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the value (of a stacked hyperparameter, say), that of each part."""
        return tuple(np.shape(self.hi))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def host(self) -> Any:
        """The value in float64 on the host (a Python float for a scalar, else an array)."""
        out = (
            np.asarray(self.hi, np.float64)
            + np.asarray(self.mid, np.float64)
            + np.asarray(self.lo, np.float64)
        )
        return float(out) if out.ndim == 0 else out

    def value(self) -> Any:
        """The value as one float64 number when the parts hold values (on the host or a device), else as a
        traced array (the extra parts without gradient)."""
        if self.is_concrete():
            return self.host()
        from jax import lax

        return self.hi + lax.stop_gradient(self.mid + self.lo)

    def __float__(self) -> float:
        out = self.host()
        if isinstance(out, np.ndarray):
            raise TypeError("a stacked (array) hyperparameter is not a single float")
        return float(out)

    def __repr__(self) -> str:
        if self.is_concrete():
            return repr(self.host())
        return f"Split({self.hi!r}, {self.mid!r}, {self.lo!r})"

    # A port that derives a parameter from a carried one gets an ordinary number of working precision.
    def __add__(self, o: Any) -> Any:
        return self.value() + _plain(o)

    def __radd__(self, o: Any) -> Any:
        return _plain(o) + self.value()

    def __sub__(self, o: Any) -> Any:
        return self.value() - _plain(o)

    def __rsub__(self, o: Any) -> Any:
        return _plain(o) - self.value()

    def __mul__(self, o: Any) -> Any:
        return self.value() * _plain(o)

    def __rmul__(self, o: Any) -> Any:
        return _plain(o) * self.value()

    def __truediv__(self, o: Any) -> Any:
        return self.value() / _plain(o)

    def __rtruediv__(self, o: Any) -> Any:
        return _plain(o) / self.value()

    def __neg__(self) -> Any:
        return -self.value()

    def __pow__(self, o: Any) -> Any:
        return self.value() ** _plain(o)

    def __rpow__(self, o: Any) -> Any:
        return _plain(o) ** self.value()


def _plain(x: Any) -> Any:
    return x.value() if isinstance(x, Split) else x


def _is_jax_array(x: Any) -> bool:
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.Array)


@dataclass(frozen=True)
class Count:
    """A number of steps ``n + f`` that may be fractional or beyond the integer range: ``n`` an integer
    array in ``[0, MAX_STEP]`` (or below 0 for a negative count), ``f`` a float array (the fraction, plus
    whatever lies beyond ``MAX_STEP``). Differences with steps are exact in their integer part, so a
    fractional phase end (``pct_start * T - 1``) or a horizon of 1e10 steps keeps a float32 tail exact."""

    n: Array
    f: Array


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
        """A hyperparameter value (LR, factor, ...) as a float array.

        A :class:`Split` is reassembled: exactly on the NumPy path; as ``hi`` plus the rest (which carries
        no gradient) on the JAX path.
        """
        if isinstance(x, Split):
            if self.is_numpy:
                return np.asarray(x.host(), np.float64)
            from jax import lax

            rest = self.xp.asarray(x.mid, self.float_dtype) + self.xp.asarray(x.lo, self.float_dtype)
            return self.xp.asarray(x.hi, self.float_dtype) + lax.stop_gradient(rest)
        return self.xp.asarray(x, dtype=self.float_dtype)

    def plain(self, x: Any) -> float | None:
        """``x`` as a Python float when the formula may specialise on its value: a plain host number, or,
        on the NumPy path, any concrete value (a carried :class:`Split` included). ``None`` otherwise."""
        if isinstance(x, int | float) and not isinstance(x, bool):
            return float(x)
        if self.is_numpy and isinstance(x, Split) and x.is_concrete():
            h = x.host()
            return h if isinstance(h, float) else None
        return None

    def larger(self, a: Any, b: Any) -> bool | None:
        """``|a| > |b|`` when both can be specialised on (:meth:`plain`), else ``None`` (the formula then
        decides in the graph). Formulas use it to pick the form of an interpolation without cancellation."""
        pa, pb = self.plain(a), self.plain(b)
        if pa is None or pb is None:
            return None
        return abs(pa) > abs(pb)

    def parts(self, x: Any) -> tuple[Array, Array | None]:
        """``x`` as ``(hi, rest)`` with ``hi + rest`` its exact value and ``hi`` its rounding to the working
        precision; ``rest`` is ``None`` when it is known to be 0 (NumPy, or a value exact in float32)."""
        if self.is_numpy:
            return self.value(x), None
        fd = self.float_dtype
        if isinstance(x, Split):
            return self.xp.asarray(x.hi, fd), self.xp.asarray(x.mid, fd) + self.xp.asarray(x.lo, fd)
        if isinstance(x, int | float) and not isinstance(x, bool):
            sp = Split.of(x, x64=np.dtype(fd) == np.float64)
            rest = float(sp.mid) + float(sp.lo)
            return self.xp.asarray(sp.hi, fd), (None if rest == 0 else self.xp.asarray(rest, fd))
        return self.value(x), None

    def count(self, x: Any) -> Array:
        """A duration or boundary in steps: an integer array when it is integral, else float.

        Integer durations keep ``T - t`` exact. Fractional ones (a :class:`Split` or a float) are floats.
        """
        if isinstance(x, Split):
            return self.value(x)
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

    def span(self, x: Any) -> Array | Count:
        """A duration that may be fractional or huge: an integer array when it is a Python int in range,
        else a :class:`Count` split exactly (on the host for a Python number, in the graph for a carried
        :class:`Split` or a float array)."""
        xp = self.xp
        if x is None:
            return None
        if isinstance(x, int | np.integer) and not isinstance(x, bool) and abs(int(x)) <= self.int_max:
            return xp.asarray(int(x), self.int_dtype)
        if isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool):
            v = float(x)
            whole = min(max(math.floor(v), -MAX_STEP), MAX_STEP)
            return Count(xp.asarray(whole, self.int_dtype), xp.asarray(v - whole, self.float_dtype))
        if isinstance(x, Split):
            if self.is_numpy:
                return self.span(x.host()) if np.ndim(x.host()) == 0 else self._span_array(x.host())
            fd = self.float_dtype
            hi = xp.asarray(x.hi, fd)
            rest = xp.asarray(x.mid, fd) + xp.asarray(x.lo, fd)
            # Largest float below 2**31 in this dtype: the cast to int cannot overflow.
            top = float(np.nextafter(np.asarray(2.0**31, fd), 0, dtype=fd))
            whole = xp.floor(xp.clip(hi, -top, top))
            return Count(whole.astype(self.int_dtype), (hi - whole) + rest)
        arr = xp.asarray(x)
        if arr.dtype.kind in "iu":
            return arr.astype(self.int_dtype)
        return self._span_array(arr)

    def _span_array(self, arr: Array) -> Count:
        xp = self.xp
        arr = xp.asarray(arr, self.float_dtype)
        top = float(np.nextafter(np.asarray(2.0**31, self.float_dtype), 0, dtype=self.float_dtype))
        whole = xp.floor(xp.clip(arr, -top, top))
        return Count(whole.astype(self.int_dtype), arr - whole)

    def to_float(self, x: Array | Count) -> Array:
        if isinstance(x, Count):
            return self.xp.asarray(x.n).astype(self.float_dtype) + x.f
        return self.xp.asarray(x).astype(self.float_dtype)

    def is_int(self, x: Array | Count) -> bool:
        if isinstance(x, Count):
            return False
        return bool(self.xp.asarray(x).dtype.kind in "iu")

    def is_exact(self, x: Array | Count) -> bool:
        """Whether ``x`` is an exact count (an integer array or a :class:`Count`)."""
        return isinstance(x, Count) or self.is_int(x)

    def nf(self, x: Array | Count) -> tuple[Array, Array | None]:
        """An exact count as ``(integer part, fraction or None)``."""
        if isinstance(x, Count):
            return x.n, x.f
        return x, None

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
        """Normalise a user step: negative -> 0, beyond ``MAX_STEP`` -> ``MAX_STEP``, split into n + f.

        Python and NumPy steps are normalised on the host (:func:`host_steps`), so huge Python ints never
        overflow; JAX arrays and tracers in the graph, saturating int64 steps under ``jax_enable_x64``.
        """
        xp = bk.xp
        if not hasattr(step, "aval"):
            n, f = host_steps(step)
            return cls(bk, xp.asarray(n, bk.int_dtype), None if f is None else xp.asarray(f, bk.float_dtype))
        arr = xp.asarray(step)
        if arr.dtype.kind == "b":
            raise TypeError(f"step: must be a number of steps, got a boolean array of dtype {arr.dtype}")
        if arr.dtype.kind in "iu":
            n = xp.maximum(arr, 0) if arr.dtype.kind == "i" else arr
            if arr.dtype.itemsize >= 4:
                n = xp.minimum(n, xp.asarray(MAX_STEP, arr.dtype))
            return cls(bk, n.astype(bk.int_dtype))
        if arr.dtype.kind != "f":
            raise TypeError(f"step: must be a real number of steps, got an array of dtype {arr.dtype}")
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

    def _diff(self, x: Array | Count) -> tuple[Array, Array | None]:
        """``t - x`` as an exact integer part and a float rest (``None`` when both are whole)."""
        xn, xf = self.bk.nf(x)
        dn = self.n - xn
        if self.f is None and xf is None:
            return dn, None
        if xf is None:
            return dn, self.f
        return dn, (-xf if self.f is None else self.f - xf)

    def since(self, begin: Array | Count) -> Array:
        """``t - begin`` as a float, exact in the integer part (may be negative)."""
        bk = self.bk
        if not bk.is_exact(begin):
            d = bk.to_float(self.n) - bk.to_float(begin)
            return d if self.f is None else d + self.f
        dn, df = self._diff(begin)
        d = bk.to_float(dn)
        return d if df is None else d + df

    def until(self, end: Array | Count) -> Array:
        """``end - t`` as a float, exact in the integer part (may be negative)."""
        bk = self.bk
        if not bk.is_exact(end):
            d = bk.to_float(end) - bk.to_float(self.n)
            return d if self.f is None else d - self.f
        dn, df = self._diff(end)
        d = bk.to_float(-dn)
        return d if df is None else d - df

    def left_in(self, start: Array | Count, length: Array | Count, nonneg: bool = False) -> Array:
        """``start + length - t`` as a float: the steps left in a phase, at most ``length``.

        Exact in the integer part and free of overflow even when the phase ends past ``MAX_STEP`` (where
        ``start + length`` itself would not fit): ``length - max(t - start, 0)``. ``nonneg`` says that the
        start is known to be >= 0 (a duration): the guard for a negative start (whose ``t - start``
        overflows int32) is then left out of the graph.
        """
        bk = self.bk
        xp = bk.xp
        if bk.is_exact(start) and bk.is_exact(length):
            dn, df = self._diff(start)
            ln, lf = bk.nf(length)
            sn, _ = bk.nf(start)
            if df is None:
                left = ln - xp.maximum(dn, 0)
                if not (bk.is_numpy or nonneg):  # t - start overflows int32 for a negative start
                    left = xp.where(sn < 0, (ln + sn) - self.n, left)
                d = bk.to_float(left)
                return d if lf is None else d + lf
            # Fractions: t >= start decided on the exact difference; before the start, the whole length.
            started = bk.to_float(dn) + df >= 0
            left = ln - xp.maximum(dn, 0)
            if not (bk.is_numpy or nonneg):
                left = xp.where(sn < 0, (ln + sn) - self.n, left)
            inside = bk.to_float(left) - xp.where(dn >= 0, df, bk.to_float(dn) + df)
            full = bk.to_float(ln)
            if lf is not None:
                inside, full = inside + lf, full + lf
            return xp.where(started, inside, full)
        d = bk.to_float(length) - xp.maximum(bk.to_float(self.n) - bk.to_float(start), 0.0)
        return d if self.f is None else d - self.f

    def ge(self, boundary: Array | Count) -> Array:
        """``t >= boundary`` (boolean array)."""
        bk = self.bk
        if bk.is_exact(boundary):
            dn, df = self._diff(boundary)
            if df is None or (self.f is not None and not isinstance(boundary, Count)):
                return dn >= 0  # a whole boundary: the fraction of t cannot cross it
            return bk.to_float(dn) + df >= 0
        return self.value() >= boundary

    def shifted(self, offset: Array | Count, nonneg: bool = False) -> Steps:
        """The steps ``t - offset`` clipped at 0, as a new :class:`Steps` (used by join and shift).

        ``nonneg`` says the offset is known to be >= 0 (a boundary): the shift is then a single
        ``max(t - offset, 0)``, with no guard for negative offsets.
        """
        bk = self.bk
        xp = bk.xp
        if isinstance(offset, Count):
            dn, df = self._diff(offset)
            assert df is not None
            carry = xp.floor(df)
            n = dn + carry.astype(dn.dtype)
            f = df - carry
            neg = n < 0
            return Steps(bk, xp.where(neg, xp.zeros_like(n), n), xp.where(neg, xp.zeros_like(f), f))
        if bk.is_int(offset):
            off = xp.asarray(offset, bk.int_dtype)
            if nonneg:
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


def _refuse_step(step: Any) -> TypeError:
    shown = repr(step)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return TypeError(
        f"step: must be a real number of steps (int or float, scalar or array), "
        f"got {type(step).__name__} {shown}"
    )


def host_steps(step: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """A Python or NumPy step (scalar, list or array) as ``(n, f)``: int64 in ``[0, MAX_STEP]`` and the
    fraction in ``[0, 1)`` (``None`` when every step is whole). Non-numeric steps are refused naming
    ``step``: strings, bytes, booleans, complex numbers, ``None``."""
    if isinstance(step, bool | str | bytes | complex) or step is None:
        raise _refuse_step(step)
    if isinstance(step, int):  # the common case, no array round trip
        return np.asarray(min(max(step, 0), MAX_STEP), np.int64), None
    try:
        arr = np.asarray(step)
    except (TypeError, ValueError):
        raise _refuse_step(step) from None
    if arr.dtype.kind in "iu":
        return np.clip(arr, 0, MAX_STEP).astype(np.int64), None
    if arr.dtype.kind == "O":
        items = arr.ravel().tolist()
        if not all(isinstance(x, numbers.Real) or _decimal_like(x) for x in items) or any(
            isinstance(x, bool) for x in items
        ):
            raise _refuse_step(step)
        if all(isinstance(x, numbers.Integral) for x in items):
            ints = [min(max(int(x), 0), MAX_STEP) for x in items]
            return np.asarray(ints, np.int64).reshape(arr.shape), None
        arr = np.asarray([_to_float(x) for x in items], np.float64).reshape(arr.shape)
    elif arr.dtype.kind != "f":
        raise _refuse_step(step)
    fl = np.clip(np.nan_to_num(arr.astype(np.float64), nan=0.0), 0.0, float(MAX_STEP))
    whole = np.floor(fl)
    frac = fl - whole
    return whole.astype(np.int64), (frac if np.any(frac) else None)


def _decimal_like(x: Any) -> bool:
    import decimal
    import fractions

    return isinstance(x, decimal.Decimal | fractions.Fraction)


def _to_float(x: Any) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


# -- exact powers and safe divisions ----------------------------------------------------------------------


def power(bk: Backend, base: Any, *exponents: Array, scale: Any = None) -> Array:
    """``scale * base ** sum(exponents)`` (``base >= 0``, ``scale >= 0``), exact to ``base`` as given, not to
    its float rounding, and free of intermediate under/overflow.

    Rounding the base to float32 (0.999 -> 0.99900001) multiplies ``base ** k`` by ``(1 + 1.3e-8) ** k``:
    1.3e-4 at k = 1e4. The rest of the base (the :class:`Split` parts a float leaf carries, or the
    rounding error of a Python float) undoes that: ``hi**k * exp(k * log1p(rest / hi))``, identical on the
    closure and the argument path. Several exponents (an exact integer part and a fraction, say) are
    raised separately, so a large exponent is never rounded as a whole. Where the power alone under- or
    overflows but the scaled value does not (``1e30 * 1e-10 ** 5``), it is evaluated in two halves.
    """
    xp = bk.xp
    b, rest = bk.parts(base)
    out = b ** exponents[0]
    for e in exponents[1:]:
        out = out * b**e
    total = exponents[0]
    for e in exponents[1:]:
        total = total + e
    ratio = None if rest is None else rest / xp.where(b == 0, xp.ones_like(b), b)
    if ratio is not None:
        # An underflowed power stays 0 (the correction may be huge where b**k is 0).
        corr = xp.exp(xp.minimum(total * xp.log1p(ratio), 80.0))
        out = xp.where(out == 0, out, out * corr)
    if scale is None:
        return out
    sv = bk.value(scale)
    direct = sv * out
    ps, pb = bk.plain(scale), bk.plain(base)
    if ps is not None and pb is not None and (ps <= 1 or pb >= 1):
        # b**k cannot underflow while scale * b**k does not (scale <= 1), and an overflowing growth is
        # capped by its ceiling: the direct product is exact (0 * inf only for scale 0).
        return xp.where(sv == 0, xp.zeros_like(direct), direct) if pb > 1 else direct
    # Where b**k alone under- or overflows, (scale * b**(k/2)) * b**(k/2): the middle value lies between
    # scale and the result (in logarithms), so it is representable whenever both are.
    half = xp.where(b > 0, b, xp.ones_like(b)) ** (total / 2)
    if ratio is not None:
        half = half * xp.exp(xp.minimum(total / 2 * xp.log1p(ratio), 80.0))
    in_halves = (sv * half) * half
    lost = ((out == 0) | ~xp.isfinite(out)) & (sv > 0) & (b > 0)
    return xp.where(sv == 0, xp.zeros_like(direct), xp.where(lost, in_halves, direct))


def plain(x: Any) -> float | None:
    """``x`` as a Python float when it is a plain host number (what a field holds after construction),
    else ``None`` (traced, carried as a :class:`Split`, or an array): the formula then cannot specialise on
    its value."""
    if isinstance(x, int | float) and not isinstance(x, bool):
        return float(x)
    return None


def floor_div(bk: Backend, x: Array, den: Array | Count) -> Array:
    """``floor(x / den)`` as a float, for ``x >= 0`` and a fractional ``den > 0``, right at exact multiples.

    XLA turns a division by a constant into a multiplication by its rounded reciprocal, so
    ``floor(41 / 20.5)`` can come out 1; one correction on the remainder ``x - q * den`` (exact for the
    small values where it matters) puts it back.
    """
    xp = bk.xp
    d = bk.to_float(den)
    q = xp.floor(x / d)
    if isinstance(den, Count):  # the remainder from the exact parts: (x - q n) - q f
        r = (x - q * bk.to_float(den.n)) - q * den.f
    else:
        r = x - q * d
    return xp.where(r >= d, q + 1.0, xp.where(r < 0, q - 1.0, q))


def safe_div(bk: Backend, num: Array, den: Array) -> Array:
    """``num / den`` with ``den`` replaced by 1 where it is 0 (the branch using it is masked anyway)."""
    xp = bk.xp
    den = bk.to_float(den)
    return num / xp.where(den == 0, xp.ones_like(den), den)
