"""Summarise the ports of the JAX training stacks against their golden curves (not a test; prints a table).

Usage (from the repository root)::

    python -m tests.golden.parity_summary [maxtext levanter big_vision t5x]

For each library and recorded source: the configurations and values compared, and

- the worst disagreement of the port's NumPy float64 path with the original: relative with a floor of 1e-6
  of the curve's peak (as ``jaxsched parity`` measures it), and absolute over the peak; at the steps the
  tests compare exactly (MaxText: up to 4 L, where its cosine phase is still exact in float64; big_vision:
  up to ``total_steps``, after which its cooldown factor is negative; t5x: where its float cosine phase is
  exact and a negative ``step_offset`` does not pass 2**31 - 1);
- the worst of the JAX float32 path against the port's float64 values (relative, floor 1e-30);
- the worst error of the original's own float32 run against its float64 run at the steps a training run
  applies (as recorded).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def _maxtext(case: dict[str, Any]) -> Any:
    from jaxsched.compat.maxtext import LearningRateSchedule

    return LearningRateSchedule(**case["kwargs"])


def _levanter(case: dict[str, Any]) -> Any:
    from jaxsched.compat.levanter import LrScheduler

    return LrScheduler(**case["kwargs"])


def _big_vision(case: dict[str, Any]) -> Any:
    from jaxsched.compat.big_vision import create_learning_rate_schedule

    return create_learning_rate_schedule(**case["kwargs"])


def _t5x(case: dict[str, Any]) -> Any:
    from jaxsched.compat.t5x import create_learning_rate_scheduler

    return create_learning_rate_scheduler(**case["kwargs"])


def _keep_maxtext(case: dict[str, Any], steps: np.ndarray) -> np.ndarray:
    return steps <= 4 * case["kwargs"]["learning_rate_schedule_steps"]


def _keep_big_vision(case: dict[str, Any], steps: np.ndarray) -> np.ndarray:
    return steps <= case["kwargs"]["total_steps"]


def _keep_t5x(case: dict[str, Any], steps: np.ndarray) -> np.ndarray:
    inside = steps - case["kwargs"].get("step_offset", 0) <= 2**31 - 1  # (a negative offset: saturation)
    if "cosine_decay" not in case["kwargs"].get("factors", ""):
        return inside
    return inside & (4.5e-16 * np.pi * steps / case["kwargs"].get("steps_per_cycle", 100000) < 1e-15)


LIBS: dict[
    str, tuple[Callable[[dict[str, Any]], Any], Callable[[dict[str, Any], np.ndarray], np.ndarray]]
] = {
    "maxtext": (_maxtext, _keep_maxtext),
    "levanter": (_levanter, lambda c, s: np.ones(s.shape, bool)),
    "big_vision": (_big_vision, _keep_big_vision),
    "t5x": (_t5x, _keep_t5x),
}


def rel(a: np.ndarray, b: np.ndarray, floor: float, absolute: float = 1e-300) -> tuple[float, int]:
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    den = np.maximum(np.abs(b), max(floor * scale, absolute))
    err = np.abs(a - b) / np.where(den > 0, den, 1.0)
    i = int(np.argmax(err))
    return float(err[i]), i


def summarise(lib: str) -> list[str]:
    build, keep = LIBS[lib]
    doc = json.loads((HERE / f"{lib}.json").read_text())
    rows: dict[str, dict[str, Any]] = {}
    for case in doc["cases"]:
        src = case.get("source", lib)
        r = rows.setdefault(
            src,
            {
                "cases": 0,
                "values": 0,
                "orig": (0.0, None),
                "orig_abs": (0.0, None),
                "f32": (0.0, None),
                "theirs32": (0.0, None),
                "nonfinite32": 0,
            },
        )
        s = build(case)
        steps = np.array(list(range(case["dense"])) + case["extra"], dtype=np.int64)
        want = np.array(case["values"])
        mask = keep(case, steps)
        got = s.numpy(steps)
        err, i = rel(got[mask], want[mask], 1e-6)  # as `jaxsched parity` measures the original path
        peak = float(np.max(np.abs(want[mask])))
        absolute = float(np.max(np.abs(got[mask] - want[mask]))) / peak if peak else 0.0
        r["cases"] += 1
        r["values"] += int(mask.sum())
        if err > r["orig"][0]:
            r["orig"] = (err, f"{case['kwargs']} at step {int(steps[mask][i])}")
        if absolute > r["orig_abs"][0]:
            r["orig_abs"] = (absolute, f"{case['kwargs']}")
        f32 = np.asarray(s(steps.astype(np.int32)), np.float64)
        err32, j = rel(f32, got, 0.0, 1e-30)
        if err32 > r["f32"][0]:
            r["f32"] = (err32, f"{case['kwargs']} at step {int(steps[j])}")
        theirs = case["float32"].get("trained", case["float32"])
        if theirs["max_rel"] == "non-finite":
            r["nonfinite32"] += 1
        elif theirs["max_rel"] > r["theirs32"][0]:
            r["theirs32"] = (theirs["max_rel"], f"{case['kwargs']} at step {theirs['at_step']}")
    out = []
    for src, r in rows.items():
        out.append(f"{lib} [{src}]: {r['cases']} configurations, {r['values']} values compared")
        out.append(
            f"  port float64 vs original, relative (floor 1e-6 of the peak): worst {r['orig'][0]:.2e}"
            f"  ({r['orig'][1]})"
        )
        out.append(
            f"  port float64 vs original, absolute / peak: worst {r['orig_abs'][0]:.2e}  ({r['orig_abs'][1]})"
        )
        out.append(f"  port float32 vs port float64: worst {r['f32'][0]:.2e}  ({r['f32'][1]})")
        out.append(
            f"  original float32 vs original float64 (trained steps): worst {r['theirs32'][0]:.2e}  "
            f"({r['theirs32'][1]}); non-finite in {r['nonfinite32']} configurations"
        )
    return out


def main(libs: list[str]) -> None:
    for lib in libs or list(LIBS):
        print("\n".join(summarise(lib)))


if __name__ == "__main__":
    main(sys.argv[1:])
