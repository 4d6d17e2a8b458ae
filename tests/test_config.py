"""Configs: round trips of every registered schedule, units for durations, errors with paths/lines."""

from __future__ import annotations

import json
import math
import re
import time
from decimal import Decimal
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
        "name": "clip",
        "min_value": 1e-6,
        "schedule": {
            "name": "join",
            "boundaries": [100],
            "schedules": [
                {"name": "linear", "init_value": 0.0, "end_value": 1e-3, "transition_steps": 100},
                {
                    "name": "multiply",
                    "schedules": [
                        {
                            "name": "repeat",
                            "period": 300,
                            "schedule": {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": 300},
                        },
                        {
                            "name": "exponential_decay",
                            "init_value": 1.0,
                            "transition_steps": 300,
                            "decay_rate": 0.5,
                        },
                    ],
                },
            ],
        },
    }
    s = from_config(cfg)
    assert from_config(s.to_config()) == s
    assert from_config(json.loads(json.dumps(s.to_config()))) == s
    # The value at step 100 + 300 + 150: half-way into the second cosine period, one halving.
    assert math.isclose(float(s.numpy(550)), 1e-3 * 0.5 * 0.5**1.5, rel_tol=1e-12)


# -- units -------------------------------------------------------------------------------------------

U = Units(total_steps=1000, steps_per_epoch=50, tokens_per_step=4096)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        (7, 7),
        (7.5, 7.5),
        ("7", 7),
        ("120steps", 120),
        ("120 steps", 120),
        ("3ba", 3),
        ("9iter", 9),
        ("10%", 100),
        ("2.5%", 25),
        ("0.25dur", 250),
        ({"fraction": 0.1}, 100),
        ({"percent": 5}, 50),
        ("2ep", 100),
        ("2 epochs", 100),
        ("1.5epoch", 75),
        ({"epochs": 3}, 150),
        ("4096tok", 1),
        ("3e6tok", 732),
        ("1M tok", 244),
        ({"tokens": 8192}, 2),
        ("1k", 1000),
        ("1_000", 1000),
        ("0.04%", 0),
        ("0.05%", 1),
        ("0.15%", 2),
    ],
)
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


@given(
    spe=st.integers(1, 10**6),
    epochs=st.integers(0, 1000),
    tps=st.integers(1, 2**20),
    tokens=st.integers(0, 2**40),
)
def test_epochs_and_tokens(spe, epochs, tps, tokens):
    u = Units(steps_per_epoch=spe, tokens_per_step=tps)
    assert parse_duration(f"{epochs}ep", u) == epochs * spe
    assert parse_duration({"epochs": epochs}, u) == epochs * spe
    assert parse_duration({"tokens": tokens}, u) == math.floor(Fraction(tokens, tps) + Fraction(1, 2))


@pytest.mark.parametrize(
    ("value", "needs"),
    [
        ("10%", "total_steps"),
        ("0.1dur", "total_steps"),
        ("2ep", "steps_per_epoch"),
        ("1e6tok", "tokens_per_step"),
    ],
)
def test_unit_needs_its_context(value, needs):
    with pytest.raises(ConfigError, match=f"warmup_steps: '{value}' needs {needs}"):
        parse_duration(value, Units(), "warmup_steps")


