"""Is skgrow better than the sklearn MLP I use today?

skgrow against sklearn's ``MLPRegressor`` / ``MLPClassifier`` on the datasets of
``tabular.py`` (shipped with sklearn, synthetic, the papers' tasks, and real
tabular data with mixed column types). Every model is a pipeline of the
dataset's preprocessing and the MLP, scored by 5-fold cross-validation
(shuffled; stratified for classifiers): R^2 or accuracy on the held-out fold,
the seconds its fit took and the parameters of the final model (from
``coefs_`` / ``intercepts_``). Four questions:

* defaults: both estimators with their default parameters, next to skgrow
  with one of its defaults changed at a time (the measurement behind the
  comparison with skgrow before the growth work): every one of the 200
  epochs run (no stopping rule), the papers' growth pace
  (``size_learning_rate=None``) and new neurons with random read-outs
  (``new_neurons="random"``);
* tuned: ``GridSearchCV`` (3 inner folds) with the same budget, 8 candidates
  of 200 epochs each: sklearn over width {32, 128} x learning rate
  {1e-3, 1e-2} x alpha {1e-4, 1e-2}; skgrow over width x learning rate x
  growth {"auxiliary", "controller"};
* own width: sklearn's ``GridSearchCV`` over widths 4 to 256 (7 candidates)
  against a single skgrow fit of capacity 256 that sizes itself
  (``target_size="auto"``) with ``max_iter=1000`` (its stages share the
  budget), next to the same with the default ``max_iter=200`` and with
  ``size_tol`` halved and doubled (the measurement behind its default);
  sklearn's MLP is also fitted at every width of the grid on the whole
  training fold (untimed; with ``random_state=0``), to show how much the width
  matters on each fold;
* unseen data: the grid and the self-sizing fit of own width on the
  datasets of ``UNSEEN_DATASETS`` (chosen once the self-sizing rule was
  settled): does what own width measures hold on data the rule was not built
  on? sklearn's MLP is fitted at every width there too, as in own width;
* budgets: both estimators with default parameters at ``max_iter`` 10, 30,
  100 and 200, and after each of 30 ``partial_fit`` calls (one epoch each).

The count datasets (``COUNT_DATASETS``, fitted with ``loss="poisson"`` by both
libraries) run in the defaults and budgets comparisons only.

Defaults and budgets fit every fold with ``random_state`` 0 to 4, own width
(either set of datasets) with 0 to 2 (``SEEDS``; both contestants): a fit's
score varies with its initial weights and batch order as much as the
differences they measure.
Tuned fits with ``random_state=0``.

Regression targets are standardised. Both libraries run with one thread
(torch and BLAS); within a fold the two libraries alternate, and each fit is
repeated (``--repeats``) to take its fastest time.

    python benchmarks/bench_sklearn.py           # 15 datasets (and 13 unseen), 5 folds; hours
    python benchmarks/bench_sklearn.py --quick   # 4 small datasets, 3 folds, 1 seed; minutes
    python benchmarks/bench_sklearn.py --datasets iris,wine &  # a share, into the same file

Results: ``results/sklearn.json`` (``results/sklearn_quick.json`` with --quick).
Each finished cell is stored at once; a restarted run skips what is there.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from common import (
    FIXED_EPOCHS,
    RESULTS_DIR,
    ResultStore,
    command_line,
    fit_quietly,
    limit_threads,
    parameter_count,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from tabular import COUNT_DATASETS, DATASETS, UNSEEN_DATASETS, Dataset

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor

# Who runs in each comparison, and what each skgrow contestant sets
OWN_WIDTH = dict(hidden_layer_sizes=(256,), target_size="auto", max_iter=1000)
UNSEEN = "unseen data"  # the mode that runs on UNSEEN_DATASETS, and only it
COUNT_MODES = ("defaults", "budgets")  # the modes that run on COUNT_DATASETS
WIDTH_GRID_MODES = ("own width", UNSEEN)  # sklearn's grid over widths against self-sizing
CONTESTANTS: dict[str, dict[str, dict]] = {
    "defaults": {
        "sklearn": {},
        "skgrow": {},
        "skgrow, every epoch": FIXED_EPOCHS,
        "skgrow, papers' pace": {"size_learning_rate": None},
        "skgrow, random new neurons": {"new_neurons": "random"},
    },
    "tuned": {"sklearn": {}, "skgrow": {}},
    "own width": {
        "sklearn": {},
        "skgrow": OWN_WIDTH,
        "skgrow, max_iter=200": dict(OWN_WIDTH, max_iter=200),
        "skgrow, size_tol=0.0025": dict(OWN_WIDTH, size_tol=0.0025),
        "skgrow, size_tol=0.01": dict(OWN_WIDTH, size_tol=0.01),
    },
    "budgets": {"sklearn": {}, "skgrow": {}},
    UNSEEN: {"sklearn": {}, "skgrow": OWN_WIDTH},
}
MODES = tuple(CONTESTANTS)
KEY_FIELDS = ("dataset", "mode", "library", "fold", "seed")
BUDGETS = (10, 30, 100, 200)
# each mode fits with random_state 0 to n - 1 (tuned: 0)
SEEDS = {"defaults": 5, "budgets": 5, "own width": 3, UNSEEN: 3}
PARTIAL_FIT_CALLS = 30

SKLEARN_GRID = {
    "mlp__hidden_layer_sizes": [(32,), (128,)],
    "mlp__learning_rate_init": [1e-3, 1e-2],
    "mlp__alpha": [1e-4, 1e-2],
}
SKGROW_GRID = {
    "mlp__hidden_layer_sizes": [(32,), (128,)],
    "mlp__learning_rate_init": [1e-3, 1e-2],
    "mlp__growth": ["auxiliary", "controller"],
}
WIDTHS = [(4,), (8,), (16,), (32,), (64,), (128,), (256,)]
QUICK_DATASETS = ("iris", "wine", "diabetes", "penguins")


def folds(classification: bool, n_splits: int):
    Splitter = StratifiedKFold if classification else KFold
    return Splitter(n_splits=n_splits, shuffle=True, random_state=0)


def estimator_class(dataset: Dataset, library: str):
    if library == "sklearn":
        return MLPClassifier if dataset.classification else MLPRegressor
    return GrowingMLPClassifier if dataset.classification else GrowingMLPRegressor


def make_contestant(dataset: Dataset, mode: str, library: str, max_iter: int = 200, seed: int = 0):
    """The estimator that ``library`` brings to ``mode`` (a pipeline or a grid search)."""
    MLP = estimator_class(dataset, library)
    settings = dict(random_state=seed, max_iter=max_iter) | dataset.estimator_params
    settings |= CONTESTANTS[mode][library]
    model = dataset.pipeline(MLP(**settings))
    inner = folds(dataset.classification, 3)
    if mode == "tuned":
        grid = SKLEARN_GRID if library == "sklearn" else SKGROW_GRID
        return GridSearchCV(model, grid, cv=inner)
    if mode in WIDTH_GRID_MODES and library == "sklearn":
        return GridSearchCV(model, {"mlp__hidden_layer_sizes": WIDTHS}, cv=inner)
    return model


def runs_on(mode: str, dataset: Dataset) -> bool:
    """Whether ``mode`` fits ``dataset``: the unseen datasets have a mode of their own,
    the count datasets run in ``COUNT_MODES``."""
    if dataset in COUNT_DATASETS:
        return mode in COUNT_MODES
    return (mode == UNSEEN) == (dataset in UNSEEN_DATASETS)


def number_of_fits(model) -> int:
    """Model fits that ``model.fit`` runs: candidates x inner folds + the refit, or 1."""
    if isinstance(model, GridSearchCV):
        return len(model.cv_results_["params"]) * model.n_splits_ + 1
    return 1


def final_mlp(model):
    """The fitted MLP at the end of a pipeline or of a grid search's best pipeline."""
    if isinstance(model, GridSearchCV):
        model = model.best_estimator_
    return model.steps[-1][1]


