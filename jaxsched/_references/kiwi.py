"""Golden references for OpenKiwi (not installable here: old pins), recorded from its own code.

``tests/golden/record_kiwi.py`` recorded them (OpenKiwi 2.1.0) into ``tests/golden/kiwi.json``.
"""

from __future__ import annotations

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register
from jaxsched._references.chemprop import recorded


@register("compat.kiwi.get_noam_decay_schedule", "golden:kiwi")
def noam_decay(schedule: Schedule, n: int) -> np.ndarray:
    return recorded("kiwi", schedule, n)
