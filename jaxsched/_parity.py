"""The parity job: every registered schedule's examples through every evaluation path, compared.

Each configuration (a registered schedule class times its ``examples``, or any schedule you pass) is
evaluated by

- ``numpy``: :meth:`Schedule.numpy`, float64, the baseline every other path is compared with;
- ``jax-f32``: :meth:`Schedule.__call__` under JAX's default float32;
- ``jax-f64``: the same under ``jax.enable_x64(True)``;
- ``torch_bridge``: :class:`torch_bridge.ScheduleLR` over a dummy ``torch.optim.SGD``, reading
  ``param_groups[0]["lr"]`` after construction and after each ``step()``;
- ``original``: the original library's own scheduler, where a runner is registered in
  :mod:`jaxsched._references` and the library is installed.

The error of a path is the largest relative difference from the baseline, with an absolute floor
near zero:

.. math:: e = \\max_k \\frac{|a_k - b_k|}{\\max(|b_k|,\\ f \\cdot \\max_j |b_j|)}

A path fails when :math:`e` exceeds its tolerance (:data:`TOLERANCES`). JAX paths are compared on
the dense steps ``0..n-1``, the key steps and a few far steps up to ``2**31 - 1``; torch paths on
the dense steps.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import math
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jaxsched._core import Schedule

PATHS = ("jax-f32", "jax-f64", "torch_bridge", "original")
"""The paths compared with the NumPy float64 baseline, in table order."""


@dataclass(frozen=True)
class Tolerance:
    """``rtol``: the largest relative error; ``floor``: the floor of the denominator, as a fraction
    of the curve's largest magnitude (so values that decay to ~0 are compared absolutely there)."""

    rtol: float
    floor: float


TOLERANCES: dict[str, Tolerance] = {
    # float32 rounds to 6e-8; a formula compounds a few roundings, a recursive product
    # (MultiplicativeLR) one per step: 1e-5 is ~80 ulps, far below any real defect (optax's
    # float32 cosine tail is 21% off).
    "jax-f32": Tolerance(rtol=1e-5, floor=1e-6),
    "jax-f64": Tolerance(rtol=1e-12, floor=1e-12),
    "torch_bridge": Tolerance(rtol=1e-12, floor=1e-12),
    # Originals compute in float64 with their own formulas, often less stable than ours: 1 - cos(x)
    # near the end of a cosine, recursive (chainable) products. Their error is ~1e-16 of the peak,
    # so the floor sits at 1e-6 of the peak and the tolerance at 1e-10.
    "original": Tolerance(rtol=1e-10, floor=1e-6),
}

DENSE_STEPS = 4000
"""At most this many dense steps per configuration (JAX, NumPy)."""
TORCH_STEPS = 1500
"""At most this many ``scheduler.step()`` calls per configuration (torch_bridge, originals)."""
_GRID = 4096
_FAR = (10**5, 10**6, 2**24 - 1, 2**24 + 1, 10**8, 2**31 - 2, 2**31 - 1)


@dataclass
class Case:
    """One configuration to check: a label, its config, its schedule (or the error)."""

    label: str
    config: dict[str, Any] | None
    schedule: Schedule | None = None
    error: str | None = None


@dataclass
class PathResult:
    """One path of one case: the error (None when not run), its tolerance, and a status."""

    status: str
    """``"ok"``, ``"FAIL"``, ``"error"`` (the path raised) or ``"n/a"`` (not available)."""
    error: float | None = None
    tolerance: float | None = None
    note: str = ""


@dataclass
class Result:
    case: Case
    steps: int = 0
    paths: dict[str, PathResult] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """Warnings raised while evaluating (reported, not failures)."""

    @property
    def ok(self) -> bool:
        return self.case.error is None and all(
            p.status in ("ok", "n/a") for p in self.paths.values())


