"""Fuzzed construction of every registered schedule: native catalog, combinators and ports.

- Valid arguments (tests/strategies.py) never give NaN or inf, and native schedules never a negative value,
  at any step: edges, int32's end, far beyond it, negative, fractional; through ``s(...)`` (Python ints,
  int64/object NumPy arrays, int32/float32 JAX arrays) and ``s.numpy(...)``.
- Invalid arguments raise ValueError/TypeError at construction whose message starts with the argument.
- ``from_config`` on malformed configs raises ValueError/TypeError (``ConfigError`` included) naming the
  key or path.

The number of cases tried is printed at the end of the module (``test_fuzz: N cases tried ...``).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

import jaxsched
import jaxsched.compat
from jaxsched import MAX_STEP
from tests import strategies as strat


def _import_compat() -> dict[str, str]:
    """Import every ``jaxsched.compat`` module (ports register on import); return the failures."""
    errors = {}
    for info in pkgutil.iter_modules(jaxsched.compat.__path__):
        try:
            importlib.import_module(f"jaxsched.compat.{info.name}")
        except Exception as err:  # reported by test_every_compat_module_imports
            errors[info.name] = f"{type(err).__name__}: {err}"
    return errors


COMPAT_IMPORT_ERRORS = _import_compat()
REGISTRY = jaxsched.registry()
NATIVE = sorted(n for n in REGISTRY if not n.startswith("compat."))
PORTS = sorted(n for n in REGISTRY if n.startswith("compat."))
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _count_cases(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    total = sum(CASES.values())
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(CASES.items()))
    line = f"test_fuzz: {total} cases tried ({detail}); {len(NATIVE)} native, {len(PORTS)} ports"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(line)


# -- evaluation everywhere ----------------------------------------------------------------------------


def _evaluations(s: jaxsched.Schedule, ints: np.ndarray, floats: list[float]) -> dict[str, np.ndarray]:
    """The schedule at the given steps through each input path of ``__call__`` and ``numpy``: Python
    ints of any size (normalised on the host), an int32 JAX array (as optax passes its count), host
    floats (NaN and inf included) and a float32 JAX array."""
    as_ints = np.asarray([int(x) for x in ints] + [MAX_STEP, 2**80], dtype=object)
    i32 = np.clip(as_ints, -(2**31), MAX_STEP).astype(np.int32)
    fl = np.asarray(strat.fixed_size(list(floats), strat.FLOAT_STEP_COUNT), dtype=np.float64)
    # A NaN step only has a meaning on the host (normalised to 0): a JAX float array gets none.
    with np.errstate(over="ignore"):
        f32 = jnp.asarray(np.nan_to_num(fl, nan=0.0, posinf=np.inf, neginf=-np.inf).astype(np.float32))
    return {
        "s(python ints)": np.asarray(s(as_ints)),
        "s(int32 jax array)": np.asarray(s(jnp.asarray(i32))),
        "s(float64 ndarray)": np.asarray(s(fl)),
        "s(float32 jax array)": np.asarray(s(f32)),
        "s.numpy(python ints)": s.numpy(as_ints),
        "s.numpy(int64 ndarray)": s.numpy(i32.astype(np.int64)),
        "s.numpy(floats)": s.numpy(fl),
    }


def check_everywhere(
    s: jaxsched.Schedule, ints: np.ndarray, floats: list[float], *, nonnegative: bool, agree: bool = False
) -> None:
    """Finite (and non-negative) everywhere; with ``agree``, the JAX float32 values at integer steps match
    the NumPy float64 ones to float32 accuracy (relative to the largest value seen)."""
    outs = _evaluations(s, ints, floats)
    for where, out in outs.items():
        assert np.issubdtype(out.dtype, np.floating), (where, out.dtype, s)
        assert np.isfinite(out).all(), f"{s!r}: {where} is not finite: {out}"
        if nonnegative:
            assert (out >= 0).all(), f"{s!r}: {where} is negative: {out}"
    if agree:
        f32, f64 = outs["s(int32 jax array)"], outs["s.numpy(int64 ndarray)"]
        steps = np.clip(
            np.asarray([int(x) for x in ints] + [MAX_STEP, 2**80], dtype=object), 0, MAX_STEP
        ).astype(np.int64)
        scale = max(float(np.max(np.abs(f64), initial=0.0)), _value_scale(s))
        keep = steps <= _agreement_limit(s)
        f32, f64, steps = f32[keep], f64[keep], steps[keep]
        bad = np.abs(f32 - f64) > 1e-4 * scale + 1e-5 * np.abs(f64)
        assert not bad.any(), (
            f"{s!r}: JAX float32 and NumPy float64 disagree at steps {steps[bad]}: {f32[bad]} vs {f64[bad]}"
        )


def _value_scale(s: jaxsched.Schedule) -> float:
    """The largest magnitude among the value arguments of ``s`` and the schedules inside it: float32
    rounds a formula's intermediate values to about eps times that."""
    import dataclasses

    kinds = strat.FIELDS.get(s.config_name, {})
    out = 0.0
    for f in dataclasses.fields(s):  # type: ignore[arg-type]
        v = getattr(s, f.name)
        for x in v if isinstance(v, tuple | list) else (v,):
            if isinstance(x, jaxsched.Schedule):
                out = max(out, _value_scale(x))
            elif kinds.get(f.name, "").startswith("value") and isinstance(x, int | float):
                out = max(out, abs(float(x)))
    return out


