r"""A token (or sample) clock for optax, and batch-size schedules consistent with it.

Large runs define their schedules in tokens while the batch size ramps, so a step is not a fixed number of
tokens. :func:`on_tokens` wraps an optax optimizer so that its scheduled hyperparameters follow the number
of tokens consumed, fed with every update (``opt.update(grads, state, params, tokens=n)``), inside
``jit`` and without ``jax_enable_x64``. :class:`~jaxsched.clock.BatchSizeSchedule` gives, per update, the
global batch size and the gradient-accumulation count, as Megatron's ``--rampup-batch-size`` (a linear
ramp in steps of an increment) and OLMo-core's batch-size schedule (sizes from given points) do, with exact
integer arithmetic.

The clock in units of ``tokens_per_step``
-----------------------------------------
A schedule on the token clock is an ordinary :class:`~jaxsched.Schedule` whose step stands for
``tokens_per_step`` tokens (:math:`u`); it is built as usual, e.g. with
``jaxsched.from_config(cfg, tokens_per_step=u)``, which turns durations such as ``"3e9tok"`` into steps of
:math:`u` tokens. After :math:`\tau` tokens the schedule is evaluated at the fractional step

.. math:: p(\tau) = \tau / u = n + r / u, \qquad n = \lfloor \tau / u \rfloor,\quad r = \tau - n u.

Precision, without x64: the optimizer state keeps :math:`\tau` as two ``uint32`` words (exact up to
:math:`2^{64}` tokens) and, beside it, the pair :math:`(n, r)` as ``int32``: each update adds its count to
both with exact integer arithmetic (carries included), so the integer part :math:`n` of the position is
exact at every token count, and a boundary or a phase change of the schedule is crossed at exactly the
token where :math:`\tau = n u`. Only the fraction :math:`r/u` is rounded, once, to the float dtype
(relative error below :math:`2^{-22}` in float32) and clamped below 1, and the schedule receives the pair
``(n, r/u)`` through :func:`jaxsched.shift` (``shift(s, -n)(r / u)`` is :math:`s(n + r/u)` with the integer
part kept as an integer). A float32 step :math:`\tau / u` would instead lose the integer part beyond
:math:`2^{24}` steps (and round up across a boundary). Positions saturate at :math:`2^{31}-1` steps, the
largest step of every schedule (the token count itself keeps counting). :math:`u` may be at most
:math:`2^{30}` and one update may add at most :math:`2^{31}-1` tokens.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from jaxsched._combinators import shift
from jaxsched._core import Schedule
from jaxsched._validate import ScheduleArgumentError, ScheduleArgumentTypeError

__all__ = [
    "MAX_TOKENS_PER_STEP",
    "MAX_UPDATE_COUNT",
    "BatchPlan",
    "BatchSizeSchedule",
    "TokenClockState",
    "TokenCount",
    "batch_size_rampup",
    "batch_size_schedule",
    "on_tokens",
    "split_position",
]

MAX_TOKENS_PER_STEP = 2**30
"""The largest ``tokens_per_step``: ``r + (count mod u) < 2u`` must fit an int32."""

MAX_UPDATE_COUNT = 2**31 - 1
"""The most tokens (or samples) one update may add to the clock."""

_MAX_STEP = 2**31 - 1

if TYPE_CHECKING:  # JAX and optax are imported where they are used: the module loads without them
    import jax
    import optax


# -- the count ------------------------------------------------------------------------------------------


class TokenCount(NamedTuple):
    """An exact count of tokens (or samples) as two ``uint32`` words: :math:`2^{32}\\,hi + lo`.

    ``int(count)`` is the exact count (outside ``jit``); :meth:`as_float` is a rounded float for logging
    inside ``jit``.

    Example:
      >>> from jaxsched.clock import TokenCount
      >>> c = TokenCount.of(3 * 2**32 + 5)
      >>> int(c), int(c.add(2**31 - 1).add(2**31 - 1).add(2))
      (12884901893, 17179869189)
    """

    hi: jax.Array
    lo: jax.Array

    @classmethod
    def of(cls, count: int) -> TokenCount:
        """The words of a non-negative Python int below :math:`2^{64}`."""
        if isinstance(count, bool) or not isinstance(count, numbers.Integral) or not 0 <= int(count) < 2**64:
            raise ScheduleArgumentError("count", "must be an int in [0, 2**64)", count)
        import jax.numpy as jnp

        n = int(count)
        return cls(jnp.asarray(n >> 32, jnp.uint32), jnp.asarray(n & 0xFFFFFFFF, jnp.uint32))

    def add(self, n: jax.Array | int) -> TokenCount:
        """The count plus ``n`` (an integer array in ``[0, 2**31)``), with the carry into ``hi``."""
        import jax.numpy as jnp

        lo = self.lo + jnp.asarray(n).astype(jnp.uint32)
        carry = (lo < self.lo).astype(jnp.uint32)
        return TokenCount(self.hi + carry, lo)

    def __int__(self) -> int:
        import jax

        try:
            return (int(self.hi) << 32) | int(self.lo)
        except jax.errors.ConcretizationTypeError:
            raise TypeError(
                "int(TokenCount): the count is traced; read it outside jit, or use "
                "as_float() for an approximate value inside jit"
            ) from None

    def __index__(self) -> int:
        return self.__int__()

    def __float__(self) -> float:
        return float(int(self))

    def as_float(self) -> jax.Array:
        """The count as a float (float32 without x64: rounded to 24 bits), usable inside ``jit``."""
        import jax.numpy as jnp

        dtype = jnp.result_type(float)
        return self.hi.astype(dtype) * 2.0**32 + self.lo.astype(dtype)


class TokenClockState(NamedTuple):
    """State of :func:`on_tokens`.

    ``hyperparams`` holds, like ``optax.inject_hyperparams``, the values the last update used (``s`` at
    the position before it; after ``init``, the values at 0 tokens) and, under the clock's name
    (``"tokens"``), the :class:`~jaxsched.clock.TokenCount` after the last update.
    :func:`jaxsched.current` reads both.
    ``step`` and ``carry`` are the clock's position in steps of the schedule: :math:`n` and :math:`r`
    of the module docstring (int32).
    """

    hyperparams: dict[str, jax.Array | TokenCount]
    inner_state: optax.OptState
    step: jax.Array
    carry: jax.Array


def _float_dtype() -> Any:
    import jax.numpy as jnp

    return jnp.result_type(float)


def split_position(tokens: int, tokens_per_step: int) -> tuple[int, float]:
    """The position of ``tokens`` in steps of ``tokens_per_step``: ``(n, r / u)`` with ``n`` saturated.

    The host-side (Python int, float64) twin of what :func:`on_tokens` keeps in its state; torch_bridge's
    ``TokenScheduleLR`` uses it.

    Example:
      >>> from jaxsched.clock import split_position
      >>> split_position(10_000, 4096)
      (2, 0.44140625)
      >>> split_position(2**40, 1)
      (2147483647, 0.0)
    """
    u = _tokens_per_step(tokens_per_step)
    t = _host_count("tokens", tokens, maximum=None)
    n, r = divmod(t, u)
    if n >= _MAX_STEP:
        return _MAX_STEP, 0.0
    return n, min(r / u, float(np.nextafter(1.0, 0.0)))


def evaluate_at(schedule: Schedule, step: jax.Array | int, frac: jax.Array | float) -> jax.Array:
    """``schedule`` at the position ``step + frac`` (``step`` an integer array, ``0 <= frac < 1``).

    The integer part reaches the formula as an integer: ``shift(schedule, -step)(frac)``.

    Example:
      >>> import numpy as np, jax.numpy as jnp, jaxsched
      >>> from jaxsched.clock import evaluate_at
      >>> s = jaxsched.piecewise_constant(1.0, {2**25 + 4: 0.5})
      >>> float(evaluate_at(s, jnp.int32(2**25 + 3), np.float32(0.999))), float(s(np.float32(2**25 + 3.999)))
      (1.0, 0.5)
    """
    return shift(schedule, -step)(frac)


def _position_value(schedule: Schedule, step: jax.Array, carry: jax.Array, u: int) -> jax.Array:
    import jax.numpy as jnp

    dtype = _float_dtype()
    below_one = float(np.nextafter(np.asarray(1.0, dtype), np.asarray(0.0, dtype)))
    frac = jnp.minimum(carry.astype(dtype) / jnp.asarray(u, dtype), below_one)
    return evaluate_at(schedule, step, frac)


def _advance(step: jax.Array, carry: jax.Array, n: jax.Array, u: int) -> tuple[jax.Array, jax.Array]:
    """``(step, carry)`` after ``n`` more tokens: exact int32 arithmetic, saturating at 2**31 - 1."""
    import jax.numpy as jnp

    q = n // u
    c = carry + (n - q * u)  # < 2u <= 2**31
    wrap = c >= u
    c = jnp.where(wrap, c - u, c)
    inc = q + wrap.astype(jnp.int32)  # q <= (2**31 - 1) // 2 when u >= 2; wrap is 0 when u == 1
    top = jnp.asarray(_MAX_STEP, jnp.int32)
    new = jnp.where(inc > top - step, top, step + inc)
    return new, jnp.where(new == top, jnp.zeros_like(c), c)


# -- argument checks ------------------------------------------------------------------------------------


def _integral(name: str, value: Any) -> int:
    """A concrete integral number (Python, NumPy, JAX; integral floats too) as a Python int."""
    if value is None or isinstance(value, bool | np.bool_ | str | bytes):
        raise ScheduleArgumentTypeError(name, "an integer", value)
    if isinstance(value, numbers.Integral):
        return int(value)
    try:
        arr = np.asarray(value)
    except Exception:
        raise ScheduleArgumentTypeError(name, "an integer", value) from None
    if arr.shape != () or arr.dtype.kind not in "iuf":
        raise ScheduleArgumentTypeError(name, "an integer", value)
    if arr.dtype.kind == "f":
        x = float(arr)
        if not math.isfinite(x) or not x.is_integer():
            raise ScheduleArgumentError(name, "must be a whole number", value)
        return int(x)
    return int(arr)


def _tokens_per_step(value: Any) -> int:
    u = _integral("tokens_per_step", value)
    if not 1 <= u <= MAX_TOKENS_PER_STEP:
        raise ScheduleArgumentError("tokens_per_step", f"must be in [1, {MAX_TOKENS_PER_STEP}]", value)
    return u


def _host_count(name: str, value: Any, maximum: int | None = MAX_UPDATE_COUNT) -> int:
    n = _integral(name, value)
    if n < 0 or (maximum is not None and n > maximum):
        hi = "" if maximum is None else f", {maximum}"
        raise ScheduleArgumentError(
            name, f"must be in [0{hi}]" if maximum is not None else "must be >= 0", value
        )
    return n


def _update_count(name: str, value: Any) -> jax.Array:
    """One update's count as an int32 scalar; concrete values are checked, traced ones clamped."""
    import jax
    import jax.numpy as jnp

    if isinstance(value, jax.core.Tracer):
        if value.shape != ():
            raise ScheduleArgumentError(name, "must be a scalar", f"an array of shape {value.shape}")
        if value.dtype.kind not in "iu":
            raise ScheduleArgumentTypeError(
                name, "an integer array (a traced float cannot be checked to be whole)", value
            )
        if value.dtype.kind == "u":
            return jnp.minimum(value, MAX_UPDATE_COUNT).astype(jnp.int32)
        if value.dtype.itemsize > 4:
            value = jnp.clip(value, 0, MAX_UPDATE_COUNT)
        return jnp.maximum(value.astype(jnp.int32), 0)
    return jnp.asarray(_host_count(name, value), jnp.int32)


