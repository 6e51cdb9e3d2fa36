"""Drop-in ``torch.nn`` pooling layers on poolkit's kernels, plus the layers torch lacks.

``MaxPool``, ``AvgPool``, ``LPPool``, ``AdaptiveMaxPool``, ``AdaptiveAvgPool`` and
``MaxUnpool`` (1d/2d/3d) subclass the torch.nn class of the same name: same constructor,
attributes, ``repr`` and ``isinstance``; only ``forward`` changes. poolkit's extras are extra
keyword arguments: string padding (``"same"``, ``"valid"``, ``"same_lower"``), ``(lo, hi)``
pairs, ``dilation`` for average and Lp pooling, ``padding`` for Lp pooling. ``SumPool``,
``GlobalMaxPool`` and ``GlobalAvgPool`` are new.

>>> import torch
>>> from poolkit.torch import MaxPool2d
>>> MaxPool2d(3, 2, padding="same")(torch.rand(1, 1, 5, 5)).shape
torch.Size([1, 1, 3, 3])
"""

from __future__ import annotations

import functools
import math
from typing import SupportsFloat, SupportsIndex

import torch
from torch import nn

from poolkit.api import Padding, Size
from poolkit.torch import functional as PF
from poolkit.torch._bridge import large_enough, use_kernels
from poolkit.torch._compose import _ADAPTIVE_AVG_OPS


class _Scriptable:
    """``torch.jit.script`` support: TorchScript cannot compile poolkit's Python forward, so a
    layer hands TorchScript the torch.nn layer that computes exactly the same, where one
    exists, and otherwise says why not and what to use instead."""

    def _torch_equivalent(self) -> nn.Module | None:
        return None

    def _check_arguments(self) -> None:
        """Raise poolkit's PoolingError for arguments poolkit refuses (before any twin)."""

    def _why_no_equivalent(self) -> str:
        return "torch.nn has no layer that computes it"

    def __prepare_scriptable__(self) -> nn.Module:
        equivalent = self._torch_equivalent()
        if equivalent is not None:
            equivalent.train(self.training)
            return equivalent
        raise RuntimeError(
            f"torch.jit.script cannot compile poolkit's {type(self).__name__}"
            f"({self.extra_repr()}): {self._why_no_equivalent()}. TorchScript is deprecated "
            f"in torch 2.13: use torch.compile, torch.export or torch.jit.trace, which record "
            f"poolkit's layers as standard aten ops"
        )

    def _torch_base(self) -> type:
        return next(c for c in type(self).__mro__ if c.__module__.startswith("torch.nn."))

    #: The attributes that decide what the layer computes: setting one drops the torch twin,
    #: which the next small call rebuilds.
    _config: tuple[str, ...] = ()

    def __setattr__(self, name: str, value) -> None:
        if name in self._config:
            self.__dict__.pop("_twin", None)
        super().__setattr__(name, value)

    def _twin_for(self, input):
        """A call of torch.nn's own layer for a call the composition would run anyway (a small
        float tensor, another device, a torch transform), when it computes exactly what this
        layer does; else None. Calling it directly skips poolkit's per-call bookkeeping, so
        such a layer costs what torch.nn's does (a GAP on a 7x7 map costs ~12 us in all)."""
        if torch.compiler.is_compiling():
            return None  # a compiled graph gets the functional path's ops either way
        cached = self.__dict__.get("_twin")
        if cached is None:
            if not self._config:
                return None
            self._check_arguments()  # poolkit's errors for bad arguments, torch's twin or not
            twin = self._torch_equivalent()
            # not a submodule (no state_dict or repr entry); the per-shape verdicts belong to
            # this configuration and are dropped with it
            cached = (None if twin is None else self._twin_call(twin), {})
            self.__dict__["_twin"] = cached
        call, verdicts = cached
        if call is None or not isinstance(input, torch.Tensor):
            return None
        if large_enough(input) and use_kernels(input):  # the cheap test first
            return None
        shape = input.shape
        verdict = verdicts.get(shape)
        if verdict is None:  # (twin may run, shape needs poolkit's own input check)
            n = self._n
            plain = input.dim() in (n + 1, n + 2) and 0 not in shape[-n - 1 :]
            verdict = (self._twin_takes(shape), not plain)
            if len(verdicts) >= 64:
                verdicts.clear()  # a layer fed ever-new shapes keeps a bounded cache
            verdicts[shape] = verdict
        if not verdict[0]:
            return None
        if verdict[1] or input.dtype.is_complex:
            PF.check_input(input, self._n)  # raises poolkit's own error for the bad input
        return call

    def _twin_call(self, twin: nn.Module):
        """What a twin call runs: its forward (without nn.Module's hook bookkeeping)."""
        return twin.forward

    def _twin_takes(self, shape: torch.Size) -> bool:
        """Whether the torch twin may compute an input of ``shape`` (asked once per shape)."""
        return True


