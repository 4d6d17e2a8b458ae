"""``from_config``: a schedule from a dict, a JSON file or a YAML file (``to_config``'s inverse).

Durations in units
------------------
A *duration field* may be given in units; it is resolved to a whole number of steps once, at
construction (``to_config`` then writes plain steps). A field is a duration field when its name

- ends with ``_steps``, ``_begin``, ``_iters``, ``_period`` or ``_t``, or starts with ``step_size``;
- is ``steps``, ``period``, ``boundaries``, ``milestones`` (every element),
  ``boundaries_and_scales`` (every key), or torch's/timm's ``T_max``, ``T_0``, ``t_initial``;
- or is listed in the schedule class's ``duration_fields`` attribute (a port can name its own).

Fields that count something other than steps (``epochs``, ``steps_per_epoch``, ``warmup_epochs``,
``max_cycles``) are not durations. A duration is one of

- ``100``, ``"100"``, ``"100steps"``, ``"100ba"``: 100 steps (also ``st``, ``step``, ``iter``);
- ``"10%"``, ``"0.1dur"``, ``{"fraction": 0.1}``, ``{"percent": 10}``: a fraction of
  ``total_steps``;
- ``"2ep"``, ``"2 epochs"``, ``{"epochs": 2}``: epochs times ``steps_per_epoch``;
- ``"3e6tok"``, ``"3M tok"``, ``{"tokens": 3e6}``: tokens divided by ``tokens_per_step``.

Numbers take an optional multiplier ``k`` (1e3), ``M`` (1e6), ``G``/``B`` (1e9) or ``T`` (1e12).
A value that is not a whole number of steps is rounded to the nearest step (halves up). The
arithmetic is exact and does not depend on how a number is written: ``10``, ``10.0``,
``numpy.int64(10)`` and ``Fraction(10)`` are the same number (a float counts as the decimal it
prints as, so ``{"fraction": 0.3}`` of 5 steps is 1.5, rounded to 2). A resolved duration above
``2**63 - 1`` steps is refused. The context comes from ``from_config``'s keyword arguments
``total_steps=``, ``steps_per_epoch=``, ``tokens_per_step=``, which take precedence over a
top-level ``"units": {...}`` mapping in the config. Inside a schedule that has its own
``total_steps`` (or HF's ``num_training_steps``), that value is ``total_steps`` for its other
fields and children. Inside ``per_epoch`` the child counts epochs, so its durations are converted
to epochs. All of this is decided in one function, :func:`_resolve_durations`.

Files
-----
YAML is read with the YAML 1.2 core schema for scalars: ``3e-4`` and ``1e3`` are numbers (YAML 1.1
reads them as strings), ``010`` is ten, ``yes``/``no``/``on``/``off`` and ``1:30`` are strings.
Merge keys (``<<: *base``) work, and a key written after the merge overrides the merged one. A
key given twice is refused, in YAML and in JSON. A config is refused when it nests more than
:data:`MAX_DEPTH` containers or :data:`MAX_NESTING` schedules deep, or when it holds more than
:data:`MAX_NODES` values once YAML aliases are expanded (a few hundred bytes of nested aliases can
otherwise stand for billions of values). Numbers too large for a float (``1e400``) are refused
where they are written.

Errors
------
Every error names its place in the config (``schedules[1].warmup_steps: must be >= 0, got -5``),
prefixed by ``file:line`` when the config came from a file (YAML and JSON files both give lines).
Values quoted in a message are shortened, so that a message stays one short line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import decimal
import difflib
import functools
import importlib
import json
import math
import os
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from jaxsched import _validate as v
from jaxsched._core import _REGISTRY, Schedule

MAX_DEPTH = 100
"""Containers (mappings and lists) nested deeper than this are refused."""
MAX_NESTING = 32
"""Schedules nested deeper than this (``join`` of ``join`` of ...) are refused."""
MAX_NODES = 100_000
"""A file holding more values than this, once YAML aliases are expanded, is refused."""
MAX_STEPS = 2**63 - 1
"""The largest step count a duration in units may resolve to."""
_MAX_DIGITS = 400
"""Integer literals longer than this are refused (far beyond any float)."""
_MAX_EXPONENT = 400
"""Decimal exponents beyond this are refused in durations (``"1e999999999"`` is not computed)."""


class ConfigError(ValueError):
    """A config that does not describe a valid schedule; the message starts with its path in the
    config (and ``file:line`` for files)."""


class ConfigArgumentError(ConfigError, v.ScheduleArgumentError):
    """A schedule argument error raised while building from a config, with its path and place."""

    def __init__(self, argument: str, reason: str, value: Any = ..., where: str = "", note: str = ""):
        v.ScheduleArgumentError.__init__(self, argument, reason, value, show_value=False)
        text = f"{argument}: {reason}"
        if value is not ...:
            text += f", got {brief(value)}"
        text += note
        self.args = (f"{where}: {text}" if where else text,)


class ConfigTypeError(ConfigError, v.ScheduleArgumentTypeError):
    """A schedule argument type error raised while building from a config."""

    def __init__(self, argument: str, expected: str, value: Any, where: str = "", note: str = ""):
        self.argument, self.expected, self.value = argument, expected, value
        self.reason = f"must be {expected}"
        text = f"{argument}: must be {expected}, got {type(value).__name__} {brief(value)}{note}"
        TypeError.__init__(self, f"{where}: {text}" if where else text)


def brief(value: Any, width: int = 80) -> str:
    """A short ``repr`` for messages: long strings, lists, mappings and huge integers are cut, and
    nothing is formatted in full first (a value built from YAML aliases can be enormous).

    Example:
      >>> from jaxsched._config import brief
      >>> brief(list(range(100)))
      '[0, 1, 2, 3, 4, 5, ...]'
      >>> brief(2**1100)
      '<an integer of 332 digits>'
    """

    def walk(x: Any, level: int) -> str:
        if isinstance(x, str):
            return repr(x) if len(x) <= 40 else repr(x[:40])[:-1] + "...'"
        if isinstance(x, bool) or x is None:
            return repr(x)
        if isinstance(x, int):
            if x.bit_length() > 128:
                return f"<an integer of {len(str(abs(x))) if x.bit_length() < 13000 else 'over 4000'} digits>"
            return repr(x)
        if isinstance(x, float):
            return repr(x)
        if isinstance(x, Mapping):
            if level > 2:
                return "{...}"
            items = [
                f"{walk(k, level + 1)}: {walk(y, level + 1)}"
                for k, y in zip(list(x)[:4], list(x.values())[:4], strict=True)
            ]
            return "{" + ", ".join(items + (["..."] if len(x) > 4 else [])) + "}"
        if isinstance(x, list | tuple):
            if level > 2:
                return "[...]"
            items = [walk(y, level + 1) for y in x[:6]]
            return "[" + ", ".join(items + (["..."] if len(x) > 6 else [])) + "]"
        text = repr(x)
        return text if len(text) <= 60 else text[:57] + "..."

    text = walk(value, 0)
    return text if len(text) <= width else text[: width - 3] + "..."


# -- registry --------------------------------------------------------------------------------------


def lookup(name: str) -> type[Schedule]:
    """The schedule class registered under ``name`` (``compat.<lib>.<Name>`` imports that port)."""
    if name not in _REGISTRY and name.startswith("compat."):
        parts = name.split(".")
        if len(parts) >= 3:
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"jaxsched.compat.{parts[1]}")
    if name not in _REGISTRY:
        raise KeyError(name)
    return _REGISTRY[name]


_READERS: dict[str, Callable[[dict[str, Any], int | None, int | None], Schedule]] = {}


def register_reader(key: str, reader: Callable[[dict[str, Any], int | None, int | None], Schedule]) -> None:
    """Read configs marked by ``key`` instead of ``name`` (noether's ``kind``) with ``reader(config,
    total_steps, steps_per_epoch)``. A port module registers itself on import: this module imports none."""
    _READERS[key] = reader


def import_all_ports() -> dict[str, str]:
    """Import every ``jaxsched.compat`` module; returns ``{module: error}`` for those that fail."""
    import jaxsched.compat as compat

    failed: dict[str, str] = {}
    for info in pkgutil.iter_modules(compat.__path__):
        if info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"jaxsched.compat.{info.name}")
        except Exception as err:  # a broken port must not hide the others
            failed[f"jaxsched.compat.{info.name}"] = f"{type(err).__name__}: {err}"
    return failed


def _suggest(name: str) -> str:
    import_all_ports()
    close = difflib.get_close_matches(name, list(_REGISTRY), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- numbers ---------------------------------------------------------------------------------------


def exact(x: Any) -> Fraction | None:
    """A finite real number as an exact fraction, whatever its Python type; ``None`` otherwise.

    Floats count as the decimal they print as (``0.3`` is 3/10), so that ``0.3 * 5`` is 1.5 here.
    Booleans are not numbers.

    Example:
      >>> import numpy as np
      >>> from jaxsched._config import exact
      >>> [exact(x) for x in (10, 10.0, np.int64(10), np.float32(2.5), True, float("inf"))]
      [Fraction(10, 1), Fraction(10, 1), Fraction(10, 1), Fraction(5, 2), None, None]
    """
    if isinstance(x, bool | np.bool_):
        return None
    if isinstance(x, int | np.integer):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float | np.floating):
        f = float(x)
        if not math.isfinite(f):
            return None
        return Fraction(str(x) if isinstance(x, np.floating) else repr(f))
    if isinstance(x, decimal.Decimal):
        return Fraction(x) if x.is_finite() else None
    return None


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


# -- units -----------------------------------------------------------------------------------------

_MULT = {"": 0, "k": 3, "K": 3, "M": 6, "G": 9, "B": 9, "T": 12}
_UNIT = {
    "": "steps",
    "st": "steps",
    "step": "steps",
    "steps": "steps",
    "ba": "steps",
    "batch": "steps",
    "batches": "steps",
    "iter": "steps",
    "iters": "steps",
    "%": "percent",
    "dur": "fraction",
    "ep": "epochs",
    "epoch": "epochs",
    "epochs": "epochs",
    "tok": "tokens",
    "token": "tokens",
    "tokens": "tokens",
}
_DURATION_RE = re.compile(
    r"^\s*(?P<sign>[+-]?)(?P<int>\d+(?:_\d+)*)?(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?\s*"
    r"(?P<mult>[kKMGBT]?)\s*(?P<unit>%|[a-z]*)\s*$"
)
_DICT_UNITS = ("steps", "fraction", "percent", "epochs", "tokens")

DURATION_SUFFIXES = ("_steps", "_begin", "_iters", "_period", "_t")
DURATION_NAMES = frozenset(
    {"steps", "period", "boundaries", "milestones", "boundaries_and_scales", "T_max", "T_0", "t_initial"}
)
LOCAL_TOTALS = ("total_steps", "num_training_steps")
_CONTEXT = ("total_steps", "steps_per_epoch", "tokens_per_step")


def is_duration_field(cls: type | None, field: str) -> bool:
    """Whether ``field`` of schedule class ``cls`` takes a duration (see the module docstring)."""
    extra = getattr(cls, "duration_fields", ()) if cls is not None else ()
    if cls is not None and field in getattr(cls, "literal_fields", ()):
        return False  # the original library's own notation (Composer's "10ep"), passed as it is
    if field in extra or field in DURATION_NAMES:
        return True
    if field.startswith("step_size"):
        return True
    return field.endswith(DURATION_SUFFIXES)


@dataclass(frozen=True)
class Units:
    """What durations in units resolve against (all optional; a unit that needs a missing one is
    an error). Numbers of any type are kept as exact fractions."""

    total_steps: Any = None
    steps_per_epoch: Any = None
    tokens_per_step: Any = None
    scale: Any = 1
    """Steps per time unit of the schedule being built (``per_epoch`` children count epochs)."""

    def __post_init__(self) -> None:
        for f in ("total_steps", "steps_per_epoch", "tokens_per_step", "scale"):
            x = getattr(self, f)
            if x is not None:
                q = exact(x)
                if q is None or q <= 0:
                    raise ConfigError(f"{f}: must be a positive number, got {brief(x)}")
                object.__setattr__(self, f, q)


def _parse_number(m: re.Match[str], text: str, field: str) -> Fraction:
    """The number of a duration string, exactly, refusing absurd exponents before computing."""
    digits = (m.group("int") or "").replace("_", "")
    frac = m.group("frac") or ""
    if not digits and not frac:
        raise ConfigError(
            f"{field}: cannot read duration {brief(text)} (use steps, '10%', '0.1dur', '2ep', '3e6tok')"
        )
    exp = int(m.group("exp") or 0) + _MULT[m.group("mult")] - len(frac)
    mantissa = int((digits + frac) or "0")
    if mantissa and not (-_MAX_EXPONENT <= exp + len(str(mantissa)) <= _MAX_EXPONENT):
        raise ConfigError(f"{field}: {brief(text)}: the number is out of range")
    number = Fraction(mantissa) * (Fraction(10) ** exp)
    return -number if m.group("sign") == "-" else number


def parse_duration(value: Any, units: Units, field: str = "duration") -> Any:
    """A duration in steps (an ``int``); plain numbers pass through unchanged.

    Args:
      value: a number, a string such as ``"10%"``, ``"2ep"``, ``"3e6tok"``, or a one-key dict
        such as ``{"epochs": 2}`` (see the module docstring).
      units: the context: ``total_steps``, ``steps_per_epoch``, ``tokens_per_step``.
      field: the name used in error messages.

    Returns:
      The value in steps of the schedule being built, rounded to the nearest whole step (exact
      arithmetic, halves up).

    Raises:
      ConfigError: an unreadable duration, one that needs a context value that is missing, or one
        that resolves to more than ``2**63 - 1`` steps.

    Example:
      >>> from jaxsched._config import Units, parse_duration
      >>> u = Units(total_steps=1000, steps_per_epoch=50, tokens_per_step=4096)
      >>> [parse_duration(x, u) for x in (7, "10%", "0.25dur", "2ep", {"epochs": 3}, "1M tok")]
      [7, 100, 250, 100, 150, 244]
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Mapping):
        keys = [k for k in value if k in _DICT_UNITS]
        if len(value) != 1 or len(keys) != 1:
            raise ConfigError(
                f"{field}: a duration dict has exactly one key out of "
                f"{list(_DICT_UNITS)}, got {brief(dict(value))}"
            )
        kind = keys[0]
        amount = value[kind]
        number = exact(amount)
        if number is None:
            raise ConfigError(f"{field}: {kind} must be a finite number, got {brief(amount)}")
        text = f"{{{kind!r}: {brief(amount)}}}"
    elif isinstance(value, str):
        m = _DURATION_RE.match(value)
        unit = m.group("unit") if m else None
        if m is None or unit not in _UNIT:
            raise ConfigError(
                f"{field}: cannot read duration {brief(value)} (use steps, '10%', '0.1dur', '2ep', '3e6tok')"
            )
        kind = _UNIT[unit]
        number = _parse_number(m, value, field)
        text = brief(value)
    else:
        return value  # a plain number (any type) or something the schedule will refuse
    if kind == "steps":
        steps = number
    elif kind in ("percent", "fraction"):
        if units.total_steps is None:
            raise ConfigError(
                f"{field}: {text} needs total_steps (pass total_steps= to "
                "from_config, or set units: {total_steps: ...} in the config)"
            )
        steps = number * (Fraction(1, 100) if kind == "percent" else 1) * units.total_steps
    elif kind == "epochs":
        if units.steps_per_epoch is None:
            raise ConfigError(
                f"{field}: {text} needs steps_per_epoch (pass steps_per_epoch= to "
                "from_config, or set units: {steps_per_epoch: ...} in the config)"
            )
        steps = number * units.steps_per_epoch
    else:
        if units.tokens_per_step is None:
            raise ConfigError(
                f"{field}: {text} needs tokens_per_step (pass tokens_per_step= to "
                "from_config, or set units: {tokens_per_step: ...} in the config)"
            )
        steps = number / units.tokens_per_step
    out = _round_half_up(steps / (units.scale or 1))
    if abs(out) > MAX_STEPS:
        raise ConfigError(f"{field}: {text} is more than 2**63 - 1 steps")
    return out


