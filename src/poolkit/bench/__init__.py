"""``poolkit bench``: poolkit and its peers side by side, with the memory-bandwidth floor.

See :mod:`poolkit.bench.cli` for the command, :mod:`poolkit.bench.cases` for the cases and
:mod:`poolkit.bench.peers` for the contenders.
"""
