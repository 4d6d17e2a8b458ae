"""torch's stepping of composed LR schedulers (``jaxsched.compat.torch.SequentialLR``, ``ChainedScheduler``).

Every ``step()`` of every ``torch.optim.lr_scheduler`` class updates the optimizer's current LR :math:`x` in
one of two ways:

* an affine update ``x <- a (x - c) + c + d`` (``a`` a ratio of the scheduler's own factors, ``c`` the
  cosine's ``eta_min``, ``d`` the cosine's restart increment), computed here with torch's own float
  operations from the scheduler's counters (``last_epoch``, whether it is in its initial step, whether
  ``SequentialLR`` reset it at a milestone);
* a set ``x <- v`` from a closed form (``LambdaLR``, ``CyclicLR``, ``OneCycleLR``,
  ``CosineAnnealingWarmRestarts``, ``torch_bridge.ScheduleLR``, and every closed form ``SequentialLR`` calls
  at a milestone).

The updates do not depend on the value of ``x``, only on the counters, and torch's counters are simple: a
scheduler is stepped at every step of the intervals in which it is active (all the time inside a
``ChainedScheduler``, between two milestones inside a ``SequentialLR``). This module replays torch's
construction (each scheduler's initial step, ``SequentialLR``'s reset to ``initial_lr``, its
``recursive_undo`` and the nested composites stepped outside their initial mode) and then computes the
updates of every step, vectorised, to lower a composition to catalog pieces: a product of closed forms, a
join of closed forms, or :func:`jaxsched.affine_recurrence`. It holds no schedule formula: the closed forms
are the ports' own lowerings.
"""

from __future__ import annotations

import bisect
import collections
import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

import jaxsched
from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import FLOAT32_MAX
from jaxsched.compat import torch as tp
from jaxsched.schedules._recurrence import MAX_TABLE_STEPS, AffineRecurrence

PLAIN, INITIAL, RESET = 0, 1, 2
"""How a scheduler's step is taken: ``step()``, its initial step (``_initial_mode``), or ``SequentialLR``'s
``_update_lr(0)`` at a milestone (the closed form at 0 where the class has one)."""

_SETTERS = (tp.LambdaLR, tp.CyclicLR, tp.OneCycleLR, tp.CosineAnnealingWarmRestarts)
_MULTIPLICATIVE = (
    tp.StepLR,
    tp.MultiStepLR,
    tp.ConstantLR,
    tp.LinearLR,
    tp.ExponentialLR,
    tp.PolynomialLR,
    tp.MultiplicativeLR,
    tp.CosineAnnealingLR,
)


# -- the tree of schedulers -----------------------------------------------------------------------------


@dataclass(eq=False)
class _Leaf:
    port: Schedule
    slot: int
    where: str
    epoch: int = -1
    base: float = math.nan
    """torch's ``base_lr`` of this scheduler: the group's ``initial_lr`` when it was built."""
    source: Schedule | None = None
    """For a scheduler that sets the LR: its value as a schedule of its own ``last_epoch``."""
    weight: float = 1.0


@dataclass(eq=False)
class _Chain:
    children: list[Any]
    where: str


@dataclass(eq=False)
class _Seq:
    children: list[Any]
    milestones: tuple[int, ...]
    where: str
    le: int = 0


def _node(s: Schedule, where: str, leaves: list[_Leaf]) -> Any:
    if isinstance(s, tp.ChainedScheduler):
        kids = [_node(c, f"{where}.schedulers[{i}]", leaves) for i, c in enumerate(s.schedulers)]
        return _Chain(kids, where)
    if isinstance(s, tp.SequentialLR):
        return _Seq(
            [_node(c, f"{where}.schedulers[{i}]", leaves) for i, c in enumerate(s.schedulers)],
            tuple(s.milestones),
            where,
        )
    if isinstance(s, tp.CyclicMomentum | tp.OneCycleMomentum):
        raise v.ScheduleArgumentTypeError(
            _arg(where),
            "a learning-rate scheduler (a momentum curve is not one: give the CyclicLR or "
            "OneCycleLR port itself)",
            s,
        )
    if isinstance(s, tp._TorchPort) and not isinstance(s, _SETTERS + _MULTIPLICATIVE):
        raise v.ScheduleArgumentTypeError(
            _arg(where),
            f"a scheduler whose steps the compositions emulate ({type(s).__name__} is not one yet)",
            s,
        )
    leaf = _Leaf(s, len(leaves), where)
    leaves.append(leaf)
    return leaf