@pytest.mark.parametrize(
    "bad",
    [
        "ten",
        "10 bananas",
        "%",
        "1e",
        "10%%",
        "2 ep ochs",
        {"epochs": 1, "steps": 2},
        {"weeks": 2},
        {"epochs": "2"},
        {"epochs": math.inf},
    ],
)
def test_unreadable_durations(bad):
    with pytest.raises(ConfigError, match=r"^decay_steps: "):
        parse_duration(bad, U, "decay_steps")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("warmup_steps", True),
        ("decay_steps", True),
        ("transition_steps", True),
        ("total_steps", True),
        ("num_warmup_steps", True),
        ("transition_begin", True),
        ("total_iters", True),
        ("first_period", True),
        ("period", True),
        ("steps", True),
        ("step_size", True),
        ("step_size_up", True),
        ("step_size_down", True),
        ("boundaries", True),
        ("milestones", True),
        ("boundaries_and_scales", True),
        ("T_max", True),
        ("T_0", True),
        ("t_initial", True),
        ("warmup_t", True),
        ("init_value", False),
        ("peak_value", False),
        ("epochs", False),
        ("steps_per_epoch", False),
        ("warmup_epochs", False),
        ("max_cycles", False),
        ("decay_rate", False),
        ("pct_start", False),
        ("gamma", False),
        ("schedules", False),
        ("schedule", False),
    ],
)
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
        "name": "join",
        "boundaries": ["2ep"],
        "schedules": [
            {"name": "linear", "init_value": 0.0, "end_value": 1e-3, "transition_steps": "2ep"},
            {"name": "cosine_decay", "init_value": 1e-3, "decay_steps": "90%"},
        ],
    }
    s = from_config(cfg)
    want = jaxsched.join([jaxsched.linear(0.0, 1e-3, 1000), jaxsched.cosine_decay(1e-3, 9000)], [1000])
    assert s == want
    # Keyword arguments take precedence over the config's units.
    s2 = from_config(cfg, steps_per_epoch=100)
    assert s2.boundaries == (200,)
    assert s2.schedules[1].decay_steps == 9000


def test_own_total_steps_is_the_total_inside():
    cfg = {
        "name": "warmup_stable_decay",
        "peak_value": 1.0,
        "total_steps": "4ep",
        "warmup_steps": "5%",
        "decay_steps": "0.2dur",
    }
    s = from_config(cfg, steps_per_epoch=250, total_steps=99_999)
    assert (s.total_steps, s.warmup_steps, s.decay_steps) == (1000, 50, 200)
    # A relative own total is resolved once, against the outer total.
    cfg = {
        "name": "compat.transformers.get_cosine_schedule_with_warmup",
        "lr": 1.0,
        "num_training_steps": "99%",
        "num_warmup_steps": "1%",
    }
    s = from_config(cfg, total_steps=100_000)
    assert (s.num_training_steps, s.num_warmup_steps) == (99_000, 990)


def test_per_epoch_children_count_epochs():
    cfg = {
        "name": "per_epoch",
        "steps_per_epoch": 100,
        "schedule": {
            "name": "multistep_decay",
            "init_value": 0.1,
            "decay_rate": 0.1,
            "milestones": ["3ep", "600steps", "90%"],
        },
    }
    s = from_config(cfg, total_steps=1000)
    assert s.schedule.milestones == (3, 6, 9)
    np.testing.assert_allclose(
        s.numpy([299, 300, 599, 600, 899, 900]), [0.1, 0.01, 0.01, 0.001, 0.001, 0.0001], rtol=1e-12
    )


def test_boundary_keys_take_units():
    cfg = {
        "name": "piecewise_constant",
        "init_value": 1.0,
        "boundaries_and_scales": {"10%": 0.5, "1ep": 0.5, "700": 0.1},
    }
    s = from_config(cfg, total_steps=1000, steps_per_epoch=400)
    assert s == jaxsched.piecewise_constant(1.0, {100: 0.5, 400: 0.5, 700: 0.1})


def test_units_only_in_duration_fields():
    with pytest.raises(ConfigError, match=r"^peak_value: '10%': units are accepted only"):
        from_config(
            {"name": "warmup_constant", "init_value": 0.0, "peak_value": "10%", "warmup_steps": 10},
            total_steps=100,
        )


def test_bad_context():
    with pytest.raises(ConfigError, match="total_steps: must be a positive number, got -3"):
        from_config({"name": "constant", "value": 1.0}, total_steps=-3)
    with pytest.raises(ConfigError, match=r"units: unknown keys \['epochs'\]"):
        from_config({"name": "constant", "value": 1.0, "units": {"epochs": 3}})
    with pytest.raises(ConfigError, match="units: must be a mapping"):
        from_config({"name": "constant", "value": 1.0, "units": 5})


def test_resolved_value_is_named_in_errors():
    with pytest.raises(ConfigError) as info:
        from_config({"name": "cosine_decay", "init_value": 1.0, "decay_steps": "0.1%"}, total_steps=100)
    assert str(info.value) == "decay_steps: must be >= 1, got 0 (from '0.1%')"