def width_of(mlp) -> int:
    return int(np.atleast_1d(getattr(mlp, "hidden_layer_sizes_", mlp.hidden_layer_sizes))[0])


def describe_fit(model, X_test, y_test, seconds: float) -> dict:
    mlp = final_mlp(model)
    row = {
        "score": float(model.score(X_test, y_test)),
        "fit_seconds": seconds,
        "n_fits": number_of_fits(model),
        "parameters": parameter_count(mlp),
        "width": width_of(mlp),
        "n_iter": int(mlp.n_iter_),
    }
    if isinstance(model, GridSearchCV):
        row["best_params"] = {
            k.removeprefix("mlp__"): str(v) for k, v in model.best_params_.items()
        }
    return row


def timed_fit(make: Callable[[], object], X, y, repeats: int):
    """The fitted model and the fastest of ``repeats`` fits (fits are deterministic)."""
    best, model = np.inf, None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        best = min(best, time.perf_counter() - start)
    return model, best


def budget_row(
    dataset: Dataset, library: str, X_train, y_train, X_test, y_test, seed: int = 0
) -> dict:
    """Scores (and grown widths) at each ``max_iter`` budget and after each partial_fit."""
    row, seconds = {"scores": {}, "widths": {}}, 0.0
    for budget in BUDGETS:
        make = partial(make_contestant, dataset, "budgets", library, budget, seed)
        model, spent = timed_fit(make, X_train, y_train, 1)
        row["scores"][str(budget)] = float(model.score(X_test, y_test))
        row["widths"][str(budget)] = width_of(final_mlp(model))
        seconds += spent
    prepare = dataset.preprocessing().fit(X_train)
    train, test = prepare.transform(X_train), prepare.transform(X_test)
    mlp = estimator_class(dataset, library)(random_state=seed, **dataset.estimator_params)
    extra = {"classes": np.unique(y_train)} if dataset.classification else {}
    row["partial_fit_scores"], row["partial_fit_widths"] = [], []
    start = time.perf_counter()
    for _ in range(PARTIAL_FIT_CALLS):
        mlp.partial_fit(train, y_train, **extra)
        row["partial_fit_scores"].append(float(mlp.score(test, y_test)))
        row["partial_fit_widths"].append(width_of(mlp))
    row["fit_seconds"] = seconds + time.perf_counter() - start
    row["score"] = row["scores"][str(BUDGETS[-1])]
    row["width"], row["n_iter"], row["n_fits"] = row["widths"][str(BUDGETS[-1])], 0, 1
    row["parameters"] = parameter_count(mlp)
    return row


