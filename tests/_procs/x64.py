"""Schedules and ``inject_hyperparams`` under ``jax_enable_x64`` (tests/test_dtypes.py runs this in a new
process, since x64 must be set before JAX computes anything).

    JAX_ENABLE_X64=1 python x64.py OUT

Writes ``OUT/x64.json``: for every native example, the dtype of ``s(k)`` and its largest relative
difference from ``s.numpy(k)``; the LRs an optax loop used (float32 and float64 parameters, under
``lax.scan``) with their dtypes; and the LRs used by updates whose int32 count saturates at ``2**31 - 1``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jaxsched
from tests.test_dtypes import COUNT_SCHEDULES, STEPS, saturating_lrs, scan_lrs


def main(out: str) -> None:
    assert jax.config.read("jax_enable_x64")
    result: dict[str, Any] = {"examples": {}, "scan": {}, "saturation": {}}
    for name, cls in sorted(jaxsched.registry().items()):
        if name.startswith("compat."):
            continue
        for i, example in enumerate(cls.examples):
            s = jaxsched.from_config({"name": name, **example})
            got = s(jnp.asarray(STEPS, jnp.int64))
            want = s.numpy(STEPS)
            scale = max(float(np.max(np.abs(want))), 1e-300)
            err = float(np.max(np.abs(np.asarray(got) - want)) / scale)
            result["examples"][f"{name}[{i}]"] = {"dtype": str(got.dtype), "err": err}
    s = jaxsched.warmup_cosine_decay(0.0, 1e-3, warmup_steps=3, decay_steps=12, end_value=1e-6)
    for dtype in ("float32", "float64"):
        lrs, lr_dtype, param_dtype = scan_lrs(s, optax.adamw, jnp.dtype(dtype), None, 16)
        result["scan"][dtype] = {"lrs": lrs.tolist(), "lr_dtype": lr_dtype, "param_dtype": param_dtype}
    for key, sched in COUNT_SCHEDULES.items():
        lrs, dtype = saturating_lrs(sched)
        result["saturation"][key] = {"lrs": lrs.tolist(), "dtype": dtype}
    with open(f"{out}/x64.json", "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main(sys.argv[1])
