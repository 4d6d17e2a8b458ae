"""The token clock (jaxsched.on_tokens, torch_bridge.TokenScheduleLR) and batch-size schedules.

References are independent: positions are computed with Python ints (exact) and the schedule's own float64
NumPy path at ``tokens / u``; batch sizes with a per-update loop over exact rationals (``fractions``).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched.clock import BatchSizeSchedule, TokenCount, split_position
from tests._procs import run_script
from torch_bridge import ScheduleLR, TokenScheduleLR

MAX = 2**31 - 1


def _sgd_clock(schedule: jaxsched.Schedule, u: int) -> optax.GradientTransformationExtraArgs:
    return jaxsched.on_tokens(optax.sgd, tokens_per_step=u)(learning_rate=schedule)


def _exact(schedule: jaxsched.Schedule, tokens: int, u: int) -> float:
    """The schedule at tokens / u, in float64, from the exact rational position."""
    if tokens // u >= MAX:
        return float(schedule.numpy(MAX))
    return float(schedule.numpy(float(Fraction(tokens, u))))


PARAMS = {"w": jnp.zeros(2)}
GRADS = {"w": jnp.ones(2)}


# -- the JAX clock --------------------------------------------------------------------------------------


def test_lr_follows_consumed_tokens_with_a_ramping_batch_jax_and_torch() -> None:
    """Update k uses s(tokens before k / u), in a jitted step and in torch, with batch sizes from a ramp."""
    assert not jax.config.read("jax_enable_x64")
    u, seq = 1000, 128
    lr = jaxsched.from_config(
        {
            "name": "warmup_cosine_decay",
            "init_value": 0.0,
            "peak_value": 1.0,
            "warmup_steps": "5k tok",
            "decay_steps": "100k tok",
        },
        tokens_per_step=u,
    )
    assert (lr.warmup_steps, lr.decay_steps) == (5, 100)
    bs = jaxsched.batch_size_schedule([(0, 2), (12_000, 16)], clock="tokens", increment=2, seq_len=seq)
    plan = bs.plan(40)
    assert plan.batch_size[0] == 2 and plan.batch_size[-1] == 16 and len(set(plan.batch_size)) >= 5
    np.testing.assert_array_equal(
        plan.tokens_before, np.concatenate([[0], np.cumsum(plan.batch_size)[:-1]]) * seq
    )

    opt = _sgd_clock(lr, u)
    update = jax.jit(opt.update)
    state = opt.init(PARAMS)
    assert int(jaxsched.current(state, "tokens")) == 0 and float(jaxsched.current(state)) == 0.0
    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.5)
    sched = TokenScheduleLR(topt, lr, tokens_per_step=u)
    jax_lrs, torch_lrs, want = [], [], []
    for k in range(40):
        n = int(plan.batch_size[k]) * seq
        torch_lrs.append(topt.param_groups[0]["lr"])
        _, state = update(GRADS, state, PARAMS, tokens=n)
        jax_lrs.append(float(jaxsched.current(state)))
        want.append(_exact(lr, int(plan.tokens_before[k]), u))
        assert int(jaxsched.current(state, "tokens")) == int(plan.tokens_before[k]) + n
        topt.step()
        sched.step(tokens=n)
        assert sched.tokens == int(plan.tokens_before[k]) + n
    assert len(set(want)) == 40  # every update sees a new value
    np.testing.assert_allclose(torch_lrs, want, rtol=1e-13, atol=0)
    np.testing.assert_allclose(jax_lrs, want, rtol=2e-6, atol=1e-9)


def test_integer_part_is_exact_where_a_float32_step_is_not() -> None:
    """Past 2**24 steps a float32 position rounds across a boundary; the clock stops one token short."""
    u, boundary = 1024, 2**25 + 4
    s = jaxsched.piecewise_constant(1.0, {boundary: 0.5})
    target = boundary * u - 1  # 3.4e10 tokens: one short of the boundary
    assert float(s(np.float32(target / u))) == 0.5  # what a float32 step would give
    opt = _sgd_clock(s, u)
    update = jax.jit(opt.update)
    state = opt.init(PARAMS)
    done = 0
    while done < target:
        n = min(MAX, target - done)
        _, state = update(GRADS, state, PARAMS, tokens=n)
        done += n
    assert int(jaxsched.current(state, "tokens")) == target
    assert (int(state.step), int(state.carry)) == (boundary - 1, u - 1)
    _, state = update(GRADS, state, PARAMS, tokens=1)
    assert float(jaxsched.current(state)) == 1.0  # used at boundary * u - 1 tokens
    _, state = update(GRADS, state, PARAMS, tokens=1)
    assert float(jaxsched.current(state)) == 0.5  # used at exactly boundary * u tokens
    # torch: the same positions
    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    sched = TokenScheduleLR(topt, s, tokens_per_step=u, tokens=target - 5)
    assert topt.param_groups[0]["lr"] == 1.0
    topt.step()
    sched.step(tokens=5)
    assert topt.param_groups[0]["lr"] == 1.0
    topt.step()
    sched.step(tokens=1)
    assert topt.param_groups[0]["lr"] == 0.5


def test_past_2_31_tokens_without_x64() -> None:
    """The count is exact past 2**31 and 2**32 tokens; positions saturate at 2**31 - 1 steps."""
    assert not jax.config.read("jax_enable_x64")
    s = jaxsched.linear(1.0, 0.0, transition_steps=10_000_000)
    for u in (1, 7, 4096):
        opt = _sgd_clock(s, u)
        update = jax.jit(opt.update)
        state = opt.init(PARAMS)
        tokens = 0
        for n in (MAX, MAX, MAX, 12345, MAX):
            _, state = update(GRADS, state, PARAMS, tokens=n)
            want = _exact(s, tokens, u)
            np.testing.assert_allclose(float(jaxsched.current(state)), want, rtol=2e-6, atol=1e-7)
            tokens += n
            count = jaxsched.current(state, "tokens")
            assert isinstance(count, TokenCount) and int(count) == tokens
            assert (int(count.hi), int(count.lo)) == divmod(tokens, 2**32)
            n_, r_ = divmod(tokens, u)
            assert (int(state.step), int(state.carry)) == ((MAX, 0) if n_ >= MAX else (n_, r_))
        assert tokens > 2**33


@pytest.fixture(scope="module")
def updates_by_u() -> dict[int, tuple[optax.GradientTransformationExtraArgs, object]]:
    return {}


SMOOTH = jaxsched.warmup_cosine_decay(0.0, 1.0, warmup_steps=1000, decay_steps=5_000_000, end_value=0.01)


@given(
    u=st.sampled_from([1, 3, 1000, 2**20 + 7, 2**30]),
    counts=st.lists(st.one_of(st.integers(0, 5000), st.integers(0, MAX)), min_size=1, max_size=8),
)
def test_clock_matches_python_int_arithmetic(updates_by_u, u: int, counts: list[int]) -> None:
    if u not in updates_by_u:
        opt = _sgd_clock(SMOOTH, u)
        updates_by_u[u] = (opt, jax.jit(opt.update))
    opt, update = updates_by_u[u]
    state = opt.init(PARAMS)
    tokens = 0
    for n in counts:
        _, state = update(GRADS, state, PARAMS, tokens=n)  # type: ignore[operator]
        np.testing.assert_allclose(
            float(jaxsched.current(state)), _exact(SMOOTH, tokens, u), rtol=2e-6, atol=1e-8
        )
        tokens += n
        assert int(jaxsched.current(state, "tokens")) == tokens
        whole, rem = divmod(tokens, u)
        assert (int(state.step), int(state.carry)) == ((MAX, 0) if whole >= MAX else (whole, rem))


def test_hyperparameters_constants_statics_and_extra_args() -> None:
    lr = jaxsched.linear(0.1, 0.0, 4)
    opt = jaxsched.on_tokens(optax.adamw, tokens_per_step=10)(lr, b1=0.8, weight_decay=0.5, nesterov=True)
    state = opt.init(PARAMS)
    assert set(state.hyperparams) == {"learning_rate", "b1", "weight_decay", "tokens"}
    assert float(jaxsched.current(state, "b1")) == pytest.approx(0.8)
    # A changed constant in the state is used by the next update (as with inject_hyperparams).
    state = state._replace(hyperparams={**state.hyperparams, "weight_decay": jnp.asarray(0.0)})
    params = {"w": jnp.ones(2)}
    updates, state = opt.update({"w": jnp.zeros(2)}, state, params, tokens=5)
    np.testing.assert_allclose(updates["w"], 0.0)  # zero gradient and no decay: nothing moves
    # Extra args reach an inner transformation that takes them; the clock keyword does not.
    seen = {}

    def factory(learning_rate: float) -> optax.GradientTransformationExtraArgs:
        def update(u, s, p=None, **extra):
            seen.update(extra)
            return jax.tree.map(lambda g: -learning_rate * g, u), s

        return optax.GradientTransformationExtraArgs(lambda p: optax.EmptyState(), update)

    opt = jaxsched.on_tokens(factory, tokens_per_step=10, clock="samples")(learning_rate=lr)
    state = opt.init(PARAMS)
    updates, state = opt.update(GRADS, state, PARAMS, samples=20, loss=1.5)
    assert seen == {"loss": 1.5} and int(jaxsched.current(state, "samples")) == 20
    np.testing.assert_allclose(updates["w"], -0.1)
    _, state = opt.update(GRADS, state, PARAMS, samples=5)
    assert float(jaxsched.current(state)) == pytest.approx(float(lr.numpy(2.0)))


def test_current_reads_clock_and_value_inside_jit() -> None:
    opt = _sgd_clock(jaxsched.linear(1.0, 0.0, 8), 4)

    @jax.jit
    def step(state, n):
        _, state = opt.update(GRADS, state, PARAMS, tokens=n)
        return state, jaxsched.current(state), jaxsched.current(state, "tokens").as_float()

    state = opt.init(PARAMS)
    state, lr, count = step(state, jnp.int32(6))
    state, lr, count = step(state, jnp.int32(6))
    assert float(lr) == pytest.approx(1.0 - 1.5 / 8) and float(count) == 12.0
    with pytest.raises(TypeError, match="traced"):
        jax.jit(lambda s: int(jaxsched.current(s, "tokens")))(state)


def test_x64_mode_in_a_subprocess() -> None:
    script = textwrap.dedent("""
        import jax, jax.numpy as jnp, optax, jaxsched
        assert jax.config.read("jax_enable_x64")
        s = jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 1000)
        opt = jaxsched.on_tokens(optax.sgd, tokens_per_step=3)(learning_rate=s)
        state = opt.init({"w": jnp.zeros(1)})
        up = jax.jit(opt.update)
        for n in (5, 7, 2**31 - 1):
            _, state = up({"w": jnp.ones(1)}, state, {"w": jnp.zeros(1)}, tokens=n)
        print(repr(float(jaxsched.current(state))), jaxsched.current(state).dtype,
              int(jaxsched.current(state, "tokens")))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "JAX_ENABLE_X64": "1",
            "JAX_PLATFORMS": "cpu",
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        },
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    value, dtype, count = proc.stdout.split()
    s = jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 1000)
    assert dtype == "float64" and int(count) == 12 + MAX
    np.testing.assert_allclose(float(value), float(s.numpy(12 / 3)), rtol=1e-14)


