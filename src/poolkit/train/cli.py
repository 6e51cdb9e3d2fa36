"""Train a CNN with each pooling choice and measure the articles' claims about pooling.

With no options: the articles' network on scikit-learn's 8x8 digits, trained with max, average,
sum, Lp and no pooling (a strided convolution), 3 seeds each; prints test accuracy, shift
consistency, parameters, multiply-accumulates and training time per choice.

    poolkit train                                   # the comparison on the digits
    poolkit train --pool max --epochs 5 --save max.pt
    poolkit train --model resnet --json out.json --out figures/
    poolkit train --data ~/data/fashion-mnist --train-limit 10000 --epochs 3
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from poolkit.errors import PoolingError

POOLS = ("max", "avg", "sum", "lp", "none")
MODELS = ("articles", "resnet")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from poolkit.train.engine import TrainConfig

    d = TrainConfig()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = __doc__
    what = parser.add_argument_group("what to train")
    what.add_argument(
        "--model",
        choices=MODELS,
        default=d.model,
        help="the articles' conv-ReLU-pool x2 network, or a small ResNet (default: %(default)s)",
    )
    what.add_argument(
        "--pool",
        nargs="+",
        choices=POOLS,
        metavar="POOL",
        help="one or more of max, avg, sum, lp, none (none: a strided convolution "
        "instead of pooling); default: all of them, as --compare",
    )
    what.add_argument(
        "--compare",
        action="store_true",
        help="train every pooling choice with the same seeds (the default; overrides --pool)",
    )
    what.add_argument(
        "--lp-norm", type=float, default=d.lp_norm, help="p of the lp pool (default: %(default)s)"
    )
    what.add_argument(
        "--backend",
        choices=("poolkit", "torch"),
        default=d.backend,
        help="pooling layers from poolkit.torch, or torch.nn's own for a "
        "side-by-side check (default: %(default)s)",
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--data",
        metavar="PATH",
        help="directory with MNIST/Fashion-MNIST IDX files (optionally .gz) or "
        "CIFAR-10 python batches; default: scikit-learn's 8x8 digits",
    )
    data.add_argument(
        "--train-limit", type=int, metavar="N", help="use only the first N training images"
    )
    data.add_argument(
        "--test-limit", type=int, metavar="N", help="use only the first N test images"
    )
    fit = parser.add_argument_group("training")
    fit.add_argument("--epochs", type=int, default=d.epochs, help="default: %(default)s")
    fit.add_argument("--batch-size", type=int, default=d.batch_size, help="default: %(default)s")
    fit.add_argument(
        "--lr", type=float, default=d.lr, help="Adam learning rate (default: %(default)s)"
    )
    fit.add_argument(
        "--runs",
        type=int,
        help=f"seeds per pooling choice: --seed, --seed + 1, ... (default: {d.runs}; 1 with "
        "--load)",
    )
    fit.add_argument("--seed", type=int, default=d.seed, help="default: %(default)s")
    fit.add_argument(
        "--augment",
        type=int,
        default=d.augment,
        metavar="PIXELS",
        help="shift training images at random by up to PIXELS (default: "
        "%(default)s, no augmentation: pooling alone)",
    )
    fit.add_argument(
        "--threads",
        type=int,
        default=d.threads,
        help="torch CPU threads (default: %(default)s; these networks are small)",
    )
    fit.add_argument(
        "--save",
        metavar="PATH",
        help="write the trained state_dict (several models: PATH-<pool>-seed<N>)",
    )
    fit.add_argument(
        "--load",
        metavar="PATH",
        help="start from this checkpoint (one --pool, --runs 1; --epochs 0 to only evaluate)",
    )
    measure = parser.add_argument_group("measurement and report")
    measure.add_argument(
        "--max-shift",
        type=int,
        default=d.max_shift,
        help="shifts of up to this many pixels for shift consistency (default: "
        "1/8 of the image side: 1 on the 8x8 digits, 4 on MNIST and CIFAR-10)",
    )
    measure.add_argument(
        "--shift-pairs",
        type=int,
        default=d.shift_pairs,
        help="random shift pairs per test image (default: %(default)s)",
    )
    measure.add_argument("--json", metavar="PATH", help="write the results as JSON")
    measure.add_argument(
        "--out", metavar="DIR", help="write figures: learning curves, accuracy vs consistency"
    )
    measure.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="log per-epoch loss and accuracy per network, and 64 test images before and after "
        "each pooling, for TensorBoard",
    )
    measure.add_argument("--quiet", action="store_true", help="no progress bars")
    measure.add_argument(
        "--verbose",
        action="store_true",
        help="print loss and accuracy after every epoch (default when only one network is trained)",
    )


def config_from_args(args: argparse.Namespace):
    """The :class:`~poolkit.train.engine.TrainConfig` an argument namespace asks for."""
    from poolkit.train.engine import TrainConfig

    pools = tuple(args.pool) if args.pool and not args.compare else POOLS
    if args.load and not args.pool:
        pools = (_checkpoint_pool(args.load),)
    runs = args.runs if args.runs is not None else (1 if args.load else TrainConfig.runs)
    single = len(pools) == 1 and runs == 1
    return TrainConfig(
        model=args.model,
        pools=pools,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        runs=runs,
        seed=args.seed,
        max_shift=args.max_shift,
        shift_pairs=args.shift_pairs,
        lp_norm=args.lp_norm,
        augment=args.augment,
        backend=args.backend,
        threads=args.threads,
        progress=not args.quiet,
        verbose=args.verbose or single,
        save=args.save,
        load=args.load,
    )


def _checkpoint_pool(path: str) -> str:
    """The pool recorded in a checkpoint written by --save (so --load needs no --pool)."""
    from poolkit.train.engine import read_checkpoint

    _, meta = read_checkpoint(path)
    pool = meta.get("pool")
    if not isinstance(pool, str) or pool not in POOLS:
        raise PoolingError(f"--load: {path!r} does not record its pool; give --pool")
    return pool


def check_outputs(args: argparse.Namespace, single: bool = True) -> None:
    """Fail before any training when --save, --json or --out cannot be written (a file is
    tried in each folder, or its nearest existing parent; nothing is created); a file path
    that is a folder is refused
    (--save of several models writes beside its path, so there only the folder counts)."""
    from poolkit.tour._common import check_writable_dir

    for flag, value in (("--save", args.save), ("--json", args.json)):
        if value is None:
            continue
        path = Path(value)
        if path.is_dir() and (flag == "--json" or single):
            raise PoolingError(f"{flag}: cannot write {value!r}: it is a folder; give a file name")
        try:
            check_writable_dir(path.parent, flag)
        except PoolingError as error:
            reason = str(error).removeprefix(f"{flag}: ")
            raise PoolingError(f"{flag}: cannot write {value!r}: {reason}") from None
    for flag, value in (("--out", args.out), ("--tensorboard", args.tensorboard)):
        if value is not None:
            check_writable_dir(value, flag)


#: Upper bounds on counts argparse would take at any size: far past any useful run, they turn
#: a typo (``--epochs 10000000000``) into one clear line instead of an endless run or an
#: overflow deep inside NumPy or torch.
LIMITS = {
    "epochs": 100_000,
    "batch_size": 2**31 - 1,
    "runs": 1_000,
    "shift_pairs": 1_000,
    "threads": 1_024,
    "max_shift": 4_096,
    "augment": 4_096,
}


def check_numbers(args: argparse.Namespace) -> None:
    """Numbers argparse accepts but training cannot use: NaN, infinities, counts past
    :data:`LIMITS`, seeds out of range. The lower bounds are :meth:`TrainConfig.check`'s."""
    if not math.isfinite(args.lr) or args.lr <= 0:
        raise PoolingError(f"--lr: must be a finite number > 0, got {args.lr}")
    if not args.lp_norm > 0:  # NaN fails too; inf is the max norm, allowed
        raise PoolingError(f"--lp-norm: must be > 0 (inf allowed), got {args.lp_norm}")
    for name, top in LIMITS.items():
        value = getattr(args, name)
        if value is not None and value > top:
            raise PoolingError(f"--{name.replace('_', '-')}: at most {top:,}, got {value}")
    if args.seed < 0 or args.seed + (args.runs or 1) - 1 >= 2**63:
        raise PoolingError(
            f"--seed: the seeds --seed .. --seed + runs - 1 must lie in 0 .. 2**63 - 1, got "
            f"--seed {args.seed}"
        )


