"""The contenders: poolkit and its peers, each a factory returning a zero-argument callable.

A factory gets a :class:`~poolkit.bench.cases.Case` and returns ``None`` when the peer cannot
run the case (not installed, or it does not compute that operation), else a callable that
runs the case once. Inputs are built inside the factory (outside the timed call).
Frameworks are imported here, lazily, only when the bench runs.
"""

from __future__ import annotations

import importlib.util

import numpy as np

import poolkit
from poolkit.bench.cases import Case


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _input(case: Case, channels_last: bool = False) -> np.ndarray:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(case.shape, dtype=np.float32)
    return np.ascontiguousarray(np.moveaxis(x, 1, -1)) if channels_last else x


def _fn(case: Case, prefix=""):
    return getattr(poolkit, f"{prefix}{case.reducer}_pool{case.ndim}d")


# --------------------------------------------------------------------------- poolkit


def poolkit_peer(case: Case, channels_last: bool = False):
    if case.layers:
        return None
    fmt = "channels_last" if channels_last else "channels_first"
    x = _input(case, channels_last)
    fwd = _fn(case)
    bwd = getattr(poolkit, f"{case.reducer}_pool{case.ndim}d_backward")
    args = (case.kernel, case.stride, case.padding)
    if not case.backward:
        return lambda: fwd(x, *args, data_format=fmt)

    def step():
        out = fwd(x, *args, data_format=fmt)
        return bwd(np.ones_like(out), x, *args, data_format=fmt)

    return step


def poolkit_reference_peer(case: Case):
    """The NumPy window-view oracle (poolkit.reference): pad -> sliding_window_view -> reduce."""
    if case.backward or case.window_taps > 100:  # minutes per call beyond that
        return None
    from poolkit import reference
    from poolkit.geometry import resolve

    x = _input(case)
    window = resolve(x.shape[2:], case.kernel, case.stride, case.padding)
    return lambda: reference.window_forward(case.reducer, x, window)


# --------------------------------------------------------------------------- torch


def torch_peer(case: Case, channels_last: bool = False):
    if not installed("torch") or case.layers:
        return None
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(_input(case))
    if channels_last:
        if case.ndim == 1:
            return None  # no channels_last memory format for 3-d tensors
        fmt = torch.channels_last if case.ndim == 2 else torch.channels_last_3d
        x = x.contiguous(memory_format=fmt)
    fn = getattr(F, f"{case.reducer}_pool{case.ndim}d")
    args = (case.kernel, case.stride, case.padding)
    if not case.backward:

        def fwd():
            with torch.no_grad():
                return fn(x, *args)

        return fwd
    x.requires_grad_(True)

    def step():
        x.grad = None
        out = fn(x, *args)
        out.backward(torch.ones_like(out))
        return x.grad

    return step


# --------------------------------------------------------------------------- training step


def _layer_step(module, shape, channels_last):
    import torch

    x = torch.from_numpy(_input_shape(shape))
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_(True)

    def step():
        x.grad = None
        out = module(x)
        out.backward(torch.ones_like(out))
        return x.grad

    return step


def _input_shape(shape):
    return np.random.default_rng(0).standard_normal(shape, dtype=np.float32)


def torch_layers_peer(case: Case, channels_last: bool = False):
    """torch.nn layers for the training-step case (MaxPool2d(3,2,1) -> AvgPool2d(2))."""
    if not case.layers or not installed("torch"):
        return None
    import torch

    module = torch.nn.Sequential(torch.nn.MaxPool2d(3, 2, 1), torch.nn.AvgPool2d(2))
    return _layer_step(module, case.shape, channels_last)


def poolkit_layers_peer(case: Case, channels_last: bool = False):
    """poolkit.torch layers for the training-step case, when poolkit.torch imports."""
    if not case.layers:
        return None
    try:
        import torch

        import poolkit.torch as pt
    except Exception:  # poolkit.torch absent or broken: the case is skipped with a note
        return None
    module = torch.nn.Sequential(pt.MaxPool2d(3, 2, 1), pt.AvgPool2d(2))
    return _layer_step(module, case.shape, channels_last)


# --------------------------------------------------------------------------- others


def scipy_peer(case: Case):
    """scipy.ndimage filters compute the same thing only for stride 1, 'same' padding."""
    if case.backward or case.layers or not installed("scipy"):
        return None
    if case.stride != 1 or case.padding != case.kernel // 2 or case.kernel % 2 == 0:
        return None
    from scipy import ndimage

    x = _input(case)
    size = (1, 1) + (case.kernel,) * case.ndim
    if case.reducer == "max":
        return lambda: ndimage.maximum_filter(x, size=size, mode="constant", cval=-np.inf)
    if case.reducer == "avg":  # count_include_pad=True: zeros outside, divide by k^n
        return lambda: ndimage.uniform_filter(x, size=size, mode="constant", cval=0.0)
    return None


def tensorflow_peer(case: Case):
    """tf.nn.pool, NHWC, padding 'SAME' when the case pads (TF has no explicit pads for
    pooling: same amount of work, pads placed TF's way)."""
    if case.backward or case.layers or not installed("tensorflow"):
        return None
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    x = tf.constant(_input(case, channels_last=True))
    kind = "MAX" if case.reducer == "max" else "AVG"
    padding = "SAME" if case.padding else "VALID"
    k, s = [case.kernel] * case.ndim, [case.stride] * case.ndim
    return lambda: tf.nn.pool(x, k, kind, strides=s, padding=padding).numpy()


def jax_peer(case: Case):
    if case.backward or case.layers or not installed("jax"):
        return None
    import jax
    import jax.numpy as jnp

    x = jnp.asarray(_input(case))
    dims = (1, 1) + (case.kernel,) * case.ndim
    strides = (1, 1) + (case.stride,) * case.ndim
    pads = ((0, 0), (0, 0)) + ((case.padding, case.padding),) * case.ndim
    if case.reducer == "max":
        fn = jax.jit(lambda a: jax.lax.reduce_window(a, -jnp.inf, jax.lax.max, dims, strides, pads))
    else:
        area = float(case.window_taps)
        fn = jax.jit(
            lambda a: jax.lax.reduce_window(a, 0.0, jax.lax.add, dims, strides, pads) / area
        )
    return lambda: fn(x).block_until_ready()


#: name -> factory; the first entry is the one every ratio is taken against.
PEERS = {
    "poolkit NCHW": poolkit_peer,
    "poolkit NHWC": lambda c: poolkit_peer(c, channels_last=True),
    "poolkit.torch": poolkit_layers_peer,
    "poolkit.torch CL": lambda c: poolkit_layers_peer(c, channels_last=True),
    "torch NCHW": torch_peer,
    "torch channels_last": lambda c: torch_peer(c, channels_last=True),
    "torch.nn": torch_layers_peer,
    "torch.nn CL": lambda c: torch_layers_peer(c, channels_last=True),
    "tensorflow NHWC": tensorflow_peer,
    "jax NCHW": jax_peer,
    "scipy.ndimage": scipy_peer,
    "numpy window view": poolkit_reference_peer,
}