# -- errors ------------------------------------------------------------------------------------------


def _join_cfg(warmup=-5):
    return {
        "name": "join",
        "boundaries": [100],
        "schedules": [
            {"name": "constant", "value": 0.1},
            {
                "name": "warmup_cosine_decay",
                "init_value": 0.0,
                "peak_value": 1.0,
                "warmup_steps": warmup,
                "decay_steps": 1000,
            },
        ],
    }


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
    path.write_text(
        "name: multistep_decay\ninit_value: 0.1\ndecay_rate: 0.5\nmilestones:\n  - 10\n  - 20\n  - -3\n"
    )
    with pytest.raises(ConfigError, match=rf"^{path}:7: milestones\[2\]"):
        from_config(path)


def test_json_error_gives_file_and_line(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(_join_cfg(), indent=2))
    line = next(i for i, x in enumerate(path.read_text().splitlines(), 1) if "warmup_steps" in x)
    with pytest.raises(ConfigError) as info:
        from_config(path)
    assert str(info.value) == f"{path}:{line}: schedules[1].warmup_steps: must be >= 0, got -5"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("name: constant\nvalue: [1, 2\n", r":3: invalid YAML"),
        ("name: constant\nvalue: 1\nvalue: 2\n", r":3: invalid YAML: duplicate key 'value'"),
        ("- 1\n- 2\n", r": expected a mapping with a 'name' key, got list"),
        ("value: 1\n", r":1: missing key 'name'"),
        (
            "name: cosine_decy\ninit_value: 1\n",
            r":1: name: unknown schedule 'cosine_decy' "
            r"\(did you mean 'cosine_decay'\?\)",
        ),
        (
            "name: constant\nvalue: 1\nvalu: 2\n",
            r":3: valu: unknown argument of constant "
            r"\(did you mean 'value'\?\)",
        ),
        ("name: cosine_decay\ninit_value: 1\n", r":1: cosine_decay is missing required argument"),
        ("name: cosine_decay\ninit_value: 1\ndecay_steps: 10%\n", r":3: decay_steps: '10%' needs"),
        ("name: 3\n", r":1: name: must be a string, got 3"),
    ],
)
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
    s = from_config(
        {"name": "compat.torch.StepLR", "lr": 0.1, "step_size": "2ep", "gamma": 0.5}, steps_per_epoch=3
    )
    assert s.config_name == "compat.torch.StepLR"
    np.testing.assert_allclose(s.numpy([5, 6, 12]), [0.1, 0.05, 0.025], rtol=1e-15)


def test_unknown_compat_library():
    with pytest.raises(ConfigError, match=r"^name: unknown schedule 'compat.nolib.Foo'"):
        from_config({"name": "compat.nolib.Foo"})


# -- noether configs -----------------------------------------------------------------------------------

NOETHER = {
    "kind": "noether.core.schedules.LinearWarmupCosineDecaySchedule",
    "warmup_percent": 0.29,
    "max_value": 1e-3,
    "end_value": 1e-6,
}


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
    np.testing.assert_allclose(s.numpy(np.arange(101)), 2.0 * alone.numpy(np.arange(101)), rtol=1e-15)


def test_noether_needs_total_steps():
    with pytest.raises(ConfigError, match="noether config needs total_steps"):
        from_config(NOETHER)


def test_noether_errors_name_the_path():
    bad = dict(NOETHER, kind="noether.core.schedules.NoSuchSchedule")
    with pytest.raises(ConfigError, match=r"^schedules\[0\]: "):
        from_config({"name": "multiply", "schedules": [bad]}, total_steps=10)


# -- issue 12: numbers of any type and size, duplicates, depth, aliases ---------------------------------

PER_EPOCH = {
    "name": "per_epoch",
    "schedule": {"name": "cosine_decay", "init_value": 1.0, "decay_steps": "50%"},
}


