"""Hypothesis strategies: valid and invalid arguments for every registered schedule.

``VALID[name]`` draws keyword arguments that must construct a schedule of the native catalog or a
combinator (value-like arguments are non-negative, so the schedule must never be negative either).
``FIELDS[name]`` says what kind each argument is, and ``BAD[kind]`` lists values that must be rejected for
that kind of argument; ``CROSS[name]`` adds invalid combinations of otherwise valid arguments, each with
the argument the error must name. Ports (``compat.*``) get valid configurations by perturbing their
``examples`` (:func:`perturbed_example`), and invalid ones by putting non-finite or mistyped values into
them (:data:`PORT_BAD`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import jaxsched
from jaxsched import MAX_STEP
from jaxsched._shapes import DECAY_SHAPES

Kwargs = dict[str, Any]
NAN, INF = float("nan"), float("inf")

# -- steps ----------------------------------------------------------------------------------------------

EDGE_STEPS = (
    0,
    1,
    2,
    3,
    7,
    2**24 - 1,
    2**24,
    2**24 + 1,
    2**30,
    MAX_STEP - 2,
    MAX_STEP - 1,
    MAX_STEP,
    2**31,
    2**32 + 5,
    2**40,
    10**18,
    2**70,
    -1,
    -(2**31),
    -(10**20),
)
"""Integer steps every schedule must survive: the start, float32's 2**24, int32's end and far beyond it,
and negative steps (treated as 0)."""

EDGE_FLOAT_STEPS = (
    0.0,
    0.5,
    1.0 - 1e-9,
    2.5,
    2.0**24 + 0.5,
    2.0**31 - 1.5,
    2.0**31,
    1e12,
    1e300,
    INF,
    -0.5,
    -INF,
    NAN,
)

int_steps = st.lists(
    st.one_of(st.sampled_from(EDGE_STEPS), st.integers(0, 1000), st.integers(0, MAX_STEP)),
    min_size=1,
    max_size=10,
)
float_steps = st.lists(
    st.one_of(st.sampled_from(EDGE_FLOAT_STEPS), st.floats(0.0, 2.0**31, allow_nan=False)),
    min_size=1,
    max_size=6,
)


def steps_around(schedule: jaxsched.Schedule, drawn: list[int]) -> np.ndarray:
    """The drawn steps plus each key step of ``schedule`` and its neighbours: an object array of
    :data:`STEP_COUNT` Python ints."""
    keys = schedule.key_steps()
    extra = [k + d for k in keys[:16] for d in (-1, 0, 1)]
    out = [*drawn, *extra]
    return np.asarray(fixed_size(out, STEP_COUNT), dtype=object)


STEP_COUNT = 48
FLOAT_STEP_COUNT = 16


def fixed_size(items: list[Any], n: int) -> list[Any]:
    """``items`` cut or cycled to length ``n``: arrays of one shape keep JAX's per-shape op cache warm."""
    return [items[i % len(items)] for i in range(n)] if len(items) < n else list(items[:n])


# -- argument values ------------------------------------------------------------------------------------

values = st.one_of(  # a learning rate or other non-negative hyperparameter value (float32-representable)
    st.sampled_from([0.0, 1e-30, 1e-8, 1e-3, 0.1, 1.0, 3.0, 1e4]),
    st.floats(1e-30, 1e4),
)
positives = st.one_of(st.sampled_from([1e-6, 1e-3, 0.5, 1.0, 2.0, 1e4]), st.floats(1e-6, 1e4))
rates = st.one_of(st.sampled_from([0.0, 1e-6, 0.5, 0.9999, 1.0]), st.floats(0.0, 1.0))
positive_rates = st.one_of(st.sampled_from([1e-6, 0.5, 0.9999, 1.0]), st.floats(1e-6, 1.0))
exponents = st.one_of(st.sampled_from([1e-3, 0.5, 1.0, 2.0, 10.0]), st.floats(1e-3, 10.0))


def durations(minimum: int = 1, *, huge: bool = True) -> st.SearchStrategy[int]:
    """A number of steps: small, or anywhere up to the last step ``2**31 - 1`` (durations beyond it are
    refused at construction; ``huge`` is kept for call sites that asked for the far end)."""
    big = [minimum, MAX_STEP - 1, MAX_STEP]
    return st.one_of(
        st.integers(minimum, minimum + 100), st.integers(minimum, MAX_STEP), st.sampled_from(big)
    )


def float_durations(minimum: float = 1.0) -> st.SearchStrategy[Any]:
    """Durations that may be fractional (allowed where the validator takes ``integer=False``)."""
    return st.one_of(durations(math.ceil(minimum)), st.floats(minimum, 1e7), st.just(2.5))


begins = st.one_of(st.integers(0, 100), st.integers(0, MAX_STEP), st.sampled_from([0, MAX_STEP]))


@st.composite
def _warmup_then(draw: st.DrawFn, huge: bool = True) -> tuple[int, int]:
    """``(warmup_steps, decay_steps)`` with ``warmup_steps < decay_steps``."""
    decay = draw(durations(1, huge=huge))
    warm = draw(
        st.one_of(
            st.just(0), st.integers(0, min(decay - 1, 100)), st.integers(0, decay - 1), st.just(decay - 1)
        )
    )
    return warm, decay


def _boundaries_and_scales() -> st.SearchStrategy[Any]:
    keys = st.one_of(st.integers(0, 200), st.integers(0, MAX_STEP), st.sampled_from([0, MAX_STEP]))
    scales = st.one_of(st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.0, 10.0]), st.floats(0.0, 10.0))
    return st.one_of(st.none(), st.dictionaries(keys, scales, max_size=5))


# -- valid arguments, per native schedule -------------------------------------------------------------


@st.composite
def _constant(draw: st.DrawFn) -> Kwargs:
    return {"value": draw(values)}


@st.composite
def _linear(draw: st.DrawFn) -> Kwargs:
    return {
        "init_value": draw(values),
        "end_value": draw(values),
        "transition_steps": draw(float_durations()),
        "transition_begin": draw(begins),
    }


@st.composite
def _polynomial(draw: st.DrawFn) -> Kwargs:
    return {**draw(_linear()), "power": draw(exponents), "k_decay": draw(st.one_of(st.just(1.0), exponents))}


@st.composite
def _exponential_decay(draw: st.DrawFn) -> Kwargs:
    kw: Kwargs = {
        "init_value": draw(values),
        "transition_steps": draw(float_durations()),
        "transition_begin": draw(begins),
        "staircase": draw(st.booleans()),
    }
    if draw(st.booleans()):  # decay, optionally floored
        kw["decay_rate"] = draw(positive_rates)
        kw["end_value"] = draw(st.one_of(st.none(), values))
    else:  # growth needs its ceiling to stay finite
        kw["decay_rate"] = draw(st.floats(1.0, 10.0))
        kw["end_value"] = draw(values)
    return kw


