"""jaxsched: learning-rate and hyperparameter schedules for JAX/Optax, with a PyTorch bridge.

Every schedule is an immutable pytree ``s(step) -> value`` that works as ``learning_rate=`` of any optax
optimizer and inside ``optax.inject_hyperparams``; ``s.numpy(steps)`` evaluates the same formula in NumPy
float64.
"""

from jaxsched._combinators import Clip as Clip
from jaxsched._combinators import Join as Join
from jaxsched._combinators import Multiply as Multiply
from jaxsched._combinators import PerEpoch as PerEpoch
from jaxsched._combinators import Repeat as Repeat
from jaxsched._combinators import Shift as Shift
from jaxsched._combinators import clip as clip
from jaxsched._combinators import join as join
from jaxsched._combinators import multiply as multiply
from jaxsched._combinators import per_epoch as per_epoch
from jaxsched._combinators import repeat as repeat
from jaxsched._combinators import shift as shift
from jaxsched._config import ConfigError as ConfigError
from jaxsched._config import from_config as from_config
from jaxsched._config import save_config as save_config
from jaxsched._core import Schedule as Schedule
from jaxsched._core import registry as registry
from jaxsched._numerics import MAX_STEP as MAX_STEP
from jaxsched._plateau import PlateauState as PlateauState
from jaxsched._plateau import reduce_on_plateau as reduce_on_plateau
from jaxsched._validate import ScheduleArgumentError as ScheduleArgumentError
from jaxsched._validate import ScheduleArgumentTypeError as ScheduleArgumentTypeError
from jaxsched.clock import BatchSizeSchedule as BatchSizeSchedule
from jaxsched.clock import TokenCount as TokenCount
from jaxsched.clock import batch_size_rampup as batch_size_rampup
from jaxsched.clock import batch_size_schedule as batch_size_schedule
from jaxsched.clock import on_tokens as on_tokens
from jaxsched.optax_utils import current as current
from jaxsched.partition import Partition as Partition
from jaxsched.partition import Rule as Rule
from jaxsched.partition import current_by_group as current_by_group
from jaxsched.partition import partition as partition
from jaxsched.partition import partition_from_config as partition_from_config
from jaxsched.plot import plot as plot
from jaxsched.schedules._basic import Constant as Constant
from jaxsched.schedules._basic import ExponentialDecay as ExponentialDecay
from jaxsched.schedules._basic import InverseTimeDecay as InverseTimeDecay
from jaxsched.schedules._basic import Linear as Linear
from jaxsched.schedules._basic import MultistepDecay as MultistepDecay
from jaxsched.schedules._basic import PiecewiseConstant as PiecewiseConstant
from jaxsched.schedules._basic import PiecewiseInterpolate as PiecewiseInterpolate
from jaxsched.schedules._basic import Polynomial as Polynomial
from jaxsched.schedules._basic import StepDecay as StepDecay
from jaxsched.schedules._cosine import CosineDecay as CosineDecay
from jaxsched.schedules._cosine import CosineRestarts as CosineRestarts
from jaxsched.schedules._cosine import TanhDecay as TanhDecay
from jaxsched.schedules._cosine import WarmupCosineDecay as WarmupCosineDecay
from jaxsched.schedules._cyclic import Cyclic as Cyclic
from jaxsched.schedules._cyclic import OneCycle as OneCycle
from jaxsched.schedules._research import InverseSqrtCooldown as InverseSqrtCooldown
from jaxsched.schedules._research import PowerScheduler as PowerScheduler
from jaxsched.schedules._research import TriStage as TriStage
from jaxsched.schedules._research import WarmupStableDecayCycles as WarmupStableDecayCycles
from jaxsched.schedules._transformer import InverseSqrt as InverseSqrt
from jaxsched.schedules._transformer import Noam as Noam
from jaxsched.schedules._warmup import WarmupConstant as WarmupConstant
from jaxsched.schedules._warmup import WarmupExponentialDecay as WarmupExponentialDecay
from jaxsched.schedules._warmup import WarmupLinearDecay as WarmupLinearDecay
from jaxsched.schedules._wsd import WarmupStableDecay as WarmupStableDecay

# The optax-style constructors: each is the class itself, so isinstance and the docstring come along.
constant = Constant
linear = Linear
polynomial = Polynomial
exponential_decay = ExponentialDecay
step_decay = StepDecay
multistep_decay = MultistepDecay
piecewise_constant = PiecewiseConstant
piecewise_interpolate = PiecewiseInterpolate
cosine_decay = CosineDecay
warmup_constant = WarmupConstant
warmup_cosine_decay = WarmupCosineDecay
warmup_linear_decay = WarmupLinearDecay
warmup_exponential_decay = WarmupExponentialDecay
inverse_sqrt = InverseSqrt
noam = Noam
warmup_stable_decay = WarmupStableDecay
cosine_restarts = CosineRestarts
cyclic = Cyclic
one_cycle = OneCycle
tanh_decay = TanhDecay
inverse_time_decay = InverseTimeDecay
tri_stage = TriStage
inverse_sqrt_cooldown = InverseSqrtCooldown
warmup_stable_decay_cycles = WarmupStableDecayCycles
power_scheduler = PowerScheduler

__version__ = "0.1.0"
