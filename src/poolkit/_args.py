"""Argument normalisation: every user spelling becomes explicit tuples here, once.

Each helper names the argument in its error, so a message always says which argument was
wrong, what it received and what is allowed. Inside poolkit only the normalised forms travel.
"""

from __future__ import annotations

import math
import numbers
import operator
import sys
from collections.abc import Sequence

import numpy as np

from poolkit.errors import PoolingError

PADDING_STRINGS = ("valid", "same", "same_lower")
# Other frameworks' names for the same padding strings, in any case: ONNX's auto_pad SAME_UPPER
# is poolkit's (and TensorFlow's) 'same'; its SAME_LOWER and VALID are already poolkit's words.
PADDING_ALIASES = {"same_upper": "same"}
# Spellings that mean "the pads are given elsewhere": ONNX's auto_pad NOTSET (the pads
# attribute) and TensorFlow's 'EXPLICIT' (explicit_paddings). poolkit takes the pads themselves;
# the refusal says how to write them ({pairs} is "(lo_1, hi_1), (lo_2, hi_2)" for 2-d).
EXPLICIT_PADDING_NAMES = {
    "notset": (
        "ONNX's auto_pad NOTSET, which takes the pads from the node's pads attribute: pass "
        "them as padding=({pairs}) (ONNX lists pads=[lo_1, lo_2, ..., hi_1, hi_2, ...])"
    ),
    "explicit": (
        "TensorFlow's 'EXPLICIT', which takes the pads from explicit_paddings: pass the "
        "spatial dims' pairs as padding=({pairs}) (leave out the batch and channel pairs)"
    ),
}
DATA_FORMATS = ("channels_first", "channels_last")


