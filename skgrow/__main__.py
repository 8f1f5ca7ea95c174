"""``python -m skgrow``: growing vs static vs sklearn on the papers' Bessel task.

Fits, on the same split of the Bessel task (``J0 + J1 + J2`` on
[-2 pi, 2 pi], input and target in [-1, 1]), a network that grows from
empty with each growth method, the static network of the same capacity and
sklearn's ``MLPRegressor`` of that width, all with full-batch Adam, and
prints final size, test error and fit time.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor

from skgrow import GrowingMLPRegressor
from skgrow.datasets import make_bessel


def compare_on_bessel(capacity: int, epochs: int, seeds: range) -> list[dict]:
    """Fit every model for each seed; one row per model with mean results."""
    X, y = make_bessel(4096)
    settings = dict(
        hidden_layer_sizes=(capacity,),
        activation="tanh",
        batch_size=int(0.8 * len(X)),  # the whole training split
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,  # a fixed number of epochs
        alpha=0.0,
    )
    models = {
        "skgrow, growth='auxiliary'": lambda s: GrowingMLPRegressor(growth="auxiliary", **s),
        "skgrow, growth='controller'": lambda s: GrowingMLPRegressor(growth="controller", **s),
        "skgrow, growth='none' (static)": lambda s: GrowingMLPRegressor(growth="none", **s),
        "sklearn MLPRegressor": lambda s: MLPRegressor(**s),
    }
    rows = []
    for name, make in models.items():
        sizes, errors, seconds = [], [], []
        for seed in seeds:
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.2, random_state=seed
            )
            model = make(dict(settings, random_state=seed))
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X_train, y_train)
            seconds.append(time.perf_counter() - start)
            errors.append(mean_squared_error(y_test, model.predict(X_test)))
            sizes.append(getattr(model, "hidden_layer_sizes_", (capacity,))[0])
        rows.append(
            {
                "model": name,
                "size": float(np.mean(sizes)),
                "mse": float(np.mean(errors)),
                "mse_sem": float(np.std(errors, ddof=1) / np.sqrt(len(errors))),
                "seconds": float(np.mean(seconds)),
            }
        )
    return rows


def format_table(rows: list[dict]) -> str:
    header = f"{'model':32s} {'final size':>10s} {'test MSE':>20s} {'fit time':>9s}"
    lines = [header, "-" * len(header)]
    for r in rows:
        mse = f"{r['mse']:.2e} ± {r['mse_sem']:.1e}"
        lines.append(f"{r['model']:32s} {r['size']:10.1f} {mse:>20s} {r['seconds']:8.2f}s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m skgrow", description=__doc__)
    parser.add_argument("--capacity", type=int, default=10, help="neurons per network")
    parser.add_argument("--epochs", type=int, default=5000, help="full-batch Adam epochs")
    parser.add_argument("--seeds", type=int, default=3, help="splits and initialisations")
    args = parser.parse_args(argv)
    print(
        f"Bessel task J0+J1+J2, 4096 points, 80/20 split; capacity {args.capacity}, tanh, "
        f"full-batch Adam, {args.epochs} epochs; mean ± s.e. over {args.seeds} seeds\n"
    )
    print(format_table(compare_on_bessel(args.capacity, args.epochs, range(args.seeds))))


if __name__ == "__main__":
    main()