# -- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, MAX + 1, 2.5, True, "7", None, np.float64(np.nan), [3]])
def test_bad_concrete_counts_are_refused(bad: object) -> None:
    opt = _sgd_clock(jaxsched.constant(1.0), 4)
    state = opt.init(PARAMS)
    with pytest.raises((ValueError, TypeError), match="tokens"):
        opt.update(GRADS, state, PARAMS, tokens=bad)


def test_counts_of_every_integer_type_are_accepted() -> None:
    opt = _sgd_clock(jaxsched.constant(1.0), 4)
    state = opt.init(PARAMS)
    for n in (3, np.int64(3), np.uint8(3), 3.0, np.float32(3.0), jnp.int32(3), jnp.asarray(3.0)):
        state = opt.update(GRADS, state, PARAMS, tokens=n)[1]
    assert int(jaxsched.current(state, "tokens")) == 21


def test_traced_counts() -> None:
    opt = _sgd_clock(jaxsched.constant(1.0), 4)
    state = opt.init(PARAMS)
    with pytest.raises(TypeError, match="integer"):
        jax.jit(lambda s, n: opt.update(GRADS, s, PARAMS, tokens=n))(state, jnp.float32(3.0))
    with pytest.raises(ValueError, match="scalar"):
        jax.jit(lambda s, n: opt.update(GRADS, s, PARAMS, tokens=n))(state, jnp.ones(2, jnp.int32))
    up = jax.jit(lambda s, n: opt.update(GRADS, s, PARAMS, tokens=n)[1])
    state = up(state, jnp.int32(-5))  # documented: a traced negative count adds nothing
    state = up(state, jnp.uint32(7))
    assert int(jaxsched.current(state, "tokens")) == 7


