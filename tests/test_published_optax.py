"""optax's own published expected values for its schedules, held against jaxsched.compat.optax.

Transcribed (configurations and expected values only; the test code is this project's) from
google-deepmind/optax at commit 2edbcbe2390da13983b92cbef94ac0460ecde1c5:
``optax/schedules/_schedule_test.py`` (every schedule test), ``optax/schedules/_join_test.py`` and the
schedule cases of ``optax/schedules/_inject_test.py`` (``test_updates``, ``test_hyperparams_state``,
``test_wrap_stateless_schedule``: a port inside ``optax.inject_hyperparams`` / ``WrappedSchedule``).
Expected exceptions are checked by class only (the port's messages name the argument; optax 0.2.8's
``cosine_onecycle_schedule`` message says "linear onecycle", which the published regex would reject).

Not transcribed, with the reason: ``ScheduleAsLearningRateTest`` (needs optax's private ``alias_test``
module, which needs scikit-learn; and it checks optimizers, not schedule values); the other inject tests
(``test_constant_hyperparams``, ``test_overriding_hyperparam``, static-argument, dtype and PRNG-key tests,
``test_inject_stateful_hyperparams``: no schedule of ours is involved); and
``test_inject_hyperparams_starts_with_step_count_zero`` (its schedule is the Python function
``lambda count: count``, which has no port).

Each value case is checked three ways: optax itself (installed) evaluated as the published test does (float32,
jitted) meets the published values with the published tolerance, so the transcription is verified; the port
meets them with that tolerance; and the port equals optax evaluated in float64 (``jax_enable_x64``), NumPy
float64 to 1e-12 and JAX float32 to the accuracy contract (``tests/published.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jaxsched
from jaxsched._references.optax import optax_values
from jaxsched.compat import optax as co
from tests.published import check_against_original, check_against_published, close

SOURCE = (
    "google-deepmind/optax",
    "optax/schedules/_schedule_test.py, _join_test.py, _inject_test.py",
    "2edbcbe2390da13983b92cbef94ac0460ecde1c5",
)


@dataclass(frozen=True)
class Case:
    name: str
    fn: str  # the optax function (and the compat.optax function of the same name)
    kwargs: dict[str, Any]
    steps: tuple[int, ...]
    want: tuple[float, ...]
    atol: float = 0.0
    rtol: float = 1e-7  # numpy.testing.assert_allclose's default


def case(name: str, fn: str, kwargs: dict[str, Any], steps: Any, want: Any, **tol: float) -> Case:
    return Case(name, fn, kwargs, tuple(int(k) for k in steps), tuple(float(x) for x in want), **tol)


def _exp(init: float, rate: float, steps: int, begin: int, staircase: bool, T: int = 2) -> list[float]:
    """The published expectation of ExponentialTest: ``init`` for ``begin`` steps, then init*rate**(k/T)."""
    p = [np.floor(k / T) if staircase else k / T for k in range(steps)]
    return [init] * begin + [init * np.power(rate, x) for x in p]


def _end_value(rate: float, end: float, staircase: bool) -> list[float]:
    vals = np.array(_exp(1.0, rate, 11, 3, staircase), dtype=np.float32)
    return list(np.maximum(vals, end) if rate < 1.0 else np.minimum(vals, end))


def _cos_mult(xs: list[float]) -> np.ndarray:
    return 0.5 + 0.5 * np.cos(np.pi * np.array(xs))


_R12 = range(12)
_GREATER = [0.0, 0.2, 0.4, 0.6, 0.8] + [1.0] * 7

VALUE_CASES: list[Case] = [
    case("ConstantTest.test_constant", "constant_schedule", {"value": 10}, range(15), [10] * 15, atol=1e-3),
    case(
        "PolynomialTest.test_linear",
        "polynomial_schedule",
        {"init_value": 10.0, "end_value": 20.0, "power": 1, "transition_steps": 10},
        range(15),
        list(range(10, 20)) + [20] * 5,
        atol=1e-3,
    ),
    *(
        case(
            f"PolynomialTest.test_zero_steps_schedule[{n}]",
            "polynomial_schedule",
            {"init_value": 10.0, "end_value": 20.0, "power": 1, "transition_steps": n},
            range(15),
            [10.0] * 15,
        )
        for n in (-1, 0)
    ),
    case(
        "PolynomialTest.test_nonlinear",
        "polynomial_schedule",
        {"init_value": 25.0, "end_value": 10.0, "power": 2, "transition_steps": 10},
        range(15),
        [10.0 + 15.0 * (1.0 - n / 10) ** 2 for n in range(10)] + [10] * 5,
        atol=1e-3,
    ),
    case(
        "PolynomialTest.test_with_decay_begin",
        "polynomial_schedule",
        {"init_value": 30.0, "end_value": 10.0, "power": 2, "transition_steps": 10, "transition_begin": 4},
        range(20),
        [30.0] * 4 + [10.0 + 20.0 * (1.0 - n / 10) ** 2 for n in range(10)] + [10] * 6,
        atol=1e-3,
    ),
    case(
        "PiecewiseConstantTest.test_positive",
        "piecewise_constant_schedule",
        {"init_value": 0.1, "boundaries_and_scales": {3: 2.0, 6: 0.5}},
        range(10),
        [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1],
        atol=1e-3,
    ),
    case(
        "PiecewiseConstantTest.test_negative",
        "piecewise_constant_schedule",
        {"init_value": -0.1, "boundaries_and_scales": {3: 2.0, 6: 0.5}},
        range(10),
        [-0.1, -0.1, -0.1, -0.2, -0.2, -0.2, -0.1, -0.1, -0.1, -0.1],
        atol=1e-3,
    ),
    *(
        case(
            f"ExponentialTest.test_constant_schedule[{sc}]",
            "exponential_decay",
            {"init_value": 1.0, "transition_steps": 15, "decay_rate": 1.0, "staircase": sc},
            range(15),
            [1.0] * 15,
            atol=1e-3,
        )
        for sc in (False, True)
    ),
    *(
        case(
            f"ExponentialTest.test_nonvalid_transition_steps[{sc}, {n}]",
            "exponential_decay",
            {"init_value": 1.0, "transition_steps": n, "decay_rate": 1.0, "staircase": sc},
            range(15),
            [1.0] * 15,
        )
        for sc in (False, True)
        for n in (-1, 0)
    ),
    *(
        case(
            f"ExponentialTest.test_nonvalid_decay_rate[{sc}]",
            "exponential_decay",
            {"init_value": 1.0, "transition_steps": 2, "decay_rate": 0.0, "staircase": sc},
            range(15),
            [1.0] * 15,
        )
        for sc in (False, True)
    ),
    *(
        case(
            f"ExponentialTest.test_exponential[{sc}, {b}]",
            "exponential_decay",
            {
                "init_value": 1.0,
                "transition_steps": 2,
                "decay_rate": 2.0,
                "transition_begin": b,
                "staircase": sc,
            },
            range(15 + b),
            _exp(1.0, 2.0, 15, b, sc),
            atol=1e-3,
        )
        for sc, b in ((False, 0), (True, 0), (False, 5), (True, 5))
    ),
    *(
        case(
            f"ExponentialTest.test_end_value_with_staircase[{r}, {e}, {sc}]",
            "exponential_decay",
            {
                "init_value": 1.0,
                "transition_steps": 2,
                "decay_rate": r,
                "transition_begin": 3,
                "staircase": sc,
                "end_value": e,
            },
            range(14),
            _end_value(r, e, sc),
            atol=1e-3,
        )
        for sc in (False, True)
        for r, e in ((0.2, 0.1), (1.0, 0.1), (2.0, 3.0))
    ),
    case(
        "ExponentialTest.test_immutable_count",
        "exponential_decay",
        {"init_value": 32.0, "transition_steps": 1, "decay_rate": 0.5},
        range(5),
        [32, 16, 8, 4, 2],
        atol=1e-3,
    ),
    case(
        "CosineDecayTest.test_decay_count_smaller_count",
        "cosine_decay_schedule",
        {"init_value": 0.1, "decay_steps": 10, "alpha": 0.0},
        range(10),
        0.1 * _cos_mult([x / 10 for x in range(10)]),
        atol=1e-3,
    ),
    case(
        "CosineDecayTest.test_decay_count_greater_count",
        "cosine_decay_schedule",
        {"init_value": 0.1, "decay_steps": 5, "alpha": 0.0},
        _R12,
        0.1 * _cos_mult(_GREATER),
        atol=1e-3,
    ),
    case(
        "CosineDecayTest.test_decay_count_greater_count_with_alpha",
        "cosine_decay_schedule",
        {"init_value": 0.1, "decay_steps": 5, "alpha": 0.1},
        _R12,
        0.1 * (0.9 * _cos_mult(_GREATER) + 0.1),
        atol=1e-3,
    ),
    case(
        "CosineDecayTest.test_with_exponent",
        "cosine_decay_schedule",
        {"init_value": 0.1, "decay_steps": 100, "alpha": 0.0, "exponent": 2},
        [0, 10, 50, 75, 100],
        [0.1, 0.09516553580760956, 0.025, 0.0021446612663567066, 0.0],
        rtol=1e-6,
        atol=1e-8,
    ),
    case(
        "CosineDecayTest.test_with_giant_int_steps",
        "cosine_decay_schedule",
        {"init_value": 1000.0, "decay_steps": int(1e10), "alpha": 0.0, "exponent": 1},
        [int(1e9)],
        [975.52826],
    ),
    *(
        case(
            f"WarmupCosineDecayTest.test_limits[{label}]",
            "warmup_cosine_decay_schedule",
            {"init_value": i, "peak_value": p, "warmup_steps": 100, "decay_steps": 1000, "end_value": e},
            [0, 100, 1000],
            [i, p, e],
            rtol=1e-3,
        )
        for label, i, p, e in (("with end value", 10, 0.5, 1e-4), ("without end value", 5, 3, 0.0))
    ),
    case(
        "WarmupCosineDecayTest.test_with_exponent",
        "warmup_cosine_decay_schedule",
        {
            "init_value": 0.2,
            "peak_value": 1.21,
            "end_value": -3.0,
            "warmup_steps": 50,
            "decay_steps": 100,
            "exponent": 2,
        },
        [0, 10, 50, 75, 100],
        [0.20000004768371582, 0.4020000100135803, 1.2100000381469727, -1.947500228881836, -3.000000238418579],
        rtol=1e-6,
        atol=1e-8,
    ),
    case(
        "WarmupCosineDecayTest.test_zero_peak_value",
        "warmup_cosine_decay_schedule",
        {
            "init_value": 0.2,
            "peak_value": 0,
            "end_value": -3.0,
            "warmup_steps": 50,
            "decay_steps": 100,
            "exponent": 2,
        },
        [0, 10, 50, 75, 100],
        [0.2, 0.16, 0.0, 0.0, 0.0],
        rtol=1e-6,
        atol=1e-8,
    ),
    case(
        "PiecewiseInterpolateTest.test_linear_piecewise",
        "piecewise_interpolate_schedule",
        {"interpolate_type": "linear", "init_value": 200.0, "boundaries_and_scales": {5: 1.5, 10: 0.25}},
        range(13),
        [200.0, 220.0, 240.0, 260.0, 280.0, 300.0, 255.0, 210.0, 165.0, 120.0, 75.0, 75.0, 75.0],
        atol=1e-3,
    ),
    case(
        "PiecewiseInterpolateTest.test_cos_piecewise",
        "piecewise_interpolate_schedule",
        {
            "interpolate_type": "cosine",
            "init_value": 400.0,
            "boundaries_and_scales": {5: 1.2, 3: 0.6, 7: 1.0},
        },
        range(9),
        [400.0, 360.0, 280.0, 240.0, 264.0, 288.0, 288.0, 288.0, 288.0],
        atol=1e-3,
    ),
    case(
        "PiecewiseInterpolateTest.test_empty_dict",
        "piecewise_interpolate_schedule",
        {"interpolate_type": "linear", "init_value": 13.0, "boundaries_and_scales": {}},
        range(5),
        [13.0] * 5,
        atol=1e-3,
    ),
    case(
        "PiecewiseInterpolateTest.test_no_dict",
        "piecewise_interpolate_schedule",
        {"interpolate_type": "cosine", "init_value": 17.0},
        range(3),
        [17.0] * 3,
        atol=1e-3,
    ),
    case(
        "PiecewiseInterpolateTest.test_zero_interval_size",
        "piecewise_interpolate_schedule",
        {"interpolate_type": "linear", "init_value": 13.0, "boundaries_and_scales": {0: 2.0, 5: 3.0}},
        [0, 5],
        [26.0, 78.0],
        atol=1.5e-7,
    ),  # assertAlmostEqual: 7 places
    case(
        "OneCycleTest.test_linear",
        "linear_onecycle_schedule",
        {
            "transition_steps": 10,
            "peak_value": 1000,
            "pct_start": 0.3,
            "pct_final": 0.7,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
        _R12,
        [100.0, 400.0, 700.0, 1000.0, 775.0, 550.0, 325.0, 100.0, 67.0, 34.0, 1.0, 1.0],
        atol=1e-3,
    ),
    case(
        "OneCycleTest.test_cosine",
        "cosine_onecycle_schedule",
        {
            "transition_steps": 5,
            "peak_value": 1000.0,
            "pct_start": 0.4,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
        range(7),
        [100.0, 550.0, 1000.0, 750.25, 250.75, 1.0, 1.0],
        atol=1e-3,
    ),
]

SGDR_CASES = [("with step decay", (1.6, 0.8, 0.4)), ("without step_decay", (1.6, 1.6, 1.6))]

ERROR_CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "WarmupCosineDecayTest.test_raises_when_decay_equals_warmup",
        "warmup_cosine_decay_schedule",
        {"init_value": 0.2, "peak_value": 1.2, "warmup_steps": 10, "decay_steps": 10, "end_value": 0.0},
    ),
    (
        "PiecewiseInterpolateTest.test_invalid_type[linar]",
        "piecewise_interpolate_schedule",
        {"interpolate_type": "linar", "init_value": 13.0},
    ),
    (
        "PiecewiseInterpolateTest.test_invalid_type['']",
        "piecewise_interpolate_schedule",
        {"interpolate_type": "", "init_value": 13.0, "boundaries_and_scales": {5: 3.0}},
    ),
    (
        "PiecewiseInterpolateTest.test_invalid_type[None]",
        "piecewise_interpolate_schedule",
        {"interpolate_type": None, "init_value": 13.0, "boundaries_and_scales": {}},
    ),
    (
        "PiecewiseInterpolateTest.test_invalid_scale",
        "piecewise_interpolate_schedule",
        {"interpolate_type": "linear", "init_value": 13.0, "boundaries_and_scales": {5: -3}},
    ),
    (
        "OneCycleTest.test_nonpositive_transition_steps[cosine]",
        "cosine_onecycle_schedule",
        {"transition_steps": 0, "peak_value": 5.0},
    ),
    (
        "OneCycleTest.test_nonpositive_transition_steps[linear]",
        "linear_onecycle_schedule",
        {"transition_steps": 0, "peak_value": 5.0},
    ),
]


def test_case_count() -> None:
    """What this module holds (reported in issue 17's closing note): value, SGDR, join, inject, error cases,
    and the monotonicity test."""
    assert (len(VALUE_CASES), len(SGDR_CASES), len(ERROR_CASES)) == (43, 2, 7)


def _published_optax(fn: Callable[[Any], Any], steps: tuple[int, ...]) -> np.ndarray:
    """optax as its test evaluates it: the jitted schedule, float32, at each count."""
    jitted = jax.jit(fn)
    return np.array([float(jitted(k)) for k in steps])


@pytest.mark.parametrize("c", VALUE_CASES, ids=[c.name for c in VALUE_CASES])
def test_optax_meets_its_published_values(c: Case) -> None:
    got = _published_optax(getattr(optax, c.fn)(**c.kwargs), c.steps)
    close(got, c.want, rtol=c.rtol, atol=c.atol, what=c.name)


@pytest.mark.parametrize("c", VALUE_CASES, ids=[c.name for c in VALUE_CASES])
def test_port_meets_published_values_and_optax(c: Case) -> None:
    port: jaxsched.Schedule = getattr(co, c.fn)(**c.kwargs)
    steps = np.asarray(c.steps, dtype=np.int64)
    check_against_published(port, steps, c.want, atol=c.atol, rtol=c.rtol, what=c.name)
    check_against_original(
        port, steps, optax_values(c.fn, c.kwargs, steps), what=c.name, compounding=c.fn == "exponential_decay"
    )


def _sgdr_kwargs(lrs: tuple[float, float, float]) -> list[dict[str, Any]]:
    return [
        {"decay_steps": int(step), "peak_value": lr, "init_value": 0, "end_value": 0.0, "warmup_steps": 500}
        for step, lr in zip([2e3, 3e3, 5e3], lrs, strict=True)
    ]


@pytest.mark.parametrize(("label", "lrs"), SGDR_CASES, ids=[c[0] for c in SGDR_CASES])
def test_sgdr_limits(label: str, lrs: tuple[float, float, float]) -> None:
    """SGDRTest.test_limits: the peaks at 500, 2500 and 5500."""
    steps = (500, 2500, 5500)
    close(_published_optax(optax.sgdr_schedule(_sgdr_kwargs(lrs)), steps), lrs, rtol=1e-7, atol=0, what=label)
    port = co.sgdr_schedule(_sgdr_kwargs(lrs))
    check_against_published(port, np.array(steps), lrs, atol=0.0, rtol=1e-7, what=label)
    k = np.arange(0, 12_000, 7)
    check_against_original(
        port, k, optax_values("sgdr_schedule", {"cosine_kwargs": _sgdr_kwargs(lrs)}, k), what=label
    )


def test_warmup_cosine_monotonicity_and_exponent_ordering() -> None:
    """WarmupCosineDecayTest.test_monotonicity_and_exponent_ordering, on optax and on the port."""
    kw = {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 5, "decay_steps": 25, "end_value": 0.1}
    steps = np.arange(26)
    for make in (optax.warmup_cosine_decay_schedule, co.warmup_cosine_decay_schedule):
        vals = np.asarray(make(**kw, exponent=1.0)(steps), np.float64)
        vals2 = np.asarray(make(**kw, exponent=2.0)(steps), np.float64)
        assert all(vals[t] < vals[t + 1] for t in range(5))
        assert abs(vals[5] - 1.0) < 5e-7
        assert all(vals[t] >= vals[t + 1] for t in range(5, 25))
        assert abs(vals[-1] - 0.1) < 5e-7
        assert all(vals2[t] <= vals[t] + 1e-12 for t in range(5, 26))


@pytest.mark.parametrize(("name", "fn", "kwargs"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_published_errors(name: str, fn: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        getattr(optax, fn)(**kwargs)
    with pytest.raises(ValueError):
        getattr(co, fn)(**kwargs)


def test_join_schedules() -> None:
    """JoinTest.test_join_schedules (``atol=0``)."""
    want = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 1.0]
    orig = optax.join_schedules([optax.constant_schedule(v) for v in (1.0, 2.0, 1.0)], [3, 6])
    close([float(orig(k)) for k in range(7)], want, rtol=0, atol=0, what="optax join")
    port = co.join_schedules([co.constant_schedule(v) for v in (1.0, 2.0, 1.0)], [3, 6])
    check_against_published(port, np.arange(7), want, atol=0.0, rtol=0.0, what="join")


def _inject_updates(step_size: Any) -> list[float]:
    """InjectHyperparamsTest.test_updates' loop: the update of a one-parameter ``scale`` at each step."""
    opt = optax.inject_hyperparams(optax.scale)(step_size=step_size)
    params = [jnp.zeros([], dtype=jnp.float32)]
    state = jax.jit(opt.init)(params)
    update = jax.jit(opt.update)
    grads = [jnp.ones([], dtype=jnp.float32)]
    out = []
    for _ in range(15):
        updates, state = update(grads, state, params=params)
        out.append(float(updates[0]))
    return out


def test_inject_updates() -> None:
    """InjectHyperparamsTest.test_updates: update ``i`` is scaled by the published ``expected[i + 1]``."""
    expected = [3.0] * 2 + [15.0] * 6 + [30.0] * 5 + [45.0] * 3
    kw = {"init_value": 3.0, "boundaries_and_scales": {1: 5, 7: 2, 12: 1.5}}
    for sched in (optax.piecewise_constant_schedule(**kw), co.piecewise_constant_schedule(**kw)):
        close(_inject_updates(sched), expected[1:], rtol=0, atol=1.5e-7, what=repr(sched))


def _inject_trace_decays(decay: Any) -> list[float]:
    """InjectHyperparamsTest.test_hyperparams_state's loop: ``hyperparams['decay']`` before each of 12
    updates of ``trace(nesterov=True)``, then after the last."""
    opt = optax.inject_hyperparams(optax.trace)(decay=decay, nesterov=True)
    params = [jnp.zeros([2, 3]) for _ in range(3)]
    state = jax.jit(opt.init)(params)
    update = jax.jit(opt.update)
    grads = jax.tree.map(jnp.ones_like, params)
    out = []
    for _ in range(12):
        out.append(float(state.hyperparams["decay"]))
        _, state = update(grads, state)
    out.append(float(state.hyperparams["decay"]))
    return out


def test_inject_hyperparams_state() -> None:
    expected = [0.8] * 4 + [0.4] * 6 + [0.5] * 2
    kw = {"init_value": 0.8, "boundaries_and_scales": {3: 0.5, 9: 1.25}}
    for sched in (optax.piecewise_constant_schedule(**kw), co.piecewise_constant_schedule(**kw)):
        close(_inject_trace_decays(sched), [*expected, expected[-1]], rtol=0, atol=1.5e-7, what=repr(sched))


def test_wrap_stateless_schedule() -> None:
    """StatefulTest.test_wrap_stateless_schedule: ``WrappedSchedule`` of the schedule gives its values."""
    for sched in (optax.linear_schedule(1.0, 1.0, 10), co.linear_schedule(1.0, 1.0, 10)):
        wrapped = optax.schedules.WrappedSchedule(sched)
        count = jnp.zeros([], dtype=jnp.int32)
        state = wrapped.init()
        np.testing.assert_allclose(count, state, atol=0.0)
        for _ in range(8):
            np.testing.assert_allclose(sched(count), wrapped(state), atol=0.0)
            count = count + 1
            state = wrapped.update(state, loss=jnp.ones([], dtype=jnp.float32))
            np.testing.assert_allclose(count, state, atol=0.0)
