"""The ``jaxsched`` command line, run as a subprocess (as users run it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import jaxsched
from jaxsched import _config, cli

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("jaxsched")


def run(*args: str, cwd: Path | None = None, module: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "jaxsched", *args] if module else [str(SCRIPT), *args]
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONWARNINGS="ignore")
    env.pop("JAXSCHED_DEBUG", None)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=300)


def assert_bad_input(p: subprocess.CompletedProcess, *fragments: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("jaxsched: error: "), lines[0]
    assert "Traceback" not in p.stderr
    for f in fragments:
        assert f in lines[0], (f, lines[0])


def table_rows(text: str) -> dict[str, list[str]]:
    """The rows of a printed table, keyed by their first cell."""
    return {r.split()[0]: r.split() for r in text.splitlines() if r.strip() and r.split()[0][0].isdigit()}


@pytest.fixture
def yaml_config(tmp_path: Path) -> Path:
    path = tmp_path / "wcd.yaml"
    path.write_text(
        "name: warmup_cosine_decay\ninit_value: 0.0\npeak_value: 0.001\n"
        "warmup_steps: 10%\ndecay_steps: 1000\nunits: {total_steps: 1000}\n"
    )
    return path


# -- parity ----------------------------------------------------------------------------------------


def test_parity_subset_passes_with_progress():
    p = run("parity", "--only", "cosine_decay", "--only", "compat.torch.StepLR")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "parity [" in p.stderr  # progress on stderr
    out = p.stdout
    assert out.splitlines()[0].split()[:6] == [
        "schedule",
        "steps",
        "jax-f32",
        "jax-f64",
        "torch_bridge",
        "original",
    ]
    rows = {r.split()[0]: r.split() for r in out.splitlines() if r.startswith(("cosine", "compat"))}
    assert rows["compat.torch.StepLR[0]"][-2:] == ["torch", "ok"]  # compared with torch itself
    assert rows["cosine_decay[0]"][-1] == "ok"
    assert "Tolerances: jax-f32 1e-05" in out
    assert re.search(
        r"configurations of \d+ schedules, \d+ steps in all; \d+ compared with their "
        r"original library; all within tolerance\.",
        out,
    )


def test_parity_on_config_files_and_json(tmp_path, yaml_config):
    report = tmp_path / "report.json"
    p = run("parity", str(yaml_config), "compat.torch.OneCycleLR[1]", "--json", str(report), "-q")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stderr == ""  # -q: no progress
    data = json.loads(report.read_text())
    assert [d["label"] for d in data] == ["wcd", "compat.torch.OneCycleLR[1]"]
    assert data[0]["config"]["warmup_steps"] == 100  # "10%" of 1000, resolved
    assert all(d["ok"] and d["status"] == "ok" for d in data)
    assert data[1]["paths"]["original"]["note"] == "torch"
    # Every path on every step of the schedule: OneCycleLR[1] ends at step 100 (horizon 133).
    assert data[1]["steps"] == 133
    assert data[1]["paths"]["original"]["steps"] == 133
    assert data[1]["paths"]["torch_bridge"]["steps"] == 133
    assert data[1]["paths"]["jax-f32"]["steps"] == 133 + data[1]["far_steps"]


def test_parity_exits_1_on_a_mismatch(monkeypatch, capsys):
    # Tighten the float32 tolerance to zero: a long cosine in float32 must then be reported.
    from jaxsched import _parity

    monkeypatch.setitem(_parity.TOLERANCES, "jax-f32", _parity.Tolerance(0.0, 1e-6))
    code = cli.main(["parity", "--only", "cosine_decay", "--no-torch", "--no-original", "--no-x64", "-q"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  cosine_decay[0] jax-f32" in out and out.rstrip().endswith("FAILED.")


HF_RECIPE = (
    "name: compat.transformers.get_cosine_schedule_with_warmup\nlr: 0.001\n"
    "num_warmup_steps: 3000\nnum_training_steps: 100000\n"
)


def test_parity_compares_the_whole_recipe_with_the_original(tmp_path):
    # Issue 13.1: a 100,000-step HF recipe was compared on its first 1,500 steps (all warmup).
    cfg = tmp_path / "hf.yaml"
    cfg.write_text(HF_RECIPE)
    report = tmp_path / "r.json"
    p = run("parity", str(cfg), "-q", "--json", str(report))
    assert p.returncode == 0, p.stdout + p.stderr
    row = table_rows_by_label(p.stdout)["hf"]
    assert row[1] == "125008"  # steps 0..125007: the last key step (100,000) plus 25%
    assert row[-2:] == ["transformers", "ok"]
    assert (
        "1 configuration of 1 schedule, 125008 steps in all; 1 compared with their original "
        "library; all within tolerance." in p.stdout
    )
    [data] = json.loads(report.read_text())
    assert {k: x["steps"] for k, x in data["paths"].items() if k != "jax-f32" and k != "jax-f64"} == {
        "torch_bridge": 125008,
        "original": 125008,
    }


def table_rows_by_label(text: str) -> dict[str, list[str]]:
    lines = text.splitlines()
    end = lines.index("")
    return {r.split()[0]: r.split() for r in lines[2:end]}


def test_parity_steps_and_torch_steps_cannot_disagree(tmp_path):
    cfg = tmp_path / "hf.yaml"
    cfg.write_text(HF_RECIPE)
    # The same number: accepted, and every path really covers 5000 steps (no internal cap).
    report = tmp_path / "r.json"
    p = run("parity", str(cfg), "--steps", "5000", "--torch-steps", "5000", "-q", "--json", str(report))
    assert p.returncode == 0, p.stdout + p.stderr
    [data] = json.loads(report.read_text())
    assert data["steps"] == 5000
    assert data["paths"]["original"]["steps"] == data["paths"]["torch_bridge"]["steps"] == 5000
    assert "inf" not in p.stdout
    assert_bad_input(
        run("parity", str(cfg), "--steps", "5000", "--torch-steps", "1500"),
        "--steps 5000 and --torch-steps 1500 disagree",
    )


def test_parity_refuses_a_horizon_it_cannot_cover_without_steps():
    spec = "{name: cosine_decay, init_value: 1.0, decay_steps: 1000000000}"
    assert_bad_input(
        run("parity", spec, "-q"), "the horizon is 1250000008 steps", "give the steps to compare with --steps"
    )
    p = run("parity", spec, "-q", "--steps", "100", "--no-torch")
    assert p.returncode == 0, p.stdout + p.stderr
    assert table_rows_by_label(p.stdout)["cosine_decay"][1] == "100"


def test_parity_strict_needs_the_original_on_every_step():
    # A timm configuration with no recorded golden curve: the original is not compared.
    spec = "{name: compat.timm.CosineLRScheduler, lr: 0.1, t_initial: 37}"
    p = run("parity", spec, "-q", "--no-torch")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "n/a" in table_rows_by_label(p.stdout)["compat.timm.CosineLRScheduler"]
    p = run("parity", spec, "-q", "--no-torch", "--strict")
    assert p.returncode == 1, p.stdout + p.stderr
    assert (
        "INCOMPLETE compat.timm.CosineLRScheduler: the original was not compared on every step "
        "(golden:timm: no timm golden curve recorded" in p.stdout
    )
    assert p.stdout.rstrip().endswith("1 not compared with their original on every step (--strict).")


def test_parity_worker_does_not_import_the_working_directory(tmp_path):
    # Issue 12.18: a json.py (or any module) in the working directory must not run in the worker.
    marker = tmp_path / "ran.txt"
    (tmp_path / "json.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\nraise SystemExit('hostile json.py imported')\n"
    )
    report = tmp_path / "r.json"
    cases = [f"cosine_decay[{i % 2}]" for i in range(8)]  # enough cases for the worker
    p = run(
        "parity",
        *cases,
        "--no-torch",
        "--no-original",
        "-q",
        "--json",
        str(report),
        cwd=tmp_path,
        module=False,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    assert not marker.exists()
    data = json.loads(report.read_text())
    assert all(d["paths"]["jax-f64"]["status"] == "ok" for d in data)


def test_parity_no_match():
    assert_bad_input(run("parity", "--only", "no_such_schedule_xyz"), "--only")


# -- show ------------------------------------------------------------------------------------------


def test_show_key_steps(yaml_config):
    p = run("show", str(yaml_config), "--jax")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0].startswith("warmup_cosine_decay(init_value=0.0")
    rows = table_rows(p.stdout)
    assert list(rows) == ["0", "100", "1000", "1258"]  # key steps, then the end
    assert float(rows["0"][1]) == 0.0
    assert float(rows["100"][1]) == pytest.approx(1e-3, rel=1e-9)
    assert float(rows["1000"][1]) == 0.0 and float(rows["1258"][1]) == 0.0
    assert float(rows["100"][2]) == pytest.approx(1e-3, rel=1e-6)  # the JAX float32 column


def test_show_by_name_and_inline(tmp_path):
    p = run("show", "compat.torch.MultiStepLR", "--steps", "100")
    assert p.returncode == 0, p.stderr
    ex = jaxsched.registry()["compat.torch.MultiStepLR"].examples[0]
    s = jaxsched.from_config({"name": "compat.torch.MultiStepLR", **ex})
    rows = table_rows(p.stdout)
    assert list(rows)[-1] == "100"
    for k, row in rows.items():
        assert float(row[1]) == pytest.approx(float(s.numpy(int(k))), rel=1e-8)
    p = run(
        "show",
        '{"name": "step_decay", "init_value": 1.0, "step_size": "1ep", "decay_rate": 0.5}',
        "--steps-per-epoch",
        "10",
        "--steps",
        "25",
    )
    assert p.returncode == 0, p.stderr
    rows = table_rows(p.stdout)
    assert float(rows["25"][1]) == 0.25
    p = run("show", "{name: constant, value: 2.5}", "--steps", "3")  # inline YAML
    assert p.returncode == 0, p.stderr
    assert float(table_rows(p.stdout)["3"][1]) == 2.5


def test_show_every_and_ranges():
    p = run("show", "cosine_decay", "--every", "250")
    assert p.returncode == 0, p.stderr
    rows = table_rows(p.stdout)
    assert list(rows) == ["0", "250", "500", "750", "1000", "1250"]
    assert float(rows["500"][1]) == pytest.approx(0.0005, rel=1e-12)
    p = run("show", "cosine_decay", "--steps", "100:400:100", "--jax")
    assert p.returncode == 0, p.stderr
    rows = table_rows(p.stdout)
    assert list(rows) == ["100", "200", "300"]  # Python's range: the stop is left out
    s = jaxsched.cosine_decay(1e-3, 1000)
    for k, row in rows.items():
        assert float(row[1]) == pytest.approx(float(s.numpy(int(k))), rel=1e-9)
        assert float(row[2]) == pytest.approx(float(s.numpy(int(k))), rel=1e-6)
    p = run("show", "cosine_decay", "--steps", "10", "--every", "5")
    assert list(table_rows(p.stdout)) == ["0", "5", "10"]
    p = run("show", "cosine_decay", "--steps", ":6", "--every", "3")
    assert list(table_rows(p.stdout)) == ["0", "3"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--steps", "0:10:2", "--every", "3"], "two different strides"),
        (["--steps", "5:2"], "no steps in that range"),
        (["--steps", "a:b"], "expected N or START:STOP[:STEP]"),
        (["--every", "0"], "--every"),
    ],
)
def test_show_bad_ranges(args, fragment):
    assert_bad_input(run("show", "cosine_decay", *args), fragment)


def test_yaml_numbers_follow_yaml_1_2(tmp_path):
    # Issue 13.6: `peak_value: 3e-4` is a string to YAML 1.1; a number here.
    path = tmp_path / "wc.yaml"
    path.write_text("name: warmup_constant\ninit_value: 0\npeak_value: 3e-4\nwarmup_steps: 1e1\n")
    p = run("show", str(path), "--steps", "10")
    assert p.returncode == 0, p.stderr
    assert float(table_rows(p.stdout)["10"][1]) == 3e-4
    p = run("show", "{name: constant, value: 3e-4}", "--steps", "0")
    assert p.returncode == 0, p.stderr
    assert float(table_rows(p.stdout)["0"][1]) == 3e-4


# -- plot ------------------------------------------------------------------------------------------


def _png(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def test_plot_png(tmp_path, yaml_config):
    out = tmp_path / "lr.png"
    p = run(
        "plot",
        str(yaml_config),
        "cosine_restarts",
        "compat.torch.CyclicLR",
        "-o",
        str(out),
        "--log",
        "--steps",
        "1500",
        "--title",
        "three schedules",
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"wrote {out} (3 curves, 1500 steps)"
    img = _png(out)
    assert img.shape == (540, 960, 3)  # 8 x 4.5 inches at 120 dpi
    nonwhite = np.any(img < 250, axis=-1).mean()
    assert 0.02 < nonwhite < 0.6
    # The three default line colours (C0 blue, C1 orange, C2 green) are all drawn.
    for rgb in ((31, 119, 180), (255, 127, 14), (44, 160, 44)):
        close = np.all(np.abs(img.astype(int) - rgb) < 30, axis=-1)
        assert close.sum() > 100, rgb


def test_plot_svg_single_with_label(tmp_path):
    out = tmp_path / "lr.svg"
    p = run("plot", "noam", "-o", str(out), "--label", "transformer")
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert text.startswith("<?xml") and "transformer" in text


_NO_MATPLOTLIB = (
    "import sys; sys.modules['matplotlib'] = None; from jaxsched.cli import main; "
    "sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize(
    "args", [["plot", "noam", "-o", "{OUT}"], ["compare", "noam", "cosine_decay", "--plot", "{OUT}"]]
)
def test_plot_without_matplotlib_gives_the_install_hint(tmp_path, args):
    args = [a.replace("{OUT}", str(tmp_path / "x.png")) for a in args]
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONWARNINGS="ignore")
    env.pop("JAXSCHED_DEBUG", None)
    p = subprocess.run(
        [sys.executable, "-c", _NO_MATPLOTLIB, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert_bad_input(p, "matplotlib", "pip install 'jaxsched[plot]'")
    assert "internal error" not in p.stderr
    assert not (tmp_path / "x.png").exists()


# -- compare ---------------------------------------------------------------------------------------


def test_compare_paths(tmp_path):
    out = tmp_path / "cmp.png"
    p = run("compare", "compat.torch.OneCycleLR", "--plot", str(out))
    assert p.returncode == 0, p.stdout + p.stderr
    head = p.stdout.splitlines()[1].split()
    assert head[:2] == ["step", "jax"] and "torch_bridge" in head
    last = p.stdout.strip().splitlines()[-2]
    m = re.match(r"largest difference: (\S+) at step (\d+) \(relative (\S+), tolerance 1e-05\): ok", last)
    assert m, last
    assert 0 < float(m.group(3)) < 1e-5  # float32 against float64: close, not identical
    assert _png(out).shape[1] == 1210
    p = run("compare", "--paths", "compat.torch.OneCycleLR", "--x64", "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert "tolerance 1e-12): ok" in p.stdout
    assert "Compared on steps 0..132 (133 steps)." in p.stdout
    assert_bad_input(run("compare", "--paths", "noam", "cosine_decay"), "--paths: give one CONFIG")


def test_compare_two_schedules(tmp_path):
    # The HF port and the native schedule draw the same curve up to the end of the decay...
    hf = tmp_path / "hf.yaml"
    hf.write_text(HF_RECIPE)
    native = (
        "{name: warmup_cosine_decay, init_value: 0.0, peak_value: 0.001, warmup_steps: 3000, "
        "decay_steps: 100000}"
    )
    out = tmp_path / "diff.png"
    p = run("compare", str(hf), native, "--steps", "100001", "--plot", str(out))
    assert p.returncode == 0, p.stdout + p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith("A = hf: compat.transformers.get_cosine_schedule_with_warmup(")
    assert lines[1].startswith("B = warmup_cosine_decay: warmup_cosine_decay(")
    assert "Compared on steps 0..100000 (100001 steps) in NumPy float64" in p.stdout
    m = re.search(r"B vs A: largest difference (\S+) at step (\d+) .*: within tolerance", p.stdout)
    assert m and float(m.group(1)) < 1e-15, p.stdout
    assert _png(out).shape[1] == 1210
    # ... and part after it: HF's cosine rises again past num_training_steps, the native one holds.
    p = run("compare", str(hf), native)
    assert p.returncode == 1, p.stdout + p.stderr
    m = re.search(
        r"B vs A: largest difference (\S+) at step (\d+) \(A (\S+), B 0; relative 1\): "
        r"OVER TOLERANCE at (\d+) steps, first at step (\d+)",
        p.stdout,
    )
    assert m, p.stdout
    want = jaxsched.from_config(str(hf)).numpy(125007)
    assert int(m.group(2)) == 125007 and float(m.group(3)) == pytest.approx(float(want), rel=1e-8)
    assert int(m.group(5)) == 100002  # the first step with a value above 1e-12
    # A looser tolerance accepts it.
    p = run("compare", str(hf), native, "--atol", "1e-3")
    assert p.returncode == 0, p.stdout


def test_compare_three_schedules_on_a_range():
    p = run(
        "compare",
        "cosine_decay",
        "cosine_decay[1]",
        "{name: constant, value: 0.001}",
        "--steps",
        "0:1000:100",
        "--rows",
        "3",
    )
    assert p.stdout.count(" vs A: ") == 2
    assert "Compared on steps 0..900 every 100 (10 steps)" in p.stdout
    head = next(x for x in p.stdout.splitlines() if x.strip().startswith("step")).split()
    assert head == ["step", "A", "B", "C", "|B-A|", "|C-A|"]
    s = jaxsched.cosine_decay(1e-3, 1000)
    m = re.search(r"C vs A: largest difference (\S+) at step (\d+)", p.stdout)
    assert int(m.group(2)) == 900
    assert float(m.group(1)) == pytest.approx(1e-3 - float(s.numpy(900)), rel=1e-8)
    assert p.returncode == 1


# -- port ------------------------------------------------------------------------------------------

RECIPE = """\
import torch
from helper_mod import T_MAX


