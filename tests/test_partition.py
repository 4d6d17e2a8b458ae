"""Per-module schedules: one set of rules (from a config file) on a JAX model and on a torch model.

The JAX model is a plain nested dict of parameters with the torch model's names and shapes
(``embed/weight``, ``block/bias``, ...); both are trained with AdamW (optax's and torch's, which agree to
float32 rounding), and every update must see the same per-group learning rates and weight decays, equal to
the group's schedule at that update, while frozen parameters stay bit-identical.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch

import jaxsched
import torch_bridge
from jaxsched._partition import Partition, Rule, path_of

CONFIG = """\
# per-module rules for tests/test_partition.py
learning_rate: {name: warmup_cosine_decay, init_value: 0.0, peak_value: 0.01, warmup_steps: "20%",
                decay_steps: 10}
weight_decay: 0.1
units: {total_steps: 10}
rules:
  - {pattern: "^embed/", frozen: true}
  - {pattern: "bias$|^norm_scale$", weight_decay_multiplier: 0.0, lr_multiplier: 2.0, name: no_decay}
  - {pattern: "^head/", name: head,
     learning_rate: {name: linear, init_value: 0.02, end_value: 0.0, transition_steps: 8}}
  - ["^block/", 0.5]
"""


class Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.embed = torch.nn.Linear(4, 8, bias=False)
        self.block = torch.nn.Linear(8, 8)
        self.norm_scale = torch.nn.Parameter(torch.linspace(0.5, 1.5, 8))
        self.head = torch.nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.embed(x))
        h = torch.tanh(self.block(h)) * self.norm_scale
        return self.head(h)


def jax_params(net: Net) -> dict:
    """The torch model's parameters as a nested dict with the same paths (``embed/weight``, ...)."""
    out: dict = {}
    for name, p in net.named_parameters():
        *parents, leaf = name.split(".")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = jnp.asarray(p.detach().numpy())
    return out


def jax_forward(p: dict, x: jax.Array) -> jax.Array:
    h = jnp.tanh(x @ p["embed"]["weight"].T)
    h = jnp.tanh(h @ p["block"]["weight"].T + p["block"]["bias"]) * p["norm_scale"]
    return h @ p["head"]["weight"].T + p["head"]["bias"]


def data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.normal(size=(n, 16, 4)).astype(np.float32), rng.normal(size=(n, 16, 2)).astype(np.float32)


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("partition") / "rules.yaml"
    path.write_text(CONFIG)
    return path


def test_config_file_gives_the_rules(config_file: Path) -> None:
    part = jaxsched.partition_from_config(config_file)
    want = Partition(
        [
            Rule("^embed/", frozen=True),
            Rule("bias$|^norm_scale$", lr_multiplier=2.0, weight_decay_multiplier=0.0, name="no_decay"),
            Rule("^head/", learning_rate=jaxsched.linear(0.02, 0.0, 8), name="head"),
            Rule("^block/", lr_multiplier=0.5),
        ],
        learning_rate=jaxsched.warmup_cosine_decay(0.0, 0.01, warmup_steps=2, decay_steps=10),
        weight_decay=jaxsched.constant(0.1),
    )
    assert part == want
    assert jaxsched.partition_from_config(part.to_config()) == part
    json_file = config_file.with_suffix(".json")
    json_file.write_text(json.dumps(part.to_config()))
    assert jaxsched.partition_from_config(json_file) == part


N = 6


