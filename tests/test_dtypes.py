"""Dtypes and counters: half-precision parameters, ``hyperparam_dtype``, ``jax_enable_x64``, int32 saturation.

- bf16/fp16 parameters under ``optax.inject_hyperparams`` (with and without ``hyperparam_dtype``): a jaxsched
  LR is a strong array, so optax never casts it; it keeps one dtype after ``init`` and after every
  ``update`` (with or without ``params``), so ``lax.scan`` carries stay stable (the trap of
  shared/reference/optax.md section 2.1), and its values are the schedule's.
- ``jax_enable_x64`` off (here) and on (tests/_procs/x64.py in a new process): ``s(k)`` is float32 or
  float64 and matches ``s.numpy(k)`` to that precision.
- optax's int32 count saturates at ``2**31 - 1``: the updates there use the schedule's final value, never a
  wrapped (negative or step-0) one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jaxsched
from jaxsched import MAX_STEP

STEPS = np.asarray(
    [
        0,
        1,
        2,
        3,
        5,
        10,
        50,
        99,
        100,
        101,
        250,
        999,
        1000,
        1001,
        4000,
        12345,
        2**24 + 1,
        2**30,
        MAX_STEP - 1,
        MAX_STEP,
    ],
    dtype=np.int64,
)

COUNT_SCHEDULES: dict[str, jaxsched.Schedule] = {
    "warmup_cosine_decay": jaxsched.warmup_cosine_decay(
        0.0, 1e-3, warmup_steps=10, decay_steps=10_000, end_value=1e-5
    ),
    "cyclic": jaxsched.cyclic(1e-4, 1e-3, step_size_up=1000, step_size_down=3001),
    "exponential_decay": jaxsched.exponential_decay(
        1e-2, transition_steps=1000, decay_rate=0.5, end_value=1e-7
    ),
    "repeat(linear)": jaxsched.repeat(jaxsched.linear(1.0, 0.0, transition_steps=997), period=1000),
    "one_cycle": jaxsched.one_cycle(transition_steps=100_000, peak_value=1e-2),
}
"""Schedules whose values at ``2**31 - 3 .. 2**31 - 1`` differ from their value at step 0."""

SATURATION_START = MAX_STEP - 2


def _train_loss(p: Any) -> jax.Array:
    return jnp.sum(jnp.stack([jnp.sum((x.astype(jnp.float32) - 0.5) ** 2) for x in jax.tree.leaves(p)]))


def scan_lrs(
    s: jaxsched.Schedule,
    factory: Callable[..., optax.GradientTransformation],
    param_dtype: Any,
    hyperparam_dtype: Any,
    n: int,
    *,
    pass_params: bool = True,
) -> tuple[np.ndarray, str, str]:
    """``n`` updates under ``lax.scan``; returns the LR each used, the LR dtype and the parameter dtype.

    The scan itself checks that the carry (parameters and optimizer state, the injected LR included) keeps
    its dtypes from ``init`` through every ``update``.
    """
    opt = optax.inject_hyperparams(factory, hyperparam_dtype=hyperparam_dtype)(learning_rate=s)
    params = {"w": jnp.linspace(-1.0, 1.0, 8, dtype=param_dtype), "b": jnp.ones((), param_dtype)}
    state = opt.init(params)
    init_dtype = jaxsched.current(state).dtype

    def body(carry: Any, _: Any) -> tuple[Any, jax.Array]:
        p, st = carry
        grads = jax.grad(lambda q: _train_loss(q))(p)
        updates, st = opt.update(grads, st, p) if pass_params else opt.update(grads, st)
        return (optax.apply_updates(p, updates), st), jaxsched.current(st)

    (params, state), lrs = jax.lax.scan(body, (params, state), length=n)
    assert lrs.dtype == init_dtype
    for leaf in jax.tree.leaves(params):
        assert leaf.dtype == param_dtype
        assert bool(jnp.all(jnp.isfinite(leaf)))
    return (
        np.asarray(lrs.astype(jnp.float32) if lrs.dtype == jnp.bfloat16 else lrs),
        str(lrs.dtype),
        str(params["w"].dtype),
    )


def saturating_lrs(s: jaxsched.Schedule, updates: int = 5) -> tuple[np.ndarray, str]:
    """The LRs used by ``updates`` SGD updates starting from an optimizer state whose counts are at
    ``2**31 - 3`` (as after that many updates)."""
    from optax.schedules._inject import WrappedScheduleState

    opt = optax.inject_hyperparams(optax.sgd)(learning_rate=s)
    params = {"w": jnp.ones(3, jnp.float32)}
    state = opt.init(params)
    start = jnp.asarray(SATURATION_START, jnp.int32)
    state = state._replace(
        count=start, hyperparams_states={"learning_rate": WrappedScheduleState(count=start)}
    )
    step = jax.jit(lambda st: opt.update(params, st, params)[1])
    lrs = []
    for _ in range(updates):
        state = step(state)
        lrs.append(jaxsched.current(state))
    counts = (int(state.count), int(state.hyperparams_states["learning_rate"].count))
    assert counts == (MAX_STEP, MAX_STEP), counts
    return np.asarray(lrs), str(lrs[0].dtype)


# -- half precision -------------------------------------------------------------------------------------

HALF = [jnp.bfloat16, jnp.float16]


# b2 = 0.99: optax casts the injected b2 to the parameters' dtype, and bfloat16(0.999) == 1.0 makes Adam's
# bias correction 1 - b2**t zero (NaN parameters, with any learning rate).
_ADAMW, _ADAM = partial(optax.adamw, b2=0.99), partial(optax.adam, b2=0.99)
# hyperparam_dtype=float32 is exercised with sgd only: with adam, optax's float32 b1/b2 turn half-precision
# moments into float32 and break the scan carry, with any learning rate, scheduled or not (optax's trap).
_COMBOS = [
    pytest.param(h, f, id=f"{hid}-{fid}")
    for h, hid in ((None, "none"), ("param", "param"), (jnp.float32, "f32"))
    for f, fid in ((_ADAMW, "adamw"), (optax.sgd, "sgd"), (_ADAM, "adam"))
    if not (h is jnp.float32 and f is not optax.sgd)
]


@pytest.mark.parametrize("param_dtype", HALF, ids=["bf16", "fp16"])
@pytest.mark.parametrize(("hyperparam_dtype", "factory"), _COMBOS)
def test_half_precision_params_keep_the_schedule(
    param_dtype: Any, hyperparam_dtype: Any, factory: Any
) -> None:
    hd = param_dtype if hyperparam_dtype == "param" else hyperparam_dtype
    s = jaxsched.warmup_cosine_decay(0.0, 1e-3, warmup_steps=4, decay_steps=16, end_value=1e-7)
    n = 20
    # adam takes no params in update: the dtype the LR gets must not depend on whether params are passed.
    adamw = getattr(factory, "func", None) is optax.adamw
    lrs, lr_dtype, p_dtype = scan_lrs(s, factory, param_dtype, hd, n, pass_params=adamw)
    assert p_dtype == jnp.dtype(param_dtype).name
    # A jaxsched value is a strong float32 array: optax keeps it as it is, so the LR is not rounded to
    # the parameters' precision (1e-7 would be a subnormal in fp16; bf16 keeps 3 significant digits).
    assert lr_dtype == "float32"
    want = s.numpy(np.arange(n))
    np.testing.assert_allclose(lrs, want, rtol=float(jnp.finfo(jnp.float32).eps) * 4, atol=1e-12)
    assert lrs[-1] == np.float32(1e-7)


@pytest.mark.parametrize("param_dtype", HALF, ids=["bf16", "fp16"])
def test_half_precision_lr_with_and_without_params_in_update(param_dtype: Any) -> None:
    """The trap of optax.md 2.1: a weakly typed LR is bf16 after ``init`` but float32 after an ``update``
    without params. A jaxsched LR has one dtype in both."""
    s = jaxsched.cosine_decay(1e-3, decay_steps=10)
    opt = optax.inject_hyperparams(optax.adam)(learning_rate=s)
    params = {"w": jnp.ones(4, param_dtype)}
    state = opt.init(params)
    _, with_params = opt.update(params, state, params)
    _, without = opt.update(params, state)
    dtypes = {jaxsched.current(st).dtype for st in (state, with_params, without)}
    assert dtypes == {jnp.dtype(jnp.float32)}
    assert float(jaxsched.current(without)) == float(s(0)) == pytest.approx(1e-3, rel=1e-7)


@pytest.mark.parametrize("param_dtype", HALF, ids=["bf16", "fp16"])
def test_half_precision_schedule_values_inside_jit(param_dtype: Any) -> None:
    """Casting the LR to the parameter dtype (what a user may do) rounds it as that dtype rounds."""
    s = jaxsched.warmup_linear_decay(0.0, 3e-4, warmup_steps=100, decay_steps=1000, end_value=3e-6)
    steps = jnp.asarray(STEPS.clip(max=MAX_STEP).astype(np.int32))
    got = np.asarray(jax.jit(lambda k: s(k).astype(param_dtype))(steps).astype(jnp.float32))
    want = s.numpy(STEPS)
    eps = float(jnp.finfo(param_dtype).eps)
    np.testing.assert_allclose(got, want, rtol=eps, atol=float(jnp.finfo(param_dtype).smallest_normal))


# -- x64 off and on -----------------------------------------------------------------------------------------


def _native_examples() -> list[tuple[str, jaxsched.Schedule]]:
    out = []
    for name, cls in sorted(jaxsched.registry().items()):
        if not name.startswith("compat."):
            out += [
                (f"{name}[{i}]", jaxsched.from_config({"name": name, **ex}))
                for i, ex in enumerate(cls.examples)
            ]
    return out


def test_x64_off_gives_float32() -> None:
    assert not jax.config.read("jax_enable_x64"), "another test switched x64 on in this process"
    for key, s in _native_examples():
        got = s(jnp.asarray(STEPS.astype(np.int32)))
        assert got.dtype == jnp.float32, key
        want = s.numpy(STEPS)
        scale = float(np.max(np.abs(want)))
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6 * scale, err_msg=key)


@pytest.fixture(scope="module")
def x64_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests._procs import run_script

    out = tmp_path_factory.mktemp("x64")
    run_script("x64.py", out, env={"JAX_ENABLE_X64": "1"})
    return dict(json.loads((out / "x64.json").read_text()))


def test_x64_on_gives_float64_matching_numpy(x64_result: dict[str, Any]) -> None:
    examples = x64_result["examples"]
    assert set(examples) == {key for key, _ in _native_examples()}
    for key, r in examples.items():
        assert r["dtype"] == "float64", key
        assert r["err"] <= 1e-12, (key, r["err"])


def test_x64_on_inject_hyperparams_scan(x64_result: dict[str, Any]) -> None:
    s = jaxsched.warmup_cosine_decay(0.0, 1e-3, warmup_steps=3, decay_steps=12, end_value=1e-6)
    want = s.numpy(np.arange(16))
    for dtype in ("float32", "float64"):
        r = x64_result["scan"][dtype]
        assert r["param_dtype"] == dtype
        assert r["lr_dtype"] == "float64"  # the schedule's own dtype under x64, kept by optax
        np.testing.assert_allclose(r["lrs"], want, rtol=1e-12, atol=1e-18)


# -- int32 counter saturation -----------------------------------------------------------------------------


def _check_saturation(key: str, lrs: np.ndarray, rtol: float) -> None:
    s = COUNT_SCHEDULES[key]
    used = [SATURATION_START, MAX_STEP - 1, MAX_STEP, MAX_STEP, MAX_STEP]
    np.testing.assert_allclose(lrs, s.numpy(used), rtol=rtol, atol=1e-12, err_msg=key)
    assert lrs[-1] == lrs[-2] == lrs[-3]
    assert not np.isclose(lrs[-1], s.numpy(0)), f"{key}: the saturated count must not wrap to step 0"


@pytest.mark.parametrize("key", sorted(COUNT_SCHEDULES))
def test_saturated_count_gives_the_final_value(key: str) -> None:
    lrs, dtype = saturating_lrs(COUNT_SCHEDULES[key])
    assert dtype == "float32"
    _check_saturation(key, lrs, rtol=1e-5)


def test_saturated_count_under_x64(x64_result: dict[str, Any]) -> None:
    sat = x64_result["saturation"]
    assert set(sat) == set(COUNT_SCHEDULES)
    for key, r in sat.items():
        assert r["dtype"] == "float64"
        _check_saturation(key, np.asarray(r["lrs"]), rtol=1e-12)
