"""Keras 3's own schedules (``keras.optimizers.schedules``) on the JAX backend, in float64.

The original is built from the port's ``get_config()`` (Keras's keys) with ``initial_learning_rate`` as a
float64 number and evaluated under ``jax.enable_x64`` with Keras's ``floatx`` set to ``float64``. Keras's
type promotion on every backend but TensorFlow demotes 64-bit results to 32 bits
(``keras.src.backend.common.dtypes.BIT64_TO_BIT32_DTYPE``: its ``ops.cos`` of a float64 tensor is float32),
so for the duration of the evaluation that demotion of ``float64`` is lifted: Keras's own schedule code then
runs in float64, as it does on TensorFlow. Everything is restored afterwards. Keras must run on the JAX
backend: ``KERAS_BACKEND=jax`` is set before Keras is first imported (a Keras already imported on another
backend is refused).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from jaxsched._core import Schedule
from jaxsched._references import register

CLASSES = (
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "CosineDecay",
    "CosineDecayRestarts",
)


def keras_module() -> Any:
    """``keras``, imported on the JAX backend."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError(
            f"the Keras reference needs the JAX backend; Keras runs on "
            f"{keras.backend.backend()!r} (set KERAS_BACKEND=jax before importing keras)"
        )
    return keras


def keras_curve(schedule: Schedule, n: int) -> np.ndarray:
    """The values Keras's schedule returns at ``iterations = 0..n-1`` (int64 steps), in float64."""
    import jax

    keras = keras_module()
    name = schedule.config_name.rsplit(".", 1)[1]
    config = schedule.get_config()  # type: ignore[attr-defined]
    if "initial_learning_rate" in config:
        config["initial_learning_rate"] = np.float64(config["initial_learning_rate"])
    if "values" in config:
        config["values"] = [np.float64(x) for x in config["values"]]
    from keras.src.backend.common import dtypes

    old = keras.config.floatx()
    demote = dtypes.BIT64_TO_BIT32_DTYPE.get("float64")
    with jax.enable_x64(True):
        keras.config.set_floatx("float64")
        dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
        try:
            original = getattr(keras.optimizers.schedules, name).from_config(config)
            # Eager (op by op, vectorised over the steps): under jit, XLA's pow(0, p) with a traced
            # fractional p is NaN, so PolynomialDecay(power=0.5) returns NaN from decay_steps on in a
            # jitted Keras train step; the eager value is the formula's.
            out = np.asarray(jax.vmap(original)(np.arange(n, dtype=np.int64)), dtype=np.float64)
        finally:
            keras.config.set_floatx(old)
            if demote is None:
                dtypes.BIT64_TO_BIT32_DTYPE.pop("float64", None)
            else:
                dtypes.BIT64_TO_BIT32_DTYPE["float64"] = demote
    return out


for _name in CLASSES:
    register(f"compat.keras.{_name}", "keras", module="keras")(keras_curve)
