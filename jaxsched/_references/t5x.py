"""Golden reference for t5x (not installable here): ``tests/golden/t5x.json``, recorded by
``tests/golden/record_t5x.py`` from ``t5x/utils.py: create_learning_rate_scheduler`` at a recorded commit
(its final float32 cast lifted; the runner returns those float64 values)."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._references._golden import register_golden


def _build(case: dict[str, Any]) -> Schedule:
    from jaxsched.compat.t5x import create_learning_rate_scheduler

    return create_learning_rate_scheduler(**case["kwargs"])


register_golden("compat.t5x.create_learning_rate_scheduler", "t5x", _build)
