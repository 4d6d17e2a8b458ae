"""jaxsched.compat.maxtext against golden curves recorded from MaxText's own schedule code, and against an
independent 40-digit transcription of that code.

The goldens come from ``tests/golden/record_maxtext.py`` (MaxText's ``create_learning_rate_schedule`` run
under ``jax_enable_x64``; see its docstring). Comparisons:

- port (NumPy float64) vs MaxText: ``rtol=1e-12``, ``atol=1e-15`` of the peak (MaxText's own float64
  rounding: optax's ``(init - end) * frac + end`` and ``(1 + cos)/2`` cancel near their ends), at every
  recorded step up to ``4 L``. Further out MaxText's cosine wave reads ``cos(pi k / (n - 1))`` of a phase
  of up to ``1e9`` radians, whose float64 rounding moves the value by up to ``4e-16 * phase`` of the peak:
  there MaxText is checked against the exact value within that bound, and the port against the exact value;
- port vs the exact value (mpmath, 40 digits): ``rtol=1e-12`` at every step, and the JAX float32 path
  within the 1e-6 accuracy contract.
"""

from __future__ import annotations

import enum
import json
import pickle
import types
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
from jaxsched.compat import maxtext
from tests.helpers import edge_steps

GOLDEN = json.loads((Path(__file__).parent / "golden" / "maxtext.json").read_text())
mp.mp.dps = 40


# -- an independent transcription of MaxText's create_learning_rate_schedule (from its source), exact ------


def exact(cfg: dict[str, Any]):
    """``f(k) -> (value, phase)``: MaxText's schedule at step ``k`` in 40-digit arithmetic, and the cosine
    phase (radians) MaxText evaluates there (0 outside a cosine piece)."""
    c = {
        "lr_schedule_type": "cosine",
        "learning_rate_final_fraction": 0.1,
        "wsd_decay_steps_fraction": 0.1,
        "wsd_decay_style": "linear",
        "warmup_steps_fraction": 0.1,
        **cfg,
    }
    L, steps = c["learning_rate_schedule_steps"], c["steps"]
    lr = mp.mpf(c["learning_rate"])
    final = mp.mpf(c["learning_rate"] * c["learning_rate_final_fraction"])  # a Python float, as MaxText
    warm = int(L * c["warmup_steps_fraction"])

    def ramp(n):
        return lambda s: (lr * min(s, n) / n, 0)

    def cos(n):
        if n <= 1:
            return lambda s: (final, 0)
        return lambda s: (final + (lr - final) * (1 + mp.cos(mp.pi * s / (n - 1))) / 2, mp.pi * s / (n - 1))

    def lin(n):
        if n - 1 <= 0:
            return lambda s: (lr, 0)
        return lambda s: (final + (lr - final) * (n - 1 - min(s, n - 1)) / (n - 1), 0)

    pieces, bounds = [], []
    if warm > 0:
        pieces.append(ramp(warm))
        bounds.append(warm)
    if c["lr_schedule_type"] == "cosine":
        if L - warm > 0:
            pieces.append(cos(L - warm))
            bounds.append(L)
    else:
        d = int(L * c["wsd_decay_steps_fraction"])
        stable = L - warm - d
        if stable > 0:
            pieces.append(lambda s: (lr, 0))
            bounds.append(warm + stable)
        if d > 0:
            pieces.append(lin(d) if c["wsd_decay_style"] == "linear" else cos(d))
            bounds.append(warm + stable + d)
    if steps - L > 0:
        pieces.append(lambda s: (mp.mpf(0), 0))
        bounds.append(L)

    def f(k: int):
        out = pieces[0](k)
        for b, p in zip(bounds, pieces[1:], strict=False):  # optax.join_schedules
            if k >= b:
                out = p(k - b)
        return out

    return f


def golden_steps(case: dict[str, Any]) -> np.ndarray:
    return np.array(list(range(case["dense"])) + case["extra"], dtype=np.int64)


# -- goldens --------------------------------------------------------------------------------------------


