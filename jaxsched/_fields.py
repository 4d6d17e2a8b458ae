"""Field roles: what each hyperparameter of a schedule is, declared on the field itself.

Every field of a :class:`~jaxsched.Schedule` is declared with one of the role specifiers below. The role
decides, once for every class:

- whether the field is a pytree leaf (``value``, ``steps``), a nested schedule (``nested``, ``nested_seq``)
  or static metadata (``choice``, ``flag``, ``static``; strings, modes and anything that changes the
  structure of the computation);
- how a user's argument is normalised: Python, NumPy and concrete JAX scalars all become the same Python
  ``float``/``int`` (so checks, equality, hashing, ``repr`` and configs never depend on the input type);
  JAX tracers pass through unchecked; anything else (a string, a bool for a number, an array where a
  scalar is expected, NaN, an integer beyond ``2**31 - 1`` steps) is refused naming the argument;
- how the field crosses a JAX transformation (jit argument, ``device_put``, ``vmap``): a float leaf is
  carried *exactly*, as three float32 parts ``hi + mid + lo`` (a :class:`~jaxsched._numerics.Split`),
  so a float64
  hyperparameter such as a decay rate of 0.9999 keeps every bit on the device, and formulas that need more
  than float32 (``power``) read the extra parts. Integer step counts travel as int32.

Example::

    class CosineDecay(Schedule, name="cosine_decay"):
        init_value: Real = value()
        decay_steps: StepCount = steps(minimum=1, fractional=True)
        alpha: Real = value(default=0.0)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Union

import numpy as np

from jaxsched._numerics import MAX_STEP, Split, is_concrete
from jaxsched._validate import (
    ScheduleArgumentError,
    ScheduleArgumentTypeError,
    ScheduleArgumentTypeValueError,
)

if TYPE_CHECKING:  # pragma: no cover
    import jax

    from jaxsched._core import Schedule

    Real = Union[float, int, np.floating, np.integer, jax.Array]  # noqa: UP007
    """A real hyperparameter: a Python, NumPy or JAX scalar (or a tracer)."""
    StepCount = Union[int, np.integer, jax.Array]  # noqa: UP007
    """A whole number of steps (a Python, NumPy or JAX integer, or a tracer)."""
    Span = Union[int, float, np.integer, np.floating, jax.Array]  # noqa: UP007
    """A number of steps that may be fractional."""
else:
    Real = Union[float, int, np.floating, np.integer, "jax.Array"]
    StepCount = Union[int, np.integer, "jax.Array"]
    Span = Union[int, float, np.integer, np.floating, "jax.Array"]

_ROLE = "jaxsched_role"


def host(x: Any) -> Any:
    """A field value on the host: Python scalars as they are, a :class:`Split` reassembled, arrays as
    NumPy. Raises ``TypeError`` for traced values."""
    if isinstance(x, Split):
        if not x.is_concrete():
            raise TypeError("a traced hyperparameter has no host value")
        return x.host()
    if not is_concrete(x):
        raise TypeError("a traced hyperparameter has no host value")
    if isinstance(x, bool | int | float | str) or x is None:
        return x
    arr = np.asarray(x)
    if arr.ndim == 0:
        return arr.item()
    return arr


def known(*xs: Any) -> bool:
    """True when every argument holds a plain host value (Python number), so a check can run on it."""
    return all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)


# -- roles ------------------------------------------------------------------------------------------------


class Role:
    """What a field is. ``kind`` is ``"leaf"``, ``"child"`` (nested schedules) or ``"static"``."""

    kind: ClassVar[str] = "leaf"
    is_steps: ClassVar[bool] = False
    """True for durations in steps: the config layer resolves units (``"10%"``, ``"2ep"``) for them."""
    refusal: type[ScheduleArgumentError] = ScheduleArgumentError
    """The class a refused value is raised as (a port's original raises, say, ``AssertionError`` for it:
    :class:`~jaxsched._validate.ScheduleArgumentAssertionError`)."""
    text_error: Callable[..., Exception] = ScheduleArgumentTypeError
    """The class raised for a string (a port whose original calls ``float()`` on it raises
    :class:`~jaxsched._validate.ScheduleArgumentTypeValueError`)."""

    def convert(self, name: str, x: Any) -> Any:
        """The normalised value of argument ``name`` (refusals raised as :attr:`refusal` and
        :attr:`text_error` where set)."""
        try:
            return self._convert(name, x)
        except ScheduleArgumentError as err:
            if isinstance(err, self.refusal):
                raise
            raise self.refusal(err.argument, err.reason, err.value) from None
        except ScheduleArgumentTypeError as err:
            if not isinstance(x, str | bytes) or self.text_error is type(err):
                raise
            raise self.text_error(err.argument, err.expected, err.value) from None

    def _convert(self, name: str, x: Any) -> Any:
        return x

    def flatten(self, x: Any) -> Any:
        """The pytree child of a stored value."""
        return x

    def unflatten(self, child: Any) -> Any:
        return child

    def key(self, x: Any) -> Any:
        """A hashable host value for equality and hashing; ``None`` marks a traced value."""
        try:
            h = host(x)
        except TypeError:
            return TRACED
        return _hashable(h)

    def to_config(self, name: str, x: Any) -> Any:
        try:
            h = host(x)
        except TypeError:
            raise TypeError(f"{name}: a traced hyperparameter has no config") from None
        if isinstance(h, np.ndarray):
            raise TypeError(
                f"{name}: a stacked schedule (array hyperparameters) has no config; "
                "build one schedule per configuration instead"
            )
        return h

    def describe(self) -> str:
        return type(self).__name__.lower()

    def shown(self, x: Any) -> Any:
        """The value as ``repr`` shows it: the host value when there is one, else the object itself."""
        try:
            return host(x)
        except TypeError:
            return x


TRACED = object()


def _hashable(h: Any) -> Any:
    if isinstance(h, np.ndarray):
        return ("array", h.shape, tuple(h.ravel().tolist()))
    if isinstance(h, list | tuple):
        return tuple(_hashable(x) for x in h)
    return h


def _scalar(name: str, x: Any, what: str) -> Any:
    """A concrete real scalar as a Python int or float; refuses everything else, naming ``name``."""
    if isinstance(x, bool) or x is None or isinstance(x, str | bytes | Mapping):
        raise ScheduleArgumentTypeError(name, what, x)
    if isinstance(x, int | float):
        return float(x) if isinstance(x, float) else int(x)  # np.float64 is a float subclass: unwrap it
    if isinstance(x, numbers.Number) and not isinstance(x, numbers.Real):
        raise ScheduleArgumentTypeError(name, what, x)
    if isinstance(x, list | tuple | Iterable) and not hasattr(x, "shape"):
        raise ScheduleArgumentTypeError(name, what, x)
    try:
        arr = np.asarray(x)
    except Exception:
        raise ScheduleArgumentTypeError(name, what, x) from None
    if arr.dtype.kind not in "iuf" or arr.dtype == object:
        raise ScheduleArgumentTypeError(name, what, x)
    if arr.ndim != 0:
        raise ScheduleArgumentError(
            name, f"must be a scalar, got an array of shape {arr.shape}", show_value=False
        )
    return arr.item()


class Value(Role):
    """A real hyperparameter: a float pytree leaf, carried exactly (a :class:`~jaxsched._numerics.Split`)."""

    def __init__(
        self,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        min_open: bool = False,
        max_open: bool = False,
        optional: bool = False,
    ) -> None:
        self.minimum, self.maximum = minimum, maximum
        self.min_open, self.max_open = min_open, max_open
        self.optional = optional

    def _convert(self, name: str, x: Any) -> Any:
        if x is None and self.optional:
            return None
        if isinstance(x, Split) or not is_concrete(x):
            return x  # carried from another schedule, or traced: nothing to check on the host
        n = _scalar(name, x, "a real number")
        try:
            f = float(n)
        except OverflowError:
            raise ScheduleArgumentError(name, "must be finite", x) from None
        if not math.isfinite(f):
            raise ScheduleArgumentError(name, "must be finite", x)
        self.check_bounds(name, f, x)
        return f

    def check_bounds(self, name: str, f: float, shown: Any) -> None:
        lo, hi = self.minimum, self.maximum
        if lo is not None and (f <= lo if self.min_open else f < lo):
            raise ScheduleArgumentError(name, f"must be {'>' if self.min_open else '>='} {lo:g}", shown)
        if hi is not None and (f >= hi if self.max_open else f > hi):
            raise ScheduleArgumentError(name, f"must be {'<' if self.max_open else '<='} {hi:g}", shown)

    def flatten(self, x: Any) -> Any:
        if x is None or isinstance(x, Split):
            return x
        if is_concrete(x) and isinstance(x, int | float):
            return Split.of(x)
        import jax.numpy as jnp

        z = jnp.zeros_like(x)
        return Split(x, z, z)

    def describe(self) -> str:
        return "value"


class Duration(Role):
    """A duration or position in steps: an integer leaf in ``[minimum, 2**31 - 1]``.

    With ``fractional=True`` a non-integral number of steps is allowed too (stored as a float and carried
    like a :class:`Value`). ``static=True`` makes it static metadata (for counts that decide the structure
    of the computation, such as a number of pieces derived from a total).
    """

    is_steps = True

    def __init__(
        self,
        *,
        minimum: int = 0,
        fractional: bool = False,
        static: bool = False,
        optional: bool = False,
        maximum: int | None = None,
    ) -> None:
        # A whole number of steps travels as int32, so it must fit; a fractional-capable one travels as a
        # float and may be as large as any float (a horizon beyond the last step, say).
        self.minimum = minimum
        self.maximum = maximum if maximum is not None else (None if fractional else MAX_STEP)
        self.fractional, self.optional = fractional, optional
        self.static = static
        if static:
            self.kind = "static"  # type: ignore[misc]

    def _convert(self, name: str, x: Any) -> Any:
        if x is None and self.optional:
            return None
        if isinstance(x, Split) or not is_concrete(x):
            if self.static:
                raise ScheduleArgumentTypeError(name, "a concrete number of steps (it is static)", x)
            return x
        n = _scalar(name, x, "a number of steps")
        if isinstance(n, float):
            if not math.isfinite(n):
                raise ScheduleArgumentError(name, "must be finite", x)
            if n.is_integer():
                n = int(n)
            elif not self.fractional:
                raise ScheduleArgumentError(name, "must be a whole number of steps", x)
        if n < self.minimum:
            raise ScheduleArgumentError(name, f"must be >= {self.minimum}", x)
        if self.maximum is not None and n > self.maximum:
            limit = "2**31 - 1 (the last step)" if self.maximum == MAX_STEP else str(self.maximum)
            raise ScheduleArgumentError(name, f"must be <= {limit}", x)
        if isinstance(n, int) and self.fractional and abs(n) > 2**53:
            raise ScheduleArgumentError(name, "must be <= 2**53 (exact as a float)", x)
        return n

    def shown(self, x: Any) -> Any:
        h = super().shown(x)
        return int(h) if isinstance(h, float) and h.is_integer() else h

    def to_config(self, name: str, x: Any) -> Any:
        h = super().to_config(name, x)
        return int(h) if isinstance(h, float) and h.is_integer() else h

    def flatten(self, x: Any) -> Any:
        if self.static or x is None or isinstance(x, Split):
            return x
        if isinstance(x, int) and abs(x) <= MAX_STEP:
            return np.int32(x)
        if isinstance(x, int | float):  # fractional, or beyond int32: a float carried exactly
            return Split.of(x)
        return x  # an array or tracer rebuilt by JAX travels as it is

    def describe(self) -> str:
        return "steps"


class Choice(Role):
    """A static string choosing a variant."""

    kind = "static"

    def __init__(self, options: Sequence[str], *, optional: bool = False) -> None:
        self.options = tuple(options)
        self.optional = optional

    def convert(self, name: str, x: Any) -> Any:
        if x is None and self.optional:
            return None
        if not isinstance(x, str):  # every original tests membership, so a wrong type is a ValueError too
            raise ScheduleArgumentTypeValueError(name, f"one of {list(self.options)}", x)
        if x not in self.options:
            raise ScheduleArgumentError(name, f"must be one of {list(self.options)}", x)
        return x


class Flag(Role):
    """A static bool."""

    kind = "static"

    def convert(self, name: str, x: Any) -> Any:
        if isinstance(x, bool):
            return x
        if isinstance(x, np.bool_):
            return bool(x)
        raise ScheduleArgumentTypeError(name, "a bool", x)


class Static(Role):
    """Static metadata normalised by ``converter(name, x)`` (a concrete int or float that decides the
    structure of the computation, say)."""

    kind = "static"

    def __init__(self, converter: Callable[[str, Any], Any] | None = None) -> None:
        self.converter = converter

    def convert(self, name: str, x: Any) -> Any:
        return x if self.converter is None else self.converter(name, x)

    def to_config(self, name: str, x: Any) -> Any:
        return _jsonable(x)

    def key(self, x: Any) -> Any:
        return _hashable(_jsonable(x))

    def shown(self, x: Any) -> Any:
        return x  # already a host value; a tuple stays a tuple (not an array) in repr


def _jsonable(x: Any) -> Any:
    if isinstance(x, tuple | list):
        return [_jsonable(e) for e in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


class Nested(Role):
    """A nested schedule (a number is taken as a constant schedule)."""

    kind = "child"

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional

    def convert(self, name: str, x: Any) -> Any:
        if x is None and self.optional:
            return None
        return as_schedule(name, x)

    def key(self, x: Any) -> Any:
        return x  # schedules hash and compare by value

    def shown(self, x: Any) -> Any:
        return x

    def to_config(self, name: str, x: Any) -> Any:
        return None if x is None else x.to_config()


class NestedSeq(Role):
    """A tuple of schedules (its length is static)."""

    kind = "child"

    def __init__(self, *, nonempty: bool = True) -> None:
        self.nonempty = nonempty

    def convert(self, name: str, x: Any) -> Any:
        items = sequence(name, x)
        if self.nonempty and not items:
            raise ScheduleArgumentError(name, "must not be empty", [])
        return tuple(as_schedule(f"{name}[{i}]", s) for i, s in enumerate(items))

    def key(self, x: Any) -> Any:
        return tuple(x)

    def shown(self, x: Any) -> Any:
        return tuple(x)

    def to_config(self, name: str, x: Any) -> Any:
        return [s.to_config() for s in x]


class Seq(Role):
    """A tuple of leaves of one role (milestones, boundaries, values); its length is static."""

    def __init__(self, element: Role, *, nonempty: bool = False, scalar_ok: bool = False) -> None:
        self.element = element
        self.nonempty = nonempty
        self.scalar_ok = scalar_ok
        self.is_steps = element.is_steps  # type: ignore[misc]

    def convert(self, name: str, x: Any) -> Any:
        if isinstance(x, tuple) and any(isinstance(e, Split) or not is_concrete(e) for e in x):
            return tuple(self.element.convert(f"{name}[{i}]", e) for i, e in enumerate(x))
        if self.scalar_ok and (isinstance(x, numbers.Number) or (hasattr(x, "shape") and np.ndim(x) == 0)):
            return (self.element.convert(name, x),)
        items = sequence(name, x)
        if self.nonempty and not items:
            raise ScheduleArgumentError(name, "must not be empty", [])
        return tuple(self.element.convert(f"{name}[{i}]", e) for i, e in enumerate(items))

    def flatten(self, x: Any) -> Any:
        return tuple(self.element.flatten(e) for e in x)

    def unflatten(self, child: Any) -> Any:
        return tuple(child)

    def key(self, x: Any) -> Any:
        return tuple(self.element.key(e) for e in x)

    def shown(self, x: Any) -> Any:
        return tuple(self.element.shown(e) for e in x)

    def to_config(self, name: str, x: Any) -> Any:
        return [self.element.to_config(f"{name}[{i}]", e) for i, e in enumerate(x)]


class Pairs(Role):
    """``{boundary: value}`` (a mapping or a sequence of pairs) stored as a tuple of ``(steps, value)``
    pairs sorted by boundary; a boundary given twice is refused. JSON object keys (strings holding an
    integer) are accepted."""

    is_steps = True

    def __init__(self, key: Duration, val: Value) -> None:
        self.key_role, self.val_role = key, val

    def convert(self, name: str, x: Any) -> Any:
        if x is None:
            return ()
        if (
            isinstance(x, tuple)
            and all(isinstance(p, tuple) and len(p) == 2 for p in x)
            and any(isinstance(e, Split) or not is_concrete(e) for p in x for e in p)
        ):
            return x  # carried or traced pairs, already normalised
        if isinstance(x, Mapping):
            items = list(x.items())
        else:
            items = []
            for i, p in enumerate(sequence(name, x)):
                pair = sequence(f"{name}[{i}]", p)
                if len(pair) != 2:
                    raise ScheduleArgumentError(f"{name}[{i}]", "must be a (boundary, value) pair", p)
                items.append(pair)
        out = []
        for b, val in items:
            where = f"{name}[{b!r}]"
            if isinstance(b, str):  # JSON object keys
                text = b.strip()
                if not text.lstrip("-").isdigit():
                    raise ScheduleArgumentTypeError(f"{name} key", "an integer step", b)
                b = int(text)
            b = self.key_role.convert(f"{where} boundary", b)
            out.append((b, self.val_role.convert(where, val)))
        keys = [b for b, _ in out]
        if len(set(keys)) != len(keys):
            raise ScheduleArgumentError(name, "has a repeated boundary", dict(items))
        return tuple(sorted(out, key=lambda p: p[0]))

    def flatten(self, x: Any) -> Any:
        return tuple((self.key_role.flatten(b), self.val_role.flatten(val)) for b, val in x)

    def unflatten(self, child: Any) -> Any:
        return tuple(tuple(p) for p in child)

    def key(self, x: Any) -> Any:
        return tuple((self.key_role.key(b), self.val_role.key(val)) for b, val in x)

    def to_config(self, name: str, x: Any) -> Any:
        return {self.key_role.to_config(name, b): self.val_role.to_config(name, val) for b, val in x}

    def shown(self, x: Any) -> Any:
        return {self.key_role.shown(b): self.val_role.shown(val) for b, val in x}


def sequence(name: str, x: Any) -> tuple[Any, ...]:
    """A list or tuple (a single number, a string or a mapping is refused), as a tuple."""
    if isinstance(x, str | bytes | Mapping) or not isinstance(x, Iterable):
        raise ScheduleArgumentTypeError(name, "a list", x)
    if getattr(x, "shape", None) == ():  # a 0-d array is one number
        raise ScheduleArgumentTypeError(name, "a list", x)
    return tuple(x)


def as_schedule(name: str, x: Any) -> Schedule:
    """A schedule as is; a real number as a constant schedule; anything else refused naming ``name``."""
    from jaxsched._core import Schedule, constant_schedule

    if isinstance(x, Schedule):
        return x
    if isinstance(x, Split):  # a value carried across JAX (a composite lowering its traced leaves)
        return constant_schedule(x)
    if isinstance(x, bool) or not (isinstance(x, numbers.Real) or hasattr(x, "dtype")):
        raise ScheduleArgumentTypeError(name, "a jaxsched Schedule or a number", x)
    return constant_schedule(Value().convert(name, x))


# -- field specifiers (what class bodies use) -----------------------------------------------------------


Refusal = type[ScheduleArgumentError]
TextError = Callable[..., Exception]


def _field(
    role: Role,
    default: Any,
    init: bool = True,
    refusal: Refusal = ScheduleArgumentError,
    text_error: TextError = ScheduleArgumentTypeError,
) -> Any:
    role.refusal, role.text_error = refusal, text_error
    return dataclasses.field(default=default, init=init, metadata={_ROLE: role})


def of_role(role: Role, *, default: Any = dataclasses.MISSING, kw_only: bool = False) -> Any:
    """A field with a role of its own (a port's): ``kw_only`` for what a trainer supplies by keyword.
    Listed among the class transform's field specifiers, so type checkers see its default."""
    return dataclasses.field(default=default, kw_only=kw_only, metadata={_ROLE: role})


def value(
    *,
    default: Any = dataclasses.MISSING,
    minimum: float | None = None,
    maximum: float | None = None,
    min_open: bool = False,
    max_open: bool = False,
    optional: bool = False,
    refusal: Refusal = ScheduleArgumentError,
    text_error: TextError = ScheduleArgumentTypeError,
) -> Any:
    """A real hyperparameter (float leaf), optionally bounded; ``optional`` allows ``None``. A port raises its
    original's exception classes: ``refusal`` for a refused value (e.g.
    :class:`~jaxsched._validate.ScheduleArgumentAssertionError` where the original asserts), ``text_error``
    for a string (:class:`~jaxsched._validate.ScheduleArgumentTypeValueError` where it calls ``float()``)."""
    return _field(
        Value(
            minimum=minimum,
            maximum=maximum,
            min_open=min_open,
            max_open=max_open,
            optional=optional or default is None,
        ),
        default,
        refusal=refusal,
        text_error=text_error,
    )


FLOAT32_MAX = float(np.finfo(np.float32).max)


def level(
    *,
    default: Any = dataclasses.MISSING,
    optional: bool = False,
    refusal: Refusal = ScheduleArgumentError,
    text_error: TextError = ScheduleArgumentTypeError,
) -> Any:
    """A value the schedule outputs or interpolates (an LR, a factor): a real number in
    ``[0, 3.4e38]`` (finite in float32, so the value is exact on every path). ``refusal``, ``text_error``:
    as :func:`value`."""
    return _field(
        Value(minimum=0.0, maximum=FLOAT32_MAX, optional=optional or default is None),
        default,
        refusal=refusal,
        text_error=text_error,
    )


def steps(
    *,
    default: Any = dataclasses.MISSING,
    minimum: int = 0,
    fractional: bool = False,
    static: bool = False,
    optional: bool = False,
    refusal: Refusal = ScheduleArgumentError,
    text_error: TextError = ScheduleArgumentTypeError,
) -> Any:
    """A number of steps (integer leaf, or static with ``static=True``). ``refusal``, ``text_error``: as
    :func:`value`."""
    return _field(
        Duration(minimum=minimum, fractional=fractional, static=static, optional=optional or default is None),
        default,
        refusal=refusal,
        text_error=text_error,
    )


def choice(options: Sequence[str], *, default: Any = dataclasses.MISSING, optional: bool = False) -> Any:
    """A static string among ``options``."""
    return _field(Choice(options, optional=optional or default is None), default)


def flag(*, default: Any = dataclasses.MISSING) -> Any:
    """A static bool."""
    return _field(Flag(), default)


def static(
    *,
    default: Any = dataclasses.MISSING,
    converter: Callable[[str, Any], Any] | None = None,
    init: bool = True,
) -> Any:
    """Static metadata, normalised by ``converter(name, value)``."""
    return _field(Static(converter), default, init)


def nested(*, default: Any = dataclasses.MISSING, optional: bool = False) -> Any:
    """A nested schedule (numbers become constants)."""
    return _field(Nested(optional=optional or default is None), default)


def nested_seq(*, default: Any = dataclasses.MISSING, nonempty: bool = True) -> Any:
    """A tuple of nested schedules."""
    return _field(NestedSeq(nonempty=nonempty), default)


def steps_seq(
    *,
    default: Any = dataclasses.MISSING,
    minimum: int = 0,
    fractional: bool = False,
    nonempty: bool = False,
    scalar_ok: bool = False,
) -> Any:
    """A tuple of step counts (milestones, boundaries); ``scalar_ok`` takes one number as a 1-tuple."""
    return _field(
        Seq(Duration(minimum=minimum, fractional=fractional), nonempty=nonempty, scalar_ok=scalar_ok), default
    )


def value_seq(
    *,
    default: Any = dataclasses.MISSING,
    minimum: float | None = None,
    min_open: bool = False,
    nonempty: bool = False,
) -> Any:
    """A tuple of real values."""
    return _field(Seq(Value(minimum=minimum, min_open=min_open), nonempty=nonempty), default)


def pairs(*, default: Any = dataclasses.MISSING) -> Any:
    """``{boundary: value}`` with boundaries in steps and values >= 0, stored as sorted pairs."""
    return _field(Pairs(Duration(), Value(minimum=0.0)), default)


class Table:
    """An immutable 1-D array of float64 (or int64) values with value semantics: equal tables compare and
    hash equal, pickle and turn into JSON lists. It is what a :func:`table` field holds (a precomputed
    table of a schedule, static metadata of its pytree)."""

    __slots__ = ("_hash", "array")

    def __init__(self, values: Any, dtype: Any = np.float64) -> None:
        arr = np.array(values, dtype=dtype)
        if arr.ndim != 1:
            raise ValueError(f"a table is 1-D, got shape {arr.shape}")
        arr.setflags(write=False)
        self.array = arr
        self._hash: int | None = None

    def __len__(self) -> int:
        return int(self.array.shape[0])

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Table):
            return NotImplemented
        return (
            self.array.dtype == other.array.dtype
            and self.array.shape == other.array.shape
            and self.array.tobytes() == other.array.tobytes()
        )

    def __hash__(self) -> int:
        if self._hash is None:
            import hashlib

            digest = hashlib.blake2b(self.array.tobytes(), digest_size=16).digest()
            self._hash = hash((self.array.dtype.str, self.array.shape, digest))
        return self._hash

    def __reduce__(self) -> tuple[Any, ...]:
        return (Table, (self.array, self.array.dtype))

    def __repr__(self) -> str:
        if len(self) <= 8:
            return repr(self.array.tolist())
        return f"Table({len(self)} values)"

    def tolist(self) -> list[Any]:
        out: list[Any] = self.array.tolist()
        return out


