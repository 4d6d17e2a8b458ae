"""``ScheduleLR``: a real ``torch.optim.lr_scheduler.LRScheduler`` driven by jaxsched schedules.

The curve is evaluated with ``Schedule.numpy`` (NumPy float64, no JAX computation) in blocks of
``block_size`` steps, so a ``step()`` is a list lookup and a dict write: no per-step NumPy call, no
per-step allocation that survives the step.
"""

from __future__ import annotations

import math
import numbers
import re
import warnings
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from jaxsched._core import Schedule

__all__ = ["ScheduleLR", "ScheduleOverrideWarning", "as_epoch", "parse_field"]

_FIELD = re.compile(r"^(?P<key>[^\[\]]+)(?:\[(?P<index>\d+)\])?$")


def parse_field(field: str) -> tuple[str, int | None]:
    """``"betas[0]"`` -> ``("betas", 0)``; ``"lr"`` -> ``("lr", None)``."""
    if not isinstance(field, str):
        raise TypeError(f"field: must be a string such as 'lr' or 'betas[0]', got {field!r}")
    m = _FIELD.match(field)
    if m is None:
        raise ValueError(f"field: must be a param-group key, optionally indexed ('betas[0]'), got {field!r}")
    index = m.group("index")
    return m.group("key"), None if index is None else int(index)


def read_field(group: dict[str, Any], key: str, index: int | None) -> Any:
    value = group[key]
    return value if index is None else value[index]


def write_field(group: dict[str, Any], key: str, index: int | None, value: float) -> None:
    """Set ``group[key]`` (or one entry of the tuple ``group[key]``), filling Tensors in place."""
    if index is None:
        cur = group[key]
        if isinstance(cur, torch.Tensor):
            cur.fill_(value)
        else:
            group[key] = value
        return
    old = group[key]
    cur = old[index]
    if isinstance(cur, torch.Tensor):
        cur.fill_(value)
        return
    seq = list(old)
    seq[index] = value
    group[key] = type(old)(seq) if isinstance(old, tuple | list) else tuple(seq)


def _plain(x: Any) -> Any:
    return float(x.item()) if isinstance(x, torch.Tensor) else x


class ScheduleOverrideWarning(UserWarning):
    """A :class:`ScheduleLR` in absolute mode replaces a value the optimizer was configured with."""


def as_epoch(epoch: Any, name: str = "epoch", *, whole: bool = False) -> int | float:
    """A step/epoch argument as a Python ``int`` (or a Python ``float`` for a fractional epoch).

    Python, NumPy and one-element torch scalars are accepted, so ``last_epoch`` stays a plain number (which
    ``torch.load(weights_only=True)`` reads back and the per-step fast path expects); bools, NaN, infinities,
    negative values (and fractions, with ``whole=True``) are refused, naming the argument.
    """
    value = epoch
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise TypeError(f"{name}: must be a scalar, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: must be an int, got {type(epoch).__name__} {epoch!r}")
    if isinstance(value, numbers.Integral):
        out: int | float = int(value)
    else:
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"{name}: must be finite, got {epoch!r}")
        out = int(f) if f.is_integer() else f
    if whole and not isinstance(out, int):
        raise ValueError(f"{name}: must be a whole number, got {epoch!r}")
    if out < 0:
        raise ValueError(f"{name}: must be >= 0, got {epoch!r}")
    return out


