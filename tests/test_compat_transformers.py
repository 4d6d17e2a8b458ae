"""jaxsched.compat.transformers against HF transformers' own schedulers (LambdaLR on a torch optimizer)."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
import torch
import transformers.optimization as hfo
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched._references.transformers import hf_values_at, run_hf
from jaxsched.compat import transformers as hf

CLASSES = sorted(
    (c for n, c in jaxsched.registry().items() if n.startswith("compat.transformers.")),
    key=lambda c: c.config_name,
)
FAR = [10**5 + 3, 2**24 + 1, 2**30, 2**31 - 1]


def check(s: jaxsched.Schedule, n: int | None = None, skip: np.ndarray | None = None) -> None:
    """Stepping HF's scheduler for n updates, and HF's lambda at far steps, equal the port."""
    keys = s.key_steps()
    n = n if n is not None else max(keys) + 40
    want = run_hf(s, n)
    steps = np.arange(n)
    far = np.array(FAR)
    got64, got32 = s.numpy(steps), np.asarray(s(steps), np.float64)
    keep = np.ones(n, bool) if skip is None else ~skip
    scale = max(float(np.max(np.abs(want))), 1e-30)
    # Periodic (HF's unclamped cosine) arguments lose about one ulp per half wave: allow for that.
    w = getattr(s, "num_warmup_steps", 0)
    span = max(1, (getattr(s, "num_training_steps", None) or max(keys)) - w)
    waves = np.maximum(steps - w, 0) / span * max(2 * float(getattr(s, "num_cycles", 0.5)), 1.0)
    err64, err32 = np.abs(got64 - want)[keep], np.abs(got32 - want)[keep]
    assert np.all(err64 <= (1e-12 * np.abs(want) + 1e-14 * scale * (1 + waves))[keep]), (
        repr(s),
        np.max(err64),
    )
    assert np.all(err32 <= (1e-5 * np.abs(want) + 2e-6 * scale * (1 + waves))[keep]), (repr(s), np.max(err32))
    if skip is None:
        # Both sides are float64: a periodic (unclamped) cosine argument near 2**31 carries ~1e-16*k * pi.
        err = np.abs(s.numpy(far) - hf_values_at(s, far))
        assert np.all(err <= 1e-12 * scale + 1e-15 * scale * far), (repr(s), err)


def test_every_hf_factory_is_ported_and_registered() -> None:
    names = {c.config_name.rsplit(".", 1)[1] for c in CLASSES}
    assert names == {f.__name__ for f in hfo.TYPE_TO_SCHEDULER_FUNCTION.values()} - {
        "get_reduce_on_plateau_schedule",
        "get_greedy_schedule",
    }
    assert {t.value for t in hfo.TYPE_TO_SCHEDULER_FUNCTION} == set(hf.SCHEDULER_TYPES)
    refs = references()
    for c in CLASSES:
        assert refs[c.config_name].library == "transformers" and refs[c.config_name].available()
        assert getattr(hf, c.config_name.rsplit(".", 1)[1]) is c


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.config_name.rsplit(".", 1)[1])
def test_examples_match_hf(cls) -> None:
    for ex in cls.examples:
        s = cls(**ex)
        check(s)
        assert jaxsched.from_config(s.to_config()) == s
        assert pickle.loads(pickle.dumps(s)) == s


# -- hypothesis: drawn configurations ----------------------------------------------------------------------

lrs = st.floats(1e-4, 2.0)
W = st.integers(0, 40)
T = st.integers(0, 120)


@st.composite
def configs(draw: st.DrawFn) -> jaxsched.Schedule:
    kind = draw(
        st.sampled_from(sorted(hf.SCHEDULER_TYPES[:4] + hf.SCHEDULER_TYPES[5:7] + hf.SCHEDULER_TYPES[8:11]))
    )
    lr, w = draw(lrs), draw(W)
    if kind == "constant_with_warmup":
        return hf.get_constant_schedule_with_warmup(lr, w)
    if kind == "inverse_sqrt":
        return hf.get_inverse_sqrt_schedule(lr, w, draw(st.none() | st.integers(1, 500)))
    if kind == "warmup_stable_decay":
        d = draw(st.integers(0, 40))
        stable = draw(st.none() | st.integers(-10, 40))
        t = draw(T) if stable is None else draw(st.none() | T)
        return hf.get_wsd_schedule(
            lr,
            w,
            d,
            num_training_steps=t,
            num_stable_steps=stable,
            warmup_type=draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
            decay_type=draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
            min_lr_ratio=draw(st.floats(0.0, 1.0)),
            num_cycles=draw(st.sampled_from([0.5, 0.25, 1.5])),
        )
    t = draw(T)
    if kind == "linear":
        return hf.get_linear_schedule_with_warmup(lr, w, t)
    if kind == "cosine":
        return hf.get_cosine_schedule_with_warmup(lr, w, t, draw(st.sampled_from([0.5, 0.25, 1.0, 2.3])))
    if kind == "cosine_with_restarts":
        return hf.get_cosine_with_hard_restarts_schedule_with_warmup(lr, w, t, draw(st.integers(1, 5)))
    if kind == "polynomial":
        t = draw(T.filter(lambda x: x != w))
        return hf.get_polynomial_decay_schedule_with_warmup(
            lr, w, t, lr_end=draw(st.floats(0.0, 0.99)) * lr, power=draw(st.just(0.0) | st.floats(0.1, 3.0))
        )
    floor = draw(st.floats(0.0, 1.0))
    floor_kw = {"min_lr_rate": floor} if draw(st.booleans()) else {"min_lr": floor * lr}
    if kind == "cosine_with_min_lr":
        return hf.get_cosine_with_min_lr_schedule_with_warmup(
            lr, w, t, draw(st.sampled_from([0.5, 1.0])), **floor_kw
        )
    return hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
        lr,
        w,
        t,
        draw(st.sampled_from([0.5, 1.0])),
        warmup_lr_rate=draw(st.none() | st.floats(0, 1)),
        **floor_kw,
    )


@given(configs())
def test_drawn_configs_match_hf(s: jaxsched.Schedule) -> None:
    check(s, n=180)


@given(st.integers(0, 30), st.integers(1, 300), st.integers(1, 60))
def test_hard_restarts_exact_position(w: int, span: int, cycles: int) -> None:
    """Matches HF everywhere except where HF's float64 (cycles * progress) % 1 misses an exact restart."""
    s = hf.get_cosine_with_hard_restarts_schedule_with_warmup(1.0, w, w + span, cycles)
    n = 340  # one shape for every example: eager JAX compiles once
    k = np.arange(n)
    e = np.maximum(k - w, 0)
    exact = (cycles * e) % span / span
    hf_frac = np.array([(float(cycles) * (float(x) / float(span))) % 1.0 for x in e])
    off = (np.abs(exact - hf_frac) > 1e-9) & (k >= w) & (k < w + span)
    # Each point skipped is an exact restart HF rounds to just below 1 (it applies ~0, we apply 1).
    assert np.all(exact[off] == 0.0) and np.all(hf_frac[off] > 1 - 1e-9)
    check(s, n=n, skip=off)


