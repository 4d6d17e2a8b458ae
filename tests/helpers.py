"""Assertions shared by the catalog tests: a schedule against an independent float64 reference."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

import jaxsched

BIG_STEPS = (2**24 + 1, 2**30, 2**31 - 2, 2**31 - 1)


def edge_steps(schedule: jaxsched.Schedule, dense: int = 64, extra: Iterable[int] = ()) -> np.ndarray:
    """Dense steps from 0, each key step and its neighbours, a few past the end, and huge steps."""
    keys = schedule.key_steps()
    out = set(range(dense))
    for k in keys:
        out.update(k + d for d in (-2, -1, 0, 1, 2, 17))
    last = max(keys) if keys else 0
    out.update(last + d for d in (100, 1000, 12345))
    out.update(BIG_STEPS)
    out.update(extra)
    return np.array(sorted(x for x in out if 0 <= x <= 2**31 - 1), dtype=np.int64)


def assert_matches(
    schedule: jaxsched.Schedule,
    ref: Callable[[int], float],
    steps: np.ndarray | None = None,
    *,
    rtol64: float = 1e-12,
    rtol32: float = 4e-6,
) -> None:
    """NumPy float64 matches ``ref`` to ``rtol64``; JAX float32 to ``rtol32`` (plus a tiny floor)."""
    steps = edge_steps(schedule) if steps is None else np.asarray(steps)
    want = np.array([ref(int(k)) for k in steps], dtype=np.float64)
    scale = float(np.max(np.abs(want))) if want.size else 1.0
    got64 = schedule.numpy(steps)
    np.testing.assert_allclose(
        got64, want, rtol=rtol64, atol=1e-15 * scale, err_msg=f"numpy vs reference for {schedule!r}"
    )
    # float32 steps above 2**24 are not representable: the JAX path takes them as int32.
    got32 = np.asarray(schedule(np.asarray(steps, dtype=np.int32)), dtype=np.float64)
    np.testing.assert_allclose(
        got32, want, rtol=rtol32, atol=1e-7 * scale, err_msg=f"jax float32 vs reference for {schedule!r}"
    )