@st.composite
def _inverse_time_decay(draw: st.DrawFn) -> Kwargs:
    return {
        "init_value": draw(values),
        "decay_steps": draw(float_durations()),
        "decay_rate": draw(st.one_of(st.just(0.0), positives)),
        "staircase": draw(st.booleans()),
    }


@st.composite
def _step_decay(draw: st.DrawFn) -> Kwargs:
    return {"init_value": draw(values), "step_size": draw(float_durations()), "decay_rate": draw(rates)}


@st.composite
def _multistep_decay(draw: st.DrawFn) -> Kwargs:
    ms = draw(
        st.lists(st.one_of(st.integers(0, 100), st.integers(0, MAX_STEP), st.just(MAX_STEP)), max_size=6)
    )  # (a milestone past the last step is refused: CROSS)
    return {"init_value": draw(values), "milestones": ms, "decay_rate": draw(rates)}


@st.composite
def _piecewise_constant(draw: st.DrawFn) -> Kwargs:
    return {"init_value": draw(values), "boundaries_and_scales": draw(_boundaries_and_scales())}


@st.composite
def _piecewise_interpolate(draw: st.DrawFn) -> Kwargs:
    return {"interpolate_type": draw(st.sampled_from(["linear", "cosine"])), **draw(_piecewise_constant())}


@st.composite
def _cosine_decay(draw: st.DrawFn) -> Kwargs:
    return {
        "init_value": draw(values),
        "decay_steps": draw(float_durations()),
        "alpha": draw(st.one_of(rates, st.floats(0.0, 3.0))),
        "exponent": draw(exponents),
        "k_decay": draw(exponents),
    }


@st.composite
def _warmup_constant(draw: st.DrawFn) -> Kwargs:
    return {
        "init_value": draw(values),
        "peak_value": draw(values),
        "warmup_steps": draw(st.one_of(st.just(0), durations())),
    }


@st.composite
def _warmup_cosine_decay(draw: st.DrawFn) -> Kwargs:
    # decay_steps past 2**31 - 1 with warmup_steps near it: see test_fuzz.test_phase_ending_past_int32
    w, d = draw(_warmup_then(huge=False))
    return {
        "init_value": draw(values),
        "peak_value": draw(values),
        "warmup_steps": w,
        "decay_steps": d,
        "end_value": draw(values),
        "exponent": draw(exponents),
        "k_decay": draw(exponents),
        "end_needs_peak": draw(st.booleans()),
    }


@st.composite
def _warmup_linear_decay(draw: st.DrawFn) -> Kwargs:
    w, d = draw(_warmup_then(huge=False))  # (as _warmup_cosine_decay)
    return {
        "init_value": draw(values),
        "peak_value": draw(values),
        "warmup_steps": w,
        "decay_steps": d,
        "end_value": draw(values),
    }


@st.composite
def _warmup_exponential_decay(draw: st.DrawFn) -> Kwargs:
    decay = draw(_exponential_decay())
    return {
        "init_value": draw(values),
        "peak_value": decay.pop("init_value"),
        "warmup_steps": draw(st.one_of(st.just(0), durations())),
        **decay,
    }


@st.composite
def _inverse_sqrt(draw: st.DrawFn) -> Kwargs:
    return {
        "peak_value": draw(values),
        "warmup_steps": draw(st.one_of(st.just(0), durations())),
        "timescale": draw(st.one_of(st.none(), positives, st.just(1e9))),
        "init_value": draw(values),
    }


@st.composite
def _noam(draw: st.DrawFn) -> Kwargs:
    return {
        "model_size": draw(st.one_of(st.sampled_from([1, 512, 8192]), st.floats(1e-3, 1e5))),
        "warmup_steps": draw(st.one_of(durations(), st.floats(1e-3, 1e7))),
        "scale": draw(values),
    }


@st.composite
def _warmup_stable_decay(draw: st.DrawFn) -> Kwargs:
    total = draw(durations(1, huge=False))
    if draw(st.booleans()):
        decay: Any = draw(st.floats(0.0, 1.0, exclude_min=True, exclude_max=True))
        d = max(1, round(decay * total))
        if d > total:  # a fraction of a 1-step run rounds to 1
            decay, d = total, total
    else:
        decay = d = draw(st.one_of(st.integers(1, total), st.just(total), st.just(1)))
    warm = draw(st.one_of(st.just(0), st.integers(0, total - d), st.just(total - d)))
    shape = draw(st.sampled_from(["linear", "cosine", "1-sqrt", "exponential", "2^(1-p)-1"]))
    peak, end = (draw(positives), draw(positives)) if shape == "exponential" else (draw(values), draw(values))
    return {
        "peak_value": peak,
        "warmup_steps": warm,
        "total_steps": total,
        "decay_steps": decay,
        "init_value": draw(values),
        "end_value": end,
        "warmup_shape": draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
        "decay_shape": shape,
    }


@st.composite
def _cosine_restarts(draw: st.DrawFn) -> Kwargs:
    first = draw(durations(1, huge=False))
    return {
        "init_value": draw(values),
        "first_period": first,
        "period_mult": draw(st.one_of(st.sampled_from([1.0, 2.0, 3, 1.5, 1.0001]), st.floats(1.0, 4.0))),
        "peak_decay": draw(positive_rates),
        "end_value": draw(values),
        "max_cycles": draw(st.one_of(st.none(), st.integers(1, 40))),
        "warmup_steps": draw(st.one_of(st.just(0), st.integers(0, first - 1))),
        "amplitude_decay": draw(st.booleans()),
    }


@st.composite
def _restarts(draw: st.DrawFn) -> Kwargs:
    lower = draw(st.floats(-50.0, 49.0))
    return {
        "init_value": draw(values),
        "first_period": draw(durations(1, huge=False)),
        "period_mult": draw(st.one_of(st.sampled_from([1.0, 2.0, 3, 1.5, 1.05]), st.floats(1.05, 4.0))),
        "peak_decay": draw(rates),
        "end_value": draw(values),
        "max_cycles": draw(st.one_of(st.none(), st.integers(1, 40))),
        "shape": draw(st.sampled_from(["cosine", "tanh", "polynomial"])),
        "k_decay": draw(exponents),
        "power": draw(exponents),
        "lower": lower,
        "upper": draw(st.floats(lower + 0.5, 50.0)),
    }


@st.composite
def _cosine_cycles(draw: st.DrawFn) -> Kwargs:
    return {
        "init_value": draw(values),
        "decay_steps": draw(float_durations()),
        "num_cycles": draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0, 1.3, 3.0]), st.floats(0.0, 100.0))),
        "end_value": draw(values),
        "restart": draw(st.booleans()),
        "offset": draw(st.one_of(st.just(0), st.integers(0, MAX_STEP), st.floats(0.0, 1e9))),
    }


@st.composite
def _lr_noise(draw: st.DrawFn) -> Kwargs:
    start = draw(begins)
    return {
        "start": start,
        "end": draw(st.one_of(st.none(), st.integers(start, MAX_STEP))),
        "pct": draw(st.floats(1e-3, 1.0)),
        "std": draw(positives),
        "seed": draw(st.one_of(st.integers(-(2**40), 2**40), st.just(42))),
    }