def _context_number(label: str, value: Any) -> Fraction | None:
    if value is None:
        return None
    q = exact(value)
    if q is None or q <= 0:
        raise ConfigError(f"{label}: must be a positive number, got {brief(value)}")
    if q > MAX_STEPS:
        raise ConfigError(f"{label}: must be at most 2**63 - 1, got {brief(value)}")
    return q


# -- files -----------------------------------------------------------------------------------------


class _Located(dict[Any, Any]):
    """A mapping read from a file, with the line of the mapping and of each key."""

    line: int | None = None
    lines: dict[Any, int]


class _LocatedList(list[Any]):
    line: int | None = None
    lines: list[int]


_MERGE = "tag:yaml.org,2002:merge"
_YAML12 = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[0-9][0-9_]*[eE][-+]?[0-9]+|\.(?:inf|Inf|INF))$|^\.(?:nan|NaN|NAN)$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_MERGE, r"^(?:<<)$", "<"),
)


@functools.lru_cache(maxsize=1)
def _yaml_loader() -> Any:
    """A PyYAML loader: YAML 1.2 core scalars, located mappings and lists, refused duplicates,
    merge overrides, and bounded nesting and alias expansion."""
    import yaml
    from yaml.composer import ComposerError
    from yaml.constructor import ConstructorError
    from yaml.nodes import MappingNode, SequenceNode

    class Resolver(yaml.resolver.BaseResolver):
        pass

    for tag, pattern, first in _YAML12:
        Resolver.add_implicit_resolver(tag, re.compile(pattern), list(first))

    class Composer(yaml.composer.Composer):
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self._depth >= MAX_DEPTH:
                raise ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def compose_mapping_node(self, anchor: Any) -> Any:
            node = super().compose_mapping_node(anchor)
            node.explicit_keys = sum(1 for k, _ in node.value if k.tag != _MERGE)
            return node

        def get_single_node(self) -> Any:
            node = super().get_single_node()
            if node is not None:
                _check_expansion(node, ComposerError, MappingNode, SequenceNode)
            return node

    class Loader(
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        Composer,
        yaml.constructor.SafeConstructor,
        Resolver,
    ):
        def __init__(self, stream: Any) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            Resolver.__init__(self)

    def construct_int(loader: Any, node: Any) -> int:
        text = str(node.value).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        body = text.lstrip("+-")
        if len(body) > _MAX_DIGITS:
            raise ConstructorError(
                None, None, f"an integer of {len(body)} digits is out of range", node.start_mark
            )
        if body.startswith("0o"):
            return sign * int(body[2:], 8)
        if body.startswith("0x"):
            return sign * int(body[2:], 16)
        return sign * int(body, 10)

    def construct_float(loader: Any, node: Any) -> float:
        text = str(node.value).replace("_", "").lower()
        if text.lstrip("+-") == ".inf":
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        value = float(text)
        if not math.isfinite(value):
            raise ConstructorError(
                None, None, f"{brief(node.value)} is out of range for a float", node.start_mark
            )
        return value

    def construct_map(loader: Any, node: Any) -> Any:
        data = _Located()
        data.line = node.start_mark.line + 1
        data.lines = {}
        yield data
        explicit = getattr(node, "explicit_keys", len(node.value))
        loader.flatten_mapping(node)
        merged = len(node.value) - explicit
        seen: set[Any] = set()
        for i, (key_node, value_node) in enumerate(node.value):
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(
                    None, None, f"unhashable key {brief(key)}", key_node.start_mark
                ) from None
            if i < merged:  # merged keys: the first merged mapping wins, explicit keys override
                if key in data:
                    continue
            elif key in seen:
                raise ConstructorError(None, None, f"duplicate key {brief(key)}", key_node.start_mark)
            else:
                seen.add(key)
            data[key] = loader.construct_object(value_node, deep=True)
            data.lines[key] = key_node.start_mark.line + 1

    def construct_seq(loader: Any, node: Any) -> Any:
        data = _LocatedList()
        data.line = node.start_mark.line + 1
        yield data
        data.extend(loader.construct_object(child, deep=True) for child in node.value)
        data.lines = [child.start_mark.line + 1 for child in node.value]

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    Loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    return Loader


