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

Every path is compared on the same dense steps ``0..n-1``: by default the whole schedule (its last
key step plus 25%, at least 32 steps; no cap below :data:`MAX_HORIZON`), or the ``steps`` given.
The JAX paths are also compared at the key steps +-1 and a few far steps up to ``2**31 - 1``. The
steps are streamed in blocks of :data:`BLOCK`, so memory does not grow with ``n``: each block is
evaluated by every path, compared, and dropped (the torch schedulers are stepped through once).
A recorded golden curve can be shorter than ``n``; the steps each path was actually compared on
are in :attr:`PathResult.steps`.

The error of a path is the largest relative difference from the baseline, with an absolute floor
near zero:

.. math:: e = \\max_k \\frac{|a_k - b_k|}{\\max(|b_k|,\\ f \\cdot \\max_j |b_j|)}

A path fails when :math:`e` exceeds its tolerance (:data:`TOLERANCES`).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import math
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
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

BLOCK = 4096
"""Steps per block: what every path evaluates, compares and drops at a time (one array shape for
every configuration: JAX compiles each operation once per job)."""
MAX_HORIZON = 10**8
"""The most dense steps compared without an explicit ``steps`` (about five minutes of stepping
torch schedulers); a schedule whose horizon is longer needs ``steps=`` (``--steps``)."""
WORKER_MIN_CASES = 8
"""From this many configurations on (or one longer than :data:`BLOCK` steps), the JAX paths run in a
second process by default (see :func:`run`)."""
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
    steps: int = 0
    """How many steps this path was compared on."""
    worst: int | None = None
    """The step of the largest error."""
    value: float | None = None
    """This path's value at ``worst``."""
    expected: float | None = None
    """The NumPy float64 value at ``worst``."""


@dataclass
class Result:
    case: Case
    steps: int = 0
    """The dense steps ``0..steps-1`` every path is compared on."""
    far: int = 0
    """Extra steps (key steps +-1, far steps) compared on the JAX paths."""
    paths: dict[str, PathResult] = field(default_factory=dict)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """Warnings raised while evaluating (reported, not failures)."""

    @property
    def ok(self) -> bool:
        return self.case.error is None and all(p.status in ("ok", "n/a") for p in self.paths.values())

    @property
    def partial(self) -> bool:
        """The original was compared on fewer steps than the others (a shorter golden curve)."""
        p = self.paths.get("original")
        return p is not None and p.status == "ok" and p.steps < self.steps


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
    scale = float(np.max(np.abs(b)))
    acc = Running(floor, scale)
    acc.add(np.arange(a.size), a, b)
    return acc.error


class Running:
    """The relative error of a path, accumulated block by block against a known curve scale.

    Example:
      >>> import numpy as np
      >>> from jaxsched._parity import Running
      >>> acc = Running(floor=1e-6, scale=2.0)
      >>> acc.add(np.array([0, 1]), np.array([2.0, 1.0]), np.array([2.0, 1.0]))
      >>> acc.add(np.array([2, 3]), np.array([0.5, 0.25]), np.array([0.5, 0.2]))
      >>> acc.steps, acc.worst, round(acc.error, 12)
      (4, 3, 0.25)
    """

    def __init__(self, floor: float, scale: float):
        self.denominator_floor = floor * scale if scale > 0 else floor
        self.error = 0.0
        self.steps = 0
        self.worst: int | None = None
        self.value: float | None = None
        self.expected: float | None = None

    def add(self, steps: np.ndarray, values: Any, base: np.ndarray) -> None:
        """Compare ``values`` with ``base`` at ``steps`` (``values`` may be shorter: a curve that
        ended)."""
        a = np.asarray(values, dtype=np.float64).reshape(-1)
        m = min(a.size, base.size)
        if m == 0:
            return
        a, b = a[:m], base[:m]
        denom = np.maximum(np.abs(b), self.denominator_floor)
        denom = np.where(denom > 0, denom, 1.0)
        with np.errstate(invalid="ignore", over="ignore"):
            e = np.where(np.isfinite(a), np.abs(a - b) / denom, np.inf)
        j = int(np.argmax(e))
        if self.worst is None or e[j] > self.error:
            self.error = float(e[j])
            self.worst, self.value, self.expected = int(steps[j]), float(a[j]), float(b[j])
        self.steps += m

    def result(self, path: str, note: str = "", rtol: float | None = None) -> PathResult:
        tol = TOLERANCES[path].rtol if rtol is None else rtol
        status = "ok" if self.error <= tol else "FAIL"
        return PathResult(status, self.error, tol, note, self.steps, self.worst, self.value, self.expected)


