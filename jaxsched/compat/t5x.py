"""t5x's factor-string learning-rate schedules (golden-tested against t5x's source).

t5x (``google-research/t5x``) builds its schedule in ``t5x/utils.py: create_learning_rate_scheduler(
factors, base_learning_rate, warmup_steps, decay_factor, steps_per_decay, steps_per_cycle, step_offset,
min_learning_rate)``: the product of the factors named in ``factors`` (``"constant * linear_warmup *
rsqrt_decay"``), floored at ``min_learning_rate``. It is configured with gin (``utils.
create_learning_rate_scheduler.factors = ...``) and called by the trainer on ``train_state.step``, so update
``k`` uses the schedule at ``k`` (from 0), which is what :class:`LearningRateScheduler` returns at ``k``.

:func:`from_gin` reads the bindings of ``create_learning_rate_scheduler`` out of a gin file's text.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from jaxsched import _validate as v
from jaxsched import (
    clip,
    constant,
    cosine_restarts,
    join,
    linear,
    multiply,
    rsqrt_decay,
    step_decay,
)
from jaxsched import shift as delayed
from jaxsched._core import Port, Schedule
from jaxsched._fields import Real, StepCount, known, level, static, steps, value
from jaxsched._numerics import MAX_STEP

__all__ = ["FACTORS", "LearningRateScheduler", "create_learning_rate_scheduler", "from_gin"]

FACTORS = (
    "constant",
    "linear_warmup",
    "linear_decay",
    "rsqrt_decay",
    "rsqrt_normalized_decay",
    "decay_every",
    "cosine_decay",
)
"""Every factor t5x defines."""

_USES_WARMUP = ("linear_warmup", "linear_decay", "rsqrt_decay", "rsqrt_normalized_decay")


def _factors(name: str, x: Any) -> str:
    """The factor string, normalised to ``"a * b * c"`` (t5x splits on ``*`` and strips each name)."""
    if not isinstance(x, str):
        raise v.ScheduleArgumentTypeError(name, "a string of factors separated by '*'", x)
    names = [n.strip() for n in x.split("*")]
    for n in names:
        if n not in FACTORS:
            raise v.ScheduleArgumentError(name, f"unknown factor {n!r} (t5x has {list(FACTORS)})", x)
    return " * ".join(names)


class LearningRateScheduler(Port, name="compat.t5x.create_learning_rate_scheduler"):
    r"""t5x's ``create_learning_rate_scheduler``: a product of named factors, floored at a minimum.

    With :math:`t = \max(0, k - \text{step\_offset})`, :math:`W` = ``warmup_steps``, :math:`\eta` =
    ``base_learning_rate``, :math:`\gamma` = ``decay_factor``:

    .. math:: s(k) = \max\left(\prod_{f \in \text{factors}} f(t),\ \text{min\_learning\_rate}\right)

    with the factors

    - ``constant``: :math:`\eta`; ``linear_warmup``: :math:`\min(1, t/W)`;
    - ``linear_decay``: :math:`\eta\min(t/W,\ 1 + \gamma(W - t))` (warmup, then a straight line of slope
      :math:`-\gamma` per step: 0 at :math:`W + 1/\gamma`);
    - ``rsqrt_decay``: :math:`1/\sqrt{\max(t, W)}`; ``rsqrt_normalized_decay``: :math:`\sqrt{W/\max(t, W)}`;
    - ``decay_every``: :math:`\gamma^{\lfloor t / \text{steps\_per\_decay} \rfloor}`;
    - ``cosine_decay``: :math:`\tfrac{1}{2}(1 + \cos(\pi\,(\max(0, t - W)/C \bmod 1)))` with
      :math:`C` = ``steps_per_cycle``, a cosine that restarts every :math:`C` steps after the warmup.

    The factors are catalog schedules (:func:`jaxsched.constant`, :func:`jaxsched.linear`,
    :func:`jaxsched.rsqrt_decay`, :func:`jaxsched.step_decay`, :func:`jaxsched.cosine_restarts`) under
    :func:`jaxsched.multiply`, :func:`jaxsched.shift` and :func:`jaxsched.clip`.

    Step convention: ``s(k)`` is what t5x's trainer applies at update ``k`` (``train_state.step``, from 0).

    Where t5x is odd (each reproduced, unless refused below):

    - ``linear_decay`` already contains ``constant * linear_warmup`` (t5x's docstring says not to combine
      them); its "decay" is a slope, not a horizon: with the default ``decay_factor=0.5`` it reaches 0 two
      steps after the warmup. After that t5x's factor is negative and the product is floored at
      ``min_learning_rate``; here the factor stays 0 and the floor gives the same value.
    - ``rsqrt_decay`` without ``constant`` peaks at :math:`1/\sqrt{W}` (0.0316 for the default
      :math:`W = 1000`), not at ``base_learning_rate``.
    - ``cosine_decay`` restarts (its phase is ``% 1.0``), holding 1 during the warmup.
    - ``step_offset`` shifts every factor; before it the value is the value at 0. A negative offset moves
      the last ``|step_offset|`` steps before 2**31 - 1 past it: there jaxsched's steps saturate at
      2**31 - 1 (t5x's int32 count wraps to a negative number, which ``max(0, .)`` makes 0).
    - t5x rounds the result to float32 and computes the phases in float32 (the values here are exact, but
      for ``linear_decay``, whose line is exact to the float64 rounding of ``1 / decay_factor``: within a
      few steps of its zero, where the value is below 1e-15 of the peak, that is its relative error).

    Refused here (t5x accepts them): an unknown factor (t5x fails only when the schedule is first
    called); ``warmup_steps=0`` with a factor dividing by it (NaN or inf at step 0); ``decay_every`` with
    ``decay_factor > 1`` (grows without bound); ``linear_decay`` with ``decay_factor`` below ``1e-30`` (the
    line never leaves the peak; use ``constant * linear_warmup``) or given twice (two negative factors give
    a growing product); a negative ``min_learning_rate``.

    Args:
      factors: factor names separated by ``*`` (see :data:`FACTORS`).
      base_learning_rate: :math:`\eta` (``constant``, ``linear_decay``).
      warmup_steps: :math:`W`.
      decay_factor: :math:`\gamma` (``linear_decay``'s slope, ``decay_every``'s factor).
      steps_per_decay: ``decay_every``'s period.
      steps_per_cycle: ``cosine_decay``'s cycle.
      step_offset: subtracted from the step first.
      min_learning_rate: the floor.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> from jaxsched.compat import t5x
      >>> s = t5x.LearningRateScheduler("constant * linear_warmup * rsqrt_decay", base_learning_rate=1.0,
      ...                               warmup_steps=100)
      >>> s.numpy([0, 50, 100, 400]).tolist()
      [1e-08, 0.05, 0.1, 0.05]
    """

    factors: str = static(default="constant * linear_warmup * rsqrt_decay", converter=_factors)
    base_learning_rate: Real = level(default=0.5)
    warmup_steps: StepCount = steps(default=1000)
    decay_factor: Real = value(default=0.5, minimum=0.0)
    steps_per_decay: StepCount = steps(default=20000, minimum=1)
    steps_per_cycle: StepCount = steps(default=100000, minimum=1)
    step_offset: StepCount = steps(default=0, minimum=-MAX_STEP)
    min_learning_rate: Real = level(default=1e-8)

    examples = (
        {"factors": "constant * linear_warmup * rsqrt_decay", "base_learning_rate": 1.0, "warmup_steps": 100},
        {
            "factors": "linear_decay",
            "base_learning_rate": 1e-3,
            "warmup_steps": 100,
            "decay_factor": 1e-3,
            "min_learning_rate": 1e-5,
        },
        {
            "factors": "constant * linear_warmup * cosine_decay * decay_every",
            "base_learning_rate": 0.1,
            "warmup_steps": 50,
            "steps_per_cycle": 300,
            "steps_per_decay": 250,
            "decay_factor": 0.8,
            "step_offset": 20,
        },
        {
            "factors": "constant * rsqrt_normalized_decay",
            "base_learning_rate": 0.01,
            "warmup_steps": 400,
            "min_learning_rate": 0.0,
        },
    )

    def __check_init__(self) -> None:
        names = self.factors.split(" * ")
        uses = [n for n in names if n in _USES_WARMUP]
        if uses and known(self.warmup_steps) and self.warmup_steps == 0:
            raise v.ScheduleArgumentError(
                "warmup_steps", f"must be >= 1 with {uses[0]} (t5x divides by it: NaN or inf at step 0)", 0
            )
        if "decay_every" in names and known(self.decay_factor) and self.decay_factor > 1:
            raise v.ScheduleArgumentError(
                "decay_factor", "> 1 with decay_every grows without bound", self.decay_factor
            )
        if names.count("linear_decay") > 1:
            raise v.ScheduleArgumentError(
                "factors",
                "has linear_decay twice (t5x multiplies two negative factors into a growing one)",
                self.factors,
            )
        if "linear_decay" in names and known(self.decay_factor) and self.decay_factor < 1e-30:
            raise v.ScheduleArgumentError(
                "decay_factor",
                "must be >= 1e-30 with linear_decay (use 'constant * linear_warmup' for none)",
                self.decay_factor,
            )

    def _factor(self, name: str) -> Schedule:
        W, lr = self.warmup_steps, self.base_learning_rate
        if name == "constant":
            return constant(lr)
        if name == "linear_warmup":
            return linear(0.0, 1.0, W, transition_begin=0)
        if name == "linear_decay":  # lr * min(t / W, 1 + gamma (W - t)): up to W, then a line to 0
            return join(
                [
                    linear(0.0, lr, W, transition_begin=0),
                    linear(lr, 0.0, 1.0 / self.decay_factor, transition_begin=0),
                ],
                [W],
            )
        if name == "rsqrt_decay":
            return rsqrt_decay(1.0, timescale=1.0, begin=0, min_steps=W)
        if name == "rsqrt_normalized_decay":
            return rsqrt_decay(1.0, timescale=W, begin=0, min_steps=W)
        if name == "decay_every":
            return step_decay(1.0, self.steps_per_decay, self.decay_factor)
        return delayed(cosine_restarts(1.0, self.steps_per_cycle), W)

    def lower(self) -> Schedule:
        parts = [self._factor(n) for n in self.factors.split(" * ")]
        product = parts[0] if len(parts) == 1 else multiply(*parts)
        return clip(delayed(product, self.step_offset), min_value=self.min_learning_rate)


def create_learning_rate_scheduler(
    factors: str = "constant * linear_warmup * rsqrt_decay",
    base_learning_rate: float = 0.5,
    warmup_steps: int = 1000,
    decay_factor: float = 0.5,
    steps_per_decay: int = 20000,
    steps_per_cycle: int = 100000,
    step_offset: int = 0,
    min_learning_rate: float = 1e-8,
) -> LearningRateScheduler:
    """t5x's signature and defaults: :class:`LearningRateScheduler`."""
    return LearningRateScheduler(
        factors,
        base_learning_rate,
        warmup_steps,
        decay_factor,
        steps_per_decay,
        steps_per_cycle,
        step_offset,
        min_learning_rate,
    )


_PARAMS = (
    "factors",
    "base_learning_rate",
    "warmup_steps",
    "decay_factor",
    "steps_per_decay",
    "steps_per_cycle",
    "step_offset",
    "min_learning_rate",
)
_DOTTED = re.compile(r"^\s*(?:[\w.]*\.)?create_learning_rate_scheduler\.(\w+)\s*=\s*(.+?)\s*$")
_BLOCK = re.compile(r"^(?:[\w.]*\.)?create_learning_rate_scheduler\s*:\s*$")
_INNER = re.compile(r"^\s+(\w+)\s*=\s*(.+?)\s*$")


def _literal(text: str, where: str) -> Any:
    try:
        return ast.literal_eval(text.strip())  # (a trailing comment is fine)
    except (ValueError, SyntaxError):
        raise v.ScheduleArgumentError(
            where, "must be a Python literal (gin macros and references are not resolved here)", text
        ) from None


def from_gin(text: str) -> LearningRateScheduler:
    """The schedule a gin config's bindings of ``create_learning_rate_scheduler`` describe.

    Reads ``utils.create_learning_rate_scheduler.<arg> = <literal>`` lines and ``utils.
    create_learning_rate_scheduler:`` blocks of indented ``<arg> = <literal>`` lines (the two forms t5x's
    configs use); other bindings are ignored, unbound arguments take t5x's defaults. Macros (``%X``) and
    references (``@f()``) are refused.

    Example:
      >>> from jaxsched.compat import t5x
      >>> s = t5x.from_gin('''
      ... utils.create_learning_rate_scheduler:
      ...   factors = 'constant * rsqrt_decay'
      ...   base_learning_rate = 1.0
      ...   warmup_steps = 10000  # as T5
      ... ''')
      >>> s.factors, s.numpy([0, 40_000]).tolist()
      ('constant * rsqrt_decay', [0.01, 0.005])
    """
    kwargs: dict[str, Any] = {}
    inside = False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _DOTTED.match(line)
        if m:
            key, raw = m.groups()
            inside = False
        elif _BLOCK.match(line):
            inside = True
            continue
        elif inside and (m := _INNER.match(line)):
            key, raw = m.groups()
        else:
            inside = inside and line[:1].isspace()
            continue
        if key not in _PARAMS:
            raise v.ScheduleArgumentTypeError(
                key, f"one of create_learning_rate_scheduler's arguments {list(_PARAMS)}", raw
            )
        kwargs[key] = _literal(raw, key)
    return create_learning_rate_scheduler(**kwargs)
