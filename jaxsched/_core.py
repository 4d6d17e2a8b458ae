"""The schedule abstraction: an immutable pytree with one formula, evaluated by JAX or by NumPy.

A concrete schedule subclasses :class:`Schedule` with a registry name, declares its hyperparameters as
annotated fields (numeric ones are pytree leaves; :func:`static` marks strings, flags and structure),
checks them once in ``__check_init__`` and writes its math once in ``_formula(bk, t)``::

    class Linear(Schedule, name="linear"):
        init_value: float
        end_value: float
        transition_steps: int

        def __check_init__(self): ...
        def _formula(self, bk, t): ...

The base class turns the subclass into a frozen dataclass, registers it as a JAX pytree and in the name
registry used by :func:`jaxsched.from_config`, and provides ``__call__`` (JAX), ``numpy`` (float64, no JAX
computation), ``to_config``, equality, hashing, ``repr`` and arithmetic.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import jax
import numpy as np
from typing_extensions import dataclass_transform

from jaxsched._numerics import Array, Backend, Steps, is_concrete, jax_backend, numpy_backend

_REGISTRY: dict[str, type[Schedule]] = {}

T = TypeVar("T")


def static(default: Any = dataclasses.MISSING, *, init: bool = True, kw_only: bool = False) -> Any:
    """A dataclass field that is static pytree metadata (strings, flags, structure), not a leaf."""
    return dataclasses.field(default=default, init=init, kw_only=kw_only, metadata={"static": True})


def registry() -> dict[str, type[Schedule]]:
    """The schedule classes by config name (a copy). Compat modules register on import."""
    return dict(_REGISTRY)


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(static, dataclasses.field))
class Schedule:
    """Base class of every jaxsched schedule: ``s(step) -> value`` usable wherever optax takes a schedule.

    ``s(k)`` is the value used by update ``k`` (counting from 0): optax's ``count`` and torch's LR after
    ``k`` calls of ``scheduler.step()``. Negative steps count as 0; steps beyond ``2**31 - 1`` as
    ``2**31 - 1``.
    """

    config_name: ClassVar[str] = ""
    examples: ClassVar[tuple[dict[str, Any], ...]] = ()
    """Keyword arguments of representative configurations (the parity job, gallery and tests use them)."""

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
        fields = [f for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        data = tuple(f.name for f in fields if not f.metadata.get("static"))
        meta = tuple(f.name for f in fields if f.metadata.get("static"))
        cls._data_fields = data
        cls._meta_fields = meta

        def flatten_with_keys(obj: Any) -> tuple[Any, Any]:
            children = [(jax.tree_util.GetAttrKey(k), getattr(obj, k)) for k in data]
            return children, tuple(getattr(obj, k) for k in meta)

        def flatten(obj: Any) -> tuple[Any, Any]:
            return [getattr(obj, k) for k in data], tuple(getattr(obj, k) for k in meta)

        def unflatten(aux: Any, children: Any) -> Any:
            # Bypass __init__: leaves may be tracers or placeholders during tree operations.
            obj = object.__new__(cls)
            for k, v in zip(data, children, strict=True):
                object.__setattr__(obj, k, v)
            for k, v in zip(meta, aux, strict=True):
                object.__setattr__(obj, k, v)
            return obj

        jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)
        if name is not None:
            if name in _REGISTRY and _REGISTRY[name].__qualname__ != cls.__qualname__:
                raise RuntimeError(f"schedule name {name!r} registered twice")
            cls.config_name = name
            _REGISTRY[name] = cls

    # -- construction -----------------------------------------------------------------------------------
    _data_fields: ClassVar[tuple[str, ...]] = ()
    _meta_fields: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        check = getattr(self, "__check_init__", None)
        if check is not None:
            check()

    @classmethod
    def _unchecked(cls: type[T], **fields: Any) -> T:
        """An instance built without validation, for formulas that reuse another schedule's math."""
        obj = object.__new__(cls)
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            val = fields.get(f.name, f.default)
            object.__setattr__(obj, f.name, val)
        return obj

    def _set(self, name: str, value: Any) -> None:
        """Normalise a field during ``__check_init__`` (the dataclass is frozen afterwards)."""
        object.__setattr__(self, name, value)

    # -- evaluation -------------------------------------------------------------------------------------
    def _formula(self, bk: Backend, t: Steps) -> Array:
        """The schedule's math, written once against the backend ``bk``."""
        raise NotImplementedError

    def evaluate(self, bk: Backend, t: Steps) -> Array:
        """Evaluate on already-normalised steps (combinators call this on their children)."""
        return self._formula(bk, t)

    def __call__(self, step: Any) -> jax.Array:
        """The value at ``step`` as a JAX array (float32, or float64 under ``jax_enable_x64``)."""
        bk = jax_backend()
        t = Steps.from_input(bk, step)
        return _finish(bk, self._formula(bk, t), t)

    def numpy(self, steps: Any) -> np.ndarray:
        """The same formula in NumPy float64, with no JAX computation at all."""
        bk = numpy_backend()
        t = Steps.from_input(bk, steps)
        # Branches that `where` discards may overflow or underflow (as they silently do in JAX).
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return np.asarray(_finish(bk, self._formula(bk, t), t), dtype=np.float64)

    # -- description ------------------------------------------------------------------------------------
    def key_steps(self) -> list[int]:
        """Notable steps (start, ends of warmup and phases, boundaries, end), sorted, for previews."""
        return sorted({0, *(int(k) for k in self._key_steps() if k is not None and is_concrete(k))})

    def _key_steps(self) -> list[Any]:
        return []

    def to_config(self) -> dict[str, Any]:
        """A JSON-serialisable dict that :func:`jaxsched.from_config` turns back into an equal schedule."""
        cfg: dict[str, Any] = {"name": self.config_name}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.init:
                cfg[f.name] = _to_jsonable(getattr(self, f.name), f.name)
        return cfg

    def replace(self: T, **changes: Any) -> T:
        """A copy with some hyperparameters changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    # -- value semantics --------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other):
            return NotImplemented
        return all(
            _equal(getattr(self, f.name), getattr(other, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )

    def __hash__(self) -> int:
        try:
            return hash((type(self).__qualname__, json.dumps(self.to_config(), sort_keys=True)))
        except (TypeError, ValueError):  # traced leaves
            return id(self)

    def __repr__(self) -> str:
        args = ", ".join(
            f"{f.name}={_short_repr(getattr(self, f.name))}"
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.init
        )
        return f"{self.config_name or type(self).__name__}({args})"

    # -- arithmetic -------------------------------------------------------------------------------------
    def __mul__(self, other: Any) -> Schedule:
        from jaxsched._combinators import multiply

        return multiply(self, as_schedule(other))

    def __rmul__(self, other: Any) -> Schedule:
        from jaxsched._combinators import multiply

        return multiply(as_schedule(other), self)

    def __truediv__(self, other: Any) -> Schedule:
        from jaxsched._combinators import multiply

        if isinstance(other, Schedule):
            return NotImplemented
        return multiply(self, as_schedule(1.0 / other))


def as_schedule(x: Any) -> Schedule:
    """A schedule as is; a number as a constant schedule."""
    if isinstance(x, Schedule):
        return x
    from jaxsched.schedules._basic import Constant

    return Constant(x)


def _finish(bk: Backend, out: Array, t: Steps) -> Array:
    out = bk.value(out)
    shape = np.broadcast_shapes(np.shape(out), np.shape(t.n))
    if np.shape(out) != shape:
        out = bk.xp.broadcast_to(out, shape)
    return out


def _to_jsonable(v: Any, where: str) -> Any:
    if isinstance(v, Schedule):
        return v.to_config()
    if isinstance(v, bool | str) or v is None:
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, dict):
        return {k: _to_jsonable(x, where) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_to_jsonable(x, where) for x in v]
    if not is_concrete(v):
        raise TypeError(f"{where}: a traced value has no config")
    arr = np.asarray(v)
    if arr.dtype == np.bool_:
        return arr.tolist()
    if arr.dtype.kind in "iuf":
        return arr.tolist()
    raise TypeError(f"{where}: cannot put {type(v).__name__} in a config")


def _equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    plain = (int, float, str)
    if type(a) in plain and type(b) in plain:  # the common case, without a NumPy round trip
        return bool(a == b)
    if isinstance(a, Schedule) or isinstance(b, Schedule):
        return bool(a == b)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    if not (is_concrete(a) and is_concrete(b)):
        return a is b
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except Exception:
        return False


def _short_repr(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v):
        return repr(v)
    if isinstance(v, tuple):
        inner = ", ".join(_short_repr(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return repr(v)


ScheduleLike = Schedule | Callable[[Any], Any] | float
