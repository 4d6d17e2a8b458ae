"""Learning-rate noise: a factor ``1 + n_k`` drawn afresh at every step, a pure function of (seed, step)
(timm's ``noise_range_t``; Neelakantan et al., arXiv 1511.06807, add gradient noise in the same spirit)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._fields import StepCount, static, static_float, steps
from jaxsched._numerics import Array, Backend, Steps
from jaxsched._validate import ScheduleArgumentTypeError

_M1, _M2 = 0x7FEB352D, 0x846CA68B  # "lowbias32" multipliers (Wellons' integer hash)


def _mix(bk: Backend, x: Array) -> Array:
    xp = bk.xp
    u32 = xp.uint32
    x = x ^ (x >> u32(16))
    x = x * u32(_M1)
    x = x ^ (x >> u32(15))
    x = x * u32(_M2)
    return x ^ (x >> u32(16))


def _erfinv(bk: Backend, x: Array) -> Array:
    """Inverse error function on (-1, 1) (Giles 2010, single-precision coefficients, rel. error ~4e-7)."""
    xp = bk.xp
    w = -xp.log((1.0 - x) * (1.0 + x))
    a = w - 2.5
    p1 = 2.81022636e-08
    for c in (
        3.43273939e-07,
        -3.5233877e-06,
        -4.39150654e-06,
        0.00021858087,
        -0.00125372503,
        -0.00417768164,
        0.246640727,
        1.50140941,
    ):
        p1 = c + p1 * a
    b = xp.sqrt(xp.maximum(w, 5.0)) - 3.0
    p2 = -0.000200214257
    for c in (
        0.000100950558,
        0.00134934322,
        -0.00367342844,
        0.00573950773,
        -0.0076224613,
        0.00943887047,
        1.00167406,
        2.83297682,
    ):
        p2 = c + p2 * b
    return xp.where(w < 5.0, p1, p2) * x


def noise(bk: Backend, t: Steps, seed: int, pct: float, std: float) -> Array:
    r"""The draws :math:`n_k`: a normal(0, ``std``) truncated to ``(-pct, pct)``, a pure function of
    ``(seed, k)`` (``k`` the whole step).

    A uniform :math:`u \in (0, 1)` comes from a 32-bit integer hash of ``(seed, k)`` (24 bits, exact in
    float32: the same bits in JAX and NumPy), and
    :math:`n_k = \sqrt 2\,\sigma\,\operatorname{erfinv}\left((2u - 1)\,
    \operatorname{erf}(\text{pct}/(\sqrt 2 \sigma))\right)`.
    """
    xp = bk.xp
    with np.errstate(over="ignore"):
        key = _mix(bk, xp.asarray(np.uint32(seed % 2**32)))
        h = _mix(bk, xp.asarray(t.n).astype(xp.uint32) ^ key)
    u = (bk.to_float(h >> xp.uint32(8)) + 0.5) * 2.0**-24
    edge = math.erf(pct / (math.sqrt(2.0) * std))
    return math.sqrt(2.0) * std * _erfinv(bk, (2.0 * u - 1.0) * edge)


def integer_seed(name: str, x: Any) -> int:
    """A static converter: an integer seed (any Python or NumPy integer), as a Python int."""
    if isinstance(x, bool) or not isinstance(x, int | np.integer):
        raise ScheduleArgumentTypeError(name, "an integer", x)
    return int(x)


class LrNoise(Schedule, name="lr_noise"):
    r"""A noise factor :math:`1 + n_k` inside ``[start, end)``, 1 elsewhere: multiply a schedule by it.

    .. math::
        s(k) = \begin{cases} 1 + n_k & \text{start} \le k < \text{end} \\ 1 & \text{otherwise}
        \end{cases}, \qquad n_k \sim \mathcal N(0, \sigma^2) \text{ truncated to } (-p, p)

    timm's LR noise (``noise_range_t``, ``noise_pct``, ``noise_std``, ``noise_seed``): timm draws
    :math:`n_k` from ``torch.Generator(seed + k)`` by rejection; here :math:`n_k` has the same
    distribution and is also a pure function of ``(seed, k)``, but comes from a counter-based integer hash
    turned into the truncated normal by the inverse CDF (:func:`noise`), so JAX and NumPy draw the same
    values; the individual draws differ from torch's. ``pct <= 1`` keeps the factor positive.

    Args:
      start: the first noisy step (>= 0).
      end: the step the noise stops at (``None``: never).
      pct: :math:`p \in (0, 1]`, the bound on :math:`|n_k|` (static).
      std: :math:`\sigma > 0` (static).
      seed: an integer (static).

    Returns:
      A :class:`~jaxsched.Schedule` of factors in :math:`(1 - p, 1 + p)`.

    Example:
      >>> import jaxsched
      >>> s = jaxsched.lr_noise(start=2, end=4, pct=0.5, seed=1)
      >>> v = s.numpy(range(6))
      >>> v[[0, 1, 4, 5]].tolist(), bool(abs(v[2] - 1) < 0.5 and v[2] != 1)
      ([1.0, 1.0, 1.0, 1.0], True)
    """

    start: StepCount = steps(default=0)
    end: StepCount | None = steps(default=None)
    pct: float = static(default=0.67, converter=static_float(minimum=0.0, maximum=1.0, min_open=True))
    std: float = static(default=1.0, converter=static_float(minimum=0.0, min_open=True))
    seed: int = static(default=42, converter=integer_seed)

    examples = (
        {"start": 0},
        {"start": 100, "end": 500, "pct": 0.3, "std": 0.5, "seed": 7},
    )

    def _key_steps(self) -> list[Any]:
        return [self.start] if self.end is None else [self.start, self.end]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        inside = t.ge(bk.count(self.start))
        if self.end is not None:
            inside = inside & ~t.ge(bk.count(self.end))
        n = noise(bk, t, self.seed, self.pct, self.std)
        return bk.xp.where(inside, 1.0 + n, 1.0)


lr_noise = LrNoise

__all__ = ["LrNoise", "integer_seed", "lr_noise", "noise"]
