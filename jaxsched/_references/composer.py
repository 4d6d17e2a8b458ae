"""Golden references for Composer (not installable here: it pins torch < 2.7.1 and torchvision).

``tests/golden/record_composer.py`` ran Composer's own ``composer/optim/scheduler.py`` (and
``composer/core/time.py``) at a recorded commit and wrote ``tests/golden/composer.json``: for each
configuration, the multiplier the scheduler returns at batch ``k`` for ``k = 0..159`` and a few far steps.
A runner returns the recorded curve of the recorded configuration equal to the port, times the port's
``lr`` (any other configuration raises ``KeyError``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden" / "composer.json"
CLASSES = (
    "StepScheduler",
    "MultiStepScheduler",
    "ConstantScheduler",
    "LinearScheduler",
    "ExponentialScheduler",
    "CosineAnnealingScheduler",
    "CosineAnnealingWarmRestartsScheduler",
    "PolynomialScheduler",
    "MultiStepWithWarmupScheduler",
    "ConstantWithWarmupScheduler",
    "LinearWithWarmupScheduler",
    "CosineAnnealingWithWarmupScheduler",
    "PolynomialWithWarmupScheduler",
)


@functools.lru_cache(maxsize=1)
def golden() -> dict[str, Any]:
    """The recorded file (in a source checkout)."""
    if not GOLDEN.exists():
        raise FileNotFoundError(f"{GOLDEN}: golden curves exist only in a source checkout of jaxsched")
    doc: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return doc


def port_of(case: dict[str, Any]) -> Schedule:
    """The port of a recorded configuration (``lr=1``); raises what the port raises."""
    from jaxsched.compat import composer

    ctx = {k: x for k, x in case["state"].items() if x is not None}
    return getattr(composer, case["class"])(**case["args"], **ctx, ssr=case["ssr"])


def recorded(schedule: Schedule, n: int) -> np.ndarray:
    """Composer's values at updates ``0..n-1`` (at most the recorded dense steps) for the configuration."""
    name = schedule.config_name.rsplit(".", 1)[1]
    lr = float(schedule.lr)  # type: ignore[attr-defined]
    for case in golden()["cases"]:
        if case["class"] != name or "values" not in case:
            continue
        try:
            port = port_of(case)
        except (ValueError, TypeError):
            continue
        if port == schedule.replace(lr=1.0):
            steps = np.asarray(case["steps"])
            dense = np.asarray(case["values"], np.float64)[steps < 160]
            return lr * dense[:n]
    raise KeyError(f"no Composer golden curve recorded for {schedule.to_config()}")


for _name in CLASSES:
    register(f"compat.composer.{_name}", "golden:composer")(recorded)