def test_jax_and_torch_see_the_same_per_group_values(config_file: Path) -> None:
    part = jaxsched.partition_from_config(config_file)
    groups = part.groups()
    net = Net()
    initial = {name: p.detach().numpy().copy() for name, p in net.named_parameters()}
    params = jax_params(net)
    embed0 = np.asarray(params["embed"]["weight"]).copy()

    # JAX: one optax transformation from the rules, a jitted step.
    opt = jaxsched.partition(
        part.rules, optax.adamw, learning_rate=part.learning_rate, weight_decay=part.weight_decay
    )
    state = opt.init(params)
    assert jax.tree.leaves(part.labels(params)) == [
        "no_decay",
        "^block/",
        "^embed/",
        "no_decay",
        "head",
        "no_decay",
    ]

    @jax.jit
    def step(p, st, x, y):
        g = jax.grad(lambda q: jnp.mean((jax_forward(q, x) - y) ** 2))(p)
        updates, st = opt.update(g, st, p)
        return (
            optax.apply_updates(p, updates),
            st,
            jaxsched.current_by_group(st),
            jaxsched.current_by_group(st, "weight_decay"),
        )

    # torch: the same rules on named_parameters.
    tgroups = torch_bridge.param_groups(net, part)
    assert [g["name"] for g in tgroups] == ["no_decay", "head", "^block/"]  # default and embed: no group
    assert not net.embed.weight.requires_grad
    topt = torch.optim.AdamW(tgroups)
    scheds = torch_bridge.partition_schedulers(topt, part)
    assert [s.field for s in scheds] == ["lr", "weight_decay"]

    x, y = data(N)
    for k in range(N):
        torch_lr = {g["name"]: g["lr"] for g in topt.param_groups}
        torch_wd = {g["name"]: g["weight_decay"] for g in topt.param_groups}
        params, state, jax_lr, jax_wd = step(params, state, x[k], y[k])
        topt.zero_grad()
        torch.nn.functional.mse_loss(net(torch.from_numpy(x[k])), torch.from_numpy(y[k])).backward()
        topt.step()
        for s in scheds:
            s.step()
        # The values update k used, per group: the group's schedule at k, on both sides.
        want_lr = {n: float(g.learning_rate.numpy(k)) for n, g in groups.items() if not g.frozen}
        want_wd = {n: float(g.weight_decay.numpy(k)) for n, g in groups.items() if not g.frozen}
        assert set(jax_lr) == set(want_lr) == {"no_decay", "head", "^block/", "default"}
        for name in ("no_decay", "head", "^block/"):
            assert torch_lr[name] == want_lr[name] and torch_wd[name] == want_wd[name]
        for name in want_lr:
            np.testing.assert_allclose(float(jax_lr[name]), want_lr[name], rtol=1e-6, atol=1e-12)
            np.testing.assert_allclose(float(jax_wd[name]), want_wd[name], rtol=1e-6, atol=1e-12)
        assert want_lr["no_decay"] == 2 * float(part.learning_rate.numpy(k))
        assert want_lr["^block/"] == 0.5 * float(part.learning_rate.numpy(k))
        assert want_wd["no_decay"] == 0.0 and want_wd["head"] == pytest.approx(0.1)
    assert len({round(float(part.learning_rate.numpy(k)), 12) for k in range(N)}) == N

    # Frozen parameters did not move; the others moved, and the same way on both sides.
    assert np.array_equal(np.asarray(params["embed"]["weight"]), embed0)
    assert np.array_equal(net.embed.weight.detach().numpy(), embed0)
    for name, p in net.named_parameters():
        node = params
        for key in name.split("."):
            node = node[key]
        got, want = np.asarray(node), p.detach().numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6, err_msg=name)
        if name != "embed.weight":
            assert not np.array_equal(want, initial[name]), name


def test_shorthands_and_group_values() -> None:
    s = jaxsched.cosine_decay(1e-3, 100)
    part = Partition(
        [
            ("^a/", s),
            ("^b/", 0.25),
            ("^c/", "frozen"),
            ("^d/", {"weight_decay": 0.5}),
            Rule("^e/", lr_multiplier=jaxsched.linear(0.0, 1.0, 10)),
        ],
        learning_rate=1e-2,
        weight_decay=jaxsched.linear(0.1, 0.0, 100),
    )
    g = part.groups()
    assert g["^a/"].learning_rate == s and g["^c/"].frozen
    assert float(g["^b/"].learning_rate.numpy(3)) == 0.25 * 1e-2
    assert float(g["^d/"].weight_decay.numpy(3)) == 0.5
    assert float(g["^e/"].learning_rate.numpy(5)) == pytest.approx(0.5e-2)
    assert float(g["^b/"].weight_decay.numpy(50)) == pytest.approx(0.05)
    assert part.group_of("x/a/w") == "default"  # re.search, anchored patterns
    params = {
        "a": {"w": jnp.ones(1)},
        "b": [jnp.ones(1)],
        "c": {"w": jnp.ones(1)},
        "d": {"w": jnp.ones(1)},
        "e": {"w": jnp.ones(1)},
        "x": jnp.ones(1),
    }
    opt = part.optax(optax.sgd)
    state = opt.init(params)
    updates, state = opt.update(jax.tree.map(jnp.ones_like, params), state, params)
    assert float(updates["c"]["w"][0]) == 0.0
    # optax.sgd takes no weight_decay: the group's decay is the L2 term of add_decayed_weights.
    assert float(updates["b"][0][0]) == pytest.approx(-0.25e-2 * (1 + 0.1))
    assert float(jaxsched.current_by_group(state, "weight_decay")["^d/"]) == 0.5
    lrs = jaxsched.current_by_group(state)
    assert sorted(lrs) == ["^a/", "^b/", "^d/", "^e/", "default"]
    assert float(jaxsched.current(state.inner_states["^a/"])) == pytest.approx(1e-3)