def _lr(s: Schedule) -> float | None:
    """A port's base LR (``lr``), or None for a scheduler that has none."""
    lr = getattr(s, "lr", None)
    return None if lr is None else float(lr)


def _arg(where: str) -> str:
    return where.split(".", 1)[1] if "." in where else where


def _leaves_under(node: Any) -> list[_Leaf]:
    if isinstance(node, _Leaf):
        return [node]
    return [x for c in node.children for x in _leaves_under(c)]


def _name(leaf: _Leaf) -> str:
    return f"{_arg(leaf.where)} ({type(leaf.port).__name__})"


class _Emulation:
    """torch's construction of a composite and the intervals in which each scheduler is stepped after it."""

    def __init__(self, port: Schedule) -> None:
        self.leaves: list[_Leaf] = []
        self.root = _node(port, "root", self.leaves)
        lrs = [lr for leaf in self.leaves if (lr := _lr(leaf.port)) is not None]
        self.first_lr = lrs[0] if lrs else math.nan
        self.initial_lr: float | None = None
        self.onecycle: tp.OneCycleLR | None = None
        self.ops0: list[tuple[Any, ...]] = []
        self.intervals: list[tuple[_Leaf, int, int | None, int, int]] = []
        self._construct(self.root)
        self._plan(self.root, 1, None, False)

    # -- construction: step 0 ------------------------------------------------------------------------
    def _construct(self, node: Any) -> None:
        if isinstance(node, _Leaf):
            self._build_leaf(node)
        elif isinstance(node, _Chain):
            for c in node.children:
                self._construct(c)
        else:
            for c in node.children:
                self._construct(c)
            self.ops0.append(("set", self._initial()))  # group["lr"] = group["initial_lr"]
            for leaf in _leaves_under(node):  # recursive_undo
                leaf.epoch -= 1
            node.le = 0
            first = node.children[bisect.bisect_right(node.milestones, 0)]
            self._initial_step(first)

    def _initial(self) -> float:
        return math.nan if self.initial_lr is None else self.initial_lr

    def _build_leaf(self, leaf: _Leaf) -> None:
        p = leaf.port
        lr = _lr(p)
        if isinstance(p, tp.OneCycleLR):  # overwrites initial_lr (and the group's max_lr, min_lr)
            self.initial_lr = float(p.max_lr) / float(p.div_factor)
            self.onecycle = p
        elif isinstance(p, tp.CyclicLR):  # sets group["lr"] = base_lr before torch's setdefault
            # Its initial step reads base_lrs from the group's initial_lr (it puts its own base_lr back only
            # after): where an earlier scheduler set initial_lr, the first value is that, not base_lr.
            first = float(p.base_lr) if self.initial_lr is None else self.initial_lr
            if math.isnan(first):
                raise v.ScheduleArgumentError(
                    "schedulers",
                    f"{_name(leaf)} starts from the optimizer's initial_lr, which a jaxsched "
                    "schedule built before it (torch_bridge.ScheduleLR) took from the optimizer's own lr: no "
                    "scheduler here has an lr to say what it is (build the CyclicLR first, or a port with an "
                    "lr before it)",
                    show_value=False,
                )
            if self.initial_lr is None:
                self.initial_lr = first
            leaf.base, leaf.epoch = self._initial(), 0
            self.ops0.append(("set", first))
            return
        elif lr is None:  # a jaxsched schedule (torch_bridge.ScheduleLR)
            if self.initial_lr is None:
                self.initial_lr = self.first_lr
        else:
            if self.initial_lr is None:
                self.initial_lr = lr
            if lr != self.initial_lr:
                why = (
                    "they share one optimizer's base LR"
                    if self.onecycle is None
                    else "a OneCycleLR built before it set the optimizer's initial_lr to max_lr / div_factor"
                )
                raise v.ScheduleArgumentError(
                    "schedulers",
                    f"must all have the same lr ({why}): {_name(leaf)} has lr={lr!r}, torch "
                    f"would use {self.initial_lr!r}",
                    show_value=False,
                )
        leaf.base = self._initial()
        leaf.epoch = 0
        self.ops0.append(("leaf", leaf, 0, INITIAL))

    def _initial_step(self, node: Any) -> None:
        """``LRScheduler._initial_step``: only the scheduler itself is in initial mode, not its children."""
        if isinstance(node, _Leaf):
            node.epoch += 1
            self.ops0.append(("leaf", node, node.epoch, INITIAL))
        else:
            self._step0(node)

    def _step0(self, node: Any) -> None:
        if isinstance(node, _Leaf):
            node.epoch += 1
            self.ops0.append(("leaf", node, node.epoch, PLAIN))
        elif isinstance(node, _Chain):
            for c in node.children:
                self._step0(c)
        else:
            node.le += 1
            idx = bisect.bisect_right(node.milestones, node.le)
            child = node.children[idx]
            if idx > 0 and node.milestones[idx - 1] == node.le:
                self._reset_check(child, node, idx)
                child.epoch = 0
                self.ops0.append(("leaf", child, 0, RESET))
            else:
                self._step0(child)

    @staticmethod
    def _reset_check(child: Any, seq: _Seq, idx: int) -> None:
        if not isinstance(child, _Leaf):
            kind = "ChainedScheduler" if isinstance(child, _Chain) else "SequentialLR"
            raise v.ScheduleArgumentError(
                _arg(f"{seq.where}.schedulers[{idx}]"),
                f"a {kind} cannot be reached at a milestone of a "
                "SequentialLR (torch raises NotImplementedError there)",
                show_value=False,
            )
        p = child.port
        if isinstance(p, tp.LinearLR | tp.PolynomialLR) and p.total_iters == 0:
            raise v.ScheduleArgumentZeroDivisionError(
                _arg(child.where),
                f"a {type(p).__name__} with total_iters=0 cannot follow a milestone "
                "(torch's closed form divides by total_iters there)",
                0,
            )

    # -- the steps after construction -----------------------------------------------------------------
    def _plan(self, node: Any, k0: int, k1: int | None, reset: bool) -> None:
        """``node`` is stepped at the global steps ``k0 <= k < k1`` (``reset``: the first one is a
        ``SequentialLR`` milestone)."""
        if isinstance(node, _Leaf):
            if reset:
                self.intervals.append((node, k0, k1, 0, RESET))
            else:
                self.intervals.append((node, k0, k1, node.epoch + 1, PLAIN))
            return
        if isinstance(node, _Chain):
            for c in node.children:
                self._plan(c, k0, k1, False)
            return
        le0 = node.le  # last_epoch before step k0; at step k it is le0 + (k - k0) + 1
        ms = node.milestones
        for i, child in enumerate(node.children):
            lo = ms[i - 1] if i > 0 else None
            hi = ms[i] if i < len(ms) else None
            start = k0 if lo is None else k0 - 1 - le0 + lo
            end = k1 if hi is None else k0 - 1 - le0 + hi
            if k1 is not None and end is not None:
                end = min(end, k1)
            a, b = max(start, k0), end
            if b is not None and b <= a:
                continue
            entered = lo is not None and start >= k0
            if entered:
                self._reset_check(child, node, i)
            self._plan(child, a, b, entered)

    # -- values ---------------------------------------------------------------------------------------
    def value0(self) -> float:
        """The LR after construction (torch's ``get_last_lr()`` before any ``step()``): the optimizer starts
        at the first ``lr`` of the tree (what ``torch_bridge.to_torch`` gives it)."""
        x = self.first_lr
        for op in self.ops0:
            if op[0] == "set":
                x = op[1]
                continue
            _, leaf, e, mode = op
            a, c, d, setter = _leaf_ops(self, leaf, np.array([e]), np.array([mode]))
            if setter[0] and leaf.source is not None:
                x = leaf.weight * float(leaf.source.numpy(max(e, 0)))
            else:
                x = float(a[0]) * (x - float(c[0])) + float(c[0]) + float(d[0])
        return x

    def period(self) -> tuple[int, int, list[tuple[_Leaf, int]]]:
        """``(S, L, why)``: the updates of step ``k >= S + L`` repeat those of step ``k - L``; ``why``
        lists the schedulers that set ``S`` and ``L``."""
        S, L = 1, 1
        why: list[tuple[_Leaf, int]] = []
        for leaf, k0, k1, e0, _ in self.intervals:
            if k1 is not None:
                start, p = k1, 1
            else:
                e_star, p = _periodicity(leaf)
                start = max(k0 + 1, k0 + e_star - e0)
            if start > S:
                S = start
            if p > 1:
                why.append((leaf, p))
            L = math.lcm(L, p)
        return S, L, why

    def updates(self, n: int) -> dict[str, Any]:
        """The updates of steps ``1 .. n - 1``, sorted by step and scheduler, as arrays for
        :meth:`AffineRecurrence.solve`."""
        parts: list[tuple[np.ndarray, ...]] = []
        sources: list[Schedule] = []
        for leaf, k0, k1, e0, first in self.intervals:
            end = n if k1 is None else min(k1, n)
            if end <= k0:
                continue
            k = np.arange(k0, end, dtype=np.int64)
            e = e0 + (k - k0)
            mode = np.full(k.shape, PLAIN)
            mode[0] = first
            a, c, d, setter = _leaf_ops(self, leaf, e, mode)
            src = np.full(k.shape, -1, np.int64)
            w = np.ones(k.shape)
            if np.any(setter):
                src[setter] = len(sources)
                w[setter] = leaf.weight
                sources.append(jaxsched.shift(leaf.source, k0 - e0) if k0 != e0 else leaf.source)  # type: ignore[arg-type]
            keep = setter | (a != 1.0) | (c != 0.0) | (d != 0.0)
            slot = np.full(k.shape, leaf.slot, np.int64)
            parts.append(tuple(x[keep] for x in (k, slot, a, c, d, src, w)))
        if parts:
            k, slot, a, c, d, src, w = (np.concatenate([p[i] for p in parts]) for i in range(7))
        else:
            k, slot = np.zeros(0, np.int64), np.zeros(0, np.int64)
            a, c, d, w = (np.zeros(0) for _ in range(4))
            src = np.zeros(0, np.int64)
        order = np.lexsort((slot, k))
        return {
            "steps": k[order],
            "multipliers": a[order],
            "anchors": c[order],
            "increments": d[order],
            "sources": tuple(sources),
            "source_index": src[order],
            "source_weight": w[order],
            "slots": slot[order],
        }