def horizon(schedule: Schedule, cap: int | None = None) -> int:
    """Dense steps that cover a schedule: its last key step plus 25%, at least 32 (at most ``cap``
    when given)."""
    last = max(schedule.key_steps() or [0])
    n = max(math.ceil(last * 1.25) + 8, 32)
    return int(n if cap is None else min(n, cap))


def far_steps(n: int, key_steps: Iterable[int] = ()) -> np.ndarray:
    """The steps the JAX paths are checked at beyond ``0..n-1``: the key steps +-1 and far steps,
    up to ``2**31 - 1``, sorted."""
    extra = {k + d for k in key_steps for d in (-1, 0, 1)} | set(_FAR)
    return np.array(sorted(k for k in extra if n <= k <= 2**31 - 1), dtype=np.int64)


def chunk_size(total: int) -> int:
    """The block shape: :data:`BLOCK` steps whatever ``total`` is (one shape per job, so that JAX
    compiles each operation once, and memory stays at one block per path)."""
    return BLOCK


def chunks(n: int, extra: np.ndarray, size: int) -> Iterator[tuple[np.ndarray, int, int]]:
    """``(steps, valid, dense)`` blocks over ``0..n-1`` then ``extra``: ``steps`` has exactly
    ``size`` entries (the last block padded with its last step), the first ``valid`` are real and
    the first ``dense`` of those are dense steps."""
    total = n + int(extra.size)
    for a in range(0, total, size):
        b = min(a + size, total)
        if b <= n:
            steps = np.arange(a, b, dtype=np.int64)
        elif a >= n:
            steps = extra[a - n : b - n]
        else:
            steps = np.concatenate([np.arange(a, n, dtype=np.int64), extra[: b - n]])
        valid = b - a
        if valid < size:
            steps = np.concatenate([steps, np.full(size - valid, steps[-1], dtype=np.int64)])
        yield steps, valid, max(0, min(b, n) - a)


class _Pull:
    """Take exactly the next ``m`` values from a stream of blocks (fewer once it ends)."""

    def __init__(self, blocks: Iterator[np.ndarray]):
        self.blocks = blocks
        self.buffer = np.zeros(0)
        self.ended = False

    def take(self, m: int) -> np.ndarray:
        parts = []
        while m > 0:
            if self.buffer.size == 0:
                if self.ended:
                    break
                try:
                    self.buffer = np.asarray(next(self.blocks), dtype=np.float64).reshape(-1)
                except StopIteration:
                    self.ended = True
                    break
            part, self.buffer = self.buffer[:m], self.buffer[m:]
            parts.append(part)
            m -= part.size
        return np.concatenate(parts) if parts else np.zeros(0)


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
        return Case(label, config if isinstance(config, dict) else None, error=f"{type(err).__name__}: {err}")
    try:
        cfg = s.to_config()
    except Exception as err:
        return Case(
            label,
            config if isinstance(config, dict) else None,
            schedule=s,
            error=f"to_config: {type(err).__name__}: {err}",
        )
    return Case(label, cfg, schedule=s)


def case_from_schedule(schedule: Schedule, label: str | None = None) -> Case:
    """A case for a schedule object (its config, when it has one, goes to the float64 worker)."""
    try:
        config: dict[str, Any] | None = schedule.to_config()
    except Exception:
        config = None
    return Case(label or schedule.config_name, config, schedule=schedule)


# -- paths -----------------------------------------------------------------------------------------


