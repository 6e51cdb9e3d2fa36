"""Numba kernels for unpooling and nearest upsampling (imported lazily).

Arrays are 5-d: ``(N, C, D, H, W)`` for the ``*_cf`` kernels and ``(N, D, H, W, C)`` for the
``*_cl`` ones (1-d and 2-d problems get leading unit axes).
"""

from __future__ import annotations

from poolkit.kernels._jit import OPTS as _OPTS
from poolkit.kernels._jit import njit


@njit(**_OPTS)
def unpool_cf(i0, i1, x, idx, out):
    """``out[n, c, idx[n, c, i]] = x[n, c, i]`` in input order (the later duplicate wins, as
    PyTorch's CPU loop); ``x``/``idx`` are ``(N, C, S_in)``, ``out`` ``(N, C, S_out)`` zeros."""
    _N, C, S = x.shape
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        src = x[n, c]
        si = idx[n, c]
        dst = out[n, c]
        for i in range(S):
            dst[si[i]] = src[i]


@njit(**_OPTS)
def unpool_cl(i0, i1, x, idx, out):
    """Channels-last :func:`unpool_cf`: ``x``/``idx`` are ``(N, S_in, C)``, ``out`` is
    ``(N, S_out, C)``."""
    _N, S, C = x.shape
    for n in range(i0, i1):
        for i in range(S):
            src = x[n, i]
            si = idx[n, i]
            for c in range(C):
                out[n, si[c], c] = src[c]


@njit(**_OPTS)
def gather_cf(i0, i1, g, idx, out):
    """Unpool backward: ``out[n, c, i] = g[n, c, idx[n, c, i]]`` (``(N, C, S)`` arrays)."""
    _N, C, S = idx.shape
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        src = g[n, c]
        si = idx[n, c]
        dst = out[n, c]
        for i in range(S):
            dst[i] = src[si[i]]


@njit(**_OPTS)
def gather_cl(i0, i1, g, idx, out):
    """Channels-last :func:`gather_cf`: ``(N, S, C)`` arrays."""
    _N, S, C = idx.shape
    for n in range(i0, i1):
        for i in range(S):
            si = idx[n, i]
            dst = out[n, i]
            for c in range(C):
                dst[c] = g[n, si[c], c]


@njit(**_OPTS)
def upsample_cf(i0, i1, x, sd, sh, sw, out):
    """Nearest upsampling: each input row is widened once, then copied to its ``sd*sh`` rows."""
    _N, C, D, H, W = x.shape
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for d in range(D):
            for h in range(H):
                src = x[n, c, d, h]
                first = out[n, c, d * sd, h * sh]
                for w in range(W):
                    v = src[w]
                    for t in range(sw):
                        first[w * sw + t] = v
                for a in range(sd):
                    for b in range(sh):
                        if a == 0 and b == 0:
                            continue
                        dst = out[n, c, d * sd + a, h * sh + b]
                        for k in range(W * sw):
                            dst[k] = first[k]


@njit(**_OPTS)
def upsample_cl(i0, i1, x, sd, sh, sw, out):
    """Channels-last :func:`upsample_cf`, vectorised over C."""
    _N, D, H, W, C = x.shape
    for item in range(i0, i1):
        n = item // (D * H)
        rest = item - n * D * H
        d = rest // H
        h = rest - d * H
        src = x[n, d, h]
        for a in range(sd):
            for b in range(sh):
                dst = out[n, d * sd + a, h * sh + b]
                for w in range(W):
                    for t in range(sw):
                        r = dst[w * sw + t]
                        for c in range(C):
                            r[c] = src[w, c]


@njit(**_OPTS)
def upsample_bwd_cf(i0, i1, g, sd, sh, sw, out):
    """Gradient of nearest upsampling: the sum of every ``sd x sh x sw`` block."""
    _N, C, D, H, W = out.shape
    for p in range(i0, i1):
        n = p // C
        c = p - n * C
        for d in range(D):
            for h in range(H):
                dst = out[n, c, d, h]
                for w in range(W):
                    dst[w] = 0
                for a in range(sd):
                    for b in range(sh):
                        src = g[n, c, d * sd + a, h * sh + b]
                        for w in range(W):
                            s = dst[w]
                            for t in range(sw):
                                s += src[w * sw + t]
                            dst[w] = s


@njit(**_OPTS)
def upsample_bwd_cl(i0, i1, g, sd, sh, sw, out):
    """Channels-last :func:`upsample_bwd_cf`."""
    _N, D, H, W, C = out.shape
    for item in range(i0, i1):
        n = item // (D * H)
        rest = item - n * D * H
        d = rest // H
        h = rest - d * H
        dst = out[n, d, h]
        dst[:, :] = 0
        for a in range(sd):
            for b in range(sh):
                src = g[n, d * sd + a, h * sh + b]
                for w in range(W):
                    r = dst[w]
                    for t in range(sw):
                        s = src[w * sw + t]
                        for c in range(C):
                            r[c] += s[c]
