"""jaxsched.compat.optax against optax 0.2.8 itself: every name, dense counts, edges, quirks, configs."""

from __future__ import annotations

import inspect
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched._references import references
from jaxsched._references.optax import optax_kwargs, optax_values
from jaxsched.compat import optax as sched

NAMES = sorted(
    n
    for n in dir(optax.schedules)
    if not n.startswith("_")
    if n.endswith("_schedule") or n in ("exponential_decay", "join_schedules")
)
SCHEDULE_NAMES = [n for n in NAMES if n not in ("join_schedules", "sgdr_schedule")]


def _steps(s: jaxsched.Schedule, dense: int = 80) -> np.ndarray:
    out = set(range(dense))
    for k in s.key_steps():
        out.update(k + d for d in (-2, -1, 0, 1, 2, 37))
    out.update((2**24 + 1, 2**30, 2**31 - 1))
    return _padded(sorted(x for x in out if 0 <= x <= 2**31 - 1))


def _padded(steps, size: int = 160) -> np.ndarray:
    """A fixed-length step array (eager JAX compiles each primitive once per shape: keep one shape)."""
    steps = list(steps)
    assert len(steps) <= size
    return np.array(steps + [steps[-1]] * (size - len(steps)), dtype=np.int64)


def check(s: jaxsched.Schedule, want_fn=None, steps: np.ndarray | None = None) -> None:
    """NumPy float64 equals optax (x64) to 1e-12; JAX float32 to float32 rounding."""
    steps = _steps(s) if steps is None else _padded(steps)
    if want_fn is None:
        name = s.config_name.rsplit(".", 1)[1]
        want = optax_values(name, optax_kwargs(s), steps)
    else:
        want = want_fn(steps)
    scale = max(float(np.max(np.abs(want))), 1e-30)
    np.testing.assert_allclose(s.numpy(steps), want, rtol=1e-12, atol=1e-14 * scale, err_msg=repr(s))
    got32 = np.asarray(s(np.asarray(steps, np.int32)), np.float64)
    np.testing.assert_allclose(got32, want, rtol=2e-5, atol=2e-6 * scale, err_msg=repr(s))