def _cycle_sizes(minimum: int) -> st.SearchStrategy[Any]:
    """A ramp of a cyclic schedule: whole steps, or a fraction on the 1/256 grid with the cycle at most
    2**23 steps (finer or longer fractional cycles are refused: their positions would not be exact)."""
    grid = st.floats(float(max(minimum, 1)), 2.0**22).map(lambda x: round(x * 256) / 256)
    return st.one_of(durations(minimum), grid, st.just(2.5))


@st.composite
def _cyclic(draw: st.DrawFn) -> Kwargs:
    kw: Kwargs = {
        "base_value": draw(values),
        "max_value": draw(values),
        "step_size_up": draw(_cycle_sizes(1)),
        "step_size_down": draw(st.one_of(st.none(), _cycle_sizes(0))),
        "shape": draw(st.sampled_from(["linear", "cosine"])),
    }
    up, down = kw["step_size_up"], kw["step_size_down"]
    total = up + (up if down is None else down)
    if not float(total).is_integer() and total > 2**23:  # both ramps fractional and long: make them whole
        kw["step_size_up"] = math.floor(up)
        kw["step_size_down"] = None if down is None else math.floor(down)
    if draw(st.booleans()):
        kw["mode"] = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
        kw["gamma"] = draw(positive_rates)
    else:
        scale = draw(leaf_schedules())
        if kw["max_value"] < kw["base_value"]:  # an inverted wave scaled past 1 would go below 0
            scale = jaxsched.clip(scale, max_value=1.0)
        kw["scale"], kw["scale_mode"] = scale, draw(st.sampled_from(["cycle", "iterations"]))
    return kw


@st.composite
def _one_cycle(draw: st.DrawFn) -> Kwargs:
    total = draw(st.one_of(st.integers(10, 1000), st.integers(10, MAX_STEP), st.just(MAX_STEP)))
    three = draw(st.booleans())
    top = 0.45 if three else 0.95
    short = draw(st.booleans())
    # short_rise accepts a rise that ends before step 0 (pct_start * total < 1), all but exactly 1.
    pct = draw(st.floats(1e-12 if short else 2.0 / total, top))
    if short and pct * total - 1 == 0:
        pct = top
    return {
        "transition_steps": total,
        "peak_value": draw(values),
        "pct_start": pct,
        "div_factor": draw(positives),
        "final_div_factor": draw(positives),
        "anneal": draw(st.sampled_from(["cos", "linear"])),
        "three_phase": three,
        "after_end": draw(st.sampled_from(["hold", "extrapolate"])),
        "short_rise": short,
        "initial_value": draw(st.one_of(st.none(), values)),
        "final_value": draw(st.one_of(st.none(), values)),
    }


@st.composite
def _tanh_decay(draw: st.DrawFn) -> Kwargs:
    lower = draw(st.floats(-50.0, 49.0))
    return {
        "init_value": draw(values),
        "decay_steps": draw(float_durations()),
        "end_value": draw(values),
        "lower": lower,
        "upper": draw(st.floats(lower + 0.5, 50.0)),
    }


@st.composite
def _tri_stage(draw: st.DrawFn) -> Kwargs:
    warm = draw(st.one_of(st.just(0), durations()))
    hold = draw(
        st.one_of(st.just(0), st.integers(0, 100), st.integers(0, MAX_STEP - warm), st.just(MAX_STEP - warm))
    )
    hold = min(hold, MAX_STEP - warm)  # (a decay starting past the last step: CROSS)
    return {
        "peak_value": draw(positives),
        "warmup_steps": warm,
        "hold_steps": hold,
        "decay_steps": draw(durations()),
        "init_lr_scale": draw(rates),
        "final_lr_scale": draw(positive_rates),
    }


@st.composite
def _inverse_sqrt_cooldown(draw: st.DrawFn) -> Kwargs:
    total = draw(durations(1, huge=False))
    warm = draw(st.one_of(st.just(0), st.integers(0, total - 1)))
    return {
        "peak_value": draw(values),
        "warmup_steps": warm,
        "total_steps": total,
        "cooldown_steps": draw(st.one_of(st.integers(1, total - warm), st.just(total - warm))),
        "timescale": draw(st.one_of(positives, st.just(10_000))),
    }


@st.composite
def _power_scheduler(draw: st.DrawFn) -> Kwargs:
    return {
        "peak_value": draw(values),
        "batch_size": draw(st.sampled_from([1, 32, 1024, 2**20])),
        "seq_length": draw(st.sampled_from([1, 512, 4096, 2**17])),
        "a": draw(positives),
        "b": draw(st.one_of(st.sampled_from([-0.51, -1e-6, -3.0]), st.floats(-3.0, -1e-6))),
        "warmup_steps": draw(st.one_of(st.just(0), durations())),
    }


@st.composite
def _warmup_stable_decay_cycles(draw: st.DrawFn) -> Kwargs:
    decay, warm, rewarm = draw(st.integers(1, 50)), draw(st.integers(0, 50)), draw(st.integers(0, 50))
    length = st.integers(max(warm, rewarm) + decay, 10_000)
    kw: Kwargs = {"warmup_steps": warm, "decay_steps": decay, "rewarmup_steps": rewarm}
    if draw(st.booleans()):
        kw["cycle_steps"] = draw(st.lists(length, min_size=1, max_size=4))
    else:
        kw["cycle_steps"] = draw(length)
        kw["num_cycles"] = draw(st.one_of(st.none(), st.integers(1, 6)))
    shape = draw(st.sampled_from(["linear", "cosine", "1-sqrt", "exponential"]))
    peak, end = (draw(positives), draw(positives)) if shape == "exponential" else (draw(values), draw(values))
    return {
        **kw,
        "peak_value": peak,
        "init_value": draw(values),
        "end_value": end,
        "warmup_shape": draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
        "decay_shape": shape,
    }


@st.composite
def _polynomial_cycle(draw: st.DrawFn) -> Kwargs:
    return {
        "init_value": draw(values),
        "decay_steps": draw(durations()),
        "end_value": draw(values),
        "power": draw(exponents),
    }


@st.composite
def _annealing_cycles(draw: st.DrawFn) -> Kwargs:
    size = draw(st.one_of(st.integers(1, 100), st.integers(1, MAX_STEP), st.just(MAX_STEP)))
    mult = draw(st.one_of(st.sampled_from([1.0, 1.5, 2.0, 3.0]), st.floats(1.0, 4.0)))
    if mult < 1.2:
        mult = 1.0  # growth this slow can need more than 4096 distinct cycle lengths (refused)
    return {
        "start_value": draw(values),
        "end_value": draw(values),
        "cycle_size": size,
        "cycle_mult": mult,
        "start_value_mult": draw(rates),
        "end_value_mult": draw(rates),
        "warmup_duration": draw(st.one_of(st.just(0), st.integers(0, 100))),
        "shape": draw(st.sampled_from(["cos", "linear", "triangle"])),
    }


