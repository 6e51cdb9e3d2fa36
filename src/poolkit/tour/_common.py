"""Shared pieces of the seed tour: images in, figures out, progress, argument parsing.

Matplotlib, Pillow and scikit-image are imported inside functions: ``poolkit --help`` imports
every command module and must stay light (and ``import poolkit`` never loads them).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import stat
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from poolkit._args import PADDING_ALIASES, PADDING_STRINGS
from poolkit.errors import PoolingError

# scikit-image's photographs that ship inside its wheel (no pooch, no network at run time).
BUILTIN_IMAGES = ("camera", "coffee", "astronaut", "chelsea", "rocket")
DEFAULT_IMAGE = "camera"
# Largest side, in pixels, an image is loaded at; bigger ones are downscaled first (memory).
DEFAULT_MAX_SIZE = 1024
# A feature-map pixel counts as active when |v| > this: float rounding leaves ~1e-16 residues
# where an exact computation gives 0 (an edge kernel on a flat region).
ACTIVE_TOL = 1e-9

#: Smallest font, in points at 100 dpi, of any text in a saved figure (labels, ticks, titles).
MIN_FONT_PT = 10
#: Resolution every tour figure is saved at; a point is 1/72 inch, so at 100 dpi a 10 pt label
#: is about 14 px tall, as on a screen showing the PNG at 100 %.
SAVE_DPI = 100
#: Font size of the tour figures' body text (cell numbers, tick labels, legends).
FONT_PT = 11


def active_share(array: np.ndarray) -> float:
    """Share of active (non-zero beyond float rounding, ``|v| > 1e-9``) elements."""
    array = np.asarray(array, dtype=np.float64)
    return float(np.mean(np.abs(array) > ACTIVE_TOL)) if array.size else 0.0


def builtin_image(name: str = DEFAULT_IMAGE) -> np.ndarray:
    """A photograph bundled with scikit-image, grayscale float64 in [0, 1]."""
    if name not in BUILTIN_IMAGES:
        raise PoolingError(f"builtin image must be one of {BUILTIN_IMAGES}; got {name!r}")
    import skimage.data
    from skimage.color import rgb2gray
    from skimage.util import img_as_float

    image = getattr(skimage.data, name)()
    image = rgb2gray(image) if image.ndim == 3 else img_as_float(image)
    return np.clip(image.astype(np.float64), 0.0, 1.0)


def load_image(path, max_size: int = DEFAULT_MAX_SIZE) -> tuple[np.ndarray, str | None]:
    """Read a PNG/JPEG (anything Pillow opens) as grayscale float64 in [0, 1].

    Returns the image and a note when it was downscaled (its largest side is capped at
    ``max_size`` before conversion to float, so a big photo never becomes a huge float
    array; JPEGs are decoded at reduced size with ``Image.draft``). Pillow's decompression-bomb
    guard stays on. Every failure is a :class:`PoolingError` naming the file, in one line.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if max_size < 8:
        raise PoolingError(f"max_size must be an int >= 8; got {max_size!r}")
    try:
        with Image.open(path) as image:
            original = image.size
            if max(original) > max_size:
                # Shrink before any conversion so no full-size copy is made; JPEGs are even
                # decoded at 1/2, 1/4 or 1/8 scale by draft().
                image.draft("L", (max_size, max_size))
                image.thumbnail((max_size, max_size))
            image.load()
            if image.mode not in ("L", "I;16", "I", "F"):
                image = image.convert("L")
            if image.mode != "L":  # 16-bit or float grayscale: scale by the type's range
                array = np.asarray(image, dtype=np.float64)
                top = 65535.0 if image.mode.startswith("I") else max(float(array.max()), 1.0)
                array = array / top
            else:
                array = np.asarray(image, dtype=np.float64) / 255.0
            size = image.size
    except FileNotFoundError:
        raise PoolingError(f"image file not found: {str(path)!r}") from None
    except IsADirectoryError:
        raise PoolingError(f"image path is a directory, not a file: {str(path)!r}") from None
    except UnidentifiedImageError:
        raise PoolingError(
            f"not an image Pillow can read (PNG, JPEG, ...): {str(path)!r}"
        ) from None
    except Image.DecompressionBombError as error:
        raise PoolingError(
            f"refusing {str(path)!r}: {_one_line(error)} (Pillow's decompression-bomb guard)"
        ) from None
    except (OSError, SyntaxError, ValueError) as error:  # truncated or corrupt data
        raise PoolingError(f"cannot read image {str(path)!r}: {_one_line(error)}") from None
    note = None
    if size != original:
        note = (
            f"downscaled {original[0]}x{original[1]} -> {size[0]}x{size[1]} px "
            f"(largest side capped at --max-size {max_size})"
        )
    return np.clip(array, 0.0, 1.0), note