def make_scheduler(optimizer):
    warm = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=100)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=T_MAX)
    return torch.optim.lr_scheduler.SequentialLR(optimizer, [warm, cos], milestones=[100])


if __name__ == "__main__":
    raise SystemExit("the __main__ block ran")
"""


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    folder = tmp_path / "recipes"
    folder.mkdir()
    (folder / "helper_mod.py").write_text("T_MAX = 900\n")  # next to the recipe: importable
    path = folder / "recipe.py"
    path.write_text(RECIPE)
    # The working directory holds a module of the same name: the recipe's own must win.
    (tmp_path / "helper_mod.py").write_text("raise SystemExit('the working directory was imported')\n")
    return path


def test_port_prints_the_config(recipe, tmp_path):
    p = run("port", str(recipe), "--lr", "3e-4", cwd=tmp_path, module=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith(
        f"# converted from {recipe}:make_scheduler by torch_bridge.from_torch\n"
        "# the factory was given AdamW(lr=0.0003)"
    )
    cfg = yaml.safe_load(p.stdout)
    s = jaxsched.from_config(cfg)
    want = jaxsched.from_config(
        {
            "name": "compat.torch.SequentialLR",
            "milestones": [100],
            "schedulers": [
                {"name": "compat.torch.LinearLR", "lr": 3e-4, "start_factor": 0.01, "total_iters": 100},
                {"name": "compat.torch.CosineAnnealingLR", "lr": 3e-4, "T_max": 900},
            ],
        }
    )
    assert s == want
    assert "jaxsched parity" in p.stderr
    p = run("port", str(recipe), "--format", "json", "-q", cwd=tmp_path, module=False)
    assert p.returncode == 0, p.stderr
    assert jaxsched.from_config(json.loads(p.stdout)) == want.replace(
        schedulers=[x.replace(lr=1.0) for x in want.schedulers]
    )
    assert "AdamW(lr=1.0)" in p.stderr


def test_port_takes_the_factory_named_in_place(recipe, tmp_path):
    # `port recipe.py:NAME`, the form CONFIG arguments take (and port's own error message suggests).
    p = run("port", f"{recipe}:make_scheduler", "--format", "json", "-q", cwd=tmp_path, module=False)
    q = run("port", str(recipe), "--factory", "make_scheduler", "--format", "json", "-q", cwd=tmp_path)
    assert p.returncode == q.returncode == 0, p.stderr + q.stderr
    assert json.loads(p.stdout) == json.loads(q.stdout)
    assert_bad_input(
        run("port", f"{recipe}:make_scheduler", "--factory", "other", cwd=tmp_path),
        "names the factory 'make_scheduler' and --factory 'other'",
    )


def test_a_recipe_is_a_config(recipe, tmp_path):
    p = run("show", f"{recipe}:make_scheduler", "--steps", "0:1000:100", cwd=tmp_path, module=False)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = table_rows(p.stdout)
    assert float(rows["0"][1]) == pytest.approx(0.01)
    # Step 100 starts the cosine: T_MAX=900 came from the recipe's folder.
    assert float(rows["100"][1]) == 1.0 and float(rows["500"][1]) == pytest.approx(
        0.5 * (1 + np.cos(np.pi * 400 / 900)), rel=1e-9
    )


@pytest.mark.parametrize(
    ("body", "args", "fragment"),
    [
        ("def a(opt): pass\ndef b(opt): pass\n", [], "defines several functions (a, b); choose one"),
        ("X = 1\n", [], "defines no function that builds a scheduler"),
        ("def make(opt): return 5\n", [], "make returned int, not a torch LR scheduler"),
        ("def make(opt, steps): pass\n", [], "needs more than an optimizer"),
        ("def make(opt): raise RuntimeError('boom')\n", [], "running the recipe raised RuntimeError: boom"),
        ("import sys\nsys.exit(3)\n", [], "the recipe called sys.exit(3)"),
        ("def make(opt): pass\n", ["--factory", "other"], "defines no 'other' (--factory)"),
        (
            "import torch\ndef make(opt):\n"
            "    return torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1.0)\n",
            [],
            "arbitrary Python callable",
        ),
    ],
)
def test_port_errors(tmp_path, body, args, fragment):
    path = tmp_path / "r.py"
    path.write_text(body)
    assert_bad_input(run("port", str(path), *args, cwd=tmp_path), fragment)


# -- list, catalog, entry points -------------------------------------------------------------------


def test_list():
    p = run("list", "compat.torch.")
    assert p.returncode == 0
    names = [x.split()[0] for x in p.stdout.splitlines()]
    assert "compat.torch.OneCycleLR" in names and all(n.startswith("compat.torch.") for n in names)


def test_list_prints_plain_text():
    p = run("list")
    assert p.returncode == 0
    assert "`" not in p.stdout and ":class:" not in p.stdout and ":func:" not in p.stdout
    lines = {x.split()[0]: x for x in p.stdout.splitlines()}
    _config.import_all_ports()
    assert set(lines) == set(jaxsched.registry())
    assert "decay by gamma every step_size steps" in lines["compat.torch.StepLR"]
    p = run("list", "*cosine_decay")
    assert [x.split()[0] for x in p.stdout.splitlines()] == ["cosine_decay", "warmup_cosine_decay"]


def test_list_no_match():
    assert_bad_input(run("list", "zzz"), "no registered schedule name contains 'zzz'")
    assert_bad_input(run("list", "cosine_decy"), "did you mean 'cosine_decay'")


@pytest.mark.parametrize("command", ["parity", "show", "plot", "compare"])
def test_help_says_what_a_config_is(command):
    p = run(command, "--help")
    assert p.returncode == 0
    for fragment in (
        "CONFIG is one of:",
        "a file",
        "an inline mapping",
        "a registered name",
        "'compat.torch.OneCycleLR[1]'",
        "recipe.py",
        "examples:",
        f"jaxsched {command} ",
    ):
        assert fragment in p.stdout, (fragment, p.stdout)


def test_help_of_port_and_list():
    p = run("port", "--help")
    assert "its code runs" in p.stdout and "def make_scheduler(optimizer):" in p.stdout
    p = run("list", "--help")
    assert "jaxsched list compat.torch" in p.stdout


def test_catalog_matches_docs():
    p = run("catalog")
    assert p.returncode == 0
    assert p.stdout == (ROOT / "docs" / "catalog.md").read_text(), (
        "docs/catalog.md is stale: regenerate it with `jaxsched catalog > docs/catalog.md`"
    )


def test_console_script_and_version():
    assert SCRIPT.exists()
    p = run("--version", module=False)
    assert p.returncode == 0 and p.stdout.strip() == f"jaxsched {jaxsched.__version__}"


# -- bad input -------------------------------------------------------------------------------------

BAD_YAML = "name: cosine_decay\ninit_value: [1\n"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["show", "missing.yaml"], ["missing.yaml: no such file"]),
        (["show", "{BAD}"], ["bad.yaml:4: invalid YAML", "flow sequence at line 3"]),
        (["show", "{NEG}"], ["neg.json:", "warmup_steps: must be >= 0, got -5"]),
        (["show", "cosine_decy"], ["not a registered schedule name", "did you mean 'cosine_decay'"]),
        (["show", "compat.torch.StepLR[9]"], ["index 9 is out of range"]),
        (["show", '{"name": "cosine_decay", "init_value": 1}'], ["missing required argument"]),
        (
            ["show", '{"name": "cosine_decay", "init_value": 1, "decay_steps": "10%"}'],
            ["decay_steps: '10%' needs total_steps"],
        ),
        (["show", "{bad json"], ["inline config"]),
        (["show", "noam", "--steps", "-1"], ["--steps", "expected N or START:STOP[:STEP]"]),
        (["show", "noam", "--steps", "ten"], ["--steps"]),
        (["parity", "noam", "--steps", "0"], ["--steps", "expected a positive integer"]),
        (["show", "noam", "--total-steps", "-1"], ["--total-steps"]),
        (["show"], ["the following arguments are required: CONFIG"]),
        (["plot", "noam"], ["-o/--output"]),
        (["plot", "noam", "-o", "out.txt"], ["must end in .png"]),
        (["plot", "noam", "-o", "/no/such/dir/x.png"], ["no such directory"]),
        (["plot", "noam", "cyclic", "-o", "x.png", "--label", "one"], ["--label"]),
        (["compare", "missing.json"], ["no such file"]),
        (["parity", "missing.yaml"], ["no such file"]),
        ([], ["a command is required"]),
        (["frobnicate"], ["invalid choice"]),
        (["show", "noam", "--bogus"], ["unrecognized arguments: --bogus"]),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, fragments):
    (tmp_path / "bad.yaml").write_text("# comment\n" + BAD_YAML)
    (tmp_path / "neg.json").write_text(
        json.dumps({"name": "warmup_constant", "init_value": 0.0, "peak_value": 1.0, "warmup_steps": -5})
    )
    args = [
        a.replace("{BAD}", str(tmp_path / "bad.yaml")).replace("{NEG}", str(tmp_path / "neg.json"))
        for a in args
    ]
    assert_bad_input(run(*args, cwd=tmp_path), *fragments)


def test_alias_bomb_is_refused_with_a_short_message(tmp_path):
    # Issue 12.17: nested aliases expand to billions of values; neither memory nor the message may.
    text = "&a0 [" + ", ".join(["x"] * 9) + "]"
    for i in range(1, 9):
        text = f"&a{i} [{text}, " + ", ".join([f"*a{i - 1}"] * 8) + "]"
    path = tmp_path / "bomb.yaml"
    path.write_text(f"name: constant\nvalue: {text}\n")  # 9**9 strings
    assert path.stat().st_size < 600
    p = run("show", str(path))
    assert_bad_input(p, f"{path}:", "expands to more than 100000 values")
    assert len(p.stderr) < 400


def test_internal_errors_are_one_line_too(monkeypatch, capsys):
    def boom(args):
        raise RuntimeError("unexpected\nstate")

    monkeypatch.setattr(cli, "cmd_list", boom)
    monkeypatch.delenv("JAXSCHED_DEBUG", raising=False)
    assert cli.main(["list"]) == 3
    err = capsys.readouterr().err
    assert err == "jaxsched: error: internal error: unexpected ... (set JAXSCHED_DEBUG=1 for a traceback)\n"


def test_docstring_examples_of_the_cli():
    import doctest

    result = doctest.testmod(cli, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4 and result.failed == 0


def test_output_into_a_closed_pipe_ends_quietly():
    # `jaxsched show CONFIG --every 1 | head -2`: the reader closes the pipe; no error, no traceback.
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    cmd = [sys.executable, "-m", "jaxsched", "show", "cosine_decay", "--every", "1"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.readline()
    p.stdout.close()  # as `head` does once it has its lines
    err = p.stderr.read().decode()
    assert p.wait(timeout=300) == 0, err
    assert first.startswith(b"cosine_decay(") and err == ""
