"""Record golden curves from t5x's own ``create_learning_rate_scheduler`` (t5x cannot be installed here).

Usage (from the repository root, with any git checkout or mirror of google-research/t5x)::

    python -m tests.golden.record_t5x /path/to/t5x cc342d419ec3e3e9c4bf1df33c82330cafdc1e16

Only ``create_learning_rate_scheduler`` of ``t5x/utils.py`` is executed, with the real jax (its return
annotation ``LearningRateCallable`` is a stub). t5x ends with ``jnp.asarray(ret, dtype=jnp.float32)``; as
for big_vision, the function runs under ``jax_enable_x64`` at int64 steps both as it is and with that one
cast lifted: ``values`` are the lifted run (t5x's formulas in float64), checked to round to exactly the
run as it is. The float32 summary is the run as in training (float32, int32 counts). Writes
``tests/golden/t5x.json``.
"""

from __future__ import annotations

import ast
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

REPO = "https://github.com/google-research/t5x"
UTILS = "t5x/utils.py"
FACTORS = (
    "constant",
    "linear_warmup",
    "linear_decay",
    "rsqrt_decay",
    "rsqrt_normalized_decay",
    "decay_every",
    "cosine_decay",
)

HAND: list[dict[str, Any]] = [
    # the port's examples and docstring example
    {"factors": "constant * linear_warmup * rsqrt_decay", "base_learning_rate": 1.0, "warmup_steps": 100},
    {
        "factors": "linear_decay",
        "base_learning_rate": 1e-3,
        "warmup_steps": 100,
        "decay_factor": 1e-3,
        "min_learning_rate": 1e-5,
    },
    {
        "factors": "constant * linear_warmup * cosine_decay * decay_every",
        "base_learning_rate": 0.1,
        "warmup_steps": 50,
        "steps_per_cycle": 300,
        "steps_per_decay": 250,
        "decay_factor": 0.8,
        "step_offset": 20,
    },
    {
        "factors": "constant * rsqrt_normalized_decay",
        "base_learning_rate": 0.01,
        "warmup_steps": 400,
        "min_learning_rate": 0.0,
    },
    # t5x's defaults, and its configs' (pretrain, finetune, the linear_decay fine-tunes)
    {},
    {"factors": "constant * rsqrt_decay", "base_learning_rate": 1.0, "warmup_steps": 10000},
    {"factors": "constant", "base_learning_rate": 0.001, "warmup_steps": 1000},
    {
        "factors": "linear_decay",
        "base_learning_rate": 0.001,
        "warmup_steps": 1001000,
        "min_learning_rate": 1e-5,
        "decay_factor": 1.67e-5,
        "step_offset": 1000000,
    },
    {
        "factors": "linear_decay",
        "base_learning_rate": 0.0001,
        "warmup_steps": 10000,
        "min_learning_rate": 1e-5,
        "decay_factor": 9.0909e-7,
    },
    # every factor alone, spacing and repetition in the string
    {"factors": "linear_warmup", "warmup_steps": 10},
    {"factors": "linear_decay", "warmup_steps": 10},
    {"factors": "rsqrt_decay", "warmup_steps": 1},
    {"factors": "rsqrt_normalized_decay", "warmup_steps": 7, "min_learning_rate": 0.0},
    {"factors": "decay_every", "steps_per_decay": 7, "decay_factor": 0.5},
    {"factors": "decay_every", "steps_per_decay": 3, "decay_factor": 0.0},
    {"factors": "cosine_decay", "warmup_steps": 0, "steps_per_cycle": 40},
    {"factors": "cosine_decay", "warmup_steps": 25, "steps_per_cycle": 1},
    {"factors": "  constant*constant *linear_warmup  ", "base_learning_rate": 3.0, "warmup_steps": 5},
    {
        "factors": "rsqrt_decay * rsqrt_normalized_decay * constant",
        "base_learning_rate": 2.0,
        "warmup_steps": 16,
    },
    {
        "factors": "linear_decay * cosine_decay",
        "warmup_steps": 20,
        "decay_factor": 0.01,
        "steps_per_cycle": 30,
    },
    # step offsets, a negative one, and a large min_learning_rate
    {"factors": "constant * linear_warmup", "base_learning_rate": 1.0, "warmup_steps": 10, "step_offset": 15},
    {"factors": "constant * linear_warmup * rsqrt_decay", "warmup_steps": 10, "step_offset": -5},
    {
        "factors": "constant * rsqrt_decay",
        "base_learning_rate": 1.0,
        "warmup_steps": 4,
        "min_learning_rate": 0.2,
    },
    # long runs
    {"factors": "constant * linear_warmup * rsqrt_decay", "base_learning_rate": 1.0, "warmup_steps": 10000},
    {
        "factors": "constant * linear_warmup * cosine_decay",
        "base_learning_rate": 1e-3,
        "warmup_steps": 1000,
        "steps_per_cycle": 1_000_000,
        "min_learning_rate": 0.0,
    },
    {
        "factors": "decay_every * constant",
        "base_learning_rate": 1.0,
        "steps_per_decay": 100_000,
        "decay_factor": 0.9,
    },
]


