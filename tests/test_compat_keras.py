"""jaxsched.compat.keras against Keras 3's own schedules (JAX backend, evaluated in float64).

Every port is compared at every update with the original over hypothesis-drawn configurations (see
``tests/stack_parity.py`` for the criterion: 1e-12 relative of Keras, or of the exact value where Keras's
own float64 rounding is worse). The exact values are independent 40-digit transcriptions of Keras's
formulas.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")  # before Keras is first imported

import keras
import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched.compat import keras as kp
from tests.stack_parity import check

mpmath.mp.dps = 40
mpf = mpmath.mpf

lrs = st.sampled_from([1.0, 0.1, 3e-4]) | st.floats(1e-5, 2.0)
N = 600


def original(port: jaxsched.Schedule, n: int = N) -> np.ndarray:
    return references()[port.config_name].run(port, n)


def _half_cos(x) -> mpmath.mpf:
    return (1 + mpmath.cos(mpmath.pi * x)) / 2


def test_backend_is_jax():
    assert keras.backend.backend() == "jax"


# -- ExponentialDecay / InverseTimeDecay ---------------------------------------------------------------


@given(
    lr=lrs, T=st.integers(1, 300) | st.floats(1.0, 300.0), rate=st.floats(1e-3, 1.0), staircase=st.booleans()
)
def test_exponential_decay(lr, T, rate, staircase):
    port = kp.ExponentialDecay(lr, T, rate, staircase)

    def exact(k):
        p = mpf(k) / mpf(T)
        return float(mpf(lr) * mpf(rate) ** (mpmath.floor(p) if staircase else p))

    check(port, original(port), exact, rtol32=2e-6 + 1.2e-7 * N / min(T, N))


@given(
    lr=lrs, T=st.integers(1, 300) | st.floats(1.0, 300.0), rate=st.floats(0.0, 10.0), staircase=st.booleans()
)
def test_inverse_time_decay(lr, T, rate, staircase):
    port = kp.InverseTimeDecay(lr, T, rate, staircase)

    def exact(k):
        p = mpf(k) / mpf(T)
        return float(mpf(lr) / (1 + mpf(rate) * (mpmath.floor(p) if staircase else p)))

    check(port, original(port), exact)


# -- PiecewiseConstantDecay ------------------------------------------------------------------------------


@given(bounds=st.lists(st.integers(0, N), min_size=1, max_size=6).map(sorted), data=st.data())
def test_piecewise_constant_decay(bounds, data):
    level = st.just(0.0) | st.floats(1e-12, 1.0)  # XLA flushes subnormal products to zero
    values = data.draw(st.lists(level, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    port = kp.PiecewiseConstantDecay(bounds, values)
    want = check(port, original(port))
    assert want[0] == values[0]


# -- PolynomialDecay ---------------------------------------------------------------------------------------


@given(
    lr=lrs,
    T=st.integers(1, 200),
    end=st.sampled_from([0.0, 1e-4]) | st.floats(0.0, 1.0),
    power=st.sampled_from([1.0, 2.0, 0.5]) | st.floats(0.1, 5.0),
    cycle=st.booleans(),
    frac=st.booleans(),
)
def test_polynomial_decay(lr, T, end, power, cycle, frac):
    T_ = T + 0.5 if frac and not cycle else T
    port = kp.PolynomialDecay(lr, T_, end, power, cycle)

    def exact(k):
        H = mpf(T_) * max(1, math.ceil(k / T_)) if cycle else mpf(T_)
        x = mpf(k) if cycle else min(mpf(k), mpf(T_))
        return float(end + (lr - end) * (1 - x / H) ** power)

    check(port, original(port), exact, rtol32=2e-6 * max(power, 1.0))


def test_polynomial_cycle_restarts_like_keras():
    port = kp.PolynomialDecay(0.1, 7, cycle=True)
    want = check(port, original(port, 40))
    assert want[7] == pytest.approx(1e-4) and want[8] > want[7]


# -- CosineDecay ------------------------------------------------------------------------------------------


@given(
    lr=lrs,
    T=st.integers(1, 400) | st.floats(1.0, 400.0),
    alpha=st.sampled_from([0.0, 0.1]) | st.floats(0.0, 2.0),
    target=st.none() | lrs,
    W=st.integers(0, 150),
)
def test_cosine_decay(lr, T, alpha, target, W):
    port = kp.CosineDecay(lr, T, alpha, warmup_target=target, warmup_steps=W)

    def exact(k):
        if target is None:
            return float(mpf(lr) * ((1 - mpf(alpha)) * _half_cos(min(mpf(k), mpf(T)) / mpf(T)) + alpha))
        if k < W:
            return float(mpf(lr) + (mpf(target) - lr) * mpf(k) / W)
        x = min(mpf(k - W), mpf(T)) / mpf(T)
        return float(mpf(target) * ((1 - mpf(alpha)) * _half_cos(x) + alpha))

    check(port, original(port), exact)


def test_cosine_decay_zero_warmup_ignores_initial_learning_rate():
    port = kp.CosineDecay(0.5, 100, warmup_target=0.1, warmup_steps=0)
    want = check(port, original(port, 50))
    assert want[0] == pytest.approx(0.1)


# -- CosineDecayRestarts ----------------------------------------------------------------------------------


def _sgdr_exact(lr, T0, t_mul, m_mul, alpha):
    def exact(k):
        start, length, i = mpf(0), mpf(T0), 0
        while k >= start + length:
            start, length, i = start + length, length * mpf(t_mul), i + 1
        x = (k - start) / length
        return float(mpf(lr) * ((1 - mpf(alpha)) * mpf(m_mul) ** i * _half_cos(x) + alpha))

    return exact


@given(
    lr=lrs,
    T0=st.integers(1, 60),
    t_mul=st.sampled_from([1.0, 2.0, 3.0, 1.5]) | st.floats(1.0, 3.0),
    m_mul=st.sampled_from([1.0, 0.5]) | st.floats(0.05, 1.0),
    alpha=st.floats(0.0, 0.5),
)
@example(lr=1.0, T0=26, t_mul=1.6330212354671199, m_mul=1.0, alpha=0.0)  # a trough at step 251 (x64 path)
def test_cosine_decay_restarts(lr, T0, t_mul, m_mul, alpha):
    port = kp.CosineDecayRestarts(lr, T0, t_mul, m_mul, alpha)
    rtol32 = 2e-6 if float(t_mul).is_integer() else 1e-4  # fractional cycle starts located in float32
    check(port, original(port), _sgdr_exact(lr, T0, t_mul, m_mul, alpha), rtol32=rtol32)


def test_cosine_decay_restarts_exact_cycle_starts_where_keras_is_late():
    """Keras puts step 700 (the start of cycle 3 with t_mul=2) at the end of cycle 2: log(8)/log(2) is
    2.9999999999999996 in float64. The port starts the cycle there, as the formula says."""
    port = kp.CosineDecayRestarts(0.1, 100)
    want = original(port, 701)
    assert want[700] == pytest.approx(0.0, abs=1e-15)
    assert port.numpy(700) == 0.1
    check(port, want, _sgdr_exact(0.1, 100, 2.0, 1.0, 0.0))


# -- configs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", kp._CLASSES, ids=lambda c: c.__name__)
def test_get_config_round_trips_with_keras(cls):
    for ex in cls.examples:
        port = cls(**ex)
        cfg = port.get_config()
        orig = getattr(keras.optimizers.schedules, cls.__name__).from_config(cfg)
        assert cfg == orig.get_config()
        assert kp.from_config(orig.get_config()) == port
        assert kp.from_config(keras.optimizers.schedules.serialize(orig)) == port
        assert cls.from_config(cfg) == port
        assert jaxsched.from_config(port.to_config()) == port
        check(port, original(port, 300), jax_paths=False)


def test_from_config_tells_exponential_and_inverse_time_apart():
    cfg = {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": False}
    assert type(kp.from_config({**cfg, "name": "InverseTimeDecay"})) is kp.InverseTimeDecay
    assert type(kp.from_config({**cfg, "name": "ExponentialDecay"})) is kp.ExponentialDecay
    with pytest.raises(ValueError, match=r"^config.*class_name"):
        kp.from_config({**cfg, "name": "my_schedule"})
    assert type(kp.from_config({**cfg, "name": "x"}, class_name="InverseTimeDecay")) is kp.InverseTimeDecay


def test_from_config_refuses_unknown_keys_and_classes():
    with pytest.raises(ValueError, match=r"^config"):
        kp.from_config({"initial_learning_rate": 0.1, "decay_steps": 10, "bogus": 1})
    with pytest.raises(ValueError, match=r"^class_name"):
        kp.from_config({"initial_learning_rate": 0.1}, class_name="Nope")
    with pytest.raises(ValueError, match=r"^config"):
        kp.CosineDecay.from_config({"initial_learning_rate": 0.1, "decay_steps": 10, "t_mul": 2.0})


# -- what Keras accepts and the port refuses ---------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: kp.ExponentialDecay(0.1, 10, 1.5), "decay_rate"),
        (lambda: kp.ExponentialDecay(0.1, 0, 0.5), "decay_steps"),
        (lambda: kp.InverseTimeDecay(0.1, 10, -0.5), "decay_rate"),
        (lambda: kp.PiecewiseConstantDecay([10, 5], [1.0, 0.5, 0.1]), "boundaries"),
        (lambda: kp.PiecewiseConstantDecay([10], [1.0]), "boundaries"),
        (lambda: kp.PiecewiseConstantDecay([], [1.0]), "boundaries"),
        (lambda: kp.PiecewiseConstantDecay([10.5], [1.0, 0.5]), "boundaries"),
        (lambda: kp.PiecewiseConstantDecay([-1], [1.0, 0.5]), "boundaries"),
        (lambda: kp.PolynomialDecay(0.1, 10, power=0.0), "power"),
        (lambda: kp.PolynomialDecay(0.1, 10.5, cycle=True), "decay_steps"),
        (lambda: kp.CosineDecay(0.1, 10, alpha=-0.1), "alpha"),
        (lambda: kp.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=2.5), "warmup_steps"),
        (lambda: kp.CosineDecayRestarts(0.1, 10, t_mul=0.5), "t_mul"),
        (lambda: kp.CosineDecayRestarts(0.1, 10, m_mul=1.5), "m_mul"),
        (lambda: kp.CosineDecayRestarts(0.1, 10.5), "first_decay_steps"),
    ],
)
def test_refused(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(argument), str(info.value)


def test_keras_raises_value_error_where_the_port_does():
    for make in (
        lambda m: m.ExponentialDecay(0.1, 0, 0.5),
        lambda m: m.PolynomialDecay(0.1, 0),
        lambda m: m.PiecewiseConstantDecay([1, 2], [1.0]),
    ):
        with pytest.raises(ValueError):
            make(keras.optimizers.schedules)
        with pytest.raises(ValueError):
            make(kp)
