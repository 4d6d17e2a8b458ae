"""Record golden curves from MosaicML Composer's own scheduler code (composer cannot be installed here: it
pins torch < 2.7.1 and torchvision).

Usage (from the repository root, with a git checkout of https://github.com/mosaicml/composer):

    .venv/bin/python tests/golden/record_composer.py /path/to/composer [COMMIT]

Only four files are read from the checkout (``composer/optim/scheduler.py``, ``composer/core/time.py``,
``composer/core/serializable.py``, ``composer/utils/string_enum.py``) into a temporary directory, with a
stub ``composer.core`` exporting ``Time``/``TimeUnit``/``Timestamp`` and a placeholder ``State``; no other
Composer code runs and nothing of Composer is committed. For each configuration the scheduler is called
the way Composer's ``LambdaLR`` calls it, ``scheduler(state, ssr)``, with a state whose timestamp is at
batch ``k`` (``k`` times the samples and tokens per batch), for the recorded steps ``k``; the multiplier is
stored (the ports take ``lr=1``). Configurations: hand-picked edge cases plus seeded random ones, in every
time unit (``ba``, ``ep``, ``dur`` over batch/epoch/token durations, ``tok``, ``sp``), ``ssr`` 1 and
others, ``scale_warmup`` both ways. A configuration Composer refuses records the exception's type.
The output is ``tests/golden/composer.json``, with the commit and Composer's version.
"""

from __future__ import annotations

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
FILES = (
    "composer/optim/scheduler.py",
    "composer/core/time.py",
    "composer/core/serializable.py",
    "composer/utils/string_enum.py",
    "composer/_version.py",
)
N = 160
FAR = (1000, 4095, 10**5, 10**6 + 3, 2**31 - 1)