def torch_bridge_stream(schedule: Schedule, n: int, block: int = BLOCK) -> Iterator[np.ndarray]:
    """The LR that ``torch_bridge.ScheduleLR`` sets on a dummy SGD at updates ``0..n-1``, in
    blocks (``optimizer.step()`` once, then only ``scheduler.step()``)."""
    import torch

    from torch_bridge import ScheduleLR

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0)
    sched = ScheduleLR(opt, schedule, block_size=min(block, 1 << 14), warn_on_override=False)
    opt.step()
    group = opt.param_groups[0]
    done = 0
    while done < n:
        m = min(block, n - done)
        out = np.empty(m)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for j in range(m):
                if done + j:
                    sched.step()
                out[j] = group["lr"]
        done += m
        yield out


def torch_bridge_values(schedule: Schedule, n: int) -> np.ndarray:
    """The LR that ``torch_bridge.ScheduleLR`` sets on a dummy SGD at updates ``0..n-1``."""
    parts = list(torch_bridge_stream(schedule, n))
    return np.concatenate(parts) if parts else np.zeros(0)


def _error(err: BaseException, prefix: str = "") -> PathResult:
    text = f"{type(err).__name__}: {err}".splitlines()[0]
    return PathResult("error", note=(prefix + text)[:200])


def _x64(schedule: Schedule, steps: np.ndarray) -> np.ndarray:
    import jax

    with jax.enable_x64(True):
        return np.asarray(schedule(steps), dtype=np.float64)


def _scale(schedule: Schedule, n: int, extra: np.ndarray, size: int, caught: list[str]) -> tuple[float, bool]:
    """The curve's largest magnitude over every compared step, and whether it is all finite."""
    top, finite = 0.0, True
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for steps, valid, _ in chunks(n, extra, size):
            base = schedule.numpy(steps)[:valid]
            if not np.all(np.isfinite(base)):
                finite = False
                break
            top = max(top, float(np.max(np.abs(base))))
    caught += sorted({f"numpy: {w.category.__name__}: {w.message}" for w in seen})
    return top, finite


