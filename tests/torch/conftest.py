"""The torch tests exercise poolkit's kernels on small tensors: by default those would run the
composition of torch's own ops (``KERNEL_MIN_ELEMENTS``), so every test here runs with the
threshold at 0 unless it asks for the default with the ``default_kernel_threshold`` marker."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _kernels_for_small_tensors(request):
    if request.node.get_closest_marker("default_kernel_threshold"):
        yield
        return
    torch = pytest.importorskip("torch")
    del torch
    from poolkit.torch import kernel_threshold

    with kernel_threshold(0):
        yield
