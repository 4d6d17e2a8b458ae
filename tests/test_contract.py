"""One contract for every schedule: every registered class, with every one of its examples, on every path.

The registry is the source of truth: a new schedule or port is picked up here automatically, and cannot
land without passing. Paths: eager, ``jax.jit`` as a closure and as an argument, ``jax.device_put``,
``jax.vmap`` over a stack of the same schedule, ``jax_enable_x64``, pickle, the config round trip, NumPy.
Values: float64 paths equal, float32 paths within the accuracy contract of the NumPy value, finite and
non-negative everywhere. Value semantics: equality, hashing and ``repr`` agree across Python, NumPy and
device scalars. Construction: every argument normalised the same way from Python, NumPy and JAX scalars.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pickle
import pkgutil

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxsched
import jaxsched.compat
from jaxsched import _fields as fl
from jaxsched._numerics import MAX_STEP

# The contract jits every example on a traced step, which timm's epoch-clock ports rightly flag for users
# (tests/test_compat_timm_factory.py checks that warning); here the step is an index, as intended.
pytestmark = pytest.mark.filterwarnings("ignore::jaxsched.compat.timm.EpochClockWarning")


def _import_all_compat() -> dict[str, str]:
    """Import every port module (they register their classes); the failures, by module."""
    broken = {}
    for info in pkgutil.iter_modules(jaxsched.compat.__path__):
        if not info.name.startswith("_"):
            try:
                importlib.import_module(f"jaxsched.compat.{info.name}")
            except Exception as e:  # reported by test_every_port_module_imports, not at collection
                broken[info.name] = f"{type(e).__name__}: {e}"
    return broken


BROKEN = _import_all_compat()


def test_every_port_module_imports():
    assert not BROKEN


CASES = [(name, i) for name, cls in sorted(jaxsched.registry().items()) for i in range(len(cls.examples))]
CLASSES = sorted(jaxsched.registry())


def build(name: str, i: int) -> jaxsched.Schedule:
    cls = jaxsched.registry()[name]
    return jaxsched.from_config({"name": name, **cls.examples[i]})


def grid(s: jaxsched.Schedule) -> np.ndarray:
    keys = [k for k in s.key_steps() if k < 10**7][:40]
    near = {max(k + d, 0) for k in keys for d in (-2, -1, 0, 1, 2)}
    return np.array(sorted(near | set(range(0, 64)) | {10**5, 10**6, MAX_STEP - 1, MAX_STEP}), np.int64)


EVAL = jax.jit(lambda sched, k: sched(k))  # the schedule as a jit argument
# A stack of schedules under vmap; axis_size: a schedule whose fields are all static (RAdam's beta2, say)
# has no leaf to map over.
EVAL_STACK = jax.jit(lambda stacked, k: jax.vmap(lambda sched: sched(k), axis_size=2)(stacked))


def close32(got: np.ndarray, ref: np.ndarray) -> None:
    """The float32 accuracy contract, with an absolute floor relative to the curve's scale (ports that
    reproduce an original's own cancellation are held to the original's accuracy elsewhere)."""
    got = np.asarray(got, np.float64)
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    np.testing.assert_allclose(got, ref, rtol=2e-6, atol=1e-6 * scale + 1e-37)


def test_every_class_declares_roles_and_examples():
    for name, cls in jaxsched.registry().items():
        for f in dataclasses.fields(cls):
            assert isinstance(fl.role_of(f), fl.Role), (name, f.name)
        assert cls.examples, f"{name}: no examples (the contract, the parity job and the docs need one)"


@pytest.mark.parametrize(("name", "i"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_contract(name: str, i: int) -> None:
    s = build(name, i)
    steps = grid(s)
    ref = s.numpy(steps)
    assert ref.dtype == np.float64 and ref.shape == steps.shape
    chex.assert_tree_all_finite(ref)
    assert np.all(ref >= 0), f"negative value at step {steps[np.argmin(ref)]}"

    # jit as a closure (an eager call on concrete steps compiles the formula with the schedule closed
    # over, cached per schedule: the same program as jax.jit(lambda k: s(k))), jit as an argument,
    # device_put (the same compiled argument program: the structure and dtypes are the same).
    eager = np.asarray(s(steps))
    assert eager.dtype == np.float32
    close32(eager, ref)
    argument = np.asarray(EVAL(s, steps))
    close32(argument, ref)
    dev = jax.device_put(s)
    assert dev == s and hash(dev) == hash(s)
    np.testing.assert_array_equal(dev.numpy(steps), ref)  # the float64 path is exact after device_put
    close32(np.asarray(EVAL(dev, steps)), ref)

    # vmap over a stack of two copies (same structure).
    stacked = jax.tree.map(lambda *x: jnp.stack(x), s, s)
    chex.assert_trees_all_equal_structs(jax.tree.map(lambda x: x[0], stacked), s)
    both = np.asarray(EVAL_STACK(stacked, steps))
    close32(both[0], ref)
    close32(both[1], ref)

    # Pickle and config round trips: equal schedules with equal float64 values.
    back = pickle.loads(pickle.dumps(s))
    assert back == s and hash(back) == hash(s)
    np.testing.assert_array_equal(back.numpy(steps), ref)
    cfg = json.loads(json.dumps(s.to_config()))
    again = jaxsched.from_config(cfg)
    assert again == s and hash(again) == hash(s)
    np.testing.assert_array_equal(again.numpy(steps), ref)
    assert repr(s).startswith(s.config_name + "(")


@pytest.mark.parametrize(("name", "i"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_contract_x64(name: str, i: int) -> None:
    s = build(name, i)
    steps = grid(s)
    ref = s.numpy(steps)
    far = np.array([2**40, 2**62], np.int64)  # int64 steps saturate
    with jax.enable_x64(True):
        eager = np.asarray(s(steps))
        argument = np.asarray(EVAL(s, jnp.asarray(np.concatenate([steps, far]))))
    assert eager.dtype == np.float64
    np.testing.assert_allclose(eager, ref, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(argument[:-2], ref, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(argument[-2:], s.numpy([MAX_STEP, MAX_STEP]), rtol=1e-12, atol=1e-300)


def _variants(x: object) -> list[object]:
    """The same number as a Python, NumPy and JAX scalar (only where the conversion is exact)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return []
    out: list[object] = [np.asarray(x)[()]]
    if isinstance(x, int) and abs(x) <= MAX_STEP:
        out += [np.int64(x), jnp.int32(x)]
    elif isinstance(x, float) and float(np.float32(x)) == x:
        out += [np.float32(x), jnp.float32(x)]
    return out


@pytest.mark.parametrize(("name", "i"), CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_arguments_normalised_from_any_scalar_type(name: str, i: int) -> None:
    s = build(name, i)
    cls = type(s)
    roles = dict(cls._roles)
    for field in cls._init_fields:
        role = roles[field]
        if role.kind != "leaf":
            continue
        value = getattr(s, field)
        for other in _variants(value):
            t = s.replace(**{field: other})
            assert t == s and hash(t) == hash(s), (field, type(other))
            assert type(getattr(t, field)) is type(value), (field, type(other))


@pytest.mark.parametrize("name", CLASSES)
def test_scalar_fields_refuse_arrays_and_garbage(name: str) -> None:
    cls = jaxsched.registry()[name]
    if not cls.examples:
        pytest.fail(f"{name} has no example")
    s = build(name, 0)
    roles = dict(cls._roles)
    for field in cls._init_fields:
        role = roles[field]
        if role.kind != "leaf" or isinstance(role, fl.Seq | fl.Pairs):
            continue
        for bad in (np.array([]), np.array([1.0, 2.0]), [1.0], "1.0", True, float("nan"), 1j):
            with pytest.raises((ValueError, TypeError), match=field):
                s.replace(**{field: bad})
