"""Window geometry: the one place where padding spellings and ceil_mode become numbers.

Every padding spelling ("valid", "same", "same_lower", ints, (lo, hi) pairs) and ``ceil_mode``
become explicit per-side pads and an output length here, once. Kernels, the torch layers,
``explain``/``trace``, error messages and tests read a :class:`Window`; nobody recomputes
"same" padding (JAX's ``padtype_to_pads`` is the model: later code sees only (lo, hi) pairs).

Notation: ``L`` input length, ``k`` kernel, ``s`` stride, ``d`` dilation,
``k_eff = d*(k-1) + 1`` the span of the dilated window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache, reduce

import numpy as np

from poolkit._args import normalize_padding, to_tuple
from poolkit.errors import PoolingError


def effective_kernel(kernel: int, dilation: int) -> int:
    """The span of a dilated window: ``dilation*(kernel-1) + 1``."""
    return dilation * (kernel - 1) + 1


def output_length(length: int, k_eff: int, stride: int, lo: int, hi: int, ceil_mode: bool) -> int:
    """Number of windows along one axis (PyTorch's rule; ``<= 0`` when none fits).

    ``out = floor((L + lo + hi - k_eff + (ceil ? s-1 : 0)) / s) + 1``; with ``ceil_mode`` the
    last window must start inside the input or the left padding, else it is dropped
    (PyTorch's ``pooling_output_shape``: "ensure that the last pooling starts inside the image").

    >>> output_length(5, 3, 3, 0, 0, ceil_mode=False), output_length(5, 3, 3, 0, 0, ceil_mode=True)
    (1, 2)
    """
    span = length + lo + hi - k_eff
    # Floor division, like PyTorch's div_rtn: with ceil_mode an input shorter than the window
    # (-stride < span < 0) still gets one window, which starts inside it and hangs over.
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and ceil_mode_drop(length, k_eff, stride, lo, hi) is not None:
        out -= 1
    return max(out, 0)


def ceil_mode_drop(length: int, k_eff: int, stride: int, lo: int, hi: int) -> int | None:
    """The input coordinate where ceil_mode's rounded-up last window would start, when
    PyTorch's rule drops it (it starts at or past ``L + lo`` in the padded input, i.e. wholly
    in the right padding); ``None`` when no window is dropped. ``explain`` reports this.

    >>> ceil_mode_drop(5, 2, 2, 1, 1), ceil_mode_drop(5, 3, 3, 0, 0)
    (5, None)
    """
    span = length + lo + hi - k_eff
    last = -(-span // stride) * stride  # padded start of the last window, rounding up
    return last - lo if last >= length + lo else None


def same_pads(length: int, k_eff: int, stride: int, *, lower: bool = False) -> tuple[int, int]:
    """TensorFlow/Keras/ONNX 'SAME' pads: ``out = ceil(L/s)``, total ``P`` split ``floor(P/2)``
    before and the rest after (SAME_UPPER); ``lower=True`` puts the extra pad first (SAME_LOWER).

    >>> same_pads(5, 2, 2), same_pads(5, 2, 2, lower=True)
    ((0, 1), (1, 0))
    """
    out = -(-length // stride)
    total = max((out - 1) * stride + k_eff - length, 0)
    small, large = total // 2, total - total // 2
    return (large, small) if lower else (small, large)


def caffe_output_length(length: int, k_eff: int, stride: int, pad: int) -> int:
    """Caffe's rule: always round up, then (only when padded) drop a last window starting at or
    past ``L + pad``.  Caffe keeps such a window when ``pad == 0``, so with ``k < s`` it can
    count a window that lies wholly outside the input; poolkit's operators never do that.
    """
    out = -(-(length + 2 * pad - k_eff) // stride) + 1
    if pad > 0 and (out - 1) * stride >= length + pad:
        out -= 1
    return out


@dataclass(frozen=True)
class Axis:
    """Resolved geometry of one spatial axis."""

    length: int
    kernel: int
    stride: int
    dilation: int
    lo: int
    hi: int
    ceil_mode: bool
    out: int

    @property
    def k_eff(self) -> int:
        return effective_kernel(self.kernel, self.dilation)

    @property
    def overhang(self) -> int:
        """Cells past ``L + hi`` that the last (ceil-mode) window reaches; never counted."""
        return max(0, (self.out - 1) * self.stride + self.k_eff - (self.length + self.lo + self.hi))

    @property
    def padded_length(self) -> int:
        """Length of the buffer every window fits in: ``lo + L + hi + overhang``."""
        return self.lo + self.length + self.hi + self.overhang

    @property
    def int64_safe(self) -> bool:
        """Whether every per-window intermediate (window starts ``o*s - lo`` from ``-lo`` up,
        tap offsets up to ``k_eff``, the padded length) fits int64 with room to spare: then
        the per-axis arrays are computed vectorised in int64, else in Python ints (in
        chunks, so memory stays O(outputs) either way)."""
        big = self.lo + self.length + self.hi + self.k_eff + self.stride * self.out + self.kernel
        return big < _INT64_ROOM

    def starts(self) -> np.ndarray:
        """Input coordinate of each window's first tap (negative inside the left pad).

        Raises :class:`PoolingError` when a start does not fit int64 (a left pad of 2**63);
        the per-window counts below never need the starts as an array.
        """
        if self.lo > _INT64_MAX or (self.out - 1) * self.stride > _INT64_MAX:
            raise PoolingError(
                f"the window starts do not fit int64: stride {self.stride}, left padding "
                f"{self.lo}, {self.out} windows"
            )
        return np.arange(self.out, dtype=np.int64) * self.stride - self.lo

    def window_taps(self, o: int) -> np.ndarray:
        """Input coordinates of the ``kernel`` taps of window ``o`` alone (O(kernel) memory;
        ``trace`` shows one window at a time). Python ints when they do not fit int64."""
        start = o * self.stride - self.lo
        if not self.int64_safe:
            return np.array([start + j * self.dilation for j in range(self.kernel)], dtype=object)
        return start + np.arange(self.kernel, dtype=np.int64) * self.dilation

    def taps(self) -> np.ndarray:
        """``(out, kernel)`` input coordinates of every tap: for small uses and tests only
        (O(outputs x kernel) memory). The per-window counts below are closed-form."""
        return self.starts()[:, None] + np.arange(self.kernel, dtype=np.int64) * self.dilation

    def window_counts(self, chunk: int = 1 << 16, parts: str = "first count padded"):
        """``(first, count, padded)`` over every window, each ``(out,)``: the first in-bounds
        tap (clipped to ``[0, L)`` for a window without one), the in-bounds taps and the taps
        inside the padded input ``[-lo, L + hi)``; ``parts`` names the ones to compute (the
        others come back ``None``).

        Closed form, never ``(out, kernel)``: window ``o``'s taps are ``start + j*d`` for
        ``j`` in ``[0, k)``, ``start = o*s - lo``; the in-bounds ones are
        ``j`` in ``[ceil(-start/d), floor((L-1-start)/d)]`` clipped to ``[0, k)`` (every
        start is at most ``L-1``: the output-length rule guarantees it), and the padded
        ones ``[0, floor((L+hi-1-start)/d)]``. Chunks of outputs bound the temporaries;
        huge arguments compute in Python ints (object arrays) and only the results, which
        lie in ``[0, L + lo + hi]``, are stored.
        """
        want = parts.split()
        safe = self.int64_safe
        first = np.empty(self.out, dtype=np.int64) if "first" in want else None
        count = np.empty(self.out, dtype=np.int64) if "count" in want else None
        padded = None
        if "padded" in want:
            # padded counts pass int64 only when the pads do (a kernel and pads of ~2**63)
            wide = self.length + self.lo + self.hi >= _INT64_ROOM
            padded = np.empty(self.out, dtype=np.float64 if wide else np.int64)
        k, d, L, hi = self.kernel, self.dilation, self.length, self.hi
        for o0 in range(0, self.out, chunk):
            o1 = min(self.out, o0 + chunk)
            o = np.arange(o0, o1, dtype=np.int64)
            start = (o if safe else o.astype(object)) * self.stride - self.lo
            if first is not None or count is not None:
                skip = np.maximum(d - 1 - start, 0) // d  # ceil(-start/d) for a start < 0
            if count is not None:
                last = np.minimum(k - 1, (L - 1 - start) // d)
                count[o0:o1] = np.maximum(last - skip + 1, 0)
            if first is not None:
                first[o0:o1] = np.minimum(start + skip * d, L - 1)
            if padded is not None:
                padded[o0:o1] = np.minimum(k - 1, (L + hi - 1 - start) // d) + 1
        return first, count, padded

    def first_in_bounds(self) -> np.ndarray:
        """Each window's first tap inside the input (int64, ``(out,)``)."""
        return self.window_counts(parts="first")[0]

    def in_bounds_count(self) -> np.ndarray:
        """Taps of each window inside the input: the divisor without pads (int64)."""
        return self.window_counts(parts="count")[1]

    def padded_count(self) -> np.ndarray:
        """Taps of each window inside the padded input: explicit pads count, the ceil-mode
        overhang does not (PyTorch's count_include_pad divisor). int64; float64 when the
        padded input is longer than int64 holds (pads of ~2**63)."""
        return self.window_counts(parts="padded")[2]

    def empty_window(self) -> int | None:
        """The first window with every tap in the padding, or ``None`` (closed form, O(log)).

        Every window ends at or past 0 (``lo < k_eff``) and starts at or before ``L - 1``,
        so only a window starting in the left pad can miss the input, and its first tap at
        or past 0 is ``start mod d``: it misses when that residue is ``>= L`` (possible only
        when ``d > L``). Counting such windows among the first ``m`` is a floor sum.
        """
        if self.dilation <= self.length or self.lo == 0:
            return None
        left = min(self.out, -(-self.lo // self.stride))  # windows that start in the left pad

        def misses(m: int) -> int:
            return _count_residues_at_least(
                m, self.dilation, self.stride % self.dilation, -self.lo % self.dilation, self.length
            )

        if misses(left) == 0:
            return None
        lo, hi = 0, left  # the first window that misses: misses(lo) == 0 < misses(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if misses(mid) == 0 else (lo, mid)
        return lo


#: The most elements a NumPy array can have (its sizes are signed pointer-sized ints).
_MAX_SIZE = int(np.iinfo(np.intp).max)

_INT64_MAX = int(np.iinfo(np.int64).max)

#: Per-axis intermediates stay below this to be computed in int64 (a factor 4 of headroom).
_INT64_ROOM = 1 << 61


def _floor_sum(n: int, m: int, a: int, b: int) -> int:
    """``sum(floor((a*i + b) / m) for i in range(n))`` in O(log m) (AtCoder Library's
    ``floor_sum``), for ``n >= 0``, ``m >= 1``, ``a, b >= 0``; exact in Python ints."""
    total = 0
    while True:
        if a >= m:
            total += (n - 1) * n // 2 * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        y_max = a * n + b
        if y_max < m:
            return total
        n, b = y_max // m, y_max % m
        m, a = a, m


def _count_residues_at_least(n: int, m: int, a: int, b: int, threshold: int) -> int:
    """How many ``i`` in ``[0, n)`` have ``(a*i + b) mod m >= threshold`` (``0 <= a, b < m``,
    ``0 <= threshold <= m``): ``[r >= t] = floor((r + m - t) / m)`` for ``0 <= r < m``, and
    ``floor((a*i + b + m - t) / m) - floor((a*i + b) / m)`` is that for ``r = (a*i + b) mod m``."""
    if n <= 0:
        return 0
    return _floor_sum(n, m, a, b + m - threshold) - _floor_sum(n, m, a, b)


@dataclass(frozen=True)
class Window:
    """Resolved geometry of a pooling window over all spatial axes.

    Build one with :func:`resolve`. Shape: input spatial ``(L_1, ..., L_n)`` ->
    output spatial ``(out_1, ..., out_n)``.
    """

    axes: tuple[Axis, ...]

    @property
    def ndim(self) -> int:
        return len(self.axes)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(a.length for a in self.axes)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return tuple(a.out for a in self.axes)

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(a.kernel for a in self.axes)

    @property
    def stride(self) -> tuple[int, ...]:
        return tuple(a.stride for a in self.axes)

    @property
    def dilation(self) -> tuple[int, ...]:
        return tuple(a.dilation for a in self.axes)

    @property
    def pads(self) -> tuple[tuple[int, int], ...]:
        return tuple((a.lo, a.hi) for a in self.axes)

    @property
    def has_padding(self) -> bool:
        return any(a.lo or a.hi or a.overhang for a in self.axes)

    @cached_property
    def window_size(self) -> int:
        return math.prod(self.kernel)  # Python ints: a 2**63 kernel does not wrap

    def divisors(self, count_include_pad: bool, divisor_override: int | None = None) -> np.ndarray:
        """Average pooling's divisor for every output cell, shape ``output_shape`` (float64).

        A window is a Cartesian product of per-axis taps, so its count is the product of
        per-axis counts.
        """
        if divisor_override is not None:
            return np.full(self.output_shape, float(divisor_override))
        # per-axis counts in float64 before the product: a product of counts (or one padded
        # count of a 2**63 kernel) can pass int64, and the divisor is a float anyway
        counts = [
            (a.padded_count() if count_include_pad else a.in_bounds_count()).astype(np.float64)
            for a in self.axes
        ]
        return reduce(np.multiply.outer, counts).reshape(self.output_shape)


def resolve(
    input_shape: tuple[int, ...],
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
) -> Window:
    """Resolve user arguments into a :class:`Window` over spatial ``input_shape``.

    ``stride=None`` means the kernel size. Raises :class:`PoolingError` naming the argument
    for anything that cannot be pooled.

    >>> w = resolve((5, 5), 3, ceil_mode=True)
    >>> w.output_shape, w.pads
    ((2, 2), ((0, 0), (0, 0)))
    >>> resolve((5,), 2, 2, padding="same").pads
    ((0, 1),)
    """
    frozen = _freeze((tuple(input_shape), kernel_size, stride, padding, dilation))
    if _plain(*frozen) and type(ceil_mode) is bool:
        try:
            return _resolve_cached(*frozen, ceil_mode)
        except PoolingError:
            pass  # raised again below, so the message quotes the caller's own spelling
    return _resolve(input_shape, kernel_size, stride, padding, dilation, ceil_mode)


def resolve_normalized(input_shape, kernel, stride, padding, dilation, ceil_mode) -> Window:
    """:func:`resolve` for arguments poolkit has already normalised (tuples of Python ints, a
    padding string or ``(lo, hi)`` pairs, a bool): cached without re-checking their spelling,
    which costs more than the pooling of a small tensor. The first call for a key still
    checks the geometry itself and raises :class:`PoolingError` like :func:`resolve`."""
    try:
        return _resolve_cached(tuple(input_shape), kernel, stride, padding, dilation, ceil_mode)
    except PoolingError:
        return _resolve(tuple(input_shape), kernel, stride, padding, dilation, ceil_mode)


def _freeze(value):
    """Lists (the torch custom ops pass them) as tuples, so they can key the cache."""
    return tuple(_freeze(v) for v in value) if type(value) in (list, tuple) else value


def _plain(*values) -> bool:
    """True when every value is a str, None, an exact int or a tuple of those.

    Only such spellings are cached: ``2``, ``2.0`` and ``True`` hash alike, and a cache keyed
    on them would let an invalid ``2.0`` through after a valid ``2``.
    """
    return all(
        type(v) in (int, str, type(None)) or (type(v) is tuple and _plain(*v)) for v in values
    )


@lru_cache(maxsize=1024)
def _resolve_cached(input_shape, kernel_size, stride, padding, dilation, ceil_mode) -> Window:
    # A Window is immutable, so one resolved for a hot loop's arguments can be shared.
    return _resolve(input_shape, kernel_size, stride, padding, dilation, ceil_mode)


def _resolve(input_shape, kernel_size, stride, padding, dilation, ceil_mode) -> Window:
    n = len(input_shape)
    kernel = to_tuple(kernel_size, n, "kernel_size")
    strides = kernel if stride is None else to_tuple(stride, n, "stride")
    dilations = to_tuple(dilation, n, "dilation")
    spec = normalize_padding(padding, n)
    axes = []
    for dim, (length, k, s, d) in enumerate(
        zip(input_shape, kernel, strides, dilations, strict=True)
    ):
        k_eff = effective_kernel(k, d)
        if spec == "valid":
            lo = hi = 0
        elif spec in ("same", "same_lower"):
            lo, hi = same_pads(length, k_eff, s, lower=spec == "same_lower")
        else:
            lo, hi = spec[dim]
            if lo >= k_eff or hi >= k_eff:
                raise PoolingError(
                    f"padding must be smaller than the effective window along every dim, so "
                    f"each window touches the input; got padding {padding!r}, which is "
                    f"({lo}, {hi}) along spatial dim {dim}, where the window spans "
                    f"dilation*(kernel_size-1)+1 = {k_eff}"
                )
        out = output_length(length, k_eff, s, lo, hi, ceil_mode)
        if out < 1:
            raise PoolingError(
                f"input is too small: spatial dim {dim} has size {length}, which with "
                f"kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}, "
                f"dilation={dilation!r} gives an output size of {out}; the output must be >= 1 "
                f"(use a smaller kernel or more padding)"
            )
        if out > _MAX_SIZE:
            raise PoolingError(
                f"output too large: spatial dim {dim} (size {length}) with "
                f"kernel_size={kernel_size!r}, stride={stride!r}, padding={padding!r}, "
                f"dilation={dilation!r} gives {out} windows, more than an array can hold "
                f"({_MAX_SIZE}); use a larger stride or less padding"
            )
        axis = Axis(length, k, s, d, lo, hi, bool(ceil_mode), out)
        empty = axis.empty_window()
        if empty is not None:
            raise PoolingError(
                f"dilation={dilation!r} with padding={padding!r} leaves window {empty} along "
                f"spatial dim {dim} (size {length}) with every tap in the padding; every window "
                f"must cover at least one input element (use less padding or dilation)"
            )
        axes.append(axis)
    window = Window(tuple(axes))
    if math.prod(window.output_shape) > _MAX_SIZE:
        raise PoolingError(
            f"output too large: kernel_size={kernel_size!r}, stride={stride!r}, "
            f"padding={padding!r}, dilation={dilation!r} over spatial size {tuple(input_shape)} "
            f"give an output of {window.output_shape}, more elements than an array can hold "
            f"({_MAX_SIZE}); use a larger stride or less padding"
        )
    return window


def adaptive_bins(length: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive bins: ``start = floor(i*L/O)``, ``end = ceil((i+1)*L/O)``.

    >>> adaptive_bins(5, 3)
    (array([0, 1, 3]), array([2, 4, 5]))
    """
    i = np.arange(out, dtype=np.int64)
    return (i * length) // out, -((-(i + 1) * length) // out)


def unpool_default_length(length: int, kernel: int, stride: int, lo: int, hi: int) -> int:
    """MaxUnpool's default output length: ``(L_in - 1)*s - lo - hi + k`` (PyTorch and ONNX)."""
    return (length - 1) * stride - lo - hi + kernel
