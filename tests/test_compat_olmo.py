"""jaxsched.compat.olmo against golden curves recorded from OLMo-core's own scheduler code.

``tests/golden/record_olmo.py`` ran ``olmo_core/optim/scheduler.py`` at a recorded commit on seeded random
and hand-picked configurations of every scheduler, in steps and in tokens; every recorded update (up to
the trainer's horizon) is compared here (criterion in ``tests/stack_parity.py``), and every configuration
OLMo-core refuses must be refused by the port with the matching exception class.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import jax
import numpy as np
import pytest

import jaxsched
from jaxsched._references import references
from jaxsched._references.olmo import CLASSES, port_of
from jaxsched.compat import olmo as op
from tests.stack_parity import check

GOLDEN = json.loads((Path(__file__).parent / "golden" / "olmo.json").read_text())
CASES = GOLDEN["cases"]
IDS = [f"{i}-{c['class']}" for i, c in enumerate(CASES)]
ERRORS = {
    "OLMoConfigurationError": op.OLMoConfigurationError,
    "AssertionError": AssertionError,
    "ZeroDivisionError": ZeroDivisionError,
}


def test_golden_metadata():
    assert GOLDEN["library"] == "olmo-core" and len(GOLDEN["commit"]) == 40 and GOLDEN["version"]
    assert {c["class"] for c in CASES} == set(CLASSES)
    assert any(c["args"].get("units") == "tokens" for c in CASES if "values" in c)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_olmo(case):
    if "error" in case:
        with pytest.raises(ERRORS[case["error"]]):
            port_of(case)
        return
    try:
        port = port_of(case)
    except ValueError as err:
        # By design: a token duration that is not a whole number of steps (see the module).
        assert case["args"].get("units") == "tokens" and "whole number of steps" in str(err), str(err)
        return
    check(port, np.asarray(case["values"], np.float64))


def test_most_configurations_are_ported():
    ok = 0
    for case in CASES:
        if "values" in case:
            try:
                port_of(case)
                ok += 1
            except ValueError:
                pass
    assert ok >= 170


def test_examples_are_recorded():
    for name in CLASSES:
        cls = getattr(op, name)
        for ex in cls.examples:
            port = cls(**ex)
            n = ex.get("max_steps") or ex["max_tokens"] // ex["tokens_per_step"]
            check(port, references()[port.config_name].run(port, n), jax_paths=False)
            assert jaxsched.from_config(port.to_config()) == port
            assert pickle.loads(pickle.dumps(port)) == port


def test_first_update_is_one_step_into_the_warmup():
    s = op.ConstantWithWarmup(warmup=10, initial_lr=1.0, max_steps=100)
    assert s.numpy(0) == 0.1 and s.numpy(9) == 1.0


def test_tokens_are_steps_of_tokens_per_step():
    steps = op.WSD(warmup=20, decay=30, decay_fraction=None, initial_lr=1e-3, max_steps=200)
    tokens = op.WSD(
        warmup=20 * 512,
        decay=30 * 512,
        decay_fraction=None,
        scheduler_units="tokens",
        initial_lr=1e-3,
        max_tokens=200 * 512,
        tokens_per_step=512,
    )
    k = np.arange(300)
    np.testing.assert_array_equal(steps.numpy(k), tokens.numpy(k))
    with pytest.raises(ValueError, match=r"^warmup"):
        tokens.replace(warmup=20 * 512 + 1)
    with pytest.raises(ValueError, match=r"^tokens_per_step"):
        op.WSD(warmup=20, scheduler_units="tokens", initial_lr=1e-3, max_tokens=200)


def test_deprecated_names_move():
    with pytest.warns(DeprecationWarning):
        s = op.CosWithWarmup(warmup_steps=5, initial_lr=1.0, max_steps=50)
    assert s.warmup == 5 and s.warmup_steps is None
    with pytest.warns(DeprecationWarning):
        q = op.SequentialScheduler(
            [{"type": "constant"}, {"type": "constant"}],
            schedulers_max_steps=[5],
            initial_lr=1.0,
            max_steps=10,
        )
    assert q.schedulers_max == (5,)


def test_sequential_takes_ports_and_types():
    a = op.SequentialScheduler(
        [op.ConstantWithWarmup(warmup=5, max_steps=1), {"type": "CosWithWarmup", "warmup": 0}],
        schedulers_max=[20],
        initial_lr=1.0,
        max_steps=100,
    )
    b = op.SequentialScheduler(
        [{"type": "constant_with_warmup", "warmup": 5}, {"type": "cos_with_warmup", "warmup": 0}],
        schedulers_max=[20, 999],
        initial_lr=1.0,
        max_steps=100,
    )
    assert a == b and b.schedulers_max == (20,)


def test_jit_argument_keeps_chained_values():
    s = op.SequentialScheduler(
        [
            {"type": "cos_with_warmup", "warmup": 5, "alpha_f": 0.2},
            {"type": "linear_with_warmup", "warmup": 0, "alpha_f": 0.0},
        ],
        schedulers_max=[40],
        initial_lr=1e-3,
        max_steps=100,
        override_decay={"start": 80, "duration": 10, "shape": "cosine", "end_lr": 0.0},
    )
    k = np.arange(100)
    with jax.enable_x64(True):
        got = np.asarray(jax.jit(lambda sched, x: sched(x))(s, k))
    np.testing.assert_allclose(got, s.numpy(k), rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "argument", "error"),
    [
        (lambda: op.ConstantWithWarmup(initial_lr=1.0, max_steps=10), "warmup", op.OLMoConfigurationError),
        (
            lambda: op.ConstantWithWarmup(warmup=2, warmup_min_lr=2.0, initial_lr=1.0, max_steps=10),
            "warmup_min_lr",
            AssertionError,
        ),
        (lambda: op.WSD(warmup=2, decay=5, initial_lr=1.0, max_steps=10), "decay", op.OLMoConfigurationError),
        (lambda: op.PowerLR(warmup=0, initial_lr=1.0, max_steps=10), "warmup", ZeroDivisionError),
        (lambda: op.PowerLR(warmup=2, b=0.5, initial_lr=1.0, max_steps=10), "b", op.OLMoConfigurationError),
        (lambda: op.CosWithWarmup(warmup=2, initial_lr=1.0), "max_steps", op.OLMoConfigurationError),
        (
            lambda: op.WSDS([10, 10], warmup=1, decay=0, initial_lr=1.0, max_steps=30),
            "decay",
            ZeroDivisionError,
        ),
        (
            lambda: op.ComposableScheduler([], initial_lr=1.0, max_steps=10),
            "stages",
            op.OLMoConfigurationError,
        ),
        (
            lambda: op.ExponentialScheduler(lr_min=0.0, initial_lr=1.0, max_steps=10),
            "lr_min",
            op.OLMoConfigurationError,
        ),
        (
            lambda: op.SequentialScheduler([{"type": "constant"}], initial_lr=1.0, max_steps=10),
            "schedulers_max",
            op.OLMoConfigurationError,
        ),
        (
            lambda: op.SequentialScheduler(
                [{"type": "nope"}], schedulers_max=[], initial_lr=1.0, max_steps=10
            ),
            "schedulers[0].type",
            ValueError,
        ),
    ],
)
def test_refused(make, argument, error):
    with pytest.raises(error) as info:
        make()
    assert str(info.value).startswith(argument), str(info.value)
