"""The native catalog, one module per family, and its classes.

The public names are the lower-case constructors at the top level (``jaxsched.cosine_decay``); the classes
behind them (and the combinators' classes) are reachable here by their class names for ``isinstance`` and
subclassing, e.g. ``jaxsched.schedules.CosineDecay``.
"""

from jaxsched import _combinators, _surgery
from jaxsched._core import Schedule
from jaxsched.schedules import (
    _annealing_cycles,
    _basic,
    _cosine,
    _cyclic,
    _noise,
    _points,
    _polynomial_cycle,
    _power,
    _progress,
    _ramp,
    _recurrence,
    _research,
    _restarts,
    _rsqrt,
    _transformer,
    _warmup,
    _warmup_factors,
    _wsd,
)

_FAMILIES = (
    _basic,
    _cosine,
    _cyclic,
    _noise,
    _points,
    _progress,
    _ramp,
    _recurrence,
    _research,
    _restarts,
    _rsqrt,
    _transformer,
    _warmup,
    _warmup_factors,
    _wsd,
    _annealing_cycles,
    _polynomial_cycle,
    _power,
    _combinators,
    _surgery,
)

# Every registered class of the catalog modules, by class name (generated: no second export list).
globals().update(
    {
        obj.__name__: obj
        for mod in _FAMILIES
        for obj in vars(mod).values()
        if isinstance(obj, type)
        and issubclass(obj, Schedule)
        and obj.config_name
        and obj.__module__ == mod.__name__
    }
)
__all__ = sorted(
    name
    for name, obj in globals().items()
    if isinstance(obj, type) and issubclass(obj, Schedule) and obj is not Schedule
)
