"""Per-module schedules: rules on parameter paths turned into per-group learning rates, weight decays and
frozen parameters, for optax (:func:`partition`, :class:`Partition`) and for torch param groups
(``torch_bridge.param_groups`` and ``torch_bridge.partition_schedulers``) with equal values. The rules and
their formulas are documented on :class:`Partition`, the config schema on :func:`partition_from_config`.
(The module is private because ``jaxsched.partition`` is the function.)
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import os
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from jaxsched._config import ConfigError, from_config
from jaxsched._core import Schedule
from jaxsched._validate import ScheduleArgumentError, ScheduleArgumentTypeError
from jaxsched.schedules._basic import Constant

if TYPE_CHECKING:  # JAX and optax load where they are used: rules, groups and configs work without them
    import jax
    import optax

__all__ = [
    "Group",
    "Partition",
    "Rule",
    "current_by_group",
    "partition",
    "partition_from_config",
    "path_of",
]

FROZEN = "frozen"

_short = reprlib.Repr()
_short.maxlevel, _short.maxstring, _short.maxother, _short.maxlist, _short.maxdict = 2, 60, 60, 4, 4


def _number_or_schedule(name: str, value: Any, *, minimum: float | None = None) -> Schedule | float:
    if isinstance(value, Schedule):
        return value
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise ScheduleArgumentTypeError(name, "a number or a jaxsched Schedule", value)
    x = float(value)
    if not math.isfinite(x) or (minimum is not None and x < minimum):
        raise ScheduleArgumentError(
            name, "must be finite" + ("" if minimum is None else f" and >= {minimum}"), value
        )
    return x


def _as_schedule(value: Schedule | float) -> Schedule:
    return value if isinstance(value, Schedule) else Constant(value)


@dataclasses.dataclass(frozen=True)
class Rule:
    """One rule: the parameters whose path matches ``pattern``, and what their group gets.

    At most one of ``learning_rate`` (absolute) and ``lr_multiplier`` (times the base), at most one of
    ``weight_decay`` and ``weight_decay_multiplier``; ``frozen`` excludes all four. Numbers given as
    ``learning_rate``/``weight_decay`` are constant schedules.

    Example:
      >>> from jaxsched._partition import Rule
      >>> Rule("bias$", weight_decay_multiplier=0.0).name
      'bias$'
    """

    pattern: str
    learning_rate: Schedule | None = None
    lr_multiplier: Schedule | float | None = None
    weight_decay: Schedule | None = None
    weight_decay_multiplier: Schedule | float | None = None
    frozen: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.pattern, str):
            raise ScheduleArgumentTypeError("pattern", "a regular expression (str)", self.pattern)
        try:
            re.compile(self.pattern)
        except re.error as err:
            raise ScheduleArgumentError(
                "pattern", f"is not a regular expression ({err})", self.pattern
            ) from None
        for field in ("learning_rate", "weight_decay"):
            value = getattr(self, field)
            if value is not None:
                object.__setattr__(self, field, _as_schedule(_number_or_schedule(field, value, minimum=0.0)))
        for field in ("lr_multiplier", "weight_decay_multiplier"):
            value = getattr(self, field)
            if value is not None:
                object.__setattr__(self, field, _number_or_schedule(field, value, minimum=0.0))
        if not isinstance(self.frozen, bool | np.bool_):
            raise ScheduleArgumentTypeError("frozen", "a bool", self.frozen)
        object.__setattr__(self, "frozen", bool(self.frozen))
        if self.learning_rate is not None and self.lr_multiplier is not None:
            raise ScheduleArgumentError(
                "lr_multiplier",
                "cannot be given with learning_rate (one is absolute, the other relative to the base)",
            )
        if self.weight_decay is not None and self.weight_decay_multiplier is not None:
            raise ScheduleArgumentError("weight_decay_multiplier", "cannot be given with weight_decay")
        if self.frozen:
            given = [
                f
                for f in ("learning_rate", "lr_multiplier", "weight_decay", "weight_decay_multiplier")
                if getattr(self, f) is not None
            ]
            if given:
                raise ScheduleArgumentError("frozen", f"a frozen group takes no {given[0]}", True)
        if self.name is None:
            object.__setattr__(self, "name", self.pattern)
        elif not isinstance(self.name, str) or not self.name:
            raise ScheduleArgumentTypeError("name", "a non-empty string", self.name)

    def matches(self, path: str) -> bool:
        """Whether ``re.search(pattern, path)`` finds the pattern."""
        return re.search(self.pattern, path) is not None

    def to_config(self) -> dict[str, Any]:
        """The rule as a JSON-serialisable dict (fields left at their defaults are omitted)."""
        cfg: dict[str, Any] = {"pattern": self.pattern}
        for f in ("learning_rate", "lr_multiplier", "weight_decay", "weight_decay_multiplier"):
            value = getattr(self, f)
            if value is not None:
                cfg[f] = value.to_config() if isinstance(value, Schedule) else value
        if self.frozen:
            cfg["frozen"] = True
        if self.name != self.pattern:
            cfg["name"] = self.name
        return cfg


RuleLike = Rule | tuple[str, Any] | Mapping[str, Any]


def as_rule(item: RuleLike, where: str = "rule") -> Rule:
    """A :class:`Rule` from a rule or a shorthand (see the module docstring)."""
    if isinstance(item, Rule):
        return item
    try:
        if isinstance(item, Mapping):
            return Rule(**dict(item))
        if isinstance(item, tuple | list) and len(item) == 2:
            pattern, what = item
            if isinstance(what, Schedule):
                return Rule(pattern, learning_rate=what)
            if isinstance(what, str):
                if what != FROZEN:
                    raise ScheduleArgumentError("what", f"the only string is {FROZEN!r}", what)
                return Rule(pattern, frozen=True)
            if isinstance(what, Mapping):
                return Rule(pattern, **dict(what))
            return Rule(pattern, lr_multiplier=what)
    except TypeError as err:
        if isinstance(err, ScheduleArgumentTypeError):
            raise ScheduleArgumentTypeError(f"{where}.{err.argument}", err.expected, err.value) from None
        raise ScheduleArgumentTypeError(
            where, f"a Rule, a (pattern, what) pair or a dict of Rule's fields ({err})", _short.repr(item)
        ) from None
    except ScheduleArgumentError as err:
        raise err.prefixed(where) from None
    raise ScheduleArgumentTypeError(
        where,
        "a Rule, a (pattern, schedule | multiplier | 'frozen') pair or a dict of Rule's fields",
        _short.repr(item),
    )


class Group(NamedTuple):
    """A resolved group: its schedules (``None``: frozen, or no weight decay set)."""

    name: str
    learning_rate: Schedule | None
    weight_decay: Schedule | None
    frozen: bool


def path_of(keypath: Sequence[Any]) -> str:
    """The ``/``-joined path of a JAX key path (dict keys, indices, attribute names).

    Example:
      >>> import jax
      >>> from jaxsched._partition import path_of
      >>> [path_of(p) for p, _ in jax.tree_util.tree_flatten_with_path({"a": [1, {"b": 2}]})[0]]
      ['a/0', 'a/1/b']
    """
    parts = []
    for k in keypath:
        for attr in ("key", "idx", "name"):
            if hasattr(k, attr):
                parts.append(str(getattr(k, attr)))
                break
        else:
            parts.append(str(k))
    return "/".join(parts)


@dataclasses.dataclass(frozen=True)
class Partition:
    r"""Rules plus the base schedules: the per-group values of a model, for optax and for torch.

    A rule is a regular expression on a parameter's *path*, and what its group gets. The path of a JAX
    leaf is its keys joined by ``/`` (``{"params": {"Dense_0": {"kernel": ...}}}`` gives
    ``params/Dense_0/kernel``; list indices and attribute names count as keys); a torch parameter's path
    is its ``named_parameters`` name with ``.`` replaced by ``/`` (``encoder.0.weight`` gives
    ``encoder/0/weight``). A pattern matches when ``re.search`` finds it in the path (anchor it with ``^``
    and ``$`` as needed); the first matching rule wins, and parameters matched by none form the group
    ``default_group`` (``"default"``) with the base values. Shorthands for ``(pattern, what)``:

    - ``(pattern, schedule)``: the group's learning rate is that schedule (absolute);
    - ``(pattern, 0.1)``: the group's learning rate is the base schedule times 0.1 (a multiplier);
    - ``(pattern, "frozen")``: the group does not move (optax: ``set_to_zero``; torch: left out of the
      optimizer and ``requires_grad_(False)``);
    - ``(pattern, {...})`` or a :class:`Rule`: any of the fields of :class:`Rule`.

    Per group :math:`g` with base learning rate :math:`\eta(k)` and base weight decay :math:`\lambda(k)`:

    .. math::

        \eta_g(k) = \begin{cases} s_g(k) & \text{rule with learning\_rate } s_g \\
                                  m_g\,\eta(k) & \text{rule with lr\_multiplier } m_g \text{ (default 1)}
                    \end{cases}
        \qquad
        \lambda_g(k) = \begin{cases} w_g(k) & \text{rule with weight\_decay } w_g \\
                                     d_g\,\lambda(k) & \text{rule with weight\_decay\_multiplier } d_g
                                     \text{ (default 1)} \end{cases}

    (multipliers may be schedules too: :math:`m_g(k)\,\eta(k)`). Steps follow the optimizer's update count,
    as for any schedule.

    Args:
      rules: :class:`Rule` objects or shorthands, in order (the first match wins).
      learning_rate: the base learning rate :math:`\eta` (a schedule or a number).
      weight_decay: the base weight decay :math:`\lambda` (a schedule, a number, or ``None`` to leave it
        to the optimizer's default; multipliers of it then cannot be used).
      default_group: the name of the group of parameters no rule matches.
      strict: a rule that matches no parameter is an error (a typo in a pattern is then caught).

    Example:
      >>> import jaxsched
      >>> from jaxsched._partition import Partition
      >>> p = Partition([("^embed/", 0.1), ("bias$", {"weight_decay_multiplier": 0.0}),
      ...                ("^frozen/", "frozen")], learning_rate=jaxsched.linear(1.0, 0.0, 10),
      ...               weight_decay=0.01)
      >>> [p.group_of(x) for x in ("embed/weight", "head/bias", "frozen/w", "head/weight")]
      ['^embed/', 'bias$', '^frozen/', 'default']
      >>> g = p.groups()["^embed/"]
      >>> float(g.learning_rate.numpy(5)), float(g.weight_decay.numpy(5))
      (0.05, 0.01)
    """

    rules: tuple[Rule, ...]
    learning_rate: Schedule
    weight_decay: Schedule | None = None
    default_group: str = "default"
    strict: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.rules, str | bytes | Mapping) or not isinstance(self.rules, Iterable):
            raise ScheduleArgumentTypeError("rules", "a list of rules", _short.repr(self.rules))
        rules = tuple(as_rule(r, f"rules[{i}]") for i, r in enumerate(self.rules))
        object.__setattr__(self, "rules", rules)
        object.__setattr__(
            self,
            "learning_rate",
            _as_schedule(_number_or_schedule("learning_rate", self.learning_rate, minimum=0.0)),
        )
        if self.weight_decay is not None:
            object.__setattr__(
                self,
                "weight_decay",
                _as_schedule(_number_or_schedule("weight_decay", self.weight_decay, minimum=0.0)),
            )
        if not isinstance(self.default_group, str) or not self.default_group:
            raise ScheduleArgumentTypeError("default_group", "a non-empty string", self.default_group)
        if not isinstance(self.strict, bool):
            raise ScheduleArgumentTypeError("strict", "a bool", self.strict)
        seen: dict[str, int] = {}
        for i, r in enumerate(rules):
            assert r.name is not None
            if r.name in seen:
                raise ScheduleArgumentError(
                    f"rules[{i}].name",
                    f"is also the group of rules[{seen[r.name]}] (give the rules distinct names)",
                    r.name,
                )
            if r.name == self.default_group:
                raise ScheduleArgumentError(
                    f"rules[{i}].name",
                    "is the default group's name (set default_group to another name)",
                    r.name,
                )
            seen[r.name] = i
            if r.weight_decay_multiplier is not None and self.weight_decay is None:
                raise ScheduleArgumentError(
                    f"rules[{i}].weight_decay_multiplier",
                    "needs a base weight_decay in the partition",
                    r.weight_decay_multiplier,
                )

    # -- groups -----------------------------------------------------------------------------------------
    def groups(self) -> dict[str, Group]:
        """Every group (each rule's, then the default one) with its resolved schedules."""
        out: dict[str, Group] = {}
        for r in self.rules:
            assert r.name is not None
            if r.frozen:
                out[r.name] = Group(r.name, None, None, True)
                continue
            if r.learning_rate is not None:
                lr = r.learning_rate
            else:
                lr = _scaled(self.learning_rate, r.lr_multiplier)
            if r.weight_decay is not None:
                wd: Schedule | None = r.weight_decay
            elif self.weight_decay is None:
                wd = None
            else:
                wd = _scaled(self.weight_decay, r.weight_decay_multiplier)
            out[r.name] = Group(r.name, lr, wd, False)
        out[self.default_group] = Group(self.default_group, self.learning_rate, self.weight_decay, False)
        return out

    def group_of(self, path: str) -> str:
        """The group of the parameter at ``path`` (the first rule whose pattern it matches)."""
        for r in self.rules:
            if r.matches(path):
                assert r.name is not None
                return r.name
        return self.default_group

    def assign(self, paths: Iterable[str]) -> list[str]:
        """The group of each path; with ``strict``, a rule that matches none of them is an error."""
        paths = list(paths)
        labels = [self.group_of(p) for p in paths]
        if self.strict:
            used = set(labels)
            for i, r in enumerate(self.rules):
                if r.name not in used:
                    hint = ", ".join(paths[:6]) + (", ..." if len(paths) > 6 else "")
                    raise ScheduleArgumentError(
                        f"rules[{i}].pattern",
                        f"matches no parameter (paths: {hint}; an earlier "
                        "rule may take them; pass strict=False to allow it)",
                        r.pattern,
                    )
        return labels

    def labels(self, params: optax.Params) -> Any:
        """The pytree of group names of ``params`` (optax's ``param_labels``)."""
        import jax

        leaves, treedef = jax.tree_util.tree_flatten_with_path(params)
        labels = self.assign(path_of(p) for p, _ in leaves)
        return jax.tree_util.tree_unflatten(treedef, labels)

    # -- optax ------------------------------------------------------------------------------------------
    def optax(
        self, optimizer: Callable[..., optax.GradientTransformation], **optimizer_kwargs: Any
    ) -> optax.GradientTransformationExtraArgs:
        """One optax transformation: ``inject_hyperparams(optimizer)`` per group, ``set_to_zero`` for
        frozen groups, combined by ``optax.multi_transform`` on :meth:`labels`.

        Weight decay is the optimizer's own where it takes a ``weight_decay`` argument (``optax.adamw``:
        decoupled, as torch's ``AdamW``); an optimizer without one (``optax.sgd``, ``optax.adam``) is
        preceded by ``optax.add_decayed_weights``, the L2 term torch's ``SGD`` and ``Adam`` add to the
        gradient. Pair the optimizers accordingly for equal trajectories.
        """
        import optax

        for key in ("learning_rate", "weight_decay"):
            if key in optimizer_kwargs:
                raise ScheduleArgumentError(
                    key,
                    "belongs to the partition (its base value), not to the optimizer's keyword arguments",
                    optimizer_kwargs[key],
                )
        factory = optimizer if _takes(optimizer, "weight_decay") else _with_l2(optimizer)
        transforms: dict[str, optax.GradientTransformation] = {}
        for name, g in self.groups().items():
            if g.frozen:
                transforms[name] = optax.set_to_zero()
                continue
            if g.weight_decay is None:
                transforms[name] = optax.inject_hyperparams(optimizer)(
                    learning_rate=g.learning_rate, **optimizer_kwargs
                )
            else:
                transforms[name] = optax.inject_hyperparams(factory)(
                    learning_rate=g.learning_rate, weight_decay=g.weight_decay, **optimizer_kwargs
                )
        return optax.multi_transform(transforms, self.labels)

    # -- config -----------------------------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        """A JSON-serialisable dict that :func:`partition_from_config` turns back into an equal
        partition."""
        cfg: dict[str, Any] = {"learning_rate": self.learning_rate.to_config()}
        if self.weight_decay is not None:
            cfg["weight_decay"] = self.weight_decay.to_config()
        if self.default_group != "default":
            cfg["default_group"] = self.default_group
        if not self.strict:
            cfg["strict"] = False
        cfg["rules"] = [r.to_config() for r in self.rules]
        return cfg


def _takes(factory: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _with_l2(
    optimizer: Callable[..., optax.GradientTransformation],
) -> Callable[..., optax.GradientTransformation]:
    """``optimizer`` preceded by ``add_decayed_weights``: the L2 term torch's SGD and Adam add."""

    def factory(learning_rate: Any, weight_decay: Any, **kwargs: Any) -> optax.GradientTransformation:
        import optax

        return optax.chain(
            optax.add_decayed_weights(weight_decay), optimizer(learning_rate=learning_rate, **kwargs)
        )

    # inject_hyperparams binds arguments by signature: show the optimizer's own, plus weight_decay.
    own = [p for name, p in inspect.signature(optimizer).parameters.items() if name != "learning_rate"]
    first = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for n in ("learning_rate", "weight_decay")
    ]
    factory.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*first, *(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own)]
    )
    return factory


