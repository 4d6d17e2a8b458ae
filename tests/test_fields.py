"""Field roles (jaxsched/_fields.py): normalisation of every input type, exact carriage across JAX, checks
that run for every class of a hierarchy. Each reported case of issue 11 is a regression test here; the
classes they belong to are covered registry-wide by tests/test_contract.py."""

from __future__ import annotations

import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import _fields as fl
from jaxsched._core import Schedule
from jaxsched._numerics import MAX_STEP, Split


def test_cross_argument_checks_run_on_numpy_scalars():
    # issue 11: accepted with NumPy ints (refused with Python ints); dropped from 0.9989 to 0.2.
    with pytest.raises(ValueError, match="warmup_steps"):
        jaxsched.warmup_stable_decay(1.0, 900, np.int64(1000), np.int64(500))
    with pytest.raises(ValueError, match="pct_start"):
        jaxsched.one_cycle(np.int64(100), 1.0, pct_start=0.005)
    with pytest.raises(ValueError, match="pct_start"):
        jaxsched.one_cycle(100, 1.0, pct_start=np.float32(0.005))
    with pytest.raises(ValueError, match="cooldown_steps"):
        jaxsched.inverse_sqrt_cooldown(1.0, 300, np.int64(1000), 800)
    with pytest.raises(ValueError, match="cooldown_steps"):
        jaxsched.inverse_sqrt_cooldown(1.0, jnp.int32(300), 1000, jnp.int32(800))


@pytest.mark.parametrize("bad", [np.array([]), np.array([0.1, 0.2]), jnp.zeros((0,)), jnp.ones((2,)), [0.1]])
def test_scalar_fields_refuse_empty_and_multi_element_arrays(bad):
    with pytest.raises((ValueError, TypeError), match="value"):
        jaxsched.constant(bad)
    with pytest.raises((ValueError, TypeError), match="exponent"):
        jaxsched.cosine_decay(1.0, 10, exponent=bad)


def test_numpy_and_jax_scalars_normalise_to_python():
    a = jaxsched.cosine_decay(np.float32(0.5), np.int64(100), alpha=jnp.float32(0.25))
    b = jaxsched.cosine_decay(0.5, 100, alpha=0.25)
    assert a == b and hash(a) == hash(b) and repr(a) == repr(b)
    assert type(a.init_value) is float and type(a.decay_steps) is int and type(a.alpha) is float


def test_equal_schedules_hash_equal():
    # issue 11: constant(1) == constant(1.0) but their hashes differed.
    assert jaxsched.constant(1) == jaxsched.constant(1.0)
    assert len({jaxsched.constant(1), jaxsched.constant(1.0), jaxsched.constant(np.float64(1.0))}) == 1


def test_decay_rate_exact_as_jit_argument_and_after_device_put():
    # issue 11: 4.97e-3 off at step 3e5 as a jit argument and after device_put (even .numpy()).
    s = jaxsched.exponential_decay(1.0, 1, 0.9999)
    exact = 0.9999**300_000
    closure = float(s(300_000))
    argument = float(jax.jit(lambda sched, k: sched(k))(s, 300_000))
    dev = jax.device_put(s)
    assert dev == s and hash(dev) == hash(s)
    for got in (closure, argument, float(dev(300_000))):
        assert got == pytest.approx(exact, rel=1e-6)
    assert dev.numpy(300_000) == s.numpy(300_000)
    assert s.numpy(300_000) == pytest.approx(exact, rel=1e-12)


def test_split_holds_every_bit_of_a_float64():
    for x in (0.9999, 0.1, 1e-20, 3e5 + 1e-9, 123456789.123456789, 1e30):
        sp = Split.of(x, x64=False)
        assert sp.hi.dtype == np.float32 and sp.host() == x


def test_huge_python_ints_are_refused_or_work_everywhere():
    # issue 11: fine in the closure, OverflowError as a jit argument or after device_put.
    with pytest.raises(ValueError, match=r"warmup_steps.*2\*\*31 - 1"):
        jaxsched.warmup_constant(0.0, 1.0, 2**40)
    s = jaxsched.cosine_decay(1000.0, 10**10)  # a fractional-capable duration may be huge (optax's test)
    want = 1000.0 * 0.5 * (1 + np.cos(np.pi * 1e9 / 1e10))
    for got in (s(10**9), jax.jit(lambda a, k: a(k))(s, 10**9), jax.device_put(s)(10**9), s.numpy(10**9)):
        assert float(got) == pytest.approx(want, rel=1e-6)


def test_every_check_init_of_the_hierarchy_runs():
    # issue 11: a subclass that forgot super().__check_init__() accepted decay_steps=-5.
    class Base(Schedule):
        decay_steps: int = fl.steps(minimum=0)
        calls: list = fl.static(default=None)  # type: ignore[assignment]

        def __check_init__(self) -> None:
            if self.decay_steps == 7:
                raise ValueError("decay_steps: 7 is refused by the base")

    class Child(Base):
        def __check_init__(self) -> None:  # no super() call: the base check must still run
            pass

    with pytest.raises(ValueError, match="decay_steps"):
        Child(decay_steps=-5)
    with pytest.raises(ValueError, match="refused by the base"):
        Child(decay_steps=7)


def test_a_field_without_a_role_is_refused_at_class_creation():
    with pytest.raises(TypeError, match="declares no role"):

        class Bad(Schedule):
            x: float = 1.0


def test_stacked_schedule_has_no_config():
    # issue 12 item 13: from_config(stacked.to_config())(50) failed late; now to_config refuses.
    s = jaxsched.linear(1.0, 0.0, 100)
    stacked = jax.tree.map(lambda *x: jnp.stack(x), s, s.replace(init_value=2.0))
    with pytest.raises(TypeError, match="stacked"):
        stacked.to_config()


@given(st.floats(1e-30, 1e30), st.integers(0, MAX_STEP))
def test_pickle_and_device_put_keep_values(value, steps_):
    s = jaxsched.linear(value, 0.0, max(steps_, 1))
    assert pickle.loads(pickle.dumps(s)) == s
    d = jax.device_put(s)
    assert d == s and hash(d) == hash(s)
    np.testing.assert_array_equal(d.numpy([0, steps_ // 2]), s.numpy([0, steps_ // 2]))
