"""Record golden values from noether's own schedule code (PyPI ``emmiai-noether`` 2026.4.0).

emmiai-noether requires Python >= 3.12 and a large stack, so it is not installed here. This script
fetches
the wheel (``pip download emmiai-noether==2026.4.0 --no-deps --python-version 3.12
--only-binary=:all:``),
and imports only ``noether.core.schedules`` and ``noether.core.schemas.schedules`` (pydantic only),
with
empty stand-ins for the parent packages so that nothing else of noether runs. Run from the
repository root:

    .venv/bin/python tests/golden/record_noether.py

It writes ``tests/golden/noether.json``: for each configuration ``{"kind": ..., fields}`` and
``total_steps`` T, ``get_value(step, T)`` for ``step = 0..T`` (T included: noether accepts it;
``null`` where noether
raises).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.golden.record_common import wheel_dir, write

VERSION = "2026.4.0"
P = "noether.core.schedules."

CASES: list[tuple[dict[str, Any], int]] = [
    ({"kind": P + "ConstantSchedule", "value": 1e-3}, 100),
    ({"kind": P + "CustomSchedule", "values": [1e-3, 5e-4, 1e-4, 5e-5]}, 4),
    ({"kind": P + "LinearDecreasingSchedule", "max_value": 1e-3, "end_value": 1e-5}, 200),
    ({"kind": P + "LinearDecreasingSchedule", "max_value": 1.0}, 5),
    (
        {
            "kind": P + "LinearDecreasingSchedule",
            "max_value": 1.0,
            "exclude_first": True,
            "exclude_last": True,
        },
        7,
    ),
    ({"kind": P + "LinearDecreasingSchedule", "max_value": 1.0}, 1),
    ({"kind": P + "LinearDecreasingSchedule", "max_value": 1.0}, 0),
    ({"kind": P + "LinearIncreasingSchedule", "max_value": 1e-3, "exclude_first": True}, 200),
    (
        {
            "kind": P + "LinearIncreasingSchedule",
            "max_value": 2.0,
            "start_value": 0.5,
            "overhang_percent": 0.25,
        },
        20,
    ),
    ({"kind": P + "CosineDecreasingSchedule", "max_value": 1e-3, "end_value": 1e-6}, 200),
    ({"kind": P + "CosineDecreasingSchedule", "max_value": 1.0, "overhang_steps": 3}, 9),
    (
        {
            "kind": P + "CosineIncreasingSchedule",
            "max_value": 1e-3,
            "start_value": 1e-5,
            "exclude_last": True,
        },
        200,
    ),
    ({"kind": P + "CosineIncreasingSchedule", "max_value": 1.0, "exclude_first": True}, 6),
    (
        {
            "kind": P + "PolynomialDecreasingSchedule",
            "max_value": 1e-3,
            "end_value": 1e-6,
            "power": 2.0,
        },
        200,
    ),
    ({"kind": P + "PolynomialDecreasingSchedule", "max_value": 1.0, "power": 3.0}, 8),
    ({"kind": P + "PolynomialIncreasingSchedule", "max_value": 1e-3, "power": 0.5}, 200),
    (
        {
            "kind": P + "PolynomialIncreasingSchedule",
            "max_value": 1.0,
            "power": 0.5,
            "exclude_first": True,
        },
        9,
    ),
    (
        {
            "kind": P + "StepDecreasingSchedule",
            "max_value": 1e-3,
            "factor": 0.5,
            "decreases_interval": 0.1,
        },
        100,
    ),
    (
        {
            "kind": P + "StepDecreasingSchedule",
            "max_value": 1e-3,
            "factor": 0.1,
            "decreases_interval": 0.3,
            "end_value": 1e-6,
            "exclude_first": True,
        },
        60,
    ),
    (
        {
            "kind": P + "StepDecreasingSchedule",
            "max_value": 1.0,
            "factor": 0.5,
            "decreases_interval": 0.1,
        },
        10,
    ),
    (
        {
            "kind": P + "StepDecreasingSchedule",
            "max_value": 1.0,
            "factor": 0.9,
            "decreases_interval": 0.07,
            "exclude_last": True,
            "overhang_percent": 0.1,
        },
        137,
    ),
    (
        {
            "kind": P + "StepIntervalSchedule",
            "factor": 0.5,
            "update_interval": 0.25,
            "start_value": 1e-3,
        },
        100,
    ),
    ({"kind": P + "StepIntervalSchedule", "factor": 0.5, "update_interval": 0.1}, 30),
    ({"kind": P + "StepIntervalSchedule", "factor": 0.7, "update_interval": 0.01}, 13),
    ({"kind": P + "StepIntervalSchedule", "factor": 0.99, "update_interval": 0.003}, 997),
    (
        {"kind": P + "StepFixedSchedule", "factor": 0.1, "steps": [0.5, 0.75], "start_value": 1e-3},
        200,
    ),
    ({"kind": P + "StepFixedSchedule", "factor": 0.1, "steps": [0.5, 0.3, 0.7]}, 10),
    (
        {
            "kind": P + "StepFixedSchedule",
            "factor": 2.0,
            "steps": [0.1, 0.2, 0.3],
            "overhang_steps": 5,
        },
        33,
    ),
    (
        {
            "kind": P + "LinearWarmupCosineDecaySchedule",
            "max_value": 1e-3,
            "warmup_percent": 0.05,
            "end_value": 1e-6,
        },
        400,
    ),
    (
        {
            "kind": P + "LinearWarmupCosineDecaySchedule",
            "max_value": 1e-3,
            "warmup_steps": 20,
            "start_value": 1e-5,
            "end_value": 0.0,
        },
        300,
    ),
    (
        {
            "kind": P + "LinearWarmupCosineDecaySchedule",
            "max_value": 1.0,
            "warmup_steps": 3,
            "end_value": 0.0,
        },
        10,
    ),
    ({"kind": P + "LinearWarmupCosineDecaySchedule", "max_value": 1.0, "warmup_steps": 2}, 11),
    ({"kind": P + "LinearWarmupCosineDecaySchedule", "max_value": 1.0, "warmup_percent": 0.2}, 11),
    (
        {"kind": P + "LinearWarmupCosineDecaySchedule", "max_value": 1.0, "warmup_percent": 0.29},
        101,
    ),
    ({"kind": P + "LinearWarmupCosineDecaySchedule", "max_value": 1.0, "warmup_steps": 0}, 12),
    ({"kind": P + "LinearWarmupCosineDecaySchedule", "max_value": 1.0, "warmup_percent": 0.0}, 12),
    (
        {
            "kind": P + "LinearWarmupCosineDecaySchedule",
            "max_value": 1.0,
            "warmup_steps": 5,
            "overhang_percent": 0.5,
        },
        30,
    ),
]

SEQUENTIAL: list[tuple[str, list[dict[str, Any]], int]] = [
    (
        "SequentialStepSchedule",
        [
            {
                "schedule": {"kind": P + "LinearIncreasingSchedule", "max_value": 1e-3},
                "end_step": 20,
            },
            {
                "schedule": {"kind": P + "CosineDecreasingSchedule", "max_value": 1e-3},
                "start_step": 20,
            },
        ],
        200,
    ),
    (
        "SequentialStepSchedule",
        [
            {
                "schedule": {"kind": P + "ConstantSchedule", "value": 0.3},
                "start_step": 4,
                "end_step": 8,
            },
            {
                "schedule": {"kind": P + "LinearDecreasingSchedule", "max_value": 1.0},
                "start_step": 10,
                "end_step": 15,
            },
            {
                "schedule": {
                    "kind": P + "StepIntervalSchedule",
                    "factor": 0.5,
                    "update_interval": 0.2,
                },
                "start_step": 15,
            },
        ],
        30,
    ),
    (
        "SequentialPercentSchedule",
        [
            {"schedule": {"kind": P + "ConstantSchedule", "value": 1e-3}, "end_percent": 0.3},
            {
                "schedule": {"kind": P + "LinearDecreasingSchedule", "max_value": 1e-3},
                "start_percent": 0.3,
            },
        ],
        200,
    ),
    (
        "SequentialPercentSchedule",
        [
            {
                "schedule": {"kind": P + "CosineIncreasingSchedule", "max_value": 1.0},
                "start_percent": 0.1,
                "end_percent": 0.4,
            },
            {
                "schedule": {"kind": P + "ConstantSchedule", "value": 0.5},
                "start_percent": 0.5,
                "end_percent": 0.5,
            },
            {
                "schedule": {
                    "kind": P + "PolynomialDecreasingSchedule",
                    "max_value": 1.0,
                    "power": 2.0,
                },
                "start_percent": 0.6,
            },
        ],
        41,
    ),
]


def _import_noether(root: Path) -> tuple[Any, Any]:
    for name in ("noether", "noether.core", "noether.core.schemas"):
        mod = types.ModuleType(name)
        mod.__path__ = [str(root.joinpath(*name.split(".")))]
        sys.modules[name] = mod
    import importlib

    schemas = importlib.import_module("noether.core.schemas.schedules")
    schedules = importlib.import_module("noether.core.schedules")
    return schemas, schedules


def _build(schemas: Any, schedules: Any, cfg: dict[str, Any]) -> Any:
    name = cfg["kind"].rsplit(".", 1)[-1]
    fields = {k: x for k, x in cfg.items() if k != "kind"}
    config = getattr(schemas, f"{name}Config")(**fields)
    return getattr(schedules, name)(config=config)


def _values(sched: Any, total: int) -> list[Any]:
    """``get_value(k, total)`` for ``k = 0..total``; ``None`` where noether raises."""
    out: list[Any] = []
    for k in range(total + 1):
        try:
            out.append(float(sched.get_value(k, total)))
        except (IndexError, ValueError, TypeError):
            out.append(None)
    return out


def main() -> None:
    root = wheel_dir(f"emmiai-noether=={VERSION}", "--python-version", "3.12", "--only-binary=:all:")
    schemas, schedules = _import_noether(root)
    cases = []
    for cfg, total in CASES:
        sched = _build(schemas, schedules, cfg)
        values = _values(sched, total)
        cases.append({"config": cfg, "total_steps": total, "values": values})
    for name, entries, total in SEQUENTIAL:
        cls = getattr(schedules, name)
        conf_cls = getattr(schedules, f"{name}Config")
        built = [conf_cls(**{**e, "schedule": _build(schemas, schedules, e["schedule"])}) for e in entries]
        sched = cls(schedule_configs=built)
        values = _values(sched, total)
        cases.append(
            {
                "config": {"kind": P + name, "schedule_configs": entries},
                "total_steps": total,
                "values": values,
            }
        )
    path = write(
        "noether",
        {
            "library": "emmiai-noether",
            "versions": {"emmiai-noether": VERSION},
            "source": "pip download emmiai-noether==2026.4.0 --no-deps; noether.core.schedules and "
            "noether.core.schemas.schedules only",
            "cases": cases,
        },
    )
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
