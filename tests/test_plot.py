"""jaxsched.plot: curves, key-step markers, log scale, rendered images, headless backend."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import jaxsched
from jaxsched.plot import label, plot, save


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_curve_values_and_markers():
    s = jaxsched.warmup_cosine_decay(0.0, 1e-3, warmup_steps=100, decay_steps=1000)
    ax = plot(s, steps=1200)
    curve, marks = ax.get_lines()
    x, y = curve.get_data()
    np.testing.assert_array_equal(x, np.arange(1200))
    # The plotted values are the float64 formula: linear warmup then cosine, by hand.
    k = np.arange(1200)
    want = np.where(
        k < 100, 1e-3 * k / 100, 1e-3 * 0.5 * (1 + np.cos(np.pi * np.clip(k - 100, 0, 900) / 900))
    )
    np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-18)
    mx, my = marks.get_data()
    assert list(mx) == [0, 100, 1000]  # the key steps
    np.testing.assert_allclose(my, [0.0, 1e-3, 0.0], atol=1e-18)
    assert marks.get_color() == curve.get_color()
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "value"
    assert ax.get_legend().get_texts()[0].get_text() == label(s)


def test_several_curves_on_given_axes_with_labels():
    _, ax = plt.subplots()
    scheds = [jaxsched.cosine_decay(1.0, 50), jaxsched.step_decay(1.0, 10, 0.5)]
    out = plot(scheds, np.arange(0, 60, 2), ax, labels=["cos", "step"], markers=False, title="two")
    assert out is ax
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cos", "step"]
    assert ax.get_title() == "two"
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata()[:6], [1, 1, 1, 1, 1, 0.5])


def test_log_scale_leaves_out_nonpositive_markers():
    s = jaxsched.cosine_decay(1.0, 100)  # 0.0 at its key step 100
    ax = plot(s, 150, log=True)
    assert ax.get_yscale() == "log"
    mx, _ = ax.get_lines()[1].get_data()
    assert list(mx) == [0]


def test_markers_outside_the_range_are_left_out():
    s = jaxsched.warmup_cosine_decay(0.0, 1.0, 10, 500)
    ax = plot(s, 100)
    assert list(ax.get_lines()[1].get_xdata()) == [0, 10]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("not a schedule",), TypeError),
        (([],), TypeError),
        ((jaxsched.constant(1.0), 0), ValueError),
        ((jaxsched.constant(1.0), np.zeros((2, 2))), ValueError),
    ],
)
def test_bad_arguments(args, error):
    with pytest.raises(error):
        plot(*args)


def test_label_count_must_match():
    with pytest.raises(ValueError, match="labels: must have one label per schedule"):
        plot([jaxsched.constant(1.0)], 10, labels=["a", "b"])


def test_long_labels_are_cut():
    s = jaxsched.warmup_stable_decay(1e-3, 100, 1000, 200, warmup_shape="cosine")
    assert len(label(s)) == 60 and label(s).endswith("...)")


def test_saved_png(tmp_path):
    from PIL import Image

    path = tmp_path / "lr.png"
    save([jaxsched.noam(512, 100), jaxsched.inverse_sqrt(1e-3, 100)], path, steps=500, dpi=100)
    with Image.open(path) as im:
        assert im.size == (800, 450)
        img = np.asarray(im.convert("RGB")).astype(int)
    ink = np.any(img < 250, axis=-1)
    assert 0.02 < ink.mean() < 0.6  # drawn, not blank, not solid
    blue = np.all(np.abs(img - (31, 119, 180)) < 30, axis=-1)
    orange = np.all(np.abs(img - (255, 127, 14)) < 30, axis=-1)
    assert blue.sum() > 100 and orange.sum() > 100


def test_headless_uses_agg():
    code = (
        "import jaxsched, matplotlib\nfrom jaxsched.plot import plot\n"
        "plot(jaxsched.constant(1.0), 5)\nprint(matplotlib.get_backend().lower())"
    )
    env = {k: x for k, x in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    env["JAX_PLATFORMS"] = "cpu"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "agg"
