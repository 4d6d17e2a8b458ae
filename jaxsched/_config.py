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
context comes from ``from_config``'s keyword arguments ``total_steps=``, ``steps_per_epoch=``,
``tokens_per_step=``, which take precedence over a top-level ``"units": {...}`` mapping in the
config. Inside a schedule that has its own ``total_steps`` (or HF's ``num_training_steps``), that
value is ``total_steps`` for its other fields and children. Inside ``per_epoch`` the child counts
epochs, so its durations are converted to epochs.

Errors
------
Every error names its place in the config (``schedules[1].warmup_steps: must be >= 0, got -5``),
prefixed by ``file:line`` when the config came from a file (YAML and JSON files both give lines).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import importlib
import json
import math
import os
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import _REGISTRY, Schedule


class ConfigError(ValueError):
    """A config that does not describe a valid schedule; the message starts with its path in the
    config (and ``file:line`` for files)."""


class ConfigArgumentError(ConfigError, v.ScheduleArgumentError):
    """A schedule argument error raised while building from a config, with its path and place."""

    def __init__(self, argument: str, reason: str, value: Any = ..., where: str = "",
                 note: str = ""):
        v.ScheduleArgumentError.__init__(self, argument, reason, value)
        text = str(self.args[0]) + note
        self.args = (f"{where}: {text}" if where else text,)


class ConfigTypeError(ConfigError, v.ScheduleArgumentTypeError):
    """A schedule argument type error raised while building from a config."""

    def __init__(self, argument: str, expected: str, value: Any, where: str = "", note: str = ""):
        v.ScheduleArgumentTypeError.__init__(self, argument, expected, value)
        text = str(self.args[0]) + note
        self.args = (f"{where}: {text}" if where else text,)


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


# -- units -----------------------------------------------------------------------------------------

_MULT = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "T": 1e12}
_UNIT = {
    "": "steps", "st": "steps", "step": "steps", "steps": "steps", "ba": "steps", "batch": "steps",
    "batches": "steps", "iter": "steps", "iters": "steps",
    "%": "percent", "dur": "fraction",
    "ep": "epochs", "epoch": "epochs", "epochs": "epochs",
    "tok": "tokens", "token": "tokens", "tokens": "tokens",
}
_DURATION_RE = re.compile(
    r"^\s*(?P<num>[+-]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*"
    r"(?P<mult>[kKMGBT]?)\s*(?P<unit>%|[a-z]*)\s*$"
)
_DICT_UNITS = ("steps", "fraction", "percent", "epochs", "tokens")