def as_int(value) -> int | None:
    """``value`` as a Python int where NumPy would take it as an integer index, else ``None``.

    Python and NumPy integers and 0-d integer arrays are integers (at any size: ``2**70``
    stays exact); bools are not (``True`` is not a kernel size), nor floats such as ``2.0``.

    >>> as_int(3), as_int(np.int8(3)), as_int(np.array(3)), as_int(True), as_int(3.0)
    (3, 3, 3, None, None)
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, np.ndarray) and value.ndim != 0:
        return None
    try:  # 0-d integer arrays and anything else with __index__ (a 0-d integer tensor)
        return operator.index(value)
    except TypeError:
        return None


def is_int(value) -> bool:
    """True for Python and NumPy integers and 0-d integer arrays, False for bools."""
    return as_int(value) is not None


def _is_sequence(value) -> bool:
    """A list, tuple or array of at least one dim: something to take elements from."""
    if isinstance(value, np.ndarray):
        return value.ndim >= 1
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def describe(value) -> str:
    """``repr(value)``, shortened when it is long (a 400-digit int, a large array)."""
    text = " ".join(repr(value).split())  # an array's repr spans lines; a message does not
    if len(text) <= 80:
        return text
    if isinstance(value, int):
        return f"an int of {len(str(abs(value)))} digits ({text[:12]}...)"
    return f"{text[:60]}... ({type(value).__name__})"


def check_not_tensor(function: str, **arrays) -> None:
    """Refuse a torch tensor given to the NumPy API's ``function`` (say ``"max_pool2d"``).

    ``np.asarray`` would take a CPU tensor silently and hand back an ndarray, cut off from
    autograd when the tensor requires grad; the message points at
    ``poolkit.torch.functional`` (tensors in, tensors out, gradients flowing) or at the
    explicit conversion. torch is never imported here: no tensor exists before it is.
    """
    torch = sys.modules.get("torch")
    tensor = getattr(torch, "Tensor", None)
    if tensor is None:
        return
    for name, value in arrays.items():
        if isinstance(value, tensor):
            raise PoolingError(_tensor_refusal(function, name, value))


def _tensor_refusal(function: str, name: str, value) -> str:
    grad = bool(value.requires_grad)
    device = str(value.device)
    got = f"a torch.Tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    got += f" on {device}" if device != "cpu" else ""
    got += ", requiring grad" if grad else ""
    numpy = (
        name + (".detach()" if grad else "") + (".cpu()" if device != "cpu" else "") + ".numpy()"
    )
    forward = function.removesuffix("_backward")
    if function.endswith("_backward"):
        use = (
            f"with tensors, call poolkit.torch.functional.{forward} and let autograd compute the "
            f"gradient (.backward()), or pass NumPy arrays ({numpy})"
        )
    else:
        returns = "a tensor, and gradients flow back through it" if grad else "a tensor"
        use = (
            f"call poolkit.torch.functional.{forward} with the same arguments (it returns "
            f"{returns}), or pass {numpy} for a NumPy result"
        )
    result = "an ndarray cut off from autograd" if grad else "an ndarray, not a tensor"
    return (
        f"{name} must be a NumPy array (or array-like) for poolkit.{function}, the NumPy API, "
        f"which would return {result}; got {got}: {use}"
    )


def to_tuple(value, n: int, name: str, *, minimum: int = 1) -> tuple[int, ...]:
    """``value`` as a tuple of ``n`` ints, each ``>= minimum``.

    >>> to_tuple(3, 2, "kernel_size")
    (3, 3)
    >>> to_tuple((2, 3), 2, "stride")
    (2, 3)
    """
    allowed = f"an int >= {minimum} or a tuple of {n} such ints"
    single = as_int(value)
    if single is not None:
        items = (single,) * n
    elif _is_sequence(value):
        items = tuple(as_int(v) for v in value)
        if len(items) != n or any(v is None for v in items):
            raise PoolingError(f"{name} must be {allowed}; got {describe(value)}")
    else:
        raise PoolingError(f"{name} must be {allowed}; got {describe(value)}")
    if any(v < minimum for v in items):
        raise PoolingError(f"{name} must be {allowed}; got {describe(value)}")
    return items


def normalize_padding(padding, n: int) -> str | tuple[tuple[int, int], ...]:
    """One of ``"valid"``, ``"same"``, ``"same_lower"``, or explicit ``((lo, hi), ...)`` pairs.

    Accepted spellings: an int (every side), a tuple of ``n`` ints (symmetric per dim), a
    sequence of ``n`` ``(lo, hi)`` pairs, or a case-insensitive padding string (ONNX's
    ``"SAME_UPPER"`` is taken as ``"same"``).

    >>> normalize_padding(1, 2)
    ((1, 1), (1, 1))
    >>> normalize_padding([(0, 1), (1, 0)], 2)
    ((0, 1), (1, 0))
    >>> normalize_padding("SAME", 2)
    'same'
    >>> normalize_padding("SAME_UPPER", 2)  # ONNX's auto_pad name for 'same'
    'same'
    """
    allowed = (
        f"an int >= 0, a tuple of {n} ints >= 0, a sequence of {n} (lo, hi) pairs of ints >= 0, "
        f"or one of {', '.join(repr(s) for s in PADDING_STRINGS)} (any case; ONNX's "
        f"'SAME_UPPER' is 'same')"
    )
    if isinstance(padding, str):
        key = padding.lower()
        key = PADDING_ALIASES.get(key, key)
        if key in EXPLICIT_PADDING_NAMES:
            pairs = ", ".join(f"(lo_{i}, hi_{i})" for i in range(1, n + 1))
            if n == 1:
                pairs += ","  # a one-pair tuple
            fix = EXPLICIT_PADDING_NAMES[key].format(pairs=pairs)
            raise PoolingError(f"padding must be {allowed}; got {padding!r}, {fix}")
        if key not in PADDING_STRINGS:
            raise PoolingError(f"padding must be {allowed}; got {padding!r}")
        return key
    single = as_int(padding)
    if single is not None:
        pairs = ((single, single),) * n
    elif _is_sequence(padding):
        items = list(padding)
        if len(items) != n:
            raise PoolingError(f"padding must be {allowed}; got {describe(padding)}")
        flat = [as_int(v) for v in items]
        if all(v is not None for v in flat):
            pairs = tuple((v, v) for v in flat)
        elif all(_is_sequence(v) and len(v) == 2 for v in items):
            pairs = tuple((as_int(v[0]), as_int(v[1])) for v in items)
            if any(v is None for pair in pairs for v in pair):
                raise PoolingError(f"padding must be {allowed}; got {describe(padding)}")
        else:
            raise PoolingError(f"padding must be {allowed}; got {describe(padding)}")
    else:
        raise PoolingError(f"padding must be {allowed}; got {describe(padding)}")
    if any(lo < 0 or hi < 0 for lo, hi in pairs):
        raise PoolingError(f"padding must be {allowed}; got {describe(padding)}")
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
    """True or False (NumPy bools and 0-d bool arrays too); never an int or a string."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype == np.bool_:
        return bool(value)
    if not isinstance(value, bool | np.bool_):
        raise PoolingError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def check_optional_bool(value, name: str) -> bool | None:
    if value is None:
        return None
    return check_bool(value, name)


