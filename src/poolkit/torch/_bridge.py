"""Tensor <-> NumPy without copies, the kernel/composition switch and thread sync.

poolkit's CPU kernels take NumPy arrays. ``tensor.numpy()`` shares memory, so a CPU tensor
crosses over for free in either direction; a channels_last tensor crosses as a channels-last
*array* (``data_format="channels_last"``) so the kernels read it in its own memory order and the
result comes back channels_last without a transposing copy.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np
import torch
import torch.autograd.forward_ad as forward_ad

# float16/bfloat16 have no NumPy kernel path (bfloat16 has no NumPy dtype at all) and CUDA
# tensors would need a device copy: those run as a composition of native torch ops.
KERNEL_DTYPES = frozenset(
    {
        torch.float32,
        torch.float64,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.uint8,
        torch.bool,
    }
)

_FORCE_COMPOSITION = os.environ.get("POOLKIT_TORCH_COMPOSITION", "") not in ("", "0")


# Below these sizes a call runs the composition of torch's own ops even on the CPU: there
# poolkit's kernels cost more than they save (a fixed ~0.2 ms per call, ~0.7 ms with the
# backward: custom-op dispatch, the NumPy crossing, the thread pool). Measured side by side
# (max 3x3/2 and avg 2x2/2, float32, 2 threads; ``poolkit bench --torch``):
#: inference on channels-first tensors: the kernels win from about 2**17 elements;
KERNEL_MIN_ELEMENTS = 1 << 17
#: a training step (input needs a gradient): torch's saved-indices backward wins below ~2**20;
KERNEL_MIN_TRAINING = 1 << 20
#: inference on channels_last tensors: torch is near the copy floor there until ~2**24.
KERNEL_MIN_CHANNELS_LAST = 1 << 24

#: ``None``: the sizes above; an int: one threshold for every call (``kernel_threshold``).
_state = {
    "kernel_min": (
        int(os.environ["POOLKIT_TORCH_KERNEL_MIN"])
        if os.environ.get("POOLKIT_TORCH_KERNEL_MIN", "").isdigit()
        else None
    )
}


def use_kernels(x: torch.Tensor) -> bool:
    """True when ``x`` runs on poolkit's CPU kernels, False for the native-torch composition."""
    return (  # cheapest first: a small tensor answers after two checks
        not _FORCE_COMPOSITION
        and large_enough(x)
        and x.dtype in KERNEL_DTYPES
        and x.device.type == "cpu"
        and not exporting_with_dynamo()
        and not saving_a_program()
        and not transformed(x)
    )


def large_enough(x: torch.Tensor) -> bool:
    """Whether ``x`` is worth the kernels' fixed cost (the thresholds above). Inside
    ``torch.compile`` every size keeps the kernels, as before the thresholds (the compiled
    custom operators are what its tests cover; a size there may be symbolic)."""
    if torch.compiler.is_compiling():
        return True  # compiled graphs keep the custom operators (their fake kernels trace)
    size = x.numel()
    if not isinstance(size, int) or not x.is_floating_point():
        # integer and bool pooling is poolkit's own (torch lacks most of it): always kernels
        return True
    forced = _state["kernel_min"]
    if forced is not None:
        return size >= forced
    if size < KERNEL_MIN_ELEMENTS:
        return False
    if x.requires_grad and torch.is_grad_enabled():
        return size >= KERNEL_MIN_TRAINING
    if channels_last_perm(x, True) is not None:
        return size >= KERNEL_MIN_CHANNELS_LAST
    return True


@contextlib.contextmanager
def kernel_threshold(elements: int):
    """Run tensors of at least ``elements`` elements on the kernels inside the block (0: every
    CPU tensor the kernels take); ``POOLKIT_TORCH_KERNEL_MIN`` sets it for a process.

    >>> import torch, poolkit.torch as pt
    >>> with pt.kernel_threshold(0):
    ...     pt.functional.max_pool2d(torch.ones(1, 1, 4, 4), 2).shape
    torch.Size([1, 1, 2, 2])
    """
    previous = _state["kernel_min"]
    _state["kernel_min"] = int(elements)
    try:
        yield
    finally:
        _state["kernel_min"] = previous


def saving_a_program() -> bool:
    """True inside ``torch.export`` and ``torch.jit.trace`` (but not the TorchScript ONNX
    exporter, which maps the custom operators to standard ONNX nodes itself): the program is
    then recorded as the composition's standard aten ops, so it loads and runs where poolkit
    is not installed."""
    if torch.compiler.is_exporting():
        return True
    return torch.jit.is_tracing() and not torch.onnx.is_in_onnx_export()


def transformed(x: torch.Tensor) -> bool:
    """True when ``x`` is inside a ``torch.func`` transform (``grad``, ``vjp``, ``jacrev``,
    ``jvp``, ``jacfwd``, ``vmap``, ``functionalize``) or carries a forward-mode tangent.

    The custom operators have reverse-mode formulas only, and functorch cannot see through
    them; the composition is made of native torch ops, which every transform knows (forward
    AD, batching rules, higher orders), with the same results and gradient rules.
    """
    if torch.compiler.is_compiling():
        return False  # Dynamo traces the plain tensors of a compiled region (a graph break else)
    if torch._C._functorch.is_functorch_wrapped_tensor(x):
        return True
    return forward_ad._current_level >= 0 and forward_ad.unpack_dual(x).tangent is not None


