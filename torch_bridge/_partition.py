"""A :class:`jaxsched.Partition` on a torch model: param groups and one ``ScheduleLR`` per field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch.optim import Optimizer

from jaxsched._core import Schedule
from jaxsched._partition import Partition
from jaxsched._validate import ScheduleArgumentError, ScheduleArgumentTypeError
from jaxsched.schedules._basic import Constant
from torch_bridge._scheduler import ScheduleLR

__all__ = ["param_groups", "partition_schedulers"]


def _named(
    model: torch.nn.Module | Iterable[tuple[str, torch.nn.Parameter]],
) -> list[tuple[str, torch.nn.Parameter]]:
    items = model.named_parameters() if isinstance(model, torch.nn.Module) else model
    out = []
    for item in items:
        if not (
            isinstance(item, tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], torch.Tensor)
        ):
            raise ScheduleArgumentTypeError("model", "a torch.nn.Module or (name, parameter) pairs", item)
        out.append(item)
    return out


def param_groups(
    model: torch.nn.Module | Iterable[tuple[str, torch.nn.Parameter]],
    partition: Partition,
    *,
    freeze: bool = True,
) -> list[dict[str, Any]]:
    """The param groups of ``partition`` for a torch model, for any ``torch.optim`` optimizer.

    Each parameter's path is its ``named_parameters`` name with ``.`` replaced by ``/`` (``block.0.bias``
    gives ``block/0/bias``), matched against the rules as on the JAX side. Every non-empty, non-frozen
    group becomes ``{"name": group, "params": [...], "lr": lr_g(0)}`` plus ``"weight_decay": wd_g(0)``
    where the partition sets one (otherwise the optimizer's default applies; set ``weight_decay`` in the
    partition for equal values on both sides). Frozen parameters are left out of every group and, with
    ``freeze=True``, get ``requires_grad_(False)``. Drive the values with :func:`partition_schedulers`.

    Args:
      model: a ``torch.nn.Module``, or ``(name, parameter)`` pairs.
      partition: the rules and base schedules (:class:`jaxsched.Partition`, or
        :func:`jaxsched.partition_from_config`).
      freeze: set ``requires_grad_(False)`` on frozen parameters.

    Example:
      >>> import torch, jaxsched, torch_bridge
      >>> model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
      >>> part = jaxsched.Partition([("^0/", "frozen"), ("bias$", {"weight_decay_multiplier": 0.0})],
      ...                           learning_rate=jaxsched.linear(1e-2, 0.0, 10), weight_decay=0.1)
      >>> groups = torch_bridge.param_groups(model, part)
      >>> [(g["name"], len(g["params"]), g["lr"], g["weight_decay"]) for g in groups]
      [('bias$', 1, 0.01, 0.0), ('default', 1, 0.01, 0.1)]
      >>> model[0].weight.requires_grad
      False
    """
    if not isinstance(partition, Partition):
        raise ScheduleArgumentTypeError("partition", "a jaxsched.Partition", partition)
    named = _named(model)
    labels = partition.assign(name.replace(".", "/") for name, _ in named)
    out = []
    for gname, g in partition.groups().items():
        params = [p for (_, p), label in zip(named, labels, strict=True) if label == gname]
        if not params:
            continue
        if g.frozen:
            if freeze:
                for p in params:
                    p.requires_grad_(False)
            continue
        assert g.learning_rate is not None
        group: dict[str, Any] = {"name": gname, "params": params, "lr": float(g.learning_rate.numpy(0))}
        if g.weight_decay is not None:
            group["weight_decay"] = float(g.weight_decay.numpy(0))
        out.append(group)
    return out


def partition_schedulers(optimizer: Optimizer, partition: Partition) -> list[ScheduleLR]:
    """One :class:`ScheduleLR` per field of the partition: ``"lr"`` and, when set, ``"weight_decay"``.

    Each param group of ``optimizer`` is found by its ``"name"`` (as :func:`param_groups` sets it) and
    driven by its group's schedule, so after ``k`` calls of ``step()`` on each scheduler the groups hold
    the values ``jaxsched.partition`` uses at update ``k``. Where a group has no weight-decay schedule
    but others do, its weight decay stays at its value in the optimizer.

    Example:
      >>> import torch, jaxsched, torch_bridge
      >>> model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
      >>> part = jaxsched.Partition([("^0/", 0.5)], learning_rate=jaxsched.linear(1.0, 0.0, 10),
      ...                           weight_decay=0.1)
      >>> opt = torch.optim.AdamW(torch_bridge.param_groups(model, part))
      >>> scheds = torch_bridge.partition_schedulers(opt, part)
      >>> [s.field for s in scheds]
      ['lr', 'weight_decay']
      >>> opt.step(); [s.step() for s in scheds] and None
      >>> {g["name"]: g["lr"] for g in opt.param_groups}
      {'^0/': 0.45, 'default': 0.9}
    """
    if not isinstance(partition, Partition):
        raise ScheduleArgumentTypeError("partition", "a jaxsched.Partition", partition)
    if not isinstance(optimizer, Optimizer):
        raise ScheduleArgumentTypeError("optimizer", "a torch.optim.Optimizer", optimizer)
    groups = partition.groups()
    lrs: list[Schedule] = []
    wds: list[Schedule | None] = []
    for i, pg in enumerate(optimizer.param_groups):
        name = pg.get("name")
        if name not in groups:
            raise ScheduleArgumentError(
                f"optimizer.param_groups[{i}]['name']",
                f"is not a group of "
                f"the partition ({sorted(groups)}); build the groups with "
                "torch_bridge.param_groups",
                name,
            )
        g = groups[name]
        if g.frozen:
            raise ScheduleArgumentError(
                f"optimizer.param_groups[{i}]['name']",
                "is a frozen group (its parameters belong in no param group)",
                name,
            )
        assert g.learning_rate is not None
        lrs.append(g.learning_rate)
        wds.append(g.weight_decay)
    out = [ScheduleLR(optimizer, lrs, field="lr")]
    if any(w is not None for w in wds):
        filled = [
            w if w is not None else Constant(float(pg["weight_decay"]))
            for w, pg in zip(wds, optimizer.param_groups, strict=True)
        ]
        out.append(ScheduleLR(optimizer, filled, field="weight_decay"))
    return out
