"""Live schedulers of the training stacks as jaxsched ports: pytorch-ignite, Composer, Megatron-core and
OLMo-core objects, recognised by their class (no import of those libraries is needed).

:func:`convert` returns the port(s) a live object stands for, or ``None`` when the object is not one of
them; ``from_torch`` calls it before its own conversions. Some objects carry everything (ignite's
schedulers, Megatron's ``OptimizerParamScheduler``, Composer's compiled ``LambdaLR``, whose closure holds
the scheduler and the trainer state); a bare Composer or OLMo-core scheduler does not know the trainer's
horizon or LR, which are then given as keyword arguments (the ports' context arguments:
``max_duration``, ``dataloader_len``, ``initial_lr``, ``max_steps``, ...).

A converted scheduler's curve starts from its first update: an ignite scheduler that has already been
called is refused (its state has moved on).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from jaxsched._core import Schedule

__all__ = ["StackConversionError", "convert", "megatron_schedules"]


class StackConversionError(TypeError):
    """A recognised scheduler that cannot be converted (a state that has moved on, a missing context)."""


def _module(obj: Any) -> str:
    return type(obj).__module__ or ""


def _mro_names(obj: Any) -> set[str]:
    return {c.__name__ for c in type(obj).__mro__}


def convert(obj: Any, **context: Any) -> Schedule | list[Schedule] | None:
    """The jaxsched port(s) of a live scheduler of ignite, Composer, Megatron-core or OLMo-core.

    Returns a schedule, a list of schedules (one per param group: ignite's ``ParamGroupScheduler``,
    Megatron's groups with ``max_lr``/``min_lr`` overrides, a Composer ``LambdaLR`` over several groups), or
    ``None`` when ``obj`` belongs to none of these libraries. Megatron's scheduler gives its learning-rate
    schedules; :func:`megatron_schedules` gives both fields.

    Example:
      >>> import torch
      >>> from ignite.handlers import CosineAnnealingScheduler
      >>> from torch_bridge._convert_stacks import convert
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> port = convert(CosineAnnealingScheduler(opt, "lr", 0.1, 0.0, cycle_size=10))
      >>> port.config_name, port.cycle_size
      ('compat.ignite.CosineAnnealingScheduler', 10)
    """
    mod = _module(obj)
    if mod.startswith("ignite.handlers"):
        return _ignite(obj)
    if mod.startswith("megatron.core") and "OptimizerParamScheduler" in _mro_names(obj):
        lrs = megatron_schedules(obj)["lr"]
        return lrs[0] if len(lrs) == 1 else lrs
    if mod.startswith("composer.optim"):
        return _composer(obj, context)
    if mod.startswith("olmo_core.optim"):
        return _olmo(obj, context)
    lambdas = getattr(obj, "lr_lambdas", None)
    if lambdas and all(_composer_fn(f) for f in lambdas):
        return _composer_lambda(obj, context)
    return None


# -- ignite -------------------------------------------------------------------------------------------------


def _ignite(obj: Any) -> Schedule | list[Schedule] | None:
    from jaxsched.compat import ignite as ig

    names = _mro_names(obj)
    if "ParamGroupScheduler" in names:
        parts = [_ignite(s) for s in obj.schedulers]
        if any(not isinstance(p, Schedule) for p in parts):
            return None
        return list(parts)  # type: ignore[arg-type]
    if "ConcatScheduler" in names:
        if obj._scheduler_index != 0 or obj._current_duration != (obj.durations[0] if obj.durations else -1):
            raise StackConversionError("ConcatScheduler: already called; convert it before training")
        parts = [_ignite(s) for s in obj.schedulers]
        schedules = [p for p in parts if isinstance(p, Schedule)]
        if len(schedules) != len(parts):
            return None
        return ig.ConcatScheduler(schedules, list(obj.durations))
    if getattr(obj, "event_index", 0) != 0 or getattr(obj, "cycle", 0) != 0:
        raise StackConversionError(
            f"{type(obj).__name__}: already called (event_index "
            f"{obj.event_index}); convert it before training"
        )
    if "PiecewiseLinear" in names:
        return ig.PiecewiseLinear(list(zip(obj.milestones, obj.values, strict=True)))
    if "LinearCyclicalScheduler" in names or "CosineAnnealingScheduler" in names:
        kw = {
            k: getattr(obj, k)
            for k in (
                "start_value",
                "end_value",
                "cycle_size",
                "cycle_mult",
                "start_value_mult",
                "end_value_mult",
                "warmup_duration",
            )
        }
        if "LinearCyclicalScheduler" in names:
            return ig.LinearCyclicalScheduler(**kw, monotonic=obj.monotonic)
        return ig.CosineAnnealingScheduler(**kw)
    return None  # LRScheduler (a wrapped torch scheduler), ReduceLROnPlateauScheduler, ...


# -- Megatron-core ------------------------------------------------------------------------------------------


def megatron_schedules(obj: Any) -> dict[str, list[Schedule]]:
    """Megatron's ``OptimizerParamScheduler`` as ``{"lr": [...], "weight_decay": [...]}``, one schedule per
    param group (with the group's ``max_lr``/``min_lr``/``start_wd``/``end_wd``/``wd_mult`` overrides).

    Example:
      >>> from types import SimpleNamespace
      >>> from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler
      >>> from torch_bridge._convert_stacks import megatron_schedules
      >>> opt = SimpleNamespace(param_groups=[{}, {"max_lr": 1e-4, "wd_mult": 0.0}])
      >>> s = OptimizerParamScheduler(opt, 0.0, 1e-3, 1e-5, 10, 100, "cosine", 0.1, 0.1, 100, "constant")
      >>> [float(x.numpy(10)) for x in megatron_schedules(s)["lr"]]
      [0.001, 0.0001]
    """
    from jaxsched.compat import megatron as mc

    out: dict[str, list[Schedule]] = {"lr": [], "weight_decay": []}
    for group in obj.optimizer.param_groups:
        out["lr"].append(
            mc.OptimizerParamSchedulerLR(
                obj.init_lr,
                group.get("max_lr", obj.max_lr),
                group.get("min_lr", obj.min_lr),
                obj.lr_warmup_steps,
                obj.lr_decay_steps,
                obj.lr_decay_style,
                obj.wsd_decay_steps,
                obj.lr_wsd_decay_style,
            )
        )
        out["weight_decay"].append(
            mc.OptimizerParamSchedulerWD(
                group.get("start_wd", obj.start_wd),
                group.get("end_wd", obj.end_wd),
                obj.wd_incr_steps,
                obj.wd_incr_style,
                group.get("wd_mult", 1.0),
            )
        )
    return out


# -- Composer -----------------------------------------------------------------------------------------------

_COMPOSER_ARGS = {
    "StepScheduler": ("step_size", "gamma"),
    "MultiStepScheduler": ("milestones", "gamma"),
    "ConstantScheduler": ("alpha", "t_max"),
    "LinearScheduler": ("alpha_i", "alpha_f", "t_max"),
    "ExponentialScheduler": ("gamma", "decay_period"),
    "CosineAnnealingScheduler": ("t_max", "alpha_f"),
    "CosineAnnealingWarmRestartsScheduler": ("t_0", "t_mult", "alpha_f"),
    "PolynomialScheduler": ("power", "t_max", "alpha_f"),
    "MultiStepWithWarmupScheduler": ("t_warmup", "milestones", "gamma", "scale_warmup"),
    "ConstantWithWarmupScheduler": ("t_warmup", "alpha", "t_max", "scale_warmup"),
    "LinearWithWarmupScheduler": ("t_warmup", "alpha_i", "alpha_f", "t_max", "scale_warmup"),
    "CosineAnnealingWithWarmupScheduler": ("t_warmup", "t_max", "alpha_f", "scale_warmup"),
    "PolynomialWithWarmupScheduler": ("t_warmup", "power", "t_max", "alpha_f", "scale_warmup"),
}


def _time(x: Any) -> Any:
    if isinstance(x, list | tuple):
        return [_time(e) for e in x]
    if hasattr(x, "value") and hasattr(x, "unit") and not isinstance(x, str | int | float):
        return f"{x.value}{getattr(x.unit, 'value', x.unit)}"
    return x


def _composer(obj: Any, context: dict[str, Any]) -> Schedule | None:
    from jaxsched.compat import composer as cp

    name = type(obj).__name__
    if name not in _COMPOSER_ARGS:
        return None
    args = {k: _time(getattr(obj, k)) for k in _COMPOSER_ARGS[name]}
    if "max_duration" not in context:
        raise StackConversionError(
            f"{name}: a bare Composer scheduler has no trainer state: pass "
            "max_duration= (and dataloader_len=, tokens_per_batch=, ssr=, lr= as "
            "needed)"
        )
    return getattr(cp, name)(**args, **context)


def _composer_fn(f: Any) -> bool:
    return getattr(f, "__qualname__", "").startswith("compile_composer_scheduler.") and getattr(
        f, "__module__", ""
    ).startswith("composer.optim")


def _composer_lambda(obj: Any, context: dict[str, Any]) -> Schedule | list[Schedule]:
    """A ``LambdaLR`` built by Composer's ``compile_composer_scheduler``: its closure holds the scheduler,
    the trainer's state and the scale-schedule ratio."""
    out: list[Schedule] = []
    for f, lr in zip(obj.lr_lambdas, obj.base_lrs, strict=True):
        cells = dict(zip(f.__code__.co_freevars, (c.cell_contents for c in f.__closure__ or ()), strict=True))
        state, scheduler = cells["state"], cells["scheduler"]
        ctx = {"max_duration": _time(state.max_duration), "ssr": float(cells.get("ssr", 1.0)), "lr": lr}
        if getattr(state, "dataloader_len", None) is not None:
            ctx["dataloader_len"] = int(state.dataloader_len)
        ctx.update(context)
        port = _composer(scheduler, ctx)
        if port is None:
            raise StackConversionError(f"Composer scheduler {type(scheduler).__name__} has no port")
        out.append(port)
    return out[0] if len(out) == 1 else out


# -- OLMo-core ----------------------------------------------------------------------------------------------


def _olmo_fields(s: Any) -> dict[str, Any]:
    return {
        g.name: getattr(s, g.name)
        for g in dataclasses.fields(s)
        if not g.name.startswith("_") and g.name not in ("lr_field", "initial_lr_field")
    }


def _olmo(obj: Any, context: dict[str, Any]) -> Schedule | None:
    from jaxsched.compat import olmo as op

    name = type(obj).__name__
    cls = getattr(op, name, None)
    if not (isinstance(cls, type) and issubclass(cls, op.OLMoScheduler)) or not dataclasses.is_dataclass(obj):
        return None
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    kw: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name.startswith("_") or f.name in ("lr_field", "initial_lr_field"):
            continue
        val = getattr(obj, f.name)
        if f.name == "units":
            kw["scheduler_units"] = str(getattr(val, "value", val))
        elif f.name in ("stages", "override_decay") and val is not None:
            kw[f.name] = (
                [dataclasses.asdict(s) for s in val] if f.name == "stages" else dataclasses.asdict(val)
            )
        elif f.name == "schedulers":
            kw[f.name] = [{"type": type(s).__name__, **_olmo_fields(s)} for s in val]
        elif f.name in fields:
            kw[f.name] = val
    for key in ("initial_lr", "max_steps", "max_tokens", "tokens_per_step"):
        if key in context:
            kw[key] = context[key]
    if "initial_lr" not in kw:
        raise StackConversionError(
            f"{name}: an OLMo-core scheduler does not hold the LR: pass "
            "initial_lr= (and max_steps= or max_tokens=, tokens_per_step=)"
        )
    return cls(**kw)
