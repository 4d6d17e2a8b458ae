"""Independent float64 references of the native catalog's documented formulas.

Plain Python ``math`` on one step at a time, written from the docstrings (and optax/torch sources) and
deliberately naive: no shared code with the library, so a bug in a library helper cannot hide here.
"""

from __future__ import annotations

import bisect
import itertools
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


def polynomial(init_value, end_value, power, transition_steps, transition_begin=0, k_decay=1.0) -> Ref:
    def f(k):
        t = min(max(k - transition_begin, 0), transition_steps)
        if k_decay == 1.0:
            return (init_value - end_value) * (1 - t / transition_steps) ** power + end_value
        left = 1 - (mpmath.mpf(t) / transition_steps) ** k_decay
        return end_value + (init_value - end_value) * float(left**power)

    return f


def linear(init_value, end_value, transition_steps, transition_begin=0) -> Ref:
    return polynomial(init_value, end_value, 1, transition_steps, transition_begin)


def exponential_decay(
    init_value, transition_steps, decay_rate, transition_begin=0, staircase=False, end_value=None
) -> Ref:
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


def warmup_cosine_decay(
    init_value,
    peak_value,
    warmup_steps,
    decay_steps,
    end_value=0.0,
    exponent=1.0,
    k_decay=1.0,
    end_needs_peak=False,
) -> Ref:
    if end_needs_peak and peak_value == 0:  # optax's alpha = end / peak, 0 for a zero peak
        end_value = 0.0

    def f(k):
        if k < warmup_steps:
            return init_value + (peak_value - init_value) * k / warmup_steps
        t = min(k, decay_steps) - warmup_steps
        x = (mpmath.mpf(t) / (decay_steps - warmup_steps)) ** k_decay
        c = float((1 + mpmath.cos(mpmath.pi * x)) / 2)
        return end_value + (peak_value - end_value) * c**exponent

    return f


def warmup_linear_decay(init_value, peak_value, warmup_steps, decay_steps, end_value=0.0) -> Ref:
    def f(k):
        if k < warmup_steps:
            return init_value + (peak_value - init_value) * k / warmup_steps
        t = min(k, decay_steps) - warmup_steps
        return peak_value + (end_value - peak_value) * t / (decay_steps - warmup_steps)

    return f


def warmup_exponential_decay(
    init_value,
    peak_value,
    warmup_steps,
    transition_steps,
    decay_rate,
    transition_begin=0,
    staircase=False,
    end_value=None,
) -> Ref:
    decay = exponential_decay(
        peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value
    )

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


def warmup_stable_decay(
    peak_value,
    warmup_steps,
    total_steps,
    decay_steps,
    init_value=0.0,
    end_value=0.0,
    warmup_shape="linear",
    decay_shape="linear",
) -> Ref:
    if isinstance(decay_steps, float) and 0 < decay_steps < 1:
        decay_steps = max(1, round(decay_steps * total_steps))
    start = total_steps - decay_steps

    def f(k):
        if k < warmup_steps:
            p = k / warmup_steps
            w = {"linear": p, "cosine": 0.5 * (1 - math.cos(math.pi * p)), "1-sqrt": 1 - math.sqrt(1 - p)}[
                warmup_shape
            ]
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
            return end_value + (peak_value - end_value) * float(
                2 * mpmath.mpf(0.5) ** (mpmath.mpf(k - start) / decay_steps) - 1
            )
        d = {"linear": 1 - p, "cosine": 0.5 * (1 + math.cos(math.pi * p)), "1-sqrt": 1 - math.sqrt(p)}[
            decay_shape
        ]
        return end_value + (peak_value - end_value) * d

    return f


def cosine_restarts(
    init_value,
    first_period,
    period_mult=1.0,
    peak_decay=1.0,
    end_value=0.0,
    max_cycles=None,
    warmup_steps=0,
    amplitude_decay=False,
) -> Ref:
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


def _nested(x: Any) -> Ref:
    """A nested schedule given as a config dict (as in the examples), by its own reference."""
    return reference(x["name"], **{k: v for k, v in x.items() if k != "name"})


