"""The training loop's pieces: optimisers, thread use."""

import math
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_validate

import skgrow._blocks
import skgrow._network
import skgrow._training as training
from skgrow import GrowingMLPRegressor
from skgrow._layout import Architecture, GrowthSettings
from skgrow._network import GrowingNetwork
from skgrow._training import SMALL_STEP, AdamOptimizer, threads_for_step


def network_and_batch(dtype=torch.float64):
    arch = Architecture(4, (12,), 1, "tanh", "identity", "auxiliary")
    rng = np.random.RandomState(0)
    network = GrowingNetwork.initialize(
        arch, GrowthSettings(1.0, (1.0,)), (0.4,), rng, dtype, torch.device("cpu")
    )
    X = torch.tensor(rng.randn(30, 4), dtype=dtype)
    Y = torch.tensor(rng.randn(30, 1), dtype=dtype)
    return network, X, Y


@pytest.mark.parametrize("size_lr_ratios", [[1.0], [7.0]])
def test_fused_adam_equals_the_plain_update(size_lr_ratios):
    # torch's one-kernel Adam, given eps / sqrt(1 - beta_2**t), is sklearn's formula
    results = []
    for fused in (True, False):
        network, X, Y = network_and_batch()
        optimizer = AdamOptimizer(network, 1e-2, size_lr_ratios, 0.9, 0.999, 1e-8)
        optimizer.fused = fused
        for _ in range(25):
            network.loss_and_gradient(X, Y, None, alpha=1e-3)
            optimizer.step()
        results.append(network.theta.clone())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-15)


def test_fused_adam_is_used_on_the_cpu():
    network, _, _ = network_and_batch(torch.float32)
    assert AdamOptimizer(network, 1e-3, [1.0], 0.9, 0.999, 1e-8).fused


def test_size_variables_step_at_their_own_rate():
    network, X, Y = network_and_batch()
    optimizer = AdamOptimizer(network, 1e-3, [10.0], 0.9, 0.999, 1e-8)
    before = network.theta.clone()
    network.loss_and_gradient(X, Y, None, alpha=0.0)
    optimizer.step()
    step = (network.theta - before).abs()
    z = network.layout.size_variables.offset
    # Adam's first step moves every parameter by its learning rate
    assert float(step[z]) == pytest.approx(1e-2, rel=1e-3)
    assert float(step[:z].max()) == pytest.approx(1e-3, rel=1e-3)


def test_small_networks_train_on_one_thread_and_restore_the_setting():
    previous = torch.get_num_threads()
    with threads_for_step(SMALL_STEP - 1, torch.device("cpu")):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == previous
    with threads_for_step(SMALL_STEP, torch.device("cpu")):
        assert torch.get_num_threads() == previous


class ThreadRecordingRegressor(GrowingMLPRegressor):
    """Records how many threads torch had while it trained (early stopping scores the
    held-out rows after each epoch, during training), and after its fit."""

    def _score_predictions(self, y_true, y_pred, sample_weight):
        self.threads_training_ = torch.get_num_threads()
        return super()._score_predictions(y_true, y_pred, sample_weight)

    def fit(self, X, y, sample_weight=None):
        self.threads_before_ = torch.get_num_threads()
        super().fit(X, y, sample_weight)
        self.threads_after_ = torch.get_num_threads()
        return self


def test_small_networks_train_on_one_thread_in_parallel_workers_too():
    X, y = make_friedman1(200, random_state=0)
    estimator = ThreadRecordingRegressor(
        hidden_layer_sizes=(512,), max_iter=2, batch_size=200, early_stopping=True
    )
    result = cross_validate(estimator, X, y, cv=2, n_jobs=2, return_estimator=True)
    for fitted in result["estimator"]:  # 200 rows x 6 k parameters: below SMALL_STEP
        assert fitted.threads_training_ == 1
        assert fitted.threads_after_ == fitted.threads_before_


