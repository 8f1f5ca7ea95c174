"""Fuzzing every growth parameter, self-sizing included, over sequences of fit,
partial_fit and warm-start resizes: no crash, no non-finite output, and the caller's
arrays come out untouched."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


SPLIT_ERRORS = (
    "validation set is too small",
    "which is too few",
    "should be greater or equal to the number of classes",
)


@st.composite
def growing_models(draw, Estimator):
    capacities = tuple(draw(st.lists(st.integers(1, 10), min_size=1, max_size=2)))

    def per_layer_sizes():
        return st.one_of(
            st.integers(0, min(capacities)),
            st.tuples(*(st.integers(0, c) for c in capacities)).map(list),
        )

    params = {
        "hidden_layer_sizes": capacities,
        "solver": draw(st.sampled_from(["adam", "sgd", "lbfgs"])),
        "growth": draw(st.sampled_from(["controller", "auxiliary", "none"])),
        "size_penalty": draw(st.sampled_from([0.0, 1e-4, 0.1, 1.0, 10.0])),
        "initial_size": draw(per_layer_sizes()),
        "target_size": draw(st.one_of(st.none(), st.just("auto"), per_layer_sizes())),
        "size_learning_rate": draw(st.sampled_from(["auto", None, 0.01, 0.3, 2.0])),
        "new_neurons": draw(st.sampled_from(["fitted", "random"])),
        "size_tol": draw(st.sampled_from([0.0, 0.005, 0.1])),
        "learning_rate_init": draw(st.sampled_from([1e-3, 3e-2])),
        "batch_size": draw(st.sampled_from(["auto", 3])),
        "max_iter": draw(st.integers(1, 6)),
        "early_stopping": draw(st.booleans()),
        "dtype": draw(st.sampled_from(["float32", "float64"])),
        "random_state": draw(st.integers(0, 5)),
    }
    return Estimator(**params)


@st.composite
def training_sequences(draw, capacities_like):
    """After the first fit: partial_fit calls, refits and warm-start resizes."""
    steps = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["partial_fit", "fit", "resize"]))
        if kind == "resize":
            sizes = tuple(draw(st.integers(1, 12)) for _ in capacities_like)
            steps.append(("resize", sizes))
        else:
            steps.append((kind, None))
    return steps


def read_only_data(Estimator, n, seed, dtype):
    rng = np.random.RandomState(seed)
    X = (rng.randn(n, 3) * 2).astype(dtype)
    if Estimator is GrowingMLPRegressor:
        y = np.sin(X[:, 0]) + 0.1 * rng.randn(n)
    else:
        y = np.array(["a", "b", "c"])[rng.randint(0, 3, n)]
        y[:3] = ["a", "b", "c"]  # every class present
    for array in (X, y):
        array.flags.writeable = False
    return X, y


def check_outputs(model, X):
    if isinstance(model, GrowingMLPRegressor):
        assert np.isfinite(model.predict(X)).all()
    else:
        proba = model.predict_proba(X)
        assert np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        assert set(model.predict(X)) <= set(model.classes_)
    capacities = np.atleast_1d(model.hidden_layer_sizes)
    assert all(0 <= n <= c for n, c in zip(model.hidden_layer_sizes_, capacities))


def run_sequence(model, steps, X, y):
    originals = X.copy(), y.copy()
    try:
        fit_sequence(model, steps, X, y)
    except ValueError as error:  # too few rows to hold out, as sklearn's MLPs say
        assert model.early_stopping and any(m in str(error) for m in SPLIT_ERRORS)
    np.testing.assert_array_equal(X, originals[0])
    np.testing.assert_array_equal(y, originals[1])


def fit_sequence(model, steps, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and divergence warnings are allowed
        model.fit(X, y)
        check_outputs(model, X)
        for kind, sizes in steps:
            if kind == "partial_fit":
                if model.solver == "lbfgs" or model.early_stopping:
                    continue  # not offered there (sklearn's rule)
                model.partial_fit(X, y)
            elif kind == "fit":
                model.set_params(warm_start=False).fit(X, y)
            else:
                model.set_params(warm_start=True, hidden_layer_sizes=sizes)
                if isinstance(model.target_size, list):
                    model.set_params(
                        target_size=[min(t, c) for t, c in zip(model.target_size, sizes)]
                    )
                if isinstance(model.initial_size, list):
                    model.set_params(
                        initial_size=[min(t, c) for t, c in zip(model.initial_size, sizes)]
                    )
                if isinstance(model.target_size, int) or isinstance(model.initial_size, int):
                    model.set_params(
                        **{
                            name: min(getattr(model, name), min(sizes))
                            for name in ("target_size", "initial_size")
                            if isinstance(getattr(model, name), int)
                        }
                    )
                model.fit(X, y)
            check_outputs(model, X)


@pytest.mark.parametrize("Estimator", [GrowingMLPRegressor, GrowingMLPClassifier])
@FUZZ
@given(
    data=st.data(),
    n=st.integers(9, 60),
    seed=st.integers(0, 100),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_any_growth_setting_and_training_sequence(Estimator, data, n, seed, dtype):
    model = data.draw(growing_models(Estimator))
    steps = data.draw(training_sequences(model.hidden_layer_sizes))
    run_sequence(model, steps, *read_only_data(Estimator, n, seed, dtype))