def run(
    cases: Sequence[Case],
    *,
    paths: Sequence[str] = PATHS,
    steps: int | None = None,
    block: int = BLOCK,
    progress: Callable[[int, int, str], None] | None = None,
    worker: bool | None = None,
) -> list[Result]:
    """Evaluate every case through every path and compare with the NumPy float64 baseline.

    Args:
      cases: from :func:`default_cases`, :func:`case_from_config` or :func:`case_from_schedule`.
      paths: a subset of :data:`PATHS`.
      steps: compare every path on steps ``0..steps-1`` (default: each schedule's
        :func:`horizon`, refused above :data:`MAX_HORIZON`).
      block: the most steps held at a time.
      progress: called as ``progress(done, total, label)`` before each case, and every few seconds
        within a long one.
      worker: run the JAX paths in a second process (this one then never starts a JAX backend;
        the two run side by side and each holds one of the two big runtimes, JAX's or torch's).
        Default: when there are :data:`WORKER_MIN_CASES` cases or more, or more than
        :data:`BLOCK` steps in one. A schedule the worker cannot rebuild from its config is
        evaluated here.

    Returns:
      One :class:`Result` per case.

    Example:
      >>> import jaxsched
      >>> from jaxsched import _parity
      >>> case = _parity.case_from_schedule(jaxsched.cosine_decay(1.0, 100))
      >>> [r] = _parity.run([case], paths=["jax-f32", "jax-f64"])
      >>> r.ok, r.steps, r.paths["jax-f64"].steps > r.steps, r.paths["jax-f64"].error < 1e-12
      (True, 133, True, True)
    """
    references: dict[str, Any] = {}
    if "original" in paths:
        from jaxsched._references import references as all_references

        references = all_references()
    total = len(cases)
    results = [Result(c) for c in cases]
    plans: dict[int, tuple[np.ndarray, int, float]] = {}
    for i, r in enumerate(results):
        s = r.case.schedule
        if s is None:
            continue
        try:
            n = steps if steps is not None else horizon(s)
            if steps is None and n > MAX_HORIZON:
                r.case.error = (
                    f"its horizon is {n} steps (the last key step plus 25%), more than "
                    f"{MAX_HORIZON}: give the steps to compare (--steps N)"
                )
                continue
            extra = far_steps(n, s.key_steps())
            size = min(chunk_size(n + int(extra.size)), block)
            top, finite = _scale(s, n, extra, size, r.warnings)
        except Exception as err:
            r.case.error = f"numpy: {type(err).__name__}: {err}"
            continue
        r.steps, r.far = n, int(extra.size)
        if not finite:
            r.case.error = "numpy: non-finite values"
            continue
        plans[i] = (extra, size, top)

    jax_paths = [p for p in ("jax-f32", "jax-f64") if p in paths]
    if worker is None:
        worker = len(plans) >= WORKER_MIN_CASES or any(results[i].steps > BLOCK for i in plans)
    second = (
        _JaxWorker.start({i: (results[i], *plans[i]) for i in plans}, jax_paths)
        if worker and jax_paths
        else None
    )
    local = [] if second is not None else jax_paths

    for i, r in enumerate(results):
        if progress:
            progress(i, total, r.case.label)
        if i not in plans:
            continue
        start = time.perf_counter()
        _compare_case(
            r,
            plans[i],
            [*local, *(p for p in paths if p not in jax_paths)],
            references,
            progress=(
                lambda k, n, i=i, r=r: progress(
                    i,
                    total,  # type: ignore[misc]
                    f"{r.case.label} ({k}/{n} steps)",
                )
            )
            if progress
            else None,
        )
        r.seconds += time.perf_counter() - start

    if second is not None:
        if progress:
            progress(total, total, "JAX paths (second process)")
        got = second.finish()
        for i in plans:
            r = results[i]
            for p in jax_paths:
                res = got.get((i, p))
                if res is None:  # no config to send, or the worker failed: evaluate here
                    extra, size, top = plans[i]
                    res = _compare_jax(r.case.schedule, r.steps, extra, size, top, p)
                r.paths[p] = res
    if progress:
        progress(total, total, "")
    order = {p: j for j, p in enumerate(PATHS)}
    for r in results:
        r.paths = dict(sorted(r.paths.items(), key=lambda kv: order[kv[0]]))
    return results


def _compare_jax(
    schedule: Any, n: int, extra: np.ndarray, size: int, top: float, path: str, floor: float | None = None
) -> PathResult:
    """One JAX path of one schedule, over every block (what the JAX worker runs)."""
    acc = Running(TOLERANCES[path].floor if floor is None else floor, top)
    try:
        for steps, valid, _ in chunks(n, extra, size):
            base = schedule.numpy(steps)[:valid]
            got = _x64(schedule, steps) if path == "jax-f64" else np.asarray(schedule(steps))
            acc.add(steps[:valid], got[:valid], base)
    except Exception as err:
        return _error(err)
    return acc.result(path)