def _check_expansion(root: Any, error: Any, mapping: Any, sequence: Any) -> None:
    """Refuse a node graph that expands (through aliases) to more than MAX_NODES values or deeper
    than MAX_DEPTH; iterative, and linear in the distinct nodes."""

    def children(node: Any) -> list[Any]:
        if isinstance(node, mapping):
            return [x for pair in node.value for x in pair]
        if isinstance(node, sequence):
            return list(node.value)
        return []

    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if not done:
            if key in size:
                continue
            if key in active:
                raise error(None, None, "an alias refers to a node that contains it", node.start_mark)
            active.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children(node) if id(c) not in size)
            continue
        active.discard(key)
        kids = children(node)
        total = 1 + sum(size[id(c)] for c in kids)
        deep = 1 + max((depth[id(c)] for c in kids), default=0)
        if total > MAX_NODES:
            raise error(
                None,
                None,
                f"this value expands to more than {MAX_NODES} values (through YAML aliases); refused",
                node.start_mark,
            )
        if deep > MAX_DEPTH:
            raise error(
                None, None, f"nested deeper than {MAX_DEPTH} levels (through YAML aliases)", node.start_mark
            )
        size[key], depth[key] = total, deep


def _load_yaml(text: str, path: str) -> Any:
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is in the config extra
        raise ConfigError(f"{path}: reading YAML needs PyYAML (pip install pyyaml)") from None
    try:
        return yaml.load(text, Loader=_yaml_loader())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        context, opened = getattr(err, "context", None), getattr(err, "context_mark", None)
        if context and opened is not None and mark is not None and opened.line != mark.line:
            problem += f" ({context} at line {opened.line + 1})"
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    except (ValueError, RecursionError) as err:  # a scalar PyYAML itself cannot convert
        raise ConfigError(f"{path}: invalid YAML: {type(err).__name__}: {brief(str(err), 120)}") from None