def _scaled(base: Schedule, factor: Schedule | float | None) -> Schedule:
    if factor is None or (not isinstance(factor, Schedule) and factor == 1.0):
        return base
    return base * factor


def partition(
    rules: Sequence[RuleLike],
    optimizer: Callable[..., optax.GradientTransformation],
    *,
    learning_rate: Schedule | float,
    weight_decay: Schedule | float | None = None,
    default_group: str = "default",
    strict: bool = True,
    **optimizer_kwargs: Any,
) -> optax.GradientTransformationExtraArgs:
    r"""One optax transformation with per-group learning rates, weight decays and frozen parameters.

    ``partition(rules, optax.adamw, learning_rate=s, weight_decay=0.1, b2=0.95)`` is
    ``Partition(rules, s, 0.1).optax(optax.adamw, b2=0.95)``: each group :math:`g` gets
    ``inject_hyperparams(optax.adamw)(learning_rate=`` :math:`\eta_g` ``, weight_decay=`` :math:`\lambda_g`
    ``, b2=0.95)`` (formulas in :class:`Partition`), frozen groups get ``optax.set_to_zero()``,
    and ``optax.multi_transform`` routes each parameter by its path. :func:`current_by_group` reads the
    values the last update used, per group (or ``jaxsched.current(state.inner_states[group])``).

    Args:
      rules: rules or shorthands (see :class:`Partition`).
      optimizer: an optax optimizer factory taking ``learning_rate`` (and ``weight_decay`` when one is
        set), e.g. ``optax.adamw``.
      learning_rate: the base learning rate.
      weight_decay: the base weight decay, or ``None`` for the optimizer's default.
      default_group: the name of the group of unmatched parameters.
      strict: refuse rules that match no parameter (checked at ``init``).
      **optimizer_kwargs: the optimizer's other arguments, the same for every group.

    Returns:
      An optax ``GradientTransformationExtraArgs``.

    Example:
      >>> import jax, jax.numpy as jnp, optax, jaxsched
      >>> params = {"embed": {"w": jnp.ones(2)}, "head": {"w": jnp.ones(2), "b": jnp.ones(1)},
      ...           "stem": {"w": jnp.ones(2)}}
      >>> opt = jaxsched.partition([("^embed/", 0.1), ("^stem/", "frozen"), ("/b$", {"weight_decay": 0.0})],
      ...                          optax.adamw, learning_rate=jaxsched.linear(1e-2, 0.0, 100),
      ...                          weight_decay=0.1)
      >>> state = opt.init(params)
      >>> grads = jax.tree.map(jnp.ones_like, params)
      >>> updates, state = opt.update(grads, state, params)
      >>> {k: round(float(v), 6) for k, v in jaxsched.current_by_group(state).items()}
      {'/b$': 0.01, '^embed/': 0.001, 'default': 0.01}
      >>> new = optax.apply_updates(params, updates)
      >>> bool(jnp.all(new["stem"]["w"] == 1.0))      # frozen
      True
    """
    return Partition(
        tuple(rules),  # type: ignore[arg-type]
        learning_rate,  # type: ignore[arg-type]
        weight_decay,  # type: ignore[arg-type]
        default_group,
        strict,
    ).optax(optimizer, **optimizer_kwargs)


