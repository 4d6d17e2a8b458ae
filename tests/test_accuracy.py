"""Float32 accuracy: every schedule's JAX float32 value against an exact value, at dense steps, at
the edges and up to ``2**31 - 1``.

What "exact" means here:

* The hyperparameters are the values given (Python floats, i.e. float64). A decay rate such as
0.999 is
  not representable in float32 (it becomes 0.99900001), and ``rate ** k`` amplifies that rounding
  by ``k``
  (1.3e-4 at k = 1e4); formulas undo it with a host-side float64 constant
  (``jaxsched._numerics.power``),
  so the target holds against the rate as written, not against its float32 rounding.
* The step is an exact integer.
* Exact values come from two independent sources: (1) for every registered schedule (natives,
combinators
  and every ``jaxsched.compat`` port that exists), the same formula evaluated in 80-bit extended
  precision
  (``np.longdouble``, 11 more bits than float64). That is exact enough: float64 and extended agree
  to
  1e-12, which the test also asserts, so a formula that cancels catastrophically in float64 (say a
  naive
  ``1 + cos`` at 1e9 steps) is caught, not trusted. (2) For the native catalog at horizons from 1e4
  to
  1e9 steps, the documented formula evaluated with mpmath at 40 digits, written here independently.

Target: relative error <= 1e-6 (about 8 float32 ulp) wherever the exact value is a normal float32
(``|v| >= 2**-126``); below that, an absolute error <= 2**-126 (the value may underflow to 0).
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
import jaxsched.compat
from jaxsched._numerics import MAX_STEP, Backend, Steps

# Every registered example is jitted on traced steps that index its own clock; timm's epoch-clock ports
# rightly warn users about that (checked in tests/test_compat_timm_factory.py), not here.
pytestmark = pytest.mark.filterwarnings("ignore::jaxsched.compat.timm.EpochClockWarning")

RTOL = 1e-6
# Values below 2**-100 are judged by absolute error: XLA on CPU flushes subnormal intermediates to zero,
# so a product like 1.9 * 0.01**19 (exactly 1.9e-38, a normal float32) can come out as 0.
TINY = 2.0**-100
F64_RTOL = 1e-12  # float64 (s.numpy) against extended precision
EXTENDED = Backend(np, np.longdouble, np.int64)

# Where a schedule misses RTOL for a reason inherent to float32, its own bound and the reason.
LOOSER: dict[str, tuple[float, str]] = {
    "tanh_decay": (
        1.5e-6,
        "the logistic argument x = l + (u - l) k/T (|x| up to 7) is itself rounded "
        "in float32, and the value's relative sensitivity to x is up to 2",
    ),
    "compat.timm.TanhLRScheduler": (1.5e-6, "its cycles are tanh_decay's fall (see tanh_decay)"),
    "restarts": (1.5e-6, "its tanh shape is tanh_decay's fall (see tanh_decay); the others meet 1e-6"),
}

# Ports (owned elsewhere) that miss the target today, by registry name (every example) or "name[i]";
# strict xfail, so a fix shows up as XPASS.
KNOWN_MISSES: dict[str, str] = {}

mp.mp.dps = 40


def _import_compat() -> list[str]:
    names = []
    for info in pkgutil.iter_modules(jaxsched.compat.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"jaxsched.compat.{info.name}")
            names.append(info.name)
    return names


COMPAT_MODULES = _import_compat()


# -- evaluation
# -------------------------------------------------------------------------------------------


def f32_values(s: jaxsched.Schedule, steps: np.ndarray) -> np.ndarray:
    """``s`` in float32 inside jit on int32 steps, as in a train step (XLA fuses, reassociates)."""
    out = jax.jit(lambda k: s(k))(jnp.asarray(steps, jnp.int32))
    assert out.dtype == jnp.float32
    return np.asarray(out, dtype=np.float64)


def extended_values(s: jaxsched.Schedule, steps: np.ndarray) -> np.ndarray:
    """The same formula in 80-bit extended precision (the float64 hyperparameters as given)."""
    # As Schedule.numpy: branches that `where` discards may overflow (as they silently do in JAX).
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        out = s.evaluate(EXTENDED, Steps.from_input(EXTENDED, steps))
    return np.broadcast_to(np.asarray(out, dtype=np.longdouble), steps.shape)


def errors(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Relative error where ``|ref| >= TINY``, ``|err| / TINY * RTOL`` below (so <= RTOL means an
    absolute error <= TINY there)."""
    got, ref = np.asarray(got, np.longdouble), np.asarray(ref, np.longdouble)
    diff = np.abs(got - ref)
    normal = np.abs(ref) >= TINY
    return np.where(normal, diff / np.where(normal, np.abs(ref), 1), diff / TINY * RTOL).astype(np.float64)