@pytest.mark.parametrize("width, threads", [(512, 1), (16384, 2)])
def test_a_fit_trains_on_one_thread_below_a_large_step(width, threads):
    # 200 rows x 6 k parameters is below SMALL_STEP: one thread; 200 x 180 k is above it:
    # skgrow leaves torch's setting (2 here) alone. Either way the setting is restored.
    X, y = make_friedman1(200, random_state=0)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        estimator = ThreadRecordingRegressor(
            hidden_layer_sizes=(width,),
            max_iter=1,
            batch_size=200,
            growth="none",
            early_stopping=True,
        )
        with pytest.warns(ConvergenceWarning):
            estimator.fit(X, y)
        work = 200 * estimator._network.layout.n_parameters
        assert (work < SMALL_STEP) == (threads == 1)
        assert estimator.threads_training_ == threads
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("sample_weight", [False, True])
def test_batches_cut_from_chunks_are_the_batches_of_the_permutation(sample_weight, monkeypatch):
    # rows are gathered in chunks and cut into batches: the chunk size changes nothing
    rng = np.random.RandomState(0)
    X, y = rng.randn(230, 4), rng.randn(230)
    weights = rng.rand(230) + 0.5 if sample_weight else None

    def fit():
        model = GrowingMLPRegressor(
            hidden_layer_sizes=(6,), batch_size=20, max_iter=3, random_state=0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return model.fit(X, y, sample_weight=weights)

    whole = fit()  # 230 rows fit in one chunk
    monkeypatch.setattr(training, "CHUNK_BYTES", 1)  # one batch per chunk
    chunked = fit()
    np.testing.assert_allclose(chunked.loss_curve_, whole.loss_curve_, rtol=1e-6)
    for a, b in zip(chunked.coefs_, whole.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_a_fit_through_the_device_code_paths_equals_the_host_fit(growth, monkeypatch):
    # what a GPU does differently (copies instead of memory shared with numpy),
    # forced on the CPU: the fitted model must be the same
    X, y = make_friedman1(300, random_state=0)
    settings = dict(hidden_layer_sizes=(40,), growth=growth, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        on_host = GrowingMLPRegressor(**settings).fit(X, y)
        for module in (skgrow._blocks, skgrow._network):
            monkeypatch.setattr(module, "shares_host_memory", lambda device: False)
        copied = GrowingMLPRegressor(**settings).fit(X, y)
    assert copied._network._host_size_variables is None
    assert on_host.hidden_layer_sizes_ == copied.hidden_layer_sizes_
    np.testing.assert_array_equal(on_host.predict(X), copied.predict(X))


def test_a_fitted_model_keeps_no_activation_buffers():
    # the buffers hold batch-by-width activations: a fitted model must not carry them
    X, y = make_friedman1(300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GrowingMLPRegressor(hidden_layer_sizes=(64,), max_iter=3, random_state=0)
        model.fit(X, y)
    network = model._network
    assert network._views is None and not network._workspace._buffers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.partial_fit(X, y)  # and training again builds them anew
    assert model._network._views is None
    assert len(model.loss_curve_) == 4 and np.isfinite(model.predict(X)).all()


def test_divergence_is_any_weight_not_finite_not_a_sum_that_overflows():
    network, _, _ = network_and_batch(torch.float32)
    assert not training._has_diverged(0.5, network)
    assert training._has_diverged(float("nan"), network)
    with torch.no_grad():
        network.theta[:2] = 3e38  # finite weights whose sum is not
    assert not math.isfinite(float(network.theta.sum()))
    assert not training._has_diverged(0.5, network)
    with torch.no_grad():
        network.theta[5] = float("-inf")
    assert training._has_diverged(0.5, network)


@pytest.mark.parametrize("params", [{"target_size": "auto"}, {"size_gradient": "size_loss"}])
def test_steps_on_the_size_loss_alone_skip_the_size_task_gradient_with_the_same_fit(
    params, monkeypatch
):
    X, y = make_friedman1(200, random_state=0)
    kwargs = dict(hidden_layer_sizes=(32,), max_iter=40, random_state=0, **params)
    model = GrowingMLPRegressor(**kwargs)
    calls = []
    step = training.train_step

    def recording(network, optimizer, *args):
        calls.append(optimizer.reads_size_task_gradient)
        return step(network, optimizer, *args)

    monkeypatch.setattr(training, "train_step", recording)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
        assert calls and not any(calls)  # the size steps read the size loss's gradient only
        # the same fit with the gradient computed at every step
        monkeypatch.setattr(training.FlatOptimizer, "reads_size_task_gradient", True)
        every = GrowingMLPRegressor(**kwargs).fit(X, y)
    for a, b in zip(model.coefs_ + model.intercepts_, every.coefs_ + every.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert model.loss_curve_ == every.loss_curve_


def test_a_batch_of_rows_that_all_weigh_nothing_is_skipped_as_if_absent(monkeypatch):
    # sklearn's MLP, and skgrow before, divided by the batch's zero weight sum
    X, y = make_friedman1(200, random_state=0)
    y = (y - y.mean()) / y.std()
    weight = np.zeros(200)
    weight[:20] = 1.0
    params = dict(growth="none", batch_size=20, shuffle=False, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = GrowingMLPRegressor(**params).fit(X, y, sample_weight=weight)
        first_rows = GrowingMLPRegressor(**params).fit(X[:20], y[:20])
    # the first batch holds the rows of weight 1: the other 9 are skipped (the same
    # steps, up to float32 rounding of a weighted sum)
    np.testing.assert_allclose(weighted.loss_curve_, first_rows.loss_curve_, rtol=1e-5)
    for ours, theirs in zip(weighted.coefs_, first_rows.coefs_):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    # in small chunks of 2 batches, the last batch of 3 rows: the rows of weight 1 are
    # the 16th batch, the second of the 8th chunk
    weight = np.zeros(203)
    weight[150:160] = 1.0
    X_203, y_203 = make_friedman1(203, random_state=0)
    params = dict(params, batch_size=10)
    row_bytes = (X.shape[1] + 1 + 1) * 4  # X, Y and the weight of a float32 row
    monkeypatch.setattr(training, "CHUNK_BYTES", row_bytes * 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = GrowingMLPRegressor(**params).fit(X_203, y_203, sample_weight=weight)
        batch_rows = GrowingMLPRegressor(**params).fit(X_203[150:160], y_203[150:160])
    np.testing.assert_allclose(weighted.loss_curve_, batch_rows.loss_curve_, rtol=1e-5)
    for ours, theirs in zip(weighted.coefs_, batch_rows.coefs_):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    # shuffled, growing: some batches hold rows of weight 1, others none
    weight = np.zeros(200)
    weight[::20] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = GrowingMLPRegressor(batch_size=10, max_iter=20, random_state=0)
        model.fit(X, y, sample_weight=weight)
    assert np.all(np.isfinite(model.loss_curve_))


def test_early_stopping_that_leaves_only_rows_of_weight_zero_to_train_on_says_so():
    X, y = make_friedman1(200, random_state=0)
    weight = np.zeros(200)
    weight[:2] = 1.0
    messages = set()
    for seed in range(20):
        model = GrowingMLPRegressor(
            early_stopping=True, validation_fraction=0.5, max_iter=3, random_state=seed
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X, y, sample_weight=weight)
        except ValueError as error:
            messages.add(str(error).split(",")[0])
    assert "Every row of sample_weight above 0 fell in early stopping's validation set" in messages
