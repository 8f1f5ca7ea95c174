"""Drop-in parity with sklearn 1.9's MLPs, in the style of sklearn's own test_mlp.py.

Every behaviour of sklearn's MLPRegressor / MLPClassifier that skgrow promises,
for both estimators and every growth method, plus the places where skgrow
deliberately differs (partial_fit for lbfgs, warm starts that change the
capacity, validation_loss_curve_).
"""

import re

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import ESTIMATORS, GROWTH_METHODS, outputs
from sklearn.base import is_classifier, is_regressor
from sklearn.datasets import (
    make_classification,
    make_friedman1,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor


def data_for(Estimator, friedman, digits):
    return friedman if Estimator is GrowingMLPRegressor else digits


# -- lbfgs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_lbfgs_classification(growth, digits):
    X, y = digits
    model = GrowingMLPClassifier(
        solver="lbfgs",
        hidden_layer_sizes=(20,),
        growth=growth,
        initial_size=5,
        max_iter=150,
        random_state=1,
    ).fit(X, y)
    assert model.score(X, y) > 0.95
    assert model.out_activation_ == "softmax"
    assert not hasattr(model, "partial_fit")


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_lbfgs_regression(growth, friedman):
    X, y = friedman
    model = GrowingMLPRegressor(
        solver="lbfgs",
        hidden_layer_sizes=(20,),
        activation="tanh",
        growth=growth,
        initial_size=5,
        max_iter=150,
        random_state=1,
    ).fit(X, y)
    assert model.score(X, y) > 0.9
    assert not hasattr(model, "partial_fit")  # sklearn's regressor offers it by mistake


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_lbfgs_trains_size_variables_jointly(growth, friedman):
    X, y = friedman
    model = GrowingMLPRegressor(
        solver="lbfgs",
        hidden_layer_sizes=(20,),
        growth=growth,
        initial_size=5,
        max_iter=50,
        random_state=1,
    ).fit(X, y)
    sizes = np.array(model.size_curve_)[:, 0]
    assert len(sizes) == model.n_iter_ == len(model.loss_curve_)
    assert abs(sizes[-1] - 5) > 0.5


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_lbfgs_max_fun(Estimator, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    model = Estimator(solver="lbfgs", hidden_layer_sizes=(10,), max_fun=5, max_iter=150)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        model.fit(X, y)
    assert model.n_iter_ < 10


# -- stochastic solvers and schedules ----------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        dict(solver="sgd", learning_rate="constant", momentum=0.5, nesterovs_momentum=False),
        dict(solver="sgd", learning_rate="invscaling", power_t=0.3),
        dict(solver="sgd", learning_rate="adaptive", tol=1.0, n_iter_no_change=2),
        dict(solver="adam", beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    ],
)
def test_optimiser_parameters_match_sklearn(settings, friedman):
    X, y = friedman
    common = dict(hidden_layer_sizes=(8,), max_iter=12, batch_size=32, random_state=0)
    ours = GrowingMLPRegressor(growth="none", dtype="float64", **common, **settings).fit(X, y)
    theirs = MLPRegressor(**common, **settings).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9, atol=1e-9)
    assert ours.n_iter_ == theirs.n_iter_
    if settings["solver"] == "sgd":  # sklearn's Adam stores its bias-corrected rate there
        assert ours._optimizer.learning_rate == pytest.approx(theirs._optimizer.learning_rate)


