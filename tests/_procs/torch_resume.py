"""A torch loop driven by ``torch_bridge.ScheduleLR``, checkpointed and resumed (tests/test_resume.py).

    python torch_resume.py full OUT N K     # N updates uninterrupted; a checkpoint after K of them
    python torch_resume.py resume OUT N K   # in a new process: resume twice, run updates K..N-1

Resume paths: ``"load_state_dict"`` constructs ``ScheduleLR`` and then loads the scheduler's and the
optimizer's state dicts (torch's documented order); ``"last_epoch"`` loads the optimizer's state dict and
constructs ``ScheduleLR(..., last_epoch=K)``. Each writes ``OUT/resumed_<path>.json``: the LR every update
used, the final parameters and ``get_last_lr()`` right after resuming. ``full`` writes ``OUT/full.json``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import torch

import jaxsched
from torch_bridge import ScheduleLR


def schedule() -> jaxsched.Schedule:
    return jaxsched.warmup_stable_decay(
        0.05, warmup_steps=4, total_steps=30, decay_steps=10, end_value=1e-4, decay_shape="cosine"
    )


def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Linear(4, 1)


def optimizer(m: torch.nn.Module) -> torch.optim.Optimizer:
    return torch.optim.AdamW(m.parameters(), lr=0.123, weight_decay=1e-2)


def batches(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, 16, 4, generator=g)
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.25
    return x, y.unsqueeze(-1)


def train(
    m: torch.nn.Module,
    opt: torch.optim.Optimizer,
    sched: ScheduleLR,
    start: int,
    stop: int,
    on_step: Any = None,
) -> list[float]:
    x, y = batches(stop)
    used = []
    for k in range(start, stop):
        used.append(opt.param_groups[0]["lr"])  # the LR update k applies
        opt.zero_grad()
        torch.nn.functional.mse_loss(m(x[k]), y[k]).backward()
        opt.step()
        sched.step()
        if on_step is not None:
            on_step(k + 1)
    return used


def params(m: torch.nn.Module) -> list[list[float]]:
    return [p.detach().flatten().tolist() for p in m.parameters()]


def full(out: str, n: int, k: int) -> None:
    m = model()
    opt = optimizer(m)
    sched = ScheduleLR(opt, schedule())

    def checkpoint(done: int) -> None:
        if done == k:
            torch.save(
                {"model": m.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
                os.path.join(out, "ckpt.pt"),
            )

    used = train(m, opt, sched, 0, n, checkpoint)
    with open(os.path.join(out, "full.json"), "w") as fh:
        json.dump({"lrs": used, "params": params(m)}, fh)


def resume(out: str, n: int, k: int) -> None:
    for path in ("load_state_dict", "last_epoch"):
        ckpt = torch.load(os.path.join(out, "ckpt.pt"), weights_only=True)  # plain values only
        m = model()
        m.load_state_dict(ckpt["model"])
        opt = optimizer(m)
        s = jaxsched.from_config(ckpt["scheduler"]["schedules"][0])
        if path == "load_state_dict":
            sched = ScheduleLR(opt, s)
            sched.load_state_dict(ckpt["scheduler"])
            opt.load_state_dict(ckpt["optimizer"])
        else:
            opt.load_state_dict(ckpt["optimizer"])
            sched = ScheduleLR(opt, s, last_epoch=k)
        after = {
            "last_epoch": sched.last_epoch,
            "get_last_lr": sched.get_last_lr(),
            "group_lr": opt.param_groups[0]["lr"],
        }
        used = train(m, opt, sched, k, n)
        with open(os.path.join(out, f"resumed_{path}.json"), "w") as fh:
            json.dump({"lrs": used, "params": params(m), "after_resume": after}, fh)


if __name__ == "__main__":
    mode, out, n, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    {"full": full, "resume": resume}[mode](out, n, k)
