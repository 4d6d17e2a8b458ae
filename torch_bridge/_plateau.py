"""Metric-driven schedulers for torch on the state machines of :mod:`jaxsched._plateau`.

The same transition code runs here in NumPy float64 and in the optax transformations in JAX:

- :class:`ReduceLROnPlateau`: torch's class (a subclass), any param-group field, plus ``accumulation_size``;
- :class:`PlateauLRScheduler`: timm's ``PlateauLRScheduler`` (same signature and ``step(epoch, metric)``);
- :class:`GreedyLR`: HF transformers' ``GreedyLR`` (``get_scheduler("greedy")``), same signature.

Nothing here imports JAX: :mod:`jaxsched._plateau` imports it only to build the optax transformations.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Literal, cast

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim import lr_scheduler as tls

from jaxsched import _validate as v
from jaxsched._plateau import GreedyPlateau, TimmPlateau, TorchPlateau, TorchState, check_window
from torch_bridge._scheduler import as_epoch, parse_field, read_field, write_field

__all__ = ["GreedyLR", "PlateauLRScheduler", "ReduceLROnPlateau"]


def _metric(metrics: Any) -> float:
    """A metric as a Python float (Python, NumPy or 0-d torch scalars), as the originals' ``float()``."""
    if isinstance(metrics, torch.Tensor):
        return float(metrics.item())
    return float(metrics)


def _floats(values: Any) -> list[float]:
    return [float(x.item()) if isinstance(x, torch.Tensor) else float(x) for x in values]


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _accumulate(obj: Any, value: float) -> float | None:
    """``accumulation_size``: the mean of every ``n`` metrics steps the rule once (``None`` before)."""
    obj._acc_sum += value
    obj._acc_count += 1
    if obj._acc_count < obj.accumulation_size:
        return None
    total = obj._acc_sum
    obj._acc_sum, obj._acc_count = 0.0, 0
    return float(total / obj.accumulation_size if obj.accumulation_size > 1 else total)