@pytest.mark.parametrize("learning_rate", ["constant", "invscaling"])
def test_learning_rate_warm_start(learning_rate, digits):
    X, y = digits
    model = GrowingMLPClassifier(
        solver="sgd",
        learning_rate=learning_rate,
        max_iter=1,
        power_t=0.25,
        warm_start=True,
        hidden_layer_sizes=(5,),
        batch_size=len(X),
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    before = model._optimizer.learning_rate
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    after = model._optimizer.learning_rate
    if learning_rate == "constant":
        assert before == after == 0.001
    else:
        assert after == pytest.approx(0.001 / (2 * len(X) + 1) ** 0.25)


def test_adaptive_learning_rate(digits):
    X, y = digits
    model = GrowingMLPClassifier(
        tol=0.5, max_iter=3000, solver="sgd", learning_rate="adaptive", hidden_layer_sizes=(5,)
    ).fit(X, y)
    assert model.max_iter > model.n_iter_
    assert model._optimizer.learning_rate < 1e-6


def test_shuffle_changes_the_model(friedman):
    X, y = friedman
    fit = lambda shuffle: GrowingMLPRegressor(
        hidden_layer_sizes=(6,), max_iter=3, batch_size=20, shuffle=shuffle, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(fit(False).predict(X), fit(False).predict(X))
    assert not np.array_equal(fit(False).predict(X), fit(True).predict(X))


# -- stopping rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_tolerance_stops_training(Estimator, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    model = Estimator(tol=0.5, max_iter=3000, solver="sgd", hidden_layer_sizes=(5,)).fit(X, y)
    assert model.max_iter > model.n_iter_


def test_n_iter_no_change_inf_runs_every_epoch(digits):
    X, y = digits
    model = GrowingMLPClassifier(
        tol=1e9,
        max_iter=40,
        solver="sgd",
        n_iter_no_change=np.inf,
        hidden_layer_sizes=(5,),
        growth="none",  # a growing layer's epochs of growth count as improvements
    )
    with pytest.warns(ConvergenceWarning, match=re.escape("Maximum iterations (40) reached")):
        model.fit(X, y)
    assert model.n_iter_ == 40
    assert model._history.no_improvement_count == model.n_iter_ - 1


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_early_stopping_keeps_the_best_epoch(Estimator, growth, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    model = Estimator(
        hidden_layer_sizes=(30,),
        growth=growth,
        early_stopping=True,
        tol=0.02,
        n_iter_no_change=3,
        max_iter=300,
        learning_rate_init=0.01,
        size_learning_rate=None,  # the papers' rule, never hurried: still growing at the end
        batch_size=20,
        random_state=0,
    ).fit(X, y)
    scores = model.validation_scores_
    assert len(scores) == len(model.validation_loss_curve_) == model.n_iter_ < 300
    assert model.best_validation_score_ == max(scores)
    assert model.best_loss_ is None
    best_epoch = int(np.argmax(scores))
    assert best_epoch < model.n_iter_ - 1
    # the weights and sizes of the best epoch are restored
    best_sizes = np.ceil(np.array(model.size_curve_[best_epoch]) - 1e-9).astype(int)
    assert model.hidden_layer_sizes_ == tuple(best_sizes)
    if growth != "none":
        assert model.size_curve_[best_epoch] != model.size_curve_[-1]


def test_validation_loss_curve_is_only_set_with_early_stopping(friedman):
    X, y = friedman
    model = GrowingMLPRegressor(hidden_layer_sizes=(5,), max_iter=3).fit(X, y)
    assert model.validation_loss_curve_ is None
    assert model.validation_scores_ is None and model.best_validation_score_ is None
    assert model.best_loss_ == min(model.loss_curve_)


def test_early_stopping_is_stratified():
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    y = [0, 0, 0, 1]
    with pytest.raises(ValueError, match="The least populated class"):
        GrowingMLPClassifier(early_stopping=True).fit(X, y)


def test_early_stopping_with_string_labels_and_sample_weight():
    X, y = make_classification(200, n_classes=3, n_informative=5, random_state=42)
    y = np.array(["class_a", "class_b", "class_c"], dtype=object)[y]
    model = GrowingMLPClassifier(early_stopping=True, max_iter=30, random_state=42)
    model.fit(X, y, sample_weight=np.linspace(0.5, 2, len(y)))
    assert len(model.validation_scores_) == model.n_iter_
    assert np.isfinite(model.validation_scores_).all()


def test_validation_set_too_small():
    X, y = make_friedman1(12, random_state=0)
    with pytest.raises(ValueError, match="The validation set is too small"):
        GrowingMLPRegressor(early_stopping=True, validation_fraction=0.05).fit(X, y)


# -- fitted attributes -------------------------------------------------------------------------


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_fitted_attributes(growth, friedman, digits):
    X, y = friedman
    model = GrowingMLPRegressor(hidden_layer_sizes=(6, 4), growth=growth, max_iter=3).fit(X, y)
    assert model.n_layers_ == 4 and model.n_outputs_ == 1
    assert model.out_activation_ == "identity"
    assert model.t_ == 3 * len(X)
    assert len(model.loss_curve_) == 3 and model.loss_ == model.loss_curve_[-1]
    assert [c.shape[0] for c in model.coefs_] == [10, *model.hidden_layer_sizes_]
    X, y = digits
    clf = GrowingMLPClassifier(hidden_layer_sizes=(6,), growth=growth, max_iter=3).fit(X, y)
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    binary = GrowingMLPClassifier(hidden_layer_sizes=(6,), max_iter=3).fit(X, y == 1)
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_feature_names_are_kept(Estimator, friedman, digits):
    pd = pytest.importorskip("pandas")
    X, y = data_for(Estimator, friedman, digits)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = Estimator(hidden_layer_sizes=(4,), max_iter=2).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
    with pytest.warns(UserWarning, match="feature names"):
        model.predict(X)


# -- losses and targets ------------------------------------------------------------------------


def test_poisson_loss_with_identity_units_equals_poisson_glm():
    rng = np.random.default_rng(0)
    X = np.linspace(0, 1, 100).reshape(-1, 1)
    y = rng.poisson(np.exp(X.ravel() + 1))
    glm = PoissonRegressor(alpha=0, tol=1e-7).fit(X, y)
    mlp = GrowingMLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(1,),
        activation="identity",
        alpha=0,
        solver="lbfgs",
        tol=1e-7,
        growth="none",
        dtype="float64",
        random_state=1,
    ).fit(X, y)
    assert mlp.out_activation_ == "exp"
    np.testing.assert_allclose(mlp.predict(X), glm.predict(X), rtol=1e-4)


def test_poisson_loss_rejects_negative_targets(friedman):
    X, y = friedman
    with pytest.raises(ValueError, match="non-negative"):
        GrowingMLPRegressor(loss="poisson").fit(X, y)


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_multilabel_classification(growth):
    X, Y = make_multilabel_classification(150, n_classes=4, random_state=0)
    model = GrowingMLPClassifier(
        hidden_layer_sizes=(30,),
        growth=growth,
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    ).fit(X, Y)
    assert model.out_activation_ == "logistic"
    assert model.predict(X).shape == Y.shape
    proba = model.predict_proba(X)
    assert proba.shape == Y.shape and not np.allclose(proba.sum(1), 1)
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(proba))
    assert model.score(X, Y) > 0.7


def test_predict_log_proba(digits):
    X, y = digits
    model = GrowingMLPClassifier(hidden_layer_sizes=(5,), max_iter=5).fit(X, y)
    np.testing.assert_allclose(model.predict_log_proba(X), np.log(model.predict_proba(X)))


def test_multi_output_regression_learns():
    X, Y = make_friedman1(300, random_state=0)[0], None
    Y = np.column_stack([X[:, 0] * X[:, 1], np.sin(3 * X[:, 2])])
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(30,),
        activation="tanh",
        solver="lbfgs",
        initial_size=10,
        max_iter=300,
        random_state=0,
    ).fit(X, Y)
    assert model.score(X, Y) > 0.9


