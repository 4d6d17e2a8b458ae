"""Construction-time argument checks.

Every check names the argument and the value it got, and skips values that are JAX tracers (a schedule
built inside ``jit``/``vmap`` is accepted unchecked). The errors carry ``argument`` so that the config
loader can prefix the path inside a config file (``schedules[1].warmup_steps: ...``).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from jaxsched._numerics import is_concrete


class ScheduleArgumentError(ValueError):
    """A schedule argument has an invalid value."""

    def __init__(self, argument: str, reason: str, value: Any = ..., *, show_value: bool = True):
        self.argument = argument
        self.reason = reason
        self.value = value
        text = f"{argument}: {reason}"
        if show_value and value is not ...:
            text += f", got {value!r}"
        super().__init__(text)

    def prefixed(self, path: str) -> ScheduleArgumentError:
        """The same error with the argument's path inside a config (``schedules[1].warmup_steps``)."""
        return type(self)(f"{path}.{self.argument}" if path else self.argument, self.reason, self.value)


class ScheduleArgumentTypeError(TypeError):
    """A schedule argument has the wrong type."""

    def __init__(self, argument: str, expected: str, value: Any):
        self.argument = argument
        self.reason = f"must be {expected}"
        self.value = value
        self.expected = expected
        super().__init__(f"{argument}: must be {expected}, got {type(value).__name__} {value!r}")

    def prefixed(self, path: str) -> ScheduleArgumentTypeError:
        return type(self)(f"{path}.{self.argument}" if path else self.argument, self.expected, self.value)


class ScheduleArgumentTypeValueError(ScheduleArgumentTypeError, ValueError):
    """A wrong type where the original library raises ``ValueError`` (it compares the value with its options
    instead of checking the type): both a ``TypeError`` and a ``ValueError``, so either ``except`` works."""


class ScheduleArgumentAssertionError(ScheduleArgumentError, AssertionError):
    """An invalid value that the original library refuses with an ``assert`` (timm): both a ``ValueError``
    and an ``AssertionError``, so code written against either still catches it."""


class ScheduleArgumentZeroDivisionError(ScheduleArgumentError, ZeroDivisionError):
    """A zero the original library divides by while it is being built (it raises ``ZeroDivisionError``
    there): both a ``ValueError`` and a ``ZeroDivisionError``."""


def _concrete_array(value: Any) -> np.ndarray | None:
    if not is_concrete(value):
        return None
    try:
        return np.asarray(value)
    except Exception:  # a tracer nested in a container, say
        return None


def number(name: str, value: Any) -> np.ndarray | None:
    """A real, finite number (or array of them). Returns the concrete array, or None when traced."""
    if isinstance(value, bool) or value is None or isinstance(value, str | bytes):
        raise ScheduleArgumentTypeError(name, "a real number", value)
    if isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
        raise ScheduleArgumentTypeError(name, "a real number", value)
    arr = _concrete_array(value)
    if arr is None:
        return None
    if arr.dtype.kind not in "iuf":
        raise ScheduleArgumentTypeError(name, "a real number", value)
    if not np.all(np.isfinite(arr)):
        raise ScheduleArgumentError(name, "must be finite", value)
    return arr


def value(
    name: str,
    v: Any,
    *,
    minimum: float | None = None,
    strict: bool = False,
    maximum: float | None = None,
    max_strict: bool = False,
) -> None:
    """A finite real hyperparameter, optionally bounded."""
    arr = number(name, v)
    if arr is None:
        return
    if minimum is not None:
        bad = arr <= minimum if strict else arr < minimum
        if np.any(bad):
            raise ScheduleArgumentError(name, f"must be {'>' if strict else '>='} {minimum}", v)
    if maximum is not None:
        bad = arr >= maximum if max_strict else arr > maximum
        if np.any(bad):
            raise ScheduleArgumentError(name, f"must be {'<' if max_strict else '<='} {maximum}", v)


def nonnegative(name: str, v: Any) -> None:
    value(name, v, minimum=0.0)


def positive(name: str, v: Any) -> None:
    value(name, v, minimum=0.0, strict=True)


