"""jaxsched.compat.torch against the real torch.optim.lr_scheduler (torch's get_last_lr() after each step()).

Every port is compared over hypothesis-drawn configurations with the curve of the real torch scheduler,
recorded by the parity runner (``jaxsched._references.torch``): NumPy float64 and JAX float64 to 1e-12
relative, JAX float32 to float32 rounding. The float64 comparison has an absolute floor of 1e-14 times the
curve's largest value, because torch's own recursion loses that much near zero (e.g. ``1 + cos`` near a
cosine trough); everywhere else the agreement is relative.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import mpmath
import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import jaxsched
from jaxsched import ScheduleArgumentError
from jaxsched._references import references
from jaxsched._references.torch import torch_curve
from jaxsched.compat import torch as tp

RTOL64, FLOOR64 = 1e-12, 1e-14
RTOL32, FLOOR32 = 2e-6, 1e-7


def _close(got: Any, want: np.ndarray, rtol: np.ndarray | float, floor: float, what: str) -> None:
    got = np.asarray(got, dtype=np.float64)
    scale = float(np.max(np.abs(want))) if want.size else 1.0
    bad = ~(np.abs(got - want) <= np.asarray(rtol) * np.abs(want) + floor * scale)
    if np.any(bad):
        k = np.flatnonzero(bad)[:5]
        raise AssertionError(
            f"{what}: at steps {k.tolist()} got {got[k].tolist()}, torch gives {want[k].tolist()}"
        )


def check(port: jaxsched.Schedule, n: int, *, compounding: bool = False, extra32: float = 0.0) -> np.ndarray:
    """The port equals torch at updates 0..n-1 by every path; returns torch's curve."""
    ref = references()[port.config_name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the runner steps like a correct training loop: no torch warning
        want = ref.run(port, n)
    steps = np.arange(n)
    _close(port.numpy(steps), want, RTOL64, FLOOR64, f"numpy {port!r}")
    # JAX runs op by op here and compiles each op per array shape: evaluate on a few fixed lengths.
    padded = np.arange(max(256, 1 << (n - 1).bit_length()))
    with jax.enable_x64(True):
        got = port(padded)
        assert got.dtype == np.float64
        _close(np.asarray(got)[:n], want, RTOL64, FLOOR64, f"jax x64 {port!r}")
    # float32: parameters are rounded to float32; a compounded factor (gamma**k) carries k of those errors.
    rtol32 = RTOL32 + extra32 + (1.2e-7 * steps if compounding else 0.0)
    got32 = np.asarray(port(padded.astype(np.int32)))[:n]
    _close(got32, want, rtol32, FLOOR32, f"jax float32 {port!r}")
    return want


lrs = st.sampled_from([1.0, 0.1, 0.05, 3e-4]) | st.floats(1e-5, 2.0)
factors = st.floats(0.01, 1.0)
gammas = st.sampled_from([0.0, 0.1, 0.5, 1.0]) | st.floats(0.3, 1.2)


# -- one test per class -------------------------------------------------------------------------------


@given(
    lr=lrs,
    kind=st.sampled_from(["linear", "cos", "const", "steps"]),
    a=factors,
    b=factors,
    T_=st.integers(1, 40),
)
def test_lambda_lr(lr: float, kind: str, a: float, b: float, T_: int) -> None:
    lam: Any = {
        "linear": jaxsched.linear(a, b, T_),
        "cos": jaxsched.cosine_decay(a, T_, alpha=b),
        "const": a,
        "steps": jaxsched.step_decay(1.0, T_, b),
    }[kind]
    check(tp.LambdaLR(lr, lam), 60)


@given(lr=lrs, c=st.floats(0.8, 1.05), n=st.integers(1, 120))
def test_multiplicative_lr_constant(lr: float, c: float, n: int) -> None:
    check(tp.MultiplicativeLR(lr, c), n, compounding=True)
    check(tp.MultiplicativeLR(lr, jaxsched.constant(c)), n, compounding=True)


@given(
    lr=lrs,
    a=st.floats(0.8, 1.0),
    b=st.floats(0.8, 1.0),
    T_=st.integers(1, 30),
    H=st.sampled_from([1, 2, 9, 60]),
)  # few horizons: JAX compiles its ops per horizon length
def test_multiplicative_lr_schedule(lr: float, a: float, b: float, T_: int, H: int) -> None:
    s = tp.MultiplicativeLR(lr, jaxsched.linear(a, b, T_), horizon=H)
    want = check(s, H + 20, compounding=True)
    # Past the horizon the port holds the value of step H (the runner's factor is 1 there).
    assert np.all(want[H:] == want[H])


def test_multiplicative_lr_running_product_is_torchs() -> None:
    """The running product of the factors is computed in float64 in torch's order (then times lr): within a
    few ulp of torch's own product at every step, with no accumulated drift."""
    s = tp.MultiplicativeLR(0.1, jaxsched.cosine_decay(1.0, 50, alpha=0.9), horizon=80)
    np.testing.assert_allclose(s.numpy(np.arange(100)), torch_curve(s, 100), rtol=4e-16 * 4, atol=0)


@given(lr=lrs, step_size=st.integers(1, 20), gamma=gammas)
def test_step_lr(lr: float, step_size: int, gamma: float) -> None:
    check(tp.StepLR(lr, step_size=step_size, gamma=gamma), 80, compounding=True)


@given(lr=lrs, ms=st.lists(st.integers(0, 60), max_size=6), gamma=gammas)
def test_multistep_lr(lr: float, ms: list[int], gamma: float) -> None:
    check(tp.MultiStepLR(lr, milestones=ms, gamma=gamma), 70, compounding=True)


def test_multistep_lr_duplicates_decay_twice() -> None:
    want = check(tp.MultiStepLR(1.0, [2, 2, 5], gamma=0.5), 7)
    np.testing.assert_allclose(want, [1, 1, 0.25, 0.25, 0.25, 0.125, 0.125])


@given(lr=lrs, factor=factors, total=st.integers(0, 30))
def test_constant_lr(lr: float, factor: float, total: int) -> None:
    check(tp.ConstantLR(lr, factor=factor, total_iters=total), 45)


@given(lr=lrs, start=factors, end=st.floats(0.0, 1.0), total=st.integers(0, 30))
def test_linear_lr(lr: float, start: float, end: float, total: int) -> None:
    check(tp.LinearLR(lr, start_factor=start, end_factor=end, total_iters=total), 45)


def test_total_iters_zero_follows_the_step_loop() -> None:
    """torch's recursion (what step() gives) sticks at the start factor; its closed form would not."""
    assert list(check(tp.ConstantLR(0.1, 0.5, total_iters=0), 5)) == [0.05] * 5
    assert list(check(tp.LinearLR(0.1, 0.5, total_iters=0), 5)) == [0.05] * 5
    assert list(check(tp.PolynomialLR(0.1, total_iters=0), 5)) == [0.1] * 5


@given(lr=lrs, gamma=st.floats(0.5, 1.02) | st.sampled_from([0.0, 1.0]), n=st.integers(1, 150))
def test_exponential_lr(lr: float, gamma: float, n: int) -> None:
    check(tp.ExponentialLR(lr, gamma=gamma), n, compounding=True)


@given(lr=lrs, total=st.integers(0, 40), power=st.sampled_from([0.0, 0.5, 1.0, 2.0]) | st.floats(0.01, 4))
def test_polynomial_lr(lr: float, total: int, power: float) -> None:
    check(tp.PolynomialLR(lr, total_iters=total, power=power), total + 10)


@given(lr=lrs, T_max=st.integers(1, 60), eta=st.floats(0.0, 1.0) | st.just(0.0))
def test_cosine_annealing_lr_is_periodic(lr: float, T_max: int, eta: float) -> None:
    want = check(tp.CosineAnnealingLR(lr, T_max=T_max, eta_min=eta * lr), 3 * T_max + 3)
    # Not clamped: back at the base LR after 2 T_max.
    assert math.isclose(want[2 * T_max], lr, rel_tol=1e-12)


@given(lr=lrs, T_0=st.integers(1, 12), T_mult=st.integers(1, 3), eta=st.floats(0.0, 0.5))
def test_cosine_annealing_warm_restarts(lr: float, T_0: int, T_mult: int, eta: float) -> None:
    check(tp.CosineAnnealingWarmRestarts(lr, T_0=T_0, T_mult=T_mult, eta_min=eta * lr), 90)


def test_warm_restarts_incremental_not_log_based() -> None:
    """torch's step(epoch) lands on eta_min at epoch 121 (float log); step() and the port restart."""
    s = tp.CosineAnnealingWarmRestarts(0.1, T_0=1, T_mult=3)
    assert check(s, 125)[121] == pytest.approx(0.1)


cyclic_sizes = st.integers(1, 12) | st.sampled_from([0.5, 2.5])


@given(
    base=st.floats(1e-4, 0.5),
    span=st.floats(0.0, 1.0),
    up=cyclic_sizes,
    down=st.none() | cyclic_sizes,
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
    bm=st.floats(0.5, 0.85),
)
def test_cyclic_lr_and_momentum(
    base: float, span: float, up: float, down: float | None, mode: str, gamma: float, bm: float
) -> None:
    s = tp.CyclicLR(
        base,
        base + span,
        step_size_up=up,
        step_size_down=down,
        mode=mode,
        gamma=gamma,
        base_momentum=bm,
        max_momentum=0.95,
    )
    check(s, 70, compounding=mode == "exp_range")
    check(s.momentum(), 70, compounding=mode == "exp_range")


@given(scale_mode=st.sampled_from(["cycle", "iterations"]), rate=st.floats(0.5, 1.0))
def test_cyclic_lr_scale_fn_schedule(scale_mode: str, rate: float) -> None:
    fn = jaxsched.exponential_decay(1.0, transition_steps=1, decay_rate=rate)
    s = tp.CyclicLR(0.01, 0.1, step_size_up=3, step_size_down=4, scale_fn=fn, scale_mode=scale_mode)
    check(s, 50, compounding=True)
    check(s.momentum(), 50, compounding=True)


@given(
    max_lr=lrs,
    total=st.integers(1, 60),
    pct=st.floats(0.0, 1.0),
    anneal=st.sampled_from(["cos", "linear"]),
    three=st.booleans(),
    div=st.sampled_from([25.0, 10.0, 1.5]),
    fdiv=st.sampled_from([1e4, 100.0, 1.0]),
)
def test_one_cycle_lr_and_momentum(
    max_lr: float, total: int, pct: float, anneal: str, three: bool, div: float, fdiv: float
) -> None:
    try:
        s = tp.OneCycleLR(
            max_lr,
            total_steps=total,
            pct_start=pct,
            anneal_strategy=anneal,
            three_phase=three,
            div_factor=div,
            final_div_factor=fdiv,
        )
    except ScheduleArgumentError as err:  # a zero-length phase: torch divides by zero there
        assert err.argument == "pct_start"
        assume(False)
        raise
    # float32 rounds the phase ends (about T * 6e-8): short phases amplify that by T / length.
    ends = s._ends_py()
    shortest = min(abs(b - a) for a, b in zip([0.0, *ends], ends, strict=False) if b != a)
    extra32 = 2 * 6e-8 * total / min(shortest, 1.0 * total)
    if shortest < 1:  # step T extrapolates a sub-step phase by T / length lengths: squared amplification
        extra32 /= shortest
    # Through step T (extrapolated) and past it (the port holds update T-1, so does the runner).
    want = check(s, total + 5, extra32=extra32)
    assert list(want[total + 1 :]) == [want[total - 1]] * 4
    check(s.momentum(), total + 1, extra32=extra32)


def _raw_one_cycle(n: int, **kwargs: Any) -> list[float]:
    """torch's own OneCycleLR values at steps 0..n-1 (n <= total_steps + 1), unclamped."""
    opt = _opt()
    sched = LS.OneCycleLR(opt, **kwargs)
    out = []
    for k in range(n):
        out.append(float(sched.get_last_lr()[0]))
        if k < n - 1:
            opt.step()
            sched.step()
    return out


def test_one_cycle_reference_points() -> None:
    want = check(tp.OneCycleLR(1.0, total_steps=10), 11)
    assert want[0] == pytest.approx(0.04) and want[2] == 1.0 and want[9] == pytest.approx(4e-6)
    assert want[10] == pytest.approx(0.0495, abs=1e-4)  # extrapolated: a reflected cosine
    lin = check(tp.OneCycleLR(1.0, total_steps=10, anneal_strategy="linear", three_phase=True), 11)
    # torch's three-phase linear LR goes negative at step T (no update of a 10-step run uses it): 0 here.
    raw = _raw_one_cycle(11, max_lr=1.0, total_steps=10, anneal_strategy="linear", three_phase=True)
    assert raw[10] == pytest.approx(-0.0079952) and lin[10] == 0.0
    assert tp.OneCycleLR(1.0, total_steps=10, anneal_strategy="linear", three_phase=True).numpy(10) == 0.0
    short = check(tp.OneCycleLR(1.0, total_steps=3, pct_start=0.25), 3)  # pct*T < 1 skips phase 1
    assert short[0] == pytest.approx(0.9698, abs=1e-4)
    check(tp.OneCycleLR(0.5, epochs=3, steps_per_epoch=4, pct_start=0.4), 13)
    check(tp.OneCycleLR(0.5, total_steps=1, pct_start=0.5), 2)  # one step: the rise is skipped


# -- composites ----------------------------------------------------------------------------------------


def _leaf(lr: float, long: int = 40) -> st.SearchStrategy[jaxsched.Schedule]:
    """Every torch class a composition steps, on one optimizer of base LR ``lr`` (OneCycleLR lasting at
    least ``long`` steps: torch raises past its end)."""
    return st.one_of(
        st.builds(lambda n, g: tp.StepLR(lr, n, g), st.integers(1, 6), st.floats(0.3, 1.0)),
        st.builds(lambda f, n: tp.ConstantLR(lr, f, n), factors, st.integers(0, 6)),
        st.builds(lambda a, b, n: tp.LinearLR(lr, a, b, n), factors, factors, st.integers(0, 6)),
        st.builds(lambda g: tp.ExponentialLR(lr, g), st.floats(0.7, 1.0)),
        st.builds(lambda n, p: tp.PolynomialLR(lr, n, p), st.integers(1, 8), st.floats(0.5, 2)),
        st.builds(
            lambda n, e: tp.CosineAnnealingLR(lr, n, e * lr),
            st.integers(1, 8),
            st.sampled_from([0.0, 1e-10]) | st.floats(0, 1),
        ),
        st.builds(lambda c: tp.MultiplicativeLR(lr, c), st.floats(0.7, 1.0)),
        st.builds(
            lambda n, h: tp.MultiplicativeLR(lr, jaxsched.linear(1.0, 0.8, n), horizon=h),
            st.integers(1, 6),
            st.integers(1, 12),
        ),
        st.builds(lambda n: tp.LambdaLR(lr, jaxsched.linear(1.0, 0.1, n)), st.integers(1, 8)),
        st.builds(
            lambda n, m, e: tp.CosineAnnealingWarmRestarts(lr, n, m, e * lr),
            st.integers(1, 5),
            st.integers(1, 2),
            st.floats(0, 0.5),
        ),
        st.builds(lambda n: tp.MultiStepLR(lr, [n, n + 2], 0.5), st.integers(0, 5)),
        st.builds(
            lambda b, u, d, m: tp.CyclicLR(b * lr, 2 * lr, u, d, m),
            st.sampled_from([1.0, 0.5]),
            st.integers(1, 5),
            st.integers(0, 5),
            st.sampled_from(["triangular", "triangular2", "exp_range"]),
        ),
        st.builds(
            lambda t, three: tp.OneCycleLR(25 * lr, total_steps=t, three_phase=three),
            st.integers(long, 2 * long),
            st.booleans(),
        ),
        st.builds(lambda n: jaxsched.warmup_cosine_decay(0.0, lr, n, n + 10), st.integers(1, 5)),
    )


def _composite(draw: Any, lr: float, depth: int, leaf: bool = False) -> jaxsched.Schedule:
    """A scheduler, or (``depth`` > 0, not ``leaf``) a chain or sequence of them. A SequentialLR's later
    schedulers are leaves: torch raises NotImplementedError when a milestone reaches a composite."""
    if leaf or depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(_leaf(lr))
    n = draw(st.integers(1, 3))
    if draw(st.booleans()):
        return tp.ChainedScheduler([_composite(draw, lr, depth - 1) for _ in range(n)])
    children = [_composite(draw, lr, depth - 1, leaf=i > 0) for i in range(n)]
    ms = sorted(draw(st.lists(st.integers(0, 20), min_size=n - 1, max_size=n - 1)))
    return tp.SequentialLR(children, ms)


# What may be refused: where torch itself fails (NotImplementedError, ZeroDivisionError at a milestone), a
# value below 0 (torch's affine cosine after another scheduler pushed the LR under eta_min), and ports whose
# lr is not the base LR torch would give them (a CyclicLR built first sets the group's initial_lr).
_REFUSALS = ("NotImplementedError", "divides by zero", "total_iters=0", "below 0", "same lr")


@st.composite
def compositions(draw: Any, top: str | None = None) -> jaxsched.Schedule:
    """Chains and sequences of every torch class (and jaxsched schedules), nested up to two levels."""
    lr = draw(st.sampled_from([0.1, 1.0]))
    n = draw(st.integers(1, 4))
    try:
        if (top or draw(st.sampled_from(["chain", "seq"]))) == "chain":
            return tp.ChainedScheduler([_composite(draw, lr, 1) for _ in range(n)])
        children = [_composite(draw, lr, 1, leaf=i > 0) for i in range(n)]
        ms = sorted(draw(st.lists(st.integers(0, 20), min_size=n - 1, max_size=n - 1)))
        return tp.SequentialLR(children, ms)
    except ScheduleArgumentError as err:
        assert any(w in str(err) for w in _REFUSALS), str(err)
        assume(False)
        raise


@given(s=compositions(top="chain"))
def test_chained_scheduler(s: jaxsched.Schedule) -> None:
    check(s, 40, compounding=True)


@given(s=compositions(top="seq"))
def test_sequential_lr(s: jaxsched.Schedule) -> None:
    check(s, 40, compounding=True)


def test_sequential_lr_reference_points() -> None:
    s = tp.SequentialLR([tp.LinearLR(1.0, 0.1, total_iters=4), tp.StepLR(1.0, 2, 0.5)], [4])
    np.testing.assert_allclose(check(s, 9), [0.1, 0.325, 0.55, 0.775, 1, 1, 0.5, 0.5, 0.25])
    # A MultiplicativeLR successor continues from the current LR (times lambda(0)).
    m = tp.SequentialLR([tp.ConstantLR(1.0, 0.5, 10), tp.MultiplicativeLR(1.0, 0.9)], [2])
    np.testing.assert_allclose(check(m, 4), [0.5, 0.5, 0.45, 0.405])
    lam0 = tp.MultiplicativeLR(1.0, jaxsched.linear(2.0, 0.5, 4), horizon=20)
    check(tp.SequentialLR([tp.ConstantLR(1.0, 0.5, 10), lam0], [3]), 25)
    # Milestone 0 starts with the second scheduler; a doubled milestone skips one.
    check(
        tp.SequentialLR(
            [tp.StepLR(0.1, 2), tp.ExponentialLR(0.1, 0.9), tp.MultiplicativeLR(0.1, 0.8)], [0, 3]
        ),
        10,
    )
    check(
        tp.SequentialLR([tp.StepLR(0.1, 2), tp.ExponentialLR(0.1, 0.9), tp.ConstantLR(0.1, 0.5, 0)], [3, 3]),
        10,
    )


def test_sequential_lr_nested() -> None:
    lr = 0.1
    inner_chain = tp.ChainedScheduler([tp.ConstantLR(lr, 0.5, 3), tp.StepLR(lr, 2, 0.5)])
    check(tp.SequentialLR([inner_chain, tp.StepLR(lr, 3, 0.5)], [6]), 15)
    inner_seq = tp.SequentialLR([tp.LinearLR(lr, 0.2, 1.0, 4), tp.StepLR(lr, 2, 0.5)], [5])
    check(tp.SequentialLR([inner_seq, tp.CosineAnnealingLR(lr, 7)], [9]), 20)
    # torch steps a nested first composite outside its initial mode (issue #196243): reproduced.
    quirk = tp.SequentialLR([tp.ChainedScheduler([tp.ExponentialLR(lr, 0.9)]), tp.StepLR(lr, 2)], [3])
    assert check(quirk, 8)[0] == pytest.approx(0.09)  # a fresh ExponentialLR would start at 0.1
    nested = tp.SequentialLR(
        [tp.SequentialLR([tp.StepLR(lr, 2), tp.ExponentialLR(lr, 0.5)], [3]), tp.StepLR(lr, 3)], [8]
    )
    check(nested, 14)  # the nested milestone comes one step early
    with pytest.raises(ScheduleArgumentError, match="NotImplementedError"):
        tp.SequentialLR([tp.StepLR(lr, 2), inner_chain], [3])


def test_chained_scheduler_reference_points() -> None:
    s = tp.ChainedScheduler([tp.ConstantLR(0.05, 0.1, 2), tp.ExponentialLR(0.05, 0.9)])
    np.testing.assert_allclose(check(s, 4), [0.005, 0.0045, 0.0405, 0.03645])
    assert s.lowered().config_name == "multiply"  # a product of closed forms where that is exact
    warm_cos = tp.ChainedScheduler([tp.LinearLR(0.1, 0.2, 1.0, 4), tp.CosineAnnealingLR(0.1, 7)])
    check(warm_cos, 40)  # through several troughs: the warmup factor is 1 there
    assert warm_cos.lowered().config_name == "multiply"
    seq = tp.SequentialLR([tp.LinearLR(0.1, 0.2, 1.0, 4), tp.CosineAnnealingLR(0.1, 7)], [5])
    check(tp.ChainedScheduler([seq, tp.StepLR(0.1, 10, 0.5)]), 40)
    # What torch runs and a product of factors is not: the affine cosine, its additive restart after a
    # decayed factor, a switch of a nested SequentialLR, a scheduler that sets the LR, a jaxsched schedule.
    for members in (
        [tp.CosineAnnealingLR(0.1, 5, eta_min=0.01)],
        [tp.ExponentialLR(0.1, 0.9), tp.CosineAnnealingLR(0.1, 7)],
        [tp.CosineAnnealingLR(0.1, 7, eta_min=0.001), tp.StepLR(0.1, 3, 0.5), tp.ExponentialLR(0.1, 0.99)],
        [tp.SequentialLR([tp.StepLR(0.1, 2), tp.StepLR(0.1, 3)], [5]), tp.ExponentialLR(0.1, 0.9)],
        [tp.ExponentialLR(0.1, 0.9), tp.LambdaLR(0.1, jaxsched.linear(1.0, 0.5, 10))],
        [tp.StepLR(0.1, 3), jaxsched.warmup_cosine_decay(0.0, 0.1, 5, 30)],
        # CyclicLR's initial step reads the group's initial_lr, set by the scheduler built before it
        [
            tp.StepLR(0.1, 3),
            jaxsched.linear(0.1, 0.0, 30),
            tp.CyclicLR(0.01, 0.1, 4, mode="exp_range", gamma=0.97),
        ],
    ):
        check(tp.ChainedScheduler(members), 60, compounding=True)
    with pytest.raises(ScheduleArgumentError, match="same lr"):
        tp.ChainedScheduler([tp.StepLR(0.1, 2), tp.StepLR(0.2, 2)])
    with pytest.raises(TypeError, match="momentum"):
        tp.ChainedScheduler([tp.StepLR(0.1, 2), tp.CyclicLR(0.1, 1.0).momentum()])
    with pytest.raises(ScheduleArgumentError, match="optimizer's own lr"):  # unknown to the port
        tp.ChainedScheduler([jaxsched.linear(0.1, 0.0, 30), tp.CyclicLR(0.01, 0.1, 4)])


def _compound(name: str) -> jaxsched.Schedule:
    """torch's test_compound_cosanneal_and_* chains (base LR 0.05), and chains with the other tails."""
    cos = tp.CosineAnnealingLR(0.05, T_max=10, eta_min=1e-10)
    return {
        "step": tp.ChainedScheduler([cos, tp.StepLR(0.05, gamma=0.1, step_size=3)]),
        "multistep": tp.ChainedScheduler([cos, tp.MultiStepLR(0.05, gamma=0.1, milestones=[2, 5, 9])]),
        "linear": tp.ChainedScheduler([tp.LinearLR(0.05, start_factor=0.4, total_iters=4), cos]),
        "exp": tp.ChainedScheduler([cos, tp.ExponentialLR(0.05, gamma=0.1)]),
        # a scaling tail: after the nested SequentialLR's switch nothing resets the LR any more
        "scaling": tp.ChainedScheduler(
            [
                tp.ExponentialLR(0.05, 0.99999),
                tp.SequentialLR([tp.StepLR(0.05, 2, 0.5), tp.ExponentialLR(0.05, 0.999999)], [5]),
            ]
        ),
    }[name]


def _exact(name: str, n: int) -> list[Any]:
    """torch's recursion for the chains above in exact arithmetic (40 digits): each scheduler's get_lr,
    transcribed, applied in turn to the current LR; the cosine's trough is exactly eta_min."""
    with mpmath.workdps(40):
        return _exact40(name, n)


def _exact40(name: str, n: int) -> list[Any]:
    mp = mpmath.mpf
    B, eta, T = mp(0.05), mp(1e-10), 10

    def cos_step(x: Any, e: int) -> Any:
        if (e - 1 - T) % (2 * T) == 0:
            return x + (B - eta) * (1 - mpmath.cos(mpmath.pi / T)) / 2
        num = 0 if e % (2 * T) == T else 1 + mpmath.cos(mpmath.pi * e / T)
        return num / (1 + mpmath.cos(mpmath.pi * (e - 1) / T)) * (x - eta) + eta

    def other(x: Any, e: int) -> Any:
        if name == "step":
            return x * mp(0.1) if e % 3 == 0 else x
        if name == "multistep":
            return x * mp(0.1) if e in (2, 5, 9) else x
        if name == "linear":  # LinearLR(0.4, 1.0, 4) comes first in this chain
            return x * (1 + mp(0.6) / (4 * mp(0.4) + (e - 1) * mp(0.6))) if e <= 4 else x
        return x * mp(0.1)

    out = []
    if name == "scaling":  # construction: Seq resets to 0.05 and StepLR's initial step leaves it
        x = B
        out.append(x)
        for e in range(1, n):
            x = x * mp(0.99999)
            if e == 5:
                x = B  # the nested SequentialLR's milestone: ExponentialLR's closed form at 0
            elif e < 5:
                x = x * mp(0.5) if e % 2 == 0 else x
            else:
                x = x * mp(0.999999)
            out.append(x)
        return out
    x = B * (mp(0.4) if name == "linear" else 1)  # LinearLR's initial step; the others leave the LR
    out.append(x)
    for e in range(1, n):
        if name == "linear":
            x = cos_step(other(x, e), e)
        else:
            x = other(cos_step(x, e), e)
        out.append(x)
    return out


FAR = np.array([10**6, 10**6 + 7, 10**9, 10**9 + 13, 2**31 - 2, 2**31 - 1], np.int64)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["step", "multistep", "linear", "exp", "scaling"])
def test_compositions_at_far_steps(name: str) -> None:
    """Far steps, where torch can only be reached by a long loop. The reference is torch's recursion in
    exact arithmetic (``_exact``): the port within 1e-12 of it over the first 2000 steps, and torch's own
    float64 loop within its drift (the rounding of its cosine argument pi k / T grows with k: about
    1e-16 k relative) up to 20000 steps. At 1e6, 1e9 and 2**31 - 1: in exact arithmetic torch's recursion
    repeats every period L once every scheduler's updates repeat (the cosine's 2 T_max, StepLR's
    step_size), each period either resetting the LR (a cosine trough) or scaling it by the product of the
    constant factors, so the exact value at k is the exact value at an early step k' = k - qL times that
    product to the power q."""
    s = _compound(name)
    n_exact, n_torch = 2000, 20_000
    exact = np.array([float(x) for x in _exact(name, n_exact)])
    k = np.arange(n_exact)
    _close(s.numpy(k), exact, RTOL64, FLOOR64, f"numpy {name} vs exact")
    _close(np.asarray(s(k.astype(np.int32))), exact, RTOL32, FLOOR32, f"jax float32 {name} vs exact")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch64 = torch_curve(s, n_torch)
    kt = np.arange(n_torch)
    _close(torch64[:n_exact], exact, 1e-12 + 1e-15 * k, FLOOR64, f"torch {name} vs exact")
    _close(s.numpy(kt), torch64, 1e-12 + 1e-15 * kt, FLOOR64, f"numpy {name} vs torch's loop")
    period = {"step": 60, "multistep": 20, "linear": 20, "exp": 20, "scaling": 1}[name]
    start = 100  # past every scheduler's last milestone: its updates repeat from here on
    early = start + (FAR - start) % period
    q = (FAR - early) // period
    ex = _exact(name, int(early.max()) + 1)
    with mpmath.workdps(40):
        rate = mpmath.mpf(0.99999) * mpmath.mpf(0.999999) if name == "scaling" else mpmath.mpf(1)
        expect = [float(ex[int(b)] * rate ** int(m)) for b, m in zip(early, q, strict=True)]
    np.testing.assert_allclose(s.numpy(FAR), expect, rtol=1e-12, atol=1e-300, err_msg=f"numpy {name}")
    got32 = np.asarray(s(FAR.astype(np.int32)), np.float64)
    np.testing.assert_allclose(got32, expect, rtol=RTOL32, atol=1e-37, err_msg=f"jax float32 {name}")