# -- the optax wrapper ----------------------------------------------------------------------------------


def on_tokens(
    inner_factory: Callable[..., optax.GradientTransformation],
    *,
    tokens_per_step: int,
    clock: str = "tokens",
    static_args: str | Iterable[str] = (),
) -> Callable[..., optax.GradientTransformationExtraArgs]:
    r"""Like ``optax.inject_hyperparams``, with the schedules on a clock of consumed tokens (or samples).

    ``on_tokens(optax.adamw, tokens_per_step=u)(learning_rate=s, weight_decay=0.1)`` is an optax
    ``GradientTransformationExtraArgs`` whose ``update`` takes the number of tokens the update consumes,
    ``opt.update(grads, state, params, tokens=n)``. Update :math:`k` uses

    .. math:: h_k = s(\tau_k / u), \qquad \tau_k = \sum_{j<k} n_j,

    the schedule at the tokens consumed *before* it (update 0 uses :math:`s(0)`, as optax's step count
    does), evaluated as described in :mod:`jaxsched.clock` (exact integer part, int64-safe without x64).
    After the update, ``jaxsched.current(state)`` is :math:`h_k` (the value it used, as with
    ``inject_hyperparams``) and ``jaxsched.current(state, "tokens")`` is the clock
    :math:`\tau_{k+1}` as a :class:`~jaxsched.clock.TokenCount` (``int()`` gives the exact count).

    Arguments of the factory: a :class:`jaxsched.Schedule` follows the clock; a number is injected as is
    (readable with ``current``, changeable in the state); anything else (flags, masks, ``None``) and every
    name in ``static_args`` is passed through unchanged. Other callables (optax schedules) are refused:
    they could only be called with a rounded float position; use a jaxsched schedule (or list the name in
    ``static_args`` to leave it on the optimizer's own step count).

    Inside ``jit`` the count may be a traced integer scalar, clamped to ``[0, 2**31 - 1]`` (a traced
    value cannot be refused there); concrete counts outside that range and non-integers are refused.
    For a samples clock, pass ``clock="samples"`` and feed samples.

    Args:
      inner_factory: an optax optimizer factory, e.g. ``optax.adamw``.
      tokens_per_step: :math:`u`, the tokens one step of the schedules stands for (the value given to
        ``jaxsched.from_config(..., tokens_per_step=u)``), in ``[1, 2**30]``.
      clock: the name of the count: the keyword of ``update`` and the key in ``hyperparams``.
      static_args: names passed to the factory unchanged.

    Returns:
      A function taking the factory's arguments and returning the transformation.

    Example:
      >>> import jax, jax.numpy as jnp, optax, jaxsched
      >>> lr = jaxsched.linear(1.0, 0.0, transition_steps=10)   # one step = 1000 tokens
      >>> opt = jaxsched.on_tokens(optax.sgd, tokens_per_step=1000)(learning_rate=lr)
      >>> params = {"w": jnp.zeros(2)}
      >>> state = opt.init(params)
      >>> update = jax.jit(opt.update)
      >>> for n in (1500, 3000, 2**31 - 1):       # batches of growing size
      ...     _, state = update({"w": jnp.ones(2)}, state, params, tokens=n)
      ...     print(round(float(jaxsched.current(state)), 6), int(jaxsched.current(state, "tokens")))
      1.0 1500
      0.85 4500
      0.55 2147488147
    """
    import jax.numpy as jnp
    import optax

    if not callable(inner_factory):
        raise ScheduleArgumentTypeError("inner_factory", "an optax optimizer factory", inner_factory)
    u = _tokens_per_step(tokens_per_step)
    if not isinstance(clock, str) or not clock.isidentifier():
        raise ScheduleArgumentError("clock", "must be an identifier such as 'tokens' or 'samples'", clock)
    statics = {static_args} if isinstance(static_args, str) else set(static_args)
    try:
        signature: inspect.Signature | None = inspect.signature(inner_factory)
    except (TypeError, ValueError):
        signature = None

    def factory(*args: Any, **kwargs: Any) -> optax.GradientTransformationExtraArgs:
        named: dict[str, Any] = {}
        if signature is not None:
            bound = signature.bind(*args, **kwargs).arguments
            for name, value in bound.items():
                kind = signature.parameters[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    named.update(value)
                elif kind is inspect.Parameter.VAR_POSITIONAL:
                    raise TypeError(f"on_tokens: pass the hyperparameters by keyword, not through *{name}")
                else:
                    named[name] = value
        elif args:
            raise TypeError(
                "on_tokens: pass the hyperparameters by keyword (the factory has no "
                "signature to bind positional arguments to)"
            )
        else:
            named.update(kwargs)
        if clock in named:
            raise ScheduleArgumentError(
                "clock", f"{clock!r} is also an argument of the optimizer; choose another clock name", clock
            )
        scheduled: dict[str, Schedule] = {}
        numeric: dict[str, Any] = {}
        static: dict[str, Any] = {}
        for name, value in named.items():
            if name in statics:
                static[name] = value
            elif isinstance(value, Schedule):
                scheduled[name] = value
            elif callable(value):
                raise ScheduleArgumentTypeError(
                    name,
                    "a jaxsched Schedule, a number, or a name in static_args (an optax "
                    "schedule can only be called with a rounded float position on the token clock)",
                    value,
                )
            elif _is_number(value):
                numeric[name] = value
            else:
                static[name] = value

        def build(values: Mapping[str, Any]) -> optax.GradientTransformationExtraArgs:
            return optax.with_extra_args_support(inner_factory(**static, **values))

        def values_at(step: jax.Array, carry: jax.Array, hyper: Mapping[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for name in named:
                if name in scheduled:
                    out[name] = _position_value(scheduled[name], step, carry, u)
                elif name in numeric:
                    out[name] = hyper[name]
            return out

        def init(params: Any) -> TokenClockState:
            step = jnp.zeros((), jnp.int32)
            carry = jnp.zeros((), jnp.int32)
            values = values_at(step, carry, {k: jnp.asarray(v) for k, v in numeric.items()})
            inner_state = build(values).init(params)
            return TokenClockState({**values, clock: TokenCount.of(0)}, inner_state, step, carry)

        def update(
            updates: Any, state: TokenClockState, params: Any = None, **extra_args: Any
        ) -> tuple[Any, TokenClockState]:
            if clock not in extra_args:
                raise TypeError(
                    f"update: the number of {clock} this update consumes is required: "
                    f"opt.update(grads, state, params, {clock}=n)"
                )
            n = _update_count(clock, extra_args.pop(clock))
            values = values_at(state.step, state.carry, state.hyperparams)
            new_updates, inner_state = build(values).update(updates, state.inner_state, params, **extra_args)
            step, carry = _advance(state.step, state.carry, n, u)
            prev = state.hyperparams[clock]
            count = (prev if isinstance(prev, TokenCount) else TokenCount(*prev)).add(n)
            return new_updates, TokenClockState({**values, clock: count}, inner_state, step, carry)

        return optax.GradientTransformationExtraArgs(init, update)

    return factory


def _is_number(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, numbers.Real):
        return True
    if isinstance(value, np.ndarray) or type(value).__module__.startswith(("jax", "jaxlib")):
        dtype = getattr(value, "dtype", None)
        return dtype is not None and np.dtype(dtype).kind in "iuf"
    return False


# -- batch-size schedules -------------------------------------------------------------------------------

Clock = Literal["samples", "tokens", "steps"]
_CLOCKS = ("samples", "tokens", "steps")


class BatchPlan(NamedTuple):
    """Per-update batch sizes of a run (int64 arrays of one entry per update)."""

    batch_size: np.ndarray
    """Global batch size of update ``k`` (samples)."""
    accumulation: np.ndarray
    """Micro-batches per device in update ``k``: ``batch_size / (micro_batch_size * data_parallel)``."""
    samples_before: np.ndarray
    """Samples consumed by updates ``0..k-1``."""
    tokens_before: np.ndarray | None
    """Tokens consumed by updates ``0..k-1`` (``samples_before * seq_len``); ``None`` without seq_len."""


@dataclasses.dataclass(frozen=True)
class BatchSizeSchedule:
    r"""The global batch size of each update, as a function of a clock read before the update.

    The clock :math:`c_k` before update :math:`k` is ``"steps"`` (:math:`k`), ``"samples"``
    (:math:`\sum_{j<k} B_j`) or ``"tokens"`` (``seq_len`` times that). Through the points
    :math:`(c_0 = 0, b_0), (c_1, b_1), \dots` (clock positions strictly increasing) the batch size is

    .. math::

        B(c) = \begin{cases}
          b_i & \text{``step'':}\ c_i \le c < c_{i+1} \\
          b_i + g \left\lfloor \dfrac{(b_{i+1} - b_i)(c - c_i)}{g\,(c_{i+1} - c_i)} \right\rfloor
            & \text{``linear'':}\ c_i \le c < c_{i+1} \\
          b_{\text{last}} & c \ge c_{\text{last}}
        \end{cases}

    with :math:`g` = ``increment``: a linear ramp taken in whole increments, rounded down (towards the
    smaller batch), in exact integer arithmetic. The gradient-accumulation count is
    :math:`A = B / (m\,d)` for micro-batch size :math:`m` and data-parallel size :math:`d`; every
    :math:`b_i` is a multiple of :math:`m d` and, for ``"linear"``, every :math:`b_{i+1} - b_i` a multiple
    of :math:`g` (itself a multiple of :math:`m d`), so :math:`B` always is a whole number of
    micro-batches. A "smooth" ramp is ``"linear"`` with :math:`g = m d` (the batch grows by one
    micro-batch per device at a time); Megatron's ramp is :func:`batch_size_rampup`; OLMo-core's list
    of sizes from given points is ``"step"``.

    The token clock of :func:`on_tokens` is fed ``B_k * seq_len`` per update, so the tokens it has seen
    before update :math:`k` are the ``tokens_before`` field of the :class:`~jaxsched.clock.BatchPlan` that
    :meth:`plan` returns.

    Example:
      >>> import jaxsched
      >>> bs = jaxsched.batch_size_schedule([(0, 64), (1024, 256)], clock="samples", increment=64,
      ...                                  micro_batch_size=16, seq_len=2048)
      >>> p = bs.plan(8)
      >>> p.batch_size.tolist(), p.accumulation.tolist()
      ([64, 64, 64, 64, 64, 64, 128, 128], [4, 4, 4, 4, 4, 4, 8, 8])
      >>> p.samples_before.tolist()
      [0, 64, 128, 192, 256, 320, 384, 512]
      >>> bs.batch_size_at(400), bs.batch_size_at(10**12)
      (128, 256)
    """

    points: tuple[tuple[int, int], ...]
    interpolate: Literal["linear", "step"] = "linear"
    clock: Clock = "samples"
    increment: int | None = None
    micro_batch_size: int = 1
    data_parallel: int = 1
    seq_len: int | None = None

    def __post_init__(self) -> None:
        mbs = _positive("micro_batch_size", self.micro_batch_size)
        dp = _positive("data_parallel", self.data_parallel)
        unit = mbs * dp
        object.__setattr__(self, "micro_batch_size", mbs)
        object.__setattr__(self, "data_parallel", dp)
        if self.interpolate not in ("linear", "step"):
            raise ScheduleArgumentError("interpolate", "must be 'linear' or 'step'", self.interpolate)
        if self.clock not in _CLOCKS:
            raise ScheduleArgumentError("clock", f"must be one of {list(_CLOCKS)}", self.clock)
        seq = None if self.seq_len is None else _positive("seq_len", self.seq_len)
        object.__setattr__(self, "seq_len", seq)
        if self.clock == "tokens" and seq is None:
            raise ScheduleArgumentError("seq_len", "is required for a tokens clock", None)
        inc = unit if self.increment is None else _positive("increment", self.increment)
        if inc % unit:
            raise ScheduleArgumentError(
                "increment",
                f"must be a multiple of micro_batch_size * data_parallel = {unit}",
                self.increment,
            )
        object.__setattr__(self, "increment", inc)
        if (
            isinstance(self.points, str | bytes)
            or not isinstance(self.points, Sequence | np.ndarray)
            or len(self.points) == 0
        ):
            raise ScheduleArgumentTypeError(
                "points", "a non-empty list of (clock, batch_size) pairs", self.points
            )
        pts: list[tuple[int, int]] = []
        for i, p in enumerate(self.points):
            if isinstance(p, str | bytes) or not isinstance(p, Sequence | np.ndarray) or len(p) != 2:
                raise ScheduleArgumentTypeError(f"points[{i}]", "a (clock, batch_size) pair", p)
            c = _integral(f"points[{i}][0]", p[0])
            b = _positive(f"points[{i}][1]", p[1])
            if b % unit:
                raise ScheduleArgumentError(
                    f"points[{i}][1]",
                    f"must be a multiple of micro_batch_size * data_parallel = {unit}",
                    p[1],
                )
            if i == 0 and c != 0:
                raise ScheduleArgumentError("points[0][0]", "must be 0 (the batch size at the start)", p[0])
            if i > 0 and c <= pts[-1][0]:
                raise ScheduleArgumentError(
                    f"points[{i}][0]", f"must be greater than the previous clock position {pts[-1][0]}", p[0]
                )
            if i > 0 and self.interpolate == "linear" and (b - pts[-1][1]) % inc:
                raise ScheduleArgumentError(
                    f"points[{i}][1]",
                    f"must differ from the previous batch "
                    f"size {pts[-1][1]} by a multiple of increment = {inc}",
                    p[1],
                )
            pts.append((c, b))
        object.__setattr__(self, "points", tuple(pts))

    # -- one position -----------------------------------------------------------------------------------
    def batch_size_at(self, clock: int) -> int:
        """:math:`B(c)`: the global batch size of an update that starts at clock position ``clock``."""
        c = _host_count("clock", clock, maximum=None)
        pts = self.points
        if c >= pts[-1][0]:
            return pts[-1][1]
        i = max(j for j, (cj, _) in enumerate(pts) if cj <= c)
        (c0, b0), (c1, b1) = pts[i], pts[i + 1]
        if self.interpolate == "step" or b0 == b1:
            return b0
        g = int(self.increment)  # type: ignore[arg-type]
        return b0 + g * (((b1 - b0) * (c - c0)) // (g * (c1 - c0)))

    def accumulation_at(self, clock: int) -> int:
        """Micro-batches per device, :math:`B(c) / (m\\,d)`."""
        return self.batch_size_at(clock) // (self.micro_batch_size * self.data_parallel)

    def _next_change(self, c: int) -> int | None:
        """The smallest clock position after ``c`` where the batch size differs, or None."""
        pts = self.points
        if c >= pts[-1][0]:
            return None
        i = max(j for j, (cj, _) in enumerate(pts) if cj <= c)
        (c0, b0), (c1, b1) = pts[i], pts[i + 1]
        if self.interpolate == "step" or b0 == b1:
            return c1
        g = int(self.increment)  # type: ignore[arg-type]
        db, dc = b1 - b0, c1 - c0
        level = (db * (c - c0)) // (g * dc)
        if db > 0:  # smallest c' with db (c' - c0) >= (level + 1) g dc
            nxt = c0 + -(-((level + 1) * g * dc) // db)
        else:  # smallest c' with |db| (c' - c0) > -level g dc
            nxt = c0 + (-level * g * dc) // (-db) + 1
        return min(nxt, c1)

    # -- a run ------------------------------------------------------------------------------------------
    def plan(self, num_updates: int, *, samples_before: int = 0, start_update: int = 0) -> BatchPlan:
        """Batch sizes, accumulation counts and consumed samples/tokens of ``num_updates`` updates.

        Runs of equal batch size are filled at once, so the cost grows with the number of distinct batch
        sizes met, not with ``num_updates`` (beyond the output arrays themselves).

        Args:
          num_updates: how many updates to plan.
          samples_before: samples consumed before the first planned update (to continue a run).
          start_update: the index of the first planned update (its step clock).
        """
        total = _host_count("num_updates", num_updates, maximum=None)
        s0 = _host_count("samples_before", samples_before, maximum=None)
        k0 = _host_count("start_update", start_update, maximum=None)
        seq = self.seq_len
        per_sample = {"samples": 1, "tokens": seq or 1, "steps": 0}[self.clock]
        sizes = np.empty(total, np.int64)
        before = np.empty(total, np.int64)
        k, samples = 0, s0
        while k < total:
            c = k0 + k if self.clock == "steps" else samples * per_sample
            b = self.batch_size_at(c)
            nxt = self._next_change(c)
            if nxt is None:
                m = total - k
            elif self.clock == "steps":
                m = min(total - k, nxt - c)
            else:
                m = min(total - k, -(-(nxt - c) // (b * per_sample)))
            last = samples + (m - 1) * b
            if last * (seq or 1) >= 2**63:
                raise ScheduleArgumentError(
                    "num_updates", "the planned run passes 2**63 samples or tokens (int64)", num_updates
                )
            sizes[k : k + m] = b
            before[k : k + m] = samples + b * np.arange(m, dtype=np.int64)
            k += m
            samples += m * b
        unit = self.micro_batch_size * self.data_parallel
        return BatchPlan(sizes, sizes // unit, before, None if seq is None else before * seq)

    # -- config -----------------------------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        """A JSON-serialisable dict; :meth:`from_config` rebuilds an equal schedule."""
        return {
            "points": [list(p) for p in self.points],
            "interpolate": self.interpolate,
            "clock": self.clock,
            "increment": self.increment,
            "micro_batch_size": self.micro_batch_size,
            "data_parallel": self.data_parallel,
            "seq_len": self.seq_len,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BatchSizeSchedule:
        """The schedule of a :meth:`to_config` dict (unknown keys are refused).

        Example:
          >>> import jaxsched
          >>> from jaxsched.clock import BatchSizeSchedule
          >>> bs = jaxsched.batch_size_rampup(256, 128, 50_000, 1024)
          >>> BatchSizeSchedule.from_config(bs.to_config()) == bs
          True
        """
        if not isinstance(config, Mapping):
            raise ScheduleArgumentTypeError("config", "a mapping", config)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in config if k not in names)
        if unknown:
            raise ScheduleArgumentError("config", f"unknown keys {unknown}; expected {sorted(names)}")
        return cls(**dict(config))


def _positive(name: str, value: Any) -> int:
    n = _integral(name, value)
    if n < 1:
        raise ScheduleArgumentError(name, "must be >= 1", value)
    return n


def batch_size_schedule(
    points: Sequence[tuple[int, int]],
    *,
    interpolate: Literal["linear", "step"] = "linear",
    clock: Clock = "samples",
    increment: int | None = None,
    micro_batch_size: int = 1,
    data_parallel: int = 1,
    seq_len: int | None = None,
) -> BatchSizeSchedule:
    """A :class:`~jaxsched.clock.BatchSizeSchedule` through ``points`` (see the class for the formula).

    Example:
      >>> import jaxsched
      >>> bs = jaxsched.batch_size_schedule([(0, 512), (1_000_000, 1024), (3_000_000, 2048)],
      ...                                  interpolate="step", clock="tokens", seq_len=1024)
      >>> bs.plan(6).batch_size.tolist()        # the size changes at the first update past a point
      [512, 512, 1024, 1024, 2048, 2048]
    """
    return BatchSizeSchedule(
        tuple(points), interpolate, clock, increment, micro_batch_size, data_parallel, seq_len
    )


def batch_size_rampup(
    start_batch_size: int,
    batch_size_increment: int,
    rampup_samples: int,
    global_batch_size: int,
    *,
    micro_batch_size: int = 1,
    data_parallel: int = 1,
    seq_len: int | None = None,
) -> BatchSizeSchedule:
    r"""Megatron's ``--rampup-batch-size START INCREMENT SAMPLES`` with ``--global-batch-size``.

    With :math:`n = (G - b_0)/g` increments over :math:`R` samples, the batch size after :math:`c` samples
    is

    .. math:: B(c) = b_0 + g \min\!\left(n, \left\lfloor \frac{c\, n}{R} \right\rfloor\right)

    (a ``"linear"`` :class:`~jaxsched.clock.BatchSizeSchedule` through :math:`(0, b_0)` and
    :math:`(R, G)` on the samples clock, increment :math:`g`). Megatron computes
    :math:`\lfloor c / (R/n) \rfloor` in floating point, which lands one increment short at some exact
    thresholds (:math:`R = 9`, :math:`n = 7`: 6 increments at :math:`c = 9`); this is the exact rational
    value.

    Example:
      >>> import jaxsched
      >>> bs = jaxsched.batch_size_rampup(256, 128, 50_000_000, 1024, micro_batch_size=4, data_parallel=8)
      >>> [bs.batch_size_at(c) for c in (0, 8_333_333, 8_333_334, 49_999_999, 50_000_000)]
      [256, 256, 384, 896, 1024]
      >>> bs.accumulation_at(0)
      8
    """
    start = _positive("start_batch_size", start_batch_size)
    end = _positive("global_batch_size", global_batch_size)
    if end < start:
        raise ScheduleArgumentError(
            "global_batch_size", f"must be >= start_batch_size = {start}", global_batch_size
        )
    inc = _positive("batch_size_increment", batch_size_increment)
    if (end - start) % inc:
        raise ScheduleArgumentError(
            "batch_size_increment",
            f"must divide global_batch_size - start_batch_size = {end - start}",
            batch_size_increment,
        )
    ramp = _positive("rampup_samples", rampup_samples)
    return BatchSizeSchedule(
        ((0, start), (ramp, end)), "linear", "samples", inc, micro_batch_size, data_parallel, seq_len
    )
