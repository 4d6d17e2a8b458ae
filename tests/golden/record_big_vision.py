"""Record golden curves from big_vision's own ``create_learning_rate_schedule`` (not installable here).

Usage (from the repository root, with any git checkout or mirror of google-research/big_vision)::

    python -m tests.golden.record_big_vision /path/to/big_vision 0127fb6b337ee2a27bf4e54dea79cff176527356

Only ``steps`` and ``create_learning_rate_schedule`` of ``big_vision/utils.py`` are executed, with the real
jax. big_vision ends with ``jnp.asarray(lr, dtype=jnp.float32)``; the recorder runs the function twice
under ``jax_enable_x64`` at int64 steps: as it is (``float32(values)``, checked to be exactly the float32
rounding of the other run) and with that one cast lifted (its ``jnp.float32`` resolved to float64 in the
function's namespace): ``values``, big_vision's formulas in float64. The float32 summary is the run as in
training (float32, int32 counts). Writes ``tests/golden/big_vision.json``.
"""

from __future__ import annotations

import random
import sys
from typing import Any

from tests.golden.record_git import (
    FAR,
    evaluate,
    float32_error,
    git_source,
    load,
    sha256,
    steps_for,
    versions,
    write,
)

REPO = "https://github.com/google-research/big_vision"
UTILS = "big_vision/utils.py"

HAND: list[dict[str, Any]] = [
    # the port's examples and docstring examples
    {"total_steps": 1000, "decay_type": "cosine", "warmup_steps": 100},
    {
        "total_steps": 1000,
        "decay_type": "rsqrt",
        "warmup_percent": 0.05,
        "timescale": 200,
        "cooldown_steps": 150,
        "base": 3e-3,
    },
    {
        "total_steps": 1200,
        "decay_type": "stair",
        "warmup_examples": 25600,
        "batch_size": 512,
        "steps": [400, 800, 1000],
        "mults": [0.1, 0.01, 0.001],
        "scale_with_batchsize": True,
    },
    {
        "total_steps": 900,
        "decay_type": "polynomial",
        "power": 2.0,
        "end": 1e-5,
        "warmup_epochs": 1,
        "batch_size": 128,
        "data_size": 6400,
        "cooldown_percent": 0.1,
    },
    {"total_steps": 10, "decay_type": "cosine", "warmup_percent": 0.2, "cooldown_steps": 2, "base": 2.0},
    {
        "total_steps": 100,
        "decay_type": "rsqrt",
        "timescale_examples": 1280,
        "warmup_steps": 5,
        "batch_size": 128,
    },
    # big_vision's defaults: stair without steps (a constant)
    {"total_steps": 100},
    {"total_steps": 1},
    # every decay type, with and without warmup / cooldown
    {"total_steps": 200, "decay_type": "linear"},
    {"total_steps": 200, "decay_type": "linear", "warmup_steps": 20, "cooldown_steps": 30, "linear_end": 0.1},
    {"total_steps": 200, "decay_type": "linear", "end": 0.25, "base": 0.5},
    {"total_steps": 200, "decay_type": "polynomial", "power": 0.5, "warmup_steps": 1},
    {"total_steps": 200, "decay_type": "polynomial", "power": 3.0, "end": 2.0},
    {"total_steps": 200, "decay_type": "cosine", "cooldown_percent": 0.5},
    {"total_steps": 300, "decay_type": "rsqrt"},
    {"total_steps": 300, "decay_type": "rsqrt", "warmup_steps": 50, "timescale": 25, "shift_steps": 40},
    {"total_steps": 300, "decay_type": "rsqrt", "warmup_steps": 50, "timescale": 7.5, "shift": -5.5},
    {
        "total_steps": 300,
        "decay_type": "rsqrt",
        "warmup_steps": 10,
        "timescale_percent": 0.1,
        "shift_percent": 0.05,
        "cooldown_steps": 100,
    },
    {
        "total_steps": 300,
        "decay_type": "rsqrt",
        "warmup_epochs": 0.5,
        "timescale_epochs": 2,
        "batch_size": 64,
        "data_size": 1000,
    },
    {"total_steps": 300, "decay_type": "stair", "steps": [10, 10, 20], "mults": [0.5, 0.25, 2.0]},
    {
        "total_steps": 300,
        "decay_type": "stair",
        "steps": [0, 100, 500],
        "mults": [0.3, 0.1, 0.0],
        "warmup_steps": 30,
        "cooldown_steps": 60,
    },
    # durations: Python's round (halves to even), at least one step, percent 0
    {"total_steps": 100, "decay_type": "cosine", "warmup_examples": 80, "batch_size": 32},
    {"total_steps": 100, "decay_type": "cosine", "warmup_examples": 112, "batch_size": 32},
    {"total_steps": 100, "decay_type": "cosine", "warmup_epochs": 0.0001, "batch_size": 10, "data_size": 50},
    {"total_steps": 100, "decay_type": "cosine", "warmup_percent": 0.0, "cooldown_percent": 0.125},
    # a cooldown longer than the run, a one-step run, the batch-size rule
    {"total_steps": 50, "decay_type": "linear", "cooldown_steps": 80},
    {"total_steps": 1, "decay_type": "cosine"},
    {"total_steps": 100, "decay_type": "cosine", "scale_with_batchsize": True, "batch_size": 96, "base": 0.1},
    # long runs
    {"total_steps": 1_000_000, "decay_type": "cosine", "warmup_steps": 10_000, "base": 1e-3},
    {
        "total_steps": 2_000_000_000,
        "decay_type": "rsqrt",
        "warmup_steps": 10_000,
        "timescale": 10_000,
        "cooldown_percent": 0.1,
    },
    {"total_steps": 500_000, "decay_type": "linear", "warmup_steps": 5000, "linear_end": 1e-5, "power": 1.0},
]


