"""jaxsched.compat.t5x against golden curves recorded from t5x's own schedule code, and against an
independent 40-digit transcription of it.

The goldens come from ``tests/golden/record_t5x.py`` (``create_learning_rate_scheduler`` run under
``jax_enable_x64`` with its final float32 cast lifted; see its docstring). t5x returns float32, so what it
applies is ``float32(values)``; the port returns the exact value (float64), compared with the golden at
``rtol=1e-12``, ``atol=1e-15`` of the peak (t5x's own float64 rounding: ``1 + decay_factor * (W - t)``
cancels near its zero, and its cosine phase ``x % 1.0`` is a float), and with the exact value at
``rtol=1e-12``; JAX float32 against the exact value within the 1e-6 contract.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import MAX_STEP
from jaxsched._references import references
from jaxsched.compat import t5x
from tests.helpers import edge_steps

GOLDEN = json.loads((Path(__file__).parent / "golden" / "t5x.json").read_text())
mp.mp.dps = 40

DEFAULTS = {
    "factors": "constant * linear_warmup * rsqrt_decay",
    "base_learning_rate": 0.5,
    "warmup_steps": 1000,
    "decay_factor": 0.5,
    "steps_per_decay": 20000,
    "steps_per_cycle": 100000,
    "step_offset": 0,
    "min_learning_rate": 1e-8,
}


def exact(cfg: dict[str, Any]):
    """``f(k)``: t5x's schedule at step ``k`` in 40-digit arithmetic (written from its source)."""
    c = {**DEFAULTS, **cfg}
    names = [n.strip() for n in c["factors"].split("*")]
    W, lr, g = c["warmup_steps"], mp.mpf(c["base_learning_rate"]), mp.mpf(c["decay_factor"])

    def f(k: int):
        # A negative step_offset moves the last steps past 2**31 - 1, where jaxsched's steps saturate (t5x's
        # int32 count wraps to negative there, and max(0, .) makes it 0): the documented saturation.
        t = min(max(0, k - c["step_offset"]), MAX_STEP)
        ret = mp.mpf(1)
        for n in names:
            if n == "constant":
                ret *= lr
            elif n == "linear_warmup":
                ret *= min(1, mp.mpf(t) / W)
            elif n == "linear_decay":
                ret *= lr * min(mp.mpf(t) / W, 1 + g * (W - t))
            elif n == "rsqrt_decay":
                ret /= mp.sqrt(max(t, W))
            elif n == "rsqrt_normalized_decay":
                ret *= mp.sqrt(W) / mp.sqrt(max(t, W))
            elif n == "decay_every":
                ret *= g ** (t // c["steps_per_decay"])
            else:
                phase = mp.mpf(max(0, t - W) % c["steps_per_cycle"]) / c["steps_per_cycle"]
                ret *= (1 + mp.cos(mp.pi * phase)) / 2
        return max(ret, mp.mpf(c["min_learning_rate"]))

    return f


def golden_steps(case: dict[str, Any]) -> np.ndarray:
    return np.array(list(range(case["dense"])) + case["extra"], dtype=np.int64)


def test_goldens_record_their_source() -> None:
    assert GOLDEN["repo"] == "https://github.com/google-research/t5x"
    assert len(GOLDEN["commit"]) == 40 and GOLDEN["x64"] is True
    assert len(GOLDEN["cases"]) >= 100
    used = {
        n.strip() for c in GOLDEN["cases"] for n in c["kwargs"].get("factors", DEFAULTS["factors"]).split("*")
    }
    assert used == set(t5x.FACTORS)


@pytest.mark.parametrize("index", range(len(GOLDEN["cases"])))
def test_matches_t5x(index: int) -> None:
    case = GOLDEN["cases"][index]
    s = t5x.create_learning_rate_scheduler(**case["kwargs"])
    steps = golden_steps(case)
    want = np.array(case["values"])
    got = s.numpy(steps)
    scale = float(np.max(np.abs(want)))
    f = exact(case["kwargs"])
    ex = np.array([float(f(int(k))) for k in steps])
    # t5x's float phase of the cosine, (t - W) / steps_per_cycle % 1.0, is off by up to 2**-52 (t - W) /
    # steps_per_cycle of a cycle at far steps: its float64 error in the value, bounded by that phase error.
    cyc = {**DEFAULTS, **case["kwargs"]}["steps_per_cycle"]
    phase_err = 4.5e-16 * np.pi * steps / cyc if "cosine_decay" in case["kwargs"].get("factors", "") else 0.0
    inside = steps - {**DEFAULTS, **case["kwargs"]}["step_offset"] <= MAX_STEP
    np.testing.assert_array_less(
        np.abs(want - ex)[inside],
        (2e-12 * np.abs(ex) + scale * (1e-15 + phase_err))[inside]
        if np.ndim(phase_err)
        else (2e-12 * np.abs(ex) + scale * 1e-15)[inside],
        err_msg=repr(s),
    )
    near = phase_err < 1e-15 if np.ndim(phase_err) else np.ones(steps.shape, bool)
    near &= steps - {**DEFAULTS, **case["kwargs"]}["step_offset"] <= MAX_STEP  # (see exact())
    np.testing.assert_allclose(got[near], want[near], rtol=1e-12, atol=1e-15 * scale, err_msg=repr(s))
    floor = 1e-15 * scale if "linear_decay" in case["kwargs"].get("factors", "") else 1e-300  # (see below)
    np.testing.assert_allclose(got, ex, rtol=1e-12, atol=floor, err_msg=repr(s))
    got32 = np.asarray(s(steps.astype(np.int32)), np.float64)
    np.testing.assert_allclose(got32, ex, rtol=1e-6, atol=max(floor, 1e-30), err_msg=repr(s))


def test_examples_are_recorded_for_the_parity_job() -> None:
    ref = references()["compat.t5x.create_learning_rate_scheduler"]
    assert ref.library == "golden:t5x"
    for ex in t5x.LearningRateScheduler.examples:
        s = t5x.LearningRateScheduler(**ex)
        values = ref.run(s, 1500)
        assert len(values) >= 64, ex
        np.testing.assert_allclose(
            s.numpy(np.arange(len(values))), values, rtol=1e-12, atol=1e-15 * float(np.max(values))
        )
    with pytest.raises(KeyError):
        ref.run(t5x.LearningRateScheduler(warmup_steps=77), 10)


def test_the_quirks() -> None:
    s = t5x.create_learning_rate_scheduler("linear_decay", warmup_steps=10)  # decay_factor 0.5: a slope
    assert s.numpy([9, 10, 11, 12, 13]).tolist() == [0.45, 0.5, 0.25, 1e-8, 1e-8]
    peak = t5x.create_learning_rate_scheduler("rsqrt_decay")  # no constant: 1 / sqrt(1000)
    assert peak.numpy(0) == pytest.approx(1000**-0.5, rel=1e-15)
    cyc = t5x.create_learning_rate_scheduler("cosine_decay", warmup_steps=5, steps_per_cycle=4)
    assert cyc.numpy([0, 5, 6, 8, 9, 10]).tolist() == pytest.approx(
        [1.0, 1.0, 0.8535533905932737, 0.1464466094067262, 1.0, 0.8535533905932737], rel=1e-15
    )
    assert (
        t5x.create_learning_rate_scheduler(" constant*  linear_warmup ").factors == "constant * linear_warmup"
    )


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(t5x.FACTORS), min_size=1, max_size=4))
    while names.count("linear_decay") > 1:
        names.remove("linear_decay")
    cfg: dict[str, Any] = {
        "factors": " * ".join(names),
        "base_learning_rate": draw(st.floats(1e-4, 10)),
        "warmup_steps": draw(st.one_of(st.integers(1, 100), st.integers(1, MAX_STEP))),
        "min_learning_rate": draw(st.sampled_from([0.0, 1e-8, 1e-3])),
        "step_offset": draw(st.integers(-1000, 10**6)),
        "steps_per_decay": draw(st.integers(1, 10**5)),
        "steps_per_cycle": draw(st.integers(1, 10**6)),
    }
    cfg["decay_factor"] = draw(st.floats(1e-9, 1.0)) if "linear_decay" in names else draw(st.floats(0, 1))
    return cfg


