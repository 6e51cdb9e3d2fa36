"""Where the public API hands resolved work to an algorithm.

Every function takes channels-first batched arrays (possibly strided views) and resolved
geometry, never user spellings. The Numba kernels (:mod:`poolkit.kernels`) run whenever their
cost model accepts the problem; otherwise (or with ``POOLKIT_KERNELS=reference``) the NumPy
reference runs. The reference stays the oracle every kernel is tested against.
"""

from __future__ import annotations

import numpy as np

from poolkit import reference
from poolkit.geometry import Window
from poolkit.reducers import is_extended_float


def _fast(name: str, *args, **kwargs):
    """Run kernel driver ``name``; ``None`` when the kernels are off or decline the problem."""
    from poolkit.kernels import costmodel

    if not costmodel.enabled():
        return None
    if any(isinstance(a, np.ndarray) and is_extended_float(a.dtype) for a in args):
        return None  # the kernels compute in float64 at most; the reference keeps longdouble
    from poolkit.kernels import _drivers

    return getattr(_drivers, name)(*args, **kwargs)


def window_forward(reducer: str, x: np.ndarray, window: Window, **options):
    out = _fast("window_forward", reducer, x, window, **options)
    return reference.window_forward(reducer, x, window, **options) if out is None else out


def window_backward(reducer: str, grad: np.ndarray, x: np.ndarray, window: Window, **options):
    out = _fast("window_backward", reducer, grad, x, window, **options)
    return reference.window_backward(reducer, grad, x, window, **options) if out is None else out


def adaptive_forward(reducer: str, x: np.ndarray, output_size, return_indices: bool = False):
    out = _fast("adaptive_forward", reducer, x, output_size, return_indices)
    if out is not None:
        return out
    if reducer == "max":
        return reference.adaptive_max_forward(x, output_size, return_indices)
    return reference.adaptive_avg_forward(x, output_size)


def adaptive_backward(reducer: str, grad: np.ndarray, x: np.ndarray, output_size):
    out = _fast("adaptive_backward", reducer, grad, x, output_size)
    return reference.adaptive_backward(reducer, grad, x, output_size) if out is None else out


def global_forward(reducer: str, x: np.ndarray, p: float = 2.0):
    out = _fast("global_forward", reducer, x, p)
    return reference.global_forward(reducer, x, p) if out is None else out


def global_backward(reducer: str, grad: np.ndarray, x: np.ndarray, p: float = 2.0):
    out = _fast("global_backward", reducer, grad, x, p)
    return reference.global_backward(reducer, grad, x, p) if out is None else out


def max_unpool(x: np.ndarray, indices: np.ndarray, output_spatial):
    out = _fast("max_unpool", x, indices, output_spatial)
    return reference.max_unpool(x, indices, output_spatial) if out is None else out


def max_unpool_backward(grad: np.ndarray, indices: np.ndarray):
    out = _fast("max_unpool_backward", grad, indices)
    return reference.max_unpool_backward(grad, indices) if out is None else out


def upsample_nearest(x: np.ndarray, scale):
    out = _fast("upsample_nearest", x, scale)
    return reference.upsample_nearest(x, scale) if out is None else out


def upsample_nearest_backward(grad: np.ndarray, scale):
    out = _fast("upsample_nearest_backward", grad, scale)
    return reference.upsample_nearest_backward(grad, scale) if out is None else out
