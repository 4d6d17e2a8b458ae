"""Record golden curves from MaxText's own ``create_learning_rate_schedule`` (not installable here).

Usage (from the repository root, with any git checkout or mirror of AI-Hypercomputer/maxtext)::

    python -m tests.golden.record_maxtext /path/to/maxtext e591f30cbbf217ed67ef71263ec0538239f9c3b8

Only ``create_learning_rate_schedule`` (``src/maxtext/utils/maxtext_utils.py``) and the two enums it compares
with (``LearningRateScheduleType``, ``WsdDecayStyle`` from ``src/maxtext/configs/types.py``) are executed,
with the real jax and optax; the config is a plain namespace holding the keys it reads (MaxText's pydantic
model is not run: the configurations are valid ones, with ``steps`` and ``learning_rate_schedule_steps``
already resolved). Each configuration is evaluated at steps ``0..dense-1`` and at far steps, under
``jax_enable_x64`` at int64 steps (the values), and once more as in training, float32 at int32 counts
(summarised as ``float32``). Writes
``tests/golden/maxtext.json``; the test is ``tests/test_compat_maxtext.py``.
"""

from __future__ import annotations

import random
import sys
import types as pytypes
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

REPO = "https://github.com/AI-Hypercomputer/maxtext"
UTILS = "src/maxtext/utils/maxtext_utils.py"
TYPES = "src/maxtext/configs/types.py"

HAND: list[dict[str, Any]] = [
    # the port's examples
    {
        "learning_rate": 3e-4,
        "steps": 1000,
        "learning_rate_schedule_steps": 1000,
        "warmup_steps_fraction": 0.05,
        "learning_rate_final_fraction": 0.1,
    },
    {
        "learning_rate": 1e-3,
        "steps": 1200,
        "learning_rate_schedule_steps": 1000,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.1,
        "wsd_decay_steps_fraction": 0.2,
        "wsd_decay_style": "cosine",
        "learning_rate_final_fraction": 0.0,
    },
    {
        "learning_rate": 2e-4,
        "steps": 400,
        "learning_rate_schedule_steps": 600,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.29,
        "wsd_decay_steps_fraction": 0.5,
    },
    # the docstring example
    {
        "learning_rate": 1.0,
        "steps": 12,
        "learning_rate_schedule_steps": 10,
        "warmup_steps_fraction": 0.2,
        "learning_rate_final_fraction": 0.0,
        "lr_schedule_type": "wsd",
        "wsd_decay_steps_fraction": 0.3,
    },
    # MaxText's defaults with a short run
    {"learning_rate": 3e-5, "steps": 300, "learning_rate_schedule_steps": 300},
    # truncation: 100 * 0.29 = 28.999999999999996 -> 28 warmup steps
    {"learning_rate": 1.0, "steps": 100, "learning_rate_schedule_steps": 100, "warmup_steps_fraction": 0.29},
    # one-step schedule, one-step cosine, two-step cosine
    {"learning_rate": 1.0, "steps": 1, "learning_rate_schedule_steps": 1, "warmup_steps_fraction": 0.0},
    {"learning_rate": 1.0, "steps": 5, "learning_rate_schedule_steps": 5, "warmup_steps_fraction": 0.8},
    {"learning_rate": 1.0, "steps": 5, "learning_rate_schedule_steps": 5, "warmup_steps_fraction": 0.6},
    # warmup only (fraction 1), with and without the zero tail
    {"learning_rate": 0.5, "steps": 20, "learning_rate_schedule_steps": 20, "warmup_steps_fraction": 1.0},
    {"learning_rate": 0.5, "steps": 30, "learning_rate_schedule_steps": 20, "warmup_steps_fraction": 1.0},
    # no warmup; cosine wave past the end (steps <= L); a shorter run (steps < L)
    {
        "learning_rate": 2.0,
        "steps": 50,
        "learning_rate_schedule_steps": 50,
        "warmup_steps_fraction": 0.0,
        "learning_rate_final_fraction": 0.25,
    },
    {
        "learning_rate": 2.0,
        "steps": 30,
        "learning_rate_schedule_steps": 50,
        "warmup_steps_fraction": 0.1,
        "learning_rate_final_fraction": 0.0,
    },
    # final fraction above 1 (a rise), and 0
    {
        "learning_rate": 1.0,
        "steps": 60,
        "learning_rate_schedule_steps": 40,
        "learning_rate_final_fraction": 1.5,
    },
    # WSD: one-step linear decay (a constant), one-step cosine decay, no decay, no stable phase, decay only
    {
        "learning_rate": 1.0,
        "steps": 20,
        "learning_rate_schedule_steps": 20,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.1,
        "wsd_decay_steps_fraction": 0.05,
    },
    {
        "learning_rate": 1.0,
        "steps": 25,
        "learning_rate_schedule_steps": 20,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.1,
        "wsd_decay_steps_fraction": 0.05,
        "wsd_decay_style": "cosine",
    },
    {
        "learning_rate": 1.0,
        "steps": 40,
        "learning_rate_schedule_steps": 30,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.2,
        "wsd_decay_steps_fraction": 0.0,
    },
    {
        "learning_rate": 1.0,
        "steps": 30,
        "learning_rate_schedule_steps": 30,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.4,
        "wsd_decay_steps_fraction": 0.6,
        "wsd_decay_style": "cosine",
    },
    {
        "learning_rate": 1.0,
        "steps": 36,
        "learning_rate_schedule_steps": 30,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.0,
        "wsd_decay_steps_fraction": 1.0,
    },
    {
        "learning_rate": 1.0,
        "steps": 16,
        "learning_rate_schedule_steps": 16,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.0,
        "wsd_decay_steps_fraction": 1.0,
        "wsd_decay_style": "cosine",
        "learning_rate_final_fraction": 0.3,
    },
    # long schedules (far steps inside the decay and past it)
    {
        "learning_rate": 3e-4,
        "steps": 1_000_000,
        "learning_rate_schedule_steps": 1_000_000,
        "warmup_steps_fraction": 0.002,
    },
    {
        "learning_rate": 3e-4,
        "steps": 2_000_000_000,
        "learning_rate_schedule_steps": 1_500_000_000,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.001,
        "wsd_decay_steps_fraction": 0.2,
        "wsd_decay_style": "cosine",
        "learning_rate_final_fraction": 0.01,
    },
    {
        "learning_rate": 3e-4,
        "steps": 100_000,
        "learning_rate_schedule_steps": 100_000,
        "lr_schedule_type": "wsd",
        "warmup_steps_fraction": 0.01,
        "wsd_decay_steps_fraction": 0.1,
    },
    # MLPerf GPT-3 style: warmup_steps_fraction = warmup_steps / decay_end_step
    {
        "learning_rate": 2e-5,
        "steps": 2000,
        "learning_rate_schedule_steps": 1791,
        "warmup_steps_fraction": 265 / 1791,
    },
]


