"""Where a sklearn user swaps skgrow in: precision, one-class targets, label names in
errors, and starting from a fitted sklearn MLP."""

import warnings

import numpy as np
import pytest
from conftest import GROWTH_METHODS
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor


@pytest.fixture(autouse=True)
def no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def regression_data(n=60):
    rng = np.random.RandomState(0)
    X = rng.randn(n, 4)
    return X, np.sin(X[:, 0]) + X[:, 1]


def classification_data(n=60):
    X, _ = regression_data(n)
    return X, np.where(X[:, 0] + X[:, 1] > 0, "up", "down")


# -- precision ----------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", [GrowingMLPRegressor, GrowingMLPClassifier])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float32_input_gives_float32_weights_and_outputs_as_in_sklearn(Estimator, dtype):
    X, y = regression_data() if Estimator is GrowingMLPRegressor else classification_data()
    X32 = X.astype(np.float32)
    Sklearn = MLPRegressor if Estimator is GrowingMLPRegressor else MLPClassifier
    reference = Sklearn(hidden_layer_sizes=(8,), max_iter=5).fit(X32, y)
    model = Estimator(hidden_layer_sizes=(8,), max_iter=5, dtype=dtype).fit(X32, y)
    for ours, theirs in zip(
        model.coefs_ + model.intercepts_, reference.coefs_ + reference.intercepts_
    ):
        assert ours.dtype == theirs.dtype == np.float32
    if Estimator is GrowingMLPRegressor:
        assert model.predict(X32).dtype == reference.predict(X32).dtype == np.float32
        assert model.predict(X).dtype == reference.predict(X).dtype == np.float64
    else:
        assert model.predict_proba(X32).dtype == reference.predict_proba(X32).dtype
        assert model.predict_proba(X32).dtype == np.float32
    # float64 input stays float64, whatever the training precision
    model = Estimator(hidden_layer_sizes=(8,), max_iter=5, dtype=dtype).fit(X, y)
    assert model.coefs_[0].dtype == np.float64
    assert model.predict(X32).dtype == (np.float64 if Estimator is GrowingMLPRegressor else y.dtype)


# -- one class ----------------------------------------------------------------------------


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_a_single_class_is_fitted_and_predicted_as_sklearn_does(growth):
    X, _ = classification_data()
    y = np.array(["only"] * len(X))
    reference = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(X, y)
    model = GrowingMLPClassifier(hidden_layer_sizes=(4,), max_iter=5, growth=growth).fit(X, y)
    np.testing.assert_array_equal(model.classes_, reference.classes_)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    assert model.predict_proba(X).shape == reference.predict_proba(X).shape == (len(X), 2)
    assert model.score(X, y) == 1.0
    model = GrowingMLPClassifier(hidden_layer_sizes=(4,), growth=growth)
    model.partial_fit(X, np.zeros(len(X)), classes=[0])
    np.testing.assert_array_equal(model.predict(X), np.zeros(len(X)))


# -- labels in errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "y, label",
    [
        (np.array([False] * 39 + [True]), "True"),
        (np.array(["a"] * 20 + ["b"] * 19 + ["c"]), "'c'"),
    ],
)
def test_too_few_members_of_a_class_are_named_as_given(y, label):
    X = np.random.RandomState(0).randn(len(y), 3)
    with pytest.raises(ValueError, match=r"too few members are: \[(.*)\]") as error:
        GrowingMLPClassifier(early_stopping=True, max_iter=5).fit(X, y)
    assert label in str(error.value) and "1.0" not in str(error.value)


# -- from a fitted sklearn MLP ------------------------------------------------------------


@pytest.mark.parametrize("growth", GROWTH_METHODS)
@pytest.mark.parametrize("capacities", [None, (24, 6)])
def test_from_sklearn_predicts_as_sklearn_then_keeps_training(growth, capacities):
    X, y = regression_data(120)
    mlp = MLPRegressor(hidden_layer_sizes=(8, 4), max_iter=20, random_state=0).fit(X, y)
    extra = {} if capacities is None else {"hidden_layer_sizes": capacities}
    model = GrowingMLPRegressor.from_sklearn(mlp, growth=growth, max_iter=100, **extra)
    np.testing.assert_allclose(model.predict(X), mlp.predict(X), rtol=1e-13, atol=1e-14)
    assert model.loss_curve_ == mlp.loss_curve_ and model.n_iter_ == mlp.n_iter_
    start = model.score(X, y)
    model.fit(X, y)  # warm_start: training goes on from sklearn's weights
    assert len(model.loss_curve_) == len(mlp.loss_curve_) + model.n_iter_
    assert model.loss_curve_[len(mlp.loss_curve_)] < mlp.loss_curve_[0]
    assert model.score(X, y) > start
    if capacities is not None and growth != "none":
        assert model.hidden_layer_sizes_[0] > 8  # the layer grew beyond sklearn's width


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_from_sklearn_classifier_keeps_labels_and_probabilities(growth):
    X, y = classification_data(120)
    mlp = MLPClassifier(hidden_layer_sizes=(6,), max_iter=20, random_state=0).fit(X, y)
    model = GrowingMLPClassifier.from_sklearn(mlp, growth=growth, hidden_layer_sizes=(16,))
    np.testing.assert_array_equal(model.classes_, mlp.classes_)
    np.testing.assert_array_equal(model.predict(X), mlp.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), mlp.predict_proba(X), rtol=1e-13)
    model.partial_fit(X, y)
    assert set(model.predict(X)) <= set(mlp.classes_)


