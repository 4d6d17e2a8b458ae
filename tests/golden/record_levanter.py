"""Record golden curves from levanter's own ``OptimizerConfig.lr_scheduler`` (not installable here).

Two sources, both ``src/levanter/optim/config.py`` (``lib/levanter/src/levanter/optim/config.py`` in marin):

- marin-community/marin at MARIN_COMMIT (the current levanter, with ``polynomial``, ``inv_sqrt_decay`` and
  the clamped phase lengths): every configuration. marin is larger than the snapshot limit of the tools
  used here, so the file's text was read from a code store at that commit; only its first
  ``MARIN_CHARS`` characters (everything through ``_convert_frac_or_steps``) are needed and were saved to
  a file, whose SHA-256 is recorded;
- stanford-crfm/levanter at LEVANTER_COMMIT (the standalone repository, before the move): the ordinary
  configurations (shapes it has, every cycle's warmup and decay inside the cycle, a decay of at least
  one step), where the two versions build the same pieces.

Usage (from the repository root)::

    python -m tests.golden.record_levanter MARIN_FILE /path/to/levanter-git-checkout

Only the schedule classes, ``OptimizerConfig`` and its three helper functions are executed (with the real
jax/optax/numpy; ``draccus`` is a stub whose ``register_subclass`` is the identity; no other levanter or
haliax code runs). Each configuration is built as levanter builds it (``lr_schedule`` as a name where
levanter has a string path for it, else as its ``LrSchedule`` object) and evaluated at steps
``0..dense-1`` and far steps under ``jax_enable_x64`` at int64 steps (the values), and as in training
(float32, int32 counts; summarised as ``float32``). Writes ``tests/golden/levanter.json``.
"""

from __future__ import annotations

import dataclasses
import random
import re
import sys
import types
import warnings
from pathlib import Path
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

MARIN_REPO, MARIN_COMMIT = (
    "https://github.com/marin-community/marin",
    "0f45aa1c69143dc8414f521dc24b8d6330f8468a",
)
MARIN_PATH = "lib/levanter/src/levanter/optim/config.py"
MARIN_CHARS = 17884
LEVANTER_REPO, LEVANTER_COMMIT = (
    "https://github.com/stanford-crfm/levanter",
    "9263f81e8b453241332c2c0b2d2001bfb2d2241c",
)
LEVANTER_PATH = "src/levanter/optim/config.py"

SHAPE_CLASSES = {
    "constant": "ConstantLrSchedule",
    "cosine": "CosineLrSchedule",
    "linear": "LinearLrSchedule",
    "inv_sqrt": "InvSqrtLrSchedule",
    "inv": "InvLrSchedule",
    "polynomial": "PolynomialLrSchedule",
    "inv_sqrt_decay": "InvSqrtDecayLrSchedule",
    "power": "PowerLrSchedule",
}
SHAPE_PARAMS = ("exponent", "timescale", "power", "decay_constant", "batch_size", "seq_length", "a", "b")
STRING_FORM = ("constant", "cosine", "linear", "inv_sqrt", "inv")
OLD_SHAPES = ("constant", "cosine", "linear", "inv_sqrt", "inv", "power")

