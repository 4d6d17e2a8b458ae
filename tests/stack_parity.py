"""Comparison of a port with its original, shared by the parity tests of the training-stack ports.

A port passes at update ``k`` when its NumPy float64 value is within 1e-12 relative of the original's, or,
where the original's own float64 rounding is worse than that (a cancellation such as ``1 + cos`` near the
end of a cosine, ``1 - k/T``, a logarithm that lands a step in the wrong cycle), within 1e-12 relative of
the exact value, which the original is then further from than the port. The JAX float64 path must give the
NumPy values within 1e-12 and the JAX float32 path the reference (original, or exact where the original is
worse) within float32 accuracy.

With ``JAXSCHED_PARITY_LOG=FILE`` every comparison appends one JSON line (the port, the configuration, the
number of updates compared, the largest relative error against the original, and how many updates were
judged against the exact value with the largest error there): the per-port figures of the report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import jax
import numpy as np

import jaxsched

RTOL64, FLOOR64 = 1e-12, 1e-15
RTOL32, FLOOR32 = 2e-6, 1e-7
TINY32 = 2.0**-100  # below it float32 results are judged by absolute error (XLA flushes subnormals)
_TINY = 1e-300


def relative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    diff = np.abs(a - b)
    return np.where(diff == 0, 0.0, diff / np.maximum(np.abs(b), _TINY))


def check(
    port: jaxsched.Schedule,
    want: np.ndarray,
    exact: Callable[[int], float] | None = None,
    *,
    start: int = 0,
    rtol32: float = RTOL32,
    jax_paths: bool = True,
) -> np.ndarray:
    """``port`` against the original's values ``want`` at updates ``start .. start + len(want) - 1``.
    ``exact(k)`` is the exact value at update ``k`` (consulted only where the two disagree beyond 1e-12).
    Returns the reference used for each update (the original's value, or the exact one)."""
    want = np.asarray(want, np.float64)
    assert np.all(np.isfinite(want)), f"the original gives non-finite values for {port!r}"
    k = np.arange(start, start + len(want))
    got = port.numpy(k)
    err = relative(got, want)
    bad = err > RTOL64
    ref = want.copy()
    exact_err = 0.0
    if np.any(bad):
        assert exact is not None, (
            f"{port!r}: differs from the original by {err.max():.3g} at update "
            f"{k[np.argmax(err)]} and no exact value was given"
        )
        ex = np.array([exact(int(i)) for i in k[bad]], np.float64)
        ours, theirs = relative(got[bad], ex), relative(want[bad], ex)
        fine = (ours <= RTOL64) & (theirs >= ours)
        if not np.all(fine):
            i = np.flatnonzero(~fine)[:5]
            raise AssertionError(
                f"{port!r}: at updates {k[bad][i].tolist()} the port gives {got[bad][i].tolist()}, the "
                f"original {want[bad][i].tolist()}, the exact value is {ex[i].tolist()}"
            )
        ref[bad] = ex
        exact_err = float(ours.max())
    if jax_paths:
        scale = float(np.max(np.abs(ref))) if ref.size else 1.0
        with jax.enable_x64(True):
            got64 = np.asarray(port(k))
        # Two float64 backends agree to 1e-12 relative, or to 1e-15 of the peak where a value is a
        # cancellation of peak-sized terms (a cosine trough at a fractional cycle end: an ulp of difference
        # between XLA's and NumPy's pow moves 8.46e-8 by 2.7e-12 relative, 2e-19 of the peak).
        np.testing.assert_allclose(
            got64, got, rtol=RTOL64, atol=max(FLOOR64 * scale, _TINY), err_msg=f"jax x64 {port!r}"
        )
        got32 = np.asarray(port(k.astype(np.int32)), np.float64)
        # Values below float32's range come out 0, as float32 rounds them (end_wd=1e-138 gives 1e-141s).
        np.testing.assert_allclose(
            got32, ref, rtol=rtol32, atol=max(FLOOR32 * scale, TINY32), err_msg=f"jax float32 {port!r}"
        )
    log = os.environ.get("JAXSCHED_PARITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(
                json.dumps(
                    {
                        "port": port.config_name,
                        "config": repr(port),
                        "updates": len(want),
                        "max_rel_vs_original": float(err.max()) if err.size else 0.0,
                        "updates_vs_exact": int(bad.sum()),
                        "max_rel_vs_exact": exact_err,
                    }
                )
                + "\n"
            )
    return ref