DURATION_SUFFIXES = ("_steps", "_begin", "_iters", "_period", "_t")
DURATION_NAMES = frozenset({"steps", "period", "boundaries", "milestones", "boundaries_and_scales",
                            "T_max", "T_0", "t_initial"})
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
    an error)."""

    total_steps: float | None = None
    steps_per_epoch: float | None = None
    tokens_per_step: float | None = None
    scale: int = 1
    """Steps per time unit of the schedule being built (``per_epoch`` children count epochs)."""


def parse_duration(value: Any, units: Units, field: str = "duration") -> Any:
    """A duration in steps (an ``int``); plain numbers pass through unchanged.

    Args:
      value: a number, a string such as ``"10%"``, ``"2ep"``, ``"3e6tok"``, or a one-key dict
        such as ``{"epochs": 2}`` (see the module docstring).
      units: the context: ``total_steps``, ``steps_per_epoch``, ``tokens_per_step``.
      field: the name used in error messages.

    Returns:
      The value in steps of the schedule being built, rounded to the nearest whole step.

    Raises:
      ConfigError: an unreadable duration, or one that needs a context value that is missing.

    Example:
      >>> from jaxsched._config import Units, parse_duration
      >>> u = Units(total_steps=1000, steps_per_epoch=50, tokens_per_step=4096)
      >>> [parse_duration(x, u) for x in (7, "10%", "0.25dur", "2ep", {"epochs": 3}, "1M tok")]
      [7, 100, 250, 100, 150, 244]
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping):
        keys = [k for k in value if k in _DICT_UNITS]
        if len(value) != 1 or len(keys) != 1:
            raise ConfigError(f"{field}: a duration dict has exactly one key out of "
                              f"{list(_DICT_UNITS)}, got {dict(value)!r}")
        kind = keys[0]
        amount = value[kind]
        if isinstance(amount, bool) or not isinstance(amount, int | float) \
                or not math.isfinite(amount):
            raise ConfigError(f"{field}: {kind} must be a finite number, got {amount!r}")
        text = f"{{{kind!r}: {amount!r}}}"
        number = float(amount)
    elif isinstance(value, str):
        m = _DURATION_RE.match(value)
        unit = m.group("unit") if m else None
        if m is None or unit not in _UNIT:
            raise ConfigError(f"{field}: cannot read duration {value!r} "
                              "(use steps, '10%', '0.1dur', '2ep', '3e6tok')")
        kind = _UNIT[unit]
        number = float(m.group("num").replace("_", "")) * _MULT[m.group("mult")]
        text = repr(value)
    else:
        return value
    if kind == "steps":
        steps = number
    elif kind in ("percent", "fraction"):
        if units.total_steps is None:
            raise ConfigError(f"{field}: {text} needs total_steps (pass total_steps= to "
                              "from_config, or set units: {total_steps: ...} in the config)")
        steps = number * (0.01 if kind == "percent" else 1.0) * units.total_steps
    elif kind == "epochs":
        if units.steps_per_epoch is None:
            raise ConfigError(f"{field}: {text} needs steps_per_epoch (pass steps_per_epoch= to "
                              "from_config, or set units: {steps_per_epoch: ...} in the config)")
        steps = number * units.steps_per_epoch
    else:
        if units.tokens_per_step is None:
            raise ConfigError(f"{field}: {text} needs tokens_per_step (pass tokens_per_step= to "
                              "from_config, or set units: {tokens_per_step: ...} in the config)")
        steps = number / units.tokens_per_step
    return _round_steps(steps / units.scale)


def _round_steps(x: float) -> int:
    near = round(x)
    if abs(x - near) <= 1e-9 * max(1.0, abs(x)):
        return int(near)
    return math.floor(x + 0.5)