HAND: list[dict[str, Any]] = [
    # the port's examples and docstring examples
    {"num_train_steps": 1000, "learning_rate": 3e-4, "warmup": 0.1, "lr_schedule": "cosine"},
    {
        "num_train_steps": 1200,
        "learning_rate": 1e-3,
        "min_lr_ratio": 0.0,
        "warmup": 50,
        "decay": 0.2,
        "rewarmup": 0.05,
        "cycles": 3,
        "lr_schedule": "linear",
    },
    {
        "num_train_steps": 900,
        "learning_rate": 2e-3,
        "warmup": 0.05,
        "lr_schedule": "inv_sqrt",
        "timescale": 100.0,
        "cycle_length": [300, 300],
        "rewarmup": 20,
    },
    {
        "num_train_steps": 800,
        "learning_rate": 1e-2,
        "warmup": 40,
        "decay": 0.5,
        "lr_schedule": "power",
        "batch_size": 4,
        "seq_length": 16,
        "a": 0.05,
        "cycles": [300],
        "rewarmup": 0.1,
    },
    {
        "num_train_steps": 12,
        "learning_rate": 1.0,
        "min_lr_ratio": 0.0,
        "warmup": 2,
        "decay": 0.5,
        "lr_schedule": "linear",
        "cycles": 2,
        "rewarmup": 0.5,
    },
    {"num_train_steps": 1000, "learning_rate": 1e-3, "warmup": 0.1, "lr_schedule": "cosine", "exponent": 2.0},
    # levanter's defaults
    {"num_train_steps": 300},
    # warmup 1 (int) is the whole cycle; 1.0 likewise; 0 none
    {"num_train_steps": 40, "learning_rate": 1.0, "warmup": 1},
    {"num_train_steps": 40, "learning_rate": 1.0, "warmup": 1.0, "lr_schedule": "linear"},
    {"num_train_steps": 40, "learning_rate": 1.0, "warmup": 0, "lr_schedule": "linear", "min_lr_ratio": 0.0},
    # warmup / decay in steps beyond the cycle (clamped), decay 0 (a constant piece)
    {"num_train_steps": 50, "learning_rate": 1.0, "warmup": 80, "lr_schedule": "cosine"},
    {"num_train_steps": 50, "learning_rate": 1.0, "warmup": 10, "decay": 70, "lr_schedule": "linear"},
    {"num_train_steps": 50, "learning_rate": 1.0, "warmup": 10, "decay": 0, "lr_schedule": "linear"},
    # cycles: more than steps (zero-length cycles), a list from 0, lengths not dividing, fractions, lists
    {
        "num_train_steps": 5,
        "learning_rate": 1.0,
        "warmup": 0.5,
        "rewarmup": 0.5,
        "cycles": 8,
        "lr_schedule": "linear",
        "min_lr_ratio": 0.2,
    },
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "warmup": 5,
        "rewarmup": 0.25,
        "cycles": [0, 40],
        "lr_schedule": "cosine",
    },
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "rewarmup": 0.1,
        "cycle_length": 30,
        "decay": 0.5,
        "lr_schedule": "linear",
        "min_lr_ratio": 0.05,
    },
    {
        "num_train_steps": 120,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "rewarmup": 3,
        "cycle_length": 0.25,
        "lr_schedule": "cosine",
    },
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "warmup": 4,
        "rewarmup": 4,
        "cycle_length": [30, 20],
        "lr_schedule": "inv",
        "min_lr_ratio": 0.1,
    },
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "warmup": 4,
        "rewarmup": 0.2,
        "haps": [50, 80],
        "lr_schedule": "linear",
        "decay": 0.3,
    },
    # the deprecated cooldown
    {"num_train_steps": 100, "learning_rate": 1.0, "warmup": 0.1, "cooldown": 0.1, "lr_schedule": "cosine"},
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "cooldown": 20,
        "lr_schedule": "inv_sqrt",
        "timescale": 10.0,
        "cycles": 2,
        "rewarmup": 0.1,
    },
    # every shape, both forms
    {
        "num_train_steps": 200,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "lr_schedule": "constant",
        "cycles": 2,
        "rewarmup": 0.1,
    },
    {"num_train_steps": 200, "learning_rate": 1.0, "warmup": 0.1, "lr_schedule": "inv_sqrt", "decay": 0.5},
    {
        "num_train_steps": 200,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "lr_schedule": "inv_sqrt",
        "timescale": 30.0,
        "cycles": 3,
        "rewarmup": 0.2,
    },
    {
        "num_train_steps": 200,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "lr_schedule": "inv",
        "min_lr_ratio": 0.05,
        "cycles": 2,
        "rewarmup": 0.1,
    },
    {"num_train_steps": 200, "learning_rate": 1.0, "warmup": 0.1, "lr_schedule": "inv", "min_lr_ratio": 1.0},
    {"num_train_steps": 200, "learning_rate": 1.0, "warmup": 0.1, "lr_schedule": "polynomial", "power": 0.5},
    {
        "num_train_steps": 200,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "lr_schedule": "polynomial",
        "power": 3.0,
        "cycles": 2,
        "rewarmup": 0.1,
        "decay": 0.4,
    },
    {"num_train_steps": 200, "learning_rate": 1.0, "warmup": 0.1, "lr_schedule": "inv_sqrt_decay"},
    {
        "num_train_steps": 200,
        "learning_rate": 1.0,
        "warmup": 0.1,
        "lr_schedule": "inv_sqrt_decay",
        "decay_constant": 2.0,
        "min_lr_ratio": 0.3,
        "cycles": 2,
        "rewarmup": 0.2,
    },
    {
        "num_train_steps": 300,
        "learning_rate": 0.05,
        "warmup": 10,
        "lr_schedule": "power",
        "batch_size": 2,
        "seq_length": 8,
        "a": 0.2,
        "b": -0.7,
        "cycles": 2,
        "rewarmup": 0.1,
    },
    # min_lr_ratio 0, above 1 (a rise), above 1 with clamps (a constant floor)
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "min_lr_ratio": 1.5,
        "warmup": 0.1,
        "lr_schedule": "cosine",
    },
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "min_lr_ratio": 2.0,
        "warmup": 0.1,
        "lr_schedule": "inv_sqrt",
        "timescale": 5.0,
    },
    {
        "num_train_steps": 100,
        "learning_rate": 1.0,
        "min_lr_ratio": 2.0,
        "warmup": 0.1,
        "lr_schedule": "inv_sqrt_decay",
    },
    # long runs (far steps inside and past the decay); 1M tokens per step (int32 overflow in float32)
    {
        "num_train_steps": 1_000_000,
        "learning_rate": 3e-4,
        "warmup": 2000,
        "lr_schedule": "cosine",
        "min_lr_ratio": 0.0,
    },
    {
        "num_train_steps": 2_000_000_000,
        "learning_rate": 3e-4,
        "warmup": 0.001,
        "decay": 0.2,
        "lr_schedule": "linear",
        "cycles": 2,
        "rewarmup": 0.001,
    },
    {
        "num_train_steps": 100_000,
        "learning_rate": 1e-2,
        "warmup": 100,
        "lr_schedule": "power",
        "batch_size": 256,
        "seq_length": 4096,
    },
    {"num_train_steps": 100_000, "learning_rate": 1e-3, "warmup": 0.01, "lr_schedule": "inv_sqrt"},
]


