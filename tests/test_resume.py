"""An interrupted fit, resumed with ``warm_start=True`` on the same data and parameters,
ends bit-identical to the fit that was never interrupted: weights, optimiser moments,
learning-rate schedule, shuffling, stopping counters and sizes all carried."""

import pickle

import numpy as np
import pytest
from conftest import fit_quietly
from sklearn.datasets import make_friedman1, make_moons

import skgrow._training
from skgrow import GrowingMLPClassifier, GrowingMLPRegressor

pytest.importorskip("tqdm")  # the progress hook that the interruptions come from

SETTINGS = {
    "adam, growing": (GrowingMLPRegressor, {"growth": "controller"}),
    "adam, static": (GrowingMLPRegressor, {"growth": "none"}),
    "sgd adaptive, early stopping, growing": (
        GrowingMLPClassifier,
        {"solver": "sgd", "learning_rate": "adaptive", "early_stopping": True, "tol": 1e-2},
    ),
    "sgd invscaling, static": (
        GrowingMLPRegressor,
        {"solver": "sgd", "learning_rate": "invscaling", "growth": "none"},
    ),
    "adam, self-sizing": (GrowingMLPClassifier, {"growth": "auxiliary", "target_size": "auto"}),
}


class HookFailure(Exception):
    """An exception raised by user code called during training."""


def data(Estimator):
    if Estimator is GrowingMLPRegressor:
        X, y = make_friedman1(240, random_state=0)
        return X, (y - y.mean()) / y.std()
    return make_moons(240, noise=0.25, random_state=0)


def make(name, **extra):
    Estimator, params = SETTINGS[name]
    return Estimator(
        hidden_layer_sizes=(16,),
        batch_size=50,
        max_iter=25,
        n_iter_no_change=5,
        random_state=0,
        progress_bar=True,
        **params,
        **extra,
    )


def interrupt_at(monkeypatch, epoch, how):
    """Raise ``how`` from the progress hook at the end of ``epoch``, or mid-epoch (the
    third step of ``epoch``) for ``how == "mid-epoch Ctrl-C"``."""
    calls = {"hook": 0, "epoch": 0, "step": 0}
    if how == "mid-epoch Ctrl-C":
        run_epoch, train_step = skgrow._training.run_epoch, skgrow._training.train_step

        def epoch_counted(*args, **kwargs):
            calls["epoch"], calls["step"] = calls["epoch"] + 1, 0
            return run_epoch(*args, **kwargs)

        def step(*args, **kwargs):
            calls["step"] += 1
            if calls["epoch"] == epoch and calls["step"] == 3:
                raise KeyboardInterrupt
            return train_step(*args, **kwargs)

        monkeypatch.setattr(skgrow._training, "run_epoch", epoch_counted)
        monkeypatch.setattr(skgrow._training, "train_step", step)
        return
    original = skgrow._training.ProgressBar.update

    def update(self, *args):
        calls["hook"] += 1
        if calls["hook"] == epoch:
            raise KeyboardInterrupt if how == "Ctrl-C" else HookFailure("hook failed")
        return original(self, *args)

    monkeypatch.setattr(skgrow._training.ProgressBar, "update", update)


def same_model(a, b):
    for name in ("coefs_", "intercepts_"):
        for x, y in zip(getattr(a, name), getattr(b, name)):
            np.testing.assert_array_equal(x, y)
    assert a.n_iter_ == b.n_iter_ and a.t_ == b.t_
    assert a.loss_curve_ == b.loss_curve_ and a.size_curve_ == b.size_curve_
    assert a.hidden_layer_sizes_ == b.hidden_layer_sizes_ and a.n_features_in_ == b.n_features_in_
    assert getattr(a, "validation_scores_", None) == getattr(b, "validation_scores_", None)


@pytest.mark.parametrize("name", list(SETTINGS))
@pytest.mark.parametrize("epoch", [1, 4, 9])
@pytest.mark.parametrize("how", ["Ctrl-C", "exception", "mid-epoch Ctrl-C"])
def test_an_interrupted_fit_resumed_with_warm_start_is_the_uninterrupted_fit(
    name, epoch, how, monkeypatch
):
    X, y = data(SETTINGS[name][0])
    uninterrupted = fit_quietly(make(name), X, y)
    assert uninterrupted.n_iter_ > 9  # the interruptions fall inside the fit

    model = make(name)
    with monkeypatch.context() as patch:
        interrupt_at(patch, epoch, how)
        if how == "exception":
            with pytest.raises(HookFailure):
                fit_quietly(model, X, y)
            assert not hasattr(model, "coefs_")  # a failed fit leaves the estimator as it was
        else:
            with pytest.warns(UserWarning, match="Training interrupted by user"):
                model.fit(X, y)
            assert model.n_iter_ == epoch - 1  # the model of the last whole epoch
    model = pickle.loads(pickle.dumps(model))  # the resumable state survives saving
    fit_quietly(model.set_params(warm_start=True), X, y)
    same_model(model, uninterrupted)


