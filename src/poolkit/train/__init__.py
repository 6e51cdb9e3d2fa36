"""Train a CNN with poolkit's layers and measure what pooling does (``poolkit train``).

The same from Python::

    from poolkit.train import TrainConfig, load_data, run_experiment
    results = run_experiment(load_data(), TrainConfig(pools=("max", "avg"), runs=2))
    [(r.pool, r.summary()["test_accuracy"]) for r in results]

Submodules: :mod:`~poolkit.train.data` (digits, IDX, CIFAR-10 readers),
:mod:`~poolkit.train.models` (the articles' network, a small ResNet, the pooling factory; imports
torch), :mod:`~poolkit.train.engine` (training loop, shift consistency),
:mod:`~poolkit.train.report` (table, JSON, figures), :mod:`~poolkit.train.cli`.
Importing this package does not import torch, scikit-learn or matplotlib.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Dataset": "data",
    "load_data": "data",
    "load_digits": "data",
    "load_idx": "data",
    "load_cifar10": "data",
    "read_idx": "data",
    "TrainConfig": "engine",
    "PoolResult": "engine",
    "RunResult": "engine",
    "run_experiment": "engine",
    "train_model": "engine",
    "shift_consistency": "engine",
    "shift_images": "engine",
    "build_model": "models",
    "make_pool": "models",
    "count_parameters": "models",
    "count_macs": "models",
    "format_table": "report",
    "write_json": "report",
    "write_figures": "report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Lazy: `poolkit train --help` must not pay for torch.
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"poolkit.train.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'poolkit.train' has no attribute {name!r}")
