"""Record golden curves from OLMo-core's own scheduler code (``ai2-olmo-core`` pulls in boto3, Google Cloud
storage, pandas and more: not installed here).

Usage (from the repository root, with a git checkout of https://github.com/allenai/OLMo-core):

    .venv/bin/python tests/golden/record_olmo.py /path/to/OLMo-core [COMMIT]

Only ``src/olmo_core/optim/scheduler.py`` is read from the checkout (into a temporary directory), with
stand-ins for what it imports from OLMo-core (``Config``, ``Registrable``, ``StrEnum``,
``OLMoConfigurationError``, the LR field names); no other OLMo-core code runs and nothing of it is
committed. For each configuration the scheduler's ``get_lr(initial_lr, current, t_max)`` is called the way
OLMo-core's trainer calls it before update ``k``: ``current = k + 1`` (``global_step``, incremented before
the batch) in steps, or ``(k + 1) * tokens_per_step`` (tokens seen, the current batch included) in tokens,
with ``t_max`` the trainer's ``max_steps`` / ``max_tokens``, for every update up to the horizon. A
configuration OLMo-core refuses (at construction or at some update) records the exception's type. The
output is ``tests/golden/olmo.json``, with the commit and OLMo-core's version.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import random
import subprocess
import sys
import tempfile
import types
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

STUBS = {
    "olmo_core/__init__.py": "",
    "olmo_core/exceptions.py": "class OLMoError(Exception):\n    pass\n\n\n"
    "class OLMoConfigurationError(OLMoError):\n    pass\n",
    "olmo_core/config.py": (
        "from enum import Enum\n\n\nclass StrEnum(str, Enum):\n    def __str__(self):\n"
        "        return self.value\n\n\nclass Config:\n    pass\n\n\nclass Registrable:\n"
        "    @classmethod\n    def register(cls, name):\n        return lambda c: c\n"
    ),
    "olmo_core/optim/__init__.py": "",
    "olmo_core/optim/config.py": 'LR_FIELD = "lr"\nINITIAL_LR_FIELD = "initial_lr"\n',
}


def load(repo: str, commit: str) -> tuple[types.ModuleType, str]:
    tmp = Path(tempfile.mkdtemp(prefix="jaxsched-olmo-"))
    for path, text in STUBS.items():
        (tmp / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / path).write_text(text, encoding="utf-8")
    src = subprocess.run(
        ["git", "-C", repo, "show", f"{commit}:src/olmo_core/optim/scheduler.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (tmp / "olmo_core/optim/scheduler.py").write_text(src, encoding="utf-8")
    version_src = subprocess.run(
        ["git", "-C", repo, "show", f"{commit}:src/olmo_core/version.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ns: dict[str, Any] = {}
    exec(compile(version_src.split("if __name__")[0], "version.py", "exec"), ns)
    sys.path.insert(0, str(tmp))
    return importlib.import_module("olmo_core.optim.scheduler"), ns["VERSION"]


def build(sch: types.ModuleType, cls: str, args: dict[str, Any]) -> Any:
    args = dict(args)
    if cls == "ComposableScheduler":
        args["stages"] = [sch.ComposableSchedulerStage(**st) for st in args["stages"]]
    if cls in ("ComposableScheduler", "SequentialScheduler") and args.get("override_decay"):
        args["override_decay"] = sch.OverrideDecay(**args["override_decay"])
    if cls == "SequentialScheduler":
        args["schedulers"] = [build(sch, c, a) for c, a in args["schedulers"]]
    if "units" in args:
        args["units"] = sch.SchedulerUnits(args["units"])
    return getattr(sch, cls)(**args)


def record(sch: types.ModuleType, cls: str, args: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = {"class": cls, "args": args, "context": ctx}
    u = ctx.get("tokens_per_step", 1) if args.get("units") == "tokens" else 1
    t_max = ctx["max_tokens"] if args.get("units") == "tokens" else ctx["max_steps"]
    n = t_max // u
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler = build(sch, cls, args)
            values = [float(scheduler.get_lr(ctx["initial_lr"], (k + 1) * u, t_max)) for k in range(n)]
    except Exception as err:  # recorded: the port must refuse the same configuration
        case["error"] = type(err).__name__
        case["message"] = str(err)[:200]
        return case
    case["values"] = values
    return case


def configs(rng: random.Random) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def ctx() -> tuple[dict[str, Any], dict[str, Any], int, int]:
        lr = rng.choice([1e-3, 4e-4, rng.uniform(1e-4, 1e-2)])
        if rng.random() < 0.3:
            u = rng.choice([256, 4096])
            T = rng.randint(20, 260)
            return {"initial_lr": lr, "max_tokens": T * u, "tokens_per_step": u}, {"units": "tokens"}, T, u
        T = rng.randint(10, 260)
        return {"initial_lr": lr, "max_steps": T}, {}, T, 1

    def warm(T: int, u: int) -> dict[str, Any]:
        if rng.random() < 0.35:
            return {
                "warmup_fraction": rng.choice([0.0, 0.05, 0.1, rng.uniform(0, 0.5)])
                if u == 1
                else rng.choice([0.0, 0.1, 0.25, 0.5])
            }
        return {"warmup": rng.choice([0, 1, 2, rng.randint(0, T // 2)]) * u}

    def decay(T: int, u: int) -> dict[str, Any]:
        if rng.random() < 0.4:
            return {
                "decay_fraction": rng.choice([0.1, 0.2, rng.uniform(0.01, 0.5)])
                if u == 1
                else rng.choice([0.1, 0.2, 0.5])
            }
        return {"decay": rng.randint(1, T // 2 + 1) * u, "decay_fraction": None}

    for _ in range(12):
        c, un, T, u = ctx()
        lr = c["initial_lr"]
        wmin = rng.choice([0.0, lr * rng.uniform(0, 0.5)])
        dmin = rng.choice([0.0, lr * rng.uniform(0, 0.5)])
        af = rng.choice([0.0, 0.1, rng.uniform(0, 1)])
        out += [
            ("ConstantScheduler", {**un}, c),
            ("ConstantWithWarmup", {**un, **warm(T, u), "warmup_min_lr": wmin}, c),
            ("WSD", {**un, **warm(T, u), **decay(T, u), "warmup_min_lr": wmin, "decay_min_lr": dmin}, c),
            (
                "PowerLR",
                {
                    **un,
                    "warmup": rng.randint(1, T // 3 + 1) * u,
                    **decay(T, u),
                    "b": rng.choice([-0.51, -1.0, rng.uniform(-2, -0.05)]),
                    "warmup_min_lr": wmin,
                    "decay_min_lr": dmin * 0.01,
                },
                c,
            ),
            (
                "LinearWithWarmup",
                {
                    **un,
                    **warm(T, u),
                    "alpha_f": af,
                    "warmup_min_lr": wmin,
                    "t_max": rng.choice([None, None, T * u, (T + rng.randint(1, 50)) * u]),
                },
                c,
            ),
            ("InvSqrtWithWarmup", {**un, **warm(T, u), "alpha_f": af, "warmup_min_lr": wmin}, c),
            (
                "CosWithWarmup",
                {
                    **un,
                    **warm(T, u),
                    "alpha_f": af,
                    "warmup_min_lr": wmin,
                    "t_max": rng.choice([None, None, (T + rng.randint(1, 50)) * u]),
                },
                c,
            ),
            (
                "HalfCosWithWarmup",
                {
                    **un,
                    **warm(T, u),
                    "alpha_f": af,
                    "warmup_min_lr": wmin,
                    "t_max": rng.choice([None, None, (T + rng.randint(1, 50)) * u]),
                },
                c,
            ),
            (
                "CosWithWarmupAndLinearDecay",
                {
                    **un,
                    **warm(T, u),
                    "alpha_f": af,
                    "warmup_min_lr": wmin,
                    **decay(T, u),
                    "decay_min_lr": dmin * 0.01,
                },
                c,
            ),
            ("ExponentialScheduler", {**un, "lr_min": rng.choice([1e-9, lr * 0.01, lr * 2])}, c),
            (
                "WSDS",
                {
                    **un,
                    "period_lengths": [rng.randint(5, 80) * u for _ in range(rng.randint(1, 4))],
                    "period_lr_multipliers": rng.choice([None, "m"]),
                    "warmup": rng.randint(0, 4) * u,
                    "decay": rng.randint(0, 4) * u,
                    "warmup_min_lr": wmin,
                    "decay_min_lr": dmin * 0.01,
                },
                c,
            ),
        ]
        if out[-1][1]["period_lr_multipliers"] == "m":
            lengths = out[-1][1]["period_lengths"]
            out[-1][1]["period_lr_multipliers"] = [rng.uniform(0.2, 1.5) for _ in lengths]
        stages = []
        for _ in range(rng.randint(1, 4)):
            st: dict[str, Any] = {
                "duration": rng.randint(1, 80) * u,
                "shape": rng.choice(["linear", "cosine"]),
            }
            if rng.random() < 0.5:
                st["end_lr"] = lr * rng.uniform(0, 1.2)
            else:
                st["end_lr_fraction"] = rng.uniform(0, 1.2)
            r = rng.random()
            if r < 0.25:
                st["start_lr"] = lr * rng.uniform(0, 1)
            elif r < 0.5:
                st["start_lr_fraction"] = rng.uniform(0, 1)
            stages.append(st)
        od = None
        if rng.random() < 0.5:
            od = {
                "start": rng.randint(0, T) * u,
                "duration": rng.randint(1, 60) * u,
                "shape": rng.choice(["linear", "cosine"]),
                **({"end_lr": lr * 0.05} if rng.random() < 0.5 else {"end_lr_fraction": 0.1}),
            }
        out.append(("ComposableScheduler", {**un, "stages": stages, "override_decay": od}, c))
        k = rng.randint(2, 3)
        subs = [
            rng.choice(
                [
                    ("ConstantWithWarmup", {**un, "warmup": rng.randint(1, 10) * u}),
                    ("LinearWithWarmup", {**un, "warmup": 0, "alpha_f": 0.5}),
                    ("CosWithWarmup", {**un, "warmup": rng.randint(0, 5) * u, "alpha_f": 0.2}),
                    ("ConstantScheduler", {**un}),
                ]
            )
            for _ in range(k)
        ]
        maxes = [rng.randint(1, max(2, T // k)) * u for _ in range(k - 1)]
        od2 = None
        if rng.random() < 0.4:
            od2 = {
                "start": rng.randint(0, T) * u,
                "duration": rng.randint(1, 40) * u,
                "shape": "cosine",
                "end_lr_fraction": 0.05,
            }
        out.append(
            (
                "SequentialScheduler",
                {**un, "schedulers": subs, "schedulers_max": maxes, "override_decay": od2},
                c,
            )
        )
    # Hand-picked edges.
    c = {"initial_lr": 1e-3, "max_steps": 100}
    out += [
        ("ConstantWithWarmup", {"warmup": 100}, c),
        ("ConstantWithWarmup", {"warmup": 10, "warmup_fraction": 0.1}, c),
        ("ConstantWithWarmup", {"warmup_fraction": 1.5}, c),
        ("ConstantWithWarmup", {"warmup": 10, "warmup_min_lr": 2e-3}, c),
        ("ConstantWithWarmup", {"warmup_steps": 10}, c),
        ("WSD", {"warmup": 0, "decay": 0, "decay_fraction": None}, c),
        ("WSD", {"warmup": 30, "decay": 90, "decay_fraction": None}, c),
        ("WSD", {"warmup": 30, "decay": 100, "decay_fraction": None, "decay_min_lr": 1e-4}, c),
        ("WSD", {"warmup": 10, "decay": 10}, c),
        ("PowerLR", {"warmup": 0}, c),
        ("PowerLR", {"warmup": 10, "b": 0.5}, c),
        ("PowerLR", {"warmup": 50, "decay": 60, "decay_fraction": None}, c),
        ("LinearWithWarmup", {"warmup": 120, "t_max": 100}, c),
        ("LinearWithWarmup", {"warmup": 0, "alpha_f": 0.0}, c),
        ("InvSqrtWithWarmup", {"warmup": 0}, c),
        ("CosWithWarmup", {"warmup": 0, "alpha_f": 0.0}, c),
        ("CosWithWarmup", {"warmup": 100, "alpha_f": 0.0}, c),
        ("HalfCosWithWarmup", {"warmup": 20, "alpha_f": 0.0}, c),
        ("CosWithWarmupAndLinearDecay", {"warmup": 10, "decay": 95, "decay_fraction": None}, c),
        ("ExponentialScheduler", {"lr_min": 0.0}, c),
        ("WSDS", {"period_lengths": [], "warmup": 1, "decay": 1}, c),
        ("WSDS", {"period_lengths": [10, 20], "warmup": 11, "decay": 0}, c),
        ("WSDS", {"period_lengths": [40, 30, 30], "warmup": 5, "decay_fraction": 0.25}, c),
        ("WSDS", {"period_lengths": [40, 30, 30], "warmup_fraction": 0.25, "decay": 5}, c),
        ("ComposableScheduler", {"stages": []}, c),
        ("ComposableScheduler", {"stages": [{"duration": 0, "end_lr": 1e-3}]}, c),
        (
            "SequentialScheduler",
            {
                "schedulers": [("ConstantScheduler", {}), ("ConstantScheduler", {})],
                "schedulers_max": [50, 50],
            },
            c,
        ),
        (
            "SequentialScheduler",
            {
                "schedulers": [
                    ("CosWithWarmup", {"warmup": 5, "alpha_f": 0.1}),
                    ("LinearWithWarmup", {"warmup": 0, "alpha_f": 0.0}),
                ],
                "schedulers_max": [40],
            },
            c,
        ),
    ]
    return out + examples()


def examples() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """The ports' own examples (what ``jaxsched parity`` compares), split into the scheduler's fields and
    the trainer's context."""
    sys.path.insert(0, str(HERE.parents[1]))
    from jaxsched.compat import olmo as ports

    context = ("initial_lr", "max_steps", "max_tokens", "tokens_per_step")
    out = []
    for name in ports.__all__:
        for ex in getattr(getattr(ports, name), "examples", ()):
            args = {("units" if k == "scheduler_units" else k): x for k, x in ex.items() if k not in context}
            if name == "SequentialScheduler":
                args["schedulers"] = [
                    (ports._TYPES[d["type"]], {k: x for k, x in d.items() if k != "type"})
                    for d in args["schedulers"]
                ]
            out.append((name, args, {k: x for k, x in ex.items() if k in context}))
    return out


def main() -> None:
    repo = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    sha = subprocess.run(
        ["git", "-C", repo, "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    sch, version = load(repo, sha)
    cases = [record(sch, *c) for c in configs(random.Random(20260102))]
    doc = {
        "library": "olmo-core",
        "source": "https://github.com/allenai/OLMo-core",
        "commit": sha,
        "version": version,
        "recorded_by": "tests/golden/record_olmo.py",
    }
    head = json.dumps(doc)[:-1]
    body = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    (HERE / "olmo.json").write_text(f'{head}, "cases": [\n{body}\n]}}\n', encoding="utf-8")
    ok = sum("values" in c for c in cases)
    print(f"OLMo-core {version} ({sha[:10]}): {ok} curves, {len(cases) - ok} refused configurations")


_ = (dataclasses, enum)  # the stubs above are written as source text

if __name__ == "__main__":
    main()