class TableRole(Role):
    """A 1-D table of finite numbers (:class:`Table`), static: a table a schedule computed on the host (its
    length decides the structure). ``integer`` tables hold int64 values."""

    kind = "static"

    def __init__(
        self, *, minimum: float | None = None, integer: bool = False, optional: bool = False
    ) -> None:
        self.minimum, self.integer, self.optional = minimum, integer, optional

    def convert(self, name: str, x: Any) -> Any:
        if x is None and self.optional:
            return None
        if isinstance(x, Table):
            arr = x.array
        else:
            if (
                isinstance(x, str | bytes | Mapping)
                or x is None
                or isinstance(x, bool)
                or (not isinstance(x, Iterable) and not hasattr(x, "shape"))
            ):
                raise ScheduleArgumentTypeError(name, "a list of numbers", x)
            if not is_concrete(x):
                raise ScheduleArgumentTypeError(name, "a concrete list of numbers (it is static)", x)
            try:
                arr = np.asarray(x)
            except Exception:
                raise ScheduleArgumentTypeError(name, "a list of numbers", x) from None
        if arr.ndim != 1:
            raise ScheduleArgumentError(name, f"must be a 1-D list, got shape {arr.shape}", show_value=False)
        if arr.size and (arr.dtype.kind not in "iuf" or arr.dtype == object):
            raise ScheduleArgumentTypeError(name, "a list of numbers", x)
        if self.integer:
            if arr.size and arr.dtype.kind == "f" and not np.all(np.mod(arr, 1) == 0):
                raise ScheduleArgumentError(name, "must hold whole numbers", show_value=False)
            out = Table(arr, np.int64)
        else:
            out = Table(arr, np.float64)
        vals = out.array
        if vals.size and not np.all(np.isfinite(vals)):
            raise ScheduleArgumentError(name, "must hold finite numbers", show_value=False)
        if self.minimum is not None and vals.size and np.min(vals) < self.minimum:
            i = int(np.argmin(vals))
            raise ScheduleArgumentError(
                name, f"must hold values >= {self.minimum:g} (entry {i} is {vals[i]!r})", show_value=False
            )
        return out

    def key(self, x: Any) -> Any:
        return x

    def to_config(self, name: str, x: Any) -> Any:
        return None if x is None else x.tolist()

    def shown(self, x: Any) -> Any:
        return x


