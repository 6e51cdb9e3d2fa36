"""Where the public API hands resolved work to an algorithm.

Every function takes channels-first batched arrays (possibly strided views) and resolved
geometry, never user spellings. Today they call the NumPy reference; the Numba kernels
(``poolkit.kernels``) plug in here, chosen by their cost model, with the reference as oracle.
"""

from __future__ import annotations

import numpy as np

from poolkit import reference
from poolkit.geometry import Window


def window_forward(reducer: str, x: np.ndarray, window: Window, **options):
    return reference.window_forward(reducer, x, window, **options)


def window_backward(reducer: str, grad: np.ndarray, x: np.ndarray, window: Window, **options):
    return reference.window_backward(reducer, grad, x, window, **options)


def adaptive_forward(reducer: str, x: np.ndarray, output_size, return_indices: bool = False):
    if reducer == "max":
        return reference.adaptive_max_forward(x, output_size, return_indices)
    return reference.adaptive_avg_forward(x, output_size)


def adaptive_backward(reducer: str, grad: np.ndarray, x: np.ndarray, output_size):
    return reference.adaptive_backward(reducer, grad, x, output_size)


def global_forward(reducer: str, x: np.ndarray, p: float = 2.0):
    return reference.global_forward(reducer, x, p)


def global_backward(reducer: str, grad: np.ndarray, x: np.ndarray, p: float = 2.0):
    return reference.global_backward(reducer, grad, x, p)


def max_unpool(x: np.ndarray, indices: np.ndarray, output_spatial):
    return reference.max_unpool(x, indices, output_spatial)


def max_unpool_backward(grad: np.ndarray, indices: np.ndarray):
    return reference.max_unpool_backward(grad, indices)


def upsample_nearest(x: np.ndarray, scale):
    return reference.upsample_nearest(x, scale)


def upsample_nearest_backward(grad: np.ndarray, scale):
    return reference.upsample_nearest_backward(grad, scale)