@given(configs(), st.lists(st.integers(0, MAX_STEP), max_size=8))
def test_random_configurations_against_transcription(cfg: dict[str, Any], extra: list[int]) -> None:
    s = t5x.create_learning_rate_scheduler(**cfg)
    steps = edge_steps(s, dense=24, extra=extra)
    f = exact(cfg)
    ex = np.array([float(f(int(k))) for k in steps])
    # linear_decay's line ends at W + 1/decay_factor, and 1/decay_factor is rounded to float64 (t5x's own
    # 1 + decay_factor (W - t) cancels there too): a few steps from its zero, where the value is below
    # 1e-15 of the peak, the relative error is that rounding's.
    floor = 1e-15 * float(np.max(ex)) if "linear_decay" in cfg["factors"] else 1e-300
    np.testing.assert_allclose(s.numpy(steps), ex, rtol=1e-12, atol=floor, err_msg=repr(s))
    np.testing.assert_allclose(
        np.asarray(s(steps.astype(np.int32)), np.float64),
        ex,
        rtol=1e-6,
        atol=max(floor, 1e-30),
        err_msg=repr(s),
    )


def test_from_gin() -> None:
    text = """
include 'base.gin'  # not read
utils.create_learning_rate_scheduler:
  factors = 'linear_decay'
  base_learning_rate = 0.001
  warmup_steps = 1001000
  min_learning_rate=0.00001
  decay_factor = 1.67e-5
train_script.train:
  eval_period = 1000
utils.create_learning_rate_scheduler.step_offset = 1000000
"""
    s = t5x.from_gin(text)
    assert s == t5x.LearningRateScheduler(
        "linear_decay", 0.001, 1001000, 1.67e-5, step_offset=1000000, min_learning_rate=1e-5
    )
    assert jaxsched.from_config(s.to_config()) == s and pickle.loads(pickle.dumps(s)) == s
    with pytest.raises(ValueError, match=r"^warmup_steps"):
        t5x.from_gin("utils.create_learning_rate_scheduler.warmup_steps = %WARMUP")
    with pytest.raises(TypeError, match=r"^warmup"):
        t5x.from_gin("utils.create_learning_rate_scheduler.warmup = 10")


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"factors": "constant * exponential"}, "factors"),
        ({"factors": ""}, "factors"),
        ({"factors": 3}, "factors"),
        ({"factors": "linear_decay * linear_decay"}, "factors"),
        ({"factors": "linear_warmup", "warmup_steps": 0}, "warmup_steps"),
        ({"factors": "rsqrt_decay", "warmup_steps": 0}, "warmup_steps"),
        ({"factors": "decay_every", "decay_factor": 1.5}, "decay_factor"),
        ({"factors": "linear_decay", "decay_factor": 0.0}, "decay_factor"),
        ({"decay_factor": -0.5}, "decay_factor"),
        ({"min_learning_rate": -1e-8}, "min_learning_rate"),
        ({"steps_per_decay": 0}, "steps_per_decay"),
        ({"steps_per_cycle": 1.5}, "steps_per_cycle"),
        ({"base_learning_rate": float("inf")}, "base_learning_rate"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        t5x.create_learning_rate_scheduler(**kwargs)
    assert str(info.value).startswith(argument), str(info.value)
