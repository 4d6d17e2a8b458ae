"""The schedule abstraction: an immutable pytree with one formula, evaluated by JAX or by NumPy.

A concrete schedule subclasses :class:`Schedule` with a registry name, declares each hyperparameter with
its role (:mod:`jaxsched._fields`: a float ``value``, a duration in ``steps``, a static ``choice``/``flag``,
a ``nested`` schedule...), checks cross-argument constraints in ``__check_init__`` and writes its math once
in ``_formula(bk, t)``::

    class Linear(Schedule, name="linear"):
        init_value: Real = value()
        end_value: Real = value()
        transition_steps: StepCount = steps(minimum=1)

        def __check_init__(self) -> None: ...
        def _formula(self, bk, t): ...

The base class turns the subclass into a frozen dataclass, normalises every argument by its role (Python,
NumPy and concrete JAX scalars alike), runs every ``__check_init__`` of the class hierarchy (base first),
registers the class as a JAX pytree (leaves and static fields from the roles) and in the name registry used
by :func:`jaxsched.from_config`, and provides ``__call__`` (JAX), ``numpy`` (float64, no JAX at all),
``to_config``, value equality and hashing, ``repr`` and arithmetic.

A :class:`Port` (a schedule of another library) holds no formula: it validates its original's arguments and
``lower()``-s them, once per instance, to catalog schedules.

This module imports no JAX; pytree registration waits for JAX's import (:mod:`jaxsched._jaxhook`).
"""

from __future__ import annotations

import collections
import dataclasses
import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np
from typing_extensions import dataclass_transform

from jaxsched import _fields as fl
from jaxsched._jaxhook import when_jax_imported
from jaxsched._numerics import Array, Backend, Split, Steps, host_steps, is_concrete, numpy_backend

if TYPE_CHECKING:  # pragma: no cover
    import jax

_REGISTRY: dict[str, type[Schedule]] = {}

T = TypeVar("T", bound="Schedule")


def registry() -> dict[str, type[Schedule]]:
    """The schedule classes by config name (a copy). Compat modules register on import."""
    return dict(_REGISTRY)


def lookup(name: str) -> type[Schedule]:
    """The class registered under ``name`` (importing the catalog first); ``KeyError`` if unknown."""
    if name not in _REGISTRY:
        import importlib

        importlib.import_module("jaxsched.schedules")
        importlib.import_module("jaxsched._combinators")
    return _REGISTRY[name]


# -- pytree registration (when JAX is imported) ----------------------------------------------------------


def _register_pytree(cls: type[Schedule]) -> None:
    import jax

    leaves = tuple((n, r) for n, r in cls._roles if r.kind != "static")
    statics = tuple(n for n, r in cls._roles if r.kind == "static")

    def flatten_with_keys(obj: Any) -> tuple[Any, Any]:
        children = [(jax.tree_util.GetAttrKey(n), r.flatten(getattr(obj, n))) for n, r in leaves]
        return children, tuple(getattr(obj, n) for n in statics)

    def flatten(obj: Any) -> tuple[Any, Any]:
        return [r.flatten(getattr(obj, n)) for n, r in leaves], tuple(getattr(obj, n) for n in statics)

    def unflatten(aux: Any, children: Any) -> Any:
        # Bypass __init__: leaves may be tracers or placeholders during tree operations.
        obj = object.__new__(cls)
        for (n, r), v in zip(leaves, children, strict=True):
            object.__setattr__(obj, n, r.unflatten(v))
        for n, v in zip(statics, aux, strict=True):
            object.__setattr__(obj, n, v)
        return obj

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)


def _register_split() -> None:
    import jax

    def flatten_with_keys(s: Split) -> tuple[Any, Any]:
        keys = jax.tree_util.GetAttrKey
        return [(keys("hi"), s.hi), (keys("mid"), s.mid), (keys("lo"), s.lo)], None

    jax.tree_util.register_pytree_with_keys(
        Split, flatten_with_keys, lambda _, c: Split(*c), lambda s: ((s.hi, s.mid, s.lo), None)
    )


when_jax_imported(_register_split)


