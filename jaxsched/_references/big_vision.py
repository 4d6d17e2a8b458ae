"""Golden reference for big_vision (not installable here): ``tests/golden/big_vision.json``, recorded by
``tests/golden/record_big_vision.py`` from ``big_vision/utils.py: create_learning_rate_schedule`` at a
recorded commit (its final float32 cast lifted; the runner returns those float64 values, at the updates
big_vision trains: ``0..total_steps-1``)."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._references._golden import register_golden


def _build(case: dict[str, Any]) -> Schedule:
    from jaxsched.compat.big_vision import create_learning_rate_schedule

    return create_learning_rate_schedule(**case["kwargs"])


def _applied(case: dict[str, Any]) -> int:
    """big_vision trains updates ``0..total_steps-1`` (after them its cooldown factor is negative)."""
    return int(case["kwargs"]["total_steps"])


register_golden("compat.big_vision.create_learning_rate_schedule", "big_vision", _build, _applied)
