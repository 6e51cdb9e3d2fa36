"""Argument normalisation: every user spelling becomes explicit tuples here, once.

Each helper names the argument in its error, so a message always says which argument was
wrong, what it received and what is allowed. Inside poolkit only the normalised forms travel.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from poolkit.errors import PoolingError

PADDING_STRINGS = ("valid", "same", "same_lower")
DATA_FORMATS = ("channels_first", "channels_last")


def is_int(value) -> bool:
    """True for Python and NumPy integers, False for bools (``True`` is not a size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def to_tuple(value, n: int, name: str, *, minimum: int = 1) -> tuple[int, ...]:
    """``value`` as a tuple of ``n`` ints, each ``>= minimum``.

    >>> to_tuple(3, 2, "kernel_size")
    (3, 3)
    >>> to_tuple((2, 3), 2, "stride")
    (2, 3)
    """
    allowed = f"an int >= {minimum} or a tuple of {n} such ints"
    if is_int(value):
        items = (int(value),) * n
    elif isinstance(value, Sequence | np.ndarray) and not isinstance(value, str | bytes):
        items = tuple(value)
        if len(items) != n or not all(is_int(v) for v in items):
            raise PoolingError(f"{name} must be {allowed}; got {value!r}")
        items = tuple(int(v) for v in items)
    else:
        raise PoolingError(f"{name} must be {allowed}; got {value!r}")
    if any(v < minimum for v in items):
        raise PoolingError(f"{name} must be {allowed}; got {value!r}")
    return items


def normalize_padding(padding, n: int) -> str | tuple[tuple[int, int], ...]:
    """One of ``"valid"``, ``"same"``, ``"same_lower"``, or explicit ``((lo, hi), ...)`` pairs.

    Accepted spellings: an int (every side), a tuple of ``n`` ints (symmetric per dim), a
    sequence of ``n`` ``(lo, hi)`` pairs, or a case-insensitive padding string.

    >>> normalize_padding(1, 2)
    ((1, 1), (1, 1))
    >>> normalize_padding([(0, 1), (1, 0)], 2)
    ((0, 1), (1, 0))
    >>> normalize_padding("SAME", 2)
    'same'
    """
    allowed = (
        f"an int >= 0, a tuple of {n} ints >= 0, a sequence of {n} (lo, hi) pairs of ints >= 0, "
        f"or one of {', '.join(repr(s) for s in PADDING_STRINGS)}"
    )
    if isinstance(padding, str):
        key = padding.lower()
        if key not in PADDING_STRINGS:
            raise PoolingError(f"padding must be {allowed}; got {padding!r}")
        return key
    if is_int(padding):
        pairs = ((int(padding), int(padding)),) * n
    elif isinstance(padding, Sequence | np.ndarray) and not isinstance(padding, bytes):
        items = list(padding)
        if len(items) != n:
            raise PoolingError(f"padding must be {allowed}; got {padding!r}")
        if all(is_int(v) for v in items):
            pairs = tuple((int(v), int(v)) for v in items)
        elif all(
            isinstance(v, Sequence | np.ndarray)
            and not isinstance(v, str)
            and len(v) == 2
            and all(is_int(e) for e in v)
            for v in items
        ):
            pairs = tuple((int(v[0]), int(v[1])) for v in items)
        else:
            raise PoolingError(f"padding must be {allowed}; got {padding!r}")
    else:
        raise PoolingError(f"padding must be {allowed}; got {padding!r}")
    if any(lo < 0 or hi < 0 for lo, hi in pairs):
        raise PoolingError(f"padding must be {allowed}; got {padding!r}")
    return pairs


def check_data_format(data_format) -> str:
    """``"channels_first"`` or ``"channels_last"`` (case-insensitive; Keras also says so)."""
    key = data_format.lower() if isinstance(data_format, str) else data_format
    if key not in DATA_FORMATS:
        raise PoolingError(
            f"data_format must be 'channels_first' or 'channels_last'; got {data_format!r}"
        )
    return key


def check_bool(value, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise PoolingError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_optional_bool(value, name: str) -> bool | None:
    if value is None:
        return None
    return check_bool(value, name)


def check_p(p) -> float:
    """The Lp norm's order: a real number > 0 (``inf`` gives the max of ``|x|``)."""
    if isinstance(p, bool | np.bool_) or not isinstance(p, numbers.Real) or np.isnan(p) or p <= 0:
        raise PoolingError(f"p must be a real number > 0 (inf allowed); got {p!r}")
    return float(p)


def check_divisor_override(value) -> int | None:
    if value is None:
        return None
    if not is_int(value) or value == 0:
        raise PoolingError(f"divisor_override must be None or a nonzero int; got {value!r}")
    return int(value)


def check_output_size(value, spatial: tuple[int, ...], name: str = "output_size") -> tuple:
    """Adaptive pooling's target size: ints >= 1, ``None`` keeping that dim's input size."""
    n = len(spatial)
    allowed = f"an int >= 1 or a tuple of {n} entries, each an int >= 1 or None"
    items = (value,) * n if (is_int(value) or value is None) else value
    if not isinstance(items, Sequence | np.ndarray) or isinstance(items, str):
        raise PoolingError(f"{name} must be {allowed}; got {value!r}")
    items = tuple(items)
    if len(items) != n or not all(v is None or (is_int(v) and v >= 1) for v in items):
        raise PoolingError(f"{name} must be {allowed}; got {value!r}")
    if value is None:
        raise PoolingError(f"{name} must be {allowed}; got None")
    return tuple(int(size if v is None else v) for v, size in zip(items, spatial, strict=True))
