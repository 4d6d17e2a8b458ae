"""The Schedule abstraction: evaluation paths, pytrees (jit/vmap/grad), value semantics, configs."""

from __future__ import annotations

import copy
import json
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxsched
from jaxsched._config import lookup


def all_examples():
    for name, cls in sorted(jaxsched.registry().items()):
        if name.startswith("compat."):
            continue
        for i, ex in enumerate(cls.examples):
            yield pytest.param(jaxsched.from_config({"name": name, **ex}), id=f"{name}-{i}")


EXAMPLES = list(all_examples())
STEPS = np.array(
    [0, 1, 2, 5, 10, 50, 99, 100, 101, 250, 499, 500, 501, 999, 1000, 1001, 5000, 2**24 + 3, 2**31 - 1]
)


def test_every_api_name_exists():
    names = [
        "constant",
        "linear",
        "polynomial",
        "exponential_decay",
        "step_decay",
        "multistep_decay",
        "piecewise_constant",
        "piecewise_interpolate",
        "cosine_decay",
        "warmup_constant",
        "warmup_cosine_decay",
        "warmup_linear_decay",
        "warmup_exponential_decay",
        "inverse_sqrt",
        "noam",
        "warmup_stable_decay",
        "cosine_restarts",
        "cyclic",
        "one_cycle",
        "tanh_decay",
        "inverse_time_decay",
        "join",
        "multiply",
        "shift",
        "clip",
        "repeat",
        "per_epoch",
        "current",
        "from_config",
        "Schedule",
    ]
    missing = [n for n in names if not hasattr(jaxsched, n)]
    assert not missing
    for n in names[:27]:
        assert isinstance(getattr(jaxsched, n), type) or callable(getattr(jaxsched, n))
        assert lookup(n) is not None


@pytest.mark.parametrize("s", EXAMPLES)
def test_jit_equals_eager_equals_numpy(s):
    eager = np.asarray(s(STEPS.astype(np.int32)))
    jitted = np.asarray(jax.jit(s)(jnp.asarray(STEPS, jnp.int32)))
    scalar = np.array([float(jax.jit(s)(jnp.int32(k))) for k in STEPS[:6]])
    # XLA fuses differently under jit (fma, polynomial cos): equal to a few float32 ulp.
    np.testing.assert_allclose(eager, jitted, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(scalar, eager[:6], rtol=1e-6)
    ref = s.numpy(STEPS)
    assert ref.dtype == np.float64
    np.testing.assert_allclose(eager, ref, rtol=2e-5, atol=1e-7 * np.max(np.abs(ref)))
    assert np.all(np.isfinite(ref)) and np.all(ref >= 0)


# The schedule as a jit argument, after device_put and stacked under vmap: tests/test_contract.py, for
# every registered example (natives and ports), to float32 accuracy.


@pytest.mark.parametrize("s", EXAMPLES)
def test_pickle_config_and_equality_round_trip(s):
    assert pickle.loads(pickle.dumps(s)) == s
    cfg = s.to_config()
    assert json.loads(json.dumps(cfg)) == cfg or jaxsched.from_config(json.loads(json.dumps(cfg))) == s
    again = jaxsched.from_config(json.loads(json.dumps(cfg)))
    assert again == s and hash(again) == hash(s)
    assert copy.deepcopy(s) == s
    np.testing.assert_array_equal(again.numpy(STEPS), s.numpy(STEPS))


@pytest.mark.parametrize("s", EXAMPLES)
def test_repr_is_evaluable(s):
    text = repr(s)
    assert text.startswith(s.config_name + "(")
    assert eval(text, {**vars(jaxsched)}) == s


def test_inequality_and_replace():
    a = jaxsched.cosine_decay(1.0, 100)
    assert a != jaxsched.cosine_decay(1.0, 101)
    assert a != jaxsched.linear(1.0, 0.0, 100)
    b = a.replace(decay_steps=50)
    assert b.decay_steps == 50 and a.decay_steps == 100
    with pytest.raises(ValueError, match="decay_steps"):
        a.replace(decay_steps=0)


def test_immutable():
    s = jaxsched.linear(1.0, 0.0, 10)
    with pytest.raises(AttributeError):
        s.init_value = 2.0  # type: ignore[misc]


@pytest.mark.parametrize("step", [-5, -1, -0.5, np.int64(-3)])
def test_negative_steps_are_step_zero(step):
    s = jaxsched.warmup_cosine_decay(0.1, 1.0, 10, 100)
    assert float(s(step)) == pytest.approx(0.1)
    assert float(s.numpy(step)) == pytest.approx(0.1)


@pytest.mark.parametrize("step", [2**31 - 1, 2**31, 2**40, 10**30])
def test_huge_python_ints_saturate(step):
    s = jaxsched.linear(1.0, 0.0, 2**31 - 1)
    assert float(s(step)) == 0.0
    assert float(s.numpy(step)) == 0.0
    assert float(jaxsched.cosine_restarts(1.0, 7)(step)) == pytest.approx(
        float(jaxsched.cosine_restarts(1.0, 7)(2**31 - 1))
    )


def test_float_and_array_steps():
    s = jaxsched.linear(1.0, 0.0, 4)
    assert float(s(1.5)) == pytest.approx(0.625)
    assert s.numpy(1.5) == pytest.approx(0.625)
    out = s(jnp.array([[0, 1], [2, 3]]))
    assert out.shape == (2, 2) and out.dtype == jnp.float32
    assert s.numpy([[0, 1], [2, 3]]).shape == (2, 2)
    assert float(s(jnp.float32(2.0))) == 0.5
    assert float(s(np.uint8(2))) == 0.5


def test_giant_duration_like_optax():
    # optax's test_with_giant_int_steps: decay_steps=1e10 at count 1e9.
    s = jaxsched.cosine_decay(1000.0, int(1e10))
    assert float(s(int(1e9))) == pytest.approx(975.52826, rel=1e-6)


def test_vmap_over_steps():
    s = jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 100)
    steps = jnp.arange(200)
    # Two compilations of the same formula: equal within a couple of float32 ulps.
    np.testing.assert_allclose(np.asarray(jax.vmap(s)(steps)), np.asarray(s(steps)), rtol=3e-7)


