"""Benchmark poolkit against its peers side by side, in one process, with the bandwidth floor.

Every case runs poolkit and each installed peer (PyTorch NCHW and channels_last, TensorFlow,
JAX, scipy.ndimage where it computes the same thing, the NumPy window-view reference) on the
same float32 input in this process, best of ``--repeat`` runs taken round-robin (each
round times every peer once, so a slow spell of a shared machine slows all peers alike). The
machine's copy bandwidth gives each case's floor: the time to read the input once and write
the output once (plus the backward's traffic). Ratios are peer time / poolkit time (above 1:
poolkit is faster) and are the numbers to quote; absolute times depend on the machine.

    poolkit bench                 # all cases, a table and the issue's targets met/missed
    poolkit bench --quick         # tiny shapes, a few seconds (a smoke test)
    poolkit bench --json out.json --plot sweep.png --markdown benchmarks/RESULTS.md
    poolkit bench --jit           # also the JIT cost of each kernel family (fresh processes)
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def add_arguments(parser) -> None:
    parser.add_argument("--quick", action="store_true", help="tiny shapes, 2 runs, no TF/JAX")
    parser.add_argument("--repeat", type=int, default=None, help="best of N runs (default 5)")
    parser.add_argument("--threads", type=int, default=None, help="threads for every peer")
    parser.add_argument("--only", default=None, help="run cases whose name contains this")
    parser.add_argument("--peers", default=None, help="comma-separated peer names to run")
    parser.add_argument("--json", metavar="PATH", help="write results as JSON ('-': stdout)")
    parser.add_argument("--plot", metavar="PATH", help="plot time against window size")
    parser.add_argument("--markdown", metavar="PATH", help="write a RESULTS.md report")
    parser.add_argument("--no-sweep", action="store_true", help="skip the window-size sweep")
    parser.add_argument(
        "--torch",
        action="store_true",
        help="only torch.nn against poolkit.torch, layer for layer, and the dispatch overhead",
    )
    parser.add_argument(
        "--keras",
        action="store_true",
        help="only poolkit.keras against keras.layers on the active backend (KERAS_BACKEND), "
        "and poolkit.jax against flax.linen",
    )
    parser.add_argument(
        "--jit",
        action="store_true",
        help="also time each kernel family's first call in a fresh process, cold and cached",
    )


# --------------------------------------------------------------------------- measuring


def best_of(fn, repeat: int, slow_after: float = 1.0) -> float:
    """Best wall time of ``repeat`` calls after one warm-up (JIT, caches); a peer slower than
    ``slow_after`` seconds on the warm-up is timed once more only."""
    start = time.perf_counter()
    fn()
    warm = time.perf_counter() - start
    runs = 1 if warm > slow_after else repeat
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def copy_bandwidth(nbytes: int, threads: int, repeat: int = 5) -> float:
    """Bytes per second moved (read + write) by a parallel ``np.copyto`` of ``nbytes``."""
    import numpy as np

    src = np.ones(nbytes // 8, dtype=np.float64)
    dst = np.empty_like(src)
    bounds = [len(src) * i // threads for i in range(threads + 1)]
    pieces = [(dst[a:b], src[a:b]) for a, b in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(threads) as pool:

        def copy():
            list(pool.map(lambda pair: np.copyto(*pair), pieces))

        seconds = best_of(copy, repeat)
    return 2 * src.nbytes / seconds


def machine() -> dict:
    """CPU model, cores, and library versions for the report."""
    info = {"cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("Model name", "Thread(s) per core", "Core(s) per socket", "L2 cache",
                               "L3 cache", "Hypervisor vendor"):  # fmt: skip
                info[key.strip()] = value.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    versions = {"python": platform.python_version()}
    for name in ("numpy", "numba", "torch", "tensorflow", "jax", "scipy"):
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = getattr(module, "__version__", "?")
    info["versions"] = versions
    return info


def set_threads(threads: int) -> None:
    import poolkit.kernels

    poolkit.kernels.set_num_threads(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # already initialised: TF keeps its pool
            pass


# --------------------------------------------------------------------------- running


class Progress:
    """One status line on stderr, rewritten in place on a terminal."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.tty = sys.stderr.isatty()

    def show(self, text: str) -> None:
        line = f"[{self.done + 1}/{self.total}] {text}"
        if self.tty:
            sys.stderr.write("\r\x1b[2K" + line[:150])
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def step(self) -> None:
        self.done += 1

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


