"""Plotting schedules with matplotlib (an optional dependency: ``pip install 'jaxsched[plot]'``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from jaxsched._core import Schedule

INSTALL_HINT = "pip install 'jaxsched[plot]'"


def require_matplotlib() -> None:
    """Raise ``ImportError`` with the install command when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise ImportError(f"plotting needs matplotlib, which is not installed ({INSTALL_HINT})") from err


def _use_agg_without_display() -> None:
    """Pick the Agg backend when there is no display and nobody chose a backend (before pyplot)."""
    if "matplotlib.pyplot" in sys.modules or os.environ.get("MPLBACKEND"):
        return
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless:
        import matplotlib

        matplotlib.use("Agg")


def label(schedule: Schedule, width: int = 60) -> str:
    """A short legend label: the repr, cut to ``width`` characters."""
    text = repr(schedule)
    return text if len(text) <= width else text[: width - 4] + "...)"


def _steps(steps: Any) -> np.ndarray:
    if isinstance(steps, int | np.integer):
        if steps < 1:
            raise ValueError(f"steps: must be >= 1, got {steps!r}")
        return np.arange(int(steps))
    arr = np.asarray(steps)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"steps: must be a count or a non-empty 1-D array of steps, got shape {arr.shape}")
    return arr


def plot(
    schedules: Schedule | Sequence[Schedule],
    steps: Any = 1000,
    ax: Any = None,
    *,
    labels: Sequence[str] | None = None,
    log: bool = False,
    markers: bool = True,
    title: str | None = None,
) -> Any:
    r"""Plot one or several schedules on one axes: value :math:`s(k)` against update :math:`k`.

    The curves are evaluated with :meth:`Schedule.numpy` (float64, no JAX computation), so
    ``s(k)`` is the value used by update ``k`` counting from 0, as everywhere in jaxsched. A marker
    sits on each key step (ends of warmup and phases, boundaries) inside the plotted range.

    Args:
      schedules: a schedule or a list of them.
      steps: the number of steps ``N`` (plots ``0..N-1``) or an array of steps.
      ax: a matplotlib ``Axes``; by default a new figure from ``matplotlib.pyplot`` (the Agg
        backend is chosen when there is no display).
      labels: legend labels, one per schedule (default: each schedule's short repr).
      log: a logarithmic value axis (non-positive values are left out of the log scale).
      markers: mark the key steps.
      title: an optional title.

    Returns:
      The ``Axes``.

    Example:
      >>> import matplotlib
      >>> matplotlib.use("Agg")
      >>> import jaxsched
      >>> from jaxsched.plot import plot
      >>> ax = plot(jaxsched.warmup_cosine_decay(0.0, 1e-3, 100, 1000), steps=1200)
      >>> ax.get_xlabel(), len(ax.get_lines())
      ('step', 2)
    """
    scheds = [schedules] if isinstance(schedules, Schedule) else list(schedules)
    if not scheds or not all(isinstance(s, Schedule) for s in scheds):
        raise TypeError("schedules: must be a jaxsched Schedule or a non-empty list of them")
    if labels is not None and len(labels) != len(scheds):
        raise ValueError(f"labels: must have one label per schedule ({len(scheds)}), got {len(labels)}")
    xs = _steps(steps)
    if ax is None:
        require_matplotlib()
        _use_agg_without_display()
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.5, 4.2))
    lo, hi = float(np.min(xs)), float(np.max(xs))
    for i, s in enumerate(scheds):
        ys = s.numpy(xs)
        name = labels[i] if labels is not None else label(s)
        (line,) = ax.plot(xs, ys, label=name, linewidth=1.6)
        if markers:
            keys = np.array([k for k in s.key_steps() if lo <= k <= hi], dtype=np.int64)
            if keys.size:
                kv = s.numpy(keys)
                if log:
                    keys, kv = keys[kv > 0], kv[kv > 0]
                ax.plot(
                    keys,
                    kv,
                    linestyle="none",
                    marker="o",
                    markersize=4.5,
                    color=line.get_color(),
                    label="_nolegend_",
                )
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("value")
    ax.grid(True, alpha=0.3)
    ax.set_xlim(lo, hi if hi > lo else lo + 1)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def save(
    schedules: Schedule | Sequence[Schedule],
    path: str | os.PathLike[str],
    steps: Any = 1000,
    *,
    labels: Sequence[str] | None = None,
    log: bool = False,
    title: str | None = None,
    dpi: int = 120,
) -> None:
    """Render :func:`plot` to an image file (PNG, SVG or PDF by extension), without pyplot.

    Example:
      >>> import os, tempfile, jaxsched
      >>> from jaxsched.plot import save
      >>> path = os.path.join(tempfile.mkdtemp(), "lr.png")
      >>> save(jaxsched.cosine_decay(1.0, 100), path, steps=120)
      >>> os.path.getsize(path) > 1000
      True
    """
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    plot(schedules, steps, ax, labels=labels, log=log, title=title)
    fig.savefig(os.fspath(path), dpi=dpi)
