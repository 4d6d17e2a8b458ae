"""jaxsched.compat.kiwi and torch_bridge's kiwi noam against golden curves from OpenKiwi's own code.

OpenKiwi 2.1.0 pins old torch/transformers/pydantic; ``tests/golden/record_kiwi.py`` recorded the LR
each
update runs with from its ``kiwi/training/optimizers.py`` (``tests/golden/kiwi.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched.compat import kiwi as kiwi
from torch_bridge import _classes as tb

GOLDEN = json.loads((Path(__file__).parent / "golden" / "kiwi.json").read_text())
NOAM = [c for c in GOLDEN["cases"] if c["name"] == "compat.kiwi.get_noam_decay_schedule"]
CONFIGS = [c for c in GOLDEN["cases"] if c["name"] == "from_optimizer_config"]


@pytest.mark.parametrize("case", NOAM, ids=lambda c: json.dumps(c["kwargs"]))
def test_noam_matches_golden(case):
    s = kiwi.get_noam_decay_schedule(**case["kwargs"])
    want = np.asarray(case["values"][0])
    steps = np.arange(want.size)
    np.testing.assert_allclose(s.numpy(steps), want, rtol=1e-13)
    np.testing.assert_allclose(np.asarray(s(steps), np.float64), want, rtol=2e-6)
    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=case["kwargs"]["learning_rate"])
    sched = tb.get_noam_decay_schedule(opt, case["kwargs"]["num_warmup_steps"], case["kwargs"]["model_size"])
    got = []
    for _ in range(want.size):
        got.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_noam_is_the_native_noam():
    s = kiwi.get_noam_decay_schedule(2.0, 4000, 512)
    native = jaxsched.noam(model_size=512, warmup_steps=4000, scale=2.0)
    steps = np.array([0, 1, 3998, 3999, 4000, 10**6, 2**31 - 1])
    np.testing.assert_array_equal(s.numpy(steps), native.numpy(steps))
    assert int(np.argmax(s.numpy(np.arange(5000)))) == 3999  # the peak at update W - 1


def test_reference_runner_covers_examples():
    for ex in kiwi.NoamDecay.examples:
        s = kiwi.NoamDecay(**ex)
        want = references()[s.config_name].run(s, 1000)
        np.testing.assert_allclose(s.numpy(np.arange(want.size)), want, rtol=1e-13)


def _build(case):
    return kiwi.from_optimizer_config(
        case["config"],
        model_size=case.get("model_size"),
        training_data_size=case.get("training_data_size"),
    )


@pytest.mark.parametrize("case", CONFIGS, ids=lambda c: json.dumps(c["config"]))
def test_optimizer_config_matches_golden(case):
    want = np.asarray(case["values"][0])
    s = _build(case)
    if "metrics" in case:  # reduce-on-plateau: an optax transformation stepped with the metric
        state = s.init(jnp.zeros(1))
        got = []
        for metric in case["metrics"]:
            got.append(float(state.lr))
            _, state = s.update(jnp.ones(1), state, value=metric)
        np.testing.assert_allclose(got, want, rtol=1e-6)
        return
    np.testing.assert_allclose(s.numpy(np.arange(want.size)), want, rtol=1e-13, atol=1e-19)


def test_noam_config_per_epoch():
    case = CONFIGS[0]
    s = kiwi.from_optimizer_config(case["config"], model_size=case["model_size"], steps_per_epoch=7)
    want = np.asarray(case["values"][0])
    np.testing.assert_allclose(s.numpy(np.arange(0, 7 * 20)), np.repeat(want[:20], 7), rtol=1e-13)


@given(st.floats(0.0, 1.0) | st.integers(2, 10**6) | st.floats(1.0, 1e6))
def test_cast_warmup_steps(x):
    got = kiwi.cast_warmup_steps(x)
    if 0 <= x <= 1:
        assert isinstance(got, float) and got == x
    elif float(x) == int(x):
        assert isinstance(got, int) and got == x
    else:
        assert isinstance(got, float)


def test_bad_input():
    with pytest.raises(ValueError, match="num_warmup_steps"):
        kiwi.get_noam_decay_schedule(1.0, 0, 512)  # OpenKiwi: math domain error
    with pytest.raises(ValueError, match="model_size"):
        kiwi.get_noam_decay_schedule(1.0, 10, 0)
    with pytest.raises(ValueError, match="Invalid optimizer: nope"):
        kiwi.from_optimizer_config({"class_name": "nope", "learning_rate": 1.0})
    with pytest.raises(ValueError, match="num_warmup_steps"):  # fractional noam warmup -> int() = 0
        kiwi.from_optimizer_config(
            {"class_name": "noam", "learning_rate": 1.0, "warmup_steps": 0.1}, model_size=64
        )
    with pytest.raises(ValueError, match="training_steps"):
        kiwi.from_optimizer_config({"class_name": "adamw", "learning_rate": 1.0, "warmup_steps": 10})
    with pytest.raises(ValueError, match="unknown OptimizerConfig fields"):
        kiwi.from_optimizer_config({"class_name": "adam", "learning_rate": 1.0, "lr_decay": 0.5})
    for bad in (float("nan"), float("inf"), "abc"):
        with pytest.raises((ValueError, TypeError)):
            kiwi.get_noam_decay_schedule(bad, 10, 64)


def test_config_round_trip():
    for ex in kiwi.NoamDecay.examples:
        s = kiwi.NoamDecay(**ex)
        assert jaxsched.from_config(s.to_config()) == s