def _agreement_limit(s: jaxsched.Schedule) -> int:
    """The last step up to which float32 must match float64: every step, or none (-1) when a duration,
    boundary or key step is fractional (float32 rounds the duration itself) or reaches 2**30 (float32
    rounds it, or a phase ending past int32's last step is cut there: test_phase_ending_past_int32)."""
    import dataclasses

    kinds = strat.FIELDS.get(s.config_name, {})
    limit = MAX_STEP if max(s.key_steps()) < 2**30 else -1
    for f in dataclasses.fields(s):  # type: ignore[arg-type]
        v = getattr(s, f.name)
        for x in v if isinstance(v, tuple | list) else (v,):
            if isinstance(x, jaxsched.Schedule):
                limit = min(limit, _agreement_limit(x))
                continue
            kind = kinds.get(f.name, "")
            if kind.startswith("steps") or kind in ("mult", "shift"):
                if isinstance(x, float) and not x.is_integer():
                    return -1
                if isinstance(x, int | float) and abs(x) >= 2**30:
                    return -1
    return limit


def test_numpy_takes_python_lists_like_arrays() -> None:
    s = jaxsched.constant(1.0)
    np.testing.assert_array_equal(s.numpy([2**70, 3]), s.numpy(np.asarray([2**70, 3], dtype=object)))
    np.testing.assert_array_equal(s.numpy([0.5, float("nan")]), [1.0, 1.0])


def test_piecewise_interpolate_has_a_config() -> None:
    """Regression: its to_config was PiecewiseConstant's, whose zero-argument super() failed."""
    s = jaxsched.piecewise_interpolate("cosine", 1.0, {5: 0.5})
    assert jaxsched.from_config(s.to_config()) == s


def test_growth_with_ceiling_is_quiet() -> None:
    """Regression: decay_rate > 1 with an end_value ceiling overflowed in NumPy (a RuntimeWarning)."""
    s = jaxsched.exponential_decay(1.0, transition_steps=1, decay_rate=2.0, end_value=5.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(s.numpy([0, 1, 2, 3, 2000, MAX_STEP]), [1, 2, 4, 5, 5, 5])
    np.testing.assert_array_equal(np.asarray(s(np.asarray([0, 1, 2, 3, 2000, MAX_STEP]))), [1, 2, 4, 5, 5, 5])


def test_decay_power_is_never_nan() -> None:
    rate = 0.2540640977775623  # float32(rate) > rate, so the correction factor grows with k
    steps = jnp.asarray([10, 2**20, MAX_STEP], dtype=jnp.int32)
    for s in (
        jaxsched.step_decay(3.0, step_size=1, decay_rate=rate),
        jaxsched.exponential_decay(3.0, transition_steps=1, decay_rate=rate),
    ):
        np.testing.assert_allclose(
            np.asarray(s(steps)), s.numpy(np.asarray(steps)), rtol=1e-5, err_msg=repr(s)
        )


def test_cyclic_last_partial_cycle_under_int32() -> None:
    s = jaxsched.cyclic(1e-4, 1e-3, step_size_up=1000, step_size_down=3001)
    steps = np.asarray([MAX_STEP - 2911 + 1500, MAX_STEP - 2, MAX_STEP])  # MAX_STEP % 4001 == 2911
    np.testing.assert_allclose(np.asarray(s(jnp.asarray(steps, jnp.int32))), s.numpy(steps), rtol=1e-5)


def test_phase_ending_past_int32() -> None:
    cases = [
        jaxsched.polynomial(1.0, 0.0, power=2.0, transition_steps=1000, transition_begin=MAX_STEP),
        jaxsched.linear(1.0, 0.0, transition_steps=MAX_STEP - 1, transition_begin=472230),
        jaxsched.step_decay(1.0, step_size=MAX_STEP, decay_rate=0.5),
        # Was NaN: decay_steps - warmup_steps is 0 in float32 (both round to 2**31).
        jaxsched.warmup_linear_decay(0.0, 1.0, warmup_steps=MAX_STEP - 1, decay_steps=MAX_STEP),
        jaxsched.warmup_cosine_decay(0.0, 1.0, warmup_steps=MAX_STEP - 1, decay_steps=MAX_STEP),
    ]
    for s in cases:
        steps = np.asarray([472231, MAX_STEP])
        np.testing.assert_allclose(
            np.asarray(s(jnp.asarray(steps, jnp.int32))), s.numpy(steps), rtol=1e-5, err_msg=repr(s)
        )


def test_rising_polynomial_tail_in_float32() -> None:
    """Regression: the rising branch took 1 - since(B)/T instead of the exact until(end)/T."""
    s = jaxsched.polynomial(
        1374.437364401138, 9735.306324674053, power=1 / 3, transition_steps=20029951, transition_begin=123666
    )
    steps = np.asarray([20153616, 20153615, 20153000])
    np.testing.assert_allclose(np.asarray(s(jnp.asarray(steps, jnp.int32))), s.numpy(steps), rtol=2e-6)


# -- coverage of the strategies -----------------------------------------------------------------------


def test_every_compat_module_imports() -> None:
    assert not COMPAT_IMPORT_ERRORS, COMPAT_IMPORT_ERRORS


def test_every_native_schedule_has_strategies() -> None:
    """A native schedule (or argument) added to the catalog must be added to tests/strategies.py."""
    assert set(NATIVE) == set(strat.VALID), sorted(set(NATIVE) ^ set(strat.VALID))
    assert set(NATIVE) == set(strat.FIELDS), sorted(set(NATIVE) ^ set(strat.FIELDS))
    import dataclasses

    for name in NATIVE:
        fields = {f.name for f in dataclasses.fields(REGISTRY[name]) if f.init}  # type: ignore[arg-type]
        assert fields == set(strat.FIELDS[name]), (name, sorted(fields ^ set(strat.FIELDS[name])))


# -- native: valid arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NATIVE)
@settings(max_examples=max(10, settings().max_examples // 2))  # (each example compiles four programs)
@given(data=st.data())
def test_valid_native_is_finite_and_nonnegative(name: str, data: st.DataObject) -> None:
    kwargs = data.draw(strat.VALID[name], label="kwargs")
    s = REGISTRY[name](**kwargs)
    note(repr(s))
    ints = strat.steps_around(s, data.draw(strat.int_steps, label="steps"))
    floats = data.draw(strat.float_steps, label="float steps")
    check_everywhere(s, ints, floats, nonnegative=True, agree=True)
    # The config round trip (through JSON text) gives an equal schedule.
    assert jaxsched.from_config(json.loads(json.dumps(s.to_config()))) == s
    CASES["native valid"] += 1


@pytest.mark.parametrize("name", NATIVE)
def test_examples_evaluate_under_jit(name: str) -> None:
    """Validation happens at construction: nothing is left to raise (or go non-finite) inside ``jit``."""
    cls = REGISTRY[name]
    steps = jnp.asarray([0, 1, 2**24 + 1, MAX_STEP - 1, MAX_STEP], dtype=jnp.int32)
    for example in cls.examples:
        s = jaxsched.from_config({"name": name, **example})
        out = np.asarray(jax.jit(lambda sched, k: sched(k))(s, steps))
        # XLA may fuse a jitted formula differently from eager dispatch: a few ulps.
        np.testing.assert_allclose(out, np.asarray(s(steps)), rtol=1e-6, atol=1e-12)
        assert np.isfinite(out).all() and (out >= 0).all(), (s, out)
        CASES["native examples under jit"] += 1


# -- native: invalid arguments --------------------------------------------------------------------------


def _assert_names(err: BaseException, argument: str, what: Any) -> None:
    assert isinstance(err, ValueError | TypeError), (what, err)
    assert type(err).__module__.split(".")[0] not in ("jax", "jaxlib"), f"{what}: JAX raised: {err!r}"
    assert strat.names_argument(str(err), argument), f"{what}: message not led by {argument!r}: {err}"


@pytest.mark.parametrize("name", NATIVE)
@given(data=st.data())
def test_invalid_native_raises_naming_the_argument(name: str, data: st.DataObject) -> None:
    kwargs, field, bad = data.draw(strat.invalid_native(name), label="kwargs, field, bad value")
    with pytest.raises((ValueError, TypeError)) as info:
        REGISTRY[name](**kwargs)
    _assert_names(info.value, field, f"{name}({field}={bad!r})")
    CASES["native invalid"] += 1


CROSS_CASES = [(name, kw, arg) for name, cases in sorted(strat.CROSS.items()) for kw, arg in cases]


@pytest.mark.parametrize(
    ("name", "kwargs", "argument"), CROSS_CASES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CROSS_CASES)]
)
def test_invalid_combination_raises_naming_the_argument(
    name: str, kwargs: dict[str, Any], argument: str
) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        REGISTRY[name](**kwargs)
    _assert_names(info.value, argument, f"{name}({kwargs})")
    CASES["native invalid combination"] += 1


# -- from_config on malformed configs ----------------------------------------------------------------

MUTATIONS = (
    "missing",
    "extra",
    "unknown name",
    "name type",
    "no name",
    "wrong value",
    "not a mapping",
    "nested",
)


@given(data=st.data())
def test_malformed_config_raises(data: st.DataObject) -> None:
    import dataclasses

    name = data.draw(st.sampled_from(NATIVE), label="name")
    cfg = REGISTRY[name](**data.draw(strat.VALID[name], label="kwargs")).to_config()
    mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
    config: Any = dict(cfg)
    expect_start: str | None = None  # the message must start with this
    expect_in: str | None = None  # or contain this
    if mutation == "missing":
        required = [
            f.name
            for f in dataclasses.fields(REGISTRY[name])
            if f.init  # type: ignore[arg-type]
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        assume(required)  # (every argument of radam_warmup has a default)
        key = data.draw(st.sampled_from(required))
        del config[key]
        expect_in = key
    elif mutation == "extra":
        key = data.draw(st.sampled_from(["bogus", "learning_rate", "optimizer", "Name"]))
        config[key] = data.draw(st.sampled_from([1, "x", None]))
        expect_in = key
    elif mutation == "unknown name":
        config["name"] = data.draw(
            st.sampled_from(
                ["no_such_schedule", "Linear", "compat.torch.NoSuchLR", "compat.nolib.Thing", "compat.", ""]
            )
        )
        expect_start = "name"
    elif mutation == "name type":
        config["name"] = data.draw(st.sampled_from([5, None, ["linear"], {"a": 1}]))
        expect_start = "name"
    elif mutation == "no name":
        del config["name"]
        expect_in = "name"
    elif mutation == "wrong value":
        field = data.draw(st.sampled_from(sorted(strat.FIELDS[name])))
        bad = data.draw(st.sampled_from(strat.bad_values(strat.FIELDS[name][field])))
        if isinstance(bad, bytes | complex) or type(bad) is object:
            bad = "not a number"  # configs hold JSON/YAML values
        if isinstance(bad, str) and strat.FIELDS[name][field].startswith("steps"):
            bad = "not a duration"  # configs read "10", "10%", "2ep" ... as durations
        config[field] = bad
        expect_start = field
    elif mutation == "not a mapping":
        config = data.draw(st.sampled_from([[cfg], 5, None, 1.5, ("linear",)]))
        expect_start = "config"
    else:  # a malformed child inside a combinator
        child = {
            "name": "warmup_cosine_decay",
            "init_value": 0.0,
            "peak_value": 1.0,
            "warmup_steps": 10,
            "decay_steps": data.draw(st.sampled_from([5, -1, "abc", None])),
        }
        config = {"name": "join", "schedules": [{"name": "constant", "value": 1.0}, child], "boundaries": [3]}
        expect_start = "schedules[1]."
    note(f"{mutation}: {config!r}")
    with pytest.raises((ValueError, TypeError)) as info:
        jaxsched.from_config(config)
    msg = str(info.value)
    assert type(info.value).__module__.split(".")[0] not in ("jax", "jaxlib"), info.value
    if expect_start is not None:
        assert msg.startswith(expect_start), f"{mutation}: {msg!r} does not start with {expect_start!r}"
    if expect_in is not None:
        assert expect_in in msg, f"{mutation}: {msg!r} does not mention {expect_in!r}"
    CASES["malformed config"] += 1


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '{"name": "linear", "init_value": 1.0,'),
        (".json", "[1, 2]"),
        (".yaml", "name: linear\ninit_value: [1.0\n"),
        (".yaml", "name: linear\ninit_value: 1.0\nend_value: 0.0\ntransition_steps: -3\n"),
        (".yml", "- 1\n- 2\n"),
    ],
)
def test_malformed_config_file_raises(tmp_path: Any, suffix: str, text: str) -> None:
    path = tmp_path / f"cfg{suffix}"
    path.write_text(text)
    with pytest.raises((ValueError, TypeError)) as info:
        jaxsched.from_config(path)
    assert str(info.value).startswith((str(path), "transition_steps")), info.value
    with pytest.raises(jaxsched.ConfigError):
        jaxsched.from_config(tmp_path / "missing.json")
    CASES["malformed config"] += 2