def best_of_round_robin(fns: dict, repeat: int, slow_after: float = 1.0) -> dict:
    """Best wall time of each callable in ``fns`` (name -> fn) over ``repeat`` rounds, each
    round calling every one of them once, after one warm-up each. Peers timed in the same
    rounds see the same spells of a shared machine's load, so their ratios hold better than
    those of peers timed one after another. A peer slower than ``slow_after`` seconds on the
    warm-up is timed once more only."""
    best, rounds = {}, {}
    for name, fn in fns.items():
        start = time.perf_counter()
        fn()
        warm = time.perf_counter() - start
        rounds[name] = 1 if warm > slow_after else repeat
        best[name] = float("inf")
    for r in range(max(rounds.values(), default=0)):
        for name, fn in fns.items():
            if r < rounds[name]:
                start = time.perf_counter()
                fn()
                best[name] = min(best[name], time.perf_counter() - start)
    return best


def run_cases(cases, peer_names, repeat, bandwidth, progress):
    from poolkit.bench.peers import PEERS

    results = []
    for case in cases:
        row = {"case": case.name, "group": case.group, "reducer": case.reducer,
               "kernel": case.kernel, "shape": list(case.shape), "backward": case.backward,
               "floor_s": case.traffic_bytes() / bandwidth, "times_s": {}, "notes": []}  # fmt: skip
        fns = {}
        for name in peer_names:
            progress.show(f"{case.name}: {name}")
            try:
                fn = PEERS[name](case)
            except Exception as error:  # a peer failing to set up is reported, not fatal
                row["notes"].append(f"{name}: {type(error).__name__}: {error}")
                fn = None
            if fn is not None:
                fns[name] = fn
        progress.show(f"{case.name}: {len(fns)} peers, {repeat} rounds")
        row["times_s"] = best_of_round_robin(fns, repeat)
        del fns
        if case.layers and "poolkit.torch" not in row["times_s"]:
            row["notes"].append("poolkit.torch not importable: training-step case skipped")
        progress.step()
        results.append(row)
    return results


def _ratio(row, slow, fast):
    times = row["times_s"]
    if slow in times and fast in times and times[fast] > 0:
        return times[slow] / times[fast]
    return None


