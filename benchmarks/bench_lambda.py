"""Method A as the authors' notebook runs it: does a growing network beat the grown one?

The setup of ``mathematica/RegessionLambdaLoopExample.nb`` in the authors'
repository (NonlinearArtificialIntelligenceLab/N3), through the public
estimator:

* target: ``J0`` on [0.1, 0.2], input and output rescaled to [-1, 1];
  32 training and 8 test points drawn uniformly, once per lambda (all trials
  at a lambda share them, as in the notebook);
* network: 9 tanh neurons gated by ``theta(N - m + 1)`` (``growth="auxiliary"``),
  ``N`` fed to every neuron in neurons (``size_input="neurons"``), a linear
  output; every weight and bias uniform in [-1, 1] (``weight_init="unit"``);
* loss: mean squared error (no 1/2) plus ``lambda (N - 5)^2``; plain
  full-batch gradient descent, step 0.001, 10^4.25 (17 782) epochs. skgrow's
  loss is half the squared error, so the same descent is
  ``learning_rate_init=0.002`` with ``size_penalty=lambda / 2`` (both
  gradients doubled, exactly);
* growing: ``N`` starts at 0; grown: at 5, and trains as well (the notebook
  does not freeze it). Both aim at 5 neurons.

Per lambda and trial the two runs share their initial weights (all but
``N``), so they are compared trial by trial. The notebook reports the mean
test loss of 200 trials, the lambda term included; so does this script, with
and without it. Differences to the notebook: ``N`` is kept in [0, 9] (the
notebook lets it leave), and the notebook's 401 lambdas are thinned to 6
(its test cell's 0.266 among them).

    python benchmarks/bench_lambda.py                # 200 trials x 6 lambdas; ~1.5 h on one core
    python benchmarks/bench_lambda.py --shard 0/2 & python benchmarks/bench_lambda.py --shard 1/2
    python benchmarks/bench_lambda.py --quick        # 3 lambdas, 6 trials, 1/10 of the epochs

Results: ``results/lambda.json`` (``results/lambda_quick.json`` with --quick).
"""

from __future__ import annotations

import argparse

import numpy as np
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
from scipy.special import j0

from skgrow import GrowingMLPRegressor

LAMBDAS = (0.01, 0.1, 0.266, 1.0, 10.0, 100.0)
TRIALS = 200
EPOCHS = 17_782  # 10 ** 4.25
N_TRAIN, N_TEST = 32, 8
CAPACITY, TARGET = 9, 5
RUNS = {"growing": 0.0, "grown": float(TARGET)}  # where N starts
KEY_FIELDS = ("lambda", "run", "trial")
# the notebook's own test cell, loop[0.266]: mean test loss (lambda term included) of
# 200 trials
NOTEBOOK_CELL = {"lambda": 0.266, "growing": 0.01487176, "grown": 0.02043314}


def target(x: np.ndarray) -> np.ndarray:
    """``J0`` on [0.1, 0.2], input and output rescaled to [-1, 1] (decreasing there)."""
    low, high = j0(0.2), j0(0.1)
    return -1.0 + 2.0 * (j0(0.1 + 0.05 * (x + 1.0)) - low) / (high - low)


def lambda_data(index: int):
    """The training and test points shared by every trial at the ``index``-th lambda."""
    rng = np.random.RandomState(1000 + index)
    x = rng.uniform(-1.0, 1.0, N_TRAIN + N_TEST)
    X, y = x[:, None], target(x)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def make_model(lam: float, run: str, trial: int, epochs: int) -> GrowingMLPRegressor:
    return GrowingMLPRegressor(
        hidden_layer_sizes=(CAPACITY,),
        activation="tanh",
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=0.002,  # 0.001 on the squared error without 1/2
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=N_TRAIN,
        shuffle=False,  # one batch: the order changes nothing
        max_iter=epochs,
        growth="auxiliary",
        size_input="neurons",
        weight_init="unit",
        initial_size=RUNS[run],
        target_size=TARGET,
        size_penalty=lam / 2.0,
        size_learning_rate=None,  # gradient descent on N in neurons, as the notebook
        new_neurons="random",
        dtype="float64",
        random_state=trial,
        **FIXED_EPOCHS,
    )


def run_cell(index: int, lam: float, run: str, trial: int, epochs: int) -> dict:
    X_train, y_train, X_test, y_test = lambda_data(index)
    model = make_model(lam, run, trial, epochs)
    seconds = fit_quietly(model, X_train, y_train)
    size = float(model.size_curve_[-1][0])
    test_mse = float(np.mean((model.predict(X_test) - y_test) ** 2))
    term = lam * (size - TARGET) ** 2
    return {
        "lambda": lam,
        "run": run,
        "trial": trial,
        "epochs": epochs,
        "test_mse": test_mse,
        "lambda_term": term,
        "test_loss": test_mse + term,  # the notebook's LTest
        "train_mse": float(np.mean((model.predict(X_train) - y_train) ** 2)),
        "final_size": size,
        "fit_seconds": seconds,
    }


def run_benchmark(
    path,
    lambdas=LAMBDAS,
    trials: int = TRIALS,
    epochs: int = EPOCHS,
    meta: dict | None = None,
    shard: tuple[int, int] = (0, 1),
) -> ResultStore:
    """Run every planned cell not yet in ``path``, each stored as it finishes; trial by
    trial, so that a partial run covers every lambda. ``shard=(k, n)``: the k-th of n
    parts (both runs of a trial in one part)."""
    meta = dict(meta or {}, lambdas=list(lambdas), trials=trials, epochs=epochs)
    store = ResultStore(path, KEY_FIELDS, dict(meta, notebook_cell=NOTEBOOK_CELL))
    cells = [(lam, run, trial) for trial in range(trials) for lam in lambdas for run in RUNS]
    store.plan(len(cells))
    for k, (lam, run, trial) in enumerate(cells):
        if (k // len(RUNS)) % shard[1] != shard[0]:
            continue
        if store.done({"lambda": lam, "run": run, "trial": trial}):
            continue
        row = run_cell(LAMBDAS.index(lam), lam, run, trial, epochs)
        store.add(row)
        print(
            f"lambda {lam:g} {run:7s} trial {trial:3d}: test loss {row['test_loss']:.3e}"
            f"  size {row['final_size']:.2f}  {row['fit_seconds']:.1f} s",
            flush=True,
        )
    store.finish(len(cells))
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 lambdas, 6 trials, fewer epochs")
    parser.add_argument("--threads", type=int, default=1, help="torch / BLAS threads")
    add_shard_argument(parser)
    args = parser.parse_args()
    shard = parsed_shard(parser, args.shard)
    limit_threads(args.threads)
    if args.quick:
        path, lambdas, trials, epochs = (
            RESULTS_DIR / "lambda_quick.json",
            LAMBDAS[::2],
            6,
            EPOCHS // 10,
        )
    else:
        path, lambdas, trials, epochs = RESULTS_DIR / "lambda.json", LAMBDAS, TRIALS, EPOCHS
    meta = {"command": command_line(), "mode": "quick" if args.quick else "full"}
    run_benchmark(path, lambdas, trials, epochs, meta, shard)


if __name__ == "__main__":
    main()
