"""How does the advantage of growth (method B) change with capacity, learning rate and batch size?

On the Bessel task (``J0 + J1 + J2``, 4096 grid points, 80/20 split; the
papers use 32 768 points of the same smooth curve, 8 times denser, which only
costs time), a network that grows from empty (``growth="controller"``,
``size_penalty=0.32``, the papers' dynamics: ``size_learning_rate=None``,
``new_neurons="random"``) is compared with the static network of the same
capacity (``growth="none"``), and with the static network initialised as the
authors' code does (``weight_init="fan_in"``: the stronger baseline decides),
seed by seed, over capacities 2, 4, ..., 512 and Adam learning rates 1e-4,
3e-4 and 1e-3, in two regimes:

* full batch, 5000 epochs (the papers' setup: 5000 steps);
* mini-batches of 200 rows, 200 epochs (about 3400 steps).

``benchmarks/report.py`` fits a power law ``ratio = a * capacity ** b`` to the
growing/static test-loss ratio (geometric mean over seeds) for every learning
rate and regime.

``--task spirals`` runs the classifiers of the authors' spirals scaling figure
instead: spirals with 3, 5 and 9 arms (``make_spirals(4096)``, 80/20 split;
theirs have 2^15 points), the same three runs, full batch, 5000 epochs, lr 3e-4
(the figure's), capacities 4, 8, ..., 512, 6 seeds; the test loss is the log-loss.

    python benchmarks/bench_scaling.py           # 8 seeds; about 2.5 hours on one core
    python benchmarks/bench_scaling.py --shard 0/2 & python benchmarks/bench_scaling.py --shard 1/2
    python benchmarks/bench_scaling.py --task spirals --shard 0/2 & ... --shard 1/2
    python benchmarks/bench_scaling.py --quick   # capacities 2..128, 2 seeds, fewer epochs

Results: ``results/scaling.json``, ``results/scaling_spirals.json``
(``results/scaling_quick.json`` with --quick). Each finished run is stored at
once; a restarted run skips what is there.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import (
    FIXED_EPOCHS,
    RESULTS_DIR,
    ResultStore,
    add_shard_argument,
    command_line,
    fit_quietly,
    limit_threads,
    parsed_shard,
)
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error
from sklearn.model_selection import train_test_split

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor
from skgrow.datasets import make_bessel, make_spirals

N_POINTS = 4096
LEARNING_RATES = (1e-4, 3e-4, 1e-3)
RUNS = {
    "growing": {"growth": "controller", "initial_size": 0.0},
    "static": {"growth": "none"},
    # the baseline as the authors' code initialises it (uniform +-1/sqrt(fan_in))
    "static, authors' init": {"growth": "none", "weight_init": "fan_in"},
}
KEY_FIELDS = ("regime", "learning_rate", "capacity", "run", "seed")


@dataclass(frozen=True)
class Regime:
    """How the data is fed: ``batch_size`` None means the whole training split."""

    name: str
    batch_size: int | None
    epochs: int


FULL_BATCH = Regime("full batch", None, 5000)
MINI_BATCH = Regime("mini-batch 200", 200, 200)


@dataclass(frozen=True)
class Task:
    """A data set: ``make_split(seed)`` returns ``X_train, X_test, y_train, y_test``."""

    name: str
    classification: bool
    make_split: Callable[[int], list]


def bessel_split(seed: int):
    X, y = make_bessel(N_POINTS)
    return train_test_split(X, y, test_size=0.2, random_state=seed)


def spirals(n_arms: int) -> Task:
    def make_split(seed: int):
        X, y = make_spirals(N_POINTS, n_arms=n_arms, random_state=seed)
        return train_test_split(X, y, test_size=0.2, random_state=seed)

    return Task(f"spirals ({n_arms} arms)", True, make_split)


BESSEL = Task("bessel", False, bessel_split)
SPIRALS = tuple(spirals(n_arms) for n_arms in (3, 5, 9))  # the authors' figure's classes


def test_scores(model, task: Task, X_test, y_test, X_train, y_train) -> dict:
    """Bessel: test and training MSE; spirals: test log-loss and accuracy."""
    if task.classification:
        probabilities = model.predict_proba(X_test)
        return {
            "test_loss": float(log_loss(y_test, probabilities, labels=model.classes_)),
            "test_accuracy": float(accuracy_score(y_test, model.predict(X_test))),
        }
    return {
        "test_mse": float(mean_squared_error(y_test, model.predict(X_test))),
        "train_mse": float(mean_squared_error(y_train, model.predict(X_train))),
    }


def run_cell(
    regime: Regime,
    learning_rate: float,
    capacity: int,
    run: str,
    seed: int,
    epochs: int,
    task: Task = BESSEL,
) -> dict:
    """Fit one network; the row stored in the results."""
    X_train, X_test, y_train, y_test = task.make_split(seed)
    Estimator = GrowingMLPClassifier if task.classification else GrowingMLPRegressor
    model = Estimator(
        hidden_layer_sizes=(capacity,),
        activation="tanh",
        solver="adam",
        learning_rate_init=learning_rate,
        alpha=0.0,
        size_penalty=0.32,
        size_learning_rate=None,  # the papers' dynamics, as bench_paper.py
        new_neurons="random",
        batch_size=regime.batch_size or len(X_train),
        max_iter=epochs,
        random_state=seed,
        **RUNS[run],
        **FIXED_EPOCHS,
    )
    seconds = fit_quietly(model, X_train, y_train)
    return {
        "task": task.name,
        "regime": regime.name,
        "learning_rate": learning_rate,
        "capacity": capacity,
        "run": run,
        "seed": seed,
        "epochs": epochs,
        "batch_size": model.batch_size,
        "n_iter": model.n_iter_,
        **test_scores(model, task, X_test, y_test, X_train, y_train),
        "final_size": model.hidden_layer_sizes_[0],
        "final_continuous_size": float(model.size_curve_[-1][0]),
        "fit_seconds": seconds,
    }


def planned_cells(regimes, learning_rates, capacities, n_seeds, tasks=(BESSEL,)) -> list[tuple]:
    """``(regime, lr, capacity, run, seed, task)``, seed by seed, so that a partial run
    covers every capacity, learning rate and task."""
    return [
        (regime, lr, capacity, run, seed, task)
        for seed in range(n_seeds)
        for task in tasks
        for regime in regimes
        for lr in learning_rates
        for capacity in capacities
        for run in RUNS
    ]


def shard_of(cells: list[tuple], index: int, n_shards: int) -> list[tuple]:
    """The ``index``-th of ``n_shards`` interleaved parts of ``cells``: each (task, regime,
    learning rate, capacity, seed) goes to one shard with all its runs, and the costly
    large capacities are dealt round the shards."""

    def group(c):
        return (c[0].name, c[1], c[2], c[4], c[5].name)

    # sorted on every field: the order of a set of strings differs between processes
    groups = sorted({group(c) for c in cells}, key=lambda g: (g[3], g[2], g))
    mine = {g for k, g in enumerate(groups) if k % n_shards == index}
    return [c for c in cells if group(c) in mine]


def run_benchmark(
    path: Path,
    regimes: list[Regime],
    capacities: list[int],
    n_seeds: int,
    learning_rates=LEARNING_RATES,
    epoch_fraction: float = 1.0,
    meta: dict | None = None,
    shard: tuple[int, int] = (0, 1),
    tasks: tuple[Task, ...] = (BESSEL,),
) -> ResultStore:
    """Run every planned cell not yet in ``path``; each row is saved as it finishes.

    ``shard=(k, n)`` runs the k-th of n parts of the plan; several processes may
    share one results file. Rows of Bessel alone are keyed without their task (as
    stored before there were others)."""
    meta = dict(
        meta or {},
        n_points=N_POINTS,
        capacities=list(capacities),
        learning_rates=list(learning_rates),
        n_seeds=n_seeds,
        epoch_fraction=epoch_fraction,
        regimes={r.name: {"batch_size": r.batch_size, "epochs": r.epochs} for r in regimes},
        tasks=[t.name for t in tasks],
    )
    key_fields = KEY_FIELDS if tasks == (BESSEL,) else ("task", *KEY_FIELDS)
    store = ResultStore(path, key_fields, meta)
    cells = planned_cells(regimes, learning_rates, capacities, n_seeds, tasks)
    store.plan(len(cells))
    for regime, lr, capacity, run, seed, task in shard_of(cells, *shard):
        cell = {"task": task.name, "regime": regime.name, "learning_rate": lr}
        if store.done(dict(cell, capacity=capacity, run=run, seed=seed)):
            continue
        epochs = max(1, round(regime.epochs * epoch_fraction))
        row = run_cell(regime, lr, capacity, run, seed, epochs, task)
        store.add(row)
        loss = row.get("test_mse", row.get("test_loss"))
        print(
            f"{task.name:17s} {regime.name:15s} lr {lr:.0e} capacity {capacity:4d} {run:8s}"
            f" seed {seed}: test loss {loss:.2e}  size {row['final_continuous_size']:7.1f}"
            f"  {row['fit_seconds']:6.1f} s",
            flush=True,
        )
    store.finish(len(cells))
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="capacities 2..128, 2 seeds")
    parser.add_argument("--threads", type=int, default=1, help="torch / BLAS threads")
    parser.add_argument(
        "--task", choices=("bessel", "spirals"), default="bessel", help="the data sets"
    )
    add_shard_argument(parser)
    args = parser.parse_args()
    shard = parsed_shard(parser, args.shard)
    limit_threads(args.threads)
    meta = {"command": command_line(), "mode": "quick" if args.quick else "full"}
    if args.task == "spirals":
        capacities = [2**k for k in range(2, 10)]
        path = RESULTS_DIR / (
            "scaling_spirals_quick.json" if args.quick else "scaling_spirals.json"
        )
        seeds, fraction = (1, 0.02) if args.quick else (6, 1.0)
        run_benchmark(
            path, [FULL_BATCH], capacities, seeds, (3e-4,), fraction, meta, shard, SPIRALS
        )
        return
    regimes = [FULL_BATCH, MINI_BATCH]
    if args.quick:
        path, capacities, seeds, fraction = (
            RESULTS_DIR / "scaling_quick.json",
            [2, 8, 32, 128],
            2,
            0.2,
        )
    else:
        path, capacities, seeds, fraction = (
            RESULTS_DIR / "scaling.json",
            [2**k for k in range(1, 10)],
            8,  # Wilcoxon's signed-rank test reaches p < 0.05 from 6 pairs on
            1.0,
        )
    run_benchmark(path, regimes, capacities, seeds, LEARNING_RATES, fraction, meta, shard)


if __name__ == "__main__":
    main()
