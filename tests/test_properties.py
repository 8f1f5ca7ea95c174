"""Properties that hold for any valid input, checked over random shapes, dtypes and
hyperparameters with hypothesis."""

import numpy as np
import torch
from conftest import fit_quietly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_predict

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor

ACTIVATIONS = {
    "identity": lambda x: x,
    "logistic": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
}

hyperparameters = st.fixed_dictionaries(
    {
        "hidden_layer_sizes": st.lists(st.integers(1, 12), min_size=0, max_size=3).map(tuple),
        "activation": st.sampled_from(sorted(ACTIVATIONS)),
        "solver": st.sampled_from(["adam", "sgd", "lbfgs"]),
        "growth": st.sampled_from(["controller", "auxiliary", "none"]),
        "alpha": st.sampled_from([0.0, 1e-4, 0.1]),
        "batch_size": st.sampled_from(["auto", 1, 7]),
        "learning_rate_init": st.sampled_from([1e-3, 1e-2]),
        "max_iter": st.integers(1, 4),
        "size_penalty": st.sampled_from([0.0, 0.1, 1.0]),
        "dtype": st.sampled_from(["float32", "float64"]),
        "random_state": st.integers(0, 10),
    }
)

data_shapes = st.tuples(
    st.integers(4, 40),  # samples
    st.integers(1, 5),  # features
    st.sampled_from([np.float32, np.float64, np.int64]),  # input dtype
    st.integers(0, 1000),  # data seed
)

QUICK = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def make_model(Estimator, params):
    params = dict(params)
    params["initial_size"] = [n // 2 for n in params["hidden_layer_sizes"]] or 0
    return Estimator(**params)


def make_data(shape):
    n, n_features, dtype, seed = shape
    rng = np.random.RandomState(seed)
    X = (rng.randn(n, n_features) * 3).astype(dtype)
    return X, rng


def reference_outputs(model, X):
    """The trained gated network's outputs by the independent reference (tests/reference.py),
    and the tolerance for comparing them with ``model``'s: float32 training or outputs
    (float32 ``X``) agree to float32 roundings."""
    single = model._network.theta.dtype == torch.float32 or model.coefs_[0].dtype == np.float32
    tolerance = 1e-5 if single else 1e-7
    return reference_predict(model._network, X), tolerance


def check_grown_sizes(model):
    capacities = model.hidden_layer_sizes
    assert len(model.hidden_layer_sizes_) == len(capacities)
    assert all(0 <= n <= c for n, c in zip(model.hidden_layer_sizes_, capacities))
    assert all(isinstance(n, int) for n in model.hidden_layer_sizes_)
    assert np.all(
        (np.asarray(model.size_curve_) >= 0) & (np.asarray(model.size_curve_) <= capacities)
    )


@QUICK
def output_dtype(X):
    return np.float32 if X.dtype == np.float32 else np.float64


@given(params=hyperparameters, shape=data_shapes, n_outputs=st.integers(1, 2))
def test_regressor_properties(params, shape, n_outputs):
    X, rng = make_data(shape)
    y = rng.randn(len(X), n_outputs)
    y = y.ravel() if n_outputs == 1 else y
    model = fit_quietly(make_model(GrowingMLPRegressor, params), X, y)
    prediction = model.predict(X)
    # float32 X gives float32 weights and outputs, as in sklearn
    assert prediction.shape == y.shape and prediction.dtype == output_dtype(X)
    assert np.isfinite(prediction).all()
    check_grown_sizes(model)
    expected, tolerance = reference_outputs(model, X)
    np.testing.assert_allclose(
        prediction, expected.reshape(y.shape), rtol=tolerance, atol=tolerance
    )


@QUICK
@given(params=hyperparameters, shape=data_shapes, n_classes=st.integers(2, 3))
def test_classifier_properties(params, shape, n_classes):
    X, rng = make_data(shape)
    labels = np.array(["a", "b", "c"])[:n_classes]
    y = labels[np.arange(len(X)) % n_classes]
    rng.shuffle(y)
    model = fit_quietly(make_model(GrowingMLPClassifier, params), X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), n_classes) and proba.dtype == output_dtype(X)
    np.testing.assert_allclose(
        proba.sum(axis=1), 1.0, rtol=1e-6 if proba.dtype == np.float32 else 1e-10
    )
    assert set(model.predict(X)) <= set(labels)
    check_grown_sizes(model)
    expected, tolerance = reference_outputs(model, X)
    if n_classes == 2:  # one logistic output: the positive class's probability
        expected = np.column_stack([1 - expected.ravel(), expected.ravel()])
    np.testing.assert_allclose(proba, expected, rtol=tolerance, atol=tolerance)
