"""Import timm's ``timm.scheduler`` for the parity tests, even where ``import timm`` fails.

timm's package ``__init__`` imports its models, which need torchvision; torchvision has no CPU build
matching the pinned CPU torch here (its CUDA wheel fails to load, and would break Lightning and the HF
Trainer in the same environment). ``timm.scheduler`` itself needs only torch. When ``import timm`` fails,
:func:`timm_scheduler` registers a bare ``timm`` package (its ``__path__`` only, no ``__init__`` code run)
and imports the installed ``timm/scheduler`` from it: the original's own scheduler code, nothing else.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import pytest


def timm_scheduler() -> Any:
    """The installed ``timm.scheduler`` module (the test fails when timm is not installed: it is a test
    dependency)."""
    try:
        return importlib.import_module("timm.scheduler")
    except ImportError:  # timm installed without a working torchvision: see the module docstring
        pass
    except RuntimeError:  # a torchvision whose compiled operators do not match the torch build
        pass
    for name in [n for n in sys.modules if n == "timm" or n.startswith("timm.")]:
        del sys.modules[name]
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("timm is a test dependency (pip install -c .ci/constraints.txt --no-deps timm)")
    bare = types.ModuleType("timm")
    bare.__path__ = list(spec.submodule_search_locations)
    bare.__file__ = str(Path(bare.__path__[0]) / "__init__.py")
    bare.__spec__ = spec  # (importlib.util.find_spec("timm") elsewhere in the process reads it)
    sys.modules["timm"] = bare
    return importlib.import_module("timm.scheduler")
