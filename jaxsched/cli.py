"""The ``jaxsched`` command line (also ``python -m jaxsched``).

Commands::

    jaxsched parity [CONFIG...]          every schedule and port through JAX f32/f64, NumPy,
                                         torch_bridge and the original library; exit 1 on a
                                         mismatch
    jaxsched show CONFIG                 the values at the key steps
    jaxsched plot CONFIG... -o FILE.png  curves on one figure
    jaxsched compare CONFIG              JAX and torch_bridge side by side, largest difference
    jaxsched list [PATTERN]              registered schedule names
    jaxsched catalog                     the catalog as Markdown (docs/catalog.md)

A CONFIG is a JSON or YAML file, an inline JSON/YAML mapping (``'{name: cosine_decay, ...}'``), or a
registered name (``cosine_decay``, ``compat.torch.OneCycleLR[1]``) standing for its built-in
example. Bad input prints one line on stderr and exits with status 2; a parity or compare mismatch
exits with 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np

EXIT_MISMATCH = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# -- configs ---------------------------------------------------------------------------------------

_EXAMPLE_RE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?:\[(?P<index>\d+)\])?$")


def load(spec: str, units: dict[str, Any] | None = None) -> tuple[Any, str]:
    """A schedule and a label from a CONFIG argument (file, inline mapping, or name[index]).

    Example:
      >>> from jaxsched.cli import load
      >>> s, name = load("cosine_decay[1]")
      >>> name, s.config_name
      ('cosine_decay[1]', 'cosine_decay')
    """
    from jaxsched._config import ConfigError, from_config, lookup

    units = {k: x for k, x in (units or {}).items() if x is not None}
    text = spec.strip()
    if text.startswith("{"):
        try:
            cfg = json.loads(text)
        except json.JSONDecodeError:
            try:
                import yaml

                cfg = yaml.safe_load(text)
            except Exception as err:
                raise ConfigError(f"inline config: cannot parse {spec!r}: {err}") from None
        return from_config(cfg, **units), str(cfg.get("name", cfg.get("kind", "config")))
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
                raise ConfigError(f"{text}: {cls.config_name} has no built-in example; "
                                  "give a config")
            if index >= len(cls.examples):
                raise ConfigError(f"{text}: {cls.config_name} has {len(cls.examples)} example(s), "
                                  f"index {index} is out of range")
            return from_config({"name": cls.config_name, **cls.examples[index]}, **units), text
    from jaxsched._config import _suggest

    raise ConfigError(f"{spec}: no such file, and not a registered schedule name{_suggest(text)}")


def _units(args: argparse.Namespace) -> dict[str, Any]:
    return {"total_steps": args.total_steps, "steps_per_epoch": args.steps_per_epoch,
            "tokens_per_step": args.tokens_per_step}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
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


# -- commands --------------------------------------------------------------------------------------

def _fmt(x: float) -> str:
    return f"{x:.9g}"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[j]) for r in rows)) if rows else len(h)
              for j, h in enumerate(head)]
    out = ["  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def cmd_show(args: argparse.Namespace) -> int:
    from jaxsched._parity import horizon

    s, _ = load(args.config, _units(args))
    end = args.steps if args.steps is not None else horizon(s, cap=2**31 - 1)
    steps = sorted({*(k for k in s.key_steps() if k <= end), end})
    values = s.numpy(np.asarray(steps, dtype=np.int64))
    f32 = np.asarray(s(np.asarray(steps, dtype=np.int64)), dtype=np.float64) if args.jax else None
    print(repr(s))
    head = ["step", "value"] + (["jax float32"] if f32 is not None else [])
    rows = [[str(k), _fmt(float(v))] + ([_fmt(float(f32[i]))] if f32 is not None else [])
            for i, (k, v) in enumerate(zip(steps, values, strict=True))]
    print(_table(head, rows))
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from jaxsched._parity import horizon
    from jaxsched.plot import save

    loaded = [load(c, _units(args)) for c in args.configs]
    scheds = [s for s, _ in loaded]
    labels = args.label or [name for _, name in loaded]
    if len(labels) != len(scheds):
        raise UsageError(f"--label: give one per config ({len(scheds)}), got {len(labels)}")
    steps = args.steps or max(horizon(s, cap=10**7) for s in scheds)
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in (".png", ".svg", ".pdf"):
        raise UsageError(f"-o: the file must end in .png, .svg or .pdf, got {args.output!r}")
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise UsageError(f"-o: no such directory {folder!r}")
    xs = np.unique(np.linspace(0, steps - 1, num=min(steps, 4000)).round().astype(np.int64))
    keys = {k for s in scheds for k in s.key_steps() if k < steps}
    xs = np.union1d(xs, np.fromiter(keys, dtype=np.int64, count=len(keys)))
    save(scheds, args.output, xs, labels=labels, log=args.log, title=args.title)
    curves = f"{len(scheds)} curve{'s' if len(scheds) > 1 else ''}"
    print(f"wrote {args.output} ({curves}, {steps} steps)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from jaxsched._parity import TOLERANCES, horizon, relative_error, torch_bridge_values

    s, _ = load(args.config, _units(args))
    n = args.steps or horizon(s, cap=20_000)
    steps = np.arange(n, dtype=np.int64)
    if args.x64:
        import jax

        with jax.enable_x64(True):
            jx = np.asarray(s(steps), dtype=np.float64)
        tol = TOLERANCES["jax-f64"]
    else:
        jx = np.asarray(s(steps), dtype=np.float64)
        tol = TOLERANCES["jax-f32"]
    try:
        tb = torch_bridge_values(s, n)
    except ImportError as err:
        raise UsageError(f"compare needs torch and torch_bridge: {err}") from None
    diff = np.abs(jx - tb)
    rel = relative_error(jx, tb, tol.floor)
    worst = int(np.argmax(diff))
    shown = sorted({*(k for k in s.key_steps() if k < n),
                    *np.linspace(0, n - 1, num=min(n, args.rows)).round().astype(int).tolist(),
                    worst})
    print(repr(s))
    kind = "float64" if args.x64 else "float32"
    rows = [[str(k), _fmt(jx[k]), _fmt(tb[k]), f"{diff[k]:.3g}"] for k in shown]
    print(_table(["step", f"jax ({kind})", "torch_bridge", "|diff|"], rows))
    ok = rel <= tol.rtol
    print(f"largest difference: {diff[worst]:.3g} at step {worst} (relative {rel:.3g}, tolerance "
          f"{tol.rtol:g}): {'ok' if ok else 'MISMATCH'}")
    if args.output:
        _compare_figure(s, steps, jx, tb, args.output, kind)
        print(f"wrote {args.output}")
    return 0 if ok else EXIT_MISMATCH


def _compare_figure(s: Any, steps: np.ndarray, jx: np.ndarray, tb: np.ndarray, path: str,
                    kind: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4), layout="constrained")
    FigureCanvasAgg(fig)
    a, b = fig.subplots(1, 2)
    a.plot(steps, jx, label=f"JAX {kind}", linewidth=2.2)
    a.plot(steps, tb, label="torch_bridge", linestyle="--", linewidth=1.4)
    a.set_xlabel("step")
    a.set_ylabel("value")
    a.legend(frameon=False)
    a.set_title(s.config_name)
    b.plot(steps, jx - tb, linewidth=1.0)
    b.set_xlabel("step")
    b.set_ylabel("JAX - torch_bridge")
    b.set_title("difference")
    fig.savefig(path, dpi=110)


def cmd_parity(args: argparse.Namespace) -> int:
    from jaxsched import _parity

    if args.configs:
        cases = [_parity.case_from_schedule(*load(spec, _units(args))) for spec in args.configs]
        failures: dict[str, str] = {}
    else:
        cases, failures = _parity.default_cases(args.only or ())
        if not cases:
            raise UsageError(f"--only: no registered schedule matches {args.only}")
    skip = {"torch_bridge": args.no_torch, "original": args.no_original, "jax-f64": args.no_x64}
    paths = [p for p in _parity.PATHS if not skip.get(p)]
    progress = None if args.quiet else _Progress(sys.stderr)
    results = _parity.run(cases, paths=paths, progress=progress, dense_steps=args.steps,
                          torch_steps=args.torch_steps)
    if progress is not None:
        progress.close()
    shown = [r for r in results if not r.ok] if args.failures else results
    text = _parity.format_table(shown)
    if args.failures:
        text = text.rsplit("\n", 1)[0] + "\n" + _parity.summary(results)
    for module, problem in failures.items():
        text += f"\nERROR {module} does not import: {problem}"
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(_parity.to_json(results), fh, indent=1)
    return 0 if all(r.ok for r in results) and not failures else EXIT_MISMATCH


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


def cmd_list(args: argparse.Namespace) -> int:
    from jaxsched._config import import_all_ports
    from jaxsched._core import registry

    import_all_ports()
    items = sorted(registry().items(), key=lambda kv: (kv[0].startswith("compat."), kv[0]))
    for name, cls in items:
        if args.pattern and args.pattern not in name:
            continue
        doc = (cls.__doc__ or "").strip().splitlines()
        print(f"{name:48s} {doc[0] if doc else ''}".rstrip())
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
    "piecewise_constant": ("`MultiStepLR` (one factor per milestone)",
                           "`piecewise_constant_schedule`"),
    "piecewise_interpolate": ("-", "`piecewise_interpolate_schedule`"),
    "cosine_decay": ("`CosineAnnealingLR` (closed form, no restart past `T_max`)",
                     "`cosine_decay_schedule`"),
    "warmup_constant": ("`LinearLR` warmup factor", "`warmup_constant_schedule`"),
    "warmup_cosine_decay": ("`SequentialLR([LinearLR, CosineAnnealingLR])`",
                            "`warmup_cosine_decay_schedule`"),
    "warmup_linear_decay": ("`SequentialLR([LinearLR, LinearLR])`",
                            "`join_schedules` of two linear"),
    "warmup_exponential_decay": ("`SequentialLR([LinearLR, ExponentialLR])`",
                                 "`warmup_exponential_decay_schedule`"),
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
    out = ["# jaxsched catalog", "",
           "Generated by `jaxsched catalog > docs/catalog.md` from the registry and the "
           "docstrings. `s(k)` is the value used by update `k`, counting from 0; the formulas are "
           "in each class's docstring.", "", "## Native schedules and combinators", "",
           "| name | what it computes | torch equivalent | optax equivalent |", "|---|---|---|---|"]
    for name in sorted((n for n in reg if not n.startswith("compat.")),
                       key=lambda n: (n in ("join", "multiply", "shift", "clip", "repeat",
                                            "per_epoch"), n)):
        torch_eq, optax_eq = _EQUIVALENTS.get(name, ("-", "-"))
        out.append(f"| `{name}` | {_summary(reg[name])} | {torch_eq} | {optax_eq} |")
    libs: dict[str, list[str]] = {}
    for name in reg:
        if name.startswith("compat."):
            libs.setdefault(name.split(".")[1], []).append(name)
    out += ["", "## Ports (`jaxsched.compat.<library>`)", "",
            "Each port takes its original's argument names (minus the optimizer; base LRs are "
            "explicit) and reproduces what the original applies at every update. See "
            "`docs/porting.md`.", ""]
    for lib in sorted(libs):
        out += [f"### `{lib}`", "", "| name | what it computes |", "|---|---|"]
        for name in sorted(libs[lib]):
            out.append(f"| `{name}` | {_summary(reg[name])} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# -- entry point -----------------------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="jaxsched", description="Schedules for JAX/Optax with a PyTorch bridge: "
                "parity checks, previews and plots.")
    from jaxsched import __version__

    p.add_argument("--version", action="version", version=f"jaxsched {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    q = sub.add_parser("parity", help="check every schedule and port across all evaluation paths",
                       description="Evaluate every registered schedule's examples (or the given "
                       "configs) through JAX float32, JAX float64, NumPy float64, torch_bridge and "
                       "the original library, print the largest relative disagreement per "
                       "configuration and exit with status 1 on any mismatch beyond tolerance.")
    q.add_argument("configs", nargs="*", metavar="CONFIG", help="configs to check instead of the "
                   "built-in examples")
    q.add_argument("--only", action="append", metavar="PATTERN",
                   help="only schedules whose name contains PATTERN (or matches it as a glob)")
    q.add_argument("--no-torch", action="store_true", help="skip the torch_bridge path")
    q.add_argument("--no-original", action="store_true", help="skip the original libraries")
    q.add_argument("--no-x64", action="store_true", help="skip the JAX float64 path")
    q.add_argument("--steps", type=_positive_int, default=4000, metavar="N",
                   help="at most N dense steps per configuration (default 4000)")
    q.add_argument("--torch-steps", type=_positive_int, default=1500, metavar="N",
                   help="at most N scheduler.step() calls per configuration (default 1500)")
    q.add_argument("--failures", action="store_true", help="list only the failing configurations")
    q.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    q.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _add_units(q)
    q.set_defaults(func=cmd_parity)

    s = sub.add_parser("show", help="the values at the key steps",
                       description="Print the schedule and its values at its key steps and at "
                       "the end.")
    s.add_argument("config", metavar="CONFIG")
    s.add_argument("--steps", type=_positive_int, metavar="N", help="the last step shown")
    s.add_argument("--jax", action="store_true", help="also show JAX's float32 values")
    _add_units(s)
    s.set_defaults(func=cmd_show)

    pl = sub.add_parser("plot", help="plot one or several schedules to an image",
                        description="Plot schedules on one figure, with a marker at each key step.")
    pl.add_argument("configs", nargs="+", metavar="CONFIG")
    pl.add_argument("-o", "--output", required=True, metavar="FILE.png")
    pl.add_argument("--steps", type=_positive_int, metavar="N", help="plot steps 0..N-1")
    pl.add_argument("--log", action="store_true", help="logarithmic value axis")
    pl.add_argument("--label", action="append", metavar="TEXT",
                    help="legend label (one per config)")
    pl.add_argument("--title", metavar="TEXT")
    _add_units(pl)
    pl.set_defaults(func=cmd_plot)

    c = sub.add_parser("compare", help="JAX and torch_bridge side by side",
                       description="Evaluate one schedule with JAX and through "
                       "torch_bridge.ScheduleLR over a dummy SGD, print both at key and sampled "
                       "steps and the largest difference; exit 1 beyond tolerance.")
    c.add_argument("config", metavar="CONFIG")
    c.add_argument("--steps", type=_positive_int, metavar="N", help="compare steps 0..N-1")
    c.add_argument("--rows", type=_positive_int, default=12, metavar="N", help="sampled rows shown")
    c.add_argument("--x64", action="store_true", help="JAX in float64 (default float32)")
    c.add_argument("-o", "--output", metavar="FILE.png",
                   help="also plot both curves and their difference")
    _add_units(c)
    c.set_defaults(func=cmd_compare)

    ls = sub.add_parser("list", help="registered schedule names")
    ls.add_argument("pattern", nargs="?")
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
            raise UsageError("a command is required: parity, show, plot, compare, list or catalog "
                             "(see `jaxsched --help`)")
        return int(args.func(args))
    except UsageError as err:
        _fail(str(err))
        return EXIT_USAGE
    except (ValueError, TypeError, KeyError, OSError) as err:
        _fail(_one_line(err))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `jaxsched parity | head`
        return 0
    except Exception as err:  # never a traceback, but say it is ours
        if os.environ.get("JAXSCHED_DEBUG"):
            raise
        _fail(f"internal error: {_one_line(err)} (set JAXSCHED_DEBUG=1 for a traceback)")
        return 3


def _one_line(err: BaseException) -> str:
    text = str(err) if not isinstance(err, KeyError) else str(err.args[0] if err.args else err)
    if isinstance(err, OSError) and err.filename:
        text = f"{err.filename}: {err.strerror or text}"
    lines = [x for x in text.splitlines() if x.strip()] or [type(err).__name__]
    return lines[0] if len(lines) == 1 else lines[0] + " ..."


def _fail(message: str) -> None:
    sys.stderr.write(f"jaxsched: error: {message}\n")


if __name__ == "__main__":
    sys.exit(main())
