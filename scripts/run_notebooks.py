"""Execute the notebooks in notebooks/ and store their outputs (what GitHub and the docs site show).

    python scripts/run_notebooks.py                 # re-execute every notebook, write outputs in place
    python scripts/run_notebooks.py quickstart      # only some
    python scripts/run_notebooks.py --check         # re-execute and compare with the stored outputs

Each notebook runs in a fresh ``python3`` kernel (this interpreter) with this checkout first on
``PYTHONPATH`` and JAX on the CPU. The stored form is normalised so that re-running changes nothing but
the images: execution counts 1, 2, ... in cell order, no timing or widget metadata, PNG images only.
``--check`` (and ``tests/test_notebooks.py``) compares the *text* outputs (streams, ``text/plain``,
errors) with the stored ones and the kinds of the other outputs, ignoring image bytes.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TIMEOUT_S = 300
# Text that legitimately differs between runs: object addresses.
_VOLATILE = [(re.compile(r"0x[0-9a-fA-F]{6,}"), "0x...")]


def notebook_paths(names: list[str] | None = None) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if names:
        wanted = {n.removesuffix(".ipynb") for n in names}
        missing = wanted - {p.stem for p in paths}
        if missing:
            raise SystemExit(f"run_notebooks: no such notebook: {', '.join(sorted(missing))}")
        paths = [p for p in paths if p.stem in wanted]
    return paths


def execute(path: Path) -> Any:
    """The notebook at ``path`` executed top to bottom in a fresh kernel, normalised (not written)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    env_path = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "JAX_PLATFORMS", "MPLBACKEND")}
    os.environ.update(PYTHONPATH=env_path, JAX_PLATFORMS="cpu")
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend draws the figures
    try:
        client = nbclient.NotebookClient(
            nb,
            kernel_name="python3",
            timeout=TIMEOUT_S,
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return normalise(nb)


def normalise(nb: Any) -> Any:
    """Strip what changes between runs or bloats the file: timings, widget state, ids of executions."""
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = {"name": "python"}
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("widgets", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = _merge_streams(cell.outputs)
        for out in cell.outputs:
            if "execution_count" in out:
                out["execution_count"] = count
            out.get("metadata", {}).pop("widgets", None)
            data = out.get("data")
            if data:
                data.pop("application/vnd.jupyter.widget-view+json", None)
    return nb


def _merge_streams(outputs: list[Any]) -> list[Any]:
    """Consecutive writes to one stream as one output (how a kernel splits them depends on timing)."""
    merged: list[Any] = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] = "".join(prev["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def text_outputs(nb: Any) -> list[list[tuple[str, ...]]]:
    """Per code cell: its outputs as comparable text (streams, text/plain, errors; image kinds only)."""

    def clean(text: Any) -> str:
        text = "".join(text) if isinstance(text, list) else str(text)
        for pattern, repl in _VOLATILE:
            text = pattern.sub(repl, text)
        return text.rstrip()

    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs: list[tuple[str, ...]] = []
        for out in _merge_streams(copy.deepcopy(cell.outputs)):
            kind = out["output_type"]
            if kind == "stream":
                outs.append(("stream", out["name"], clean(out["text"])))
            elif kind in ("execute_result", "display_data"):
                data = out.get("data", {})
                outs.append((kind, ",".join(sorted(data)), clean(data.get("text/plain", ""))))
            elif kind == "error":
                outs.append(("error", out["ename"], clean(out["evalue"])))
        cells.append(outs)
    return cells


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--check", action="store_true", help="compare with the stored outputs, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for path in notebook_paths(args.names):
        start = time.perf_counter()
        stored = nbformat.read(path, as_version=4)
        fresh = execute(path)
        took = time.perf_counter() - start
        errors = [
            o for c in fresh.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
        ]
        if errors:
            print(f"{path.name}: FAILED in {took:.1f} s: {errors[0]['ename']}: {errors[0]['evalue']}")
            return 1
        if args.check:
            same = text_outputs(fresh) == text_outputs(stored)
            print(f"{path.name}: {'fresh' if same else 'STALE'} ({took:.1f} s)")
            if not same:
                stale.append(path.name)
        else:
            nbformat.validate(fresh)
            nbformat.write(fresh, path)
            print(f"{path.name}: executed in {took:.1f} s, {path.stat().st_size / 1024:.0f} KiB")
    if stale:
        print(f"stale: {', '.join(stale)}; run `python scripts/run_notebooks.py` and commit the notebooks")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
