"""``poolkit.dask``: the NumPy API's pooling on dask arrays, lazily, chunk by chunk.

Every function takes a ``dask.array.Array`` and returns one; nothing runs before
``.compute()`` (or ``client.compute``), and the result is bit-identical to the NumPy API's on
the whole array, for every chunking. Windowed pooling reads, per output block, the input its
windows cover (stride-aligned slices with the ``(k-1)*d + 1 - s`` halo) and pools it with the
NumPy API under that block's share of the pads and ceil-mode rule (see
:mod:`poolkit.dask._driver`); global and adaptive pooling rechunk the spatial dims whole.
Zarr stores come in through ``dask.array.from_zarr``. Importing :mod:`poolkit` never imports
dask; the NumPy API refuses dask and zarr arrays (it would load them) and names this module.
"""

from __future__ import annotations

import poolkit

from . import _api
from ._pyramid import pyramid, write_ome_zarr


def pool(
    x,
    reducer,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    *,
    axes,
    count_include_pad=None,
    p=2.0,
    mode="constant",
    cval=None,
):
    """:func:`poolkit.pool` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments (every reducer, ``mode`` for label images included). Border modes other
    than ``"constant"`` (``edge``, ``reflect``, ``symmetric``, ``wrap``: numpy.pad's names
    and borders, even where a pad is longer than the axis) gather the padded positions with
    ``take`` and then pool without pads.

    Shape:
        ``x.shape`` with each pooled axis ``L`` replaced by
        ``floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> img = da.from_array(np.arange(16).reshape(4, 4), chunks=3)
        >>> poolkit.dask.pool(img, "max", 2, axes=(0, 1)).compute().tolist()
        [[5, 7], [13, 15]]
    """
    return _api.pool(
        x,
        reducer,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        axes,
        count_include_pad,
        p,
        mode,
        cval,
    )


def max_pool1d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
    data_format="channels_first",
):
    """:func:`poolkit.max_pool1d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.max_pool1d(x, 2).compute().shape
        (1, 1, 3)
    """
    return _api.windowed(
        poolkit.max_pool1d,
        "max",
        1,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        return_indices=return_indices,
    )


def max_pool2d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
    data_format="channels_first",
):
    """:func:`poolkit.max_pool2d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.max_pool2d(x, 2).compute().shape
        (1, 1, 3, 3)
    """
    return _api.windowed(
        poolkit.max_pool2d,
        "max",
        2,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        return_indices=return_indices,
    )


def max_pool3d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
    data_format="channels_first",
):
    """:func:`poolkit.max_pool3d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.max_pool3d(x, 2).compute().shape
        (1, 1, 3, 3, 3)
    """
    return _api.windowed(
        poolkit.max_pool3d,
        "max",
        3,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        return_indices=return_indices,
    )


def avg_pool1d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    count_include_pad=None,
    divisor_override=None,
    data_format="channels_first",
):
    """:func:`poolkit.avg_pool1d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.avg_pool1d(x, 2).compute().shape
        (1, 1, 3)
    """
    return _api.windowed(
        poolkit.avg_pool1d,
        "avg",
        1,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def avg_pool2d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    count_include_pad=None,
    divisor_override=None,
    data_format="channels_first",
):
    """:func:`poolkit.avg_pool2d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.avg_pool2d(x, 2).compute().shape
        (1, 1, 3, 3)
    """
    return _api.windowed(
        poolkit.avg_pool2d,
        "avg",
        2,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def avg_pool3d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    count_include_pad=None,
    divisor_override=None,
    data_format="channels_first",
):
    """:func:`poolkit.avg_pool3d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.avg_pool3d(x, 2).compute().shape
        (1, 1, 3, 3, 3)
    """
    return _api.windowed(
        poolkit.avg_pool3d,
        "avg",
        3,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def sum_pool1d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    data_format="channels_first",
):
    """:func:`poolkit.sum_pool1d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.sum_pool1d(x, 2).compute().shape
        (1, 1, 3)
    """
    return _api.windowed(
        poolkit.sum_pool1d,
        "sum",
        1,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
    )