class ReduceLROnPlateau(tls.ReduceLROnPlateau):
    """torch's ``ReduceLROnPlateau`` (a subclass, so Lightning and HF treat it as one), any field.

    ``step(metric)`` runs :class:`jaxsched._plateau.TorchPlateau` in NumPy float64: the same code as the
    optax transformation :func:`jaxsched.reduce_on_plateau`, and the same values as torch's own class for
    the same metrics. ``field`` selects the param-group entry to reduce (``"lr"``, ``"weight_decay"``,
    ``"betas[0]"``, ...); ``get_last_lr()`` always reports the learning rates.

    ``accumulation_size=n`` makes per-update use safe: ``step(loss)`` after every update, and the rule
    steps once with the mean of every ``n`` values (``last_epoch`` counts those steps). With the default
    ``n = 1`` every ``step`` is one step of torch's rule, so call it once per epoch.

    Args:
      optimizer: a ``torch.optim.Optimizer``.
      mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps: as torch's class.
      field: the param-group key to reduce.
      accumulation_size: metrics averaged per step of the rule.

    Example:
      >>> import torch
      >>> from torch_bridge import ReduceLROnPlateau
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> sched = ReduceLROnPlateau(opt, patience=1, factor=0.5)
      >>> for metric in [1.0, 1.0, 1.0]:
      ...     sched.step(metric)
      >>> sched.get_last_lr()
      [0.05]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: Literal["min", "max"] = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: Literal["rel", "abs"] = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
        *,
        field: str = "lr",
        accumulation_size: int = 1,
    ) -> None:
        lows = list(min_lr) if isinstance(min_lr, list | tuple) else [min_lr]
        TorchPlateau(
            mode=mode,
            factor=factor,
            patience=patience,
            threshold=threshold,
            threshold_mode=threshold_mode,
            cooldown=cooldown,
            min_lr=np.asarray(_floats(lows), dtype=np.float64),
            eps=eps,
        )
        size, _ = check_window(accumulation_size)
        self.field = field
        self._key, self._index = parse_field(field)
        for i, g in enumerate(optimizer.param_groups):
            if self._key not in g:
                raise KeyError(f"field: param_groups[{i}] has no {self._key!r}")
        self.accumulation_size = size
        self._acc_sum = 0.0
        self._acc_count = 0
        super().__init__(
            optimizer,
            mode=mode,
            factor=factor,
            patience=patience,
            threshold=threshold,
            threshold_mode=threshold_mode,
            cooldown=cooldown,
            min_lr=min_lr,
            eps=eps,
        )

    def step(self, metrics: Any, epoch: Any = None) -> None:  # type: ignore[override]
        """One metric: a step of torch's rule (or one value of the accumulation window)."""
        value = _accumulate(self, _metric(metrics))
        if epoch is not None:
            warnings.warn(tls.EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        if value is None:
            return
        self.last_epoch = self.last_epoch + 1 if epoch is None else cast(int, as_epoch(epoch))
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} param groups but min_lr lists "
                    f"{len(self.min_lrs)}; set min_lrs to one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        machine = TorchPlateau(
            mode=self.mode,
            factor=self.factor,
            patience=self.patience,
            threshold=self.threshold,
            threshold_mode=self.threshold_mode,
            cooldown=self.cooldown,
            min_lr=np.asarray(_floats(self.min_lrs)),
            eps=self.eps,
        )
        old = np.asarray(_floats(read_field(g, self._key, self._index) for g in groups), dtype=np.float64)
        state = TorchState(self.best, self.num_bad_epochs, self.cooldown_counter)
        lr, st = machine.transition(np, old, state, value)
        for g, a, b in zip(groups, old.tolist(), np.asarray(lr).tolist(), strict=True):
            if a != b:
                write_field(g, self._key, self._index, b)
        self.best = float(st.best)
        self.num_bad_epochs = int(st.num_bad_epochs)
        self.cooldown_counter = int(st.cooldown_counter)
        self._last_lr = [g["lr"].clone() if isinstance(g["lr"], torch.Tensor) else g["lr"] for g in groups]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore torch's counters; a state of another field or window size is refused."""
        for key in ("field", "accumulation_size"):
            if key in state_dict and state_dict[key] != getattr(self, key):
                raise ValueError(
                    f"ReduceLROnPlateau.load_state_dict: the state has {key}="
                    f"{state_dict[key]!r}, this scheduler {key}={getattr(self, key)!r}"
                )
        groups = len(self.optimizer.param_groups)
        lows = state_dict.get("min_lrs")
        if lows is not None and len(lows) != groups and state_dict.get("default_min_lr") is None:
            raise ValueError(
                f"ReduceLROnPlateau.load_state_dict: the state has {len(lows)} min_lrs (one per "
                f"param group), this optimizer {groups} param groups"
            )
        super().load_state_dict(state_dict)
        self.last_epoch = cast(int, as_epoch(self.last_epoch))


