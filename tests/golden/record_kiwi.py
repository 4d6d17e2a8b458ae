"""Record golden LR curves from OpenKiwi's own optimizer/scheduler code (OpenKiwi 2.1.0, PyPI
``openkiwi``).

OpenKiwi pins old torch/transformers/pydantic, so it is not installed here. This script fetches its
wheel
(``pip download openkiwi==2.1.0 --no-deps``) and executes only ``get_noam_decay_schedule``,
``OptimizerConfig``, ``OPTIMIZERS_MAPPING``, ``optimizer_class`` and ``from_config`` of
``kiwi/training/optimizers.py``, with stand-ins for what has moved since:
``kiwi.utils.io.BaseConfig`` (a
pydantic model), ``transformers.AdamW`` (torch's AdamW, ignoring ``correct_bias``), and torch's
``ReduceLROnPlateau`` (which no longer takes ``verbose=``). HF's ``get_linear_schedule_with_warmup``
is the
installed ``transformers`` one. Run from the repository root:

    .venv/bin/python tests/golden/record_kiwi.py

It writes ``tests/golden/kiwi.json``: the LR each optimizer update runs with (one
``scheduler.step()``
after each update; for the plateau scheduler one ``step(metric)`` per update, metrics recorded).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.golden.record_common import load_definitions, wheel_dir, write

VERSION = "2.1.0"

PREAMBLE = """
import logging
import pydantic
import torch
from transformers import get_linear_schedule_with_warmup

class BaseConfig(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

def validator(*fields, **kw):
    kw.pop("pre", None)
    return pydantic.field_validator(*fields, mode="after")

class AdamW(torch.optim.AdamW):
    def __init__(self, params, lr=1e-3, correct_bias=True, **kw):
        super().__init__(params, lr=lr, **kw)

logger = logging.getLogger("kiwi-golden")
"""

NOAM_CASES = [
    {"learning_rate": 1.0, "num_warmup_steps": 4000, "model_size": 512},
    {"learning_rate": 2.0, "num_warmup_steps": 8, "model_size": 300},
    {"learning_rate": 1.0, "num_warmup_steps": 4, "model_size": 512},
    {"learning_rate": 0.5, "num_warmup_steps": 2.5, "model_size": 64},
    {"learning_rate": 1.0, "num_warmup_steps": 1, "model_size": 1},
]

CONFIG_CASES: list[dict[str, Any]] = [
    {"config": {"class_name": "noam", "learning_rate": 2.0, "warmup_steps": 10}, "model_size": 256},
    {"config": {"class_name": "noam", "learning_rate": 1.0, "warmup_steps": 1}, "model_size": 128},
    {
        "config": {
            "class_name": "adamw",
            "learning_rate": 1e-3,
            "warmup_steps": 0.1,
            "training_steps": 100,
        }
    },
    {
        "config": {
            "class_name": "adamw",
            "learning_rate": 1e-3,
            "warmup_steps": 30,
            "training_steps": 120,
        }
    },
    {
        "config": {"class_name": "adamw", "learning_rate": 1e-3, "warmup_steps": 0.25},
        "training_data_size": 90,
    },
    {
        "config": {
            "class_name": "adamw",
            "learning_rate": 1e-3,
            "warmup_steps": 0.15,
            "training_steps": 105,
        }
    },
    {
        "config": {
            "class_name": "adamw",
            "learning_rate": 1e-3,
            "warmup_steps": 1,
            "training_steps": 50,
        }
    },
    {
        "config": {
            "class_name": "adam",
            "learning_rate": 0.1,
            "learning_rate_decay": 0.5,
            "learning_rate_decay_start": 1,
        },
        "metrics": [1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 1.0, 1.0, 4.0, 4.0, 4.0, 4.0, 4.0],
    },
    {
        "config": {"class_name": "sgd", "learning_rate": 0.1, "learning_rate_decay": 0.8},
        "metrics": [0.5] * 12,
    },
    {"config": {"class_name": "sgd", "learning_rate": 0.1}},
]


def _optimizer(lr: float = 1.0) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _trace(opt: torch.optim.Optimizer, sched: Any, n: int, metrics: list[float] | None = None) -> list[float]:
    out = []
    for k in range(n):
        out.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        if sched is None:
            continue
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[k])
    return out


def main() -> None:
    ns = load_definitions(
        wheel_dir(f"openkiwi=={VERSION}") / "kiwi" / "training" / "optimizers.py",
        [
            "OptimizerConfig",
            "get_noam_decay_schedule",
            "OPTIMIZERS_MAPPING",
            "optimizer_class",
            "from_config",
        ],
        PREAMBLE,
    )
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau
    ns["ReduceLROnPlateau"] = lambda *a, verbose=None, **kw: plateau(*a, **kw)
    cases = []
    for case in NOAM_CASES:
        opt = _optimizer(case["learning_rate"])
        sched = ns["get_noam_decay_schedule"](opt, case["num_warmup_steps"], case["model_size"])
        n = int(case["num_warmup_steps"]) * 2 + 40 if case["num_warmup_steps"] < 100 else 300
        cases.append(
            {
                "name": "compat.kiwi.get_noam_decay_schedule",
                "kwargs": case,
                "values": [_trace(opt, sched, n)],
            }
        )
    for case in CONFIG_CASES:
        config = ns["OptimizerConfig"](**case["config"])
        params = [torch.nn.Parameter(torch.zeros(case.get("model_size", 4)))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = ns["from_config"](
                config,
                params,
                model_size=case.get("model_size"),
                training_data_size=case.get("training_data_size"),
            )
        if isinstance(result, tuple | list):
            (opt,), (entry,) = result
            sched, interval = entry["scheduler"], entry["interval"]
        else:
            opt, sched, interval = result, None, None
        metrics = case.get("metrics")
        n = len(metrics) if metrics else 150
        cases.append(
            {
                "name": "from_optimizer_config",
                **case,
                "interval": interval,
                "cast_warmup_steps": config.warmup_steps,
                "values": [_trace(opt, sched, n, metrics)],
            }
        )
    path = write(
        "kiwi",
        {
            "library": "openkiwi",
            "versions": {"openkiwi": VERSION},
            "source": "pip download openkiwi==2.1.0 --no-deps; kiwi/training/optimizers.py definitions only",
            "torch": torch.__version__,
            "cases": cases,
        },
    )
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
