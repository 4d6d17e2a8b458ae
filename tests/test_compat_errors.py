"""Every argument an original validates: the compat port raises the original's exception class (issue 17.2).

A compat module is a drop-in, so ``except ValueError`` (or ``TypeError``, ``AssertionError``,
``ZeroDivisionError``) around the original's constructor must behave the same around the port. The table
``MATCHED`` holds, per original and callable, one bad value per argument and per exception class the
original raises at construction, with that class. It was recorded by running each installed original (torch
2.13, optax 0.2.8, transformers 5.24, timm 1.0.31 through ``tests/timm_original.py``, pytorch-accelerated
0.1.61, pytorch_warmup 0.2.0) over a grid of bad values (negative, zero, out of range, fractional, text,
``None``, NaN) on top of the valid configuration in ``BASE``; the test runs the original again wherever it
is installed, so the table cannot drift from it. ``GOLDEN_ONLY`` holds the checks of originals that cannot
be installed here, from their source as recorded in ``tests/golden/record_*.py`` and the reference notes:
noether's (``ValueError`` for two overhangs or an end above the maximum, ``AssertionError`` for an
increasing schedule that would decrease). chemprop 2.0 checks the lengths of its per-group arrays but its
check crashes with ``AttributeError`` (it reads the optimizer before setting it); ``noam_lr_groups`` raises
the ``ValueError`` chemprop meant, a deliberate difference. OpenKiwi validates nothing: its bad inputs end
in ``ZeroDivisionError`` or NaN from arithmetic.

The port's error is an instance of the original's class (jaxsched's own classes subclass it:
``ScheduleArgumentError`` is a ``ValueError``, ``ScheduleArgumentTypeError`` a ``TypeError``, and where an
original raises something else the port raises a class that is both, e.g. ``ScheduleArgumentAssertionError``
for timm's and pytorch-accelerated's ``assert``s, ``ScheduleArgumentZeroDivisionError`` where the original
divides by the zero while it is being built, ``ScheduleArgumentTypeValueError`` where it turns text into a
``ValueError``), and it names the argument.

``REFUSED`` lists, with the reason, the bad values the original accepts at construction (it fails later, or
never) and the port refuses (principle 3: every accepted input gives exact, finite values on every path).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch

from jaxsched import ScheduleArgumentError
from jaxsched._validate import ScheduleArgumentTypeError
from jaxsched.compat import noether as cn
from jaxsched.compat import optax as co
from jaxsched.compat import pytorch_accelerated as cpa
from jaxsched.compat import pytorch_warmup as cpw
from jaxsched.compat import timm as ct
from jaxsched.compat import torch as tp
from jaxsched.compat import transformers as hf
from jaxsched.compat.chemprop import noam_lr_groups
from tests.timm_original import timm_class

NAN = float("nan")
LR = 0.1

BASE: dict[tuple[str, str], dict[str, Any]] = {
    ("torch", "StepLR"): {"step_size": 3},
    ("torch", "MultiStepLR"): {"milestones": [2, 5]},
    ("torch", "ConstantLR"): {},
    ("torch", "LinearLR"): {},
    ("torch", "ExponentialLR"): {"gamma": 0.9},
    ("torch", "PolynomialLR"): {},
    ("torch", "CosineAnnealingLR"): {"T_max": 10},
    ("torch", "CosineAnnealingWarmRestarts"): {"T_0": 10},
    ("torch", "CyclicLR"): {"base_lr": 0.01, "max_lr": 0.1},
    ("torch", "OneCycleLR"): {"max_lr": 0.1, "total_steps": 30},
    ("torch", "OneCycleLR(epochs)"): {"max_lr": 0.1, "epochs": 3, "steps_per_epoch": 10},
    ("optax", "polynomial_schedule"): {
        "init_value": 1.0,
        "end_value": 0.1,
        "power": 1,
        "transition_steps": 10,
    },
    ("optax", "linear_schedule"): {"init_value": 1.0, "end_value": 0.1, "transition_steps": 10},
    ("optax", "piecewise_constant_schedule"): {"init_value": 1.0, "boundaries_and_scales": {3: 0.5}},
    ("optax", "exponential_decay"): {"init_value": 1.0, "transition_steps": 10, "decay_rate": 0.5},
    ("optax", "cosine_decay_schedule"): {"init_value": 1.0, "decay_steps": 10},
    ("optax", "warmup_constant_schedule"): {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10},
    ("optax", "warmup_cosine_decay_schedule"): {
        "init_value": 0.0,
        "peak_value": 1.0,
        "warmup_steps": 10,
        "decay_steps": 100,
    },
    ("optax", "warmup_exponential_decay_schedule"): {
        "init_value": 0.0,
        "peak_value": 1.0,
        "warmup_steps": 10,
        "transition_steps": 10,
        "decay_rate": 0.5,
    },
    ("optax", "piecewise_interpolate_schedule"): {
        "interpolate_type": "linear",
        "init_value": 1.0,
        "boundaries_and_scales": {3: 0.5},
    },
    ("optax", "linear_onecycle_schedule"): {"transition_steps": 10, "peak_value": 1.0},
    ("optax", "cosine_onecycle_schedule"): {"transition_steps": 10, "peak_value": 1.0},
    ("transformers", "get_constant_schedule_with_warmup"): {"num_warmup_steps": 4},
    ("transformers", "get_linear_schedule_with_warmup"): {"num_warmup_steps": 2, "num_training_steps": 10},
    ("transformers", "get_cosine_schedule_with_warmup"): {"num_warmup_steps": 2, "num_training_steps": 10},
    ("transformers", "get_cosine_with_hard_restarts_schedule_with_warmup"): {
        "num_warmup_steps": 2,
        "num_training_steps": 10,
    },
    ("transformers", "get_polynomial_decay_schedule_with_warmup"): {
        "num_warmup_steps": 2,
        "num_training_steps": 10,
    },
    ("transformers", "get_inverse_sqrt_schedule"): {"num_warmup_steps": 2},
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup"): {
        "num_warmup_steps": 2,
        "num_training_steps": 10,
        "min_lr": 1e-3,
    },
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate"): {
        "num_warmup_steps": 2,
        "num_training_steps": 10,
        "min_lr_rate": 0.1,
    },
    ("transformers", "get_wsd_schedule"): {
        "num_warmup_steps": 2,
        "num_decay_steps": 3,
        "num_training_steps": 10,
    },
    ("timm", "CosineLRScheduler"): {"t_initial": 10},
    ("timm", "TanhLRScheduler"): {"t_initial": 10},
    ("timm", "PolyLRScheduler"): {"t_initial": 10},
    ("timm", "StepLRScheduler"): {"decay_t": 3},
    ("timm", "MultiStepLRScheduler"): {"decay_t": [3, 6]},
    ("timm", "WSDLRScheduler"): {"t_initial": 10, "decay_t": 3},
    ("pytorch_accelerated", "CosineLrScheduler"): {"total_num_epochs": 5, "num_update_steps_per_epoch": 4},
    ("pytorch_accelerated", "WSDLrScheduler"): {"total_steps": 40},
    ("pytorch_warmup", "LinearWarmup"): {"warmup_period": 5},
    ("pytorch_warmup", "ExponentialWarmup"): {"warmup_period": 5},
    ("pytorch_warmup", "UntunedLinearWarmup"): {},
    ("pytorch_warmup", "UntunedExponentialWarmup"): {},
    ("pytorch_warmup", "RAdamWarmup"): {},
}
"""A valid configuration of each callable; each row below changes one argument of it."""

MATCHED: list[tuple[str, str, dict[str, Any], type[Exception]]] = [
    ("torch", "ConstantLR", {"factor": -1}, ValueError),
    ("torch", "ConstantLR", {"factor": "x"}, TypeError),
    ("torch", "LinearLR", {"start_factor": -1}, ValueError),
    ("torch", "LinearLR", {"start_factor": "x"}, TypeError),
    ("torch", "LinearLR", {"end_factor": -1}, ValueError),
    ("torch", "LinearLR", {"end_factor": "x"}, TypeError),
    ("torch", "CosineAnnealingWarmRestarts", {"T_0": -1}, ValueError),
    ("torch", "CosineAnnealingWarmRestarts", {"T_0": "x"}, TypeError),
    ("torch", "CosineAnnealingWarmRestarts", {"T_mult": -1}, ValueError),
    ("torch", "CosineAnnealingWarmRestarts", {"T_mult": "x"}, TypeError),
    ("torch", "CosineAnnealingWarmRestarts", {"eta_min": "x"}, ValueError),
    ("torch", "CyclicLR", {"base_lr": "x"}, TypeError),
    ("torch", "CyclicLR", {"max_lr": "x"}, TypeError),
    ("torch", "CyclicLR", {"step_size_up": 0}, ZeroDivisionError),
    ("torch", "CyclicLR", {"step_size_up": "x"}, ValueError),
    ("torch", "CyclicLR", {"step_size_up": None}, TypeError),
    ("torch", "CyclicLR", {"step_size_down": "x"}, ValueError),
    ("torch", "CyclicLR", {"mode": -1}, ValueError),
    ("torch", "CyclicLR", {"base_momentum": "x"}, TypeError),
    ("torch", "CyclicLR", {"max_momentum": "x"}, TypeError),
    ("torch", "OneCycleLR", {"max_lr": "x"}, TypeError),
    ("torch", "OneCycleLR", {"total_steps": -1}, ValueError),
    ("torch", "OneCycleLR", {"total_steps": "x"}, TypeError),
    ("torch", "OneCycleLR", {"pct_start": -1}, ValueError),
    ("torch", "OneCycleLR", {"pct_start": None}, TypeError),
    ("torch", "OneCycleLR", {"anneal_strategy": -1}, ValueError),
    ("torch", "OneCycleLR", {"div_factor": 0}, ZeroDivisionError),
    ("torch", "OneCycleLR", {"div_factor": "x"}, TypeError),
    ("torch", "OneCycleLR", {"final_div_factor": 0}, ZeroDivisionError),
    ("torch", "OneCycleLR", {"final_div_factor": "x"}, TypeError),
    ("torch", "OneCycleLR", {"base_momentum": "x"}, TypeError),
    ("torch", "OneCycleLR", {"max_momentum": "x"}, TypeError),
    ("torch", "OneCycleLR(epochs)", {"epochs": -1}, ValueError),
    ("torch", "OneCycleLR(epochs)", {"steps_per_epoch": -1}, ValueError),
    ("optax", "polynomial_schedule", {"transition_steps": "x"}, TypeError),
    ("optax", "polynomial_schedule", {"transition_begin": "x"}, TypeError),
    ("optax", "linear_schedule", {"transition_steps": "x"}, TypeError),
    ("optax", "linear_schedule", {"transition_begin": "x"}, TypeError),
    ("optax", "exponential_decay", {"transition_steps": "x"}, TypeError),
    ("optax", "exponential_decay", {"transition_begin": "x"}, TypeError),
    ("optax", "cosine_decay_schedule", {"decay_steps": -1}, ValueError),
    ("optax", "cosine_decay_schedule", {"decay_steps": "x"}, TypeError),
    ("optax", "warmup_constant_schedule", {"warmup_steps": "x"}, TypeError),
    ("optax", "warmup_cosine_decay_schedule", {"warmup_steps": "x"}, TypeError),
    ("optax", "warmup_cosine_decay_schedule", {"warmup_steps": NAN}, ValueError),
    ("optax", "warmup_cosine_decay_schedule", {"decay_steps": -1}, ValueError),
    ("optax", "warmup_cosine_decay_schedule", {"decay_steps": "x"}, TypeError),
    ("optax", "warmup_cosine_decay_schedule", {"end_value": "x"}, TypeError),
    ("optax", "warmup_exponential_decay_schedule", {"warmup_steps": "x"}, TypeError),
    ("optax", "warmup_exponential_decay_schedule", {"transition_steps": "x"}, TypeError),
    ("optax", "piecewise_interpolate_schedule", {"interpolate_type": -1}, ValueError),
    ("optax", "linear_onecycle_schedule", {"transition_steps": -1}, ValueError),
    ("optax", "linear_onecycle_schedule", {"transition_steps": "x"}, TypeError),
    ("optax", "linear_onecycle_schedule", {"pct_start": "x"}, ValueError),
    ("optax", "linear_onecycle_schedule", {"pct_start": None}, TypeError),
    ("optax", "linear_onecycle_schedule", {"pct_final": "x"}, ValueError),
    ("optax", "linear_onecycle_schedule", {"pct_final": None}, TypeError),
    ("optax", "linear_onecycle_schedule", {"div_factor": -1}, ValueError),
    ("optax", "linear_onecycle_schedule", {"div_factor": 0}, ZeroDivisionError),
    ("optax", "linear_onecycle_schedule", {"div_factor": "x"}, TypeError),
    ("optax", "linear_onecycle_schedule", {"final_div_factor": -1}, ValueError),
    ("optax", "linear_onecycle_schedule", {"final_div_factor": 0}, ZeroDivisionError),
    ("optax", "linear_onecycle_schedule", {"final_div_factor": "x"}, TypeError),
    ("optax", "cosine_onecycle_schedule", {"transition_steps": -1}, ValueError),
    ("optax", "cosine_onecycle_schedule", {"transition_steps": "x"}, TypeError),
    ("optax", "cosine_onecycle_schedule", {"pct_start": "x"}, ValueError),
    ("optax", "cosine_onecycle_schedule", {"pct_start": None}, TypeError),
    ("optax", "cosine_onecycle_schedule", {"div_factor": -1}, ValueError),
    ("optax", "cosine_onecycle_schedule", {"div_factor": 0}, ZeroDivisionError),
    ("optax", "cosine_onecycle_schedule", {"div_factor": "x"}, TypeError),
    ("optax", "cosine_onecycle_schedule", {"final_div_factor": -1}, ValueError),
    ("optax", "cosine_onecycle_schedule", {"final_div_factor": 0}, ZeroDivisionError),
    ("optax", "cosine_onecycle_schedule", {"final_div_factor": "x"}, TypeError),
    ("transformers", "get_constant_schedule_with_warmup", {"num_warmup_steps": "x"}, TypeError),
    ("transformers", "get_linear_schedule_with_warmup", {"num_warmup_steps": "x"}, TypeError),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_warmup_steps": "x"}, TypeError),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"lr_end": 1.5}, ValueError),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"lr_end": "x"}, TypeError),
    ("transformers", "get_inverse_sqrt_schedule", {"num_warmup_steps": -1}, ZeroDivisionError),
    ("transformers", "get_inverse_sqrt_schedule", {"num_warmup_steps": "x"}, TypeError),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"min_lr": "x"}, TypeError),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"min_lr": None}, ValueError),
    (
        "transformers",
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        {"min_lr_rate": None},
        ValueError,
    ),
    (
        "transformers",
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        {"warmup_lr_rate": "x"},
        ValueError,
    ),
    ("transformers", "get_wsd_schedule", {"num_decay_steps": "x"}, TypeError),
    ("transformers", "get_wsd_schedule", {"warmup_type": -1}, ValueError),
    ("transformers", "get_wsd_schedule", {"decay_type": -1}, ValueError),
    ("transformers", "get_wsd_schedule", {"min_lr_ratio": "x"}, TypeError),
    ("transformers", "get_wsd_schedule", {"num_training_steps": "x"}, TypeError),
    ("transformers", "get_wsd_schedule", {"num_training_steps": None}, ValueError),
    ("timm", "CosineLRScheduler", {"t_initial": -1}, AssertionError),
    ("timm", "CosineLRScheduler", {"t_initial": "x"}, TypeError),
    ("timm", "CosineLRScheduler", {"lr_min": -1}, AssertionError),
    ("timm", "CosineLRScheduler", {"lr_min": "x"}, TypeError),
    ("timm", "CosineLRScheduler", {"warmup_t": "x"}, TypeError),
    ("timm", "TanhLRScheduler", {"t_initial": -1}, AssertionError),
    ("timm", "TanhLRScheduler", {"t_initial": "x"}, TypeError),
    ("timm", "TanhLRScheduler", {"lb": "x"}, TypeError),
    ("timm", "TanhLRScheduler", {"lb": NAN}, AssertionError),
    ("timm", "TanhLRScheduler", {"ub": "x"}, TypeError),
    ("timm", "TanhLRScheduler", {"ub": NAN}, AssertionError),
    ("timm", "TanhLRScheduler", {"lr_min": -1}, AssertionError),
    ("timm", "TanhLRScheduler", {"lr_min": "x"}, TypeError),
    ("timm", "TanhLRScheduler", {"cycle_limit": -1}, AssertionError),
    ("timm", "TanhLRScheduler", {"cycle_limit": "x"}, TypeError),
    ("timm", "TanhLRScheduler", {"warmup_t": -1}, AssertionError),
    ("timm", "TanhLRScheduler", {"warmup_t": "x"}, TypeError),
    ("timm", "TanhLRScheduler", {"warmup_lr_init": -1}, AssertionError),
    ("timm", "TanhLRScheduler", {"warmup_lr_init": "x"}, TypeError),
    ("timm", "PolyLRScheduler", {"t_initial": -1}, AssertionError),
    ("timm", "PolyLRScheduler", {"t_initial": "x"}, TypeError),
    ("timm", "PolyLRScheduler", {"lr_min": -1}, AssertionError),
    ("timm", "PolyLRScheduler", {"lr_min": "x"}, TypeError),
    ("timm", "PolyLRScheduler", {"warmup_t": "x"}, TypeError),
    ("timm", "StepLRScheduler", {"warmup_t": "x"}, TypeError),
    ("timm", "MultiStepLRScheduler", {"warmup_t": "x"}, TypeError),
    ("timm", "WSDLRScheduler", {"t_initial": -1}, ValueError),
    ("timm", "WSDLRScheduler", {"t_initial": "x"}, TypeError),
    ("timm", "WSDLRScheduler", {"decay_t": -1}, ValueError),
    ("timm", "WSDLRScheduler", {"decay_t": "x"}, TypeError),
    ("timm", "WSDLRScheduler", {"lr_min": -1}, ValueError),
    ("timm", "WSDLRScheduler", {"lr_min": "x"}, TypeError),
    ("timm", "WSDLRScheduler", {"stable_fn": -1}, ValueError),
    ("timm", "WSDLRScheduler", {"stable_power": -1}, ValueError),
    ("timm", "WSDLRScheduler", {"stable_power": "x"}, TypeError),
    ("timm", "WSDLRScheduler", {"decay_fn": "x"}, ValueError),
    ("timm", "WSDLRScheduler", {"decay_power": -1}, ValueError),
    ("timm", "WSDLRScheduler", {"decay_power": "x"}, TypeError),
    ("timm", "WSDLRScheduler", {"decay_ratio": -1}, ValueError),
    ("timm", "WSDLRScheduler", {"decay_ratio": "x"}, TypeError),
    ("timm", "WSDLRScheduler", {"warmup_t": "x"}, TypeError),
    ("pytorch_accelerated", "CosineLrScheduler", {"total_num_epochs": -1}, AssertionError),
    ("pytorch_accelerated", "CosineLrScheduler", {"total_num_epochs": "x"}, TypeError),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_update_steps_per_epoch": -1}, AssertionError),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_update_steps_per_epoch": "x"}, TypeError),
    ("pytorch_accelerated", "CosineLrScheduler", {"lr_min": -1}, AssertionError),
    ("pytorch_accelerated", "CosineLrScheduler", {"lr_min": "x"}, TypeError),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_warmup_epochs": None}, TypeError),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_cooldown_epochs": None}, TypeError),
    ("pytorch_accelerated", "WSDLrScheduler", {"total_steps": -1}, AssertionError),
    ("pytorch_accelerated", "WSDLrScheduler", {"total_steps": "x"}, TypeError),
    ("pytorch_accelerated", "WSDLrScheduler", {"decay_phase_ratio": -1}, AssertionError),
    ("pytorch_accelerated", "WSDLrScheduler", {"decay_phase_ratio": "x"}, TypeError),
    ("pytorch_accelerated", "WSDLrScheduler", {"lr_min": -1}, AssertionError),
    ("pytorch_accelerated", "WSDLrScheduler", {"lr_min": "x"}, TypeError),
    ("pytorch_accelerated", "WSDLrScheduler", {"warmup_starting_lr": "x"}, TypeError),
    ("pytorch_accelerated", "WSDLrScheduler", {"num_checkpoints": -1}, AssertionError),
    ("pytorch_accelerated", "WSDLrScheduler", {"num_checkpoints": 1.5}, TypeError),
    ("pytorch_warmup", "LinearWarmup", {"warmup_period": -1}, ValueError),
    ("pytorch_warmup", "LinearWarmup", {"warmup_period": 1.5}, TypeError),
    ("pytorch_warmup", "ExponentialWarmup", {"warmup_period": -1}, ValueError),
    ("pytorch_warmup", "ExponentialWarmup", {"warmup_period": 1.5}, TypeError),
    ("pytorch_warmup", "UntunedLinearWarmup", {"beta2": 1.0}, ValueError),
    ("pytorch_warmup", "UntunedExponentialWarmup", {"beta2": 1.0}, ValueError),
    ("pytorch_warmup", "RAdamWarmup", {"beta2": 0.5}, ValueError),
]


GOLDEN_ONLY: list[tuple[str, Any, dict[str, Any], type[Exception]]] = [
    (
        "noether",
        cn.LinearDecreasingSchedule,
        {"max_value": 1.0, "overhang_percent": 0.1, "overhang_steps": 3},
        ValueError,
    ),
    ("noether", cn.LinearDecreasingSchedule, {"max_value": 0.5, "end_value": 1.0}, ValueError),
    ("noether", cn.CosineDecreasingSchedule, {"max_value": 0.5, "end_value": 1.0}, ValueError),
    ("noether", cn.LinearIncreasingSchedule, {"start_value": 1.0, "max_value": 0.5}, AssertionError),
    ("noether", cn.CosineIncreasingSchedule, {"start_value": 1.0, "max_value": 0.5}, AssertionError),
    (
        "chemprop",
        noam_lr_groups,
        {
            "warmup_epochs": [2, 2],
            "total_epochs": 10,
            "steps_per_epoch": 5,
            "init_lrs": [1e-4, 1e-5, 1e-6],
            "max_lrs": [1e-3, 1e-4],
            "final_lrs": [1e-5, 1e-6],
            "num_groups": 2,
        },
        ValueError,
    ),
]
"""noether (not installable here): ``ScheduleBase`` raises ValueError for both overhangs,
``DecreasingProgressSchedule`` ValueError for ``end_value > max_value``, ``IncreasingProgressSchedule``
asserts ``max_value >= start_value``; chemprop 2.0 means a ValueError for per-group arrays of the wrong
length (see the module docstring)."""

ACCEPTED: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "pytorch_accelerated",
        "WSDLrScheduler",
        {"warmup_starting_lr": 1.5},
        "the original compares warmup_starting_lr with the largest base LR of all param groups; a port "
        "is one group's schedule (a group with a smaller LR may warm down), and "
        "torch_bridge.WSDLrScheduler, which sees every group, raises the original's ValueError",
    ),
]
"""Bad values the original refuses and the port accepts, with the reason."""

REASONS = {
    "nan": "NaN: the original accepts it and its values become NaN (principle 3: no NaN, no inf)",
    "text": "not a number: the original accepts it here and fails only where the value is used (a TypeError "
    "or ValueError at some step, or never); the port refuses it at construction with a TypeError",
    "negative": "negative: the original accepts it (and then ignores it, flips a sign, returns NaN or "
    "divides by zero at a later step); jaxsched refuses negative durations and factors",
    "zero": "zero: the original accepts it and divides by it at a later step, or degenerates (a cycle of "
    "length 0, a constant curve)",
    "fraction": "a fractional step count (or an out-of-range factor): the original accepts it; jaxsched "
    "counts steps in whole numbers and refuses values outside the documented range",
    "decay_fn": "timm treats any non-string, non-callable decay_fn as 'exp', which the port does not lower "
    "(no catalog piece yet)",
}

REFUSED: list[tuple[str, str, dict[str, Any], str]] = [
    ("torch", "StepLR", {"step_size": -1}, "negative"),
    ("torch", "StepLR", {"step_size": 0}, "zero"),
    ("torch", "StepLR", {"step_size": 1.5}, "fraction"),
    ("torch", "StepLR", {"step_size": "x"}, "text"),
    ("torch", "StepLR", {"step_size": NAN}, "nan"),
    ("torch", "StepLR", {"gamma": -1}, "negative"),
    ("torch", "StepLR", {"gamma": "x"}, "text"),
    ("torch", "StepLR", {"gamma": NAN}, "nan"),
    ("torch", "MultiStepLR", {"gamma": -1}, "negative"),
    ("torch", "MultiStepLR", {"gamma": "x"}, "text"),
    ("torch", "MultiStepLR", {"gamma": NAN}, "nan"),
    ("torch", "ConstantLR", {"factor": 0}, "zero"),
    ("torch", "ConstantLR", {"factor": NAN}, "nan"),
    ("torch", "ConstantLR", {"total_iters": -1}, "negative"),
    ("torch", "ConstantLR", {"total_iters": 1.5}, "fraction"),
    ("torch", "ConstantLR", {"total_iters": "x"}, "text"),
    ("torch", "ConstantLR", {"total_iters": NAN}, "nan"),
    ("torch", "LinearLR", {"start_factor": NAN}, "nan"),
    ("torch", "LinearLR", {"end_factor": NAN}, "nan"),
    ("torch", "LinearLR", {"total_iters": -1}, "negative"),
    ("torch", "LinearLR", {"total_iters": 1.5}, "fraction"),
    ("torch", "LinearLR", {"total_iters": "x"}, "text"),
    ("torch", "LinearLR", {"total_iters": NAN}, "nan"),
    ("torch", "ExponentialLR", {"gamma": -1}, "negative"),
    ("torch", "ExponentialLR", {"gamma": "x"}, "text"),
    ("torch", "ExponentialLR", {"gamma": NAN}, "nan"),
    ("torch", "PolynomialLR", {"total_iters": -1}, "negative"),
    ("torch", "PolynomialLR", {"total_iters": 1.5}, "fraction"),
    ("torch", "PolynomialLR", {"total_iters": "x"}, "text"),
    ("torch", "PolynomialLR", {"total_iters": NAN}, "nan"),
    ("torch", "PolynomialLR", {"power": -1}, "negative"),
    ("torch", "PolynomialLR", {"power": "x"}, "text"),
    ("torch", "PolynomialLR", {"power": NAN}, "nan"),
    ("torch", "CosineAnnealingLR", {"T_max": -1}, "negative"),
    ("torch", "CosineAnnealingLR", {"T_max": 0}, "zero"),
    ("torch", "CosineAnnealingLR", {"T_max": "x"}, "text"),
    ("torch", "CosineAnnealingLR", {"T_max": NAN}, "nan"),
    ("torch", "CosineAnnealingLR", {"eta_min": "x"}, "text"),
    ("torch", "CosineAnnealingLR", {"eta_min": NAN}, "nan"),
    ("torch", "CosineAnnealingWarmRestarts", {"eta_min": NAN}, "nan"),
    ("torch", "CyclicLR", {"base_lr": NAN}, "nan"),
    ("torch", "CyclicLR", {"max_lr": NAN}, "nan"),
    ("torch", "CyclicLR", {"step_size_up": -1}, "negative"),
    ("torch", "CyclicLR", {"step_size_down": -1}, "negative"),
    ("torch", "CyclicLR", {"gamma": -1}, "negative"),
    ("torch", "CyclicLR", {"gamma": "x"}, "text"),
    ("torch", "CyclicLR", {"gamma": NAN}, "nan"),
    ("torch", "CyclicLR", {"base_momentum": NAN}, "nan"),
    ("torch", "CyclicLR", {"max_momentum": NAN}, "nan"),
    ("torch", "OneCycleLR", {"max_lr": NAN}, "nan"),
    ("torch", "OneCycleLR", {"pct_start": NAN}, "nan"),
    ("torch", "OneCycleLR", {"div_factor": -1}, "negative"),
    ("torch", "OneCycleLR", {"div_factor": NAN}, "nan"),
    ("torch", "OneCycleLR", {"final_div_factor": -1}, "negative"),
    ("torch", "OneCycleLR", {"final_div_factor": NAN}, "nan"),
    ("torch", "OneCycleLR", {"base_momentum": NAN}, "nan"),
    ("torch", "OneCycleLR", {"max_momentum": NAN}, "nan"),
    ("optax", "polynomial_schedule", {"init_value": "x"}, "text"),
    ("optax", "polynomial_schedule", {"init_value": NAN}, "nan"),
    ("optax", "polynomial_schedule", {"power": -1}, "negative"),
    ("optax", "polynomial_schedule", {"power": "x"}, "text"),
    ("optax", "polynomial_schedule", {"power": NAN}, "nan"),
    ("optax", "polynomial_schedule", {"transition_steps": NAN}, "nan"),
    ("optax", "polynomial_schedule", {"transition_begin": 1.5}, "fraction"),
    ("optax", "polynomial_schedule", {"transition_begin": NAN}, "nan"),
    ("optax", "linear_schedule", {"init_value": "x"}, "text"),
    ("optax", "linear_schedule", {"init_value": NAN}, "nan"),
    ("optax", "linear_schedule", {"transition_steps": NAN}, "nan"),
    ("optax", "linear_schedule", {"transition_begin": 1.5}, "fraction"),
    ("optax", "linear_schedule", {"transition_begin": NAN}, "nan"),
    ("optax", "piecewise_constant_schedule", {"init_value": "x"}, "text"),
    ("optax", "piecewise_constant_schedule", {"init_value": NAN}, "nan"),
    ("optax", "exponential_decay", {"transition_steps": NAN}, "nan"),
    ("optax", "exponential_decay", {"decay_rate": -1}, "negative"),
    ("optax", "exponential_decay", {"decay_rate": "x"}, "text"),
    ("optax", "exponential_decay", {"decay_rate": NAN}, "nan"),
    ("optax", "exponential_decay", {"transition_begin": 1.5}, "fraction"),
    ("optax", "exponential_decay", {"transition_begin": NAN}, "nan"),
    ("optax", "exponential_decay", {"end_value": "x"}, "text"),
    ("optax", "exponential_decay", {"end_value": NAN}, "nan"),
    ("optax", "cosine_decay_schedule", {"alpha": "x"}, "text"),
    ("optax", "cosine_decay_schedule", {"alpha": NAN}, "nan"),
    ("optax", "cosine_decay_schedule", {"exponent": -1}, "negative"),
    ("optax", "cosine_decay_schedule", {"exponent": "x"}, "text"),
    ("optax", "cosine_decay_schedule", {"exponent": NAN}, "nan"),
    ("optax", "warmup_constant_schedule", {"warmup_steps": NAN}, "nan"),
    ("optax", "warmup_cosine_decay_schedule", {"warmup_steps": 1.5}, "fraction"),
    ("optax", "warmup_cosine_decay_schedule", {"end_value": NAN}, "nan"),
    ("optax", "warmup_cosine_decay_schedule", {"exponent": -1}, "negative"),
    ("optax", "warmup_cosine_decay_schedule", {"exponent": "x"}, "text"),
    ("optax", "warmup_cosine_decay_schedule", {"exponent": NAN}, "nan"),
    ("optax", "warmup_exponential_decay_schedule", {"warmup_steps": 1.5}, "fraction"),
    ("optax", "warmup_exponential_decay_schedule", {"warmup_steps": NAN}, "nan"),
    ("optax", "warmup_exponential_decay_schedule", {"transition_steps": NAN}, "nan"),
    ("optax", "warmup_exponential_decay_schedule", {"decay_rate": -1}, "negative"),
    ("optax", "warmup_exponential_decay_schedule", {"decay_rate": "x"}, "text"),
    ("optax", "warmup_exponential_decay_schedule", {"decay_rate": NAN}, "nan"),
    ("optax", "piecewise_interpolate_schedule", {"init_value": "x"}, "text"),
    ("optax", "piecewise_interpolate_schedule", {"init_value": NAN}, "nan"),
    ("optax", "linear_onecycle_schedule", {"transition_steps": 1.5}, "fraction"),
    ("optax", "linear_onecycle_schedule", {"pct_start": -1}, "negative"),
    ("optax", "linear_onecycle_schedule", {"pct_final": -1}, "negative"),
    ("optax", "cosine_onecycle_schedule", {"transition_steps": 1.5}, "fraction"),
    ("optax", "cosine_onecycle_schedule", {"pct_start": -1}, "negative"),
    ("transformers", "get_constant_schedule_with_warmup", {"num_warmup_steps": -1}, "negative"),
    ("transformers", "get_constant_schedule_with_warmup", {"num_warmup_steps": NAN}, "nan"),
    ("transformers", "get_linear_schedule_with_warmup", {"num_warmup_steps": -1}, "negative"),
    ("transformers", "get_linear_schedule_with_warmup", {"num_warmup_steps": NAN}, "nan"),
    ("transformers", "get_linear_schedule_with_warmup", {"num_training_steps": -1}, "negative"),
    ("transformers", "get_linear_schedule_with_warmup", {"num_training_steps": 1.5}, "fraction"),
    ("transformers", "get_linear_schedule_with_warmup", {"num_training_steps": "x"}, "text"),
    ("transformers", "get_linear_schedule_with_warmup", {"num_training_steps": NAN}, "nan"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_warmup_steps": -1}, "negative"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_warmup_steps": NAN}, "nan"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_training_steps": -1}, "negative"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_training_steps": 1.5}, "fraction"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_training_steps": "x"}, "text"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_training_steps": NAN}, "nan"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_cycles": -1}, "negative"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_cycles": "x"}, "text"),
    ("transformers", "get_cosine_schedule_with_warmup", {"num_cycles": NAN}, "nan"),
    ("transformers", "get_cosine_with_hard_restarts_schedule_with_warmup", {"num_cycles": -1}, "negative"),
    ("transformers", "get_cosine_with_hard_restarts_schedule_with_warmup", {"num_cycles": 0}, "zero"),
    ("transformers", "get_cosine_with_hard_restarts_schedule_with_warmup", {"num_cycles": "x"}, "text"),
    ("transformers", "get_cosine_with_hard_restarts_schedule_with_warmup", {"num_cycles": NAN}, "nan"),
    (
        "transformers",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_training_steps": -1},
        "negative",
    ),
    (
        "transformers",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_training_steps": 1.5},
        "fraction",
    ),
    (
        "transformers",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_training_steps": "x"},
        "text",
    ),
    (
        "transformers",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_training_steps": NAN},
        "nan",
    ),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"power": -1}, "negative"),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"power": "x"}, "text"),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"power": NAN}, "nan"),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"num_training_steps": -1}, "negative"),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"num_training_steps": 1.5}, "fraction"),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"num_training_steps": "x"}, "text"),
    ("transformers", "get_polynomial_decay_schedule_with_warmup", {"num_training_steps": NAN}, "nan"),
    ("transformers", "get_inverse_sqrt_schedule", {"num_warmup_steps": NAN}, "nan"),
    ("transformers", "get_inverse_sqrt_schedule", {"timescale": -1}, "negative"),
    ("transformers", "get_inverse_sqrt_schedule", {"timescale": 0}, "zero"),
    ("transformers", "get_inverse_sqrt_schedule", {"timescale": "x"}, "text"),
    ("transformers", "get_inverse_sqrt_schedule", {"timescale": NAN}, "nan"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"min_lr": -1}, "negative"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"min_lr": NAN}, "nan"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"num_cycles": -1}, "negative"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"num_cycles": "x"}, "text"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"num_cycles": NAN}, "nan"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"num_training_steps": -1}, "negative"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"num_training_steps": 1.5}, "fraction"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"num_training_steps": "x"}, "text"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup", {"num_training_steps": NAN}, "nan"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", {"min_lr_rate": -1}, "negative"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", {"min_lr_rate": "x"}, "text"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", {"min_lr_rate": NAN}, "nan"),
    (
        "transformers",
        "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        {"warmup_lr_rate": -1},
        "negative",
    ),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", {"warmup_lr_rate": NAN}, "nan"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", {"num_cycles": -1}, "negative"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", {"num_cycles": "x"}, "text"),
    ("transformers", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", {"num_cycles": NAN}, "nan"),
    ("transformers", "get_wsd_schedule", {"num_decay_steps": -1}, "negative"),
    ("transformers", "get_wsd_schedule", {"num_decay_steps": 1.5}, "fraction"),
    ("transformers", "get_wsd_schedule", {"num_decay_steps": NAN}, "nan"),
    ("transformers", "get_wsd_schedule", {"num_stable_steps": 1.5}, "fraction"),
    ("transformers", "get_wsd_schedule", {"num_stable_steps": "x"}, "text"),
    ("transformers", "get_wsd_schedule", {"num_stable_steps": NAN}, "nan"),
    ("transformers", "get_wsd_schedule", {"min_lr_ratio": -1}, "negative"),
    ("transformers", "get_wsd_schedule", {"min_lr_ratio": NAN}, "nan"),
    ("transformers", "get_wsd_schedule", {"num_cycles": -1}, "negative"),
    ("transformers", "get_wsd_schedule", {"num_cycles": "x"}, "text"),
    ("transformers", "get_wsd_schedule", {"num_cycles": NAN}, "nan"),
    ("transformers", "get_wsd_schedule", {"num_training_steps": -1}, "negative"),
    ("transformers", "get_wsd_schedule", {"num_training_steps": 1.5}, "fraction"),
    ("transformers", "get_wsd_schedule", {"num_training_steps": NAN}, "nan"),
    ("timm", "CosineLRScheduler", {"t_initial": 1.5}, "fraction"),
    ("timm", "CosineLRScheduler", {"cycle_mul": -1}, "negative"),
    ("timm", "CosineLRScheduler", {"cycle_mul": 0}, "zero"),
    ("timm", "CosineLRScheduler", {"cycle_mul": "x"}, "text"),
    ("timm", "CosineLRScheduler", {"cycle_mul": NAN}, "nan"),
    ("timm", "CosineLRScheduler", {"cycle_decay": -1}, "negative"),
    ("timm", "CosineLRScheduler", {"cycle_decay": "x"}, "text"),
    ("timm", "CosineLRScheduler", {"cycle_decay": NAN}, "nan"),
    ("timm", "CosineLRScheduler", {"cycle_limit": -1}, "negative"),
    ("timm", "CosineLRScheduler", {"cycle_limit": 1.5}, "fraction"),
    ("timm", "CosineLRScheduler", {"cycle_limit": "x"}, "text"),
    ("timm", "CosineLRScheduler", {"cycle_limit": NAN}, "nan"),
    ("timm", "CosineLRScheduler", {"warmup_t": -1}, "negative"),
    ("timm", "CosineLRScheduler", {"warmup_t": 1.5}, "fraction"),
    ("timm", "CosineLRScheduler", {"warmup_t": None}, "text"),
    ("timm", "CosineLRScheduler", {"warmup_t": NAN}, "nan"),
    ("timm", "CosineLRScheduler", {"warmup_lr_init": -1}, "negative"),
    ("timm", "CosineLRScheduler", {"warmup_lr_init": "x"}, "text"),
    ("timm", "CosineLRScheduler", {"warmup_lr_init": NAN}, "nan"),
    ("timm", "CosineLRScheduler", {"k_decay": -1}, "negative"),
    ("timm", "CosineLRScheduler", {"k_decay": 0}, "zero"),
    ("timm", "CosineLRScheduler", {"k_decay": "x"}, "text"),
    ("timm", "CosineLRScheduler", {"k_decay": NAN}, "nan"),
    ("timm", "TanhLRScheduler", {"t_initial": 1.5}, "fraction"),
    ("timm", "TanhLRScheduler", {"cycle_mul": -1}, "negative"),
    ("timm", "TanhLRScheduler", {"cycle_mul": 0}, "zero"),
    ("timm", "TanhLRScheduler", {"cycle_mul": "x"}, "text"),
    ("timm", "TanhLRScheduler", {"cycle_mul": NAN}, "nan"),
    ("timm", "TanhLRScheduler", {"cycle_decay": -1}, "negative"),
    ("timm", "TanhLRScheduler", {"cycle_decay": "x"}, "text"),
    ("timm", "TanhLRScheduler", {"cycle_decay": NAN}, "nan"),
    ("timm", "TanhLRScheduler", {"cycle_limit": 1.5}, "fraction"),
    ("timm", "TanhLRScheduler", {"warmup_t": 1.5}, "fraction"),
    ("timm", "PolyLRScheduler", {"t_initial": 1.5}, "fraction"),
    ("timm", "PolyLRScheduler", {"power": -1}, "negative"),
    ("timm", "PolyLRScheduler", {"power": "x"}, "text"),
    ("timm", "PolyLRScheduler", {"power": NAN}, "nan"),
    ("timm", "PolyLRScheduler", {"cycle_mul": -1}, "negative"),
    ("timm", "PolyLRScheduler", {"cycle_mul": 0}, "zero"),
    ("timm", "PolyLRScheduler", {"cycle_mul": "x"}, "text"),
    ("timm", "PolyLRScheduler", {"cycle_mul": NAN}, "nan"),
    ("timm", "PolyLRScheduler", {"cycle_decay": -1}, "negative"),
    ("timm", "PolyLRScheduler", {"cycle_decay": "x"}, "text"),
    ("timm", "PolyLRScheduler", {"cycle_decay": NAN}, "nan"),
    ("timm", "PolyLRScheduler", {"cycle_limit": -1}, "negative"),
    ("timm", "PolyLRScheduler", {"cycle_limit": 1.5}, "fraction"),
    ("timm", "PolyLRScheduler", {"cycle_limit": "x"}, "text"),
    ("timm", "PolyLRScheduler", {"cycle_limit": NAN}, "nan"),
    ("timm", "PolyLRScheduler", {"warmup_t": -1}, "negative"),
    ("timm", "PolyLRScheduler", {"warmup_t": 1.5}, "fraction"),
    ("timm", "PolyLRScheduler", {"warmup_t": None}, "text"),
    ("timm", "PolyLRScheduler", {"warmup_t": NAN}, "nan"),
    ("timm", "PolyLRScheduler", {"k_decay": -1}, "negative"),
    ("timm", "PolyLRScheduler", {"k_decay": 0}, "zero"),
    ("timm", "PolyLRScheduler", {"k_decay": "x"}, "text"),
    ("timm", "PolyLRScheduler", {"k_decay": NAN}, "nan"),
    ("timm", "StepLRScheduler", {"decay_t": -1}, "negative"),
    ("timm", "StepLRScheduler", {"decay_t": 0}, "zero"),
    ("timm", "StepLRScheduler", {"decay_t": "x"}, "text"),
    ("timm", "StepLRScheduler", {"decay_t": NAN}, "nan"),
    ("timm", "StepLRScheduler", {"decay_rate": -1}, "negative"),
    ("timm", "StepLRScheduler", {"decay_rate": "x"}, "text"),
    ("timm", "StepLRScheduler", {"decay_rate": NAN}, "nan"),
    ("timm", "StepLRScheduler", {"warmup_t": -1}, "negative"),
    ("timm", "StepLRScheduler", {"warmup_t": 1.5}, "fraction"),
    ("timm", "StepLRScheduler", {"warmup_t": None}, "text"),
    ("timm", "StepLRScheduler", {"warmup_t": NAN}, "nan"),
    ("timm", "StepLRScheduler", {"warmup_lr_init": -1}, "negative"),
    ("timm", "StepLRScheduler", {"warmup_lr_init": "x"}, "text"),
    ("timm", "StepLRScheduler", {"warmup_lr_init": NAN}, "nan"),
    ("timm", "MultiStepLRScheduler", {"decay_rate": -1}, "negative"),
    ("timm", "MultiStepLRScheduler", {"decay_rate": "x"}, "text"),
    ("timm", "MultiStepLRScheduler", {"decay_rate": NAN}, "nan"),
    ("timm", "MultiStepLRScheduler", {"warmup_t": -1}, "negative"),
    ("timm", "MultiStepLRScheduler", {"warmup_t": 1.5}, "fraction"),
    ("timm", "MultiStepLRScheduler", {"warmup_t": None}, "text"),
    ("timm", "MultiStepLRScheduler", {"warmup_t": NAN}, "nan"),
    ("timm", "WSDLRScheduler", {"decay_t": 1.5}, "fraction"),
    ("timm", "WSDLRScheduler", {"lr_min": NAN}, "nan"),
    ("timm", "WSDLRScheduler", {"stable_power": NAN}, "nan"),
    ("timm", "WSDLRScheduler", {"decay_fn": -1}, "decay_fn"),
    ("timm", "WSDLRScheduler", {"decay_fn": 0}, "decay_fn"),
    ("timm", "WSDLRScheduler", {"decay_fn": 1.5}, "decay_fn"),
    ("timm", "WSDLRScheduler", {"decay_fn": None}, "decay_fn"),
    ("timm", "WSDLRScheduler", {"decay_fn": NAN}, "decay_fn"),
    ("timm", "WSDLRScheduler", {"decay_power": NAN}, "nan"),
    ("timm", "WSDLRScheduler", {"warmup_t": -1}, "negative"),
    ("timm", "WSDLRScheduler", {"warmup_t": 1.5}, "fraction"),
    ("timm", "WSDLRScheduler", {"warmup_t": None}, "text"),
    ("timm", "WSDLRScheduler", {"warmup_t": NAN}, "nan"),
    ("pytorch_accelerated", "CosineLrScheduler", {"total_num_epochs": 1.5}, "fraction"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_update_steps_per_epoch": 1.5}, "fraction"),
    ("pytorch_accelerated", "CosineLrScheduler", {"k_decay": -1}, "negative"),
    ("pytorch_accelerated", "CosineLrScheduler", {"k_decay": 0}, "zero"),
    ("pytorch_accelerated", "CosineLrScheduler", {"k_decay": "x"}, "text"),
    ("pytorch_accelerated", "CosineLrScheduler", {"k_decay": NAN}, "nan"),
    ("pytorch_accelerated", "CosineLrScheduler", {"min_lr_ratio": "x"}, "text"),
    ("pytorch_accelerated", "CosineLrScheduler", {"min_lr_ratio": NAN}, "nan"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_warmup_epochs": -1}, "negative"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_warmup_epochs": 1.5}, "fraction"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_warmup_epochs": "x"}, "text"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_warmup_epochs": NAN}, "nan"),
    ("pytorch_accelerated", "CosineLrScheduler", {"warmup_starting_lr": "x"}, "text"),
    ("pytorch_accelerated", "CosineLrScheduler", {"warmup_starting_lr": NAN}, "nan"),
    ("pytorch_accelerated", "CosineLrScheduler", {"warmup_starting_lr_ratio": "x"}, "text"),
    ("pytorch_accelerated", "CosineLrScheduler", {"warmup_starting_lr_ratio": NAN}, "nan"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_cooldown_epochs": -1}, "negative"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_cooldown_epochs": 1.5}, "fraction"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_cooldown_epochs": "x"}, "text"),
    ("pytorch_accelerated", "CosineLrScheduler", {"num_cooldown_epochs": NAN}, "nan"),
    ("pytorch_accelerated", "WSDLrScheduler", {"total_steps": 1.5}, "fraction"),
    ("pytorch_accelerated", "WSDLrScheduler", {"num_warmup_steps": -1}, "negative"),
    ("pytorch_accelerated", "WSDLrScheduler", {"num_warmup_steps": 1.5}, "fraction"),
    ("pytorch_accelerated", "WSDLrScheduler", {"num_warmup_steps": "x"}, "text"),
    ("pytorch_accelerated", "WSDLrScheduler", {"num_warmup_steps": NAN}, "nan"),
    ("pytorch_accelerated", "WSDLrScheduler", {"warmup_starting_lr": NAN}, "nan"),
]


# -- calling the original and the port --------------------------------------------------------------------


def _name(name: str) -> str:
    return name.split("(")[0]


def _optimizer(adam: bool = False, beta2: float = 0.999) -> torch.optim.Optimizer:
    p = torch.nn.Parameter(torch.zeros(1))
    if adam:
        return torch.optim.Adam([p], lr=1.0, betas=(0.9, beta2))
    return torch.optim.SGD([p], lr=LR, momentum=0.9)


def build_original(lib: str, name: str, kwargs: dict[str, Any]) -> Any:
    """The original, constructed (torch-based ones on a fresh optimizer with LR 0.1)."""
    name = _name(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if lib == "torch":
            return getattr(torch.optim.lr_scheduler, name)(_optimizer(), **kwargs)
        if lib == "optax":
            import optax

            return getattr(optax, name)(**kwargs)
        if lib == "transformers":
            import transformers

            return getattr(transformers, name)(_optimizer(), **kwargs)
        if lib == "timm":
            return timm_class(name)(_optimizer(), **kwargs)
        if lib == "pytorch_accelerated":
            from pytorch_accelerated.schedulers import CosineLrScheduler
            from pytorch_accelerated.schedulers.wsd_scheduler import WSDLrScheduler

            return {"CosineLrScheduler": CosineLrScheduler, "WSDLrScheduler": WSDLrScheduler}[name](
                _optimizer(), **kwargs
            )
        if lib == "pytorch_warmup":
            import pytorch_warmup

            if "beta2" in kwargs:  # the untuned/RAdam warmups read beta2 from the Adam optimizer
                return getattr(pytorch_warmup, name)(_optimizer(adam=True, beta2=kwargs["beta2"]))
            return getattr(pytorch_warmup, name)(_optimizer(adam=True), **kwargs)
    raise ValueError(lib)


def build_port(lib: str, name: str, kwargs: dict[str, Any]) -> Any:
    name = _name(name)
    if lib == "torch":
        cls = getattr(tp, name)
        return cls(**kwargs) if name in ("CyclicLR", "OneCycleLR") else cls(LR, **kwargs)
    if lib == "optax":
        return getattr(co, name)(**kwargs)
    module = {"transformers": hf, "timm": ct, "pytorch_accelerated": cpa}.get(lib)
    if module is not None:
        return getattr(module, name)(LR, **kwargs)
    if lib == "pytorch_warmup":
        return getattr(cpw, name)(**kwargs)
    raise ValueError(lib)


def _kwargs(lib: str, name: str, bad: dict[str, Any]) -> dict[str, Any]:
    return {**BASE[(lib, name)], **bad}


def _id(row: tuple[Any, ...]) -> str:
    lib, name, bad = row[:3]
    return f"{lib}.{name}-{','.join(f'{k}={v!r}' for k, v in bad.items())}"


def test_table_size() -> None:
    """What this module holds (reported in issue 17's closing note)."""
    assert (len(MATCHED), len(GOLDEN_ONLY), len(REFUSED)) == (155, 6, 288)
    assert {(lib, name) for lib, name, *_ in MATCHED + REFUSED} <= set(BASE)


@pytest.mark.parametrize("row", MATCHED, ids=[_id(r) for r in MATCHED])
def test_port_raises_the_originals_class(row: tuple[str, str, dict[str, Any], type[Exception]]) -> None:
    lib, name, bad, expected = row
    kwargs = _kwargs(lib, name, bad)
    with pytest.raises(Exception) as orig:
        build_original(lib, name, kwargs)
    assert type(orig.value) is expected, f"the original now raises {type(orig.value).__name__}"
    with pytest.raises(expected) as err:
        build_port(lib, name, kwargs)
    assert isinstance(err.value, ScheduleArgumentError | ScheduleArgumentTypeError)
    named = err.value.argument.split("[")[0] in bad or any(k in str(err.value) for k in bad)
    assert named, f"the error names {err.value.argument!r}: {err.value}"


@pytest.mark.parametrize(
    "row", GOLDEN_ONLY, ids=[f"{r[0]}.{r[1].__name__}-{i}" for i, r in enumerate(GOLDEN_ONLY)]
)
def test_golden_only_originals(row: tuple[str, Any, dict[str, Any], type[Exception]]) -> None:
    _, cls, kwargs, expected = row
    with pytest.raises(expected) as err:
        cls(**kwargs)
    assert isinstance(err.value, ScheduleArgumentError)


@pytest.mark.parametrize("row", REFUSED, ids=[_id(r) for r in REFUSED])
def test_refused_by_design(row: tuple[str, str, dict[str, Any], str]) -> None:
    """The original constructs (no validation error); the port refuses at construction, naming the argument,
    with a ValueError or a TypeError."""
    lib, name, bad, reason = row
    assert reason in REASONS
    kwargs = _kwargs(lib, name, bad)
    build_original(lib, name, kwargs)
    with pytest.raises((ValueError, TypeError)) as err:
        build_port(lib, name, kwargs)
    assert isinstance(err.value, ScheduleArgumentError | ScheduleArgumentTypeError)


@pytest.mark.parametrize("row", ACCEPTED, ids=[_id(r) for r in ACCEPTED])
def test_accepted_by_design(row: tuple[str, str, dict[str, Any], str]) -> None:
    lib, name, bad, _ = row
    kwargs = _kwargs(lib, name, bad)
    with pytest.raises(ValueError):
        build_original(lib, name, kwargs)
    build_port(lib, name, kwargs)


def test_the_new_classes_are_both() -> None:
    """The classes that stand for an original's other exception are instances of both."""
    from jaxsched import _validate as v

    assert issubclass(v.ScheduleArgumentAssertionError, ValueError)
    assert issubclass(v.ScheduleArgumentAssertionError, AssertionError)
    assert issubclass(v.ScheduleArgumentZeroDivisionError, ValueError)
    assert issubclass(v.ScheduleArgumentZeroDivisionError, ZeroDivisionError)
    assert issubclass(v.ScheduleArgumentTypeValueError, TypeError)
    assert issubclass(v.ScheduleArgumentTypeValueError, ValueError)
    err = v.ScheduleArgumentAssertionError("t_initial", "must be > 0", 0).prefixed("schedules[1]")
    assert isinstance(err, AssertionError) and err.argument == "schedules[1].t_initial"
    assert np.isnan(NAN)
