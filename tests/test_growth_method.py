"""A new growth method is one class: the toy method of docs/architecture.md, end to end."""

import math
import pickle
import warnings

import numpy as np
import pytest
import torch

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor
from skgrow._growth import (
    GROWTH_METHODS,
    GROWTH_NAMES,
    GrowthMethod,
    register,
    saturated_gates,
)
from skgrow._layout import Architecture, GrowthSettings
from skgrow._network import GrowingNetwork


class LinearMask(GrowthMethod):
    """``k = capacity * z`` neurons; neuron ``m`` has gate ``clip(k - m + 1, 0, 1)``."""

    name = "linear mask"

    def gate_parts(self, z, capacity, rounded=float):
        k = rounded(capacity * z)
        whole = saturated_gates(k, capacity)
        if whole is not None:
            return whole
        n_full = math.floor(k)
        return n_full + 1, k - n_full, float(capacity)  # d(k - n_full)/dz

    def size(self, z, capacity):
        return min(max(capacity * z, 0.0), float(capacity))

    def variable(self, size, capacity):
        return size / capacity


@pytest.fixture
def linear_mask():
    method = register(LinearMask())
    yield method
    del GROWTH_METHODS[method.name]
    GROWTH_NAMES.discard(method.name)


def test_an_unregistered_method_is_refused():
    X = np.random.RandomState(0).randn(20, 2)
    with pytest.raises(ValueError, match="growth"):
        GrowingMLPRegressor(growth="linear mask").fit(X, X[:, 0])


@pytest.mark.usefixtures("linear_mask")
@pytest.mark.parametrize("capacities, z", [((6,), (0.41,)), ((5, 4), (0.47, 0.61))])
def test_its_size_gradient_matches_finite_differences(capacities, z):
    def network(shift=0.0, layer=0):
        arch = Architecture(3, capacities, 2, "tanh", "identity", "linear mask")
        variables = [v + (shift if i == layer else 0.0) for i, v in enumerate(z)]
        return GrowingNetwork.initialize(
            arch,
            GrowthSettings(0.3, tuple(0.9 for _ in capacities)),
            variables,
            np.random.RandomState(0),
            torch.float64,
            torch.device("cpu"),
        )

    rng = np.random.RandomState(1)
    X, Y = torch.tensor(rng.randn(11, 3)), torch.tensor(rng.rand(11, 2))
    analytic = network()
    analytic.loss_and_gradient(X, Y, None, alpha=0.01)
    h = 1e-6
    for layer in range(len(capacities)):
        up, down = (
            float(network(step, layer).loss_and_gradient(X, Y, None, alpha=0.01))
            for step in (h, -h)
        )
        numeric = (up - down) / (2 * h)
        assert numeric != 0
        assert float(analytic.size_variable_grads[layer]) == pytest.approx(numeric, rel=1e-6)


@pytest.mark.usefixtures("linear_mask")
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_estimators_grow_with_it_and_publish_a_static_network(solver):
    rng = np.random.RandomState(0)
    X = rng.randn(120, 3)
    y = np.sin(2 * X[:, 0]) + X[:, 1]
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(16,),
        growth="linear mask",
        solver=solver,
        initial_size=1,
        max_iter=40,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    sizes = np.asarray(model.size_curve_)[:, 0]
    assert sizes[-1] > 2  # it grew from its 1 neuron
    assert model.hidden_layer_sizes_[0] == math.ceil(sizes[-1] - 1e-9)
    # the published weights are the gated network folded into a static one
    np.testing.assert_allclose(model.to_sklearn().predict(X), model.predict(X), rtol=1e-5)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), model.predict(X))


@pytest.mark.usefixtures("linear_mask")
def test_a_classifier_sizes_itself_with_it():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 2)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = GrowingMLPClassifier(
        hidden_layer_sizes=(32,), growth="linear mask", target_size="auto", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    assert 0 < model.hidden_layer_sizes_[0] <= 32
    assert model.score(X, y) > 0.8
