"""Two DDP ranks (gloo, localhost) with ``torch_bridge.ScheduleLR``, both resuming from rank 0's checkpoint.

    python torch_ddp.py OUT N K

Each rank trains a DDP-wrapped model on its own data for K updates, rank 0 saves model, optimizer and
scheduler state, every rank rebuilds model, optimizer and scheduler from that file and trains to N.
Rank 0 writes ``OUT/ddp.json``: per rank, the LR each update used (before and after the resume), the
LR right after resuming, and the final parameters.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

import jaxsched
from torch_bridge import ScheduleLR

WORLD = 2


def schedule() -> jaxsched.Schedule:
    return jaxsched.one_cycle(transition_steps=20, peak_value=0.1, pct_start=0.25)


def build(rank: int) -> tuple[torch.nn.Module, torch.nn.Module, torch.optim.Optimizer]:
    """The DDP wrapper, the module inside it, and an optimizer."""
    torch.manual_seed(0)  # DDP also broadcasts rank 0's parameters at construction
    inner = torch.nn.Linear(4, 1)
    model = DistributedDataParallel(inner)
    return model, inner, torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)


def train(
    rank: int, model: torch.nn.Module, opt: torch.optim.Optimizer, sched: ScheduleLR, start: int, stop: int
) -> list[float]:
    g = torch.Generator().manual_seed(100 + rank)  # each rank sees different data
    x = torch.randn(stop, 8, 4, generator=g)
    y = x.sum(-1, keepdim=True)
    used = []
    for k in range(start, stop):
        used.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x[k]), y[k]).backward()
        opt.step()
        sched.step()
    return used


def worker(rank: int, port: int, out: str, n: int, k: int) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD)
    try:
        model, inner, opt = build(rank)
        sched = ScheduleLR(opt, schedule())
        first = train(rank, model, opt, sched, 0, k)
        path = os.path.join(out, "ckpt.pt")
        if rank == 0:
            torch.save(
                {"model": inner.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
                path,
            )
        dist.barrier()
        ckpt = torch.load(path, weights_only=True)
        model, inner, opt = build(rank)
        inner.load_state_dict(ckpt["model"])
        sched = ScheduleLR(opt, jaxsched.from_config(ckpt["scheduler"]["schedules"][0]))
        sched.load_state_dict(ckpt["scheduler"])
        opt.load_state_dict(ckpt["optimizer"])
        resumed_lr = opt.param_groups[0]["lr"]
        rest = train(rank, model, opt, sched, k, n)
        mine: dict[str, Any] = {
            "rank": rank,
            "first": first,
            "rest": rest,
            "resumed_lr": resumed_lr,
            "last_epoch": sched.last_epoch,
            "params": [p.detach().flatten().tolist() for p in model.parameters()],
        }
        gathered: list[Any] = [None] * WORLD
        dist.all_gather_object(gathered, mine)
        if rank == 0:
            with open(os.path.join(out, "ddp.json"), "w") as fh:
                json.dump(gathered, fh)
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    out, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    mp.spawn(worker, args=(free_port(), out, n, k), nprocs=WORLD, join=True)
