"""Behaviour of the two estimators: growth, learning, parity with sklearn, bad input."""

import pickle

import numpy as np
import pytest
from conftest import ESTIMATORS, GROWTH_METHODS, friedman_data
from reference import reference_predict
from sklearn.base import clone
from sklearn.datasets import load_iris, make_moons
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor
from skgrow.datasets import make_bessel


@pytest.fixture(scope="module")
def regression_data():
    return friedman_data(400)


@pytest.fixture(scope="module")
def classification_data():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def data_for(Estimator, regression_data, classification_data):
    return regression_data if Estimator is GrowingMLPRegressor else classification_data


# -- growth -----------------------------------------------------------------------------------


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
@pytest.mark.parametrize("initial_size", [0.0, 3.0])
def test_growing_run_starts_at_initial_size_and_grows(growth, initial_size, regression_data):
    # the papers' rule: size variables stepped by Adam like the weights, random new neurons
    X, y = regression_data
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(20,),
        growth=growth,
        initial_size=initial_size,
        size_learning_rate=None,
        new_neurons="random",
        max_iter=60,
        batch_size=50,
        random_state=0,
    ).fit(X, y)
    sizes = np.array(model.size_curve_)[:, 0]
    assert sizes.shape == (model.n_iter_,)
    # after one epoch (8 Adam steps) it is still near where it started
    assert initial_size <= sizes[0] < initial_size + 0.5
    assert sizes[0] < sizes[len(sizes) // 2] < sizes[-1]
    assert sizes[-1] > initial_size + 4
    assert model.hidden_layer_sizes_[0] == int(np.ceil(sizes[-1]))


def test_static_network_stays_at_capacity(regression_data):
    X, y = regression_data
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(7, 5), growth="none", max_iter=5, random_state=0
    ).fit(X, y)
    assert model.hidden_layer_sizes_ == (7, 5)
    assert model.size_curve_ == [(7.0, 5.0)] * 5
    assert [c.shape for c in model.coefs_] == [(10, 7), (7, 5), (5, 1)]


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_size_never_exceeds_capacity(growth, regression_data):
    X, y = regression_data
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(6, 4),
        growth=growth,
        initial_size=(5.5, 3.9),
        learning_rate_init=0.05,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    assert np.all(np.array(model.size_curve_) <= np.array([6, 4]) + 1e-9)
    assert model.hidden_layer_sizes_ <= (6, 4)
    assert all(isinstance(n, int) for n in model.hidden_layer_sizes_)


def test_target_size_stops_growth(regression_data):
    X, y = regression_data
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(30,), target_size=6, max_iter=300, batch_size=50, random_state=0
    ).fit(X, y)
    assert model.size_curve_[-1][0] == pytest.approx(6, abs=0.3)
    assert model.hidden_layer_sizes_ in ((6,), (7,))


def test_grown_width_is_not_written_into_parameters(regression_data):
    X, y = regression_data
    # a layer part-grown after 5 epochs (5 % of the way to its target per step)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(20,), max_iter=5, size_learning_rate=0.05, random_state=0
    ).fit(X, y)
    assert model.get_params()["hidden_layer_sizes"] == (20,)
    assert 0 < model.hidden_layer_sizes_[0] < 20