def cyclic(
    base_value,
    max_value,
    step_size_up,
    step_size_down=None,
    mode="triangular",
    gamma=1.0,
    shape="linear",
    scale=None,
    scale_mode="cycle",
) -> Ref:
    # torch.optim.lr_scheduler.CyclicLR.get_lr, transcribed in exact rational arithmetic (torch's
    # float version loses ~1e-9 relative at steps near 2**31); the cosine shape maps the ramp fraction p
    # to (1 - cos(pi p)) / 2, at 40 digits.
    from fractions import Fraction

    down = step_size_down if step_size_down is not None else step_size_up
    total = Fraction(step_size_up) + Fraction(down)
    ratio = Fraction(step_size_up) / total
    g_of = None if scale is None else _nested(scale)

    def f(k):
        cycle = math.floor(1 + k / total)
        x = 1 + k / total - cycle
        p = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        if shape == "cosine":
            height = (1 - mpmath.cos(mpmath.pi * mpmath.mpf(p.numerator) / p.denominator)) / 2
        else:
            height = mpmath.mpf(p.numerator) / p.denominator
        if g_of is not None:
            g = mpmath.mpf(g_of(cycle - 1 if scale_mode == "cycle" else k))
        elif mode == "triangular":
            g = mpmath.mpf(1)
        elif mode == "triangular2":
            g = mpmath.ldexp(1, -(cycle - 1))
        else:
            g = mpmath.mpf(gamma) ** k
        return float(mpmath.mpf(base_value) + (mpmath.mpf(max_value) - base_value) * height * g)

    return f


def one_cycle(
    transition_steps,
    peak_value,
    pct_start=0.3,
    div_factor=25.0,
    final_div_factor=1e4,
    anneal="cos",
    three_phase=False,
    after_end="hold",
    short_rise=False,
    initial_value=None,
    final_value=None,
) -> Ref:
    # torch.optim.lr_scheduler.OneCycleLR.get_lr, transcribed, holding the value after T - 1 (after T,
    # having extrapolated the last phase at T, floored at 0, with after_end="extrapolate").
    T = transition_steps
    initial = peak_value / div_factor if initial_value is None else initial_value
    final = initial / final_div_factor if final_value is None else final_value
    if three_phase:
        phases = [
            (pct_start * T - 1, initial, peak_value),
            (2 * pct_start * T - 2, peak_value, initial),
            (T - 1, initial, final),
        ]
    else:
        phases = [(pct_start * T - 1, initial, peak_value), (T - 1, peak_value, final)]

    def ann(a, b, p):
        if anneal == "cos":
            return b + (a - b) * float((1 + mpmath.cos(mpmath.pi * p)) / 2)
        return (b - a) * p + a

    def f(k):
        if k > T or (k >= T - 1 and not (k == T and after_end == "extrapolate")):
            return final
        start = 0.0
        for i, (end, a, b) in enumerate(phases):
            if k <= end or i == len(phases) - 1:
                return max(ann(a, b, (mpmath.mpf(k) - start) / (mpmath.mpf(end) - start)), 0.0)
            start = end
        raise AssertionError

    return f


def affine_recurrence(
    values, start, period, rates=(), counts=(), gains=None, offsets=None, delays=None, source=None
) -> Ref:
    # The documented rule: the table below start + period, then (prod rate**(q n)) * b_r at 40 digits.
    N = start + period
    g_of = None if source is None else _nested(source)

    def f(k):
        if k < N:
            return values[k]
        q, r = divmod(k - start, period)
        if gains is None:
            b = mpmath.mpf(values[start + r])
        else:
            g = 1.0 if g_of is None else g_of(max(k - (delays[r] if delays else 0), 0))
            b = mpmath.mpf(gains[r]) * g + offsets[r]
        for rate, n in zip(rates, counts, strict=True):
            b *= mpmath.mpf(rate) ** (q * n)
        return float(b)

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


def exponential_warmup(timescale, peak_value=1.0, offset=1) -> Ref:
    return lambda k: peak_value * float(-mpmath.expm1(-mpmath.mpf(k + offset) / timescale))


def radam_warmup(beta2=0.999) -> Ref:
    """RAdam's rectification term at t = k + offset, in 40-digit arithmetic; the offset as RAdam finds it
    (float64 rho_t > 4)."""
    rho_inf64 = 2.0 / (1.0 - beta2) - 1.0
    offset = 1
    while rho_inf64 - 2 * offset * beta2**offset / (1 - beta2**offset) <= 4:
        offset += 1
    b = mpmath.mpf(beta2)
    rho_inf = 2 / (1 - b) - 1

    def f(k):
        t = k + offset
        rho = rho_inf - 2 * t * b**t / (1 - b**t)
        if rho <= 4:  # the float64 offset one step early (beta2 within ~1e-7 of 1): no real value, 0
            return 0.0
        return float(mpmath.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)))

    return f


