"""torch_bridge: jaxsched schedules inside PyTorch training loops, and torch schedulers as jaxsched schedules.

- :class:`ScheduleLR`: a real ``torch.optim.lr_scheduler.LRScheduler`` that drives any param-group field
  (``lr``, ``weight_decay``, ``momentum``, ``betas[0]``, ...) from jaxsched schedules, evaluated in NumPy
  float64. Importing and stepping it never starts a JAX backend.
- :func:`from_torch` / :func:`to_torch`: a constructed torch scheduler as the equal jaxsched schedule, and
  back.
- :class:`ReduceLROnPlateau`, :class:`PlateauLRScheduler` (timm) and :class:`GreedyLR` (HF): the
  metric-driven schedulers on the state machines shared with ``jaxsched.reduce_on_plateau``,
  ``jaxsched.compat.timm.PlateauLRScheduler`` and ``jaxsched.compat.transformers.GreedyLR``.
- The seed libraries' schedulers with their original constructor signatures (chemprop ``NoamLR`` and
  ``build_NoamLike_LRSched``, OpenKiwi ``get_noam_decay_schedule``, pytorch-accelerated
  ``CosineLrScheduler``/``WSDLrScheduler``, noether schedules) and pytorch_warmup's warmups with
  ``dampening()``.
- :class:`TokenScheduleLR`: a ``ScheduleLR`` stepped by consumed tokens (the twin of ``jaxsched.on_tokens``).
- :func:`param_groups` / :func:`partition_schedulers`: a ``jaxsched.Partition`` (per-module rules) as param
  groups and one ``ScheduleLR`` per field (the twin of ``jaxsched.partition``).
"""

from torch_bridge._classes import CosineLrScheduler as CosineLrScheduler
from torch_bridge._classes import NoamLR as NoamLR
from torch_bridge._classes import WSDLrScheduler as WSDLrScheduler
from torch_bridge._classes import build_NoamLike_LRSched as build_NoamLike_LRSched
from torch_bridge._classes import get_noam_decay_schedule as get_noam_decay_schedule
from torch_bridge._classes import noether_schedule as noether_schedule
from torch_bridge._clock import TokenScheduleLR as TokenScheduleLR
from torch_bridge._convert import ConversionError as ConversionError
from torch_bridge._convert import ScheduleLambda as ScheduleLambda
from torch_bridge._convert import as_lambda as as_lambda
from torch_bridge._convert import from_torch as from_torch
from torch_bridge._convert import to_torch as to_torch
from torch_bridge._partition import param_groups as param_groups
from torch_bridge._partition import partition_schedulers as partition_schedulers
from torch_bridge._plateau import GreedyLR as GreedyLR
from torch_bridge._plateau import PlateauLRScheduler as PlateauLRScheduler
from torch_bridge._plateau import ReduceLROnPlateau as ReduceLROnPlateau
from torch_bridge._scheduler import ScheduleLR as ScheduleLR
from torch_bridge._scheduler import ScheduleOverrideWarning as ScheduleOverrideWarning
from torch_bridge._warmup import BaseWarmup as BaseWarmup
from torch_bridge._warmup import ExponentialWarmup as ExponentialWarmup
from torch_bridge._warmup import LinearWarmup as LinearWarmup
from torch_bridge._warmup import RAdamWarmup as RAdamWarmup
from torch_bridge._warmup import UntunedExponentialWarmup as UntunedExponentialWarmup
from torch_bridge._warmup import UntunedLinearWarmup as UntunedLinearWarmup
