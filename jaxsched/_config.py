"""``from_config``: a schedule from a dict, a JSON file or a YAML file (the inverse of ``to_config``)."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping
from typing import Any

from jaxsched import _validate as v
from jaxsched._core import Schedule, _REGISTRY


class ConfigError(ValueError):
    """A config that does not describe a valid schedule; the message starts with the path in the config."""


def lookup(name: str) -> type[Schedule]:
    """The schedule class registered under ``name`` (``compat.<lib>.<Name>`` imports that port)."""
    if name not in _REGISTRY and name.startswith("compat."):
        parts = name.split(".")
        if len(parts) >= 3:
            try:
                importlib.import_module(f"jaxsched.compat.{parts[1]}")
            except ModuleNotFoundError:
                pass
    if name not in _REGISTRY:
        raise KeyError(name)
    return _REGISTRY[name]


def _load_file(path: str | os.PathLike[str]) -> Any:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ConfigError(f"{path}: no such file")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if path.endswith((".yaml", ".yml")):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else path
            raise ConfigError(f"{where}: invalid YAML: {getattr(err, 'problem', err)}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None


def _build(cfg: Any, path: str) -> Any:
    if isinstance(cfg, Mapping) and "name" in cfg:
        name = cfg["name"]
        if not isinstance(name, str):
            raise ConfigError(f"{_join(path, 'name')}: must be a string, got {name!r}")
        try:
            cls = lookup(name)
        except KeyError:
            raise ConfigError(f"{_join(path, 'name')}: unknown schedule {name!r}") from None
        kwargs = {k: _build(x, _join(path, k)) for k, x in cfg.items() if k != "name"}
        try:
            return cls(**kwargs)
        except (v.ScheduleArgumentError, v.ScheduleArgumentTypeError) as err:
            raise err.prefixed(path) from None
        except TypeError as err:
            raise ConfigError(f"{path or name}: {err}") from None
    if isinstance(cfg, list | tuple):
        return [_build(x, f"{path}[{i}]") for i, x in enumerate(cfg)]
    return cfg


def from_config(config: Mapping[str, Any] | str | os.PathLike[str]) -> Schedule:
    """Build a schedule from ``to_config()`` output, or from a ``.json``/``.yaml`` file holding one.

    Args:
      config: a dict with a ``name`` key and the schedule's arguments (nested schedules as nested dicts),
        or the path of a JSON or YAML file.

    Returns:
      The schedule.

    Raises:
      ConfigError, ValueError, TypeError: with the path inside the config, e.g.
        ``schedules[1].warmup_steps: must be >= 0, got -5``.

    Example:
      >>> import jaxsched
      >>> jaxsched.from_config({"name": "cosine_decay", "init_value": 0.1, "decay_steps": 100})
      cosine_decay(init_value=0.1, decay_steps=100, alpha=0.0, exponent=1.0, k_decay=1.0)
    """
    where = "config"
    if isinstance(config, str | os.PathLike):
        where = os.fspath(config)
        config = _load_file(config)
    if not isinstance(config, Mapping):
        raise ConfigError(f"{where}: expected a mapping with a 'name' key, got {type(config).__name__}")
    if "name" not in config:
        raise ConfigError(f"{where}: missing key 'name'")
    return _build(config, "")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
