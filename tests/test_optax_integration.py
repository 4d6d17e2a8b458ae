"""Schedules inside optax: learning_rate=, inject_hyperparams, any hyperparameter, multi_transform."""

from __future__ import annotations

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jaxsched

SCHED = jaxsched.warmup_cosine_decay(0.0, 1e-2, 10, 100, 1e-4)
PARAMS = {"w": jnp.ones((3,)), "b": jnp.zeros(())}


def loss(p):
    return jnp.sum((p["w"] - 2.0) ** 2) + p["b"] ** 2


def _scheduled_optimizers():
    for name in [
        "adam",
        "adamw",
        "sgd",
        "lion",
        "adafactor",
        "rmsprop",
        "lamb",
        "adagrad",
        "nadam",
        "radam",
        "adabelief",
        "yogi",
        "novograd",
        "sm3",
        "fromage",
        "noisy_sgd",
        "lars",
    ]:
        fn = getattr(optax, name, None)
        params = inspect.signature(fn).parameters if fn is not None else {}
        # As optax's own ScheduleAsLearningRateTest: only those annotated to take a schedule.
        if "learning_rate" in params and params["learning_rate"].annotation in (
            optax.ScalarOrSchedule,
            optax.Schedule,
        ):
            yield pytest.param(fn, id=name)


@pytest.mark.parametrize("factory", list(_scheduled_optimizers()))
def test_every_optimizer_takes_a_schedule(factory):
    opt = factory(learning_rate=SCHED)
    state = opt.init(PARAMS)

    @jax.jit
    def step(p, s):
        g = jax.grad(loss)(p)
        u, s = opt.update(g, s, p)
        return optax.apply_updates(p, u), s

    p = PARAMS
    for _ in range(10):
        p, state = step(p, state)
    assert all(bool(jnp.all(jnp.isfinite(x))) for x in jax.tree.leaves(p))


def test_sgd_update_uses_s_of_count():
    opt = optax.sgd(SCHED)
    state = opt.init(PARAMS)
    g = jax.tree.map(jnp.ones_like, PARAMS)
    for k in range(30):
        u, state = opt.update(g, state, PARAMS)
        assert float(u["b"]) == pytest.approx(-float(SCHED.numpy(k)), rel=1e-6, abs=1e-12)


def test_inject_hyperparams_adamw_100_jitted_steps():
    opt = optax.inject_hyperparams(optax.adamw)(learning_rate=SCHED, weight_decay=1e-4)
    state = opt.init(PARAMS)

    @jax.jit
    def step(p, s):
        u, s = opt.update(jax.grad(loss)(p), s, p)
        return optax.apply_updates(p, u), s

    assert float(jaxsched.current(state)) == pytest.approx(float(SCHED.numpy(0)))
    p = PARAMS
    for k in range(100):
        p, state = step(p, state)
        # After update k the state records the value that update used: s(k).
        assert float(state.hyperparams["learning_rate"]) == pytest.approx(
            float(SCHED.numpy(k)), rel=2e-6, abs=1e-12
        )
        assert float(jaxsched.current(state)) == float(state.hyperparams["learning_rate"])


def test_inject_matches_plain_optimizer():
    plain = optax.adam(SCHED)
    injected = optax.inject_hyperparams(optax.adam)(learning_rate=SCHED)
    s1, s2 = plain.init(PARAMS), injected.init(PARAMS)
    p1 = p2 = PARAMS
    for _ in range(20):
        u1, s1 = plain.update(jax.grad(loss)(p1), s1, p1)
        u2, s2 = injected.update(jax.grad(loss)(p2), s2, p2)
        p1, p2 = optax.apply_updates(p1, u1), optax.apply_updates(p2, u2)
    np.testing.assert_allclose(np.asarray(p1["w"]), np.asarray(p2["w"]), rtol=1e-6)


def test_schedule_weight_decay_and_b1():
    wd = jaxsched.linear(0.0, 0.1, 50)
    b1 = jaxsched.one_cycle(100, 0.95, div_factor=0.95 / 0.85, final_div_factor=1.0)
    opt = optax.inject_hyperparams(optax.adamw)(learning_rate=1e-3, weight_decay=wd, b1=b1)
    state = opt.init(PARAMS)
    step = jax.jit(lambda g, s, p: opt.update(g, s, p))
    for k in range(60):
        _, state = step(jax.grad(loss)(PARAMS), state, PARAMS)
        assert float(jaxsched.current(state, "weight_decay")) == pytest.approx(
            float(wd.numpy(k)), rel=1e-6, abs=1e-9
        )
        assert float(jaxsched.current(state, "b1")) == pytest.approx(float(b1.numpy(k)), rel=1e-6)


def test_multi_transform_per_group_schedules():
    params = {"encoder": jnp.ones(2), "head": jnp.ones(2)}
    enc = jaxsched.cosine_decay(1e-3, 100)
    head = jaxsched.warmup_constant(0.0, 1e-2, 10)
    opt = optax.multi_transform(
        {
            "enc": optax.inject_hyperparams(optax.sgd)(learning_rate=enc),
            "head": optax.inject_hyperparams(optax.sgd)(learning_rate=head),
        },
        {"encoder": "enc", "head": "head"},
    )
    state = opt.init(params)
    grads = jax.tree.map(jnp.ones_like, params)
    for k in range(15):
        updates, state = opt.update(grads, state, params)
        np.testing.assert_allclose(np.asarray(updates["encoder"]), -float(enc.numpy(k)), rtol=1e-6)
        np.testing.assert_allclose(np.asarray(updates["head"]), -float(head.numpy(k)), rtol=1e-6, atol=1e-12)
    with pytest.raises(KeyError, match="several places"):
        jaxsched.current(state)
    sub = state.inner_states["head"].inner_state
    assert float(jaxsched.current(sub)) == pytest.approx(float(head.numpy(14)))


def test_current_without_injection_raises():
    state = optax.adam(1e-3).init(PARAMS)
    with pytest.raises(KeyError, match="inject_hyperparams"):
        jaxsched.current(state)


def test_schedule_in_scan():
    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=SCHED)

    def body(carry, _):
        p, s = carry
        u, s = opt.update(jax.grad(loss)(p), s, p)
        return (optax.apply_updates(p, u), s), s.hyperparams["learning_rate"]

    (_, _), lrs = jax.lax.scan(body, (PARAMS, opt.init(PARAMS)), None, length=50)
    np.testing.assert_allclose(np.asarray(lrs), SCHED.numpy(np.arange(50)), rtol=2e-6, atol=1e-12)
