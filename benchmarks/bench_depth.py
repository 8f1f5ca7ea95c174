"""Growth with two and three hidden layers at short and long budgets, against sklearn.

The budgets comparison of ``bench_sklearn.py`` fits sklearn's default
architecture, one hidden layer of 100. Here both libraries fit two layers of 64
and three of 32, with their other parameters at the defaults, at ``max_iter``
10, 30, 100 and 200, on the datasets of ``DATASETS`` (5 folds, ``random_state``
0 to 2 by default, the same folds for every contestant):

* sklearn's MLP;
* skgrow (the working tree);
* skgrow with the growth pace of ``BEFORE`` (checked out into a temporary git
  worktree): a layer nearly grown after half of the planned steps and after 30
  at the soonest, which left a fit planned fewer than 60 steps with its layers
  part-grown.

Each contestant runs in a worker process of its own, with its tree first on
the path.

    python benchmarks/bench_depth.py                  # about 30 minutes on one core
    python benchmarks/bench_depth.py --shard 0/2 &    # two processes share the work
    python benchmarks/bench_depth.py --shard 1/2 &
    python benchmarks/bench_depth.py --report-only    # the table of docs/depth.md

Results: ``results/depth.json``; every finished (contestant, dataset, layers,
seed) is stored at once, and a restarted run skips what is there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results"
STORE = RESULTS / "depth.json"
REPORT = ROOT / "docs" / "depth.md"
BEFORE = "bcfee30"  # the last commit with the 30-step floor on the default pace
KEY_FIELDS = ("contestant", "dataset", "layers", "seed", "budget", "fold")
N_FOLDS = 5
BUDGETS = (10, 30, 100, 200)
LAYERS = ((64, 64), (32, 32, 32))
DATASETS = (
    "iris",
    "wine",
    "breast cancer",
    "digits",
    "diabetes",
    "friedman1",
    "moons",
    "gaussian mixture",
)
# contestant: (library, its tree: None for the working tree)
CONTESTANTS: dict[str, tuple[str, str | None]] = {
    "sklearn": ("sklearn", None),
    "skgrow": ("skgrow", None),
    "skgrow, 30-step floor": ("skgrow", BEFORE),
}
WITHIN = 0.01  # the budgets target: at least sklearn's score minus this


def planned_cells(seeds: int, shard: tuple[int, int]) -> list[tuple]:
    """(contestant, dataset, layers, seed) of this shard: every N-th cell of the plan."""
    cells = [
        (c, d, list(layers), s)
        for d in DATASETS
        for layers in LAYERS
        for s in range(seeds)
        for c in CONTESTANTS
    ]
    k, n = shard
    return cells[k::n]


def run_worker(contestant: str, cells: list[tuple[str, list[int], int]]) -> None:
    """Fit ``contestant`` on each (dataset, layers, seed) of ``cells`` at every budget and
    fold, writing one JSON line per fit to standard output. The caller put its tree
    first on the path."""
    import warnings

    from bench_sklearn import estimator_class, folds, rows_of, width_of
    from common import limit_threads
    from sklearn.exceptions import ConvergenceWarning
    from tabular import DATASETS as ALL

    import skgrow

    limit_threads(1)
    library, _ = CONTESTANTS[contestant]
    by_name = {dataset.name: dataset for dataset in ALL}
    for name, layers, seed in cells:
        dataset = by_name[name]
        X, y = dataset.load()
        for fold, (train, test) in enumerate(folds(dataset.classification, N_FOLDS).split(X, y)):
            for budget in BUDGETS:
                MLP = estimator_class(dataset, library)
                mlp = MLP(hidden_layer_sizes=tuple(layers), max_iter=budget, random_state=seed)
                model = dataset.pipeline(mlp)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(rows_of(X, train), y[train])
                row = {
                    "contestant": contestant,
                    "dataset": name,
                    "layers": layers,
                    "seed": seed,
                    "budget": budget,
                    "fold": fold,
                    "score": float(model.score(rows_of(X, test), y[test])),
                    "width": width_of(model.steps[-1][1]),
                    "skgrow": skgrow.__file__ if library == "skgrow" else "",
                }
                print(json.dumps(row), flush=True)


def run_contestant(contestant: str, cells: list, tree: Path, store) -> None:
    """A worker process for ``contestant`` with ``tree`` first on the path; each row it
    writes goes into ``store`` at once."""
    from common import worker_rows

    for row in worker_rows(__file__, contestant, cells, tree):
        if not store.done(row):  # (fits of a cell cut short before are fitted again)
            store.add(row)
        if row["fold"] == N_FOLDS - 1 and row["budget"] == BUDGETS[-1]:
            print(f"{contestant:22s} {row['dataset']:18s} {row['layers']} seed {row['seed']} done")


def cell_scores(rows: list[dict]) -> dict[tuple, dict[str, float]]:
    """Mean score over seeds and folds per (dataset, layers, budget), by contestant."""
    scores: dict[tuple, dict[str, list[float]]] = {}
    for row in rows:
        cell = (row["dataset"], tuple(row["layers"]), row["budget"])
        scores.setdefault(cell, {}).setdefault(row["contestant"], []).append(row["score"])
    return {
        cell: {name: float(np.mean(values)) for name, values in by.items()}
        for cell, by in scores.items()
    }


def write_report(data: dict, path: Path = REPORT) -> None:
    """docs/depth.md: every cell's difference from sklearn, and the count within 0.01."""
    scores = cell_scores(data["rows"])
    cells = [
        (d, layers, b)
        for d in DATASETS
        for layers in LAYERS
        for b in BUDGETS
        if len(scores.get((d, layers, b), {})) == len(CONTESTANTS)
    ]
    growing = [c for c in CONTESTANTS if c != "sklearn"]
    seeds = sorted({row["seed"] for row in data["rows"]})
    meta = data["meta"]
    run = (meta.get("runs") or [{}])[-1]
    lines = [
        "# Two and three hidden layers: growth against sklearn at every budget",
        "",
        f"Generated by `python benchmarks/bench_depth.py` on {run.get('started', '')},"
        f" {run.get('machine', '')}, at skgrow commit {run.get('skgrow_commit', '')};"
        " `--report-only` rewrites it from the stored results.",
        "",
        f"Default parameters but `hidden_layer_sizes` and `max_iter`; {N_FOLDS}-fold"
        f" cross-validation (stratified for classifiers), random_state {seeds[0]} to"
        f" {seeds[-1]}; scores: mean over seeds and folds; differences: minus sklearn's."
        f" *30-step floor*: skgrow at commit {BEFORE}, whose default pace grew a layer"
        " in 30 steps at the soonest, so that a fit planned fewer than 60 steps ended"
        " part-grown; today a layer is nearly grown after half of the planned steps"
        " whatever their number.",
        "",
    ]
    for name in growing:
        differences = [scores[c][name] - scores[c]["sklearn"] for c in cells]
        below = [(c, d) for c, d in zip(cells, differences) if d < -WITHIN]
        worst = min(zip(differences, cells))
        lines.append(
            f"- {name}: at least sklearn's − {WITHIN} on"
            f" {len(cells) - len(below)} of {len(cells)} cells; worst {worst[0]:+.3f}"
            f" ({worst[1][0]}, {worst[1][1]}, max_iter {worst[1][2]}); mean difference"
            f" {np.mean(differences):+.3f}."
        )
    header = "| dataset | layers | max_iter | sklearn | " + " | ".join(growing) + " |"
    lines += ["", header, "|---|---|---|---|" + "---|" * len(growing)]
    for cell in cells:
        ours = [f"{scores[cell][n] - scores[cell]['sklearn']:+.3f}" for n in growing]
        lines.append(
            f"| {cell[0]} | {cell[1]} | {cell[2]} | {scores[cell]['sklearn']:.3f} | "
            + " | ".join(ours)
            + " |"
        )
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        contestant, cells = json.loads(sys.argv[2])
        run_worker(contestant, [tuple(cell) for cell in cells])
        return
    from common import (
        ResultStore,
        add_shard_argument,
        command_line,
        parsed_shard,
    )
    from compare_speed import worktrees

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="random_state 0 to SEEDS - 1")
    parser.add_argument("--report-only", action="store_true", help="only rewrite docs/depth.md")
    add_shard_argument(parser)
    args = parser.parse_args()
    if args.report_only:
        write_report(json.loads(STORE.read_text()))
        return
    meta = {"command": command_line(), "before_commit": BEFORE}
    store = ResultStore(STORE, KEY_FIELDS, meta)
    cells = planned_cells(args.seeds, parsed_shard(parser, args.shard))
    last = {"budget": BUDGETS[-1], "fold": N_FOLDS - 1}
    missing = [
        cell for cell in cells if not store.done(dict(zip(KEY_FIELDS, cell, strict=False)) | last)
    ]
    n_planned = len(CONTESTANTS) * len(DATASETS) * len(LAYERS) * args.seeds
    store.plan(n_planned * len(BUDGETS) * N_FOLDS)
    refs = {ref for c, *_ in missing if (ref := CONTESTANTS[c][1]) is not None}
    with worktrees({ref: ref for ref in refs}) as trees:
        for contestant, (_, ref) in CONTESTANTS.items():
            mine = [(d, layers, s) for c, d, layers, s in missing if c == contestant]
            if mine:
                run_contestant(contestant, mine, trees[ref] if ref else ROOT, store)
    store.finish(n_planned * len(BUDGETS) * N_FOLDS)
    write_report(json.loads(STORE.read_text()))


if __name__ == "__main__":
    main()