def random_configs(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    fracs = [0.0, 0.01, 0.05, 0.07, 0.1, 0.13, 0.2, 0.29, 0.3, 0.33, 0.5, 0.57, 1.0]
    for _ in range(n):
        total = rng.choice([rng.randint(1, 12), rng.randint(1, 120), rng.randint(100, 400)])
        steps = rng.choice([total, total, max(1, total - rng.randint(0, total)), total + rng.randint(1, 60)])
        kind = rng.choice(["cosine", "wsd"])
        fw = rng.choice([rng.choice(fracs), round(rng.random(), rng.randint(1, 4))])
        cfg: dict[str, Any] = {
            "learning_rate": rng.choice([1.0, 3e-4, 10 ** rng.uniform(-6, 0)]),
            "steps": steps,
            "learning_rate_schedule_steps": total,
            "lr_schedule_type": kind,
            "warmup_steps_fraction": fw,
            "learning_rate_final_fraction": rng.choice([0.0, 0.1, rng.random(), rng.uniform(0, 2)]),
        }
        if kind == "wsd":
            fd = rng.choice([rng.choice(fracs), round(rng.random(), rng.randint(1, 4))])
            if fw + fd > 1.0:
                fd = round(rng.uniform(0, 1 - fw), 3)
                if fw + fd > 1.0:
                    fd = 0.0
            cfg["wsd_decay_steps_fraction"] = fd
            cfg["wsd_decay_style"] = rng.choice(["linear", "cosine"])
        out.append(cfg)
    return out


def main(repo: str, commit: str) -> None:
    utils_src, types_src = git_source(repo, commit, UTILS), git_source(repo, commit, TYPES)
    enums = load(types_src, TYPES, ["LearningRateScheduleType", "WsdDecayStyle"])
    mt_types = pytypes.SimpleNamespace(
        LearningRateScheduleType=enums["LearningRateScheduleType"], WsdDecayStyle=enums["WsdDecayStyle"]
    )
    ns = load(utils_src, UTILS, ["create_learning_rate_schedule"], stubs={"types": mt_types})
    create = ns["create_learning_rate_schedule"]

    cases = []
    for i, cfg in enumerate(HAND + random_configs(90)):
        full = {
            "lr_schedule_type": "cosine",
            "learning_rate_final_fraction": 0.1,
            "wsd_decay_steps_fraction": 0.1,
            "wsd_decay_style": "linear",
            "warmup_steps_fraction": 0.1,
            **cfg,
        }
        conf = pytypes.SimpleNamespace(**full)
        conf.lr_schedule_type = enums["LearningRateScheduleType"](full["lr_schedule_type"])
        conf.wsd_decay_style = enums["WsdDecayStyle"](full["wsd_decay_style"])
        total = full["learning_rate_schedule_steps"]
        w = int(total * full["warmup_steps_fraction"])
        d = int(total * full["wsd_decay_steps_fraction"])
        near = {total, w, total - d, full["steps"], 2 * total, 3 * total}
        # Hand-picked cases (the port's examples among them) cover what `jaxsched parity` checks.
        dense = min(max(int(total * 1.25) + 10, 64), 1510 if i < len(HAND) else 420)
        steps = steps_for(dense, [k + j for k in near for j in range(-2, 3)] + list(FAR))
        sched = create(conf)
        values = evaluate(sched, steps, x64=True)
        values32 = evaluate(create(conf), steps, x64=False)
        cases.append(
            {
                "kwargs": cfg,
                "dense": dense,
                "extra": steps[dense:],
                "values": values,
                "float32": float32_error(values32, values, steps, full["steps"]),
            }
        )
    header = {
        "library": "maxtext",
        "repo": REPO,
        "commit": commit,
        "source": {UTILS: sha256(utils_src), TYPES: sha256(types_src)},
        "function": "create_learning_rate_schedule(config)",
        "x64": True,
        **versions(),
        "note": "values: the original under jax_enable_x64 at int64 steps 0..dense-1, then extra",
    }
    print(f"wrote {write('maxtext', header, cases)} ({len(cases)} cases)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
