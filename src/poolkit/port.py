"""Carry one pooling layer between frameworks exactly: ``poolkit.port`` and ``poolkit port``.

A layer written in one framework's terms (a ``torch.nn`` module or its constructor string, a
Keras layer, its config or constructor string, an ONNX node or its attributes, ``tf.nn.pool`` /
``tf.nn.max_pool2d`` arguments, a ``flax.linen`` pooling call or ``lax.reduce_window``) plus the
input's spatial shape is resolved to poolkit's geometry (:func:`poolkit.geometry.resolve`), and
each other framework's exact equivalent is derived from that geometry, never from a rule
re-derived here: a candidate form is itself resolved with poolkit and kept only when its
windows (count, starts) and, for averages, its divisors are the source's. What cannot be said
in one layer becomes an explicit pad with its fill value (``-inf`` for max, ``0`` for
averages), a constant divisor correction, or "no exact equivalent" with the reason.

>>> p = port("torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)", (9, 9))
>>> p.window.output_shape, p.window.pads
((5, 5), ((1, 1), (1, 1)))
>>> p.translations["onnx"].code[0].split("['y'], ")[1]
'kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)'

Strings are parsed with :mod:`ast` (never evaluated). Frameworks are imported only by
:func:`verify` and by the parsers of live objects, never by ``import poolkit.port``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import numpy as np

from poolkit._args import as_int, describe, to_tuple
from poolkit.errors import PoolingError
from poolkit.geometry import Window, resolve

FRAMEWORKS = ("torch", "keras", "tf", "onnx", "jax")
_ALIASES = {"tensorflow": "tf", "flax": "jax", "lax": "jax", "pytorch": "torch", "ort": "onnx"}

__all__ = ["FRAMEWORKS", "Layer", "Port", "Translation", "parse", "port", "verify"]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Layer:
    """One pooling layer in poolkit's words, plus how its source framework wrote it.

    ``padding`` is poolkit's spelling (``"valid"``, ``"same"``, ``"same_lower"`` or ``(lo, hi)``
    pairs); ``count_include_pad`` is what the *source* counts in an average's divisor.
    ``call`` is ``(name, args, kwargs)`` as the source wrote it, for :func:`verify` to rebuild.
    """

    framework: str
    op: str  # "max" or "avg"
    ndim: int | None
    kernel: tuple
    stride: tuple | None
    padding: object
    dilation: tuple | int = 1
    ceil_mode: bool = False
    count_include_pad: bool = False
    divisor_override: int | None = None
    return_indices: bool = False
    data_format: str = "channels_first"
    text: str = ""
    call: tuple = ("", (), {})
    storage_order: int = 0


@dataclass
class Translation:
    """The source layer in one target framework.

    ``exact``: the form reproduces the source bit for bit (max) or to float rounding (avg);
    ``code``: lines to paste; ``plan``: the same form as data (what :func:`verify` runs);
    ``notes``: why the form looks as it does; ``alternative``: the closest form when not exact.
    """

    target: str
    exact: bool
    code: list[str]
    plan: dict
    notes: list[str] = field(default_factory=list)
    alternative: str | None = None

    def as_dict(self) -> dict:
        plan = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.plan.items()}
        return {
            "target": self.target,
            "exact": self.exact,
            "code": self.code,
            "notes": self.notes,
            "alternative": self.alternative,
            "plan": plan,
        }


@dataclass
class Port:
    """:func:`port`'s answer: the layer, its resolved geometry and each target's form."""

    layer: Layer
    window: Window
    translations: dict[str, Translation]
    summary: list[str]

    def as_dict(self) -> dict:
        w = self.window
        return {
            "source": {"framework": self.layer.framework, "layer": self.layer.text},
            "op": self.layer.op,
            "input": list(w.input_shape),
            "geometry": {
                "kernel": list(w.kernel),
                "stride": list(w.stride),
                "dilation": list(w.dilation),
                "pads": [list(p) for p in w.pads],
                "ceil_mode": self.layer.ceil_mode,
                "overhang": [a.overhang for a in w.axes],
                "output": list(w.output_shape),
                "pads_count": _pads_count(self.layer),
            },
            "summary": self.summary,
            "translations": {k: t.as_dict() for k, t in self.translations.items()},
        }

    def text(self) -> str:
        lines = [f"source ({self.layer.framework}): {self.layer.text}"]
        lines += [f"  {s}" for s in self.summary]
        for name, t in self.translations.items():
            state = "exact" if t.exact else "NO EXACT EQUIVALENT"
            lines.append("")
            lines.append(f"{name}: {state}")
            lines += [f"    {c}" for c in t.code]
            lines += [f"  - {n}" for n in t.notes]
            if t.alternative:
                lines.append(f"  closest alternative: {t.alternative}")
        return "\n".join(lines)


def _pads_count(layer: Layer) -> str:
    if layer.op == "max":
        return "never (pads are -inf: they never win)"
    if layer.divisor_override is not None:
        return f"divisor_override={layer.divisor_override} replaces every divisor"
    if layer.count_include_pad:
        return "explicit pads count in the divisor (zeros); the ceil_mode overhang does not"
    return "pads are left out of the divisor (it counts input elements only)"


# --------------------------------------------------------------------------- parsing


class _Sym(str):
    """A name in a parsed call (``x``, ``lax.max``, ``jnp.inf``): kept as its dotted text."""


def _literal(node, where: str):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return [_literal(e, where) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {
            _literal(k, where): _literal(v, where)
            for k, v in zip(node.keys, node.values, strict=True)
        }
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _literal(node.operand, where)
        if isinstance(value, _Sym):
            return _Sym(("-" if isinstance(node.op, ast.USub) else "") + value)
        if isinstance(value, int | float):
            return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Name | ast.Attribute):
        return _Sym(_dotted(node, where))
    if isinstance(node, ast.Call) and _dotted(node.func, where) == "float" and len(node.args) == 1:
        return float(_literal(node.args[0], where))
    raise PoolingError(
        f"layer must be a call with literal arguments (numbers, strings, tuples, lists, names); "
        f"got {ast.unparse(node)!r} in {where!r}"
    )


def _dotted(node, where: str) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value, where)}.{node.attr}"
    raise PoolingError(f"layer must name a pooling layer or function; got {where!r}")


def _parse_string(text: str):
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise PoolingError(
            f"layer must be a Python call expression; got {text!r} ({error.msg})"
        ) from None
    call = tree.body
    if not isinstance(call, ast.Call):
        raise PoolingError(
            f"layer must be a call such as 'torch.nn.MaxPool2d(3, 2, 1)'; got {text!r}"
        )
    name = _dotted(call.func, text)
    args = [_literal(a, text) for a in call.args]
    kwargs = {}
    for kw in call.keywords:
        if kw.arg is None:
            if isinstance(kw.value, ast.Dict):
                kwargs.update(_literal(kw.value, text))
                continue
            raise PoolingError(f"layer must not use **kwargs except a literal dict; got {text!r}")
        kwargs[kw.arg] = _literal(kw.value, text)
    return name, args, kwargs


def _bind(name: str, params: list[tuple[str, object]], args, kwargs, text: str) -> dict:
    """Bind positional and keyword arguments to ``params`` (``(name, default)``; a default of
    ``_REQUIRED`` must be given), naming the argument in every refusal."""
    allowed = [p for p, _ in params]
    if len(args) > len(params):
        raise PoolingError(f"{name} takes at most {len(params)} positional arguments; got {text!r}")
    bound = dict(zip(allowed, args, strict=False))  # fewer args than parameters
    for key, value in kwargs.items():
        if key not in allowed:
            raise PoolingError(
                f"{key} is not an argument of {name} (allowed: {', '.join(allowed)}); got {text!r}"
            )
        if key in bound:
            raise PoolingError(f"{key} is given twice to {name}; got {text!r}")
        bound[key] = value
    for key, default in params:
        if key not in bound:
            if default is _REQUIRED:
                raise PoolingError(f"{name} needs its argument {key}; got {text!r}")
            bound[key] = default
    return bound


_REQUIRED = object()


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if as_int(value) in (0, 1):
        return bool(value)
    raise PoolingError(f"{name} must be True/False (or 0/1); got {describe(value)}")


def _torch_layer(kind: str, n: int, bound: dict, text: str, call) -> Layer:
    if kind == "MaxPool":
        return Layer(
            "torch",
            "max",
            n,
            bound["kernel_size"],
            bound["stride"],
            _torch_padding(bound, n),
            bound["dilation"],
            _bool(bound["ceil_mode"], "ceil_mode"),
            False,
            None,
            _bool(bound["return_indices"], "return_indices"),
            "channels_first",
            text,
            call,
        )
    return Layer(
        "torch",
        "avg",
        n,
        bound["kernel_size"],
        bound["stride"],
        _torch_padding(bound, n),
        1,
        _bool(bound["ceil_mode"], "ceil_mode"),
        _bool(bound["count_include_pad"], "count_include_pad"),
        bound.get("divisor_override"),
        False,
        "channels_first",
        text,
        call,
    )


def _torch_padding(bound: dict, n: int):
    value = bound["padding"]
    if isinstance(value, str):
        raise PoolingError(
            f"padding must be an int or a tuple of {n} ints for torch; got {value!r}"
        )
    pads = to_tuple(value, n, "padding", minimum=0)
    kernel = to_tuple(bound["kernel_size"], n, "kernel_size")
    if any(p > k // 2 for p, k in zip(pads, kernel, strict=True)):
        raise PoolingError(
            f"padding must be at most half of kernel_size for torch pooling (torch refuses more); "
            f"got padding={value!r} with kernel_size={bound['kernel_size']!r}"
        )
    return pads


_TORCH_PARAMS = {
    "MaxPool": [
        ("kernel_size", _REQUIRED),
        ("stride", None),
        ("padding", 0),
        ("dilation", 1),
        ("return_indices", False),
        ("ceil_mode", False),
    ],
    "AvgPool": [
        ("kernel_size", _REQUIRED),
        ("stride", None),
        ("padding", 0),
        ("ceil_mode", False),
        ("count_include_pad", True),
        ("divisor_override", None),
    ],
}


def _kind(last: str, stems: dict):
    """``("MaxPool", 2)`` for ``"MaxPool2d"`` against ``stems`` (stem -> kind)."""
    for stem, kind in stems.items():
        for n in (1, 2, 3):
            for suffix in (f"{n}d", f"{n}D"):
                if last == f"{stem}{suffix}":
                    return kind, n
    return None, None


_TORCH_STEMS = {"MaxPool": "MaxPool", "AvgPool": "AvgPool"}
_KERAS_STEMS = {"MaxPooling": "max", "MaxPool": "max", "AveragePooling": "avg", "AvgPool": "avg"}


def _from_torch_call(name, args, kwargs, text) -> Layer:
    kind, n = _kind(name.split(".")[-1], _TORCH_STEMS)
    params = list(_TORCH_PARAMS[kind])
    if kind == "AvgPool" and n == 1:
        params = params[:-1]  # AvgPool1d has no divisor_override
    bound = _bind(name, params, args, kwargs, text)
    return _torch_layer(kind, n, bound, text, (name, tuple(args), dict(kwargs)))


def _from_keras_call(name, args, kwargs, text) -> Layer:
    op, n = _kind(name.split(".")[-1], _KERAS_STEMS)
    params = [
        ("pool_size", 2),
        ("strides", None),
        ("padding", "valid"),
        ("data_format", None),
        ("name", None),
    ]
    extra = {k: v for k, v in kwargs.items() if k in ("trainable", "dtype")}
    bound = _bind(name, params, args, {k: v for k, v in kwargs.items() if k not in extra}, text)
    padding = bound["padding"]
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise PoolingError(
            f"padding must be 'valid' or 'same' for keras.layers.{name.split('.')[-1]}; got "
            f"{describe(padding)} (explicit pads are poolkit.keras's extra)"
        )
    data_format = bound["data_format"] or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise PoolingError(
            f"data_format must be 'channels_last' or 'channels_first'; got {describe(data_format)}"
        )
    call = (f"keras.layers.{name.split('.')[-1]}", tuple(args), dict(kwargs))
    return Layer(
        "keras",
        op,
        n,
        bound["pool_size"],
        bound["strides"],
        padding.lower(),
        1,
        False,
        False,
        None,
        False,
        data_format,
        text,
        call,
    )


def _tf_window(value, n: int | None, name: str, data_format: str):
    """TF's ksize/strides: an int, or a list of 1, n or n+2 entries (the batch and channel
    entries must be 1)."""
    if value is None:
        return None
    if as_int(value) is not None:
        return as_int(value)
    items = list(value)
    if len(items) == 1:
        return items[0]
    if (n is not None and len(items) == n + 2) or (n is None and len(items) >= 3):
        outer = (items[0], items[-1]) if data_format == "channels_last" else tuple(items[:2])
        if any(as_int(v) != 1 for v in outer):
            raise PoolingError(
                f"{name} must be 1 along the batch and channel dims; got {describe(value)}"
            )
        return tuple(items[1:-1] if data_format == "channels_last" else items[2:])
    return tuple(items)


def _tf_format(value) -> str:
    if value is None:
        return "channels_last"
    text = str(value).upper()
    if text in ("NHWC", "NWC", "NDHWC", "CHANNELS_LAST"):
        return "channels_last"
    if text in ("NCHW", "NCW", "NCDHW", "CHANNELS_FIRST"):
        return "channels_first"
    raise PoolingError(f"data_format must be NHWC-like or NCHW-like; got {describe(value)}")


def _from_tf_call(name, args, kwargs, text) -> Layer:
    last = name.split(".")[-1]
    call = (f"tf.nn.{last}", tuple(args), dict(kwargs))
    if last == "pool":
        params = [
            ("input", None),
            ("window_shape", _REQUIRED),
            ("pooling_type", _REQUIRED),
            ("strides", None),
            ("padding", "VALID"),
            ("data_format", None),
            ("dilations", None),
            ("name", None),
        ]
        b = _bind(name, params, args, kwargs, text)
        kind = str(b["pooling_type"]).upper()
        if kind not in ("MAX", "AVG"):
            raise PoolingError(f"pooling_type must be 'MAX' or 'AVG'; got {describe(kind)}")
        window = b["window_shape"]
        n = len(window) if not isinstance(window, int) else None
        data_format = _tf_format(b["data_format"])
        padding = _tf_padding(b["padding"], n, data_format, allow_explicit=False)
        dilations = b["dilations"] or 1
        dilated = any(v != 1 for v in ([dilations] if isinstance(dilations, int) else dilations))
        if dilated and padding == "same":
            raise PoolingError(
                f"dilations must be 1 with padding='SAME' in tf.nn.pool (TensorFlow does not "
                f"implement it); got dilations={dilations!r}"
            )
        strides = b["strides"] or 1
        strided = any(v != 1 for v in ([strides] if isinstance(strides, int) else strides))
        if dilated and strided:
            raise PoolingError(
                f"strides must be 1 with dilations > 1 in tf.nn.pool; got strides={strides!r}"
            )
        return Layer(
            "tf",
            kind.lower(),
            n,
            window,
            b["strides"] or 1,
            padding,
            b["dilations"] or 1,
            False,
            False,
            None,
            False,
            data_format,
            text,
            call,
        )
    op = "max" if last.startswith("max_pool") else "avg"
    suffix = last.removeprefix("max_pool").removeprefix("avg_pool")
    n = {"1d": 1, "2d": 2, "3d": 3, "": None}.get(suffix)
    if not last.startswith(("max_pool", "avg_pool")) or suffix not in ("1d", "2d", "3d", ""):
        raise PoolingError(f"layer names no TensorFlow pooling op; got {name!r}")
    params = [
        ("input", None),
        ("ksize", _REQUIRED),
        ("strides", _REQUIRED),
        ("padding", _REQUIRED),
        ("data_format", None),
        ("name", None),
    ]
    b = _bind(name, params, args, kwargs, text)
    data_format = _tf_format(b["data_format"])
    padding = _tf_padding(b["padding"], n, data_format, allow_explicit=op == "max")
    return Layer(
        "tf",
        op,
        n,
        _tf_window(b["ksize"], n, "ksize", data_format),
        _tf_window(b["strides"], n, "strides", data_format),
        padding,
        1,
        False,
        False,
        None,
        False,
        data_format,
        text,
        call,
    )


def _tf_padding(value, n, data_format, *, allow_explicit: bool):
    if isinstance(value, str):
        key = value.upper()
        if key not in ("SAME", "VALID"):
            raise PoolingError(f"padding must be 'SAME', 'VALID' or explicit pairs; got {value!r}")
        return key.lower()
    if not allow_explicit:
        raise PoolingError(f"padding must be 'SAME' or 'VALID' here; got {describe(value)}")
    pairs = [list(p) for p in value]
    if n is not None and len(pairs) != n + 2:
        raise PoolingError(
            f"padding must list {n + 2} (lo, hi) pairs, batch and channel included; "
            f"got {describe(value)}"
        )
    outer = [pairs[0], pairs[-1]] if data_format == "channels_last" else pairs[:2]
    if any(list(p) != [0, 0] for p in outer):
        raise PoolingError(f"padding must be [0, 0] on the batch and channel dims; got {value!r}")
    inner = pairs[1:-1] if data_format == "channels_last" else pairs[2:]
    return tuple(tuple(p) for p in inner)


def _from_flax_call(name, args, kwargs, text) -> Layer:
    last = name.split(".")[-1]
    if last not in ("max_pool", "avg_pool"):
        raise PoolingError(f"layer names no flax pooling function; got {name!r}")
    params = [
        ("inputs", None),
        ("window_shape", _REQUIRED),
        ("strides", None),
        ("padding", "VALID"),
    ]
    if last == "avg_pool":
        params.append(("count_include_pad", True))
    b = _bind(name, params, args, kwargs, text)
    window = tuple(b["window_shape"]) if not isinstance(b["window_shape"], int) else None
    if window is None:
        raise PoolingError(f"window_shape must be a tuple of ints; got {b['window_shape']!r}")
    n = len(window)
    padding = b["padding"]
    if isinstance(padding, str):
        if padding.upper() not in ("SAME", "VALID"):
            raise PoolingError(
                f"padding must be 'SAME', 'VALID' or (lo, hi) pairs; got {padding!r}"
            )
        padding = padding.lower()
    else:
        padding = tuple(tuple(p) for p in padding)
    cip = _bool(b.get("count_include_pad", True), "count_include_pad")
    call = (f"flax.linen.{last}", tuple(args), dict(kwargs))
    return Layer(
        "jax",
        "max" if last == "max_pool" else "avg",
        n,
        window,
        b["strides"] or 1,
        padding,
        1,
        False,
        cip,
        None,
        False,
        "channels_last",
        text,
        call,
    )


def _from_lax_call(name, args, kwargs, text, data_format="channels_last") -> Layer:
    params = [
        ("operand", None),
        ("init_value", _REQUIRED),
        ("computation", _REQUIRED),
        ("window_dimensions", _REQUIRED),
        ("window_strides", _REQUIRED),
        ("padding", _REQUIRED),
        ("base_dilation", None),
        ("window_dilation", None),
    ]
    b = _bind(name, params, args, kwargs, text)
    comp = str(b["computation"]).split(".")[-1]
    if comp != "max":
        raise PoolingError(
            f"computation must be lax.max (sum windows are not a pooling layer of the other "
            f"frameworks); got {b['computation']!r}"
        )
    init = b["init_value"]
    negative_inf = isinstance(init, _Sym) and init.startswith("-") and init.endswith("inf")
    if not (negative_inf or init == float("-inf")):
        raise PoolingError(f"init_value must be -inf for max pooling; got {init!r}")
    if b["base_dilation"] is not None and any(v != 1 for v in b["base_dilation"]):
        raise PoolingError(
            f"base_dilation must be all 1 (no pooling has it); got {b['base_dilation']!r}"
        )
    dims = list(b["window_dimensions"])
    n = len(dims) - 2
    if n < 1:
        raise PoolingError(
            f"window_dimensions must cover batch, channel and spatial dims; got {dims!r}"
        )
    inner = slice(1, -1) if data_format == "channels_last" else slice(2, None)
    outer = [0, -1] if data_format == "channels_last" else [0, 1]

    def spatial(values, what, default):
        values = [default] * len(dims) if values is None else list(values)
        if len(values) != len(dims):
            raise PoolingError(f"{what} must have {len(dims)} entries; got {values!r}")
        if any(values[i] != default for i in outer):
            raise PoolingError(
                f"{what} must be {default} on the batch and channel dims ({data_format}); got "
                f"{values!r}"
            )
        return tuple(values[inner])

    padding = b["padding"]
    if isinstance(padding, str):
        if padding.upper() not in ("SAME", "VALID", "SAME_LOWER"):
            raise PoolingError(f"padding must be 'SAME', 'VALID' or pairs; got {padding!r}")
        padding = padding.lower()
    else:
        pairs = [tuple(p) for p in padding]
        if len(pairs) != len(dims) or any(pairs[i] != (0, 0) for i in outer):
            raise PoolingError(
                f"padding must be {len(dims)} pairs, (0, 0) on the batch and channel dims; got "
                f"{padding!r}"
            )
        padding = tuple(pairs[inner])
    return Layer(
        "jax",
        "max",
        n,
        spatial(dims, "window_dimensions", 1),
        spatial(b["window_strides"], "window_strides", 1),
        padding,
        spatial(b["window_dilation"], "window_dilation", 1),
        False,
        False,
        None,
        False,
        data_format,
        text,
        ("lax.reduce_window", tuple(args), dict(kwargs)),
    )


_ONNX_OPS = {"MaxPool": "max", "AveragePool": "avg"}


def _from_onnx_attrs(op_type: str, attrs: dict, text: str) -> Layer:
    if op_type not in _ONNX_OPS:
        raise PoolingError(f"op_type must be one of {sorted(_ONNX_OPS)}; got {op_type!r}")
    allowed = {"kernel_shape", "strides", "pads", "auto_pad", "ceil_mode", "dilations"}
    allowed |= {"storage_order"} if op_type == "MaxPool" else {"count_include_pad"}
    for key in attrs:
        if key not in allowed:
            raise PoolingError(
                f"{key} is not an attribute of ONNX {op_type} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
    if "kernel_shape" not in attrs:
        raise PoolingError(f"kernel_shape is required by ONNX {op_type}; got {attrs!r}")
    kernel = tuple(attrs["kernel_shape"])
    n = len(kernel)
    auto_pad = attrs.get("auto_pad", "NOTSET")
    if isinstance(auto_pad, bytes):
        auto_pad = auto_pad.decode()
    if auto_pad not in ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"):
        raise PoolingError(
            f"auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER; got {auto_pad!r}"
        )
    if auto_pad == "NOTSET":
        pads = list(attrs.get("pads", [0] * (2 * n)))
        if len(pads) != 2 * n:
            raise PoolingError(f"pads must have {2 * n} entries (begins, then ends); got {pads!r}")
        padding = tuple((pads[i], pads[i + n]) for i in range(n))
    else:
        if any(attrs.get("pads", [0])):
            raise PoolingError(
                f"pads must not be given with auto_pad={auto_pad}; got {attrs['pads']!r}"
            )
        padding = {"VALID": "valid", "SAME_UPPER": "same", "SAME_LOWER": "same_lower"}[auto_pad]
    so = as_int(attrs.get("storage_order", 0))
    if so not in (0, 1):
        raise PoolingError(f"storage_order must be 0 or 1; got {attrs.get('storage_order')!r}")
    return Layer(
        "onnx",
        _ONNX_OPS[op_type],
        n,
        kernel,
        tuple(attrs.get("strides", [1] * n)),
        padding,
        tuple(attrs.get("dilations", [1] * n)),
        _bool(attrs.get("ceil_mode", 0), "ceil_mode"),
        _bool(attrs.get("count_include_pad", 0), "count_include_pad"),
        None,
        False,
        "channels_first",
        text,
        (op_type, (), dict(attrs)),
        so,
    )


def _from_onnx_call(name, args, kwargs, text) -> Layer:
    if name.split(".")[-1] == "make_node":
        if not args:
            raise PoolingError(f"make_node needs its op_type; got {text!r}")
        return _from_onnx_attrs(args[0], kwargs, text)
    return _from_onnx_attrs(name.split(".")[-1], kwargs, text)


def _dispatch_call(name: str, args, kwargs, text: str, data_format=None) -> Layer:
    parts = name.split(".")
    last = parts[-1]
    if (
        _kind(last, _TORCH_STEMS)[0]
        and last.endswith("d")
        and (parts[0] in ("torch", "nn") or len(parts) == 1)
    ):
        return _from_torch_call(name, args, kwargs, text)
    if _kind(last, _KERAS_STEMS)[0] and last.endswith("D"):
        return _from_keras_call(name, args, kwargs, text)
    if last == "reduce_window":
        return _from_lax_call(name, args, kwargs, text, data_format or "channels_last")
    if parts[0] in ("tf", "tensorflow"):
        return _from_tf_call(name, args, kwargs, text)
    if parts[0] in ("flax", "linen", "nn") and last in ("max_pool", "avg_pool"):
        return _from_flax_call(name, args, kwargs, text)
    if last in _ONNX_OPS or last == "make_node":
        return _from_onnx_call(name, args, kwargs, text)
    raise PoolingError(
        f"layer must be a max or average pooling layer of torch.nn, keras.layers, tf.nn, ONNX "
        f"(MaxPool/AveragePool), flax.linen or lax.reduce_window; got {name!r}"
    )


def parse(layer, *, data_format: str | None = None) -> Layer:
    """``layer`` (a string, a live torch/Keras layer, an ONNX node, a dict) as a :class:`Layer`.

    Dicts: ``{"op_type": "MaxPool", ...attributes}`` (ONNX) or Keras's
    ``{"class_name": "MaxPooling2D", "config": {...}}``. ``data_format`` says where the channels
    are for ``lax.reduce_window`` (default ``channels_last``, Flax's layout).

    >>> parse("keras.layers.MaxPooling2D(3, strides=2, padding='same')").padding
    'same'
    """
    if isinstance(layer, Layer):
        return layer
    if isinstance(layer, str):
        name, args, kwargs = _parse_string(layer)
        return _dispatch_call(name, args, kwargs, layer.strip(), data_format)
    if isinstance(layer, dict):
        if "op_type" in layer:
            attrs = {k: v for k, v in layer.items() if k != "op_type"}
            return _from_onnx_attrs(layer["op_type"], attrs, repr(layer))
        if "class_name" in layer:
            config = dict(layer.get("config", {}))
            keep = {
                k: config[k]
                for k in ("pool_size", "strides", "padding", "data_format")
                if k in config
            }
            return _from_keras_call(layer["class_name"], [], keep, repr(layer))
        raise PoolingError(
            f"layer must be an ONNX attribute dict with 'op_type' or a Keras config with "
            f"'class_name'; got {describe(layer)}"
        )
    module = type(layer).__module__ or ""
    if hasattr(layer, "op_type") and hasattr(layer, "attribute"):  # an onnx NodeProto
        from onnx import helper

        attrs = {a.name: helper.get_attribute_value(a) for a in layer.attribute}
        text = f"{layer.op_type}({', '.join(f'{k}={v!r}' for k, v in attrs.items())})"
        return _from_onnx_attrs(layer.op_type, attrs, text)
    if module.startswith("torch.nn") or module.startswith("poolkit.torch"):
        kind, n = _kind(type(layer).__name__, _TORCH_STEMS)
        if kind is None:
            raise PoolingError(
                f"layer must be a MaxPool or AvgPool module; got {type(layer).__name__}"
            )
        names = [p for p, _ in _TORCH_PARAMS[kind]]
        bound = {p: getattr(layer, p, d) for p, d in _TORCH_PARAMS[kind]}
        kwargs = {p: bound[p] for p in names if hasattr(layer, p)}
        if kind == "AvgPool" and n == 1:
            kwargs.pop("divisor_override", None)
        text = (
            f"torch.nn.{type(layer).__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
        )
        return _torch_layer(kind, n, bound, text, (f"torch.nn.{type(layer).__name__}", (), kwargs))
    if hasattr(layer, "get_config") and "keras" in module:
        config = layer.get_config()
        return parse({"class_name": type(layer).__name__, "config": config})
    raise PoolingError(
        f"layer must be a string, dict, torch/Keras layer or ONNX node; got {describe(layer)}"
    )


# --------------------------------------------------------------------------- resolving


def _window(layer: Layer, input_shape) -> Window:
    shape = _input_shape(input_shape, layer.ndim)
    n = len(shape)
    if layer.ndim is not None and n != layer.ndim:
        raise PoolingError(
            f"input_shape must have {layer.ndim} spatial dims for {layer.text}; "
            f"got {describe(input_shape)}"
        )
    kernel = to_tuple(layer.kernel, n, "kernel_size")
    stride = kernel if layer.stride is None else to_tuple(layer.stride, n, "stride")
    return resolve(
        shape,
        kernel,
        stride,
        layer.padding,
        to_tuple(layer.dilation, n, "dilation"),
        layer.ceil_mode,
    )


def _input_shape(value, ndim):
    if isinstance(value, str):
        parts = value.replace("x", ",").split(",")
        try:
            sizes = tuple(int(p) for p in parts if p.strip())
        except ValueError:
            raise PoolingError(
                f"input must be sizes such as 112 or 112,96; got {value!r}"
            ) from None
        value = sizes[0] if len(sizes) == 1 else sizes
    single = as_int(value)
    if single is not None:
        if ndim is None:
            raise PoolingError(f"input must give every spatial size for this layer; got {value!r}")
        value = (single,) * ndim
    shape = tuple(value) if not isinstance(value, str) else value
    n = len(shape) if shape else 0
    if not 1 <= n <= 3:
        raise PoolingError(f"input must have 1 to 3 spatial sizes; got {describe(value)}")
    return to_tuple(shape, n, "input")


def _src_divisors(layer: Layer, w: Window) -> np.ndarray:
    return w.divisors(layer.count_include_pad, layer.divisor_override)


@dataclass
class _Form:
    """A candidate: pre-pad ``(lo, hi)`` per axis (or None), then a pooling op that sees the
    (padded) input with its own ``padding`` spelling, ``ceil_mode`` and divisor rule."""

    prepad: tuple | None
    padding: object
    ceil_mode: bool
    divisor: str  # "in" (in-bounds), "padded", "override", "none" (a sum, divided after)
    kernel: tuple
    stride: tuple
    dilation: tuple


def _check(form: _Form, layer: Layer, w: Window):
    """``(ok, correction)``: whether ``form`` has the source's windows, and the constant to
    multiply an average by (``None`` when 1 everywhere)."""
    pre = form.prepad or tuple((0, 0) for _ in w.axes)
    shape = tuple(a.length + lo + hi for a, (lo, hi) in zip(w.axes, pre, strict=True))
    try:
        cand = resolve(shape, form.kernel, form.stride, form.padding, form.dilation, form.ceil_mode)
    except PoolingError:
        return False, None
    if cand.output_shape != w.output_shape:
        return False, None
    if any(c.lo + p[0] != a.lo for c, p, a in zip(cand.axes, pre, w.axes, strict=True)):
        return False, None
    if layer.op == "max":
        return True, None
    source = _src_divisors(layer, w)
    if form.divisor == "none":
        target = np.ones(w.output_shape)
    elif form.divisor == "override":
        target = np.full(w.output_shape, float(layer.divisor_override))
    else:
        target = cand.divisors(form.divisor == "padded")
    ratio = target / source
    return True, (None if np.all(ratio == 1.0) else ratio)


# --------------------------------------------------------------------------- rendering helpers


def _fmt(values) -> str:
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else str(values)


def _lst(values) -> str:
    return str(list(values))


def _fill(layer: Layer) -> str:
    return "-inf" if layer.op == "max" else "0"


def _pads_needed(w: Window, with_overhang: bool):
    return tuple((a.lo, a.hi + (a.overhang if with_overhang else 0)) for a in w.axes)


def _corr_note(ratio) -> str:
    return (
        f"divisor correction: multiply the output by the constant `correction` (shape "
        f"{tuple(ratio.shape)}, target divisor / source divisor, in the plan) - the target counts "
        f"different cells in its divisor than the source"
    )


def _ceil_note(layer: Layer, w: Window) -> str | None:
    if not layer.ceil_mode:
        return None
    floors = tuple((a.length + a.lo + a.hi - a.k_eff) // a.stride + 1 for a in w.axes)
    if floors == w.output_shape:
        return (
            f"ceil_mode=True changes nothing at this input: floor also gives {w.output_shape} "
            f"windows (an input where it matters needs a padded length L+lo+hi-k_eff that "
            f"the stride does not divide)"
        )
    over = [a.overhang for a in w.axes]
    fill = "-inf" if layer.op == "max" else "zeros, kept out of the divisor"
    return (
        f"ceil_mode=True: floor would give {floors} windows, ceil gives {w.output_shape}; the last "
        f"window hangs {_fmt(over)} cell(s) past the padded input, so a framework without "
        f"ceil_mode needs that much extra pad at the end ({fill})"
    )


# --------------------------------------------------------------------------- targets


def _to_torch(layer: Layer, w: Window) -> Translation:
    n, k, s, d = w.ndim, w.kernel, w.stride, w.dilation
    cls = f"torch.nn.{'MaxPool' if layer.op == 'max' else 'AvgPool'}{n}d"
    notes = []
    if layer.op == "avg" and any(v != 1 for v in d):
        return Translation(
            "torch",
            False,
            [
                f"poolkit.torch.AvgPool{n}d({_fmt(k)}, {_fmt(s)}, padding={w.pads}, "
                f"ceil_mode={layer.ceil_mode}, count_include_pad={layer.count_include_pad}, "
                f"dilation={_fmt(d)})"
            ],
            {
                "kind": "poolkit.torch",
                "form": _form_dict(
                    _Form(
                        None,
                        w.pads,
                        layer.ceil_mode,
                        "padded" if layer.count_include_pad else "in",
                        k,
                        s,
                        d,
                    )
                ),
            },
            ["torch.nn.AvgPool has no dilation argument"],
            f"poolkit.torch.AvgPool{n}d with dilation (exact), or unfold + mean",
        )
    lo = tuple(a.lo for a in w.axes)
    # torch checks pad <= kernel_size // 2 (the kernel, not the dilated window; measured)
    limit = [a.kernel // 2 for a in w.axes]
    divisors = ["in", "padded"] if layer.op == "avg" else ["in"]
    if layer.divisor_override is not None:
        divisors = ["override"]
    best = None
    if all(p <= m for p, m in zip(lo, limit, strict=True)):
        for ceil in (layer.ceil_mode, not layer.ceil_mode):
            for div in divisors:
                form = _Form(None, tuple((p, p) for p in lo), ceil, div, k, s, d)
                ok, ratio = _check(form, layer, w)
                if ok and ratio is None:
                    best = (form, ratio)
                    break
            if best:
                break
    if best is None:
        pads = _pads_needed(w, False)
        form = _Form(
            pads, "valid", layer.ceil_mode, divisors[-1] if layer.op == "avg" else "in", k, s, d
        )
        ok, ratio = _check(form, layer, w)
        assert ok, "pre-padding with the source pads and ceil_mode must give the source windows"
        best = (form, ratio)
        if any(p > m for p, m in zip(lo, limit, strict=True)):
            notes.append(
                f"torch limits padding to half the kernel ({_fmt(limit)}): the pads go in "
                f"a separate pad"
            )
        elif any(a.lo != a.hi for a in w.axes):
            notes.append(
                f"torch pads symmetrically; the pads here are {w.pads}: explicit pad first"
            )
    form, ratio = best
    code = []
    args = [_fmt(k), _fmt(s)]
    kw = {}
    if form.prepad is None:
        kw["padding"] = _fmt(lo)
    else:
        torch_pads = [v for a in reversed(form.prepad) for v in a]  # F.pad lists the last dim first
        value = "float('-inf')" if layer.op == "max" else "0.0"
        code.append(f"pad = torch.nn.ConstantPad{n}d({tuple(torch_pads)}, value={value})")
        notes.append(
            f"explicit pad {form.prepad} (lo, hi per spatial dim) filled with {_fill(layer)}"
        )
    if layer.op == "max" and any(v != 1 for v in d):
        kw["dilation"] = _fmt(d)
    if form.ceil_mode:
        kw["ceil_mode"] = "True"
    if layer.op == "avg":
        if form.divisor == "override":
            kw["divisor_override"] = str(layer.divisor_override)
        else:
            kw["count_include_pad"] = str(form.divisor == "padded")
    if layer.return_indices and layer.op == "max":
        kw["return_indices"] = "True"
    code.append(f"pool = {cls}({', '.join(args + [f'{a}={b}' for a, b in kw.items()])})")
    if form.ceil_mode != layer.ceil_mode:
        notes.append(
            f"ceil_mode={form.ceil_mode} (not the source's {layer.ceil_mode}): with symmetric "
            f"padding {_fmt(lo)} it gives the source's {w.output_shape} windows at the same starts"
        )
    code.append("y = pool(pad(x))" if form.prepad else "y = pool(x)")
    if ratio is not None:
        code.append("y = y * correction")
        notes.append(_corr_note(ratio))
    if layer.data_format == "channels_last":
        notes.append(
            "torch pools channels first: move the channel axis of the source's channels-last input"
        )
    if layer.op == "max" and layer.return_indices:
        notes.append(_index_note(layer, w, "torch", form))
    plan = {"kind": "torch", "form": _form_dict(form), "correction": ratio}
    return Translation("torch", True, code, plan, [x for x in notes if x])


def _index_note(layer, w, target, form) -> str:
    if form is not None and form.prepad is not None and any(p != (0, 0) for p in form.prepad):
        return (
            "indices: with the explicit pad first they index the padded plane; compute them on "
            "the unpadded input with poolkit.max_pool*d(return_indices=True) instead"
        )
    fmt = {"torch": "torch", "onnx": "onnx", "tf": "tf"}.get(target, "torch")
    return (
        f"indices: {target} gives its own index format; convert with "
        f"poolkit.convert_indices(i, to='{_idx_name(layer.framework)}', input_shape=x.shape, "
        f"source='{fmt}')"
    )


def _idx_name(framework: str) -> str:
    return {"torch": "torch", "onnx": "onnx", "tf": "tf", "keras": "tf"}.get(framework, "torch")


def _form_dict(form: _Form) -> dict:
    return {
        "prepad": None if form.prepad is None else [list(p) for p in form.prepad],
        "padding": form.padding
        if isinstance(form.padding, str)
        else [list(p) for p in form.padding],
        "ceil_mode": form.ceil_mode,
        "divisor": form.divisor,
        "kernel": list(form.kernel),
        "stride": list(form.stride),
        "dilation": list(form.dilation),
    }


def _to_keras(layer: Layer, w: Window) -> Translation:
    n, k, s, d = w.ndim, w.kernel, w.stride, w.dilation
    name = f"{'MaxPooling' if layer.op == 'max' else 'AveragePooling'}{n}D"
    pk = (
        f"poolkit.keras.{name}({_fmt(k)}, {_fmt(s)}, padding={w.pads}, dilation_rate={_fmt(d)}, "
        f"ceil_mode={layer.ceil_mode}"
        + (f", count_include_pad={layer.count_include_pad}" if layer.op == "avg" else "")
        + (f", divisor_override={layer.divisor_override}" if layer.divisor_override else "")
        + ")"
    )
    fmt = layer.data_format
    df = "" if fmt == "channels_last" else ", data_format='channels_first'"
    if any(v != 1 for v in d):
        return Translation(
            "keras",
            False,
            [pk],
            {
                "kind": "poolkit.keras",
                "form": _form_dict(
                    _Form(
                        None,
                        w.pads,
                        layer.ceil_mode,
                        "padded" if layer.count_include_pad else "in",
                        k,
                        s,
                        d,
                    )
                ),
            },
            [
                f"keras.layers pooling has no dilation (dilation {_fmt(d)} here); the "
                f"poolkit.keras "
                f"layer above is exact, as is tf.nn.pool(..., dilations=) in a Lambda for stride 1"
            ],
            pk,
        )
    notes = []
    chosen = None
    for spelling in ("valid", "same"):
        form = _Form(None, spelling, False, "in", k, s, d)
        ok, ratio = _check(form, layer, w)
        if ok and ratio is None:
            chosen = (form, ratio)
            break
    code = []
    if chosen is None:
        pads = _pads_needed(w, True)
        form = _Form(pads, "valid", False, "in", k, s, d)
        ok, ratio = _check(form, layer, w)
        assert ok
        chosen = (form, ratio)
        if layer.op == "max":
            axes = [[0, 0]] + [list(p) for p in pads] + [[0, 0]]
            if fmt == "channels_first":
                axes = [[0, 0], [0, 0]] + [list(p) for p in pads]
            code.append(
                f"pad = keras.layers.Lambda(lambda t: keras.ops.pad(t, {axes}, "
                f"constant_values=float('-inf')))"
            )
            notes.append(
                f"Keras pooling has no explicit pads or ceil_mode: pad {pads} (lo, hi per dim) "
                f"with "
                f"-inf first; ZeroPadding{n}D would not do for max (a zero beats negative inputs)"
            )
        else:
            code.append(f"pad = keras.layers.ZeroPadding{n}D({_pad_arg(pads)}{df})")
            notes.append(f"Keras pooling has no explicit pads or ceil_mode: zero-pad {pads} first")
    form, ratio = chosen
    code.append(
        f"pool = keras.layers.{name}({_fmt(k)}, strides={_fmt(s)}, padding='{form.padding}'{df})"
    )
    code.append("y = pool(pad(x))" if form.prepad else "y = pool(x)")
    if ratio is not None:
        code.append("y = y * correction")
        notes.append(_corr_note(ratio))
    ceil = _ceil_note(layer, w)
    if ceil and form.prepad:
        notes.append(ceil)
    if layer.op == "max" and layer.return_indices:
        notes.append(
            "keras.layers max pooling returns no indices: use tf.nn.max_pool_with_argmax "
            "or poolkit.keras's return_indices=True"
        )
    notes.append(f"exact alternative in one layer: {pk}")
    plan = {"kind": "keras", "form": _form_dict(form), "correction": ratio, "data_format": fmt}
    return Translation("keras", True, code, plan, notes)


def _pad_arg(pads) -> str:
    if len(pads) == 1:
        return f"padding={tuple(pads[0])}"
    return f"padding={tuple(tuple(p) for p in pads)}"


def _to_tf(layer: Layer, w: Window) -> Translation:
    n, k, s, d = w.ndim, w.kernel, w.stride, w.dilation
    fmt = ["NWC", "NHWC", "NDHWC"][n - 1]  # TensorFlow's CPU pooling takes channels last only
    kind = "MAX" if layer.op == "max" else "AVG"
    dilated = any(v != 1 for v in d)
    notes, code = [], []
    chosen = None
    # tf.nn.pool refuses 'SAME' with dilations > 1, and strides > 1 with dilations
    for spelling in ("valid",) if dilated else ("valid", "same"):
        if dilated and any(v != 1 for v in s):
            break
        form = _Form(None, spelling, False, "in", k, s, d)
        ok, ratio = _check(form, layer, w)
        if ok and ratio is None:
            chosen = form
            break
    slice_step = None
    if chosen is not None:
        if dilated:
            code.append(
                f"y = tf.nn.pool(x, {_lst(k)}, '{kind}', strides={_lst(s)}, "
                f"padding='{chosen.padding.upper()}', data_format='{fmt}', dilations={_lst(d)})"
            )
        else:
            fn = f"tf.nn.{'max' if layer.op == 'max' else 'avg'}_pool{n}d"
            code.append(
                f"y = {fn}(x, ksize={_lst(k)}, strides={_lst(s)}, "
                f"padding='{chosen.padding.upper()}', data_format='{fmt}')"
            )
        form, ratio = chosen, None
    else:
        pads = _pads_needed(w, True)
        explicit_ok = (
            layer.op == "max"
            and not dilated
            and n in (1, 2)
            and all(lo < kk and hi < kk for (lo, hi), kk in zip(pads, k, strict=True))
        )
        if explicit_ok:
            form = _Form(None, pads, False, "in", k, s, d)
            ok, ratio = _check(form, layer, w)
            assert ok
            tfp = [[0, 0]] + [list(p) for p in pads] + [[0, 0]]
            code.append(
                f"y = tf.nn.max_pool{n}d(x, ksize={_lst(k)}, strides={_lst(s)}, padding={tfp}, "
                f"data_format='{fmt}')"
            )
            notes.append("explicit pads on tf.nn.max_pool: pads never win")
        else:
            form = _Form(pads, "valid", False, "in", k, (1,) * n if dilated else s, d)
            if dilated and any(v != 1 for v in s):
                slice_step = s
                # stride 1, then every s-th window: tf.nn.pool refuses strides with dilations
                cand = resolve(
                    tuple(a.length + lo + hi for a, (lo, hi) in zip(w.axes, pads, strict=True)),
                    k,
                    1,
                    "valid",
                    d,
                )
                assert all(
                    ((o - 1) * st) < c
                    for o, st, c in zip(w.output_shape, s, cand.output_shape, strict=True)
                )
                ratio = None
                if layer.op == "avg":
                    target = np.prod(np.asarray(k, dtype=np.float64)) * np.ones(w.output_shape)
                    r = target / _src_divisors(layer, w)
                    ratio = None if np.all(r == 1) else r
                notes.append(
                    "tf.nn.pool refuses strides > 1 with dilations: pool with stride 1, then "
                    "keep every stride-th window (a slice)"
                )
            else:
                ok, ratio = _check(form, layer, w)
                assert ok
            axes = [[0, 0]] + [list(p) for p in pads] + [[0, 0]]
            value = "float('-inf')" if layer.op == "max" else "0.0"
            code.append(f"x = tf.pad(x, {axes}, constant_values={value})")
            if dilated:
                code.append(
                    f"y = tf.nn.pool(x, {_lst(k)}, '{kind}', strides={_lst((1,) * n)}, "
                    f"padding='VALID', data_format='{fmt}', dilations={_lst(d)})"
                )
            else:
                code.append(
                    f"y = tf.nn.{layer.op}_pool{n}d(x, ksize={_lst(k)}, strides={_lst(s)}, "
                    f"padding='VALID', data_format='{fmt}')"
                )
            if slice_step:
                sl = ", ".join(f"::{v}" for v in s)
                code.append(f"y = y[:, {sl}, :]")
            notes.append(
                f"explicit pad {pads} (lo, hi per dim; the end includes the ceil_mode "
                f"overhang) filled with {_fill(layer)}"
            )
    if ratio is not None:
        code.append("y = y * correction")
        notes.append(_corr_note(ratio))
    ceil = _ceil_note(layer, w)
    if ceil and (form.prepad or not isinstance(form.padding, str)):
        notes.append(ceil)
    if layer.op == "max" and layer.return_indices:
        notes.append(
            "indices: tf.nn.max_pool_with_argmax (2-d, SAME/VALID only) gives (y*W + x)*C + c; "
            "poolkit.convert_indices(i, to='tf', input_shape=x.shape, "
            "data_format='channels_last') converts from torch's"
        )
    if layer.data_format == "channels_first":
        notes.append(
            "TensorFlow's CPU pooling is channels last: transpose the source's channels-first "
            "input first (tf.transpose(x, [0, 2, ..., 1])) and the output back"
        )
    plan = {
        "kind": "tf",
        "form": _form_dict(form),
        "correction": ratio,
        "slice": slice_step,
        "data_format": "channels_last",
    }
    return Translation("tf", True, code, plan, notes)


def _to_onnx(layer: Layer, w: Window) -> Translation:
    k, s, d = w.kernel, w.stride, w.dilation
    op = "MaxPool" if layer.op == "max" else "AveragePool"
    notes, code = [], []
    divisors = ["in", "padded"] if layer.op == "avg" else ["in"]
    chosen = None
    pads = w.pads
    # onnxruntime refuses a pad >= kernel_shape, even one smaller than the dilated window that
    # ONNX's spec and PyTorch allow: such pads go in a Pad node instead
    refused = any(p >= kk for pair, kk in zip(pads, k, strict=True) for p in pair)
    if refused:
        zero = tuple((0, 0) for _ in pads)
        form = _Form(pads, zero, layer.ceil_mode, "in", k, s, d)
        ok, ratio = _check(form, layer, w)
        assert ok
        chosen = (form, ratio)
        flat = [p[0] for p in pads] + [p[1] for p in pads]
        full = [0, 0, *[p[0] for p in pads], 0, 0, *[p[1] for p in pads]]
        code.append(
            f"onnx.helper.make_node('Pad', ['x', 'pads', 'value'], ['x_padded'], mode='constant')"
            f"  # pads = {full} (int64), value = {_fill(layer)}"
        )
        notes.append(
            f"onnxruntime refuses pads {flat} >= kernel_shape {list(k)} (ONNX's spec and PyTorch "
            f"allow a pad smaller than the dilated window): the pads go in a Pad node filled "
            f"with {_fill(layer)}, and the pool has none"
        )
        pads = zero
    for div in divisors if not refused else ():
        form = _Form(None, pads, layer.ceil_mode, div, k, s, d)
        ok, ratio = _check(form, layer, w)
        if ok and (chosen is None or ratio is None):
            chosen = (form, ratio)
            if ratio is None:
                break
    form, ratio = chosen
    attrs = [f"kernel_shape={_lst(k)}", f"strides={_lst(s)}"]
    flat = [p[0] for p in pads] + [p[1] for p in pads]
    if any(flat):
        attrs.append(f"pads={flat}")
    if any(v != 1 for v in d):
        attrs.append(f"dilations={_lst(d)}")
    if form.ceil_mode:
        attrs.append("ceil_mode=1")
    if layer.op == "avg" and form.divisor == "padded":
        attrs.append("count_include_pad=1")
    outputs = "['y', 'indices']" if layer.op == "max" and layer.return_indices else "['y']"
    source = "'x_padded'" if refused else "'x'"
    code.append(f"onnx.helper.make_node('{op}', [{source}], {outputs}, {', '.join(attrs)})")
    if ratio is not None:
        code.append("onnx.helper.make_node('Mul', ['y', 'correction'], ['y_exact'])")
        notes.append(
            _corr_note(ratio)
            + (" (ONNX AveragePool has no divisor_override)" if layer.divisor_override else "")
        )
    if isinstance(layer.padding, str) and layer.padding != "valid":
        auto = "SAME_UPPER" if layer.padding == "same" else "SAME_LOWER"
        notes.append(
            f"explicit pads, not auto_pad={auto}: onnxruntime sizes a dilated SAME window without "
            f"its dilation, and explicit pads say the same thing everywhere"
        )
    if layer.op == "avg" and any(v != 1 for v in d):
        notes.append("AveragePool's dilations need opset >= 19")
    if layer.op == "max" and layer.return_indices:
        notes.append(_index_note(layer, w, "onnx", None))
    plan = {"kind": "onnx", "form": _form_dict(form), "correction": ratio}
    return Translation("onnx", True, code, plan, notes)


def _to_jax(layer: Layer, w: Window) -> Translation:
    k, s, d = w.kernel, w.stride, w.dilation
    pads = _pads_needed(w, True)
    cl = layer.data_format == "channels_last"
    one = (1,)
    dims = one + k + one if cl else one + one + k
    strides = one + s + one if cl else one + one + s
    dil = one + d + one if cl else one + one + d
    pp = [(0, 0), *list(pads), (0, 0)] if cl else [(0, 0), (0, 0), *list(pads)]
    code = []
    notes = []
    init = "-jnp.inf" if layer.op == "max" else "0.0"
    comp = "lax.max" if layer.op == "max" else "lax.add"
    code.append(
        f"y = lax.reduce_window(x, {init}, {comp}, {dims}, {strides}, {pp}"
        + (f", window_dilation={dil})" if any(v != 1 for v in d) else ")")
    )
    ratio = None
    form = _Form(pads, "valid", False, "none", k, s, d)
    ok, ratio = _check(form, layer, w)
    assert ok
    if layer.op == "avg":
        code.append("y = y * correction")
        notes.append(
            f"lax.reduce_window sums: multiply by `correction` = 1 / the source divisor (shape "
            f"{w.output_shape}, in the plan): {_pads_count(layer)}"
        )
    notes.append(
        f"pads {pads} (lo, hi per dim; the end includes the ceil_mode overhang) are filled "
        f"with the init value {init}"
    )
    if not any(v != 1 for v in d):
        fl = f"flax.linen.{layer.op}_pool(x, {k}, strides={s}, padding={tuple(pads)}"
        if layer.op == "avg":
            for cip in (True, False):
                f = _Form(pads, "valid", False, "in" if not cip else "padded", k, s, d)
                ok2, r2 = _check(f, layer, w)
                if ok2 and r2 is None:
                    notes.append(f"also exact (channels last): {fl}, count_include_pad={cip})")
                    break
        else:
            notes.append(f"also exact (channels last): {fl})")
    if layer.op == "max" and layer.return_indices:
        notes.append(
            "lax.reduce_window returns no indices: poolkit.jax's max pooling or "
            "poolkit.max_pool*d(return_indices=True) gives torch's format"
        )
    plan = {
        "kind": "jax",
        "form": _form_dict(form),
        "correction": ratio,
        "data_format": layer.data_format,
    }
    return Translation("jax", True, code, plan, notes)


_TARGETS = {"torch": _to_torch, "keras": _to_keras, "tf": _to_tf, "onnx": _to_onnx, "jax": _to_jax}


def _targets(to) -> list[str]:
    if to is None:
        return list(FRAMEWORKS)
    names = [to] if isinstance(to, str) else list(to)
    out = []
    for name in names:
        for part in str(name).split(","):
            key = _ALIASES.get(part.strip().lower(), part.strip().lower())
            if key not in FRAMEWORKS:
                raise PoolingError(
                    f"to must name frameworks among {', '.join(FRAMEWORKS)}; got {name!r}"
                )
            out.append(key)
    return out


def port(layer, input_shape, to=None, *, data_format: str | None = None) -> Port:
    """Resolve ``layer`` at spatial ``input_shape`` and give its exact form in each framework.

    ``to``: a framework name or a list of them (``torch``, ``keras``, ``tf``, ``onnx``, ``jax``);
    default: every framework but the source's.

    >>> p = port("keras.layers.MaxPooling2D(3, strides=2, padding='same')", (8, 8), to="torch")
    >>> p.translations["torch"].code[-2]
    'pool = torch.nn.MaxPool2d(3, 2, padding=0, ceil_mode=True)'
    """
    parsed = parse(layer, data_format=data_format)
    w = _window(parsed, input_shape)
    names = _targets(to)
    if to is None:
        names = [t for t in names if t != parsed.framework]
    summary = [
        f"{parsed.op} pooling over {w.ndim}-d input {w.input_shape} ({parsed.data_format})",
        f"kernel {w.kernel}, stride {w.stride}, dilation {w.dilation}",
        f"pads (lo, hi) per dim: {w.pads}; output {w.output_shape}",
        f"pads count: {_pads_count(parsed)}",
    ]
    ceil = _ceil_note(parsed, w)
    if ceil:
        summary.append(ceil)
    return Port(parsed, w, {t: _TARGETS[t](parsed, w) for t in names}, summary)


# --------------------------------------------------------------------------- verify


def reference(layer: Layer, w: Window, x: np.ndarray) -> np.ndarray:
    """poolkit's reference output for ``x`` (channels first, batched)."""
    import poolkit

    n = w.ndim
    if layer.op == "max":
        return getattr(poolkit, f"max_pool{n}d")(
            x, w.kernel, w.stride, w.pads, w.dilation, layer.ceil_mode
        )
    return getattr(poolkit, f"avg_pool{n}d")(
        x,
        w.kernel,
        w.stride,
        w.pads,
        w.dilation,
        layer.ceil_mode,
        count_include_pad=layer.count_include_pad,
        divisor_override=layer.divisor_override,
    )


def _to_cl(x):
    return np.moveaxis(x, 1, -1)


def _from_cl(y):
    return np.moveaxis(y, -1, 1)


def _run_source(layer: Layer, w: Window, x: np.ndarray) -> np.ndarray:
    """Run the layer as its own framework wrote it (channels-first ``x`` in and out)."""
    name, args, kwargs = layer.call
    fw = layer.framework
    cl = layer.data_format == "channels_last"
    if fw == "torch":
        import torch

        module = getattr(torch.nn, name.split(".")[-1])(*args, **kwargs)
        out = module(torch.from_numpy(x))
        return (out[0] if isinstance(out, tuple) else out).numpy()
    if fw == "keras":
        import keras

        cls = getattr(keras.layers, name.split(".")[-1])
        y = np.asarray(cls(*args, **kwargs)(_to_cl(x) if cl else x))
        return _from_cl(y) if cl else y
    if fw == "tf":
        import tensorflow as tf

        fn = getattr(tf.nn, name.split(".")[-1])
        y = fn(_to_cl(x) if cl else x, *args[1:], **kwargs).numpy()
        return _from_cl(y) if cl else y
    if fw == "onnx":
        from onnx import helper

        node = helper.make_node(name, ["x"], ["y"], **kwargs)
        return _run_onnx([node], x, {})
    if fw == "jax":
        import jax.numpy as jnp
        from jax import lax

        xin = jnp.asarray(_to_cl(x) if cl else x)
        if name == "lax.reduce_window":
            rest = list(args[1:])
            kw = dict(kwargs)
            params = [
                "init_value",
                "computation",
                "window_dimensions",
                "window_strides",
                "padding",
                "base_dilation",
                "window_dilation",
            ]
            bound = dict(zip(params, rest, strict=False)) | kw
            bound["init_value"] = -jnp.inf
            bound["computation"] = lax.max
            for key in ("window_dimensions", "window_strides", "base_dilation", "window_dilation"):
                if bound.get(key) is not None:
                    bound[key] = tuple(bound[key])
            if not isinstance(bound["padding"], str):
                bound["padding"] = tuple(tuple(p) for p in bound["padding"])
            y = np.asarray(lax.reduce_window(xin, **bound))
        else:
            import flax.linen as nn

            fn = getattr(nn, name.split(".")[-1])
            kw = dict(kwargs)
            if "padding" in kw and not isinstance(kw["padding"], str):
                kw["padding"] = tuple(tuple(p) for p in kw["padding"])
            rest = [tuple(a) if isinstance(a, list) else a for a in args[1:]]
            kw = {
                k: tuple(v) if isinstance(v, list) and k != "padding" else v for k, v in kw.items()
            }
            y = np.asarray(fn(xin, *rest, **kw))
        return _from_cl(y) if cl else y
    raise PoolingError(f"cannot run a {fw} layer")


def _run_onnx(nodes, x, extra: dict) -> np.ndarray:
    import onnx
    import onnxruntime as ort
    from onnx import helper

    inits = [onnx.numpy_helper.from_array(v, name) for name, v in extra.items()]
    graph = helper.make_graph(
        nodes,
        "port",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info(nodes[-1].output[0], onnx.TensorProto.FLOAT, None)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def _np_prepad(x, prepad, fill, channels_last):
    pads = [(0, 0), *list(prepad), (0, 0)] if channels_last else [(0, 0), (0, 0), *list(prepad)]
    return np.pad(x, pads, constant_values=fill)


def _run_translation(layer: Layer, w: Window, t: Translation, x: np.ndarray) -> np.ndarray:
    """Run a translation's plan in its framework (channels-first ``x`` in and out)."""
    plan = t.plan
    kind = plan["kind"]
    form = plan.get("form")
    fill = -np.inf if layer.op == "max" else 0.0
    corr = plan.get("correction")
    n = w.ndim
    k, s, d = tuple(form["kernel"]), tuple(form["stride"]), tuple(form["dilation"])
    pairs = tuple(tuple(p) for p in form["padding"]) if form.get("padding") else None
    extra = {}
    if layer.op == "avg":
        extra = {
            "count_include_pad": layer.count_include_pad,
            "divisor_override": layer.divisor_override,
        }
    if kind == "poolkit.keras":
        import poolkit.keras as pkk

        stem = "MaxPooling" if layer.op == "max" else "AveragePooling"
        cls = getattr(pkk, f"{stem}{n}D")
        pool = cls(
            k,
            s,
            padding=pairs,
            dilation_rate=d,
            ceil_mode=form["ceil_mode"],
            data_format="channels_first",
            **extra,
        )
        return np.asarray(pool(x))
    if kind == "poolkit.torch":
        import torch

        import poolkit.torch as pkt

        if n == 1:
            extra.pop("divisor_override", None)  # AvgPool1d has none
        pool = getattr(pkt, f"AvgPool{n}d")(k, s, pairs, form["ceil_mode"], dilation=d, **extra)
        return pool(torch.from_numpy(x)).numpy()
    if kind == "torch":
        import torch

        xt = x if form["prepad"] is None else _np_prepad(x, form["prepad"], fill, False)
        xt = np.ascontiguousarray(xt)
        pad = 0 if form["prepad"] is not None else tuple(p[0] for p in form["padding"])
        if layer.op == "max":
            mod = getattr(torch.nn, f"MaxPool{n}d")(k, s, pad, d, ceil_mode=form["ceil_mode"])
        else:
            kw = {"count_include_pad": form["divisor"] == "padded"}
            if form["divisor"] == "override":
                kw = {"divisor_override": layer.divisor_override}
            mod = getattr(torch.nn, f"AvgPool{n}d")(k, s, pad, ceil_mode=form["ceil_mode"], **kw)
        y = mod(torch.from_numpy(xt)).numpy()
    elif kind == "keras":
        import keras

        cl = plan["data_format"] == "channels_last"
        xi = _to_cl(x) if cl else x
        if form["prepad"] is not None:
            xi = _np_prepad(xi, form["prepad"], fill, cl)  # what the pad layer does
            if layer.op == "avg":  # run the real ZeroPadding layer on the unpadded input
                zp = getattr(keras.layers, f"ZeroPadding{n}D")(
                    padding=tuple(tuple(p) for p in form["prepad"])
                    if n > 1
                    else tuple(form["prepad"][0]),
                    data_format=plan["data_format"],
                )
                xi = np.asarray(zp(_to_cl(x) if cl else x))
            else:
                axes = (
                    [[0, 0]] + form["prepad"] + [[0, 0]]
                    if cl
                    else [[0, 0], [0, 0]] + form["prepad"]
                )
                xi = np.asarray(
                    keras.ops.pad(_to_cl(x) if cl else x, axes, constant_values=float("-inf"))
                )
        cls = getattr(
            keras.layers, f"{'MaxPooling' if layer.op == 'max' else 'AveragePooling'}{n}D"
        )
        y = np.asarray(
            cls(k, strides=s, padding=form["padding"], data_format=plan["data_format"])(xi)
        )
        y = _from_cl(y) if cl else y
    elif kind == "tf":
        import tensorflow as tf

        cl = plan["data_format"] == "channels_last"
        fmt = ("NWC NHWC NDHWC" if cl else "NCW NCHW NCDHW").split()[n - 1]
        xi = _to_cl(x) if cl else x
        if form["prepad"] is not None:
            axes = [[0, 0]] + form["prepad"] + [[0, 0]] if cl else [[0, 0], [0, 0]] + form["prepad"]
            xi = tf.pad(xi, axes, constant_values=fill)
        kind_ = "MAX" if layer.op == "max" else "AVG"
        if isinstance(form["padding"], str) and all(v == 1 for v in d):
            fn = getattr(tf.nn, f"{layer.op}_pool{n}d")
            y = fn(xi, list(k), list(s), form["padding"].upper(), data_format=fmt).numpy()
        elif isinstance(form["padding"], str):
            y = tf.nn.pool(
                xi,
                list(k),
                kind_,
                strides=list(s),
                padding=form["padding"].upper(),
                data_format=fmt,
                dilations=list(d),
            ).numpy()
        else:
            tfp = [[0, 0]] + form["padding"] + [[0, 0]]
            y = getattr(tf.nn, f"max_pool{n}d")(xi, list(k), list(s), tfp, data_format=fmt).numpy()
        if plan.get("slice"):
            sl = tuple(slice(None, None, v) for v in plan["slice"])
            y = y[(slice(None), *sl)] if cl else y[(slice(None), slice(None), *sl)]
        y = _from_cl(y) if cl else y
    elif kind == "onnx":
        from onnx import helper

        op = "MaxPool" if layer.op == "max" else "AveragePool"
        pads = form["padding"]
        attrs = {
            "kernel_shape": list(k),
            "strides": list(s),
            "pads": [p[0] for p in pads] + [p[1] for p in pads],
            "ceil_mode": int(form["ceil_mode"]),
        }
        if any(v != 1 for v in d):
            attrs["dilations"] = list(d)
        if layer.op == "avg":
            attrs["count_include_pad"] = int(form["divisor"] == "padded")
        nodes, extra_inputs, source = [], {}, "x"
        if form["prepad"] is not None:
            pre = form["prepad"]
            extra_inputs = {
                "pads": np.array(
                    [0, 0, *[p[0] for p in pre], 0, 0, *[p[1] for p in pre]], np.int64
                ),
                "value": np.array(fill, np.float32),
            }
            nodes.append(helper.make_node("Pad", ["x", "pads", "value"], ["xp"], mode="constant"))
            source = "xp"
        nodes.append(helper.make_node(op, [source], ["y"], **attrs))
        y = _run_onnx(nodes, x, extra_inputs)
    elif kind == "jax":
        import jax.numpy as jnp
        from jax import lax

        cl = plan["data_format"] == "channels_last"
        xi = jnp.asarray(_to_cl(x) if cl else x)
        one = (1,)
        dims = one + k + one if cl else one + one + k
        st = one + s + one if cl else one + one + s
        dil = one + d + one if cl else one + one + d
        pre = [tuple(p) for p in form["prepad"]]
        pp = [(0, 0), *pre, (0, 0)] if cl else [(0, 0), (0, 0), *pre]
        init = -jnp.inf if layer.op == "max" else np.float32(0)
        comp = lax.max if layer.op == "max" else lax.add
        y = np.asarray(lax.reduce_window(xi, init, comp, dims, st, pp, window_dilation=dil))
        y = _from_cl(y) if cl else y
        if layer.op == "avg":
            corr = 1.0 / _src_divisors(layer, w)
    else:
        raise _NotRunnable(kind)
    if corr is not None:
        y = (y * np.asarray(corr, dtype=np.float32)).astype(np.float32)
    return y


class _NotRunnable(Exception):
    pass


def _agree(layer: Layer, actual, expected) -> tuple[bool, str]:
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        return False, f"shape {actual.shape} != reference {expected.shape}"
    if layer.op == "max":
        ok = np.array_equal(actual, expected)
        return ok, "bit-identical" if ok else f"{int(np.sum(actual != expected))} values differ"
    diff = float(np.max(np.abs(actual.astype(np.float64) - expected)))
    ok = bool(np.allclose(actual, expected, rtol=1e-5, atol=1e-6))
    return ok, f"max |diff| {diff:.2e}"


def verify(result: Port, *, seed: int = 0, batch: int = 2, channels: int = 3) -> dict:
    """Run the source layer and each translation on random input; compare with poolkit.

    Returns ``{name: {"status": "agree"|"DIFFER"|"skipped", "detail": ...}}`` with ``"source"``
    for the original layer. Max must be bit-identical; averages agree to float rounding.
    Frameworks that are not installed are skipped (never counted as agreement).
    """
    layer, w = result.layer, result.window
    x = (
        np.random.default_rng(seed)
        .standard_normal((batch, channels, *w.input_shape))
        .astype(np.float32)
    )
    expected = reference(layer, w, x)
    report = {}

    def attempt(name, fn):
        try:
            y = fn()
        except ImportError as error:
            report[name] = {"status": "skipped", "detail": f"not installed: {error.name}"}
            return
        except _NotRunnable as error:
            report[name] = {"status": "skipped", "detail": f"{error} is not run"}
            return
        except Exception as error:  # a framework refusing the form is a failed translation
            report[name] = {"status": "ERROR", "detail": f"{type(error).__name__}: {error}"[:300]}
            return
        ok, detail = _agree(layer, y, expected)
        report[name] = {"status": "agree" if ok else "DIFFER", "detail": detail}

    attempt("source", lambda: _run_source(layer, w, x))
    for name, t in result.translations.items():
        attempt(name, lambda t=t: _run_translation(layer, w, t, x))
    return report


# --------------------------------------------------------------------------- command line


def add_arguments(parser) -> None:
    parser.add_argument(
        "layer",
        help='the layer as its framework writes it, e.g. "torch.nn.MaxPool2d(3, 2, 1, '
        'ceil_mode=True)", "keras.layers.AveragePooling2D(3, 2, padding=\'same\')", '
        '"MaxPool(kernel_shape=[3, 3], pads=[0, 0, 1, 1])", "tf.nn.max_pool2d(x, 3, 2, '
        "'SAME')\", \"flax.linen.avg_pool(x, (3, 3), padding='SAME')\"",
    )
    parser.add_argument(
        "--input", required=True, help="spatial input size: 112 (every dim) or 112,96"
    )
    parser.add_argument(
        "--to", default=None, help=f"target framework(s), comma-separated: {', '.join(FRAMEWORKS)}"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="run the source and each translation on random input against poolkit's reference",
    )
    parser.add_argument(
        "--data-format",
        default=None,
        choices=["channels_first", "channels_last"],
        help="where lax.reduce_window's channels are (default channels_last)",
    )


def run(args) -> int:
    import json

    result = port(args.layer, args.input, args.to, data_format=args.data_format)
    checks = verify(result) if args.verify else None
    if args.json:
        data = result.as_dict()
        if checks is not None:
            data["verify"] = checks
        print(json.dumps(data, indent=2))
    else:
        print(result.text())
        if checks is not None:
            print("")
            print("verify (random input against poolkit's reference):")
            for name, r in checks.items():
                print(f"  {name}: {r['status']} ({r['detail']})")
    if checks is not None and any(r["status"] in ("DIFFER", "ERROR") for r in checks.values()):
        return 1
    return 0
