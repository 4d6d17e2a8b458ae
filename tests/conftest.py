"""Shared test configuration: hypothesis profiles and float64 helpers."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

# CI runs on 2 cores: derandomized, a bounded number of examples, no deadline flakiness.
# Shrinking is off in CI: a failure prints its (unshrunk) example at once instead of spending minutes.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=15,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None)
# Hypothesis's own "default" (random, 100 examples) as it is, but without its 200 ms deadline: a first
# example compiles JAX programs, so the deadline would report compile time as a flaky failure.
settings.register_profile("default", settings.get_profile("default"), deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """In CI every test dependency is installed, so a skip means a broken setup: report it as a failure."""
    if not os.environ.get("CI") or call.excinfo is None or call.when == "teardown":
        return None
    import pytest

    if call.excinfo.errisinstance(pytest.skip.Exception) and not hasattr(call.excinfo.value, "xfail"):
        from _pytest.reports import TestReport

        report = TestReport.from_item_and_call(item, call)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (a test dependency is missing?): {call.excinfo.value}"
        return report
    return None