@pytest.mark.parametrize("spe", [10, 10.0, np.int64(10), np.float64(10.0), np.float32(10.0)])
def test_per_epoch_converts_durations_whatever_the_number_type(spe):
    # Issue 12.1: `steps_per_epoch: 10.0` left "50%" as 500 epochs (0.9755 at step 500, not 0).
    s = from_config({**PER_EPOCH, "steps_per_epoch": spe}, total_steps=1000)
    assert s.schedule.decay_steps == 50  # 50% of 1000 steps, in epochs of 10 steps
    assert float(s.numpy(500)) == 0.0
    assert float(s.numpy(250)) == pytest.approx(0.5 * (1 + math.cos(math.pi * 25 / 50)), abs=1e-15)


def test_per_epoch_float_in_a_yaml_file(tmp_path):
    path = tmp_path / "pe.yaml"
    path.write_text(
        "units: {total_steps: 1000}\nname: per_epoch\nsteps_per_epoch: 10.0\n"
        "schedule: {name: cosine_decay, init_value: 1.0, decay_steps: 50%}\n"
    )
    assert from_config(path).schedule.decay_steps == 50


@given(
    total=st.integers(1, 10**12),
    percent=st.integers(0, 10**4),
    kind=st.sampled_from([int, float, np.int64, np.float64, Fraction, Decimal]),
)
def test_durations_do_not_depend_on_the_number_type(total, percent, kind):
    want = parse_duration(f"{percent}%", Units(total_steps=total))
    assert parse_duration(f"{percent}%", Units(total_steps=kind(total))) == want
    assert parse_duration({"percent": kind(percent)}, Units(total_steps=total)) == want
    assert type(want) is int


def test_floats_count_as_the_decimal_they_print():
    # 0.3 * 5 is 1.4999999999999998 in binary floating point; the user wrote 1.5, which rounds up.
    assert parse_duration({"fraction": 0.3}, Units(total_steps=5)) == 2
    assert parse_duration("0.3dur", Units(total_steps=5)) == 2


@pytest.mark.parametrize(
    ("keys", "same"),
    [
        ((" 10", "10"), 10),
        (("100", "10%"), 100),
        (("10", "10.0"), 10),
        (("10", "1e1"), 10),
        ((10, "10"), 10),
        (("1ep", "100"), 100),
    ],
)
def test_boundary_keys_naming_the_same_step_are_refused(keys, same):
    # Issue 12.5: merged silently, last wins; the constructor refuses the same input.
    cfg = {
        "name": "piecewise_constant",
        "init_value": 1.0,
        "boundaries_and_scales": {keys[0]: 0.5, keys[1]: 0.1},
    }
    with pytest.raises(ConfigError, match=rf"^boundaries_and_scales: keys .* are the same step {same}$"):
        from_config(cfg, total_steps=1000, steps_per_epoch=100)
    with pytest.raises(ValueError):  # what the constructor says to the same boundaries
        jaxsched.piecewise_constant(1.0, [(same, 0.5), (same, 0.1)])