def random_configs(n: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        names = [rng.choice(FACTORS) for _ in range(rng.randint(1, 4))]
        while names.count("linear_decay") > 1:
            names.remove("linear_decay")
        cfg: dict[str, Any] = {
            "factors": " * ".join(names),
            "base_learning_rate": rng.choice([1.0, 0.5, 10 ** rng.uniform(-4, 1)]),
            "warmup_steps": rng.choice([1, rng.randint(1, 30), rng.randint(1, 300)]),
            "min_learning_rate": rng.choice([1e-8, 0.0, 1e-5, 10 ** rng.uniform(-9, -2)]),
        }
        if "cosine_decay" in names and rng.random() < 0.5:
            cfg["warmup_steps"] = rng.randint(0, 30)
        if "linear_decay" in names:
            cfg["decay_factor"] = rng.choice([0.5, 1e-2, 10 ** rng.uniform(-4, 0)])
        elif "decay_every" in names:
            cfg["decay_factor"] = rng.choice([0.5, 0.9, rng.random()])
        if "decay_every" in names:
            cfg["steps_per_decay"] = rng.randint(1, 60)
        if "cosine_decay" in names:
            cfg["steps_per_cycle"] = rng.randint(1, 120)
        if rng.random() < 0.3:
            cfg["step_offset"] = rng.randint(-20, 60)
        out.append(cfg)
    return out


class _Float64As32:
    """``jax.numpy`` with ``float32`` resolved to ``float64``: lifts t5x's final cast only."""

    def __getattr__(self, name: str) -> Any:
        import jax.numpy as jnp

        return jnp.float64 if name == "float32" else getattr(jnp, name)


def _curve(fn: Any, kwargs: dict[str, Any], steps: list[int], x64: bool) -> list[float]:
    """The original's values at ``steps`` for ``kwargs``."""
    return evaluate(lambda k: fn(**kwargs)(k), steps, x64=x64)


def main(repo: str, commit: str) -> None:
    import numpy as np

    src = git_source(repo, commit, UTILS)
    stubs = {"LearningRateCallable": object}
    as_is = load(src, UTILS, ["create_learning_rate_scheduler"], stubs=stubs)
    lifted = load(src, UTILS, ["create_learning_rate_scheduler"], stubs=stubs)
    lifted["jnp"] = _Float64As32()
    fn_src = ast.get_source_segment(
        src,
        next(n for n in ast.parse(src).body if getattr(n, "name", "") == "create_learning_rate_scheduler"),
    )
    assert fn_src is not None and fn_src.count("float32") == 1  # the final cast, and nothing else

    cases, failed = [], []
    for i, kwargs in enumerate(HAND + random_configs(90)):
        scale = max(
            kwargs.get("warmup_steps", 1000),
            kwargs.get("steps_per_cycle", 0) * 2 if "cosine" in kwargs.get("factors", "") else 0,
            50,
        )
        scale += max(kwargs.get("step_offset", 0), 0)
        dense = min(max(int(scale * 1.25) + 10, 64), 1510 if i < len(HAND) else 420)
        near = {
            kwargs.get("warmup_steps", 1000),
            kwargs.get("step_offset", 0),
            kwargs.get("warmup_steps", 1000) + kwargs.get("step_offset", 0),
        }
        if kwargs.get("decay_factor"):
            near.add(int(kwargs.get("warmup_steps", 1000) + 1 / kwargs["decay_factor"]))
        steps = steps_for(dense, [k + j for k in near for j in range(-2, 3) if k + j >= 0] + list(FAR))
        try:
            values = _curve(lifted["create_learning_rate_scheduler"], kwargs, steps, True)
        except Exception as err:  # the original refuses (or fails on) the configuration
            failed.append({"kwargs": kwargs, "error": f"{type(err).__name__}: {err}"})
            continue
        cast = _curve(as_is["create_learning_rate_scheduler"], kwargs, steps, True)
        # float32(values) is what the original returns (XLA flushes float32 subnormals to 0)
        ok = (np.float32(values) == np.float32(cast)) | (
            np.abs(np.float32(values)) < np.finfo(np.float32).tiny
        )
        assert np.all(ok & (np.abs(np.float32(cast)) <= np.abs(np.float32(values)))), kwargs
        values32 = _curve(as_is["create_learning_rate_scheduler"], kwargs, steps, False)
        cases.append(
            {
                "kwargs": kwargs,
                "dense": dense,
                "extra": steps[dense:],
                "values": values,
                "float32": float32_error(values32, values, steps),
            }
        )
    header = {
        "library": "t5x",
        "repo": REPO,
        "commit": commit,
        "source": {UTILS: sha256(src)},
        "function": "create_learning_rate_scheduler(factors, base_learning_rate, warmup_steps, decay_factor, "
        "steps_per_decay, steps_per_cycle, step_offset, min_learning_rate)",
        "x64": True,
        **versions(),
        "note": "values: the original under jax_enable_x64 at int64 steps 0..dense-1, then extra, with its "
        "final float32 cast lifted (float32(values) is what it returns, checked)",
        "failed_in_original": failed,
    }
    print(f"wrote {write('t5x', header, cases)} ({len(cases)} cases, {len(failed)} failed in the original)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