def _sorted_points(points) -> list[tuple[float, float]]:
    items = points.items() if isinstance(points, dict) else points
    return sorted((float(b), float(v)) for b, v in items)


def piecewise_linear(points) -> Ref:
    pts = _sorted_points(points)

    def f(k):
        if k <= pts[0][0]:
            return pts[0][1]
        for (b0, v0), (b1, v1) in itertools.pairwise(pts):
            if b0 <= k < b1:
                p = (mpmath.mpf(k) - b0) / (mpmath.mpf(b1) - b0)
                return float(mpmath.mpf(v0) + (mpmath.mpf(v1) - v0) * p)
        return pts[-1][1]

    return f


def annealing_cycles(
    start_value,
    end_value,
    cycle_size,
    cycle_mult=1.0,
    start_value_mult=1.0,
    end_value_mult=1.0,
    warmup_duration=0,
    shape="cos",
) -> Ref:
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
        g = {
            "cos": lambda: (1 - mpmath.cos(mpmath.pi * x)) / 2,
            "linear": lambda: x,
            "triangle": lambda: 1 - abs(1 - 2 * x),
        }[shape]()
        return float(a + (b - a) * g)

    return f


def progress_interpolate(
    start_value, end_value, total_steps, shape="linear", power=1.0, offset=0, hold_from=None
) -> Ref:
    D = max(1, total_steps - 1)
    N = D - offset if hold_from is None else hold_from

    def f(k):
        p = mpmath.mpf(min(k, N) + offset) / D
        if shape == "linear":
            x = p
        elif shape == "cosine":
            x = (1 - mpmath.cos(mpmath.pi * p)) / 2
        elif p <= 1 or float(power).is_integer():
            x = 1 - (1 - p) ** power
        else:  # a fractional power past the end: the end value
            x = 1
        return max(0.0, float(start_value + x * (end_value - start_value)))

    return f


def piecewise_cosine(points) -> Ref:
    pts = _sorted_points(points)

    def f(k):
        if k <= pts[0][0]:
            return pts[0][1]
        for (b0, v0), (b1, v1) in itertools.pairwise(pts):
            if b0 <= k < b1:
                c = (1 + mpmath.cos(mpmath.pi * (mpmath.mpf(k) - b0) / (mpmath.mpf(b1) - b0))) / 2
                return float(mpmath.mpf(v1) + (mpmath.mpf(v0) - v1) * c)
        return pts[-1][1]

    return f


def inverse_power(init_value, timescale, exponent=0.5, end_value=0.0) -> Ref:
    def f(k):
        r = mpmath.mpf(timescale) / (mpmath.mpf(timescale) + k)
        return float(end_value + (init_value - end_value) * r ** mpmath.mpf(exponent))

    return f


def fraction_step_decay(
    init_value,
    decay_rate,
    total_steps,
    interval=None,
    fractions=None,
    end_value=0.0,
    offset=0,
    hold_from=None,
    digits=10,
) -> Ref:
    N = total_steps - offset if hold_from is None else hold_from

    def f(k):
        progress = (min(k, N) + offset) / total_steps
        if fractions is not None:
            j = sum(1 for x in fractions if x <= progress)
        else:
            x = progress / interval
            j = int(x if digits is None else round(x, digits))
        return end_value + (init_value - end_value) * decay_rate**j

    return f