def test_boundary_keys_naming_the_same_step_in_yaml_give_the_line(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(
        "name: piecewise_constant\ninit_value: 1.0\nboundaries_and_scales:\n  100: 0.5\n  '100': 0.1\n"
    )
    with pytest.raises(
        ConfigError,
        match=rf"^{path}:5: boundaries_and_scales: keys 100 and '100' "
        r"are the same step 100$",
    ):
        from_config(path)


def test_json_duplicate_keys_are_refused_with_the_line(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{\n "name": "constant",\n "value": 1.0,\n "value": 2.0\n}\n')
    with pytest.raises(ConfigError, match=rf"^{path}:4: invalid JSON: duplicate key 'value'$"):
        from_config(path)
    path.write_text(
        '{"name": "join", "boundaries": [],\n "schedules": [{"name": "constant", "value": 1, "value": 1}]}'
    )
    with pytest.raises(ConfigError, match=rf"^{path}:2: invalid JSON: duplicate key 'value'$"):
        from_config(path)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decay_steps", "1e400", "decay_steps: '1e400': the number is out of range"),
        ("decay_steps", "1e308k", "decay_steps: '1e308k' is more than 2**63 - 1 steps"),
        ("decay_steps", "1e-999999999", "the number is out of range"),
        ("decay_steps", "1e999999999tok", "the number is out of range"),
        ("decay_steps", {"epochs": 1e308}, "decay_steps: {'epochs': 1e+308} is more than 2**63 - 1 steps"),
        ("decay_steps", {"epochs": 2**1100}, "is more than 2**63 - 1 steps"),
        ("decay_steps", 2**1100, "decay_steps: "),
        ("init_value", 2**1100, "init_value: "),
        ("init_value", -(2**5000), "init_value: "),
    ],
)
def test_numbers_that_overflow_give_a_located_error(field, value, message):
    # Issue 12.14: a bare OverflowError before.
    cfg = {"name": "cosine_decay", "init_value": 1.0, "decay_steps": 10, field: value}
    with pytest.raises(ConfigError) as info:
        from_config(cfg, steps_per_epoch=10, tokens_per_step=1)
    assert str(info.value).startswith(f"{field}: ")
    assert message in str(info.value)
    if isinstance(value, int):  # shown shortened, whatever the schedule says about it
        assert f"<an integer of {len(str(abs(value)))} digits>" in str(info.value)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(
    "kwargs", [{"total_steps": 2**1100}, {"steps_per_epoch": 1e400}, {"tokens_per_step": float("nan")}]
)
def test_context_numbers_that_overflow(kwargs):
    [key] = kwargs
    with pytest.raises(ConfigError, match=rf"^{key}: must be "):
        from_config({"name": "constant", "value": 1.0}, **kwargs)


@pytest.mark.parametrize(
    ("suffix", "text", "line", "fragment"),
    [
        ("json", '{\n "name": "constant",\n "value": NaN\n}\n', 3, "value: must be finite, got nan"),
        ("json", '{\n "name": "constant",\n "value": 1e400\n}\n', 3, "'1e400' is out of range"),
        (
            "json",
            '{\n "name": "constant",\n "value": ' + "9" * 500 + "\n}\n",
            3,
            "an integer of 500 digits is out of range",
        ),
        ("yaml", "name: constant\nvalue: 1e400\n", 2, "'1e400' is out of range for a float"),
        ("yaml", "name: constant\nvalue: " + "9" * 500 + "\n", 2, "integer of 500 digits"),
        (
            "yaml",
            "units: {total_steps: " + "9" * 300 + "}\nname: constant\nvalue: 1\n",
            1,
            "units.total_steps: must be at most 2**63 - 1",
        ),
        (
            "yaml",
            "name: cosine_decay\ninit_value: 1\ndecay_steps: {epochs: 1e300}\n",
            3,
            "is more than 2**63 - 1 steps",
        ),
    ],
)
def test_file_numbers_keep_their_line(tmp_path, suffix, text, line, fragment):
    path = tmp_path / f"c.{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        from_config(path, steps_per_epoch=10)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert fragment in str(info.value)


def _nested_join(depth: int) -> dict:
    cfg: dict = {"name": "constant", "value": 1.0}
    for _ in range(depth):
        cfg = {"name": "join", "schedules": [cfg], "boundaries": []}
    return cfg


def test_nesting_is_bounded_with_a_clear_error(tmp_path):
    # Issue 12.14: a join nested 250 deep raised RecursionError.
    deepest = from_config(_nested_join(_config.MAX_NESTING - 1))  # the most that is accepted
    assert from_config(deepest.to_config()) == deepest
    assert float(deepest.numpy(5)) == 1.0
    with pytest.raises(
        ConfigError,
        match=r"^schedules\[0\]\.schedules\[0\]\.\.\.\(\d+ more\)\.\.\."
        r"schedules\[0\]: schedules nested deeper than 32 levels$",
    ):
        from_config(_nested_join(250))
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(_nested_join(250), indent=1))
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: invalid JSON: nested deeper than 100 "):
        from_config(path)
    path = tmp_path / "deep.yaml"
    path.write_text(json.dumps(_nested_join(250)))  # JSON is YAML (flow style)
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: invalid YAML: nested deeper than 100 "):
        from_config(path)
    path.write_text(yaml.safe_dump(_nested_join(40)))
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: .*schedules nested deeper than 32"):
        from_config(path)
    # A list that contains itself (possible from Python, or with a YAML anchor).
    loop: list = []
    loop.append(loop)
    with pytest.raises(ConfigError, match="nested deeper than 100 levels"):
        from_config({"name": "multiply", "schedules": loop})
    path.write_text("name: multiply\nschedules: &s [*s]\n")
    with pytest.raises(ConfigError, match=rf"^{path}:\d+: invalid YAML: "):
        from_config(path)


