"""poolkit's version, written once: pyproject.toml reads it (``[tool.setuptools.dynamic]``) and
``poolkit.__version__`` and ``poolkit --version`` import it."""

__version__ = "0.1.0"