def test_sgd_with_momentum_and_l2_matches_torch_sgd() -> None:
    """Without a weight_decay argument (optax.sgd) the decay is torch SGD's L2 term: equal trajectories."""
    part = Partition(
        [("^block/", 0.5), ("bias$", {"weight_decay_multiplier": 0.0}), ("^embed/", "frozen")],
        learning_rate=jaxsched.cosine_decay(0.1, 10),
        weight_decay=0.05,
    )
    net = Net()
    params = jax_params(net)
    opt = part.optax(optax.sgd, momentum=0.9)
    state = opt.init(params)
    topt = torch.optim.SGD(torch_bridge.param_groups(net, part), lr=1.0, momentum=0.9)
    scheds = torch_bridge.partition_schedulers(topt, part)
    step = jax.jit(
        lambda p, st, x, y: opt.update(jax.grad(lambda q: jnp.mean((jax_forward(q, x) - y) ** 2))(p), st, p)
    )
    x, y = data(5)
    for k in range(5):
        updates, state = step(params, state, x[k], y[k])
        params = optax.apply_updates(params, updates)
        topt.zero_grad()
        torch.nn.functional.mse_loss(net(torch.from_numpy(x[k])), torch.from_numpy(y[k])).backward()
        topt.step()
        for s in scheds:
            s.step()
    for name, p in net.named_parameters():
        module, leaf = name.split(".") if "." in name else (name, None)
        got = params[module][leaf] if leaf else params[module]
        np.testing.assert_allclose(np.asarray(got), p.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_paths() -> None:
    tree = {"params": {"Dense_0": {"kernel": 1, "bias": 2}}, "layers": [3, (4, 5)]}
    paths = [path_of(p) for p, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]
    assert paths == ["layers/0", "layers/1/0", "layers/1/1", "params/Dense_0/bias", "params/Dense_0/kernel"]
    net = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sequential(torch.nn.Linear(1, 1)))
    part = Partition([("^1/0/bias$", "frozen")], learning_rate=0.1)
    groups = torch_bridge.param_groups(net, part)
    assert [g["name"] for g in groups] == ["default"] and len(groups[0]["params"]) == 3
    assert not net[1][0].bias.requires_grad
    net2 = torch.nn.Sequential(torch.nn.Linear(1, 1))
    torch_bridge.param_groups(
        net2.named_parameters(), Partition([("bias", "frozen")], learning_rate=0.1), freeze=False
    )
    assert net2[0].bias.requires_grad


def test_refusals() -> None:
    lr = jaxsched.constant(0.1)
    bad = [
        (lambda: Partition([("(", 0.1)], learning_rate=lr), r"rules\[0\]\.pattern"),
        (lambda: Partition([("a", "freeze")], learning_rate=lr), "frozen"),
        (lambda: Partition([("a", -1.0)], learning_rate=lr), r"rules\[0\]\.lr_multiplier"),
        (lambda: Partition([("a", float("nan"))], learning_rate=lr), "lr_multiplier"),
        (
            lambda: Partition([("a", {"learning_rate": lr, "lr_multiplier": 2.0})], learning_rate=lr),
            "lr_multiplier",
        ),
        (lambda: Partition([("a", {"frozen": True, "weight_decay": 0.1})], learning_rate=lr), "frozen"),
        (
            lambda: Partition([("a", {"weight_decay_multiplier": 0.0})], learning_rate=lr),
            "needs a base weight_decay",
        ),
        (lambda: Partition([("a", 1.0), ("a", 2.0)], learning_rate=lr), r"rules\[1\]\.name"),
        (lambda: Partition([Rule("a", name="default")], learning_rate=lr), "default group"),
        (lambda: Partition([("a", {"lr": 0.1})], learning_rate=lr), r"rules\[0\]"),
        (lambda: Partition([("a", 1.0, 2.0)], learning_rate=lr), r"rules\[0\]"),
        (lambda: Partition("a", learning_rate=lr), "rules"),
        (lambda: Partition([], learning_rate="0.1"), "learning_rate"),
        (lambda: Partition([], learning_rate=lr, weight_decay=True), "weight_decay"),
    ]
    for make, match in bad:
        with pytest.raises((ValueError, TypeError), match=match):
            make()
    part = Partition([("^embd/", 0.1)], learning_rate=lr)  # a typo: matches nothing
    with pytest.raises(ValueError, match=r"rules\[0\]\.pattern.*matches no parameter"):
        part.optax(optax.sgd).init({"embed": {"w": jnp.ones(1)}})
    with pytest.raises(ValueError, match="matches no parameter"):
        torch_bridge.param_groups(torch.nn.Linear(1, 1), part)
    Partition([("^embd/", 0.1)], learning_rate=lr, strict=False).optax(optax.sgd).init({"w": jnp.ones(1)})
    with pytest.raises(ValueError, match="belongs to the partition"):
        Partition([], learning_rate=lr).optax(optax.adamw, weight_decay=0.1)
    opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.ones(1))], "name": "other"}], lr=0.1)
    with pytest.raises(ValueError, match="not a group of the partition"):
        torch_bridge.partition_schedulers(opt, Partition([], learning_rate=lr))
    with pytest.raises(KeyError, match="multi_transform"):
        jaxsched.current_by_group(optax.inject_hyperparams(optax.sgd)(learning_rate=0.1).init({}))


