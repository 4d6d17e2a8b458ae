"""jaxsched.compat.chemprop and torch_bridge.NoamLR against golden curves from chemprop's own code.

chemprop cannot be installed here (rdkit); ``tests/golden/record_chemprop.py`` recorded the LR each
update
runs with from chemprop 1.6.1, 2.0.4 and 2.1.0 (``tests/golden/chemprop.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched.compat import chemprop as cp
from torch_bridge import _classes as tb

GOLDEN = json.loads((Path(__file__).parent / "golden" / "chemprop.json").read_text())
CASES = [c for c in GOLDEN["cases"] if "step_args" not in c]


def _ports(case: dict) -> list[jaxsched.Schedule]:
    kw = dict(case["kwargs"])
    if case["name"] == "compat.chemprop.build_NoamLike_LRSched":
        return [cp.NoamLike(**kw)]
    if "init_lrs" in kw:
        return cp.noam_lr_groups(
            kw["warmup_epochs"],
            kw["total_epochs"],
            kw["steps_per_epoch"],
            kw["init_lrs"],
            kw["max_lrs"],
            kw["final_lrs"],
            version=kw["version"],
        )
    return [cp.NoamLR(**kw)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: json.dumps(c["kwargs"])[:70])
def test_port_matches_golden(case):
    for port, values in zip(_ports(case), case["values"], strict=True):
        want = np.asarray(values)
        steps = np.arange(want.size)
        np.testing.assert_allclose(port.numpy(steps), want, rtol=1e-13)
        np.testing.assert_allclose(np.asarray(port(steps), np.float64), want, rtol=2e-6)
        # Past the recorded end the value stays final_lr.
        assert port.numpy(10**9) == pytest.approx(want[-1], rel=1e-15)
        assert float(port(2**31 - 1)) == pytest.approx(want[-1], rel=1e-6)


def _groups(lrs) -> torch.optim.Optimizer:
    return torch.optim.Adam([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs])


def _trace(opt, sched, n, args=None) -> list[list[float]]:
    calls = args if args is not None else [None] * n
    out = [[] for _ in opt.param_groups]
    for arg in [*calls, None]:
        for i, g in enumerate(opt.param_groups):
            out[i].append(float(g["lr"]))
        opt.step()
        sched.step() if arg is None else sched.step(arg)
    return [g[: len(calls) + 1] for g in out]


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["name"] == "compat.chemprop.NoamLR"],
    ids=lambda c: json.dumps(c["kwargs"])[:70],
)
def test_bridge_noam_lr_matches_golden(case):
    kw = dict(case["kwargs"])
    per_group = "init_lrs" in kw
    init = kw["init_lrs"] if per_group else [kw["init_lr"]]
    opt = _groups(init)
    sched = tb.NoamLR(
        opt,
        kw["warmup_epochs"],
        kw["total_epochs"],
        kw["steps_per_epoch"],
        init,
        kw["max_lrs"] if per_group else kw["max_lr"],
        kw["final_lrs"] if per_group else kw["final_lr"],
        version=kw["version"],
    )
    got = _trace(opt, sched, len(case["values"][0]) - 1)
    np.testing.assert_allclose(got, case["values"], rtol=1e-13)
    sched.get_last_lr()  # chemprop's raises AttributeError


def test_bridge_explicit_steps_and_len_match_golden():
    case = next(c for c in GOLDEN["cases"] if "step_args" in c)
    kw = case["kwargs"]
    opt = _groups([kw["init_lr"]])
    sched = tb.NoamLR(
        opt,
        kw["warmup_epochs"],
        kw["total_epochs"],
        kw["steps_per_epoch"],
        kw["init_lr"],
        kw["max_lr"],
        kw["final_lr"],
    )
    got = _trace(opt, sched, 0, case["step_args"])
    np.testing.assert_allclose(got, case["values"], rtol=1e-13)
    assert len(sched) == case["len"] == len(cp.NoamLR(**kw))


def test_bridge_noam_like_matches_golden():
    for case in [c for c in CASES if c["name"] == "compat.chemprop.build_NoamLike_LRSched"]:
        kw = case["kwargs"]
        opt = _groups([kw["init_lr"]])
        sched = tb.build_NoamLike_LRSched(opt, **kw)
        got = _trace(opt, sched, len(case["values"][0]) - 1)
        np.testing.assert_allclose(got, case["values"], rtol=1e-13)


def test_bridge_noam_like_scales_with_the_optimizer_lr():
    # LambdaLR semantics: an optimizer LR of 2 * init_lr doubles the curve.
    opt = _groups([2e-4])
    tb.build_NoamLike_LRSched(opt, 4, 4, init_lr=1e-4, max_lr=1e-3, final_lr=1e-4)
    assert opt.param_groups[0]["lr"] == pytest.approx(2e-4)


def test_reference_runner_covers_examples():
    for cls in (cp.NoamLR, cp.NoamLike):
        for ex in cls.examples:
            s = cls(**ex)
            want = references()[s.config_name].run(s, 10_000)
            np.testing.assert_allclose(s.numpy(np.arange(want.size)), want, rtol=1e-13)


@given(
    st.floats(0.0, 5.0),
    st.integers(5, 20),
    st.integers(1, 50),
    st.floats(1e-6, 1e-3),
    st.floats(1e-4, 1e-2),
    st.floats(1e-7, 1e-2),
)
def test_noam_lr_is_noam_like_shifted_by_one(we, te, spe, init, peak, final):
    """chemprop 2.0's NoamLR at update k is 2.1's NoamLike at update k + 1 (same W, cp = T - W)."""
    s = cp.NoamLR(we, te, spe, init, peak, final)
    W = int(np.float64(we) * spe)
    like = cp.NoamLike(W, te * spe - W, init, peak, final)
    steps = np.arange(0, te * spe + 3)
    np.testing.assert_allclose(s.numpy(steps), like.numpy(steps + 1), rtol=1e-14)
    assert np.all(np.isfinite(s.numpy([0, 2**31 - 1]))) and np.all(s.numpy(steps) > 0)


def test_warmup_truncation_like_numpy_astype_int():
    s = cp.NoamLR(0.29, 2, 100, 1e-4, 1e-3, 1e-4)
    assert s.warmup_steps == 28  # int(0.29 * 100) = int(28.999999999999996)
    assert s.numpy(27) == pytest.approx(1e-3)  # the peak at update W - 1


def test_bad_input():
    with pytest.raises(ValueError, match="max_lr"):
        cp.NoamLR(1, 10, 10, 1e-4, 0.0, 1e-5)
    with pytest.raises(ValueError, match="warmup_epochs"):
        cp.NoamLR(11, 10, 10, 1e-4, 1e-3, 1e-5)
    with pytest.raises(ValueError, match="total_epochs"):
        cp.NoamLR(1, 2.5, 3, 1e-4, 1e-3, 1e-5)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        cp.NoamLR(1, 10, 0, 1e-4, 1e-3, 1e-5)
    with pytest.raises(ValueError, match="version"):
        cp.NoamLR(1, 10, 10, 1e-4, 1e-3, 1e-5, version="3")
    with pytest.raises(ValueError, match="init_lr"):  # 2.1 divides by init_lr
        cp.NoamLike(4, 4, 0.0, 1e-3, 1e-5)
    with pytest.raises(ValueError, match="cooldown_steps"):
        cp.NoamLike(4, -1, 1e-4, 1e-3, 1e-5)
    for bad in (float("nan"), float("inf"), "abc"):
        with pytest.raises((ValueError, TypeError)):
            cp.NoamLR(1, 10, 10, bad, 1e-3, 1e-5)
    # chemprop 2.0 meant a ValueError for mismatched lengths (it raises AttributeError instead).
    with pytest.raises(ValueError, match="Number of param groups must match"):
        tb.NoamLR(_groups([1e-4, 1e-4]), [1, 1, 1], 10, 10, [1e-4, 1e-4], [1e-3, 1e-3], [1e-5, 1e-5])
    with pytest.raises(ValueError, match="Number of param groups must match"):
        tb.NoamLR(_groups([1e-4, 1e-4]), 1, 10, 10, 1e-4, 1e-3, 1e-5)


def test_config_round_trip():
    for cls in (cp.NoamLR, cp.NoamLike):
        for ex in cls.examples:
            s = cls(**ex)
            assert jaxsched.from_config(s.to_config()) == s
