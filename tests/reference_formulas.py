"""Independent float64 references of the native catalog's documented formulas.

Plain Python ``math`` on one step at a time, written from the docstrings (and optax/torch sources) and
deliberately naive: no shared code with the library, so a bug in a library helper cannot hide here.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any

import mpmath

Ref = Callable[[int], float]
mpmath.mp.dps = 40


def _half_cos(num: float, den: float) -> float:
    """(1 + cos(pi * num / den)) / 2 in 40-digit arithmetic, so the reference has no cancellation."""
    return float((1 + mpmath.cos(mpmath.pi * mpmath.mpf(num) / mpmath.mpf(den))) / 2)


def constant(value: float) -> Ref:
    return lambda k: value


def polynomial(init_value, end_value, power, transition_steps, transition_begin=0) -> Ref:
    def f(k):
        t = min(max(k - transition_begin, 0), transition_steps)
        return (init_value - end_value) * (1 - t / transition_steps) ** power + end_value

    return f


def linear(init_value, end_value, transition_steps, transition_begin=0) -> Ref:
    return polynomial(init_value, end_value, 1, transition_steps, transition_begin)


def exponential_decay(init_value, transition_steps, decay_rate, transition_begin=0, staircase=False,
                      end_value=None) -> Ref:
    def f(k):
        d = k - transition_begin
        if d <= 0:
            v = init_value
        else:
            p = d / transition_steps
            if staircase:
                p = math.floor(p)
            v = init_value * decay_rate**p
        if end_value is not None:
            v = max(v, end_value) if decay_rate < 1 else min(v, end_value)
        return v

    return f


def inverse_time_decay(init_value, decay_steps, decay_rate, staircase=False) -> Ref:
    def f(k):
        p = k / decay_steps
        if staircase:
            p = math.floor(p)
        return init_value / (1 + decay_rate * p)

    return f


def step_decay(init_value, step_size, decay_rate) -> Ref:
    return lambda k: init_value * decay_rate ** (k // step_size)


def multistep_decay(init_value, milestones, decay_rate) -> Ref:
    ms = sorted(milestones)
    return lambda k: init_value * decay_rate ** bisect.bisect_right(ms, k)


def piecewise_constant(init_value, boundaries_and_scales=None) -> Ref:
    items = sorted((int(b), s) for b, s in (boundaries_and_scales or {}).items())

    def f(k):
        v = init_value
        for b, s in items:
            if k >= b:
                v *= s
        return v

    return f


def piecewise_interpolate(interpolate_type, init_value, boundaries_and_scales=None) -> Ref:
    items = sorted((int(b), s) for b, s in (boundaries_and_scales or {}).items())
    bounds = [0] + [b for b, _ in items]
    values = [init_value]
    for _, s in items:
        values.append(values[-1] * s)

    def f(k):
        for i in range(len(bounds) - 1):
            if bounds[i] <= k < bounds[i + 1]:
                size = max(bounds[i + 1] - bounds[i], 1)
                pct = (k - bounds[i]) / size
                a, b = values[i], values[i + 1]
                if interpolate_type == "linear":
                    return a + (b - a) * pct
                return b + (a - b) * _half_cos(k - bounds[i], size)
        return values[-1]

    return f


def cosine_decay(init_value, decay_steps, alpha=0.0, exponent=1.0, k_decay=1.0) -> Ref:
    def f(k):
        t = min(k, decay_steps)
        if k_decay == 1.0:
            c = _half_cos(t, decay_steps)
        else:
            c = float((1 + mpmath.cos(mpmath.pi * (mpmath.mpf(t) / decay_steps) ** k_decay)) / 2)
        return init_value * ((1 - alpha) * c**exponent + alpha)

    return f


def warmup_constant(init_value, peak_value, warmup_steps) -> Ref:
    def f(k):
        if k < warmup_steps:
            return init_value + (peak_value - init_value) * k / warmup_steps
        return peak_value

    return f


def warmup_cosine_decay(init_value, peak_value, warmup_steps, decay_steps, end_value=0.0,
                        exponent=1.0) -> Ref:
    def f(k):
        if k < warmup_steps:
            return init_value + (peak_value - init_value) * k / warmup_steps
        t = min(k, decay_steps) - warmup_steps
        c = _half_cos(t, decay_steps - warmup_steps)
        return end_value + (peak_value - end_value) * c**exponent

    return f


def warmup_linear_decay(init_value, peak_value, warmup_steps, decay_steps, end_value=0.0) -> Ref:
    def f(k):
        if k < warmup_steps:
            return init_value + (peak_value - init_value) * k / warmup_steps
        t = min(k, decay_steps) - warmup_steps
        return peak_value + (end_value - peak_value) * t / (decay_steps - warmup_steps)

    return f


def warmup_exponential_decay(init_value, peak_value, warmup_steps, transition_steps, decay_rate,
                             transition_begin=0, staircase=False, end_value=None) -> Ref:
    decay = exponential_decay(peak_value, transition_steps, decay_rate, transition_begin, staircase,
                              end_value)

    def f(k):
        if k < warmup_steps:
            return init_value + (peak_value - init_value) * k / warmup_steps
        return decay(k - warmup_steps)

    return f


def inverse_sqrt(peak_value, warmup_steps, timescale=None, init_value=0.0) -> Ref:
    tau = timescale if timescale is not None else (warmup_steps or 10_000)

    def f(k):
        if k < warmup_steps:
            return init_value + (peak_value - init_value) * k / warmup_steps
        return peak_value / math.sqrt((k - warmup_steps + tau) / tau)

    return f


def noam(model_size, warmup_steps, scale=1.0) -> Ref:
    def f(k):
        n = k + 1
        return scale * model_size**-0.5 * min(n**-0.5, n * warmup_steps**-1.5)

    return f


def warmup_stable_decay(peak_value, warmup_steps, total_steps, decay_steps, init_value=0.0,
                        end_value=0.0, warmup_shape="linear", decay_shape="linear") -> Ref:
    if isinstance(decay_steps, float) and 0 < decay_steps < 1:
        decay_steps = max(1, round(decay_steps * total_steps))
    start = total_steps - decay_steps

    def f(k):
        if k < warmup_steps:
            p = k / warmup_steps
            w = {"linear": p, "cosine": 0.5 * (1 - math.cos(math.pi * p)),
                 "1-sqrt": 1 - math.sqrt(1 - p)}[warmup_shape]
            return init_value + (peak_value - init_value) * w
        if k < start:
            return peak_value
        if k >= total_steps:
            return end_value
        p = (k - start) / decay_steps
        if decay_shape == "cosine":
            return end_value + (peak_value - end_value) * _half_cos(k - start, decay_steps)
        if decay_shape == "exponential":
            return peak_value * (end_value / peak_value) ** p
        if decay_shape == "2^(1-p)-1":  # Megatron's exponential WSD style, in 40 digits
            return end_value + (peak_value - end_value) * float(2 * mpmath.mpf(0.5) ** (
                mpmath.mpf(k - start) / decay_steps) - 1)
        d = {"linear": 1 - p, "cosine": 0.5 * (1 + math.cos(math.pi * p)),
             "1-sqrt": 1 - math.sqrt(p)}[decay_shape]
        return end_value + (peak_value - end_value) * d

    return f


def cosine_restarts(init_value, first_period, period_mult=1.0, peak_decay=1.0, end_value=0.0,
                    max_cycles=None, warmup_steps=0, amplitude_decay=False) -> Ref:
    def f(k):
        start, length, i = 0, first_period, 0
        while k >= start + length:
            start += length
            length *= period_mult
            i += 1
        if max_cycles is not None and i >= max_cycles:
            return end_value
        e = k - start
        peak = init_value * peak_decay**i
        if amplitude_decay:
            peak = end_value + (init_value - end_value) * peak_decay**i
        if e < warmup_steps:
            return end_value + (peak - end_value) * e / warmup_steps
        return end_value + (peak - end_value) * _half_cos(e - warmup_steps, length - warmup_steps)

    return f


def cyclic(base_value, max_value, step_size_up, step_size_down=None, mode="triangular",
           gamma=1.0) -> Ref:
    # torch.optim.lr_scheduler.CyclicLR.get_lr, transcribed in exact rational arithmetic (torch's
    # float version loses ~1e-9 relative at steps near 2**31).
    from fractions import Fraction

    down = step_size_down if step_size_down is not None else step_size_up
    total = Fraction(step_size_up) + Fraction(down)
    ratio = Fraction(step_size_up) / total

    def f(k):
        cycle = math.floor(1 + k / total)
        x = 1 + k / total - cycle
        scale = float(x / ratio if x <= ratio else (x - 1) / (ratio - 1))
        if mode == "triangular":
            g = 1.0
        elif mode == "triangular2":
            g = math.ldexp(1.0, -(cycle - 1)) if cycle < 1100 else 0.0
        else:
            g = float(mpmath.mpf(gamma) ** k)
        return base_value + (max_value - base_value) * scale * g

    return f


def one_cycle(transition_steps, peak_value, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
              anneal="cos", three_phase=False) -> Ref:
    # torch.optim.lr_scheduler.OneCycleLR.get_lr, transcribed, holding the value after T - 1.
    T = transition_steps
    initial = peak_value / div_factor
    final = initial / final_div_factor
    if three_phase:
        phases = [(pct_start * T - 1, initial, peak_value), (2 * pct_start * T - 2, peak_value, initial),
                  (T - 1, initial, final)]
    else:
        phases = [(pct_start * T - 1, initial, peak_value), (T - 1, peak_value, final)]

    def ann(a, b, p):
        if anneal == "cos":
            return b + (a - b) * float((1 + mpmath.cos(mpmath.pi * p)) / 2)
        return (b - a) * p + a

    def f(k):
        if k >= T - 1:
            return final
        start = 0.0
        for i, (end, a, b) in enumerate(phases):
            if k <= end or i == len(phases) - 1:
                return ann(a, b, (mpmath.mpf(k) - start) / (mpmath.mpf(end) - start))
            start = end
        raise AssertionError

    return f


def tanh_decay(init_value, decay_steps, end_value=0.0, lower=-7.0, upper=3.0) -> Ref:
    def f(k):
        r = min(k, decay_steps) / decay_steps
        x = lower * (1 - mpmath.mpf(r)) + upper * mpmath.mpf(r)
        return end_value + (init_value - end_value) * float((1 - mpmath.tanh(x)) / 2)

    return f


def polynomial_cycle(init_value, decay_steps, end_value=0.0, power=1.0) -> Ref:
    # Keras/TF PolynomialDecay(cycle=True): the horizon is the next multiple of decay_steps, in 40 digits.
    def f(k):
        H = decay_steps * max(1, math.ceil(mpmath.mpf(k) / decay_steps))
        return float(end_value + (init_value - end_value) * ((H - mpmath.mpf(k)) / H) ** power)

    return f


def annealing_cycles(start_value, end_value, cycle_size, cycle_mult=1.0, start_value_mult=1.0,
                     end_value_mult=1.0, warmup_duration=0, shape="cos") -> Ref:
    # Walks the cycles as pytorch-ignite's CyclicalScheduler does (lengths int(C * mult)).
    def f(k):
        start, C, W, i = 0, cycle_size, warmup_duration, 0
        while k >= start + C + W:
            start, C, W, i = start + C + W, int(C * cycle_mult), int(W * cycle_mult), i + 1
        a = mpmath.mpf(start_value) * mpmath.mpf(start_value_mult) ** i
        b = mpmath.mpf(end_value) * mpmath.mpf(end_value_mult) ** i
        e = k - start
        if e >= C:
            a_next = a * start_value_mult
            return float(b + (a_next - b) * mpmath.mpf(e - C) / W)
        x = mpmath.mpf(e) / C
        g = {"cos": lambda: (1 - mpmath.cos(mpmath.pi * x)) / 2, "linear": lambda: x,
             "triangle": lambda: 1 - abs(1 - 2 * x)}[shape]()
        return float(a + (b - a) * g)

    return f


def inverse_power(init_value, timescale, exponent=0.5, end_value=0.0) -> Ref:
    def f(k):
        r = mpmath.mpf(timescale) / (mpmath.mpf(timescale) + k)
        return float(end_value + (init_value - end_value) * r ** mpmath.mpf(exponent))

    return f


REFERENCES: dict[str, Callable[..., Ref]] = {
    name: fn for name, fn in list(globals().items())
    if callable(fn) and not name.startswith("_") and name not in {"Ref", "Callable", "Any"}
    and getattr(fn, "__module__", None) == __name__
}


def reference(name: str, **kwargs: Any) -> Ref:
    return REFERENCES[name](**kwargs)
