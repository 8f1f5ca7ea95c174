"""Does a network that grows beat a network of the same final size, in the papers' setups?

Runs the papers' experiments (docs/growing.rst, "Mapping to the papers") through
the public estimators and compares, seed by seed on the same data split and
initial weights:

* method A (``growth="auxiliary"``, plain full-batch gradient descent): a
  network that grows from ``initial_size=0`` against the same network started
  at its target size 5 ("grown"), on Bessel (32 train / 8 test points), the
  cubic, the quadratic and the binary sine (classifier), and over the size
  penalty 10^k, k = -2..2, on Bessel;
* method B (``growth="controller"``, full-batch Adam): a network that grows
  from empty against the static network of the same capacity
  (``growth="none"``) on Bessel (32 768 points, capacity 10), the Gaussian
  mixture with noise 0.01, 0.1 and 0.5 (capacity 32, 800 train / 200 test
  points) and spirals with 3, 5, 7 and 9 arms (32 768 points, capacity 64);
* method B's ablations: the controller moved by the size loss alone, as in the
  authors' released code (``size_gradient='size_loss'``), and, on Bessel with
  two hidden layers of 10, one controller per layer against one shared by both
  (``shared_size=True``); each against the static network as the authors
  initialise it, as are Bessel, the mixtures and the spirals once more.

Capacities 32 and 64 were fixed before any run, inside the papers' ranges.
Every run has a fixed number of epochs (``tol=0``). Each finished run is
appended to the results file at once; a restarted run skips what is there.

    python benchmarks/bench_paper.py           # 20 seeds (A), 10 seeds (B); 6 to 8 CPU hours
    python benchmarks/bench_paper.py --quick   # 3 seeds, a tenth of the epochs; minutes
    python benchmarks/bench_paper.py --shard 0/2 & python benchmarks/bench_paper.py --shard 1/2
                                               # the full run on two cores, one results file

Results: ``results/paper.json`` (``results/paper_quick.json`` with --quick);
``python benchmarks/report.py`` turns them into ``docs/results.md``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from common import (
    FIXED_EPOCHS,
    RESULTS_DIR,
    ResultStore,
    add_shard_argument,
    command_line,
    curve_epochs,
    fit_quietly,
    limit_threads,
    parsed_shard,
    rounded,
)
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error
from sklearn.model_selection import train_test_split

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor
from skgrow.datasets import (
    make_bessel,
    make_binary_sine,
    make_cubic,
    make_gaussian_mixture,
    make_quadratic,
    make_spirals,
)

# The papers' dynamics: size variables stepped by the solver with the weights'
# learning rate, new neurons with their initial random weights
PAPERS_DYNAMICS = dict(size_learning_rate=None, new_neurons="random")

METHOD_A = dict(
    **PAPERS_DYNAMICS,
    growth="auxiliary",
    solver="sgd",
    momentum=0.0,
    learning_rate_init=1e-3,
    size_penalty=0.1,
    hidden_layer_sizes=(9,),
    target_size=5,
    activation="tanh",
    alpha=0.0,
)
METHOD_A_RUNS = {"growing": {"initial_size": 0.0}, "grown": {"initial_size": 5.0}}

METHOD_B = dict(
    **PAPERS_DYNAMICS,
    solver="adam",
    learning_rate_init=1e-3,
    size_penalty=0.32,
    activation="tanh",
    alpha=0.0,
)
# method B's setups with skgrow's default dynamics instead (fitted new neurons, a
# layer nearly grown after half of the epochs)
DEFAULT_DYNAMICS = {key: value for key, value in METHOD_B.items() if key not in PAPERS_DYNAMICS}
METHOD_B_RUNS = {
    "growing": {"growth": "controller", "initial_size": 0.0},
    "static": {"growth": "none"},
}
PENALTY_SWEEP = (0.01, 0.1, 1.0, 10.0, 100.0)

KEY_FIELDS = ("comparison", "run", "seed")

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Comparison:
    """A growing run against its reference run on one task, for any seed.

    ``make_split(seed)`` returns ``X_train, X_test, y_train, y_test``;
    ``params`` are the estimator's settings shared by both runs and
    ``runs`` what differs between them (the first is the growing one).
    """

    name: str
    method: str
    task: str
    classification: bool
    make_split: Callable[[int], Split]
    params: dict
    runs: dict[str, dict]
    epochs: int
    groups: tuple[str, ...] = field(default=("main",))
    noiseless_test_target: Callable[[int], np.ndarray] | None = None
    slow: bool = False  # planned after every seed of the other comparisons


# -- the tasks, one split per seed -----------------------------------------------------------


def split_last(X, y, n_test: int, seed: int) -> Split:
    return tuple(train_test_split(X, y, test_size=n_test, random_state=seed))


def bessel_few_points(seed: int) -> Split:
    return split_last(*make_bessel(40, sampling="uniform", random_state=seed), 8, seed)


def cubic(seed: int) -> Split:
    return split_last(*make_cubic(40, random_state=seed), 8, seed)


def quadratic(seed: int) -> Split:
    return split_last(*make_quadratic(40, random_state=seed), 8, seed)


def binary_sine(seed: int) -> Split:
    return split_last(*make_binary_sine(50, random_state=seed), 10, seed)


def bessel_grid(seed: int) -> Split:
    X, y = make_bessel(32768)
    return tuple(train_test_split(X, y, test_size=0.2, random_state=seed))


def gaussian_mixture(noise: float) -> Callable[[int], Split]:
    def make_split(seed: int) -> Split:
        X, y = make_gaussian_mixture(1000, noise=noise, random_state=seed)
        return tuple(train_test_split(X, y, test_size=0.2, random_state=seed))

    return make_split


def gaussian_mixture_without_noise(seed: int) -> np.ndarray:
    """The mixture itself (no noise) at the test points of ``gaussian_mixture(noise)(seed)``."""
    _, y = make_gaussian_mixture(1000, noise=0.0)
    _, test_rows = train_test_split(np.arange(len(y)), test_size=0.2, random_state=seed)
    return y[test_rows]


def spirals(n_arms: int) -> Callable[[int], Split]:
    def make_split(seed: int) -> Split:
        X, y = make_spirals(32768, n_arms=n_arms, random_state=seed)
        return tuple(train_test_split(X, y, test_size=0.2, random_state=seed))

    return make_split


def method_a_comparisons() -> list[Comparison]:
    comparisons = [
        Comparison(
            f"A bessel (size_penalty {penalty:g})",
            "A",
            "bessel",
            False,
            bessel_few_points,
            dict(METHOD_A, size_penalty=penalty),
            METHOD_A_RUNS,
            40_000,
            ("main", "penalty_sweep") if penalty == 0.1 else ("penalty_sweep",),
        )
        for penalty in PENALTY_SWEEP
    ]
    comparisons += [
        Comparison(f"A {name}", "A", name, False, split, METHOD_A, METHOD_A_RUNS, 40_000)
        for name, split in (("cubic", cubic), ("quadratic", quadratic))
    ]
    sine = dict(METHOD_A, size_penalty=0.01, learning_rate_init=0.08)
    comparisons.append(
        Comparison(
            "A binary sine", "A", "binary sine", True, binary_sine, sine, METHOD_A_RUNS, 10_000
        )
    )
    return comparisons


def method_b_comparisons() -> list[Comparison]:
    comparisons = [
        Comparison(
            "B bessel",
            "B",
            "bessel",
            False,
            bessel_grid,
            dict(METHOD_B, hidden_layer_sizes=(10,)),
            METHOD_B_RUNS,
            5_000,
        )
    ]
    authors_runs = {**METHOD_B_RUNS, "static": {"growth": "none", "weight_init": "fan_in"}}
    comparisons.append(  # the baseline as the authors' code initialises it
        Comparison(
            "B bessel, authors' init baseline",
            "B",
            "bessel",
            False,
            bessel_grid,
            dict(METHOD_B, hidden_layer_sizes=(10,)),
            authors_runs,
            5_000,
            ("authors' init",),
        )
    )
    comparisons.append(  # ablation: the controller as the released code moves it
        Comparison(
            "B bessel, size-loss-only controller",
            "B",
            "bessel",
            False,
            bessel_grid,
            dict(METHOD_B, hidden_layer_sizes=(10,)),
            {
                "growing": {**METHOD_B_RUNS["growing"], "size_gradient": "size_loss"},
                "static": authors_runs["static"],
            },
            5_000,
            ("authors' init", "ablation"),
        )
    )
    comparisons += [  # ablation: two hidden layers, one controller each or one for both
        Comparison(
            f"B bessel, two layers, {controllers}",
            "B",
            "bessel",
            False,
            bessel_grid,
            dict(METHOD_B, hidden_layer_sizes=(10, 10)),
            {
                "growing": {**METHOD_B_RUNS["growing"], "shared_size": shared},
                "static": authors_runs["static"],
            },
            5_000,
            ("authors' init", "ablation"),
        )
        for controllers, shared in (
            ("a controller per layer", False),
            ("one shared controller", True),
        )
    ]
    comparisons += [
        Comparison(
            f"B gaussian mixture (noise {noise:g}), authors' init baseline",
            "B",
            "gaussian mixture",
            False,
            gaussian_mixture(noise),
            dict(METHOD_B, hidden_layer_sizes=(32,)),
            authors_runs,
            100_000,
            ("authors' init",),
            noiseless_test_target=gaussian_mixture_without_noise,
        )
        for noise in (0.01, 0.1, 0.5)
    ]
    comparisons += [
        Comparison(
            f"B gaussian mixture (noise {noise:g})",
            "B",
            "gaussian mixture",
            False,
            gaussian_mixture(noise),
            dict(METHOD_B, hidden_layer_sizes=(32,)),
            METHOD_B_RUNS,
            100_000,
            noiseless_test_target=gaussian_mixture_without_noise,
        )
        for noise in (0.01, 0.1, 0.5)
    ]
    comparisons += [
        Comparison(
            f"B spirals ({n_arms} arms)",
            "B",
            "spirals",
            True,
            spirals(n_arms),
            dict(METHOD_B, hidden_layer_sizes=(64,)),
            METHOD_B_RUNS,
            5_000,
            slow=True,
        )
        for n_arms in (3, 5, 7, 9)
    ]
    comparisons += [
        Comparison(
            f"B spirals ({n_arms} arms), authors' init baseline",
            "B",
            "spirals",
            True,
            spirals(n_arms),
            dict(METHOD_B, hidden_layer_sizes=(64,)),
            authors_runs,
            5_000,
            ("authors' init",),
            slow=True,
        )
        for n_arms in (3, 5, 7, 9)
    ]
    return comparisons


def default_dynamics_comparisons() -> list[Comparison]:
    """Method B's Bessel and 3-arm spirals setups, growing with skgrow's default dynamics,
    against the static network initialised as sklearn and as the authors do."""
    authors_static = {"growth": "none", "weight_init": "fan_in"}
    return [
        Comparison(
            f"{c.name}, default dynamics{suffix}",
            "B",
            c.task,
            c.classification,
            c.make_split,
            dict(DEFAULT_DYNAMICS, hidden_layer_sizes=c.params["hidden_layer_sizes"]),
            runs,
            c.epochs,
            ("default dynamics",),
            slow=c.slow,
        )
        for c in method_b_comparisons()
        if c.name in ("B bessel", "B spirals (3 arms)")
        for suffix, runs in (
            ("", c.runs),
            (", authors' init baseline", {**c.runs, "static": authors_static}),
        )
    ]


def all_comparisons() -> list[Comparison]:
    return method_a_comparisons() + method_b_comparisons() + default_dynamics_comparisons()


# -- one run -----------------------------------------------------------------------------------


def make_estimator(comparison: Comparison, run: str, seed: int, epochs: int, n_train: int):
    Estimator = GrowingMLPClassifier if comparison.classification else GrowingMLPRegressor
    params = dict(comparison.params, **comparison.runs[run])
    return Estimator(
        **params, **FIXED_EPOCHS, max_iter=epochs, batch_size=n_train, random_state=seed
    )


def baseline_test_loss(comparison: Comparison, y_train, y_test) -> float:
    """Test loss of a model without inputs: the training mean or the training class shares."""
    if comparison.classification:
        classes, counts = np.unique(y_train, return_counts=True)
        shares = np.tile(counts / counts.sum(), (len(y_test), 1))
        return float(log_loss(y_test, shares, labels=classes))
    return float(mean_squared_error(y_test, np.full(len(y_test), np.mean(y_train))))


def test_scores(model, comparison: Comparison, X_test, y_test, seed: int) -> dict:
    """Test loss (MSE or log-loss), plus accuracy or the MSE against the noiseless target."""
    if comparison.classification:
        probabilities = model.predict_proba(X_test)
        return {
            "test_loss": float(log_loss(y_test, probabilities, labels=model.classes_)),
            "test_accuracy": float(accuracy_score(y_test, model.predict(X_test))),
        }
    scores = {"test_loss": float(mean_squared_error(y_test, model.predict(X_test)))}
    if comparison.noiseless_test_target is not None:
        clean = comparison.noiseless_test_target(seed)
        scores["test_loss_noiseless"] = float(mean_squared_error(clean, model.predict(X_test)))
    return scores


def run_cell(comparison: Comparison, run: str, seed: int, epochs: int | None = None) -> dict:
    """Fit one run of one comparison for one seed; the row stored in the results."""
    epochs = comparison.epochs if epochs is None else epochs
    X_train, X_test, y_train, y_test = comparison.make_split(seed)
    model = make_estimator(comparison, run, seed, epochs, len(X_train))
    seconds = fit_quietly(model, X_train, y_train)
    sampled = curve_epochs(len(model.loss_curve_))
    task_loss = model.loss_curve_  # half the squared error or the log-loss (alpha=0)
    return {
        "comparison": comparison.name,
        "method": comparison.method,
        "task": comparison.task,
        "groups": list(comparison.groups),
        "classification": comparison.classification,
        "run": run,
        "seed": seed,
        "epochs": epochs,
        "n_iter": model.n_iter_,
        "capacity": model.hidden_layer_sizes[0],
        "size_penalty": model.size_penalty,
        "learning_rate_init": model.learning_rate_init,
        "n_train": len(X_train),
        "n_test": len(X_test),
        **test_scores(model, comparison, X_test, y_test, seed),
        "baseline_test_loss": baseline_test_loss(comparison, y_train, y_test),
        "final_size": model.hidden_layer_sizes_[0],
        "final_continuous_size": float(model.size_curve_[-1][0]),
        "fit_seconds": seconds,
        "curve_epochs": [e + 1 for e in sampled],
        "size_curve": rounded(model.size_curve_[e][0] for e in sampled),
        "train_loss_curve": rounded(task_loss[e] for e in sampled),
    }


# -- the whole run -------------------------------------------------------------------------------


def planned_cells(comparisons: list[Comparison], seeds_a: int, seeds_b: int) -> list[tuple]:
    """Every (comparison, run, seed): seed by seed, the slow comparisons after the others.

    A partial run thus has every seed of the quick tasks and the same number of
    seeds for each slow one.
    """
    cells = []
    for slow in (False, True):
        for seed in range(max(seeds_a, seeds_b)):
            for comparison in comparisons:
                if comparison.slow == slow and seed < (
                    seeds_a if comparison.method == "A" else seeds_b
                ):
                    cells += [(comparison, run, seed) for run in comparison.runs]
    return cells


def shard_of(cells: list[tuple], index: int, n_shards: int) -> list[tuple]:
    """The ``index``-th of ``n_shards`` parts of ``cells``, each with its share of every task.

    Comparisons are dealt round the shards with an offset that moves on by one
    each seed; both runs of a comparison and seed stay in one shard.
    """
    names = list(dict.fromkeys(comparison.name for comparison, _, _ in cells))
    return [cell for cell in cells if (names.index(cell[0].name) + cell[2]) % n_shards == index]


def run_benchmark(
    path: Path,
    comparisons: list[Comparison],
    seeds_a: int,
    seeds_b: int,
    epoch_fraction: float = 1.0,
    meta: dict | None = None,
    shard: tuple[int, int] = (0, 1),
) -> ResultStore:
    """Run every planned cell not yet in ``path``; each row is saved as it finishes.

    ``shard=(k, n)`` runs only the k-th of n interleaved parts of the plan, so that
    n processes can share the work (and the results file).
    """
    meta = dict(meta or {}, seeds_a=seeds_a, seeds_b=seeds_b, epoch_fraction=epoch_fraction)
    store = ResultStore(path, KEY_FIELDS, meta)
    cells = planned_cells(comparisons, seeds_a, seeds_b)
    store.plan(len(cells))
    for comparison, run, seed in shard_of(cells, *shard):
        if store.done({"comparison": comparison.name, "run": run, "seed": seed}):
            continue
        epochs = max(1, round(comparison.epochs * epoch_fraction))
        row = run_cell(comparison, run, seed, epochs)
        store.add(row)
        print(
            f"{comparison.name:36s} {run:8s} seed {seed:2d}: test loss {row['test_loss']:.3e}"
            f"  size {row['final_continuous_size']:6.2f}  {row['fit_seconds']:6.1f} s",
            flush=True,
        )
    store.finish(len(cells))
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds, a tenth of the epochs")
    parser.add_argument("--threads", type=int, default=1, help="torch / BLAS threads")
    add_shard_argument(parser)
    args = parser.parse_args()
    shard = parsed_shard(parser, args.shard)
    limit_threads(args.threads)
    if args.quick:
        path, seeds_a, seeds_b, fraction = RESULTS_DIR / "paper_quick.json", 3, 3, 0.1
    else:
        path, seeds_a, seeds_b, fraction = RESULTS_DIR / "paper.json", 20, 10, 1.0
    mode = "quick" if args.quick else "full"
    run_benchmark(
        path,
        all_comparisons(),
        seeds_a,
        seeds_b,
        fraction,
        {"command": command_line(), "mode": mode},
        shard,
    )


if __name__ == "__main__":
    main()
