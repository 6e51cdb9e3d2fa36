"""ONNX export of poolkit's custom operators as the standard ONNX pooling nodes.

``torch.onnx.export(model, args)`` (the default, dynamo-based exporter) traces the native-torch
composition (:mod:`poolkit.torch._compose`) instead of the custom operators, and torch's own
translation turns it into ``MaxPool``/``AveragePool`` nodes. The TorchScript exporter
(``dynamo=False``) records the custom operators; the symbolic functions here turn them into
one standard node each wherever ONNX has one:

- max: ``MaxPool`` (explicit ``pads`` or ``auto_pad``, ``dilations``, ``ceil_mode``; the
  indices output converted from ONNX's whole-tensor flat index to torch's per-plane index);
- avg: ``AveragePool`` (``count_include_pad``; ``dilations`` from opset 19);
- lp with integer p: ``LpPool`` (ONNX's LpPool is poolkit's ``(sum |x|^p)^(1/p)``);
- global max/avg/lp: ``GlobalMaxPool``/``GlobalAveragePool``/``GlobalLpPool``;
- max_unpool: ``MaxUnpool`` with an ``output_shape`` input.

Configurations without a standard node (sum pooling, ``divisor_override``, non-integer p)
become a short standard sequence (``Pad`` + ``AveragePool`` + ``Mul``...) with the same result.
Shapes are taken from the traced example input (static shapes).
"""

from __future__ import annotations

import math

import torch
from torch.onnx import symbolic_helper as sh

from poolkit.geometry import resolve
from poolkit.torch._ops import padding_arg

#: The lowest opset the symbolics are registered for (LpPool's dilations and ceil_mode).
MIN_OPSET = 18
_AUTO_PAD = {"valid": "VALID", "same": "SAME_UPPER", "same_lower": "SAME_LOWER"}


def _const(g, value, dtype=torch.int64):
    return g.op("Constant", value_t=torch.tensor(value, dtype=dtype))


def _sizes(x, what: str, static: int | None = None) -> list:
    """The traced input's sizes; the last ``static`` of them (all by default) must be known
    (a dynamic batch axis is fine where only the spatial sizes matter)."""
    # varyingSizes: None marks a dynamic axis (sizes() is None as soon as one axis is)
    sizes = x.type().varyingSizes() if hasattr(x.type(), "varyingSizes") else None
    if sizes is None:
        checked = []
    elif static is None:
        checked = sizes
    else:
        checked = sizes[len(sizes) - static :]
    if sizes is None or any(s is None for s in checked):
        raise RuntimeError(
            f"poolkit.torch ONNX export of {what} needs static spatial input sizes; export "
            f"without dynamic spatial axes, or with the default dynamo exporter"
        )
    return list(sizes)


def _batched(g, x, n: int):
    """``x`` as (N, C, *spatial), and whether a leading axis was added."""
    if len(_sizes(x, "pooling", 0)) == n + 1:
        return g.op("Unsqueeze", x, _const(g, [0])), True
    return x, False


def _unbatch(g, y, added: bool):
    return g.op("Squeeze", y, _const(g, [0])) if added else y


def _window_attrs(window, mode: str, ceil: bool, use_auto_pad: bool) -> dict:
    attrs = {"kernel_shape_i": list(window.kernel), "strides_i": list(window.stride)}
    if use_auto_pad and mode in _AUTO_PAD and not ceil:
        attrs["auto_pad_s"] = _AUTO_PAD[mode]
    else:
        attrs["pads_i"] = [a.lo for a in window.axes] + [a.hi for a in window.axes]
        attrs["ceil_mode_i"] = int(ceil)
    return attrs


