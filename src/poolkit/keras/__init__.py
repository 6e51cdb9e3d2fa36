"""poolkit's pooling as Keras 3 layers and ops on the active backend's native ops.

Importing this imports keras (``import poolkit`` alone does not).
"""

from poolkit.keras import ops as ops
from poolkit.keras.layers import *  # noqa: F403
from poolkit.keras.layers import __all__ as _layers

__all__ = ["ops", *_layers]
