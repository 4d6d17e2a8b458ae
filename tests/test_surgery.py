"""Schedule surgery (jaxsched/_surgery.py and join(continuous=True)): continuity of value and slope,
equality with the hand-built joins, every evaluation path."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import jaxsched
from jaxsched._numerics import MAX_STEP

RUNS = {
    "wsd": jaxsched.warmup_stable_decay(1e-3, 100, 10_000, 2_000, end_value=1e-5),
    "cosine": jaxsched.warmup_cosine_decay(0.0, 1e-3, 100, 10_000, end_value=1e-5),
    "inverse_sqrt": jaxsched.inverse_sqrt(1e-3, 100),
    "linear": jaxsched.linear(1.0, 0.1, 10_000, transition_begin=50),
}
SHAPES = ["linear", "cosine", "1-sqrt", "exponential"]


EVAL = jax.jit(lambda a, x: a(x))  # one compilation per structure and shape, reused across examples


def paths(s: jaxsched.Schedule, k: np.ndarray) -> list[np.ndarray]:
    """The JAX float32 values as a jit argument (the eager closure path is in test_contract)."""
    return [np.asarray(EVAL(s, np.asarray(k, np.int32)))]


@pytest.mark.parametrize("run", sorted(RUNS))
@pytest.mark.parametrize("shape", SHAPES)
@given(at=st.integers(0, 9_000), length=st.integers(1, 5_000))
def test_branch_starts_from_the_running_value_and_matches_the_hand_built_join(run, shape, at, length):
    s = RUNS[run]
    end = 1e-6
    if shape == "exponential" and float(s.numpy(at)) == 0:
        with pytest.raises(ValueError, match="decay_shape"):
            jaxsched.branch(s, at=at, decay_steps=length, end_value=end, decay_shape=shape)
        return
    b = jaxsched.branch(s, at=at, decay_steps=length, end_value=end, decay_shape=shape)
    v = float(s.numpy(at))
    # Continuity: the branch's value at `at` is the running value, on every path.
    assert float(b.numpy(at)) == v
    for got in paths(b, np.array([at])):
        assert float(got[0]) == pytest.approx(v, rel=1e-6)
    # The hand-built join: the running schedule, then a WSD-shaped decay from the value at `at`.
    tail = jaxsched.warmup_stable_decay(v, 0, length, length, init_value=v, end_value=end, decay_shape=shape)
    hand = jaxsched.join([s, tail], [at])
    k = np.r_[
        np.arange(at - 3, at + 4).clip(0),
        at + length // 2,
        at + length - 1,
        at + length,
        at + length + 5,
        MAX_STEP,
    ]
    np.testing.assert_allclose(b.numpy(k), hand.numpy(k), rtol=1e-12, atol=1e-300)
    for got in paths(b, k):
        np.testing.assert_allclose(got, hand.numpy(k), rtol=2e-6)


def test_branch_until_and_refusals():
    s = RUNS["wsd"]
    assert jaxsched.branch(s, 5_000, until=6_000) == jaxsched.branch(s, 5_000, 1_000)
    with pytest.raises(ValueError, match="decay_steps"):
        jaxsched.branch(s, 5_000)
    with pytest.raises(ValueError, match="until"):
        jaxsched.branch(s, 5_000, until=4_000)


@pytest.mark.parametrize("run", sorted(RUNS))
@given(at=st.integers(0, 8_000), extra=st.integers(1, 20_000))
@example(at=100, extra=522)  # a knot where the slope is 0: a one-step difference is second order there
def test_stretch_keeps_the_value_and_shape(run, at, extra):
    s = RUNS[run]
    old_end = max(s.key_steps())
    if at >= old_end:
        return
    new_end = old_end + extra
    r = jaxsched.stretch(s, at, new_end)
    assert float(r.numpy(at)) == float(s.numpy(at))
    assert float(r.numpy(new_end)) == pytest.approx(float(s.numpy(old_end)), rel=1e-12)
    # The curve after `at` is the old remainder, time-scaled: r(at + x (T' - a)) = s(at + x (T - a)).
    for x in (0.1, 0.37, 0.5, 0.9):
        k_new = at + x * (new_end - at)
        k_old = at + x * (old_end - at)
        assert float(r.numpy(k_new)) == pytest.approx(float(s.numpy(k_old)), rel=1e-9)
    # Slope continuity: one step after `at` the stretched curve is where the old one was (T - a) / (T' - a)
    # of a step after it (fractional steps are exact), so every derivative is the old one times that ratio.
    # (Comparing one-step differences instead fails at a knot where the slope is 0.)
    ratio = (old_end - at) / (new_end - at)
    d_new = float(r.numpy(at + 1)) - float(r.numpy(at))
    d_old = float(s.numpy(at + ratio)) - float(s.numpy(at))
    assert d_new == pytest.approx(d_old, rel=1e-9, abs=1e-15 * float(np.max(s.numpy(s.key_steps()))))
    k = np.array([0, at, at + 1, (at + new_end) // 2, new_end - 1, new_end, MAX_STEP])
    for got in paths(r, k):
        np.testing.assert_allclose(got, r.numpy(k), rtol=2e-6)


def test_extend_lengthens_the_stable_phase():
    s = RUNS["wsd"]  # decay over the last 2,000 of 10,000 steps
    e = jaxsched.extend(s, at=5_000, steps=3_000)
    k = np.arange(0, 14_000, 250)
    later = s.numpy(np.maximum(k - 3_000, 0))
    want = np.where(k < 5_000, s.numpy(k), np.where(k < 8_000, s.numpy(5_000), later))
    np.testing.assert_allclose(e.numpy(k), want, rtol=1e-12)
    hand = jaxsched.warmup_stable_decay(1e-3, 100, 13_000, 2_000, end_value=1e-5)
    np.testing.assert_allclose(e.numpy(k), hand.numpy(k), rtol=1e-12)
    for got in paths(e, k):
        np.testing.assert_allclose(got, want, rtol=2e-6)


def test_rewarmup_is_continuous_and_matches_wsd_cycles():
    first = jaxsched.warmup_stable_decay(1e-3, 100, 1_000, 200, end_value=1e-5)
    second = jaxsched.warmup_stable_decay(1e-3, 0, 1_000, 200, init_value=1e-3, end_value=1e-5)
    r = jaxsched.rewarmup(first, at=1_000, warmup_steps=50, then=second)
    cycles = jaxsched.warmup_stable_decay_cycles(
        1e-3, [1_000, 1_050], 100, 200, rewarmup_steps=50, end_value=1e-5
    )
    k = np.arange(0, 2_200, 7)
    np.testing.assert_allclose(r.numpy(k), cycles.numpy(k), rtol=1e-12)
    for got in paths(r, k):
        np.testing.assert_allclose(got, cycles.numpy(k), rtol=2e-6)


@given(st.integers(1, 500), st.floats(0.1, 0.99), st.integers(1, 500))
def test_continuous_join_continues_from_the_previous_value(b, rate, length):
    first = jaxsched.exponential_decay(1e-3, 10, rate)
    second = jaxsched.cosine_decay(1.0, length)
    j = jaxsched.join([first, second], [b], continuous=True)
    assert float(j.numpy(b)) == pytest.approx(float(first.numpy(b)), rel=1e-12)
    hand = jaxsched.join([first, jaxsched.cosine_decay(float(first.numpy(b)), length)], [b])
    k = np.r_[np.arange(0, 8), b - 1, b, b + 1, b + length // 2, b + length, b + length + 3]
    np.testing.assert_allclose(j.numpy(k), hand.numpy(k), rtol=1e-12)
    for got in paths(j, k):
        np.testing.assert_allclose(got, hand.numpy(k), rtol=2e-6, atol=1e-12)


def test_continuous_join_refuses_a_piece_starting_at_zero():
    with pytest.raises(ValueError, match="schedules\\[1\\]"):
        jaxsched.join([jaxsched.constant(1.0), jaxsched.linear(0.0, 1.0, 10)], [5], continuous=True)


def test_surgery_round_trips_through_config():
    s = RUNS["wsd"]
    for op in (
        jaxsched.branch(s, 4_000, 500, decay_shape="cosine"),
        jaxsched.stretch(s, 3_000, 20_000),
        jaxsched.extend(s, 3_000, 100),
        jaxsched.rewarmup(s, 10_000, 10, s),
    ):
        back = jaxsched.from_config(op.to_config())
        assert back == op
        k = [0, 3_000, 5_000, 20_000]
        np.testing.assert_array_equal(back.numpy(k), op.numpy(k))


def test_resume_across_a_branch_in_a_fresh_process_on_both_sides(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parent / "_procs" / "surgery_resume.py"
    k, n = 5_000, 30
    for args in (["run", str(tmp_path), str(k)], ["branch", str(tmp_path), str(k), str(n)]):
        subprocess.run([sys.executable, str(script), *args], check=True, timeout=600)
    out = json.loads((tmp_path / "branched.json").read_text())
    want = np.asarray(out["want"])
    assert want[0] == out["running_at_k"] == 0.05  # the branch starts from the running value
    np.testing.assert_allclose(out["torch"], want, rtol=1e-13)
    np.testing.assert_allclose(out["jax"], want, rtol=2e-6)
    assert want[-1] == 1e-4
    (record,) = out["surgery"]
    assert record["at"] == k and record["continuous"] and record["to"]["name"] == "branch"


def test_cli_branch_writes_the_new_config(tmp_path):
    import subprocess
    import sys

    run = jaxsched.warmup_stable_decay(1e-3, 100, 10_000, 2_000)
    src = tmp_path / "run.json"
    jaxsched.save_config(run, src)
    out = tmp_path / "cool.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jaxsched",
            "branch",
            str(src),
            "--at",
            "5000",
            "--steps",
            "1000",
            "--decay",
            "cosine",
            "--end-value",
            "1e-5",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "at step 5000 the value is 0.001" in proc.stderr
    assert jaxsched.from_config(out) == jaxsched.branch(run, 5000, 1000, 1e-5, "cosine")
    bad = subprocess.run(
        [sys.executable, "-m", "jaxsched", "branch", str(src), "--at", "5000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2 and "--steps" in bad.stderr