def width_scores(dataset: Dataset, X_train, y_train, X_test, y_test, max_iter: int) -> dict:
    """The held-out score of sklearn's MLP at each width of the grid, fitted on the whole
    training fold (untimed): how much the width matters on this fold."""
    scores = {}
    for width in WIDTHS:
        model = make_contestant(dataset, "defaults", "sklearn", max_iter)
        fit_quietly(model.set_params(mlp__hidden_layer_sizes=width), X_train, y_train)
        scores[str(width[0])] = float(model.score(X_test, y_test))
    return scores


def rows_of(X, index):
    return X.iloc[index] if hasattr(X, "iloc") else X[index]


def run_fold(
    dataset: Dataset,
    mode: str,
    fold: int,
    n_folds: int,
    repeats: int = 1,
    max_iter: int = 200,
    libraries: tuple[str, ...] | None = None,
    seed: int = 0,
) -> list[dict]:
    """The contestants of ``mode`` (or ``libraries``) on one fold, one row each, fitted
    with ``random_state=seed``.

    Which goes first alternates from fold to fold.
    """
    X, y = dataset.load()
    train, test = list(folds(dataset.classification, n_folds).split(X, y))[fold]
    X_train, X_test, y_train, y_test = rows_of(X, train), rows_of(X, test), y[train], y[test]
    libraries = tuple(CONTESTANTS[mode]) if libraries is None else libraries
    libraries = libraries if fold % 2 == 0 else libraries[::-1]
    rows = []
    for library in libraries:
        if mode == "budgets":
            result = budget_row(dataset, library, X_train, y_train, X_test, y_test, seed)
        else:
            make = partial(make_contestant, dataset, mode, library, max_iter, seed)
            model, seconds = timed_fit(make, X_train, y_train, repeats)
            result = describe_fit(model, X_test, y_test, seconds)
            if mode in WIDTH_GRID_MODES and library == "sklearn" and seed == 0:
                result["width_scores"] = width_scores(
                    dataset, X_train, y_train, X_test, y_test, max_iter
                )
        cell = {"dataset": dataset.name, "mode": mode, "library": library, "fold": fold}
        cell["seed"] = seed
        rows.append(
            {
                **cell,
                "classification": dataset.classification,
                "mixed_columns": dataset.mixed,
                "n_samples": len(X),
                "n_features": X.shape[1],
                "n_folds": n_folds,
                "max_iter": max_iter,
                "repeats": repeats,
                **result,
            }
        )
    return rows


