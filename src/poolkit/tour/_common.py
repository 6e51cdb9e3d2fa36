"""Shared pieces of the seed tour: images in, figures out, progress, argument parsing.

Matplotlib, Pillow and scikit-image are imported inside functions: ``poolkit --help`` imports
every command module and must stay light (and ``import poolkit`` never loads them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

import numpy as np

from poolkit.errors import PoolingError

# scikit-image's photographs that ship inside its wheel (no pooch, no network at run time).
BUILTIN_IMAGES = ("camera", "coffee", "astronaut", "chelsea", "rocket")
DEFAULT_IMAGE = "camera"
# Largest side, in pixels, an image is loaded at; bigger ones are downscaled first (memory).
DEFAULT_MAX_SIZE = 1024
# A feature-map pixel counts as active when |v| > this: float rounding leaves ~1e-16 residues
# where an exact computation gives 0 (an edge kernel on a flat region).
ACTIVE_TOL = 1e-9


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


def load_matrix(text_or_path: str, name: str = "--input") -> np.ndarray:
    """A small matrix from ``"1,2;3,4"`` (rows split by ``;``), a ``.npy`` or a text file."""
    path = Path(text_or_path)
    looks_like_file = path.suffix.lower() in (".npy", ".txt", ".csv") or os.sep in text_or_path
    if looks_like_file or path.is_file():
        if not path.is_file():
            raise PoolingError(f"{name}: file not found: {text_or_path!r}")
        try:
            if path.suffix.lower() == ".npy":
                array = np.load(path, allow_pickle=False)
            else:
                array = np.loadtxt(path, delimiter="," if path.suffix.lower() == ".csv" else None)
        except Exception as error:  # numpy raises several types for bad files
            raise PoolingError(
                f"{name}: cannot read a matrix from {text_or_path!r}: {_one_line(error)}"
            ) from None
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


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def parse_padding(text: str):
    """CLI padding: ``valid``/``same``/``same_lower``, an int, or ints ``1,0`` per dim."""
    key = text.strip().lower()
    if key in ("valid", "same", "same_lower"):
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


def ensure_dir(out_dir) -> Path:
    """Create ``out_dir`` (and parents); a :class:`PoolingError` naming it when impossible."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f"--out: cannot create folder {str(out)!r}: {_one_line(error)}"
        raise PoolingError(message) from None
    return out


def save_figure(figure, out_dir, name: str, dpi: int = 100) -> Path:
    """Write ``figure`` as ``out_dir/name`` (the folder is created) and return the path."""
    path = ensure_dir(out_dir) / name
    figure.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def progress(iterable, desc: str, total: int | None = None, enabled: bool = True):
    """tqdm progress on stderr when available and ``enabled``; the plain iterable otherwise."""
    if enabled:
        with contextlib.suppress(ImportError):
            from tqdm import tqdm

            return tqdm(iterable, desc=desc, total=total, leave=False, unit="step")
    return iterable


def close(figure) -> None:
    pyplot().close(figure)