def _numeric(padding) -> bool:
    """Padding torch.nn takes as it is: an int or a tuple of ints (no strings, no pairs)."""
    if isinstance(padding, int) and not isinstance(padding, bool):
        return True
    return isinstance(padding, tuple | list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in padding
    )


def _ones(value) -> bool:
    return value == 1 or (isinstance(value, tuple | list) and all(v == 1 for v in value))


def _half_kernel_pads(padding, kernel) -> bool:
    """torch's pooling takes pads up to half the kernel only (poolkit's up to the window)."""
    pads = padding if isinstance(padding, tuple | list) else (padding,)
    kernels = kernel if isinstance(kernel, tuple | list) else (kernel,)
    if len(pads) == 1:
        pads = pads * len(kernels)
    if len(kernels) == 1:
        kernels = kernels * len(pads)
    return len(pads) == len(kernels) and all(
        p <= k // 2 for p, k in zip(pads, kernels, strict=True)
    )


class _MaxPool(_Scriptable):
    _config = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")

    def _check_arguments(self):
        PF._window_args(
            "max", self._n, self.kernel_size, self.stride, self.padding, self.dilation,
            self.ceil_mode, None, None, self.return_indices,
        )  # fmt: skip

    def _torch_equivalent(self):
        if not _numeric(self.padding) or not _half_kernel_pads(self.padding, self.kernel_size):
            return None
        return self._torch_base()(
            self.kernel_size, self.stride, self.padding, self.dilation, self.return_indices,
            self.ceil_mode,
        )  # fmt: skip

    def _why_no_equivalent(self):
        return f"torch.nn.{self._torch_base().__name__} has no padding={self.padding!r}"

    def forward(self, input):
        twin = self._twin_for(input)
        if twin is not None:
            return twin(input)
        return PF.window_pool(
            input,
            "max",
            self._n,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            return_indices=self.return_indices,
        )


class _AvgPool(_Scriptable):
    _config = (
        "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "dilation",
        "divisor_override",
    )  # fmt: skip

    def _check_arguments(self):
        PF._window_args(
            "avg", self._n, self.kernel_size, self.stride, self.padding, self.dilation,
            self.ceil_mode, self.count_include_pad, getattr(self, "divisor_override", None),
            False,
        )  # fmt: skip

    def _torch_equivalent(self):
        if (
            not _numeric(self.padding)
            or not _ones(self.dilation)
            or not _half_kernel_pads(self.padding, self.kernel_size)
        ):
            return None
        include = True if self.count_include_pad is None else self.count_include_pad
        base = self._torch_base()
        if self._n == 1:
            return base(self.kernel_size, self.stride, self.padding, self.ceil_mode, include)
        return base(
            self.kernel_size, self.stride, self.padding, self.ceil_mode, include,
            self.divisor_override,
        )  # fmt: skip

    def _why_no_equivalent(self):
        return (
            f"torch.nn.{self._torch_base().__name__} has neither padding={self.padding!r} nor "
            f"dilation={self.dilation!r}"
        )

    def _init_extras(self, dilation, count_include_pad):
        self.dilation = dilation
        # None: True for numeric padding (torch's default), False for 'same'/'valid' (Keras)
        self.count_include_pad = count_include_pad

    def forward(self, input):
        twin = self._twin_for(input)
        if twin is not None:
            return twin(input)
        return PF.window_pool(
            input,
            "avg",
            self._n,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            count_include_pad=self.count_include_pad,
            divisor_override=getattr(self, "divisor_override", None),
        )

    def extra_repr(self):
        text = super().extra_repr()
        if self.dilation != 1:
            text += f", dilation={self.dilation}"
        return text