def _compare_case(
    r: Result,
    plan: tuple[np.ndarray, int, float],
    paths: Sequence[str],
    references: dict[str, Any],
    *,
    progress: Callable[[int, int], None] | None,
) -> None:
    s = r.case.schedule
    assert s is not None
    extra, size, top = plan
    n = r.steps
    acc: dict[str, Running] = {}
    streams: dict[str, _Pull] = {}
    for p in ("jax-f32", "jax-f64"):
        if p in paths:
            acc[p] = Running(TOLERANCES[p].floor, top)
    if "torch_bridge" in paths:
        try:
            streams["torch_bridge"] = _Pull(torch_bridge_stream(s, n, size))
            acc["torch_bridge"] = Running(TOLERANCES["torch_bridge"].floor, top)
        except ImportError as err:
            if importlib.util.find_spec("torch") is None:
                r.paths["torch_bridge"] = PathResult("n/a", note="torch not installed")
            else:  # torch is there, so a bridge that does not import is a failure
                r.paths["torch_bridge"] = _error(err)
    ref = None
    if "original" in paths:
        ref = references.get(s.config_name)
        if ref is None:
            r.paths["original"] = PathResult("n/a", note="no reference")
        elif not ref.available():
            r.paths["original"] = PathResult("n/a", note=f"{ref.library} not installed")
        else:
            streams["original"] = _Pull(ref.blocks(s, n, size))
            acc["original"] = Running(TOLERANCES["original"].floor, top)
    failed: dict[str, PathResult] = {}
    last_report = time.perf_counter()
    logging.disable(logging.INFO)  # originals that log at import or construction
    try:
        for steps, valid, dense in chunks(n, extra, size):
            base = s.numpy(steps)[:valid]
            for p in list(acc):
                if p in failed:
                    continue
                try:
                    if p == "jax-f32":
                        got = np.asarray(s(steps))[:valid]
                        acc[p].add(steps[:valid], got, base)
                    elif p == "jax-f64":
                        acc[p].add(steps[:valid], _x64(s, steps)[:valid], base)
                    elif dense:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            got = streams[p].take(dense)
                        acc[p].add(steps[:dense], got, base[:dense])
                except Exception as err:
                    failed[p] = _error(err, f"{ref.library}: " if p == "original" and ref else "")
                    if (
                        p == "original"
                        and isinstance(err, LookupError)
                        and type(err).__name__ == "NotRecordedError"
                    ):
                        failed[p] = PathResult(
                            "n/a", note=f"{ref.library}: {err.args[0]}" if ref else str(err)
                        )
            if progress and time.perf_counter() - last_report > 2.0:
                last_report = time.perf_counter()
                progress(min(n, int(steps[valid - 1]) + 1), n)
    finally:
        logging.disable(logging.NOTSET)
    for p, a in acc.items():
        if p in failed:
            r.paths[p] = failed[p]
        elif p == "original":
            assert ref is not None
            if a.steps == 0:
                r.paths[p] = PathResult("error", note=f"{ref.library}: the runner returned no values")
            else:
                r.paths[p] = a.result(p, ref.library, getattr(ref, "rtol", None))
        else:
            r.paths[p] = a.result(p)


# -- the JAX worker ----------------------------------------------------------------------------

_BOOT = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
    "from jaxsched._parity import _worker_main; _worker_main(*sys.argv[2:])"
)


def worker_command(*args: str) -> list[str]:
    """The command that runs the JAX worker: ``python -I`` (no current directory, no
    ``PYTHON*`` variables, no user site) with this process's ``sys.path`` minus the current
    directory, and the directory this ``jaxsched`` comes from. A ``json.py`` in the working
    directory is then never imported."""
    import json
    import os
    import sys

    import jaxsched

    cwd = os.path.realpath(os.getcwd())

    def here(p: str) -> bool:
        return p in ("", ".") or os.path.realpath(p) == cwd

    path = [p for p in sys.path if not here(p)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(jaxsched.__file__)))
    if root not in path:
        # Our own checkout: first, unless it is the working directory (then last, after the
        # standard library and site-packages).
        path = [*path, root] if here(root) else [root, *path]
    return [sys.executable, "-I", "-c", _BOOT, json.dumps(path), *args]