_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}\n]')


def _json_depth(text: str, path: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before the (recursive) parser sees it."""
    depth, line = 0, 1
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(f"{path}:{line}: invalid JSON: nested deeper than {MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1


class _JsonError(ValueError):
    def __init__(self, message: str, literal: str | None = None):
        super().__init__(message)
        self.literal = literal


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, x in pairs:
        if k in out:
            raise _JsonError(f"duplicate key {brief(k)}")
        out[k] = x
    return out


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise _JsonError(f"an integer of {len(text.lstrip('-'))} digits is out of range", text)
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonError(f"{brief(text)} is out of range for a float", text)
    return value


def _load_json(text: str, path: str) -> Any:
    _json_depth(text, path)
    try:
        plain = json.loads(text, object_pairs_hook=_json_pairs, parse_int=_json_int, parse_float=_json_float)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None
    except _JsonError as err:
        line = None
        if err.literal is not None and err.literal in text:
            line = text.count("\n", 0, text.index(err.literal)) + 1
        elif str(err).startswith("duplicate key"):
            # The YAML reader refuses the same duplicate, with its line.
            try:
                _load_yaml(text, path)
            except ConfigError as found:
                m = re.match(rf"^{re.escape(path)}:(\d+): invalid YAML: duplicate key", str(found))
                line = int(m.group(1)) if m else None
        where = f"{path}:{line}" if line is not None else path
        raise ConfigError(f"{where}: invalid JSON: {err}") from None
    except (ValueError, RecursionError) as err:
        raise ConfigError(f"{path}: invalid JSON: {brief(str(err), 120)}") from None
    # JSON is (nearly) YAML: read it once more with the line-tracking loader, for error lines.
    try:
        located = _load_yaml(text, path)
    except ConfigError:
        return plain
    return _graft(plain, located)


def _graft(plain: Any, located: Any) -> Any:
    """``plain`` (the JSON reading, authoritative) with the lines of ``located`` (the YAML
    reading) wherever the two have the same shape."""
    if isinstance(plain, dict) and isinstance(located, _Located) and list(plain) == list(located):
        out = _Located()
        out.line, out.lines = located.line, dict(located.lines)
        for k, x in plain.items():
            out[k] = _graft(x, located[k])
        return out
    if isinstance(plain, list) and isinstance(located, _LocatedList) and len(plain) == len(located):
        seq = _LocatedList(_graft(x, y) for x, y in zip(plain, located, strict=True))
        seq.line, seq.lines = located.line, list(located.lines)
        return seq
    return plain


def load_text(text: str, label: str, kind: str = "auto") -> Any:
    """A config from text: ``kind`` is ``"json"``, ``"yaml"`` or ``"auto"`` (JSON when it parses
    as JSON, else YAML), with the same checks as files; errors start with ``label``."""
    if kind == "json":
        return _load_json(text, label)
    if kind == "yaml":
        return _load_yaml(text, label)
    try:
        return _load_json(text, label)
    except ConfigError as err:
        if re.match(
            rf"^{re.escape(label)}(?::\d+)?: invalid JSON: (?:Expecting|Extra data|"
            r"Invalid|Unterminated)",
            str(err),
        ):
            return _load_yaml(text, label)
        raise


def _load_file(path: str | os.PathLike[str]) -> Any:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ConfigError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ConfigError(f"{path}: is a directory, not a config file")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    return load_text(text, path, "yaml" if path.endswith((".yaml", ".yml")) else "json")


def save_config(schedule: Schedule, path: str | os.PathLike[str]) -> None:
    """Write ``schedule.to_config()`` to a ``.json`` or ``.yaml``/``.yml`` file.

    Args:
      schedule: any schedule.
      path: the file; YAML when it ends with ``.yaml`` or ``.yml``, JSON otherwise.

    Example:
      >>> import os, tempfile, jaxsched
      >>> from jaxsched._config import save_config
      >>> s = jaxsched.cosine_decay(0.1, decay_steps=100)
      >>> p = os.path.join(tempfile.mkdtemp(), "s.yaml")
      >>> save_config(s, p)
      >>> jaxsched.from_config(p) == s
      True
    """
    cfg = schedule.to_config()
    path = os.fspath(path)
    with open(path, "w", encoding="utf-8") as fh:
        if path.endswith((".yaml", ".yml")):
            import yaml

            yaml.safe_dump(cfg, fh, sort_keys=False)
        else:
            json.dump(cfg, fh, indent=2)
            fh.write("\n")


# -- building --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    file: str | None

    def at(self, node: Any, key: Any = None, index: int | None = None) -> str:
        """``file:line`` of ``node[key][index]`` (as near as known), or ``file``, or ""."""
        if self.file is None:
            return ""
        line = getattr(node, "line", None)
        lines = getattr(node, "lines", None)
        if key is not None and isinstance(lines, dict) and key in lines:
            line = lines[key]
            child = node.get(key) if isinstance(node, Mapping) else None
            child_lines = getattr(child, "lines", None)
            if isinstance(child_lines, list) and index is not None and 0 <= index < len(child_lines):
                line = child_lines[index]
        return f"{self.file}:{line}" if line is not None else self.file


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _prefix(where: str, path: str, message: str) -> str:
    head = ": ".join(x for x in (where, path) if x)
    return f"{head}: {message}" if head else message


_ARG_RE = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>-?\d+)\])?")


def _init_fields(cls: type[Schedule]) -> tuple[list[str], list[str]]:
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    names = [f.name for f in fields]
    required = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    return names, required


def _resolve_boundaries(value: Mapping[Any, Any], units: Units, field: str, loc: _Where) -> dict[Any, Any]:
    """``boundaries_and_scales`` with its keys in steps; two keys that name the same step are
    refused (as the constructor refuses them), where the second one is written."""
    out: dict[Any, Any] = {}
    source: dict[Any, Any] = {}
    for b, s in value.items():
        step = b
        if isinstance(b, str):
            try:
                step = int(b)
            except ValueError:
                step = parse_duration(b, units, f"{field}[{brief(b)}]")
        if step in out:
            raise ConfigError(
                _prefix(
                    loc.at(value, b),
                    field,
                    f"keys {brief(source[step])} and {brief(b)} are the same step {brief(step)}",
                )
            )
        out[step] = s
        source[step] = b
    return out


def _resolve_field(key: str, value: Any, units: Units, path: str, where: str, loc: _Where) -> Any:
    field = _join(path, key)
    try:
        if key == "boundaries_and_scales" and isinstance(value, Mapping):
            return _resolve_boundaries(value, units, field, loc)
        if isinstance(value, list | tuple):
            return [parse_duration(x, units, f"{field}[{i}]") for i, x in enumerate(value)]
        return parse_duration(value, units, field)
    except ConfigError as err:
        text = str(err)
        if loc.file is not None and text.startswith(f"{loc.file}:"):
            raise
        raise ConfigError(_prefix(where, "", text)) from None


def _resolve_durations(
    cls: type[Schedule], cfg: Mapping[str, Any], units: Units, path: str, loc: _Where
) -> tuple[dict[str, Any], dict[str, str], Units]:
    """Every duration of one schedule's config in steps, and the units its children count in.

    This is the one place that knows which fields are durations (:func:`is_duration_field`), that
    a schedule's own ``total_steps``/``num_training_steps`` is the total for its other fields and
    children, and that ``per_epoch``'s child counts epochs.

    Returns:
      ``(resolved, notes, child_units)``: the duration fields in steps, a note per field whose
      value changed (``" (from '10%')"``, for error messages), and the units of nested schedules.
    """
    resolved: dict[str, Any] = {}
    local = units
    for key in LOCAL_TOTALS:
        if key in cfg and is_duration_field(cls, key):
            total = _resolve_field(key, cfg[key], units, path, loc.at(cfg, key), loc)
            resolved[key] = total
            q = exact(total)
            if q is not None and 0 < q <= MAX_STEPS:
                local = dataclasses.replace(units, total_steps=q * units.scale)
            break
    for key, value in cfg.items():
        if key != "name" and key not in resolved and is_duration_field(cls, key):
            resolved[key] = _resolve_field(key, value, local, path, loc.at(cfg, key), loc)
    notes = {key: f" (from {brief(cfg[key])})" for key, x in resolved.items() if _changed(x, cfg[key])}
    child = local
    if cls.config_name == "per_epoch":
        spe = exact(cfg.get("steps_per_epoch"))
        if spe is not None and spe >= 1 and spe.denominator == 1 and spe <= MAX_STEPS:
            child = dataclasses.replace(
                local,
                scale=local.scale * spe,
                steps_per_epoch=local.steps_per_epoch if local.steps_per_epoch is not None else spe,
            )
    return resolved, notes, child


def _changed(new: Any, old: Any) -> bool:
    try:
        return bool(new != old)
    except (ValueError, TypeError):  # arrays and other values without a plain equality
        return True


def _has_unit(value: Any) -> bool:
    """A string such as ``"10%"`` or ``"2ep"`` (a number with a unit or multiplier)."""
    if not isinstance(value, str):
        return False
    m = _DURATION_RE.match(value)
    return (
        m is not None
        and (m.group("int") is not None or bool(m.group("frac")))
        and m.group("unit") in _UNIT
        and bool(m.group("unit") or m.group("mult"))
    )


@dataclass
class _Budget:
    """How deep the builder is: containers and schedules."""

    depth: int = 0
    nesting: int = 0


def _build(cfg: Any, path: str, units: Units, loc: _Where, budget: _Budget) -> Any:
    if isinstance(cfg, Mapping | list | tuple):
        if budget.depth >= MAX_DEPTH:
            raise ConfigError(
                _prefix(loc.at(cfg), _short_path(path), f"nested deeper than {MAX_DEPTH} levels")
            )
        budget.depth += 1
        try:
            if isinstance(cfg, Mapping) and "name" not in cfg and "kind" in cfg:
                return _build_noether(cfg, path, units, loc)
            if isinstance(cfg, Mapping) and "name" in cfg:
                if budget.nesting >= MAX_NESTING:
                    raise ConfigError(
                        _prefix(
                            loc.at(cfg),
                            _short_path(path),
                            f"schedules nested deeper than {MAX_NESTING} levels",
                        )
                    )
                budget.nesting += 1
                try:
                    return _build_schedule(cfg, path, units, loc, budget)
                finally:
                    budget.nesting -= 1
            if isinstance(cfg, list | tuple):
                return [_build(x, f"{path}[{i}]", units, loc, budget) for i, x in enumerate(cfg)]
        finally:
            budget.depth -= 1
    return cfg


def _short_path(path: str) -> str:
    """A deep path cut in the middle: ``schedules[0].schedules[0]...(30 more)...schedules[0]``."""
    parts = path.split(".")
    if len(parts) <= 4:
        return path
    return ".".join(parts[:2]) + f"...({len(parts) - 3} more)..." + parts[-1]


def _huge(x: Any, depth: int = 0) -> bool:
    """A number no float holds (or a non-finite one), possibly inside a short list."""
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return x.bit_length() > 1023
    if isinstance(x, float):
        return not math.isfinite(x)
    if isinstance(x, list | tuple) and depth < 2:
        return any(_huge(y, depth + 1) for y in x[:1000])
    return False


def _build_schedule(
    cfg: Mapping[str, Any], path: str, units: Units, loc: _Where, budget: _Budget
) -> Schedule:
    name = cfg["name"]
    if not isinstance(name, str):
        raise ConfigError(
            _prefix(loc.at(cfg, "name"), _join(path, "name"), f"must be a string, got {brief(name)}")
        )
    try:
        cls = lookup(name)
    except KeyError:
        raise ConfigError(
            _prefix(
                loc.at(cfg, "name"), _join(path, "name"), f"unknown schedule {brief(name)}{_suggest(name)}"
            )
        ) from None
    names, required = _init_fields(cls)
    for key in cfg:
        if key != "name" and key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                _prefix(
                    loc.at(cfg, key),
                    _join(path, brief(key, 40).strip("'")),
                    f"unknown argument of {name}{hint}; it takes {names}",
                )
            )
    missing = [k for k in required if k not in cfg]
    if missing:
        raise ConfigError(_prefix(loc.at(cfg), path, f"{name} is missing required argument(s) {missing}"))

    kwargs, notes, child_units = _resolve_durations(cls, cfg, units, path, loc)
    for key, value in cfg.items():
        if key == "name" or key in kwargs:
            continue
        if _has_unit(value) and key not in getattr(cls, "literal_fields", ()):
            raise ConfigError(
                _prefix(
                    loc.at(cfg, key),
                    _join(path, key),
                    f"{brief(value)}: units are accepted only in duration "
                    "fields (names ending in _steps, _begin, ...)",
                )
            )
        child_path = _join(path, key)
        if isinstance(value, Mapping) and ("name" in value or "kind" in value):
            kwargs[key] = _build(value, child_path, child_units, loc, budget)
        elif isinstance(value, list | tuple):
            kwargs[key] = [
                _build(x, f"{child_path}[{i}]", child_units, loc, budget)
                if isinstance(x, Mapping | list | tuple)
                else x
                for i, x in enumerate(value)
            ]
        else:
            kwargs[key] = value
    try:
        return cls(**kwargs)
    except (v.ScheduleArgumentError, v.ScheduleArgumentTypeError) as err:
        m = _ARG_RE.match(err.argument)
        arg = m.group("key") if m else None
        index = int(m.group("index")) if m and m.group("index") is not None else None
        where = loc.at(cfg, arg, index)
        note = notes.get(arg or "", "")
        full = _join(path, err.argument)
        if len(full) > 120:  # an argument named after a huge key: boundaries_and_scales[<key>]
            full = full[:100] + "...]"
        if isinstance(err, v.ScheduleArgumentTypeError):
            raise ConfigTypeError(full, err.expected, err.value, where, note) from None
        shown = str(err).endswith(", got " + _safe_repr(err.value))
        raise ConfigArgumentError(full, err.reason, err.value if shown else ..., where, note) from None
    except (ValueError, TypeError, ArithmeticError) as err:
        # An argument the schedule could not even check (a number no float holds, ...): point at
        # the first such argument when there is one.
        culprit = next((k for k, x in kwargs.items() if _huge(x)), None)
        where = loc.at(cfg, culprit) if culprit is not None else loc.at(cfg)
        subject = _join(path, culprit) if culprit is not None else (path or name)
        text = (
            brief(str(err), 200)
            if culprit is None
            else f"{brief(kwargs[culprit])} is out of range ({type(err).__name__}: {brief(str(err), 100)})"
        )
        raise ConfigError(_prefix(where, subject, text)) from None


def _safe_repr(x: Any) -> str:
    try:
        return repr(x)
    except ValueError:  # an integer too long to print
        return ""


def _build_noether(cfg: Mapping[str, Any], path: str, units: Units, loc: _Where) -> Schedule:
    kind = cfg["kind"]
    if not isinstance(kind, str):
        raise ConfigError(
            _prefix(loc.at(cfg, "kind"), _join(path, "kind"), f"must be a string, got {brief(kind)}")
        )
    if units.total_steps is None:
        raise ConfigError(
            _prefix(
                loc.at(cfg, "kind"),
                path or kind,
                "a noether config needs total_steps (pass total_steps= to "
                "from_config, or set units: {total_steps: ...} in the config)",
            )
        )
    if "kind" not in _READERS:
        failed = import_all_ports()  # the port module registers its reader on import
        if "kind" not in _READERS:
            raise ConfigError(
                _prefix(
                    loc.at(cfg, "kind"), path or kind, f"noether configs are not supported here: {failed}"
                )
            )
    total = _round_half_up(units.total_steps / units.scale)
    per_epoch = None if units.steps_per_epoch is None else _round_half_up(units.steps_per_epoch)
    try:
        return _READERS["kind"](dict(cfg), total, per_epoch)
    except (ValueError, TypeError, KeyError, ArithmeticError) as err:
        raise ConfigError(_prefix(loc.at(cfg), path or kind, brief(str(err).strip("'\""), 200))) from None


def from_config(
    config: Mapping[str, Any] | str | os.PathLike[str],
    *,
    total_steps: float | None = None,
    steps_per_epoch: float | None = None,
    tokens_per_step: float | None = None,
) -> Schedule:
    """Build a schedule from ``to_config()`` output, or from a ``.json``/``.yaml`` file holding one.

    Durations (fields such as ``warmup_steps``, ``transition_begin``, ``boundaries``,
    ``milestones``) may be given in units, resolved to steps once here: ``"10%"`` or ``"0.1dur"``
    of ``total_steps``, ``"2ep"`` epochs of ``steps_per_epoch``, ``"3e6tok"`` tokens of
    ``tokens_per_step``, or the dict forms
    ``{"epochs": 2}`` ... (the full rule is in :mod:`jaxsched._config`). A noether config
    (``{"kind": "noether.core.schedules.X", ...}``, no ``name``) is read with
    :func:`jaxsched.compat.noether.from_noether_config` and needs ``total_steps``.

    Args:
      config: a dict with a ``name`` key and the schedule's arguments (nested schedules as nested
        dicts), or the path of a JSON or YAML file holding one. A top-level ``"units"`` mapping
        may set ``total_steps``, ``steps_per_epoch`` and ``tokens_per_step``.
      total_steps: the total number of steps, for fractions and percentages (overrides ``units``).
      steps_per_epoch: updates per epoch, for epoch units (overrides ``units``).
      tokens_per_step: tokens per update, for token units (overrides ``units``).

    Returns:
      The schedule.

    Raises:
      ConfigError: (a ValueError) with the path inside the config and, for files, ``file:line``,
        e.g.
        ``run.yaml:7: schedules[1].warmup_steps: must be >= 0, got -5``. Argument errors are also
        :class:`~jaxsched.ScheduleArgumentError` / :class:`~jaxsched.ScheduleArgumentTypeError`.

    Example:
      >>> import jaxsched
      >>> jaxsched.from_config({"name": "cosine_decay", "init_value": 0.1, "decay_steps": 100})
      cosine_decay(init_value=0.1, decay_steps=100, alpha=0.0, exponent=1.0, k_decay=1.0)
      >>> cfg = {"name": "warmup_cosine_decay", "init_value": 0.0, "peak_value": 1.0,
      ...        "warmup_steps": "5%", "decay_steps": "4ep"}
      >>> s = jaxsched.from_config(cfg, total_steps=1000, steps_per_epoch=250)
      >>> s.warmup_steps, s.decay_steps
      (50, 1000)
    """
    file: str | None = None
    if isinstance(config, str | os.PathLike):
        file = os.fspath(config)
        config = _load_file(config)
    label = file or "config"
    if not isinstance(config, Mapping):
        kind = "list" if isinstance(config, list) else type(config).__name__
        raise ConfigError(f"{label}: expected a mapping with a 'name' key, got {kind}")
    loc = _Where(file)
    config = dict(config) if not isinstance(config, _Located) else config
    raw_units = config.get("units", {})
    if "units" in config:
        if not isinstance(raw_units, Mapping):
            raise ConfigError(
                _prefix(loc.at(config, "units"), "units", f"must be a mapping, got {brief(raw_units)}")
            )
        unknown = [k for k in raw_units if k not in _CONTEXT]
        if unknown:
            raise ConfigError(
                _prefix(
                    loc.at(config, "units"),
                    "units",
                    f"unknown keys {brief(unknown)}; expected {list(_CONTEXT)}",
                )
            )
    context: dict[str, Fraction | None] = {}
    for key, given in (
        ("total_steps", total_steps),
        ("steps_per_epoch", steps_per_epoch),
        ("tokens_per_step", tokens_per_step),
    ):
        if given is not None:
            context[key] = _context_number(key, given)
        else:
            where = _prefix(loc.at(raw_units, key), "", f"units.{key}")
            context[key] = _context_number(where, raw_units.get(key))
    units = Units(context["total_steps"], context["steps_per_epoch"], context["tokens_per_step"])
    body: Any = config
    if "units" in config:
        body = _Located({k: x for k, x in config.items() if k != "units"})
        body.line = getattr(config, "line", None)
        body.lines = getattr(config, "lines", {})
    if "name" not in body and "kind" not in body:
        raise ConfigError(_prefix(loc.at(config), "" if file else label, "missing key 'name'"))
    out: Schedule = _build(body, "", units, loc, _Budget())
    return out
