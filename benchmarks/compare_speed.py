"""Is this code as fast as an earlier commit? ``bench_speed.py``'s configurations, side by side.

Times skgrow static and growing at widths 10, 100 and 1000 on 20 000, 100 000
and 1 000 000 rows (adam, batch 200, 20 features, as ``bench_speed.py``), the
growing-against-static runs at capacity 1024 and a self-sizing fit on 1 000
rows (``target_size="auto"``, capacity 256), for the working tree (or the
commit ``--new``) and for ``REF`` (checked out into temporary git worktrees),
in one run: each repeat
starts a fresh worker process per tree and times each configuration in one
tree and straight after in the other (which goes first alternates); within a
process a fit shorter than 0.3 s is run again until its fits add up to 0.3 s,
and every time is the minimum over all of them.

    python benchmarks/compare_speed.py REF [--new COMMIT] [--output PATH] [--repeats 3] [--quick]

Results: ``results/compare_speed.json`` (or ``--output``) and a table on
standard output, with the ratio new / old of the best times per configuration,
the median of the repeats' paired ratios, and whether the two trees computed
the same loss curves and predictions (a change meant to keep the results must).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results" / "compare_speed.json"
# the own-width setting of bench_sklearn.py
OWN_WIDTH = {"hidden_layer_sizes": [256], "target_size": "auto"}

# a worker process with the tree's root first on the path: reads one configuration per
# line, fits it and answers with the time and what the fit computed, as JSON
WORKER = """
import json, sys, time, warnings
sys.path.insert(0, sys.argv[1])
import numpy as np
from sklearn.exceptions import ConvergenceWarning
import skgrow
from skgrow import GrowingMLPRegressor
assert skgrow.__file__.startswith(sys.argv[1]), skgrow.__file__
MIN_SECONDS = 0.3
data = {}
for line in sys.stdin:
    name, n_rows, epochs, params = json.loads(line)
    if n_rows not in data:
        rng = np.random.RandomState(0)
        X = rng.randn(n_rows, 20).astype(np.float32)
        y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.randn(n_rows)).astype(np.float32)
        data[n_rows] = X, y
    X, y = data[n_rows]
    model = GrowingMLPRegressor(
        solver="adam", batch_size=200, max_iter=epochs, tol=0.0, n_iter_no_change=10**6,
        random_state=0, **params
    )
    # a short fit is timed again until the fits of this configuration last MIN_SECONDS:
    # the best of several fits is what a few milliseconds can be measured by here
    seconds, spent = float("inf"), 0.0
    while spent < MIN_SECONDS:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        took = time.perf_counter() - start
        seconds, spent = min(seconds, took), spent + took
    fitted = [float(v) for v in model.loss_curve_] + model.predict(X[:1000]).tolist()
    print(json.dumps([seconds, fitted]), flush=True)
