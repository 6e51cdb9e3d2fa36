"""Write src/poolkit/dask/__init__.py: one thin ``def`` per public name of poolkit.dask,
each calling the driver of its family in poolkit/dask/_api.py with the NumPy function.

Run ``python scripts/generate_dask_api.py``; tests/dask/test_dask_generated.py checks the
file is current.
"""

# ruff: noqa: E501  (the header and the signatures are kept as the lines they write)
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "src" / "poolkit" / "dask" / "__init__.py"

HEADER = '"""``poolkit.dask``: the NumPy API\'s pooling on dask arrays, lazily, chunk by chunk.\n\nEvery function takes a ``dask.array.Array`` and returns one; nothing runs before\n``.compute()`` (or ``client.compute``), and the result is bit-identical to the NumPy API\'s on\nthe whole array, for every chunking. Windowed pooling reads, per output block, the input its\nwindows cover (stride-aligned slices with the ``(k-1)*d + 1 - s`` halo) and pools it with the\nNumPy API under that block\'s share of the pads and ceil-mode rule (see\n:mod:`poolkit.dask._driver`); global and adaptive pooling rechunk the spatial dims whole.\nZarr stores come in through ``dask.array.from_zarr``. Importing :mod:`poolkit` never imports\ndask; the NumPy API refuses dask and zarr arrays (it would load them) and names this module.\n"""\n\nfrom __future__ import annotations\n\nimport poolkit\n\nfrom . import _api\nfrom ._pyramid import pyramid, write_ome_zarr\n\n\ndef pool(\n    x,\n    reducer,\n    kernel_size,\n    stride=None,\n    padding=0,\n    dilation=1,\n    ceil_mode=False,\n    *,\n    axes,\n    count_include_pad=None,\n    p=2.0,\n    mode="constant",\n    cval=None,\n):\n    """:func:`poolkit.pool` on a dask array, lazily, block by block; bit-identical to it.\n\n    Same arguments (every reducer, ``mode`` for label images included). Border modes other\n    than ``"constant"`` (``edge``, ``reflect``, ``symmetric``, ``wrap``: numpy.pad\'s names\n    and borders, even where a pad is longer than the axis) gather the padded positions with\n    ``take`` and then pool without pads.\n\n    Shape:\n        ``x.shape`` with each pooled axis ``L`` replaced by\n        ``floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``.\n\n    Example:\n        >>> import numpy as np, dask.array as da, poolkit.dask\n        >>> img = da.from_array(np.arange(16).reshape(4, 4), chunks=3)\n        >>> poolkit.dask.pool(img, "max", 2, axes=(0, 1)).compute().tolist()\n        [[5, 7], [13, 15]]\n    """\n    return _api.pool(\n        x,\n        reducer,\n        kernel_size,\n        stride,\n        padding,\n        dilation,\n        ceil_mode,\n        axes,\n        count_include_pad,\n        p,\n        mode,\n        cval,\n    )\n'


FOOTER = '\n\n__all__ = [\n    *sorted(name for name in dir() if name.endswith("d") and "_pool" in name),\n    "pool",\n    "pyramid",\n    "write_ome_zarr",\n]\n'

SIG = {
    "max": (
        'kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False, data_format="channels_first"',
        "return_indices=return_indices",
    ),
    "avg": (
        'kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, count_include_pad=None, divisor_override=None, data_format="channels_first"',
        "count_include_pad=count_include_pad, divisor_override=divisor_override",
    ),
    "sum": (
        'kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, data_format="channels_first"',
        "",
    ),
    "lp": (
        'p, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, data_format="channels_first"',
        "p=p",
    ),
}
EX = {"max": "2", "avg": "2", "sum": "2", "lp": "2.0, 2"}


def explode(text: str, indent: int = 4) -> str:
    """One argument a line with a trailing comma: the layout ``ruff format`` keeps."""
    return "\n".join(" " * indent + part + "," for part in text.split(", "))


out = []  # the defs, in order, built once at import


def shape(n):
    return ", ".join(["1", "1"] + ["6"] * n)


for r, (sig, extra) in SIG.items():
    for n in (1, 2, 3):
        name = f"{r}_pool{n}d"
        params = sig
        ex = ", ".join(["1", "1"] + ["3"] * n)
        call_args = (
            f'poolkit.{name}, "{r}", {n}, x, kernel_size, stride, padding, dilation, ceil_mode, data_format'
            + (f", {extra}" if extra else "")
        )
        out.append(f'''

def {name}(
{explode("x, " + params)}
):
    """:func:`poolkit.{name}` on a dask array, lazily, block by block; bit-identical to it.

    Same arguments and defaults as the NumPy API (``return_indices=True`` is refused).

    Shape:
        ``out = floor((L + lo + hi - dilation*(k-1) - 1 + (ceil_mode ? s-1 : 0)) / s) + 1``
        per spatial dim; batch and channel chunks are kept, spatial chunks become about
        ``chunk / stride``.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones(({shape(n)}), chunks=4)
        >>> poolkit.dask.{name}(x, {EX[r]}).compute().shape
        ({ex})
    """
    return _api.windowed(
{explode(call_args, 8)}
    )
''')
for r in ("max", "avg", "sum", "lp"):
    for n in (1, 2, 3):
        name = f"global_{r}_pool{n}d"
        p1 = "p, " if r == "lp" else ""
        opt = ", p=p" if r == "lp" else ""
        arg = "2.0" if r == "lp" else ""
        call_args = f'poolkit.{name}, "{r}", {n}, x, keepdims, data_format{opt}'
        out.append(f'''

def {name}(
{explode("x, " + p1 + 'keepdims=False, data_format="channels_first"')}
):
    """:func:`poolkit.{name}` on a dask array, lazily; bit-identical to it.

    The spatial dims are rechunked whole (each block holds entire planes, batch and channel
    chunks kept), so the NumPy API's own reduction gives every number.

    Shape:
        ``(N, C, *spatial) -> (N, C)``; ``keepdims=True`` keeps the spatial dims as 1.

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones(({shape(n)}), chunks=4)
        >>> poolkit.dask.{name}(x{", " + arg if arg else ""}).compute().shape
        (1, 1)
    """
    return _api.global_(
{explode(call_args, 8)}
    )
''')
for r in ("max", "avg"):
    for n in (1, 2, 3):
        name = f"adaptive_{r}_pool{n}d"
        if r == "max":
            sig = 'output_size, return_indices=False, data_format="channels_first"'
            ri = "return_indices"
        else:
            sig = 'output_size, data_format="channels_first"'
            ri = "False"
        ex = ", ".join(["1", "1"] + ["2"] * n)
        call_args = f'poolkit.{name}, "{r}", {n}, x, output_size, {ri}, data_format'
        out.append(f'''

def {name}(
{explode("x, " + sig)}
):
    """:func:`poolkit.{name}` on a dask array, lazily; bit-identical to it.

    PyTorch's bins can straddle any chunking, so the spatial dims are rechunked whole (batch
    and channel chunks kept) and each block is pooled by the NumPy API.

    Shape:
        ``(N, C, *spatial) -> (N, C, *output_size)``

    Example:
        >>> import numpy as np, dask.array as da, poolkit.dask
        >>> x = da.ones(({shape(n)}), chunks=4)
        >>> poolkit.dask.{name}(x, 2).compute().shape
        ({ex})
    """
    return _api.adaptive(
{explode(call_args, 8)}
    )
''')


def render() -> str:
    """The text of src/poolkit/dask/__init__.py."""
    return HEADER + "".join(out) + FOOTER


def main() -> None:
    TARGET.write_text(render())


if __name__ == "__main__":
    main()