class _LPPool(_Scriptable):
    def _why_no_equivalent(self):
        return (
            "torch.nn.LPPool computes (sum x^p)^(1/p) without poolkit's absolute value and "
            "rescales ceil-mode windows, so it differs for negative inputs"
        )

    def forward(self, input):
        return PF.window_pool(
            input,
            "lp",
            self._n,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            p=float(self.norm_type),
        )

    def extra_repr(self):
        text = super().extra_repr()
        if self.padding != 0:
            text += f", padding={self.padding}"
        if self.dilation != 1:
            text += f", dilation={self.dilation}"
        return text


class _Adaptive(_Scriptable):
    def _check_arguments(self):
        PF._adaptive_args(self.output_size, self._n, getattr(self, "return_indices", False))

    def _twin_takes(self, shape):
        # a larger output than the input goes through poolkit, whose memory guard sizes it
        size = self.output_size
        wanted = size if isinstance(size, tuple | list) else (size,) * self._n
        spatial = shape[-self._n :]
        if len(spatial) != len(wanted):
            return True  # a wrong rank: poolkit's input check answers it
        return math.prod(v or s for v, s in zip(wanted, spatial, strict=True)) <= math.prod(
            spatial
        )


class _AdaptiveMax(_Adaptive):
    _config = ("output_size", "return_indices")

    def _torch_equivalent(self):
        return self._torch_base()(self.output_size, self.return_indices)

    def forward(self, input):
        twin = self._twin_for(input)
        if twin is not None:
            return twin(input)
        return PF.adaptive_pool(input, "max", self._n, self.output_size, self.return_indices)


class _AdaptiveAvg(_Adaptive):
    _config = ("output_size",)

    def _torch_equivalent(self):
        return self._torch_base()(self.output_size)

    def _twin_call(self, twin):
        # torch.nn.functional's wrapper (None entries, __torch_function__) costs as much as
        # the op on a 7x7 map; with every size given the op itself computes the same
        size = self.output_size
        sizes = size if isinstance(size, tuple | list) else (size,) * self._n
        if self._n in (2, 3) and all(type(v) is int for v in sizes):
            return functools.partial(_ADAPTIVE_AVG_OPS[self._n], output_size=tuple(sizes))
        return twin.forward

    def forward(self, input):
        twin = self._twin_for(input)
        if twin is not None:
            return twin(input)
        return PF.adaptive_pool(input, "avg", self._n, self.output_size)


class _MaxUnpool(_Scriptable):
    def _why_no_equivalent(self):
        return (
            f"torch.nn.{self._torch_base().__name__} itself does not script in torch 2.13 (an "
            f"internal assert on its int-list attributes)"
        )

    def forward(self, input, indices, output_size=None):
        return PF.max_unpool(
            input, indices, self._n, self.kernel_size, self.stride, self.padding, output_size
        )


class _SumPoolNd(_Scriptable, nn.Module):
    _n = 0

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Padding = 0,
        dilation: Size = 1,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return PF.window_pool(
            input,
            "sum",
            self._n,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
        )

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class _GlobalPoolNd(_Scriptable, nn.Module):
    _n = 0
    _reducer = ""

    def __init__(self, keepdim: bool = False) -> None:
        super().__init__()
        self.keepdim = keepdim

    def forward(self, input):
        return PF.global_pool(input, self._reducer, self._n, keepdims=self.keepdim)

    def extra_repr(self):
        return f"keepdim={self.keepdim}"


# --------------------------------------------------------------------------- the layers
# One class statement per layer and dimension, written by scripts/generate_api.py from its
# LAYERS table.

# BEGIN generated by scripts/generate_api.py (layers): do not edit

