"""The gate functions and size losses against docs/growing.rst, "The two growth methods"."""

import math

import numpy as np
import pytest

from skgrow._growth import GROWTH_METHODS, rounding_to, sizes_per_layer, smooth_step

auxiliary_gates = GROWTH_METHODS["auxiliary"].gates
controller_gates = GROWTH_METHODS["controller"].gates


@pytest.mark.parametrize(
    "n, expected",
    [
        (-1.0, 0.0),
        (0.0, 0.0),
        (0.25, math.sin(math.pi / 8) ** 2),
        (0.5, 0.5),
        (1.0, 1.0),
        (3.0, 1.0),
    ],
)
def test_smooth_step_values(n, expected):
    assert smooth_step(n) == pytest.approx(expected, abs=1e-15)


def test_smooth_step_is_monotone_and_continuous():
    values = np.array([smooth_step(n) for n in np.linspace(-0.5, 1.5, 2001)])
    assert np.all(values[1:] >= values[:-1])
    assert np.abs(np.diff(values)).max() < 2e-3


def test_rounding_to_float32_is_numpys_conversion():
    rounded = rounding_to(np.float32)
    values = np.random.RandomState(0).uniform(-3000, 3000, 1000).tolist() + [1 / 3, 1e-40]
    assert [rounded(v) for v in values] == [float(np.float32(v)) for v in values]
    assert rounding_to(np.float64) is float and rounding_to(float) is float


def test_a_float32_size_of_whole_neurons_switches_on_no_further_neuron():
    # z = k / N stored in float32: N * z in float64 exceeds k by ~1e-8, in float32 it is k
    cases = [
        (k, n)
        for n in range(3, 40)
        for k in range(1, n)
        if n * float(np.float32(k / n)) > k and float(np.float32(n * np.float32(k / n))) == k
    ]
    assert len(cases) > 10
    rounded = rounding_to(np.float32)
    for k, n in cases:
        z = float(np.float32(k / n))
        assert auxiliary_gates(z, n, rounded) == (k, 1.0, 0.0, False), (k, n)
        assert auxiliary_gates(z, n) != (k, 1.0, 0.0, False), (k, n)


@pytest.mark.parametrize("name", ["auxiliary", "controller"])
@pytest.mark.parametrize("precision", [np.float32, float])
def test_the_exact_variable_of_a_whole_size_got_back_from_its_variable_has_that_many_neurons(
    name, precision
):
    # method B's size of its variable for 8 of 64 neurons is 8.000000000000002
    method, rounded = GROWTH_METHODS[name], rounding_to(precision)
    for capacity in (10, 64, 100):
        for n in range(1, capacity + 1):
            size = method.size(method.variable(n, capacity), capacity)
            z = method.exact_variable(size, capacity, precision)
            assert method.gate_parts(z, capacity, rounded)[0] == n, (capacity, n, size)


def test_auxiliary_gate_of_fractional_neuron():
    # S = 3.5 neurons of 9: three neurons fully on, the fourth half on (theta(0.5))
    gates = auxiliary_gates(3.5 / 9, 9)
    np.testing.assert_allclose(gates.values(9), [1, 1, 1, 0.5, 0, 0, 0, 0, 0], atol=1e-12)
    assert gates.n_active == 4 and gates.partial


@pytest.mark.parametrize("S, n_active", [(0.0, 0), (2.0, 2), (2.25, 3), (9.0, 9), (12.0, 9)])
def test_auxiliary_gate_is_theta_of_S_minus_m_plus_1(S, n_active):
    gates = auxiliary_gates(S / 9, 9)
    m = np.arange(1, 10)
    expected = np.sin(np.pi / 2 * np.clip(S - m + 1, 0, 1)) ** 2
    np.testing.assert_allclose(gates.values(9), expected, atol=1e-12)
    assert gates.n_active == n_active