def test_wrapper_refusals() -> None:
    s = jaxsched.constant(1.0)
    for u in (0, -3, 2**30 + 1, 1.5, "8"):
        with pytest.raises((ValueError, TypeError), match="tokens_per_step"):
            jaxsched.on_tokens(optax.sgd, tokens_per_step=u)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="clock"):
        jaxsched.on_tokens(optax.sgd, tokens_per_step=4, clock="no such")
    with pytest.raises(TypeError, match=r"learning_rate.*optax schedule"):
        jaxsched.on_tokens(optax.sgd, tokens_per_step=4)(learning_rate=optax.linear_schedule(1.0, 0.0, 5))
    # ... unless the name is static: the optax schedule then runs on the optimizer's own count.
    jaxsched.on_tokens(optax.sgd, tokens_per_step=4, static_args="learning_rate")(
        learning_rate=optax.linear_schedule(1.0, 0.0, 5)
    )
    with pytest.raises(ValueError, match="clock"):
        jaxsched.on_tokens(lambda learning_rate, tokens: optax.sgd(learning_rate), tokens_per_step=4)(
            learning_rate=s, tokens=3
        )
    opt = _sgd_clock(s, 4)
    with pytest.raises(TypeError, match=r"tokens=n"):
        opt.update(GRADS, opt.init(PARAMS), PARAMS)