def sum_pool2d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    data_format="channels_first",
):
    """:func:`poolkit.sum_pool2d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.sum_pool2d(x, 2).compute().shape
        (1, 1, 3, 3)
    """
    return _api.windowed(
        poolkit.sum_pool2d,
        "sum",
        2,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
    )


def sum_pool3d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    data_format="channels_first",
):
    """:func:`poolkit.sum_pool3d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.sum_pool3d(x, 2).compute().shape
        (1, 1, 3, 3, 3)
    """
    return _api.windowed(
        poolkit.sum_pool3d,
        "sum",
        3,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
    )


def lp_pool1d(
    x,
    p,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    data_format="channels_first",
):
    """:func:`poolkit.lp_pool1d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.lp_pool1d(x, 2.0, 2).compute().shape
        (1, 1, 3)
    """
    return _api.windowed(
        poolkit.lp_pool1d,
        "lp",
        1,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        p=p,
    )


def lp_pool2d(
    x,
    p,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    data_format="channels_first",
):
    """:func:`poolkit.lp_pool2d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.lp_pool2d(x, 2.0, 2).compute().shape
        (1, 1, 3, 3)
    """
    return _api.windowed(
        poolkit.lp_pool2d,
        "lp",
        2,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        p=p,
    )


def lp_pool3d(
    x,
    p,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    data_format="channels_first",
):
    """:func:`poolkit.lp_pool3d` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.lp_pool3d(x, 2.0, 2).compute().shape
        (1, 1, 3, 3, 3)
    """
    return _api.windowed(
        poolkit.lp_pool3d,
        "lp",
        3,
        x,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        data_format,
        p=p,
    )


def global_max_pool1d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_max_pool1d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.global_max_pool1d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_max_pool1d,
        "max",
        1,
        x,
        keepdims,
        data_format,
    )


def global_max_pool2d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_max_pool2d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.global_max_pool2d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_max_pool2d,
        "max",
        2,
        x,
        keepdims,
        data_format,
    )


def global_max_pool3d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_max_pool3d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.global_max_pool3d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_max_pool3d,
        "max",
        3,
        x,
        keepdims,
        data_format,
    )


def global_avg_pool1d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_avg_pool1d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.global_avg_pool1d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_avg_pool1d,
        "avg",
        1,
        x,
        keepdims,
        data_format,
    )


def global_avg_pool2d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_avg_pool2d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.global_avg_pool2d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_avg_pool2d,
        "avg",
        2,
        x,
        keepdims,
        data_format,
    )


def global_avg_pool3d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_avg_pool3d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.global_avg_pool3d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_avg_pool3d,
        "avg",
        3,
        x,
        keepdims,
        data_format,
    )


def global_sum_pool1d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_sum_pool1d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.global_sum_pool1d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_sum_pool1d,
        "sum",
        1,
        x,
        keepdims,
        data_format,
    )


def global_sum_pool2d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_sum_pool2d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.global_sum_pool2d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_sum_pool2d,
        "sum",
        2,
        x,
        keepdims,
        data_format,
    )


def global_sum_pool3d(
    x,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_sum_pool3d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.global_sum_pool3d(x).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_sum_pool3d,
        "sum",
        3,
        x,
        keepdims,
        data_format,
    )


def global_lp_pool1d(
    x,
    p,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_lp_pool1d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.global_lp_pool1d(x, 2.0).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_lp_pool1d,
        "lp",
        1,
        x,
        keepdims,
        data_format,
        p=p,
    )


def global_lp_pool2d(
    x,
    p,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_lp_pool2d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.global_lp_pool2d(x, 2.0).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_lp_pool2d,
        "lp",
        2,
        x,
        keepdims,
        data_format,
        p=p,
    )


def global_lp_pool3d(
    x,
    p,
    keepdims=False,
    data_format="channels_first",
):
    """:func:`poolkit.global_lp_pool3d` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.global_lp_pool3d(x, 2.0).compute().shape
        (1, 1)
    """
    return _api.global_(
        poolkit.global_lp_pool3d,
        "lp",
        3,
        x,
        keepdims,
        data_format,
        p=p,
    )


def adaptive_max_pool1d(
    x,
    output_size,
    return_indices=False,
    data_format="channels_first",
):
    """:func:`poolkit.adaptive_max_pool1d` on a dask array, lazily; bit-identical to it.

    PyTorch's bins can straddle any chunking, so the spatial dims are rechunked whole (batch
    and channel chunks kept) and each block is pooled by the NumPy API.

    Shape:
        ``(N, C, *spatial) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.adaptive_max_pool1d(x, 2).compute().shape
        (1, 1, 2)
    """
    return _api.adaptive(
        poolkit.adaptive_max_pool1d,
        "max",
        1,
        x,
        output_size,
        return_indices,
        data_format,
    )


def adaptive_max_pool2d(
    x,
    output_size,
    return_indices=False,
    data_format="channels_first",
):
    """:func:`poolkit.adaptive_max_pool2d` on a dask array, lazily; bit-identical to it.

    PyTorch's bins can straddle any chunking, so the spatial dims are rechunked whole (batch
    and channel chunks kept) and each block is pooled by the NumPy API.

    Shape:
        ``(N, C, *spatial) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.adaptive_max_pool2d(x, 2).compute().shape
        (1, 1, 2, 2)
    """
    return _api.adaptive(
        poolkit.adaptive_max_pool2d,
        "max",
        2,
        x,
        output_size,
        return_indices,
        data_format,
    )


def adaptive_max_pool3d(
    x,
    output_size,
    return_indices=False,
    data_format="channels_first",
):
    """:func:`poolkit.adaptive_max_pool3d` on a dask array, lazily; bit-identical to it.

    PyTorch's bins can straddle any chunking, so the spatial dims are rechunked whole (batch
    and channel chunks kept) and each block is pooled by the NumPy API.

    Shape:
        ``(N, C, *spatial) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.adaptive_max_pool3d(x, 2).compute().shape
        (1, 1, 2, 2, 2)
    """
    return _api.adaptive(
        poolkit.adaptive_max_pool3d,
        "max",
        3,
        x,
        output_size,
        return_indices,
        data_format,
    )


def adaptive_avg_pool1d(
    x,
    output_size,
    data_format="channels_first",
):
    """:func:`poolkit.adaptive_avg_pool1d` on a dask array, lazily; bit-identical to it.

    PyTorch's bins can straddle any chunking, so the spatial dims are rechunked whole (batch
    and channel chunks kept) and each block is pooled by the NumPy API.

    Shape:
        ``(N, C, *spatial) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6), chunks=4)
        >>> poolkit.dask.adaptive_avg_pool1d(x, 2).compute().shape
        (1, 1, 2)
    """
    return _api.adaptive(
        poolkit.adaptive_avg_pool1d,
        "avg",
        1,
        x,
        output_size,
        False,
        data_format,
    )


def adaptive_avg_pool2d(
    x,
    output_size,
    data_format="channels_first",
):
    """:func:`poolkit.adaptive_avg_pool2d` on a dask array, lazily; bit-identical to it.

    PyTorch's bins can straddle any chunking, so the spatial dims are rechunked whole (batch
    and channel chunks kept) and each block is pooled by the NumPy API.

    Shape:
        ``(N, C, *spatial) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6), chunks=4)
        >>> poolkit.dask.adaptive_avg_pool2d(x, 2).compute().shape
        (1, 1, 2, 2)
    """
    return _api.adaptive(
        poolkit.adaptive_avg_pool2d,
        "avg",
        2,
        x,
        output_size,
        False,
        data_format,
    )


def adaptive_avg_pool3d(
    x,
    output_size,
    data_format="channels_first",
):
    """:func:`poolkit.adaptive_avg_pool3d` on a dask array, lazily; bit-identical to it.

    PyTorch's bins can straddle any chunking, so the spatial dims are rechunked whole (batch
    and channel chunks kept) and each block is pooled by the NumPy API.

    Shape:
        ``(N, C, *spatial) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones((1, 1, 6, 6, 6), chunks=4)
        >>> poolkit.dask.adaptive_avg_pool3d(x, 2).compute().shape
        (1, 1, 2, 2, 2)
    """
    return _api.adaptive(
        poolkit.adaptive_avg_pool3d,
        "avg",
        3,
        x,
        output_size,
        False,
        data_format,
    )


__all__ = [
    *sorted(name for name in dir() if name.endswith("d") and "_pool" in name),
    "pool",
    "pyramid",
    "write_ome_zarr",
]
