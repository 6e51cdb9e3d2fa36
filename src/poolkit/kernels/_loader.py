"""Lazy access to the compiled kernel modules: numba is imported on first kernel use only."""

from __future__ import annotations

from functools import cache


@cache
def window():
    from poolkit.kernels import _env

    _env.configure()
    from poolkit.kernels import _window

    return _window


@cache
def misc():
    from poolkit.kernels import _env

    _env.configure()
    from poolkit.kernels import _misc

    return _misc


@cache
def scan():
    from poolkit.kernels import _env

    _env.configure()
    from poolkit.kernels import _scan

    return _scan


@cache
def lp():
    from poolkit.kernels import _env

    _env.configure()
    from poolkit.kernels import _lp

    return _lp


@cache
def global_():
    from poolkit.kernels import _env

    _env.configure()
    from poolkit.kernels import _global

    return _global


@cache
def backward():
    from poolkit.kernels import _env

    _env.configure()
    from poolkit.kernels import _backward

    return _backward


@cache
def mode():
    from poolkit.kernels import _env

    _env.configure()
    from poolkit.kernels import _mode

    return _mode