def worst(s: jaxsched.Schedule, steps: np.ndarray, ref: np.ndarray, got: np.ndarray) -> str:
    err = errors(got, ref)
    i = int(np.argmax(err))
    return f"{s!r}: error {err[i]:.3g} at step {steps[i]} (got {got[i]!r}, exact {float(ref[i])!r})"


def probe_steps(s: jaxsched.Schedule, dense: int = 256) -> np.ndarray:
    """Dense steps from 0, +-3 around every key step, a uniform grid to twice the last key step, 200
    log-spaced steps up to ``2**31 - 1``, and the int32 edges."""
    keys = s.key_steps()
    top = max(keys) if keys else 1000
    pts = set(range(dense))
    for k in keys:
        pts.update(range(max(0, k - 3), k + 4))
    pts.update(np.linspace(0, 2 * top + 10, 1001).astype(np.int64).tolist())
    pts.update(np.geomspace(1, MAX_STEP, 200).astype(np.int64).tolist())
    pts.update([2**24 - 1, 2**24, 2**24 + 1, 2**30, MAX_STEP - 1, MAX_STEP])
    return np.array(sorted(p for p in pts if 0 <= p <= MAX_STEP), dtype=np.int64)


def check(s: jaxsched.Schedule, steps: np.ndarray, ref: np.ndarray, rtol: float = RTOL) -> None:
    got = f32_values(s, steps)
    assert np.all(np.isfinite(got)), worst(s, steps, ref, got)
    assert errors(got, ref).max() <= rtol, worst(s, steps, ref, got)


# -- 1. every registered schedule, against its own formula in extended precision
# ----------------------


def _cases() -> list[Any]:
    cases = []
    for name, cls in sorted(jaxsched.registry().items()):
        for i, example in enumerate(cls.examples):
            marks = []
            reason = KNOWN_MISSES.get(name) or KNOWN_MISSES.get(f"{name}[{i}]")
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            cases.append(pytest.param(name, example, id=f"{name}[{i}]", marks=marks))
    return cases


@pytest.mark.parametrize(("name", "example"), _cases())
def test_registered_schedule_float32(name: str, example: dict[str, Any]) -> None:
    s = jaxsched.from_config({"name": name, **example})
    steps = probe_steps(s)
    ref = extended_values(s, steps)
    # The float64 path is accurate too, so it may serve as a reference where extended is
    # unavailable.
    f64 = s.numpy(steps)
    assert errors(f64, ref).max() <= F64_RTOL, worst(s, steps, ref, f64)
    check(s, steps, ref, LOOSER.get(name, (RTOL, ""))[0])


def test_every_compat_module_was_swept() -> None:
    """The sweep above covers what exists: each compat module registered at least one port."""
    names = jaxsched.registry()
    for module in COMPAT_MODULES:
        assert any(n.startswith(f"compat.{module}.") for n in names), module


# -- 2. long horizons against mpmath, from the documented formulas
# ---------------------------------------

HORIZONS = [10**4, 10**5, 10**6, 10**7, 10**8, 10**9]


def horizon_steps(T: int, W: int = 0) -> np.ndarray:
    pts = {
        0,
        1,
        2,
        3,
        T // 3,
        T // 2,
        T - 100,
        T - 10,
        T - 3,
        T - 2,
        T - 1,
        T,
        T + 1,
        2 * T,
        W - 1,
        W,
        W + 1,
        2**24 + 1,
        MAX_STEP,
    }
    pts.update(np.geomspace(1, T, 24).astype(np.int64).tolist())
    pts.update((T - np.geomspace(1, T, 24)).astype(np.int64).tolist())
    return np.array(sorted(p for p in pts if 0 <= p <= MAX_STEP), dtype=np.int64)


