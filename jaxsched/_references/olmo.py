"""Golden references for OLMo-core (``ai2-olmo-core`` pulls in cloud-storage clients and pandas: not
installed here).

``tests/golden/record_olmo.py`` ran OLMo-core's own ``olmo_core/optim/scheduler.py`` at a recorded commit
and wrote ``tests/golden/olmo.json``: for each configuration, ``get_lr`` at ``current = k + 1`` (steps) or
``(k + 1) * tokens_per_step`` (tokens) for every update ``k`` up to the trainer's horizon. A runner returns
the recorded curve of the recorded configuration equal to the port (any other raises ``KeyError``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden" / "olmo.json"
CLASSES = (
    "ConstantScheduler",
    "ConstantWithWarmup",
    "WSD",
    "PowerLR",
    "LinearWithWarmup",
    "InvSqrtWithWarmup",
    "CosWithWarmup",
    "HalfCosWithWarmup",
    "CosWithWarmupAndLinearDecay",
    "ComposableScheduler",
    "SequentialScheduler",
    "WSDS",
    "ExponentialScheduler",
)


@functools.lru_cache(maxsize=1)
def golden() -> dict[str, Any]:
    """The recorded file (in a source checkout)."""
    if not GOLDEN.exists():
        raise FileNotFoundError(f"{GOLDEN}: golden curves exist only in a source checkout of jaxsched")
    doc: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return doc


def port_of(case: dict[str, Any]) -> Schedule:
    """The port of a recorded configuration; raises what the port raises."""
    from jaxsched.compat import olmo

    args = dict(case["args"])
    if "units" in args:
        args["scheduler_units"] = args.pop("units")
    if case["class"] == "SequentialScheduler":
        args["schedulers"] = [{"type": c, **a} for c, a in args["schedulers"]]
    return getattr(olmo, case["class"])(**args, **case["context"])


def recorded(schedule: Schedule, n: int) -> np.ndarray:
    """OLMo-core's values at updates ``0..n-1`` (at most the recorded horizon) for the configuration."""
    name = schedule.config_name.rsplit(".", 1)[1]
    for case in golden()["cases"]:
        if case["class"] != name or "values" not in case:
            continue
        try:
            port = port_of(case)
        except (ValueError, TypeError):
            continue
        if port == schedule:
            return np.asarray(case["values"], np.float64)[:n]
    raise KeyError(f"no OLMo-core golden curve recorded for {schedule.to_config()}")


for _name in CLASSES:
    register(f"compat.olmo.{_name}", "golden:olmo-core")(recorded)