class MaxPool1d(_MaxPool, nn.MaxPool1d):
    """Drop-in ``torch.nn.MaxPool1d`` on poolkit's kernels; padding may also be a string or
    ``(lo, hi)`` pairs.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import MaxPool1d
        >>> layer = MaxPool1d(3, 2, padding=1)
    """

    _n = 1

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Padding = 0,
        dilation: Size = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        nn.MaxPool1d.__init__(
            self, kernel_size, stride, padding, dilation, return_indices, ceil_mode
        )


class AvgPool1d(_AvgPool, nn.AvgPool1d):
    """Drop-in ``torch.nn.AvgPool1d`` plus ``dilation`` and string/``(lo, hi)`` padding;
    ``count_include_pad=None`` (default) is True for numeric padding, False for strings.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AvgPool1d
        >>> layer = AvgPool1d(2, padding='same', dilation=1)
    """

    _n = 1

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Padding = 0,
        ceil_mode: bool = False,
        count_include_pad: bool | None = None,
        divisor_override: SupportsIndex | None = None,
        *,
        dilation: Size = 1,
    ) -> None:
        if divisor_override is not None:
            raise TypeError("AvgPool1d has no divisor_override (torch.nn.AvgPool1d neither)")
        nn.AvgPool1d.__init__(self, kernel_size, stride, padding, ceil_mode)
        if isinstance(padding, str):
            self.padding = padding  # nn.AvgPool1d's _single would spell 'same' as its letters
        self._init_extras(dilation, count_include_pad)


class LPPool1d(_LPPool, nn.LPPool1d):
    """``torch.nn.LPPool1d`` computed as ``(sum |x|^p)^(1/p)`` (ONNX LpPool), plus ``padding`` and
    ``dilation``. torch drops the absolute value and rescales ceil-mode edge windows: equal for
    ``x >= 0`` without ceil-mode overhang.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import LPPool1d
        >>> layer = LPPool1d(2, 2)
    """

    _n = 1

    def __init__(
        self,
        norm_type: SupportsFloat,
        kernel_size: Size,
        stride: Size | None = None,
        ceil_mode: bool = False,
        *,
        padding: Padding = 0,
        dilation: Size = 1,
    ) -> None:
        nn.LPPool1d.__init__(self, norm_type, kernel_size, stride, ceil_mode)
        self.padding = padding
        self.dilation = dilation


class AdaptiveMaxPool1d(_AdaptiveMax, nn.AdaptiveMaxPool1d):
    """Drop-in ``torch.nn.AdaptiveMaxPool1d`` on poolkit's kernels.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AdaptiveMaxPool1d
        >>> layer = AdaptiveMaxPool1d(1)
    """

    _n = 1


class AdaptiveAvgPool1d(_AdaptiveAvg, nn.AdaptiveAvgPool1d):
    """Drop-in ``torch.nn.AdaptiveAvgPool1d`` on poolkit's kernels.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AdaptiveAvgPool1d
        >>> layer = AdaptiveAvgPool1d(1)
    """

    _n = 1


class MaxUnpool1d(_MaxUnpool, nn.MaxUnpool1d):
    """Drop-in ``torch.nn.MaxUnpool1d`` on poolkit's kernels.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import MaxUnpool1d
        >>> layer = MaxUnpool1d(2)
    """

    _n = 1


class SumPool1d(_SumPoolNd):
    """Sum pooling over 1 spatial dim(s): the window total (pads count 0).

    Args: ``kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False`` as in
    ``MaxPool1d`` (padding may be a string or ``(lo, hi)`` pairs).

    Shape:
        ``(N, C, L) -> (N, C, *out)`` with ``out`` as for max pooling.

    Example:
        >>> import torch
        >>> from poolkit.torch import SumPool1d
        >>> SumPool1d(2)(torch.ones(1, 1, *[4] * 1)).flatten()[0].item()
        2.0
    """

    _n = 1


