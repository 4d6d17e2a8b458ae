"""jaxsched.compat.big_vision against golden curves recorded from big_vision's own schedule code, and
against an independent 40-digit transcription of it.

The goldens come from ``tests/golden/record_big_vision.py`` (``create_learning_rate_schedule`` run under
``jax_enable_x64`` with its final float32 cast lifted; see its docstring). big_vision returns float32, so
what it applies is ``float32(values)``; the port returns the exact value (float64), compared with the
golden at ``rtol=1e-12``, ``atol=1e-15`` of the peak, at every recorded step up to ``total_steps`` (after
it big_vision's cooldown factor is negative, the port's 0), and with the exact value at ``rtol=1e-12``
everywhere; JAX float32 against the exact value within the 1e-6 contract.
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
from jaxsched.compat import big_vision
from tests.helpers import edge_steps

GOLDEN = json.loads((Path(__file__).parent / "golden" / "big_vision.json").read_text())
mp.mp.dps = 40


# -- an independent transcription of big_vision's create_learning_rate_schedule (from its source) ---------


def _duration(cfg: dict[str, Any], prefix: str, default: Any) -> Any:
    found = [s for s in ("steps", "examples", "epochs", "percent") if cfg.get(f"{prefix}_{s}") is not None]
    if not found:
        return default
    x, unit = cfg[f"{prefix}_{found[0]}"], found[0]
    if unit == "steps":
        return x

    def to_int(y: float) -> int:
        return max(1, round(y)) if y else 0

    if unit == "examples":
        return to_int(x / cfg["batch_size"])
    if unit == "epochs":
        return to_int(x * (cfg["data_size"] / cfg["batch_size"]))
    return to_int(x * cfg["total_steps"])


def exact(cfg: dict[str, Any]):
    """``f(k)``: big_vision's factor at step ``k`` in 40-digit arithmetic (its cooldown factor, negative
    after ``total_steps``, clamped at 0 as the port does)."""
    T = cfg["total_steps"]
    W, C = _duration(cfg, "warmup", 0), _duration(cfg, "cooldown", 0)
    base = mp.mpf(cfg.get("base", 1.0))
    if cfg.get("scale_with_batchsize"):
        base = base * cfg["batch_size"] / 256
    kind = cfg.get("decay_type", "stair")

    def f(k: int):
        p = min(max(mp.mpf(k - W) / (T - W), 0), 1)
        if kind in ("linear", "polynomial"):
            e = mp.mpf(cfg.get("end", cfg.get("linear_end", 0.0)))
            lr = e + (base - e) * (1 - p) ** cfg.get("power", 1)
        elif kind == "cosine":
            lr = base * (1 + mp.cos(mp.pi * p)) / 2
        elif kind == "rsqrt":
            tau = mp.mpf(_duration(cfg, "timescale", cfg.get("timescale", 10_000)))
            sh = mp.mpf(_duration(cfg, "shift", cfg.get("shift", 0)))
            lr = base / mp.sqrt(1 + ((k + sh - W) / tau if k >= W else sh / tau))
        else:
            mults = [1.0, *cfg.get("mults", [])]
            lr = base * mults[sum(1 for b in cfg.get("steps", []) if b < k + 1)]
        if W:
            lr = lr * min(1, mp.mpf(k) / W)
        if C:
            lr = lr * max(min(1, mp.mpf(T - k) / C), 0)
        return lr

    return f


def golden_steps(case: dict[str, Any]) -> np.ndarray:
    return np.array(list(range(case["dense"])) + case["extra"], dtype=np.int64)


# -- goldens --------------------------------------------------------------------------------------------


def test_goldens_record_their_source() -> None:
    assert GOLDEN["repo"] == "https://github.com/google-research/big_vision"
    assert len(GOLDEN["commit"]) == 40 and GOLDEN["x64"] is True
    assert len(GOLDEN["cases"]) >= 100
    kinds = {c["kwargs"].get("decay_type", "stair") for c in GOLDEN["cases"]}
    assert kinds == set(big_vision.DECAY_TYPES)
    keys = {k for c in GOLDEN["cases"] for k in c["kwargs"]}
    for unit in ("steps", "examples", "epochs", "percent"):
        assert f"warmup_{unit}" in keys and f"cooldown_{unit}" in keys, unit


@pytest.mark.parametrize("index", range(len(GOLDEN["cases"])))
def test_matches_big_vision(index: int) -> None:
    case = GOLDEN["cases"][index]
    s = big_vision.create_learning_rate_schedule(**case["kwargs"])
    steps = golden_steps(case)
    want = np.array(case["values"])
    got = s.numpy(steps)
    trained = steps <= case["kwargs"]["total_steps"]
    scale = float(np.max(np.abs(want[trained])))
    np.testing.assert_allclose(got[trained], want[trained], rtol=1e-12, atol=1e-15 * scale, err_msg=repr(s))
    f = exact(case["kwargs"])
    ex = np.array([float(f(int(k))) for k in steps])
    np.testing.assert_allclose(want[trained], ex[trained], rtol=1e-12, atol=1e-15 * scale, err_msg=repr(s))
    np.testing.assert_allclose(got, ex, rtol=1e-12, atol=1e-300, err_msg=repr(s))
    got32 = np.asarray(s(steps.astype(np.int32)), np.float64)
    np.testing.assert_allclose(got32, ex, rtol=1e-6, atol=1e-30, err_msg=repr(s))


def test_examples_are_recorded_for_the_parity_job() -> None:
    ref = references()["compat.big_vision.create_learning_rate_schedule"]
    assert ref.library == "golden:big_vision"
    for ex in big_vision.LearningRateSchedule.examples:
        s = big_vision.LearningRateSchedule(**ex)
        values = ref.run(s, 1500)
        assert len(values) == min(1500, s.total_steps), ex  # the updates big_vision trains
        np.testing.assert_allclose(
            s.numpy(np.arange(len(values))), values, rtol=1e-12, atol=1e-15 * float(np.max(values))
        )
    with pytest.raises(KeyError):
        ref.run(big_vision.LearningRateSchedule(77), 10)


# -- the quirks, spelled out ----------------------------------------------------------------------------


def test_durations_round_like_big_vision() -> None:
    def warmup(**kw: Any) -> int:
        s = big_vision.LearningRateSchedule(100, decay_type="cosine", **kw)
        return s._resolve("warmup", 0)

    assert warmup(warmup_examples=80, batch_size=32) == 2  # round(2.5) == 2
    assert warmup(warmup_examples=112, batch_size=32) == 4  # round(3.5) == 4
    assert warmup(warmup_epochs=0.0001, batch_size=10, data_size=50) == 1  # at least one step
    assert warmup(warmup_percent=0.0) == 0
    stair = big_vision.LearningRateSchedule(30, steps=[10, 10, 20], mults=[0.5, 0.25, 2.0])
    assert stair.numpy([9, 10, 19, 20]).tolist() == [1.0, 0.25, 0.25, 2.0]  # the later of two equal steps


def test_from_big_vision_config() -> None:
    s = big_vision.from_big_vision_config(
        {"decay_type": "rsqrt", "mult": 0.5, "warmup_steps": 10, "timescale": 100},
        total_steps=1000,
        batch_size=256,
    )
    assert s == big_vision.LearningRateSchedule(
        1000, batch_size=256, base=0.5, decay_type="rsqrt", warmup_steps=10, timescale=100
    )
    assert jaxsched.from_config(s.to_config()) == s and pickle.loads(pickle.dumps(s)) == s
    assert big_vision.from_big_vision_config({}, total_steps=10).numpy([0, 9]).tolist() == [1.0, 1.0]


# -- random configurations against the transcription -----------------------------------------------------


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    total = draw(st.one_of(st.integers(2, 60), st.integers(2, 5000), st.integers(2, MAX_STEP)))
    kind = draw(st.sampled_from(big_vision.DECAY_TYPES))
    cfg: dict[str, Any] = {"total_steps": total, "decay_type": kind, "base": draw(st.floats(1e-6, 10))}
    unit = draw(st.sampled_from(["none", "steps", "percent"]))
    if unit == "steps":
        cfg["warmup_steps"] = draw(st.integers(0, total - 1))
    elif unit == "percent":
        cfg["warmup_percent"] = draw(st.floats(0, (total - 1) / total * 0.99))
    if draw(st.booleans()):
        cfg["cooldown_steps"] = draw(st.integers(0, 2 * total))
    if kind in ("linear", "polynomial"):
        cfg["power"] = draw(st.floats(0.1, 4))
        cfg["end"] = draw(st.floats(0, 2))
    elif kind == "rsqrt":
        cfg["timescale"] = draw(st.floats(0.5, 1e6))
        cfg["shift_steps"] = draw(st.integers(0, 10**6))
    elif kind == "stair":
        steps = sorted(draw(st.lists(st.integers(0, total + 10), max_size=5)))
        cfg["steps"], cfg["mults"] = (
            steps,
            draw(st.lists(st.floats(0, 3), min_size=len(steps), max_size=len(steps))),
        )
    return cfg


@given(configs(), st.lists(st.integers(0, MAX_STEP), max_size=8))
def test_random_configurations_against_transcription(cfg: dict[str, Any], extra: list[int]) -> None:
    s = big_vision.create_learning_rate_schedule(**cfg)
    steps = edge_steps(s, dense=24, extra=extra)
    f = exact(cfg)
    ex = np.array([float(f(int(k))) for k in steps])
    np.testing.assert_allclose(s.numpy(steps), ex, rtol=1e-12, atol=1e-300, err_msg=repr(s))
    np.testing.assert_allclose(
        np.asarray(s(steps.astype(np.int32)), np.float64), ex, rtol=1e-6, atol=1e-30, err_msg=repr(s)
    )


# -- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, argument, error",
    [
        ({"warmup_steps": 100}, "warmup_steps", AssertionError),
        ({"warmup_percent": 1.5}, "warmup_percent", AssertionError),
        ({"warmup_steps": 5, "warmup_examples": 64, "batch_size": 8}, "warmup_steps", AssertionError),
        ({"warmup_steps": -5}, "warmup_steps", ValueError),
        ({"warmup_steps": 2.5}, "warmup_steps", ValueError),
        ({"warmup_examples": 64}, "batch_size", TypeError),
        ({"cooldown_epochs": 1, "batch_size": 8}, "data_size", TypeError),
        ({"scale_with_batchsize": True}, "batch_size", TypeError),
        ({"decay_type": "exponential"}, "decay_type", ValueError),
        ({"decay_type": "cosine", "power": 2.0}, "power", ValueError),
        ({"decay_type": "linear", "timescale_steps": 5}, "timescale_steps", ValueError),
        ({"decay_type": "rsqrt", "timescale": 5, "timescale_steps": 5}, "timescale", ValueError),
        ({"decay_type": "rsqrt", "timescale": 0.0}, "timescale", ValueError),
        ({"decay_type": "rsqrt", "timescale": 5, "shift": -5}, "shift", ValueError),
        ({"decay_type": "linear", "end": 0.1, "linear_end": 0.1}, "linear_end", ValueError),
        ({"decay_type": "linear", "end": -0.1}, "end", ValueError),
        ({"decay_type": "linear", "power": 0.0}, "power", ValueError),
        ({"steps": [10, 5], "mults": [0.1, 0.1]}, "steps", ValueError),
        ({"steps": [10], "mults": [0.1, 0.2]}, "mults", ValueError),
        ({"steps": [10.5], "mults": [0.1]}, "steps", ValueError),
        ({"steps": [10], "mults": [-0.1]}, "mults", ValueError),
        ({"total_steps": 0}, "total_steps", ValueError),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, Any], argument: str, error: type) -> None:
    with pytest.raises(error) as info:
        big_vision.create_learning_rate_schedule(**{"total_steps": 100, **kwargs})
    assert str(info.value).startswith(argument), str(info.value)
    with pytest.raises(TypeError, match="warmup_step"):
        big_vision.create_learning_rate_schedule(100, warmup_step=5)
