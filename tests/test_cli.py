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

import jaxsched
from jaxsched import cli

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("jaxsched")


def run(*args: str, cwd: Path | None = None, module: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "jaxsched", *args] if module else [str(SCRIPT), *args]
    env = dict(os.environ, JAX_PLATFORMS="cpu", PYTHONWARNINGS="ignore")
    env.pop("JAXSCHED_DEBUG", None)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or ROOT, env=env,
                          timeout=300)


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
    return {r.split()[0]: r.split() for r in text.splitlines() if r.strip() and r.split()[0][0]
            .isdigit()}


@pytest.fixture
def yaml_config(tmp_path: Path) -> Path:
    path = tmp_path / "wcd.yaml"
    path.write_text("name: warmup_cosine_decay\ninit_value: 0.0\npeak_value: 0.001\n"
                    "warmup_steps: 10%\ndecay_steps: 1000\nunits: {total_steps: 1000}\n")
    return path


# -- parity ----------------------------------------------------------------------------------------

def test_parity_subset_passes_with_progress():
    p = run("parity", "--only", "cosine_decay", "--only", "compat.torch.StepLR")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "parity [" in p.stderr  # progress on stderr
    out = p.stdout
    assert out.splitlines()[0].split()[:6] == ["schedule", "steps", "jax-f32", "jax-f64",
                                               "torch_bridge", "original"]
    rows = {r.split()[0]: r.split() for r in out.splitlines() if r.startswith(("cosine", "compat"))}
    assert rows["compat.torch.StepLR[0]"][-2:] == ["torch", "ok"]  # compared with torch itself
    assert rows["cosine_decay[0]"][-1] == "ok"
    assert "Tolerances: jax-f32 1e-05" in out
    assert re.search(r"configurations of \d+ schedules; \d+ compared with their original library; "
                     r"all within tolerance\.", out)


def test_parity_on_config_files_and_json(tmp_path, yaml_config):
    report = tmp_path / "report.json"
    p = run("parity", str(yaml_config), "compat.torch.OneCycleLR[1]", "--json", str(report), "-q")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stderr == ""  # -q: no progress
    data = json.loads(report.read_text())
    assert [d["label"] for d in data] == ["wcd", "compat.torch.OneCycleLR[1]"]
    assert data[0]["config"]["warmup_steps"] == 100  # "10%" of 1000, resolved
    assert all(d["ok"] for d in data)
    assert data[1]["paths"]["original"]["note"] == "torch"


