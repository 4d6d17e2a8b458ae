"""Resume from checkpoints in a new process: the rest of the run is bit-identical to an uninterrupted one.

- optax: ``inject_hyperparams(optax.adamw)(learning_rate=<jaxsched schedule>)``, checkpointed after K of N
  updates with orbax-checkpoint and with pickle, restored in a fresh process (tests/_procs/optax_resume.py).
- torch: ``torch_bridge.ScheduleLR`` through ``state_dict`` (construct then ``load_state_dict``; construct
  with ``last_epoch=K``), in a fresh process (tests/_procs/torch_resume.py).

Both compare LR sequences and parameters bit for bit, and the LRs against the schedule itself.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from tests._procs import run_script

N, K = 30, 13  # optax: K falls inside the cosine decay, where every step has a new LR
TORCH_N, TORCH_K = 30, 23  # torch: K falls inside the decay of warmup_stable_decay


@pytest.fixture(scope="module")
def optax_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("optax_resume")
    run_script("optax_resume.py", "full", out, N, K)
    run_script("optax_resume.py", "resume", out, N, K)
    return out


def _schedule_values(steps: np.ndarray) -> np.ndarray:
    from tests._procs.optax_resume import schedule

    return schedule().numpy(steps)


def _check_optax(out: Path, fmt: str) -> None:
    full = np.load(out / "full.npz")
    resumed = np.load(out / f"resumed_{fmt}.npz")
    lrs = full["lrs"]
    assert lrs.dtype == np.float32 and lrs.shape == (N,)
    # The uninterrupted run used s(k) at update k (current() after update k reports it); float32 inside
    # a jitted step (XLA may fuse the formula differently from an eager call: 1-ulp differences).
    np.testing.assert_allclose(lrs, _schedule_values(np.arange(N)), rtol=1e-6, atol=1e-12)
    assert len(set(lrs[K - 1 :].tolist())) > N - K - 2, "the LR must change around the checkpoint"
    # Right after the restore, the state reports the last LR used before the checkpoint.
    assert resumed["before"].tobytes() == lrs[K - 1].tobytes()
    assert str(resumed["restored_type"]) == "InjectStatefulHyperparamsState"
    assert resumed["lrs"].tobytes() == lrs[K:].tobytes(), (resumed["lrs"], lrs[K:])
    for name in ("w", "b"):
        assert resumed[name].dtype == full[name].dtype
        assert resumed[name].tobytes() == full[name].tobytes(), (name, resumed[name], full[name])


def test_optax_resume_from_pickle(optax_runs: Path) -> None:
    _check_optax(optax_runs, "pickle")


@pytest.mark.skipif(
    importlib.util.find_spec("orbax") is None,
    reason="orbax-checkpoint is not installed (not a test dependency of the package yet)",
)
def test_optax_resume_from_orbax(optax_runs: Path) -> None:
    assert (optax_runs / "orbax").is_dir()
    _check_optax(optax_runs, "orbax")


@pytest.fixture(scope="module")
def torch_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch")
    out = tmp_path_factory.mktemp("torch_resume")
    run_script("torch_resume.py", "full", out, TORCH_N, TORCH_K)
    run_script("torch_resume.py", "resume", out, TORCH_N, TORCH_K)
    return out


@pytest.mark.parametrize("path", ["load_state_dict", "last_epoch"])
def test_torch_bridge_resume(torch_runs: Path, path: str) -> None:
    from tests._procs.torch_resume import schedule

    full = json.loads((torch_runs / "full.json").read_text())
    resumed = json.loads((torch_runs / f"resumed_{path}.json").read_text())
    want = schedule().numpy(np.arange(TORCH_N)).tolist()
    assert full["lrs"] == want  # ScheduleLR writes the float64 curve itself
    assert len(set(want[TORCH_K - 1 :])) == TORCH_N - TORCH_K + 1
    assert resumed["after_resume"] == {
        "last_epoch": TORCH_K,
        "get_last_lr": [want[TORCH_K]],
        "group_lr": want[TORCH_K],
    }
    assert resumed["lrs"] == full["lrs"][TORCH_K:]
    assert resumed["params"] == full["params"]  # bit-identical floats (JSON keeps every digit)