class _JaxWorker:
    """A second process that compares the JAX paths with NumPy, configuration by configuration."""

    def __init__(self, proc: Any, tmp: str, index: list[int], paths: list[str]):
        self.proc, self.tmp, self.index, self.paths = proc, tmp, index, paths

    @classmethod
    def start(
        cls, plans: dict[int, tuple[Result, np.ndarray, int, float]], paths: list[str]
    ) -> _JaxWorker | None:
        import json
        import os
        import subprocess
        import tempfile

        import jaxsched

        jobs, index = [], []
        for i, (r, extra, size, top) in plans.items():
            if r.case.config is None or r.case.schedule is None:
                continue
            jobs.append(
                {"config": r.case.config, "n": r.steps, "extra": extra.tolist(), "size": size, "top": top}
            )
            index.append(i)
        if not jobs:
            return None
        tmp = tempfile.mkdtemp(prefix="jaxsched-parity-")
        with open(os.path.join(tmp, "in.json"), "w", encoding="utf-8") as fh:
            json.dump({"paths": paths, "jobs": jobs, "floors": {p: TOLERANCES[p].floor for p in paths}}, fh)
        env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
        package = os.path.dirname(os.path.abspath(jaxsched.__file__))
        try:
            proc = subprocess.Popen(
                worker_command(os.path.join(tmp, "in.json"), os.path.join(tmp, "out.json"), package),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                cwd=tmp,
            )
        except OSError:
            return None
        return cls(proc, tmp, index, paths)

    def finish(self) -> dict[tuple[int, str], PathResult]:
        """``{(case index, path): result}``; missing entries are for the caller to evaluate."""
        import json
        import os
        import shutil

        self.proc.communicate()
        out: dict[tuple[int, str], PathResult] = {}
        try:
            if self.proc.returncode == 0:
                with open(os.path.join(self.tmp, "out.json"), encoding="utf-8") as fh:
                    answers = json.load(fh)
                for i, answer in zip(self.index, answers, strict=True):
                    for p, res in (answer or {}).items():
                        got = PathResult(**res)
                        if got.status in ("ok", "FAIL") and got.error is not None:
                            # This process's tolerances decide (the worker only measures).
                            got.tolerance = TOLERANCES[p].rtol
                            got.status = "ok" if got.error <= got.tolerance else "FAIL"
                        out[(i, p)] = got
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return out


def _worker_main(src: str, dst: str, package: str | None = None) -> None:
    import json
    import os

    import jaxsched
    from jaxsched._config import from_config

    if package is not None and os.path.dirname(os.path.abspath(jaxsched.__file__)) != package:
        raise SystemExit(f"the worker imported {jaxsched.__file__}, not the caller's {package}")
    with open(src, encoding="utf-8") as fh:
        task = json.load(fh)
    answers: list[dict[str, Any] | None] = []
    for job in task["jobs"]:
        try:
            s = from_config(job["config"])
        except Exception:
            answers.append(None)  # the caller evaluates it itself (a class defined in a script)
            continue
        extra = np.asarray(job["extra"], dtype=np.int64)
        answers.append(
            {
                p: dataclasses.asdict(
                    _compare_jax(s, job["n"], extra, job["size"], job["top"], p, task["floors"][p])
                )
                for p in task["paths"]
            }
        )
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(answers, fh)


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


def status(r: Result, strict: bool = False) -> str:
    """``ok``, ``partial`` (the original's curve is shorter), ``FAIL``, ``ERROR``; with ``strict``,
    a configuration that names a port and was not compared with its original on every step is
    ``INCOMPLETE``."""
    if r.case.error:
        return "ERROR"
    if not r.ok:
        return "FAIL"
    if strict and incomplete(r):
        return "INCOMPLETE"
    return "partial" if r.partial else "ok"


def incomplete(r: Result) -> bool:
    """A port (a ``compat.`` config) whose original was not compared on every step."""
    p = r.paths.get("original")
    if r.case.schedule is None or not r.case.schedule.config_name.startswith("compat."):
        return False
    return p is None or p.status != "ok" or p.steps < r.steps


