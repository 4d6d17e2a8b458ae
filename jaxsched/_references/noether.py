"""Golden references for noether (``emmiai-noether`` needs Python >= 3.12), recorded from its own
code.

``tests/golden/record_noether.py`` recorded ``get_value(step, T)`` for ``step = 0..T``
(emmiai-noether
2026.4.0) into ``tests/golden/noether.json``. A runner returns the recorded values of the case whose
config and ``total_steps`` build a port equal to the given one; steps where noether raises
(``null``)
and steps past ``T`` (where noether raises too) end the returned curve.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import NotRecordedError, register
from jaxsched._references.chemprop import golden


def noether_curve(schedule: Schedule, n: int) -> np.ndarray:
    from jaxsched.compat.noether import from_noether_config

    for case in golden("noether")["cases"]:
        try:
            port: Any = from_noether_config(case["config"], case["total_steps"])
        except (ValueError, TypeError):
            continue
        if port == schedule:
            values = case["values"][:n]
            if None in values:
                values = values[: values.index(None)]
            return np.asarray(values, dtype=np.float64)
    raise NotRecordedError(
        f"no noether golden curve recorded for this configuration of {schedule.config_name}"
    )


def _runner(name: str) -> None:
    @register(f"compat.noether.{name}", "golden:noether")
    def run(schedule: Schedule, n: int) -> np.ndarray:
        return noether_curve(schedule, n)

    run.__name__ = f"run_{name}"


for _name in (
    "ConstantSchedule",
    "CustomSchedule",
    "LinearDecreasingSchedule",
    "LinearIncreasingSchedule",
    "CosineDecreasingSchedule",
    "CosineIncreasingSchedule",
    "PolynomialDecreasingSchedule",
    "PolynomialIncreasingSchedule",
    "StepDecreasingSchedule",
    "StepIntervalSchedule",
    "StepFixedSchedule",
    "LinearWarmupCosineDecaySchedule",
    "SequentialStepSchedule",
    "SequentialPercentSchedule",
):
    _runner(_name)