@st.composite
def _inverse_power(draw: st.DrawFn) -> Kwargs:
    return {
        "init_value": draw(values),
        "timescale": draw(positives),
        "exponent": draw(st.one_of(st.sampled_from([0.5, 0.51, 1.0, 2.0]), st.floats(1e-3, 3.0))),
        "end_value": draw(values),
    }


@st.composite
def _exponential_warmup(draw: st.DrawFn) -> Kwargs:
    return {
        "timescale": draw(st.one_of(positives, st.floats(1e-3, 1e9))),
        "peak_value": draw(values),
        "offset": draw(begins),
    }


@st.composite
def _radam_warmup(draw: st.DrawFn) -> Kwargs:
    return {
        "beta2": draw(
            st.one_of(
                st.sampled_from([0.6000001, 0.7, 0.9, 0.999, 1 - 1e-9]),
                st.floats(0.6, 1.0, exclude_min=True, exclude_max=True),
            )
        )
    }


@st.composite
def _progress_interpolate(draw: st.DrawFn) -> Kwargs:
    total = draw(st.one_of(st.integers(0, 1000), durations(0)))
    D = max(1, total - 1)
    offset = draw(st.integers(0, min(D, 1)))
    hold = draw(st.one_of(st.none(), st.integers(0, D + 1 - offset), st.just(D + 1 - offset)))
    return {
        "start_value": draw(values),
        "end_value": draw(values),
        "total_steps": total,
        "shape": draw(st.sampled_from(["linear", "cosine", "polynomial"])),
        "power": draw(st.sampled_from([0.5, 1.0, 2.0, 3.0, 1.7])),
        "offset": offset,
        "hold_from": hold,
    }


@st.composite
def _fraction_step_decay(draw: st.DrawFn) -> Kwargs:
    total = draw(st.one_of(st.integers(1, 1000), st.integers(1, MAX_STEP)))
    kw: Kwargs = {
        "init_value": draw(values),
        "decay_rate": draw(rates),
        "total_steps": total,
        "end_value": draw(values),
        "offset": draw(st.integers(0, 1)),
        "hold_from": draw(st.one_of(st.none(), st.integers(0, total))),
    }
    if draw(st.booleans()):
        kw["interval"] = draw(st.one_of(st.sampled_from([0.1, 0.3, 1 / 3, 0.01]), st.floats(1e-4, 0.999)))
        kw["digits"] = draw(st.sampled_from([None, 0, 10, 15]))
    else:
        kw["fractions"] = draw(st.lists(st.floats(0.001, 0.999), min_size=1, max_size=4))
    return kw


@st.composite
def _affine_recurrence(draw: st.DrawFn) -> Kwargs:
    start, period = draw(st.integers(0, 5)), draw(st.integers(1, 4))
    kw: Kwargs = {
        "values": draw(st.lists(values, min_size=start + period, max_size=start + period)),
        "start": start,
        "period": period,
    }
    if draw(st.booleans()):  # scaling tail: rates <= 1 (their product over a period must be <= 1)
        n = draw(st.integers(0, 3))
        kw["rates"] = draw(st.lists(positive_rates, min_size=n, max_size=n))
        kw["counts"] = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    else:  # reset tail
        per = st.lists(values, min_size=period, max_size=period)
        kw["gains"], kw["offsets"] = draw(per), draw(per)
        if draw(st.booleans()):
            kw["delays"] = draw(st.lists(st.integers(0, 10), min_size=period, max_size=period))
            kw["source"] = draw(leaf_schedules())
    return kw


def _points() -> st.SearchStrategy[Any]:
    keys = st.one_of(
        st.integers(0, 200),
        st.integers(0, MAX_STEP),
        st.floats(0.0, 1e6),
        st.sampled_from([0, MAX_STEP, 2**40, 2.5]),
    )
    return st.dictionaries(keys, values, min_size=1, max_size=6)


@st.composite
def _piecewise_points(draw: st.DrawFn) -> Kwargs:
    pts = draw(_points())
    return {"points": pts if draw(st.booleans()) else [[k, v] for k, v in pts.items()]}


@st.composite
def _rsqrt_decay(draw: st.DrawFn) -> Kwargs:
    return {
        "peak_value": draw(values),
        "timescale": draw(positives),
        "begin": draw(
            st.one_of(
                st.integers(-200, 200),
                st.integers(-MAX_STEP, MAX_STEP),
                st.floats(-1e9, 1e9),
                st.sampled_from([0, -(2**40), 2**40, 0.5]),
            )
        ),
        "min_steps": draw(st.one_of(positives, st.sampled_from([1.0, 1e9]))),
    }


LEAF_BUILDERS: dict[str, Callable[[], st.SearchStrategy[Kwargs]]] = {
    "polynomial_cycle": _polynomial_cycle,
    "annealing_cycles": _annealing_cycles,
    "inverse_power": _inverse_power,
    "constant": _constant,
    "linear": _linear,
    "polynomial": _polynomial,
    "exponential_decay": _exponential_decay,
    "inverse_time_decay": _inverse_time_decay,
    "step_decay": _step_decay,
    "multistep_decay": _multistep_decay,
    "piecewise_constant": _piecewise_constant,
    "piecewise_interpolate": _piecewise_interpolate,
    "cosine_decay": _cosine_decay,
    "warmup_constant": _warmup_constant,
    "warmup_cosine_decay": _warmup_cosine_decay,
    "warmup_linear_decay": _warmup_linear_decay,
    "warmup_exponential_decay": _warmup_exponential_decay,
    "inverse_sqrt": _inverse_sqrt,
    "noam": _noam,
    "warmup_stable_decay": _warmup_stable_decay,
    "cosine_restarts": _cosine_restarts,
    "cyclic": _cyclic,
    "one_cycle": _one_cycle,
    "tanh_decay": _tanh_decay,
    "tri_stage": _tri_stage,
    "inverse_sqrt_cooldown": _inverse_sqrt_cooldown,
    "power_scheduler": _power_scheduler,
    "warmup_stable_decay_cycles": _warmup_stable_decay_cycles,
    "exponential_warmup": _exponential_warmup,
    "radam_warmup": _radam_warmup,
    "progress_interpolate": _progress_interpolate,
    "fraction_step_decay": _fraction_step_decay,
    "restarts": _restarts,
    "cosine_cycles": _cosine_cycles,
    "lr_noise": _lr_noise,
    "piecewise_linear": _piecewise_points,
    "piecewise_cosine": _piecewise_points,
    "piecewise_constant_points": _piecewise_points,
    "rsqrt_decay": _rsqrt_decay,
    "affine_recurrence": _affine_recurrence,
}


def leaf_schedules() -> st.SearchStrategy[jaxsched.Schedule]:
    """Any native (non-combinator) schedule with valid arguments."""
    return st.sampled_from(sorted(LEAF_BUILDERS)).flatmap(
        lambda name: LEAF_BUILDERS[name]().map(lambda kw: jaxsched.registry()[name](**kw))
    )