#: Largest matrix ``load_matrix`` reads (cells), and largest text file (bytes): ``--input`` and
#: ``--kernel`` are small matrices, and a file is checked against these before it is read.
MAX_MATRIX_CELLS = 1 << 20
MAX_MATRIX_TEXT_BYTES = 16 << 20


def load_matrix(text_or_path: str, name: str = "--input") -> np.ndarray:
    """A small matrix from ``"1,2;3,4"`` (rows split by ``;``), a ``.npy`` or a text file.

    Files are checked before they are read: a regular file, a text file of at most
    :data:`MAX_MATRIX_TEXT_BYTES`, a ``.npy`` whose header declares at most
    :data:`MAX_MATRIX_CELLS` cells of a plain numeric type and whose size matches that header.
    NaN and infinities are kept (pooling defines them). Every failure is one
    :class:`PoolingError` naming ``name`` and the file.
    """
    path = Path(text_or_path)
    looks_like_file = path.suffix.lower() in (".npy", ".txt", ".csv") or os.sep in text_or_path
    if looks_like_file or path.is_file():
        _check_regular_file(path, name)
        try:
            if path.suffix.lower() == ".npy":
                array = _read_npy(path, name)
            else:
                size = path.stat().st_size
                if size > MAX_MATRIX_TEXT_BYTES:
                    raise PoolingError(
                        f"{name}: {text_or_path!r} has {size} bytes; a matrix file here is at "
                        f"most {MAX_MATRIX_TEXT_BYTES} bytes"
                    )
                with warnings.catch_warnings():  # numpy warns on an empty file
                    warnings.simplefilter("ignore")
                    array = np.loadtxt(
                        path, delimiter="," if path.suffix.lower() == ".csv" else None, ndmin=1
                    )
        except PoolingError:
            raise
        except Exception as error:  # numpy raises several types for bad files
            raise PoolingError(
                f"{name}: cannot read a matrix from {text_or_path!r}: {_one_line(error)}"
            ) from None
        if array.size == 0:
            raise PoolingError(f"{name}: {text_or_path!r} holds an empty matrix")
        return np.atleast_1d(np.asarray(array))
    try:
        rows = [
            [float(v) for v in row.replace(",", " ").split()]
            for row in text_or_path.split(";")
            if row.strip()
        ]
    except ValueError:
        rows = None
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise PoolingError(
            f"{name} must be a matrix like '1,2;3,4' (rows separated by ';') or a .npy/.txt "
            f"file; got {text_or_path!r}"
        )
    return np.array(rows)


