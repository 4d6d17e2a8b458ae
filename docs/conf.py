"""Sphinx configuration of the jaxsched documentation site.

Why Sphinx (with furo, myst-nb, napoleon, autodoc and MathJax): the docstrings are already written for it,
Google-style sections with RST math (``.. math::``, ``:math:``) and double-backtick literals, so autodoc and
napoleon render them as they are, without rewriting a docstring. myst-nb renders the notebooks with their
stored outputs (nothing is executed at build time) and lets the guides stay Markdown.

Build strictly with ``bash scripts/build_docs.sh`` (``sphinx-build -W --keep-going -n``). The API pages under
``docs/api/`` and the copies under ``docs/notebooks/`` are generated at build time (see
``docs/_ext/jaxsched_docs.py``) and are not committed.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # document this checkout, not an older install
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jaxsched  # noqa: E402

project = "jaxsched"
author = "jaxsched contributors"
copyright = "jaxsched contributors"
release = version = jaxsched.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "myst_nb",
    "jaxsched_docs",
]

root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# -- strictness --------------------------------------------------------------------------------------------
# sphinx-build -W --keep-going -n: every warning fails the build, every reference must resolve. No
# intersphinx (CI has no network): names of other libraries in signatures (jax.Array, numpy.ndarray,
# torch.optim.Optimizer, optax.GradientTransformation, ...) are not documented here and are ignored by the
# patterns below, which name only external packages. A broken reference to a jaxsched name still fails.
nitpicky = True
_EXTERNAL = (
    r"(jax|jaxlib|numpy|np|optax|chex|torch|matplotlib|yaml|collections|typing|typing_extensions"
    r"|os|_?io|pathlib)"
)
nitpick_ignore_regex = [
    (r"py:.*", _EXTERNAL + r"(\..*)?"),
    # Type aliases and typing constructs that Sphinx prints as bare names.
    (r"py:.*", r"(Array|ArrayLike|Any|T|Self|Callable|Sequence|Mapping|Iterable|Iterator|PathLike|NDArray)"),
]

# -- autodoc / napoleon ------------------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_use_ivar = True  # Attributes sections as fields (no second object per NamedTuple field)
napoleon_custom_sections = [("Step convention", "notes_style"), ("Quirks", "notes_style")]

# -- MathJax, from a local copy ----------------------------------------------------------------------------
# MathJax 3 comes from the sphinx-mathjax-offline wheel on PyPI (docs extra): its files are copied into
# _static/mathjax with the other static files, so pages typeset math without any CDN.
_MATHJAX = Path(str(metadata.distribution("sphinx-mathjax-offline").locate_file("sphinx-mathjax-offline")))
html_static_path = ["_static", str(_MATHJAX / "static")]
mathjax_path = "mathjax/tex-chtml.js"
myst_update_mathjax = False

# -- MyST / notebooks --------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the notebooks are rendered with the outputs stored in them
nb_merge_streams = True
suppress_warnings = ["mystnb.unknown_mime_type"]

# -- HTML --------------------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"jaxsched {release}"
html_show_sourcelink = False
html_copy_source = False