def test_vmap_over_stacked_schedules():
    peaks = np.linspace(1e-4, 1e-2, 64)
    warmups = np.arange(1, 65) * 10
    scheds = [
        jaxsched.warmup_cosine_decay(0.0, float(p), int(w), 2000) for p, w in zip(peaks, warmups, strict=True)
    ]
    stacked = jax.tree.map(lambda *xs: jnp.stack([jnp.asarray(x) for x in xs]), *scheds)
    steps = jnp.arange(0, 2000, 13)
    got = jax.jit(jax.vmap(lambda s: s(steps)))(stacked)
    want = np.stack([s.numpy(np.asarray(steps)) for s in scheds])
    np.testing.assert_allclose(np.asarray(got), want, rtol=2e-5, atol=1e-9)


def test_vmap_building_schedules_from_traced_hyperparameters():
    def value(peak, warmup, k):
        return jaxsched.warmup_cosine_decay(0.0, peak, warmup, 1000)(k)

    peaks = jnp.linspace(0.1, 1.0, 8)
    warmups = jnp.arange(8, dtype=jnp.int32) * 10 + 1
    got = jax.jit(jax.vmap(value, in_axes=(0, 0, None)))(peaks, warmups, 5)
    want = [
        float(jaxsched.warmup_cosine_decay(0.0, float(p), int(w), 1000).numpy(5))
        for p, w in zip(peaks, warmups, strict=True)
    ]
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)


def test_grad_wrt_float_hyperparameters_closed_form():
    # d/dP of warmup_cosine_decay at step k >= W is c(k) (with end_value 0); d/dI during warmup is 1-k/W.
    def f(peak, init):
        return jaxsched.warmup_cosine_decay(init, peak, 10, 110, 0.0)(60)

    dpeak, dinit = jax.grad(f, argnums=(0, 1))(2.0, 0.1)
    assert float(dpeak) == pytest.approx(0.5, rel=1e-6)
    assert float(dinit) == 0.0
    g = jax.grad(lambda i: jaxsched.warmup_cosine_decay(i, 2.0, 10, 110)(4))(0.1)
    assert float(g) == pytest.approx(0.6, rel=1e-6)


def test_grad_through_schedule_pytree():
    s = jaxsched.cosine_decay(2.0, 100, alpha=0.1)
    grads = jax.grad(lambda sched: sched(50), allow_int=True)(s)
    assert float(grads.init_value) == pytest.approx(0.55, rel=1e-6)  # (1-a)/2 + a
    assert float(grads.alpha) == pytest.approx(2.0 * 0.5, rel=1e-6)  # I * (1 - c)


def test_arithmetic():
    s = jaxsched.cosine_decay(1.0, 100)
    for t in (s * 0.5, 0.5 * s, s / 2):
        assert float(t.numpy(50)) == pytest.approx(0.25)
    w = jaxsched.linear(0.0, 1.0, 10)
    prod = s * w
    assert isinstance(prod, jaxsched.Schedule)
    assert float(prod.numpy(5)) == pytest.approx(float(s.numpy(5)) * 0.5)
    assert jaxsched.from_config(prod.to_config()) == prod


def test_config_errors_name_the_path():
    cfg = {
        "name": "join",
        "schedules": [
            {"name": "constant", "value": 1.0},
            {"name": "warmup_constant", "init_value": 0.0, "peak_value": 1.0, "warmup_steps": -5},
        ],
        "boundaries": [10],
    }
    with pytest.raises(ValueError, match=r"^schedules\[1\]\.warmup_steps: must be >= 0, got -5$"):
        jaxsched.from_config(cfg)
    with pytest.raises(jaxsched.ConfigError, match="unknown schedule 'nope'"):
        jaxsched.from_config({"name": "nope"})


def test_key_steps():
    assert jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 100).key_steps() == [0, 10, 100]
    j = jaxsched.join([jaxsched.linear(0.0, 1.0, 5), jaxsched.cosine_decay(1.0, 20)], [5])
    assert j.key_steps() == [0, 5, 25]