def _cos_half(e: Any, length: Any) -> Any:
    return (1 + mp.cos(mp.pi * e / length)) / 2


def _long_cases() -> list[tuple[str, int, jaxsched.Schedule, Callable[[int], Any]]]:
    out: list[tuple[str, int, jaxsched.Schedule, Callable[[int], Any]]] = []
    m = mp.mpf
    for T in HORIZONS:
        W = T // 100

        def cos_ref(k: int, T: int = T) -> Any:
            return m("1e-3") * _cos_half(min(k, T), T)

        out.append(("cosine_decay", T, jaxsched.cosine_decay(1e-3, T), cos_ref))

        def wcd_ref(k: int, T: int = T, W: int = W) -> Any:
            if k < W:
                return m(0) + m("1e-3") * k / W
            return m("1e-5") + (m("1e-3") - m("1e-5")) * _cos_half(min(k, T) - W, T - W)

        out.append(
            (
                "warmup_cosine_decay",
                T,
                jaxsched.warmup_cosine_decay(0.0, 1e-3, W, T, end_value=1e-5),
                wcd_ref,
            )
        )

        def lin_ref(k: int, T: int = T) -> Any:
            return m(1) * min(max(k, 0), T) / T  # a warmup ramp 0 -> 1: exact 0 at the start

        out.append(("linear_rise", T, jaxsched.linear(0.0, 1.0, T), lin_ref))

        def lin_rise2(k: int, T: int = T) -> Any:
            return m("1e-7") + (m("1e-3") - m("1e-7")) * min(k, T) / T

        out.append(("linear_rise_from_small", T, jaxsched.linear(1e-7, 1e-3, T), lin_rise2))

        def poly_ref(k: int, T: int = T) -> Any:
            return m("1e-6") + (m("1e-2") - m("1e-6")) * (m(T - min(k, T)) / T) ** 2

        out.append(("polynomial", T, jaxsched.polynomial(1e-2, 1e-6, 2.0, T), poly_ref))

        def exp_ref(k: int, T: int = T) -> Any:
            return m(0.999) ** (m(k) / (T // 1000))

        out.append(
            (
                "exponential_decay_0.999",
                T,
                jaxsched.exponential_decay(1.0, T // 1000, 0.999),
                exp_ref,
            )
        )

        def exp_half(k: int, T: int = T) -> Any:
            return m("0.1") * m("0.5") ** (m(k) / (T // 60))

        out.append(("exponential_decay_deep", T, jaxsched.exponential_decay(0.1, T // 60, 0.5), exp_half))

        def wsd_ref(k: int, T: int = T, W: int = W) -> Any:
            D = T // 5
            if k < W:
                return m("1e-3") * k / W
            if k < T - D:
                return m("1e-3")
            p = m(min(k, T) - (T - D)) / D
            return m("1e-6") + (m("1e-3") - m("1e-6")) * (1 - mp.sqrt(p))

        out.append(
            (
                "wsd_1-sqrt",
                T,
                jaxsched.warmup_stable_decay(1e-3, W, T, T // 5, end_value=1e-6, decay_shape="1-sqrt"),
                wsd_ref,
            )
        )

        def sgdr_ref(k: int, T: int = T) -> Any:
            first = max(T // 64, 1)
            start, length = 0, first
            while start + length <= k:
                start, length = start + length, length * 2
            return m("1e-3") * _cos_half(k - start, length)

        out.append(("cosine_restarts", T, jaxsched.cosine_restarts(1e-3, max(T // 64, 1), 2.0), sgdr_ref))

        def cyc_ref(k: int, T: int = T) -> Any:
            up = T // 100
            e = k % (2 * up)
            x = m(e) / up if e <= up else m(2 * up - e) / up
            return m("1e-4") + (m("1e-3") - m("1e-4")) * x * m(1 - 10.0 / T) ** k

        out.append(
            (
                "cyclic_exp_range",
                T,
                jaxsched.cyclic(1e-4, 1e-3, T // 100, mode="exp_range", gamma=1 - 10.0 / T),
                cyc_ref,
            )
        )

        def isqrt_ref(k: int, W: int = W) -> Any:
            return m("1e-3") * m(k) / W if k < W else m("1e-3") * mp.sqrt(m(W) / (W + k - W))

        out.append(("inverse_sqrt", T, jaxsched.inverse_sqrt(1e-3, W), isqrt_ref))
    return out


LONG = _long_cases()


@pytest.mark.parametrize(("name", "T", "s", "ref"), LONG, ids=[f"{c[0]}-{c[1]:.0e}" for c in LONG])
def test_long_horizon_against_mpmath(
    name: str, T: int, s: jaxsched.Schedule, ref: Callable[[int], Any]
) -> None:
    steps = horizon_steps(T, T // 100)
    exact = np.array([ref(int(k)) for k in steps], dtype=np.longdouble)
    assert errors(s.numpy(steps), exact).max() <= F64_RTOL, worst(s, steps, exact, s.numpy(steps))
    check(s, steps, exact)


def test_float64_alone_is_not_enough_for_the_naive_cosine() -> None:
    """Why the references are extended precision or mpmath: float64 1 + cos is 0 at 1e9 steps."""
    T = 10**9
    naive64 = 0.5 * (1 + math.cos(math.pi * (T - 1) / T))
    exact = _cos_half(T - 1, T)
    assert naive64 == 0.0 and exact > 2e-18
    assert errors(jaxsched.cosine_decay(1.0, T).numpy([T - 1]), np.array([exact])).max() <= F64_RTOL


# -- 3. optax, for comparison
# --------------------------------------------------------------------------


def test_optax_cosine_tail_is_off_and_ours_is_not() -> None:
    """optax's float32 cosine at the last step of a 10k-step decay is ~21% off (as documented)."""
    T = 10_000
    exact = float(_cos_half(T - 1, T))
    theirs = float(jax.jit(optax.cosine_decay_schedule(1.0, T))(jnp.int32(T - 1)))
    ours = float(jax.jit(jaxsched.cosine_decay(1.0, T))(jnp.int32(T - 1)))
    assert 0.15 < abs(theirs - exact) / exact < 0.3
    assert abs(ours - exact) / exact <= RTOL


# -- 4. random configurations
# ----------------------------------------------------------------------------


@st.composite
def configs(draw: Any) -> jaxsched.Schedule:
    T = draw(st.integers(2, 10**9))
    W = draw(st.integers(0, T - 1))
    peak = draw(st.floats(1e-6, 10.0))
    kind = draw(st.sampled_from(["wcd", "exp", "lin", "poly", "wsd"]))
    if kind == "wcd":
        return jaxsched.warmup_cosine_decay(
            draw(st.floats(0, 1e-6)), peak, W, T, end_value=peak * draw(st.floats(0, 0.5))
        )
    if kind == "exp":
        return jaxsched.exponential_decay(
            peak,
            draw(st.integers(1, T)),
            draw(st.floats(0.01, 0.9999)),
            transition_begin=W,
            staircase=draw(st.booleans()),
        )
    if kind == "lin":
        return jaxsched.linear(draw(st.floats(0, 10.0)), draw(st.floats(0, 10.0)), T, W)
    if kind == "poly":
        return jaxsched.polynomial(
            draw(st.floats(0, 10.0)), draw(st.floats(0, 10.0)), draw(st.floats(0.1, 4.0)), T, W
        )
    shape = draw(st.sampled_from(["linear", "cosine", "1-sqrt"]))
    D = draw(st.integers(1, T))
    return jaxsched.warmup_stable_decay(
        peak, min(W, T - D), T, D, end_value=peak * 1e-3, warmup_shape=shape, decay_shape=shape
    )


@given(configs(), st.lists(st.integers(0, MAX_STEP), min_size=1, max_size=16))
def test_random_configurations(s: jaxsched.Schedule, extra: list[int]) -> None:
    keys = s.key_steps()
    pts = {*extra, *(k + d for k in keys for d in (-2, -1, 0, 1, 2))}
    steps = np.array(sorted(p for p in pts if 0 <= p <= MAX_STEP), dtype=np.int64)
    check(s, steps, extended_values(s, steps))