class StaticNested(Nested):
    """A nested schedule held as static metadata: its values decide the structure of the computation (a
    table computed from them on the host), so it must be concrete, and it is part of the pytree's
    structure rather than its leaves."""

    kind = "static"

    def convert(self, name: str, x: Any) -> Any:
        out = super().convert(name, x)
        if out is not None and not out._is_plain():
            raise ScheduleArgumentTypeError(name, "a schedule of concrete numbers (it is static)", x)
        return out


class StaticNestedSeq(NestedSeq):
    """A tuple of schedules held as static metadata (see :class:`StaticNested`)."""

    kind = "static"

    def convert(self, name: str, x: Any) -> Any:
        out = super().convert(name, x)
        for i, s in enumerate(out):
            if not s._is_plain():
                raise ScheduleArgumentTypeError(
                    f"{name}[{i}]", "a schedule of concrete numbers (it is static)", s
                )
        return out


def table(
    *,
    default: Any = dataclasses.MISSING,
    minimum: float | None = None,
    integer: bool = False,
    optional: bool = False,
) -> Any:
    """A static 1-D table of finite numbers (a :class:`Table`), e.g. values a schedule precomputed."""
    return _field(TableRole(minimum=minimum, integer=integer, optional=optional or default is None), default)


def static_nested(*, default: Any = dataclasses.MISSING, optional: bool = False) -> Any:
    """A nested schedule held as static metadata (its values decide the computation's structure)."""
    return _field(StaticNested(optional=optional or default is None), default)


