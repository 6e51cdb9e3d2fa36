"""``poolkit.pool``: pooling along chosen axes of an array of any rank.

Images ``(H, W)`` and ``(H, W, 3)``, volumes ``(Z, Y, X)`` and stacks ``(T, Z, Y, X, C)`` are
pooled where they lie: the geometry is :func:`poolkit.geometry.resolve`'s (every padding
spelling of the windowed API), and the work is done by the kernels behind ``max_pool{1,2,3}d``
and friends. The axes before the first pooled axis fold into their batch axis and those after
the last into their channel axis (reshapes that are views for contiguous input); non-pooled
axes between pooled ones ride along as spatial axes of kernel 1 while at most 3 spatial axes
are needed, and are moved out of the way (a copy) otherwise.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from poolkit import _dispatch
from poolkit._args import _is_sequence, as_int, check_bool, check_optional_bool, check_p, describe
from poolkit._layout import as_array
from poolkit.api import Padding, Size
from poolkit.errors import PoolingError
from poolkit.geometry import Axis, Window, resolve
from poolkit.limits import check_allocation
from poolkit.ops import default_count_include_pad
from poolkit.reducers import accumulate_dtype, result_dtype

REDUCERS = ("max", "min", "avg", "sum", "lp", "mode")

#: Border modes, named as ``numpy.pad`` names them.
BORDER_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")

#: scipy.ndimage's names that are not numpy.pad's, and the numpy.pad name that means the
#: same border (scipy's "reflect" is numpy's "symmetric", scipy's "mirror" numpy's "reflect").
SCIPY_MODES = {
    "mirror": "reflect",
    "nearest": "edge",
    "grid-wrap": "wrap",
    "grid-mirror": "symmetric",
    "grid-constant": "constant",
}

#: The kernels' reducer for each public one (min runs as max of the order-reversed input).
_KERNEL_REDUCER = {"max": "max", "min": "max", "avg": "avg", "sum": "sum", "lp": "lp"}


def pool(
    x: ArrayLike,
    reducer: str,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Padding = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
    *,
    axes: int | tuple[int, ...],
    count_include_pad: bool | None = None,
    p: float = 2.0,
    mode: str = "constant",
    cval: float | None = None,
) -> NDArray[Any]:
    """Pool the ``axes`` of an array of any rank; every other axis is kept as it is.

    ``reducer`` is ``"max"``, ``"min"``, ``"avg"``, ``"sum"``, ``"lp"`` (``(sum |x|^p)^(1/p)``)
    or ``"mode"`` (the most frequent value, for bool and integer label images; ties go to the
    smallest label). ``kernel_size``, ``stride`` (``None``: the kernel size) and ``dilation``
    take an int or one value per axis of ``axes``, in that order; ``padding`` every spelling
    of the windowed API (ints, per-axis ``(lo, hi)`` pairs, ``"valid"``, ``"same"``,
    ``"same_lower"``) and ``ceil_mode`` PyTorch's rule.

    ``mode`` says what the pads hold, named as ``numpy.pad`` names it: ``"constant"``
    (``cval``), ``"edge"``, ``"reflect"`` (the edge not repeated, like torch's reflection
    pad), ``"symmetric"`` (the edge repeated) or ``"wrap"``. scipy.ndimage calls
    ``"symmetric"`` "reflect" and ``"reflect"`` "mirror" (and ``"edge"`` "nearest"): its
    names that differ are refused with the numpy name to use. With ``cval=None`` the pads are
    not data, as in the windowed API: they never win a max, min or mode, add nothing to a sum
    or Lp norm, and count in an average's divisor only with ``count_include_pad`` (default:
    True for numeric padding, False for the padding strings). With a ``cval``, or any other
    mode, the pads are values like the input's and every average counts them.

    Dtypes are the windowed API's: max, min and mode keep the dtype, sums of integers are
    int64, avg and lp are floats (float64 for integers). The input is never modified; only
    border modes other than ``constant`` without ``cval``, ``min`` and layouts whose axes
    cannot fold into views copy it. More than 3 pooled axes run as passes of up to 3 axes
    (exact for max and min; sums, averages and Lp accumulate in float64 between passes);
    mode pools at most 3 axes. The result is C-contiguous (Fortran-contiguous for a
    Fortran-ordered ``x``).

    Shape:
        ``x.shape`` with each pooled axis ``L`` replaced by
        ``floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``.

    Example:
        >>> import numpy as np, poolkit
        >>> img = np.arange(16).reshape(4, 4)
        >>> poolkit.pool(img, "max", 2, axes=(0, 1)).tolist()
        [[5, 7], [13, 15]]
        >>> rgb = np.zeros((6, 8, 3), dtype=np.uint8)
        >>> poolkit.pool(rgb, "avg", 3, 1, "same", axes=(0, 1), mode="reflect").shape
        (6, 8, 3)
    """
    if not isinstance(reducer, str) or reducer not in REDUCERS:
        raise PoolingError(f"reducer must be one of {REDUCERS}; got {describe(reducer)}")
    array = as_array(x, reducer)
    if reducer == "mode" and array.dtype.kind not in "biu":
        raise PoolingError(
            f"mode pooling takes bool or integer labels; got dtype {array.dtype} (the most "
            f"frequent float is rarely meaningful: round or cast the labels first, e.g. "
            f"x.astype(np.int64))"
        )
    axes_t = _check_axes(axes, array.shape)
    border = _check_mode(mode)
    ceil = check_bool(ceil_mode, "ceil_mode")
    include = check_optional_bool(count_include_pad, "count_include_pad")
    if reducer == "lp":
        p = check_p(p)
    fill = _check_cval(cval, border, array.dtype)
    window = resolve_on_axes(
        array.shape, axes, axes_t, kernel_size, stride, padding, dilation, ceil
    )
    pads_are_data = border != "constant" or fill is not None
    if reducer == "avg" and pads_are_data and include is False:
        raise PoolingError(
            f"count_include_pad=False leaves the pads out of the average, but with "
            f"mode={mode!r} and cval={cval!r} the pads hold values; pass "
            f"count_include_pad=None (or True), or mode='constant' without cval"
        )
    if reducer in ("sum", "avg", "lp") and border == "constant" and _is_plus_zero(fill):
        # Zeros add nothing to a sum or an Lp norm: the kernels' own zero pads give the same
        # result without a padded copy (an average then counts them, as every cval counts).
        pads_are_data, include = False, True
    options: dict = {}
    if reducer == "avg":
        cip = True if pads_are_data else default_count_include_pad(include, padding)
        options = {"count_include_pad": cip, "divisor_override": None}
    elif reducer == "lp":
        options = {"p": p}
    shape_out = list(array.shape)
    for a, ax in zip(axes_t, window.axes, strict=True):
        shape_out[a] = ax.out
    check_allocation(
        shape_out,
        result_dtype(_KERNEL_REDUCER.get(reducer, "max"), array.dtype),
        because=lambda: (
            f"kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}, "
            f"dilation={dilation!r} on axes {axes_t} of shape {array.shape}"
        ),
    )
    if pads_are_data:
        array, window = _pad(array, window, axes_t, border, fill)
    if array.ndim > 1 and array.flags.f_contiguous and not array.flags.c_contiguous:
        # Fortran order (tinybrain's and many volume readers'): pool the transpose, a
        # C-contiguous view, so the kernels run along memory instead of across it; the
        # result comes back in Fortran order too, as NumPy's ufuncs keep a layout.
        flipped = tuple(array.ndim - 1 - a for a in axes_t)
        return np.asfortranarray(_reduce(array.T, reducer, window, flipped, options).T)
    out = _reduce(array, reducer, window, axes_t, options)
    return np.ascontiguousarray(out)


# --------------------------------------------------------------------------- arguments


def _check_axes(axes, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``axes`` as distinct non-negative ints, in the caller's order."""
    ndim = len(shape)
    allowed = f"an int or a non-empty tuple of distinct ints in [-{ndim}, {ndim})"
    single = as_int(axes)
    if single is not None:
        items: tuple = (single,)
    elif _is_sequence(axes):
        items = tuple(as_int(a) for a in axes)
    else:
        items = ()
    if not items or any(a is None for a in items):
        raise PoolingError(
            f"axes must be {allowed} (the axes to pool of x, shape {shape}); got {describe(axes)}"
        )
    for a in items:
        if not -ndim <= a < ndim:
            raise PoolingError(
                f"axes must be {allowed}; got {describe(axes)}, but x has {ndim} dims "
                f"(shape {shape}), so axis {a} is out of range"
            )
    normal = tuple(a % ndim for a in items)
    if len(set(normal)) != len(normal):
        raise PoolingError(
            f"axes must be {allowed}; got {describe(axes)}, which names an axis twice "
            f"(as {normal} for x of shape {shape}); give each axis once"
        )
    for a in normal:
        if shape[a] == 0:
            raise PoolingError(
                f"x must have non-empty pooled axes; got shape {shape}, whose axis {a} "
                f"(in axes={describe(axes)}) has size 0"
            )
    return normal