def random_configs(n: int, seed: int = 2) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        total = rng.choice([rng.randint(2, 20), rng.randint(10, 150), rng.randint(100, 400)])
        kind = rng.choice(["linear", "polynomial", "cosine", "rsqrt", "stair"])
        batch = rng.choice([None, 8, 32, 100, 256])
        data = rng.choice([None, 500, 1000, 4096]) if batch else None
        cfg: dict[str, Any] = {
            "total_steps": total,
            "decay_type": kind,
            "base": rng.choice([1.0, 10 ** rng.uniform(-4, 1)]),
        }
        if batch:
            cfg["batch_size"] = batch
        if data:
            cfg["data_size"] = data
        for prefix in ("warmup", "cooldown"):
            unit = rng.choice(
                ["none", "steps", "percent"] + (["examples"] if batch else []) + (["epochs"] if data else [])
            )
            if unit == "steps":
                cfg[f"{prefix}_steps"] = rng.randint(0, total - 1)
            elif unit == "percent":
                cfg[f"{prefix}_percent"] = round(rng.uniform(0, 0.9), rng.randint(1, 3))
            elif unit == "examples":
                cfg[f"{prefix}_examples"] = rng.randint(0, (total - 1) * batch)
            elif unit == "epochs":
                cfg[f"{prefix}_epochs"] = round(rng.uniform(0, (total - 1) * batch / data), 3)
        if kind in ("linear", "polynomial"):
            if rng.random() < 0.5:
                cfg["power"] = rng.choice([0.5, 1.0, 2.0, rng.uniform(0.1, 4)])
            if rng.random() < 0.5:
                cfg[rng.choice(["end", "linear_end"])] = rng.choice([0.0, 1e-5, rng.uniform(0, 2)])
        elif kind == "rsqrt":
            if rng.random() < 0.6:
                cfg["timescale"] = rng.choice([1, 10, rng.uniform(0.5, 500)])
            if rng.random() < 0.4:
                cfg["shift_steps"] = rng.randint(0, 100)
        elif kind == "stair":
            k = rng.randint(0, 4)
            cfg["steps"] = sorted(rng.randint(0, total + 20) for _ in range(k))
            cfg["mults"] = [rng.choice([0.1, 0.5, 1.0, 2.0, rng.uniform(0, 3)]) for _ in range(k)]
        if rng.random() < 0.1 and batch:
            cfg["scale_with_batchsize"] = True
        out.append(cfg)
    return out


class _Float64As32:
    """``jax.numpy`` with ``float32`` resolved to ``float64``: lifts big_vision's final cast only."""

    def __getattr__(self, name: str) -> Any:
        import jax.numpy as jnp

        return jnp.float64 if name == "float32" else getattr(jnp, name)


def _curve(fn: Any, kwargs: dict[str, Any], steps: list[int], x64: bool) -> list[float]:
    """The original's values at ``steps`` for ``kwargs``."""
    return evaluate(lambda k: fn(**kwargs)(k), steps, x64=x64)


def main(repo: str, commit: str) -> None:
    src = git_source(repo, commit, UTILS)
    as_is = load(src, UTILS, ["steps", "create_learning_rate_schedule"])
    lifted = load(src, UTILS, ["steps", "create_learning_rate_schedule"])
    lifted["jnp"] = _Float64As32()
    import ast

    fn_src = ast.get_source_segment(
        src, next(n for n in ast.parse(src).body if getattr(n, "name", "") == "create_learning_rate_schedule")
    )
    assert fn_src is not None and fn_src.count("float32") == 1  # the final cast, and nothing else
    import numpy as np

    cases, failed = [], []
    for i, kwargs in enumerate(HAND + random_configs(90)):
        total = kwargs["total_steps"]
        dense = min(max(int(total * 1.25) + 10, 64), 1510 if i < len(HAND) else 420)
        near = {total, 2 * total, *kwargs.get("steps", [])}
        steps = steps_for(dense, [k + j for k in near for j in range(-2, 3)] + list(FAR))
        try:
            values = _curve(lifted["create_learning_rate_schedule"], kwargs, steps, True)
        except Exception as err:  # the original refuses (or fails on) the configuration
            failed.append({"kwargs": kwargs, "error": f"{type(err).__name__}: {err}"})
            continue
        cast = _curve(as_is["create_learning_rate_schedule"], kwargs, steps, True)
        # float32(values) is what the original returns (XLA flushes float32 subnormals to 0)
        ok = (np.float32(values) == np.float32(cast)) | (
            np.abs(np.float32(values)) < np.finfo(np.float32).tiny
        )
        assert np.all(ok & (np.abs(np.float32(cast)) <= np.abs(np.float32(values)))), kwargs
        values32 = _curve(as_is["create_learning_rate_schedule"], kwargs, steps, False)
        cases.append(
            {
                "kwargs": kwargs,
                "dense": dense,
                "extra": steps[dense:],
                "values": values,
                "float32": float32_error(values32, values, steps, kwargs["total_steps"]),
            }
        )
    header = {
        "library": "big_vision",
        "repo": REPO,
        "commit": commit,
        "source": {UTILS: sha256(src)},
        "function": "create_learning_rate_schedule(total_steps, batch_size, data_size, base, decay_type, "
        "scale_with_batchsize, **kw)",
        "x64": True,
        **versions(),
        "note": "values: the original under jax_enable_x64 at int64 steps 0..dense-1, then extra, with its "
        "final float32 cast lifted (float32(values) is what it returns, checked)",
        "failed_in_original": failed,
    }
    print(
        f"wrote {write('big_vision', header, cases)} ({len(cases)} cases, {len(failed)} failed in the "
        "original)"
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