class GlobalMaxPool1d(_GlobalPoolNd):
    """Global max pooling: one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``, or ``(N, C, 1)`` with ``keepdim=True``;
        unbatched ``(C, L) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import GlobalMaxPool1d
        >>> GlobalMaxPool1d()(torch.ones(2, 3, *[4] * 1)).shape
        torch.Size([2, 3])
    """

    _n = 1
    _reducer = "max"


class GlobalAvgPool1d(_GlobalPoolNd):
    """Global avg pooling: one number per channel.

    Shape:
        ``(N, C, L) -> (N, C)``, or ``(N, C, 1)`` with ``keepdim=True``;
        unbatched ``(C, L) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import GlobalAvgPool1d
        >>> GlobalAvgPool1d()(torch.ones(2, 3, *[4] * 1)).shape
        torch.Size([2, 3])
    """

    _n = 1
    _reducer = "avg"


class MaxPool2d(_MaxPool, nn.MaxPool2d):
    """Drop-in ``torch.nn.MaxPool2d`` on poolkit's kernels; padding may also be a string or
    ``(lo, hi)`` pairs.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import MaxPool2d
        >>> layer = MaxPool2d(3, 2, padding=1)
    """

    _n = 2

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Padding = 0,
        dilation: Size = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        nn.MaxPool2d.__init__(
            self, kernel_size, stride, padding, dilation, return_indices, ceil_mode
        )


class AvgPool2d(_AvgPool, nn.AvgPool2d):
    """Drop-in ``torch.nn.AvgPool2d`` plus ``dilation`` and string/``(lo, hi)`` padding;
    ``count_include_pad=None`` (default) is True for numeric padding, False for strings.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AvgPool2d
        >>> layer = AvgPool2d(2, padding='same', dilation=1)
    """

    _n = 2

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Padding = 0,
        ceil_mode: bool = False,
        count_include_pad: bool | None = None,
        divisor_override: SupportsIndex | None = None,
        *,
        dilation: Size = 1,
    ) -> None:
        nn.AvgPool2d.__init__(
            self, kernel_size, stride, padding, ceil_mode, True, divisor_override
        )
        self._init_extras(dilation, count_include_pad)


class LPPool2d(_LPPool, nn.LPPool2d):
    """``torch.nn.LPPool2d`` computed as ``(sum |x|^p)^(1/p)`` (ONNX LpPool), plus ``padding`` and
    ``dilation``. torch drops the absolute value and rescales ceil-mode edge windows: equal for
    ``x >= 0`` without ceil-mode overhang.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import LPPool2d
        >>> layer = LPPool2d(2, 2)
    """

    _n = 2

    def __init__(
        self,
        norm_type: SupportsFloat,
        kernel_size: Size,
        stride: Size | None = None,
        ceil_mode: bool = False,
        *,
        padding: Padding = 0,
        dilation: Size = 1,
    ) -> None:
        nn.LPPool2d.__init__(self, norm_type, kernel_size, stride, ceil_mode)
        self.padding = padding
        self.dilation = dilation


class AdaptiveMaxPool2d(_AdaptiveMax, nn.AdaptiveMaxPool2d):
    """Drop-in ``torch.nn.AdaptiveMaxPool2d`` on poolkit's kernels.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AdaptiveMaxPool2d
        >>> layer = AdaptiveMaxPool2d(1)
    """

    _n = 2


class AdaptiveAvgPool2d(_AdaptiveAvg, nn.AdaptiveAvgPool2d):
    """Drop-in ``torch.nn.AdaptiveAvgPool2d`` on poolkit's kernels.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AdaptiveAvgPool2d
        >>> layer = AdaptiveAvgPool2d(1)
    """

    _n = 2


class MaxUnpool2d(_MaxUnpool, nn.MaxUnpool2d):
    """Drop-in ``torch.nn.MaxUnpool2d`` on poolkit's kernels.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import MaxUnpool2d
        >>> layer = MaxUnpool2d(2)
    """

    _n = 2