def test_chain_with_a_long_cosine_needs_no_table_of_its_period() -> None:
    """A warmup chained with a cosine of a million steps (eta_min != 0): after the warmup only the cosine
    updates the LR, which is an affine function of the cosine's closed form up to its first trough and the
    closed form after it. The port is a short table and two closed forms (no table of 2 T_max steps)."""
    T, eta = 10**6, 1e-6
    s = tp.ChainedScheduler([tp.LinearLR(0.1, 0.01, total_iters=1000), tp.CosineAnnealingLR(0.1, T, eta)])
    low = s.lowered()
    assert low.config_name == "join"
    assert max(len(p.values) for p in low.schedules if p.config_name == "affine_recurrence") < 2000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = torch_curve(s, 5000)
    k = np.arange(5000)
    _close(s.numpy(k), want, RTOL64, FLOOR64, "numpy vs torch")
    _close(np.asarray(s(k.astype(np.int32))), want, RTOL32, FLOOR32, "jax float32 vs torch")
    # After the first trough (step T) torch's recursion is the cosine's closed form from lr (exactly).
    far = np.array([T + 1, 3 * T // 2, 10**9 + 3, 2**31 - 1], np.int64)
    with mpmath.workdps(40):
        exact = [
            float(eta + (mpmath.mpf(0.1) - eta) * (1 + mpmath.cos(mpmath.pi * int(x) / T)) / 2) for x in far
        ]
    np.testing.assert_allclose(s.numpy(far), exact, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(s(far.astype(np.int32))), exact, rtol=RTOL32)


def test_long_compositions_are_refused_naming_their_schedulers() -> None:
    with pytest.raises(ScheduleArgumentError, match=r"CosineAnnealingLR.*StepLR|StepLR.*CosineAnnealingLR"):
        tp.ChainedScheduler([tp.CosineAnnealingLR(0.1, 10**6, 1e-3), tp.StepLR(0.1, 7, 0.5)])


# -- validation: torch's messages, at construction, naming the argument --------------------------------


def _opt() -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)


def _torch_message(fn: Any) -> str:
    with pytest.raises((ValueError, TypeError)) as info:
        fn(_opt())
    return str(info.value)


LS: Any = torch.optim.lr_scheduler  # untyped: the validation calls pass wrong types
P: Any = tp  # the port module, untyped: these calls pass wrong types on purpose
VALIDATION = [
    ("factor", lambda o: LS.ConstantLR(o, factor=1.5), lambda: P.ConstantLR(0.1, factor=1.5)),
    ("factor", lambda o: LS.ConstantLR(o, factor=-0.1), lambda: P.ConstantLR(0.1, factor=-0.1)),
    ("start_factor", lambda o: LS.LinearLR(o, start_factor=0.0), lambda: P.LinearLR(0.1, 0.0)),
    ("start_factor", lambda o: LS.LinearLR(o, start_factor=1.5), lambda: P.LinearLR(0.1, 1.5)),
    ("end_factor", lambda o: LS.LinearLR(o, end_factor=1.1), lambda: P.LinearLR(0.1, end_factor=1.1)),
    ("end_factor", lambda o: LS.LinearLR(o, end_factor=-1), lambda: P.LinearLR(0.1, end_factor=-1)),
    (
        "T_0",
        lambda o: LS.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda: P.CosineAnnealingWarmRestarts(0.1, T_0=0),
    ),
    (
        "T_0",
        lambda o: LS.CosineAnnealingWarmRestarts(o, T_0=2.0),
        lambda: P.CosineAnnealingWarmRestarts(0.1, T_0=2.0),
    ),
    (
        "T_mult",
        lambda o: LS.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
        lambda: P.CosineAnnealingWarmRestarts(0.1, T_0=2, T_mult=0),
    ),
    (
        "T_mult",
        lambda o: LS.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
        lambda: P.CosineAnnealingWarmRestarts(0.1, T_0=2, T_mult=1.5),
    ),
    (
        "eta_min",
        lambda o: LS.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="x"),
        lambda: P.CosineAnnealingWarmRestarts(0.1, T_0=2, eta_min="x"),
    ),
    ("mode", lambda o: LS.CyclicLR(o, 0.1, 1.0, mode="bogus"), lambda: P.CyclicLR(0.1, 1.0, mode="bogus")),
    (
        "total_steps",
        lambda o: LS.OneCycleLR(o, 1.0, total_steps=10.0),
        lambda: P.OneCycleLR(1.0, total_steps=10.0),
    ),
    ("total_steps", lambda o: LS.OneCycleLR(o, 1.0, total_steps=0), lambda: P.OneCycleLR(1.0, total_steps=0)),
    ("total_steps", lambda o: LS.OneCycleLR(o, 1.0), lambda: P.OneCycleLR(1.0)),
    (
        "epochs",
        lambda o: LS.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3),
        lambda: P.OneCycleLR(1.0, epochs=0, steps_per_epoch=3),
    ),
    (
        "steps_per_epoch",
        lambda o: LS.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=1.5),
        lambda: P.OneCycleLR(1.0, epochs=2, steps_per_epoch=1.5),
    ),
    (
        "pct_start",
        lambda o: LS.OneCycleLR(o, 1.0, total_steps=10, pct_start=1),
        lambda: P.OneCycleLR(1.0, total_steps=10, pct_start=1),
    ),
    (
        "pct_start",
        lambda o: LS.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5),
        lambda: P.OneCycleLR(1.0, total_steps=10, pct_start=1.5),
    ),
    (
        "anneal_strategy",
        lambda o: LS.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="x"),
        lambda: P.OneCycleLR(1.0, total_steps=10, anneal_strategy="x"),
    ),
    ("schedulers", lambda o: LS.SequentialLR(o, [], []), lambda: P.SequentialLR([], [])),
    (
        "milestones",
        lambda o: LS.SequentialLR(o, [LS.StepLR(o, 2)], [3]),
        lambda: P.SequentialLR([tp.StepLR(0.1, 2)], [3]),
    ),
    ("schedulers", lambda o: LS.ChainedScheduler([], o), lambda: P.ChainedScheduler([])),
]


