"""PyTorch front end: drop-in ``torch.nn`` pooling layers on poolkit's CPU kernels.

The only place poolkit imports torch. Layers with torch.nn's names and signatures
(``MaxPool2d``, ``AvgPool2d``, ``LPPool2d``, ``AdaptiveMaxPool2d``, ``AdaptiveAvgPool2d``,
``MaxUnpool2d`` and their 1d/3d siblings) plus ``SumPool*``, ``GlobalMaxPool*`` and
``GlobalAvgPool*``; :mod:`poolkit.torch.functional` has every operator of the NumPy API.

>>> import torch
>>> from poolkit.torch import MaxPool2d, GlobalAvgPool2d
>>> x = torch.rand(2, 3, 8, 8, requires_grad=True)
>>> y = GlobalAvgPool2d()(MaxPool2d(3, 2, padding="same")(x))
>>> y.shape
torch.Size([2, 3])
>>> y.sum().backward(); x.grad.shape
torch.Size([2, 3, 8, 8])
"""

from poolkit.torch import functional as functional
from poolkit.torch._bridge import force_composition as force_composition
from poolkit.torch.modules import MODULES
from poolkit.torch.replace import replace_pooling as replace_pooling

globals().update(MODULES)


def _register_onnx() -> None:
    # The TorchScript ONNX exporter finds the custom operators' standard-node symbolics here;
    # an exporter that cannot take them must not stop poolkit.torch from importing.
    try:
        from poolkit.torch import _onnx

        _onnx.register()
    except Exception as error:  # pragma: no cover - depends on the installed torch.onnx
        import warnings

        warnings.warn(f"poolkit.torch: ONNX symbolics not registered ({error})", stacklevel=2)


_register_onnx()

__all__ = sorted([*MODULES, "force_composition", "functional", "replace_pooling"])