def relative_error(a: Any, b: Any, floor: float) -> float:
    """:math:`\\max_k |a_k - b_k| / \\max(|b_k|, f \\max_j |b_j|)`; ``inf`` on a non-finite ``a``
    or a shape mismatch.

    Args:
      a: the values checked.
      b: the reference values (float64).
      floor: :math:`f`, the denominator's floor as a fraction of the reference's largest magnitude.

    Returns:
      The largest relative error (0.0 for identical curves).

    Example:
      >>> from jaxsched._parity import relative_error
      >>> relative_error([1.0, 0.5, 0.0], [1.0, 0.5, 1e-9], floor=1e-6)
      0.001
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return math.inf
    if a.size == 0:
        return 0.0
    if not np.all(np.isfinite(a)):
        return math.inf
    scale = float(np.max(np.abs(b)))
    denom = np.maximum(np.abs(b), floor * scale if scale > 0 else floor)
    denom = np.where(denom > 0, denom, 1.0)
    return float(np.max(np.abs(a - b) / denom))


def horizon(schedule: Schedule, cap: int = DENSE_STEPS) -> int:
    """Dense steps to show a schedule: its last key step plus 25%, at least 32, at most ``cap``."""
    last = max(schedule.key_steps() or [0])
    return int(min(max(math.ceil(last * 1.25) + 8, 32), cap))


def grid(n: int, key_steps: Iterable[int] = ()) -> np.ndarray:
    """The steps the JAX paths are checked at: ``0..n-1``, the key steps +-1 and far steps, in a
    fixed-size array (padded with its last step) so JAX compiles each operation once per job."""
    extra = {k + d for k in key_steps for d in (-1, 0, 1)} | set(_FAR)
    extra = {k for k in extra if n <= k <= 2**31 - 1}
    steps = np.concatenate([np.arange(n, dtype=np.int64), np.array(sorted(extra), dtype=np.int64)])
    steps = steps[:_GRID]
    return np.concatenate([steps, np.full(_GRID - steps.size, steps[-1], dtype=np.int64)])


# -- cases -----------------------------------------------------------------------------------------

def default_cases(only: Sequence[str] = ()) -> tuple[list[Case], dict[str, str]]:
    """Every registered schedule class times its ``examples`` (native, combinators and every port).

    Args:
      only: if given, keep the names that contain one of these substrings (or match a glob).

    Returns:
      ``(cases, import_failures)``: the cases, and ``{module: error}`` for ports that failed to
      import.
    """
    import fnmatch

    from jaxsched import _config
    from jaxsched._core import registry

    failures = _config.import_all_ports()
    cases: list[Case] = []
    names = sorted(registry(), key=lambda n: (n.startswith("compat."), n))
    for name in names:
        if only and not any(p in name or fnmatch.fnmatchcase(name, p) for p in only):
            continue
        cls = registry()[name]
        for i, example in enumerate(cls.examples):
            cases.append(case_from_config({"name": name, **example}, f"{name}[{i}]"))
    return cases, failures


def case_from_config(config: Any, label: str | None = None) -> Case:
    """A case from a config dict or file; a config that does not build becomes a failing case."""
    from jaxsched._config import from_config

    if label is None:
        label = config if isinstance(config, str) else str(config.get("name", "?"))
    try:
        s = from_config(config)
    except Exception as err:
        return Case(label, config if isinstance(config, dict) else None,
                    error=f"{type(err).__name__}: {err}")
    try:
        cfg = s.to_config()
    except Exception as err:
        return Case(label, config if isinstance(config, dict) else None, schedule=s,
                    error=f"to_config: {type(err).__name__}: {err}")
    return Case(label, cfg, schedule=s)


def case_from_schedule(schedule: Schedule, label: str | None = None) -> Case:
    """A case for a schedule object (its config, when it has one, goes to the float64 worker)."""
    try:
        config: dict[str, Any] | None = schedule.to_config()
    except Exception:
        config = None
    return Case(label or schedule.config_name, config, schedule=schedule)


# -- paths -----------------------------------------------------------------------------------------

def torch_bridge_values(schedule: Schedule, n: int) -> np.ndarray:
    """The LR that ``torch_bridge.ScheduleLR`` sets on a dummy SGD at updates ``0..n-1``."""
    import torch

    from torch_bridge import ScheduleLR

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0)
    sched = ScheduleLR(opt, schedule, warn_on_override=False)
    out = np.empty(n, dtype=np.float64)
    out[0] = opt.param_groups[0]["lr"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(1, n):
            opt.step()
            sched.step()
            out[k] = opt.param_groups[0]["lr"]
    return out


def _check(path: str, values: Any, reference: np.ndarray, note: str = "") -> PathResult:
    tol = TOLERANCES[path]
    err = relative_error(values, reference, tol.floor)
    return PathResult("ok" if err <= tol.rtol else "FAIL", err, tol.rtol, note)


def _error(err: BaseException) -> PathResult:
    text = f"{type(err).__name__}: {err}".splitlines()[0]
    return PathResult("error", note=text[:200])


def run(cases: Sequence[Case], *, paths: Sequence[str] = PATHS, dense_steps: int = DENSE_STEPS,
        torch_steps: int = TORCH_STEPS,
        progress: Callable[[int, int, str], None] | None = None) -> list[Result]:
    """Evaluate every case through every path and compare with the NumPy float64 baseline.

    Args:
      cases: from :func:`default_cases`, :func:`case_from_config` or :func:`case_from_schedule`.
      paths: a subset of :data:`PATHS`.
      dense_steps: cap on the dense steps per case for the JAX/NumPy paths.
      torch_steps: cap on the ``step()`` calls per case for the torch paths.
      progress: called as ``progress(done, total, label)`` before each unit of work.

    Returns:
      One :class:`Result` per case.

    Example:
      >>> import jaxsched
      >>> from jaxsched import _parity
      >>> case = _parity.case_from_schedule(jaxsched.cosine_decay(1.0, 100))
      >>> [r] = _parity.run([case], paths=["jax-f32", "jax-f64"])
      >>> r.ok, r.paths["jax-f64"].error < 1e-12
      (True, True)
    """
    references: dict[str, Any] = {}
    if "original" in paths:
        from jaxsched._references import references as all_references

        references = all_references()
    total = len(cases)
    results = [Result(c) for c in cases]
    grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for i, r in enumerate(results):
        s = r.case.schedule
        if s is None:
            continue
        try:
            n = horizon(s, dense_steps)
            steps = grid(n, s.key_steps())
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                base = s.numpy(steps)
            r.warnings += sorted({f"numpy: {w.category.__name__}: {w.message}" for w in caught})
        except Exception as err:
            r.case.error = f"numpy: {type(err).__name__}: {err}"
            continue
        r.steps = n
        grids[i] = (steps, base)
        if not np.all(np.isfinite(base)):
            r.case.error = "numpy: non-finite values"

    # float64 JAX runs in a subprocess, beside the float32 and torch work of this one.
    worker = _X64Worker.start({i: results[i] for i in grids}) if "jax-f64" in paths else None

    for i, r in enumerate(results):
        if progress:
            progress(i, total, r.case.label)
        s = r.case.schedule
        if s is None or i not in grids:
            continue
        start = time.perf_counter()
        steps, base = grids[i]
        if "jax-f32" in paths:
            try:
                r.paths["jax-f32"] = _check("jax-f32", np.asarray(s(steps)), base)
            except Exception as err:
                r.paths["jax-f32"] = _error(err)
        m = min(r.steps, torch_steps)
        if "torch_bridge" in paths:
            try:
                values = torch_bridge_values(s, m)
                r.paths["torch_bridge"] = _check("torch_bridge", values, base[:m])
            except ImportError as err:
                if importlib.util.find_spec("torch") is None:
                    r.paths["torch_bridge"] = PathResult("n/a", note="torch not installed")
                else:  # torch is there, so a bridge that does not import is a failure
                    r.paths["torch_bridge"] = _error(err)
            except Exception as err:
                r.paths["torch_bridge"] = _error(err)
        if "original" in paths:
            r.paths["original"] = _original(references.get(s.config_name), s, m, base[:m])
        r.seconds += time.perf_counter() - start

    if "jax-f64" in paths:
        if progress:
            progress(total, total, "float64 (subprocess)")
        values64 = worker.finish() if worker is not None else {}
        for i, (steps, base) in grids.items():
            r = results[i]
            got = values64.get(i)
            if got is None or isinstance(got, str):
                # No config to send, the worker failed, or it could not rebuild the schedule from
                # its config (a class defined in a script): evaluate in this process.
                got = _x64_values(r.case.schedule, steps)
            if isinstance(got, BaseException):
                r.paths["jax-f64"] = _error(got)
            else:
                r.paths["jax-f64"] = _check("jax-f64", got, base)
    if progress:
        progress(total, total, "")
    order = {p: j for j, p in enumerate(PATHS)}
    for r in results:
        r.paths = dict(sorted(r.paths.items(), key=lambda kv: order[kv[0]]))
    return results


def _x64_values(schedule: Any, steps: np.ndarray) -> Any:
    import jax

    try:
        with jax.enable_x64(True):
            return np.asarray(schedule(steps))
    except Exception as err:
        return err


class _X64Worker:
    """``python -m jaxsched._parity --x64-worker IN OUT``: configs evaluated under x64."""

    def __init__(self, proc: Any, tmp: str, index: list[int]):
        self.proc, self.tmp, self.index = proc, tmp, index

    @classmethod
    def start(cls, results: dict[int, Result]) -> _X64Worker | None:
        import json
        import os
        import subprocess
        import sys
        import tempfile

        jobs, index = [], []
        for i, r in results.items():
            if r.case.config is None or r.case.schedule is None:
                continue
            jobs.append({"config": r.case.config, "n": r.steps})
            index.append(i)
        if not jobs:
            return None
        tmp = tempfile.mkdtemp(prefix="jaxsched-parity-")
        with open(os.path.join(tmp, "in.json"), "w", encoding="utf-8") as fh:
            json.dump(jobs, fh)
        env = dict(os.environ, JAX_ENABLE_X64="1",
                   JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "jaxsched._parity", "--x64-worker",
                 os.path.join(tmp, "in.json"), os.path.join(tmp, "out.npz")],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        except OSError:
            return None
        return cls(proc, tmp, index)

    def finish(self) -> dict[int, Any]:
        import json
        import os
        import shutil

        self.proc.communicate()
        out: dict[int, Any] = {}
        try:
            if self.proc.returncode == 0:
                with np.load(os.path.join(self.tmp, "out.npz")) as data:
                    errors = json.loads(str(data["errors"]))
                    for j, i in enumerate(self.index):
                        out[i] = errors.get(str(j)) or data[f"v{j}"]
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return out


def _worker_main(src: str, dst: str) -> None:
    import json

    import jax

    from jaxsched._config import from_config

    jax.config.update("jax_enable_x64", True)
    with open(src, encoding="utf-8") as fh:
        jobs = json.load(fh)
    arrays: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for j, job in enumerate(jobs):
        try:
            s = from_config(job["config"])
            arrays[f"v{j}"] = np.asarray(s(grid(job["n"], s.key_steps())), dtype=np.float64)
        except Exception as err:
            errors[str(j)] = f"{type(err).__name__}: {err}"
            arrays[f"v{j}"] = np.zeros(0)
    np.savez(dst, errors=np.array(json.dumps(errors)), **arrays)


def _original(ref: Any, s: Schedule, n: int, base: np.ndarray) -> PathResult:
    if ref is None:
        return PathResult("n/a", note="no reference")
    library = ref.library
    if not ref.available():
        return PathResult("n/a", note=f"{library} not installed")
    logging.disable(logging.INFO)  # originals that log at import or construction
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = np.asarray(ref.run(s, n), dtype=np.float64).reshape(-1)
    except Exception as err:
        out = _error(err)
        out.note = f"{library}: {out.note}"
        return out
    finally:
        logging.disable(logging.NOTSET)
    m = min(values.size, n)
    if m == 0:
        return PathResult("error", note=f"{library}: the runner returned no values")
    tol = getattr(ref, "rtol", None)
    result = _check("original", values[:m], base[:m], note=library)
    if tol is not None and result.error is not None:
        result.tolerance = float(tol)
        result.status = "ok" if result.error <= tol else "FAIL"
    return result


# -- report ----------------------------------------------------------------------------------------

def _fmt(p: PathResult | None) -> str:
    if p is None:
        return "-"
    if p.status == "n/a":
        return "n/a"
    if p.status == "error":
        return "ERROR"
    assert p.error is not None
    text = "0" if p.error == 0 else ("inf" if math.isinf(p.error) else f"{p.error:.1e}")
    return text + (" !" if p.status == "FAIL" else "")


def format_table(results: Sequence[Result], *, verbose: bool = False) -> str:
    """The results as a text table: the largest relative error per path, then the failures.

    Args:
      results: from :func:`run`.
      verbose: list every case (default: every case too; failures are always explained below).

    Returns:
      The table, with a header, one row per case, a legend with the tolerances and a summary line.
    """
    paths = [p for p in PATHS if any(p in r.paths for r in results)]
    head = ["schedule", "steps", *paths, "library", "status"]
    rows = []
    for r in results:
        orig = r.paths.get("original")
        lib = orig.note.split(":")[0] if orig and orig.status not in ("n/a",) else ""
        status = "ok" if r.ok else ("ERROR" if r.case.error else "FAIL")
        rows.append([r.case.label, str(r.steps or "-"), *(_fmt(r.paths.get(p)) for p in paths),
                     lib or "-", status])
    widths = [max(len(h), *(len(row[j]) for row in rows)) if rows else len(h)
              for j, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [c.ljust(w) if j == 0 or j >= len(head) - 2 else c.rjust(w)
                 for j, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append("Largest relative error against NumPy float64, "
                 "max|a-b| / max(|b|, floor * max|b|); '!' marks a value over tolerance.")
    lines.append("Tolerances: " + ", ".join(
        f"{p} {TOLERANCES[p].rtol:g} (floor {TOLERANCES[p].floor:g})" for p in paths) + ".")
    for r in results:
        for w in r.warnings:
            lines.append(f"WARN  {r.case.label} {w}")
    bad = [r for r in results if not r.ok]
    for r in bad:
        if r.case.error:
            lines.append(f"ERROR {r.case.label}: {r.case.error}")
        for p, pr in r.paths.items():
            if pr.status == "FAIL":
                lines.append(f"FAIL  {r.case.label} {p}: {pr.error:.3g} > {pr.tolerance:g}"
                             + (f" ({pr.note})" if pr.note else ""))
            elif pr.status == "error":
                lines.append(f"ERROR {r.case.label} {p}: {pr.note}")
    lines.append(summary(results))
    return "\n".join(lines)


def summary(results: Sequence[Result]) -> str:
    """One line: how many configurations, how many compared with their original, how many failed."""
    names = {r.case.label.split("[")[0] for r in results}
    originals = [r for r in results if (p := r.paths.get("original")) and p.status != "n/a"]
    missing = sorted({p.note for r in results if (p := r.paths.get("original"))
                      and p.status == "n/a" and p.note.endswith("not installed")})
    bad = sum(not r.ok for r in results)
    text = (f"{len(results)} configurations of {len(names)} schedules; {len(originals)} compared "
            "with their original library")
    if missing:
        text += f" ({', '.join(missing)})"
    return text + (f"; {bad} FAILED." if bad else "; all within tolerance.")


def to_json(results: Sequence[Result]) -> list[dict[str, Any]]:
    """The results as JSON-serialisable dicts (for ``jaxsched parity --json``)."""
    out = []
    for r in results:
        out.append({
            "label": r.case.label, "config": r.case.config, "steps": r.steps, "ok": r.ok,
            "error": r.case.error, "seconds": round(r.seconds, 4), "warnings": r.warnings,
            "paths": {p: {k: x for k, x in dataclasses.asdict(pr).items()
                          if not (isinstance(x, float) and math.isinf(x))}
                      for p, pr in r.paths.items()},
        })
    return out


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 4 and sys.argv[1] == "--x64-worker":
        _worker_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: python -m jaxsched._parity --x64-worker IN.json OUT.npz "
                 "(use `jaxsched parity`)")
