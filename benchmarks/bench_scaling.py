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

    python benchmarks/bench_scaling.py           # 8 seeds; about 2.5 hours on one core
    python benchmarks/bench_scaling.py --shard 0/2 & python benchmarks/bench_scaling.py --shard 1/2
    python benchmarks/bench_scaling.py --quick   # capacities 2..128, 2 seeds, fewer epochs

Results: ``results/scaling.json`` (``results/scaling_quick.json`` with --quick).
Each finished run is stored at once; a restarted run skips what is there.
"""

from __future__ import annotations

import argparse
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
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

from skgrow import GrowingMLPRegressor
from skgrow.datasets import make_bessel

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


def bessel_split(seed: int):
    X, y = make_bessel(N_POINTS)
    return train_test_split(X, y, test_size=0.2, random_state=seed)


def run_cell(
    regime: Regime, learning_rate: float, capacity: int, run: str, seed: int, epochs: int
) -> dict:
    """Fit one network; the row stored in the results."""
    X_train, X_test, y_train, y_test = bessel_split(seed)
    model = GrowingMLPRegressor(
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
        "regime": regime.name,
        "learning_rate": learning_rate,
        "capacity": capacity,
        "run": run,
        "seed": seed,
        "epochs": epochs,
        "batch_size": model.batch_size,
        "n_iter": model.n_iter_,
        "test_mse": float(mean_squared_error(y_test, model.predict(X_test))),
        "train_mse": float(mean_squared_error(y_train, model.predict(X_train))),
        "final_size": model.hidden_layer_sizes_[0],
        "final_continuous_size": float(model.size_curve_[-1][0]),
        "fit_seconds": seconds,
    }


def planned_cells(regimes, learning_rates, capacities, n_seeds) -> list[tuple]:
    """Seed by seed, so that a partial run covers every capacity and learning rate."""
    return [
        (regime, lr, capacity, run, seed)
        for seed in range(n_seeds)
        for regime in regimes
        for lr in learning_rates
        for capacity in capacities
        for run in RUNS
    ]


def shard_of(cells: list[tuple], index: int, n_shards: int) -> list[tuple]:
    """The ``index``-th of ``n_shards`` interleaved parts of ``cells``: each (regime,
    learning rate, capacity, seed) goes to one shard with all its runs, and the costly
    large capacities are dealt round the shards."""
    # sorted on every field: the order of a set of strings differs between processes
    groups = sorted({(c[0].name, c[1], c[2], c[4]) for c in cells}, key=lambda g: (g[3], g[2], g))
    mine = {group for k, group in enumerate(groups) if k % n_shards == index}
    return [c for c in cells if (c[0].name, c[1], c[2], c[4]) in mine]


def run_benchmark(
    path: Path,
    regimes: list[Regime],
    capacities: list[int],
    n_seeds: int,
    learning_rates=LEARNING_RATES,
    epoch_fraction: float = 1.0,
    meta: dict | None = None,
    shard: tuple[int, int] = (0, 1),
) -> ResultStore:
    """Run every planned cell not yet in ``path``; each row is saved as it finishes.

    ``shard=(k, n)`` runs the k-th of n parts of the plan; several processes may
    share one results file."""
    meta = dict(
        meta or {},
        n_points=N_POINTS,
        capacities=list(capacities),
        learning_rates=list(learning_rates),
        n_seeds=n_seeds,
        epoch_fraction=epoch_fraction,
        regimes={r.name: {"batch_size": r.batch_size, "epochs": r.epochs} for r in regimes},
    )
    store = ResultStore(path, KEY_FIELDS, meta)
    cells = planned_cells(regimes, learning_rates, capacities, n_seeds)
    store.plan(len(cells))
    for regime, lr, capacity, run, seed in shard_of(cells, *shard):
        cell = {"regime": regime.name, "learning_rate": lr, "capacity": capacity}
        if store.done(dict(cell, run=run, seed=seed)):
            continue
        epochs = max(1, round(regime.epochs * epoch_fraction))
        row = run_cell(regime, lr, capacity, run, seed, epochs)
        store.add(row)
        print(
            f"{regime.name:15s} lr {lr:.0e} capacity {capacity:4d} {run:8s} seed {seed}: "
            f"test MSE {row['test_mse']:.2e}  size {row['final_continuous_size']:7.1f}  "
            f"{row['fit_seconds']:6.1f} s",
            flush=True,
        )
    store.finish(len(cells))
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="capacities 2..128, 2 seeds")
    parser.add_argument("--threads", type=int, default=1, help="torch / BLAS threads")
    add_shard_argument(parser)
    args = parser.parse_args()
    shard = parsed_shard(parser, args.shard)
    limit_threads(args.threads)
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
    meta = {"command": command_line(), "mode": "quick" if args.quick else "full"}
    run_benchmark(path, regimes, capacities, seeds, LEARNING_RATES, fraction, meta, shard)


if __name__ == "__main__":
    main()