def test_goldens_record_their_source() -> None:
    assert GOLDEN["repo"] == "https://github.com/AI-Hypercomputer/maxtext"
    assert len(GOLDEN["commit"]) == 40 and GOLDEN["x64"] is True
    assert len(GOLDEN["cases"]) >= 100
    kinds = {
        (c["kwargs"].get("lr_schedule_type", "cosine"), c["kwargs"].get("wsd_decay_style", "linear"))
        for c in GOLDEN["cases"]
    }
    assert kinds == {("cosine", "linear"), ("wsd", "linear"), ("wsd", "cosine")}
    assert any(c["kwargs"]["steps"] > c["kwargs"]["learning_rate_schedule_steps"] for c in GOLDEN["cases"])
    assert any(c["kwargs"]["steps"] < c["kwargs"]["learning_rate_schedule_steps"] for c in GOLDEN["cases"])


@pytest.mark.parametrize("index", range(len(GOLDEN["cases"])))
def test_matches_maxtext(index: int) -> None:
    case = GOLDEN["cases"][index]
    s = maxtext.LearningRateSchedule(**case["kwargs"])
    steps = golden_steps(case)
    want = np.array(case["values"])
    got = s.numpy(steps)
    scale = float(np.max(np.abs(want)))
    near = steps <= 4 * case["kwargs"]["learning_rate_schedule_steps"]
    np.testing.assert_allclose(got[near], want[near], rtol=1e-12, atol=1e-15 * scale, err_msg=repr(s))
    f = exact(case["kwargs"])
    ref = [f(int(k)) for k in steps]
    ex = np.array([float(v) for v, _ in ref])
    phase = np.array([float(p) for _, p in ref])
    # MaxText itself is the exact value up to its float64 rounding (of the cosine phase, far out).
    assert np.all(np.abs(want - ex) <= scale * (2e-15 + 4e-16 * phase)), repr(s)
    np.testing.assert_allclose(got, ex, rtol=1e-12, atol=1e-300, err_msg=repr(s))
    got32 = np.asarray(s(steps.astype(np.int32)), np.float64)
    np.testing.assert_allclose(got32, ex, rtol=1e-6, atol=1e-30, err_msg=repr(s))


def test_examples_are_recorded_for_the_parity_job() -> None:
    ref = references()["compat.maxtext.create_learning_rate_schedule"]
    assert ref.library == "golden:maxtext"
    for ex in maxtext.LearningRateSchedule.examples:
        s = maxtext.LearningRateSchedule(**ex)
        values = ref.run(s, 1500)
        assert len(values) >= min(1500, int(1.25 * s.learning_rate_schedule_steps)), ex
        np.testing.assert_allclose(
            s.numpy(np.arange(len(values))), values, rtol=1e-12, atol=1e-15 * float(np.max(values))
        )
    with pytest.raises(KeyError):
        ref.run(maxtext.LearningRateSchedule(1.0, steps=77), 10)


# -- the quirks, spelled out ----------------------------------------------------------------------------


def test_truncated_fractions_and_early_ends() -> None:
    s = maxtext.LearningRateSchedule(
        1.0,
        steps=100,
        learning_rate_schedule_steps=100,
        warmup_steps_fraction=0.29,
        learning_rate_final_fraction=0.0,
    )
    assert s.key_steps()[:2] == [0, 28]  # int(100 * 0.29) == 28
    assert s.numpy(27) < 1.0 and s.numpy(28) == 1.0
    assert s.numpy(99) == 0.0 and s.numpy(98) > 0  # the cosine reaches its end at L - 1
    wave = s.numpy([99, 99 + 71, 99 + 2 * 71])  # no zero tail: the cosine goes on as a wave
    np.testing.assert_allclose(wave, [0.0, 1.0, 0.0], atol=1e-15)
    one_step = maxtext.LearningRateSchedule(
        1.0,
        steps=20,
        learning_rate_schedule_steps=20,
        lr_schedule_type="wsd",
        warmup_steps_fraction=0.1,
        wsd_decay_steps_fraction=0.05,
        learning_rate_final_fraction=0.1,
    )
    assert one_step.numpy(19) == 1.0  # a one-step linear decay is optax's constant: lr, not the final value
    assert one_step.replace(wsd_decay_style="cosine").numpy(19) == pytest.approx(0.1, rel=1e-15)
    tail = maxtext.LearningRateSchedule(1.0, steps=30, learning_rate_schedule_steps=20)
    assert tail.numpy(19) == pytest.approx(0.1, rel=1e-15) and tail.numpy([20, 10**9]).tolist() == [0.0, 0.0]