def test_yaml_merge_override_is_accepted(tmp_path):
    # Issue 12.14: `<<: *base` then a key was refused as a duplicate key.
    path = tmp_path / "m.yaml"
    path.write_text(
        "name: join\nboundaries: [100]\nschedules:\n"
        "  - &base {name: cosine_decay, init_value: 1.0, decay_steps: 100}\n"
        "  - <<: *base\n    decay_steps: 200\n"
    )
    s = from_config(path)
    assert s.schedules[0] == jaxsched.cosine_decay(1.0, 100)
    assert s.schedules[1] == jaxsched.cosine_decay(1.0, 200)
    # Merging two: the first merged mapping wins, explicit keys override both.
    path.write_text(
        "a: &a {name: cosine_decay, init_value: 1.0, decay_steps: 100}\n"
        "b: &b {init_value: 2.0, alpha: 0.5}\n"
        "name: clip\nmin_value: 0.0\nschedule: {<<: [*a, *b], decay_steps: 300}\n"
    )
    with pytest.raises(ConfigError, match="a: unknown argument of clip"):
        from_config(path)  # the anchors at top level are arguments of clip: refused, located
    path.write_text(
        "name: join\nboundaries: [1]\nschedules:\n"
        "  - &a {name: cosine_decay, init_value: 1.0, decay_steps: 100}\n"
        "  - {<<: [*a, {init_value: 2.0, alpha: 0.5}], decay_steps: 300}\n"
    )
    assert from_config(path).schedules[1] == jaxsched.cosine_decay(1.0, 300, alpha=0.5)
    # An explicit key given twice is still refused, merge or not.
    path.write_text(
        "name: join\nboundaries: [1]\nschedules:\n"
        "  - &a {name: cosine_decay, init_value: 1.0, decay_steps: 100}\n"
        "  - <<: *a\n    decay_steps: 300\n    decay_steps: 400\n"
    )
    with pytest.raises(ConfigError, match=rf"^{path}:7: invalid YAML: duplicate key 'decay_steps'"):
        from_config(path)


def _alias_bomb(levels: int = 9) -> str:
    """``value:`` a ``levels``-deep nest of 9 x 9 x ... strings, each level an anchor repeated."""

    def level(i: int) -> str:
        if i == 0:
            return "&a0 [" + ", ".join(["x"] * 9) + "]"
        return f"&a{i} [{level(i - 1)}, " + ", ".join([f"*a{i - 1}"] * 8) + "]"

    return f"name: constant\nvalue: {level(levels - 1)}\n"


def test_alias_bombs_are_refused_cheaply(tmp_path):
    # Issue 12.17: 530 bytes of nested aliases cost 2 GB and 82 s (the message formatted them all).
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(9))
    assert path.stat().st_size < 600
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        from_config(path)
    assert time.perf_counter() - start < 2.0
    assert str(info.value).startswith(f"{path}:")
    assert "expands to more than 100000 values" in str(info.value)
    # Merge keys multiply too.
    merge = ["name: constant", "m0: &m0 {k0: 1, k1: 1, k2: 1, k3: 1}"]
    for i in range(1, 12):
        merge.append(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 4) + f"], z{i}: 1}}")
    path.write_text("\n".join(merge) + "\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        from_config(path)


def test_error_messages_stay_short(tmp_path):
    # Below the expansion bound, a value of 59,049 strings: the message shows a few of them.
    path = tmp_path / "big.yaml"
    path.write_text(_alias_bomb(5))
    with pytest.raises(ConfigError) as info:
        from_config(path)
    assert len(str(info.value)) < 300, len(str(info.value))
    assert str(info.value).startswith(f"{path}:2: value: must be a real number, got list [[[[")
    long_key = "k" * 10_000
    with pytest.raises(ConfigError) as info:
        from_config({"name": "constant", "value": 1.0, long_key: 1})
    assert len(str(info.value)) < 400


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3e-4", 3e-4),
        ("1e3", 1000.0),
        ("-2.5E+2", -250.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1_000.5", 1000.5),
        ("010", 10),
        ("0o10", 8),
        ("0x1f", 31),
        ("1_000", 1000),
        ("+7", 7),
        (".inf", math.inf),
        ("-.Inf", -math.inf),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("1:30", "1:30"),
        ("2001-12-14", "2001-12-14"),
        ("1e", "1e"),
        (".", "."),
        ("0b101", "0b101"),
    ],
)
def test_yaml_scalars_follow_yaml_1_2(text, value):
    # Issue 13.6: `peak_value: 3e-4` is a string to YAML 1.1 (PyYAML's default); a number here.
    got = _config.load_text(f"x: {text}\n", "t", "yaml")["x"]
    assert got == value and type(got) is type(value)