# -- torch ----------------------------------------------------------------------------------------------


def _torch_opt(groups: int = 1) -> torch.optim.Optimizer:
    return torch.optim.AdamW(
        [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1 * (i + 1)} for i in range(groups)],
        weight_decay=0.2,
    )


def test_torch_fields_groups_and_multiplier() -> None:
    s1, s2 = jaxsched.linear(1.0, 0.0, 100), jaxsched.cosine_decay(2.0, 50)
    opt = _torch_opt(2)
    lr = TokenScheduleLR(opt, [s1, s2], tokens_per_step=64)
    wd = TokenScheduleLR(opt, s1, tokens_per_step=64, field="weight_decay", multiplier=True)
    tokens = 0
    for n in (100, 1, 64 * 7 + 3, 0, 5000):
        opt.step()
        lr.step(tokens=n)
        wd.step(tokens=n)
        tokens += n
        g = opt.param_groups
        assert [g[0]["lr"], g[1]["lr"]] == [_exact(s1, tokens, 64), _exact(s2, tokens, 64)]
        assert lr.get_last_value() == [g[0]["lr"], g[1]["lr"]]
        assert [g[0]["weight_decay"], g[1]["weight_decay"]] == [0.2 * _exact(s1, tokens, 64)] * 2
    assert lr.last_epoch == 5 and lr.tokens == tokens


def test_torch_block_cache_keeps_the_integer_part_exact() -> None:
    """With a constant count the next values come from one block; near n + 1, float64 would round up."""
    u = 2**30
    n = 2**30 + 5  # positions near 2**30 steps: float64 keeps 2**-22 of a step
    s = jaxsched.piecewise_constant(1.0, {n + 1: 0.5})
    start = n * u + u - 300
    opt = _torch_opt()
    sched = TokenScheduleLR(opt, s, tokens_per_step=u, tokens=start)
    seen = []
    for _ in range(600):
        opt.step()
        sched.step(tokens=1)
        seen.append(opt.param_groups[0]["lr"])
    assert sched._token_cache is not None  # the block path ran
    # float64 rounds n + r/u up to n + 1 for the last 2**7 tokens before the boundary: still 1.0 there
    assert float(n + (u - 100) / u) == n + 1
    assert seen == [1.0] * 299 + [0.5] * 301
    # The same values one position at a time (a fresh scheduler at each clock).
    for i in (0, 170, 200, 297, 298, 299, 300, 599):
        fresh = TokenScheduleLR(_torch_opt(), s, tokens_per_step=u, tokens=start + i + 1)
        assert fresh.get_last_value() == [seen[i]], i