def _context_number(label: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value <= 0:
        raise ConfigError(f"{label}: must be a positive number, got {value!r}")
    return float(value)


# -- files -----------------------------------------------------------------------------------------

class _Located(dict[Any, Any]):
    """A mapping read from a file, with the line of the mapping and of each key."""

    line: int | None = None
    lines: dict[Any, int]


class _LocatedList(list[Any]):
    line: int | None = None
    lines: list[int]


def _yaml_loader() -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_map(loader: Any, node: Any) -> Any:
        data = _Located()
        data.line = node.start_mark.line + 1
        data.lines = {}
        yield data
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, f"unhashable key {key!r}", key_node.start_mark) from None
            if key in data:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            data[key] = loader.construct_object(value_node, deep=True)
            data.lines[key] = key_node.start_mark.line + 1

    def construct_seq(loader: Any, node: Any) -> Any:
        data = _LocatedList()
        data.line = node.start_mark.line + 1
        yield data
        data.extend(loader.construct_object(child, deep=True) for child in node.value)
        data.lines = [child.start_mark.line + 1 for child in node.value]

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
    return Loader


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
    if path.endswith((".yaml", ".yml")):
        return _load_yaml(text, path)
    try:
        plain = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None
    # JSON is (nearly) YAML: read it once more with the line-tracking loader, for error lines.
    try:
        located = _load_yaml(text, path)
    except ConfigError:
        return plain
    return located if located == plain else plain


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
            if isinstance(child_lines, list) and index is not None \
                    and 0 <= index < len(child_lines):
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
    required = [f.name for f in fields
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    return names, required


def _resolve_field(cls: type[Schedule], key: str, value: Any, units: Units, path: str,
                   where: str) -> Any:
    field = _join(path, key)
    try:
        if key == "boundaries_and_scales" and isinstance(value, Mapping):
            out: dict[Any, Any] = {}
            for b, s in value.items():
                if isinstance(b, str):
                    try:
                        b = int(b)
                    except ValueError:
                        b = parse_duration(b, units, f"{field}[{b!r}]")
                out[b] = s
            return out
        if isinstance(value, list | tuple):
            return [parse_duration(x, units, f"{field}[{i}]") for i, x in enumerate(value)]
        return parse_duration(value, units, field)
    except ConfigError as err:
        raise ConfigError(_prefix(where, "", str(err))) from None


def _has_unit(value: Any) -> bool:
    """A string such as ``"10%"`` or ``"2ep"`` (a number with a unit or multiplier)."""
    if not isinstance(value, str):
        return False
    m = _DURATION_RE.match(value)
    return m is not None and m.group("unit") in _UNIT and bool(m.group("unit") or m.group("mult"))


def _build(cfg: Any, path: str, units: Units, loc: _Where) -> Any:
    if isinstance(cfg, Mapping) and "name" not in cfg and "kind" in cfg:
        return _build_noether(cfg, path, units, loc)
    if isinstance(cfg, Mapping) and "name" in cfg:
        return _build_schedule(cfg, path, units, loc)
    if isinstance(cfg, list | tuple):
        return [_build(x, f"{path}[{i}]", units, loc) for i, x in enumerate(cfg)]
    return cfg


def _build_schedule(cfg: Mapping[str, Any], path: str, units: Units, loc: _Where) -> Schedule:
    name = cfg["name"]
    if not isinstance(name, str):
        raise ConfigError(_prefix(loc.at(cfg, "name"), _join(path, "name"),
                                  f"must be a string, got {name!r}"))
    try:
        cls = lookup(name)
    except KeyError:
        raise ConfigError(_prefix(loc.at(cfg, "name"), _join(path, "name"),
                                  f"unknown schedule {name!r}{_suggest(name)}")) from None
    names, required = _init_fields(cls)
    for key in cfg:
        if key != "name" and key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(_prefix(loc.at(cfg, key), _join(path, str(key)),
                                      f"unknown argument of {name}{hint}; it takes {names}"))
    missing = [k for k in required if k not in cfg]
    if missing:
        raise ConfigError(_prefix(loc.at(cfg), path,
                                  f"{name} is missing required argument(s) {missing}"))

    # This schedule's own total (WSD, OneCycleLR, HF) is the total for its fields and children.
    local = units
    own_total: dict[str, Any] = {}
    for key in LOCAL_TOTALS:
        if key in cfg and is_duration_field(cls, key):
            total = _resolve_field(cls, key, cfg[key], units, path, loc.at(cfg, key))
            own_total[key] = total
            if isinstance(total, int | float) and not isinstance(total, bool) and total > 0:
                local = dataclasses.replace(units, total_steps=float(total) * units.scale)
            break

    child_units = local
    if cls.config_name == "per_epoch":
        spe = cfg.get("steps_per_epoch")
        if isinstance(spe, int) and not isinstance(spe, bool) and spe >= 1:
            child_units = dataclasses.replace(
                local, scale=local.scale * spe,
                steps_per_epoch=local.steps_per_epoch if local.steps_per_epoch is not None else spe)

    kwargs: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for key, value in cfg.items():
        if key == "name":
            continue
        if is_duration_field(cls, key):
            resolved = own_total[key] if key in own_total else _resolve_field(
                cls, key, value, local, path, loc.at(cfg, key))
            if resolved != value:
                notes[key] = f" (from {value!r})"
            kwargs[key] = resolved
        elif _has_unit(value) and key not in getattr(cls, "literal_fields", ()):
            raise ConfigError(_prefix(loc.at(cfg, key), _join(path, key),
                                      f"{value!r}: units are accepted only in duration fields "
                                      "(names ending in _steps, _begin, ...)"))
        else:
            child_path = _join(path, key)
            if isinstance(value, Mapping) and ("name" in value or "kind" in value):
                kwargs[key] = _build(value, child_path, child_units, loc)
            elif isinstance(value, list | tuple):
                kwargs[key] = [
                    _build(x, f"{child_path}[{i}]", child_units, loc)
                    if isinstance(x, Mapping) else x
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
        if isinstance(err, v.ScheduleArgumentTypeError):
            raise ConfigTypeError(full, err.expected, err.value, where, note) from None
        show = err.value if str(err).endswith(f", got {err.value!r}") else ...
        raise ConfigArgumentError(full, err.reason, show, where, note) from None
    except (ValueError, TypeError) as err:
        raise ConfigError(_prefix(loc.at(cfg), path or name, str(err))) from None


def _build_noether(cfg: Mapping[str, Any], path: str, units: Units, loc: _Where) -> Schedule:
    kind = cfg["kind"]
    if not isinstance(kind, str):
        raise ConfigError(_prefix(loc.at(cfg, "kind"), _join(path, "kind"),
                                  f"must be a string, got {kind!r}"))
    if units.total_steps is None:
        raise ConfigError(_prefix(loc.at(cfg, "kind"), path or kind,
                                  "a noether config needs total_steps (pass total_steps= to "
                                  "from_config, or set units: {total_steps: ...} in the config)"))
    try:
        from jaxsched.compat.noether import from_noether_config
    except ImportError as err:
        raise ConfigError(_prefix(loc.at(cfg, "kind"), path or kind,
                                  f"noether configs are not supported here: {err}")) from None
    total = _round_steps(units.total_steps / units.scale)
    per_epoch = None if units.steps_per_epoch is None else _round_steps(units.steps_per_epoch)
    try:
        return from_noether_config(dict(cfg), total, updates_per_epoch=per_epoch)
    except (ValueError, TypeError, KeyError) as err:
        raise ConfigError(_prefix(loc.at(cfg), path or kind, str(err).strip("'\""))) from None


def from_config(config: Mapping[str, Any] | str | os.PathLike[str], *,
                total_steps: float | None = None, steps_per_epoch: float | None = None,
                tokens_per_step: float | None = None) -> Schedule:
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
            raise ConfigError(_prefix(loc.at(config, "units"), "units",
                                      f"must be a mapping, got {raw_units!r}"))
        unknown = [k for k in raw_units if k not in _CONTEXT]
        if unknown:
            raise ConfigError(_prefix(loc.at(config, "units"), "units",
                                      f"unknown keys {unknown}; expected {list(_CONTEXT)}"))
    context: dict[str, float | None] = {}
    for key, given in (("total_steps", total_steps), ("steps_per_epoch", steps_per_epoch),
                       ("tokens_per_step", tokens_per_step)):
        if given is not None:
            context[key] = _context_number(key, given)
        else:
            label = _prefix(loc.at(raw_units, key), "", f"units.{key}")
            context[key] = _context_number(label, raw_units.get(key))
    units = Units(context["total_steps"], context["steps_per_epoch"],
                  context["tokens_per_step"])
    units = Units(context["total_steps"], context["steps_per_epoch"],
                  context["tokens_per_step"])
    body: Any = config
    if "units" in config:
        body = _Located({k: x for k, x in config.items() if k != "units"})
        body.line = getattr(config, "line", None)
        body.lines = getattr(config, "lines", {})
    if "name" not in body and "kind" not in body:
        raise ConfigError(_prefix(loc.at(config), "" if file else label, "missing key 'name'"))
    return _build(body, "", units, loc)