def targets(results) -> list[dict]:
    """The issue's targets, each measured ratio with met/missed."""
    out = []

    def add(label, value, goal, higher_better=True, case=""):
        if value is None:
            return
        met = value >= goal if higher_better else value <= goal
        out.append({"target": label, "case": case, "value": value, "goal": goal, "met": met})

    for row in results:
        g, name = row["group"], row["case"]
        if g in ("issue", "1d3d") and not row["backward"]:
            goal = 5.0 if g == "issue" else 3.0
            add(f"NCHW fwd >= {goal:g}x torch NCHW", _ratio(row, "torch NCHW", "poolkit NCHW"),
                goal, case=name)  # fmt: skip
            add("channels_last fwd >= 1.2x torch channels_last",
                _ratio(row, "torch channels_last", "poolkit NHWC"), 1.2, case=name)  # fmt: skip
        if g == "fwdbwd":
            add("fwd+bwd >= 3x torch NCHW", _ratio(row, "torch NCHW", "poolkit NCHW"), 3.0,
                case=name)  # fmt: skip
        if g == "issue" and row["shape"] == [32, 64, 112, 112]:
            for peer in ("poolkit NCHW", "poolkit NHWC"):
                t = row["times_s"].get(peer)
                if t:
                    add(f"{peer} within 3x of the bandwidth floor", t / row["floor_s"], 3.0,
                        higher_better=False, case=name)  # fmt: skip
        if g == "train":
            add("training step >= 2x torch.nn (issue 4)",
                _ratio(row, "torch.nn", "poolkit.torch"), 2.0, case=name)  # fmt: skip
    for reducer in ("max", "avg"):
        for peer in ("poolkit NCHW", "poolkit NHWC"):
            rows = {r["kernel"]: r for r in results
                    if r["group"] in ("stride1", "sweep") and r["reducer"] == reducer}  # fmt: skip
            t3 = rows[3]["times_s"].get(peer) if 3 in rows else None
            t31 = rows[31]["times_s"].get(peer) if 31 in rows else None
            if t3 and t31:
                shape = ",".join(map(str, rows[31]["shape"]))
                add(f"{peer} stride-1 {reducer}: time(31x31) <= 1.5x time(3x3)", t31 / t3,
                    1.5, higher_better=False, case=f"{reducer} ({shape})")  # fmt: skip
    return out


def jit_targets(rows) -> list[dict]:
    """The issue's JIT budget per kernel family: cold and from the on-disk cache."""
    from poolkit.bench import jit

    out = []
    for r in rows:
        case = f"{r['family']} ({r['dtype']}, {r['layout']})"
        for key, goal, what in (("cold_s", jit.COLD_BUDGET_S, "empty cache"),
                                ("cached_s", jit.CACHED_BUDGET_S, "from cache")):  # fmt: skip
            out.append({"target": f"family's first call, {what} <= {goal:g} s",
                        "case": case, "value": r[key], "goal": goal,
                        "met": r[key] <= goal})  # fmt: skip
    return out


# --------------------------------------------------------------------------- reporting


def _fmt_ms(seconds) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.2f}"


