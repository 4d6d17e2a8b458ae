"""The ``jaxsched`` command line (also ``python -m jaxsched``).

Commands::

    jaxsched parity [CONFIG...]          every schedule and port through JAX f32/f64, NumPy,
                                         torch_bridge and the original library, on every step of
                                         the schedule; exit 1 on a mismatch
    jaxsched show CONFIG                 the values at the key steps, or at --every N / --steps a:b:c
    jaxsched plot CONFIG... -o FILE.png  curves on one figure
    jaxsched compare A B [C...]          several schedules on the same steps: the largest
                                         difference and where; exit 1 above --rtol/--atol
    jaxsched compare --paths CONFIG      one schedule: JAX next to torch_bridge
    jaxsched port RECIPE.py              a torch scheduler built by your Python file, as a config
    jaxsched list [PATTERN]              registered schedule names
    jaxsched catalog                     the catalog as Markdown (docs/catalog.md)

A CONFIG is a JSON or YAML file, an inline JSON/YAML mapping (``'{name: cosine_decay, ...}'``), a
registered name (``cosine_decay``) standing for its first built-in example, an example by index
(``compat.torch.OneCycleLR[1]``), or a Python recipe (``recipe.py`` or ``recipe.py:factory``, which
is imported and run, see ``port``). Bad input prints one line on stderr and exits with status 2; a
parity or compare mismatch exits with 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

EXIT_MISMATCH = 1
EXIT_USAGE = 2
_MESSAGE_LIMIT = 1000
"""The most characters of an error message printed (a message never floods the terminal)."""


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


CONFIG_HELP = """\
CONFIG is one of:
  a file             run.yaml or run.json (YAML 1.2 numbers: 3e-4 is a number)
  an inline mapping  '{name: cosine_decay, init_value: 0.1, decay_steps: 1000}' (YAML or JSON)
  a registered name  cosine_decay, compat.torch.OneCycleLR: its first built-in example
                     (`jaxsched list` shows the names)
  an example         'compat.torch.OneCycleLR[1]': built-in example 1 of that schedule
  a Python recipe    recipe.py or recipe.py:make_scheduler: the file is imported (its code
                     runs) and the function builds a torch scheduler, converted with
                     torch_bridge.from_torch (see `jaxsched port --help`)
