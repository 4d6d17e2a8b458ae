"""jaxsched.affine_recurrence: its documented rule against an independent reference, and ``solve`` against a
plain step-by-step loop over the same updates (the recurrence itself), at dense and far steps."""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import jaxsched
from jaxsched import ScheduleArgumentError
from jaxsched._numerics import MAX_STEP
from tests.helpers import assert_matches
from tests.reference_formulas import reference

AR = jaxsched.affine_recurrence


def test_examples_match_reference() -> None:
    for ex in AR.examples:
        s = jaxsched.from_config({"name": "affine_recurrence", **ex})
        assert_matches(s, reference("affine_recurrence", **ex), rtol32=2e-6)


# -- solve against a plain loop ----------------------------------------------------------------------------

SOURCE = jaxsched.cosine_decay(1.0, 37, alpha=0.05)


@st.composite
def recurrences(draw: Any) -> dict[str, Any]:
    """Updates of steps 1 .. S + L - 1, each step 0 to 3 of them: scalings, affine updates, sets to a
    constant or from a schedule (kept >= 0: a in (0, 1], anchors and increments >= 0)."""
    S, L = draw(st.integers(1, 12)), draw(st.integers(1, 9))
    rows = []
    for k in range(1, S + L):
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["scale", "scale", "affine", "set", "source"]))
            if kind == "scale":
                rows.append((k, draw(st.floats(0.5, 1.0)), 0.0, 0.0, -1, 1.0))
            elif kind == "affine":
                rows.append(
                    (
                        k,
                        draw(st.floats(0.5, 1.0)),
                        draw(st.floats(0.0, 1.0)),
                        draw(st.floats(0.0, 0.1)),
                        -1,
                        1.0,
                    )
                )
            elif kind == "set":
                rows.append((k, 0.0, 0.0, draw(st.floats(0.0, 1.0)), -1, 1.0))
            else:
                rows.append((k, 0.0, 0.0, 0.0, 0, draw(st.floats(0.5, 2.0))))
    x0 = draw(st.floats(0.0, 1.0))
    return {"x0": x0, "rows": rows, "S": S, "L": L}


def _solve(r: dict[str, Any]) -> jaxsched.Schedule:
    rows = r["rows"]
    cols = list(zip(*rows, strict=True)) if rows else [[], [], [], [], [], []]
    return AR.solve(
        r["x0"],
        cols[0],
        cols[1],
        cols[2],
        cols[3],
        sources=(SOURCE,),
        source_index=cols[4],
        source_weight=cols[5],
        start=r["S"],
        period=r["L"],
    )


def _loop(r: dict[str, Any], n: int) -> np.ndarray:
    """The recurrence itself: step k applies the updates of step k (k < S + L) or of its periodic twin."""
    S, L = r["S"], r["L"]
    by_step: dict[int, list[tuple[Any, ...]]] = {}
    for row in r["rows"]:
        by_step.setdefault(row[0], []).append(row)
    g = SOURCE.numpy(np.arange(n))
    x, out = r["x0"], [r["x0"]]
    for k in range(1, n):
        twin = k if k < S + L else S + (k - S) % L
        for _, a, c, d, src, w in by_step.get(twin, []):
            x = a * (x - c) + c + d + (w * g[k] if src >= 0 else 0.0)
        out.append(x)
    return np.asarray(out)


@given(r=recurrences())
def test_solve_equals_the_recurrence(r: dict[str, Any]) -> None:
    try:
        s = _solve(r)
    except ScheduleArgumentError as err:  # offsets that never reset (no closed form): refused, see below
        assert "never reset" in str(err)
        assume(False)
        raise
    event("reset tail" if s.gains is not None else "scaling tail")
    n = r["S"] + 6 * r["L"] + 20
    want = _loop(r, n)
    k = np.arange(n)
    scale = max(float(np.max(np.abs(want))), 1e-300)
    np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12, atol=1e-15 * scale)
    np.testing.assert_allclose(np.asarray(s(k)), want, rtol=2e-6, atol=1e-7 * scale)


def test_the_table_is_the_plain_float64_loop() -> None:
    """The prefix is exactly what a float64 loop over the updates, in order, computes (bit for bit)."""
    r = {
        "x0": 0.1,
        "S": 30,
        "L": 7,
        "rows": [(k, 0.97 if k % 3 else 0.5, 0.01 * (k % 2), 0.001, -1, 1.0) for k in range(1, 37)]
        + [(36, 0.0, 0.0, 0.2, -1, 1.0)],
    }
    r["rows"].sort(key=lambda row: row[0])
    np.testing.assert_array_equal(_solve(r).numpy(np.arange(37)), _loop(r, 37))