def test_torch_state_dict_resumes_the_clock() -> None:
    s = jaxsched.linear(1.0, 0.0, 100)
    opt = _torch_opt()
    sched = TokenScheduleLR(opt, s, tokens_per_step=10)
    for n in (15, 2**40, 7):
        opt.step()
        sched.step(tokens=n)
    sd = sched.state_dict()
    assert sd["tokens"] == 22 + 2**40 and sd["tokens_per_step"] == 10
    buf = __import__("io").BytesIO()
    torch.save(sd, buf)
    buf.seek(0)
    sd = torch.load(buf, weights_only=True)
    opt2 = _torch_opt()
    fresh = TokenScheduleLR(opt2, s, tokens_per_step=10)
    fresh.load_state_dict(sd)
    assert fresh.tokens == 22 + 2**40 and fresh.last_epoch == 3
    opt2.step()
    fresh.step(tokens=8)
    assert opt2.param_groups[0]["lr"] == _exact(s, 30 + 2**40, 10)
    with pytest.raises(ValueError, match="tokens_per_step"):
        TokenScheduleLR(_torch_opt(), s, tokens_per_step=11).load_state_dict(sd)
    with pytest.raises(ValueError, match="clock"):
        TokenScheduleLR(_torch_opt(), s, tokens_per_step=10, clock="samples").load_state_dict(sd)
    plain = ScheduleLR(_torch_opt(), s).state_dict()
    with pytest.raises(KeyError, match="tokens"):
        TokenScheduleLR(_torch_opt(), s, tokens_per_step=10).load_state_dict(plain)


def test_torch_refusals() -> None:
    s = jaxsched.constant(1.0)
    opt = _torch_opt()
    sched = TokenScheduleLR(opt, s, tokens_per_step=4)
    opt.step()
    with pytest.raises(TypeError, match="tokens=n"):
        sched.step()
    with pytest.raises(TypeError, match="epoch"):
        sched.step(3)
    with pytest.raises(TypeError, match="tokens=n"):
        sched.step(samples=3)
    for bad in (-1, 2.5, True, "3", torch.ones(2)):
        with pytest.raises((ValueError, TypeError), match="tokens"):
            sched.step(tokens=bad)
    sched.step(tokens=torch.tensor(3))
    sched.step(tokens=np.int64(4))
    assert sched.tokens == 7 and type(sched.tokens) is int
    for u in (0, 2**30 + 1):
        with pytest.raises(ValueError, match="tokens_per_step"):
            TokenScheduleLR(_torch_opt(), s, tokens_per_step=u)
    with pytest.raises(ValueError, match="tokens"):
        TokenScheduleLR(_torch_opt(), s, tokens_per_step=4, tokens=-1)


def test_split_position() -> None:
    assert split_position(0, 5) == (0, 0.0)
    assert split_position(2**31 * 5 - 1, 5) == (2**31 - 1, 0.0)  # saturated
    assert split_position(2**31 * 5 - 6, 5) == (2**31 - 2, 0.8)
    assert split_position(2**30 - 1, 2**30)[1] < 1.0


# -- resume in a fresh process --------------------------------------------------------------------------

N, K = 30, 13


@pytest.fixture(scope="module")
def resume_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clock_resume")
    run_script("clock_resume.py", "full", out, N, K)
    run_script("clock_resume.py", "resume", out, N, K)
    return out


@pytest.mark.slow
def test_resume_in_a_fresh_process(resume_runs: Path) -> None:
    from tests._procs.clock_resume import TOKENS_PER_STEP, schedule

    full = json.loads((resume_runs / "full.json").read_text())
    resumed = json.loads((resume_runs / "resumed.json").read_text())
    sizes, before = full["batch_size"], full["tokens_before"]
    assert sizes[0] == 4 and sizes[-1] == 32 and len(set(sizes[:K])) > 2  # ramping before the checkpoint
    want = [_exact(schedule(), t, TOKENS_PER_STEP) for t in before]
    assert len(set(want)) == N
    np.testing.assert_allclose(full["torch_lrs"], want, rtol=1e-13, atol=0)
    np.testing.assert_allclose(full["jax_lrs"], want, rtol=2e-6, atol=1e-9)
    clocks = [t + 256 * b for t, b in zip(before, sizes, strict=True)]
    assert full["jax_clocks"] == clocks and full["torch_clocks"] == clocks
    for fmt in ("pickle", "orbax"):
        assert resumed[f"jax_{fmt}_restored_clock"] == clocks[K - 1]
        assert resumed[f"jax_{fmt}_lrs"] == full["jax_lrs"][K:], fmt  # bit-identical floats
        assert resumed[f"jax_{fmt}_clocks"] == clocks[K:]
        assert resumed[f"jax_{fmt}_w"] == full["jax_w"]
    assert resumed["torch_restored_clock"] == clocks[K - 1]
    assert resumed["torch_lrs"] == full["torch_lrs"][K:]
    assert resumed["torch_clocks"] == clocks[K:]
    assert resumed["torch_w"] == full["torch_w"]


