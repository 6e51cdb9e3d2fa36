"""poolkit's pooling operators as a composition of TensorFlow ops (the Keras TF backend).

Geometry comes from :func:`poolkit.geometry.resolve` (pads, output shape, divisors); only the
arithmetic is TensorFlow's. Where TensorFlow's own op has the same semantics ('valid'/'same',
no dilation, no ceil_mode) it is called directly, so the result (and its gradient) is
bit-for-bit Keras's; otherwise the input is padded with the reducer's identity (``-inf`` or
the dtype's minimum for max, 0 for sums) and pooled with 'VALID'. Tensors are channels_last
inside; channels_first inputs are transposed in and out.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import tensorflow as tf

from poolkit.geometry import Window, adaptive_bins, resolve
from poolkit.ops import check_unpool_index_range


def _to_last(x: tf.Tensor, n: int, data_format: str) -> tf.Tensor:
    if data_format == "channels_last":
        return x
    return tf.transpose(x, [0, *range(2, n + 2), 1])


def _from_last(x: tf.Tensor, n: int, data_format: str) -> tf.Tensor:
    if data_format == "channels_last":
        return x
    return tf.transpose(x, [0, n + 1, *range(1, n + 1)])


def _spatial(x: tf.Tensor, n: int) -> tuple[int, ...]:
    shape = tuple(x.shape[1 : n + 1])
    if any(s is None for s in shape):
        raise ValueError(f"poolkit.keras needs static spatial sizes on TensorFlow; got {shape}")
    return tuple(int(s) for s in shape)


def _lowest(dtype: tf.DType):
    if dtype.is_floating:
        return -math.inf
    if dtype == tf.bool:
        return False
    return dtype.min


def _pad(x: tf.Tensor, window: Window, value) -> tf.Tensor:
    """Pads every side, the ceil-mode overhang at the end, so every window fits."""
    if not window.has_padding:
        return x
    pads = [[0, 0]] + [[a.lo, a.hi + a.overhang] for a in window.axes] + [[0, 0]]
    return tf.pad(x, pads, constant_values=tf.cast(value, x.dtype))


def _crop(x: tf.Tensor, window: Window) -> tf.Tensor:
    index = (slice(None), *(slice(0, a.out) for a in window.axes), slice(None))
    return x[index]


def _native_string(window: Window, padding) -> str | None:
    """'VALID' or 'SAME' when TensorFlow's own op pools exactly these windows."""
    if any(d != 1 for d in window.dilation) or any(a.overhang for a in window.axes):
        return None
    if not window.has_padding:
        return "VALID"
    if padding == "same":
        return "SAME"
    return None


def _avg_pool(x: tf.Tensor, kernel, stride, padding: str) -> tf.Tensor:
    """``tf.nn.avg_pool``; 3-d through ``avg_pool3d`` with its data_format spelled out (the
    generic entry point records none, and TF 2.21's eager gradient then fails)."""
    if len(kernel) == 3:
        return tf.nn.avg_pool3d(x, kernel, stride, padding, data_format="NDHWC")
    return tf.nn.avg_pool(x, kernel, stride, padding)


def _max_windows(xp: tf.Tensor, window: Window) -> tf.Tensor:
    """Max over the windows of an already padded input ('VALID'); dilation through
    ``tf.nn.pool`` at stride 1 (TF's rule), then a strided slice."""
    if all(d == 1 for d in window.dilation):
        out = tf.nn.max_pool(xp, window.kernel, window.stride, "VALID")
    else:
        out = tf.nn.pool(
            xp, window.kernel, "MAX", strides=None, padding="VALID", dilations=window.dilation
        )
        out = out[(slice(None), *(slice(None, None, s) for s in window.stride), slice(None))]
    return _crop(out, window)


def _taps(xp: tf.Tensor, window: Window):
    """One strided slice of the padded input per window tap, in window order."""
    for tap in itertools.product(*(range(a.kernel) for a in window.axes)):
        index = [slice(None)]
        for j, a in zip(tap, window.axes, strict=True):
            start = j * a.dilation
            index.append(slice(start, start + (a.out - 1) * a.stride + 1, a.stride))
        yield tap, xp[(*index, slice(None))]


