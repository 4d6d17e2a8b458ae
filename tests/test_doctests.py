"""Every public docstring example runs (the ``Example:`` blocks are doctests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import jaxsched


def public_modules():
    names = ["jaxsched", "jaxsched.optax_utils"]
    for pkg in ("jaxsched", "jaxsched.schedules", "jaxsched.compat"):
        mod = importlib.import_module(pkg)
        for info in pkgutil.iter_modules(mod.__path__):
            if info.name in {"__main__", "cli"}:
                continue
            names.append(f"{pkg}.{info.name}")
    if importlib.util.find_spec("torch_bridge") is not None:
        # The package and each of its modules (a re-exported class's docstring lives in its module).
        names.append("torch_bridge")
        bridge = importlib.import_module("torch_bridge")
        names.extend(f"torch_bridge.{info.name}" for info in pkgutil.iter_modules(bridge.__path__))
    return sorted(set(names))


@pytest.mark.parametrize("name", public_modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(module, name, globs={"jaxsched": jaxsched})
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_every_public_schedule_has_a_formula_and_an_example():
    missing = []
    for name, cls in jaxsched.registry().items():
        doc = cls.__doc__ or ""
        if ".. math::" not in doc or "Example" not in doc or ">>>" not in doc:
            missing.append(name)
    assert not missing, f"schedules without a math block or example: {missing}"
