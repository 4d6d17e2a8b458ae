"""``ScheduleLR``: a real ``torch.optim.lr_scheduler.LRScheduler`` driven by jaxsched schedules.

The curve is evaluated with ``Schedule.numpy`` (NumPy float64, no JAX computation) in blocks of
``block_size`` steps, so a ``step()`` is a list lookup and a dict write: no per-step NumPy call, no
per-step allocation that survives the step.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from jaxsched._core import Schedule

__all__ = ["ScheduleLR", "parse_field"]

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


class ScheduleLR(LRScheduler):
    """Drive a param-group field of a torch optimizer from jaxsched schedules.

    After ``k`` calls of ``step()``, ``param_groups[i][field]`` holds :math:`s_i(k)` (absolute mode) or
    :math:`v_i\\, s_i(k)` (``multiplier=True``, like ``LambdaLR``), where :math:`v_i` is the group's
    initial value of the field (stored as ``initial_lr``, or ``initial_<field>`` for other fields, so that
    a resume with ``last_epoch`` finds it). Values are NumPy float64 (``Schedule.numpy``): no JAX backend is
    ever started. ``step(epoch)`` jumps to ``epoch`` (torch's deprecated path; the value is the closed form,
    as always here).

    ``get_last_lr()`` returns the groups' learning rates, as for every torch scheduler (that is what HF
    Trainer and Lightning log); :meth:`get_last_value` returns the scheduled field's values.

    Resume: ``state_dict()`` holds only plain Python values (the schedules as configs), so it survives
    ``torch.load(weights_only=True)``. Either construct, then ``load_state_dict(sd)`` and
    ``optimizer.load_state_dict(osd)`` (as for any torch scheduler), or construct with ``last_epoch=k``:
    the field is then set to :math:`s(k)`, the value a run paused after ``k`` steps holds, and the next
    ``step()`` gives :math:`s(k+1)` (torch's own classes disagree among themselves on this; see the
    reference notes).

    Args:
      optimizer: a ``torch.optim.Optimizer``.
      schedule: one :class:`jaxsched.Schedule` for every param group, or a list with one per group.
      field: the param-group key to drive: ``"lr"``, ``"weight_decay"``, ``"momentum"``, ``"betas[0]"``,
        ``"betas[1]"``, ... (``key[i]`` sets entry ``i`` of a tuple).
      multiplier: multiply each group's initial value instead of setting the value.
      last_epoch: ``-1`` to start; ``k >= 0`` to resume after ``k`` steps.
      block_size: steps evaluated per NumPy call.

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
    """

    def __init__(self, optimizer: Optimizer, schedule: Schedule | Sequence[Schedule], *,
                 field: str = "lr", multiplier: bool = False, last_epoch: int = -1,
                 block_size: int = 2048) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        groups = optimizer.param_groups
        if isinstance(schedule, list | tuple):
            if len(schedule) != len(groups):
                raise ValueError(f"schedule: expected {len(groups)} schedules (one per param group), "
                                 f"but got {len(schedule)}")
            schedules = list(schedule)
        else:
            schedules = [schedule] * len(groups)
        for i, s in enumerate(schedules):
            if not isinstance(s, Schedule):
                raise TypeError(f"schedule[{i}]: must be a jaxsched Schedule, got {type(s).__name__}")
        key, index = parse_field(field)
        for i, g in enumerate(groups):
            if key not in g:
                raise KeyError(f"field: param_groups[{i}] has no {key!r} (keys: {sorted(g)})")
            if index is not None and not (isinstance(g[key], Sequence | torch.Tensor)
                                          and index < len(g[key])):
                raise ValueError(f"field: param_groups[{i}][{key!r}] = {g[key]!r} has no entry {index}")
        if not isinstance(multiplier, bool):
            raise TypeError(f"multiplier: must be a bool, got {multiplier!r}")
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < -1:
            raise ValueError(f"last_epoch: must be an int >= -1, got {last_epoch!r}")
        if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
            raise ValueError(f"block_size: must be a positive int, got {block_size!r}")
        self.optimizer = optimizer
        self.schedules = schedules
        self.field = field
        self.multiplier = multiplier
        self._key = key
        self._index = index
        self._block_size = block_size
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
                        f"first, or resume with load_state_dict)")
                g[self._init_key] = _clone(read_field(g, key, index))
            if field != "lr":
                g.setdefault("initial_lr", _clone(g["lr"]))
        self.base_values = [float(_plain(g[self._init_key])) for g in groups]
        # LRScheduler's initial step lands on last_epoch + 1; a resume after k steps must land on k.
        super().__init__(optimizer, last_epoch - 1 if last_epoch >= 0 else -1)

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
            isinstance(g[self._key], torch.Tensor) for g in groups)

    def _values_at(self, t: Any) -> tuple[float, ...]:
        if isinstance(t, int) and t >= 0:
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

    def step(self, epoch: int | None = None) -> None:
        """Advance one step (or jump to ``epoch``) and write the field into every param group."""
        if epoch is not None or self._step_count < 2:
            # The base class's first-step checks and warnings, and the deprecated epoch path.
            super().step(epoch)
            return
        self._step_count += 1
        self._update_lr(None)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
        else:
            self.last_epoch = epoch
        row = self._values_at(self.last_epoch)
        groups = self.optimizer.param_groups
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
    def state_dict(self) -> dict[str, Any]:
        """Counters, base values and the schedules' configs: plain Python values only."""
        skip = {"optimizer", "schedules", "_rows", "_cache_start", "_plain_write"}
        sd = {k: val for k, val in self.__dict__.items() if k not in skip}
        sd["_last_value"] = [float(x) for x in self._last_value]
        sd["_last_lr"] = [_plain(x) for x in self._last_lr]
        configs = []
        for s in self.schedules:
            try:
                configs.append(s.to_config())
            except (TypeError, ValueError):
                configs.append(None)
        sd["schedules"] = configs
        return sd

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore counters and base values (the schedules stay the constructed ones).

        As for every torch scheduler, the param groups are not written: load the optimizer's state too, or
        the next ``step()`` writes the next value.
        """
        sd = dict(state_dict)
        configs = sd.pop("schedules", None)
        if configs is not None and len(configs) == len(self.schedules):
            for i, (s, cfg) in enumerate(zip(self.schedules, configs, strict=True)):
                if cfg is not None and _config_of(s) not in (None, cfg):
                    warnings.warn(f"ScheduleLR.load_state_dict: schedule {i} differs from the saved one "
                                  f"({cfg.get('name')!r}); keeping the constructed schedule",
                                  UserWarning, stacklevel=2)
        self.__dict__.update(sd)
        self._drop_cache()


def _config_of(s: Schedule) -> dict[str, Any] | None:
    try:
        return s.to_config()
    except (TypeError, ValueError):
        return None


def _clone(x: Any) -> Any:
    return x.clone() if isinstance(x, torch.Tensor) else x