def _sum_windows(x: tf.Tensor, window: Window) -> tf.Tensor:
    xp = _pad(x, window, 0)
    if all(d == 1 for d in window.dilation) and x.dtype.is_floating:
        total = _avg_pool(xp, window.kernel, window.stride, "VALID")
        return _crop(total * tf.cast(window.window_size, x.dtype), window)
    total = None
    for _, part in _taps(xp, window):
        total = part if total is None else total + part
    return total


def _divisors(window: Window, count_include_pad: bool, divisor_override, dtype) -> tf.Tensor:
    divisors = window.divisors(count_include_pad, divisor_override)
    return tf.constant(divisors[..., None], dtype=dtype)


def _safe_root(total: tf.Tensor, p: float) -> tf.Tensor:
    """``total ** (1/p)``, 0 with gradient 0 where the total is 0."""
    positive = total > 0
    safe = tf.where(positive, total, tf.ones_like(total))
    return tf.where(positive, tf.pow(safe, 1.0 / p), tf.zeros_like(total))


def _max_with_indices(x: tf.Tensor, window: Window):
    """Values and PyTorch-format indices (flat per-plane index into the unpadded input): the
    taps stacked in window order, the first maximum taken, the gradient to it alone."""
    xp = _pad(x, window, _lowest(x.dtype))
    taps, parts = zip(*_taps(xp, window), strict=True)
    stack = tf.stack(parts, axis=-1)  # (N, *out, C, T)
    choice = tf.argmax(stack, axis=-1, output_type=tf.int32)
    values = tf.gather(stack, choice[..., None], batch_dims=len(stack.shape) - 1)[..., 0]
    plane = [a.length for a in window.axes]
    table = np.zeros((*window.output_shape, len(taps)), dtype=np.int64)
    for t, tap in enumerate(taps):
        flat = np.zeros(window.output_shape, dtype=np.int64)
        for i, (j, a) in enumerate(zip(tap, window.axes, strict=True)):
            coord = np.arange(a.out, dtype=np.int64) * a.stride - a.lo + j * a.dilation
            shape = [1] * window.ndim
            shape[i] = a.out
            flat = flat * plane[i] + coord.reshape(shape)
        table[..., t] = flat
    table_t = tf.constant(table[..., None, :])  # (*out, 1, T)
    onehot = tf.one_hot(choice, len(taps), dtype=tf.int64)
    return values, tf.reduce_sum(onehot * table_t, axis=-1)


def pool(
    x,
    reducer: str,
    n: int,
    kernel,
    stride,
    padding,
    dilation,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override,
    p: float,
    return_indices: bool,
    data_format: str,
):
    """Window pooling with poolkit's semantics from TensorFlow ops; ``padding`` normalised."""
    x = _to_last(tf.convert_to_tensor(x), n, data_format)
    window = resolve(_spatial(x, n), kernel, stride, padding, dilation, ceil_mode)
    native = _native_string(window, padding)
    if reducer == "lp" and math.isinf(p):
        x, reducer = tf.abs(x), "max"
    if reducer == "max" and (return_indices or n == 3):
        # 3-d: TF's MaxPool3D gradient goes to every tied maximum, so 3-d max pools as a
        # tap stack (gradient to the first maximum, poolkit's and PyTorch's rule)
        values, indices = _max_with_indices(x, window)
        if not return_indices:
            return _from_last(values, n, data_format)
        return _from_last(values, n, data_format), _from_last(indices, n, data_format)
    if reducer == "max":
        if native is not None:
            out = tf.nn.max_pool(x, window.kernel, window.stride, native)
        else:
            out = _max_windows(_pad(x, window, _lowest(x.dtype)), window)
    elif reducer == "avg":
        plain = native == "VALID" or (native == "SAME" and not count_include_pad)
        if plain and divisor_override is None and x.dtype.is_floating:
            out = _avg_pool(x, window.kernel, window.stride, native)
        else:
            total = _sum_windows(x, window)
            out = total / _divisors(window, count_include_pad, divisor_override, total.dtype)
    elif reducer == "sum":
        out = _sum_windows(x, window)
    else:
        out = _safe_root(_sum_windows(tf.pow(tf.abs(x), p), window), p)
    return _from_last(out, n, data_format)