def resolve_on_axes(shape, axes, axes_t, kernel_size, stride, padding, dilation, ceil) -> Window:
    """:func:`resolve` over the pooled axes ``axes_t`` of ``shape``; errors name ``axes``."""
    spatial = tuple(shape[a] for a in axes_t)
    try:
        return resolve(spatial, kernel_size, stride, padding, dilation, ceil)
    except PoolingError as error:
        raise PoolingError(f"{error} (spatial dim i is axis axes[i] of x, axes={axes!r})") from None


def _check_mode(mode) -> str:
    allowed = f"one of {BORDER_MODES} (numpy.pad's names)"
    key = mode.lower() if isinstance(mode, str) else mode
    if isinstance(key, str) and key in SCIPY_MODES:
        raise PoolingError(
            f"mode must be {allowed}; got {mode!r}, scipy.ndimage's name for what numpy.pad "
            f"calls {SCIPY_MODES[key]!r}: pass mode={SCIPY_MODES[key]!r} (careful: scipy's "
            f"'reflect' is numpy's 'symmetric')"
        )
    if key not in BORDER_MODES:
        raise PoolingError(f"mode must be {allowed}; got {describe(mode)}")
    return key


def _check_cval(cval, border: str, dtype: np.dtype):
    """``None``, or ``cval`` as a scalar of ``dtype`` (refused where it would change)."""
    if cval is None:
        return None
    if border != "constant":
        raise PoolingError(
            f"cval is the pads' value with mode='constant'; got cval={describe(cval)} with "
            f"mode={border!r}, whose pads come from the input: drop cval or use mode='constant'"
        )
    if isinstance(cval, np.ndarray) and cval.ndim == 0:
        cval = cval[()]
    if isinstance(cval, bool | np.bool_):
        cval = int(cval)
    if not isinstance(cval, int | float | np.integer | np.floating):
        raise PoolingError(f"cval must be None or a real number; got {describe(cval)}")
    if dtype.kind == "f":
        return dtype.type(cval)
    whole = as_int(cval)
    if whole is None and math.isfinite(cval) and float(cval).is_integer():
        whole = int(cval)
    bounds = (0, 1) if dtype.kind == "b" else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
    if whole is None or not bounds[0] <= whole <= bounds[1]:
        raise PoolingError(
            f"cval must be a value of x's dtype {dtype}, an integer in [{bounds[0]}, "
            f"{bounds[1]}]; got cval={describe(cval)} (cast x first, e.g. "
            f"x.astype(np.float64), to pad with it)"
        )
    return dtype.type(whole)