Durations in a config may be given in units ('10%', '2ep', '3e6tok'): give their context
with --total-steps, --steps-per-epoch, --tokens-per-step, or a `units:` mapping in the config.
"""


def _epilog(*examples: str) -> str:
    return CONFIG_HELP + "\nexamples:\n" + "\n".join(f"  {e}" for e in examples)


# -- configs ---------------------------------------------------------------------------------------

_EXAMPLE_RE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?:\[(?P<index>\d+)\])?$")
_RECIPE_RE = re.compile(r"^(?P<path>.+\.py)(?::(?P<factory>[A-Za-z_]\w*))?$")


def load(spec: str, units: dict[str, Any] | None = None) -> tuple[Any, str]:
    """A schedule and a label from a CONFIG argument (file, inline mapping, name[index], or a
    Python recipe ``file.py[:factory]``).

    Example:
      >>> from jaxsched.cli import load
      >>> s, name = load("cosine_decay[1]")
      >>> name, s.config_name
      ('cosine_decay[1]', 'cosine_decay')
    """
    from jaxsched._config import ConfigError, from_config, load_text, lookup

    units = {k: x for k, x in (units or {}).items() if x is not None}
    text = spec.strip()
    if text.startswith("{"):
        cfg = load_text(text, "inline config")
        if not isinstance(cfg, dict):
            raise ConfigError(f"inline config: expected a mapping, got {type(cfg).__name__}")
        return from_config(cfg, **units), str(cfg.get("name", cfg.get("kind", "config")))
    recipe = _RECIPE_RE.match(text)
    if recipe:
        schedule = port_recipe(recipe.group("path"), recipe.group("factory")).schedule
        if isinstance(schedule, list):
            raise UsageError(
                f"{spec}: the param groups have different schedules; see them with "
                f"`jaxsched port {recipe.group('path')}`"
            )
        return schedule, os.path.splitext(os.path.basename(recipe.group("path")))[0]
    if os.path.exists(spec) or os.sep in spec or spec.endswith((".json", ".yaml", ".yml")):
        label = os.path.splitext(os.path.basename(spec))[0]
        return from_config(spec, **units), label
    m = _EXAMPLE_RE.match(text)
    if m:
        try:
            cls = lookup(m.group("name"))
        except KeyError:
            cls = None
        if cls is not None:
            index = int(m.group("index") or 0)
            if not cls.examples:
                raise ConfigError(f"{text}: {cls.config_name} has no built-in example; give a config")
            if index >= len(cls.examples):
                raise ConfigError(
                    f"{text}: {cls.config_name} has {len(cls.examples)} example(s), "
                    f"index {index} is out of range"
                )
            return from_config({"name": cls.config_name, **cls.examples[index]}, **units), text
    from jaxsched._config import _suggest

    raise ConfigError(f"{spec}: no such file, and not a registered schedule name{_suggest(text)}")


def _units(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "total_steps": args.total_steps,
        "steps_per_epoch": args.steps_per_epoch,
        "tokens_per_step": args.tokens_per_step,
    }


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _nonnegative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _add_units(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("units for durations such as '10%', '2ep', '3e6tok' in the config")
    g.add_argument("--total-steps", type=_positive_int, metavar="N")
    g.add_argument("--steps-per-epoch", type=_positive_int, metavar="N")
    g.add_argument("--tokens-per-step", type=_positive_float, metavar="N")


# -- step sets -------------------------------------------------------------------------------------

_MAX_STEP = 2**63 - 1


@dataclass(frozen=True)
class StepSet:
    """The steps ``range(start, stop, stride)``, evaluated block by block (never all at once).

    Example:
      >>> from jaxsched.cli import StepSet
      >>> s = StepSet(10, 40, 10)
      >>> len(s), s.sample(2).tolist(), 30 in s, 35 in s
      (3, [10, 30], True, False)
    """

    start: int
    stop: int
    stride: int = 1

    def __len__(self) -> int:
        return len(range(self.start, self.stop, self.stride))

    def __contains__(self, k: object) -> bool:
        return isinstance(k, int | np.integer) and int(k) in range(self.start, self.stop, self.stride)

    def blocks(self, size: int = 1 << 16) -> Iterator[np.ndarray]:
        r = range(self.start, self.stop, self.stride)
        for a in range(0, len(r), size):
            sub = r[a : a + size]
            yield np.arange(sub.start, sub.stop, sub.step, dtype=np.int64)

    def sample(self, count: int) -> np.ndarray:
        """About ``count`` steps spread evenly over the set, first and last included."""
        r = range(self.start, self.stop, self.stride)
        if len(r) == 0:
            return np.zeros(0, dtype=np.int64)
        idx = np.unique(np.linspace(0, len(r) - 1, num=min(count, len(r))).round().astype(np.int64))
        return np.asarray([r[int(i)] for i in idx], dtype=np.int64)

    def describe(self) -> str:
        last = range(self.start, self.stop, self.stride)[-1] if len(self) else self.start
        every = f" every {self.stride}" if self.stride != 1 else ""
        return f"steps {self.start}..{last}{every} ({len(self)} steps)"


def parse_steps(text: str | None, every: int | None, end: int) -> tuple[StepSet | None, int]:
    """``--steps`` and ``--every``: ``(a range, or None for the key steps, last step)``.

    ``--steps N`` is the last step (the key steps up to ``N``, or every ``--every``-th step up to
    ``N``); ``--steps a:b[:c]`` is Python's ``range(a, b, c)``; ``--every K`` alone is every
    ``K``-th step up to the schedule's end.
    """
    if text is None or re.fullmatch(r"\s*\d+\s*", text):
        last = end if text is None else int(text)
        if last > _MAX_STEP:
            raise UsageError(f"--steps: at most 2**63 - 1, got {text}")
        return (StepSet(0, last + 1, every) if every else None), last
    m = re.fullmatch(r"\s*(\d*)\s*:\s*(\d+)\s*(?::\s*(\d+)\s*)?", text)
    if not m:
        raise UsageError(f"--steps: expected N or START:STOP[:STEP] (like Python's range), got {text!r}")
    start = int(m.group(1) or 0)
    stop = int(m.group(2))
    stride = int(m.group(3)) if m.group(3) else None
    if stride is not None and every is not None and stride != every:
        raise UsageError(f"--steps {text} and --every {every} give two different strides")
    stride = stride or every or 1
    if stride < 1:
        raise UsageError(f"--steps: the stride must be >= 1, got {text!r}")
    if max(start, stop) > _MAX_STEP:
        raise UsageError(f"--steps: at most 2**63 - 1, got {text}")
    steps = StepSet(start, stop, stride)
    if len(steps) == 0:
        raise UsageError(f"--steps {text}: no steps in that range")
    return steps, max(0, stop - 1)


# -- formatting ------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.9g}"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[j]) for r in rows)) if rows else len(h) for j, h in enumerate(head)]
    out = ["  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _horizon(schedules: Sequence[Any]) -> int:
    from jaxsched._parity import horizon

    return max(horizon(s) for s in schedules)


def _dense_limit(n: int, what: str) -> None:
    from jaxsched._parity import MAX_HORIZON

    if n > MAX_HORIZON:
        raise UsageError(
            f"{what}: the horizon is {n} steps (the last key step plus 25%), more "
            f"than {MAX_HORIZON}; give the steps to compare with --steps"
        )


def _require_matplotlib(what: str) -> None:
    from jaxsched.plot import require_matplotlib

    try:
        require_matplotlib()
    except ImportError as err:
        raise UsageError(f"{what}: {err}") from None


# -- commands --------------------------------------------------------------------------------------


def cmd_show(args: argparse.Namespace) -> int:
    s, _ = load(args.config, _units(args))
    steps, last = parse_steps(args.steps, args.every, _horizon([s]))
    print(repr(s))
    head = ["step", "value"] + (["jax float32"] if args.jax else [])
    if steps is None:
        keys = np.asarray(sorted({*(k for k in s.key_steps() if k <= last), last}), dtype=np.int64)
        blocks: Iterator[np.ndarray] = iter([keys])
        width = len(str(last))
    else:
        blocks = steps.blocks()
        width = len(str(max(steps.start, steps.stop)))
    widths = [max(4, width), 16, 16][: len(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for block in blocks:
        values = s.numpy(block)
        f32 = np.asarray(s(block), dtype=np.float64) if args.jax else None
        lines = []
        for i, k in enumerate(block.tolist()):
            cells = [str(k), _fmt(float(values[i]))]
            if f32 is not None:
                cells.append(_fmt(float(f32[i])))
            lines.append("  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)))
        print("\n".join(lines))
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in (".png", ".svg", ".pdf"):
        raise UsageError(f"-o: the file must end in .png, .svg or .pdf, got {args.output!r}")
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise UsageError(f"-o: no such directory {folder!r}")
    _require_matplotlib("plot")
    from jaxsched.plot import save

    loaded = [load(c, _units(args)) for c in args.configs]
    scheds = [s for s, _ in loaded]
    labels = args.label or [name for _, name in loaded]
    if len(labels) != len(scheds):
        raise UsageError(f"--label: give one per config ({len(scheds)}), got {len(labels)}")
    steps = args.steps or _horizon(scheds)
    xs = np.unique(np.linspace(0, steps - 1, num=min(steps, 4000)).round().astype(np.int64))
    keys = {k for s in scheds for k in s.key_steps() if k < steps}
    xs = np.union1d(xs, np.fromiter(keys, dtype=np.int64, count=len(keys)))
    save(scheds, args.output, xs, labels=labels, log=args.log, title=args.title)
    curves = f"{len(scheds)} curve{'s' if len(scheds) > 1 else ''}"
    print(f"wrote {args.output} ({curves}, {steps} steps)")
    return 0


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) if i < 26 else f"S{i}" for i in range(n)]


def cmd_compare(args: argparse.Namespace) -> int:
    if args.paths or len(args.configs) == 1:
        if len(args.configs) != 1:
            raise UsageError(f"--paths: give one CONFIG, got {len(args.configs)}")
        return _compare_paths(args)
    if args.x64:
        raise UsageError(
            "--x64 applies to `compare --paths CONFIG` (schedules are compared in NumPy float64)"
        )
    plot = args.plot or args.output
    if plot:
        _check_image(plot)
        _require_matplotlib("--plot")
    loaded = [load(c, _units(args)) for c in args.configs]
    scheds = [s for s, _ in loaded]
    names = _letters(len(scheds))
    default_end = _horizon(scheds)
    if args.steps is None:
        _dense_limit(default_end, "compare")
        steps = StepSet(0, default_end)
    elif re.fullmatch(r"\s*\d+\s*", args.steps):
        steps = StepSet(0, int(args.steps))
    else:
        parsed, _ = parse_steps(args.steps, None, default_end)
        assert parsed is not None
        steps = parsed
    rtol, atol = args.rtol, args.atol

    ref = scheds[0]
    worst = {j: (-1.0, -1, 0.0, 0.0) for j in range(1, len(scheds))}  # |diff|, step, ref, value
    bad = {j: [0, -1] for j in range(1, len(scheds))}  # count over tolerance, first step
    for block in steps.blocks():
        a = ref.numpy(block)
        for j in range(1, len(scheds)):
            b = scheds[j].numpy(block)
            with np.errstate(invalid="ignore", over="ignore"):
                d = np.abs(b - a)
            d = np.where(np.isfinite(d), d, np.inf)
            i = int(np.argmax(d))
            if d[i] > worst[j][0]:
                worst[j] = (float(d[i]), int(block[i]), float(a[i]), float(b[i]))
            over = ~(d <= atol + rtol * np.abs(a))
            if over.any():
                if bad[j][0] == 0:
                    bad[j][1] = int(block[int(np.argmax(over))])
                bad[j][0] += int(over.sum())

    for name, (s, label) in zip(names, loaded, strict=True):
        print(f"{name} = {label}: {s!r}")
    shown = {*steps.sample(args.rows).tolist(), *(w[1] for w in worst.values())}
    shown |= {k for s in scheds for k in s.key_steps() if k in steps}
    rows_at = np.asarray(sorted(shown), dtype=np.int64)
    values = [s.numpy(rows_at) for s in scheds]
    head = ["step", *names, *(f"|{n}-A|" for n in names[1:])]
    rows = []
    for i, k in enumerate(rows_at.tolist()):
        diffs = [abs(float(values[j][i]) - float(values[0][i])) for j in range(1, len(scheds))]
        rows.append([str(k), *(_fmt(float(v[i])) for v in values), *(f"{d:.3g}" for d in diffs)])
    print(_table(head, rows))
    print(
        f"Compared on {steps.describe()} in NumPy float64; tolerance |X - A| <= atol + rtol * |A| "
        f"(rtol {rtol:g}, atol {atol:g})."
    )
    ok = True
    for j in range(1, len(scheds)):
        d, k, va, vb = worst[j]
        rel = d / abs(va) if va else (0.0 if d == 0 else math.inf)
        line = (
            f"{names[j]} vs A: largest difference {_fmt(d)} at step {k} (A {_fmt(va)}, "
            f"{names[j]} {_fmt(vb)}; relative {rel:.3g}): "
        )
        if bad[j][0]:
            ok = False
            line += f"OVER TOLERANCE at {bad[j][0]} steps, first at step {bad[j][1]}"
        else:
            line += "within tolerance"
        print(line)
    if plot:
        _compare_plot(
            scheds,
            names,
            [label for _, label in loaded],
            steps,
            np.asarray(sorted({*steps.sample(4000).tolist(), *rows_at.tolist()}), dtype=np.int64),
            plot,
        )
        print(f"wrote {plot}")
    return 0 if ok else EXIT_MISMATCH


def _check_image(path: str) -> None:
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".png", ".svg", ".pdf"):
        raise UsageError(f"--plot: the file must end in .png, .svg or .pdf, got {path!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"--plot: no such directory {folder!r}")


def _figure(size: tuple[float, float]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _compare_plot(
    scheds: Sequence[Any],
    names: Sequence[str],
    labels: Sequence[str],
    steps: StepSet,
    xs: np.ndarray,
    path: str,
) -> None:
    fig = _figure((11, 4))
    a, b = fig.subplots(1, 2)
    ref = scheds[0].numpy(xs)
    for j, (s, name, label) in enumerate(zip(scheds, names, labels, strict=True)):
        ys = ref if j == 0 else s.numpy(xs)
        a.plot(
            xs,
            ys,
            label=f"{name}: {label}",
            linewidth=2.2 if j == 0 else 1.4,
            linestyle="-" if j == 0 else "--",
        )
        if j:
            b.plot(xs, ys - ref, label=f"{name} - A", linewidth=1.0)
    a.set_xlabel("step")
    a.set_ylabel("value")
    a.legend(frameon=False, fontsize="small")
    a.set_title(steps.describe())
    b.set_xlabel("step")
    b.set_ylabel("difference from A")
    b.legend(frameon=False, fontsize="small")
    b.set_title("difference")
    fig.savefig(path, dpi=110)


def _compare_paths(args: argparse.Namespace) -> int:
    """One schedule: JAX (float32, or float64 with --x64) next to torch_bridge, streamed."""
    from jaxsched._parity import TOLERANCES, Running, torch_bridge_stream

    plot = args.plot or args.output
    if plot:
        _check_image(plot)
        _require_matplotlib("--plot")
    s, _ = load(args.configs[0], _units(args))
    if args.steps is not None and not re.fullmatch(r"\s*\d+\s*", args.steps):
        raise UsageError("--steps: `compare --paths` takes a count N (steps 0..N-1)")
    n = int(args.steps) if args.steps is not None else _horizon([s])
    if args.steps is None:
        _dense_limit(n, "compare --paths")
    n = max(n, 1)
    try:
        import torch  # noqa: F401

        import torch_bridge  # noqa: F401
    except ImportError as err:
        raise UsageError(f"compare --paths needs torch and torch_bridge: {err}") from None
    path = "jax-f64" if args.x64 else "jax-f32"
    tol = TOLERANCES[path]
    dense = StepSet(0, n)
    top = max(float(np.max(np.abs(s.numpy(b)))) for b in dense.blocks())
    acc = Running(tol.floor, top)
    shown = {*dense.sample(args.rows).tolist(), *(k for k in s.key_steps() if k < n)}
    sampled = set(dense.sample(4000).tolist()) if plot else set()
    keep = shown | sampled
    kept: dict[int, tuple[float, float]] = {}
    bridge = torch_bridge_stream(s, n)
    for block in dense.blocks():
        if args.x64:
            import jax

            with jax.enable_x64(True):
                jx = np.asarray(s(block), dtype=np.float64)
        else:
            jx = np.asarray(s(block), dtype=np.float64)
        tb = next(bridge)
        acc.add(block, jx, tb)
        for i in np.flatnonzero(np.isin(block, np.fromiter(keep, dtype=np.int64))):
            kept[int(block[i])] = (float(jx[i]), float(tb[i]))
    assert acc.worst is not None and acc.value is not None and acc.expected is not None
    kept[acc.worst] = (acc.value, acc.expected)
    print(repr(s))
    kind = "float64" if args.x64 else "float32"
    rows = [
        [str(k), _fmt(kept[k][0]), _fmt(kept[k][1]), f"{abs(kept[k][0] - kept[k][1]):.3g}"]
        for k in sorted(shown | {acc.worst})
    ]
    print(_table(["step", f"jax ({kind})", "torch_bridge", "|diff|"], rows))
    ok = acc.error <= tol.rtol
    print(f"Compared on steps 0..{n - 1} ({n} steps).")
    print(
        f"largest difference: {abs(acc.value - acc.expected):.3g} at step {acc.worst} "
        f"(relative {acc.error:.3g}, tolerance {tol.rtol:g}): {'ok' if ok else 'MISMATCH'}"
    )
    if plot:
        xs = np.asarray(sorted(k for k in kept if k in sampled or k in shown), dtype=np.int64)
        jx = np.asarray([kept[int(k)][0] for k in xs])
        tb = np.asarray([kept[int(k)][1] for k in xs])
        fig = _figure((11, 4))
        a, b = fig.subplots(1, 2)
        a.plot(xs, jx, label=f"JAX {kind}", linewidth=2.2)
        a.plot(xs, tb, label="torch_bridge", linestyle="--", linewidth=1.4)
        a.set_xlabel("step")
        a.set_ylabel("value")
        a.legend(frameon=False)
        a.set_title(s.config_name)
        b.plot(xs, jx - tb, linewidth=1.0)
        b.set_xlabel("step")
        b.set_ylabel("JAX - torch_bridge")
        b.set_title("difference")
        fig.savefig(plot, dpi=110)
        print(f"wrote {plot}")
    return 0 if ok else EXIT_MISMATCH


def cmd_parity(args: argparse.Namespace) -> int:
    from jaxsched import _parity

    steps = args.steps
    if args.torch_steps is not None:
        if steps is not None and steps != args.torch_steps:
            raise UsageError(
                f"--steps {steps} and --torch-steps {args.torch_steps} disagree: every "
                "path is compared on the same steps; give --steps only"
            )
        steps = args.torch_steps
    if args.configs:
        loaded = [load(spec, _units(args)) for spec in args.configs]
        if steps is None:
            for s, label in loaded:
                _dense_limit(_parity.horizon(s), label)
        cases = [_parity.case_from_schedule(s, label) for s, label in loaded]
        failures: dict[str, str] = {}
    else:
        cases, failures = _parity.default_cases(args.only or ())
        if not cases:
            raise UsageError(f"--only: no registered schedule matches {args.only}")
    skip = {"torch_bridge": args.no_torch, "original": args.no_original, "jax-f64": args.no_x64}
    paths = [p for p in _parity.PATHS if not skip.get(p)]
    progress = None if args.quiet else _Progress(sys.stderr)
    results = _parity.run(cases, paths=paths, progress=progress, steps=steps, worker=True)
    if progress is not None:
        progress.close()
    shown = (
        [r for r in results if _parity.status(r, args.strict) not in ("ok", "partial")]
        if args.failures
        else results
    )
    if shown:
        text = _parity.format_table(shown, strict=args.strict)
        if args.failures:
            text = text.rsplit("\n", 1)[0] + "\n" + _parity.summary(results, strict=args.strict)
    else:
        text = _parity.summary(results, strict=args.strict)
    for module, problem in failures.items():
        text += f"\nERROR {module} does not import: {problem}"
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(_parity.to_json(results, strict=args.strict), fh, indent=1)
    good = all(_parity.status(r, args.strict) in ("ok", "partial") for r in results)
    return 0 if good and not failures else EXIT_MISMATCH


class _Progress:
    """``[ 12/106] name`` on stderr: one updating line on a terminal, a line per 10% otherwise."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last = -1

    def __call__(self, done: int, total: int, label: str) -> None:
        width = len(str(total))
        text = f"parity [{done:>{width}}/{total}] {label}"
        if self.tty:
            self.stream.write("\r" + text[:110].ljust(110))
            self.stream.flush()
            return
        step = max(1, total // 10)
        if done // step != self.last or done == total:
            self.last = done // step
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r" + " " * 110 + "\r")
            self.stream.flush()


# -- port: a user's torch recipe -------------------------------------------------------------------


@dataclass
class Ported:
    """What :func:`port_recipe` found: the schedule(s), the factory and how it was called."""

    schedule: Any
    """A :class:`jaxsched.Schedule`, or a list (one per param group) when the groups differ."""
    factory: str
    optimizer: str | None
    """``"AdamW(lr=1.0)"`` when the factory was given an optimizer, else None."""


def _is_scheduler(x: Any) -> bool:
    return hasattr(x, "optimizer") and callable(getattr(x, "step", None))


def _find_factory(module: Any, name: str | None, path: str) -> tuple[str, Any]:
    import inspect

    if name is not None:
        if not hasattr(module, name):
            raise UsageError(f"{path}: defines no {name!r} (--factory)")
        return name, getattr(module, name)
    functions = {
        k: x
        for k, x in vars(module).items()
        if inspect.isfunction(x) and x.__module__ == module.__name__ and not k.startswith("_")
    }
    schedulers = {k: x for k, x in vars(module).items() if _is_scheduler(x)}
    if len(functions) == 1:
        return next(iter(functions.items()))
    named = {k: x for k, x in functions.items() if "sched" in k.lower()}
    if len(named) == 1:
        return next(iter(named.items()))
    if not functions and len(schedulers) == 1:
        return next(iter(schedulers.items()))
    found = sorted(functions) or sorted(schedulers)
    if not found:
        raise UsageError(
            f"{path}: defines no function that builds a scheduler (a function of the "
            "optimizer, or of nothing, that returns a torch LR scheduler)"
        )
    raise UsageError(
        f"{path}: defines several functions ({', '.join(found)}); choose one with "
        "--factory NAME (or recipe.py:NAME)"
    )


def _call_factory(name: str, fn: Any, lr: float, path: str) -> tuple[Any, str | None]:
    import inspect

    if _is_scheduler(fn):
        return fn, None
    if not callable(fn):
        raise UsageError(f"{path}: {name} is not a function")
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    required = [
        p
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    if any(p.kind is p.KEYWORD_ONLY for p in required) or len(required) > 1:
        raise UsageError(
            f"{path}: {name}{inspect.signature(fn)} needs more than an optimizer; "
            "give a function of the optimizer alone (or of nothing)"
        )
    if not required:
        return fn(), None
    import torch

    opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    return fn(opt), f"AdamW(lr={lr!r})"


def port_recipe(path: str, factory: str | None = None, lr: float = 1.0) -> Ported:
    """Import a Python file, call its scheduler factory, and convert what it builds.

    The file is imported as a module (its code runs; ``if __name__ == "__main__":`` blocks do not)
    with its own folder first on ``sys.path`` for the import and the call, and nothing else added
    (not the current directory). The factory is ``factory``, or the file's only public function,
    or its only function with ``sched`` in the name. It is called with no argument, or with a
    one-parameter ``torch.optim.AdamW`` whose learning rate is ``lr`` when it takes one; it may
    return the scheduler, or a tuple/list holding it. The result goes to
    :func:`torch_bridge.from_torch`.

    Raises:
      UsageError: no such file, no factory, the recipe raised, or no conversion is known.
    """
    import importlib.util

    full = os.path.abspath(path)
    if not os.path.isfile(full):
        raise UsageError(f"{path}: no such file")
    folder = os.path.dirname(full)
    stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(full))[0])
    module_name = f"_jaxsched_recipe_{stem}"
    spec = importlib.util.spec_from_file_location(module_name, full)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path}: cannot be imported as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
        name, fn = _find_factory(module, factory, path)
        made, optimizer = _call_factory(name, fn, lr, path)
    except UsageError:
        raise
    except SystemExit as err:
        raise UsageError(f"{path}: the recipe called sys.exit({err.code!r})") from None
    except Exception as err:
        raise UsageError(
            f"{path}: running the recipe raised {type(err).__name__}: {_one_line(err)}"
        ) from None
    finally:
        if sys.path and sys.path[0] == folder:
            del sys.path[0]
    found = [x for x in made if _is_scheduler(x)] if isinstance(made, list | tuple) else [made]
    if not found or not all(_is_scheduler(x) for x in found):
        raise UsageError(f"{path}: {name} returned {type(made).__name__}, not a torch LR scheduler")
    try:
        from torch_bridge import from_torch
    except ImportError as err:
        raise UsageError(f"port needs torch and torch_bridge: {err}") from None
    target = found[0] if len(found) == 1 else tuple(found)
    try:
        schedule = from_torch(target)
    except (TypeError, ValueError) as err:
        raise UsageError(f"{path}: {name}: {_one_line(err)}") from None
    return Ported(schedule, name, optimizer)