def restarts(
    init_value,
    first_period,
    period_mult=1.0,
    peak_decay=1.0,
    end_value=0.0,
    max_cycles=None,
    shape="cosine",
    k_decay=1.0,
    power=1.0,
    lower=-7.0,
    upper=3.0,
) -> Ref:
    # timm's _get_lr (cosine_lr.py, tanh_lr.py, poly_lr.py), with the cycle found by walking the float64
    # starts T0 (1 - m**i) / (1 - m) (timm's own expression) instead of timm's float log, in 40 digits.
    def start(i):
        if period_mult == 1:
            return i * first_period
        return (1 - period_mult**i) / (1 - period_mult) * first_period

    def f(k):
        i = k // first_period if period_mult == 1 else 0
        while k >= start(i + 1):
            i += 1
        if max_cycles is not None and i >= max_cycles:
            return end_value
        length = first_period * period_mult**i
        x = (mpmath.mpf(k) - mpmath.mpf(start(i))) / mpmath.mpf(length)
        if shape == "cosine":
            g = (1 + mpmath.cos(mpmath.pi * x**k_decay)) / 2
        elif shape == "tanh":
            g = (1 - mpmath.tanh(lower * (1 - x) + upper * x)) / 2
        else:
            g = (1 - x**k_decay) ** power
        peak = mpmath.mpf(init_value) * mpmath.mpf(peak_decay) ** i
        return float(end_value + (peak - end_value) * g)

    return f


def piecewise_constant_points(points) -> Ref:
    pts = _sorted_points(points)

    def f(k):
        out = pts[0][1]
        for b, v in pts:
            if k >= b:
                out = v
        return out

    return f


def cosine_cycles(init_value, decay_steps, num_cycles=0.5, end_value=0.0, restart=False, offset=0) -> Ref:
    # transformers' _get_cosine_schedule_with_warmup_lr_lambda (waves) and the hard-restarts lambda, with
    # the progress in exact rational arithmetic and the cosine in 40 digits.
    from fractions import Fraction

    def f(k):
        y = Fraction(num_cycles) * (k + Fraction(offset)) / Fraction(decay_steps)
        y -= y.numerator // y.denominator
        y = mpmath.mpf(y.numerator) / y.denominator
        h = (1 + mpmath.cos(mpmath.pi * y)) / 2 if restart else (1 + mpmath.cos(2 * mpmath.pi * y)) / 2
        return float(end_value + (init_value - end_value) * h)

    return f


def rsqrt_decay(peak_value, timescale=1.0, begin=0, min_steps=1.0) -> Ref:
    def f(k):
        x = max(mpmath.mpf(k) - mpmath.mpf(begin), mpmath.mpf(min_steps))
        return float(peak_value * mpmath.sqrt(mpmath.mpf(timescale) / x))

    return f


def warmup_onto(schedule, warmup_steps, init_value=0.0) -> Ref:
    inner = reference(schedule["name"], **{k: x for k, x in schedule.items() if k != "name"})

    def f(k):
        if k < warmup_steps:
            return init_value + (inner(warmup_steps) - init_value) * k / warmup_steps
        return inner(k)

    return f


def lr_noise(start=0, end=None, pct=0.67, std=1.0, seed=42) -> Ref:
    # The documented draw: u from Wellons' lowbias32 hash of (seed, k), then the truncated normal's inverse
    # CDF in 40 digits (the library's erfinv is a float32 polynomial, good to ~4e-7).
    def mix(x):
        x ^= x >> 16
        x = (x * 0x7FEB352D) & 0xFFFFFFFF
        x ^= x >> 15
        x = (x * 0x846CA68B) & 0xFFFFFFFF
        return x ^ (x >> 16)

    key = mix(seed % 2**32)
    edge = mpmath.erf(mpmath.mpf(pct) / (mpmath.sqrt(2) * std))

    def f(k):
        if k < start or (end is not None and k >= end):
            return 1.0
        u = ((mix((k & 0xFFFFFFFF) ^ key) >> 8) + mpmath.mpf(0.5)) * mpmath.mpf(2) ** -24
        return float(1 + mpmath.sqrt(2) * std * mpmath.erfinv((2 * u - 1) * edge))

    return f


def linear_from(schedule, at_step, end_value, transition_steps) -> Ref:
    """``schedule`` is the config of a catalog schedule with a reference here."""
    cfg = dict(schedule)
    start = reference(cfg.pop("name"), **cfg)(at_step)

    def f(k):
        p = min(k, transition_steps) / mpmath.mpf(transition_steps)
        return float(end_value + (start - end_value) * (1 - p))

    return f


REFERENCES: dict[str, Callable[..., Ref]] = {
    name: fn
    for name, fn in list(globals().items())
    if callable(fn)
    and not name.startswith("_")
    and name not in {"Ref", "Callable", "Any"}
    and getattr(fn, "__module__", None) == __name__
}


def reference(name: str, **kwargs: Any) -> Ref:
    return REFERENCES[name](**kwargs)