def run_benchmark(
    path: Path,
    datasets: list[Dataset],
    n_folds: int,
    repeats: int,
    modes=MODES,
    max_iter: int = 200,
    meta: dict | None = None,
    seeds: dict[str, int] | None = None,
) -> ResultStore:
    """Run every (dataset, mode, fold, seed) not yet in ``path``; rows are saved as they
    finish. A mode runs with ``random_state`` 0 to ``seeds[mode] - 1`` (``SEEDS``; 1
    where it has none)."""
    meta = dict(meta or {}, n_folds=n_folds, repeats=repeats, max_iter=max_iter)
    meta.update(
        sklearn_grid=str(SKLEARN_GRID),
        skgrow_grid=str(SKGROW_GRID),
        own_width=str(OWN_WIDTH),
        budgets=list(BUDGETS),
        partial_fit_calls=PARTIAL_FIT_CALLS,
    )
    seeds = {mode: (SEEDS if seeds is None else seeds).get(mode, 1) for mode in modes}
    store = ResultStore(path, KEY_FIELDS, meta)
    n_planned = n_folds * sum(
        len(CONTESTANTS[m]) * seeds[m] for d in datasets for m in modes if runs_on(m, d)
    )
    store.plan(n_planned)
    for dataset in datasets:
        runs = [(m, s) for m in modes if runs_on(m, dataset) for s in range(seeds[m])]
        for fold in range(n_folds):
            for mode, seed in runs:
                cell = {"dataset": dataset.name, "mode": mode, "fold": fold, "seed": seed}
                missing = tuple(
                    name for name in CONTESTANTS[mode] if not store.done(dict(cell, library=name))
                )
                if not missing:
                    continue
                fitted = run_fold(dataset, mode, fold, n_folds, repeats, max_iter, missing, seed)
                for row in fitted:
                    store.add(row)
                    print(
                        f"{dataset.name:16s} fold {fold} seed {seed} {mode:11s}"
                        f" {row['library']:24s}: "
                        f"score {row['score']:.3f}  width {row['width']:3d}  "
                        f"params {row['parameters']:6d}  {row['fit_seconds']:6.1f} s",
                        flush=True,
                    )
    store.finish(n_planned)
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 small datasets, 3 folds")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats of each fit")
    parser.add_argument("--threads", type=int, default=1, help="torch / BLAS threads")
    parser.add_argument("--datasets", default=None, help="comma-separated names: run these only")
    parser.add_argument("--modes", default=None, help="comma-separated modes: run these only")
    args = parser.parse_args()
    limit_threads(args.threads)
    if args.quick:
        datasets = [d for d in DATASETS if d.name in QUICK_DATASETS]
        path, n_folds, repeats = RESULTS_DIR / "sklearn_quick.json", 3, args.repeats or 1
    else:
        datasets, path, n_folds, repeats = (
            DATASETS + UNSEEN_DATASETS + COUNT_DATASETS,
            RESULTS_DIR / "sklearn.json",
            5,
            args.repeats or 1,
        )
    if args.datasets:
        wanted = args.datasets.split(",")
        datasets = [d for d in datasets if d.name in wanted]
    modes = tuple(args.modes.split(",")) if args.modes else MODES
    if not any(runs_on(mode, dataset) for mode in modes for dataset in datasets):
        parser.error(f"no dataset asked for runs in {', '.join(modes)} ({UNSEEN}: its own only)")
    meta = {"command": command_line(), "mode": "quick" if args.quick else "full"}
    seeds = {} if args.quick else None  # --quick: random_state 0 only
    run_benchmark(path, datasets, n_folds, repeats, modes, 200, meta, seeds)


if __name__ == "__main__":
    main()
