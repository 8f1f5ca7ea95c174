"""Bad input, table-driven: every case gets a ValueError or TypeError naming the problem.

Each case runs against both estimators and every growth method, on read-only
arrays, and must fail before any network is built; the inputs must come out
unchanged.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import ESTIMATORS, GROWTH_METHODS
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor
from skgrow._network import GrowingNetwork


def dataset(Estimator, n=30, n_features=4):
    rng = np.random.RandomState(0)
    X = rng.randn(n, n_features)
    y = X[:, 0] if Estimator is GrowingMLPRegressor else (X[:, 0] > 0).astype(int)
    return X, y


def read_only(*arrays):
    copies = []
    for array in arrays:
        copy = np.array(array, copy=True)
        if isinstance(copy, np.ndarray):
            copy.flags.writeable = False
        copies.append(copy)
    return copies


def with_value(X, value):
    X = X.astype(object) if isinstance(value, str) else X.astype(type(value))
    X[3, 1] = value
    return X


# (name, change to (X, y, fit keyword arguments), exception, message)
DATA_CASES = [
    ("NaN in X", lambda X, y: (with_value(X, np.nan), y, {}), ValueError, "NaN"),
    ("+inf in X", lambda X, y: (with_value(X, np.inf), y, {}), ValueError, "infinity"),
    ("-inf in X", lambda X, y: (with_value(X, -np.inf), y, {}), ValueError, "infinity"),
    ("1e300 in X", lambda X, y: (with_value(X, 1e300), y, {}), ValueError, "too large"),
    ("empty X", lambda X, y: (X[:0], y[:0], {}), ValueError, "0 sample"),
    ("no features", lambda X, y: (X[:, :0], y, {}), ValueError, "0 feature"),
    ("3-D X", lambda X, y: (X[:, :, None], y, {}), ValueError, "dim 3"),
    ("string features", lambda X, y: (with_value(X, "a"), y, {}), ValueError, "convert string"),
    ("complex X", lambda X, y: (X + 1j, y, {}), ValueError, "Complex data"),
    ("length mismatch", lambda X, y: (X, y[:-1], {}), ValueError, "inconsistent numbers"),
    (
        "negative sample_weight",
        lambda X, y: (X, y, {"sample_weight": np.r_[-1.0, np.ones(len(y) - 1)]}),
        ValueError,
        "Negative values in data passed to `sample_weight`",
    ),
    (
        "NaN sample_weight",
        lambda X, y: (X, y, {"sample_weight": np.r_[np.nan, np.ones(len(y) - 1)]}),
        ValueError,
        "NaN",
    ),
    (
        "sample_weight of the wrong length",
        lambda X, y: (X, y, {"sample_weight": np.ones(len(y) + 1)}),
        ValueError,
        "sample_weight.shape",
    ),
    (
        "sparse X with NaN",
        lambda X, y: (sp.csr_matrix(with_value(X, np.nan)), y, {}),
        ValueError,
        "NaN",
    ),  # fmt: skip
]


@pytest.fixture
def no_network_built(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network was built before the input was validated")

    monkeypatch.setattr(GrowingNetwork, "initialize", refuse)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
@pytest.mark.parametrize(
    "name, change, error, message", DATA_CASES, ids=[case[0] for case in DATA_CASES]
)
def test_bad_data(Estimator, growth, name, change, error, message, no_network_built):
    X, y = dataset(Estimator)
    X, y, kwargs = change(X, y)
    if not sp.issparse(X):
        X, y = read_only(X, y)
    originals = (X.copy(), y.copy())
    with pytest.raises(error, match=message):
        Estimator(growth=growth).fit(X, y, **kwargs)
    if not sp.issparse(X):
        np.testing.assert_array_equal(X, originals[0])
    np.testing.assert_array_equal(y, originals[1])


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_nan_in_y(growth, no_network_built):
    X, y = read_only(*dataset(GrowingMLPRegressor))
    y = y.copy()
    y[2] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        GrowingMLPRegressor(growth=growth).fit(X, y)


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_unseen_labels_in_partial_fit(growth):
    X, y = read_only(*dataset(GrowingMLPClassifier))
    model = GrowingMLPClassifier(growth=growth, hidden_layer_sizes=(4,))
    model.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"classes not in `self.classes_`: \[5\]"):
        model.partial_fit(X, np.where(y == 1, 5, y))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_wrong_number_of_features_at_predict(Estimator, growth):
    X, y = read_only(*dataset(Estimator))
    model = Estimator(growth=growth, hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 4 features"):
        model.predict(X[:, :3])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_before_fit(Estimator):
    with pytest.raises(NotFittedError):
        Estimator().predict(np.zeros((3, 4)))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_edge_shapes_that_are_valid_still_fit(Estimator):
    # one feature, and (for regression) a single sample: sklearn fits these, so does skgrow
    X, y = read_only(*dataset(Estimator))
    one_feature = Estimator(hidden_layer_sizes=(4,), max_iter=3).fit(X[:, :1], y)
    assert one_feature.predict(X[:, :1]).shape == (len(X),)
    if Estimator is GrowingMLPRegressor:
        one_sample = Estimator(hidden_layer_sizes=(4,), max_iter=3).fit(X[:1], y[:1])
        assert np.isfinite(one_sample.predict(X)).all()


# (parameter, invalid value): every parameter of both estimators
INVALID_PARAMETERS = [
    ("hidden_layer_sizes", 0),
    ("hidden_layer_sizes", (10, -1)),
    ("hidden_layer_sizes", (4.5,)),
    ("activation", "softplus"),
    ("solver", "rmsprop"),
    ("alpha", -1.0),
    ("batch_size", 0),
    ("batch_size", "big"),
    ("learning_rate", "cosine"),
    ("learning_rate_init", 0.0),
    ("power_t", -0.5),
    ("max_iter", 0),
    ("shuffle", "yes"),
    ("random_state", "seed"),
    ("tol", -1.0),
    ("verbose", "loud"),
    ("warm_start", "yes"),
    ("momentum", 1.5),
    ("nesterovs_momentum", "yes"),
    ("early_stopping", "yes"),
    ("validation_fraction", 1.0),
    ("beta_1", 1.0),
    ("beta_2", -0.1),
    ("epsilon", 0.0),
    ("n_iter_no_change", 0),
    ("max_fun", 0),
    ("growth", "sideways"),
    ("size_penalty", -0.1),
    ("initial_size", -1),
    ("initial_size", 1000),
    ("initial_size", (1, 2, 3)),
    ("initial_size", ["one"]),
    ("target_size", -1),
    ("target_size", 1000),
    ("target_size", ["auto", 4]),  # 'auto' goes alone, for every layer
    ("size_learning_rate", 0.0),
    ("new_neurons", "zero"),
    ("weight_init", "he"),
    ("size_input", "count"),
    ("size_gradient", "task"),
    ("shared_size", "yes"),
    ("size_tol", -0.1),
    ("device", "tpu"),
    ("dtype", "float16"),
    ("progress_bar", "yes"),
]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("parameter, value", INVALID_PARAMETERS)
def test_invalid_parameter_values(Estimator, parameter, value, no_network_built):
    X, y = read_only(*dataset(Estimator))
    with pytest.raises((ValueError, TypeError), match=parameter):
        Estimator(**{parameter: value}).fit(X, y)


def test_every_parameter_is_in_the_table():
    tested = {parameter for parameter, _ in INVALID_PARAMETERS}
    for Estimator in ESTIMATORS:
        assert set(Estimator().get_params()) - {"loss"} <= tested


def test_invalid_regressor_loss(no_network_built):
    X, y = read_only(*dataset(GrowingMLPRegressor))
    with pytest.raises(InvalidParameterError, match="loss"):
        GrowingMLPRegressor(loss="huber").fit(X, y)


def test_a_size_input_in_neurons_is_for_method_a_only(no_network_built):
    X, y = read_only(*dataset(GrowingMLPRegressor))
    with pytest.raises(ValueError, match="size_input='neurons' is defined for growth='auxiliary'"):
        GrowingMLPRegressor(growth="controller", size_input="neurons").fit(X, y)