def test_hf_rounding_quirk_example() -> None:
    s = hf.get_cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 49, num_cycles=49)
    assert float(s.numpy(1)) == 1.0  # the restart
    assert run_hf(s, 2)[1] < 1e-20  # HF: (49 * (1/49)) % 1 = 0.999... -> cos(pi * ~1) ~ 0


# -- get_scheduler: HF's routing, argument by argument -----------------------------------------------------


def _hf_get(name: str, lr: float, **kw) -> np.ndarray:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = hfo.get_scheduler(name, opt, **kw)
    return np.array([sched.base_lrs[0] * sched.lr_lambdas[0](k) for k in range(150)])


@pytest.mark.parametrize(
    "name, kw",
    [
        ("linear", dict(num_warmup_steps=10, num_training_steps=100)),
        (
            "cosine",
            dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs={"num_cycles": 1.5}),
        ),
        (
            "cosine_with_restarts",
            dict(num_warmup_steps=5, num_training_steps=100, scheduler_specific_kwargs={"num_cycles": 3}),
        ),
        (
            "polynomial",
            dict(
                num_warmup_steps=5,
                num_training_steps=100,
                scheduler_specific_kwargs={"lr_end": 1e-4, "power": 2.0},
            ),
        ),
        (
            "constant",
            dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs={"ignored": 1}),
        ),
        ("constant_with_warmup", dict(num_warmup_steps=10, scheduler_specific_kwargs={"ignored": 1})),
        ("inverse_sqrt", dict(num_warmup_steps=10, scheduler_specific_kwargs={"timescale": 40})),
        ("inverse_sqrt", dict(num_warmup_steps=0)),
        (
            "cosine_with_min_lr",
            dict(num_warmup_steps=10, num_training_steps=100, scheduler_specific_kwargs={"min_lr": 1e-4}),
        ),
        (
            "cosine_warmup_with_min_lr",
            dict(
                num_warmup_steps=10,
                num_training_steps=100,
                scheduler_specific_kwargs={"min_lr_rate": 0.1, "warmup_lr_rate": 0.05},
            ),
        ),
        (
            "warmup_stable_decay",
            dict(
                num_warmup_steps=10,
                num_training_steps=100,
                scheduler_specific_kwargs={"num_decay_steps": 30, "decay_type": "1-sqrt"},
            ),
        ),
    ],
)
def test_get_scheduler_routes_like_hf(name: str, kw: dict) -> None:
    s = hf.get_scheduler(name, 1e-2, **kw)
    np.testing.assert_allclose(s.numpy(np.arange(150)), _hf_get(name, 1e-2, **kw), rtol=1e-12, atol=1e-17)