def static_nested_seq(*, default: Any = dataclasses.MISSING, nonempty: bool = True) -> Any:
    """A tuple of schedules held as static metadata (their values decide the computation's structure)."""
    return _field(StaticNestedSeq(nonempty=nonempty), default)


def role_of(f: dataclasses.Field[Any]) -> Role:
    role = f.metadata.get(_ROLE)
    if role is None:
        raise TypeError(
            f"field {f.name!r} declares no role: use value(), steps(), choice(), flag(), "
            "static(), nested(), nested_seq(), steps_seq() or value_seq()"
        )
    return role


# -- static converters ----------------------------------------------------------------------------------


def static_int(minimum: int | None = None, *, optional: bool = False) -> Callable[[str, Any], Any]:
    """A converter to a concrete Python int (a count that decides structure)."""

    def convert(name: str, x: Any) -> Any:
        if x is None and optional:
            return None
        if not is_concrete(x) or isinstance(x, Split):
            raise ScheduleArgumentTypeError(name, "a concrete integer (it is static)", x)
        n = _scalar(name, x, "an integer")
        if isinstance(n, float):
            if not n.is_integer():
                raise ScheduleArgumentError(name, "must be a whole number", x)
            n = int(n)
        if minimum is not None and n < minimum:
            raise ScheduleArgumentError(name, f"must be >= {minimum}", x)
        if abs(n) > MAX_STEP:
            raise ScheduleArgumentError(name, "must be <= 2**31 - 1", x)
        return n

    return convert


def static_float(
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    min_open: bool = False,
    optional: bool = False,
) -> Callable[[str, Any], Any]:
    """A converter to a concrete finite Python float (a parameter that decides structure)."""
    bounds = Value(minimum=minimum, maximum=maximum, min_open=min_open)

    def convert(name: str, x: Any) -> Any:
        if x is None and optional:
            return None
        if not is_concrete(x) or isinstance(x, Split):
            raise ScheduleArgumentTypeError(name, "a concrete number (it is static)", x)
        return bounds.convert(name, x)

    return convert
