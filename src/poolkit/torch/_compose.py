"""The same operators as a composition of native torch ops, for every tensor poolkit's CPU
kernels do not take (CUDA, float16, bfloat16) and for ONNX export.

Geometry still comes from :func:`poolkit.geometry.resolve` (pads, output shape, divisors);
only the arithmetic is torch's. Where torch's own pooling op has the same semantics (symmetric
pads no larger than half the kernel, no dilation for average pooling) it is called directly, so
the result is bit-for-bit torch's and exports as one standard ONNX node; otherwise the input is
padded with the reducer's identity (``-inf``/the dtype's minimum for max, 0 for sum) and pooled
without padding, or reduced over ``unfold`` windows.
"""

from __future__ import annotations

import functools
import itertools
import math

import torch
import torch.nn.functional as F

from poolkit import limits
from poolkit.geometry import Window, resolve_normalized
from poolkit.torch._bridge import channels_last_perm, inverse

_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
#: torch.nn.functional's max pools choose between two ops on ``return_indices`` in Python:
#: the ops themselves, for the hot path.
_MAX_POOL_VALUES = {1: torch.max_pool1d, 2: torch.max_pool2d, 3: torch.max_pool3d}
#: the adaptive average ops without torch.nn.functional's argument wrapper (which costs as
#: much as the op on a small map); the wrapper where a torch build lacks them
_ADAPTIVE_AVG_OPS = {
    1: getattr(torch, "adaptive_avg_pool1d", F.adaptive_avg_pool1d),
    2: getattr(torch._C._nn, "adaptive_avg_pool2d", F.adaptive_avg_pool2d),
    3: getattr(torch._C._nn, "adaptive_avg_pool3d", F.adaptive_avg_pool3d),
}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
_ADAPTIVE_MAX = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}
_ADAPTIVE_AVG = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}


def _check_allocation(shape, dtype, *, because) -> None:
    """poolkit's memory guard on an eager call; a traced or compiled program's sizes may be
    symbolic (reading them would specialise the program), and its inputs are the caller's."""
    if torch.compiler.is_compiling() or torch.jit.is_tracing():
        return
    limits.check_allocation(shape, dtype, because=because)


def _lowest(dtype: torch.dtype):
    if dtype.is_floating_point:
        return -math.inf
    if dtype == torch.bool:
        return False
    return torch.iinfo(dtype).min


def _torch_pads(window: Window) -> list[int]:
    """F.pad's order (last dim first), with the ceil-mode overhang added at the end so every
    window fits inside the padded tensor."""
    pads: list[int] = []
    for axis in reversed(window.axes):
        pads += [axis.lo, axis.hi + axis.overhang]
    return pads


def _native_padding(window: Window) -> list[int] | None:
    """Torch's own ``padding`` argument when torch can express the pads: symmetric and at most
    half the kernel (torch's limit); None when it cannot."""
    pads = []
    for axis in window.axes:
        if axis.lo != axis.hi or 2 * axis.lo > axis.kernel:
            return None
        pads.append(axis.lo)
    return pads


def _crop(out: torch.Tensor, window: Window) -> torch.Tensor:
    for i, size in enumerate(window.output_shape):
        out = out.narrow(2 + i, 0, size)
    return out


def _windows(xp: torch.Tensor, window: Window) -> torch.Tensor:
    """``(N, C, *out, *kernel)`` view of every window's taps of an already padded input."""
    for i, axis in enumerate(window.axes):
        xp = xp.unfold(2 + i, axis.k_eff, axis.stride)
        if axis.dilation > 1:
            xp = xp[..., :: axis.dilation]
    return _crop(xp, window)


