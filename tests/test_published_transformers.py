"""Hugging Face's own published expected values for its schedules, held against jaxsched.compat.transformers.

Transcribed (configurations and expected values only; the test code is this project's) from
huggingface/transformers, ``tests/optimization/test_optimization.py`` at commit
74714520aed84bb44c9e6724ba805d2cd1e1eff7: ``ScheduleInitTest.test_schedulers``, seven schedules on an
optimizer with LR 10, read with ``get_lr()[0]`` before each of 10 ``step()`` calls and compared with
``assertAlmostEqual(delta=1e-2)``; the same test checks that a save/reload of the state dict half-way gives
the same list. Not transcribed: ``test_adam_w`` and ``test_adafactor`` (optimizers, not schedules).

Each case is checked three ways: transformers itself (installed) meets the published values with the
published tolerance, so the transcription is verified (and its save/reload list equals the plain one); the
port meets the published values with that tolerance, and a port rebuilt from its config (the save/reload)
gives the same values; and the port equals transformers' values run here, NumPy float64 to 1e-12 and JAX
float32 to the accuracy contract (``tests/published.py``).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import jaxsched
from jaxsched.compat import transformers as hf
from tests.published import check_against_original, check_against_published

SOURCE = (
    "huggingface/transformers",
    "tests/optimization/test_optimization.py",
    "74714520aed84bb44c9e6724ba805d2cd1e1eff7",
)
LR = 10.0
STEPS = 10
DELTA = 1e-2
COMMON = {"num_warmup_steps": 2, "num_training_steps": 10}

CASES: list[tuple[str, dict[str, Any], list[float]]] = [
    ("get_constant_schedule", {}, [10.0] * 10),
    (
        "get_constant_schedule_with_warmup",
        {"num_warmup_steps": 4},
        [0.0, 2.5, 5.0, 7.5, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
    ),
    ("get_linear_schedule_with_warmup", {**COMMON}, [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25]),
    (
        "get_cosine_schedule_with_warmup",
        {**COMMON},
        [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38],
    ),
    (
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {**COMMON, "num_cycles": 2},
        [0.0, 5.0, 10.0, 8.53, 5.0, 1.46, 10.0, 8.53, 5.0, 1.46],
    ),
    (
        "get_polynomial_decay_schedule_with_warmup",
        {**COMMON, "power": 2.0, "lr_end": 1e-7},
        [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156],
    ),
    (
        "get_inverse_sqrt_schedule",
        {"num_warmup_steps": 2},
        [0.0, 5.0, 10.0, 8.165, 7.071, 6.325, 5.774, 5.345, 5.0, 4.714],
    ),
]
IDS = [c[0] for c in CASES]


def _run_hf(name: str, kwargs: dict[str, Any], *, reload: bool = False) -> list[float]:
    """The published loop: ``get_lr()[0]`` then ``step()``, 10 times (with ``reload``: the state dict saved
    to a file and loaded back after step 5, as ``unwrap_and_save_reload_schedule`` does)."""
    import transformers

    model = torch.nn.Linear(50, 50)
    opt = torch.optim.AdamW(model.parameters(), lr=LR)  # HF's own AdamW is gone in transformers 5
    sched = getattr(transformers, name)(opt, **kwargs)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # get_lr() outside step() warns in torch
        assert len([sched.get_lr()[0]]) == 1
        for step in range(STEPS):
            out.append(float(sched.get_lr()[0]))
            sched.step()
            if reload and step == STEPS // 2:
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, "schedule.bin")
                    torch.save(sched.state_dict(), path)
                    sched.load_state_dict(torch.load(path, weights_only=False))
    return out


def test_case_count() -> None:
    assert len(CASES) == 7


@pytest.mark.parametrize(("name", "kwargs", "want"), CASES, ids=IDS)
def test_transformers_meets_its_published_values(
    name: str, kwargs: dict[str, Any], want: list[float]
) -> None:
    plain = _run_hf(name, kwargs)
    np.testing.assert_allclose(plain, want, rtol=0, atol=DELTA, err_msg=name)
    assert _run_hf(name, kwargs, reload=True) == plain


@pytest.mark.parametrize(("name", "kwargs", "want"), CASES, ids=IDS)
def test_port_meets_published_values_and_transformers(
    name: str, kwargs: dict[str, Any], want: list[float]
) -> None:
    port: jaxsched.Schedule = getattr(hf, name)(LR, **kwargs)
    k = np.arange(STEPS)
    check_against_published(port, k, want, atol=DELTA, rtol=0.0, what=name)
    check_against_original(port, k, _run_hf(name, kwargs), what=name)
    # The save/reload of the published test: a port rebuilt from its config or its pickle is the same.
    for again in (jaxsched.from_config(port.to_config()), pickle.loads(pickle.dumps(port))):
        assert again == port
        np.testing.assert_array_equal(again.numpy(k), port.numpy(k))
