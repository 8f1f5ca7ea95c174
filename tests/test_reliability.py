"""What skgrow guarantees beyond a single fit: atomic fits, recovery from divergence
and interruption, persistence, determinism, thread-safe prediction."""

import io
import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import torch
from conftest import ESTIMATORS, GROWTH_METHODS, outputs
from sklearn.datasets import make_friedman1, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import skgrow._lbfgs
import skgrow._network
import skgrow._training
from skgrow import GrowingMLPClassifier, GrowingMLPRegressor


def dataset(Estimator, n=120, seed=0):
    if Estimator is GrowingMLPRegressor:
        X, y = make_friedman1(n, random_state=seed)
        return X, (y - y.mean()) / y.std()
    return make_moons(n, noise=0.2, random_state=seed)


def fitted_state(model) -> dict:
    """Everything the user can see of a fitted model, for comparisons."""
    return {
        name: value
        for name, value in vars(model).items()
        if name.endswith("_") and not name.startswith("_")
    }


# -- atomic fits ----------------------------------------------------------------------------


class Boom(Exception):
    pass


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("how", ["fit", "warm_start", "partial_fit"])
def test_a_failing_fit_leaves_the_model_as_it_was(Estimator, how, monkeypatch):
    X, y = dataset(Estimator)
    model = Estimator(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    before, predictions = fitted_state(model), outputs(model, X)
    network = model._network

    calls = {"n": 0}
    original = skgrow._training.run_epoch
    failing_epoch = 1 if how == "partial_fit" else 2  # partial_fit runs one epoch per call

    def fail_in_an_epoch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == failing_epoch:
            raise Boom("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(skgrow._training, "run_epoch", fail_in_an_epoch)
    X2, y2 = dataset(Estimator, seed=1)
    with pytest.raises(Boom):
        if how == "fit":
            model.set_params(hidden_layer_sizes=(5, 5)).fit(X2[:, :3], y2)
        elif how == "warm_start":
            model.set_params(warm_start=True, max_iter=4).fit(X2, y2)
        else:
            model.partial_fit(X2, y2)
    after = fitted_state(model)
    assert after.keys() == before.keys()
    assert model.n_features_in_ == X.shape[1] and model._network is network
    assert model.loss_curve_ == before["loss_curve_"] and len(model.loss_curve_) == 5
    np.testing.assert_array_equal(outputs(model, X), predictions)


def test_a_failed_first_fit_leaves_the_model_unfitted(monkeypatch):
    from sklearn.exceptions import NotFittedError

    def fail(*args, **kwargs):
        raise Boom("out of memory")

    monkeypatch.setattr(skgrow._training, "run_epoch", fail)
    model = GrowingMLPRegressor(hidden_layer_sizes=(4,))
    with pytest.raises(Boom):
        model.fit(*dataset(GrowingMLPRegressor))
    assert not hasattr(model, "n_features_in_")
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((2, 10)))


# -- interruption -----------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_keyboard_interrupt_keeps_the_model_so_far(Estimator, monkeypatch):
    X, y = dataset(Estimator)
    calls = {"n": 0}
    original = skgrow._training.run_epoch

    def interrupt_in_fourth_epoch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(skgrow._training, "run_epoch", interrupt_in_fourth_epoch)
    model = Estimator(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        model.fit(X, y)
    assert model.n_iter_ == 3 and len(model.size_curve_) == 3
    assert np.isfinite(outputs(model, X)).all()


def test_keyboard_interrupt_during_lbfgs_keeps_the_last_iterate(monkeypatch):
    X, y = dataset(GrowingMLPRegressor)
    original = skgrow._network.GrowingNetwork.continuous_sizes
    calls = {"n": 0}

    def interrupt_at_fifth_iteration(network):  # read once per recorded iteration
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return original(network)

    monkeypatch.setattr(
        skgrow._network.GrowingNetwork, "continuous_sizes", interrupt_at_fifth_iteration
    )
    model = GrowingMLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        model.fit(X, y)
    assert len(model.loss_curve_) == 4 and model.n_iter_ == 4
    assert model.loss_ == pytest.approx(model.loss_curve_[-1], rel=1e-5)
    assert np.isfinite(model.predict(X)).all()


# -- divergence ----------------------------------------------------------------------------------


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_a_huge_learning_rate_on_huge_targets_stops_with_finite_weights(growth):
    X, y = dataset(GrowingMLPRegressor)
    huge = y * 1e30  # still representable in float32
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(16,),
        growth=growth,
        solver="sgd",
        learning_rate_init=10.0,
        max_iter=50,
        random_state=0,
    )
    with pytest.warns(RuntimeWarning, match="Training diverged in epoch"):
        model.fit(X, huge)
    # the epoch that diverged ends the curve, as in sklearn; the ones before are finite
    assert model.n_iter_ < 50 and np.isfinite(model.loss_curve_[:-1]).all()
    assert not np.isfinite(model.loss_curve_[-1])
    assert all(np.isfinite(c).all() for c in model.coefs_ + model.intercepts_)
    assert torch.isfinite(model._network.theta).all()
    assert np.isfinite(model.predict(X)).all()
    # the poisoned optimiser state is dropped: training can go on from the restored weights
    model.set_params(learning_rate_init=1e-9).partial_fit(X, huge)
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_divergence_restores_the_weights_and_sizes_of_the_last_finite_epoch(growth, monkeypatch):
    X, y = dataset(GrowingMLPRegressor)
    original = skgrow._training.run_epoch
    snapshots = []

    def diverge_in_fourth_epoch(network, *args, **kwargs):
        loss = original(network, *args, **kwargs)
        snapshots.append(network.theta.clone())
        if len(snapshots) == 4:
            network.theta.mul_(float("inf"))
            return float("nan"), 0.0
        return loss

    monkeypatch.setattr(skgrow._training, "run_epoch", diverge_in_fourth_epoch)
    model = GrowingMLPRegressor(hidden_layer_sizes=(16,), growth=growth, max_iter=10)
    with pytest.warns(RuntimeWarning, match="Training diverged in epoch 4"):
        model.fit(X, y)
    # epoch 4 is recorded with its non-finite loss; the model is that of epoch 3
    assert model.n_iter_ == 4 and len(model.loss_curve_) == len(model.size_curve_) == 4
    assert np.isnan(model.loss_curve_[3]) and model.loss_ == model.loss_curve_[2]
    assert model.size_curve_[3] == model.size_curve_[2]
    assert torch.equal(model._network.theta, snapshots[2])
    assert model._optimizer is None


def test_lbfgs_divergence_keeps_the_last_finite_iterate(monkeypatch):
    X, y = dataset(GrowingMLPRegressor)
    network_loss = skgrow._lbfgs.GrowingNetwork.loss_and_gradient
    calls = {"n": 0}

    def nan_after_twenty_evaluations(self, *args, **kwargs):
        objective = network_loss(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] > 20:
            self.grad.fill_(float("nan"))
            return type(objective)(objective.loss_sum * float("nan"), 1.0, 0.0)
        return objective

    monkeypatch.setattr(
        skgrow._lbfgs.GrowingNetwork, "loss_and_gradient", nan_after_twenty_evaluations
    )
    model = GrowingMLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(RuntimeWarning, match="L-BFGS reached a non-finite loss"):
            model.fit(X, y)
    assert all(np.isfinite(c).all() for c in model.coefs_)


# -- persistence ------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_pickle_and_joblib_round_trips(Estimator, growth, solver, tmp_path):
    X, y = dataset(Estimator)
    unfitted = Estimator(hidden_layer_sizes=(8,), growth=growth, solver=solver, max_iter=15)
    assert pickle.loads(pickle.dumps(unfitted)).get_params() == unfitted.get_params()
    model = unfitted.set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    by_pickle = pickle.loads(pickle.dumps(model))
    joblib.dump(model, tmp_path / "model.joblib")
    by_joblib = joblib.load(tmp_path / "model.joblib")
    for restored in (by_pickle, by_joblib):
        np.testing.assert_array_equal(outputs(restored, X), outputs(model, X))
        assert restored.hidden_layer_sizes_ == model.hidden_layer_sizes_
        assert restored.size_curve_ == model.size_curve_


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_training_continues_after_loading(Estimator):
    X, y = dataset(Estimator)
    model = Estimator(hidden_layer_sizes=(8,), max_iter=3, random_state=0, early_stopping=False)
    model.partial_fit(X, y, **({"classes": [0, 1]} if Estimator is GrowingMLPClassifier else {}))
    restored = pickle.loads(pickle.dumps(model))
    model.partial_fit(X, y)
    restored.partial_fit(X, y)
    np.testing.assert_array_equal(outputs(restored, X), outputs(model, X))


def contains_tensor(value, seen=None) -> bool:
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, dict):
        return any(contains_tensor(v, seen) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_tensor(v, seen) for v in value)
    if hasattr(value, "__getstate__") and not isinstance(value, type):
        state = value.__getstate__()
        return state is not value and state is not None and contains_tensor(state, seen)
    return False