class ScheduleLR(LRScheduler):
    r"""Set the field to absolute values s(k), warning if the optimizer's differs (multiplier=True scales it).

    After ``k`` calls of ``step()``, ``param_groups[i][field]`` holds

    .. math:: s_i(k) \quad\text{(default)} \qquad\text{or}\qquad v_i\, s_i(k) \quad (\texttt{multiplier=True})

    where :math:`v_i` is the group's initial value of the field (stored as ``initial_lr``, or
    ``initial_<field>`` for other fields, so that a resume with ``last_epoch`` finds it). Values are NumPy
    float64 (``Schedule.numpy``): no JAX backend is ever started. ``step(epoch)`` jumps to ``epoch``
    (torch's deprecated path; the value is the closed form, as always here).

    **Absolute or multiplier.** By default the schedule's values *are* the field's values: the optimizer's
    configured ``lr`` is replaced (``AdamW(lr=3e-4)`` with ``warmup_cosine_decay(0.0, 1.0, ...)`` runs at
    up to 1.0). When the configured value is neither the schedule's first value ``s(0)`` nor its peak, a
    :class:`ScheduleOverrideWarning` says so at construction; pass ``multiplier=True`` to scale the
    configured value by the schedule instead (torch's ``LambdaLR``, HF's ``get_*`` schedules), or
    ``warn_on_override=False`` when the absolute values are intended.

    ``get_last_lr()`` returns the groups' learning rates, as for every torch scheduler (that is what HF
    Trainer and Lightning log); :meth:`get_last_value` returns the scheduled field's values.

    **Param groups added later** (``optimizer.add_param_group``): with one schedule for every group, a new
    group follows it from the next ``step()`` (in multiplier mode its value at that moment is its
    :math:`v_i`), as torch's own schedulers keep driving every group; with one schedule per group the next
    ``step()`` raises ``ValueError``, since the new group has none.

    **Resume**: ``state_dict()`` holds only plain Python values (the schedules as configs), so it survives
    ``torch.load(weights_only=True)``. Either construct, then ``load_state_dict(sd)`` and
    ``optimizer.load_state_dict(osd)`` (as for any torch scheduler), or construct with ``last_epoch=k``:
    the field is then set to :math:`s(k)`, the value a run paused after ``k`` steps holds, and the next
    ``step()`` gives :math:`s(k+1)` (torch's own classes disagree among themselves on this; see the
    reference notes). ``load_state_dict`` refuses a state that does not fit (another field, multiplier
    mode, number of groups, or, in multiplier mode, other base values) and warns when the saved schedules
    differ from the constructed ones (which are kept).

    Args:
      optimizer: a ``torch.optim.Optimizer``.
      schedule: one :class:`jaxsched.Schedule` for every param group, or a list with one per group.
      field: the param-group key to drive: ``"lr"``, ``"weight_decay"``, ``"momentum"``, ``"betas[0]"``,
        ``"betas[1]"``, ... (``key[i]`` sets entry ``i`` of a tuple).
      multiplier: multiply each group's initial value instead of setting the value.
      last_epoch: ``-1`` to start; ``k >= 0`` to resume after ``k`` steps.
      block_size: steps evaluated per NumPy call.
      warn_on_override: warn when absolute values replace a different configured value (see above).

    Example:
      >>> import torch, jaxsched
      >>> from torch_bridge import ScheduleLR
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
      >>> sched = ScheduleLR(opt, jaxsched.linear(1.0, 0.0, transition_steps=4))
      >>> lrs = []
      >>> for _ in range(3):
      ...     opt.step(); sched.step(); lrs.append(sched.get_last_lr()[0])
      >>> lrs
      [0.75, 0.5, 0.25]
      >>> opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=3e-4)
      >>> sched = ScheduleLR(opt, jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 100), multiplier=True)
      >>> for _ in range(10):
      ...     opt.step(); sched.step()
      >>> sched.get_last_lr()  # the peak: 3e-4 times the schedule's 1.0
      [0.0003]
    """

    schedules: list[Schedule]
    base_values: list[float]
    field: str
    multiplier: bool
    _shared: Schedule | None
    _key: str
    _index: int | None
    _init_key: str
    _block_size: int
    _last_value: tuple[float, ...]

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: Schedule | Sequence[Schedule],
        *,
        field: str = "lr",
        multiplier: bool = False,
        last_epoch: int = -1,
        block_size: int = 2048,
        warn_on_override: bool = True,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        groups = optimizer.param_groups
        if isinstance(schedule, list | tuple):
            if len(schedule) != len(groups):
                raise ValueError(
                    f"schedule: expected {len(groups)} schedules (one per param group), "
                    f"but got {len(schedule)}"
                )
            schedules = list(schedule)
            shared = None
        else:
            schedules = [schedule] * len(groups)
            shared = schedule
        for i, s in enumerate(schedules):
            if not isinstance(s, Schedule):
                raise TypeError(f"schedule[{i}]: must be a jaxsched Schedule, got {type(s).__name__}")
        key, index = parse_field(field)
        for i, g in enumerate(groups):
            self._check_group(i, g, key, index)
        if not isinstance(multiplier, bool):
            raise TypeError(f"multiplier: must be a bool, got {multiplier!r}")
        if not isinstance(warn_on_override, bool):
            raise TypeError(f"warn_on_override: must be a bool, got {warn_on_override!r}")
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral) or last_epoch < -1:
            raise ValueError(f"last_epoch: must be an int >= -1, got {last_epoch!r}")
        last_epoch = int(last_epoch)
        if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
            raise ValueError(f"block_size: must be a positive int, got {block_size!r}")
        self.optimizer = optimizer
        self.schedules = schedules
        self._shared = shared
        self.field = field
        self.multiplier = multiplier
        self._key = key
        self._index = index
        self._block_size = block_size
        self._surgery: list[dict[str, Any]] = []
        self._init_key = "initial_lr" if field == "lr" else f"initial_{field}"
        self._drop_cache()
        fresh = last_epoch <= 0
        for i, g in enumerate(groups):
            if fresh:
                g.setdefault(self._init_key, _clone(read_field(g, key, index)))
            elif self._init_key not in g:
                if multiplier:
                    raise KeyError(
                        f"param {self._init_key!r} is not specified in param_groups[{i}] when resuming "
                        f"ScheduleLR with last_epoch >= 0 in multiplier mode (load the optimizer state "
                        f"first, or resume with load_state_dict)"
                    )
                g[self._init_key] = _clone(read_field(g, key, index))
            if field != "lr":
                g.setdefault("initial_lr", _clone(g["lr"]))
        self.base_values = [float(_plain(g[self._init_key])) for g in groups]
        if fresh and warn_on_override and not multiplier:
            self._warn_override()
        # LRScheduler's initial step lands on last_epoch + 1; a resume after k steps must land on k.
        super().__init__(optimizer, last_epoch - 1 if last_epoch >= 0 else -1)

    def _check_group(self, i: int, g: dict[str, Any], key: str, index: int | None) -> None:
        if key not in g:
            raise KeyError(f"field: param_groups[{i}] has no {key!r} (keys: {sorted(g)})")
        if index is not None and not (isinstance(g[key], Sequence | torch.Tensor) and index < len(g[key])):
            raise ValueError(f"field: param_groups[{i}][{key!r}] = {g[key]!r} has no entry {index}")

    def _warn_override(self) -> None:
        """Warn when the configured value is neither ``s(0)`` nor the schedule's peak (absolute mode)."""
        lines = []
        for i, (s, configured) in enumerate(zip(self.schedules, self.base_values, strict=True)):
            try:
                steps = np.asarray(sorted({0, *s.key_steps()}), dtype=np.int64)
                values = np.asarray(s.numpy(steps), dtype=np.float64).reshape(-1)
            except Exception:  # a schedule that cannot say where its peak is: compare with s(0) only
                values = np.asarray(s.numpy(0), dtype=np.float64).reshape(-1)
            first, peak = float(values[0]), float(np.max(values))
            if not any(math.isclose(configured, x, rel_tol=1e-6, abs_tol=0.0) for x in (first, peak)):
                lines.append(
                    f"param_groups[{i}][{self.field!r}] = {configured:.6g} (the schedule starts "
                    f"at {first:.6g} and peaks at {peak:.6g})"
                )
        if lines:
            warnings.warn(
                "ScheduleLR sets the field to the schedule's absolute values, replacing what the optimizer "
                f"was configured with: {'; '.join(lines)}. Pass multiplier=True to scale the configured "
                "value by the schedule instead (like LambdaLR), or warn_on_override=False if the absolute "
                "values are intended.",
                ScheduleOverrideWarning,
                stacklevel=3,
            )

    # -- param groups added with optimizer.add_param_group ------------------------------------------------
    def _sync_groups(self) -> None:
        """Give groups added since construction the shared schedule, or refuse (one schedule per group)."""
        groups = self.optimizer.param_groups
        have = len(self.schedules)
        if len(groups) == have:
            return
        if len(groups) < have or self._shared is None:
            raise ValueError(
                f"ScheduleLR: the optimizer has {len(groups)} param groups, but this scheduler was built "
                f"with {have} schedules, one per group; a group added with optimizer.add_param_group has "
                "no schedule (build the scheduler with one schedule for every group, or build a new "
                "ScheduleLR over the optimizer)"
            )
        for i in range(have, len(groups)):
            g = groups[i]
            self._check_group(i, g, self._key, self._index)
            g.setdefault(self._init_key, _clone(read_field(g, self._key, self._index)))
            init_lr = g.setdefault("initial_lr", _clone(g["lr"]))
            self.schedules.append(self._shared)
            self.base_values.append(float(_plain(g[self._init_key])))
            self.base_lrs.append(float(_plain(init_lr)))
        self._drop_cache()

    # -- evaluation --------------------------------------------------------------------------------------
    def _drop_cache(self) -> None:
        self._cache_start = 0
        self._rows: list[tuple[float, ...]] = []
        self._plain_write = False

    def _evaluate(self, steps: np.ndarray) -> list[np.ndarray]:
        by_id: dict[int, np.ndarray] = {}
        out = []
        for i, s in enumerate(self.schedules):
            vals = by_id.get(id(s))
            if vals is None:
                vals = by_id[id(s)] = np.broadcast_to(s.numpy(steps), steps.shape)
            out.append(vals * self.base_values[i] if self.multiplier else vals)
        return out

    def _refill(self, start: int) -> None:
        steps = np.arange(start, start + self._block_size, dtype=np.int64)
        cols = [a.tolist() for a in self._evaluate(steps)]
        self._rows = list(zip(*cols, strict=True))
        self._cache_start = start
        groups = self.optimizer.param_groups
        self._plain_write = self._index is None and not any(
            isinstance(g[self._key], torch.Tensor) for g in groups
        )

    def _values_at(self, t: Any) -> tuple[float, ...]:
        if type(t) is int and t >= 0:
            i = t - self._cache_start
            rows = self._rows
            if 0 <= i < len(rows):
                return rows[i]
            self._refill(t)
            return self._rows[0]
        steps = np.asarray([t], dtype=np.float64)
        return tuple(float(a[0]) for a in self._evaluate(steps))

    # -- the LRScheduler protocol -------------------------------------------------------------------------
    def get_lr(self) -> list[float | torch.Tensor]:
        """The scheduled field's values at ``last_epoch`` (use :meth:`get_last_value` to read them)."""
        return list(self._values_at(self.last_epoch))

    def get_last_value(self) -> list[float]:
        """The scheduled field's values after the last ``step()``, one per param group."""
        return list(self._last_value)

    def step(self, epoch: Any = None) -> None:
        """Advance one step (or jump to ``epoch``, a Python/NumPy/torch integer scalar) and write the field
        into every param group."""
        if epoch is not None:
            epoch = as_epoch(epoch)
        if epoch is not None or self._step_count < 2:
            # The base class's first-step checks and warnings, and the deprecated epoch path.
            super().step(epoch)
            return
        self._step_count += 1
        self._update_lr(None)

    def _update_lr(self, epoch: Any = None) -> None:
        if epoch is None:
            self.last_epoch += 1
        else:
            self.last_epoch = cast(int, as_epoch(epoch))  # a float only on torch's fractional-epoch path
        groups = self.optimizer.param_groups
        if len(groups) != len(self.schedules):
            self._sync_groups()
        row = self._values_at(self.last_epoch)
        if self._plain_write and len(row) == len(groups):
            key = self._key
            for g, val in zip(groups, row):  # noqa: B905 - lengths checked above
                g[key] = val
        else:
            for g, val in zip(groups, row, strict=True):
                write_field(g, self._key, self._index, val)
        self._last_value = row
        if self.field == "lr" and self._plain_write:
            self._last_lr = list(row)
        else:
            self._last_lr = [_clone(g["lr"]) for g in groups]

    # -- state --------------------------------------------------------------------------------------------
    _STATE_KEYS = (
        "last_epoch",
        "_step_count",
        "_is_initial",
        "base_lrs",
        "_last_lr",
        "_last_value",
        "field",
        "multiplier",
        "base_values",
    )

    def state_dict(self) -> dict[str, Any]:
        """Counters, base values and the schedules' configs: plain Python values only."""
        sd: dict[str, Any] = {k: getattr(self, k) for k in self._STATE_KEYS if hasattr(self, k)}
        sd["base_lrs"] = [_plain(x) for x in self.base_lrs]
        sd["base_values"] = [float(x) for x in self.base_values]
        sd["_last_value"] = [float(x) for x in self._last_value]
        sd["_last_lr"] = [_plain(x) for x in self._last_lr]
        sd["schedules"] = [_config_of(s) for s in self.schedules]
        sd["surgery"] = [dict(e) for e in self._surgery]
        return sd

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the step counters of a state saved by :meth:`state_dict` of a scheduler like this one.

        A state that does not fit is refused with ``ValueError`` saying what differs: another ``field``, the
        other multiplier mode, another number of param groups, or (in multiplier mode, where they scale the
        values) other base values. Saved schedules that differ from the constructed ones only warn: the
        constructed schedules are kept. As for every torch scheduler, the param groups are not written:
        load the optimizer's state too, or the next ``step()`` writes the next value.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict: must be a dict, got {type(state_dict).__name__}")
        missing = [k for k in ("field", "multiplier", "base_values", "last_epoch") if k not in state_dict]
        if missing:
            raise ValueError(
                f"ScheduleLR.load_state_dict: not a ScheduleLR state (no {missing[0]!r}; keys: "
                f"{sorted(state_dict)})"
            )
        if len(self.optimizer.param_groups) != len(self.schedules):
            self._sync_groups()
        problems = []
        if state_dict["field"] != self.field:
            problems.append(f"it drives {state_dict['field']!r}, this scheduler drives {self.field!r}")
        if state_dict["multiplier"] != self.multiplier:
            problems.append(
                f"it has multiplier={state_dict['multiplier']!r}, this scheduler "
                f"multiplier={self.multiplier!r}"
            )
        saved = [float(_plain(x)) for x in state_dict["base_values"]]
        if len(saved) != len(self.base_values):
            problems.append(f"it has {len(saved)} param groups, this optimizer has {len(self.base_values)}")
        elif self.multiplier and saved != self.base_values:
            problems.append(
                f"its base values (the initial {self.field} of each group, which the schedules "
                f"multiply) are {saved}, this scheduler's are {self.base_values}"
            )
        if problems:
            raise ValueError(
                "ScheduleLR.load_state_dict: the state does not fit this scheduler: " + "; ".join(problems)
            )
        last = state_dict["last_epoch"]
        at = -1 if last == -1 else cast(int, as_epoch(last))
        self._surgery = [dict(e) for e in state_dict.get("surgery", [])]
        configs = state_dict.get("schedules")
        if configs is not None and len(configs) == len(self.schedules):
            for i, (s, cfg) in enumerate(zip(self.schedules, configs, strict=True)):
                if cfg is not None and _config_of(s) not in (None, cfg):
                    self._note_swap(i, cfg, s, max(at, 0), on_load=True)
        self.last_epoch = at
        for key in ("_step_count",):
            if key in state_dict:
                setattr(self, key, int(state_dict[key]))
        if "_is_initial" in state_dict:
            self._is_initial = bool(state_dict["_is_initial"])
        if "_last_value" in state_dict and len(state_dict["_last_value"]) == len(self.schedules):
            self._last_value = tuple(float(_plain(x)) for x in state_dict["_last_value"])
        if "_last_lr" in state_dict and len(state_dict["_last_lr"]) == len(self.schedules):
            self._last_lr = list(state_dict["_last_lr"])
        self._drop_cache()

    # -- surgery ------------------------------------------------------------------------------------------
    def _note_swap(
        self, i: int, old: dict[str, Any] | Schedule, new: Schedule, at: int, *, on_load: bool
    ) -> None:
        """Record a change of schedule ``i`` at step ``at``; warn when the value there jumps."""
        from jaxsched import from_config

        before = old if isinstance(old, Schedule) else from_config(old)
        v_old, v_new = float(before.numpy(at)), float(new.numpy(at))
        continuous = v_old == v_new or abs(v_new - v_old) <= 1e-12 * max(abs(v_old), abs(v_new))
        entry = {
            "group": i,
            "at": at,
            "from": _config_of(before),
            "to": _config_of(new),
            "value": v_new,
            "continuous": continuous,
        }
        self._surgery.append(entry)
        if not continuous:
            where = "the saved one" if on_load else "the running one"
            warnings.warn(
                f"ScheduleLR: schedule {i} changed at step {at}: {self.field} jumps from {v_old!r} "
                f"({where}) to {v_new!r}; use jaxsched.branch/stretch/extend/rewarmup to continue from the "
                f"running value",
                UserWarning,
                stacklevel=3,
            )

    def swap(self, schedule: Schedule | Sequence[Schedule]) -> None:
        """Continue with another schedule from the current step (schedule surgery on a running job).

        The new schedule is typically built from the running one with :func:`jaxsched.branch`,
        :func:`jaxsched.stretch`, :func:`jaxsched.extend` or :func:`jaxsched.rewarmup` at
        ``last_epoch``, so the field keeps its value; the change is recorded in ``state_dict()["surgery"]``
        (step, old and new configs, and whether the value was continuous) and a jump warns. Resuming from
        a saved state with the new schedule passed to the constructor records it the same way.
        """
        new: list[Any] = (
            list(schedule) if isinstance(schedule, list | tuple) else [schedule] * len(self.schedules)
        )
        if len(new) != len(self.schedules):
            raise ValueError(
                f"schedule: expected {len(self.schedules)} schedules (one per param group), got {len(new)}"
            )
        for i, s in enumerate(new):
            if not isinstance(s, Schedule):
                raise TypeError(f"schedule[{i}]: must be a jaxsched Schedule, got {type(s).__name__}")
        at = max(self.last_epoch, 0)
        for i, (old, s) in enumerate(zip(self.schedules, new, strict=True)):
            if s != old:
                self._note_swap(i, old, s, at, on_load=False)
        self.schedules = new
        self._shared = schedule if isinstance(schedule, Schedule) else None
        self._drop_cache()

    @property
    def surgery(self) -> list[dict[str, Any]]:
        """The schedule changes of this run (see :meth:`swap`), oldest first."""
        return list(self._surgery)


def _config_of(s: Schedule) -> dict[str, Any] | None:
    try:
        return s.to_config()
    except (TypeError, ValueError):
        return None


def _clone(x: Any) -> Any:
    return x.clone() if isinstance(x, torch.Tensor) else x
