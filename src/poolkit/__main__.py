"""The ``poolkit`` command line: ``poolkit <command> [options]`` (also ``python -m poolkit``).

Each command lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``;
this file only routes to them. Command modules import heavy libraries (matplotlib, torch)
inside ``run`` so that ``poolkit --help`` and ``import poolkit`` stay light.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys

from poolkit._version import __version__
from poolkit.errors import PoolingError

# name -> (module, one-line help). Modules register their own options.
COMMANDS = {
    "tour": ("poolkit.tour.tour", "run every lesson of the seed tour on the built-in image"),
    "explore": ("poolkit.tour.explore", "filter -> detect -> condense on a photo, with figures"),
    "explain": ("poolkit.tour.explain", "output size and pads under every framework's convention"),
    "trace": ("poolkit.tour.trace", "window-by-window trace of a pooling operation"),
    "invariance": ("poolkit.tour.invariance", "translation invariance: two dots and shift errors"),
    "train": ("poolkit.train.cli", "train a CNN with each pooling and measure the claims"),
    "bench": ("poolkit.bench.cli", "benchmark poolkit against its peers side by side"),
    "precompile": ("poolkit.kernels.precompile", "compile and cache the common Numba kernels"),
    "port": ("poolkit.port", "one pooling layer in every other framework, exactly"),
    "check": ("poolkit.check", "an ONNX model's pooling nodes: conventions, onnxruntime, ports"),
    "demo": ("poolkit.demo", "the worked examples of the source articles, computed"),
    "pyramid": ("poolkit.pyramid", "a multiscale OME-Zarr pyramid of a zarr, .npy or TIFF image"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poolkit",
        description="Pooling for convolutional networks, exact to every framework's convention.",
    )
    parser.add_argument(
        "--version", action="version", version=f"poolkit {__version__}", help="print the version"
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an error, show Python's traceback instead of the one-line message",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue  # a command whose module is not part of this build
            raise
        command = sub.add_parser(name, help=help_text, description=module.__doc__.split("\n\n")[0])
        module.add_arguments(command)
        command.add_argument(  # also after the command; SUPPRESS keeps a global --debug
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    _paths_print_as_given()
    if args.debug:
        return int(args.handler(args) or 0)
    try:
        return int(args.handler(args) or 0)
    except Exception as error:  # one line on stderr, never a traceback (--debug shows it)
        message, status = describe_error(error)
        print(f"poolkit {args.command}: error: {message}", file=sys.stderr)
        return status


def describe_error(error: BaseException) -> tuple[str, int]:
    """The one-line message and exit status for an error that ended a command.

    Bad input (a :class:`PoolingError`, a file that cannot be read or written, arguments too
    large for memory or for the integer types) exits with 2; anything else is a bug in poolkit
    and exits with 1. Either way the message is one line; ``--debug`` shows the traceback.
    """
    hint = " (run with --debug for the traceback)"
    if isinstance(error, PoolingError):
        return one_line(error), 2
    if isinstance(error, OSError):
        names = [n for n in (error.filename, error.filename2) if n is not None]
        reason = error.strerror or one_line(error)
        where = " -> ".join(repr(os.fsdecode(n) if isinstance(n, bytes) else n) for n in names)
        return (f"{where}: {reason}" if where else f"{reason}") + hint, 2
    if isinstance(error, MemoryError):
        detail = one_line(error) if str(error) else "out of memory"
        return f"the arguments need more memory than is available: {detail}{hint}", 2
    if isinstance(error, OverflowError | ValueError):
        return f"an argument is out of range: {one_line(error)}{hint}", 2
    return f"internal error, please report it: {type(error).__name__}: {one_line(error)}{hint}", 1


def _paths_print_as_given() -> None:
    """Let stdout print a path that is not valid UTF-8 (its bytes, as given) instead of
    failing with UnicodeEncodeError after the work is done."""
    stream = sys.stdout
    if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
        with contextlib.suppress(ValueError, OSError):  # one that cannot be: leave it
            stream.reconfigure(errors="surrogateescape")


def one_line(error: BaseException) -> str:
    """``error``'s message with all whitespace (newlines included) collapsed to single spaces."""
    return " ".join(str(error).split()) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
