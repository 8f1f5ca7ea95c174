"""Are skgrow's default fits as good as they were before the growth work, seed for seed?

``bench_sklearn.py`` compares today's default fits with skgrow before the growth
work (``results/sklearn_before.json``) over the same folds, all fitted with
``random_state=0``: its standard errors leave out how much a fit varies with its
initial weights and batch order. Here each contestant fits with default
parameters on the same 5 folds with ``random_state`` 0 to 4 (``--seeds``),
scored on the held-out fold and on its training rows:

* skgrow today (the working tree);
* skgrow today at the papers' pace (``size_learning_rate=None``), the growth
  pace of before;
* skgrow before the growth work (``BEFORE``, checked out into a temporary git
  worktree);
* sklearn's MLP, for reference, and skgrow's static network of the same width
  (``growth="none"``);
* skgrow and sklearn with ``early_stopping=True``, a common change to the
  defaults where the training rows are fitted too closely (small, noisy
  data);

on the datasets of the reference rows. Each contestant runs in a worker
process of its own, with its tree first on the path.

    python benchmarks/bench_before.py                  # about 20 minutes on one core
    python benchmarks/bench_before.py --shard 0/2 &    # two processes share the work
    python benchmarks/bench_before.py --shard 1/2 &

Results: ``results/before_seeds.json``; every finished (contestant, dataset,
seed) is stored at once, and a restarted run skips what is there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results"
REFERENCE = RESULTS / "sklearn_before.json"
BEFORE = "404abfe"  # the commit of the reference rows
KEY_FIELDS = ("contestant", "dataset", "seed", "fold")
N_FOLDS = 5
# contestant: (library, its parameters, its tree: None for the working tree)
CONTESTANTS: dict[str, tuple[str, dict, str | None]] = {
    "skgrow": ("skgrow", {}, None),
    "skgrow, papers' pace": ("skgrow", {"size_learning_rate": None}, None),
    "skgrow before": ("skgrow", {}, BEFORE),
    "sklearn": ("sklearn", {}, None),
    "skgrow, static": ("skgrow", {"growth": "none"}, None),
    "skgrow, early stopping": ("skgrow", {"early_stopping": True}, None),
    "sklearn, early stopping": ("sklearn", {"early_stopping": True}, None),
}


def reference_datasets() -> list[str]:
    """The datasets of the reference rows, in their order."""
    rows = json.loads(REFERENCE.read_text())["rows"]
    return list(dict.fromkeys(row["dataset"] for row in rows))


def planned_cells(datasets: list[str], seeds: int, shard: tuple[int, int]) -> list[tuple]:
    """(contestant, dataset, seed) of this shard: every N-th cell of the plan."""
    cells = [(c, d, s) for d in datasets for s in range(seeds) for c in CONTESTANTS]
    k, n = shard
    return cells[k::n]


def run_worker(contestant: str, cells: list[tuple[str, int]]) -> None:
    """Fit ``contestant`` on each (dataset, seed) of ``cells``, 5 folds each, writing one
    JSON line per fold to standard output. The caller put its tree first on the path."""
    import warnings

    from bench_sklearn import estimator_class, folds, rows_of, width_of
    from common import limit_threads
    from sklearn.exceptions import ConvergenceWarning
    from tabular import DATASETS

    import skgrow

    limit_threads(1)
    library, params, _ = CONTESTANTS[contestant]
    by_name = {dataset.name: dataset for dataset in DATASETS}
    for name, seed in cells:
        dataset = by_name[name]
        X, y = dataset.load()
        for fold, (train, test) in enumerate(folds(dataset.classification, N_FOLDS).split(X, y)):
            MLP = estimator_class(dataset, library)
            model = dataset.pipeline(MLP(random_state=seed, **params))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(rows_of(X, train), y[train])
            mlp = model.steps[-1][1]
            row = {
                "contestant": contestant,
                "dataset": name,
                "seed": seed,
                "fold": fold,
                "score": float(model.score(rows_of(X, test), y[test])),
                "train_score": float(model.score(rows_of(X, train), y[train])),
                "width": width_of(mlp),
                "n_iter": int(mlp.n_iter_),
                "skgrow": skgrow.__file__ if library == "skgrow" else "",
            }
            print(json.dumps(row), flush=True)


def run_contestant(contestant: str, cells: list[tuple[str, int]], tree: Path, store) -> None:
    """A worker process for ``contestant`` with ``tree`` first on the path; each row it
    writes goes into ``store`` at once."""
    from common import worker_rows

    for row in worker_rows(__file__, contestant, cells, tree):
        if not store.done(row):  # (folds of a cell cut short before are fitted again)
            store.add(row)
        if row["fold"] == N_FOLDS - 1:
            print(f"{contestant:22s} {row['dataset']:18s} seed {row['seed']} done", flush=True)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        contestant, cells = json.loads(sys.argv[2])
        run_worker(contestant, [tuple(cell) for cell in cells])
        return
    from common import ResultStore, add_shard_argument, command_line, parsed_shard
    from compare_speed import worktrees

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="random_state 0 to SEEDS - 1")
    parser.add_argument("--datasets", default=None, help="comma-separated names: these only")
    add_shard_argument(parser)
    args = parser.parse_args()
    datasets = reference_datasets()
    if args.datasets:
        datasets = [d for d in datasets if d in args.datasets.split(",")]
    meta = {"command": command_line(), "before_commit": BEFORE, "n_folds": N_FOLDS}
    store = ResultStore(RESULTS / "before_seeds.json", KEY_FIELDS, meta)
    cells = planned_cells(datasets, args.seeds, parsed_shard(parser, args.shard))
    missing = [
        cell
        for cell in cells
        if not store.done(dict(zip(KEY_FIELDS, (*cell, N_FOLDS - 1), strict=True)))
    ]
    n_planned = len(CONTESTANTS) * len(datasets) * args.seeds * N_FOLDS
    store.plan(n_planned)
    refs = {ref for c, _, _ in missing if (ref := CONTESTANTS[c][2]) is not None}
    with worktrees({ref: ref for ref in refs}) as trees:
        for contestant, (_, _, ref) in CONTESTANTS.items():
            mine = [(d, s) for c, d, s in missing if c == contestant]
            if mine:
                run_contestant(contestant, mine, trees[ref] if ref else ROOT, store)
    store.finish(n_planned)


if __name__ == "__main__":
    main()