def _sum(g, x, window):
    """Window sums: zero-pad every side (the ceil-mode overhang too) so every window is full,
    then AveragePool (divisor = window size) times the window size."""
    pads = [0, 0] + [a.lo for a in window.axes] + [0, 0] + [a.hi + a.overhang for a in window.axes]
    padded = g.op("Pad", x, _const(g, pads), mode_s="constant")
    attrs = {"kernel_shape_i": list(window.kernel), "strides_i": list(window.stride)}
    if any(d > 1 for d in window.dilation):
        if g.opset < 19:
            raise RuntimeError(
                "ONNX AveragePool takes dilations from opset 19; export with opset >= 19"
            )
        attrs["dilations_i"] = list(window.dilation)
    avg = g.op("AveragePool", padded, **attrs)
    dtype = x.type().dtype() if hasattr(x.type(), "dtype") else torch.float32
    return g.op("Mul", avg, _const(g, float(window.window_size), dtype))


def _parse(reducer, kernel, stride, pads, padding_mode, dilation, ceil_mode, cip, div, p):
    return (
        sh._maybe_get_const(reducer, "s"),
        sh._maybe_get_const(kernel, "is"),
        sh._maybe_get_const(stride, "is"),
        sh._maybe_get_const(pads, "is"),
        sh._maybe_get_const(padding_mode, "s"),
        sh._maybe_get_const(dilation, "is"),
        bool(sh._maybe_get_const(ceil_mode, "b")),
        bool(sh._maybe_get_const(cip, "b")),
        None if sh._is_none(div) else int(sh._maybe_get_const(div, "i")),
        float(sh._maybe_get_const(p, "f")),
    )


def pool_symbolic(g, x, reducer, kernel, stride, pads, padding_mode, dilation, ceil_mode, cip,
                  div, p):  # fmt: skip
    reducer, kernel, stride, pads, mode, dilation, ceil, cip, div, p = _parse(
        reducer, kernel, stride, pads, padding_mode, dilation, ceil_mode, cip, div, p
    )
    n = len(kernel)
    sizes = _sizes(x, f"{reducer} pooling", n)
    window = resolve(tuple(sizes[-n:]), kernel, stride, padding_arg(pads, mode), dilation, ceil)
    x, added = _batched(g, x, n)
    dilated = any(d > 1 for d in dilation)
    dtype = x.type().dtype() if hasattr(x.type(), "dtype") else torch.float32
    if reducer == "lp" and math.isinf(p):
        x, reducer = g.op("Abs", x), "max"
    if reducer == "max":
        attrs = _window_attrs(window, mode, ceil, use_auto_pad=True)
        if dilated:
            attrs["dilations_i"] = list(dilation)
        y = g.op("MaxPool", x, **attrs)
    elif reducer == "avg" and div is None and (not dilated or g.opset >= 19):
        # TF-style 'same' (pads left out of the divisor) is exactly auto_pad SAME + cip=0
        attrs = _window_attrs(window, mode, ceil, use_auto_pad=not cip)
        attrs["count_include_pad_i"] = int(cip)
        if dilated:
            attrs["dilations_i"] = list(dilation)
        y = g.op("AveragePool", x, **attrs)
    elif reducer == "avg":
        divisors = torch.as_tensor(window.divisors(cip, div), dtype=dtype)
        y = g.op("Div", _sum(g, x, window), g.op("Constant", value_t=divisors))
    elif reducer == "lp" and float(p).is_integer():
        attrs = _window_attrs(window, mode, ceil, use_auto_pad=True)
        if dilated:
            attrs["dilations_i"] = list(dilation)
        y = g.op("LpPool", x, p_i=int(p), **attrs)
    elif reducer == "lp":
        powered = g.op("Pow", g.op("Abs", x), _const(g, p, dtype))
        y = g.op("Pow", _sum(g, powered, window), _const(g, 1.0 / p, dtype))
    else:  # sum
        y = _sum(g, x, window)
    return _unbatch(g, y, added)


