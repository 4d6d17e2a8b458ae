"""``ReduceLROnPlateau`` on the state machine shared with ``jaxsched.reduce_on_plateau``, for any field."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
from torch.optim import Optimizer
from torch.optim import lr_scheduler as tls

from jaxsched._plateau import PlateauState, check_plateau_args, plateau_transition
from torch_bridge._scheduler import parse_field, read_field, write_field

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(tls.ReduceLROnPlateau):
    """torch's ``ReduceLROnPlateau`` (a subclass, so Lightning and HF treat it as one), any field.

    ``step(metric)`` runs :func:`jaxsched._plateau.plateau_transition` in NumPy float64: the same code as the
    optax transformation :func:`jaxsched.reduce_on_plateau`, and the same values as torch's own class for
    the same metrics. ``field`` selects the param-group entry to reduce (``"lr"``, ``"weight_decay"``,
    ``"betas[0]"``, ...); ``get_last_lr()`` always reports the learning rates.

    Args:
      optimizer: a ``torch.optim.Optimizer``.
      mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps: as torch's class.
      field: the param-group key to reduce.

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

    def __init__(self, optimizer: Optimizer, mode: Literal["min", "max"] = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4,
                 threshold_mode: Literal["rel", "abs"] = "rel", cooldown: int = 0,
                 min_lr: list[float] | float = 0, eps: float = 1e-8, *, field: str = "lr") -> None:
        lows = list(min_lr) if isinstance(min_lr, list | tuple) else [min_lr]
        check_plateau_args(mode, factor, patience, threshold, threshold_mode, cooldown,
                           np.asarray(lows, dtype=np.float64), eps)
        self.field = field
        self._key, self._index = parse_field(field)
        for i, g in enumerate(optimizer.param_groups):
            if self._key not in g:
                raise KeyError(f"field: param_groups[{i}] has no {self._key!r}")
        super().__init__(optimizer, mode=mode, factor=factor, patience=patience, threshold=threshold,
                         threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps)

    def step(self, metrics: Any, epoch: Any = None) -> None:  # type: ignore[override]
        """One reduce-on-plateau step with the monitored ``metrics`` value."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(tls.EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} param groups but min_lr lists "
                    f"{len(self.min_lrs)}; set min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        old = np.asarray([float(read_field(g, self._key, self._index)) for g in groups])
        state = PlateauState(old, self.best, self.num_bad_epochs, self.cooldown_counter, 0)
        new = plateau_transition(
            np, state, current, mode=self.mode, factor=self.factor, patience=self.patience,
            threshold=self.threshold, threshold_mode=self.threshold_mode, cooldown=self.cooldown,
            min_lr=np.asarray(self.min_lrs, dtype=np.float64), eps=self.eps)
        for g, a, b in zip(groups, old.tolist(), np.asarray(new.lr).tolist(), strict=True):
            if a != b:
                write_field(g, self._key, self._index, b)
        self.best = float(new.best)
        self.num_bad_epochs = int(new.num_bad_epochs)
        self.cooldown_counter = int(new.cooldown_counter)
        self._last_lr = [g["lr"].clone() if hasattr(g["lr"], "clone") else g["lr"] for g in groups]