@pytest.mark.parametrize(("argument", "original", "port"), VALIDATION)
def test_validation_uses_torchs_message(argument: str, original: Any, port: Any) -> None:
    message = _torch_message(original)
    with pytest.raises(ValueError) as info:
        port()
    assert isinstance(info.value, ScheduleArgumentError)
    assert info.value.argument == argument
    assert str(info.value).startswith(f"{argument}: ")
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("argument", "port"),
    [
        # torch accepts these and fails at some later step() (ZeroDivisionError); the port refuses them.
        ("step_size", lambda: tp.StepLR(0.1, step_size=0)),
        ("T_max", lambda: tp.CosineAnnealingLR(0.1, T_max=0)),
        ("factor", lambda: tp.ConstantLR(0.1, factor=0.0, total_iters=3)),
        ("pct_start", lambda: tp.OneCycleLR(1.0, total_steps=10, pct_start=0.1)),
        ("pct_start", lambda: tp.OneCycleLR(1.0, total_steps=10, pct_start=1.0)),
        ("gamma", lambda: tp.ExponentialLR(0.1, gamma=-0.5)),
        ("horizon", lambda: tp.MultiplicativeLR(0.1, jaxsched.linear(1.0, 0.5, 4))),
        ("schedulers[1]", lambda: tp.SequentialLR([tp.StepLR(0.1, 2), tp.LinearLR(0.1, total_iters=0)], [3])),
    ],
)
def test_refused_where_torch_fails_later(argument: str, port: Any) -> None:
    with pytest.raises(ScheduleArgumentError) as info:
        port()
    assert info.value.argument == argument