@dataclass_transform(
    frozen_default=True,
    eq_default=False,
    field_specifiers=(
        fl.value,
        fl.level,
        fl.steps,
        fl.choice,
        fl.flag,
        fl.static,
        fl.nested,
        fl.nested_seq,
        fl.steps_seq,
        fl.value_seq,
        fl.pairs,
        fl.table,
        fl.static_nested,
        fl.static_nested_seq,
        fl.of_role,
        dataclasses.field,
    ),
)
class Schedule:
    """Base class of every jaxsched schedule: ``s(step) -> value`` usable wherever optax takes a schedule.

    ``s(k)`` is the value used by update ``k`` (counting from 0): optax's ``count`` and torch's LR after
    ``k`` calls of ``scheduler.step()``. Negative steps count as 0; steps beyond ``2**31 - 1`` as
    ``2**31 - 1``.
    """

    config_name: ClassVar[str] = ""
    examples: ClassVar[tuple[dict[str, Any], ...]] = ()
    """Keyword arguments of representative configurations (the parity job, docs and tests use them)."""
    _roles: ClassVar[tuple[tuple[str, fl.Role], ...]] = ()
    _init_fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__post_init__" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: write checks in __check_init__, not __post_init__")
        dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        cls._roles = tuple((f.name, fl.role_of(f)) for f in fields)
        cls._init_fields = tuple(f.name for f in fields if f.init)
        when_jax_imported(lambda: _register_pytree(cls))
        if name is not None:
            if name in _REGISTRY and _REGISTRY[name].__qualname__ != cls.__qualname__:
                raise RuntimeError(f"schedule name {name!r} registered twice")
            cls.config_name = name
            _REGISTRY[name] = cls

    # -- construction -----------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        for name, role in self._roles:
            object.__setattr__(self, name, role.convert(name, getattr(self, name)))
        # Every __check_init__ of the hierarchy runs, base first: no subclass can drop its parent's checks.
        for klass in reversed(type(self).__mro__):
            check = klass.__dict__.get("__check_init__")
            if check is not None:
                check(self)
        self._after_checks()

    def _after_checks(self) -> None:
        """Hook run once after every check (ports lower here)."""

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
        """The value at ``step`` as a JAX array (float32, or float64 under ``jax_enable_x64``).

        Called on a concrete step with a schedule built from plain numbers, it runs one compiled
        evaluation cached per schedule (no per-operation dispatch); under a trace (``jit``, ``vmap``,
        ``grad``) or with traced hyperparameters the formula is traced in place.
        """
        from jaxsched._numerics import jax_backend

        if not _traced_step(step) and self._is_plain():
            return _eager(self, step)
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

    def _is_plain(self) -> bool:
        """Whether every hyperparameter (nested ones included) is a plain host number."""
        cached = self.__dict__.get("_plain_cache")
        if cached is None:
            cached = all(_plain_field(getattr(self, n)) for n, r in self._roles if r.kind != "static")
            object.__setattr__(self, "_plain_cache", cached)
        return bool(cached)

    # -- description ------------------------------------------------------------------------------------
    def key_steps(self) -> list[int]:
        """Notable steps (start, ends of warmup and phases, boundaries, end), sorted, for previews."""
        if not self._is_plain():
            return [0]
        return sorted({0, *(int(k) for k in self._key_steps() if k is not None and is_concrete(k))})

    def _key_steps(self) -> list[Any]:
        return []

    def to_config(self) -> dict[str, Any]:
        """A JSON-serialisable dict that :func:`jaxsched.from_config` turns back into an equal schedule."""
        cfg: dict[str, Any] = {"name": self.config_name}
        roles = dict(self._roles)
        for name in self._init_fields:
            cfg[name] = roles[name].to_config(name, getattr(self, name))
        return cfg

    def replace(self: T, **changes: Any) -> T:
        """A copy with some hyperparameters changed (normalised and checked again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    # -- value semantics --------------------------------------------------------------------------------
    def _keys(self) -> tuple[Any, ...]:
        cached: tuple[Any, ...] | None = self.__dict__.get("_key_cache")
        if cached is None:
            cached = tuple(role.key(getattr(self, name)) for name, role in self._roles)
            if any(k is fl.TRACED for k in cached):
                return cached  # never cached: traced values have no host key
            object.__setattr__(self, "_key_cache", cached)
        return cached

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other):
            return NotImplemented
        a, b = self._keys(), other._keys()
        if any(k is fl.TRACED for k in a) or any(k is fl.TRACED for k in b):
            return False
        return a == b

    def __hash__(self) -> int:
        keys = self._keys()
        if any(k is fl.TRACED for k in keys):
            return id(self)
        return hash((type(self).__qualname__, keys))

    def __repr__(self) -> str:
        try:
            return self._repr()
        except RecursionError:  # a schedule nested hundreds deep: name the outer level only
            return f"{self.config_name or type(self).__name__}(...)"

    def _repr(self) -> str:
        roles = dict(self._roles)
        args = ", ".join(
            f"{name}={_repr_value(roles[name].shown(getattr(self, name)))}" for name in self._init_fields
        )
        return f"{self.config_name or type(self).__name__}({args})"

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, _ in self._roles}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, val in state.items():
            object.__setattr__(self, name, val)

    # -- arithmetic -------------------------------------------------------------------------------------
    def __mul__(self, other: Any) -> Schedule:
        return _factory("multiply")(schedules=(self, fl.as_schedule("other", other)))

    def __rmul__(self, other: Any) -> Schedule:
        return _factory("multiply")(schedules=(fl.as_schedule("other", other), self))

    def __truediv__(self, other: Any) -> Schedule:
        if isinstance(other, Schedule):
            return NotImplemented
        divisor = fl.Value().convert("divisor", other)
        if isinstance(divisor, float) and divisor == 0:
            raise fl.ScheduleArgumentError("divisor", "must not be 0", other)
        return _factory("multiply")(schedules=(self, constant_schedule(1.0 / divisor)))


class Composite(Schedule):
    """A schedule defined as a composition of catalog schedules: no formula of its own.

    It declares its parameters as fields (with their roles), checks them in ``__check_init__``, and
    implements :meth:`lower`, which builds the equivalent schedule from the catalog and the combinators
    (optax's ``warmup_cosine_decay_schedule`` is a join of two schedules in the same way). Accuracy work in
    the catalog reaches every composite. The lowered schedule is built once per instance (at construction,
    and again, lazily, for an instance rebuilt by JAX with traced leaves).
    """

    def lower(self) -> Schedule:
        """The equivalent schedule made of catalog pieces."""
        raise NotImplementedError

    def lowered(self) -> Schedule:
        """:meth:`lower`, built once per instance."""
        out: Schedule | None = self.__dict__.get("_lowered_cache")
        if out is None:
            out = self.lower()
            object.__setattr__(self, "_lowered_cache", out)
        return out

    def _after_checks(self) -> None:
        if self._is_plain():
            self.lowered()

    def _formula(self, bk: Backend, t: Steps) -> Array:
        return self.lowered().evaluate(bk, t)

    def _key_steps(self) -> list[Any]:
        return self.lowered()._key_steps()


class Port(Composite):
    """A schedule of another library (``jaxsched.compat.<library>``): the original's name, parameters and
    argument checks, lowered to catalog schedules; it reproduces what the original applies at update ``k``,
    quirks included."""


def constant_schedule(x: Any) -> Schedule:
    """The catalog's constant schedule of ``x`` (through the registry, so the core imports no family)."""
    return _factory("constant")(x)


def _factory(name: str) -> Callable[..., Schedule]:
    """The registered class ``name`` as a constructor (the registry knows every family; the core none)."""
    return lookup(name)


def as_schedule(x: Any) -> Schedule:
    """A schedule as is; a number as a constant schedule."""
    return fl.as_schedule("schedule", x)


# -- helpers --------------------------------------------------------------------------------------------


def _plain_field(x: Any) -> bool:
    if x is None or isinstance(x, bool | str):
        return True
    if isinstance(x, int | float):
        return True
    if isinstance(x, Schedule):
        return x._is_plain()
    if isinstance(x, tuple):
        return all(_plain_field(e) for e in x)
    return False


def _traced_step(step: Any) -> bool:
    return hasattr(step, "aval") and not is_concrete(step)


def _finish(bk: Backend, out: Array, t: Steps) -> Array:
    out = bk.value(out)
    shape = np.broadcast_shapes(np.shape(out), np.shape(t.n))
    if np.shape(out) != shape:
        out = bk.xp.broadcast_to(out, shape)
    return out


def _repr_value(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v):
        return repr(v)
    if isinstance(v, tuple):
        inner = ", ".join(_repr_value(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return repr(v)


# -- eager evaluation: one compiled function per schedule ------------------------------------------------

_EAGER: collections.OrderedDict[tuple[Any, ...], Callable[..., Any]] = collections.OrderedDict()
_EAGER_SIZE = 256
_EAGER_LOCK = threading.Lock()


def _eager(s: Schedule, step: Any) -> Any:
    """``s(step)`` for a concrete step: the formula compiled once per (schedule, step kind) and cached.

    The schedule's plain hyperparameters are compile-time constants, exactly as when ``s`` is closed over
    in a user's ``jax.jit``; only the step is an argument.
    """
    import jax

    from jaxsched._numerics import jax_backend, x64_enabled

    if hasattr(step, "aval"):  # a concrete JAX array: normalised in the graph
        args: tuple[Any, ...] = (step,)
        kind = "jax"
    else:
        n, f = host_steps(step)
        int_dtype = np.int64 if x64_enabled() else np.int32
        args = (n.astype(int_dtype),) if f is None else (n.astype(int_dtype), f)
        kind = "int" if f is None else "frac"
    key = (s, kind, x64_enabled())
    with _EAGER_LOCK:
        fn = _EAGER.get(key)
        if fn is not None:
            _EAGER.move_to_end(key)
    if fn is None:

        def run(*a: Any) -> Any:
            bk = jax_backend()
            if kind == "jax":
                t = Steps.from_input(bk, a[0])
            else:
                t = Steps(bk, a[0].astype(bk.int_dtype), None if len(a) == 1 else a[1].astype(bk.float_dtype))
            return _finish(bk, s._formula(bk, t), t)

        fn = jax.jit(run)
        with _EAGER_LOCK:
            _EAGER[key] = fn
            while len(_EAGER) > _EAGER_SIZE:
                _EAGER.popitem(last=False)
    return fn(*args)