def _sum_windows(v: torch.Tensor, window: Window) -> torch.Tensor:
    """Window sums: zero-pad every side (the ceil-mode overhang too), so every window is full
    and torch's average pooling times the window size is the sum (one standard ONNX node);
    dilated windows, which torch's average pooling lacks, sum ``unfold`` taps instead."""
    n = window.ndim
    acc = v.float() if v.dtype in (torch.float16, torch.bfloat16) else v
    if not acc.is_floating_point():
        acc = acc.to(torch.int64)
    padded = F.pad(acc, _torch_pads(window), value=0)
    if all(d == 1 for d in window.dilation) and acc.is_floating_point():
        total = _AVG_POOL[n](padded, window.kernel, window.stride) * window.window_size
        total = _crop(total, window)
    elif acc.is_floating_point():
        total = _sum_taps(padded, window)
    else:
        total = _windows(padded, window).sum(dim=tuple(range(-n, 0)))
    return total.to(v.dtype) if v.is_floating_point() else total


def _sum_taps(padded: torch.Tensor, window: Window) -> torch.Tensor:
    """Dilated window sums as one strided slice per tap, added up: slicing has a batching
    rule for its backward under ``torch.func.vmap`` (``unfold``'s backward has none)."""
    total = None
    for tap in itertools.product(*(range(a.kernel) for a in window.axes)):
        part = padded
        for i, (j, a) in enumerate(zip(tap, window.axes, strict=True)):
            start = j * a.dilation
            taps = slice(start, start + (a.out - 1) * a.stride + 1, a.stride)
            part = part[(slice(None),) * (2 + i) + (taps,)]
        total = part if total is None else total + part
    return total


def _padded_plane_to_plane(indices: torch.Tensor, window: Window) -> torch.Tensor:
    """Flat indices into the padded plane -> flat indices into the input plane."""
    padded = [a.padded_length for a in window.axes]
    flat = torch.zeros_like(indices)
    rest = indices
    coords = []
    for size in reversed(padded):
        coords.append(rest % size)
        rest = rest // size
    for axis, coord in zip(window.axes, reversed(coords), strict=True):
        flat = flat * axis.length + (coord - axis.lo)
    return flat


@functools.lru_cache(maxsize=512)
def _plan(spatial, kernel, stride, padding, dilation, ceil_mode):
    """The resolved window and torch's own padding for it (or None), once per geometry: a
    small tensor's call is otherwise mostly this bookkeeping."""
    window = resolve_normalized(spatial, kernel, stride, padding, dilation, ceil_mode)
    # an output no larger than the input needs no memory check: the input exists already
    grows = math.prod(window.output_shape) > math.prod(spatial)
    return window, _native_padding(window), grows


def pool(
    x: torch.Tensor,
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
    return_indices: bool = False,
):
    """Window pooling with poolkit's semantics from native torch ops (any device and dtype)."""
    batched = x.dim() == n + 2
    if not batched:
        x = x.unsqueeze(0)
    window, native, grows = _plan(
        tuple(int(s) for s in x.shape[2:]), kernel, stride, padding, dilation, ceil_mode
    )
    if grows:
        _check_allocation(
            (*x.shape[:2], *window.output_shape),
            x.dtype,
            because=lambda: (
                f"kernel_size={kernel!r}, stride={stride!r}, padding={padding!r}, "
                f"dilation={dilation!r} on spatial size {tuple(x.shape[2:])}"
            ),
        )
    if reducer == "lp" and math.isinf(p):
        x, reducer = x.abs(), "max"
    if reducer == "max":
        if native is not None and not return_indices:
            result = _MAX_POOL_VALUES[n](x, kernel, stride, native, dilation, bool(ceil_mode))
        elif native is not None:
            result = _MAX_POOL[n](
                x,
                window.kernel,
                window.stride,
                native,
                window.dilation,
                ceil_mode=bool(ceil_mode),
                return_indices=True,
            )
        else:
            xp = F.pad(x, _torch_pads(window), value=_lowest(x.dtype))
            result = _MAX_POOL[n](
                xp, window.kernel, window.stride, 0, window.dilation, return_indices=return_indices
            )
            if return_indices:
                out, indices = result
                result = (
                    _crop(out, window),
                    _padded_plane_to_plane(_crop(indices, window), window),
                )
            else:
                result = _crop(result, window)
    elif reducer == "avg":
        # divisor_override stays out of torch's op: torch's ONNX export drops it silently
        if native is not None and all(d == 1 for d in window.dilation) and divisor_override is None:
            result = _AVG_POOL[n](
                x,
                window.kernel,
                window.stride,
                native,
                ceil_mode=bool(ceil_mode),
                count_include_pad=bool(count_include_pad),
            )
        else:
            total = _sum_windows(x, window)
            divisors = torch.as_tensor(
                window.divisors(count_include_pad, divisor_override), device=x.device
            )
            result = (total / divisors).to(x.dtype)
    elif reducer == "sum":
        result = _sum_windows(x, window)
    else:  # lp: (sum |x|^p)^(1/p), 0 (with gradient 0) where the sum is 0
        total = _sum_windows(x.abs().pow(p), window)
        positive = total > 0
        safe = torch.where(positive, total, torch.ones_like(total))
        result = torch.where(positive, safe.pow(1.0 / p), torch.zeros_like(total))
    if batched:
        return result
    if isinstance(result, tuple):
        return tuple(r.squeeze(0) for r in result)
    return result.squeeze(0)