def test_yaml_nan():
    assert math.isnan(_config.load_text("x: .nan\n", "t", "yaml")["x"])


def test_yaml_3e_minus_4_builds(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("name: warmup_constant\ninit_value: 0\npeak_value: 3e-4\nwarmup_steps: 1e2\n")
    s = from_config(path)
    assert s.peak_value == 3e-4 and s.warmup_steps == 100


# -- property: config numbers of any size give a located ConfigError ----------------------------------

_NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**420), max_value=10**420),
    st.floats(allow_nan=True, allow_infinity=True),
    st.builds(
        lambda m, e, mult, unit: f"{m}e{e}{mult}{unit}",
        st.integers(-(10**6), 10**6),
        st.integers(-2000, 2000),
        st.sampled_from(["", "k", "M", "T"]),
        st.sampled_from(["", "%", "ep", "tok", "dur", "steps"]),
    ),
    st.builds(
        lambda k, x: {k: x},
        st.sampled_from(["epochs", "tokens", "percent", "fraction", "steps"]),
        st.one_of(
            st.integers(min_value=-(10**400), max_value=10**400),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
    ),
)
_TARGETS = [
    (
        "warmup_cosine_decay",
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 10, "decay_steps": 100, "end_value": 0.0},
    ),
    (
        "compat.transformers.get_cosine_schedule_with_warmup",
        {"lr": 1e-3, "num_warmup_steps": 10, "num_training_steps": 100, "num_cycles": 0.5},
    ),
    ("piecewise_constant", {"init_value": 1.0, "boundaries_and_scales": {"10": 0.5}}),
    (
        "per_epoch",
        {
            "steps_per_epoch": 10,
            "schedule": {"name": "step_decay", "init_value": 1.0, "step_size": 2, "decay_rate": 0.5},
        },
    ),
]


@given(
    target=st.sampled_from(_TARGETS),
    data=st.data(),
    number=_NUMBERS,
    fmt=st.sampled_from(["dict", "json", "yaml"]),
)
def test_config_numbers_of_any_size_give_a_located_error(tmp_path_factory, target, data, number, fmt):
    name, args = target
    field = data.draw(st.sampled_from(sorted(args)))
    cfg = {"name": name, **args, field: number}
    if field == "boundaries_and_scales":
        cfg[field] = {str(number) if not isinstance(number, dict) else "5": 0.5}
    if fmt == "dict":
        where, source = "", cfg
    else:
        path = tmp_path_factory.mktemp("cfg") / f"c.{fmt}"
        with open(path, "w") as fh:
            json.dump(cfg, fh, indent=1) if fmt == "json" else yaml.safe_dump(cfg, fh)
        where, source = f"{path}:", path
    try:
        from_config(source, total_steps=1000, steps_per_epoch=10, tokens_per_step=100)
    except ConfigError as err:
        text = str(err)
        if where:
            assert re.match(rf"^{re.escape(where)}\d+: ", text), text
        else:  # the path of the argument in the config: `field: ...`, `schedule.step_size: ...`
            assert re.match(r"^[A-Za-z_][^:]*: ", text), text
        assert len(text) < 600