def test_controller_gate_of_fractional_neuron():
    # f = 0.35 of 10 neurons: k = 3.5, neurons 1-3 on, the fourth at k - 3 = 0.5
    c = 2 / math.pi * math.asin(math.sqrt(0.35))
    gates = controller_gates(c, 10)
    np.testing.assert_allclose(gates.values(10), [1, 1, 1, 0.5, 0, 0, 0, 0, 0, 0], atol=1e-12)
    assert gates.n_active == 4


@pytest.mark.parametrize("c, expected_k", [(0.0, 0.0), (0.5, 5.0), (1.0, 10.0)])
def test_controller_fraction_is_sin_squared(c, expected_k):
    assert controller_gates(c, 10).values(10).sum() == pytest.approx(expected_k, abs=1e-9)


@pytest.mark.parametrize("gate_function", [auxiliary_gates, controller_gates])
@pytest.mark.parametrize("z", [0.13, 0.377, 0.61, 0.94])
def test_gate_derivative_matches_finite_differences(gate_function, z):
    h = 1e-7
    numeric = (gate_function(z + h, 7).values(7) - gate_function(z - h, 7).values(7)) / (2 * h)
    gates = gate_function(z, 7)
    expected = np.zeros(7)
    expected[gates.n_active - 1] = gates.last_derivative
    # only the partly active neuron depends on z
    np.testing.assert_allclose(numeric, expected, atol=1e-5)


@pytest.mark.parametrize("method", ["auxiliary", "controller"])
@pytest.mark.parametrize("size", [0.0, 1.5, 4.0, 10.0])
def test_size_variable_round_trip(method, size):
    z = GROWTH_METHODS[method].variable(size, 10)
    assert GROWTH_METHODS[method].size(z, 10) == pytest.approx(size)


def test_size_losses_follow_design():
    z, target, capacity = [0.3], (0.5,), (9,)
    loss, grad = GROWTH_METHODS["auxiliary"].size_loss_and_gradient(z, target, capacity, 0.1)
    # method A: lambda (S - S_target)^2 in neurons, S = 9 z
    assert loss == pytest.approx(0.1 * (2.7 - 4.5) ** 2)
    assert grad[0] == pytest.approx(2 * 0.1 * (2.7 - 4.5) * 9)
    loss, grad = GROWTH_METHODS["controller"].size_loss_and_gradient(z, target, capacity, 0.32)
    assert loss == pytest.approx(0.32 * 0.2**2)
    assert grad[0] == pytest.approx(2 * 0.32 * -0.2)


def test_sizes_per_layer_broadcasts_and_validates():
    assert sizes_per_layer(None, (4, 6), "target_size") == (4.0, 6.0)
    assert sizes_per_layer(2, (4, 6), "initial_size") == (2.0, 2.0)
    assert sizes_per_layer([1, 5], (4, 6), "initial_size") == (1.0, 5.0)
    with pytest.raises(ValueError, match="initial_size has 3 entries"):
        sizes_per_layer([1, 2, 3], (4, 6), "initial_size")
    with pytest.raises(ValueError, match="target_size must be between 0 and"):
        sizes_per_layer(5, (4, 6), "target_size")
    with pytest.raises(ValueError, match="initial_size must be between 0 and"):
        sizes_per_layer([1, -1], (4, 6), "initial_size")


def test_a_warm_start_resize_keeps_what_a_size_input_in_neurons_feeds():
    # method A's size input in neurons moves with the capacity; each neuron's size input
    # times its weight is kept, so a resize that keeps the width keeps the function
    import warnings

    import torch
    from sklearn.datasets import make_friedman1

    from skgrow import GrowingMLPRegressor

    X, y = make_friedman1(100, random_state=0)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(9,),
        growth="auxiliary",
        size_input="neurons",
        initial_size=5,
        target_size=5,
        max_iter=5,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    before = model.predict(X)
    resized = model._network.with_capacities((20,), np.random.RandomState(1))
    assert resized.active_sizes() == model._network.active_sizes()
    np.testing.assert_allclose(
        resized.predict(torch.as_tensor(X, dtype=torch.float32)).numpy().ravel(), before, rtol=1e-5
    )
    with pytest.raises(ValueError, match="size_input cannot change"):
        model.set_params(warm_start=True, size_input="fraction").fit(X, y)


