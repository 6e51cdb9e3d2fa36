"""Numba kernels behind the NumPy API, chosen by a cost model (:mod:`.costmodel`).

Nothing here imports numba until a kernel runs (``import poolkit`` stays light). The public
NumPy functions reach the kernels through :mod:`poolkit._dispatch`; the reference in
:mod:`poolkit.reference` is the oracle every kernel is property-tested against.

Threads: the kernels are serial ``nogil`` Numba functions run over chunks of (n, c) planes
or rows on a thread pool (:mod:`._threads`: fork-safe, no Numba threading layer involved);
:func:`set_num_threads` sets how many (the torch front end passes ``torch.get_num_threads()``;
the default is the CPUs this process may use, or ``POOLKIT_NUM_THREADS``).

>>> import poolkit.kernels as k
>>> k.set_num_threads(2)
2
"""

from __future__ import annotations


def set_num_threads(n: int) -> int:
    """Use ``n`` threads for the kernels (an integer from 1 to 1024, else
    :class:`poolkit.PoolingError`); returns the number set. Safe to call while other threads
    run kernels: calls already running keep their thread count."""
    from poolkit.kernels import _threads

    return _threads.set_num_threads(n)


def get_num_threads() -> int:
    """Threads the kernels use."""
    from poolkit.kernels import costmodel

    return costmodel.num_threads()


def enabled() -> bool:
    """Whether the kernels run (see :func:`poolkit.kernels.costmodel.enabled`)."""
    from poolkit.kernels import costmodel

    return costmodel.enabled()


__all__ = ["enabled", "get_num_threads", "set_num_threads"]
