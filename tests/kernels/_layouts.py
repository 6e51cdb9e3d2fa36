"""Test inputs in every memory order the kernels meet (shared by the kernel tests)."""

from __future__ import annotations

import numpy as np


def as_layout(base: np.ndarray, layout: str) -> np.ndarray:
    """A channels-first view of ``base``'s values with the memory order ``layout``:
    ``channels_first`` (``base`` itself), ``channels_last`` or ``strided``."""
    if layout == "channels_first":
        return base
    if layout == "channels_last":
        return np.moveaxis(np.ascontiguousarray(np.moveaxis(base, 1, -1)), -1, 1)
    # strided: every other element of a larger array, read backwards along the batch axis
    big = np.zeros(tuple(2 * s for s in base.shape), dtype=base.dtype)
    big[tuple(slice(None, None, 2) for _ in base.shape)] = base[::-1]
    return big[tuple(slice(None, None, 2) for _ in base.shape)][::-1]
