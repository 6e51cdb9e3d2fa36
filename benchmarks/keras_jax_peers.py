"""poolkit.jax against flax.linen's pools under jax.jit, and poolkit.keras against keras.layers
in tf.function, side by side in one process (best of 7, round-robin; ratio = peer / poolkit).

    KERAS_BACKEND=tensorflow python benchmarks/keras_jax_peers.py

Not yet part of ``poolkit bench`` (issue 12); float32, (16, 56, 56, 64) channels-last input.
"""

from __future__ import annotations

import time

import numpy as np

SHAPE = (16, 56, 56, 64)


def _best_of(functions: dict, x, sync, rounds: int = 7) -> dict:
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):
        for name, f in functions.items():
            start = time.perf_counter()
            sync(f(x))
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def jax_against_flax() -> None:
    import flax.linen as nn
    import jax
    import jax.numpy as jnp

    import poolkit.jax as pj

    x = jnp.asarray(np.random.default_rng(0).standard_normal(SHAPE, dtype=np.float32))
    cases = {
        "max 3x3/2 SAME": (
            lambda v: pj.max_pool2d(v, 3, 2, "same", data_format="channels_last"),
            lambda v: nn.max_pool(v, (3, 3), (2, 2), "SAME"),
        ),
        "max 2x2/2 VALID": (
            lambda v: pj.max_pool2d(v, 2, data_format="channels_last"),
            lambda v: nn.max_pool(v, (2, 2), (2, 2)),
        ),
        "avg 2x2/2 VALID": (
            lambda v: pj.avg_pool2d(v, 2, data_format="channels_last"),
            lambda v: nn.avg_pool(v, (2, 2), (2, 2)),
        ),
        "avg 3x3/1 pad 1, pads counted": (
            lambda v: pj.avg_pool2d(
                v, 3, 1, 1, count_include_pad=True, data_format="channels_last"
            ),
            lambda v: nn.avg_pool(v, (3, 3), (1, 1), ((1, 1), (1, 1)), count_include_pad=True),
        ),
    }
    for name, (ours, theirs) in cases.items():
        ours, theirs = jax.jit(ours), jax.jit(theirs)
        np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)
        best = _best_of({"poolkit": ours, "flax": theirs}, x, lambda r: r.block_until_ready())
        print(
            f"jax   {name:32s} flax {best['flax'] * 1e3:7.2f} ms  poolkit.jax "
            f"{best['poolkit'] * 1e3:7.2f} ms  ratio {best['flax'] / best['poolkit']:.2f}"
        )


def keras_against_keras() -> None:
    import keras
    import tensorflow as tf

    import poolkit.keras as pkk

    if keras.backend.backend() != "tensorflow":
        print("keras: run with KERAS_BACKEND=tensorflow for the tf.function comparison")
        return
    x = tf.constant(np.random.default_rng(0).standard_normal(SHAPE, dtype=np.float32))
    pairs = {
        "MaxPooling2D(3, 2, 'same')": (
            pkk.MaxPooling2D(3, 2, "same"),
            keras.layers.MaxPooling2D(3, 2, "same"),
        ),
        "MaxPooling2D(2)": (pkk.MaxPooling2D(2), keras.layers.MaxPooling2D(2)),
        "AveragePooling2D(2)": (pkk.AveragePooling2D(2), keras.layers.AveragePooling2D(2)),
        "AveragePooling2D(3, 1, 'same')": (
            pkk.AveragePooling2D(3, 1, "same"),
            keras.layers.AveragePooling2D(3, 1, "same"),
        ),
        "GlobalAveragePooling2D": (
            pkk.GlobalAveragePooling2D(),
            keras.layers.GlobalAveragePooling2D(),
        ),
    }
    for name, (ours, theirs) in pairs.items():
        ours, theirs = tf.function(ours), tf.function(theirs)
        np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)
        best = _best_of({"poolkit": ours, "keras": theirs}, x, lambda r: r.numpy())
        print(
            f"keras {name:32s} keras {best['keras'] * 1e3:7.2f} ms  poolkit.keras "
            f"{best['poolkit'] * 1e3:7.2f} ms  ratio {best['keras'] / best['poolkit']:.2f}"
        )


if __name__ == "__main__":
    jax_against_flax()
    keras_against_keras()
