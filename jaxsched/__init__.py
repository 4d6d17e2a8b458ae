"""jaxsched: learning-rate and hyperparameter schedules for JAX/Optax, with a PyTorch bridge.

Every schedule is an immutable pytree ``s(step) -> value`` that works as ``learning_rate=`` of any optax
optimizer and inside ``optax.inject_hyperparams``; ``s.numpy(steps)`` evaluates the same formula in NumPy
float64. Importing jaxsched does not import JAX: the NumPy path (and ``torch_bridge``) work without it.
"""

from typing import TYPE_CHECKING, Any

from jaxsched._combinators import clip as clip
from jaxsched._combinators import join as join
from jaxsched._combinators import multiply as multiply
from jaxsched._combinators import per_epoch as per_epoch
from jaxsched._combinators import quantize as quantize
from jaxsched._combinators import repeat as repeat
from jaxsched._combinators import shift as shift
from jaxsched._config import ConfigError as ConfigError
from jaxsched._config import from_config as from_config
from jaxsched._config import save_config as save_config
from jaxsched._core import Schedule as Schedule
from jaxsched._core import registry as registry
from jaxsched._numerics import MAX_STEP as MAX_STEP
from jaxsched._partition import Partition as Partition
from jaxsched._partition import Rule as Rule
from jaxsched._partition import partition_from_config as partition_from_config
from jaxsched._surgery import branch as branch
from jaxsched._surgery import extend as extend
from jaxsched._surgery import rewarmup as rewarmup
from jaxsched._surgery import stretch as stretch
from jaxsched._validate import ScheduleArgumentError as ScheduleArgumentError
from jaxsched._validate import ScheduleArgumentTypeError as ScheduleArgumentTypeError
from jaxsched.clock import batch_size_rampup as batch_size_rampup
from jaxsched.clock import batch_size_schedule as batch_size_schedule
from jaxsched.plot import plot as plot
from jaxsched.schedules._annealing_cycles import AnnealingCycles as annealing_cycles
from jaxsched.schedules._basic import Constant as constant
from jaxsched.schedules._basic import ExponentialDecay as exponential_decay
from jaxsched.schedules._basic import InverseTimeDecay as inverse_time_decay
from jaxsched.schedules._basic import Linear as linear
from jaxsched.schedules._basic import MultistepDecay as multistep_decay
from jaxsched.schedules._basic import PiecewiseConstant as piecewise_constant
from jaxsched.schedules._basic import PiecewiseInterpolate as piecewise_interpolate
from jaxsched.schedules._basic import Polynomial as polynomial
from jaxsched.schedules._basic import StepDecay as step_decay
from jaxsched.schedules._cosine import CosineCycles as cosine_cycles
from jaxsched.schedules._cosine import CosineDecay as cosine_decay
from jaxsched.schedules._cosine import CosineRestarts as cosine_restarts
from jaxsched.schedules._cosine import TanhDecay as tanh_decay
from jaxsched.schedules._cosine import WarmupCosineDecay as warmup_cosine_decay
from jaxsched.schedules._cyclic import Cyclic as cyclic
from jaxsched.schedules._cyclic import OneCycle as one_cycle
from jaxsched.schedules._noise import LrNoise as lr_noise
from jaxsched.schedules._points import PiecewiseConstantPoints as piecewise_constant_points
from jaxsched.schedules._points import PiecewiseCosine as piecewise_cosine
from jaxsched.schedules._points import PiecewiseLinear as piecewise_linear
from jaxsched.schedules._polynomial_cycle import PolynomialCycle as polynomial_cycle
from jaxsched.schedules._power import InversePower as inverse_power
from jaxsched.schedules._progress import FractionStepDecay as fraction_step_decay
from jaxsched.schedules._progress import ProgressInterpolate as progress_interpolate
from jaxsched.schedules._ramp import LinearFrom as linear_from
from jaxsched.schedules._recurrence import AffineRecurrence as affine_recurrence
from jaxsched.schedules._research import InverseSqrtCooldown as inverse_sqrt_cooldown
from jaxsched.schedules._research import PowerScheduler as power_scheduler
from jaxsched.schedules._research import TriStage as tri_stage
from jaxsched.schedules._research import WarmupStableDecayCycles as warmup_stable_decay_cycles
from jaxsched.schedules._restarts import Restarts as restarts
from jaxsched.schedules._rsqrt import RsqrtDecay as rsqrt_decay
from jaxsched.schedules._transformer import InverseSqrt as inverse_sqrt
from jaxsched.schedules._transformer import Noam as noam
from jaxsched.schedules._warmup import WarmupConstant as warmup_constant
from jaxsched.schedules._warmup import WarmupExponentialDecay as warmup_exponential_decay
from jaxsched.schedules._warmup import WarmupLinearDecay as warmup_linear_decay
from jaxsched.schedules._warmup import WarmupOnto as warmup_onto
from jaxsched.schedules._warmup_factors import ExponentialWarmup as exponential_warmup
from jaxsched.schedules._warmup_factors import RAdamWarmup as radam_warmup
from jaxsched.schedules._wsd import WarmupStableDecay as warmup_stable_decay

if TYPE_CHECKING:  # the names below load JAX/optax or matplotlib, so they are imported on first use
    from jaxsched._partition import current_by_group as current_by_group
    from jaxsched._partition import partition as partition
    from jaxsched._plateau import PlateauState as PlateauState
    from jaxsched._plateau import reduce_on_plateau as reduce_on_plateau
    from jaxsched.clock import on_tokens as on_tokens
    from jaxsched.optax_utils import current as current

_LAZY = {
    "current": ("jaxsched.optax_utils", "current"),
    "on_tokens": ("jaxsched.clock", "on_tokens"),
    "partition": ("jaxsched._partition", "partition"),
    "current_by_group": ("jaxsched._partition", "current_by_group"),
    "reduce_on_plateau": ("jaxsched._plateau", "reduce_on_plateau"),
    "PlateauState": ("jaxsched._plateau", "PlateauState"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jaxsched' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__version__ = "0.2.0.dev0"