def table(results, peer_names) -> str:
    """Markdown table: each peer's time (ms) and, in brackets, its time / poolkit NCHW's."""
    shown = [p for p in peer_names if any(p in r["times_s"] for r in results)]
    head = "| case | floor ms | " + " | ".join(shown) + " |"
    lines = [head, "|" + "---|" * (len(shown) + 2)]
    for r in results:
        base = r["times_s"].get("poolkit NCHW") or r["times_s"].get("poolkit.torch")
        cells = []
        for p in shown:
            t = r["times_s"].get(p)
            if t is None:
                cells.append("-")
            elif base and not p.startswith("poolkit"):
                cells.append(f"{t * 1e3:.2f} ({t / base:.1f}x)")
            else:
                cells.append(f"{t * 1e3:.2f}")
        lines.append(f"| {r['case']} | {_fmt_ms(r['floor_s'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def target_table(rows) -> str:
    lines = ["| target | case | measured | goal | |", "|---|---|---|---|---|"]
    for t in rows:
        verdict = "met" if t["met"] else "**missed**"
        lines.append(f"| {t['target']} | {t['case']} | {t['value']:.2f} | {t['goal']:g} | "
                     f"{verdict} |")  # fmt: skip
    return "\n".join(lines)


def plot(sweep, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, reducer in zip(axes, ("max", "avg"), strict=True):
        rows = [r for r in sweep if r["reducer"] == reducer]
        peers = sorted({p for r in rows for p in r["times_s"]})
        for peer in peers:
            pts = [(r["kernel"], r["times_s"][peer] * 1e3) for r in rows if peer in r["times_s"]]
            ax.plot(*zip(*pts, strict=True), marker="o", label=peer)
        ax.plot([r["kernel"] for r in rows], [r["floor_s"] * 1e3 for r in rows], "k--",
                label="bandwidth floor")  # fmt: skip
        shape = tuple(rows[0]["shape"]) if rows else ()
        ax.set(title=f"{reducer} pool, stride 1, 'same' {shape}", xlabel="window size k (k x k)",
               yscale="log")  # fmt: skip
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("time (ms, best of runs)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def markdown(report: dict, peer_names) -> str:
    m = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    lines = [
        "# poolkit benchmark results",
        "",
        "Generated by `poolkit bench` (ratios are side by side in one process: every peer ran "
        "on the same input, best of "
        f"{report['repeat']} rounds that each timed every peer once; float32).",
        "",
        f"- CPU: {m.get('Model name', m['cpu'])}, {m['cpus']} logical CPUs "
        f"({m.get('Core(s) per socket', '?')} cores/socket, "
        f"{m.get('Thread(s) per core', '?')} thread/core), hypervisor "
        f"{m.get('Hypervisor vendor', 'none')}",
        f"- threads used by every peer: {report['threads']}; load average (1/5/15 min) when "
        f"the run started: {m.get('load average (1, 5, 15 min) at start', '?')}",
        f"- copy bandwidth (parallel np.copyto, read+write): {report['bandwidth'] / 1e9:.1f} GB/s",
        f"- versions: {versions}",
        f"- date: {report['date']}",
        "",
        "## Targets from issue 3",
        "",
        target_table(report["targets"]),
        "",
        "## All cases (time in ms; in brackets: peer time / poolkit NCHW time)",
        "",
        table(report["results"], peer_names),
        "",
    ]
    if report.get("sweep"):
        lines += ["## Window-size sweep (stride 1, 'same')", "",
                  table(report["sweep"], peer_names), ""]  # fmt: skip
    if report.get("jit"):
        from poolkit.bench import jit

        lines += ["## JIT (each family in a fresh process; `poolkit bench --jit`)", "",
                  jit.table(report["jit"]), ""]  # fmt: skip
    notes = sorted({n for r in report["results"] for n in r["notes"]})
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def run(args) -> int:
    from poolkit.bench import cases as case_mod
    from poolkit.bench.peers import PEERS, installed

    repeat = args.repeat or (2 if args.quick else 5)
    threads = args.threads or len(os.sched_getaffinity(0))
    if args.torch:
        return run_torch(args, repeat, threads)
    if args.keras:
        return run_keras(args, repeat, threads)
    peer_names = list(PEERS)
    if args.peers:
        wanted = [p.strip() for p in args.peers.split(",")]
        unknown = [p for p in wanted if p not in PEERS]
        if unknown:
            from poolkit.errors import PoolingError

            raise PoolingError(f"--peers: unknown {unknown}; choose from {list(PEERS)}")
        peer_names = wanted
    if args.quick:
        peer_names = [p for p in peer_names if not p.startswith(("tensorflow", "jax"))]
    for module, prefix in (("tensorflow", "tensorflow"), ("jax", "jax")):
        if not installed(module):
            print(f"note: {module} is not installed; its column is skipped", file=sys.stderr)
            peer_names = [p for p in peer_names if not p.startswith(prefix)]
    cases = case_mod.full_cases()
    sweep = [] if args.no_sweep and not args.plot else case_mod.sweep_cases()
    if args.quick:
        cases = [case_mod.quick(c) for c in cases]
        sweep = [case_mod.quick(c) for c in case_mod.sweep_cases(kernels=(3, 9, 31))]
    if sweep:  # the sweep includes the 3x3 and 31x31 stride-1 cases
        cases = [c for c in cases if c.group != "stride1"]
    if args.only:
        cases = [c for c in cases if args.only in c.name]
        sweep = [c for c in sweep if args.only in c.name]
    if any(c.layers for c in cases):
        try:
            import poolkit.torch  # noqa: F401
        except Exception as error:
            print(f"note: poolkit.torch does not import ({error}); the training-step case "
                  f"is skipped", file=sys.stderr)  # fmt: skip
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is imported
    for name in ("torch", "tensorflow"):
        if any(p.startswith(name) for p in peer_names) and installed(name):
            __import__(name)
    set_threads(threads)
    # other work on the machine skews absolute times (ratios less): record how busy it was
    load = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else "?"
    bandwidth = copy_bandwidth((16 if args.quick else 256) << 20, threads)
    progress = Progress(len(cases) + len(sweep))
    results = run_cases(cases, peer_names, repeat, bandwidth, progress)
    sweep_results = run_cases(sweep, peer_names, repeat, bandwidth, progress) if sweep else []
    progress.close()
    jit_rows = []
    if args.jit:
        from poolkit.bench import jit

        jit_rows = jit.measure(progress=lambda line: print(line, file=sys.stderr))
    info = machine()
    info["load average (1, 5, 15 min) at start"] = load
    report = {
        "machine": info,
        "threads": threads,
        "repeat": repeat,
        "bandwidth": bandwidth,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "quick": bool(args.quick),
        "results": results,
        "sweep": sweep_results,
        "jit": jit_rows,
        "targets": targets(results + sweep_results) + jit_targets(jit_rows),
    }
    if args.json == "-":
        json.dump(report, sys.stdout, indent=1)
        print()
    else:
        print(f"copy bandwidth {bandwidth / 1e9:.1f} GB/s, {threads} threads, best of {repeat}")
        if results:
            print(table(results, peer_names))
        if sweep_results:
            print(table(sweep_results, peer_names))
        if jit_rows:
            from poolkit.bench import jit

            print(jit.table(jit_rows))
        print(target_table(report["targets"]))
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(report, handle, indent=1)
    if args.plot:
        plot(sweep_results, args.plot)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(markdown(report, peer_names))
    return 0


def run_torch(args, repeat: int, threads: int) -> int:
    """``poolkit bench --torch``: the torch.nn / poolkit.torch table and dispatch overhead."""
    from poolkit.bench import torch_layers

    set_threads(threads)
    progress = Progress(len(torch_layers.cases(args.quick)))
    rows = torch_layers.measure(repeat, args.quick, progress)
    progress.close()
    overhead = torch_layers.dispatch_overhead(repeat)
    report = {"torch_layers": rows, "dispatch_overhead_s": overhead}
    text = torch_layers.table(rows, overhead)
    return _report(args, report, threads, repeat, "torch.nn time / poolkit.torch time", text)


def _report(args, results: dict, threads: int, repeat: int, ratio: str, text: str) -> int:
    """Print a side-by-side table (or the JSON with ``--json -``) and save ``--json PATH``."""
    report = {
        "machine": machine(),
        "threads": threads,
        "repeat": repeat,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        **results,
    }
    if args.json == "-":
        json.dump(report, sys.stdout, indent=1)
        print()
        return 0
    print(f"{threads} threads, best of {repeat}; ratio = {ratio}")
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=1)
    return 0


def run_keras(args, repeat: int, threads: int) -> int:
    """``poolkit bench --keras``: poolkit.keras against keras.layers on the active backend,
    and poolkit.jax against flax.linen where flax is installed."""
    import importlib.util

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is imported
    from poolkit.bench import keras_layers

    with_flax = importlib.util.find_spec("flax") is not None
    cases = len(keras_layers.keras_cases(args.quick)) + (4 if with_flax else 0)
    progress = Progress(cases)
    rows = keras_layers.measure_keras(repeat, args.quick, progress)
    set_threads(threads)
    if with_flax:
        rows += keras_layers.measure_jax(repeat, args.quick, progress)
    else:
        print("note: flax is not installed; the poolkit.jax cases are skipped", file=sys.stderr)
    progress.close()
    ratio = "native time / poolkit time"
    return _report(args, {"keras_layers": rows}, threads, repeat, ratio, keras_layers.table(rows))