def _is_plus_zero(fill) -> bool:
    return fill is not None and fill == 0 and not np.signbit(fill)


# --------------------------------------------------------------------------- the work


def _pad(array: np.ndarray, window: Window, axes: tuple[int, ...], border: Any, fill: Any):
    """``array`` padded along ``axes`` (a copy) and the same windows over it without pads."""
    width = [(0, 0)] * array.ndim
    for a, ax in zip(axes, window.axes, strict=True):
        width[a] = (ax.lo, ax.hi)
    check_allocation(
        [size + lo + hi for size, (lo, hi) in zip(array.shape, width, strict=True)],
        array.dtype,
        because=lambda: f"padding {tuple(window.pads)} with mode={border!r} (a padded copy)",
    )
    if border == "constant":
        padded = np.pad(array, width, mode="constant", constant_values=fill)
    else:
        padded = np.pad(array, width, mode=border)
    # Same windows (same starts, counts and ceil-mode overhang), now over the padded input:
    # built directly, so PyTorch's last-window rule keeps the original count of windows.
    ceil = window.axes[0].ceil_mode
    bare = tuple(
        Axis(ax.length + ax.lo + ax.hi, ax.kernel, ax.stride, ax.dilation, 0, 0, ceil, ax.out)
        for ax in window.axes
    )
    return padded, Window(bare)


