"""The source articles' worked examples, computed by poolkit and printed.

Each example here is also a named test in ``tests/test_seeds.py``.
"""

from __future__ import annotations

import argparse

import numpy as np

import poolkit

PYTORCH_ARTICLE_INPUT = np.array(
    [[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]],
    dtype=np.float32,
)
KERAS_WORD_VECTORS = np.array(  # the, boy, will, live: steps x features
    [[0.7, -0.2, 0.1], [0.8, -0.3, 0.2], [0.2, -0.1, 0.4], [0.4, -0.4, 0.8]]
)


def examples() -> dict[str, np.ndarray]:
    """Every worked example's poolkit result, keyed by a short description."""
    x = PYTORCH_ARTICLE_INPUT.reshape(1, 1, 5, 5)
    return {
        "PyTorch article, 5x5, kernel 3, ceil_mode=True": poolkit.max_pool2d(x, 3, ceil_mode=True)[
            0, 0
        ],
        "PyTorch article, 5x5, kernel 3, ceil_mode=False": poolkit.max_pool2d(x, 3)[0, 0],
        "Keras MaxPooling1D, word vectors, pool 2, stride 1": poolkit.max_pool1d(
            KERAS_WORD_VECTORS[None], 2, 1, data_format="channels_last"
        )[0],
        "Keras MaxPooling1D shape, (10, 4, 10), pool 2, stride 1": np.array(
            poolkit.max_pool1d(np.zeros((10, 4, 10)), 2, 1, data_format="channels_last").shape
        ),
        "ResNet stem max pool 3x3/2 pad 1 on (1, 64, 112, 112)": np.array(
            poolkit.max_pool2d(np.zeros((1, 64, 112, 112), np.float32), 3, 2, 1).shape
        ),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    del args
    from poolkit.tour._common import compile_notice

    with compile_notice():  # a first run compiles the kernels it uses (once, then cached)
        computed = examples()
    for title, value in computed.items():
        print(f"{title}:\n{np.array2string(np.asarray(value), precision=3)}\n")
    return 0
