"""Golden reference for levanter / marin (not installable here): ``tests/golden/levanter.json``, recorded by
``tests/golden/record_levanter.py`` from ``OptimizerConfig.lr_scheduler`` at recorded commits of marin's
``lib/levanter`` (every case) and of the standalone levanter (the ordinary ones). The runner reads marin's."""

from __future__ import annotations

from typing import Any

from jaxsched._core import Schedule
from jaxsched._references._golden import register_golden


def _build(case: dict[str, Any]) -> Schedule:
    from jaxsched.compat.levanter import LrScheduler

    if case.get("source") != "marin":
        return None  # type: ignore[return-value]  # never equal to a schedule: marin's cases only
    return LrScheduler(**case["kwargs"])


register_golden("compat.levanter.lr_scheduler", "levanter", _build)
