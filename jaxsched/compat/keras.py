"""Ports of Keras 3's learning-rate schedules (``keras.optimizers.schedules``).

Each class takes the original's arguments by the original's names, reproduces the value Keras's
``schedule(step)`` returns for the optimizer's ``iterations`` (update ``k`` uses ``schedule(k)``, counting
from 0, as optax does) and lowers to catalog schedules. ``get_config()`` returns the original's config
keys and ``from_config(config)`` (a class method, and :func:`from_config` here) accepts what Keras's
``get_config()`` or ``keras.optimizers.schedules.serialize()`` produce:

>>> from jaxsched.compat import keras
>>> s = keras.from_config({"initial_learning_rate": 0.1, "decay_steps": 1000, "alpha": 0.0,
...                        "name": "CosineDecay", "warmup_target": None, "warmup_steps": 0})
>>> type(s).__name__, round(float(s(500)), 6)
('CosineDecay', 0.05)

Where Keras is odd, the port refuses rather than guess: a decay rate or ``m_mul`` above 1 (growth
without bound), a non-positive ``power``, negative values or ``alpha``, fractional step counts where the
catalog needs whole steps (``first_decay_steps``, ``warmup_steps``, ``boundaries``, and ``decay_steps``
with ``cycle=True``), unsorted ``boundaries``. Keras accepts them and computes something; the
docstrings say what.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Port, Schedule
from jaxsched._fields import (
    Real,
    Span,
    StepCount,
    flag,
    host,
    known,
    level,
    static,
    static_float,
    steps,
    steps_seq,
    value,
    value_seq,
)
from jaxsched._numerics import MAX_STEP

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "KerasSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "from_config",
]


def _plain(x: Any) -> Any:
    """A config value as Keras would store it: Python numbers stay, tuples become lists."""
    if isinstance(x, tuple):
        return [_plain(e) for e in x]
    try:
        return host(x)
    except TypeError:
        return x


class KerasSchedule(Port):
    """A port of a Keras ``LearningRateSchedule``: ``get_config``/``from_config`` in Keras's keys.

    Keras's ``name`` (a name scope, with no effect on the values) is not a field of the ports: the key
    ``name`` of a jaxsched config names the schedule. :meth:`from_config` accepts any string there and
    :meth:`get_config` returns the class's default name.
    """

    keras_keys: ClassVar[tuple[str, ...]] = ()
    """The keys of the original's ``get_config()``, in its order."""
    keras_name: ClassVar[str] = ""
    """The original's default ``name``."""

    def get_config(self) -> dict[str, Any]:
        """The original's ``get_config()``: the constructor arguments by Keras's names."""
        return {
            key: self.keras_name if key == "name" else _plain(getattr(self, key)) for key in self.keras_keys
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> KerasSchedule:
        """The port of a Keras ``get_config()`` dict (unknown keys are refused, naming them)."""
        if not isinstance(config, Mapping):
            raise v.ScheduleArgumentTypeError("config", "a mapping (Keras get_config())", config)
        unknown = sorted(set(config) - set(cls.keras_keys))
        if unknown:
            raise v.ScheduleArgumentError(
                "config", f"has keys that {cls.__name__} does not take: {unknown}", dict(config)
            )
        kwargs = dict(config)
        name = kwargs.pop("name", cls.keras_name)
        if not isinstance(name, str):
            raise v.ScheduleArgumentTypeError("name", "a string", name)
        return cls(**kwargs)


class ExponentialDecay(KerasSchedule, name="compat.keras.ExponentialDecay"):
    r"""Keras ``ExponentialDecay``: exponential decay of ``initial_learning_rate``.

    .. math:: s(k) = I\,\gamma^{k/T} \qquad (\gamma^{\lfloor k/T\rfloor} \text{ with staircase})

    Lowers to :func:`jaxsched.exponential_decay`; update ``k`` uses ``schedule(k)``.

    Where the original is odd: Keras accepts any ``decay_rate``; a rate above 1 grows without bound and is
    refused here (``decay_rate`` in (0, 1]), as is a ``decay_steps`` below one step.

    Args:
      initial_learning_rate: :math:`I`.
      decay_steps: :math:`T >= 1` (may be fractional).
      decay_rate: :math:`\gamma \in (0, 1]`.
      staircase: decay in whole multiples of ``decay_steps``.

    Example:
      >>> from jaxsched.compat import keras
      >>> s = keras.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
      >>> round(float(s(20)), 6), s.get_config()["decay_rate"]
      (0.025, 0.5)
    """

    initial_learning_rate: Real = level()
    decay_steps: Span = steps(minimum=1, fractional=True)
    decay_rate: Real = value(minimum=0.0, maximum=1.0, min_open=True)
    staircase: bool = flag(default=False)

    keras_name = "ExponentialDecay"
    keras_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")
    examples = (
        {"initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.96},
        {"initial_learning_rate": 1e-3, "decay_steps": 37.5, "decay_rate": 0.5, "staircase": True},
    )

    def lower(self) -> Schedule:
        return jaxsched.exponential_decay(
            self.initial_learning_rate, self.decay_steps, self.decay_rate, staircase=self.staircase
        )


class InverseTimeDecay(KerasSchedule, name="compat.keras.InverseTimeDecay"):
    r"""Keras ``InverseTimeDecay``: inverse-time decay of ``initial_learning_rate``.

    .. math:: s(k) = \frac{I}{1 + \gamma\,k/T} \qquad (\lfloor k/T\rfloor \text{ with staircase})

    Lowers to :func:`jaxsched.inverse_time_decay`; update ``k`` uses ``schedule(k)``. A negative
    ``decay_rate`` (accepted by Keras, it divides by zero or goes negative) is refused.

    Args:
      initial_learning_rate: :math:`I`.
      decay_steps: :math:`T >= 1` (may be fractional).
      decay_rate: :math:`\gamma >= 0`.
      staircase: use whole multiples of ``decay_steps``.

    Example:
      >>> from jaxsched.compat import keras
      >>> float(keras.InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)(2))
      0.05000000074505806
    """

    initial_learning_rate: Real = level()
    decay_steps: Span = steps(minimum=1, fractional=True)
    decay_rate: Real = value(minimum=0.0)
    staircase: bool = flag(default=False)

    keras_name = "InverseTimeDecay"
    keras_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")
    examples = (
        {"initial_learning_rate": 0.1, "decay_steps": 1.0, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 50, "decay_rate": 2.0, "staircase": True},
    )

    def lower(self) -> Schedule:
        return jaxsched.inverse_time_decay(
            self.initial_learning_rate, self.decay_steps, self.decay_rate, self.staircase
        )


class PiecewiseConstantDecay(KerasSchedule, name="compat.keras.PiecewiseConstantDecay"):
    r"""Keras ``PiecewiseConstantDecay``: ``values[0]`` up to and including ``boundaries[0]``, ``values[i]``
    for :math:`b_{i-1} < k \le b_i`, ``values[-1]`` after the last boundary.

    .. math:: s(k) = v_{\#\{i \,:\, b_i < k\}}

    A boundary is the last step of its piece (Keras compares ``step <= boundary``), so the next value
    starts at :math:`b_i + 1`; lowers to a :func:`jaxsched.join` of constants there. Two equal boundaries
    skip the value between them, as in Keras.

    Where the original is odd: Keras neither sorts nor checks the boundaries (unsorted ones add several
    values up, or none; an empty list fails at the first call with an ``IndexError``); here they must be
    given, sorted, whole, in :math:`[0, 2^{31} - 2]`. Keras casts float
    boundaries to the step's integer type (truncating); a fractional boundary is refused here.

    Args:
      boundaries: the steps :math:`b_i`, sorted.
      values: one more value than boundaries, each >= 0.

    Example:
      >>> from jaxsched.compat import keras
      >>> s = keras.PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.1])
      >>> [float(s(k)) for k in (2, 3, 4, 5)]
      [1.0, 0.5, 0.5, 0.10000000149011612]
    """

    boundaries: tuple[StepCount, ...] = steps_seq(nonempty=True)
    values: tuple[Real, ...] = value_seq(minimum=0.0, nonempty=True)

    keras_name = "PiecewiseConstant"
    keras_keys = ("boundaries", "values", "name")
    examples = (
        {"boundaries": [100, 250], "values": [0.1, 0.01, 0.001]},
        {"boundaries": [0, 10, 10, 30], "values": [1e-3, 2e-3, 5e-3, 4e-3, 1e-4]},
    )

    def __check_init__(self) -> None:
        if len(self.boundaries) != len(self.values) - 1:
            raise v.ScheduleArgumentError(
                "boundaries",
                f"must have one entry fewer than values ({len(self.values)})",
                list(self.boundaries),
            )
        v.sorted_steps("boundaries", self.boundaries)
        for i, b in enumerate(self.boundaries):
            if known(b) and b > MAX_STEP - 1:
                raise v.ScheduleArgumentError(f"boundaries[{i}]", "must be <= 2**31 - 2", b)

    def _key_steps(self) -> list[Any]:
        return [b + 1 for b in self.boundaries]

    def lower(self) -> Schedule:
        return jaxsched.join([jaxsched.constant(x) for x in self.values], [b + 1 for b in self.boundaries])


class PolynomialDecay(KerasSchedule, name="compat.keras.PolynomialDecay"):
    r"""Keras ``PolynomialDecay``: :math:`s(k) = E + (I - E)\,(1 - \min(k, T)/T)^{p}`, or with
    ``cycle=True`` over the horizon :math:`H = T\max(1, \lceil k/T\rceil)`.

    .. math:: s(k) = E + (I - E) \left(1 - \frac{k}{H(k)}\right)^{p}

    Lowers to :func:`jaxsched.polynomial` or, with ``cycle``, :func:`jaxsched.polynomial_cycle`; update
    ``k`` uses ``schedule(k)``. Keras computes ``1 - k/T``, which loses the last digits of values near
    :math:`E` at the end of a long decay; the port computes the steps left exactly.

    Where the original is odd: ``power <= 0`` is accepted by Keras (``0`` gives :math:`I` forever, a
    negative one infinity at the end) and refused here; with ``cycle=True`` ``decay_steps`` must be whole.

    Args:
      initial_learning_rate: :math:`I`.
      decay_steps: :math:`T >= 1` (may be fractional without ``cycle``).
      end_learning_rate: :math:`E` (Keras's default 1e-4).
      power: :math:`p > 0`.
      cycle: stretch the horizon to the next multiple of ``decay_steps``.

    Example:
      >>> from jaxsched.compat import keras
      >>> s = keras.PolynomialDecay(1.0, decay_steps=2, end_learning_rate=0.0, cycle=True)
      >>> [float(s(k)) for k in range(5)]
      [1.0, 0.5, 0.0, 0.25, 0.0]
    """

    initial_learning_rate: Real = level()
    decay_steps: Span = steps(minimum=1, fractional=True)
    end_learning_rate: Real = level(default=0.0001)
    power: Real = value(default=1.0, minimum=0.0, min_open=True)
    cycle: bool = flag(default=False)

    keras_name = "PolynomialDecay"
    keras_keys = ("initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle", "name")
    examples = (
        {"initial_learning_rate": 0.1, "decay_steps": 1000, "end_learning_rate": 0.01, "power": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 100, "power": 2.0, "cycle": True},
    )

    def __check_init__(self) -> None:
        if self.cycle and isinstance(self.decay_steps, float):
            raise v.ScheduleArgumentError(
                "decay_steps", "must be a whole number of steps with cycle=True", self.decay_steps
            )

    def _key_steps(self) -> list[Any]:
        return [self.decay_steps]

    def lower(self) -> Schedule:
        if self.cycle:  # decay_steps is whole here (checked)
            return jaxsched.polynomial_cycle(
                self.initial_learning_rate,
                self.decay_steps,  # type: ignore[arg-type]
                self.end_learning_rate,
                self.power,
            )
        return jaxsched.polynomial(
            self.initial_learning_rate, self.end_learning_rate, self.power, self.decay_steps
        )


class CosineDecay(KerasSchedule, name="compat.keras.CosineDecay"):
    r"""Keras ``CosineDecay``, with its optional linear warmup to ``warmup_target``.

    Without ``warmup_target``: :math:`s(k) = I\left((1 - \alpha)\,c(\min(k, T)/T) + \alpha\right)`,
    :math:`c(x) = (1 + \cos \pi x)/2`. With it (:math:`P`, over :math:`W` = ``warmup_steps``):

    .. math::
        s(k) = \begin{cases} I + (P - I)\,k/W & k < W \\
        P\left((1 - \alpha)\, c\left(\min(k - W, T)/T\right) + \alpha\right) & k \ge W \end{cases}

    ``decay_steps`` counts after the warmup (unlike optax's ``warmup_cosine_decay_schedule``). Lowers to
    :func:`jaxsched.cosine_decay`, joined after :func:`jaxsched.warmup_constant` with a warmup.

    Where the original is odd: with ``warmup_target`` and ``warmup_steps=0`` the decay starts from
    ``warmup_target`` and ``initial_learning_rate`` is never used. ``alpha`` must be >= 0 here (Keras
    accepts a negative one and ends below zero); ``warmup_steps`` must be whole.

    Args:
      initial_learning_rate: :math:`I`.
      decay_steps: :math:`T >= 1` (may be fractional).
      alpha: :math:`\alpha >= 0`, the final value as a fraction of the decay's start.
      warmup_target: :math:`P`, or ``None`` for no warmup.
      warmup_steps: :math:`W >= 0`.

    Example:
      >>> from jaxsched.compat import keras
      >>> s = keras.CosineDecay(0.0, decay_steps=4, warmup_target=1.0, warmup_steps=2)
      >>> [round(float(s(k)), 4) for k in range(7)]
      [0.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    initial_learning_rate: Real = level()
    decay_steps: Span = steps(minimum=1, fractional=True)
    alpha: Real = value(default=0.0, minimum=0.0)
    warmup_target: Real | None = level(default=None)
    warmup_steps: StepCount = steps(default=0)

    keras_name = "CosineDecay"
    keras_keys = ("initial_learning_rate", "decay_steps", "alpha", "name", "warmup_target", "warmup_steps")
    examples = (
        {"initial_learning_rate": 0.1, "decay_steps": 1000, "alpha": 0.01},
        {"initial_learning_rate": 0.0, "decay_steps": 900, "warmup_target": 1e-3, "warmup_steps": 100},
        {
            "initial_learning_rate": 1e-4,
            "decay_steps": 250.5,
            "alpha": 0.1,
            "warmup_target": 1e-3,
            "warmup_steps": 0,
        },
    )

    def _key_steps(self) -> list[Any]:
        if self.warmup_target is None:
            return [self.decay_steps]
        return [self.warmup_steps, self.warmup_steps + self.decay_steps]

    def lower(self) -> Schedule:
        if self.warmup_target is None:
            return jaxsched.cosine_decay(self.initial_learning_rate, self.decay_steps, self.alpha)
        warm = jaxsched.warmup_constant(self.initial_learning_rate, self.warmup_target, self.warmup_steps)
        decay = jaxsched.cosine_decay(self.warmup_target, self.decay_steps, self.alpha)
        return jaxsched.join([warm, decay], [self.warmup_steps])


class CosineDecayRestarts(KerasSchedule, name="compat.keras.CosineDecayRestarts"):
    r"""Keras ``CosineDecayRestarts`` (SGDR, Loshchilov & Hutter, arXiv 1608.03983).

    Cycle :math:`i` lasts :math:`T_0 t^i` steps; at the fraction :math:`x` of it,

    .. math:: s(k) = I\left((1 - \alpha)\, m^i\, \frac{1 + \cos \pi x}{2} + \alpha\right)

    so ``m_mul`` shrinks the amplitude above the floor :math:`I\alpha`, which itself stays. Lowers to
    :func:`jaxsched.cosine_restarts` with ``end_value`` :math:`I\alpha` and ``amplitude_decay``.

    Where the original is odd: Keras locates the cycle with a floating-point logarithm, which can put a
    step at the exact start of a cycle in the previous one (a value at the floor instead of the peak): with
    Keras's default ``t_mul=2`` this happens at the start of the 4th cycle for every ``first_decay_steps``
    (:math:`\log 8/\log 2 = 2.9999999999999996`). The port places cycle starts exactly (integer arithmetic
    for an integer ``t_mul``). The float64 comparison with Keras is therefore made against the exact value
    where Keras's own rounding is worse. ``t_mul < 1`` (Keras: NaN after the cycles converge),
    ``m_mul > 1`` (growth without bound), negative ``alpha`` and fractional ``first_decay_steps`` are
    refused.

    Args:
      initial_learning_rate: :math:`I`.
      first_decay_steps: :math:`T_0 >= 1` steps.
      t_mul: :math:`t >= 1`, the growth of the cycle length (static).
      m_mul: :math:`m \in (0, 1]`, the factor on the amplitude per cycle.
      alpha: :math:`\alpha >= 0`.

    Example:
      >>> from jaxsched.compat import keras
      >>> s = keras.CosineDecayRestarts(1.0, first_decay_steps=2, m_mul=0.5)
      >>> [round(float(s(k)), 4) for k in range(7)]
      [1.0, 0.5, 0.5, 0.4268, 0.25, 0.0732, 0.25]
    """

    initial_learning_rate: Real = level()
    first_decay_steps: StepCount = steps(minimum=1)
    t_mul: float = static(default=2.0, converter=static_float(minimum=1.0))
    m_mul: Real = value(default=1.0, minimum=0.0, maximum=1.0, min_open=True)
    alpha: Real = value(default=0.0, minimum=0.0)

    keras_name = "SGDRDecay"
    keras_keys = ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha", "name")
    # Keras's own cycle location misplaces some cycle starts (every t_mul=2 run at its 4th cycle): the
    # examples, which `jaxsched parity` compares with Keras, are configurations Keras gets right.
    examples = (
        {"initial_learning_rate": 0.1, "first_decay_steps": 100, "t_mul": 3.0, "m_mul": 0.9},
        {"initial_learning_rate": 0.1, "first_decay_steps": 40, "t_mul": 1.0, "m_mul": 0.8, "alpha": 0.05},
    )

    def lower(self) -> Schedule:
        I = self.initial_learning_rate  # noqa: E741
        return jaxsched.cosine_restarts(
            I, self.first_decay_steps, self.t_mul, self.m_mul, end_value=I * self.alpha, amplitude_decay=True
        )


_CLASSES: tuple[type[KerasSchedule], ...] = (
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    CosineDecay,
    CosineDecayRestarts,
)


def from_config(config: Mapping[str, Any], class_name: str | None = None) -> KerasSchedule:
    """The port of a Keras schedule config.

    ``config`` is what ``schedule.get_config()`` returns (the class is then recognised by its keys, and by
    its ``name`` where two classes share the keys: ``ExponentialDecay`` and ``InverseTimeDecay``), or what
    ``keras.optimizers.schedules.serialize(schedule)`` returns (``{"class_name": ..., "config": ...}``).
    ``class_name`` names the class explicitly.

    Example:
      >>> from jaxsched.compat import keras
      >>> keras.from_config({"class_name": "ExponentialDecay", "config": {
      ...     "initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": False,
      ...     "name": "lr"}}).decay_rate
      0.5
    """
    if not isinstance(config, Mapping):
        raise v.ScheduleArgumentTypeError("config", "a mapping (Keras get_config() or serialize())", config)
    if "class_name" in config and "config" in config:
        class_name = config["class_name"]
        config = config["config"]
        if not isinstance(config, Mapping):
            raise v.ScheduleArgumentTypeError("config", "a mapping", config)
    by_name = {cls.__name__: cls for cls in _CLASSES}
    if class_name is not None:
        if class_name not in by_name:
            raise v.ScheduleArgumentError("class_name", f"must be one of {sorted(by_name)}", class_name)
        return by_name[class_name].from_config(config)
    keys = set(config)
    matches = [cls for cls in _CLASSES if set(cls.keras_keys) == keys]
    if len(matches) > 1:  # ExponentialDecay and InverseTimeDecay: told apart by their default name
        matches = [cls for cls in matches if config.get("name") == cls.keras_name] or matches
    if len(matches) != 1:
        which = "no Keras schedule has" if not matches else "several Keras schedules have"
        raise v.ScheduleArgumentError(
            "config",
            f"{which} exactly these keys {sorted(keys)}: pass class_name= (or the serialize() form)",
            dict(config),
        )
    return matches[0].from_config(config)