# -- one scheduler's updates -------------------------------------------------------------------------------


def _periodicity(leaf: _Leaf) -> tuple[int, int]:
    """``(e*, p)``: from ``last_epoch >= e*`` on the scheduler's updates repeat with period ``p``."""
    p = leaf.port
    if isinstance(p, tp.StepLR):
        return 1, (1 if p.gamma == 1.0 else int(p.step_size))
    if isinstance(p, tp.MultiStepLR):
        return (int(max(p.milestones)) + 1 if p.milestones else 1), 1
    if isinstance(p, tp.ConstantLR | tp.LinearLR | tp.PolynomialLR):
        return int(p.total_iters) + 1, 1
    if isinstance(p, tp.CosineAnnealingLR):
        return 1, 2 * int(p.T_max)
    if isinstance(p, tp.MultiplicativeLR):
        return (1 if p.constant_factor is not None else int(p.horizon) + 1), 1  # type: ignore[arg-type]
    return 1, 1  # ExponentialLR (one factor), and the schedulers that set the LR


def _setter_source(em: _Emulation, leaf: _Leaf) -> None:
    p = leaf.port
    if isinstance(p, tp.LambdaLR):
        leaf.source, leaf.weight = p.lr_lambda, leaf.base
    elif isinstance(p, tp.OneCycleLR):
        # Every OneCycleLR reads max_lr, initial_lr and min_lr from the param group, where the last one
        # built wrote its own.
        last = em.onecycle if em.onecycle is not None else p
        leaf.source = p.replace(
            max_lr=last.max_lr, div_factor=last.div_factor, final_div_factor=last.final_div_factor
        ).lowered()
    elif isinstance(p, tp.CyclicLR | tp.CosineAnnealingWarmRestarts):
        leaf.source = p.lowered()
    else:  # a jaxsched schedule: torch_bridge.ScheduleLR sets its value
        leaf.source = p