def load(repo: str, commit: str) -> types.ModuleType:
    tmp = Path(tempfile.mkdtemp(prefix="jaxsched-composer-"))
    for path in FILES:
        text = subprocess.run(
            ["git", "-C", repo, "show", f"{commit}:{path}"], check=True, capture_output=True, text=True
        ).stdout
        out = tmp / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    (tmp / "composer/__init__.py").write_text("", encoding="utf-8")
    (tmp / "composer/optim/__init__.py").write_text("", encoding="utf-8")
    (tmp / "composer/utils/__init__.py").write_text(
        "from composer.utils.string_enum import StringEnum\n", encoding="utf-8"
    )
    (tmp / "composer/core/__init__.py").write_text(
        "from composer.core.time import Time, TimeUnit, Timestamp\n\n\nclass State:\n    pass\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(tmp))
    return importlib.import_module("composer.optim.scheduler")


def state(sch: types.ModuleType, k: int, ctx: dict[str, Any]) -> Any:
    Time, Timestamp = sch.Time, importlib.import_module("composer.core.time").Timestamp
    dl = ctx.get("dataloader_len")
    tpb, spb = ctx.get("tokens_per_batch") or 0, ctx.get("samples_per_batch") or 0
    ts = Timestamp(epoch=k // dl if dl else 0, batch=k, sample=k * spb, token=k * tpb)
    s = types.SimpleNamespace()
    s.timestamp = ts
    s.max_duration = Time.from_timestring(ctx["max_duration"]) if ctx.get("max_duration") else None
    s.dataloader_len = Time(dl, "ba") if dl else None
    return s


def record(
    sch: types.ModuleType, cls: str, args: dict[str, Any], ctx: dict[str, Any], ssr: float
) -> dict[str, Any]:
    case: dict[str, Any] = {"class": cls, "args": args, "state": ctx, "ssr": ssr}
    # Composer walks the restart cycles one by one: far steps only where that stays quick.
    far = FAR[:3] if cls == "CosineAnnealingWarmRestartsScheduler" else FAR
    steps = sorted({*range(N), *far})
    try:
        scheduler = getattr(sch, cls)(**args)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = [float(scheduler(state(sch, k, ctx), ssr)) for k in steps]
    except Exception as err:  # recorded: the port must refuse the same configuration
        case["error"] = type(err).__name__
        case["message"] = str(err)[:200]
        return case
    case["steps"] = steps
    case["values"] = values
    return case


def configs(rng: random.Random) -> list[tuple[str, dict[str, Any], dict[str, Any], float]]:
    out: list[tuple[str, dict[str, Any], dict[str, Any], float]] = []

    def ctx_for(unit: str) -> dict[str, Any]:
        dl = rng.choice([7, 20, 50])
        tpb, spb = rng.choice([64, 1000]), rng.choice([8, 32])
        base = {"dataloader_len": dl, "tokens_per_batch": tpb, "samples_per_batch": spb}
        maxd = {
            "ba": f"{rng.choice([100, 200, 233])}ba",
            "ep": f"{rng.choice([3, 5, 10])}ep",
            "tok": f"{rng.choice([100, 200]) * tpb}tok",
            "sp": f"{rng.choice([150, 200]) * spb}sp",
        }
        return {**base, "max_duration": maxd[unit]}

    def t(unit: str, ctx: dict[str, Any], batches: int) -> str:
        """A time of about ``batches`` batches in ``unit``."""
        if unit == "ba":
            return f"{batches}ba"
        if unit == "ep":
            return f"{max(1, batches // ctx['dataloader_len'])}ep"
        if unit == "tok":
            return f"{batches * ctx['tokens_per_batch']}tok"
        if unit == "sp":
            return f"{batches * ctx['samples_per_batch']}sp"
        return f"{round(rng.uniform(0.05, 1.0), 3)}dur"

    units = ["ba", "ep", "tok", "sp", "dur"]
    ssrs = [1.0, 1.0, 0.5, 2.0, 0.3]
    for _ in range(14):
        unit, munit = rng.choice(units), rng.choice(["ba", "ep", "tok", "sp"])
        ctx = ctx_for(munit)
        ssr = rng.choice(ssrs)
        out += [
            (
                "StepScheduler",
                {"step_size": t(unit, ctx, rng.randint(1, 60)), "gamma": rng.uniform(0.05, 1)},
                ctx,
                ssr,
            ),
            (
                "MultiStepScheduler",
                {
                    "milestones": sorted(
                        {t(unit, ctx, rng.randint(0, 200)) for _ in range(rng.randint(1, 4))}
                    ),
                    "gamma": rng.uniform(0.0, 1.5),
                },
                ctx,
                ssr,
            ),
            (
                "ConstantScheduler",
                {"alpha": rng.uniform(0, 2), "t_max": t(unit, ctx, rng.randint(0, 200))},
                ctx,
                ssr,
            ),
            (
                "LinearScheduler",
                {
                    "alpha_i": rng.uniform(0, 2),
                    "alpha_f": rng.uniform(0, 2),
                    "t_max": t(unit, ctx, rng.randint(1, 200)),
                },
                ctx,
                ssr,
            ),
            (
                "ExponentialScheduler",
                {"gamma": rng.uniform(0.5, 1.0), "decay_period": t(unit, ctx, rng.randint(1, 40))},
                ctx,
                ssr,
            ),
            (
                "CosineAnnealingScheduler",
                {"t_max": t(unit, ctx, rng.randint(1, 200)), "alpha_f": rng.choice([0.0, rng.uniform(0, 1)])},
                ctx,
                ssr,
            ),
            (
                "CosineAnnealingWarmRestartsScheduler",
                {
                    "t_0": t(unit if unit in ("ba", "ep", "dur") else "ba", ctx, rng.randint(1, 40)),
                    "t_mult": rng.choice([1.0, 1.5, 2.0, rng.uniform(1.0, 3.0)]),
                    "alpha_f": rng.choice([0.0, rng.uniform(0, 1)]),
                },
                ctx,
                ssr,
            ),
            (
                "PolynomialScheduler",
                {
                    "power": rng.choice([0.5, 1.0, 2.0, rng.uniform(0.1, 4)]),
                    "t_max": t(unit, ctx, rng.randint(1, 200)),
                    "alpha_f": rng.uniform(0, 1),
                },
                ctx,
                ssr,
            ),
        ]
        # Warmup schedulers: t_warmup and t_max in one unit after conversion, t_max >= max_duration.
        wunit = rng.choice(["ba", "dur", munit])
        if wunit == "dur" or (munit == "ep" and wunit == "ep"):
            pass
        W = t(wunit, ctx, rng.randint(0, 40))
        tmax = "1dur" if rng.random() < 0.6 else ctx["max_duration"]
        if wunit == "ba" and munit != "ba":
            W = t("dur", ctx, 0)
        scale = rng.random() < 0.5
        out += [
            (
                "MultiStepWithWarmupScheduler",
                {
                    "t_warmup": W,
                    "milestones": sorted(
                        {
                            t(rng.choice(["ba", "dur"]), ctx, rng.randint(0, 200))
                            for _ in range(rng.randint(1, 3))
                        }
                    ),
                    "gamma": rng.uniform(0.05, 1.0),
                    "scale_warmup": scale,
                },
                ctx,
                ssr,
            ),
            (
                "ConstantWithWarmupScheduler",
                {"t_warmup": W, "alpha": rng.uniform(0.1, 2), "t_max": tmax, "scale_warmup": scale},
                ctx,
                ssr,
            ),
            (
                "LinearWithWarmupScheduler",
                {
                    "t_warmup": W,
                    "alpha_i": rng.uniform(0, 2),
                    "alpha_f": rng.uniform(0, 1),
                    "t_max": tmax,
                    "scale_warmup": scale,
                },
                ctx,
                ssr,
            ),
            (
                "CosineAnnealingWithWarmupScheduler",
                {"t_warmup": W, "t_max": tmax, "alpha_f": rng.uniform(0, 1), "scale_warmup": scale},
                ctx,
                ssr,
            ),
            (
                "PolynomialWithWarmupScheduler",
                {
                    "t_warmup": W,
                    "power": rng.choice([2.0, 0.5, rng.uniform(0.1, 4)]),
                    "t_max": tmax,
                    "alpha_f": rng.uniform(0, 1),
                    "scale_warmup": scale,
                },
                ctx,
                ssr,
            ),
        ]
    # Hand-picked edges.
    ba = {"max_duration": "100ba"}
    ep = {"max_duration": "4ep", "dataloader_len": 25}
    out += [
        ("StepScheduler", {"step_size": "0ba"}, ba, 1.0),
        ("StepScheduler", {"step_size": "1ba", "gamma": 0.5}, ba, 1.0),
        ("MultiStepScheduler", {"milestones": ["0ba", "10ba", "10ba"], "gamma": 0.5}, ba, 1.0),
        ("ConstantScheduler", {"alpha": 0.25, "t_max": "0ba"}, ba, 1.0),
        ("LinearScheduler", {"t_max": "0ba"}, ba, 1.0),
        ("LinearScheduler", {"alpha_i": 0.0, "alpha_f": 1.0, "t_max": "1dur"}, ep, 0.5),
        ("CosineAnnealingScheduler", {"t_max": "1dur"}, ep, 1.0),
        ("CosineAnnealingScheduler", {"t_max": "2ep"}, ep, 2.0),
        ("CosineAnnealingWarmRestartsScheduler", {"t_0": "3ba", "t_mult": 2.0}, ba, 1.0),
        ("CosineAnnealingWarmRestartsScheduler", {"t_0": "7ba", "t_mult": 1.1}, ba, 1.0),
        ("CosineAnnealingWarmRestartsScheduler", {"t_0": "0ba"}, ba, 1.0),
        ("PolynomialScheduler", {"power": 3.0, "t_max": "1ep", "alpha_f": 0.2}, ep, 1.0),
        ("MultiStepWithWarmupScheduler", {"t_warmup": "10ba", "milestones": ["5ba", "20ba"]}, ba, 1.0),
        (
            "MultiStepWithWarmupScheduler",
            {"t_warmup": "10ba", "milestones": ["20ba"], "scale_warmup": True},
            ba,
            0.5,
        ),
        ("LinearWithWarmupScheduler", {"t_warmup": "0ba"}, ba, 1.0),
        ("LinearWithWarmupScheduler", {"t_warmup": "20ba", "t_max": "10ba"}, {"max_duration": "10ba"}, 1.0),
        ("LinearWithWarmupScheduler", {"t_warmup": "10ba", "t_max": "50ba"}, ba, 1.0),
        ("LinearWithWarmupScheduler", {"t_warmup": "1ep", "t_max": "4ep"}, ep, 1.0),
        ("LinearWithWarmupScheduler", {"t_warmup": "10ba", "t_max": "1dur", "scale_warmup": True}, ba, 2.0),
        ("LinearWithWarmupScheduler", {"t_warmup": "10ba", "t_max": "1dur", "scale_warmup": True}, ba, 0.3),
        ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "0.1dur", "t_max": "1dur"}, ep, 1.0),
        ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "10ba", "t_max": "100ba"}, ep, 1.0),
        ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "4ep", "t_max": "4ep"}, ep, 1.0),
        (
            "PolynomialWithWarmupScheduler",
            {"t_warmup": "5ba", "t_max": "200ba", "power": 2.0},
            {"max_duration": "200ba"},
            0.5,
        ),
        ("ConstantWithWarmupScheduler", {"t_warmup": "3ba", "alpha": 0.5}, ba, 1.0),
    ]
    return out + examples()