def random_configs(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    fracs = [0.0, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0]
    for _ in range(n):
        total = rng.choice([rng.randint(1, 20), rng.randint(5, 150), rng.randint(100, 400)])
        shape = rng.choice(
            ["constant", "cosine", "linear", "inv_sqrt", "inv", "polynomial", "inv_sqrt_decay", "power"]
        )
        ratio = rng.choice([0.0, 0.1, rng.random(), 1.0])
        if shape == "inv":
            ratio = rng.choice([0.1, rng.uniform(0.01, 1.0), 1.0])
        cfg: dict[str, Any] = {
            "num_train_steps": total,
            "learning_rate": rng.choice([1.0, 10 ** rng.uniform(-5, 0)]),
            "min_lr_ratio": ratio,
            "lr_schedule": shape,
            "warmup": rng.choice([rng.choice(fracs), rng.randint(2, 30)]),
        }
        if rng.random() < 0.5:
            cfg["decay"] = rng.choice([rng.choice(fracs), rng.randint(2, 60)])
        main = total
        if rng.random() < 0.15:
            cool = rng.choice([0.1, 0.2, rng.randint(2, max(2, total // 3))])
            steps = int(cool * total) if cool <= 1 else int(cool)
            if steps < total:  # levanter needs a step before the cooldown
                cfg["cooldown"], main = cool, total - steps
        kind = rng.choice(["none", "none", "cycles", "list", "length", "lengths"])
        if kind == "cycles":
            cfg["cycles"] = rng.randint(1, 5)
        elif kind == "list":
            cfg["cycles"] = sorted(rng.sample(range(main + 1), min(main + 1, rng.randint(1, 3))))
        elif kind == "length":
            cfg["cycle_length"] = rng.choice([rng.choice([0.2, 0.3, 0.5, 1.0]), rng.randint(2, max(2, main))])
        elif kind == "lengths":
            left, lengths = main, []
            for _ in range(rng.randint(1, 3)):
                if left < 1:
                    break
                lengths.append(rng.randint(1, left))
                left -= lengths[-1]
            cfg["cycle_length"] = lengths
        if kind != "none":
            cfg["rewarmup"] = rng.choice([rng.choice(fracs), rng.randint(2, 20)])
        if shape == "cosine" and rng.random() < 0.4:
            cfg["exponent"] = rng.choice([0.5, 2.0, rng.uniform(0.2, 4)])
        elif shape == "inv_sqrt" and rng.random() < 0.6:
            cfg["timescale"] = rng.choice([1.0, 10.0, rng.uniform(1, 500)])
        elif shape == "polynomial":
            cfg["power"] = rng.choice([0.5, 1.0, 2.0, rng.uniform(0.1, 5)])
        elif shape == "inv_sqrt_decay" and rng.random() < 0.6:
            cfg["decay_constant"] = rng.choice([1.0, rng.uniform(0.1, 50)])
        elif shape == "power":
            cfg.update(
                batch_size=rng.choice([1, 2, 4, 8]),
                seq_length=rng.choice([1, 4, 16]),
                a=rng.choice([0.01, 0.05, 0.3]),
                b=rng.choice([-0.51, -1.0, -0.2]),
            )
        out.append(cfg)
    return out


def stubs() -> dict[str, Any]:
    class ChoiceRegistry:
        @classmethod
        def register_subclass(cls, name: str) -> Any:
            return lambda sub: sub

    return {"draccus": types.SimpleNamespace(ChoiceRegistry=ChoiceRegistry)}


def loader(source: str, filename: str) -> dict[str, Any]:
    names = [
        n
        for n in (
            "LrScheduleContext",
            "LrSchedule",
            *SHAPE_CLASSES.values(),
            "OptimizerConfig",
            "_inv_sqrt_decay_schedule",
            "_inv_decay_schedule",
            "_convert_frac_or_steps",
        )
        if re.search(rf"^(class|def) {n}\b", source, re.MULTILINE)
    ]
    ns = load(source, filename, names, stubs=stubs())

    @dataclasses.dataclass(frozen=True)
    class Config(ns["OptimizerConfig"]):  # type: ignore[misc,valid-type]
        def build(self, num_train_steps: int) -> Any:
            raise NotImplementedError

    ns["Config"] = Config
    return ns


def original_config(ns: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """The levanter config for a port configuration (``lr_schedule`` a name where levanter has a string path
    for it and no shape parameter is set, else its ``LrSchedule`` object)."""
    fields = {k: x for k, x in kwargs.items() if k not in SHAPE_PARAMS and k != "num_train_steps"}
    params = {k: x for k, x in kwargs.items() if k in SHAPE_PARAMS}
    shape = fields.pop("lr_schedule", "cosine")
    if shape in STRING_FORM and not params:
        fields["lr_schedule"] = shape
    else:
        fields["lr_schedule"] = ns[SHAPE_CLASSES[shape]](**params)
    return ns["Config"](**fields)


def ordinary(kwargs: dict[str, Any]) -> bool:
    """Whether the standalone levanter builds the same pieces: its shapes, and every cycle's warmup and
    decay inside the cycle with a decay of at least one step (its phase lengths are not clamped)."""
    if kwargs.get("lr_schedule", "cosine") not in OLD_SHAPES or kwargs.get("cooldown") is not None:
        return False
    if any(kwargs.get(k) is not None for k in ("cycles", "cycle_length", "haps")):
        return False  # one cycle only: the cycle points are the same code, checked on marin
    total = kwargs["num_train_steps"]

    def conv(x: float, n: int) -> int:
        return int(x * n) if x <= 1.0 else int(x)

    warm = conv(kwargs.get("warmup", 0.01), total)
    decay = conv(kwargs["decay"], total) if kwargs.get("decay") is not None else total - warm
    return warm <= total and 0 < decay <= total - warm


def curve(ns: dict[str, Any], kwargs: dict[str, Any], steps: list[int], x64: bool) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate(
            lambda k: original_config(ns, kwargs).lr_scheduler(kwargs["num_train_steps"])(k), steps, x64=x64
        )


def main(marin_file: str, levanter_repo: str) -> None:
    marin_src = Path(marin_file).read_text(encoding="utf-8")
    assert len(marin_src) == MARIN_CHARS, len(marin_src)
    old_src = git_source(levanter_repo, LEVANTER_COMMIT, LEVANTER_PATH)
    marin = loader(marin_src, MARIN_PATH)
    old = loader(old_src, LEVANTER_PATH)
    cases: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    configs = HAND + random_configs(90)
    for i, kwargs in enumerate(configs):
        total = kwargs["num_train_steps"]
        near = {total, 2 * total}
        for key in ("warmup", "decay", "rewarmup", "cooldown"):
            x = kwargs.get(key)
            if isinstance(x, int | float):
                near |= {int(x * total) if x <= 1 else int(x), total - (int(x * total) if x <= 1 else int(x))}
        dense = min(max(int(total * 1.25) + 10, 64), 1510 if i < len(HAND) else 420)
        steps = steps_for(dense, [k + j for k in near for j in range(-2, 3)] + list(FAR))
        try:
            values = curve(marin, kwargs, steps, x64=True)
        except Exception as err:  # the original refuses (or fails on) the configuration
            failed.append({"kwargs": kwargs, "error": f"{type(err).__name__}: {err}"})
            continue
        case = {
            "source": "marin",
            "kwargs": kwargs,
            "dense": dense,
            "extra": steps[dense:],
            "values": values,
            "float32": float32_error(
                curve(marin, kwargs, steps, x64=False), values, steps, kwargs["num_train_steps"]
            ),
        }
        cases.append(case)
        if ordinary(kwargs):
            values = curve(old, kwargs, steps, x64=True)
            cases.append(
                {
                    **case,
                    "source": "levanter",
                    "values": values,
                    "float32": float32_error(
                        curve(old, kwargs, steps, x64=False), values, steps, kwargs["num_train_steps"]
                    ),
                }
            )
    header = {
        "library": "levanter",
        "sources": {
            "marin": {
                "repo": MARIN_REPO,
                "commit": MARIN_COMMIT,
                "path": MARIN_PATH,
                "chars": MARIN_CHARS,
                "sha256": sha256(marin_src),
            },
            "levanter": {
                "repo": LEVANTER_REPO,
                "commit": LEVANTER_COMMIT,
                "path": LEVANTER_PATH,
                "sha256": sha256(old_src),
            },
        },
        "function": "OptimizerConfig.lr_scheduler(num_train_steps)",
        "x64": True,
        **versions(),
        "note": "values: the original under jax_enable_x64 at int64 steps 0..dense-1, then extra",
        "failed_in_original": failed,
    }
    print(
        f"wrote {write('levanter', header, cases)} ({len(cases)} cases, {len(failed)} failed in the original)"
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