def test_every_optax_schedule_name_is_here_with_optax_signature() -> None:
    assert len(NAMES) == 14
    for name in NAMES:
        ours, theirs = inspect.signature(getattr(sched, name)), inspect.signature(getattr(optax, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == [
            (p.name, p.default) for p in theirs.parameters.values()
        ], name


@pytest.mark.parametrize("name", SCHEDULE_NAMES)
def test_examples_match_optax(name: str) -> None:
    cls = getattr(sched, name)
    assert references()[cls.config_name].available()
    for ex in cls.examples:
        check(cls(**ex))


# -- optax's quirks, each pinned ------------------------------------------------------------------------


def test_quirks() -> None:
    s: jaxsched.Schedule = sched.warmup_constant_schedule(0.0, 1.0, 0)  # init forever
    assert float(s(100)) == 0.0
    check(s)
    s = sched.warmup_cosine_decay_schedule(0.0, 0.0, 2, 6, end_value=0.3)  # end_value dropped
    assert float(s(100)) == 0.0
    check(s)
    check(sched.warmup_cosine_decay_schedule(0.2, 1.0, -3, 6, end_value=0.3))  # negative warmup
    s = sched.linear_onecycle_schedule(1, 1000.0)  # key collision: peak never reached
    assert abs(float(s(0)) - 1.6) < 1e-5
    check(s)
    assert float(sched.linear_onecycle_schedule(3, 1000.0)(0)) == 1000.0  # starts at the peak
    check(sched.cosine_onecycle_schedule(10, 1.0, pct_start=1.0))  # peak lost
    for T in (-2, 0):
        check(sched.polynomial_schedule(1.0, 0.1, 2.0, T))
        check(sched.exponential_decay(1.0, T, 0.5, end_value=0.2))
    check(sched.exponential_decay(1.0, 5, 0.0, transition_begin=2))  # rate 0: constant
    # ceiling (dense steps only: rate**count overflows before the ceiling at 2**31, see the report)
    check(sched.exponential_decay(1.0, 5, 2.0, transition_begin=-4, end_value=3.0), None, np.arange(80))
    check(sched.polynomial_schedule(1.0, 0.1, 0.0, 10))  # power 0
    check(sched.linear_schedule(1.0, 0.0, 2.5, transition_begin=-3))  # float T, B < 0
    check(sched.cosine_decay_schedule(2.0, 4, alpha=1.5))  # alpha > 1 rises
    check(sched.cosine_decay_schedule(1.0, 0.5))  # T < 1 is fine in optax
    check(sched.warmup_exponential_decay_schedule(0.0, 1.0, 2, 0, 0.5))  # piece falls back
    check(sched.piecewise_interpolate_schedule("cosine", 1.0, {0: 3.0, 4: 0.5}))  # boundary 0
    check(sched.piecewise_constant_schedule(0.1, {}))
    check(sched.piecewise_interpolate_schedule("linear", 0.1, None))


def _x64(build, ks: np.ndarray) -> np.ndarray:
    """An optax schedule built and evaluated with float64 enabled."""
    with jax.enable_x64(True):
        fn = build()
        return np.array([float(fn(jnp.asarray(k, jnp.int64))) for k in ks])


def test_sgdr_and_join_match_optax() -> None:
    kws = [
        dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=4),
        dict(init_value=0.1, peak_value=0.5, warmup_steps=0, decay_steps=7, end_value=0.05, exponent=2.0),
        dict(init_value=0.0, peak_value=0.25, warmup_steps=3, decay_steps=9),
    ]
    check(sched.sgdr_schedule(kws), lambda ks: _x64(lambda: optax.sgdr_schedule(kws), ks), np.arange(30))
    a, b, c = (
        sched.linear_schedule(1.0, 0.0, 5),
        sched.cosine_decay_schedule(2.0, 6),
        sched.constant_schedule(0.3),
    )

    def oa():
        return optax.linear_schedule(1.0, 0.0, 5)

    def ob():
        return optax.cosine_decay_schedule(2.0, 6)

    def oc():
        return optax.constant_schedule(0.3)

    for bounds in ([3, 8], [3], [3, 8, 12]):  # exact, too few, too many (zip semantics)
        check(
            sched.join_schedules([a, b, c], bounds),
            lambda ks, bounds=bounds: _x64(lambda: optax.join_schedules([oa(), ob(), oc()], bounds), ks),
            np.arange(20),
        )


# -- hypothesis: drawn configurations, including the quirky regions ---------------------------------------

vals = st.floats(0.0, 10.0, allow_nan=False, width=32)
pos = st.floats(2.0**-10, 10.0, allow_nan=False, width=32)
steps_i = st.integers(-5, 60)


@st.composite
def configs(draw: st.DrawFn) -> jaxsched.Schedule:
    name = draw(st.sampled_from(SCHEDULE_NAMES))
    if name == "constant_schedule":
        return sched.constant_schedule(draw(vals))
    if name in ("polynomial_schedule", "linear_schedule"):
        kw = dict(
            init_value=draw(vals),
            end_value=draw(vals),
            transition_steps=draw(steps_i),
            transition_begin=draw(st.integers(-5, 20)),
        )
        if name == "polynomial_schedule":
            kw["power"] = draw(st.floats(0.0, 4.0, width=32))
        return getattr(sched, name)(**kw)
    if name == "exponential_decay":
        return sched.exponential_decay(
            draw(pos),
            draw(steps_i),
            draw(st.sampled_from([0.0, 0.5, 0.9, 1.0, 1.5])),
            draw(st.integers(-5, 20)),
            draw(st.booleans()),
            draw(st.none() | pos),
        )
    if name == "cosine_decay_schedule":
        return sched.cosine_decay_schedule(
            draw(vals),
            draw(st.integers(1, 60)),
            draw(st.floats(0.0, 1.5, width=32)),
            draw(st.floats(0.0, 3.0, width=32)),
        )
    if name == "warmup_constant_schedule":
        return sched.warmup_constant_schedule(draw(vals), draw(vals), draw(steps_i))
    if name == "warmup_cosine_decay_schedule":
        w = draw(st.integers(-3, 30))
        return sched.warmup_cosine_decay_schedule(
            draw(vals),
            draw(st.sampled_from([0.0, 1.0, 2.5])),
            w,
            w + draw(st.integers(1, 40)),
            draw(vals),
            draw(st.floats(0.5, 3.0, width=32)),
        )
    if name == "warmup_exponential_decay_schedule":
        return sched.warmup_exponential_decay_schedule(
            draw(vals),
            draw(pos),
            draw(st.integers(0, 20)),
            draw(steps_i),
            draw(st.sampled_from([0.0, 0.5, 0.8, 1.2])),
            draw(st.integers(-3, 10)),
            draw(st.booleans()),
            draw(st.none() | pos),
        )
    if name in ("piecewise_constant_schedule", "piecewise_interpolate_schedule"):
        bs = draw(st.dictionaries(st.integers(0, 50), st.floats(0.0, 3.0, width=32), max_size=4))
        if name == "piecewise_constant_schedule":
            return sched.piecewise_constant_schedule(draw(pos), bs)
        return sched.piecewise_interpolate_schedule(
            draw(st.sampled_from(["linear", "cosine"])), draw(pos), bs
        )
    T = draw(st.integers(1, 60))
    if name == "linear_onecycle_schedule":
        a = draw(st.floats(0.0, 1.0))
        return sched.linear_onecycle_schedule(
            T, draw(pos), a, draw(st.floats(a, 1.0)), draw(st.floats(1.0, 50.0)), draw(st.floats(1.0, 1e4))
        )
    return sched.cosine_onecycle_schedule(
        T, draw(pos), draw(st.floats(0.0, 1.0)), draw(st.floats(1.0, 50.0)), draw(st.floats(1.0, 1e4))
    )


@given(configs())
def test_drawn_configs_match_optax(s: jaxsched.Schedule) -> None:
    check(s, steps=np.arange(90))


# -- the jaxsched side: config, pickle, vmap, errors --------------------------------------------------------


@pytest.mark.parametrize("name", SCHEDULE_NAMES)
def test_config_pickle_roundtrip(name: str) -> None:
    cls = getattr(sched, name)
    for ex in cls.examples:
        s = cls(**ex)
        assert jaxsched.from_config(s.to_config()) == s
        assert pickle.loads(pickle.dumps(s)) == s


def test_sgdr_config_roundtrip() -> None:
    s = sched.sgdr_schedule([dict(init_value=0.0, peak_value=1.0, warmup_steps=1, decay_steps=4)] * 2)
    assert jaxsched.from_config(s.to_config()) == s


def test_vmap_over_stacked_schedules_including_peak() -> None:
    peaks = [0.0, 1.0, 2.0]
    batch = [sched.warmup_cosine_decay_schedule(0.0, p, 2, 10, end_value=0.1) for p in peaks]
    stacked = jax.tree.map(lambda *x: jnp.stack([jnp.asarray(y, jnp.float32) for y in x]), *batch)
    got = jax.vmap(lambda s: s(5))(stacked)
    want = [optax.warmup_cosine_decay_schedule(0.0, p, 2, 10, end_value=0.1)(5) for p in peaks]
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)
    ones = [sched.linear_onecycle_schedule(20, p) for p in (1.0, 3.0)]
    stacked = jax.tree.map(lambda *x: jnp.stack([jnp.asarray(y, jnp.float32) for y in x]), *ones)
    np.testing.assert_allclose(
        np.asarray(jax.vmap(lambda s: s(7))(stacked)),
        [float(optax.linear_onecycle_schedule(20, p)(7)) for p in (1.0, 3.0)],
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: sched.cosine_decay_schedule(1.0, 0), "decay_steps"),
        (lambda: sched.warmup_cosine_decay_schedule(0.0, 1.0, 4, 4), "decay_steps"),
        (lambda: sched.exponential_decay(1.0, 10, -0.5), "decay_rate"),
        (lambda: sched.polynomial_schedule(1.0, 0.0, -1.0, 10), "power"),
        (lambda: sched.piecewise_constant_schedule(1.0, {3: -1.0}), "boundaries_and_scales"),
        (lambda: sched.piecewise_interpolate_schedule("Linear", 1.0, {3: 1.0}), "interpolate_type"),
        (lambda: sched.linear_onecycle_schedule(0, 1.0), "transition_steps"),
        (lambda: sched.cosine_onecycle_schedule(-3, 1.0), "transition_steps"),
        (lambda: sched.cosine_onecycle_schedule(10, 1.0, pct_start=-0.5), "pct_start"),
        (lambda: sched.linear_schedule(1.0, 0.0, float("nan")), "transition_steps"),
        (
            lambda: sched.sgdr_schedule(
                [{"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 5, "decay_steps": 5}]
            ),
            "cosine_kwargs[0].decay_steps",
        ),
    ],
)
def test_bad_input_names_the_argument(make, argument: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert str(info.value).startswith(argument), str(info.value)


def test_optax_raises_where_we_raise() -> None:
    """Where optax itself raises, so do we (same condition, our message names the argument)."""
    for make in (
        lambda m: m.cosine_decay_schedule(1.0, 0),
        lambda m: m.linear_onecycle_schedule(0, 1.0),
        lambda m: m.piecewise_interpolate_schedule("Linear", 1.0),
        lambda m: m.piecewise_constant_schedule(1.0, {3: -1.0}),
    ):
        with pytest.raises(ValueError):
            make(optax)
        with pytest.raises(ValueError):
            make(sched)
    with pytest.raises(ValueError):
        optax.warmup_cosine_decay_schedule(0.0, 1.0, 4, 4)(5)
