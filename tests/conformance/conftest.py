"""Shared pieces of the cross-framework suites: the case counter and its summary line.

Each differential test adds the configurations it compared to :data:`COUNTS` (per framework,
per operator family); the terminal summary prints the totals, so a run states how many cases
each framework was checked on.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before any test module imports TensorFlow

COUNTS: defaultdict[str, Counter] = defaultdict(Counter)


@pytest.fixture(scope="session")
def counts() -> defaultdict[str, Counter]:
    """``counts[framework][family] += 1`` for every configuration compared."""
    return COUNTS


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    terminalreporter.section("conformance cases compared")
    for framework in sorted(COUNTS):
        families = COUNTS[framework]
        detail = ", ".join(f"{name} {families[name]}" for name in sorted(families))
        terminalreporter.write_line(f"{framework}: {sum(families.values())} cases ({detail})")
