"""The seed tour: every lesson of the source articles, on the built-in image, in seconds.

Runs explore (filter -> detect -> condense on scikit-image's bundled photograph), explain (the
output-size arithmetic of the 5x5 example and of a case where ceil_mode drops a window), trace
(the PyTorch article's 5x5 example window by window, and Keras' 1-D word vectors) and
invariance (two dots, shift errors), writes their figures to ``--out`` and prints each
lesson's numbers. Offline; needs only the ``tour`` extra (matplotlib, pillow, scikit-image,
tqdm). The first run compiles poolkit's Numba kernels (seconds per lesson, once: Numba caches
them on disk); it says so on stderr when that happens.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from poolkit.tour import _common

LESSONS = ("explore", "explain", "trace", "invariance")


def tour(
    out="poolkit-tour", show_progress: bool = True, echo=print, tensorboard=None
) -> dict[str, object]:
    """Run every lesson, write the figures to ``out``; return each lesson's result object.

    With ``tensorboard`` (a folder), also log the PyTorch article's lesson there: a batch of 64
    photographs before and after ``MaxPool2d(3, ceil_mode=True)``, and explore's stages.
    """
    from poolkit.tour.explain import explain
    from poolkit.tour.explore import explore
    from poolkit.tour.invariance import invariance
    from poolkit.tour.trace import trace, write_frames

    out = _common.ensure_dir(out)  # fail before the lessons run, not after
    if tensorboard is not None:
        _common.check_writable_dir(tensorboard, "--tensorboard")
    results: dict[str, object] = {}
    written: list[Path] = []
    start = time.perf_counter()

    def header(i: int, title: str) -> None:
        echo(f"\n[{i}/{len(LESSONS)}] {title}")

    header(1, "explore: filter -> detect -> condense (Kaggle lesson 3)")
    with _common.compile_notice():
        result = explore()
    echo(_indent(result.summary()))
    written.append(_common.save_figure(result.figure, out, "explore.png"))
    _common.close(result.figure)
    results["explore"] = result

    header(2, "explain: the output-size arithmetic under every convention")
    first = explain((5, 5), 3, ceil_mode=True)  # geometry only: no kernels
    echo(_indent(first.summary().split("\n  dim")[0]))
    dropped = explain((5,), 2, 2, padding=1, ceil_mode=True)
    echo(_indent("\n".join(dropped.summary().splitlines()[:8])))
    echo(_indent("  " + dropped.lines[0][1]))
    written.append(_common.save_figure(dropped.figure, out, "explain.png"))
    _common.close(first.figure)
    _common.close(dropped.figure)
    results["explain"] = (first, dropped)

    header(3, "trace: the PyTorch article's 5x5 example, window by window")
    with _common.compile_notice():
        traced = trace(figure=False)
        keras = trace(dims=1, figure=False)
    echo(_indent(traced.describe(traced.steps[1])))
    echo(_indent(traced.grid(traced.steps[1])))
    echo(_indent(f"output {_fmt(traced.output)}; {traced.note}"))
    frames, gif = write_frames(traced, out, show_progress)
    written += [*frames, gif]
    echo(_indent(f"Keras MaxPooling1D, word vectors, pool 2 stride 1 -> {_fmt(keras.output)}"))
    results["trace"] = (traced, keras)

    header(4, "invariance: two dots, and shift errors per reducer")
    with _common.compile_notice():
        inv = invariance(show_progress=show_progress)
    echo(_indent(inv.summary()))
    written.append(_common.save_figure(inv.figure, out, "invariance_dots.png"))
    written.append(_common.save_figure(inv.shift_figure, out, "invariance_shift.png"))
    _common.close(inv.figure)
    _common.close(inv.shift_figure)
    results["invariance"] = inv

    if tensorboard is not None:
        echo("\n[+] tensorboard: 64 photographs through MaxPool2d(3, ceil_mode=True) (PyTorch)")
        results["tensorboard"] = _log_tensorboard(result, tensorboard, echo)

    elapsed = time.perf_counter() - start
    pngs = [p for p in written if p.suffix == ".png" and "trace_step" not in p.name]
    echo(
        f"\ndone in {elapsed:.1f} s; figures in {out}/: "
        + ", ".join(p.name for p in pngs)
        + f", {gif.name} and {len(frames)} trace_step_*.png frames"
    )
    results["files"] = written
    return results


def _log_tensorboard(explored, logdir, echo) -> str:
    from poolkit.tour.tensorboard import SummaryLog, log_pooling_lesson, log_stages

    with SummaryLog(logdir) as log:
        if log.available:
            before, after = log_pooling_lesson(log)
            echo(_indent(f"{before} -> {after}: the pooled batch is a lower-resolution copy"))
            log_stages(log, explored.stages)
    report = log.report()
    echo(_indent(report))
    return report


def _fmt(array) -> str:
    from poolkit.tour.trace import _fmt_array

    return _fmt_array(array)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        default="poolkit-tour",
        help="folder for the figures (default ./poolkit-tour, created if needed)",
    )
    parser.add_argument(
        "--tensorboard",
        metavar="DIR",
        default=None,
        help="also log image summaries to DIR: 64 photographs before and after "
        "MaxPool2d(3, ceil_mode=True) (the PyTorch article's lesson) and explore's stages",
    )


def run(args: argparse.Namespace) -> int:
    tour(args.out, tensorboard=args.tensorboard)
    return 0