def test_get_scheduler_errors_like_hf() -> None:
    with pytest.raises(ValueError, match="num_warmup_steps"):
        hf.get_scheduler("linear", 1e-3, num_training_steps=10)
    with pytest.raises(ValueError, match="num_training_steps"):
        hf.get_scheduler("cosine", 1e-3, num_warmup_steps=1)
    with pytest.raises(ValueError, match=r"^name"):
        hf.get_scheduler("cosine_annealing", 1e-3, 1, 10)
    with pytest.raises(TypeError):  # a kwarg the schedule does not take, as HF
        hf.get_scheduler("linear", 1e-3, 1, 10, {"num_cycles": 2})
    with pytest.raises(ValueError, match="factor"):  # greedy is metric-driven: an optax transformation
        hf.get_scheduler("greedy", 1e-3, scheduler_specific_kwargs={"factor": 1.5})


def test_reduce_lr_on_plateau_follows_torch() -> None:
    """HF's reduce_lr_on_plateau is torch's ReduceLROnPlateau: the plateau transformation's state.lr
    after each metric equals torch's LR after each step(metric)."""
    import jax.numpy as jnp

    kw = {"patience": 2, "factor": 0.5, "cooldown": 1, "threshold": 0.01, "min_lr": 1e-4}
    metrics = [1.0, 0.9, 0.95, 0.92, 0.91, 0.905, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    tx = hf.get_scheduler("reduce_lr_on_plateau", 1e-2, scheduler_specific_kwargs=kw)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1e-2)
    ref = hfo.get_scheduler("reduce_lr_on_plateau", opt, scheduler_specific_kwargs=kw)
    state = tx.init(jnp.zeros(1))
    ours, theirs = [], []
    for m in metrics:
        _, state = tx.update(jnp.ones(1), state, value=m)
        ref.step(m)
        ours.append(float(state.lr))
        theirs.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert min(theirs) < 1e-2  # the metrics do trigger reductions


# -- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: hf.get_linear_schedule_with_warmup(1e-3, -1, 10), "num_warmup_steps"),
        (lambda: hf.get_linear_schedule_with_warmup(math.nan, 1, 10), "lr"),
        (lambda: hf.get_cosine_schedule_with_warmup(1e-3, 1, 10, num_cycles=-1), "num_cycles"),
        (lambda: hf.get_polynomial_decay_schedule_with_warmup(1e-3, 1, 10, lr_end=1e-3), "lr_end"),
        (lambda: hf.get_polynomial_decay_schedule_with_warmup(1e-3, 5, 5), "num_training_steps"),
        (lambda: hf.get_inverse_sqrt_schedule(1e-3, 1, timescale=0), "timescale"),
        (lambda: hf.get_cosine_with_min_lr_schedule_with_warmup(1e-3, 1, 10), "min_lr"),
        (
            lambda: hf.get_cosine_with_min_lr_schedule_with_warmup(1e-3, 1, 10, min_lr=1e-5, min_lr_rate=0.1),
            "min_lr",
        ),
        (lambda: hf.get_wsd_schedule(1e-3, 1, 10), "num_training_steps"),
        (lambda: hf.get_wsd_schedule(1e-3, 1, 10, 100, decay_type="exp"), "decay_type"),
        (lambda: hf.get_wsd_schedule(1e-3, 1, 10, 100, min_lr_ratio=-0.1), "min_lr_ratio"),
    ],
)
def test_bad_input_names_the_argument(make, argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert str(info.value).startswith(argument), str(info.value)
