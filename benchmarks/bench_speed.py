"""How fast is skgrow next to sklearn's MLPs, and does a growing network cost what it has?

Side by side in one run, at equal width, batch size (200), epochs and solver
(adam), on 20 features:

* seconds per epoch of sklearn's MLPRegressor, skgrow static
  (``growth="none"``), skgrow growing (default growth) and the textbook torch
  version of the static network (``nn.Sequential``, autograd,
  ``torch.optim.Adam``: what skgrow's hand-written numerics are measured
  against), widths 10, 100, 1000 and 20 000 to 1 000 000 rows, with the ratio
  skgrow / sklearn and skgrow / textbook;
* peak memory (RSS above the process's baseline, each fit in a fresh process)
  against the data's size, for 1 000 000 x 20 float32 rows;
* achieved FLOP/s of the largest configuration against the measured peak of
  a large float32 matrix product on this machine;
* a growing run (capacity 1024, 10 epochs of 20 000 rows) against the static
  run at capacity: a layer that grows over the whole run (the papers' rule), and
  one with the default growth;
* ``GridSearchCV`` over skgrow estimators with ``n_jobs=1`` and ``n_jobs=2``;
* where CUDA is available, skgrow on the GPU at the largest configuration.

This machine's timings are noisy (shared virtual cores), so every timing is
the minimum over repeats that alternate between the contestants.
Results go to ``results/speed.json`` and ``docs/speed.md``.

    python benchmarks/bench_speed.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPRegressor

from skgrow import GrowingMLPRegressor
from skgrow._training import threads_for_step

RESULTS = Path(__file__).parent / "results" / "speed.json"
TRICKS = Path(__file__).parent / "results" / "tricks.json"  # audit_tricks.py
REPORT = Path(__file__).parent.parent / "docs" / "speed.md"
N_FEATURES = 20
TARGETS = {"10": 0.7, "100": 0.5, "1000": 0.5}


def cpu_model() -> str:
    """The processor's name as Linux reports it (torch's MKL is slower on some makes)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown processor"


def make_data(n_rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    X = rng.randn(n_rows, N_FEATURES).astype(np.float32)
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.randn(n_rows)).astype(np.float32)
    return X, y


