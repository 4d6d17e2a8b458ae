"""Affine recurrences whose coefficients become periodic, solved once on the host.

A learning rate that is updated step by step from its own current value, ``x_k = a_k (x_{k-1} - c_k) + c_k
+ d_k`` (several such updates per step, applied in order), has no closed form in general. Once the
coefficients repeat with some period, it does again: each period either resets the value (an update with
``a = 0`` sets it outright) or only scales it. :class:`AffineRecurrence` holds the solution in that form: the
values over a finite prefix, computed once on the host in float64, and a rule for every later step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from jaxsched import _validate as v
from jaxsched._core import Schedule
from jaxsched._fields import (
    FLOAT32_MAX,
    Real,
    Table,
    known,
    nested,
    static,
    static_int,
    table,
    value_seq,
)
from jaxsched._numerics import MAX_STEP, Array, Backend, Steps, power

MAX_TABLE_STEPS = 2**22
"""The longest prefix :meth:`AffineRecurrence.solve` computes (about 4.2 million steps: 34 MB of float64,
about a second of host time)."""

MAX_RATES = 16
"""Distinct per-period rates kept separate (each raised exactly); more are folded into one product."""


def _exact_product(bk: Backend, q: Array, count: int) -> list[Array]:
    """``q * count`` (``0 <= q < 2**31``, ``count >= 1`` static) as floats that sum to it, each exact in
    float32: the product itself can pass int32's range (a rate applied several times per period) and has
    more bits than a float32 holds. ``q`` is split into 19 + 12 bits and ``count`` into 5-bit digits."""
    hi = (q // 4096) * 4096
    parts = (bk.to_float(hi), bk.to_float(q - hi))
    out: list[Array] = []
    weight = 1
    while count:
        digit = count % 32
        if digit:
            out += [p * float(digit * weight) for p in parts]
        count //= 32
        weight *= 32
    return out


class AffineRecurrence(Schedule, name="affine_recurrence"):
    r"""A recurrence with eventually periodic coefficients: a table of its first values, then a periodic rule.

    With :math:`S` = ``start``, :math:`L` = ``period`` and, for :math:`k \ge S + L`,
    :math:`k = S + r + qL` (:math:`0 \le r < L`, :math:`q \ge 1`):

    .. math::
        s(k) = \begin{cases} v_k & k < S + L \\
        \Big(\prod_i \rho_i^{\,q\, n_i}\Big)\, b_r & k \ge S + L \end{cases}, \qquad
        b_r = \begin{cases} v_{S + r} & \text{(scaling tail: no gains)} \\
        u_r\, g(k - \delta_r) + w_r & \text{(reset tail)} \end{cases}

    :math:`v` = ``values``, :math:`\rho_i, n_i` = ``rates``, ``counts`` (each rate raised exactly, as
    :func:`jaxsched.exponential_decay` does), :math:`u, w, \delta` = ``gains``, ``offsets``, ``delays`` and
    :math:`g` = ``source`` (1 when absent). :meth:`solve` builds it from the recurrence itself: for a
    recurrence :math:`x_k = \Phi_k(x_{k-1})` whose updates repeat with period :math:`L` from step :math:`S`,
    a period that only scales gives the scaling tail (:math:`x_{k+L} = x_k \prod_i \rho_i^{n_i}`), and a
    period that sets the value outright at least once gives the reset tail (the value is an affine function
    of the value last set, :math:`\delta_r` steps before, from a schedule :math:`g` or a constant).

    The step convention is the recurrence's: ``s(k)`` is :math:`x_k`, the value after the updates of
    step :math:`k`; a fractional step takes the value of its whole part. The prefix is a lookup table (its
    length is static), the tail exact at every step up to ``2**31 - 1``.

    Args:
      values: :math:`v_0, \dots, v_{S+L-1}` (finite, >= 0).
      start: :math:`S >= 0`.
      period: :math:`L >= 1`.
      rates: the per-period rates :math:`\rho_i > 0` (their product over a period must be <= 1).
      counts: how often each rate applies per period, :math:`n_i >= 1`.
      gains: :math:`u_r >= 0` (``period`` values), for the reset tail.
      offsets: :math:`w_r >= 0` (``period`` values), with ``gains``.
      delays: :math:`\delta_r >= 0` steps (``period`` whole numbers), with ``gains``; default 0.
      source: the schedule :math:`g` of the reset tail (optional).

    Returns:
      A :class:`~jaxsched.Schedule`.

    Example:
      >>> import jaxsched
      >>> # x_0 = 1, then x_k = x_{k-1} / 2, except that every third step sets it to 1 again.
      >>> s = jaxsched.affine_recurrence.solve(
      ...     1.0, steps=[1, 2, 3], multipliers=[0.5, 0.5, 0.0], increments=[0.0, 0.0, 1.0],
      ...     start=1, period=3)
      >>> s.numpy(range(8)).tolist()
      [1.0, 0.5, 0.25, 1.0, 0.5, 0.25, 1.0, 0.5]
      >>> jaxsched.affine_recurrence.solve(1.0, steps=[1], multipliers=[0.5], start=1, period=1).numpy(40)
      array(9.09494702e-13)
    """

    values: Table = table(minimum=0.0)
    start: int = static(converter=static_int(0))
    period: int = static(converter=static_int(1))
    rates: Sequence[Real] = value_seq(default=(), minimum=0.0, min_open=True)
    counts: Table = table(default=(), minimum=1, integer=True)
    gains: Table | None = table(default=None, minimum=0.0)
    offsets: Table | None = table(default=None, minimum=0.0)
    delays: Table | None = table(default=None, minimum=0, integer=True)
    source: Schedule | None = nested(default=None)

    examples = (
        {"values": [1.0, 0.9], "start": 1, "period": 1, "rates": [0.9], "counts": [1]},
        {"values": [0.1, 0.05, 0.1, 0.05], "start": 2, "period": 2, "rates": [0.5], "counts": [1]},
        {
            "values": [1.0, 0.5, 0.25, 1.0],
            "start": 1,
            "period": 3,
            "gains": [0.0, 0.0, 0.0],
            "offsets": [0.5, 0.25, 1.0],
        },
        {
            "values": [0.0, 0.02, 0.05, 0.1],
            "start": 2,
            "period": 2,
            "gains": [1.0, 0.5],
            "offsets": [0.0, 0.001],
            "delays": [0, 1],
            "source": {"name": "cosine_decay", "init_value": 0.1, "decay_steps": 1000},
        },
    )

    def __check_init__(self) -> None:
        n = self.start + self.period
        if len(self.values) != n:
            raise v.ScheduleArgumentError(
                "values", f"must hold start + period = {n} values, got {len(self.values)}", show_value=False
            )
        if self.start + self.period > MAX_STEP:
            raise v.ScheduleArgumentError("start", "start + period must be <= 2**31 - 1", self.start)
        if len(self.values) and float(np.max(self.values.array)) > FLOAT32_MAX:
            raise v.ScheduleArgumentError(
                "values", f"must hold values <= {FLOAT32_MAX:g} (finite in float32)", show_value=False
            )
        if len(self.rates) != len(self.counts):
            raise v.ScheduleArgumentError(
                "counts", f"must have one count per rate ({len(self.rates)})", self.counts.tolist()
            )
        if (
            known(*self.rates)
            and sum(c * math.log(r) for r, c in zip(self.rates, self.counts.tolist(), strict=True)) > 0
        ):
            raise v.ScheduleArgumentError(
                "rates",
                "grow the value every period (their product over a period must be <= 1)",
                list(self.rates),
            )
        tail = (self.gains, self.offsets)
        if (self.gains is None) != (self.offsets is None):
            raise v.ScheduleArgumentError("offsets", "gains and offsets go together", show_value=False)
        if self.gains is None:
            for name in ("delays", "source"):
                if getattr(self, name) is not None:
                    raise v.ScheduleArgumentError(
                        name, "needs gains and offsets (a reset tail)", show_value=False
                    )
        else:
            for name, x in (("gains", tail[0]), ("offsets", tail[1]), ("delays", self.delays)):
                if x is not None and len(x) != self.period:
                    raise v.ScheduleArgumentError(
                        name, f"must hold period = {self.period} values, got {len(x)}", show_value=False
                    )

    def _key_steps(self) -> list[Any]:
        return [self.start, self.start + self.period]

    def _formula(self, bk: Backend, t: Steps) -> Array:
        xp = bk.xp
        S, L = self.start, self.period
        N = S + L
        n = xp.minimum(t.n, MAX_STEP)
        vals = _array(bk, self.values)
        head = vals[xp.clip(n, 0, N - 1)]
        j = xp.maximum(n - S, 0)
        q = bk.quotient(j, xp.asarray(L, j.dtype)) if L > 1 else j
        r = j - q * L
        if self.gains is None or self.offsets is None:
            base = vals[S + r]
        else:
            base = _array(bk, self.offsets)[r]
            if self.source is not None:
                if self.delays is not None and np.any(self.delays.array):
                    d = xp.asarray(self.delays.array.astype(np.int64)).astype(n.dtype)[r]
                    at = Steps(bk, xp.maximum(n - d, 0))
                else:
                    at = Steps(bk, n)
                g = bk.value(self.source.evaluate(bk, at))
                base = base + _array(bk, self.gains)[r] * g
            else:
                base = base + _array(bk, self.gains)[r]
        tail = base
        for rate, count in zip(self.rates, self.counts.tolist(), strict=True):
            tail = power(bk, rate, *_exact_product(bk, q, count), scale=tail)
        return xp.where(n >= N, tail, head)

    # -- construction from the recurrence -------------------------------------------------------------
    @classmethod
    def solve(
        cls,
        init_value: float,
        steps: Sequence[int] | np.ndarray,
        multipliers: Sequence[float] | np.ndarray,
        anchors: Sequence[float] | np.ndarray | None = None,
        increments: Sequence[float] | np.ndarray | None = None,
        *,
        sources: Sequence[Schedule] = (),
        source_index: Sequence[int] | np.ndarray | None = None,
        source_weight: Sequence[float] | np.ndarray | None = None,
        slots: Sequence[int] | np.ndarray | None = None,
        start: int,
        period: int,
        hold: bool = False,
        max_steps: int = MAX_TABLE_STEPS,
    ) -> AffineRecurrence:
        r"""Solve :math:`x_0` = ``init_value`` and, for each update :math:`j` (in order), at step
        :math:`s_j` = ``steps[j]``:

        .. math::
            x \leftarrow a_j (x - c_j) + c_j + d_j \quad (a_j \ne 0), \qquad
            x \leftarrow c_j + d_j + e_j\, g_{i_j}(s_j) \quad (a_j = 0)

        with :math:`a, c, d` = ``multipliers``, ``anchors``, ``increments`` and, for a setting update,
        :math:`e, i` = ``source_weight``, ``source_index`` (``-1``: no source) into ``sources``
        (schedules of the step). ``s(k)`` is :math:`x` after the updates of step :math:`k`. The updates are
        given for steps ``1 .. start + period - 1`` (sorted by step); from step ``start + period`` on they
        repeat those of ``start .. start + period - 1``. Each update is applied in the order given, in
        float64, exactly as written above (the table is what a float64 loop over the updates computes).
        ``slots`` names the quantity each update belongs to (default: its position within its step): the
        scaling tail keeps one exact rate per slot and value. With ``hold=True`` the updates stop at step
        ``start + period - 1`` (give ``period=1``): the last value is held after it.

        The prefix costs ``start + period`` float64 values and one Python-level operation per update on
        the host (about 0.2 microseconds each); ``start + period`` is limited to ``max_steps``. A period that
        resets the value to a constant costs one more period of table (from ``start + period`` on the
        values repeat exactly); one that sets it from a source (or whose second period would pass
        ``max_steps``) keeps per-phase gains and offsets instead (a second, slower pass over the period).

        Refused with :class:`~jaxsched.ScheduleArgumentError`: a prefix longer than ``max_steps``; a period
        that neither resets nor only scales the value (an offset with no reset); a period that grows the
        value; a value below 0 or beyond the float32 range; a reset tail fed by two different sources.
        """
        S, L = int(start), int(period)
        if S < 0 or L < 1:
            raise v.ScheduleArgumentError("period", "start must be >= 0 and period >= 1", (S, L))
        N = S + L
        if max_steps < N:
            raise v.ScheduleArgumentError(
                "period",
                f"start + period = {N} steps of table exceed the limit of {max_steps}",
                show_value=False,
            )
        st = np.asarray(steps, dtype=np.int64).reshape(-1)
        m = st.shape[0]
        a = np.asarray(multipliers, dtype=np.float64).reshape(-1)
        c = np.zeros(m) if anchors is None else np.asarray(anchors, dtype=np.float64).reshape(-1)
        d = np.zeros(m) if increments is None else np.asarray(increments, dtype=np.float64).reshape(-1)
        src = (
            np.full(m, -1, np.int64)
            if source_index is None
            else np.asarray(source_index, dtype=np.int64).reshape(-1)
        )
        w = np.ones(m) if source_weight is None else np.asarray(source_weight, dtype=np.float64).reshape(-1)
        for name, arr in (
            ("multipliers", a),
            ("anchors", c),
            ("increments", d),
            ("source_index", src),
            ("source_weight", w),
        ):
            if arr.shape[0] != m:
                raise v.ScheduleArgumentError(name, f"must have one entry per update ({m})", show_value=False)
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
                raise v.ScheduleArgumentError(name, "must be finite", show_value=False)
        if m and (np.any(np.diff(st) < 0) or st[0] < 1 or st[-1] >= N):
            raise v.ScheduleArgumentError("steps", f"must be sorted, within 1 .. {N - 1}", show_value=False)
        if np.any((src >= 0) & (a != 0)) or np.any(src >= len(sources)):
            raise v.ScheduleArgumentError(
                "source_index",
                "a source may only feed a setting update (multiplier 0), and must index sources",
                show_value=False,
            )
        if slots is None:
            first = np.searchsorted(st, st, side="left")
            slot = np.arange(m) - first
        else:
            slot = np.asarray(slots, dtype=np.int64).reshape(-1)
        # The source values the setting updates read, evaluated once per source.
        fed = np.zeros(m)
        for i, g in enumerate(sources):
            sel = np.flatnonzero(src == i)
            if sel.size:
                fed[sel] = w[sel] * np.broadcast_to(g.numpy(st[sel]), sel.shape)
        x = float(init_value)
        after = _run(x, a, c, d, fed)
        idx = np.searchsorted(st, np.arange(N), side="right") - 1
        vals = np.where(idx >= 0, after[np.maximum(idx, 0)] if m else x, x)
        _check_range(vals, 0)
        inside = st >= S
        rates: list[float] = []
        counts: list[int] = []
        kw: dict[str, Any] = {}
        if hold:
            if L != 1:
                raise v.ScheduleArgumentError("period", "must be 1 with hold=True", L)
        elif not np.any(a[inside] == 0):
            offset = c[inside] * (1.0 - a[inside]) + d[inside]
            if np.any(offset != 0):
                raise v.ScheduleArgumentError(
                    "increments",
                    "the repeating updates add to the value but never reset it: the value "
                    "would drift without a closed form",
                    show_value=False,
                )
            scaling = inside & (a != 1.0)
            groups = sorted({(int(s), float(r)) for s, r in zip(slot[scaling], a[scaling], strict=True)})
            if len(groups) > MAX_RATES:
                rates, counts = [float(np.prod(a[scaling]))], [1]
            else:
                for s_, r_ in groups:
                    rates.append(r_)
                    counts.append(int(np.sum((slot[scaling] == s_) & (a[scaling] == r_))))
            if sum(n_ * math.log(r_) for r_, n_ in zip(rates, counts, strict=True)) > 0:
                raise v.ScheduleArgumentError(
                    "multipliers",
                    "the repeating updates grow the value every period without bound",
                    show_value=False,
                )
        elif np.all(src[inside] < 0) and max_steps >= N + L:
            # Every period resets the value to a constant: from step S + L on it repeats exactly. One more
            # period of table (the updates of S .. S + L - 1 again) and the scaling tail with no rate.
            x_end = float(vals[-1])
            again = _run(x_end, a[inside], c[inside], d[inside], np.zeros(int(np.sum(inside))))
            idx2 = np.searchsorted(st[inside], np.arange(S, N), side="right") - 1
            more = np.where(idx2 >= 0, again[np.maximum(idx2, 0)] if again.size else x_end, x_end)
            _check_range(more, N)
            vals = np.concatenate([vals, more])
            S += L
        else:
            kw = _reset_tail(st, a, c, d, src, w, sources, S, L)
        return cls(
            values=Table(vals), start=S, period=L, rates=tuple(rates), counts=Table(counts, np.int64), **kw
        )


def _check_range(vals: np.ndarray, first: int) -> None:
    """Refuse a value below 0, beyond the float32 range or not finite (naming the first step)."""
    bad = np.flatnonzero(~np.isfinite(vals) | (vals < 0) | (vals > FLOAT32_MAX))
    if bad.size:
        k = int(bad[0])
        what = (
            "goes below 0"
            if vals[k] < 0
            else "is not finite"
            if not np.isfinite(vals[k])
            else f"goes beyond {FLOAT32_MAX:g} (the float32 range)"
        )
        raise v.ScheduleArgumentError(
            "multipliers", f"the recurrence {what} at step {first + k} ({float(vals[k])!r})", show_value=False
        )


def _run(x: float, a: np.ndarray, c: np.ndarray, d: np.ndarray, fed: np.ndarray) -> np.ndarray:
    """The value after each update, in float64, in order: ``x = a (x - c) + c + d + fed`` (``c + d + fed``
    for a set, ``a = 0``)."""
    out: list[float] = []
    push = out.append
    for aj, cj, dj, fj in zip(a.tolist(), c.tolist(), d.tolist(), fed.tolist(), strict=True):
        x = aj * (x - cj) + cj + dj + fj if aj else cj + dj + fj  # a set does not read x
        push(x)
    return np.asarray(out, dtype=np.float64)


def _reset_tail(
    st: np.ndarray,
    a: np.ndarray,
    c: np.ndarray,
    d: np.ndarray,
    src: np.ndarray,
    w: np.ndarray,
    sources: Sequence[Schedule],
    S: int,
    L: int,
) -> dict[str, Any]:
    """The per-phase coefficients of a period that resets the value: two passes over one period, the second
    recording, after each step, the value as ``u g(k - delta) + w`` of the value last set."""
    lo, hi = np.searchsorted(st, S, side="left"), len(st)
    ops = list(
        zip(
            st[lo:hi].tolist(),
            a[lo:hi].tolist(),
            c[lo:hi].tolist(),
            d[lo:hi].tolist(),
            src[lo:hi].tolist(),
            w[lo:hi].tolist(),
            strict=True,
        )
    )
    gains, offsets, delays, feeds = np.zeros(L), np.zeros(L), np.zeros(L, np.int64), np.full(L, -1)
    state: list[Any] | None = None  # [source, u, w, delay]
    for rep in range(2):
        j = 0
        for k in range(S, S + L):
            while j < len(ops) and ops[j][0] == k:
                _, aj, cj, dj, sj, wj = ops[j]
                if aj == 0:
                    state = [sj, wj if sj >= 0 else 0.0, cj + dj, 0]
                elif state is not None:
                    state[1] = aj * state[1]
                    state[2] = aj * (state[2] - cj) + cj + dj
                j += 1
            if rep == 1:
                assert state is not None
                r = k - S
                feeds[r] = state[0] if state[1] != 0 else -1
                gains[r], offsets[r], delays[r] = state[1], state[2], state[3]
            if state is not None:
                state[3] += 1
    used = sorted({int(f) for f in feeds if f >= 0})
    if len(used) > 1:
        raise v.ScheduleArgumentError(
            "source_index", "the repeating updates are fed by more than one source", used
        )
    if np.any(gains < 0) or np.any(offsets < 0):
        raise v.ScheduleArgumentError(
            "multipliers",
            "the repeating updates give a value below 0 for some values of the source",
            show_value=False,
        )
    out: dict[str, Any] = {"gains": Table(gains), "offsets": Table(offsets)}
    if used:
        out["source"] = sources[used[0]]
        if np.any(delays):
            out["delays"] = Table(delays, np.int64)
    return out


def _array(bk: Backend, t: Table) -> Array:
    """A table as a constant array of the backend's float dtype."""
    if bk.is_numpy:
        return t.array
    return bk.xp.asarray(t.array, dtype=bk.float_dtype)