def _reverse(a: np.ndarray) -> np.ndarray:
    """An order-reversing copy: ``-a`` for floats (NaN stays NaN), ``~a`` for integers and
    bools, which reverses their order exactly (``-a`` would wrap at the most negative int)."""
    return np.negative(a) if a.dtype.kind == "f" else np.invert(a)


def _reduce(array, reducer: str, window: Window, axes: tuple[int, ...], options: dict):
    order = sorted(range(len(axes)), key=lambda i: axes[i])
    axes_s = tuple(axes[i] for i in order)
    geo = tuple(window.axes[i] for i in order)
    if reducer == "min":
        return _reverse(_reduce(_reverse(array), "max", window, axes, options))
    if len(axes_s) <= 3:
        return _pool_le3(array, reducer, geo, axes_s, options)
    if reducer == "mode":
        raise PoolingError(
            f"mode pooling takes at most 3 axes; got {len(axes_s)} (axes={axes}): the most "
            f"frequent value of a box is not the most frequent of per-axis ones"
        )
    # A box is the Cartesian product of its per-axis taps, and max, sums and products of
    # per-axis divisors factor over it: pool 3 axes at a time, each pass its own geometry.
    final = result_dtype(reducer, array.dtype)
    if reducer == "lp":
        p = options["p"]
        magnitude = np.abs(array.astype(np.float64))
        if math.isinf(p):
            return _passes(magnitude, "max", geo, axes_s, {}).astype(final, copy=False)
        total = _passes(magnitude**p, "sum", geo, axes_s, {})
        return (total ** (1.0 / p)).astype(final, copy=False)
    if reducer in ("sum", "avg"):
        array = array.astype(accumulate_dtype(reducer, array.dtype), copy=False)
    return _passes(array, reducer, geo, axes_s, options).astype(final, copy=False)


def _passes(array, reducer, geo, axes_s, options):
    for i in range(0, len(axes_s), 3):
        array = _pool_le3(array, reducer, geo[i : i + 3], axes_s[i : i + 3], options)
    return array


def _trivial(length: int) -> Axis:
    return Axis(length, 1, 1, 1, 0, 0, False, length)


def _pool_le3(array, reducer, geo: tuple[Axis, ...], axes_s: tuple[int, ...], options):
    """Pool up to 3 sorted ``axes_s`` of ``array`` with the kernels (``geo``: their axes)."""
    first, last = axes_s[0], axes_s[-1]
    if last - first + 1 > 3:
        # Non-pooled axes between pooled ones, too many to ride along: move them before the
        # first pooled axis (the batch fold), pool, and move them back.
        inner = [a for a in range(first, last + 1) if a not in axes_s]
        perm = list(range(first)) + inner + list(axes_s) + list(range(last + 1, array.ndim))
        moved = np.transpose(array, perm)
        start = first + len(inner)
        out = _pool_le3(moved, reducer, geo, tuple(range(start, start + len(axes_s))), options)
        return np.transpose(out, np.argsort(perm))
    by_axis = dict(zip(axes_s, geo, strict=True))
    span = range(first, last + 1)
    window = Window(tuple(by_axis.get(a) or _trivial(array.shape[a]) for a in span))
    lead, trail = array.shape[:first], array.shape[last + 1 :]
    folded = array.reshape(math.prod(lead), *array.shape[first : last + 1], math.prod(trail))
    view = np.moveaxis(folded, -1, 1)  # (N, C, *spatial): channels-last memory when C > 1
    if reducer == "mode":
        from poolkit.kernels import _drivers

        out = _drivers.mode_forward(view, window)
    else:
        out = _dispatch.window_forward(reducer, view, window, **options)
    return np.moveaxis(out, 1, -1).reshape(*lead, *window.output_shape, *trail)