def current_by_group(opt_state: optax.OptState, name: str = "learning_rate") -> dict[str, jax.Array]:
    """The value of ``name`` the last update used in each group of a :func:`partition` state.

    Finds the (one) ``optax.multi_transform`` state inside ``opt_state`` and reads ``name`` with
    :func:`jaxsched.current` in each group that injects it (frozen groups have none), in sorted order of
    the group names.

    Raises:
      KeyError: if there is no multi_transform state with ``name``, or more than one.

    Example:
      >>> import jax.numpy as jnp, optax, jaxsched
      >>> opt = jaxsched.partition([("^a$", 0.5), ("^b$", "frozen")], optax.sgd, learning_rate=0.1)
      >>> state = opt.init({"a": jnp.ones(1), "b": jnp.ones(1), "c": jnp.ones(1)})
      >>> {k: round(float(v), 6) for k, v in jaxsched.current_by_group(state).items()}
      {'^a$': 0.05, 'default': 0.1}
    """
    import jax
    import optax

    from jaxsched.optax_utils import current

    found = []
    leaves, _ = jax.tree_util.tree_flatten_with_path(
        opt_state, is_leaf=lambda x: isinstance(x, optax.MultiTransformState)
    )
    for path, leaf in leaves:
        if isinstance(leaf, optax.MultiTransformState):
            values = {}
            for label in sorted(leaf.inner_states, key=str):
                try:
                    values[str(label)] = current(leaf.inner_states[label], name)
                except KeyError:
                    continue
            if values:
                found.append((jax.tree_util.keystr(path) or "<root>", values))
    if not found:
        raise KeyError(f"no optax.multi_transform state injecting {name!r} in this optimizer state")
    if len(found) > 1:
        raise KeyError(
            f"several multi_transform states inject {name!r} "
            f"({', '.join(p for p, _ in found)}); pass the sub-state you mean"
        )
    return found[0][1]


