"""The ``poolkit`` command line: ``poolkit <command> [options]`` (also ``python -m poolkit``).

Each command lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``;
this file only routes to them. Command modules import heavy libraries (matplotlib, torch)
inside ``run`` so that ``poolkit --help`` and ``import poolkit`` stay light.
"""

from __future__ import annotations

import argparse
import importlib
import sys

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
    "demo": ("poolkit.demo", "the worked examples of the source articles, computed"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poolkit",
        description="Pooling for convolutional networks, exact to every framework's convention.",
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
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except PoolingError as error:
        print(f"poolkit {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
