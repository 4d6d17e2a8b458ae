"""Configs: round trips of every registered schedule, units for durations, errors with paths/lines."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import jaxsched
from jaxsched import _config
from jaxsched._config import (
    ConfigError,
    Units,
    from_config,
    is_duration_field,
    parse_duration,
    save_config,
)

_config.import_all_ports()
EXAMPLES = [
    pytest.param(name, ex, id=f"{name}[{i}]")
    for name, cls in sorted(jaxsched.registry().items())
    for i, ex in enumerate(cls.examples)
]


def test_every_port_module_imports():
    assert _config.import_all_ports() == {}


def test_registry_has_examples_for_the_whole_catalog():
    # Every native schedule and combinator has at least one example to round-trip.
    native = [n for n in jaxsched.registry() if not n.startswith("compat.")]
    assert len(native) >= 27
    assert all(jaxsched.registry()[n].examples for n in native)


# -- round trips -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "example"), EXAMPLES)
def test_round_trip(name, example, tmp_path):
    s = from_config({"name": name, **example})
    assert type(s) is jaxsched.registry()[name]
    cfg = s.to_config()
    assert cfg["name"] == name
    text = json.dumps(cfg)  # JSON-serialisable
    again = from_config(json.loads(text))
    assert again == s
    assert again.to_config() == cfg
    steps = np.arange(0, 300, 7)
    np.testing.assert_array_equal(again.numpy(steps), s.numpy(steps))
    # Through files too.
    for suffix in ("json", "yaml"):
        path = tmp_path / f"s.{suffix}"
        save_config(s, path)
        assert from_config(path) == s
        assert from_config(str(path)) == s


def test_nested_combinators_round_trip():
    cfg = {
        "name": "clip", "min_value": 1e-6,
        "schedule": {"name": "join", "boundaries": [100],
                     "schedules": [
                         {"name": "linear", "init_value": 0.0, "end_value": 1e-3,
                          "transition_steps": 100},
                         {"name": "multiply", "schedules": [
                             {"name": "repeat", "period": 300,
                              "schedule": {"name": "cosine_decay", "init_value": 1e-3,
                                           "decay_steps": 300}},
                             {"name": "exponential_decay", "init_value": 1.0,
                              "transition_steps": 300, "decay_rate": 0.5}]}]},
    }
    s = from_config(cfg)
    assert from_config(s.to_config()) == s
    assert from_config(json.loads(json.dumps(s.to_config()))) == s
    # The value at step 100 + 300 + 150: half-way into the second cosine period, one halving.
    assert math.isclose(float(s.numpy(550)), 1e-3 * 0.5 * 0.5 ** 1.5, rel_tol=1e-12)


# -- units -------------------------------------------------------------------------------------------

U = Units(total_steps=1000, steps_per_epoch=50, tokens_per_step=4096)


@pytest.mark.parametrize(("text", "steps"), [
    (7, 7), (7.5, 7.5), ("7", 7), ("120steps", 120), ("120 steps", 120), ("3ba", 3), ("9iter", 9),
    ("10%", 100), ("2.5%", 25), ("0.25dur", 250), ({"fraction": 0.1}, 100), ({"percent": 5}, 50),
    ("2ep", 100), ("2 epochs", 100), ("1.5epoch", 75), ({"epochs": 3}, 150),
    ("4096tok", 1), ("3e6tok", 732), ("1M tok", 244), ({"tokens": 8192}, 2), ("1k", 1000),
    ("1_000", 1000), ("0.04%", 0), ("0.05%", 1), ("0.15%", 2),
])
def test_duration_syntax(text, steps):
    out = parse_duration(text, U)
    assert out == steps
    assert type(out) is type(steps)


def test_durations_round_half_up():
    u = Units(total_steps=10)
    assert parse_duration("5%", u) == 1  # 0.5 -> 1 (halves up, not banker's rounding to 0)
    assert parse_duration("15%", u) == 2  # 1.5 -> 2
    assert parse_duration("25%", u) == 3  # 2.5 -> 3
    # 0.29 * 100 is 28.999999999999996 in floating point: that is 29 steps, not 28.
    assert parse_duration("29%", Units(total_steps=100)) == 29


@given(total=st.integers(1, 10**9), percent=st.integers(0, 100))
def test_percent_is_exact(total, percent):
    expected = Fraction(percent * total, 100)
    want = math.floor(expected + Fraction(1, 2))
    assert parse_duration(f"{percent}%", Units(total_steps=total)) == want


@given(spe=st.integers(1, 10**6), epochs=st.integers(0, 1000), tps=st.integers(1, 2**20),
       tokens=st.integers(0, 2**40))
def test_epochs_and_tokens(spe, epochs, tps, tokens):
    u = Units(steps_per_epoch=spe, tokens_per_step=tps)
    assert parse_duration(f"{epochs}ep", u) == epochs * spe
    assert parse_duration({"epochs": epochs}, u) == epochs * spe
    assert parse_duration({"tokens": tokens}, u) == math.floor(Fraction(tokens, tps) + Fraction(1, 2))


@pytest.mark.parametrize(("value", "needs"), [
    ("10%", "total_steps"), ("0.1dur", "total_steps"), ("2ep", "steps_per_epoch"),
    ("1e6tok", "tokens_per_step"),
])
def test_unit_needs_its_context(value, needs):
    with pytest.raises(ConfigError, match=f"warmup_steps: '{value}' needs {needs}"):
        parse_duration(value, Units(), "warmup_steps")


@pytest.mark.parametrize("bad", ["ten", "10 bananas", "%", "1e", "10%%", "2 ep ochs",
                                 {"epochs": 1, "steps": 2}, {"weeks": 2}, {"epochs": "2"},
                                 {"epochs": math.inf}])
def test_unreadable_durations(bad):
    with pytest.raises(ConfigError, match=r"^decay_steps: "):
        parse_duration(bad, U, "decay_steps")


@pytest.mark.parametrize(("field", "expected"), [
    ("warmup_steps", True), ("decay_steps", True), ("transition_steps", True), ("total_steps", True),
    ("num_warmup_steps", True), ("transition_begin", True), ("total_iters", True),
    ("first_period", True), ("period", True), ("steps", True), ("step_size", True),
    ("step_size_up", True), ("step_size_down", True), ("boundaries", True), ("milestones", True),
    ("boundaries_and_scales", True), ("T_max", True), ("T_0", True), ("t_initial", True),
    ("warmup_t", True),
    ("init_value", False), ("peak_value", False), ("epochs", False), ("steps_per_epoch", False),
    ("warmup_epochs", False), ("max_cycles", False), ("decay_rate", False), ("pct_start", False),
    ("gamma", False), ("schedules", False), ("schedule", False),
])
def test_duration_field_rule(field, expected):
    assert is_duration_field(None, field) is expected


def test_class_can_name_its_own_duration_fields():
    class Fake:
        duration_fields = ("horizon",)

    assert is_duration_field(Fake, "horizon")
    assert not is_duration_field(None, "horizon")


def test_units_in_a_whole_config():
    cfg = {
        "units": {"total_steps": 10_000, "steps_per_epoch": 500},
        "name": "join", "boundaries": ["2ep"],
        "schedules": [
            {"name": "linear", "init_value": 0.0, "end_value": 1e-3, "transition_steps": "2ep"},
            {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": "90%"},
        ],
    }
    s = from_config(cfg)
    want = jaxsched.join([jaxsched.linear(0.0, 1e-3, 1000), jaxsched.cosine_decay(1e-3, 9000)],
                         [1000])
    assert s == want
    # Keyword arguments take precedence over the config's units.
    s2 = from_config(cfg, steps_per_epoch=100)
    assert s2.boundaries == (200,)
    assert s2.schedules[1].decay_steps == 9000


def test_own_total_steps_is_the_total_inside():
    cfg = {"name": "warmup_stable_decay", "peak_value": 1.0, "total_steps": "4ep",
           "warmup_steps": "5%", "decay_steps": "0.2dur"}
    s = from_config(cfg, steps_per_epoch=250, total_steps=99_999)
    assert (s.total_steps, s.warmup_steps, s.decay_steps) == (1000, 50, 200)
    # A relative own total is resolved once, against the outer total.
    cfg = {"name": "compat.transformers.get_cosine_schedule_with_warmup", "lr": 1.0,
           "num_training_steps": "99%", "num_warmup_steps": "1%"}
    s = from_config(cfg, total_steps=100_000)
    assert (s.num_training_steps, s.num_warmup_steps) == (99_000, 990)


def test_per_epoch_children_count_epochs():
    cfg = {"name": "per_epoch", "steps_per_epoch": 100,
           "schedule": {"name": "multistep_decay", "init_value": 0.1, "decay_rate": 0.1,
                        "milestones": ["3ep", "600steps", "90%"]}}
    s = from_config(cfg, total_steps=1000)
    assert s.schedule.milestones == (3, 6, 9)
    np.testing.assert_allclose(s.numpy([299, 300, 599, 600, 899, 900]),
                               [0.1, 0.01, 0.01, 0.001, 0.001, 0.0001], rtol=1e-12)


def test_boundary_keys_take_units():
    cfg = {"name": "piecewise_constant", "init_value": 1.0,
           "boundaries_and_scales": {"10%": 0.5, "1ep": 0.5, "700": 0.1}}
    s = from_config(cfg, total_steps=1000, steps_per_epoch=400)
    assert s == jaxsched.piecewise_constant(1.0, {100: 0.5, 400: 0.5, 700: 0.1})


def test_units_only_in_duration_fields():
    with pytest.raises(ConfigError, match=r"^peak_value: '10%': units are accepted only"):
        from_config({"name": "warmup_constant", "init_value": 0.0, "peak_value": "10%",
                     "warmup_steps": 10}, total_steps=100)


def test_bad_context():
    with pytest.raises(ConfigError, match="total_steps: must be a positive number, got -3"):
        from_config({"name": "constant", "value": 1.0}, total_steps=-3)
    with pytest.raises(ConfigError, match=r"units: unknown keys \['epochs'\]"):
        from_config({"name": "constant", "value": 1.0, "units": {"epochs": 3}})
    with pytest.raises(ConfigError, match="units: must be a mapping"):
        from_config({"name": "constant", "value": 1.0, "units": 5})


def test_resolved_value_is_named_in_errors():
    with pytest.raises(ConfigError) as info:
        from_config({"name": "cosine_decay", "init_value": 1.0, "decay_steps": "0.1%"},
                    total_steps=100)
    assert str(info.value) == "decay_steps: must be >= 1, got 0 (from '0.1%')"


# -- errors ------------------------------------------------------------------------------------------

def _join_cfg(warmup=-5):
    return {"name": "join", "boundaries": [100], "schedules": [
        {"name": "constant", "value": 0.1},
        {"name": "warmup_cosine_decay", "init_value": 0.0, "peak_value": 1.0,
         "warmup_steps": warmup, "decay_steps": 1000}]}


def test_error_names_the_path():
    with pytest.raises(ConfigError) as info:
        from_config(_join_cfg())
    assert str(info.value) == "schedules[1].warmup_steps: must be >= 0, got -5"
    # Still the schedule's own error type, for code that catches that.
    assert isinstance(info.value, jaxsched.ScheduleArgumentError)
    assert info.value.argument == "schedules[1].warmup_steps"


def test_type_error_names_the_path():
    cfg = _join_cfg(warmup=10)
    cfg["schedules"][1]["peak_value"] = "high"
    with pytest.raises(TypeError) as info:
        from_config(cfg)
    assert str(info.value).startswith("schedules[1].peak_value: must be a real number")
    assert isinstance(info.value, ConfigError)


YAML_TEXT = """\
# a comment
units:
  total_steps: 2000
name: join
boundaries: [100]
schedules:
  - name: constant
    value: 0.1
  - name: warmup_cosine_decay
    init_value: 0.0
    peak_value: 1.0
    warmup_steps: -5
    decay_steps: 90%
"""


def test_yaml_error_gives_file_and_line(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(YAML_TEXT)
    with pytest.raises(ConfigError) as info:
        from_config(path)
    assert str(info.value) == f"{path}:12: schedules[1].warmup_steps: must be >= 0, got -5"


def test_yaml_list_element_line(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text("name: multistep_decay\ninit_value: 0.1\ndecay_rate: 0.5\nmilestones:\n"
                    "  - 10\n  - 20\n  - -3\n")
    with pytest.raises(ConfigError, match=rf"^{path}:7: milestones\[2\]"):
        from_config(path)


def test_json_error_gives_file_and_line(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(_join_cfg(), indent=2))
    line = next(i for i, x in enumerate(path.read_text().splitlines(), 1) if "warmup_steps" in x)
    with pytest.raises(ConfigError) as info:
        from_config(path)
    assert str(info.value) == f"{path}:{line}: schedules[1].warmup_steps: must be >= 0, got -5"


@pytest.mark.parametrize(("text", "pattern"), [
    ("name: constant\nvalue: [1, 2\n", r":3: invalid YAML"),
    ("name: constant\nvalue: 1\nvalue: 2\n", r":3: invalid YAML: duplicate key 'value'"),
    ("- 1\n- 2\n", r": expected a mapping with a 'name' key, got list"),
    ("value: 1\n", r":1: missing key 'name'"),
    ("name: cosine_decy\ninit_value: 1\n", r":1: name: unknown schedule 'cosine_decy' "
                                            r"\(did you mean 'cosine_decay'\?\)"),
    ("name: constant\nvalue: 1\nvalu: 2\n", r":3: valu: unknown argument of constant "
                                          r"\(did you mean 'value'\?\)"),
    ("name: cosine_decay\ninit_value: 1\n", r":1: cosine_decay is missing required argument"),
    ("name: cosine_decay\ninit_value: 1\ndecay_steps: 10%\n", r":3: decay_steps: '10%' needs"),
    ("name: 3\n", r":1: name: must be a string, got 3"),
])
def test_yaml_errors(tmp_path, text, pattern):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"^{path}{pattern}"):
        from_config(path)


def test_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        from_config(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="is a directory"):
        from_config(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "constant",\n "value": }')
    with pytest.raises(ConfigError, match=rf"^{bad}:2: invalid JSON"):
        from_config(bad)


def test_compat_names_import_on_demand():
    s = from_config({"name": "compat.torch.StepLR", "lr": 0.1, "step_size": "2ep", "gamma": 0.5},
                    steps_per_epoch=3)
    assert s.config_name == "compat.torch.StepLR"
    np.testing.assert_allclose(s.numpy([5, 6, 12]), [0.1, 0.05, 0.025], rtol=1e-15)


def test_unknown_compat_library():
    with pytest.raises(ConfigError, match=r"^name: unknown schedule 'compat.nolib.Foo'"):
        from_config({"name": "compat.nolib.Foo"})


# -- noether configs -----------------------------------------------------------------------------------

NOETHER = {"kind": "noether.core.schedules.LinearWarmupCosineDecaySchedule",
           "warmup_percent": 0.29, "max_value": 1e-3, "end_value": 1e-6}


def test_noether_kind_config():
    from jaxsched.compat.noether import from_noether_config

    s = from_config(NOETHER, total_steps=101)
    assert s == from_noether_config(dict(NOETHER), 101)
    # noether truncates the warmup length: int(0.29 * 100) = 28 steps (reference notes, [run]).
    assert s.key_steps()[:2] == [0, 28]
    assert from_config(s.to_config()) == s


def test_noether_config_from_yaml_with_units(tmp_path):
    path = tmp_path / "noether.yaml"
    path.write_text("units: {total_steps: 101}\n" + yaml.safe_dump(NOETHER))
    assert from_config(path) == from_config(NOETHER, total_steps=101)


def test_noether_inside_a_combinator():
    cfg = {"name": "multiply", "schedules": [NOETHER, {"name": "constant", "value": 2.0}]}
    s = from_config(cfg, total_steps=101)
    alone = from_config(NOETHER, total_steps=101)
    np.testing.assert_allclose(s.numpy(np.arange(101)), 2.0 * alone.numpy(np.arange(101)),
                               rtol=1e-15)


def test_noether_needs_total_steps():
    with pytest.raises(ConfigError, match="noether config needs total_steps"):
        from_config(NOETHER)


def test_noether_errors_name_the_path():
    bad = dict(NOETHER, kind="noether.core.schedules.NoSuchSchedule")
    with pytest.raises(ConfigError, match=r"^schedules\[0\]: "):
        from_config({"name": "multiply", "schedules": [bad]}, total_steps=10)