def test_parity_exits_1_on_a_mismatch(monkeypatch, capsys):
    # Tighten the float32 tolerance to zero: a long cosine in float32 must then be reported.
    from jaxsched import _parity

    monkeypatch.setitem(_parity.TOLERANCES, "jax-f32", _parity.Tolerance(0.0, 1e-6))
    code = cli.main(["parity", "--only", "cosine_decay", "--no-torch", "--no-original",
                     "--no-x64", "-q"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  cosine_decay[0] jax-f32" in out and out.rstrip().endswith("FAILED.")


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
    p = run("show", '{"name": "step_decay", "init_value": 1.0, "step_size": "1ep", '
                    '"decay_rate": 0.5}', "--steps-per-epoch", "10", "--steps", "25")
    assert p.returncode == 0, p.stderr
    rows = table_rows(p.stdout)
    assert float(rows["25"][1]) == 0.25
    p = run("show", "{name: constant, value: 2.5}", "--steps", "3")  # inline YAML
    assert p.returncode == 0, p.stderr
    assert float(table_rows(p.stdout)["3"][1]) == 2.5


# -- plot ------------------------------------------------------------------------------------------

def _png(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def test_plot_png(tmp_path, yaml_config):
    out = tmp_path / "lr.png"
    p = run("plot", str(yaml_config), "cosine_restarts", "compat.torch.CyclicLR", "-o", str(out),
            "--log", "--steps", "1500", "--title", "three schedules")
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


# -- compare ---------------------------------------------------------------------------------------

def test_compare(tmp_path):
    out = tmp_path / "cmp.png"
    p = run("compare", "compat.torch.OneCycleLR", "-o", str(out))
    assert p.returncode == 0, p.stdout + p.stderr
    head = p.stdout.splitlines()[1].split()
    assert head[:2] == ["step", "jax"] and "torch_bridge" in head
    last = p.stdout.strip().splitlines()[-2]
    m = re.match(r"largest difference: (\S+) at step (\d+) \(relative (\S+), tolerance 1e-05\): ok",
                 last)
    assert m, last
    assert 0 < float(m.group(3)) < 1e-5  # float32 against float64: close, not identical
    assert _png(out).shape[1] == 1210
    p = run("compare", "compat.torch.OneCycleLR", "--x64")
    assert p.returncode == 0, p.stderr
    assert "tolerance 1e-12): ok" in p.stdout


# -- list, catalog, entry points -------------------------------------------------------------------

def test_list():
    p = run("list", "compat.torch.")
    assert p.returncode == 0
    names = [x.split()[0] for x in p.stdout.splitlines()]
    assert "compat.torch.OneCycleLR" in names and all(n.startswith("compat.torch.") for n in names)


def test_catalog_matches_docs():
    p = run("catalog")
    assert p.returncode == 0
    assert p.stdout == (ROOT / "docs" / "catalog.md").read_text(), \
        "docs/catalog.md is stale: regenerate it with `jaxsched catalog > docs/catalog.md`"


def test_console_script_and_version():
    assert SCRIPT.exists()
    p = run("--version", module=False)
    assert p.returncode == 0 and p.stdout.strip() == f"jaxsched {jaxsched.__version__}"


# -- bad input -------------------------------------------------------------------------------------

BAD_YAML = "name: cosine_decay\ninit_value: [1\n"


@pytest.mark.parametrize(("args", "fragments"), [
    (["show", "missing.yaml"], ["missing.yaml: no such file"]),
    (["show", "{BAD}"], ["bad.yaml:4: invalid YAML", "flow sequence at line 3"]),
    (["show", "{NEG}"], ["neg.json:", "warmup_steps: must be >= 0, got -5"]),
    (["show", "cosine_decy"], ["not a registered schedule name", "did you mean 'cosine_decay'"]),
    (["show", "compat.torch.StepLR[9]"], ["index 9 is out of range"]),
    (["show", '{"name": "cosine_decay", "init_value": 1}'], ["missing required argument"]),
    (["show", '{"name": "cosine_decay", "init_value": 1, "decay_steps": "10%"}'],
     ["decay_steps: '10%' needs total_steps"]),
    (["show", "{bad json"], ["inline config"]),
    (["show", "noam", "--steps", "0"], ["--steps", "expected a positive integer"]),
    (["show", "noam", "--steps", "ten"], ["--steps"]),
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
])
def test_bad_input_is_one_line(tmp_path, args, fragments):
    (tmp_path / "bad.yaml").write_text("# comment\n" + BAD_YAML)
    (tmp_path / "neg.json").write_text(json.dumps(
        {"name": "warmup_constant", "init_value": 0.0, "peak_value": 1.0, "warmup_steps": -5}))
    args = [a.replace("{BAD}", str(tmp_path / "bad.yaml")).replace("{NEG}", str(tmp_path / "neg.json"))
            for a in args]
    assert_bad_input(run(*args, cwd=tmp_path), *fragments)


def test_internal_errors_are_one_line_too(monkeypatch, capsys):
    def boom(args):
        raise RuntimeError("unexpected\nstate")

    monkeypatch.setattr(cli, "cmd_list", boom)
    monkeypatch.delenv("JAXSCHED_DEBUG", raising=False)
    assert cli.main(["list"]) == 3
    err = capsys.readouterr().err
    assert err == "jaxsched: error: internal error: unexpected ... (set JAXSCHED_DEBUG=1 for a " \
                  "traceback)\n"
