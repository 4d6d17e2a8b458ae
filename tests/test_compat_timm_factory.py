"""compat.timm.create_scheduler_v2 against timm's own factory, driven as timm's training loop drives it:
per update the LR is read, then ``step_update(num_updates)``; after each epoch ``step(epoch + 1)``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jaxsched.compat import timm
from tests.timm_original import optimizer, timm_class


def timm_loop(lr: float, kwargs: dict, epochs: int, per_epoch: int) -> np.ndarray:
    opt = optimizer(lr)
    sched, _ = timm_class("create_scheduler_v2")(opt, **kwargs)
    out, updates = [], 0
    for epoch in range(epochs):
        for _ in range(per_epoch):
            out.append(float(opt.param_groups[0]["lr"]))
            updates += 1
            sched.step_update(num_updates=updates)
        sched.step(epoch + 1)
    return np.asarray(out)


CASES = [
    {"sched": "cosine", "num_epochs": 30, "warmup_epochs": 3},
    {
        "sched": "cosine",
        "num_epochs": 20,
        "warmup_epochs": 2,
        "warmup_prefix": True,
        "cycle_limit": 2,
        "cycle_mul": 1.5,
        "cycle_decay": 0.5,
        "cooldown_epochs": 3,
        "min_lr": 1e-4,
    },
    {"sched": "tanh", "num_epochs": 25, "warmup_epochs": 1},
    {"sched": "step", "num_epochs": 30, "decay_epochs": 7, "decay_rate": 0.5, "warmup_epochs": 2},
    {"sched": "multistep", "num_epochs": 30, "decay_milestones": [5, 12, 20], "decay_rate": 0.3},
    {"sched": "poly", "num_epochs": 30, "decay_rate": 2.0, "warmup_epochs": 3, "k_decay": 1.5},
    {"sched": "wsd", "num_epochs": 30, "warmup_epochs": 3},
    {"sched": "rsqrt", "num_epochs": 30, "warmup_epochs": 3, "decay_epochs": 0.3},
    {"sched": "constant", "num_epochs": 30, "warmup_epochs": 4},
]


@pytest.mark.parametrize("kwargs", CASES, ids=[c["sched"] for c in CASES])
@pytest.mark.parametrize("step_on_epochs", [True, False])
def test_factory_matches_timm_per_update(kwargs, step_on_epochs):
    per_epoch = 7
    full = {**kwargs, "step_on_epochs": step_on_epochs, "updates_per_epoch": per_epoch}
    ours, epochs = timm.create_scheduler_v2(0.1, **full)
    _, want_epochs = timm_class("create_scheduler_v2")(optimizer(0.1), **full)
    assert epochs == want_epochs
    want = timm_loop(0.1, full, epochs + 2, per_epoch)
    k = np.arange(len(want))
    np.testing.assert_allclose(ours.numpy(k), want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(ours(k)), want, rtol=2e-6, atol=1e-9)


@given(
    st.integers(10, 60),
    st.integers(0, 5),
    st.integers(1, 9),
    st.booleans(),
    st.sampled_from(["cosine", "poly", "tanh", "wsd"]),
)
def test_factory_random_configs(num_epochs, warmup, per_epoch, on_epochs, sched):
    full = {
        "sched": sched,
        "num_epochs": num_epochs,
        "warmup_epochs": warmup,
        "step_on_epochs": on_epochs,
        "updates_per_epoch": per_epoch,
    }
    ours, epochs = timm.create_scheduler_v2(0.05, **full)
    want = timm_loop(0.05, full, epochs, per_epoch)
    np.testing.assert_allclose(ours.numpy(np.arange(len(want))), want, rtol=1e-12, atol=1e-15)


def test_epoch_clock_warns_and_300_epochs_are_not_300_updates():
    # issue 13 item 3: a 300-epoch recipe read with optax's update count was 0.0 at update 300.
    with pytest.warns(timm.EpochClockWarning, match="updates_per_epoch"):
        epochs_clock, _ = timm.create_scheduler_v2(0.1, "cosine", num_epochs=300, warmup_epochs=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, _ = timm.create_scheduler_v2(0.1, "cosine", num_epochs=300, warmup_epochs=5, updates_per_epoch=500)
    assert float(s.numpy(300)) == pytest.approx(float(epochs_clock.numpy(0)))  # still in epoch 0
    assert float(s.numpy(300)) > 0 and float(s.numpy(150 * 500)) == pytest.approx(0.05, rel=0.05)


def test_factory_refusals():
    with pytest.raises(AssertionError, match="updates_per_epoch"):
        timm.create_scheduler_v2(0.1, step_on_epochs=False)
    with pytest.raises(ValueError, match="sched"):
        timm.create_scheduler_v2(0.1, "bogus", updates_per_epoch=10)
    assert timm.create_scheduler_v2(0.1, "none", num_epochs=7)[0] is None


def test_an_epoch_clock_port_fed_optax_update_count_warns():
    # issue 13 item 3: the timm classes count epochs by default; inside optax the step is the update count.
    import jax
    import jax.numpy as jnp
    import optax

    recipe = {"t_initial": 300, "warmup_t": 5, "warmup_lr_init": 1e-5}
    epochs = timm.CosineLRScheduler(0.1, **recipe)
    with pytest.warns(timm.EpochClockWarning, match="CosineLRScheduler counts epochs.*updates_per_epoch"):
        opt = optax.inject_hyperparams(optax.sgd)(learning_rate=epochs)
        jax.jit(opt.update)(jnp.ones(1), opt.init(jnp.zeros(1)))  # a jitted update traces the count
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither an eager call on an epoch nor the per-update form warns
        assert float(epochs(299)) == pytest.approx(float(epochs.numpy(299)), rel=1e-6)
        updates = timm.CosineLRScheduler(0.1, **recipe, updates_per_epoch=100)
        opt = optax.inject_hyperparams(optax.sgd)(learning_rate=updates)
        jax.jit(opt.update)(jnp.ones(1), opt.init(jnp.zeros(1)))
        assert float(updates.numpy(300)) == pytest.approx(float(epochs.numpy(3)))  # update 300 is epoch 3