def test_torch_fails_later_for_the_refused_configs() -> None:
    """The refusals above are real torch failures, not stricter taste."""
    o = _opt()
    with pytest.raises(ZeroDivisionError):
        LS.StepLR(o, step_size=0).step()
    with pytest.raises(ZeroDivisionError):
        LS.OneCycleLR(_opt(), 1.0, total_steps=10, pct_start=0.1)
    o = _opt()
    c = LS.ConstantLR(o, factor=0.0, total_iters=1)
    with pytest.raises(ZeroDivisionError):
        c.step()


def test_callables_are_refused_with_a_pointer() -> None:
    with pytest.raises(TypeError, match="Schedule"):
        tp.LambdaLR(0.1, lambda k: 0.5)
    with pytest.raises(TypeError, match="scale_fn"):
        tp.CyclicLR(0.1, 1.0, scale_fn=lambda x: 1.0)
    with pytest.raises(ValueError, match="cycle_momentum"):
        tp.CyclicLR(0.1, 1.0, cycle_momentum=False).momentum()


# -- schedule-object behaviour -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(n for n in jaxsched.registry() if n.startswith("compat.torch.")))
def test_examples_round_trip_and_jit(name: str) -> None:
    cls = jaxsched.registry()[name]
    assert cls.examples
    for ex in cls.examples:
        s = jaxsched.from_config({"name": name, **ex})
        assert jaxsched.from_config(s.to_config()) == s
        steps = np.arange(0, 400, 7)
        jitted = jax.jit(lambda k, s=s: s(k))(steps)
        np.testing.assert_allclose(np.asarray(jitted), np.asarray(s(steps)), rtol=1e-6)
        far = s.numpy(np.array([0, 10**6, 2**31 - 1]))
        assert np.all(np.isfinite(far))
