"""Warmup-stable-decay (WSD, MiniCPM arXiv 2404.06395) with its warmup and decay shapes."""

from __future__ import annotations

from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import Real, Span, StepCount, choice, known, level, steps
from jaxsched._numerics import Array, Backend, Steps
from jaxsched._shapes import DECAY_SHAPES, WARMUP_SHAPES, decay, rise


class WarmupStableDecay(Schedule, name="warmup_stable_decay"):
    r"""Warmup, a long constant phase, then a short decay (WSD; Hu et al., arXiv 2404.06395).

    With :math:`S = T - D` the start of the decay and :math:`f_w`, :math:`f_d` the warmup and decay shapes
    (:math:`f(0) = 0 \to f(1) = 1` and :math:`1 \to 0`):

    .. math::
        s(k) = \begin{cases}
        I + (P - I)\, f_w(k/W) & k < W \\
        P & W \le k < S \\
        E + (P - E)\, f_d\left((k - S)/D\right) & S \le k < T \\
        E & k \ge T \end{cases}

    Shapes: ``"linear"``; ``"cosine"`` (half cosine); ``"1-sqrt"`` (:math:`1-\sqrt{p}` for the decay,
    Hägele et al., arXiv 2405.18392; :math:`1-\sqrt{1-p}` for the warmup, as HF); and for the decay only
    ``"exponential"``, :math:`P (E/P)^{p}` (needs positive ``peak_value`` and ``end_value``), and
    ``"2^(1-p)-1"``, :math:`f_d(p) = 2^{1-p} - 1` (Megatron-LM's ``exponential`` WSD decay style).

    Args:
      peak_value: value of the stable phase.
      warmup_steps: :math:`W >= 0`.
      total_steps: :math:`T`, the step at which ``end_value`` is reached.
      decay_steps: :math:`D >= 1` steps, or a float in (0, 1): that fraction of ``total_steps``, rounded
        to the nearest step once, at construction. :math:`W + D \le T`.
      init_value: value at step 0.
      end_value: final value.
      warmup_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
      decay_shape: ``"linear"``, ``"cosine"``, ``"1-sqrt"``, ``"exponential"`` or ``"2^(1-p)-1"``.

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.warmup_stable_decay(1.0, warmup_steps=2, total_steps=10, decay_steps=4)
      >>> [float(s(k)) for k in range(11)]
      [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0]
    """

    peak_value: Real = level()
    warmup_steps: StepCount = steps()
    total_steps: StepCount = steps(minimum=1)
    decay_steps: Span = steps(minimum=0, fractional=True)
    init_value: Real = level(default=0.0)
    end_value: Real = level(default=0.0)
    warmup_shape: str = choice(WARMUP_SHAPES, default="linear")
    decay_shape: str = choice(DECAY_SHAPES, default="linear")

    examples = (
        {"peak_value": 1e-3, "warmup_steps": 100, "total_steps": 1000, "decay_steps": 0.2},
        {
            "peak_value": 1e-3,
            "warmup_steps": 100,
            "total_steps": 1000,
            "decay_steps": 200,
            "end_value": 1e-5,
            "warmup_shape": "cosine",
            "decay_shape": "1-sqrt",
        },
        {
            "peak_value": 1e-3,
            "warmup_steps": 10,
            "total_steps": 1000,
            "decay_steps": 300,
            "end_value": 1e-5,
            "decay_shape": "exponential",
        },
    )

    def __check_init__(self) -> None:
        d = self.decay_steps
        if isinstance(d, float) and 0 < d < 1:  # a fraction of total_steps, rounded once, here
            if not known(self.total_steps):
                raise v.ScheduleArgumentError(
                    "decay_steps", "can be a fraction only with a concrete total_steps", d
                )
            d = max(1, round(d * self.total_steps))
        elif isinstance(d, float):
            raise v.ScheduleArgumentError(
                "decay_steps", "must be a whole number of steps >= 1, or a fraction in (0, 1)", d
            )
        elif known(d) and d < 1:
            raise v.ScheduleArgumentError("decay_steps", "must be >= 1", d)
        self._set("decay_steps", d)
        if known(self.total_steps, self.decay_steps):
            v.less(
                "warmup_steps",
                self.warmup_steps,
                "total_steps - decay_steps",
                self.total_steps - self.decay_steps,
                equal_ok=True,
            )
            if self.decay_steps > self.total_steps:
                raise v.ScheduleArgumentError(
                    "decay_steps", f"must be <= total_steps ({self.total_steps})", self.decay_steps
                )
        if self.decay_shape == "exponential":
            for name in ("peak_value", "end_value"):
                val = getattr(self, name)
                if known(val) and val <= 0:
                    raise v.ScheduleArgumentError(name, "must be > 0 for the exponential decay shape", val)

    def _key_steps(self) -> list[Any]:
        return [self.warmup_steps, self.total_steps - self.decay_steps, self.total_steps]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        W, T, D = (bk.count(x) for x in (self.warmup_steps, self.total_steps, self.decay_steps))
        S = T - D
        init, peak, end = (bk.value(x) for x in (self.init_value, self.peak_value, self.end_value))
        warm = init + (peak - init) * rise(bk, self.warmup_shape, t.value(), t.until(W), W)
        length = bk.to_float(D)
        elapsed = xp.clip(t.since(S), 0.0, length)
        remaining = xp.clip(t.until(T), 0.0, length)
        tail = decay(bk, self.decay_shape, peak, end, elapsed, remaining, length)
        return xp.where(t.ge(W), tail, warm)