# -- config ---------------------------------------------------------------------------------------------

_TOP = ("learning_rate", "weight_decay", "default_group", "strict", "rules", "units")
_UNIT_KEYS = ("total_steps", "steps_per_epoch", "tokens_per_step")


def _load(config: Mapping[str, Any] | str | os.PathLike[str]) -> tuple[Mapping[str, Any], str]:
    if isinstance(config, Mapping):
        return config, "config"
    if not isinstance(config, str | os.PathLike):
        raise ConfigError(
            f"config: expected a mapping or the path of a .json/.yaml file, got {type(config).__name__}"
        )
    path = os.fspath(config)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    try:
        if path.endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as err:  # yaml.YAMLError, json.JSONDecodeError
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(
            f"{path}: invalid {'YAML' if path.endswith(('.yaml', '.yml')) else 'JSON'}: {first[:200]}"
        ) from None
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: expected a mapping with 'learning_rate' and 'rules'")
    return data, path


def partition_from_config(
    config: Mapping[str, Any] | str | os.PathLike[str],
    *,
    total_steps: float | None = None,
    steps_per_epoch: float | None = None,
    tokens_per_step: float | None = None,
) -> Partition:
    """A :class:`Partition` from a dict or a ``.json``/``.yaml`` file.

    The schema (rules as in :class:`Partition`)::

        learning_rate: {name: warmup_cosine_decay, init_value: 0.0, peak_value: 1e-3,
                        warmup_steps: "2%", decay_steps: 10000}   # a schedule config, or a number
        weight_decay: 0.1                # optional: a number or a schedule config
        default_group: default           # optional: the group of unmatched parameters
        strict: true                     # optional: a rule that matches no parameter is an error
        units: {total_steps: 10000}      # optional: units for every schedule (see jaxsched.from_config)
        rules:                           # in order; the first match wins
          - {pattern: "^embed/", lr_multiplier: 0.1}
          - {pattern: "(bias|scale)$", weight_decay_multiplier: 0.0, name: no_decay}
          - {pattern: "^encoder/", frozen: true}
          - {pattern: "^head/", learning_rate: {name: constant, value: 3e-4}}
          - ["^adapter/", 2.0]           # the shorthand: [pattern, multiplier | "frozen" | schedule]

    A rule's group is named by ``name`` (default: its pattern). Schedule parts are built by
    :func:`jaxsched.from_config` with the config's ``units`` (each schedule's own ``units`` and then the
    keyword arguments take precedence). Errors are :class:`jaxsched.ConfigError` naming the place
    (``rules[1].lr_multiplier: ...``).

    Example:
      >>> import jaxsched
      >>> cfg = {"learning_rate": {"name": "warmup_constant", "init_value": 0.0, "peak_value": 1.0,
      ...                          "warmup_steps": "10%"},
      ...        "units": {"total_steps": 100},
      ...        "rules": [{"pattern": "^embed/", "lr_multiplier": 0.5}, ["^stem/", "frozen"]]}
      >>> p = jaxsched.partition_from_config(cfg)
      >>> p.learning_rate.warmup_steps, [r.name for r in p.rules]
      (10, ['^embed/', '^stem/'])
      >>> jaxsched.partition_from_config(p.to_config()) == p
      True
    """
    data, label = _load(config)
    unknown = [str(k) for k in data if k not in _TOP]
    if unknown:
        raise ConfigError(f"{label}: unknown keys {unknown}; expected {list(_TOP)}")
    if "learning_rate" not in data or "rules" not in data:
        raise ConfigError(f"{label}: needs 'learning_rate' and 'rules'")
    units = data.get("units", {})
    if not isinstance(units, Mapping) or any(k not in _UNIT_KEYS for k in units):
        raise ConfigError(
            f"{label}: units: must be a mapping with keys out of {list(_UNIT_KEYS)}, got {_short.repr(units)}"
        )
    given = {
        k: v
        for k, v in (
            ("total_steps", total_steps),
            ("steps_per_epoch", steps_per_epoch),
            ("tokens_per_step", tokens_per_step),
        )
        if v is not None
    }

    def value(where: str, v: Any) -> Any:
        if isinstance(v, Mapping) and "name" in v:
            merged = {**units, **v.get("units", {}), **given}
            body = {k: x for k, x in v.items() if k != "units"}
            if merged:
                body["units"] = merged
            try:
                return from_config(body)
            except ConfigError as err:
                raise ConfigError(f"{label}: {where}.{err}") from None
        return v

    try:
        lr = value("learning_rate", data["learning_rate"])
        wd = value("weight_decay", data.get("weight_decay"))
        rules_cfg = data["rules"]
        if isinstance(rules_cfg, str | bytes | Mapping) or not isinstance(rules_cfg, Sequence):
            raise ConfigError(f"{label}: rules: must be a list, got {_short.repr(rules_cfg)}")
        rules: list[RuleLike] = []
        for i, item in enumerate(rules_cfg):
            where = f"rules[{i}]"
            if isinstance(item, Mapping):
                rules.append({k: value(f"{where}.{k}", x) for k, x in item.items()})
            elif isinstance(item, list | tuple) and len(item) == 2:
                rules.append((item[0], value(f"{where}[1]", item[1])))
            else:
                raise ConfigError(
                    f"{label}: {where}: must be a mapping of Rule fields or a "
                    f"[pattern, what] pair, got {_short.repr(item)}"
                )
        return Partition(
            tuple(rules),  # type: ignore[arg-type]
            lr,
            wd,
            data.get("default_group", "default"),
            data.get("strict", True),
        )
    except (ScheduleArgumentError, ScheduleArgumentTypeError) as err:
        raise ConfigError(f"{label}: {err}") from None