def cmd_port(args: argparse.Namespace) -> int:
    recipe = _RECIPE_RE.match(args.recipe)
    if recipe and recipe.group("factory") and not os.path.isfile(args.recipe):  # recipe.py:NAME
        if args.factory not in (None, recipe.group("factory")):
            raise UsageError(
                f"{args.recipe} names the factory {recipe.group('factory')!r} and --factory {args.factory!r}"
            )
        args.recipe, args.factory = recipe.group("path"), recipe.group("factory")
    ported = port_recipe(args.recipe, args.factory, args.lr)
    schedules = ported.schedule if isinstance(ported.schedule, list) else [ported.schedule]
    configs = [s.to_config() for s in schedules]
    doc: Any = configs if isinstance(ported.schedule, list) else configs[0]
    notes = [f"converted from {args.recipe}:{ported.factory} by torch_bridge.from_torch"]
    if ported.optimizer is not None:
        notes.append(
            f"the factory was given {ported.optimizer}: values proportional to the "
            "optimizer's LR are for that LR (set it with --lr)"
        )
    if isinstance(ported.schedule, list):
        notes.append(f"the param groups differ: one schedule per group ({len(schedules)})")
    if args.format == "json":
        print(json.dumps(doc, indent=2))
        for note in notes:
            sys.stderr.write(f"jaxsched: {note}\n")
    else:
        try:
            import yaml
        except ImportError:
            raise UsageError(
                "YAML output needs PyYAML (pip install 'jaxsched[config]'); or use --format json"
            ) from None
        print("\n".join(f"# {n}" for n in notes))
        print(yaml.safe_dump(doc, sort_keys=False).rstrip())
    if len(configs) == 1 and not args.quiet:
        import shlex

        target = args.recipe + (f":{ported.factory}" if args.factory else "")
        sys.stderr.write(
            f"jaxsched: check it against the original with `jaxsched parity "
            f"{shlex.quote(target)}` (or save it and run `jaxsched parity FILE.yaml`)\n"
        )
    return 0