# -- batch-size schedules -------------------------------------------------------------------------------


def _megatron_exact(start: int, inc: int, ramp: int, end: int, c: int) -> int:
    n = (end - start) // inc
    return end if c > ramp else start + inc * int(Fraction(c * n, ramp))


@given(
    start=st.integers(1, 64),
    n=st.integers(0, 12),
    inc=st.integers(1, 64),
    ramp=st.integers(1, 10**7),
    cs=st.lists(st.integers(0, 2 * 10**7), min_size=1, max_size=20),
)
def test_rampup_is_megatron_formula(start: int, n: int, inc: int, ramp: int, cs: list[int]) -> None:
    end = start + n * inc
    bs = jaxsched.batch_size_rampup(start, inc, ramp, end)
    for c in [*cs, 0, ramp - 1, ramp, ramp + 1]:
        if c >= 0:
            assert bs.batch_size_at(c) == _megatron_exact(start, inc, ramp, end, c)


def test_rampup_megatron_float_quirk() -> None:
    # Megatron divides c / (R / n) in floating point: at R = 9, n = 7, c = 9 it counts 6 increments.
    assert int(9 / (9 / 7)) == 6
    bs = jaxsched.batch_size_rampup(8, 8, 9, 64)
    assert bs.batch_size_at(9) == 64 and bs.batch_size_at(8) == 8 + 8 * 6


def _naive_plan(bs: BatchSizeSchedule, n: int) -> tuple[list[int], list[int]]:
    sizes, before, samples = [], [], 0
    for k in range(n):
        c = {"steps": k, "samples": samples, "tokens": samples * (bs.seq_len or 1)}[bs.clock]
        pts = bs.points
        if c >= pts[-1][0]:
            b = pts[-1][1]
        else:
            i = max(j for j, p in enumerate(pts) if p[0] <= c)
            (c0, b0), (c1, b1) = pts[i], pts[i + 1]
            if bs.interpolate == "step":
                b = b0
            else:  # the linear value rounded down to a multiple of the increment above b0 (exact)
                g = bs.increment
                b = b0 + g * int(np.floor(Fraction((b1 - b0) * (c - c0), (c1 - c0) * g)))
        sizes.append(b)
        before.append(samples)
        samples += b
    return sizes, before


@st.composite
def batch_schedules(draw: st.DrawFn) -> BatchSizeSchedule:
    micro, dp = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    unit = micro * dp
    inc = unit * draw(st.integers(1, 4))
    interpolate = draw(st.sampled_from(["linear", "step"]))
    clock = draw(st.sampled_from(["samples", "tokens", "steps"]))
    seq = draw(st.integers(1, 64)) if clock == "tokens" or draw(st.booleans()) else None
    pts = [(0, inc * draw(st.integers(1, 8)))]
    for _ in range(draw(st.integers(0, 4))):
        c = pts[-1][0] + draw(st.integers(1, 4000))
        b = inc * draw(st.integers(1, 40)) if interpolate == "linear" else unit * draw(st.integers(1, 99))
        pts.append((c, b))
    return jaxsched.batch_size_schedule(
        pts,
        interpolate=interpolate,
        clock=clock,
        increment=inc,
        micro_batch_size=micro,
        data_parallel=dp,
        seq_len=seq,
    )


@given(bs=batch_schedules(), n=st.integers(0, 300), cut=st.integers(0, 300))
def test_plan_matches_a_per_update_loop(bs: BatchSizeSchedule, n: int, cut: int) -> None:
    plan = bs.plan(n)
    sizes, before = _naive_plan(bs, n)
    assert plan.batch_size.tolist() == sizes
    assert plan.samples_before.tolist() == before
    unit = bs.micro_batch_size * bs.data_parallel
    assert (plan.accumulation * unit == plan.batch_size).all() and (plan.accumulation >= 1).all()
    if bs.seq_len is not None:
        assert plan.tokens_before.tolist() == [b * bs.seq_len for b in before]
    else:
        assert plan.tokens_before is None
    # Continuing a run from update `cut` gives the rest of the same plan.
    cut = min(cut, n)
    rest = bs.plan(n - cut, samples_before=int(before[cut]) if cut < n else sum(sizes), start_update=cut)
    assert rest.batch_size.tolist() == sizes[cut:]
    # Values stay between the neighbouring points' sizes (rounded down, never past them).
    lo, hi = min(b for _, b in bs.points), max(b for _, b in bs.points)
    assert all(lo <= b <= hi for b in sizes)