class SumPool2d(_SumPoolNd):
    """Sum pooling over 2 spatial dim(s): the window total (pads count 0).

    Args: ``kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False`` as in
    ``MaxPool2d`` (padding may be a string or ``(lo, hi)`` pairs).

    Shape:
        ``(N, C, H, W) -> (N, C, *out)`` with ``out`` as for max pooling.

    Example:
        >>> import torch
        >>> from poolkit.torch import SumPool2d
        >>> SumPool2d(2)(torch.ones(1, 1, *[4] * 2)).flatten()[0].item()
        4.0
    """

    _n = 2


class GlobalMaxPool2d(_GlobalPoolNd):
    """Global max pooling: one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``, or ``(N, C, 1, 1)`` with ``keepdim=True``;
        unbatched ``(C, H, W) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import GlobalMaxPool2d
        >>> GlobalMaxPool2d()(torch.ones(2, 3, *[4] * 2)).shape
        torch.Size([2, 3])
    """

    _n = 2
    _reducer = "max"


class GlobalAvgPool2d(_GlobalPoolNd):
    """Global avg pooling: one number per channel.

    Shape:
        ``(N, C, H, W) -> (N, C)``, or ``(N, C, 1, 1)`` with ``keepdim=True``;
        unbatched ``(C, H, W) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import GlobalAvgPool2d
        >>> GlobalAvgPool2d()(torch.ones(2, 3, *[4] * 2)).shape
        torch.Size([2, 3])
    """

    _n = 2
    _reducer = "avg"


class MaxPool3d(_MaxPool, nn.MaxPool3d):
    """Drop-in ``torch.nn.MaxPool3d`` on poolkit's kernels; padding may also be a string or
    ``(lo, hi)`` pairs.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import MaxPool3d
        >>> layer = MaxPool3d(3, 2, padding=1)
    """

    _n = 3

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Padding = 0,
        dilation: Size = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        nn.MaxPool3d.__init__(
            self, kernel_size, stride, padding, dilation, return_indices, ceil_mode
        )


class AvgPool3d(_AvgPool, nn.AvgPool3d):
    """Drop-in ``torch.nn.AvgPool3d`` plus ``dilation`` and string/``(lo, hi)`` padding;
    ``count_include_pad=None`` (default) is True for numeric padding, False for strings.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AvgPool3d
        >>> layer = AvgPool3d(2, padding='same', dilation=1)
    """

    _n = 3

    def __init__(
        self,
        kernel_size: Size,
        stride: Size | None = None,
        padding: Padding = 0,
        ceil_mode: bool = False,
        count_include_pad: bool | None = None,
        divisor_override: SupportsIndex | None = None,
        *,
        dilation: Size = 1,
    ) -> None:
        nn.AvgPool3d.__init__(
            self, kernel_size, stride, padding, ceil_mode, True, divisor_override
        )
        self._init_extras(dilation, count_include_pad)


class LPPool3d(_LPPool, nn.LPPool3d):
    """``torch.nn.LPPool3d`` computed as ``(sum |x|^p)^(1/p)`` (ONNX LpPool), plus ``padding`` and
    ``dilation``. torch drops the absolute value and rescales ceil-mode edge windows: equal for
    ``x >= 0`` without ceil-mode overhang.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import LPPool3d
        >>> layer = LPPool3d(2, 2)
    """

    _n = 3

    def __init__(
        self,
        norm_type: SupportsFloat,
        kernel_size: Size,
        stride: Size | None = None,
        ceil_mode: bool = False,
        *,
        padding: Padding = 0,
        dilation: Size = 1,
    ) -> None:
        nn.LPPool3d.__init__(self, norm_type, kernel_size, stride, ceil_mode)
        self.padding = padding
        self.dilation = dilation


class AdaptiveMaxPool3d(_AdaptiveMax, nn.AdaptiveMaxPool3d):
    """Drop-in ``torch.nn.AdaptiveMaxPool3d`` on poolkit's kernels.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AdaptiveMaxPool3d
        >>> layer = AdaptiveMaxPool3d(1)
    """

    _n = 3


class AdaptiveAvgPool3d(_AdaptiveAvg, nn.AdaptiveAvgPool3d):
    """Drop-in ``torch.nn.AdaptiveAvgPool3d`` on poolkit's kernels.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import AdaptiveAvgPool3d
        >>> layer = AdaptiveAvgPool3d(1)
    """

    _n = 3