# -- surgery ---------------------------------------------------------------------------------------


def cmd_surgery(args: argparse.Namespace) -> int:
    """``branch``/``stretch``/``extend``: a running schedule changed from step ``--at`` on; the new config."""
    import jaxsched

    s, _ = load(args.config, _units(args))
    try:
        if args.command == "branch":
            if (args.steps is None) == (args.until is None):
                raise UsageError("branch: give --steps N (the length of the new phase) or --until STEP")
            new = jaxsched.branch(s, args.at, args.steps, args.end_value, args.decay, until=args.until)
        elif args.command == "stretch":
            new = jaxsched.stretch(s, args.at, args.to)
        else:
            new = jaxsched.extend(s, args.at, args.by)
    except (ValueError, TypeError) as err:
        raise UsageError(f"{args.command}: {err}") from None
    cfg = new.to_config()
    text = (
        json.dumps(cfg, indent=2) if args.format == "json" or (args.output or "").endswith(".json") else None
    )
    if text is None:
        try:
            import yaml
        except ImportError:
            raise UsageError(
                "YAML output needs PyYAML (pip install 'jaxsched[config]'); or use --format json"
            ) from None
        text = yaml.safe_dump(cfg, sort_keys=False).rstrip()
    if args.output:
        with open(args.output, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    at = args.at
    before, after = float(s.numpy(at)), float(new.numpy(at))
    sys.stderr.write(
        f"jaxsched: at step {at} the value is {after!r} (the running schedule's: {before!r})"
        + (f"; wrote {args.output}" if args.output else "")
        + "\n"
    )
    return 0


# -- list and catalog ------------------------------------------------------------------------------

_ROLE_RE = re.compile(r":(?:[a-z]+:)?[a-z]+:`~?(?:[^`<]*<)?([^`>]+)>?`")


def plain_text(doc: str) -> str:
    """The first paragraph of a docstring as one line of plain text (no RST markup).

    Example:
      >>> from jaxsched.cli import plain_text
      >>> plain_text("Like :class:`~torch.optim.lr_scheduler.StepLR`, with ``gamma``\\n and `k`.")
      'Like StepLR, with gamma and k.'
    """
    first = " ".join(doc.strip().split("\n\n")[0].split())

    def role(m: re.Match[str]) -> str:
        target = m.group(1)
        whole = m.group(0)
        return target.rsplit(".", 1)[-1] if "`~" in whole else target

    text = _ROLE_RE.sub(role, first)
    text = re.sub(r"``([^`]+)``", r"\1", text)
    text = re.sub(r"`([^`]+)`_?", r"\1", text)
    return text.replace("\\", "")


def cmd_list(args: argparse.Namespace) -> int:
    import fnmatch

    from jaxsched._config import import_all_ports
    from jaxsched._core import registry

    import_all_ports()
    items = sorted(registry().items(), key=lambda kv: (kv[0].startswith("compat."), kv[0]))
    pattern = args.pattern
    if pattern:
        items = [(n, c) for n, c in items if pattern in n or fnmatch.fnmatchcase(n, pattern)]
        if not items:
            from jaxsched._config import _suggest

            raise UsageError(f"no registered schedule name contains {pattern!r}{_suggest(pattern)}")
    for name, cls in items:
        summary = plain_text(cls.__doc__ or "")
        if len(summary) > 100:
            summary = summary[:97].rstrip() + "..."
        print(f"{name:48s} {summary}".rstrip())
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    print(catalog_markdown(), end="")
    return 0


# -- the catalog page ------------------------------------------------------------------------------

_EQUIVALENTS: dict[str, tuple[str, str]] = {
    # name: (torch, optax)
    "constant": ("a fixed `lr` (no scheduler)", "`constant_schedule`"),
    "linear": ("`LinearLR` (as factors of the base LR)", "`linear_schedule`"),
    "polynomial": ("`PolynomialLR` (end 0, no begin)", "`polynomial_schedule`"),
    "exponential_decay": ("`ExponentialLR` (`transition_steps=1`)", "`exponential_decay`"),
    "step_decay": ("`StepLR`", "`exponential_decay(staircase=True)`"),
    "multistep_decay": ("`MultiStepLR`", "`piecewise_constant_schedule`"),
    "piecewise_constant": ("`MultiStepLR` (one factor per milestone)", "`piecewise_constant_schedule`"),
    "piecewise_interpolate": ("-", "`piecewise_interpolate_schedule`"),
    "cosine_decay": ("`CosineAnnealingLR` (closed form, no restart past `T_max`)", "`cosine_decay_schedule`"),
    "warmup_constant": ("`LinearLR` warmup factor", "`warmup_constant_schedule`"),
    "warmup_cosine_decay": (
        "`SequentialLR([LinearLR, CosineAnnealingLR])`",
        "`warmup_cosine_decay_schedule`",
    ),
    "warmup_linear_decay": ("`SequentialLR([LinearLR, LinearLR])`", "`join_schedules` of two linear"),
    "warmup_exponential_decay": (
        "`SequentialLR([LinearLR, ExponentialLR])`",
        "`warmup_exponential_decay_schedule`",
    ),
    "inverse_sqrt": ("`LambdaLR` (fairseq/T5 inverse square root)", "-"),
    "noam": ("`LambdaLR` (Transformer, Vaswani et al.)", "-"),
    "warmup_stable_decay": ("HF `get_wsd_schedule`", "-"),
    "cosine_restarts": ("`CosineAnnealingWarmRestarts`", "`sgdr_schedule`"),
    "cyclic": ("`CyclicLR`", "-"),
    "one_cycle": ("`OneCycleLR`", "`cosine_onecycle_schedule` / `linear_onecycle_schedule`"),
    "tanh_decay": ("timm `TanhLRScheduler`", "-"),
    "inverse_time_decay": ("`LambdaLR(lambda k: 1 / (1 + r * k / T))`", "-"),
    "join": ("`SequentialLR`", "`join_schedules`"),
    "multiply": ("`ChainedScheduler` (multiplicative)", "-"),
    "shift": ("`last_epoch=` (resume)", "-"),
    "clip": ("`eta_min`-style floors", "-"),
    "repeat": ("-", "-"),
    "per_epoch": ("stepping a scheduler per epoch", "-"),
}


def _summary(cls: type) -> str:
    doc = (cls.__doc__ or "").strip()
    first = " ".join(doc.split("\n\n")[0].split())
    return first.replace("``", "`").replace("|", "\\|")


def catalog_markdown() -> str:
    """The catalog as Markdown: the native schedules and combinators with their torch and optax
    counterparts, then every port by library (what ``docs/catalog.md`` holds)."""
    from jaxsched._config import import_all_ports
    from jaxsched._core import registry

    import_all_ports()
    reg = registry()
    out = [
        "# jaxsched catalog",
        "",
        "Generated by `jaxsched catalog > docs/catalog.md` from the registry and the "
        "docstrings. `s(k)` is the value used by update `k`, counting from 0; the formulas are "
        "in each class's docstring.",
        "",
        "## Native schedules and combinators",
        "",
        "| name | what it computes | torch equivalent | optax equivalent |",
        "|---|---|---|---|",
    ]
    for name in sorted(
        (n for n in reg if not n.startswith("compat.")),
        key=lambda n: (n in ("join", "multiply", "shift", "clip", "repeat", "per_epoch"), n),
    ):
        torch_eq, optax_eq = _EQUIVALENTS.get(name, ("-", "-"))
        out.append(f"| `{name}` | {_summary(reg[name])} | {torch_eq} | {optax_eq} |")
    libs: dict[str, list[str]] = {}
    for name in reg:
        if name.startswith("compat."):
            libs.setdefault(name.split(".")[1], []).append(name)
    out += [
        "",
        "## Ports (`jaxsched.compat.<library>`)",
        "",
        "Each port takes its original's argument names (minus the optimizer; base LRs are "
        "explicit) and reproduces what the original applies at every update. See "
        "`docs/porting.md`.",
        "",
    ]
    for lib in sorted(libs):
        out += [f"### `{lib}`", "", "| name | what it computes |", "|---|---|"]
        for name in sorted(libs[lib]):
            out.append(f"| `{name}` | {_summary(reg[name])} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# -- entry point -----------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="jaxsched",
        description="Schedules for JAX/Optax with a PyTorch bridge: "
        "parity checks, previews, comparisons, plots and ports of torch recipes.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_epilog(
            "jaxsched parity",
            "jaxsched parity recipe.yaml --strict",
            "jaxsched show cosine_decay --every 100",
            "jaxsched compare a.yaml b.yaml --plot diff.png",
            "jaxsched port recipe.py > recipe.yaml",
        ),
    )
    from jaxsched import __version__

    p.add_argument("--version", action="version", version=f"jaxsched {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    raw = argparse.RawDescriptionHelpFormatter

    q = sub.add_parser(
        "parity",
        help="check every schedule and port across all evaluation paths",
        formatter_class=raw,
        description="Evaluate every registered schedule's examples (or the given CONFIGs) "
        "through JAX float32, JAX float64, NumPy float64, torch_bridge and the original "
        "library, on the same steps: by default every step of the schedule (its last key step "
        "plus 25%), streamed in blocks so that memory does not grow with the steps; the JAX "
        "paths also at the key steps +-1 and far steps up to 2**31-1. Prints the largest "
        "relative disagreement per configuration and the steps compared, and exits with "
        "status 1 on any mismatch beyond tolerance.",
        epilog=_epilog(
            "jaxsched parity                         # the whole catalog",
            "jaxsched parity --only compat.torch      # one library's ports",
            "jaxsched parity run.yaml --steps 10000000",
            "jaxsched parity 'compat.torch.OneCycleLR[1]' --strict",
        ),
    )
    q.add_argument(
        "configs", nargs="*", metavar="CONFIG", help="configs to check instead of the built-in examples"
    )
    q.add_argument(
        "--only",
        action="append",
        metavar="PATTERN",
        help="only schedules whose name contains PATTERN (or matches it as a glob)",
    )
    q.add_argument("--no-torch", action="store_true", help="skip the torch_bridge path")
    q.add_argument("--no-original", action="store_true", help="skip the original libraries")
    q.add_argument("--no-x64", action="store_true", help="skip the JAX float64 path")
    q.add_argument(
        "--steps",
        type=_positive_int,
        metavar="N",
        help="compare every path on steps 0..N-1 (default: the whole schedule; "
        "required when that is more than 10**8 steps)",
    )
    q.add_argument(
        "--torch-steps",
        type=_positive_int,
        metavar="N",
        help="the same as --steps (kept for old scripts; refused when it differs from --steps)",
    )
    q.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 also when a config that names a port was not compared with its "
        "original library on every step (not installed, or a shorter recorded curve)",
    )
    q.add_argument("--failures", action="store_true", help="list only the failing configurations")
    q.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    q.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _add_units(q)
    q.set_defaults(func=cmd_parity)

    s = sub.add_parser(
        "show",
        help="the values at the key steps or over a range",
        formatter_class=raw,
        description="Print the schedule and its values (NumPy float64): at its key steps and at "
        "the end; or at every N-th step (--every N); or over a range (--steps START:STOP[:STEP], "
        "as Python's range).",
        epilog=_epilog(
            "jaxsched show run.yaml",
            "jaxsched show cosine_decay --steps 5000 --jax",
            "jaxsched show cosine_decay --every 100",
            "jaxsched show 'compat.torch.OneCycleLR[1]' --steps 0:50:5",
            "jaxsched show '{name: constant, value: 3e-4}' --steps 3",
        ),
    )
    s.add_argument("config", metavar="CONFIG")
    s.add_argument(
        "--steps",
        metavar="N|START:STOP[:STEP]",
        help="N: the last step shown; START:STOP[:STEP]: exactly those steps",
    )
    s.add_argument(
        "--every",
        type=_positive_int,
        metavar="N",
        help="every N-th step from 0 (up to --steps, or the end of the schedule)",
    )
    s.add_argument("--jax", action="store_true", help="also show JAX's float32 values")
    _add_units(s)
    s.set_defaults(func=cmd_show)

    pl = sub.add_parser(
        "plot",
        help="plot one or several schedules to an image",
        formatter_class=raw,
        description="Plot schedules on one figure, with a marker at each key step (needs "
        "matplotlib: pip install 'jaxsched[plot]').",
        epilog=_epilog(
            "jaxsched plot run.yaml -o lr.png", "jaxsched plot cosine_decay noam -o lr.svg --log --steps 5000"
        ),
    )
    pl.add_argument("configs", nargs="+", metavar="CONFIG")
    pl.add_argument("-o", "--output", required=True, metavar="FILE.png")
    pl.add_argument("--steps", type=_positive_int, metavar="N", help="plot steps 0..N-1")
    pl.add_argument("--log", action="store_true", help="logarithmic value axis")
    pl.add_argument("--label", action="append", metavar="TEXT", help="legend label (one per config)")
    pl.add_argument("--title", metavar="TEXT")
    _add_units(pl)
    pl.set_defaults(func=cmd_plot)

    c = sub.add_parser(
        "compare",
        help="several schedules on the same steps, or one schedule's paths",
        formatter_class=raw,
        description="With two or more CONFIGs: evaluate them (NumPy float64) on the same steps "
        "(default: 0 to the longest horizon; --steps N or START:STOP[:STEP]), print them side "
        "by side at the key and sampled steps, and, for each against the first (A), the largest "
        "difference and its step; exit 1 when |X - A| > atol + rtol * |A| anywhere. With one "
        "CONFIG (or --paths): JAX (float32, or float64 with --x64) next to torch_bridge, the "
        "largest difference, exit 1 beyond the parity tolerance.",
        epilog=_epilog(
            "jaxsched compare hf_cosine.yaml native.yaml",
            "jaxsched compare run.yaml recipe.py --steps 0:100000:10 --plot diff.png",
            "jaxsched compare a.yaml b.yaml c.yaml --rtol 1e-6",
            "jaxsched compare --paths compat.torch.OneCycleLR --x64",
        ),
    )
    c.add_argument("configs", nargs="+", metavar="CONFIG")
    c.add_argument(
        "--paths", action="store_true", help="compare one schedule's JAX and torch_bridge values instead"
    )
    c.add_argument(
        "--steps",
        metavar="N|START:STOP[:STEP]",
        help="compare steps 0..N-1, or exactly range(START, STOP, STEP)",
    )
    c.add_argument(
        "--rtol", type=_nonnegative_float, default=1e-9, metavar="R", help="relative tolerance (default 1e-9)"
    )
    c.add_argument(
        "--atol",
        type=_nonnegative_float,
        default=1e-12,
        metavar="A",
        help="absolute tolerance (default 1e-12)",
    )
    c.add_argument("--rows", type=_positive_int, default=12, metavar="N", help="sampled rows shown")
    c.add_argument("--x64", action="store_true", help="--paths: JAX in float64 (default float32)")
    c.add_argument("--plot", metavar="FILE.png", help="also plot the curves and their differences")
    c.add_argument("-o", "--output", metavar="FILE.png", help=argparse.SUPPRESS)
    _add_units(c)
    c.set_defaults(func=cmd_compare)

    po = sub.add_parser(
        "port",
        help="convert the torch scheduler a Python file builds into a config",
        formatter_class=raw,
        description="Import RECIPE.py (its code runs, as with `python RECIPE.py` but without "
        "the `__main__` block; its folder is put first on sys.path, the current directory is "
        "not), call its scheduler factory (--factory, else its only function, else its only "
        "function with 'sched' in the name) with no argument or with a torch AdamW optimizer "
        "(learning rate --lr), convert the scheduler it returns with torch_bridge.from_torch, "
        "and print the jaxsched config (YAML, or JSON with --format json).",
        epilog="RECIPE.py, for example:\n"
        "  from transformers import get_cosine_schedule_with_warmup\n"
        "  def make_scheduler(optimizer):\n"
        "      return get_cosine_schedule_with_warmup(optimizer, 1000, 100000)\n\n"
        "examples:\n  jaxsched port recipe.py --lr 3e-4 > recipe.yaml\n"
        "  jaxsched port train.py --factory build_scheduler --format json\n"
        "  jaxsched port train.py:build_scheduler         # the same factory, named in place\n"
        "  jaxsched parity recipe.py:make_scheduler     # a recipe is a CONFIG too",
    )
    po.add_argument("recipe", metavar="RECIPE.py", help="the file, or RECIPE.py:NAME to name the factory")
    po.add_argument("--factory", metavar="NAME", help="the function that builds the scheduler")
    po.add_argument(
        "--lr",
        type=_positive_float,
        default=1.0,
        metavar="LR",
        help="the learning rate of the optimizer given to the factory (default 1.0)",
    )
    po.add_argument("--format", choices=("yaml", "json"), default="yaml")
    po.add_argument("-q", "--quiet", action="store_true", help="no hint on stderr")
    po.set_defaults(func=cmd_port)

    for name, summary, examples in (
        (
            "branch",
            "branch a new decay phase off a running schedule at a step",
            (
                "jaxsched branch run.yaml --at 40000 --steps 4000 --decay 1-sqrt -o cooldown.yaml",
                "jaxsched branch run.yaml --at 40000 --until 45000 --end-value 1e-5",
            ),
        ),
        (
            "stretch",
            "give a running schedule a new horizon from a step on",
            ("jaxsched stretch run.yaml --at 40000 --to 150000 -o longer.yaml",),
        ),
        (
            "extend",
            "hold a running schedule's value for more steps, then continue it",
            ("jaxsched extend wsd.yaml --at 40000 --by 20000 -o longer.yaml",),
        ),
    ):
        sg = sub.add_parser(
            name,
            help=summary,
            formatter_class=raw,
            description=f"Schedule surgery: {summary}. The running schedule is unchanged before --at and "
            "the new one continues from its value at --at (jaxsched." + name + "). Writes the new "
            "config (YAML, or JSON with --format json or a .json file) to -o or stdout; for a running "
            "torch job, pass the new schedule to ScheduleLR.swap() or to the constructor on resume.",
            epilog=_epilog(*examples),
        )
        sg.add_argument("config", metavar="CONFIG")
        sg.add_argument("--at", type=int, required=True, metavar="STEP", help="the step where it acts")
        if name == "branch":
            sg.add_argument("--steps", type=_positive_int, metavar="N", help="length of the new phase")
            sg.add_argument("--until", type=int, metavar="STEP", help="step where the new phase ends")
            sg.add_argument(
                "--decay",
                default="linear",
                choices=("linear", "cosine", "1-sqrt", "exponential"),
                help="shape of the new phase (default linear)",
            )
            sg.add_argument("--end-value", type=float, default=0.0, help="value reached and held (default 0)")
        elif name == "stretch":
            sg.add_argument(
                "--to",
                type=_positive_int,
                required=True,
                metavar="T",
                help="the new horizon (the step where the final value is reached)",
            )
        else:
            sg.add_argument("--by", type=int, required=True, metavar="N", help="steps to add")
        sg.add_argument("-o", "--output", metavar="FILE", help="write the new config here")
        sg.add_argument("--format", choices=("yaml", "json"), default="yaml")
        _add_units(sg)
        sg.set_defaults(func=cmd_surgery)

    ls = sub.add_parser(
        "list",
        help="registered schedule names",
        formatter_class=raw,
        description="Registered schedule names (every one can be a CONFIG) with "
        "the first line of their documentation; exit 2 when none matches.",
        epilog="examples:\n  jaxsched list\n  jaxsched list compat.torch\n  jaxsched list '*cosine*'",
    )
    ls.add_argument(
        "pattern",
        nargs="?",
        metavar="PATTERN",
        help="only names containing PATTERN (or matching it as a glob)",
    )
    ls.set_defaults(func=cmd_list)

    cat = sub.add_parser("catalog", help="the catalog as Markdown")
    cat.set_defaults(func=cmd_catalog)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 mismatch, 2 bad input, 3 internal
    error)."""
    try:
        args = parser().parse_args(argv)
        if args.command is None:
            raise UsageError(
                "a command is required: parity, show, plot, compare, port, branch, stretch, extend, "
                "list or catalog (see `jaxsched --help`)"
            )
        return int(args.func(args))
    except UsageError as err:
        _fail(str(err))
        return EXIT_USAGE
    except BrokenPipeError:  # `jaxsched show CONFIG | head`: the reader has all it wanted
        with contextlib.suppress(OSError, ValueError):  # nothing more reaches the closed pipe at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, TypeError, KeyError, OSError) as err:
        _fail(_one_line(err))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # never a traceback, but say it is ours
        if os.environ.get("JAXSCHED_DEBUG"):
            raise
        _fail(f"internal error: {_one_line(err)} (set JAXSCHED_DEBUG=1 for a traceback)")
        return 3


def _one_line(err: BaseException) -> str:
    try:
        text = str(err) if not isinstance(err, KeyError) else str(err.args[0] if err.args else err)
    except ValueError:  # a message that cannot even be formatted
        text = type(err).__name__
    if isinstance(err, OSError) and err.filename:
        text = f"{err.filename}: {err.strerror or text}"
    lines = [x for x in text.splitlines() if x.strip()] or [type(err).__name__]
    return lines[0] if len(lines) == 1 else lines[0] + " ..."


def _fail(message: str) -> None:
    if len(message) > _MESSAGE_LIMIT:
        message = message[: _MESSAGE_LIMIT - 30] + f" ... ({len(message)} characters)"
    sys.stderr.write(f"jaxsched: error: {message}\n")


if __name__ == "__main__":
    sys.exit(main())