def test_scaling_tail_is_exact_at_far_steps() -> None:
    # x_k = 0.5 * 0.99999999**(k - 1) after a first halving: an exact power at every step (4.7e-10 at
    # the last one).
    s = AR.solve(1.0, [1, 2], [0.5, 0.99999999], start=2, period=1)
    k = np.array([0, 1, 2, 10**6, 10**9, MAX_STEP])
    mp = mpmath.mpf
    want = [1.0, 0.5] + [float(mp(0.5) * mp(0.99999999) ** (int(x) - 1)) for x in k[2:]]
    np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(s(k)), want, rtol=1e-6)
    assert s.rates == (0.99999999,) and s.counts.tolist() == [1]


@pytest.mark.parametrize("count", [5, 31, 32, 1000, 123457])
def test_a_rate_applied_many_times_per_period(count: int) -> None:
    """Regression: the number of applications q * count passed int32's range (inf at step 2.1e9 for
    count 5); it is now carried as float32-exact parts, whatever the count."""
    rate = 1 - 1e-12
    s = jaxsched.affine_recurrence([1.0, 1.0], start=1, period=1, rates=[rate], counts=[count])
    k = np.array([2, 3, 10**6, 10**8, 2113305534, MAX_STEP])
    mp = mpmath.mpf
    want = [float(mp(rate) ** (count * (int(x) - 1))) for x in k]
    np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(s(k)), want, rtol=1e-6, atol=1e-38)  # (float32 underflows)


def test_reset_tail_follows_its_source_at_far_steps() -> None:
    # Every third step sets x from the source, then two steps halve it: u g(k - delta) with a delay.
    src = jaxsched.linear(1.0, 0.5, 10**9)
    s = AR.solve(1.0, [1, 2, 3], [0.0, 0.5, 0.5], sources=(src,), source_index=[0, -1, -1], start=1, period=3)
    assert s.delays is not None and s.source is src
    k = np.array([4, 5, 6, 10**6 + 1, 10**9 + 2, MAX_STEP - 1, MAX_STEP])
    phase = (k - 1) % 3
    want = src.numpy(k - phase) * 0.5**phase
    np.testing.assert_allclose(s.numpy(k), want, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(s(k)), want, rtol=2e-6)


def test_hold() -> None:
    s = AR.solve(1.0, [1, 2, 3], [0.5, 0.5, 0.5], start=3, period=1, hold=True)
    np.testing.assert_array_equal(s.numpy([0, 1, 2, 3, 4, 10**9]), [1, 0.5, 0.25, 0.125, 0.125, 0.125])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: AR.solve(1.0, [1], [1.1], start=1, period=1), "grow"),
        (lambda: AR.solve(1.0, [1], [0.5], [0.2], start=1, period=1), "never reset"),
        (lambda: AR.solve(1.0, [1], [0.0], [0.0], [-1.0], start=1, period=1), "below 0 at step 1"),
        (lambda: AR.solve(1.0, [1], [0.5], start=1, period=10, max_steps=10), "exceed"),
        (
            lambda: AR.solve(
                1.0, [1, 2], [0.0, 0.0], sources=(SOURCE, SOURCE), source_index=[0, 1], start=1, period=2
            ),
            "more than one source",
        ),
        (lambda: AR.solve(1.0, [2, 1], [0.5, 0.5], start=1, period=2), "sorted"),
        (lambda: AR.solve(1.0, [1], [0.5], sources=(SOURCE,), source_index=[0], start=1, period=1), "source"),
        (lambda: AR(values=[1.0, 2.0], start=1, period=2), "start \\+ period"),
        (lambda: AR(values=[1.0, 0.5], start=1, period=1, rates=[0.5], counts=[]), "one count per rate"),
        (lambda: AR(values=[1.0, 0.5], start=1, period=1, rates=[2.0], counts=[1]), "grow"),
        (lambda: AR(values=[1.0, 0.5], start=1, period=1, gains=[1.0]), "together"),
        (lambda: AR(values=[1.0, -0.5], start=1, period=1), ">= 0"),
    ],
)
def test_refusals(call: Any, match: str) -> None:
    with pytest.raises(ScheduleArgumentError, match=match):
        call()