def adaptive_pool(x, reducer: str, n: int, output_size, return_indices: bool = False):
    """torch's own adaptive ops use the same bins (``floor(i*L/O)`` to ``ceil((i+1)*L/O)``)."""
    if math.prod(output_size) > math.prod(x.shape[-n:]):  # else the input is as large
        _check_allocation(
            (*x.shape[:-n], *output_size),
            x.dtype,
            because=lambda: f"output_size={tuple(output_size)!r}",
        )
    if reducer == "max":
        return _ADAPTIVE_MAX[n](x, output_size, return_indices=return_indices)
    return _ADAPTIVE_AVG_OPS[n](x, output_size)


def global_pool(x, reducer: str, n: int, p: float, keepdim: bool):
    dims = tuple(range(-n, 0))
    if reducer == "max":
        # max over a flattened plane sends the gradient to one element, like the kernels
        out = x.flatten(-n).max(dim=-1).values
    elif reducer == "avg":
        out = x.mean(dim=dims)
    elif reducer == "sum":
        out = x.sum(dim=dims)
    elif math.isinf(p):
        out = x.abs().flatten(-n).max(dim=-1).values
    else:
        total = x.abs().pow(p).sum(dim=dims)
        positive = total > 0
        safe = torch.where(positive, total, torch.ones_like(total))
        out = torch.where(positive, safe.pow(1.0 / p), torch.zeros_like(total))
    if keepdim:
        out = out.reshape(*out.shape, *((1,) * n))
    return out


def max_unpool(x, indices, n: int, output_size):
    """Values back at their flat per-plane indices, 0 elsewhere (a differentiable scatter)."""
    lead = x.shape[:-n]
    _check_allocation(
        (*lead, *output_size), x.dtype, because=lambda: f"output_size={output_size!r}"
    )
    plane = math.prod(output_size)
    out = x.new_zeros((*lead, plane))
    out = out.scatter(-1, indices.flatten(-n), x.flatten(-n))
    return out.reshape(*lead, *output_size)


def upsample_nearest(x, n: int, scale):
    spatial = tuple(x.shape[-n:])
    _check_allocation(
        (*x.shape[:-n], *(size * s for size, s in zip(spatial, scale, strict=True))),
        x.dtype,
        because=lambda: f"scale_factor={tuple(scale)!r} on spatial size {spatial}",
    )
    # results keep the caller's memory layout, as the kernels' do
    perm = channels_last_perm(x, x.dim() == n + 2) if x.dim() > 1 else None
    for i, s in enumerate(scale):
        if s > 1:
            x = x.repeat_interleave(s, dim=x.dim() - n + i)
    return x if perm is None else x.permute(perm).contiguous().permute(inverse(perm))
