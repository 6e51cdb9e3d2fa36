"""poolkit: pooling for convolutional networks, exact to every framework's convention.

NumPy in, NumPy out: ``max_pool{1,2,3}d``, ``avg_pool*``, ``sum_pool*``, ``lp_pool*``,
``global_*_pool*``, ``adaptive_*_pool*``, ``max_unpool*``, ``upsample_nearest*``, each with a
``*_backward``; PyTorch layers live in :mod:`poolkit.torch` (imported only when asked for).

>>> import numpy as np, poolkit
>>> x = np.array([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0],
...               [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]], dtype=np.float32)[None, None]
>>> poolkit.max_pool2d(x, 3, ceil_mode=True)[0, 0].tolist()
[[2.0, 3.0], [5.0, 1.0]]
"""

from poolkit import limits as limits
from poolkit.api import OPERATORS
from poolkit.errors import PoolingError as PoolingError
from poolkit.geometry import Window as Window
from poolkit.geometry import resolve as resolve
from poolkit.indices import convert_indices as convert_indices

globals().update(OPERATORS)

__version__ = "0.1.0"

# Every public operator name is generated per dimension in poolkit.api (one definition for the
# 1-, 2- and 3-d families); the list below is therefore built, but it is exactly that set.
__all__ = sorted(
    [*OPERATORS, "PoolingError", "Window", "convert_indices", "limits", "resolve", "__version__"]
)