"""


def configurations(quick: bool) -> list[tuple[str, int, int, dict]]:
    """``(name, rows, epochs, estimator parameters)`` of every timed fit."""
    row_counts = [20_000] if quick else [20_000, 100_000, 1_000_000]
    runs = []
    for n_rows in row_counts:
        epochs = 2 if n_rows <= 100_000 else 1
        for width in (10, 100, 1000):
            for kind, growth in (("static", {"growth": "none"}), ("growing", {})):
                params = {"hidden_layer_sizes": [width], **growth}
                runs.append((f"{kind}, width {width}, {n_rows:,} rows", n_rows, epochs, params))
    capacity = {"hidden_layer_sizes": [1024]}
    slow = {"size_learning_rate": None, "new_neurons": "random"}
    runs += [
        ("capacity 1024, static", 20_000, 10, {**capacity, "growth": "none"}),
        ("capacity 1024, growing (papers' rule)", 20_000, 10, {**capacity, **slow}),
        ("capacity 1024, growing (default)", 20_000, 10, capacity),
        # small data, where a fit is many short steps and their bookkeeping counts
        ("self-sizing, capacity 256, 1,000 rows", 1_000, 1000, OWN_WIDTH),
    ]
    return runs


class Worker:
    """A process that times fits with the skgrow of ``tree``."""

    def __init__(self, tree: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tree)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def time(self, run: tuple) -> tuple[float, list]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(run) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the worker for {run[0]!r} ended: see its error above")
        seconds, fitted = json.loads(answer)
        return seconds, fitted

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def compare_trees(old: Path, new: Path, runs: list, repeats: int) -> list[dict]:
    """Time ``runs`` in trees ``old`` and ``new`` ``repeats`` times: per configuration
    the best times, their ratio new / old, the ratio of each repeat's pair of times and
    their median, and whether the results agree.

    Each repeat starts a fresh worker process per tree, and each configuration is
    timed in one tree and straight after in the other (which goes first alternates),
    so that the machine's drift over minutes falls on both alike.
    """
    best: dict[str, dict[str, float]] = {"old": {}, "new": {}}
    fitted: dict[str, dict[str, list]] = {"old": {}, "new": {}}
    paired: dict[str, list[float]] = {run[0]: [] for run in runs}
    for repeat in range(repeats):
        workers = {"old": Worker(old), "new": Worker(new)}
        try:
            for index, run in enumerate(runs):
                name = run[0]
                order = ["old", "new"] if (index + repeat) % 2 == 0 else ["new", "old"]
                seconds = {}
                for label in order:
                    seconds[label], values = workers[label].time(run)
                    best[label][name] = min(best[label].get(name, seconds[label]), seconds[label])
                    fitted[label][name] = values
                paired[name].append(seconds["new"] / seconds["old"])
        finally:
            for worker in workers.values():
                worker.close()
        print(f"repeat {repeat + 1} of {repeats} done", flush=True)
    return [
        {
            "configuration": name,
            "old_s": best["old"][name],
            "new_s": best["new"][name],
            "ratio": best["new"][name] / best["old"][name],
            # the ratio of each repeat's two back-to-back times: the machine's state is
            # shared within a pair, so their median is the steadier figure
            "paired_ratios": paired[name],
            "median_ratio": statistics.median(paired[name]),
            "same_results": fitted["new"][name] == fitted["old"][name],
        }
        for name, *_ in runs
    ]


@contextmanager
def worktrees(refs: dict[str, str]) -> Iterator[dict[str, Path]]:
    """Git worktrees of the commits ``refs`` (name -> commit) in a temporary directory,
    by name; removed when the block ends."""
    with tempfile.TemporaryDirectory() as directory:
        trees: dict[str, Path] = {}
        try:
            for name, ref in refs.items():
                tree = Path(directory) / name
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
                    check=True,
                    capture_output=True,
                )
                trees[name] = tree
            yield trees
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                    check=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the earlier commit to compare with")
    parser.add_argument("--new", default=None, help="a commit to time instead of the tree")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the results go")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20 000 rows only")
    args = parser.parse_args()
    runs = configurations(args.quick)
    refs = {"old": args.ref} | ({"new": args.new} if args.new is not None else {})
    with worktrees(refs) as trees:
        rows = compare_trees(trees["old"], trees.get("new", ROOT), runs, args.repeats)
    commit = (
        args.new
        or subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    )
    result = {
        "command": "python benchmarks/compare_speed.py " + " ".join(sys.argv[1:]),
        "old": args.ref,
        "new": commit,
        "repeats": args.repeats,
        "rows": rows,
    }
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1))
    print(
        f"{'configuration':45s} {'old s':>8s} {'new s':>8s} {'new/old':>8s} {'median':>8s}"
        "  same results"
    )
    for row in rows:
        print(
            f"{row['configuration']:45s} {row['old_s']:8.3f} {row['new_s']:8.3f}"
            f" {row['ratio']:8.3f}  {row['median_ratio']:8.3f}  {row['same_results']}"
        )


if __name__ == "__main__":
    main()