def exporting_with_dynamo() -> bool:
    """True inside ``torch.onnx.export(..., dynamo=True)`` (the default): the composition is
    traced into aten ops, which torch's ONNX translation turns into standard pooling nodes.
    The TorchScript exporter (``dynamo=False``, traced with ``torch.jit``) keeps the custom
    operators and turns them into standard nodes with :mod:`poolkit.torch._onnx`."""
    return torch.onnx.is_in_onnx_export() and not torch.jit.is_tracing()


@contextlib.contextmanager
def force_composition(enabled: bool = True):
    """Run every poolkit.torch operator as the native-torch composition (the path CUDA,
    float16 and bfloat16 take) inside the ``with`` block; ``POOLKIT_TORCH_COMPOSITION=1``
    does the same for a whole process.

    >>> import torch, poolkit.torch as pt
    >>> with pt.force_composition():
    ...     pt.functional.max_pool2d(torch.ones(1, 1, 4, 4), 2).shape
    torch.Size([1, 1, 2, 2])
    """
    global _FORCE_COMPOSITION
    previous = _FORCE_COMPOSITION
    _FORCE_COMPOSITION = bool(enabled)
    try:
        yield
    finally:
        _FORCE_COMPOSITION = previous


def channels_last_perm(x: torch.Tensor, batched: bool) -> tuple[int, ...] | None:
    """The permutation that makes ``x`` contiguous with channels last, when that is how ``x``
    lies in memory and plain contiguity does not already hold; else None.

    Covers channels_last (4-d), channels_last_3d (5-d) and the 3-d ``(N, L, C)`` transpose,
    batched or not.
    """
    if x.is_contiguous():
        return None
    nd = x.dim()
    perm = (0, *range(2, nd), 1) if batched else (*range(1, nd), 0)
    return perm if x.permute(perm).is_contiguous() else None


def inverse(perm: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def to_numpy(x: torch.Tensor, n: int) -> tuple[np.ndarray, str, tuple[int, ...] | None]:
    """A NumPy view of ``x`` (no copy), the data_format to read it with, and the permutation
    that turns a channels-last result back into torch's logical (N, C, *spatial) order."""
    x = x.detach()
    if x.is_conj() or x.is_neg():  # lazily negated/conjugated views cannot be shared
        x = x.resolve_conj().resolve_neg()
    batched = x.dim() == n + 2
    perm = channels_last_perm(x, batched) if x.dim() > 1 else None
    if perm is None:
        return _share(x), "channels_first", None
    return _share(x.permute(perm)), "channels_last", inverse(perm)


def _share(x: torch.Tensor) -> np.ndarray:
    if any(s < 0 for s in x.stride()):  # not representable in torch, kept for safety
        x = x.contiguous()
    return x.numpy()


def from_numpy(array: np.ndarray, inv: tuple[int, ...] | None, keep_dims: bool = True):
    """The tensor for a kernel result (no copy), permuted back to logical order when the
    kernel worked channels-last."""
    if not array.flags.writeable:  # torch.from_numpy warns on read-only arrays
        array = array.copy()
    out = torch.from_numpy(array)
    if inv is not None and keep_dims:
        out = out.permute(inv)
        if 1 in out.shape:
            out = _torch_strides(out, inv)
    return out


def _torch_strides(out: torch.Tensor, inv: tuple[int, ...]) -> torch.Tensor:
    """``out`` (channels-last memory, logical order) with the strides torch gives size-1
    dims in that memory format (a (3, 1, 1, 1)-strided 1x1 map is (3, 1, 3, 3) in torch);
    size-1 dims address nothing, so this is the same memory, no copy."""
    perm = inverse(inv)  # logical dim of each physical position
    physical = [out.shape[p] for p in perm]
    strides = [0] * len(physical)
    step = 1
    for position in reversed(range(len(physical))):
        strides[perm[position]] = step
        step *= max(physical[position], 1)
    return out.as_strided(out.shape, strides)


def like_layout(shape, x: torch.Tensor, n: int, dtype=None) -> torch.Tensor:
    """An empty tensor of logical ``shape`` laid out in memory like ``x`` (channels last or
    not): what a kernel returns for ``x``. Used by the fake (meta) implementations."""
    dtype = x.dtype if dtype is None else dtype
    batched = x.dim() == n + 2
    perm = channels_last_perm(x, batched) if x.dim() > 1 else None
    if perm is None:
        return x.new_empty(shape, dtype=dtype)
    physical = [shape[p] for p in perm]
    return x.new_empty(physical, dtype=dtype).permute(inverse(perm))


_threads_synced: int | None = None


def sync_threads() -> None:
    """Make the kernels use ``torch.get_num_threads()`` threads (checked on every call,
    applied only when it changed, so ``torch.set_num_threads`` takes effect immediately)."""
    global _threads_synced
    wanted = torch.get_num_threads()
    if wanted == _threads_synced:
        return
    _threads_synced = wanted
    try:
        from poolkit import kernels  # the Numba kernels package, when present

        setter = getattr(kernels, "set_num_threads", None)
    except ImportError:
        setter = None
    if setter is None:
        import sys

        numba = sys.modules.get("numba")
        if numba is None:  # nothing parallel is loaded: nothing to configure
            _threads_synced = None
            return
        import numba as numba_module

        def setter(count):
            numba_module.set_num_threads(min(count, numba_module.config.NUMBA_NUM_THREADS))

    try:
        setter(wanted)
    except Exception:  # a thread count the backend refuses must not break pooling
        _threads_synced = None