# -- random configurations against the transcription -----------------------------------------------------


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    total = draw(st.one_of(st.integers(1, 50), st.integers(1, 5000), st.integers(1, MAX_STEP)))
    steps = draw(st.one_of(st.just(total), st.integers(1, MAX_STEP)))
    kind = draw(st.sampled_from(["cosine", "wsd"]))
    fw = draw(st.one_of(st.sampled_from([0.0, 0.01, 0.1, 0.29, 0.5, 1.0]), st.floats(0, 1)))
    cfg = {
        "learning_rate": draw(st.floats(0, 10)),
        "steps": steps,
        "learning_rate_schedule_steps": total,
        "lr_schedule_type": kind,
        "warmup_steps_fraction": fw,
        "learning_rate_final_fraction": draw(st.one_of(st.just(0.0), st.floats(0, 3))),
    }
    if kind == "wsd":
        cfg["wsd_decay_steps_fraction"] = draw(st.floats(0, 1 - fw))
        cfg["wsd_decay_style"] = draw(st.sampled_from(["linear", "cosine"]))
    return cfg


@given(configs(), st.lists(st.integers(0, MAX_STEP), max_size=8))
def test_random_configurations_against_transcription(cfg: dict[str, Any], extra: list[int]) -> None:
    s = maxtext.LearningRateSchedule(**cfg)
    steps = edge_steps(s, dense=24, extra=extra)
    f = exact(cfg)
    ex = np.array([float(f(int(k))[0]) for k in steps])
    np.testing.assert_allclose(s.numpy(steps), ex, rtol=1e-12, atol=1e-300, err_msg=repr(s))
    np.testing.assert_allclose(
        np.asarray(s(steps.astype(np.int32)), np.float64), ex, rtol=1e-6, atol=1e-30, err_msg=repr(s)
    )


# -- from_maxtext_config --------------------------------------------------------------------------------


class _Kind(str, enum.Enum):  # as MaxText's LearningRateScheduleType / WsdDecayStyle
    WSD = "wsd"
    COSINE = "cosine"


def test_from_maxtext_config_defaults_and_minus_one() -> None:
    s = maxtext.from_maxtext_config({})
    assert s == maxtext.LearningRateSchedule(3e-5, 150_001, "cosine", 0.1, 0.1, "linear", 0.1, 150_001)
    assert maxtext.from_maxtext_config({"steps": -1, "learning_rate_schedule_steps": 500}).steps == 500
    assert maxtext.from_maxtext_config({"steps": 800}).learning_rate_schedule_steps == 800
    obj = types.SimpleNamespace(
        learning_rate=1e-3,
        steps=100,
        learning_rate_schedule_steps=80,
        lr_schedule_type=_Kind.WSD,
        wsd_decay_style=_Kind.COSINE,
        warmup_steps_fraction=0.05,
        wsd_decay_steps_fraction=0.25,
        learning_rate_final_fraction=0.0,
        unrelated_key=7,
    )
    s = maxtext.create_learning_rate_schedule(obj)
    assert (s.lr_schedule_type, s.wsd_decay_style, s.steps) == ("wsd", "cosine", 100)
    assert jaxsched.from_config(s.to_config()) == s
    assert pickle.loads(pickle.dumps(s)) == s


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"warmup_steps_fraction": 1.5}, "warmup_steps_fraction"),
        ({"warmup_steps_fraction": -0.1}, "warmup_steps_fraction"),
        ({"wsd_decay_steps_fraction": 1.01}, "wsd_decay_steps_fraction"),
        (
            {"lr_schedule_type": "wsd", "warmup_steps_fraction": 0.6, "wsd_decay_steps_fraction": 0.5},
            "warmup_steps_fraction",
        ),
        ({"learning_rate_final_fraction": -0.1}, "learning_rate_final_fraction"),
        ({"learning_rate": -1e-3}, "learning_rate"),
        ({"steps": -1, "learning_rate_schedule_steps": -1}, "learning_rate_schedule_steps"),
        ({"steps": 0, "learning_rate_schedule_steps": -1}, "learning_rate_schedule_steps"),
        ({"steps": -2}, "steps"),
        ({"learning_rate_schedule_steps": 2**31}, "learning_rate_schedule_steps"),
        ({"lr_schedule_type": "linear"}, "lr_schedule_type"),
        ({"wsd_decay_style": "exponential"}, "wsd_decay_style"),
        ({"steps": 10.5}, "steps"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        maxtext.from_maxtext_config({"steps": 1000, **kwargs})
    assert str(info.value).startswith(argument), str(info.value)