def run(args: argparse.Namespace) -> int:
    from poolkit.train.data import load_data
    from poolkit.train.engine import read_checkpoint, run_experiment
    from poolkit.train.report import format_table, write_figures, write_json

    for flag in ("train_limit", "test_limit"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise PoolingError(f"--{flag.replace('_', '-')}: must be >= 1, got {value}")
    check_numbers(args)
    config = config_from_args(args)
    config.check()
    if args.load:
        read_checkpoint(args.load)  # a bad --load fails now, before the data and the training
    check_outputs(args, single=len(config.pools) == 1 and config.runs == 1)
    data = load_data(args.data).limit(args.train_limit, args.test_limit)
    print(
        f"data: {data.name} ({data.source}), {len(data.x_train)} train / {len(data.x_test)} "
        f"test images of shape {data.image_shape}, {data.num_classes} classes"
        + (f", {data.margin}-pixel zero margin" if data.margin else "")
    )
    print(
        f"model: {config.model}; pools: {', '.join(config.pools)}; {config.runs} run(s) x "
        f"{config.epochs} epochs; Adam lr {config.lr}, batch {config.batch_size}"
        + (f", random shifts up to {config.augment} px" if config.augment else "")
        + "; layers from "
        + f"{'poolkit.torch' if config.backend == 'poolkit' else 'torch.nn'}"
    )
    start = time.perf_counter()
    from poolkit.tour._common import compile_notice

    with compile_notice():  # the first epoch compiles poolkit's kernels (once, then cached)
        results = run_experiment(data, config)
    elapsed = time.perf_counter() - start
    rows = [result.summary() for result in results]
    print()
    print(format_table(rows, config.runs))
    print(
        f"\nshift consistency: share of test images predicted alike under two random shifts of "
        f"up to {config.max_shift} px (zero fill), {config.shift_pairs} pairs per image. "
        f"Total time {elapsed:.1f} s."
    )
    if args.json:
        meta = {
            **{k: v for k, v in vars(config).items() if k not in ("progress", "verbose")},
            "pools": list(config.pools),
            "data": {
                "name": data.name,
                "source": data.source,
                "train_images": len(data.x_train),
                "test_images": len(data.x_test),
                "image_shape": list(data.image_shape),
                "num_classes": data.num_classes,
                "margin": data.margin,
            },
            "total_seconds": elapsed,
            "versions": _versions(),
        }
        try:
            print(f"wrote {write_json(args.json, rows, meta)}")
        except OSError as error:
            raise PoolingError(f"--json: cannot write {args.json!r}: {error}") from None
    if args.out:
        title = f"{config.model} on {data.name}"
        try:
            paths = write_figures(args.out, rows, title)
        except OSError as error:
            raise PoolingError(f"--out: cannot write figures to {args.out!r}: {error}") from None
        for path in paths:
            print(f"wrote {path}")
    if args.tensorboard:
        from poolkit.train.report import log_tensorboard

        print(log_tensorboard(args.tensorboard, data, results, config.lp_norm))
    return 0


def _versions() -> dict:
    import platform

    import numpy
    import torch

    import poolkit

    return {
        "poolkit": poolkit.__version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }
