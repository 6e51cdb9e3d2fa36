"""poolkit.pool against its peers for images and volumes, side by side in one process (best of
``ROUNDS``, round-robin; ratio = peer / poolkit, every result checked equal first):

- mode pooling of label images against ``scipy.stats.mode`` over blocks (the blocks made the
  usual way: reshape, transpose, one row per block);
- max and mean over blocks against ``skimage.measure.block_reduce``;
- stride-1 ``padding="same"`` max and mean against ``scipy.ndimage``'s filters;
- where ``tinybrain`` is importable, 2x2x2 mode downsampling against
  ``tinybrain.downsample_segmentation`` on label volumes with a clear majority per block
  (tinybrain breaks ties its own way, so only that agreement is checked) and on random labels.

    PYTHONPATH=src python benchmarks/pool_anyaxes.py [--quick] [--threads N] [--cpu]

``--cpu`` times this thread's CPU time with one kernel thread (the peers run on one thread
too), which a machine shared with other processes disturbs far less than wall time.

Not yet part of ``poolkit bench`` (issue 16, part 1).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.ndimage as ndi
import scipy.stats
from skimage.measure import block_reduce

import poolkit

ROUNDS = 5

#: The clock: wall time, or with ``--cpu`` this thread's CPU time (with one kernel thread),
#: which other processes on a shared machine disturb far less.
_clock = {"now": time.perf_counter}


def _best_of(functions: dict, rounds: int = ROUNDS) -> dict:
    now = _clock["now"]
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):
        for name, f in functions.items():
            start = now()
            f()
            best[name] = min(best[name], now() - start)
    return best


def scipy_block_mode(labels: np.ndarray, blocks: tuple[int, ...]) -> np.ndarray:
    """``scipy.stats.mode`` of every block: one row per block, then mode along the rows."""
    n = labels.ndim
    split = labels.reshape([s for length, b in zip(labels.shape, blocks, strict=True)
                            for s in (length // b, b)])  # fmt: skip
    perm = [2 * i for i in range(n)] + [2 * i + 1 for i in range(n)]
    out_shape = tuple(s // b for s, b in zip(labels.shape, blocks, strict=True))
    rows = split.transpose(perm).reshape(*out_shape, -1)
    return scipy.stats.mode(rows, axis=-1, keepdims=False).mode


def cases(quick: bool):
    rng = np.random.default_rng(0)
    side2, side3 = (1024, 128) if quick else (2048, 256)
    labels2 = rng.integers(0, 8, (side2, side2)).astype(np.uint32)
    labels3 = rng.integers(0, 8, (side3, side3, side3)).astype(np.uint32)
    image = rng.standard_normal((side2, side2), dtype=np.float32)
    image64 = image.astype(np.float64)
    volume = rng.standard_normal((side3, side3, side3), dtype=np.float32)
    yield (
        f"mode 2x2 ({side2}, {side2}) uint32 labels",
        lambda: poolkit.pool(labels2, "mode", 2, axes=(0, 1)),
        "scipy.stats.mode",
        lambda: scipy_block_mode(labels2, (2, 2)),
    )
    yield (
        f"mode 2x2x2 ({side3},)*3 uint32 labels",
        lambda: poolkit.pool(labels3, "mode", 2, axes=(0, 1, 2)),
        "scipy.stats.mode",
        lambda: scipy_block_mode(labels3, (2, 2, 2)),
    )
    for name, reducer, func in (("max", "max", np.max), ("mean", "avg", np.mean)):
        yield (
            f"{name} 2x2 blocks ({side2}, {side2}) float32",
            lambda r=reducer: poolkit.pool(image, r, 2, axes=(0, 1)),
            "block_reduce",
            lambda f=func: block_reduce(image, (2, 2), func=f),
        )
        yield (
            f"{name} 2x2x2 blocks ({side3},)*3 float32",
            lambda r=reducer: poolkit.pool(volume, r, 2, axes=(0, 1, 2)),
            "block_reduce",
            lambda f=func: block_reduce(volume, (2, 2, 2), func=f),
        )
    yield (
        f"max 3x3 stride 1 same, symmetric ({side2}, {side2}) float32",
        lambda: poolkit.pool(image, "max", 3, 1, "same", axes=(0, 1), mode="symmetric"),
        "maximum_filter",
        lambda: ndi.maximum_filter(image, 3, mode="reflect"),
    )
    yield (
        f"mean 3x3 stride 1 same, cval 0 ({side2}, {side2}) float64",
        lambda: poolkit.pool(image64, "avg", 3, 1, "same", axes=(0, 1), cval=0),
        "uniform_filter",
        lambda: ndi.uniform_filter(image64, 3, mode="constant"),
    )


def tinybrain_cases(quick: bool):
    try:
        import tinybrain
    except ImportError:
        return
    rng = np.random.default_rng(1)
    side = 64 if quick else 128
    blocks = rng.integers(0, 50, (side, side, side)).astype(np.uint32)
    structured = blocks.repeat(2, 0).repeat(2, 1).repeat(2, 2)
    noise = rng.random(structured.shape) < 0.2  # a fifth of the voxels relabelled
    structured[noise] = rng.integers(100, 200, int(noise.sum()))
    structured = np.asfortranarray(structured)  # tinybrain's own layout
    random = np.asfortranarray(rng.integers(0, 8, structured.shape).astype(np.uint32))
    for label, data in (("majority", structured), ("random", random)):
        yield (
            f"mode 2x2x2 ({2 * side},)*3 uint32 {label} labels",
            lambda d=data: poolkit.pool(d, "mode", 2, axes=(0, 1, 2)),
            "tinybrain",
            lambda d=data: np.squeeze(tinybrain.downsample_segmentation(d, (2, 2, 2))[0]),
            label == "majority",
        )


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    from poolkit.kernels import _threads

    if "--threads" in argv:
        _threads.set_num_threads(int(argv[argv.index("--threads") + 1]))
    if "--cpu" in argv:
        _threads.set_num_threads(1)
        _clock["now"] = time.thread_time
    print(f"{'case':<52} {'poolkit ms':>10} {'peer':>17} {'peer ms':>9} {'ratio':>7}")
    for name, ours, peer_name, theirs, *agree in [*cases(quick), *tinybrain_cases(quick)]:
        if agree:  # a peer with its own tie rule: the majority labels must agree
            if agree[0]:
                assert np.mean(ours() == theirs()) > 0.999
        else:
            np.testing.assert_allclose(ours(), theirs(), rtol=1e-5, atol=1e-5)
        best = _best_of({"poolkit": ours, "peer": theirs})
        ratio = best["peer"] / best["poolkit"]
        print(
            f"{name:<52} {best['poolkit'] * 1e3:>10.2f} {peer_name:>17} "
            f"{best['peer'] * 1e3:>9.2f} {ratio:>6.1f}x"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