def _check_regular_file(path: Path, name: str) -> None:
    """A :class:`PoolingError` naming ``name`` unless ``path`` is an existing regular file."""
    text = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise PoolingError(f"{name}: file not found: {text!r}") from None
    except OSError as error:
        raise PoolingError(f"{name}: cannot open {text!r}: {_reason(error)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise PoolingError(f"{name}: {text!r} is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise PoolingError(f"{name}: {text!r} is not a regular file")


def _read_npy(path: Path, name: str) -> np.ndarray:
    """A ``.npy`` file, its header checked (type, cell count, file size) before the body."""
    from numpy.lib import format as npy

    size = path.stat().st_size
    with open(path, "rb") as handle:
        try:
            version = npy.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = npy.read_array_header_1_0(handle)
            else:
                shape, fortran, dtype = npy.read_array_header_2_0(handle)
        except Exception as error:
            raise PoolingError(
                f"{name}: {str(path)!r} is not a .npy file: {_one_line(error)}"
            ) from None
        if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
            raise PoolingError(
                f"{name}: {str(path)!r} holds dtype {dtype}; a matrix of numbers (bool, int, "
                f"float) is expected"
            )
        cells = math.prod(int(n) for n in shape)  # exact: Python ints never wrap
        if cells > MAX_MATRIX_CELLS:
            raise PoolingError(
                f"{name}: {str(path)!r} declares shape {shape} ({cells} cells); at most "
                f"{MAX_MATRIX_CELLS} cells are read"
            )
        body = handle.tell()
        need = body + cells * dtype.itemsize
        if size != need:
            raise PoolingError(
                f"{name}: {str(path)!r} has {size} bytes, its header (shape {shape}, dtype "
                f"{dtype}) needs {need}" + (" (truncated)" if size < need else "")
            )
        data = np.fromfile(handle, dtype=dtype, count=cells)
    return data.reshape(shape, order="F" if fortran else "C")


def _reason(error: OSError) -> str:
    return error.strerror or _one_line(error)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def parse_padding(text: str):
    """CLI padding: ``valid``/``same``/``same_lower`` (``same_upper`` is ``same``, as in the
    API), an int, or ints ``1,0`` per dim."""
    key = text.strip().lower()
    key = PADDING_ALIASES.get(key, key)
    if key in PADDING_STRINGS:
        return key
    try:
        values = tuple(int(v) for v in key.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"padding must be 'valid', 'same', 'same_lower', an int or ints like '1,0'; "
            f"got {text!r}"
        ) from None
    return values[0] if len(values) == 1 else values


def parse_ints(text: str):
    """CLI window sizes: ``2`` or ``2,3`` (one per dim)."""
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        message = f"expected an int or ints like '2,3'; got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    return values[0] if len(values) == 1 else values


def pyplot():
    """Matplotlib's pyplot on the non-interactive Agg backend (figures go to files)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def ensure_dir(out_dir, name: str = "--out") -> Path:
    """Create ``out_dir`` (and parents) and check a file can be written in it; a
    :class:`PoolingError` naming ``name`` and the folder when impossible."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise PoolingError(f"{name}: {str(out)!r} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f"{name}: cannot create folder {str(out)!r}: {_reason(error)}"
        raise PoolingError(message) from None
    try:  # a real write: os.access says yes to root even on a read-only folder
        with tempfile.TemporaryFile(dir=out, prefix=".poolkit-write-check-"):
            pass
    except OSError as error:
        raise PoolingError(
            f"{name}: cannot write in folder {str(out)!r}: {_reason(error)}"
        ) from None
    return out


def check_writable_dir(out_dir, name: str = "--out") -> Path:
    """Check, creating nothing, that ``out_dir`` can be made (or is) a folder to write in: it,
    or its nearest existing ancestor, must be a folder in which a file can be written (tried
    for real, then removed). A :class:`PoolingError` naming ``name`` and the path otherwise.
    Commands call this before any work and :func:`ensure_dir` when they write."""
    out = Path(out_dir)
    probe = out
    while not probe.exists():
        if probe.is_symlink():  # a dangling link: mkdir would fail on it
            raise PoolingError(f"{name}: {str(probe)!r} is a broken symbolic link")
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        if probe == out:
            raise PoolingError(f"{name}: {str(out)!r} exists and is not a folder")
        raise PoolingError(
            f"{name}: cannot create folder {str(out)!r}: {str(probe)!r} is not a folder"
        )
    try:
        with tempfile.TemporaryFile(dir=probe, prefix=".poolkit-write-check-"):
            pass
    except OSError as error:
        raise PoolingError(
            f"{name}: cannot write in folder {str(probe)!r}: {_reason(error)}"
        ) from None
    return out


def save_figure(
    figure, out_dir, name: str, dpi: int = SAVE_DPI, flag: str = "--out", tight: bool = True
) -> Path:
    """Write ``figure`` as ``out_dir/name`` (the folder is created) and return the path.

    ``tight``: crop to the drawn content (the size then depends on the text); False keeps the
    figure's own size, so frames of an animation all have the same pixel size."""
    path = ensure_dir(out_dir, flag) / name
    try:
        figure.savefig(path, dpi=dpi, bbox_inches="tight" if tight else None)
    except OSError as error:
        raise PoolingError(f"{flag}: cannot write {str(path)!r}: {_reason(error)}") from None
    return path


def describe(command: str, args: argparse.Namespace, *names: str) -> str:
    """``command --name value ...`` for the options in ``names`` that were given (not None)."""
    parts = [command]
    for name in names:
        value = getattr(args, name)
        if value is not None:
            shown = ",".join(str(v) for v in value) if isinstance(value, tuple) else value
            parts.append(f"--{name.replace('_', '-')} {shown}")
    return " ".join(parts)


@contextlib.contextmanager
def arguments_checked(what: str):
    """Turn an error the pooling core raises for arguments too large (memory, integer range)
    into one :class:`PoolingError` naming ``what`` (the arguments given)."""
    try:
        yield
    except PoolingError:
        raise
    except MemoryError as error:
        detail = f": {_one_line(error)}" if str(error) else ""
        raise PoolingError(f"{what}: too large for the memory available{detail}") from None
    except (OverflowError, ValueError) as error:
        raise PoolingError(f"{what}: out of range: {_one_line(error)}") from None


def figure_font_sizes(figure, dpi: float = SAVE_DPI) -> list[tuple[float, str]]:
    """``(size, text)`` for every visible, non-empty text of ``figure`` (tick labels
    included, after a draw), ``size`` in points scaled to ``dpi``: what the reader of a PNG
    saved at ``dpi`` and shown at 100 % sees (``fontsize * dpi / 100``)."""
    from matplotlib.text import Text

    figure.canvas.draw()  # ticks and their labels exist only after a draw
    sizes = []
    for text in figure.findobj(Text):
        if text.get_visible() and text.get_text().strip() and _drawn(text):
            sizes.append((float(text.get_fontsize()) * dpi / 100.0, text.get_text()))
    return sizes


def _drawn(text) -> bool:
    """Whether a tick label is on screen (matplotlib keeps labels of ticks outside the view)."""
    axes = getattr(text, "axes", None)
    if axes is None:
        return True
    parent = text.get_figure()
    try:
        box = text.get_window_extent(renderer=parent.canvas.get_renderer())
    except (RuntimeError, ValueError):
        return True
    return box.width > 0 and box.height > 0


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # a closed or fake stream
        return False


class PlainProgress:
    """Progress as plain lines (``desc: step k/n``), for a log file or a pipe: no ``\r``, no
    escape codes, the last line always ``n/n``. At most about 10 lines per loop (every step
    up to 20 steps). ``set_postfix`` adds ``(key=value, ...)`` to the next line, as tqdm's."""

    def __init__(self, iterable, desc: str, total: int | None, stream, unit: str = "step"):
        self.iterable = iterable
        self.desc = desc
        if total is None:
            try:
                total = len(iterable)
            except TypeError:
                total = None
        self.total = total
        self.stream = stream
        self.unit = unit
        self.n = 0
        self.postfix: dict = {}

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.n += 1
            if self._due(self.n):
                self._print()

    def _due(self, k: int) -> bool:
        if self.total is None or self.total <= 20 or k == self.total:
            return True
        return k % math.ceil(self.total / 10) == 0

    def _print(self) -> None:
        total = "" if self.total is None else f"/{self.total}"
        extra = ", ".join(f"{k}={v}" for k, v in self.postfix.items())
        line = f"{self.desc}: {self.unit} {self.n}{total}" + (f" ({extra})" if extra else "")
        print(line, file=self.stream, flush=True)

    def set_postfix(self, ordered_dict=None, refresh=True, **values) -> None:
        self.postfix = {**dict(ordered_dict or {}), **values}

    def close(self) -> None:
        pass


def progress(
    iterable,
    desc: str,
    total: int | None = None,
    enabled: bool = True,
    stream=None,
    unit: str = "step",
    **options,
):
    """Progress on ``stream`` (stderr) while looping over ``iterable``, when ``enabled``.

    On a terminal: a tqdm bar that stays when done, showing ``n/n`` (it is refreshed on every
    step, so it never stops short). Anywhere else (a log file, a pipe): plain
    ``desc: step k/n`` lines from :class:`PlainProgress`, no ``\r``. tqdm is part of the
    ``tour`` extra, like matplotlib, so it is imported, not probed for. ``options`` go to
    tqdm (``dynamic_ncols=True``, ...)."""
    if not enabled:
        return iterable
    stream = sys.stderr if stream is None else stream
    if not is_terminal(stream):
        return PlainProgress(iterable, desc, total, stream, unit)
    from tqdm import tqdm

    options = {"leave": True, "mininterval": 0, **options}
    return tqdm(iterable, desc=desc, total=total, unit=unit, file=stream, **options)


#: What the CLI says when poolkit's Numba kernels start compiling (seconds per kernel family;
#: once: Numba's on-disk cache makes later runs load them).
COMPILE_NOTICE = (
    "compiling poolkit's kernels (once; cached afterwards, `poolkit precompile` does it ahead)..."
)


@contextlib.contextmanager
def compile_notice(stream=None, message: str = COMPILE_NOTICE):
    """Say on ``stream`` (stderr) when one of poolkit's Numba kernels starts compiling inside
    the block, once per block, and at the end how long the block took from there.

    The signal is Numba's own ``numba:compile`` event, sent only for a real compile (not for a
    kernel loaded from the on-disk cache), so a warm cache prints nothing and costs nothing.
    Yields a dict; ``compiled`` is True once a compile was announced."""
    from numba.core import event

    stream = sys.stderr if stream is None else stream
    state = {"compiled": False, "start": None}

    class _Listener(event.Listener):
        def on_start(self, ev) -> None:
            if state["compiled"]:
                return
            dispatcher = (ev.data or {}).get("dispatcher")
            module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
            if module == "poolkit" or module.startswith("poolkit."):
                state["compiled"] = True
                state["start"] = time.perf_counter()
                print(message, file=stream, flush=True)

        def on_end(self, ev) -> None:
            pass

    with event.install_listener("numba:compile", _Listener()):
        yield state
    if state["compiled"]:
        seconds = time.perf_counter() - state["start"]
        print(
            f"  kernels compiled and cached; this step took {seconds:.1f} s",
            file=stream,
            flush=True,
        )


def close(figure) -> None:
    pyplot().close(figure)