def max_pool_with_indices_symbolic(g, x, kernel, stride, pads, padding_mode, dilation, ceil_mode):
    kernel = sh._maybe_get_const(kernel, "is")
    stride = sh._maybe_get_const(stride, "is")
    pads = sh._maybe_get_const(pads, "is")
    mode = sh._maybe_get_const(padding_mode, "s")
    dilation = sh._maybe_get_const(dilation, "is")
    ceil = bool(sh._maybe_get_const(ceil_mode, "b"))
    n = len(kernel)
    sizes = _sizes(x, "max pooling", n)
    window = resolve(tuple(sizes[-n:]), kernel, stride, padding_arg(pads, mode), dilation, ceil)
    x, added = _batched(g, x, n)
    attrs = _window_attrs(window, mode, ceil, use_auto_pad=True)
    if any(d > 1 for d in dilation):
        attrs["dilations_i"] = list(dilation)
    values, indices = g.op("MaxPool", x, outputs=2, **attrs)
    # ONNX indexes the whole (N, C, *spatial) tensor; torch indexes each (n, c) plane
    plane = _const(g, math.prod(sizes[-n:]))
    indices = g.op("Mod", indices, plane)
    return _unbatch(g, values, added), _unbatch(g, indices, added)


def global_pool_symbolic(g, x, reducer, n, p, keepdim):
    reducer = sh._maybe_get_const(reducer, "s")
    n = int(sh._maybe_get_const(n, "i"))
    p = float(sh._maybe_get_const(p, "f"))
    keep = bool(sh._maybe_get_const(keepdim, "b"))
    x, added = _batched(g, x, n)
    dtype = x.type().dtype() if hasattr(x.type(), "dtype") else torch.float32
    if reducer == "max":
        y = g.op("GlobalMaxPool", x)
    elif reducer == "avg":
        y = g.op("GlobalAveragePool", x)
    elif reducer == "lp" and float(p).is_integer():
        y = g.op("GlobalLpPool", x, p_i=int(p))
    elif reducer == "lp" and math.isinf(p):
        y = g.op("GlobalMaxPool", g.op("Abs", x))
    else:
        source = x if reducer == "sum" else g.op("Pow", g.op("Abs", x), _const(g, p, dtype))
        y = g.op("ReduceSum", source, _const(g, list(range(2, n + 2))), keepdims_i=1)
        if reducer == "lp":
            y = g.op("Pow", y, _const(g, 1.0 / p, dtype))
    if not keep:
        y = g.op("Squeeze", y, _const(g, list(range(2, n + 2))))
    return _unbatch(g, y, added)


def max_unpool_symbolic(g, x, indices, output_size):
    output_size = sh._maybe_get_const(output_size, "is")
    n = len(output_size)
    sizes = _sizes(x, "max unpooling")
    x, added = _batched(g, x, n)
    indices, _ = _batched(g, indices, n)
    batch, channels = (1, sizes[0]) if added else (sizes[0], sizes[1])
    plane = math.prod(output_size)
    # torch's per-plane indices -> ONNX's whole-tensor indices
    offsets = (torch.arange(batch * channels, dtype=torch.int64) * plane).reshape(
        batch, channels, *([1] * n)
    )
    flat = g.op("Add", indices, g.op("Constant", value_t=offsets))
    shape = _const(g, [batch, channels, *output_size])
    y = g.op("MaxUnpool", x, flat, shape, kernel_shape_i=[1] * n, strides_i=[1] * n)
    return _unbatch(g, y, added)


_SYMBOLICS = {
    "poolkit::pool": pool_symbolic,
    "poolkit::max_pool_with_indices": max_pool_with_indices_symbolic,
    "poolkit::global_pool": global_pool_symbolic,
    "poolkit::max_unpool": max_unpool_symbolic,
}


def register() -> None:
    """Register the symbolic functions with the TorchScript ONNX exporter (done on import)."""
    for name, function in _SYMBOLICS.items():
        torch.onnx.register_custom_op_symbolic(name, function, MIN_OPSET)
