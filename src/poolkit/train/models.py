"""The two networks ``poolkit train`` compares, built around one pooling factory.

* :class:`ArticlesNet` -- the articles' network: ``[conv3x3 -> ReLU -> pool 2x2/2] x 2 ->
  fully connected`` (the softmax lives in the cross-entropy loss and in :func:`predict_proba`).
* :class:`SmallResNet` -- ResNet in miniature: 7x7/2 stem, BatchNorm, ReLU, ``pool 3x3/2 pad 1``
  (ResNet's ``MaxPool2d(3, 2, 1)``), two residual stages, global average pooling, linear head.

:func:`make_pool` is the one place a ``--pool`` choice becomes a layer, so both networks swap
their down-sampling the same way; the global-average-pooling head of the ResNet stays fixed.
This module imports torch: it is loaded only when a model is built.

>>> model = build_model("articles", "max", (1, 12, 12), 10)
>>> tuple(model(torch.zeros(2, 1, 12, 12)).shape)
(2, 10)
"""

from __future__ import annotations

import math

import torch
from torch import nn

from poolkit.errors import PoolingError

POOLS = ("max", "avg", "sum", "lp", "none")
MODELS = ("articles", "resnet")
BACKENDS = ("poolkit", "torch")
# The ResNet's stem divides the side by 4 (7x7/2 conv, 3x3/2 pool) and its second stage by 2
# more: inputs are upsampled (nearest) until the short side is at least this, so the last stage
# still has a 3x3 map for the global average pool (12x12 digits -> 24x24).
RESNET_MIN_SIDE = 24


def make_pool(
    kind: str,
    channels: int,
    kernel_size: int = 2,
    stride: int | None = None,
    padding: int = 0,
    *,
    lp_norm: float = 2.0,
    backend: str = "poolkit",
) -> nn.Module:
    """The down-sampling layer for one ``--pool`` choice, with the geometry of a max pool.

    ``max``/``avg``/``sum``/``lp`` are the pooling layers of ``poolkit.torch`` (or of
    ``torch.nn`` with ``backend="torch"``, for a side-by-side check); ``lp`` pads with zeros
    first when ``padding`` > 0 (``LPPool2d`` has no padding argument, and a zero adds nothing to
    ``sum |x|^p``). ``none`` is a learned strided convolution (same kernel, stride and padding,
    then ReLU) in place of pooling, as in the "all convolutional net".

    Shape: ``(N, C, H, W) -> (N, C, floor((H + 2p - k) / s) + 1, ...)``.
    """
    if kind not in POOLS:
        raise PoolingError(f"pool: got {kind!r}, expected one of {', '.join(POOLS)}")
    if backend not in BACKENDS:
        raise PoolingError(f"backend: got {backend!r}, expected one of {', '.join(BACKENDS)}")
    stride = kernel_size if stride is None else stride
    if kind == "none":
        return nn.Sequential(
            nn.Conv2d(channels, channels, kernel_size, stride, padding), nn.ReLU(inplace=True)
        )
    lib = _layers(backend)
    if kind == "max":
        return lib.MaxPool2d(kernel_size, stride, padding)
    if kind == "avg":
        return lib.AvgPool2d(kernel_size, stride, padding)
    if kind == "sum":
        if backend == "torch":  # torch.nn has no sum pool: an average that divides by 1
            return nn.AvgPool2d(kernel_size, stride, padding, divisor_override=1)
        return lib.SumPool2d(kernel_size, stride, padding)
    lp = lib.LPPool2d(lp_norm, kernel_size, stride)
    return nn.Sequential(nn.ZeroPad2d(padding), lp) if padding else lp


def make_global_avg_pool(backend: str = "poolkit") -> nn.Module:
    """Global average pooling, ``(N, C, H, W) -> (N, C)``."""
    if backend == "torch":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    return _layers(backend).GlobalAvgPool2d()


def _layers(backend: str):
    if backend == "torch":
        return nn
    try:
        import poolkit.torch as layers
    except ImportError as error:  # pragma: no cover - depends on the build
        raise PoolingError(
            f"backend: 'poolkit' needs poolkit.torch, which failed to import ({error}); "
            "use backend='torch' (--backend torch) for torch.nn's own layers"
        ) from None
    return layers


class ArticlesNet(nn.Module):
    """``[conv3x3 (pad 1) -> ReLU -> pool 2x2/2] x 2 -> flatten -> linear`` (logits).

    Shape: ``(N, C, H, W) -> (N, num_classes)``; the pools take H to ``floor(floor(H/2)/2)``.
    """

    def __init__(
        self,
        pool: str,
        image_shape: tuple[int, int, int],
        num_classes: int,
        widths: tuple[int, int] = (16, 32),
        *,
        lp_norm: float = 2.0,
        backend: str = "poolkit",
    ) -> None:
        super().__init__()
        channels, height, width = image_shape
        if min(height, width) < 4:
            raise PoolingError(f"image_shape: needs H, W >= 4 for two 2x2 pools, got {image_shape}")
        c1, c2 = widths
        options = {"lp_norm": lp_norm, "backend": backend}
        self.features = nn.Sequential(
            nn.Conv2d(channels, c1, 3, padding=1),
            nn.ReLU(inplace=True),
            make_pool(pool, c1, 2, **options),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(inplace=True),
            make_pool(pool, c2, 2, **options),
        )
        # floor twice: a 2x2/2 pool drops an odd last row/column, as in torch.
        self.classifier = nn.Linear(c2 * (height // 2 // 2) * (width // 2 // 2), num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(x), 1))


class _Block(nn.Module):
    """ResNet's basic block: two 3x3 conv-BN, a shortcut (1x1 conv-BN when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class SmallResNet(nn.Module):
    """7x7/2 stem -> BN -> ReLU -> pool 3x3/2 pad 1 -> block -> block/2 -> GAP -> linear.

    Inputs whose short side is under ``RESNET_MIN_SIDE`` are first upsampled by the smallest
    integer factor that reaches it (nearest neighbour, inside the model).

    Shape: ``(N, C, H, W) -> (N, num_classes)``.
    """

    def __init__(
        self,
        pool: str,
        image_shape: tuple[int, int, int],
        num_classes: int,
        widths: tuple[int, int] = (16, 32),
        *,
        lp_norm: float = 2.0,
        backend: str = "poolkit",
    ) -> None:
        super().__init__()
        channels, height, width = image_shape
        factor = max(1, math.ceil(RESNET_MIN_SIDE / min(height, width)))
        self.upsample = nn.Upsample(scale_factor=factor) if factor > 1 else nn.Identity()
        c1, c2 = widths
        self.stem = nn.Sequential(
            nn.Conv2d(channels, c1, 7, 2, 3, bias=False),
            nn.BatchNorm2d(c1),
            nn.ReLU(inplace=True),
            make_pool(pool, c1, 3, 2, 1, lp_norm=lp_norm, backend=backend),
        )
        self.stage1 = _Block(c1, c1, 1)
        self.stage2 = _Block(c1, c2, 2)
        self.head = nn.Sequential(make_global_avg_pool(backend), nn.Linear(c2, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stage2(self.stage1(self.stem(self.upsample(x)))))


def build_model(
    model: str,
    pool: str,
    image_shape: tuple[int, int, int],
    num_classes: int,
    *,
    lp_norm: float = 2.0,
    backend: str = "poolkit",
) -> nn.Module:
    """One of :data:`MODELS` with the given down-sampling (see :func:`make_pool`)."""
    classes = {"articles": ArticlesNet, "resnet": SmallResNet}
    if model not in classes:
        raise PoolingError(f"model: got {model!r}, expected one of {', '.join(MODELS)}")
    return classes[model](pool, tuple(image_shape), num_classes, lp_norm=lp_norm, backend=backend)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters (pooling layers have none)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def count_macs(model: nn.Module, image_shape: tuple[int, int, int]) -> int:
    """Multiply-accumulates of the convolutions and linear layers for one image.

    Pooling's own comparisons/additions (about one per input element) are not counted: they are
    what pooling saves downstream, not a cost of the same order.
    """
    total = 0

    def conv_hook(layer, _inputs, output):
        nonlocal total
        kernel = layer.weight.shape[1] * layer.weight.shape[2] * layer.weight.shape[3]
        total += output[0].numel() * kernel

    def linear_hook(layer, _inputs, output):
        nonlocal total
        total += output[0].numel() * layer.in_features

    handles = []
    for layer in model.modules():
        if isinstance(layer, nn.Conv2d):
            handles.append(layer.register_forward_hook(conv_hook))
        elif isinstance(layer, nn.Linear):
            handles.append(layer.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, *image_shape))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return int(total)


def predict_proba(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities: the softmax of the network's logits."""
    return torch.softmax(model(x), dim=1)
