"""The torch core: hand-written gradients, folding the gates into static weights."""

import numpy as np
import pytest
import torch
from reference import reference_objective

import skgrow._blocks as blocks_module
import skgrow._network as network_module
from skgrow._blocks import block_size
from skgrow._export import fold_gates
from skgrow._growth import GROWTH_METHODS
from skgrow._layout import Architecture, GrowthSettings
from skgrow._network import GrowingNetwork

OUTPUTS = {"identity": 2, "logistic": 2, "softmax": 3, "exp": 2}


def make_network(
    growth,
    activation="tanh",
    out="identity",
    capacities=(5, 4),
    z=(0.47, 0.61),
    size_input="fraction",
):
    arch = Architecture(3, capacities, OUTPUTS[out], activation, out, growth, size_input)
    growth_settings = GrowthSettings(0.3, tuple(0.9 for _ in capacities))
    rng = np.random.RandomState(0)
    return GrowingNetwork.initialize(
        arch, growth_settings, z[: len(capacities)], rng, torch.float64, torch.device("cpu")
    )


def make_batch(out, n=7, seed=1):
    rng = np.random.RandomState(seed)
    X = torch.tensor(rng.randn(n, 3))
    if out == "softmax":
        Y = torch.eye(3, dtype=torch.float64)[rng.randint(0, 3, n)]
    elif out == "logistic":
        Y = torch.tensor(rng.randint(0, 2, (n, 2)), dtype=torch.float64)
    else:
        Y = torch.tensor(rng.rand(n, 2))
    return X, Y, torch.tensor(rng.rand(n) + 0.5)


@pytest.mark.parametrize("growth", ["controller", "auxiliary", "none"])
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("out", ["identity", "logistic", "softmax", "exp"])
def test_gradient_matches_autograd(growth, activation, out):
    network = make_network(growth, activation, out)
    assert_gradient_matches_autograd(network, out)


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
@pytest.mark.parametrize(
    "capacities, z",
    [
        ((100,), (0.371,)),  # 37.1 of 100 neurons: a block of 48 with a gated-off tail
        ((40, 70), (0.52, 0.33)),
        ((64, 48, 80), (0.9, 0.2, 0.61)),
    ],
)
def test_gradient_of_partial_blocks_matches_autograd(growth, capacities, z):
    network = make_network(growth, "tanh", "softmax", capacities, z)
    assert_gradient_matches_autograd(network, "softmax")
    blocks = network._views.blocks
    active = network.active_sizes()
    assert all(a <= b <= c for a, b, c in zip(active, blocks, capacities))
    assert any(b < c for b, c in zip(blocks, capacities)), "some layer must compute a block"


