"""Saved models: a versioned state of plain data that later versions keep loading, that
fails clearly when it comes from an unknown future format, and that skops loads
trusting only the estimator classes."""

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_friedman1, make_moons
from sklearn.exceptions import ConvergenceWarning

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor, __version__
from skgrow._persistence import FORMAT_VERSION

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("skgrow_format*.pkl"))


def fitted(Estimator, **params):
    if Estimator is GrowingMLPRegressor:
        X, y = make_friedman1(100, random_state=0)
    else:
        X, y = make_moons(100, noise=0.2, random_state=0)
    model = Estimator(hidden_layer_sizes=(12,), max_iter=15, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y), X, y


def test_every_format_so_far_has_fixtures():
    formats = {int(path.name.split("_")[1].removeprefix("format")) for path in FIXTURES}
    assert formats == set(range(1, FORMAT_VERSION + 1))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_models_saved_by_earlier_versions_load_and_predict_identically(path):
    saved = pickle.loads(path.read_bytes())
    model, X, y = saved["model"], saved["X"], saved["y"]
    prediction = model.predict(X)
    if prediction.dtype.kind == "f":  # the same weights: equal up to the rounding of the
        # machine's matrix products, which differs between CPUs by an ulp or two
        rounding = 8 * np.finfo(prediction.dtype).eps * np.abs(saved["prediction"]).max()
        np.testing.assert_allclose(prediction, saved["prediction"], rtol=0, atol=rounding)
    else:
        np.testing.assert_array_equal(prediction, saved["prediction"])
    seen = model.t_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.partial_fit(X, y)  # and training goes on from the loaded state
    assert seen < model.t_ <= seen + len(X)  # self-sizing may hold rows out


@pytest.mark.parametrize("Estimator", [GrowingMLPRegressor, GrowingMLPClassifier])
def test_a_state_from_an_unknown_future_format_fails_naming_both_versions(Estimator):
    model, _, _ = fitted(Estimator)
    state = model.__getstate__()
    state["_fitted_state"] = {**state["_fitted_state"], "format": FORMAT_VERSION + 1}
    state["_skgrow_version"] = "99.0"
    with pytest.raises(ValueError) as error:
        Estimator.__new__(Estimator).__setstate__(state)
    message = str(error.value)
    assert f"skgrow 99.0 in state format {FORMAT_VERSION + 1}" in message
    assert f"skgrow {__version__} reads formats up to {FORMAT_VERSION}" in message


def _plain_types(value, seen):
    """Every type in a saved state, walking containers."""
    seen.add(type(value))
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, (dict, list, tuple)):
        for item in items:
            _plain_types(item, seen)
    return seen


@pytest.mark.parametrize(
    "params", [{}, {"solver": "sgd"}, {"solver": "lbfgs"}, {"target_size": "auto"}]
)
def test_the_saved_state_is_builtins_and_arrays_only(params):
    model, _, _ = fitted(GrowingMLPClassifier, **params)
    state = model.__getstate__()
    state.pop("_label_binarizer")  # sklearn's own, trusted wherever sklearn is
    allowed = (dict, list, tuple, str, int, float, bool, type(None), np.ndarray, np.generic)
    assert all(issubclass(t, allowed) for t in _plain_types(state, set()))


@pytest.mark.parametrize("Estimator", [GrowingMLPRegressor, GrowingMLPClassifier])
@pytest.mark.parametrize("params", [{}, {"solver": "sgd", "target_size": "auto"}])
def test_skops_loads_a_fitted_model_trusting_only_the_estimator(Estimator, params):
    sio = pytest.importorskip("skops.io")
    model, X, y = fitted(Estimator, **params)
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == [f"skgrow._estimators.{Estimator.__name__}"]
    loaded = sio.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        continued, again = loaded.partial_fit(X, y), model.partial_fit(X, y)
    np.testing.assert_array_equal(continued.predict(X), again.predict(X))


def test_a_record_field_added_later_takes_its_default_in_older_states():
    model, X, _ = fitted(GrowingMLPRegressor)
    state = model.__getstate__()
    del state["_fitted_state"]["history"]["fields"]["resume"]  # as before the field existed
    del state["_fitted_state"]["history"]["fields"]["size_loss_curve"]  # a list default
    loaded = GrowingMLPRegressor.__new__(GrowingMLPRegressor)
    loaded.__setstate__(state)
    assert loaded._history.resume is None and loaded._history.size_loss_curve == []
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
