"""The notebooks in notebooks/: committed with fresh, readable outputs, on the public API only.

The outputs are written by ``python scripts/run_notebooks.py``; ``test_outputs_are_fresh`` re-executes
each notebook (its cells assert what they show) and compares the text outputs with the stored ones.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import struct
import time
from pathlib import Path
from types import ModuleType

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks need nbformat (test extra)")
pytest.importorskip("nbclient", reason="the notebooks need nbclient (test extra)")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["quickstart", "porting_pytorch", "gallery", "sweep", "token_clock_and_partition"]
MAX_NOTEBOOK_BYTES = 300_000
MAX_IMAGE_BYTES = 150_000


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "scripts" / "run_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_info(data: bytes) -> tuple[int, int, float | None]:
    """(width, height, dots per inch from the pHYs chunk or None) of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    dpi = None
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"pHYs":
            ppu_x, _, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            if unit == 1:  # pixels per metre
                dpi = ppu_x * 0.0254
        pos += 12 + length
    return width, height, dpi


def test_every_notebook_is_tested():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_stored_outputs_are_complete_and_small(name):
    path = NOTEBOOKS / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{name}: {path.stat().st_size} bytes"
    assert "widgets" not in nb.metadata
    code = [c for c in nb.cells if c.cell_type == "code"]
    # Executed top to bottom once, as scripts/run_notebooks.py stores them.
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), name
    assert any(c.outputs for c in code), f"{name}: no stored output"
    for cell in code:
        assert "execution" not in cell.metadata  # no timings stored
        for out in cell.outputs:
            assert out.output_type != "error", f"{name}: stored error {out.get('ename')}"
            if out.output_type == "stream":
                assert out.name == "stdout", f"{name}: stored {out.name}: {out.text[:200]}"
            data = out.get("data", {})
            assert not any(k.startswith("application/vnd.jupyter.widget") for k in data)
            assert not any(k in data for k in ("image/jpeg", "image/svg+xml")), "images are PNG"
            if "image/png" in data:
                png = base64.b64decode(data["image/png"])
                width, height, dpi = _png_info(png)
                assert len(png) < MAX_IMAGE_BYTES, f"{name}: a {len(png)}-byte image"
                assert 300 <= width <= 1600 and 150 <= height <= 1600, (name, width, height)
                assert dpi is not None and dpi >= 99.5, f"{name}: image at {dpi} dpi"


@pytest.mark.parametrize("name", NAMES)
def test_public_api_only(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    private = re.findall(r"\b(?:jaxsched|torch_bridge)(?:\.\w+)*\._(?!_)\w*", source)
    assert not private, f"{name} uses private names: {private}"


def test_gallery_is_readable():
    nb = nbformat.read(NOTEBOOKS / "gallery.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for needed in ("set_xlabel", "set_ylabel", "set_title", '"figure.dpi": 100', '"axes.grid": True'):
        assert needed in source, needed


def test_text_outputs_ignore_images_and_addresses():
    runner = _runner()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a <f at 0x7f00aa11bb22>\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("display_data", data={"image/png": "AAAA", "text/plain": "<Figure>"}),
    ]
    nb.cells = [cell]
    other = nbformat.from_dict(nbformat.v4.new_notebook())
    cell2 = nbformat.v4.new_code_cell("x")
    cell2.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a <f at 0x7f00cc33dd44>\nb\n"),
        nbformat.v4.new_output("display_data", data={"image/png": "BBBB", "text/plain": "<Figure>"}),
    ]
    other.cells = [cell2]
    assert runner.text_outputs(nb) == runner.text_outputs(other)
    cell2.outputs[0]["text"] = "a <f at 0x7f00cc33dd44>\nc\n"
    assert runner.text_outputs(nb) != runner.text_outputs(other)
    cell2.outputs[1]["data"] = {"text/plain": "<Figure>"}  # an image that disappeared is a change
    cell2.outputs[0]["text"] = "a <f at 0x7f00cc33dd44>\nb\n"
    assert runner.text_outputs(nb) != runner.text_outputs(other)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_outputs_are_fresh(name):
    runner = _runner()
    path = NOTEBOOKS / f"{name}.ipynb"
    start = time.perf_counter()
    fresh = runner.execute(path)
    took = time.perf_counter() - start
    errors = [o for c in fresh.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    stored = nbformat.read(path, as_version=4)
    assert runner.text_outputs(fresh) == runner.text_outputs(stored), (
        f"{name}: the stored outputs are stale; run `python scripts/run_notebooks.py {name}` and commit"
    )
    # Each notebook stays quick (about 10-20 s on an idle 2-core machine; the bound is loose).
    assert took < 120, f"{name} took {took:.0f} s"