def examples() -> list[tuple[str, dict[str, Any], dict[str, Any], float]]:
    """The ports' own examples (what ``jaxsched parity`` compares), split into the scheduler's arguments
    and the state."""
    sys.path.insert(0, str(HERE.parents[1]))
    from jaxsched.compat import composer as ports

    context = ("max_duration", "dataloader_len", "tokens_per_batch", "samples_per_batch")
    out = []
    for name in ports.__all__:
        cls = getattr(ports, name)
        for ex in getattr(cls, "examples", ()):
            args = {k: x for k, x in ex.items() if k not in (*context, "ssr", "lr")}
            ctx = {k: x for k, x in ex.items() if k in context}
            out.append((name, args, ctx, float(ex.get("ssr", 1.0))))
    return out


def main() -> None:
    repo = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    sha = subprocess.run(
        ["git", "-C", repo, "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    sch = load(repo, sha)
    version = importlib.import_module("composer._version").__version__
    cases = [record(sch, *c) for c in configs(random.Random(20260101))]
    doc = {
        "library": "composer",
        "source": "https://github.com/mosaicml/composer",
        "commit": sha,
        "version": version,
        "recorded_by": "tests/golden/record_composer.py",
        "cases": cases,
    }
    head = json.dumps({k: x for k, x in doc.items() if k != "cases"})[:-1]
    body = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    (HERE / "composer.json").write_text(f'{head}, "cases": [\n{body}\n]}}\n', encoding="utf-8")
    ok = sum("values" in c for c in cases)
    print(f"composer {version} ({sha[:10]}): {ok} curves, {len(cases) - ok} refused configurations")


if __name__ == "__main__":
    main()
