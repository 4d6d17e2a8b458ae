"""torch's own published expected values for ``torch.optim.lr_scheduler``, held against jaxsched.compat.torch.

Transcribed (configurations and expected values only; the test code is this project's) from pytorch/pytorch,
``test/optim/test_lrscheduler.py`` at commit 01f9ef32eae5ef513002dd44902c23cbe6be3aae: every test with an
explicit target that applies to a class or composition the port covers (StepLR, MultiStepLR, ConstantLR,
LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR with its
momentum, OneCycleLR with its momentum, LambdaLR, MultiplicativeLR, SequentialLR, ChainedScheduler, and the
``test_compound_*`` lists of schedulers stepped together, which are a ``ChainedScheduler``). torch's tests
use an SGD optimizer with two param groups, LRs 0.05 and ``tensor(0.5)``; each group is a port of its own
with that ``lr``.

Each case is checked three ways: torch itself (installed) driven exactly as the published test drives it
meets the published values with the published tolerance (``atol=1e-5, rtol=0``), so the transcription is
verified; the port meets the published values with that tolerance; and the port equals torch's values run
here, NumPy float64 to 1e-12 and JAX float32 to the accuracy contract (``tests/published.py``). For the
1e-12 comparison torch's Tensor LRs (float32 in the published setup) are float64 Tensors.

Not transcribed, with the reason: ``ReduceLROnPlateau`` tests and ``test_compound_reduce_lr_on_plateau*``
(metric-driven, not a step function: ``jaxsched.reduce_on_plateau``); ``SWALR`` tests (issue 17 point 4,
ported separately); ``test_closed_form_*``, ``test_cos_anneal_lr_continue``, ``test_*_is_constant_for_
constant_epoch``, ``test_cosine_then_cyclic``, ``test_chained_lr2_get_last_lr_before_step`` (no explicit
target: they compare torch with itself or check an inequality between two torch modes);
``test_CosineAnnealingWarmRestarts_T_cur_reset`` (writes torch's internal ``T_cur``); state-dict, warning,
reference-cycle and error tests (no value; argument errors are in ``test_compat_errors.py``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as lrs

import jaxsched
from jaxsched.compat import torch as tp
from tests.published import check_against_original, check_against_published

SOURCE = ("pytorch/pytorch", "test/optim/test_lrscheduler.py", "01f9ef32eae5ef513002dd44902c23cbe6be3aae")
ATOL = 1e-5  # torch's assertEqual(..., atol=1e-5, rtol=0) in every helper used below


# -- the configuration language ---------------------------------------------------------------------------


@dataclass(frozen=True)
class S:
    """A torch scheduler: class name and keyword arguments (the optimizer is implied)."""

    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def s(name: str, **kwargs: Any) -> S:
    return S(name, kwargs)


@dataclass(frozen=True)
class G:
    """A per-group argument: torch gets the list, group ``i``'s port gets ``values[i]``."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Pow:
    """A ``lr_lambda`` of ``k -> base ** k`` (torch: that Python function; port: an exponential decay)."""

    base: float


@dataclass(frozen=True)
class Const:
    """A ``lr_lambda`` returning ``value`` at every step (torch: a function; port: the number)."""

    value: float


@dataclass(frozen=True)
class Case:
    name: str
    spec: S | tuple[S, ...]  # a tuple: schedulers stepped together (torch's compound tests)
    lr: tuple[Sequence[float], ...]  # published LR targets, per param group (a prefix of the groups)
    momentum: tuple[Sequence[float], ...] | None = None  # published momentum (or Adam beta1) targets
    groups: tuple[float, ...] = (0.05, 0.5)
    optimizer: str = "setup"  # setup: SGD, groups 0.05 and tensor(0.5); floats; single; tensor; adam
    mode: str = "step"  # step: read, then step; last_lr: get_last_lr(), then step; epoch: step(k), read
    epochs: tuple[float, ...] = ()  # mode "epochs": step(e) at each listed e, then read
    legacy_state: bool = False  # OneCycleLR reloaded from a state dict without _anneal_func_type


def _single(x: Sequence[float], scale: float = 10.0) -> tuple[Sequence[float], ...]:
    """torch's ``targets = [single_targets, [x * epochs for x in single_targets]]``."""
    return (list(x), [v * scale for v in x])


def _cos(base: float, eta_min: float, x: float, T: float) -> float:
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * x / T)) / 2


def _cawr_integer(base: float, T_0: int, T_mult: int, eta_min: float, iters: int) -> list[float]:
    """The published loop of test_CosineAnnealingWarmRestarts_lr1."""
    out, T_i, T_cur = [base], T_0, 0
    for _ in range(1, iters):
        T_cur += 1
        if T_cur >= T_i:
            T_cur, T_i = T_cur - T_i, T_mult * T_i
        out.append(_cos(base, eta_min, T_cur, T_i))
    return out


