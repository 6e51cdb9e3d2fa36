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

from torch import nn

from poolkit.torch import functional as PF

_MAX = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
_AVG = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}
_LP = {1: nn.LPPool1d, 2: nn.LPPool2d, 3: nn.LPPool3d}
_AMAX = {1: nn.AdaptiveMaxPool1d, 2: nn.AdaptiveMaxPool2d, 3: nn.AdaptiveMaxPool3d}
_AAVG = {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveAvgPool2d, 3: nn.AdaptiveAvgPool3d}
_UNPOOL = {1: nn.MaxUnpool1d, 2: nn.MaxUnpool2d, 3: nn.MaxUnpool3d}
_SP = {1: "L", 2: "H, W", 3: "D, H, W"}


class _MaxPool:
    def forward(self, input):
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


class _AvgPool:
    def _init_extras(self, dilation, count_include_pad):
        self.dilation = dilation
        # None: True for numeric padding (torch's default), False for 'same'/'valid' (Keras)
        self.count_include_pad = count_include_pad

    def forward(self, input):
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


class _LPPool:
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


class _AdaptiveMax:
    def forward(self, input):
        return PF.adaptive_pool(input, "max", self._n, self.output_size, self.return_indices)


class _AdaptiveAvg:
    def forward(self, input):
        return PF.adaptive_pool(input, "avg", self._n, self.output_size)


class _MaxUnpool:
    def forward(self, input, indices, output_size=None):
        return PF.max_unpool(
            input, indices, self._n, self.kernel_size, self.stride, self.padding, output_size
        )


def _make(n: int) -> dict:
    def max_init(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
        ceil_mode=False,
    ):  # fmt: skip
        _MAX[n].__init__(self, kernel_size, stride, padding, dilation, return_indices, ceil_mode)

    def avg_init(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=None,
        divisor_override=None, *, dilation=1,
    ):  # fmt: skip
        if n == 1:
            if divisor_override is not None:
                raise TypeError("AvgPool1d has no divisor_override (torch.nn.AvgPool1d neither)")
            _AVG[n].__init__(self, kernel_size, stride, padding, ceil_mode)
        else:
            _AVG[n].__init__(self, kernel_size, stride, padding, ceil_mode, True, divisor_override)
        self._init_extras(dilation, count_include_pad)

    def lp_init(self, norm_type, kernel_size, stride=None, ceil_mode=False, *, padding=0,
                dilation=1):  # fmt: skip
        _LP[n].__init__(self, norm_type, kernel_size, stride, ceil_mode)
        self.padding = padding
        self.dilation = dilation

    sp = _SP[n]
    classes = {}
    specs = [
        ("MaxPool", _MaxPool, _MAX[n], max_init,
         f"Drop-in ``torch.nn.MaxPool{n}d`` on poolkit's kernels; padding may also be a string "
         f"or ``(lo, hi)`` pairs."),
        ("AvgPool", _AvgPool, _AVG[n], avg_init,
         f"Drop-in ``torch.nn.AvgPool{n}d`` plus ``dilation`` and string/``(lo, hi)`` padding; "
         f"``count_include_pad=None`` (default) is True for numeric padding, False for strings."),
        ("LPPool", _LPPool, _LP[n], lp_init,
         f"``torch.nn.LPPool{n}d`` computed as ``(sum |x|^p)^(1/p)`` (ONNX LpPool), plus "
         f"``padding`` and ``dilation``. torch drops the absolute value and rescales ceil-mode "
         f"edge windows: equal for ``x >= 0`` without ceil-mode overhang."),
        ("AdaptiveMaxPool", _AdaptiveMax, _AMAX[n], None,
         f"Drop-in ``torch.nn.AdaptiveMaxPool{n}d`` on poolkit's kernels."),
        ("AdaptiveAvgPool", _AdaptiveAvg, _AAVG[n], None,
         f"Drop-in ``torch.nn.AdaptiveAvgPool{n}d`` on poolkit's kernels."),
        ("MaxUnpool", _MaxUnpool, _UNPOOL[n], None,
         f"Drop-in ``torch.nn.MaxUnpool{n}d`` on poolkit's kernels."),
    ]  # fmt: skip
    for stem, mixin, base, init, summary in specs:
        name = f"{stem}{n}d"
        namespace = {
            "__module__": __name__,
            "__qualname__": name,
            "_n": n,
            "__doc__": f"""{summary}

    Shape:
        ``(N, C, {sp})`` or ``(C, {sp})`` in, same rank out; channels_last stays channels_last.

    Example:
        >>> import torch
        >>> from poolkit.torch import {name}
        >>> layer = {name}({_EXAMPLE_ARGS[stem]})
""",
        }
        if init is not None:
            init.__qualname__ = f"{name}.__init__"
            namespace["__init__"] = init
        classes[name] = type(name, (mixin, base), namespace)
    return classes


_EXAMPLE_ARGS = {
    "MaxPool": "3, 2, padding=1",
    "AvgPool": "2, padding='same', dilation=1",
    "LPPool": "2, 2",
    "AdaptiveMaxPool": "1",
    "AdaptiveAvgPool": "1",
    "MaxUnpool": "2",
}


class _SumPoolNd(nn.Module):
    _n = 0

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
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


class _GlobalPoolNd(nn.Module):
    _n = 0
    _reducer = ""

    def __init__(self, keepdim=False):
        super().__init__()
        self.keepdim = keepdim

    def forward(self, input):
        return PF.global_pool(input, self._reducer, self._n, keepdims=self.keepdim)

    def extra_repr(self):
        return f"keepdim={self.keepdim}"


def _make_new(n: int) -> dict:
    sp = _SP[n]
    classes = {}
    name = f"SumPool{n}d"
    classes[name] = type(
        name,
        (_SumPoolNd,),
        {
            "__module__": __name__,
            "__qualname__": name,
            "_n": n,
            "__doc__": f"""Sum pooling over {n} spatial dim(s): the window total (pads count 0).

    Args: ``kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False`` as in
    ``MaxPool{n}d`` (padding may be a string or ``(lo, hi)`` pairs).

    Shape:
        ``(N, C, {sp}) -> (N, C, *out)`` with ``out`` as for max pooling.

    Example:
        >>> import torch
        >>> from poolkit.torch import {name}
        >>> {name}(2)(torch.ones(1, 1, *[4] * {n})).flatten()[0].item()
        {float(2**n)}
""",
        },
    )
    for reducer, word in (("max", "Max"), ("avg", "Avg")):
        name = f"Global{word}Pool{n}d"
        classes[name] = type(
            name,
            (_GlobalPoolNd,),
            {
                "__module__": __name__,
                "__qualname__": name,
                "_n": n,
                "_reducer": reducer,
                "__doc__": f"""Global {word.lower()} pooling: one number per channel.

    Shape:
        ``(N, C, {sp}) -> (N, C)``, or ``(N, C, {", ".join("1" * n)})`` with ``keepdim=True``;
        unbatched ``(C, {sp}) -> (C,)``.

    Example:
        >>> import torch
        >>> from poolkit.torch import {name}
        >>> {name}()(torch.ones(2, 3, *[4] * {n})).shape
        torch.Size([2, 3])
""",
            },
        )
    return classes


MODULES: dict = {}
for _n in (1, 2, 3):
    MODULES.update(_make(_n))
    MODULES.update(_make_new(_n))
globals().update(MODULES)

__all__ = sorted(MODULES)