def assert_gradient_matches_autograd(network, out, inference=False):
    X, Y, w = make_batch(out)
    with torch.inference_mode(inference):
        loss = float(network.loss_and_gradient(X, Y, w, alpha=0.01))
    params = network.theta.clone().requires_grad_(True)
    expected = reference_objective(network, params, X, Y, w, alpha=0.01)
    expected.backward()
    expected = expected.detach()

    assert float(loss) == pytest.approx(float(expected), rel=1e-12)
    np.testing.assert_allclose(network.grad, params.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
@pytest.mark.parametrize("capacities, z", [((6,), (0.41,)), ((5, 4), (0.47, 0.61))])
def test_size_gradient_matches_finite_differences(growth, capacities, z):
    network = make_network(growth, "tanh", "identity", capacities, z)
    X, Y, w = make_batch("identity", n=11)
    network.loss_and_gradient(X, Y, w, alpha=0.01)
    analytic = network.size_variable_grads.clone()
    assert torch.all(analytic != 0), "the size variables must receive a gradient"

    h = 1e-6
    for layer in range(len(capacities)):
        losses = []
        for step in (h, -h):
            shifted = make_network(growth, "tanh", "identity", capacities, z)
            shifted.size_variables[layer] += step
            losses.append(float(shifted.loss_and_gradient(X, Y, w, alpha=0.01)))
        numeric = (losses[0] - losses[1]) / (2 * h)
        assert float(analytic[layer]) == pytest.approx(numeric, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_a_shared_size_variable_gets_the_gradient_of_moving_every_layer(growth):
    # shared_size: one variable sets every layer's z, so its gradient is the derivative
    # of the objective when all of them move together, the size loss counted once
    capacities, z = (5, 5, 5), (0.47, 0.47, 0.47)

    def shared_network():
        network = make_network(growth, "tanh", "identity", capacities, z)
        network.growth = GrowthSettings(0.3, network.growth.target_variables, shared=True)
        return network

    X, Y, w = make_batch("identity", n=11)
    network = shared_network()
    loss = float(network.loss_and_gradient(X, Y, w, alpha=0.01))
    analytic = network.size_variable_grads.clone()
    assert torch.all(analytic == analytic[0]) and float(analytic[0]) != 0

    separate = make_network(growth, "tanh", "identity", capacities, z)
    separate_loss = float(separate.loss_and_gradient(X, Y, w, alpha=0.01))
    # per layer, the size loss is counted in each of the three layers
    assert separate_loss - loss == pytest.approx(2 * network._size_loss, rel=1e-9)
    assert network._size_loss > 0

    h, losses = 1e-6, []
    for step in (h, -h):
        shifted = shared_network()
        shifted.size_variables.add_(step)
        losses.append(float(shifted.loss_and_gradient(X, Y, w, alpha=0.01)))
    numeric = (losses[0] - losses[1]) / (2 * h)
    assert float(analytic[0]) == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_task_loss_alone_moves_the_size_variable():
    # with no size penalty the size variable still gets the task loss's gradient
    network = make_network("auxiliary")
    network.growth = GrowthSettings(0.0, network.growth.target_variables)
    X, Y, w = make_batch("identity")
    network.loss_and_gradient(X, Y, None, alpha=0.0)
    assert torch.all(network.size_variable_grads != 0)


def test_inactive_neurons_get_no_gradient():
    network = make_network("auxiliary", capacities=(10,), z=(0.35,))  # 3.5 of 10 neurons
    X, Y, w = make_batch("identity")
    network.loss_and_gradient(X, Y, w, alpha=0.01)
    assert network.active_sizes() == (4,)
    assert torch.all(network.weight_grads[0][:, 4:] == 0)
    assert torch.all(network.bias_grads[0][4:] == 0)
    assert torch.all(network.weight_grads[1][4:] == 0)
    assert torch.any(network.weight_grads[0][:, :4] != 0)


@pytest.mark.parametrize("growth", ["controller", "auxiliary", "none"])
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_folded_weights_compute_the_gated_network(growth, activation):
    network = make_network(growth, activation, "softmax", capacities=(6, 5), z=(0.58, 0.33))
    X, _, _ = make_batch("softmax", n=20)
    coefs, intercepts = fold_gates(network)
    expected_sizes = network.active_sizes()
    assert [c.shape[1] for c in coefs[:-1]] == list(expected_sizes)

    a = X.numpy()
    act = {
        "identity": lambda x: x,
        "logistic": lambda x: 1 / (1 + np.exp(-x)),
        "tanh": np.tanh,
        "relu": lambda x: np.maximum(x, 0),
    }[activation]
    for coef, intercept in zip(coefs[:-1], intercepts[:-1]):
        a = act(a @ coef + intercept)
    logits = a @ coefs[-1] + intercepts[-1]
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(probabilities, network.predict(X).numpy(), rtol=1e-12, atol=1e-14)


def test_the_l2_term_covers_the_weights_between_active_neurons():
    network = make_network("auxiliary", capacities=(5, 4), z=(0.47, 0.61))  # 2.35 and 2.44
    X, Y, w = make_batch("identity")
    without = float(network.loss_and_gradient(X, Y, w, alpha=0.0))
    with_l2 = float(network.loss_and_gradient(X, Y, w, alpha=0.01))
    assert network.active_sizes() == (3, 3)
    weights = [w.numpy() for w in network.weights]
    active = (
        weights[0][:, :3],
        weights[1][:3, :3],
        weights[2][:3, :],
        network.size_weights[0].numpy()[:3],
        network.size_weights[1].numpy()[:3],
    )
    squares = sum(float((block**2).sum()) for block in active)
    expected = 0.5 * 0.01 * squares / float(w.sum())
    assert with_l2 - without == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_the_gate_vectors_follow_layers_that_grow_and_shrink(growth):
    # updated where the count changed only: must equal vectors built from scratch
    network = make_network(growth, capacities=(6,), z=(0.5,))
    vectors = network._gate_vectors[0]
    gate_function = GROWTH_METHODS[growth].gates
    steps = [(0.41, 0.1), (0.5, 0.1), (0.52, 0.3), (0.1, 0.3), (1.0, 0.3), (0.0, 0.3)]
    steps += [(0.3, 0.0), (0.93, 0.2), (0.93, 0.02), (0.95, None), (0.7, None)]
    # a layer held at its size: the same z again, with and without a new l2
    steps += [(0.7, None), (0.7, 0.4), (0.7, 0.4), (0.52, 0.4), (0.52, 0.4), (0.52, 0.1)]
    l2 = 0.0
    for z, new_l2 in steps:
        block = vectors.track(z, new_l2)
        n = vectors.n_active
        l2 = l2 if new_l2 is None else new_l2
        gates = gate_function(z, 6)
        assert n == gates.n_active
        assert block == block_size(n, 6)
        active = (np.arange(6) < n) * 1.0
        derivative = np.zeros(6)
        if gates.partial:
            derivative[n - 1] = gates.last_derivative
        expected = [l2 * active, gates.values(6), derivative, active]
        np.testing.assert_allclose(vectors.host, expected, rtol=1e-15, err_msg=str(z))


def test_new_neurons_are_taken_once_and_again_once_the_grown_widths_go_back():
    network = make_network("auxiliary", capacities=(10,), z=(0.3,))
    network.grown = [0]
    assert network.take_new_neurons() == [(0, 0, 3)]
    assert network.take_new_neurons() == []  # the same sizes: nothing new
    network.grown = [1]  # as a checkpoint that goes back to an earlier epoch sets it
    assert network.take_new_neurons() == [(0, 1, 3)]
    with torch.no_grad():
        network.size_variables.fill_(0.55)
    assert network.take_new_neurons() == [(0, 3, 6)]


def test_a_redrawn_network_has_a_new_networks_weights_its_sizes_and_no_grown_neurons():
    network = make_network("auxiliary", capacities=(10, 6), z=(0.3, 0.5))
    with torch.no_grad():
        network.theta.mul_(3.0).add_(1.0)  # weights a fit has moved
        network.size_variables.copy_(torch.tensor([0.7, 0.4], dtype=torch.float64))
    network.take_new_neurons()
    assert network.grown == [7, 3]
    network.redraw(np.random.RandomState(0))
    new = make_network("auxiliary", capacities=(10, 6), z=(0.7, 0.4))  # drawn from seed 0
    assert torch.equal(network.theta, new.theta)
    assert network.active_sizes() == (7, 3)
    assert network.grown == [0, 0]  # every active neuron enters anew
    assert network.take_new_neurons() == [(0, 0, 7), (1, 0, 3)]


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
@pytest.mark.parametrize("shared", [False, True])
def test_a_step_that_reads_no_size_gradient_leaves_the_rest_of_the_gradient_alike(growth, shared):
    # steps that move the size variables on the size loss alone skip their task gradient
    network = make_network(growth, capacities=(5, 5), z=(0.47, 0.47))
    network.growth = GrowthSettings(0.3, (0.9, 0.9), shared)
    X, Y, w = make_batch("identity")
    objectives, gradients, size_gradients = [], [], []
    for task_gradient in (True, False):
        with torch.inference_mode():
            network.grad.fill_(7.0)
            objective = network.loss_and_gradient(X, Y, w, 0.01, task_gradient)
        objectives.append((float(objective), objective.size_loss))
        gradients.append(network.grad[: network.layout.size_variables.offset].clone())
        size_gradients.append(list(network._size_gradient))
    assert objectives[0] == objectives[1] and size_gradients[0] == size_gradients[1]
    assert torch.equal(gradients[0], gradients[1])
    assert torch.all(network.size_variable_grads == 7.0)  # not written without it


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_the_gate_vectors_report_the_block_of_their_active_neurons(growth):
    # the block is recomputed only when the count leaves the current one's range
    network = make_network(growth, capacities=(100,), z=(0.5,))
    vectors = network._gate_vectors[0]
    steps = [0.0, 0.01, 0.08, 0.081, 0.09, 0.16, 0.17, 0.5, 0.33, 0.32, 0.31, 1.0, 0.999, 0.0]
    blocks = []
    for z in steps:
        block = vectors.track(z, None)
        assert block == block_size(vectors.n_active, 100), z
        blocks.append(block)
    assert len(set(blocks)) >= 6


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_gradient_stays_exact_while_layers_grow_and_shrink(growth):
    # what a step leaves behind (gate vectors, blocks, the L2 scratch, activation
    # buffers) must never leak into the next: every step is held against autograd
    network = make_network(growth, "tanh", "identity", (40, 70), (0.05, 0.9))
    sizes = [(0.05, 0.9), (0.21, 0.88), (0.47, 0.52), (0.48, 0.3), (1.0, 0.31), (0.6, 1.0)]
    sizes += [(0.33, 0.05), (0.0, 0.5), (0.9, 0.9)]
    blocks = []
    for step, z in enumerate(sizes):
        with torch.no_grad():
            network.size_variables.copy_(torch.tensor(z, dtype=torch.float64))
        # training runs in inference mode, other callers do not: alternate
        assert_gradient_matches_autograd(network, "identity", inference=step % 2 == 0)
        blocks.append(network._views.blocks)
    assert len(set(blocks)) > 5
    assert any(
        b < a for previous, current in zip(blocks, blocks[1:]) for a, b in zip(previous, current)
    )


def test_the_device_code_paths_give_the_same_gradients(monkeypatch):
    # on a GPU, gate vectors and size variables are copied over instead of
    # shared with numpy; forced here on the CPU so that every machine checks them
    for module in (blocks_module, network_module):
        monkeypatch.setattr(module, "shares_host_memory", lambda device: False)
    network = make_network("auxiliary", "tanh", "identity", (40, 70), (0.05, 0.9))
    assert network._host_size_variables is None
    assert not network._gate_vectors[0].on_host
    for z in [(0.05, 0.9), (0.47, 0.52), (0.48, 0.3), (1.0, 1.0), (0.2, 0.6)]:
        with torch.no_grad():
            network.size_variables.copy_(torch.tensor(z, dtype=torch.float64))
        assert_gradient_matches_autograd(network, "identity", inference=True)
        network.clip_size_variables()


@pytest.mark.parametrize("on_host", [True, False])
def test_clipping_keeps_the_size_variables_within_zero_and_one(monkeypatch, on_host):
    if not on_host:  # the GPU code path, forced on the CPU
        for module in (blocks_module, network_module):
            monkeypatch.setattr(module, "shares_host_memory", lambda device: False)
    network = make_network("auxiliary", "tanh", "identity", (4, 6, 5), (0.5, 0.5, 0.5))
    cases = [
        ((-0.2, 1.3, 0.4), (0.0, 1.0, 0.4), (0, 6, 2)),
        ((0.1, 0.9, 0.4), (0.1, 0.9, 0.4), (1, 6, 2)),
    ]
    for z, expected, sizes in cases:
        with torch.no_grad():
            network.size_variables.copy_(torch.tensor(z, dtype=torch.float64))
        network.clip_size_variables()
        assert network.size_variables.tolist() == list(expected)
        assert network.active_sizes() == sizes


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_gradient_of_a_full_growing_network_matches_autograd(growth):
    network = make_network(growth, "tanh", "identity", (5, 4), (1.0, 1.0))
    assert_gradient_matches_autograd(network, "identity")
    assert network.active_sizes() == (5, 4)


@pytest.mark.parametrize("activation", ["tanh", "logistic"])
def test_weight_init_draws_weights_and_biases_within_its_bound(activation):
    # glorot: sklearn's bound; fan_in: 1/sqrt(fan_in) (the size input counts as an input);
    # unit: 1. Draws fill their range (a few hundred of them come near the bound).
    from skgrow import GrowingMLPRegressor

    X = np.random.RandomState(0).randn(50, 30)
    y = X[:, 0]
    fan_out = 200
    for weight_init, bound in [
        ("glorot", np.sqrt((2.0 if activation == "logistic" else 6.0) / (31 + fan_out))),
        ("fan_in", 1 / np.sqrt(31)),
        ("unit", 1.0),
    ]:
        model = GrowingMLPRegressor(
            hidden_layer_sizes=(fan_out,),
            activation=activation,
            weight_init=weight_init,
            initial_size=fan_out,
            max_iter=1,
            learning_rate_init=1e-12,  # one step that moves nothing measurable
            random_state=0,
        ).fit(X, y)
        theta = model._network.weights[0].numpy()
        biases = model._network.biases[0].numpy()
        for values in (theta, biases):
            assert np.abs(values).max() <= bound * (1 + 1e-6)
            assert np.abs(values).max() > 0.95 * bound


@pytest.mark.parametrize("capacities, z", [((9,), (0.41,)), ((40, 70), (0.52, 0.33))])
def test_a_size_input_in_neurons_has_exact_gradients_and_folds(capacities, z):
    # method A with size_input="neurons": the layer's extra input is S = capacity * z
    network = make_network("auxiliary", "tanh", "softmax", capacities, z, "neurons")
    assert network.arch.size_input_scales == tuple(float(c) for c in capacities)
    assert_gradient_matches_autograd(network, "softmax")
    X, Y, w = make_batch("identity", n=11)
    network = make_network("auxiliary", "tanh", "identity", capacities, z, "neurons")
    network.loss_and_gradient(X, Y, w, alpha=0.01)
    analytic = network.size_variable_grads.clone()
    h = 1e-6
    for layer in range(len(capacities)):
        losses = []
        for step in (h, -h):
            shifted = make_network("auxiliary", "tanh", "identity", capacities, z, "neurons")
            shifted.size_variables[layer] += step
            losses.append(float(shifted.loss_and_gradient(X, Y, w, alpha=0.01)))
        numeric = (losses[0] - losses[1]) / (2 * h)
        assert float(analytic[layer]) == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    # the folded static network computes the same function, and differs from the
    # network whose size input is the fraction
    coefs, intercepts = fold_gates(network)
    a = X.numpy()
    for coef, intercept in zip(coefs[:-1], intercepts[:-1]):
        a = np.tanh(a @ coef + intercept)
    np.testing.assert_allclose(a @ coefs[-1] + intercepts[-1], network.logits(X), rtol=1e-12)
    fraction = make_network("auxiliary", "tanh", "identity", capacities, z)
    assert not torch.allclose(fraction.logits(X), network.logits(X))


@pytest.mark.parametrize("growth", ["controller", "auxiliary"])
def test_the_plain_forward_follows_weights_widths_and_dtype(growth):
    # its views of the active neurons are kept while the widths stay the same: they must
    # see weights changed in place, a partly active neuron's gate that moves, widths that
    # change and a move to another dtype
    network = make_network(growth, "tanh", "softmax", capacities=(6, 5), z=(0.58, 0.33))
    X, _, _ = make_batch("softmax", n=20)
    weights = slice(0, network.layout.size_variables.offset)
    widths = set()
    for z, scale in [
        ((0.58, 0.33), 1.0),
        ((0.58, 0.33), 2.0),
        ((0.56, 0.31), 1.0),  # the same widths, other gates for the partly active neurons
        ((0.9, 0.7), 0.5),
        ((0.58, 0.33), 1.5),
    ]:
        with torch.no_grad():
            network.size_variables.copy_(torch.tensor(z, dtype=torch.float64))
            network.theta[weights].mul_(scale)
        widths.add(network.active_sizes())
        assert any(g.partial for g in network.gates())  # the gate vector is written too
        with torch.inference_mode():
            plain = network._plain_forward(X)[1]
            np.testing.assert_allclose(plain, network.logits(X), rtol=1e-12, atol=1e-14)
    assert len(widths) == 2
    network.to(torch.device("cpu"), torch.float32)
    with torch.inference_mode():
        X32 = X.float()
        np.testing.assert_allclose(network._plain_forward(X32)[1], network.logits(X32), rtol=1e-5)