@pytest.mark.parametrize(
    "cfg, match",
    [
        ({"rules": []}, "learning_rate"),
        ({"learning_rate": 0.1, "rules": [], "extra": 1}, "unknown keys"),
        ({"learning_rate": 0.1, "rules": {"a": 1}}, "rules: must be a list"),
        (
            {"learning_rate": 0.1, "rules": [{"pattern": "a", "lr_multiplier": "x"}]},
            r"rules\[0\]\.lr_multiplier",
        ),
        (
            {
                "learning_rate": 0.1,
                "rules": [
                    {
                        "pattern": "a",
                        "learning_rate": {
                            "name": "linear",
                            "init_value": 1.0,
                            "end_value": 0.0,
                            "transition_steps": -3,
                        },
                    }
                ],
            },
            r"rules\[0\]\.learning_rate\.transition_steps",
        ),
        ({"learning_rate": {"name": "nope"}, "rules": []}, r"learning_rate\.name: unknown schedule"),
        (
            {
                "learning_rate": {
                    "name": "warmup_constant",
                    "init_value": 0.0,
                    "peak_value": 1.0,
                    "warmup_steps": "10%",
                },
                "rules": [],
            },
            "needs total_steps",
        ),
        ({"learning_rate": 0.1, "rules": [7]}, r"rules\[0\]"),
        ({"learning_rate": 0.1, "rules": [], "units": {"epochs": 3}}, "units"),
    ],
)
def test_config_errors_name_the_place(cfg: dict, match: str) -> None:
    with pytest.raises(jaxsched.ConfigError, match=match):
        jaxsched.partition_from_config(cfg)


def test_config_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: [unclosed\n")
    with pytest.raises(jaxsched.ConfigError, match=r"bad\.yaml: invalid YAML"):
        jaxsched.partition_from_config(bad)
    with pytest.raises(jaxsched.ConfigError, match="cannot read"):
        jaxsched.partition_from_config(tmp_path / "missing.json")
    # An alias bomb in a rule: refused quickly, with a short message.
    bomb = tmp_path / "bomb.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 12)
    ]
    bomb.write_text("\n".join([*lines, "learning_rate: 0.1", "rules: [*a11]"]))
    with pytest.raises(jaxsched.ConfigError) as err:
        jaxsched.partition_from_config(bomb)
    assert len(str(err.value)) < 400


def test_rules_and_batch_sizes_load_without_jax() -> None:
    """Partitions, their configs and batch-size schedules need neither JAX nor optax (torch_bridge uses
    them)."""
    script = textwrap.dedent("""
        import sys
        import jaxsched, jaxsched.clock, jaxsched._partition
        p = jaxsched.partition_from_config({"learning_rate": 0.1, "rules": [["^a/", 0.5]]})
        p.assign(["a/w", "b/w"])
        jaxsched.batch_size_rampup(8, 8, 100, 64, seq_len=16).plan(50)
        jaxsched.clock.split_position(10**12, 4096)
        assert "jax" not in sys.modules and "optax" not in sys.modules, [m for m in sys.modules if "jax" in m]
        print("OK")
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "OK"


def test_torch_partition_without_a_jax_backend(config_file: Path) -> None:
    script = textwrap.dedent(f"""
        import torch, jaxsched, torch_bridge
        part = jaxsched.partition_from_config({str(config_file)!r})
        net = torch.nn.ModuleDict({{"embed": torch.nn.Linear(2, 2), "block": torch.nn.Linear(2, 2),
                                    "head": torch.nn.Linear(2, 1)}})
        opt = torch.optim.AdamW(torch_bridge.param_groups(net, part))
        scheds = torch_bridge.partition_schedulers(opt, part)
        for _ in range(20):
            opt.step()
            for s in scheds:
                s.step()
        import jax._src.xla_bridge as xb
        assert not xb._backends, xb._backends
        print("OK", sorted(g["name"] for g in opt.param_groups))
    """)
    env = dict(
        os.environ, JAX_PLATFORMS="no_such_platform", PYTHONPATH=str(Path(__file__).resolve().parents[1])
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "OK ['^block/', 'head', 'no_decay']"
