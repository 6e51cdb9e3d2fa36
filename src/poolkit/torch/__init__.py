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

globals().update(MODULES)

__all__ = sorted([*MODULES, "force_composition", "functional"])