def children(depth: int = 1) -> st.SearchStrategy[Any]:
    """A child of a combinator: a native schedule, a plain number, or (``depth`` > 0) a combinator."""
    base = st.one_of(leaf_schedules(), values)
    if depth <= 0:
        return base
    return st.one_of(
        base,
        st.sampled_from(sorted(COMBINATOR_BUILDERS)).flatmap(
            lambda name: COMBINATOR_BUILDERS[name](depth - 1).map(lambda kw: jaxsched.registry()[name](**kw))
        ),
    )


@st.composite
def _join(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    scheds = draw(st.lists(children(depth), min_size=1, max_size=3))
    bounds = sorted(
        draw(
            st.lists(
                st.one_of(st.integers(0, 200), st.integers(0, MAX_STEP), st.sampled_from([0, MAX_STEP])),
                min_size=len(scheds) - 1,
                max_size=len(scheds) - 1,
            )
        )
    )
    kw: Kwargs = {"schedules": scheds, "boundaries": bounds}
    if draw(st.booleans()) and all(float(_child_schedule(c).numpy(0)) > 0 for c in scheds[1:]):
        kw["continuous"] = True  # every later piece rescaled to continue: it must start above 0
    return kw


@st.composite
def _multiply(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    return {"schedules": draw(st.lists(children(depth), min_size=1, max_size=3))}


@st.composite
def _shift(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    steps = draw(
        st.one_of(
            st.integers(-200, 200),
            st.integers(-MAX_STEP, MAX_STEP),
            st.sampled_from([0, -MAX_STEP, MAX_STEP, 5.0]),
        )
    )  # (beyond: CROSS)
    return {"schedule": draw(children(depth)), "steps": steps}


@st.composite
def _clip(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    lo, hi = draw(st.one_of(st.none(), values)), draw(st.one_of(st.none(), values))
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return {"schedule": draw(children(depth)), "min_value": lo, "max_value": hi}


@st.composite
def _repeat(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    return {"schedule": draw(children(depth)), "period": draw(durations())}


@st.composite
def _per_epoch(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    return {"schedule": draw(children(depth)), "steps_per_epoch": draw(durations())}


@st.composite
def _quantize(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    return {"schedule": draw(children(depth)), "every": draw(durations())}


@st.composite
def _warmup_onto(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    return {
        "schedule": draw(children(depth)),
        "warmup_steps": draw(st.one_of(st.just(0), durations())),
        "init_value": draw(values),
    }


def _child_schedule(child: Any) -> jaxsched.Schedule:
    return child if isinstance(child, jaxsched.Schedule) else jaxsched.constant(child)


@st.composite
def _linear_from(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    child, at = draw(children(depth)), draw(begins)
    shape = draw(st.sampled_from(DECAY_SHAPES))
    end = draw(positives if shape == "exponential" else values)
    if shape == "exponential" and not float(_child_schedule(child).numpy(at)) > 0:
        shape = "linear"  # exponential needs a positive start (refused otherwise: CROSS)
    return {
        "schedule": child,
        "at_step": at,
        "end_value": end,
        "transition_steps": draw(float_durations()),
        "decay_shape": shape,
    }


@st.composite
def _branch(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    kw = draw(_linear_from(depth))
    kw["at"] = kw.pop("at_step")
    length = draw(durations())
    kw.pop("transition_steps")
    if draw(st.booleans()) and kw["at"] + length <= MAX_STEP:
        kw["until"] = kw["at"] + length
    else:
        kw["decay_steps"] = length
    return kw


@st.composite
def _stretch(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    child = draw(children(depth))
    at = draw(st.one_of(st.integers(0, 100), st.integers(0, MAX_STEP - 1)))
    total = draw(st.one_of(st.integers(at + 1, min(at + 1000, MAX_STEP)), st.integers(at + 1, MAX_STEP)))
    old = draw(st.one_of(st.integers(at + 1, min(at + 1000, MAX_STEP)), st.integers(at + 1, MAX_STEP)))
    if max(_child_schedule(child).key_steps()) > at and draw(st.booleans()):
        old = None  # the schedule's own horizon
    return {"schedule": child, "at": at, "total_steps": total, "old_total_steps": old}


@st.composite
def _extend(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    return {
        "schedule": draw(children(depth)),
        "at": draw(begins),
        "steps": draw(st.one_of(st.just(0), durations())),
    }


@st.composite
def _rewarmup(draw: st.DrawFn, depth: int = 1) -> Kwargs:
    return {
        "schedule": draw(children(depth)),
        "at": draw(begins),
        "warmup_steps": draw(st.one_of(st.just(0), durations())),
        "then": draw(children(depth)),
    }


COMBINATOR_BUILDERS: dict[str, Callable[[int], st.SearchStrategy[Kwargs]]] = {
    "join": _join,
    "multiply": _multiply,
    "shift": _shift,
    "clip": _clip,
    "repeat": _repeat,
    "per_epoch": _per_epoch,
    "quantize": _quantize,
    "warmup_onto": _warmup_onto,
    "linear_from": _linear_from,
    "branch": _branch,
    "stretch": _stretch,
    "extend": _extend,
    "rewarmup": _rewarmup,
}

VALID: dict[str, st.SearchStrategy[Kwargs]] = {
    **{name: build() for name, build in LEAF_BUILDERS.items()},
    **{name: build(1) for name, build in COMBINATOR_BUILDERS.items()},
}
"""Valid keyword arguments for every native schedule and combinator (nesting depth <= 2)."""

# -- invalid arguments --------------------------------------------------------------------------------

_NOT_NUMBERS = ["0.1", b"1", None, True, 1j, object(), {"a": 1}]
BAD: dict[str, list[Any]] = {
    "value": [NAN, INF, -INF, np.float32("nan"), *_NOT_NUMBERS],
    "value?": [NAN, INF, "0.1", True, 1j],  # optional: None is fine
    "nonneg": [-1e-9, -1.0, NAN, INF, "1", None, True],
    "positive": [0.0, -1.0, 0, NAN, INF, "1", None, False],
    "positive?": [0.0, -1.0, NAN, INF, "1", True],
    "rate01": [0.0, -0.5, 1.5, NAN, INF, "0.9", None],  # (0, 1]
    "fraction": [-0.1, 1.5, NAN, INF, "0.3", None],  # [0, 1]
    "steps1": [0, -1, -(2**40), 1.5, 0.5, NAN, INF, "10", None, True],  # whole number >= 1
    "steps1f": [0, -1, 0.5, 0.0, NAN, INF, -INF, "10", None, True],  # >= 1, fractions allowed
    "steps1f?": [0, -1, 0.5, NAN, INF, "10", True],
    "steps0": [-1, -(2**40), 2.5, NAN, INF, "3", None, True],  # whole number >= 0
    "steps2": [1, 0, -3, 2.5, NAN, "10", None],  # whole number >= 2
    "bool": ["yes", 1, 0, None, 1.0],
    "count?": [0, -1, 1.5, "2", True],  # an int >= 1 or None
    "mult": [0.5, 0.0, -1.0, NAN, INF, "2", None],  # a float >= 1
    "negative": [0.0, 1.0, NAN, -INF, "-0.5", None],  # < 0
    "cycles": [0, -1, 1.5, [], [0], [10, -1], "100", None, True],  # steps >= 1, or a list of them
    "steps_list": [[-1], [1.5], ["3"], [NAN], [None], 5, "30,60", None, {"a": 1}],
    "bs": [
        {-1: 0.5},
        {5: -0.5},
        {5: NAN},
        {5: INF},
        {1.5: 1.0},
        {"x": 1.0},
        {5: "a"},
        [(5, 0.5), (5, 0.1)],
        "abc",
        5,
    ],
    "shift": [1.5, NAN, INF, "3", None, True],
    "schedule": ["abc", None, True, object(), [1.0]],
    "schedules": [[], "abc", 5, None, [object()], [None], ["abc"]],
    "boundaries": [5, "abc", None, [-1], [-0.5], [NAN], [2**31]],  # (lengths are checked in CROSS)
    "steps0?": [-1, -(2**40), 2.5, NAN, INF, "3", True],  # whole number >= 0, or None
    "beta2": [0.6, 0.5, 1.0, 1.5, NAN, INF, "0.9", None, True],  # in (0.6, 1)
    "fraction?": [0.0, 1.0, -0.5, NAN, "0.3", True],  # in (0, 1), or None
    "fractions": [[], [0.0], [1.0], [NAN], "0.5", 5, True],
    "digits": [-1, 1.5, "10", True],
    "steps0f": [-1, -0.5, NAN, INF, "3", None, True],  # >= 0, fractions allowed
    "int": ["1", 1.5, None, True, NAN],
    "points": [
        {},
        None,
        {-1: 0.5},
        {5: -0.5},
        {5: NAN},
        {5: INF},
        {NAN: 1.0},
        {"x": 1.0},
        {5: "a"},
        [(5, 0.5), (5, 0.1)],
        [(5, 0.5, 1.0)],
        "abc",
        5,
    ],
    "begin": [NAN, INF, -INF, "3", None, True, 2**60],  # any real number of steps
    "span": [0, 0.0, -1, -0.5, 1 / 3, NAN, INF, "10", None, True],  # > 0, multiples of 1/256
    "steps1?": [0, -1, 1.5, NAN, INF, "10", True, 2**31],  # whole number >= 1, or None
    "steps0f?": [-1, -0.5, NAN, INF, "3", True],  # >= 0, fractions allowed, or None
    "span?": [-1, -0.5, 1 / 3, NAN, INF, "3", True],  # >= 0, multiples of 1/256, or None
    "schedule?": ["abc", True, object(), [1.0]],  # a schedule, or None
    "table": [[-1.0], [NAN], [INF], ["a"], "abc", 5, None],  # a list of values >= 0
    "table?": [[-1.0], [NAN], [INF], ["a"], "abc", 5],
    "int_table?": [[-1], [1.5], [NAN], "abc", 5],
    "rates": [[0.0], [-0.5], [NAN], [INF], ["a"], "abc", 5],  # a list of values > 0
    "counts": [[0], [-1], [1.5], ["a"], "abc", 5],  # a list of whole numbers >= 1
    "static0": [-1, 1.5, "3", None, True],  # a concrete whole number >= 0
    "static1": [0, -1, 1.5, "3", None, True],  # a concrete whole number >= 1
}


def mode(*options: str) -> str:
    return "mode:" + ",".join(options)


def bad_values(kind: str) -> list[Any]:
    if kind.startswith("mode:"):
        return ["bogus", "", kind.split(":")[1].split(",")[0].upper(), 3, None]
    return BAD[kind]


FIELDS: dict[str, dict[str, str]] = {
    "constant": {"value": "value"},
    "linear": {
        "init_value": "value",
        "end_value": "value",
        "transition_steps": "steps1f",
        "transition_begin": "steps0",
    },
    "polynomial": {
        "init_value": "value",
        "end_value": "value",
        "power": "positive",
        "transition_steps": "steps1f",
        "transition_begin": "steps0",
        "k_decay": "positive",
    },
    "exponential_decay": {
        "init_value": "value",
        "transition_steps": "steps1f",
        "decay_rate": "positive",
        "transition_begin": "steps0",
        "staircase": "bool",
        "end_value": "value?",
    },
    "inverse_time_decay": {
        "init_value": "value",
        "decay_steps": "steps1f",
        "decay_rate": "nonneg",
        "staircase": "bool",
    },
    "step_decay": {"init_value": "value", "step_size": "steps1f", "decay_rate": "nonneg"},
    "multistep_decay": {"init_value": "value", "milestones": "steps_list", "decay_rate": "nonneg"},
    "piecewise_constant": {"init_value": "value", "boundaries_and_scales": "bs"},
    "piecewise_interpolate": {
        "interpolate_type": mode("linear", "cosine"),
        "init_value": "value",
        "boundaries_and_scales": "bs",
    },
    "cosine_decay": {
        "init_value": "value",
        "decay_steps": "steps1f",
        "alpha": "value",
        "exponent": "nonneg",
        "k_decay": "positive",
    },
    "warmup_constant": {"init_value": "value", "peak_value": "value", "warmup_steps": "steps0"},
    "warmup_cosine_decay": {
        "init_value": "value",
        "peak_value": "value",
        "warmup_steps": "steps0",
        "decay_steps": "steps1",
        "end_value": "value",
        "exponent": "nonneg",
        "k_decay": "positive",
        "end_needs_peak": "bool",
    },
    "warmup_linear_decay": {
        "init_value": "value",
        "peak_value": "value",
        "warmup_steps": "steps0",
        "decay_steps": "steps1",
        "end_value": "value",
    },
    "warmup_exponential_decay": {
        "init_value": "value",
        "peak_value": "value",
        "warmup_steps": "steps0",
        "transition_steps": "steps1f",
        "decay_rate": "positive",
        "transition_begin": "steps0",
        "staircase": "bool",
        "end_value": "value?",
    },
    "inverse_sqrt": {
        "peak_value": "value",
        "warmup_steps": "steps0",
        "timescale": "positive?",
        "init_value": "value",
    },
    "noam": {"model_size": "positive", "warmup_steps": "positive", "scale": "value"},
    "exponential_warmup": {"timescale": "positive", "peak_value": "value", "offset": "steps0"},
    "radam_warmup": {"beta2": "beta2"},
    "progress_interpolate": {
        "start_value": "value",
        "end_value": "value",
        "total_steps": "steps0",
        "shape": mode("linear", "cosine", "polynomial"),
        "power": "positive",
        "offset": "steps0",
        "hold_from": "steps0?",
    },
    "fraction_step_decay": {
        "init_value": "value",
        "decay_rate": "nonneg",
        "total_steps": "steps1",
        "interval": "fraction?",
        "fractions": "fractions",
        "end_value": "value",
        "offset": "steps0",
        "hold_from": "steps0?",
        "digits": "digits",
    },
    "warmup_stable_decay": {
        "peak_value": "value",
        "warmup_steps": "steps0",
        "total_steps": "steps1",
        "decay_steps": "steps1",
        "init_value": "value",
        "end_value": "value",
        "warmup_shape": mode("linear", "cosine", "1-sqrt"),
        "decay_shape": mode("linear", "cosine", "1-sqrt", "exponential", "2^(1-p)-1"),
    },
    "cosine_restarts": {
        "init_value": "value",
        "first_period": "steps1",
        "period_mult": "mult",
        "peak_decay": "positive",
        "end_value": "value",
        "max_cycles": "count?",
        "warmup_steps": "steps0",
        "amplitude_decay": "bool",
    },
    "polynomial_cycle": {
        "init_value": "value",
        "decay_steps": "steps1",
        "end_value": "value",
        "power": "positive",
    },
    "annealing_cycles": {
        "start_value": "value",
        "end_value": "value",
        "cycle_size": "steps1",
        "cycle_mult": "mult",
        "start_value_mult": "fraction",
        "end_value_mult": "fraction",
        "warmup_duration": "steps0",
        "shape": mode("cos", "linear", "triangle"),
    },
    "inverse_power": {
        "init_value": "value",
        "timescale": "positive",
        "exponent": "positive",
        "end_value": "value",
    },
    "cyclic": {
        "base_value": "value",
        "max_value": "value",
        "step_size_up": "span",
        "step_size_down": "span?",
        "mode": mode("triangular", "triangular2", "exp_range"),
        "gamma": "rate01",
        "shape": mode("linear", "cosine"),
        "scale": "schedule?",
        "scale_mode": mode("cycle", "iterations"),
    },
    "one_cycle": {
        "transition_steps": "steps2",
        "peak_value": "value",
        "pct_start": "fraction",
        "div_factor": "positive",
        "final_div_factor": "positive",
        "anneal": mode("cos", "linear"),
        "three_phase": "bool",
        "after_end": mode("hold", "extrapolate"),
        "short_rise": "bool",
        "initial_value": "value?",
        "final_value": "value?",
    },
    "tanh_decay": {
        "init_value": "value",
        "decay_steps": "steps1f",
        "end_value": "value",
        "lower": "value",
        "upper": "value",
    },
    "tri_stage": {
        "peak_value": "positive",
        "warmup_steps": "steps0",
        "hold_steps": "steps0",
        "decay_steps": "steps1",
        "init_lr_scale": "nonneg",
        "final_lr_scale": "positive",
    },
    "inverse_sqrt_cooldown": {
        "peak_value": "value",
        "warmup_steps": "steps0",
        "total_steps": "steps1",
        "cooldown_steps": "steps1",
        "timescale": "positive",
    },
    "power_scheduler": {
        "peak_value": "nonneg",
        "batch_size": "positive",
        "seq_length": "positive",
        "a": "positive",
        "b": "negative",
        "warmup_steps": "steps0",
    },
    "warmup_stable_decay_cycles": {
        "peak_value": "value",
        "cycle_steps": "cycles",
        "warmup_steps": "steps0",
        "decay_steps": "steps1",
        "rewarmup_steps": "steps0",
        "num_cycles": "count?",
        "init_value": "value",
        "end_value": "value",
        "warmup_shape": mode("linear", "cosine", "1-sqrt"),
        "decay_shape": mode("linear", "cosine", "1-sqrt", "exponential", "2^(1-p)-1"),
    },
    "restarts": {
        "init_value": "value",
        "first_period": "steps1",
        "period_mult": "mult",
        "peak_decay": "nonneg",
        "end_value": "value",
        "max_cycles": "count?",
        "shape": mode("cosine", "tanh", "polynomial"),
        "k_decay": "positive",
        "power": "positive",
        "lower": "value",
        "upper": "value",
    },
    "cosine_cycles": {
        "init_value": "value",
        "decay_steps": "steps1f",
        "num_cycles": "nonneg",
        "end_value": "value",
        "restart": "bool",
        "offset": "steps0f",
    },
    "lr_noise": {"start": "steps0", "end": "steps0?", "pct": "rate01", "std": "positive", "seed": "int"},
    "warmup_onto": {"schedule": "schedule", "warmup_steps": "steps0", "init_value": "value"},
    "piecewise_linear": {"points": "points"},
    "piecewise_cosine": {"points": "points"},
    "piecewise_constant_points": {"points": "points"},
    "rsqrt_decay": {
        "peak_value": "value",
        "timescale": "positive",
        "begin": "begin",
        "min_steps": "positive",
    },
    "linear_from": {
        "schedule": "schedule",
        "at_step": "steps0",
        "end_value": "value",
        "transition_steps": "steps1f",
        "decay_shape": mode(*DECAY_SHAPES),
    },
    "branch": {
        "schedule": "schedule",
        "at": "steps0",
        "decay_steps": "steps1?",
        "end_value": "value",
        "decay_shape": mode(*DECAY_SHAPES),
        "until": "steps1?",
    },
    "stretch": {
        "schedule": "schedule",
        "at": "steps0",
        "total_steps": "steps1",
        "old_total_steps": "steps1?",
    },
    "extend": {"schedule": "schedule", "at": "steps0", "steps": "steps0"},
    "rewarmup": {"schedule": "schedule", "at": "steps0", "warmup_steps": "steps0", "then": "schedule"},
    "affine_recurrence": {
        "values": "table",
        "start": "static0",
        "period": "static1",
        "rates": "rates",
        "counts": "counts",
        "gains": "table?",
        "offsets": "table?",
        "delays": "int_table?",
        "source": "schedule?",
    },
    "join": {"schedules": "schedules", "boundaries": "boundaries", "continuous": "bool"},
    "multiply": {"schedules": "schedules"},
    "shift": {"schedule": "schedule", "steps": "shift"},
    "clip": {"schedule": "schedule", "min_value": "value?", "max_value": "value?"},
    "repeat": {"schedule": "schedule", "period": "steps1"},
    "per_epoch": {"schedule": "schedule", "steps_per_epoch": "steps1"},
    "quantize": {"schedule": "schedule", "every": "steps1"},
}
"""The kind of every argument of every native schedule (a key of :data:`BAD`, or ``mode:a,b``)."""

CROSS: dict[str, list[tuple[Kwargs, str]]] = {
    "warmup_cosine_decay": [
        ({"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 100, "decay_steps": 100}, "warmup_steps"),
        ({"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 200, "decay_steps": 100}, "warmup_steps"),
    ],
    "warmup_linear_decay": [
        ({"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10, "decay_steps": 10}, "warmup_steps"),
        ({"init_value": 0.0, "peak_value": 1.0, "warmup_steps": MAX_STEP, "decay_steps": 1}, "warmup_steps"),
    ],
    "warmup_stable_decay": [
        ({"peak_value": 1.0, "warmup_steps": 90, "total_steps": 100, "decay_steps": 20}, "warmup_steps"),
        ({"peak_value": 1.0, "warmup_steps": 0, "total_steps": 100, "decay_steps": 101}, "warmup_steps"),
        ({"peak_value": 1.0, "warmup_steps": 200, "total_steps": 100, "decay_steps": 0.1}, "warmup_steps"),
        (
            {
                "peak_value": 1.0,
                "warmup_steps": 0,
                "total_steps": 100,
                "decay_steps": 10,
                "decay_shape": "exponential",
            },
            "end_value",
        ),
        (
            {
                "peak_value": 0.0,
                "warmup_steps": 0,
                "total_steps": 100,
                "decay_steps": 10,
                "end_value": 0.1,
                "decay_shape": "exponential",
            },
            "peak_value",
        ),
    ],
    "cosine_restarts": [
        ({"init_value": 1.0, "first_period": 10, "warmup_steps": 10}, "warmup_steps"),
        ({"init_value": 1.0, "first_period": 10, "warmup_steps": 11}, "warmup_steps"),
    ],
    "one_cycle": [
        ({"transition_steps": 10, "peak_value": 1.0, "pct_start": 0.1}, "pct_start"),
        ({"transition_steps": 10, "peak_value": 1.0, "pct_start": 0.0}, "pct_start"),
        ({"transition_steps": 10, "peak_value": 1.0, "pct_start": 1.0}, "pct_start"),
        ({"transition_steps": 10, "peak_value": 1.0, "pct_start": 0.6, "three_phase": True}, "pct_start"),
        ({"transition_steps": 2, "peak_value": 1.0}, "pct_start"),
    ],
    "inverse_sqrt_cooldown": [
        ({"peak_value": 1.0, "warmup_steps": 50, "total_steps": 100, "cooldown_steps": 51}, "cooldown_steps"),
    ],
    "warmup_stable_decay_cycles": [
        ({"peak_value": 1.0, "cycle_steps": 100, "warmup_steps": 60, "decay_steps": 50}, "warmup_steps"),
        (
            {
                "peak_value": 1.0,
                "cycle_steps": [100, 40],
                "warmup_steps": 10,
                "decay_steps": 30,
                "rewarmup_steps": 11,
            },
            "rewarmup_steps",
        ),
        (
            {
                "peak_value": 1.0,
                "cycle_steps": [100, 50],
                "num_cycles": 2,
                "warmup_steps": 0,
                "decay_steps": 1,
            },
            "num_cycles",
        ),  # (one length in a list repeats like a bare one)
    ],
    "restarts": [
        ({"init_value": 1.0, "first_period": 10, "lower": 3.0, "upper": 3.0}, "lower"),
        ({"init_value": 1.0, "first_period": 10, "peak_decay": 1.5}, "peak_decay"),
        ({"init_value": 1.0, "first_period": 1, "period_mult": 1.00001}, "period_mult"),
    ],
    "tanh_decay": [
        ({"init_value": 1.0, "decay_steps": 10, "lower": 3.0, "upper": 3.0}, "lower"),
        ({"init_value": 1.0, "decay_steps": 10, "lower": 5.0, "upper": -5.0}, "lower"),
    ],
    "clip": [({"schedule": 1.0, "min_value": 0.5, "max_value": 0.1}, "min_value")],
    "join": [
        ({"schedules": [1.0, 2.0], "boundaries": []}, "boundaries"),
        ({"schedules": [1.0, 2.0], "boundaries": [1, 2]}, "boundaries"),
        ({"schedules": [1.0], "boundaries": [5]}, "boundaries"),
        ({"schedules": [1.0, 2.0, 3.0], "boundaries": [20, 10]}, "boundaries"),
        ({"schedules": [1.0, 2.0, 3.0], "boundaries": [5, -1]}, "boundaries"),
        ({"schedules": [1.0, "x"], "boundaries": [5]}, "schedules"),
    ],
    "multiply": [({"schedules": [1.0, None]}, "schedules"), ({"schedules": [True]}, "schedules")],
    "multistep_decay": [
        ({"init_value": 1.0, "milestones": [10, -5], "decay_rate": 0.5}, "milestones"),
        ({"init_value": 1.0, "milestones": [10, 2**40], "decay_rate": 0.5}, "milestones"),
    ],
    "shift": [
        ({"schedule": 1.0, "steps": 2**40}, "steps"),
        ({"schedule": 1.0, "steps": -(2**40)}, "steps"),
        ({"schedule": 1.0, "steps": MAX_STEP + 1}, "steps"),
    ],
    "tri_stage": [
        (
            {"peak_value": 1.0, "warmup_steps": 58, "hold_steps": MAX_STEP - 57, "decay_steps": 90},
            "hold_steps",
        )
    ],
    "piecewise_constant": [
        ({"init_value": 1.0, "boundaries_and_scales": [(5, 0.5), (5, 0.1)]}, "boundaries_and_scales")
    ],
}
"""Invalid combinations of arguments, each with the argument the error must name first."""


@st.composite
def invalid_native(draw: st.DrawFn, name: str) -> tuple[Kwargs, str, Any]:
    """Valid arguments of ``name`` with one argument replaced by a bad value: ``(kwargs, field, bad)``."""
    kw = dict(draw(VALID[name]))
    field = draw(st.sampled_from(sorted(FIELDS[name])))
    kind = FIELDS[name][field]
    bad = draw(st.sampled_from(bad_values(kind)))
    kw[field] = bad
    return kw, field, bad


def names_argument(message: str, argument: str) -> bool:
    """True when ``message`` starts with ``argument`` (optionally followed by an index or a sub-path)."""
    return re.match(rf"{re.escape(argument)}(?![A-Za-z0-9_])", message) is not None


# -- ports ----------------------------------------------------------------------------------------------

PORT_BAD: list[Any] = [NAN, INF, -INF, "abc", 1j]
"""Values no numeric argument of a port may accept."""


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


@st.composite
def perturbed_example(draw: st.DrawFn, cls: type[jaxsched.Schedule]) -> tuple[int, Kwargs]:
    """One of ``cls.examples`` with its numbers moved: every positive integer scaled by one common factor
    (so orderings between durations survive), every float by its own factor in [1/4, 1]. Returns the index
    of the example and the keyword arguments (which may still be invalid; callers check the error)."""
    index = draw(st.integers(0, len(cls.examples) - 1))
    example = cls.examples[index]
    k = draw(st.sampled_from([1, 1, 2, 3, 7, 100, 1000]))

    def move(x: Any) -> Any:
        if isinstance(x, bool) or x is None or isinstance(x, str):
            return x
        if isinstance(x, int):
            return x * k if x > 0 else x
        if isinstance(x, float):
            return x * draw(st.sampled_from([1.0, 1.0, 0.25, 0.5, 0.9]))
        if isinstance(x, list | tuple):
            return type(x)(move(y) for y in x)
        if isinstance(x, dict):
            return {key: move(val) for key, val in x.items()}
        return x

    return index, {key: move(val) for key, val in example.items()}


def numeric_fields(example: Kwargs) -> list[str]:
    return sorted(key for key, val in example.items() if _is_number(val))