class PlateauLRScheduler:
    """timm's ``PlateauLRScheduler`` (same signature and protocol), on :class:`jaxsched._plateau.TimmPlateau`.

    timm's training loop calls ``step(epoch + 1, metric)`` after each epoch: for ``epoch <= warmup_t`` the
    LR is set to ``warmup_lr_init + epoch * (base - warmup_lr_init) / warmup_t`` (the metric is ignored),
    after that torch's reduce-on-plateau rule (``factor=decay_rate``, ``patience=patience_t``,
    ``cooldown=cooldown_t``, ``min_lr=lr_min``, relative threshold, ``eps=1e-8``) steps with the metric
    (``metric=None`` skips it). ``step_update`` does nothing, as in timm. Per-group ``lr_scale`` is applied
    to the warmup values, as timm does. The same values as timm 1.0's class for the same calls, with two
    differences: ``state_dict()`` keeps the whole plateau state (timm keeps only ``best`` and
    ``last_epoch``), and LR noise (``noise_range_t``) is refused (timm draws it from torch's generator).
    :func:`jaxsched.compat.timm.PlateauLRScheduler` is the optax side.

    Example:
      >>> import torch
      >>> from torch_bridge import PlateauLRScheduler
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> sched = PlateauLRScheduler(opt, decay_rate=0.5, patience_t=0, warmup_t=2, warmup_lr_init=0.0)
      >>> lrs = [opt.param_groups[0]["lr"]]
      >>> for epoch, acc in enumerate([0.5, 0.6, 0.7, 0.6], start=1):
      ...     sched.step(epoch, acc)
      ...     lrs.append(opt.param_groups[0]["lr"])
      >>> lrs
      [0.0, 0.05, 0.1, 0.1, 0.05]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        decay_rate: float = 0.1,
        patience_t: int = 10,
        threshold: float = 1e-4,
        cooldown_t: int = 0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        lr_min: float | list[float] = 0.0,
        mode: str = "max",
        noise_range_t: list[int] | tuple[int, int] | int | None = None,
        noise_type: str = "normal",
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int | None = None,
        initialize: bool = True,
    ) -> None:
        _check_optimizer(optimizer)
        if noise_range_t is not None:
            raise v.ScheduleArgumentError(
                "noise_range_t",
                "LR noise is not reproduced by the plateau port (timm draws it from "
                "torch's generator); leave it None",
                noise_range_t,
            )
        if noise_type not in ("normal", "uniform"):
            raise v.ScheduleArgumentError("noise_type", "must be 'normal' or 'uniform'", noise_type)
        self.optimizer = optimizer
        self.param_group_field = "lr"
        groups = optimizer.param_groups
        for i, g in enumerate(groups):
            if initialize:
                if "lr" not in g:
                    raise KeyError(f"lr missing from param_groups[{i}]")
                g.setdefault("initial_lr", g["lr"])
            elif "initial_lr" not in g:
                raise KeyError(f"initial_lr missing from param_groups[{i}]")
        self.base_values = _floats(g["initial_lr"] for g in groups)
        lows = lr_min if isinstance(lr_min, list | tuple) else [lr_min] * len(groups)
        if len(lows) != len(groups):
            raise ValueError(f"expected {len(groups)} min_lrs, got {len(lows)}")
        self.lr_min = lr_min
        self.decay_rate, self.patience_t = decay_rate, patience_t
        self.threshold, self.cooldown_t = threshold, cooldown_t
        self.warmup_t, self.warmup_lr_init, self.mode = warmup_t, warmup_lr_init, mode
        self.noise_range_t, self.noise_type = None, noise_type
        self.noise_pct, self.noise_std = noise_pct, noise_std
        self.noise_seed = 42 if noise_seed is None else noise_seed
        self.t_in_epochs = True
        self.metric: float | None = None
        self._lows = np.asarray(_floats(lows), dtype=np.float64)
        machine = self._machine()
        state = machine.init(np)
        self.best = float(state.plateau.best)
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self.warmup_steps = np.asarray(machine.warmup_step(np)).tolist()
        self._write(machine.initial_lr(np))

    def _machine(self) -> TimmPlateau:
        scales = [float(g.get("lr_scale", 1.0)) for g in self.optimizer.param_groups]
        return TimmPlateau(
            np.asarray(self.base_values, dtype=np.float64),
            decay_rate=self.decay_rate,
            patience_t=self.patience_t,
            threshold=self.threshold,
            cooldown_t=self.cooldown_t,
            warmup_t=self.warmup_t,
            warmup_lr_init=self.warmup_lr_init,
            lr_min=self._lows,
            mode=self.mode,
            lr_scale=np.asarray(scales, dtype=np.float64),
        )

    def _write(self, lrs: Any) -> None:
        for g, lr in zip(
            self.optimizer.param_groups, np.broadcast_to(lrs, (len(self.base_values),)).tolist(), strict=True
        ):
            if g["lr"] != lr:
                write_field(g, "lr", None, lr)

    def step(self, epoch: int, metric: float | None = None) -> None:
        """timm's end-of-epoch call: ``step(epoch + 1, metric)``."""
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral):
            raise TypeError(f"epoch: must be an int, got {type(epoch).__name__} {epoch!r}")
        self.metric = None if metric is None else _metric(metric)
        machine = self._machine()
        groups = self.optimizer.param_groups
        old = np.asarray(_floats(g["lr"] for g in groups), dtype=np.float64)
        state = machine.init(np)._replace(
            plateau=TorchState(self.best, self.num_bad_epochs, self.cooldown_counter)
        )
        lr, new = machine.transition(np, old, state, self.metric, int(epoch))
        self._write(lr)
        if self.metric is not None and int(epoch) > self.warmup_t:
            self.last_epoch += 1
        self.best = float(new.plateau.best)
        self.num_bad_epochs = int(new.plateau.num_bad_epochs)
        self.cooldown_counter = int(new.plateau.cooldown_counter)

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        """Does nothing (timm's plateau scheduler steps per epoch only)."""
        return None

    def state_dict(self) -> dict[str, Any]:
        """The plateau state (``best``, counters, ``last_epoch``): plain Python values."""
        return {
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "cooldown_counter": self.cooldown_counter,
            "last_epoch": self.last_epoch,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved (a timm state with only ``best``/``last_epoch`` too)."""
        self.best = float(state_dict["best"])
        self.last_epoch = int(state_dict.get("last_epoch", self.last_epoch))
        self.num_bad_epochs = int(state_dict.get("num_bad_epochs", 0))
        self.cooldown_counter = int(state_dict.get("cooldown_counter", 0))


class GreedyLR:
    """HF transformers' ``GreedyLR`` (same signature and protocol), on
    :class:`jaxsched._plateau.GreedyPlateau`.

    ``step(metric)``: after ``patience`` consecutive improvements the LR is divided by ``factor`` (up to
    ``max_lr``; then ``warmup`` steps of rest), after ``patience`` steps without improvement it is
    multiplied by ``factor`` (down to ``min_lr``; then ``cooldown`` steps of rest); after ``reset_start``
    reductions with every group at its floor, everything restarts from the initial LRs. ``smooth=True``
    feeds the mean of the last ``window_size`` metrics. The same values as HF's class for the same metrics;
    ``accumulation_size`` (ours) averages every ``n`` metrics into one step, for per-update use. With
    ``verbose`` the increase/reduction messages are printed as HF does (HF's reset message is not).
    :func:`jaxsched.compat.transformers.GreedyLR` is the optax side.

    Example:
      >>> import torch
      >>> from torch_bridge import GreedyLR
      >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
      >>> sched = GreedyLR(opt, factor=0.5, patience=1, min_lr=0.01)
      >>> for loss in [1.0, 0.9, 0.8, 0.8, 0.8]:
      ...     sched.step(loss)
      >>> sched.get_last_lr()
      [0.1]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.95,
        patience: int = 10,
        threshold: float = 1e-6,
        threshold_mode: str = "abs",
        cooldown: int = 0,
        warmup: int = 0,
        min_lr: float | list[float] = 1e-3,
        max_lr: float | list[float] = 1.0,
        eps: float = 1e-8,
        verbose: bool = False,
        smooth: bool = False,
        window_size: int = 50,
        reset_start: int = 500,
        *,
        accumulation_size: int = 1,
    ) -> None:
        _check_optimizer(optimizer)
        n = len(optimizer.param_groups)
        for name, x in (("min_lr", min_lr), ("max_lr", max_lr)):
            if isinstance(x, list | tuple) and len(x) != n:
                raise ValueError(f"expected {n} {name}s, got {len(x)}")
        v.boolean("verbose", verbose)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience, self.threshold = mode, factor, patience, threshold
        self.threshold_mode, self.cooldown, self.warmup, self.eps = threshold_mode, cooldown, warmup, eps
        self.verbose, self.smooth, self.window_size = verbose, smooth, window_size
        self.min_lrs = list(min_lr) if isinstance(min_lr, list | tuple) else [min_lr] * n
        self.max_lrs = list(max_lr) if isinstance(max_lr, list | tuple) else [max_lr] * n
        self._init_lrs = _floats(g["lr"] for g in optimizer.param_groups)
        if isinstance(reset_start, bool) or not isinstance(reset_start, numbers.Integral):
            raise v.ScheduleArgumentTypeError("reset_start", "an int", reset_start)
        self.reset_start_original: int = int(reset_start)
        self._set_state(self._machine().init(np))
        self.last_epoch: int = 0
        self._last_lr: list[float] = list(self._init_lrs)
        self.accumulation_size, _ = check_window(accumulation_size)
        self._acc_sum, self._acc_count = 0.0, 0

    def _machine(self) -> GreedyPlateau:
        return GreedyPlateau(
            np.asarray(self._init_lrs, dtype=np.float64),
            mode=self.mode,
            factor=self.factor,
            patience=self.patience,
            threshold=self.threshold,
            threshold_mode=self.threshold_mode,
            cooldown=self.cooldown,
            warmup=self.warmup,
            min_lr=list(self.min_lrs),
            max_lr=list(self.max_lrs),
            eps=self.eps,
            smooth=self.smooth,
            window_size=self.window_size,
            reset_start=self.reset_start_original,
        )

    def _set_state(self, st: Any) -> None:
        self.best = float(st.best)
        self.num_bad_epochs = int(st.num_bad_epochs)
        self.num_good_epochs = int(st.num_good_epochs)
        self.cooldown_counter = int(st.cooldown_counter)
        self.warmup_counter = int(st.warmup_counter)
        self.reset_start = int(st.reset_start)
        self._window = [float(x) for x in np.asarray(st.window).tolist()]
        self._window_sum = float(st.window_sum)
        self._window_len = int(st.window_len)
        self._window_pos = int(st.window_pos)

    def _state(self, machine: GreedyPlateau) -> Any:
        st = machine.init(np)
        return st._replace(
            best=self.best,
            num_bad_epochs=self.num_bad_epochs,
            num_good_epochs=self.num_good_epochs,
            cooldown_counter=self.cooldown_counter,
            warmup_counter=self.warmup_counter,
            reset_start=self.reset_start,
            window=np.asarray(self._window, dtype=np.float64),
            window_sum=self._window_sum,
            window_len=self._window_len,
            window_pos=self._window_pos,
        )

    def step(self, metrics: Any, epoch: int | None = None) -> None:
        """One metric: a step of the rule (or one value of the accumulation window)."""
        value = _accumulate(self, _metric(metrics))
        if value is None:
            return
        self.last_epoch = self.last_epoch + 1 if epoch is None else cast(int, as_epoch(epoch))
        machine = self._machine()
        groups = self.optimizer.param_groups
        old = np.asarray(_floats(g["lr"] for g in groups), dtype=np.float64)
        lr, st = machine.transition(np, old, self._state(machine), value)
        for i, (g, a, b) in enumerate(zip(groups, old.tolist(), np.asarray(lr).tolist(), strict=True)):
            if a != b:
                write_field(g, "lr", None, b)
                if self.verbose:
                    what = "increasing" if b > a else "reducing"
                    print(f"Epoch {self.last_epoch}: {what} learning rate of group {i} to {b:.4e}.")
        self._set_state(st)
        self._last_lr = [g["lr"] for g in groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates after the last step."""
        return self._last_lr

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer: plain Python values."""
        return {k: val for k, val in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict`; one with other hyperparameters is refused."""
        for key in (
            "mode",
            "factor",
            "patience",
            "threshold",
            "threshold_mode",
            "cooldown",
            "warmup",
            "eps",
            "smooth",
            "window_size",
            "reset_start_original",
            "accumulation_size",
        ):
            if key in state_dict and state_dict[key] != getattr(self, key):
                raise ValueError(
                    f"GreedyLR.load_state_dict: the state has {key}={state_dict[key]!r}, this "
                    f"scheduler {key}={getattr(self, key)!r}"
                )
        if "_init_lrs" in state_dict and len(state_dict["_init_lrs"]) != len(self._init_lrs):
            raise ValueError(
                f"GreedyLR.load_state_dict: the state has {len(state_dict['_init_lrs'])} param "
                f"groups, this optimizer {len(self._init_lrs)}"
            )
        self.__dict__.update({k: val for k, val in state_dict.items() if k != "optimizer"})