class MaxUnpool3d(_MaxUnpool, nn.MaxUnpool3d):
    """Drop-in ``torch.nn.MaxUnpool3d`` on poolkit's kernels.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` in, same rank out; channels_last stays
        channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import MaxUnpool3d
        >>> layer = MaxUnpool3d(2)
    """

    _n = 3


class SumPool3d(_SumPoolNd):
    """Sum pooling over 3 spatial dim(s): the window total (pads count 0).

    Args: ``kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False`` as in
    ``MaxPool3d`` (padding may be a string or ``(lo, hi)`` pairs).

    Shape:
        ``(N, C, D, H, W) -> (N, C, *out)`` with ``out`` as for max pooling.

    Example:
        >>> import torch
        >>> from poolkit.torch import SumPool3d
        >>> SumPool3d(2)(torch.ones(1, 1, *[4] * 3)).flatten()[0].item()
        8.0
    """

    _n = 3


class GlobalMaxPool3d(_GlobalPoolNd):
    """Global max pooling: one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``, or ``(N, C, 1, 1, 1)`` with ``keepdim=True``;
        unbatched ``(C, D, H, W) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import GlobalMaxPool3d
        >>> GlobalMaxPool3d()(torch.ones(2, 3, *[4] * 3)).shape
        torch.Size([2, 3])
    """

    _n = 3
    _reducer = "max"


class GlobalAvgPool3d(_GlobalPoolNd):
    """Global avg pooling: one number per channel.

    Shape:
        ``(N, C, D, H, W) -> (N, C)``, or ``(N, C, 1, 1, 1)`` with ``keepdim=True``;
        unbatched ``(C, D, H, W) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import GlobalAvgPool3d
        >>> GlobalAvgPool3d()(torch.ones(2, 3, *[4] * 3)).shape
        torch.Size([2, 3])
    """

    _n = 3
    _reducer = "avg"


MODULES: dict[str, type[nn.Module]] = {
    "MaxPool1d": MaxPool1d,
    "AvgPool1d": AvgPool1d,
    "LPPool1d": LPPool1d,
    "AdaptiveMaxPool1d": AdaptiveMaxPool1d,
    "AdaptiveAvgPool1d": AdaptiveAvgPool1d,
    "MaxUnpool1d": MaxUnpool1d,
    "SumPool1d": SumPool1d,
    "GlobalMaxPool1d": GlobalMaxPool1d,
    "GlobalAvgPool1d": GlobalAvgPool1d,
    "MaxPool2d": MaxPool2d,
    "AvgPool2d": AvgPool2d,
    "LPPool2d": LPPool2d,
    "AdaptiveMaxPool2d": AdaptiveMaxPool2d,
    "AdaptiveAvgPool2d": AdaptiveAvgPool2d,
    "MaxUnpool2d": MaxUnpool2d,
    "SumPool2d": SumPool2d,
    "GlobalMaxPool2d": GlobalMaxPool2d,
    "GlobalAvgPool2d": GlobalAvgPool2d,
    "MaxPool3d": MaxPool3d,
    "AvgPool3d": AvgPool3d,
    "LPPool3d": LPPool3d,
    "AdaptiveMaxPool3d": AdaptiveMaxPool3d,
    "AdaptiveAvgPool3d": AdaptiveAvgPool3d,
    "MaxUnpool3d": MaxUnpool3d,
    "SumPool3d": SumPool3d,
    "GlobalMaxPool3d": GlobalMaxPool3d,
    "GlobalAvgPool3d": GlobalAvgPool3d,
}
"""Every layer by name."""

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "GlobalAvgPool1d",
    "GlobalAvgPool2d",
    "GlobalAvgPool3d",
    "GlobalMaxPool1d",
    "GlobalMaxPool2d",
    "GlobalMaxPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "SumPool1d",
    "SumPool2d",
    "SumPool3d",
]
# END generated by scripts/generate_api.py (layers)
