"""Code a user of poolkit writes; ``test_mypy.py`` checks it passes ``mypy --strict``.

``assert_type`` is checked by mypy and does nothing at run time, where the test runs this too.
"""

from __future__ import annotations

from typing import Any, assert_type

import numpy as np
from numpy.typing import NDArray

import poolkit


def pool_round_trip(x: NDArray[np.float64]) -> tuple[NDArray[Any], NDArray[Any]]:
    pooled = poolkit.max_pool2d(x, 2)
    assert_type(pooled, NDArray[Any])
    values, indices = poolkit.max_pool2d(x, 2, return_indices=True)
    assert_type(indices, NDArray[np.int64])
    positional = poolkit.max_pool2d(x, 2, None, 0, 1, False, True)
    assert_type(positional, tuple[NDArray[Any], NDArray[np.int64]])
    restored = poolkit.max_unpool2d(values, indices, 2, output_size=x.shape[-2:])
    best, where = poolkit.adaptive_max_pool2d(x, (1, None), return_indices=True)
    assert_type(where, NDArray[np.int64])
    return restored, best


def gradients(x: NDArray[np.float64], flag: bool) -> list[NDArray[Any]]:
    y = poolkit.avg_pool2d(x, 3, stride=1, padding="same", count_include_pad=False)
    grads = [
        poolkit.avg_pool2d_backward(np.ones_like(y), x, 3, 1, "same", count_include_pad=False),
        poolkit.max_pool2d_backward(np.ones((1, 1, 8, 8)), x, kernel_size=(2, 2)),
        poolkit.lp_pool1d_backward(np.ones((1, 1, 8)), x[..., 0, :], 2, 2),
        poolkit.global_lp_pool3d_backward(np.ones((1, 1)), x[:, :, None], 3.0),
        poolkit.upsample_nearest2d_backward(np.ones((1, 1, 16, 16)), x[..., ::2, ::2], 2),
    ]
    either = poolkit.max_pool2d(x, 2, return_indices=flag)
    assert_type(either, NDArray[Any] | tuple[NDArray[Any], NDArray[np.int64]])
    return grads


def pool_an_image(img: NDArray[np.uint8]) -> NDArray[Any]:
    """poolkit.pool: any axes, per-axis sizes, numpy.pad border modes."""
    small = poolkit.pool(img, "max", (2, 2), axes=(0, 1))
    return poolkit.pool(small, "avg", 3, 1, "same", axes=(0, 1), mode="reflect", cval=None)


def main() -> None:
    assert pool_an_image(np.zeros((8, 8, 3), dtype=np.uint8)).shape == (4, 4, 3)
    x = np.arange(256.0).reshape(1, 1, 16, 16)
    restored, best = pool_round_trip(x)
    assert restored.shape == x.shape and best.shape == (1, 1, 1, 16)
    assert all(grad.shape[-1] in (16, 8) for grad in gradients(x, True))


if __name__ == "__main__":
    main()