def test_a_warm_start_on_other_data_or_parameters_does_not_resume(monkeypatch):
    X, y = data(GrowingMLPRegressor)
    model = make("adam, growing")
    with monkeypatch.context() as patch:
        interrupt_at(patch, 4, "Ctrl-C")
        with pytest.warns(UserWarning, match="Training interrupted"):
            model.fit(X, y)
    # other parameters: an ordinary warm start, a full max_iter of epochs from the model
    fit_quietly(model.set_params(warm_start=True, alpha=1e-3), X, y)
    assert model.n_iter_ > 3 and len(model.loss_curve_) == 3 + model.n_iter_
    model = make("adam, growing")
    with monkeypatch.context() as patch:
        interrupt_at(patch, 4, "exception")
        with pytest.raises(HookFailure):
            fit_quietly(model, X, y)
    fit_quietly(model.set_params(warm_start=True), X[:200], y[:200])  # other data: afresh
    assert len(model.loss_curve_) == model.n_iter_


def test_resuming_after_self_sizing_has_decided_is_the_uninterrupted_fit(monkeypatch):
    # the held-out rows have joined the training rows: the resumed fit trains on all of
    # them, from the random state the interrupted fit had
    X, y = make_moons(240, noise=0.25, random_state=0)
    params = dict(
        hidden_layer_sizes=(16,),
        batch_size=50,
        max_iter=60,
        growth="auxiliary",
        target_size="auto",
        random_state=0,
        progress_bar=True,
    )
    uninterrupted = fit_quietly(GrowingMLPClassifier(**params), X, y)
    model = GrowingMLPClassifier(**params)
    with monkeypatch.context() as patch:
        interrupt_at(patch, 58, "Ctrl-C")
        with pytest.warns(UserWarning, match="Training interrupted"):
            model.fit(X, y)
    assert model._history.sizing.done  # decided before the interruption
    fit_quietly(model.set_params(warm_start=True), X, y)
    same_model(model, uninterrupted)


def test_resuming_the_training_at_the_chosen_widths_ends_where_the_uninterrupted_fit_ends(
    monkeypatch,
):
    # the widths are decided early, so the fit ends one share after that, before max_iter
    X, y = make_friedman1(300, noise=0.3, random_state=0)
    params = dict(
        target_size="auto", max_iter=1000, n_iter_no_change=1000, random_state=0, progress_bar=True
    )
    uninterrupted = fit_quietly(GrowingMLPRegressor(**params), X, y)
    assert uninterrupted.n_iter_ < 1000
    model = GrowingMLPRegressor(**params)
    with monkeypatch.context() as patch:
        interrupt_at(patch, uninterrupted.n_iter_ - 5, "Ctrl-C")
        with pytest.warns(UserWarning, match="Training interrupted"):
            model.fit(X, y)
    assert model._history.sizing.done  # decided before the interruption
    fit_quietly(model.set_params(warm_start=True), X, y)
    same_model(model, uninterrupted)


def test_a_failed_partial_fit_leaves_nothing_for_a_later_fit(monkeypatch):
    X, y = data(GrowingMLPRegressor)
    model = fit_quietly(make("adam, growing"), X, y)
    reference = pickle.loads(pickle.dumps(model))
    with monkeypatch.context() as patch:
        interrupt_at(patch, 1, "mid-epoch Ctrl-C")
        original = skgrow._training.train_step

        def failing(*args, **kwargs):  # the step raises, as user code called in it might
            try:
                return original(*args, **kwargs)
            except KeyboardInterrupt:
                raise HookFailure("step failed") from None

        patch.setattr(skgrow._training, "train_step", failing)
        with pytest.raises(HookFailure):
            model.partial_fit(X, y)
    assert not hasattr(model, "_interrupted_fit")
    fit_quietly(model.set_params(warm_start=True), X, y)
    fit_quietly(reference.set_params(warm_start=True), X, y)
    same_model(model, reference)
