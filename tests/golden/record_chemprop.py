"""Record golden LR curves from chemprop's own scheduler code (chemprop cannot be installed here:
rdkit).

Versions: chemprop 1.6.1 (``chemprop/nn_utils.py::NoamLR``), 2.0.4
(``chemprop/schedulers.py::NoamLR``)
and 2.1.0 (``chemprop/schedulers.py::build_NoamLike_LRSched``; unchanged through 2.3.1). Each wheel
is
fetched with ``pip download chemprop==X --no-deps``; only the scheduler definitions are executed
(with
torch and numpy), so none of chemprop's other dependencies are needed. Run from the repository root:

    .venv/bin/python tests/golden/record_chemprop.py

It writes ``tests/golden/chemprop.json``: for every configuration, the LR each optimizer update runs
with
(the value in ``param_groups[i]["lr"]`` before update ``k``, one list per param group), for
``T + 10`` updates; and for one configuration a trace of explicit ``step(step)`` calls.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.golden.record_common import load_definitions, wheel_dir, write

VERSIONS = {"1": "1.6.1", "2.0": "2.0.4", "2.1": "2.1.0"}

# NoamLR configurations: the port's examples, per-group arrays and edge cases (W = 0, W = T).
NOAM_CASES: list[dict[str, Any]] = [
    {
        "warmup_epochs": 2.0,
        "total_epochs": 10,
        "steps_per_epoch": 25,
        "init_lr": 1e-4,
        "max_lr": 1e-3,
        "final_lr": 1e-4,
        "version": "2.0",
    },
    {
        "warmup_epochs": 0.5,
        "total_epochs": 8,
        "steps_per_epoch": 30,
        "init_lr": 1e-5,
        "max_lr": 2e-3,
        "final_lr": 1e-5,
        "version": "1",
    },
    {
        "warmup_epochs": 0.5,
        "total_epochs": 8,
        "steps_per_epoch": 30,
        "init_lr": 1e-5,
        "max_lr": 2e-3,
        "final_lr": 1e-5,
        "version": "2.0",
    },
    {
        "warmup_epochs": 0,
        "total_epochs": 6,
        "steps_per_epoch": 10,
        "init_lr": 1e-4,
        "max_lr": 1e-3,
        "final_lr": 1e-5,
        "version": "2.0",
    },
    {
        "warmup_epochs": 0,
        "total_epochs": 6,
        "steps_per_epoch": 10,
        "init_lr": 1e-4,
        "max_lr": 1e-3,
        "final_lr": 1e-5,
        "version": "1",
    },
    {
        "warmup_epochs": 3,
        "total_epochs": 3,
        "steps_per_epoch": 4,
        "init_lr": 1e-4,
        "max_lr": 1e-3,
        "final_lr": 1e-5,
        "version": "2.0",
    },
    {
        "warmup_epochs": 3,
        "total_epochs": 3,
        "steps_per_epoch": 4,
        "init_lr": 1e-4,
        "max_lr": 1e-3,
        "final_lr": 1e-5,
        "version": "1",
    },
    {
        "warmup_epochs": 1.3,
        "total_epochs": 5,
        "steps_per_epoch": 7,
        "init_lr": 2e-4,
        "max_lr": 1e-3,
        "final_lr": 3e-3,
        "version": "2.0",
    },
    # Per-group arrays (two param groups).
    {
        "warmup_epochs": [1, 2.5],
        "total_epochs": 6,
        "steps_per_epoch": 20,
        "init_lrs": [1e-4, 1e-5],
        "max_lrs": [1e-3, 5e-4],
        "final_lrs": [1e-4, 1e-6],
        "version": "2.0",
    },
    {
        "warmup_epochs": [1, 2.5],
        "total_epochs": [6, 4],
        "steps_per_epoch": 20,
        "init_lrs": [1e-4, 1e-5],
        "max_lrs": [1e-3, 5e-4],
        "final_lrs": [1e-4, 1e-6],
        "version": "1",
    },
]

NOAMLIKE_CASES: list[dict[str, Any]] = [
    {"warmup_steps": 20, "cooldown_steps": 230, "init_lr": 1e-4, "max_lr": 1e-3, "final_lr": 1e-4},
    {"warmup_steps": 0, "cooldown_steps": 200, "init_lr": 1e-3, "max_lr": 1e-3, "final_lr": 1e-5},
    {"warmup_steps": 7, "cooldown_steps": 0, "init_lr": 1e-4, "max_lr": 1e-3, "final_lr": 1e-5},
    {"warmup_steps": 4, "cooldown_steps": 4, "init_lr": 1e-4, "max_lr": 1e-3, "final_lr": 1e-4},
]

STEP_TRACE = [None] * 5 + [3] + [None] * 3 + [0, None, 40] + [None] * 3
"""``step()`` arguments for the explicit-step trace (None: a plain ``step()``)."""


def _groups(n: int, lrs: list[float]) -> torch.optim.Optimizer:
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(params, lr=lrs[0])


def _listify(x: Any, n: int) -> list[Any]:
    return list(x) if isinstance(x, list) else [x] * n


def _noam(cls: Any, case: dict[str, Any]) -> tuple[Any, Any, int]:
    per_group = "init_lrs" in case
    n = len(case["init_lrs"]) if per_group else 1
    init = case["init_lrs"] if per_group else [case["init_lr"]]
    peak = case["max_lrs"] if per_group else [case["max_lr"]]
    final = case["final_lrs"] if per_group else [case["final_lr"]]
    opt = _groups(n, list(init))
    if case["version"] == "1":
        sched = cls(
            opt,
            _listify(case["warmup_epochs"], n),
            _listify(case["total_epochs"], n),
            case["steps_per_epoch"],
            list(init),
            list(peak),
            list(final),
        )
        total = max(_listify(case["total_epochs"], n)) * case["steps_per_epoch"]
    else:
        sched = cls(
            opt,
            case["warmup_epochs"],
            case["total_epochs"],
            case["steps_per_epoch"],
            list(init),
            list(peak),
            list(final),
        )
        total = case["total_epochs"] * case["steps_per_epoch"]
    return opt, sched, total


def _trace(
    opt: torch.optim.Optimizer, sched: Any, n: int, args: list[Any] | None = None
) -> list[list[float]]:
    out: list[list[float]] = [[] for _ in opt.param_groups]
    calls = args if args is not None else [None] * n
    for arg in [*calls, None]:
        for i, g in enumerate(opt.param_groups):
            out[i].append(float(g["lr"]))
        opt.step()
        if arg is None:
            sched.step()
        else:
            sched.step(arg)
    return [g[: len(calls) + 1] for g in out]


def main() -> None:
    v1 = load_definitions(
        wheel_dir(f"chemprop=={VERSIONS['1']}") / "chemprop" / "nn_utils.py",
        ["NoamLR"],
        "from typing import List, Union\n",
    )
    v20 = load_definitions(
        wheel_dir(f"chemprop=={VERSIONS['2.0']}") / "chemprop" / "schedulers.py", ["NoamLR"]
    )
    v21 = load_definitions(
        wheel_dir(f"chemprop=={VERSIONS['2.1']}") / "chemprop" / "schedulers.py",
        ["build_NoamLike_LRSched"],
    )
    cases = []
    for case in NOAM_CASES:
        cls = v1["NoamLR"] if case["version"] == "1" else v20["NoamLR"]
        opt, sched, total = _noam(cls, case)
        cases.append(
            {
                "name": "compat.chemprop.NoamLR",
                "kwargs": case,
                "values": _trace(opt, sched, total + 10),
            }
        )
    case = NOAM_CASES[0]
    opt, sched, _ = _noam(v20["NoamLR"], case)
    cases.append(
        {
            "name": "compat.chemprop.NoamLR",
            "kwargs": case,
            "step_args": STEP_TRACE,
            "values": _trace(opt, sched, 0, STEP_TRACE),
            "len": len(sched),
        }
    )
    for case in NOAMLIKE_CASES:
        opt = _groups(1, [case["init_lr"]])
        sched = v21["build_NoamLike_LRSched"](opt, **case)
        n = case["warmup_steps"] + case["cooldown_steps"] + 10
        cases.append(
            {
                "name": "compat.chemprop.build_NoamLike_LRSched",
                "kwargs": case,
                "values": _trace(opt, sched, n),
            }
        )
    path = write(
        "chemprop",
        {
            "library": "chemprop",
            "versions": VERSIONS,
            "source": "pip download chemprop==<version> --no-deps; scheduler definitions only",
            "torch": torch.__version__,
            "cases": cases,
        },
    )
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