def format_table(results: Sequence[Result], *, strict: bool = False) -> str:
    """The results as a text table: the largest relative error per path, then the failures.

    Args:
      results: from :func:`run`.
      strict: report ports not compared with their original on every step as ``INCOMPLETE``.

    Returns:
      The table (one row per case, with the steps compared), a legend with the tolerances, the
      failures with the step where each path is worst, and a summary line.
    """
    paths = [p for p in PATHS if any(p in r.paths for r in results)]
    head = ["schedule", "steps", *paths, "library", "status"]
    rows = []
    for r in results:
        orig = r.paths.get("original")
        lib = orig.note.split(":")[0] if orig and orig.status not in ("n/a",) else ""
        if orig is not None and orig.status == "ok" and orig.steps < r.steps:
            lib += f" ({orig.steps} steps)"
        rows.append(
            [
                r.case.label,
                str(r.steps or "-"),
                *(_fmt(r.paths.get(p)) for p in paths),
                lib or "-",
                status(r, strict),
            ]
        )
    widths = [max(len(h), *(len(row[j]) for row in rows)) if rows else len(h) for j, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [
            c.ljust(w) if j == 0 or j >= len(head) - 2 else c.rjust(w)
            for j, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(
        "Largest relative error against NumPy float64, "
        "max|a-b| / max(|b|, floor * max|b|); '!' marks a value over tolerance."
    )
    lines.append(
        "steps: every path compared on steps 0..steps-1 (the JAX paths also at the key "
        "steps +-1 and far steps up to 2**31-1); a library with '(N steps)' was compared "
        "on its first N (a recorded curve), status 'partial'."
    )
    lines.append(
        "Tolerances: "
        + ", ".join(f"{p} {TOLERANCES[p].rtol:g} (floor {TOLERANCES[p].floor:g})" for p in paths)
        + "."
    )
    for r in results:
        for w in r.warnings:
            lines.append(f"WARN  {r.case.label} {w}")
    for r in results:
        if r.case.error:
            lines.append(f"ERROR {r.case.label}: {r.case.error}")
        for p, pr in r.paths.items():
            if pr.status == "FAIL":
                where = ""
                if pr.worst is not None:
                    where = f" at step {pr.worst} ({p} {pr.value!r}, numpy {pr.expected!r})"
                lines.append(
                    f"FAIL  {r.case.label} {p}: {pr.error:.3g} > {pr.tolerance:g}{where}"
                    + (f" ({pr.note})" if pr.note else "")
                )
            elif pr.status == "error":
                lines.append(f"ERROR {r.case.label} {p}: {pr.note}")
        if strict and r.ok and not r.case.error and incomplete(r):
            orig = r.paths.get("original")
            why = (
                orig.note
                if orig and orig.status != "ok"
                else f"compared on {orig.steps} of {r.steps} steps"
                if orig
                else "no original"
            )
            lines.append(f"INCOMPLETE {r.case.label}: the original was not compared on every step ({why})")
    lines.append(summary(results, strict=strict))
    return "\n".join(lines)


def summary(results: Sequence[Result], *, strict: bool = False) -> str:
    """One line: how many configurations, how many compared with their original library and on how
    many steps, how many failed."""
    names = {r.case.label.split("[")[0] for r in results}
    originals = [r for r in results if (p := r.paths.get("original")) and p.status != "n/a"]
    full = sum(not r.partial for r in originals)
    missing = sorted(
        {
            p.note
            for r in results
            if (p := r.paths.get("original")) and p.status == "n/a" and p.note.endswith("not installed")
        }
    )
    bad = sum(not r.ok for r in results)
    short = sum(incomplete(r) for r in results if r.ok) if strict else 0
    steps = sum(r.steps for r in results)
    conf = "configuration" if len(results) == 1 else "configurations"
    sch = "schedule" if len(names) == 1 else "schedules"
    text = (
        f"{len(results)} {conf} of {len(names)} {sch}, {steps} steps in all; "
        f"{len(originals)} compared with their original library"
    )
    if len(originals) != full:
        text += f" ({full} on every step, {len(originals) - full} on a recorded prefix)"
    if missing:
        text += f" ({', '.join(missing)})"
    if bad:
        return text + f"; {bad} FAILED."
    if short:
        return text + f"; {short} not compared with their original on every step (--strict)."
    return text + "; all within tolerance."


def to_json(results: Sequence[Result], *, strict: bool = False) -> list[dict[str, Any]]:
    """The results as JSON-serialisable dicts (for ``jaxsched parity --json``)."""
    out = []
    for r in results:
        out.append(
            {
                "label": r.case.label,
                "config": r.case.config,
                "steps": r.steps,
                "far_steps": r.far,
                "ok": r.ok,
                "status": status(r, strict),
                "error": r.case.error,
                "seconds": round(r.seconds, 4),
                "warnings": r.warnings,
                "paths": {
                    p: {
                        k: x
                        for k, x in dataclasses.asdict(pr).items()
                        if not (isinstance(x, float) and not math.isfinite(x))
                    }
                    for p, pr in r.paths.items()
                },
            }
        )
    return out