@pytest.mark.parametrize("size_learning_rate", [None, "auto"])
def test_a_size_loss_gradient_grows_on_a_schedule_whatever_the_data(size_learning_rate):
    # size_gradient="size_loss" (the authors' released code): the task loss does not move
    # the size variables, so two unrelated data sets give the same growth; the papers'
    # whole gradient does not
    import warnings

    from skgrow import GrowingMLPRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    targets = (np.sin(3 * X[:, 0]), 5 * X[:, 1] ** 2)

    def sizes(size_gradient, y):
        model = GrowingMLPRegressor(
            hidden_layer_sizes=(12,),
            growth="controller",
            size_gradient=size_gradient,
            size_learning_rate=size_learning_rate,
            size_penalty=0.01,
            max_iter=20,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(model.fit(X, y).size_curve_)

    schedule = [sizes("size_loss", y) for y in targets]
    np.testing.assert_array_equal(schedule[0], schedule[1])
    assert schedule[0][-1, 0] > schedule[0][0, 0]  # it grows
    whole = [sizes("whole", y) for y in targets]
    assert not np.array_equal(whole[0], whole[1])


@pytest.mark.parametrize(
    "solver, size_learning_rate",
    [("adam", None), ("adam", "auto"), ("sgd", "auto"), ("lbfgs", None)],
)
def test_a_shared_size_moves_every_layer_together(solver, size_learning_rate):
    import warnings

    from skgrow import GrowingMLPRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2]

    def curve(shared_size):
        model = GrowingMLPRegressor(
            hidden_layer_sizes=(8, 8),
            growth="controller",
            solver=solver,
            shared_size=shared_size,
            size_learning_rate=size_learning_rate,
            initial_size=1,
            size_penalty=0.01,
            max_iter=30,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(model.fit(X, y).size_curve_)

    shared, apart = curve(True), curve(False)
    np.testing.assert_array_equal(shared[:, 0], shared[:, 1])
    assert shared[-1, 0] > 1.1  # it grows
    assert not np.array_equal(apart[:, 0], apart[:, 1])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"hidden_layer_sizes": (8, 6)}, "hidden_layer_sizes differs"),
        ({"initial_size": (1, 2)}, "initial_size differs"),
        ({"target_size": (4, 8)}, "target_size differs"),
        ({"target_size": "auto"}, "target_size='auto'"),
    ],
)
def test_a_shared_size_needs_alike_layers(params, message):
    from skgrow import GrowingMLPRegressor

    X = np.random.RandomState(0).randn(20, 2)
    model = GrowingMLPRegressor(**{"hidden_layer_sizes": (8, 8), **params}, shared_size=True)
    with pytest.raises(ValueError, match=message):
        model.fit(X, X[:, 0])


def test_a_shared_size_refuses_layers_fitted_apart():
    import warnings

    from skgrow import GrowingMLPRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(40, 2)
    model = GrowingMLPRegressor(  # part-grown layers: a tenth of the way per step
        hidden_layer_sizes=(8, 8), max_iter=5, size_learning_rate=0.1, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, X[:, 0] * X[:, 1])
    sizes = model._network.continuous_sizes()
    assert sizes[0] != sizes[1]
    model.set_params(warm_start=True, shared_size=True)
    with pytest.raises(ValueError, match="fitted apart"):
        model.fit(X, X[:, 0] * X[:, 1])


def test_a_size_loss_gradient_needs_a_stochastic_solver():
    from skgrow import GrowingMLPRegressor

    X = np.random.RandomState(0).randn(20, 2)
    with pytest.raises(ValueError, match="size_gradient='size_loss' needs solver='adam' or 'sgd'"):
        GrowingMLPRegressor(solver="lbfgs", size_gradient="size_loss").fit(X, X[:, 0])