# -- sample weights ----------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_zero_sample_weight_removes_rows(Estimator, growth, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    weights = np.ones(len(y))
    weights[::3] = 0
    kept = weights > 0
    settings = dict(
        hidden_layer_sizes=(6,),
        growth=growth,
        max_iter=20,
        batch_size=1000,
        shuffle=False,
        dtype="float64",
        random_state=0,
    )
    weighted = Estimator(**settings).fit(X, y, sample_weight=weights)
    removed = Estimator(**settings).fit(X[kept], y[kept])
    np.testing.assert_allclose(outputs(weighted, X), outputs(removed, X), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_sample_weight_in_partial_fit_is_sklearns(Estimator, solver, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    kwargs = {"classes": np.unique(y)} if Estimator is GrowingMLPClassifier else {}
    settings = dict(
        hidden_layer_sizes=(5,),
        solver=solver,
        learning_rate_init=0.1,
        shuffle=False,
        random_state=0,
    )
    Reference = MLPRegressor if Estimator is GrowingMLPRegressor else MLPClassifier
    weights = np.linspace(0, 2, len(y))
    ours = Estimator(growth="none", dtype="float64", **settings)
    theirs = Reference(**settings)
    for _ in range(3):
        ours.partial_fit(X, y, sample_weight=weights, **kwargs)
        theirs.partial_fit(X, y, sample_weight=weights, **kwargs)
    np.testing.assert_allclose(outputs(ours, X), outputs(theirs, X), rtol=1e-10, atol=1e-12)
    # and the weights matter: without them the model differs
    plain = Estimator(growth="none", dtype="float64", **settings)
    for _ in range(3):
        plain.partial_fit(X, y, **kwargs)
    assert np.abs(outputs(plain, X) - outputs(ours, X)).max() > 1e-3


# -- partial_fit -------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_partial_fit_equals_fit(Estimator, growth, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    # the pace partial_fit takes (a tenth per step): 'auto' paces a fit by its plan
    settings = dict(
        hidden_layer_sizes=(8,),
        growth=growth,
        size_learning_rate=0.1,
        shuffle=False,
        random_state=0,
    )
    fitted = Estimator(max_iter=10, tol=0, **settings)
    with pytest.warns(ConvergenceWarning):
        fitted.fit(X, y)
    incremental = Estimator(**settings)
    kwargs = {"classes": np.unique(y)} if Estimator is GrowingMLPClassifier else {}
    for _ in range(10):
        incremental.partial_fit(X, y, **kwargs)
        assert incremental.n_iter_ == 1
    assert incremental.t_ == fitted.t_ == 10 * len(X)
    np.testing.assert_allclose(outputs(incremental, X), outputs(fitted, X), rtol=1e-6)
    np.testing.assert_allclose(incremental.size_curve_, fitted.size_curve_, rtol=1e-6)


def test_partial_fit_needs_classes_on_first_call(digits):
    X, y = digits
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        GrowingMLPClassifier().partial_fit(X, y)


def test_partial_fit_rejects_unseen_labels_by_name(digits):
    X, y = digits
    model = GrowingMLPClassifier(hidden_layer_sizes=(4,)).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"classes not in `self.classes_`: \[7\]"):
        model.partial_fit(X[:5], [0, 1, 2, 7, 0])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_with_early_stopping_is_an_error(Estimator, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    kwargs = {"classes": np.unique(y)} if Estimator is GrowingMLPClassifier else {}
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        Estimator(early_stopping=True).partial_fit(X, y, **kwargs)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_after_fit_continues(Estimator, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    model = Estimator(hidden_layer_sizes=(5,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    model.partial_fit(X, y)
    assert len(model.loss_curve_) == 4 and model.t_ == 4 * len(X)


# -- warm start --------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_warm_start_continues_weights_and_sizes(Estimator, growth, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    model = Estimator(
        hidden_layer_sizes=(20,),
        growth=growth,
        max_iter=10,
        batch_size=10,
        size_learning_rate=0.002,
        warm_start=True,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    first = model.size_curve_[-1][0]
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    sizes = np.array(model.size_curve_)[:, 0]
    assert len(sizes) == 20 and model.n_iter_ == 10
    assert sizes[9] == first
    # the second fit goes on from the first one's size (a fresh start would be near 0)
    assert abs(sizes[10] - first) < 0.25 * first
    assert sizes[-1] > first + 0.5


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
@pytest.mark.parametrize("new_capacity", [(40, 12), (6, 3)])
def test_warm_start_adapts_capacity_keeping_trained_neurons(
    Estimator, growth, new_capacity, friedman, digits
):
    X, y = data_for(Estimator, friedman, digits)
    model = Estimator(
        hidden_layer_sizes=(20, 10),
        growth=growth,
        initial_size=(8, 4),
        max_iter=5,
        warm_start=True,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    before = outputs(model, X)
    sizes_before = model.size_curve_[-1]
    # (near) zero learning rates: the fit only changes the shapes
    model.set_params(
        hidden_layer_sizes=new_capacity,
        learning_rate_init=1e-12,
        size_learning_rate=1e-12,
        max_iter=1,
    )
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert model._network.arch.capacities == new_capacity
    if new_capacity[0] > 20:
        # every trained neuron is kept and the size in neurons is unchanged
        np.testing.assert_allclose(model.size_curve_[-1], sizes_before, rtol=1e-5)
        np.testing.assert_allclose(outputs(model, X), before, rtol=1e-5, atol=1e-6)
    else:
        assert model.hidden_layer_sizes_ <= new_capacity
        assert model.size_curve_[-1] == pytest.approx(np.minimum(sizes_before, new_capacity))


def test_warm_start_with_other_classes_is_an_error(digits):
    X, y = digits
    model = GrowingMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True)
    model.fit(X, y)
    with pytest.raises(ValueError, match="warm_start can only be used where `y` has the same"):
        model.fit(X, np.where(y == 2, 5, y))


@pytest.mark.parametrize("change", [dict(activation="tanh"), dict(growth="controller")])
def test_warm_start_cannot_change_the_kind_of_network(change, friedman):
    X, y = friedman
    model = GrowingMLPRegressor(hidden_layer_sizes=(4,), max_iter=2, warm_start=True)
    model.fit(X, y)
    model.set_params(**change)
    with pytest.raises(ValueError, match=f"{next(iter(change))} cannot change"):
        model.fit(X, y)


def test_warm_start_without_convergence_warns(friedman):
    X, y = friedman
    model = GrowingMLPRegressor(hidden_layer_sizes=(4,), max_iter=2, warm_start=True)
    for _ in range(2):
        with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
            model.fit(X, y)


# -- verbose, sparse input, signature ----------------------------------------------------------


def test_verbose_prints_sklearn_lines_and_sizes(friedman, capsys):
    X, y = friedman
    GrowingMLPRegressor(hidden_layer_sizes=(5,), max_iter=2, verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert re.search(r"^Iteration 1, loss = \d+\.\d{8}$", out, re.M)
    assert re.search(r"^Layer sizes: \d+\.\d\d$", out, re.M)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("sparse_format", [sp.csr_matrix, sp.csc_matrix, sp.csr_array])
def test_sparse_input_gives_the_dense_result(Estimator, sparse_format, friedman, digits):
    X, y = data_for(Estimator, friedman, digits)
    X = np.where(np.abs(X) < 0.5, 0, X)
    settings = dict(hidden_layer_sizes=(6,), max_iter=3, batch_size=40, random_state=0)
    dense = Estimator(**settings).fit(X, y)
    sparse = Estimator(**settings).fit(sparse_format(X), y)
    np.testing.assert_allclose(outputs(sparse, sparse_format(X)), outputs(dense, X))


def test_regressor_positional_order_is_sklearns(friedman):
    X, y = friedman
    model = GrowingMLPRegressor("squared_error", (5,), "tanh", max_iter=2).fit(X, y)
    assert model.hidden_layer_sizes == (5,) and model.activation == "tanh"
    with pytest.raises(TypeError):
        GrowingMLPRegressor("squared_error", (5,), "tanh", "adam")
    with pytest.raises(TypeError):
        GrowingMLPClassifier((5,), "tanh", "adam")


def test_parameters_are_sklearns_plus_growth():
    growth = {
        "growth",
        "size_penalty",
        "initial_size",
        "target_size",
        "size_learning_rate",
        "new_neurons",
        "size_tol",
        "weight_init",
        "size_input",
        "size_gradient",
        "shared_size",
    }
    for ours, theirs in [
        (GrowingMLPRegressor(), MLPRegressor()),
        (GrowingMLPClassifier(), MLPClassifier()),
    ]:
        ours, theirs = ours.get_params(), theirs.get_params()
        assert set(ours) == set(theirs) | growth | {"device", "dtype", "progress_bar"}
        assert {name: ours[name] for name in theirs} == theirs


# -- export ------------------------------------------------------------------------------------


EXPORT_CASES = [
    ("regression", "relu", (12,)),
    ("regression", "tanh", (12, 8, 6)),
    ("multi-output", "logistic", (10, 6)),
    ("poisson", "tanh", (8,)),
    ("binary", "identity", (10,)),
    ("multiclass", "relu", (10, 6)),
    ("multilabel", "tanh", (12,)),
]


def export_case(kind, activation, capacities, growth):
    rng = np.random.RandomState(0)
    X = rng.randn(120, 5)
    settings = dict(
        hidden_layer_sizes=capacities,
        activation=activation,
        growth=growth,
        initial_size=[c // 2 for c in capacities],
        max_iter=15,
        random_state=0,
    )
    if kind in ("regression", "multi-output", "poisson"):
        y = X[:, 0] * X[:, 1] + np.sin(X[:, 2])
        if kind == "multi-output":
            y = np.column_stack([y, X[:, 3] ** 2])
        if kind == "poisson":
            y = rng.poisson(np.exp(0.3 * X[:, 0]))
            settings["loss"] = "poisson"
        return GrowingMLPRegressor(**settings).fit(X, y), X
    if kind == "multilabel":
        y = (X[:, :3] > 0).astype(int)
    else:
        y = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5] if kind == "multiclass" else [0])
    return GrowingMLPClassifier(**settings).fit(
        X, np.array(["a", "b", "c"])[y] if kind == "multiclass" else y
    ), X


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind, activation, capacities", EXPORT_CASES)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_to_sklearn_round_trip(kind, activation, capacities, growth):
    model, X = export_case(kind, activation, capacities, growth)
    mlp = model.to_sklearn()
    assert isinstance(mlp, MLPRegressor if is_regressor(model) else MLPClassifier)
    assert mlp.hidden_layer_sizes == tuple(max(n, 1) for n in model.hidden_layer_sizes_)
    np.testing.assert_allclose(outputs(mlp, X), outputs(model, X), rtol=1e-5, atol=1e-5)
    if is_classifier(model):
        np.testing.assert_array_equal(mlp.predict(X), model.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind, activation, capacities", EXPORT_CASES)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_to_torch_round_trip(kind, activation, capacities, growth):
    import torch

    model, X = export_case(kind, activation, capacities, growth)
    module = model.to_torch()
    assert isinstance(module, torch.nn.Sequential)
    with torch.no_grad():
        out = module(torch.as_tensor(X, dtype=torch.float32)).double().numpy()
    expected = outputs(model, X)
    if is_classifier(model) and model.n_outputs_ == 1:
        expected = expected[:, 1:]
    np.testing.assert_allclose(out.reshape(expected.shape), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_export_of_an_empty_layer(friedman):
    X, y = friedman
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(10, 5), initial_size=(4, 0), size_learning_rate=1e-300, max_iter=1
    ).fit(X, y)
    assert model.hidden_layer_sizes_ == (4, 0)
    np.testing.assert_allclose(model.to_sklearn().predict(X), model.predict(X), atol=1e-12)
    assert np.ptp(model.predict(X)) == 0  # an empty layer passes nothing on


def test_exported_sklearn_model_keeps_training(friedman):
    X, y = friedman
    model = GrowingMLPRegressor(hidden_layer_sizes=(10,), max_iter=50, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    mlp = model.to_sklearn().set_params(warm_start=True, max_iter=5)
    with pytest.warns(ConvergenceWarning):
        mlp.fit(X, y)
    assert len(mlp.loss_curve_) == 55