class TextbookMLP:
    """The static network as a torch tutorial writes it: ``nn.Sequential`` of
    ``nn.Linear`` and ReLU, autograd, ``torch.optim.Adam``, float32, batches of a
    permutation drawn each epoch; sklearn's objective (half the squared error plus
    ``0.5 * alpha * ||W||^2`` over the batch size) and Glorot-uniform weights. It runs
    on as many threads as skgrow would (``threads_for_step``), so that the comparison
    is of the numerics alone."""

    def __init__(self, hidden_layer_sizes, batch_size, max_iter, random_state, alpha=1e-4):
        self.width = hidden_layer_sizes[0]
        self.batch_size, self.max_iter, self.alpha = batch_size, max_iter, alpha
        self.random_state = random_state

    def fit(self, X, y):
        torch.manual_seed(self.random_state)
        model = torch.nn.Sequential(
            torch.nn.Linear(X.shape[1], self.width), torch.nn.ReLU(), torch.nn.Linear(self.width, 1)
        )
        for layer in model:
            if isinstance(layer, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(layer.weight)
                torch.nn.init.uniform_(layer.bias, -0.1, 0.1)
        weights = [layer.weight for layer in model if isinstance(layer, torch.nn.Linear)]
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        X_t, y_t = torch.as_tensor(X), torch.as_tensor(y).reshape(-1, 1)
        generator = torch.Generator().manual_seed(self.random_state)
        n_parameters = sum(p.numel() for p in model.parameters())
        with threads_for_step(self.batch_size * n_parameters, torch.device("cpu")):
            for _ in range(self.max_iter):
                for rows in torch.randperm(len(X_t), generator=generator).split(self.batch_size):
                    optimizer.zero_grad()
                    residual = model(X_t[rows]) - y_t[rows]
                    l2 = sum((w * w).sum() for w in weights)
                    loss = 0.5 * (residual * residual).mean() + 0.5 * self.alpha * l2 / len(rows)
                    loss.backward()
                    optimizer.step()
        self.model_ = model
        return self


def contestants(width: int, epochs: int) -> dict:
    common = dict(
        hidden_layer_sizes=(width,),
        solver="adam",
        batch_size=200,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
    )
    return {
        "sklearn": lambda: MLPRegressor(**common),
        "skgrow_static": lambda: GrowingMLPRegressor(growth="none", **common),
        "skgrow_growing": lambda: GrowingMLPRegressor(**common),
        "textbook": lambda: TextbookMLP((width,), 200, epochs, 0),
    }


def timed_fit(make, X, y) -> float:
    model = make()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - start


def fastest(makers: dict, X, y, repeats: int) -> dict[str, float]:
    """Minimum fit time of each contestant over alternating repeats."""
    best = {name: np.inf for name in makers}
    for _ in range(repeats):
        for name, make in makers.items():
            best[name] = min(best[name], timed_fit(make, X, y))
    return best


def epoch_times(widths, row_counts, repeats) -> list[dict]:
    rows = []
    for n_rows in row_counts:
        X, y = make_data(n_rows)
        epochs = 2 if n_rows <= 100_000 else 1
        for width in widths:
            seconds = fastest(contestants(width, epochs), X, y, repeats)
            row = {"n_rows": n_rows, "width": width, "epochs": epochs}
            for name, total in seconds.items():
                row[f"{name}_s_per_epoch"] = total / epochs
            for name in ("skgrow_static", "skgrow_growing"):
                row[f"{name}_ratio"] = seconds[name] / seconds["sklearn"]
            row["static_to_textbook_ratio"] = seconds["skgrow_static"] / seconds["textbook"]
            rows.append(row)
            print(
                f"n={n_rows:>8} width={width:>5}: "
                + "  ".join(f"{k}={v:.3f}s" for k, v in seconds.items())
                + f"  static/sklearn={row['skgrow_static_ratio']:.2f}"
                f"  growing/sklearn={row['skgrow_growing_ratio']:.2f}",
                flush=True,
            )
    return rows


# A layer that grows over the whole run, so that its cost can follow its size:
# the papers' rule (size variables stepped by Adam: ~1e-3 of the capacity per step)
SLOW_GROWTH = dict(size_learning_rate=None, new_neurons="random")


def growing_versus_static(repeats: int, growth: dict) -> dict:
    X, y = make_data(20_000)
    settings = dict(
        hidden_layer_sizes=(1024,), max_iter=10, tol=0.0, n_iter_no_change=10**6, random_state=0
    )
    makers = {
        "static": lambda: GrowingMLPRegressor(growth="none", **settings),
        "growing": lambda: GrowingMLPRegressor(**settings, **growth),
    }
    sizes = [s[0] for s in makers["growing"]().fit(X, y).size_curve_]
    # what a growing run would cost if growing were free: a static network of its
    # average width (it starts empty and grows within each epoch: the width halfway
    # through an epoch is the mean of the widths at its start and end)
    starts = [0.0, *sizes[:-1]]
    mean_width = int(round(float(np.mean([(a + b) / 2 for a, b in zip(starts, sizes)]))))
    makers["static_at_mean_width"] = lambda: GrowingMLPRegressor(
        growth="none", **dict(settings, hidden_layer_sizes=(mean_width,))
    )
    seconds = fastest(makers, X, y, repeats)
    result = {
        "growth": {k: str(v) for k, v in growth.items()},
        "steps": settings["max_iter"] * -(-len(X) // 200),
        "static_s": seconds["static"],
        "growing_s": seconds["growing"],
        "ratio": seconds["growing"] / seconds["static"],
        "mean_width": mean_width,
        "static_at_mean_width_s": seconds["static_at_mean_width"],
        "lower_bound_ratio": seconds["static_at_mean_width"] / seconds["static"],
        "mean_active_fraction": mean_width / 1024,
        "size_after_each_epoch": [round(s, 1) for s in sizes],
    }
    print(f"capacity 1024, 10 epochs, {growth or 'default growth'}: {result}", flush=True)
    return result


def _rss_bytes(field: str) -> int:
    """``VmRSS`` (current) or ``VmHWM`` (peak) of this process, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not found in /proc/self/status")


def _peak_rss_of_fit(queue, kind: str, n_rows: int, width: int) -> None:
    """Child process: peak RSS of one fit above the RSS before the data existed."""
    warnings.simplefilter("ignore")
    makers = contestants(width, 1)
    makers[kind]().fit(*make_data(1000))  # load every lazily imported module first
    before_data = _rss_bytes("VmRSS")
    X, y = make_data(n_rows)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
    makers[kind]().fit(X, y)
    queue.put(
        {"before_data": before_data, "peak": _rss_bytes("VmHWM"), "data": X.nbytes + y.nbytes}
    )


def peak_memory(n_rows: int, width: int) -> dict:
    context = multiprocessing.get_context("spawn")
    result = {}
    for kind in ("sklearn", "skgrow_static", "skgrow_growing"):
        queue = context.Queue()
        child = context.Process(target=_peak_rss_of_fit, args=(queue, kind, n_rows, width))
        child.start()
        measured = queue.get()
        child.join()
        # parameters, gradients and two optimiser moments
        model = 4 * 4 * (N_FEATURES * width + 3 * width + 1)
        peak = measured["peak"] - measured["before_data"]
        result[kind] = {
            "peak_above_baseline_mb": peak / 2**20,
            "data_mb": measured["data"] / 2**20,
            "model_mb": model / 2**20,
            "ratio_to_data": peak / measured["data"],
            "within_2x_data_plus_model": bool(peak <= 2 * measured["data"] + model),
        }
        print(f"memory {kind}: {result[kind]}", flush=True)
    return result


def matmul_peak_flops(size: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def training_flops(n_rows: int, width: int) -> float:
    """Multiply-adds of one epoch of a one-hidden-layer MLP, counted as 2 FLOPs each:
    forward (two products), the weight gradients (two) and the gradient into the
    hidden layer (one); the gradient with respect to the data is not needed."""
    products = 2 * N_FEATURES * width + 3 * width
    return 2 * n_rows * products


def parallel_search(repeats: int) -> dict:
    X, y = make_data(4000)
    grid = {"hidden_layer_sizes": [(32,), (64,)], "size_penalty": [0.1, 1.0]}
    estimator = GrowingMLPRegressor(max_iter=15, random_state=0)
    best = {}
    for n_jobs in (1, 2):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                GridSearchCV(estimator, grid, cv=3, n_jobs=n_jobs).fit(X, y)
            times.append(time.perf_counter() - start)
        best[f"n_jobs_{n_jobs}_s"] = min(times)
    best["speedup"] = best["n_jobs_1_s"] / best["n_jobs_2_s"]
    print(f"GridSearchCV: {best}", flush=True)
    return best


def gpu_speed(largest: dict, repeats: int) -> dict:
    """skgrow on the GPU against sklearn (its time from the same run) at the largest size."""
    X, y = make_data(largest["n_rows"])
    common = dict(
        hidden_layer_sizes=(largest["width"],),
        batch_size=200,
        max_iter=1,
        tol=0.0,
        n_iter_no_change=10**6,
        random_state=0,
        device="cuda",
    )
    makers = {
        "static": lambda: GrowingMLPRegressor(growth="none", **common),
        "growing": lambda: GrowingMLPRegressor(**common),
    }
    seconds = fastest(makers, X, y, repeats)
    sklearn = largest["sklearn_s_per_epoch"]
    result = {
        "device": torch.cuda.get_device_name(),
        **{f"{name}_s_per_epoch": value for name, value in seconds.items()},
        **{f"{name}_speedup": sklearn / value for name, value in seconds.items()},
    }
    print(f"GPU: {result}", flush=True)
    return result


def target_summary(results: dict) -> list[str]:
    """One line per target that this run missed, or a line saying every one was met."""
    missed = []
    for kind in ("skgrow_static", "skgrow_growing"):
        for width, target in TARGETS.items():
            ratios = [
                r[f"{kind}_ratio"] for r in results["epoch_times"] if str(r["width"]) == width
            ]
            if ratios and max(ratios) > target:
                missed.append(
                    f"- {kind.removeprefix('skgrow_')} network at width {width}: "
                    f"{min(ratios):.2f} to {max(ratios):.2f} of sklearn's time (target <= {target})"
                )
    ratio = results["growing_versus_static"]["ratio"]
    if ratio > 0.6:
        missed.append(
            f"- growing run at capacity 1024: {ratio:.2f} of the static run (target <= 0.6)"
        )
    if not missed:
        return ["Every speed target below was met in this run."]
    return ["**Targets not met in this run:**", "", *missed]


def write_report(results: dict, path: Path = REPORT) -> None:
    lines = [
        "# Speed: skgrow next to sklearn's MLPs",
        "",
        f"Generated by `{results['command']}` on {results['date']}, "
        f"{results['machine']}. Every time is the minimum over "
        f"{results['repeats']} alternating repeats (this machine is shared and noisy).",
        "",
        "## Seconds per epoch (adam, batch 200, 20 features)",
        "",
        "| rows | width | sklearn | skgrow static | skgrow growing | static / sklearn "
        "| growing / sklearn | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["epoch_times"]:
        lines.append(
            f"| {r['n_rows']:,} | {r['width']} | {r['sklearn_s_per_epoch']:.3f} "
            f"| {r['skgrow_static_s_per_epoch']:.3f} | {r['skgrow_growing_s_per_epoch']:.3f} "
            f"| {r['skgrow_static_ratio']:.2f} | {r['skgrow_growing_ratio']:.2f} "
            f"| <= {TARGETS[str(r['width'])]} |"
        )
    lines += ["", *target_summary(results)]
    if "textbook_s_per_epoch" in results["epoch_times"][0]:
        lines += [
            "",
            "### What the hand-written numerics buy",
            "",
            "The same static network written as a torch tutorial would (`nn.Sequential`,",
            "autograd, `torch.optim.Adam`, on the threads skgrow would use), seconds per epoch:",
            "",
            "| rows | width | textbook torch | skgrow static | skgrow / textbook |",
            "|---|---|---|---|---|",
        ]
        for r in results["epoch_times"]:
            lines.append(
                f"| {r['n_rows']:,} | {r['width']} | {r['textbook_s_per_epoch']:.3f} "
                f"| {r['skgrow_static_s_per_epoch']:.3f} | {r['static_to_textbook_ratio']:.2f} |"
            )
    g = results["growing_versus_static"]
    steps = g.get("steps", 1000)
    growth_us = (g["growing_s"] - g["static_at_mean_width_s"]) / steps * 1e6
    static_us = g["static_s"] / steps * 1e6
    lines += [
        "",
        "The growing network starts empty and grows by the default rule (nearly grown",
        "after half of the fit's steps, however few): its cost per epoch lies",
        "between a smaller network's and the static one's, plus what growing costs per step.",
        "",
        "## A growing network costs what it has",
        "",
        "Capacity 1024, 10 epochs of 20,000 rows, a layer that grows over the whole run",
        f"(`{g.get('growth', SLOW_GROWTH)}`, the papers' rule): growing {g['growing_s']:.2f} s,"
        f" static {g['static_s']:.2f} s, ratio **{g['ratio']:.2f}** (target <= 0.6). The",
        f"growing layer held {100 * g['mean_active_fraction']:.0f}% of its capacity on average "
        f"(sizes after each epoch: {g['size_after_each_epoch']}).",
        "",
        f"A static network of the growing run's average width ({g['mean_width']} neurons, the "
        f"width halfway through each epoch) takes {g['static_at_mean_width_s']:.2f} s, ratio "
        f"{g['lower_bound_ratio']:.2f}: what the growing run would cost if growing were free. "
        f"Growing adds about {growth_us:.0f} µs to each of the run's {steps} steps, where a "
        f"static step at capacity takes {static_us:.0f} µs. It is a fixed cost per step, not "
        "one that grows with the capacity: the gates and blocks are kept in Python, seven",
        "more small tensor operations run (the gated and L2-masked weights, the size input,",
        "the gradients of the size variables and of the size-input weights), and each change",
        "of a block's size rebuilds views of the parameters. One part",
        "does follow the capacity: the optimiser steps the whole parameter buffer, because",
        "torch's fused Adam needs contiguous tensors and a block of the first layer's weights",
        "is not one.",
    ]
    if "default_growth_versus_static" in results:
        d = results["default_growth_versus_static"]
        default_us = (d["growing_s"] - d["static_s"]) / d.get("steps", 1000) * 1e6
        lines += [
            "",
            f"With the default growth the same run takes {d['growing_s']:.2f} s against the"
            f" static {d['static_s']:.2f} s, ratio {d['ratio']:.2f}: the layer held"
            f" {100 * d['mean_active_fraction']:.0f}% of its capacity on average (sizes after"
            f" each epoch: {d['size_after_each_epoch']}), and growing (gates, fitted new neurons,"
            f" size steps) adds about {default_us:.0f} µs per step.",
        ]
    if "memory" in results:
        lines += [
            "",
            "## Peak memory, 1,000,000 x 20 float32 rows, width 100",
            "",
            "Peak resident memory of one fit above the process's memory before the data",
            "existed (so the data itself is counted), each in a fresh process. Target: at",
            "most twice the data plus the model.",
            "",
            "| | peak (MB) | data (MB) | peak / data | within 2 x data + model |",
            "|---|---|---|---|---|",
        ]
        for kind, m in results["memory"].items():
            lines.append(
                f"| {kind} | {m['peak_above_baseline_mb']:.0f} | {m['data_mb']:.0f} "
                f"| {m['ratio_to_data']:.2f} | {m['within_2x_data_plus_model']} |"
            )
    if "flops" in results:
        f = results["flops"]
        lines += [
            "",
            "## Arithmetic throughput",
            "",
            f"Largest configuration ({f['n_rows']:,} rows, width {f['width']}): skgrow static "
            f"reaches {f['achieved'] / 1e9:.1f} GFLOP/s, {100 * f['fraction_of_peak']:.0f}% of "
            f"this machine's float32 matrix-product peak ({f['peak'] / 1e9:.0f} GFLOP/s); "
            f"sklearn reaches {f['sklearn_achieved'] / 1e9:.1f} GFLOP/s.",
        ]
    p = results["parallel_search"]
    lines += [
        "",
        "## Parallel grid search",
        "",
        f"`GridSearchCV` (4 candidates x 3 folds) over `GrowingMLPRegressor`: n_jobs=1 "
        f"{p['n_jobs_1_s']:.1f} s, n_jobs=2 {p['n_jobs_2_s']:.1f} s "
        f"(speed-up {p['speedup']:.2f}).",
    ]
    if "gpu" in results:
        gpu, largest = results["gpu"], results["epoch_times"][-1]
        lines += [
            "",
            f"## GPU ({gpu['device']})",
            "",
            f"{largest['n_rows']:,} rows, width {largest['width']}, one epoch: skgrow static "
            f"{gpu['static_s_per_epoch']:.2f} s ({gpu['static_speedup']:.1f} x faster than "
            f"sklearn on this machine's CPU), growing {gpu['growing_s_per_epoch']:.2f} s "
            f"({gpu['growing_speedup']:.1f} x). Target: at least 20 x.",
        ]
    else:
        lines += ["", "GPU: not measured (no CUDA device on this machine)."]
    if TRICKS.exists():
        lines += trick_lines(json.loads(TRICKS.read_text()))
    path.write_text("\n".join(lines) + "\n")


def slowest_without(trick: dict) -> str:
    """The slowest configuration without a trick, and what timing it again alone gave."""
    rows = {row["configuration"]: row for row in trick["rows"]}
    ratio = "median_ratio"
    text = f"{trick['largest_ratio']:.2f} ({trick['largest_at']}"
    again = [c for c in trick.get("confirmations", []) if c["configuration"] == trick["largest_at"]]
    if trick["stays"]:
        first = rows[trick["largest_at"]][ratio]
        return text + f"; {first:.2f} then {again[0][ratio]:.2f} alone)"
    if again:
        return text + f"; {again[0][ratio]:.2f} when timed again alone)"
    return text + ")"


def trick_lines(tricks: dict) -> list[str]:
    """The section on which speed tricks stayed (``audit_tricks.py``'s verdicts)."""
    lines = [
        "",
        "## Which speed tricks stayed",
        "",
        "`python benchmarks/audit_tricks.py`: each trick of the core is taken out by a patch",
        "(`benchmarks/tricks/`) and the code without it is timed against the code with it,",
        "side by side, on this benchmark's configurations (`compare_speed.py`; each",
        "configuration timed in both trees back to back, the figure is the median over",
        "the repeats of the two times' ratio). A trick stays where taking it out makes",
        "some configuration at least 5 % slower twice: in that run and when the",
        "configuration is timed again alone; the others were taken out of the code,",
        "unless a note says why they were kept.",
        "",
        "| trick | slowest without it (ratio without / with) | verdict |",
        "|---|---|---|",
    ]
    control = tricks.get("control")
    tricks = {name: t for name, t in tricks.items() if name != "control"}
    notes: dict[str, int] = {}
    for t in sorted(tricks.values(), key=lambda t: -t["largest_ratio"]):
        verdict = "stays" if t["stays"] else "taken out"
        if not t["stays"] and t.get("kept_for"):
            notes.setdefault(t["kept_for"], len(notes) + 1)
            verdict = f"kept ({notes[t['kept_for']]})"
        lines.append(f"| {t['trick']} | {slowest_without(t)} | {verdict} |")
    lines += [""] + [f"({number}) Kept: {note}." for note, number in notes.items()]
    if control is not None:
        lines += [
            "",
            "The control, the committed code timed against itself, came out at "
            f"{control['largest_ratio']:.2f} at worst ({control['largest_at']}): what "
            "noise alone makes of the rule.",
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 000 rows only, 3 repeats")
    parser.add_argument(
        "--report-only", action="store_true", help="the report from the existing results"
    )
    args = parser.parse_args()
    if args.report_only:
        write_report(json.loads(RESULTS.read_text()))
        return
    repeats = 3 if args.quick else 5
    row_counts = [20_000] if args.quick else [20_000, 100_000, 1_000_000]
    results = {
        "command": "python benchmarks/bench_speed.py" + (" --quick" if args.quick else ""),
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores ({cpu_model()}), {platform.machine()}, "
        f"torch {torch.__version__}, numpy {np.__version__}",
        "repeats": repeats,
        "epoch_times": epoch_times([10, 100, 1000], row_counts, repeats),
        "growing_versus_static": growing_versus_static(repeats, SLOW_GROWTH),
        "default_growth_versus_static": growing_versus_static(repeats, {}),
        "parallel_search": parallel_search(2 if args.quick else 3),
    }
    if not args.quick:
        results["memory"] = peak_memory(1_000_000, 100)
        largest = results["epoch_times"][-1]
        peak = matmul_peak_flops()
        flops = training_flops(largest["n_rows"], largest["width"])
        results["flops"] = {
            "n_rows": largest["n_rows"],
            "width": largest["width"],
            "peak": peak,
            "achieved": flops / largest["skgrow_static_s_per_epoch"],
            "sklearn_achieved": flops / largest["sklearn_s_per_epoch"],
            "fraction_of_peak": flops / largest["skgrow_static_s_per_epoch"] / peak,
        }
        if torch.cuda.is_available():
            results["gpu"] = gpu_speed(largest, repeats)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    write_report(results)


if __name__ == "__main__":
    main()