def test_plan_cost_grows_with_distinct_sizes_not_updates() -> None:
    bs = jaxsched.batch_size_schedule([(0, 256), (10**9, 1024)], increment=256, seq_len=4096)
    plan = bs.plan(5_000_000)
    assert plan.batch_size[-1] == 1024 and plan.tokens_before[-1] > 2**40
    assert sorted(set(plan.batch_size.tolist())) == [256, 512, 768, 1024]


def test_smooth_ramp_and_olmo_style_steps() -> None:
    smooth = jaxsched.batch_size_schedule([(0, 8), (2000, 64)], micro_batch_size=4, data_parallel=2)
    sizes = smooth.plan(120).batch_size.tolist()
    assert sizes[0] == 8 and sizes[-1] == 64 and sizes == sorted(sizes)
    assert all(b - a in (0, 8) for a, b in itertools.pairwise(sizes))  # one micro-batch each
    steps = jaxsched.batch_size_schedule([(0, 32), (10, 64), (20, 128)], interpolate="step", clock="steps")
    assert steps.plan(25).batch_size.tolist() == [32] * 10 + [64] * 10 + [128] * 5


def test_batch_schedule_refusals_and_config() -> None:
    ok = dict(points=[(0, 8), (100, 16)], micro_batch_size=4)
    assert BatchSizeSchedule.from_config(
        jaxsched.batch_size_schedule(**ok).to_config()
    ) == jaxsched.batch_size_schedule(**ok)
    bad = [
        (dict(points=[]), "points"),
        (dict(points=[(5, 8)]), r"points\[0\]\[0\]"),
        (dict(points=[(0, 8), (0, 16)]), r"points\[1\]\[0\]"),
        (dict(points=[(0, 6)], micro_batch_size=4), r"points\[0\]\[1\]"),
        (dict(points=[(0, 8), (10, 12)], increment=8), r"points\[1\]\[1\]"),
        (dict(points=[(0, 8)], increment=6, micro_batch_size=4), "increment"),
        (dict(points=[(0, 8)], clock="tokens"), "seq_len"),
        (dict(points=[(0, 8)], clock="epochs"), "clock"),
        (dict(points=[(0, 8)], interpolate="cosine"), "interpolate"),
        (dict(points=[(0, 0)]), r"points\[0\]\[1\]"),
        (dict(points=[(0, 8.5)]), r"points\[0\]\[1\]"),
        (dict(points="0,8"), "points"),
        (dict(points=[(0, 8)], micro_batch_size=0), "micro_batch_size"),
    ]
    for kwargs, match in bad:
        with pytest.raises((ValueError, TypeError), match=match):
            jaxsched.batch_size_schedule(**kwargs)  # type: ignore[arg-type]
    for args, match in [
        ((256, 128, 0, 1024), "rampup_samples"),
        ((256, 100, 10, 1024), "increment"),
        ((1024, 128, 10, 256), "global_batch_size"),
    ]:
        with pytest.raises(ValueError, match=match):
            jaxsched.batch_size_rampup(*args)
    with pytest.raises(ValueError, match="unknown keys"):
        BatchSizeSchedule.from_config({"points": [(0, 8)], "warmup": 3})
    with pytest.raises(ValueError, match="clock"):
        jaxsched.batch_size_schedule([(0, 8)]).batch_size_at(-1)


def test_torch_clock_without_a_jax_backend() -> None:
    script = textwrap.dedent("""
        import torch, jaxsched, torch_bridge
        s = jaxsched.warmup_cosine_decay(0.0, 1e-3, warmup_steps=50, decay_steps=900)
        opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(2))], lr=1e-3)
        sched = torch_bridge.TokenScheduleLR(opt, s, tokens_per_step=1000)
        plan = jaxsched.batch_size_rampup(4, 4, 400, 32, seq_len=128).plan(200)
        for b in plan.batch_size.tolist():
            opt.step(); sched.step(tokens=b * 128)
        import jax._src.xla_bridge as xb
        assert not xb._backends, xb._backends
        print("OK", sched.tokens)
    """)
    env = dict(
        os.environ, JAX_PLATFORMS="no_such_platform", PYTHONPATH=str(Path(__file__).resolve().parents[1])
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("OK")
