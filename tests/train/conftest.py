"""Fixtures shared by the ``poolkit train`` tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def tiny_digits():
    from poolkit.train.data import load_digits

    return load_digits().limit(240, 120)