@pytest.mark.parametrize("early_stopping", [False, True])
def test_saved_state_holds_no_tensors_so_gpu_models_load_anywhere(early_stopping):
    # a tensor pickled on a GPU would need CUDA to load; the saved state is numpy only
    X, y = dataset(GrowingMLPRegressor)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(8,), max_iter=3, early_stopping=early_stopping, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert not contains_tensor(model.__getstate__())


def test_a_model_moved_to_another_device_loads_and_predicts_on_the_cpu(monkeypatch):
    # simulate a model trained with device="cuda": the saved state does not record a
    # device, so it loads on a CPU-only machine, and predicting falls back to the CPU
    X, y = dataset(GrowingMLPRegressor)
    model = GrowingMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    expected = model.predict(X)
    model.set_params(device="cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = pickle.loads(pickle.dumps(model))
    with pytest.warns(UserWarning, match="CUDA is not available; predicting on the CPU"):
        np.testing.assert_array_equal(loaded.predict(X), expected)
    with pytest.raises(ValueError, match="CUDA is not available"):
        loaded.fit(X, y)


def test_loading_never_uses_torch_load(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("torch.load must not be used to load models")

    model = GrowingMLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(
        *dataset(GrowingMLPRegressor)
    )
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    monkeypatch.setattr(torch, "load", refuse)
    buffer.seek(0)
    joblib.load(buffer)


# -- determinism --------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_random_state_none_varies_and_leaves_global_rngs_alone(Estimator, growth):
    X, y = dataset(Estimator)
    numpy_state, torch_state = np.random.get_state(), torch.get_rng_state()  # noqa: NPY002
    fits = [
        Estimator(hidden_layer_sizes=(8,), growth=growth, max_iter=3).fit(X, y) for _ in range(2)
    ]
    Estimator(hidden_layer_sizes=(8,), growth=growth, max_iter=3, random_state=1).fit(X, y)
    assert not np.array_equal(outputs(fits[0], X), outputs(fits[1], X))
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0] and np.array_equal(after[1], numpy_state[1])
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_grid_search_in_parallel_gives_the_same_results():
    X, y = dataset(GrowingMLPRegressor, n=200)
    grid = {"hidden_layer_sizes": [(8,), (16,)], "growth": GROWTH_METHODS}
    estimator = GrowingMLPRegressor(max_iter=10, random_state=3)
    results = []
    for n_jobs in (1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search = GridSearchCV(estimator, grid, cv=3, n_jobs=n_jobs).fit(X, y)
        results.append(search)
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_array_equal(results[0].cv_results_[key], results[1].cv_results_[key])
    np.testing.assert_array_equal(
        results[0].best_estimator_.predict(X), results[1].best_estimator_.predict(X)
    )


# -- concurrency -------------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_from_several_threads(Estimator):
    X, y = dataset(Estimator, n=400)
    model = Estimator(hidden_layer_sizes=(32, 16), max_iter=5, random_state=0).fit(X, y)
    chunks = np.array_split(X, 16)
    serial = [outputs(model, chunk) for chunk in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda chunk: outputs(model, chunk), chunks * 4))
    for expected, got in zip(serial * 4, parallel):
        np.testing.assert_array_equal(got, expected)


def _concurrent_candidates():
    settings = [
        (GrowingMLPRegressor, {"growth": "controller", "solver": "adam"}),
        (GrowingMLPRegressor, {"growth": "auxiliary", "solver": "sgd"}),
        (GrowingMLPClassifier, {"growth": "controller", "target_size": "auto"}),
        (GrowingMLPClassifier, {"growth": "none", "solver": "lbfgs"}),
        (GrowingMLPRegressor, {"growth": "auxiliary", "solver": "lbfgs"}),
        (GrowingMLPClassifier, {"growth": "auxiliary", "solver": "adam"}),
    ]
    return [
        (Estimator(hidden_layer_sizes=(12,), max_iter=15, random_state=seed, **params), seed)
        for seed, (Estimator, params) in enumerate(settings)
    ]


def _fitted_weights(model, seed):
    X, y = dataset(type(model), seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return [w.copy() for w in model.coefs_ + model.intercepts_]


def test_fits_at_once_in_threads_give_the_sequential_models_and_restore_torch_threads(
    monkeypatch,
):
    # small networks train on one torch thread, in whichever thread they are fitted
    seen = []
    run_epoch = skgrow._training.run_epoch

    def recording(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return run_epoch(*args, **kwargs)

    monkeypatch.setattr(skgrow._training, "run_epoch", recording)
    before = torch.get_num_threads()
    torch.set_num_threads(3)  # a setting the fits must leave as they found it
    try:
        sequential = [_fitted_weights(m, seed) for m, seed in _concurrent_candidates()]
        assert torch.get_num_threads() == 3
        for _ in range(3):
            concurrent = joblib.Parallel(n_jobs=6, backend="threading")(
                joblib.delayed(_fitted_weights)(m, seed) for m, seed in _concurrent_candidates()
            )
            assert torch.get_num_threads() == 3
            assert seen and set(seen) == {1}
            for expected, got in zip(sequential, concurrent):
                for a, b in zip(expected, got):
                    np.testing.assert_array_equal(a, b)
    finally:
        torch.set_num_threads(before)


def test_a_fit_in_a_thread_born_during_another_fit_restores_the_setting():
    # a thread started while a fit runs begins with torch's latest setting, 1; its own
    # fits must still end with the process's setting, not with 1
    import threading

    from skgrow._training import threads_for_step

    cpu, small = torch.device("cpu"), 1
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        inside, b_done = threading.Event(), threading.Event()
        seen = {}

        def fit_a():
            with threads_for_step(small, cpu):
                inside.set()
                b_done.wait(10)

        def fit_b():
            with threads_for_step(small, cpu):
                pass
            b_done.set()
            with threads_for_step(small, cpu):  # later, alone in its thread
                pass
            seen["b"] = torch.get_num_threads()

        a = threading.Thread(target=fit_a)
        a.start()
        inside.wait(10)
        b = threading.Thread(target=fit_b)
        b.start()
        b.join()
        a.join()
        later = threading.Thread(target=lambda: seen.update(new=torch.get_num_threads()))
        later.start()
        later.join()
        assert torch.get_num_threads() == 3 and seen == {"b": 3, "new": 3}
    finally:
        torch.set_num_threads(before)


def test_a_state_saved_before_the_versioned_format_fails_clearly():
    # such states named skgrow._training._ArrayOfTensor for their tensors
    old = b"\x80\x02cskgrow._training\n_ArrayOfTensor\n)\x81}(X\x05\x00\x00\x00arrayK\x00ub."
    with pytest.raises(ValueError, match="before its versioned state format"):
        pickle.loads(old)


@pytest.mark.parametrize("growth", ["auxiliary", "controller"])
def test_a_size_variable_that_turns_nan_mid_epoch_is_a_divergence(growth, monkeypatch):
    # a step that makes the size variable NaN must end the epoch as diverged, not crash
    # in the gates of the next step
    X, y = dataset(GrowingMLPRegressor)
    original = skgrow._training.train_step
    steps = {"n": 0}

    def poisoning(network, *args, **kwargs):
        steps["n"] += 1
        objective = original(network, *args, **kwargs)
        if steps["n"] == 3:
            network.size_variables.fill_(float("nan"))
        return objective

    monkeypatch.setattr(skgrow._training, "train_step", poisoning)
    model = GrowingMLPRegressor(hidden_layer_sizes=(6,), growth=growth, batch_size=20, max_iter=5)
    with pytest.warns(RuntimeWarning, match="Training diverged in epoch 1"):
        model.fit(X, y)
    # the epoch is recorded, the weights of the start restored
    assert model.n_iter_ == len(model.loss_curve_) == 1 and np.isfinite(model.predict(X)).all()
    assert all(np.isfinite(c).all() for c in model.coefs_)