def global_pool(x, reducer: str, n: int, p: float, keepdims: bool, data_format: str):
    axes = list(range(1, n + 1)) if data_format == "channels_last" else list(range(2, n + 2))
    x = tf.convert_to_tensor(x)
    if reducer == "max":
        return tf.reduce_max(x, axis=axes, keepdims=keepdims)
    if reducer == "avg":
        return tf.reduce_mean(x, axis=axes, keepdims=keepdims)
    if reducer == "sum":
        return tf.reduce_sum(x, axis=axes, keepdims=keepdims)
    if math.isinf(p):
        return tf.reduce_max(tf.abs(x), axis=axes, keepdims=keepdims)
    return _safe_root(tf.reduce_sum(tf.pow(tf.abs(x), p), axis=axes, keepdims=keepdims), p)


def adaptive_pool(x, reducer: str, n: int, output_size: tuple[int, ...], data_format: str):
    """PyTorch's bins (:func:`poolkit.geometry.adaptive_bins`), one axis at a time (a bin is
    a product of per-axis ranges, so max of maxes and mean of means are exact)."""
    x = _to_last(tf.convert_to_tensor(x), n, data_format)
    spatial = _spatial(x, n)
    reduce = tf.reduce_max if reducer == "max" else tf.reduce_mean
    for i, (length, size) in enumerate(zip(spatial, output_size, strict=True)):
        if length == size:
            continue
        starts, ends = adaptive_bins(length, size)
        axis = 1 + i
        parts = []
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            index = [slice(None)] * len(x.shape)
            index[axis] = slice(s, e)
            parts.append(reduce(x[tuple(index)], axis=axis, keepdims=True))
        x = tf.concat(parts, axis=axis)
    return _from_last(x, n, data_format)


def max_unpool(x, indices, n: int, output_size: tuple[int, ...], data_format: str):
    """Values back at their flat per-plane indices, 0 elsewhere (a differentiable scatter)."""
    x = _to_last(tf.convert_to_tensor(x), n, data_format)
    indices = _to_last(tf.cast(tf.convert_to_tensor(indices), tf.int64), n, data_format)
    plane = math.prod(output_size)
    if tf.executing_eagerly() and tf.size(indices) > 0:
        low, high = int(tf.reduce_min(indices)), int(tf.reduce_max(indices))
        check_unpool_index_range(low, high, output_size)
    perm = [0, n + 1, *range(1, n + 1)]
    rows_x = tf.reshape(tf.transpose(x, perm), [-1, math.prod(x.shape[1 : n + 1])])
    rows_i = tf.reshape(tf.transpose(indices, perm), tf.shape(rows_x))
    out = _scatter_last_wins(rows_x, rows_i, plane)
    lead = tf.shape(x)
    out = tf.reshape(out, tf.concat([lead[:1], lead[-1:], tf.constant(output_size)], 0))
    out = tf.transpose(out, [0, *range(2, n + 2), 1])
    return _from_last(out, n, data_format)


def _scatter_last_wins(rows_x, rows_i, plane: int):
    """``out[r, rows_i[r, j]] = rows_x[r, j]``, the last ``j`` winning where an index repeats
    (as poolkit and PyTorch do; a plain scatter_nd would add the repeats up). The gradient is
    poolkit's max_unpool backward: every value reads the gradient at its index."""

    @tf.custom_gradient
    def scatter(values):
        count = tf.shape(rows_i, out_type=tf.int64)
        row = tf.broadcast_to(tf.range(count[0])[:, None], count)
        where = tf.stack([row, rows_i], axis=-1)
        position = tf.broadcast_to(tf.range(count[1]), count)
        shape = tf.stack([count[0], tf.constant(plane, tf.int64)])
        empty = tf.fill(shape, tf.constant(-1, tf.int64))
        winner = tf.tensor_scatter_nd_max(empty, where, position)
        picked = tf.gather(values, tf.maximum(winner, 0), batch_dims=1)
        out = tf.where(winner >= 0, picked, tf.zeros_like(picked))

        def backward(g):
            return tf.gather(g, rows_i, batch_dims=1)

        return out, backward

    return scatter(rows_x)


def upsample_nearest(x, n: int, scale: tuple[int, ...], data_format: str):
    x = tf.convert_to_tensor(x)
    first = 1 if data_format == "channels_last" else 2
    for i, s in enumerate(scale):
        if s > 1:
            x = tf.repeat(x, s, axis=first + i)
    return x