def steps(name: str, v: Any, *, minimum: int = 0, integer: bool = True) -> Any:
    """A step count (duration or boundary). Integral floats become ints; returns the normalised value."""
    arr = number(name, v)
    if arr is None:
        return v
    if integer and not np.all(np.equal(np.mod(arr, 1), 0)):
        raise ScheduleArgumentError(name, "must be a whole number of steps", v)
    if np.any(arr < minimum):
        raise ScheduleArgumentError(name, f"must be >= {minimum}", v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def not_text(name: str, v: Any) -> None:
    """Refuse a string for a number where the original converts it with ``float()``/``int()`` (which
    raises ``ValueError`` for text): a :class:`ScheduleArgumentTypeValueError`."""
    if isinstance(v, str | bytes):
        raise ScheduleArgumentTypeValueError(name, "a real number", v)


def not_none(name: str, v: Any, expected: str = "a real number") -> None:
    """Refuse ``None`` where the original compares it with a number first (``TypeError``)."""
    if v is None or isinstance(v, str | bytes):
        raise ScheduleArgumentTypeError(name, expected, v)


def asserted(check: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a check; a ``ScheduleArgumentError`` it raises becomes a :class:`ScheduleArgumentAssertionError`
    (for arguments the original refuses with ``assert``)."""
    try:
        return check(*args, **kwargs)
    except ScheduleArgumentError as err:
        if isinstance(err, ScheduleArgumentAssertionError):
            raise
        raise ScheduleArgumentAssertionError(err.argument, err.reason, err.value, show_value=False) from None


def divisor(name: str, v: Any, why: str = "the original divides by it") -> None:
    """Refuse a concrete zero that the original divides by at construction, as a
    :class:`ScheduleArgumentZeroDivisionError` (the other checks of the argument still apply)."""
    arr = _concrete_array(v) if not isinstance(v, str | bytes) and v is not None else None
    if arr is not None and arr.dtype.kind in "iuf" and np.any(arr == 0):
        raise ScheduleArgumentZeroDivisionError(name, f"must not be 0 ({why})", v)


def choice(name: str, v: Any, options: Sequence[str]) -> None:
    if not isinstance(v, str):  # every original raises ValueError here (it tests membership, not type)
        raise ScheduleArgumentTypeValueError(name, f"one of {list(options)}", v)
    if v not in options:
        raise ScheduleArgumentError(name, f"must be one of {list(options)}", v)


def boolean(name: str, v: Any) -> None:
    if not isinstance(v, bool | np.bool_):
        raise ScheduleArgumentTypeError(name, "a bool", v)


def sequence(name: str, v: Any) -> tuple[Any, ...]:
    """A list or tuple (a single number is not accepted), returned as a tuple."""
    if isinstance(v, str | bytes | dict) or not isinstance(v, Iterable):
        raise ScheduleArgumentTypeError(name, "a list", v)
    return tuple(v)


def sorted_steps(name: str, v: Sequence[Any], *, strict: bool = False) -> None:
    concrete = [x for x in v if is_concrete(x)]
    if len(concrete) != len(v):
        return
    pairs = list(itertools.pairwise(concrete))
    if strict and any(b <= a for a, b in pairs):
        raise ScheduleArgumentError(name, "must be strictly increasing", list(v))
    if not strict and any(b < a for a, b in pairs):
        raise ScheduleArgumentError(name, "must be sorted in increasing order", list(v))


def less(name_a: str, a: Any, name_b: str, b: Any, *, equal_ok: bool = False) -> None:
    """``a < b`` (or ``<=``) between two plain host numbers; the error names both. Fields reach checks
    already normalised to Python numbers, so this runs for Python, NumPy and JAX inputs alike; traced or
    carried values skip it."""
    if not (isinstance(a, int | float) and isinstance(b, int | float)):
        return
    if a > b or (not equal_ok and a == b):
        op = "<=" if equal_ok else "<"
        raise ScheduleArgumentError(name_a, f"must be {op} {name_b} ({b!r})", a)


def integer(name: str, v: Any, *, minimum: int | None = None) -> int:
    """A concrete Python integer (used for static structure: counts of cycles, pieces)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise ScheduleArgumentTypeError(name, "an integer", v)
    if minimum is not None and v < minimum:
        raise ScheduleArgumentError(name, f"must be >= {minimum}", v)
    return int(v)


def finite_float(name: str, v: Any) -> float:
    """A concrete finite float (used for static parameters)."""
    arr = number(name, v)
    if arr is None or arr.ndim:
        raise ScheduleArgumentTypeError(name, "a concrete number", v)
    f = float(arr)
    if not math.isfinite(f):
        raise ScheduleArgumentError(name, "must be finite", v)
    return f