def _leaf_ops(
    em: _Emulation, leaf: _Leaf, e: np.ndarray, mode: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """torch's update of ``leaf`` at its ``last_epoch`` values ``e`` taken in ``mode``: ``(a, c, d,
    setter)`` for ``x <- a (x - c) + c + d``, or a set from ``leaf.source`` where ``setter``."""
    p = leaf.port
    B = leaf.base
    n = e.shape[0]
    a, c, d = np.ones(n), np.zeros(n), np.zeros(n)
    setter = np.zeros(n, bool)
    plain, reset = mode == PLAIN, mode == RESET

    def put(where: np.ndarray, value: float) -> None:  # a set to a known value
        a[where], c[where], d[where] = 0.0, 0.0, value

    if isinstance(p, _SETTERS) or not isinstance(p, _MULTIPLICATIVE):
        if leaf.source is None:
            _setter_source(em, leaf)
        setter[:] = True
        a[:] = 0.0
        return a, c, d, setter
    if isinstance(p, tp.StepLR):
        g, size = float(p.gamma), int(p.step_size)
        a[~reset & (e != 0) & (e % size == 0)] = g
        put(reset, B * np.power(g, 0 // size))
    elif isinstance(p, tp.MultiStepLR):
        g = float(p.gamma)
        for m, count in collections.Counter(p.milestones).items():
            a[~reset & (e == m)] = np.power(g, count)
        put(reset, B * np.power(g, bisect.bisect_right(sorted(p.milestones), 0)))
    elif isinstance(p, tp.ConstantLR):
        f, T = float(p.factor), int(p.total_iters)
        a[~reset & (e == 0)] = f
        if T != 0:
            a[plain & (e == T)] = 1.0 / f
        put(reset, B * (f + (T <= 0) * (1 - f)))
    elif isinstance(p, tp.LinearLR):
        s0, s1, T = float(p.start_factor), float(p.end_factor), int(p.total_iters)
        a[~reset & (e == 0)] = s0
        inside = plain & (e >= 1) & (e <= T)
        a[inside] = 1.0 + (s1 - s0) / (T * s0 + (e[inside] - 1) * (s1 - s0))
        if np.any(reset):
            put(reset, B * (s0 + (s1 - s0) * min(T, 0) / T))
    elif isinstance(p, tp.ExponentialLR):
        a[plain] = float(p.gamma)
        put(reset, B * np.power(float(p.gamma), 0))
    elif isinstance(p, tp.PolynomialLR):
        T, pw = int(p.total_iters), float(p.power)
        inside = plain & (e <= T)
        if np.any(inside) and T == 0:
            raise v.ScheduleArgumentZeroDivisionError(
                _arg(leaf.where),
                "a PolynomialLR with total_iters=0 stepped outside its initial mode (the "
                "first scheduler of a nested composite in a SequentialLR): torch divides by zero there",
                0,
            )
        if np.any(inside):
            ei = e[inside]
            a[inside] = np.power((1.0 - ei / T) / (1.0 - (ei - 1) / T), pw)
        if np.any(reset):
            put(reset, B * np.power(1.0 - min(T, 0) / T, pw))
    elif isinstance(p, tp.CosineAnnealingLR):
        T, eta = int(p.T_max), float(p.eta_min)
        restart = plain & ((e - 1 - T) % (2 * T) == 0)
        ratio = plain & ~restart
        er = e[ratio].astype(np.float64)
        a[ratio] = (1 + np.cos(np.pi * er / T)) / (1 + np.cos(np.pi * (er - 1) / T))
        c[ratio] = eta
        a[ratio & (e % (2 * T) == T)] = 0.0  # the trough: 1 + cos(pi) = 0 exactly, x <- eta
        d[restart] = (B - eta) * (1 - math.cos(math.pi / T)) / 2
        put(reset, eta + (B - eta) * (1 + math.cos(math.pi * 0 / T)) / 2)
    elif isinstance(p, tp.MultiplicativeLR):
        step = plain | reset  # at a milestone torch has no closed form: lr * lambda(0)
        cf = p.constant_factor
        if cf is not None:
            a[step] = cf
        else:
            es = e[step]
            lam = np.broadcast_to(p.lr_lambda.numpy(np.maximum(es, 0)), es.shape).astype(np.float64)
            a[step] = np.where(es > int(p.horizon), 1.0, lam)  # type: ignore[arg-type]
    return a, c, d, setter


# -- checks and lowering ----------------------------------------------------------------------------------


def check(port: Schedule) -> None:
    """The structural checks of a composite (torch's failures, shared base LR), at construction."""
    _Emulation(port)


_CACHE: collections.OrderedDict[Schedule, Schedule] = collections.OrderedDict()
_LOCK = threading.Lock()


def _cached(port: Schedule, build: Any) -> Schedule:
    """Lowerings by value: a composite rebuilt by JAX (a jit argument, ``device_put``) reuses its table."""
    with _LOCK:
        out = _CACHE.get(port)
        if out is not None:
            _CACHE.move_to_end(port)
            return out
    out = build()
    with _LOCK:
        _CACHE[port] = out
        while len(_CACHE) > 32:
            _CACHE.popitem(last=False)
    return out


def lower_chained(chain: tp.ChainedScheduler) -> Schedule:
    return _cached(chain, lambda: _lower_chained(chain))


def lower_sequential(seq: tp.SequentialLR) -> Schedule:
    return _cached(seq, lambda: _lower_sequential(seq))


_LONG = 2**16
"""A table longer than this is avoided where a closed form after a short prefix exists."""


def _lower_chained(chain: tp.ChainedScheduler) -> Schedule:
    if len(chain.schedulers) == 1:  # stepping one scheduler through a chain is stepping it
        return chain.schedulers[0]
    product = _product(chain)
    if product is not None:
        return product
    S, L, _ = _Emulation(chain).period()
    if S + 2 * L > _LONG:
        free = _free_cosine(chain)
        if free is not None:
            return free
    return _recurrence(chain)


def _free_cosine(chain: tp.ChainedScheduler) -> Schedule | None:
    """Where every scheduler but one cosine stops changing the LR after a prefix, torch's recursion is,
    from there, the cosine's alone: ``x_k = eta + (x_j - eta) c_k / c_j`` (``c`` the cosine factor) up to the
    next trough, then the cosine's closed form (its restart adds exactly what the closed form needs). A
    table of the prefix, then two closed forms: no table of a period of ``2 T_max`` steps."""
    flat = _flat(chain)
    if flat is None:
        return None
    cos = [i for i, s in enumerate(flat) if isinstance(s, tp.CosineAnnealingLR)]
    if len(cos) != 1:
        return None
    j = cos[0]
    settle = 1
    for i, s in enumerate(flat):
        if i == j:
            continue
        if not isinstance(s, _MULTIPLICATIVE) or not _steady(s):
            return None
        settle = max(settle, _periodicity(_Leaf(s, i, ""))[0])
    c = flat[j]
    T, eta = int(c.T_max), float(c.eta_min)  # type: ignore[attr-defined]
    k1 = settle - 1  # from step k1 + 1 on only the cosine updates the LR
    restart = (k1 + 1 - 1 - T) % (2 * T) == 0
    if restart:  # the additive restart is not a ratio: take it into the table
        k1 += 1
    trough = k1 + 1 + (T - (k1 + 1)) % (2 * T)  # the first trough after k1
    head = _recurrence(chain, horizon=k1 + 1)
    x1 = float(head.numpy(k1))
    factor = float(c.replace(lr=1.0, eta_min=0.0).numpy(k1))
    if factor == 0.0 or not 0.0 <= eta + (x1 - eta) / factor <= FLOAT32_MAX:
        return None
    ratio = c.replace(lr=eta + (x1 - eta) / factor)  # eta + (x1 - eta) c_k / c_k1 is this cosine
    return jaxsched.join(
        [head, jaxsched.shift(ratio, -(k1 + 1)), jaxsched.shift(c, -(trough + 1))], [k1 + 1, trough + 1]
    )


def _steady(s: Schedule) -> bool:
    """Whether a multiplicative scheduler stops changing the LR after some step (not a constant rate)."""
    p = _periodicity(_Leaf(s, 0, ""))[1]
    return p == 1 and not (
        (isinstance(s, tp.ExponentialLR) and s.gamma != 1.0)
        or (isinstance(s, tp.MultiplicativeLR) and s.constant_factor not in (None, 1.0))
    )


def _flat(s: Schedule) -> list[Schedule] | None:
    """A chain's schedulers with nested chains flattened; None if it holds a SequentialLR."""
    out: list[Schedule] = []
    for c in s.schedulers:  # type: ignore[attr-defined]
        if isinstance(c, tp.ChainedScheduler):
            inner = _flat(c)
            if inner is None:
                return None
            out += inner
        elif isinstance(c, tp.SequentialLR):
            return None
        else:
            out.append(c)
    return out


def _factor(s: Schedule) -> Schedule:
    return s.replace(lr=1.0)


def _product(chain: tp.ChainedScheduler) -> Schedule | None:
    """The product of the schedulers' closed forms where that is exactly torch's recursion: schedulers that
    multiply the LR, at most one cosine (``eta_min=0``) whose restarts (where torch adds instead of
    multiplying) meet every other factor at 1."""
    flat = _flat(chain)
    if flat is None or not all(isinstance(s, _MULTIPLICATIVE) for s in flat):
        return None
    cos = [i for i, s in enumerate(flat) if isinstance(s, tp.CosineAnnealingLR)]
    if len(cos) > 1 or (cos and flat[cos[0]].eta_min != 0):  # type: ignore[attr-defined]
        return None
    if cos:
        j = cos[0]
        T = int(flat[j].T_max)  # type: ignore[attr-defined]
        settle = 1
        for i, s in enumerate(flat):
            if i == j:
                continue
            if not _steady(s):
                return None
            settle = max(settle, _periodicity(_Leaf(s, i, ""))[0])
        restarts = np.arange(T + 1, settle + 2 * T + 2, 2 * T, dtype=np.int64)
        if restarts.size > MAX_TABLE_STEPS:
            return None
        total = np.ones(restarts.shape)
        for i, s in enumerate(flat):
            if i != j:
                total = total * _factor(s).numpy(restarts if i < j else restarts - 1)
        if not np.all(total == 1.0):
            return None
    head, *rest = flat
    return jaxsched.multiply(head, *(_factor(s) for s in rest))


def _recurrence(port: Schedule, horizon: int | None = None) -> Schedule:
    """torch's recursion as :func:`jaxsched.affine_recurrence` (up to ``horizon`` only, if given)."""
    em = _Emulation(port)
    for leaf in em.leaves:
        if not isinstance(leaf.port, _MULTIPLICATIVE):
            _setter_source(em, leaf)
    x0 = em.value0()
    if horizon is not None:
        n = max(horizon, 2)
        if n > MAX_TABLE_STEPS:
            raise v.ScheduleArgumentError(
                "milestones",
                f"the first {n} steps of {_describe(port)} would be a table of as many "
                f"values (torch's recursion); at most {MAX_TABLE_STEPS} are computed",
                show_value=False,
            )
        return _solve(port, x0, em.updates(n), start=n - 1, period=1, hold=True)
    S, L, why = em.period()
    if S + L > MAX_TABLE_STEPS:
        long = ", ".join(f"{_name(leaf)}: {p}" for leaf, p in why) or "none"
        raise v.ScheduleArgumentError(
            "schedulers",
            f"torch's recursion for {_describe(port)} repeats only after step {S} with a "
            f"period of {L} steps (periods: {long}), which needs {S + L} steps of table; at most "
            f"{MAX_TABLE_STEPS} are computed",
            show_value=False,
        )
    return _solve(port, x0, em.updates(S + L), start=S, period=L)


def _solve(
    port: Schedule, x0: float, ups: dict[str, Any], *, start: int, period: int, hold: bool = False
) -> Schedule:
    try:
        return AffineRecurrence.solve(
            x0,
            ups["steps"],
            ups["multipliers"],
            ups["anchors"],
            ups["increments"],
            sources=ups["sources"],
            source_index=ups["source_index"],
            source_weight=ups["source_weight"],
            slots=ups["slots"],
            start=start,
            period=period,
            hold=hold,
        )
    except v.ScheduleArgumentError as err:
        text = err.reason.replace("the recurrence", f"torch's recursion for {_describe(port)}")
        if "below 0" in text:
            text += (
                ": a negative LR (torch's affine cosine, r (lr - eta_min) + eta_min, once another "
                "scheduler has pushed the LR under eta_min)"
            )
        raise v.ScheduleArgumentError("schedulers", text, show_value=False) from None


def _describe(port: Schedule) -> str:
    names = [type(s).__name__ for s in getattr(port, "schedulers", ())]
    return f"{type(port).__name__}([{', '.join(names)}])"


def _lower_sequential(seq: tp.SequentialLR) -> Schedule:
    em = _Emulation(seq)  # checks; the schedulers' torch base LRs
    by_port = {id(leaf.port): leaf for leaf in em.leaves}
    ms = seq.milestones
    first = bisect.bisect_right(ms, 0)
    pieces: list[Schedule] = []
    for i, child in enumerate(seq.schedulers):
        reached = i == first or (i > first and (i == len(ms) or ms[i] > ms[i - 1]))
        if i < first or not reached:
            pieces.append(jaxsched.constant(0.0))  # never used: its interval is empty
            continue
        if i == first:
            if isinstance(child, tp.ChainedScheduler | tp.SequentialLR):
                nxt = ms[i] if i < len(ms) else None
                pieces.append(_recurrence(seq, horizon=nxt))
            else:
                pieces.append(_standalone(em, by_port[id(child)]))
            continue
        leaf = by_port[id(child)]
        p = leaf.port
        if isinstance(p, tp.MultiplicativeLR):
            # No closed form: torch multiplies the current LR by lambda(0), then goes on multiplying.
            before = float(jaxsched.join(pieces, ms[: i - 1]).numpy(ms[i - 1] - 1))
            a, _, _, _ = _leaf_ops(em, leaf, np.array([0]), np.array([RESET]))
            pieces.append(p.replace(lr=before * float(a[0])))
        elif isinstance(p, tp.ConstantLR) and p.total_iters == 0:
            pieces.append(jaxsched.constant(leaf.base * (p.factor + (1 - p.factor))))
        else:
            pieces.append(_standalone(em, leaf))
    return jaxsched.join(pieces, ms)


def _standalone(em: _Emulation, leaf: _Leaf) -> Schedule:
    """A scheduler alone from its (initial or milestone) step: its own closed form."""
    p = leaf.port
    if isinstance(p, tp.OneCycleLR) and em.onecycle is not None and em.onecycle is not p:
        last = em.onecycle
        return p.replace(
            max_lr=last.max_lr, div_factor=last.div_factor, final_div_factor=last.final_div_factor
        )
    return p
