"""Multi-device and multi-process runs see the schedule's LR on every device and rank.

- JAX, 8 host devices (a subprocess with ``--xla_force_host_platform_device_count=8``): a data-parallel
  train step with ``jit`` over a mesh, with ``shard_map`` and with ``pmap`` gives every device the LR of the
  single-device run, bit for bit (tests/_procs/jax_devices.py).
- PyTorch: two DDP ranks over gloo on localhost; ``torch_bridge.ScheduleLR`` gives both ranks the same LR,
  and both resume from rank 0's checkpoint (tests/_procs/torch_ddp.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests._procs import run_script


@pytest.fixture(scope="module")
def devices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    out = tmp_path_factory.mktemp("devices")
    run_script("jax_devices.py", out, env={"XLA_FLAGS": "--xla_force_host_platform_device_count=8"})
    with np.load(out / "devices.npz") as f:
        return {k: f[k] for k in f.files}


def test_single_device_run_follows_the_schedule(devices: dict[str, np.ndarray]) -> None:
    from tests._procs.jax_devices import N, schedule

    lrs = devices["single_lrs"]
    assert lrs.shape == (N,) and lrs.dtype == np.float32
    np.testing.assert_allclose(lrs, schedule().numpy(np.arange(N)), rtol=1e-6, atol=1e-12)
    assert len(set(lrs.tolist())) == N - 1  # warmup from 0, then every step differs (one repeat: end)


@pytest.mark.parametrize("way", ["mesh_jit", "shard_map", "pmap"])
def test_every_device_sees_the_single_device_lr(devices: dict[str, np.ndarray], way: str) -> None:
    from tests._procs.jax_devices import DEVICES, N

    single = devices["single_lrs"]
    per_device = devices[f"{way}_lrs"]
    assert per_device.shape == (N, DEVICES)
    for d in range(DEVICES):
        assert per_device[:, d].tobytes() == single.tobytes(), (way, d, per_device[:, d], single)
    # The parameters agree up to the order of the gradient reduction.
    for name in ("w", "b"):
        np.testing.assert_allclose(devices[f"{way}_{name}"], devices[f"single_{name}"], rtol=1e-5, atol=1e-6)


def test_ddp_ranks_share_the_lr_and_resume_from_rank_0(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    import torch.distributed as dist

    if not dist.is_available() or not dist.is_gloo_available():
        pytest.skip("this torch build has no gloo backend")
    from tests._procs.torch_ddp import WORLD, schedule

    n, k = 20, 9
    run_script("torch_ddp.py", tmp_path, n, k)
    ranks = json.loads((tmp_path / "ddp.json").read_text())
    assert [r["rank"] for r in ranks] == list(range(WORLD))
    want = schedule().numpy(np.arange(n)).tolist()
    for r in ranks:
        assert r["first"] == want[:k], r["rank"]
        assert r["resumed_lr"] == want[k]
        assert r["rest"] == want[k:], r["rank"]
        assert r["last_epoch"] == n
    # DDP keeps the replicas equal: both ranks end with the same parameters.
    assert ranks[0]["params"] == ranks[1]["params"]