# -- ports ----------------------------------------------------------------------------------------------
# Ports are built through from_config, as their examples may hold nested schedules as configs.


def _port_fields(cls: type[jaxsched.Schedule]) -> list[str]:
    import dataclasses

    return [f.name for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]


def _port(name: str, kwargs: dict[str, Any]) -> jaxsched.Schedule:
    return jaxsched.from_config({"name": name, **kwargs})


@pytest.mark.parametrize("name", PORTS)
def test_port_examples_are_finite_everywhere(name: str) -> None:
    cls = REGISTRY[name]
    assert cls.examples, f"{name} has no examples"
    for example in cls.examples:
        s = _port(name, example)
        check_everywhere(
            s, strat.steps_around(s, list(strat.EDGE_STEPS)), list(strat.EDGE_FLOAT_STEPS), nonnegative=False
        )
        CASES["port examples"] += 1


@pytest.mark.parametrize("name", PORTS)
@settings(max_examples=max(3, settings().max_examples // 8))  # (111 ports; each example compiles)
@given(data=st.data())
def test_perturbed_port_examples(name: str, data: st.DataObject) -> None:
    """Moved examples either construct a finite schedule or are rejected with a named argument."""
    cls = REGISTRY[name]
    _, kwargs = data.draw(strat.perturbed_example(cls), label="kwargs")
    try:
        s = _port(name, kwargs)
    except (ValueError, TypeError) as err:
        fields = _port_fields(cls)
        assert any(strat.names_argument(str(err), f) for f in fields), f"{name}({kwargs}): {err}"
        CASES["port rejected"] += 1
        return
    note(repr(s))
    ints = strat.steps_around(s, data.draw(strat.int_steps, label="steps"))
    check_everywhere(s, ints, data.draw(strat.float_steps, label="float steps"), nonnegative=False)
    CASES["port valid"] += 1


@pytest.mark.parametrize("name", PORTS)
def test_port_rejects_bad_numbers_and_modes(name: str) -> None:
    """Every numeric argument of every example rejects NaN, inf and strings; every string argument an
    unknown mode; each error names the argument."""
    cls = REGISTRY[name]
    for example in cls.examples:
        for field, good in example.items():
            if isinstance(good, bool) or good is None:
                continue
            if isinstance(good, int | float):
                bads: list[Any] = strat.PORT_BAD
            elif isinstance(good, str):
                bads = ["no-such-mode-xyz", 3]
            else:
                continue
            for bad in bads:
                with pytest.raises((ValueError, TypeError)) as info:
                    cls(**{**example, field: bad}) if not _nested(example) else _port(
                        name, {**example, field: bad}
                    )
                _assert_names(info.value, field, f"{name}({field}={bad!r})")
                CASES["port invalid"] += 1


def _nested(example: dict[str, Any]) -> bool:
    return any(isinstance(v, dict | list) for v in example.values())


def test_torch_one_cycle_with_a_huge_total() -> None:
    """Regression: epochs * steps_per_epoch past 2**31 - 1 overflowed (OverflowError) when evaluated; it is
    refused at construction, naming the argument the user gave."""
    with pytest.raises(ValueError) as info:
        _port("compat.torch.OneCycleLR", {"max_lr": 0.01, "epochs": 40_000, "steps_per_epoch": 250_000})
    _assert_names(info.value, "epochs", "OneCycleLR(epochs=40_000, steps_per_epoch=250_000)")
    assert "10000000000" in str(info.value)
    s = _port("compat.torch.OneCycleLR", {"max_lr": 0.01, "epochs": 8_589, "steps_per_epoch": 250_000})
    assert np.isfinite(np.asarray(s(np.asarray([0, MAX_STEP])))).all()


@pytest.mark.parametrize(
    "s",
    [
        jaxsched.warmup_linear_decay(0.0, 1e-30, warmup_steps=367, decay_steps=992, end_value=1e-8),
        jaxsched.warmup_cosine_decay(0.0, 1e-30, warmup_steps=367, decay_steps=992, end_value=1e-8),
        jaxsched.warmup_cosine_decay(
            0.0, 1e-30, warmup_steps=367, decay_steps=992, end_value=1e-8, k_decay=2.0, exponent=0.5
        ),
        jaxsched.cosine_restarts(1e-30, 100, end_value=1e-8, warmup_steps=10),
    ],
    ids=repr,
)
def test_rising_decay_from_a_tiny_peak(s: jaxsched.Schedule) -> None:
    """Regression: a "decay" that rises (end above peak) took end + (peak - end) * c, which cancels at the
    peak: -2e-17 (negative) at step 367 in float32, 0 instead of 1e-30 in float64."""
    steps = np.arange(0, 1000)
    f32, f64 = np.asarray(s(jnp.asarray(steps, jnp.int32))), s.numpy(steps)
    assert (f32 >= 0).all() and (f64 >= 0).all()
    np.testing.assert_allclose(f32, f64, rtol=2e-6, atol=0)
