"""Reducers: what each pooling kind does with a window, apart from where the window lies.

A reducer knows its identity for a dtype (max: the dtype's minimum, never a hard-coded float
-inf; sum: 0), the dtype it returns and accumulates in, and how it finishes (avg divides by the
divisor the geometry supplies, lp takes the p-th root). Gradients live beside the algorithms
that compute them (the reference and the kernels), which all follow the rules stated here.
"""

from __future__ import annotations

import numpy as np

from poolkit.errors import PoolingError

REDUCERS = ("max", "sum", "avg", "lp")


def check_dtype(x: np.ndarray, reducer: str, name: str = "x") -> None:
    """Pooling is for real numbers: bool, integers and floats; never complex or objects."""
    if x.dtype.kind not in "biuf":
        raise PoolingError(
            f"{name} must have a bool, integer or floating dtype; got dtype {x.dtype} "
            f"({reducer} pooling of complex, string, object or datetime data is not defined)"
        )
    if is_extended_float(x.dtype) and reducer not in EXACT_FOR_ANY_FLOAT:
        raise PoolingError(
            f"{name} has dtype {x.dtype}, which {reducer} computes only in float64 at most; "
            f"cast it first ({name}.astype(np.float64)) if float64 precision is enough "
            f"(max and min pooling, unpooling and upsampling take {x.dtype} exactly)"
        )


#: Operations that only move or compare values, so they are exact in any float type.
EXACT_FOR_ANY_FLOAT = ("max", "min", "mode", "max_unpool", "upsample")


def is_extended_float(dtype) -> bool:
    """True for ``np.longdouble`` where it is wider than float64 (x86's 80-bit extended).

    The kernels compute in float64 at most and the reference sums in float64, so only
    operations in :data:`EXACT_FOR_ANY_FLOAT` take such input (through the reference).
    """
    dtype = np.dtype(dtype)
    return dtype.kind == "f" and dtype.itemsize > 8


def identity(reducer: str, dtype: np.dtype):
    """The value padding takes so it never changes the result.

    >>> identity("max", np.dtype(np.int8)), identity("max", np.dtype(np.float32))
    (np.int8(-128), np.float32(-inf))
    """
    dtype = np.dtype(dtype)
    if reducer == "max":
        if dtype.kind == "f":
            return dtype.type(-np.inf)
        if dtype.kind == "b":
            return np.False_
        return dtype.type(np.iinfo(dtype).min)
    return dtype.type(0)


def result_dtype(reducer: str, dtype: np.dtype) -> np.dtype:
    """The dtype a reducer returns for input ``dtype``.

    max keeps the dtype (int and bool included); sum of bools and integers accumulates in int64
    (uint64 stays uint64); avg and lp return the input's float type, float64 for integers.
    """
    dtype = np.dtype(dtype)
    if reducer == "max":
        return dtype
    if reducer == "sum":
        if dtype.kind in "bi" or (dtype.kind == "u" and dtype.itemsize < 8):
            return np.dtype(np.int64)
        return dtype
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def accumulate_dtype(reducer: str, dtype: np.dtype) -> np.dtype:
    """The dtype sums are carried in: float64 for every float (PyTorch's CPU ``acc_type``
    for float is double too), int64/uint64 for integers."""
    out = result_dtype(reducer, dtype)
    return np.dtype(np.float64) if out.kind == "f" else out


def check_reducer(reducer: str) -> str:
    if reducer not in REDUCERS:
        raise PoolingError(f"reducer must be one of {REDUCERS}; got {reducer!r}")
    return reducer