def test_from_sklearn_refuses_what_it_cannot_start_from():
    X, y = regression_data()
    mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5).fit(X, y)
    with pytest.raises(TypeError, match="takes a fitted MLPClassifier, got MLPRegressor"):
        GrowingMLPClassifier.from_sklearn(mlp)
    with pytest.raises(ValueError, match=r"cannot hold the sklearn model's layers \(8,\)"):
        GrowingMLPRegressor.from_sklearn(mlp, hidden_layer_sizes=(4,))
    with pytest.raises(ValueError, match="cannot hold"):
        GrowingMLPRegressor.from_sklearn(mlp, hidden_layer_sizes=(8, 8))
    with pytest.raises(Exception, match="not fitted"):
        GrowingMLPRegressor.from_sklearn(MLPRegressor())


def test_continued_training_keeps_the_weights_precision_as_sklearn_does():
    X, y = regression_data()
    model = GrowingMLPRegressor(hidden_layer_sizes=(8,), max_iter=3).fit(X.astype(np.float32), y)
    model.partial_fit(X, y)  # float64 rows
    assert model.coefs_[0].dtype == np.float32
    model.set_params(warm_start=True).fit(X, y)
    assert model.coefs_[0].dtype == np.float32
    reference = MLPRegressor(hidden_layer_sizes=(8,), max_iter=3).fit(X.astype(np.float32), y)
    assert reference.partial_fit(X, y).coefs_[0].dtype == np.float32


def test_an_empty_layer_exports_in_the_weights_precision():
    X, y = regression_data()
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(8, 4), target_size=[0, 4], max_iter=3, random_state=23
    )
    model.fit(X.astype(np.float32), y)
    assert model.hidden_layer_sizes_[0] == 0
    mlp = model.to_sklearn()
    assert all(c.dtype == np.float32 for c in mlp.coefs_ + mlp.intercepts_)
    # float32 sums in another order: equal to a few float32 roundings (seed 23 differs by 2.6e-7)
    np.testing.assert_allclose(
        mlp.predict(X.astype(np.float32)), model.predict(X.astype(np.float32)), rtol=1e-6
    )


def test_a_single_class_classifier_is_not_exported_to_onnx():
    pytest.importorskip("skl2onnx")
    from skgrow.onnx import to_onnx

    X, _ = classification_data()
    model = GrowingMLPClassifier(hidden_layer_sizes=(4,), max_iter=2).fit(X, ["a"] * len(X))
    with pytest.raises(ValueError, match="single class cannot be converted"):
        to_onnx(model)


def test_from_sklearn_keeps_sklearns_best_weights_under_early_stopping():
    X, y = regression_data(200)
    mlp = MLPRegressor(hidden_layer_sizes=(8,), early_stopping=True, max_iter=200, random_state=0)
    mlp.fit(X, y)
    model = GrowingMLPRegressor.from_sklearn(mlp, learning_rate_init=5.0, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)  # epochs that do worse than sklearn's best on the held-out rows
    assert max(model.validation_scores_[len(mlp.validation_scores_) :]) < mlp.best_validation_score_
    # none of them beat it: the model is sklearn's (its weights rounded to float32)
    assert model.best_validation_score_ == mlp.best_validation_score_
    np.testing.assert_allclose(model.predict(X), mlp.predict(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("before, after", [(True, False), (False, True)])
def test_a_warm_start_may_turn_early_stopping_on_or_off(before, after):
    # sklearn's MLPs raise a TypeError or AttributeError here; skgrow goes on under the
    # new rule, its records started afresh and its curves continued
    X, y = regression_data(100)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(5,), max_iter=5, early_stopping=before, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
        model.set_params(warm_start=True, early_stopping=after).fit(X, y)
    assert len(model.loss_curve_) == 10
    if after:
        assert model.best_loss_ is None and len(model.validation_scores_) == model.n_iter_
    else:
        assert np.isfinite(model.best_loss_) and model.validation_scores_ is None
