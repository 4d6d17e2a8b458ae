"""Golden reference for MaxText (not installable here): ``tests/golden/maxtext.json``, recorded by
``tests/golden/record_maxtext.py`` from MaxText's ``create_learning_rate_schedule`` at a recorded commit."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._references._golden import register_golden


def _build(case: dict[str, Any]) -> Schedule:
    from jaxsched.compat.maxtext import LearningRateSchedule

    return LearningRateSchedule(**case["kwargs"])


register_golden("compat.maxtext.create_learning_rate_schedule", "maxtext", _build)