# -- learning ---------------------------------------------------------------------------------


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_regressor_learns_bessel(growth):
    X, y = make_bessel(512, sampling="uniform", random_state=0)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(10,),
        activation="tanh",
        growth=growth,
        batch_size=64,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert model.loss_curve_[-1] < 0.2 * model.loss_curve_[0]
    X_test, y_test = make_bessel(200, sampling="uniform", random_state=1)
    assert model.score(X_test, y_test) > 0.95


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_classifier_learns_moons(growth):
    X, y = make_moons(400, noise=0.1, random_state=0)
    model = GrowingMLPClassifier(
        hidden_layer_sizes=(20,),
        growth=growth,
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    X_test, y_test = make_moons(400, noise=0.1, random_state=1)
    assert model.score(X_test, y_test) > 0.95
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_same_random_state_same_predictions(
    Estimator, growth, regression_data, classification_data
):
    X, y = data_for(Estimator, regression_data, classification_data)
    fit = lambda seed: Estimator(
        hidden_layer_sizes=(8,), growth=growth, max_iter=20, random_state=seed
    ).fit(X, y)
    a, b, c = fit(3), fit(3), fit(4)
    method = "predict" if Estimator is GrowingMLPRegressor else "predict_proba"
    np.testing.assert_array_equal(getattr(a, method)(X), getattr(b, method)(X))
    assert not np.array_equal(getattr(a, method)(X), getattr(c, method)(X))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_predictions_are_the_trained_gated_network(
    Estimator, growth, regression_data, classification_data
):
    # the independent reference (tests/reference.py) evaluates the trained network with
    # its gates at full capacity; predict and the published coefs_ must compute it
    X, y = data_for(Estimator, regression_data, classification_data)
    model = Estimator(
        hidden_layer_sizes=(9, 6), activation="tanh", growth=growth, max_iter=40, random_state=0
    ).fit(X, y)
    expected = reference_predict(model._network, X)
    a = X
    for coef, intercept in zip(model.coefs_[:-1], model.intercepts_[:-1]):
        a = np.tanh(a @ coef + intercept)
    out = a @ model.coefs_[-1] + model.intercepts_[-1]
    if Estimator is GrowingMLPRegressor:
        predicted, from_coefs = model.predict(X), out.ravel()
    else:
        predicted = model.predict_proba(X)
        from_coefs = np.exp(out - out.max(1, keepdims=True))
        from_coefs /= from_coefs.sum(1, keepdims=True)
    np.testing.assert_allclose(predicted, expected.reshape(predicted.shape), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(from_coefs, expected.reshape(predicted.shape), rtol=1e-5, atol=1e-6)


# -- parity with sklearn ------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["adam", "sgd"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_static_float64_network_reproduces_sklearn(solver, activation, regression_data):
    # same initial draws, same shuffles, same optimiser: the same numbers
    X, y = regression_data
    settings = dict(
        hidden_layer_sizes=(12, 6),
        activation=activation,
        solver=solver,
        max_iter=15,
        batch_size=64,
        random_state=5,
    )
    ours = GrowingMLPRegressor(growth="none", dtype="float64", **settings).fit(X, y)
    theirs = MLPRegressor(**settings).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_


def test_static_float64_classifier_reproduces_sklearn(classification_data):
    X, y = classification_data
    settings = dict(hidden_layer_sizes=(10,), max_iter=25, random_state=2)
    ours = GrowingMLPClassifier(growth="none", dtype="float64", **settings).fit(X, y)
    theirs = MLPClassifier(**settings).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


# -- shapes and types of targets ---------------------------------------------------------------


def test_multi_output_regression(regression_data):
    X, y = regression_data
    Y = np.column_stack([y, -y, 2 * y])
    model = GrowingMLPRegressor(hidden_layer_sizes=(10,), max_iter=10, random_state=0).fit(X, Y)
    assert model.predict(X).shape == (X.shape[0], 3)
    assert model.n_outputs_ == 3
    assert model.predict(X).dtype == np.float64


@pytest.mark.parametrize("labels", [["no", "yes"], ["a", "b", "c"]])
def test_string_labels(labels, classification_data):
    X, y = classification_data
    y = np.array(labels)[y % len(labels)]
    model = GrowingMLPClassifier(hidden_layer_sizes=(10,), max_iter=10, random_state=0).fit(X, y)
    assert list(model.classes_) == labels
    assert set(model.predict(X)) <= set(labels)
    proba = model.predict_proba(X)
    assert proba.shape == (X.shape[0], len(labels))
    np.testing.assert_allclose(proba.sum(1), 1.0)


# -- the sklearn ecosystem ---------------------------------------------------------------------


def test_pipeline_grid_search_clone_pickle(regression_data):
    X, y = regression_data
    pipe = make_pipeline(StandardScaler(), GrowingMLPRegressor(max_iter=5, random_state=0))
    search = GridSearchCV(
        pipe, {"growingmlpregressor__hidden_layer_sizes": [(5,), (10,)]}, cv=2
    ).fit(X, y)
    assert search.best_params_["growingmlpregressor__hidden_layer_sizes"] in ((5,), (10,))
    scores = cross_val_score(clone(pipe), X, y, cv=2)
    assert scores.shape == (2,)
    fitted = search.best_estimator_
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_size_variables_stay_in_range_under_momentum(growth, regression_data):
    # heavy momentum and a large step would carry the size far past the capacity
    X, y = regression_data
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(30,),
        growth=growth,
        solver="sgd",
        momentum=0.95,
        learning_rate_init=0.2,
        size_penalty=10.0,
        size_learning_rate=None,  # the size variables take the solver's momentum steps
        max_iter=40,
        random_state=0,
    ).fit(X, y)
    z = model._network.size_variables
    assert float(z.min()) >= 0.0 and float(z.max()) <= 1.0
    assert model.hidden_layer_sizes_ == (30,)
    assert model.size_loss_curve_[-1] < 1e-6 * model.size_loss_curve_[0]
    assert model.loss_curve_[-1] < 0.2 * model.loss_curve_[0]


def test_progress_bar_shows_epochs_loss_and_size(regression_data, capsys):
    pytest.importorskip("tqdm")
    X, y = regression_data
    GrowingMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, progress_bar=True).fit(X, y)
    shown = capsys.readouterr().err
    assert "3/3" in shown and "epoch" in shown
    assert "loss=" in shown and "size=" in shown


def test_progress_bar_without_tqdm_names_the_extra(regression_data, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("No module named 'tqdm'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    with pytest.raises(ImportError, match=r"skgrow\[progress\]"):
        GrowingMLPRegressor(progress_bar=True).fit(*regression_data)