def _cawr_tenths(base: float, T_0: int, T_mult: int, eta_min: float, iters: int) -> list[float]:
    """The published loop of test_CosineAnnealingWarmRestarts_lr2 (epochs in steps of 0.1)."""
    out, T_i, T_cur = [base], T_0, 0.0
    for _ in range(1, 10 * iters):
        T_cur = round(T_cur + 0.1, 1)
        if T_cur >= T_i:
            T_cur, T_i = T_cur - T_i, T_mult * T_i
        out.append(_cos(base, eta_min, T_cur, T_i))
    return out


def _poly(lr: float, total: int, power: float, epochs: int) -> list[float]:
    return [lr * (1.0 - x / total) ** power for x in range(total)] + [0.0] * (epochs - total)


def _annealing_cos(start: float, end: float, pct: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


# -- the published cases ----------------------------------------------------------------------------------

_TRI = [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3]
_TRI_M = [5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3]
_TRI2 = [1, 2, 3, 4, 5, 4, 3, 2, 1, 1.5, 2.0, 2.5, 3.0, 2.5, 2.0, 1.5, 1, 1.25, 1.50, 1.75, 2.00, 1.75]
_TRI2_M = [
    5.0,
    4.0,
    3.0,
    2.0,
    1.0,
    2.0,
    3.0,
    4.0,
    5.0,
    4.5,
    4.0,
    3.5,
    3.0,
    3.5,
    4.0,
    4.5,
    5.0,
    4.75,
    4.5,
    4.25,
    4.0,
    4.25,
]
_XS = [0, 0.25, 0.5, 0.75, 1, 0.75, 0.50, 0.25, 0, 0.25, 0.5, 0.75, 1]
_XS_UD = [0.0, 0.5, 1.0, 5.0 / 6, 4.0 / 6, 3.0 / 6, 2.0 / 6, 1.0 / 6, 0.0, 0.5, 1.0, 5.0 / 6, 4.0 / 6]
_UD = [1.0, 2.0, 3.0, 4.0, 5.0, 13.0 / 3, 11.0 / 3, 9.0 / 3, 7.0 / 3, 5.0 / 3, 1.0]
_UD_M = [5.0, 4.0, 3.0, 2.0, 1.0, 5.0 / 3, 7.0 / 3, 3.0, 11.0 / 3, 13.0 / 3, 5.0]
_TRI2_UD = [
    1.0,
    3.0,
    5.0,
    13.0 / 3,
    11.0 / 3,
    9.0 / 3,
    7.0 / 3,
    5.0 / 3,
    1.0,
    2.0,
    3.0,
    8.0 / 3,
    7.0 / 3,
    6.0 / 3,
    5.0 / 3,
    4.0 / 3,
    1.0,
    3.0 / 2,
    2.0,
    11.0 / 6,
    10.0 / 6,
    9.0 / 6,
    8.0 / 6,
    7.0 / 6,
]
_TRI2_UD_M = [
    5.0,
    3.0,
    1.0,
    5.0 / 3,
    7.0 / 3,
    3.0,
    11.0 / 3,
    13.0 / 3,
    5.0,
    4.0,
    3.0,
    10.0 / 3,
    11.0 / 3,
    4.0,
    13.0 / 3,
    14.0 / 3,
    5.0,
    4.5,
    4.0,
    25.0 / 6,
    13.0 / 3,
    4.5,
    14.0 / 3,
    29.0 / 6,
]
_OC_LIN = [1, 13, 25, 21.5, 18, 14.5, 11, 7.5, 4, 0.5]
_OC_LIN_M = [22, 11.5, 1, 4, 7, 10, 13, 16, 19, 22]
_OC_COS = [1, 13, 25, *(_annealing_cos(25, 0.5, i / 7.0) for i in range(1, 7)), 0.5]
_OC_COS_M = [22, 11.5, 1, *(_annealing_cos(1, 22, i / 7.0) for i in range(1, 7)), 22]
_COS10 = [_cos(0.05, 1e-10, x, 10) for x in range(10)]


def _exp_range(base: float, top: float, xs: Sequence[float], sign: int) -> list[float]:
    start = base if sign > 0 else top
    return [start + sign * x * (top - base) * 0.9**i for i, x in enumerate(xs)]


def _linear_interp(start: float, end: float, iters: int) -> list[float]:
    return [start + i * (end - start) / iters for i in range(iters)]


def _compound_exp_linear() -> list[float]:
    out = [0.05 * 0.9**x for x in range(11)]
    for i in range(4):
        out[i] *= 0.4 + i / 4 * (0.9 - 0.4)
    for i in range(4, 11):
        out[i] *= 0.9
    return out


def _compound_linear_multistep() -> list[float]:
    out = [0.05] * 2 + [0.005] * 3 + [0.0005] * 4 + [0.00005] * 2
    for i in range(4):
        out[i] *= 0.4 + i / 4 * (1 - 0.4)
    return out


def _compound_cos_linear() -> list[float]:
    out = list(_COS10)
    for i in range(4):
        out[i] *= 0.4 + i / 4 * (1 - 0.4)
    return out


_CAWR3 = [  # test_CosineAnnealingWarmRestarts_lr3: (T_mult, epochs, T_cur, T_i)
    (1, [0, 1, 2, 3, 4, 5, 12, 27, 3, 4, 5, 6, 13], [1, 2, 3, 4, 5, 2, 7, 3, 4, 5, 6, 3], [10] * 12),
    (
        2,
        [0, 1, 2, 3, 4, 5, 25, 32, 33, 34, 80, 81, 3],
        [1, 2, 3, 4, 5, 15, 2, 3, 4, 10, 11, 3],
        [10, 10, 10, 10, 10, 20, 40, 40, 40, 80, 80, 10],
    ),
    (
        3,
        [0, 0.1, 0.2, 0.3, 1.3, 2.3, 17.5, 18.5, 19.5, 29.5, 30.5, 31.5, 50],
        [0.1, 0.2, 0.3, 1.3, 2.3, 7.5, 8.5, 9.5, 19.5, 20.5, 21.5, 10],
        [10, 10, 10, 10, 10, 30, 30, 30, 30, 30, 30, 90],
    ),
]


def _cawr3_targets(base: float, T_curs: Sequence[float], T_is: Sequence[int]) -> list[float]:
    return [base] + [_cos(base, 1e-10, c, t) for c, t in zip(T_curs, T_is, strict=True)]


CASES: list[Case] = [
    Case(
        "test_step_lr",
        s("StepLR", gamma=0.1, step_size=3),
        _single([0.05] * 3 + [0.005] * 3 + [0.0005] * 3 + [0.00005] * 3),
    ),
    Case(
        "test_get_last_lr_step_lr",
        s("StepLR", step_size=3, gamma=0.1),
        ([0.1] * 3 + [0.01] * 3 + [0.001] * 3 + [0.0001],),
        groups=(0.1,),
        optimizer="single",
        mode="last_lr",
    ),
    Case(
        "test_get_last_lr_multi_step_lr",
        s("MultiStepLR", gamma=0.1, milestones=[2, 5, 9]),
        _single([0.05] * 2 + [0.005] * 3 + [0.0005] * 4 + [0.00005] * 1),
        mode="last_lr",
    ),
    Case(
        "test_multi_step_lr",
        s("MultiStepLR", gamma=0.1, milestones=[2, 5, 9]),
        _single([0.05] * 2 + [0.005] * 3 + [0.0005] * 4 + [0.00005] * 3),
    ),
    Case(
        "test_multi_step_lr_with_epoch",
        s("MultiStepLR", gamma=0.1, milestones=[2, 5, 9]),
        _single([0.05] * 2 + [0.005] * 3 + [0.0005] * 4 + [0.00005] * 3),
        mode="epoch",
    ),
    Case(
        "test_get_last_lr_constantlr",
        s("ConstantLR", factor=1.0 / 2, total_iters=5),
        _single([0.025] * 5 + [0.05] * 5),
        mode="last_lr",
    ),
    Case(
        "test_get_last_lr_linearlr",
        s("LinearLR", start_factor=1.0 / 4, end_factor=3.0 / 5, total_iters=4),
        _single([x * 0.05 for x in _linear_interp(1.0 / 4, 3.0 / 5, 4)] + [0.05 * 3.0 / 5] * 6),
        mode="last_lr",
    ),
    Case(
        "test_constantlr", s("ConstantLR", factor=1.0 / 2, total_iters=5), _single([0.025] * 5 + [0.05] * 5)
    ),
    Case(
        "test_linearlr",
        s("LinearLR", start_factor=1.0 / 2, total_iters=4),
        _single([x * 0.05 for x in _linear_interp(1.0 / 2, 1.0, 4)] + [0.05] * 6),
    ),
    Case(
        "test_constantlr_with_epoch",
        s("ConstantLR", factor=1.0 / 2, total_iters=5),
        _single([0.025] * 5 + [0.05] * 5),
        mode="epoch",
    ),
    Case(
        "test_linearlr_with_epoch",
        s("LinearLR", start_factor=1.0 / 2, total_iters=4),
        _single([x * 0.05 for x in _linear_interp(1.0 / 2, 1.0, 4)] + [0.05] * 6),
        mode="epoch",
    ),
    Case("test_exp_lr", s("ExponentialLR", gamma=0.9), _single([0.05 * 0.9**x for x in range(10)])),
    Case("test_poly_lr", s("PolynomialLR", power=0.9, total_iters=5), _single(_poly(0.05, 5, 0.9, 10))),
    Case("test_cos_anneal_lr", s("CosineAnnealingLR", T_max=10, eta_min=1e-10), _single(_COS10)),
    Case(
        "test_sequentiallr1",
        s(
            "SequentialLR",
            schedulers=[s("ExponentialLR", gamma=0.8), s("StepLR", gamma=0.1, step_size=4)],
            milestones=[3],
        ),
        ([0.05, 0.04, 0.032] + [0.05] * 4 + [0.005] * 4 + [0.0005] * 4 + [0.00005] * 4,),
    ),
    Case(
        "test_sequentiallr2",
        s(
            "SequentialLR",
            schedulers=[s("ConstantLR", factor=0.1, total_iters=3), s("ExponentialLR", gamma=0.9)],
            milestones=[3],
        ),
        ([0.005, 0.005, 0.005] + [0.05 * 0.9**x for x in range(10)],),
    ),
    Case(
        "test_sequentiallr3",
        s(
            "SequentialLR",
            schedulers=[
                s("ConstantLR", factor=0.1, total_iters=3),
                s("ExponentialLR", gamma=0.8),
                s("StepLR", gamma=0.1, step_size=2),
            ],
            milestones=[3, 6],
        ),
        ([0.005, 0.005, 0.005] + [0.05, 0.04, 0.032] + [0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005],),  # noqa: RUF005
    ),
    Case(
        "test_sequentiallr4",
        s(
            "SequentialLR",
            schedulers=[s("ConstantLR", factor=1), s("ConstantLR", factor=0.1)],
            milestones=[10],
        ),
        ([0.1],),
        groups=(0.1,),
        optimizer="single",
    ),
    Case(
        "test_sequentiallr5",
        s(
            "SequentialLR",
            schedulers=[
                s(
                    "ChainedScheduler",
                    schedulers=[
                        s("LinearLR", start_factor=0.1, total_iters=5),
                        s("ConstantLR", factor=0.1, total_iters=5),
                    ],
                ),
                s("ConstantLR", factor=0.5, total_iters=5),
            ],
            milestones=[5],
        ),
        ([0.0005, 0.0014, 0.0023, 0.0032, 0.0041] + [0.025] * 5,),
    ),
    Case(
        "test_get_last_lr_sequentiallr",
        s(
            "SequentialLR",
            schedulers=[
                s("ConstantLR", factor=0.1, total_iters=3),
                s("ExponentialLR", gamma=0.8),
                s("StepLR", gamma=0.1, step_size=2),
            ],
            milestones=[3, 6],
        ),
        _single([0.005] * 3 + [0.05, 0.04, 0.032] + [0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005]),
        mode="last_lr",
    ),
    Case(
        "test_sequentiallr_does_not_alias_lr_and_initial_lr",
        s(
            "SequentialLR",
            schedulers=[
                s("LinearLR", start_factor=0.1, end_factor=0.8, total_iters=4),
                s("LinearLR", start_factor=0.8, end_factor=0.1, total_iters=4),
            ],
            milestones=[4],
        ),
        ([0.2, 0.55, 0.9, 1.25, 1.6, 1.25, 0.9, 0.55],),
        groups=(2.0,),
        optimizer="tensor",
    ),
    Case(
        "test_chained_lr1",
        s("ChainedScheduler", schedulers=[s("StepLR", gamma=0.1, step_size=3)]),
        ([0.05] * 3 + [0.005] * 3 + [0.0005] * 3 + [0.00005] * 1,),
    ),
    Case(
        "test_chained_lr2",
        s("ChainedScheduler", schedulers=[s("LinearLR", start_factor=0.4, total_iters=3)]),
        ([0.02, 0.03, 0.04] + [0.05] * 7,),
    ),
    Case(
        "test_chained_lr3",
        s(
            "ChainedScheduler",
            schedulers=[
                s("LinearLR", start_factor=0.4, total_iters=3),
                s("MultiStepLR", milestones=[4, 8, 10], gamma=0.1),
            ],
        ),
        ([0.02, 0.03, 0.04, 0.05] + [0.005] * 4 + [0.0005] * 2,),
    ),
    Case(
        "test_chained_lr4",
        s(
            "ChainedScheduler",
            schedulers=[
                s("ExponentialLR", gamma=0.9),
                s("ConstantLR", factor=0.2, total_iters=4),
                s("StepLR", gamma=0.1, step_size=3),
            ],
        ),
        (
            [0.05 * 0.2 * 0.9**x for x in range(3)]
            + [0.05 * 0.2 * 0.9**3 * 0.1]
            + [0.05 * 0.9**x * 0.1 for x in range(4, 6)]
            + [0.05 * 0.9**x * 0.01 for x in range(6, 9)],
        ),
    ),
    Case(
        "test_chained_lr5",
        s(
            "ChainedScheduler",
            schedulers=[s("PolynomialLR", power=0.9, total_iters=5), s("ConstantLR", factor=0.1)],
        ),
        ([x * 0.1 for x in _poly(0.05, 5, 0.9, 10)], [x * 0.1 for x in _poly(0.5, 5, 0.9, 10)]),
    ),
    Case(
        "test_compound_step_and_multistep_lr",
        (s("StepLR", gamma=0.1, step_size=3), s("MultiStepLR", gamma=0.1, milestones=[2, 5, 9])),
        ([0.05] * 2 + [0.005] * 1 + [5e-4] * 2 + [5e-5] + [5e-6] * 3 + [5e-8],),
    ),
    Case(
        "test_compound_step_and_exp_lr",
        (s("StepLR", gamma=0.1, step_size=3), s("ExponentialLR", gamma=0.9)),
        _single(
            [0.05 * 0.9**x for x in range(3)]
            + [0.005 * 0.9**x for x in range(3, 6)]
            + [0.0005 * 0.9**x for x in range(6, 9)]
            + [0.00005 * 0.9**x for x in range(9, 12)]
        ),
    ),
    Case(
        "test_compound_exp_and_multistep_lr",
        (s("MultiStepLR", gamma=0.1, milestones=[2, 5, 9]), s("ExponentialLR", gamma=0.9)),
        _single(
            [0.05 * 0.9**x for x in range(2)]
            + [0.005 * 0.9**x for x in range(2, 5)]
            + [0.0005 * 0.9**x for x in range(5, 9)]
            + [0.00005 * 0.9**x for x in range(9, 11)]
        ),
    ),
    Case(
        "test_compound_exp_and_linearlr",
        (s("LinearLR", start_factor=0.4, end_factor=0.9, total_iters=4), s("ExponentialLR", gamma=0.9)),
        _single(_compound_exp_linear()),
    ),
    Case(
        "test_compound_step_and_constantlr",
        (s("StepLR", gamma=0.1, step_size=3), s("ConstantLR", factor=0.4, total_iters=4)),
        _single([0.05 * 0.4] * 3 + [0.005 * 0.4] + [0.005] * 2 + [0.0005] * 3 + [0.00005] * 3),
    ),
    Case(
        "test_compound_linearlr_and_multistep_lr",
        (s("MultiStepLR", gamma=0.1, milestones=[2, 5, 9]), s("LinearLR", start_factor=0.4, total_iters=4)),
        _single(_compound_linear_multistep()),
    ),
    Case(
        "test_compound_cosanneal_and_step_lr",
        (s("CosineAnnealingLR", T_max=10, eta_min=1e-10), s("StepLR", gamma=0.1, step_size=3)),
        _single([x * 0.1 ** (i // 3) for i, x in enumerate(_COS10)]),
    ),
    Case(
        "test_compound_cosanneal_and_multistep_lr",
        (s("CosineAnnealingLR", T_max=10, eta_min=1e-10), s("MultiStepLR", gamma=0.1, milestones=[2, 5, 9])),
        _single([x * y for x, y in zip(_COS10, [1] * 2 + [0.1] * 3 + [0.01] * 4 + [0.001], strict=True)]),
    ),
    Case(
        "test_compound_cosanneal_and_linearlr",
        (s("LinearLR", start_factor=0.4, total_iters=4), s("CosineAnnealingLR", T_max=10, eta_min=1e-10)),
        _single(_compound_cos_linear()),
    ),
    Case(
        "test_compound_cosanneal_and_exp_lr",
        (s("CosineAnnealingLR", T_max=10, eta_min=1e-10), s("ExponentialLR", gamma=0.1)),
        _single([x * 0.1**i for i, x in enumerate(_COS10)]),
    ),
    Case(
        "test_cycle_lr_triangular_mode_one_lr",
        s(
            "CyclicLR",
            base_lr=1,
            max_lr=5,
            step_size_up=4,
            cycle_momentum=True,
            base_momentum=1,
            max_momentum=5,
            mode="triangular",
        ),
        (_TRI, _TRI),
        momentum=(_TRI_M, _TRI_M),
    ),
    Case(
        "test_cycle_lr_triangular_mode_one_lr_no_momentum",
        s("CyclicLR", base_lr=1, max_lr=5, step_size_up=4, cycle_momentum=False, mode="triangular"),
        (_TRI, _TRI),
        momentum=([0] * 11, [0] * 11),
    ),
    Case(
        "test_cycle_lr_triangular2_mode_one_lr",
        s(
            "CyclicLR",
            base_lr=1,
            max_lr=5,
            step_size_up=4,
            cycle_momentum=True,
            base_momentum=1,
            max_momentum=5,
            mode="triangular2",
        ),
        (_TRI2, _TRI2),
        momentum=(_TRI2_M, _TRI2_M),
    ),
    Case(
        "test_cycle_lr_exp_range_mode_one_lr",
        s(
            "CyclicLR",
            base_lr=1,
            max_lr=5,
            step_size_up=4,
            cycle_momentum=True,
            base_momentum=1,
            max_momentum=5,
            mode="exp_range",
            gamma=0.9,
        ),
        (_exp_range(1, 5, _XS, 1),) * 2,
        momentum=(_exp_range(1, 5, _XS, -1),) * 2,
    ),
    Case(
        "test_cycle_lr_triangular_mode",
        s(
            "CyclicLR",
            base_lr=G((1, 2)),
            max_lr=G((5, 6)),
            step_size_up=4,
            cycle_momentum=True,
            base_momentum=G((1, 2)),
            max_momentum=G((5, 6)),
            mode="triangular",
        ),
        (_TRI, [x + 1 for x in _TRI]),
        momentum=(_TRI_M, [x + 1 for x in _TRI_M]),
    ),
    Case(
        "test_cycle_lr_triangular2_mode",
        s(
            "CyclicLR",
            base_lr=G((1, 3)),
            max_lr=G((5, 7)),
            step_size_up=4,
            cycle_momentum=True,
            base_momentum=G((1, 3)),
            max_momentum=G((5, 7)),
            mode="triangular2",
        ),
        (_TRI2, [x + 2 for x in _TRI2]),
        momentum=(_TRI2_M, [x + 2 for x in _TRI2_M]),
    ),
    Case(
        "test_cycle_lr_exp_range_mode",
        s(
            "CyclicLR",
            base_lr=G((1, 5)),
            max_lr=G((5, 12)),
            step_size_up=4,
            cycle_momentum=True,
            base_momentum=G((1, 5)),
            max_momentum=G((5, 12)),
            mode="exp_range",
            gamma=0.9,
        ),
        (_exp_range(1, 5, _XS, 1), _exp_range(5, 12, _XS, 1)),
        momentum=(_exp_range(1, 5, _XS, -1), _exp_range(5, 12, _XS, -1)),
    ),
    Case(
        "test_cycle_lr_triangular_mode_step_size_up_down",
        s(
            "CyclicLR",
            base_lr=1,
            max_lr=5,
            step_size_up=4,
            step_size_down=6,
            cycle_momentum=True,
            base_momentum=1,
            max_momentum=5,
            mode="triangular",
        ),
        (_UD, _UD),
        momentum=(_UD_M, _UD_M),
    ),
    Case(
        "test_cycle_lr_triangular2_mode_step_size_up_down",
        s(
            "CyclicLR",
            base_lr=G((1, 3)),
            max_lr=G((5, 7)),
            step_size_up=2,
            step_size_down=6,
            cycle_momentum=True,
            base_momentum=G((1, 3)),
            max_momentum=G((5, 7)),
            mode="triangular2",
        ),
        (_TRI2_UD, [x + 2 for x in _TRI2_UD]),
        momentum=(_TRI2_UD_M, [x + 2 for x in _TRI2_UD_M]),
    ),
    Case(
        "test_cycle_lr_exp_range_mode_step_size_up_down",
        s(
            "CyclicLR",
            base_lr=1,
            max_lr=5,
            step_size_up=2,
            step_size_down=6,
            cycle_momentum=True,
            base_momentum=1,
            max_momentum=5,
            mode="exp_range",
            gamma=0.9,
        ),
        (_exp_range(1, 5, _XS_UD, 1),) * 2,
        momentum=(_exp_range(1, 5, _XS_UD, -1),) * 2,
    ),
    Case(
        "test_cycle_lr_with_momentumless_optimizer",
        s("CyclicLR", base_lr=1, max_lr=5, step_size_up=4, cycle_momentum=False, mode="triangular"),
        (_TRI, _TRI),
        optimizer="adam",
    ),
    Case(
        "test_onecycle_lr_linear_annealing",
        s(
            "OneCycleLR",
            max_lr=25,
            final_div_factor=2,
            base_momentum=1,
            max_momentum=22,
            total_steps=10,
            anneal_strategy="linear",
        ),
        (_OC_LIN, _OC_LIN),
        momentum=(_OC_LIN_M, _OC_LIN_M),
    ),
    Case(
        "test_onecycle_lr_linear_annealing_three_phases",
        s(
            "OneCycleLR",
            max_lr=25,
            div_factor=25,
            base_momentum=1,
            max_momentum=22,
            total_steps=10,
            anneal_strategy="linear",
            pct_start=0.4,
            final_div_factor=4,
            three_phase=True,
        ),
        ([1, 9, 17, 25, 17, 9, 1, 0.75, 0.5, 0.25],) * 2,
        momentum=([22, 15, 8, 1, 8, 15, 22, 22, 22, 22],) * 2,
    ),
    Case(
        "test_onecycle_lr_cosine_annealing",
        s("OneCycleLR", max_lr=25, final_div_factor=2, base_momentum=1, max_momentum=22, total_steps=10),
        (_OC_COS, _OC_COS),
        momentum=(_OC_COS_M, _OC_COS_M),
    ),
    Case(
        "test_onecycle_lr_legacy_state_dict",
        s(
            "OneCycleLR",
            max_lr=25,
            final_div_factor=2,
            base_momentum=1,
            max_momentum=22,
            total_steps=10,
            anneal_strategy="cos",
        ),
        (_OC_COS, _OC_COS),
        momentum=(_OC_COS_M, _OC_COS_M),
        legacy_state=True,
    ),
    Case(
        "test_cycle_lr_with_adam",
        s(
            "OneCycleLR",
            max_lr=25,
            final_div_factor=2,
            base_momentum=1,
            max_momentum=22,
            total_steps=10,
            anneal_strategy="linear",
        ),
        (_OC_LIN, _OC_LIN),
        momentum=(_OC_LIN_M, _OC_LIN_M),
        optimizer="adam",
    ),
    Case(
        "test_lambda_lr",
        s("LambdaLR", lr_lambda=G((Pow(0.9), Pow(0.8)))),
        ([0.05 * 0.9**x for x in range(10)], [0.4 * 0.8**x for x in range(10)]),
        groups=(0.05, 0.4),
        optimizer="floats",
    ),
    Case(
        "test_multiplicative_lr",
        s("MultiplicativeLR", lr_lambda=G((Const(0.9), Const(0.8)))),
        ([0.05 * 0.9**x for x in range(10)], [0.4 * 0.8**x for x in range(10)]),
        groups=(0.05, 0.4),
        optimizer="floats",
    ),
    *(
        Case(
            f"test_CosineAnnealingWarmRestarts_lr1[T_mult={m}]",
            s("CosineAnnealingWarmRestarts", T_0=10, T_mult=m, eta_min=1e-10),
            (_cawr_integer(0.05, 10, m, 1e-10, 100), _cawr_integer(0.5, 10, m, 1e-10, 100)),
        )
        for m in (1, 2, 4)
    ),
    *(
        Case(
            f"test_CosineAnnealingWarmRestarts_lr2[T_mult={m}]",
            s("CosineAnnealingWarmRestarts", T_0=10, T_mult=m, eta_min=1e-10),
            (_cawr_tenths(0.05, 10, m, 1e-10, 30), _cawr_tenths(0.5, 10, m, 1e-10, 30)),
            mode="epochs",
            epochs=tuple(round(i / 10, 1) for i in range(300)),
        )
        for m in (1, 2, 4)
    ),
    *(
        Case(
            f"test_CosineAnnealingWarmRestarts_lr3[T_mult={m}]",
            s("CosineAnnealingWarmRestarts", T_0=10, T_mult=m, eta_min=1e-10),
            (_cawr3_targets(0.05, c, t), _cawr3_targets(0.5, c, t)),
            mode="epochs",
            epochs=tuple(e),
        )
        for m, e, c, t in _CAWR3
    ),
]


# -- the port ---------------------------------------------------------------------------------------------

_SETS_OWN_LR = ("CyclicLR", "OneCycleLR")  # these ports take base_lr/max_lr, not the optimizer's lr


def port_of(spec: S | tuple[S, ...], g: int, lr: float, field: str = "lr") -> jaxsched.Schedule:
    """The jaxsched port of ``spec`` for param group ``g`` with base LR ``lr`` (or its momentum)."""
    if isinstance(spec, tuple):
        return tp.ChainedScheduler([port_of(x, g, lr) for x in spec])
    kw = {k: _port_arg(x, g, lr) for k, x in spec.kwargs.items()}
    if spec.name == "ChainedScheduler":
        return tp.ChainedScheduler(kw["schedulers"])
    if spec.name == "SequentialLR":
        return tp.SequentialLR(kw["schedulers"], kw["milestones"])
    name = spec.name
    if field == "momentum":
        name = {"CyclicLR": "CyclicMomentum", "OneCycleLR": "OneCycleMomentum"}[name]
    if spec.name in _SETS_OWN_LR:
        port: jaxsched.Schedule = getattr(tp, name)(**kw)
        return port
    port = getattr(tp, name)(lr, **kw)
    return port


def _port_arg(x: Any, g: int, lr: float) -> Any:
    if isinstance(x, G):
        return _port_arg(x.values[g], g, lr)
    if isinstance(x, Pow):
        return jaxsched.exponential_decay(1.0, transition_steps=1, decay_rate=x.base)
    if isinstance(x, Const):
        return x.value
    if isinstance(x, S):
        return port_of(x, g, lr)
    if isinstance(x, list):
        return [_port_arg(y, g, lr) for y in x]
    return x


# -- torch, driven as the published test drives it --------------------------------------------------------


def _optimizer(case: Case, dtype: torch.dtype) -> torch.optim.Optimizer:
    net = [torch.nn.Parameter(torch.zeros(1)) for _ in case.groups]
    if case.optimizer in ("setup", "floats"):
        opt = torch.optim.SGD(
            [{"params": [net[0]]}, {"params": [net[1]], "lr": torch.tensor(0.5, dtype=dtype)}], lr=0.05
        )
        if case.optimizer == "floats":
            for group, lr in zip(opt.param_groups, case.groups, strict=True):
                group["lr"] = lr
        return opt
    if case.optimizer == "adam":
        return torch.optim.Adam([{"params": [net[0]]}, {"params": [net[1]], "lr": 0.5}], lr=0.05)
    if case.optimizer == "single":
        return torch.optim.SGD(net, lr=case.groups[0])
    if case.optimizer == "tensor":
        return torch.optim.SGD(net, lr=torch.tensor(case.groups[0], dtype=dtype))
    raise ValueError(case.optimizer)


def torch_of(spec: S | tuple[S, ...], opt: torch.optim.Optimizer) -> Any:
    if isinstance(spec, tuple):
        return [torch_of(x, opt) for x in spec]
    kw = {k: _torch_arg(x, opt) for k, x in spec.kwargs.items()}
    if spec.name == "ChainedScheduler":
        return lrs.ChainedScheduler(kw["schedulers"])
    return getattr(lrs, spec.name)(opt, **kw)


def _torch_arg(x: Any, opt: torch.optim.Optimizer) -> Any:
    if isinstance(x, G):
        return [_torch_arg(y, opt) for y in x.values]
    if isinstance(x, Pow):
        return lambda k, b=x.base: b**k
    if isinstance(x, Const):
        return lambda k, c=x.value: c
    if isinstance(x, S):
        return torch_of(x, opt)
    if isinstance(x, list):
        return [_torch_arg(y, opt) for y in x]
    return x


def _value(x: Any) -> float:
    return float(x.item()) if isinstance(x, torch.Tensor) else float(x)


def run_torch(case: Case, dtype: torch.dtype = torch.float32) -> tuple[np.ndarray, np.ndarray | None]:
    """torch's LR (and momentum) per group, read as the published test reads them: shape (groups, n).

    The published tests give some groups a Tensor LR (``torch.tensor(0.5)``, float32), so torch's recursion
    runs in float32 there; ``dtype=torch.float64`` makes those Tensors float64, the run the port's float64
    path is compared with to 1e-12."""
    opt = _optimizer(case, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the epoch-argument deprecation and nested-composite warnings
        built = torch_of(case.spec, opt)
        scheds = built if isinstance(built, list) else [built]
        if case.legacy_state:
            sched = scheds[0]
            delattr(sched, "_anneal_func_type")
            state = sched.state_dict()
            state["anneal_func"] = lrs.OneCycleLR._annealing_cos
            sched.load_state_dict(state)
        use_beta1 = case.optimizer == "adam"

        def read(last: bool = False) -> tuple[list[float], list[float]]:
            lr = (
                [_value(x) for x in scheds[0].get_last_lr()]
                if last
                else [_value(g["lr"]) for g in opt.param_groups]
            )
            mom = [_value(g["betas"][0] if use_beta1 else g.get("momentum", 0.0)) for g in opt.param_groups]
            return lr, mom

        rows: list[tuple[list[float], list[float]]] = []
        if case.mode == "epochs":
            for e in case.epochs:
                for x in scheds:
                    x.step(e)
                rows.append(read())
        else:
            n = len(case.lr[0])
            for k in range(n):
                if case.mode in ("step", "last_lr"):
                    rows.append(read(last=case.mode == "last_lr"))
                opt.step()
                for x in scheds:
                    if case.mode == "epoch":
                        x.step(k)
                    else:
                        x.step()
                if case.mode == "epoch":
                    rows.append(read())
    lr = np.array([r[0] for r in rows]).T
    mom = np.array([r[1] for r in rows]).T
    return lr, (mom if case.momentum is not None else None)


# -- the tests --------------------------------------------------------------------------------------------


def _steps(case: Case) -> np.ndarray:
    if case.mode == "epochs":
        return np.asarray(case.epochs, dtype=np.float64)
    return np.arange(len(case.lr[0]))


def _compounding(case: Case) -> bool:
    text = repr(case.spec)
    return any(w in text for w in ("ExponentialLR", "MultiplicativeLR", "Pow(", "exp_range"))


def test_case_count() -> None:
    """What this module holds (reported in issue 17's closing note)."""
    assert len(CASES) == 63


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_torch_meets_its_published_values(case: Case) -> None:
    """The transcription is right: torch here, driven as its test drives it, meets the published values."""
    lr, mom = run_torch(case)
    for g, want in enumerate(case.lr):
        np.testing.assert_allclose(lr[g], want, rtol=0, atol=ATOL, err_msg=f"{case.name} group {g}")
    if case.momentum is not None:
        assert mom is not None
        for g, want in enumerate(case.momentum):
            np.testing.assert_allclose(mom[g], want, rtol=0, atol=ATOL, err_msg=f"{case.name} momentum {g}")


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_port_meets_published_values_and_torch(case: Case) -> None:
    steps = _steps(case)
    lr, mom = run_torch(case, torch.float64)
    for g, want in enumerate(case.lr):
        port = port_of(case.spec, g, case.groups[g])
        what = f"{case.name} group {g}"
        check_against_published(port, steps, want, atol=ATOL, rtol=0.0, what=what)
        check_against_original(port, steps, lr[g], what=what, compounding=_compounding(case))
    spec = case.spec
    if case.momentum is None or (isinstance(spec, S) and spec.kwargs.get("cycle_momentum") is False):
        return  # torch leaves the momentum alone: no port of it (compat.torch refuses .momentum() there)
    assert mom is not None
    for g, want in enumerate(case.momentum):
        port = port_of(spec, g, case.groups[g], field="momentum")
        what = f"{case.name} momentum {g}"
        check_against_published(port, steps, want, atol=ATOL, rtol=0.0, what=what)
        check_against_original(port, steps, mom[g], what=what, compounding=_compounding(case))
