"""Checks shared by the ``test_published_*`` modules: a port's curve against an original's published
expected values (with the tolerance the original's own test uses) and against the original run here.

Tolerances: NumPy float64 within 1e-12 relative of the original run here, with an absolute floor of 1e-14
times the curve's largest value (the originals' own recursions and ``1 + cos`` near a trough lose that
much); JAX float32 within 2e-6 relative (parameters rounded to float32, plus 1.2e-7 per compounded factor
where a factor is raised to the step) with a floor of 1e-7 times the largest value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import jaxsched

RTOL64, FLOOR64 = 1e-12, 1e-14
RTOL32, FLOOR32 = 2e-6, 1e-7


def close(got: Any, want: Any, *, rtol: Any, atol: float, what: str) -> None:
    """``|got - want| <= atol + rtol * |want|`` elementwise, with the first offending indices named."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, want {want.shape}"
    bad = ~(np.abs(got - want) <= atol + np.asarray(rtol) * np.abs(want))
    if np.any(bad):
        k = np.flatnonzero(bad)[:5]
        raise AssertionError(
            f"{what}: at indices {k.tolist()} got {got[k].tolist()}, want {want[k].tolist()}"
        )


def port_values(port: jaxsched.Schedule, steps: Any) -> tuple[np.ndarray, np.ndarray]:
    """The port at ``steps`` by NumPy float64 and by JAX (float32), both as float64 arrays."""
    steps = np.asarray(steps)
    got64 = np.asarray(port.numpy(steps), dtype=np.float64)
    jsteps = steps.astype(np.int32) if steps.dtype.kind in "iu" else steps.astype(np.float32)
    got32 = np.asarray(port(jsteps), dtype=np.float64)
    return got64, got32


def check_against_original(
    port: jaxsched.Schedule, steps: Any, original: Any, *, what: str, compounding: bool = False
) -> None:
    """The port equals the original's values at ``steps``: NumPy to 1e-12, JAX float32 to the contract."""
    want = np.asarray(original, dtype=np.float64)
    got64, got32 = port_values(port, steps)
    scale = float(np.max(np.abs(want))) if want.size else 1.0
    close(got64, want, rtol=RTOL64, atol=FLOOR64 * scale, what=f"{what}: numpy vs original")
    rtol32: Any = RTOL32
    if compounding:
        rtol32 = RTOL32 + 1.2e-7 * np.abs(np.asarray(steps, dtype=np.float64))
    close(got32, want, rtol=rtol32, atol=FLOOR32 * scale, what=f"{what}: jax float32 vs original")


def check_against_published(
    port: jaxsched.Schedule, steps: Any, published: Any, *, atol: float, rtol: float, what: str
) -> None:
    """The port meets the published values with the tolerance of the original's own test, on both paths."""
    got64, got32 = port_values(port, steps)
    close(got64, published, rtol=rtol, atol=atol, what=f"{what}: numpy vs published")
    close(got32, published, rtol=max(rtol, RTOL32), atol=atol, what=f"{what}: jax float32 vs published")