def check_p(p) -> float:
    """The Lp norm's order: a real number > 0 (``inf`` gives the max of ``|x|``).

    Python and NumPy reals, ``Fraction`` and 0-d real arrays are taken; a value too large for
    a float (``10**400``) is refused rather than rounded to ``inf`` behind the caller's back.

    >>> check_p(2), check_p(np.float32(0.5)), check_p(float("inf"))
    (2.0, 0.5, inf)
    """
    allowed = "a real number > 0 (float('inf') for the max of |x|)"
    if isinstance(p, np.ndarray) and p.ndim == 0 and p.dtype.kind in "iuf":
        p = p[()]
    if isinstance(p, bool | np.bool_) or not isinstance(p, numbers.Real):
        raise PoolingError(f"p must be {allowed}; got {describe(p)}")
    try:
        value = float(p)
    except OverflowError:
        raise PoolingError(
            f"p must be {allowed}; got {describe(p)}, which is too large for a float "
            f"(pass p=float('inf') for the max of |x|)"
        ) from None
    if math.isnan(value) or value <= 0:
        raise PoolingError(f"p must be {allowed}; got {describe(p)}")
    return value


def check_divisor_override(value) -> int | None:
    """None, or a nonzero int within int64's range (PyTorch's ``divisor_override`` type)."""
    if value is None:
        return None
    number = as_int(value)
    if number is None or number == 0 or not -(2**63) <= number < 2**63:
        raise PoolingError(
            f"divisor_override must be None or a nonzero int in [-2**63, 2**63); "
            f"got {describe(value)}"
        )
    return number


def check_output_size(value, spatial: tuple[int, ...], name: str = "output_size") -> tuple:
    """Adaptive pooling's target size: ints >= 1, ``None`` keeping that dim's input size."""
    n = len(spatial)
    allowed = f"an int >= 1 or a tuple of {n} entries, each an int >= 1 or None"
    if value is None:
        raise PoolingError(f"{name} must be {allowed}; got None")
    single = as_int(value)
    if single is not None:
        items = (single,) * n
    elif _is_sequence(value):
        items = tuple(None if v is None else as_int(v) for v in value)
        if len(items) != n or any(
            v is None and original is not None for v, original in zip(items, value, strict=True)
        ):
            raise PoolingError(f"{name} must be {allowed}; got {describe(value)}")
    else:
        raise PoolingError(f"{name} must be {allowed}; got {describe(value)}")
    if any(v is not None and v < 1 for v in items):
        raise PoolingError(f"{name} must be {allowed}; got {describe(value)}")
    return tuple(size if v is None else v for v, size in zip(items, spatial, strict=True))
