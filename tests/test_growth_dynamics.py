"""How layers grow by default: new neurons with fitted read-outs, the gradient-step size
rule, sklearn's meaning of the loss, and a stopping rule that waits for growth."""

import warnings

import numpy as np
import pytest
import torch
from conftest import fit_quietly, friedman_data, standardized
from sklearn.datasets import load_breast_cancer, load_diabetes, make_friedman1, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor
from skgrow._entry import MIN_STEP_ROWS, RIDGE, fit_new_neurons
from skgrow._growth import GROWTH_METHODS
from skgrow._layout import Architecture, GrowthSettings
from skgrow._network import GrowingNetwork
from skgrow._training import AdamOptimizer, SizeSteps, new_optimizer


@pytest.fixture(scope="module")
def friedman():
    return friedman_data(300)


def network(capacities, initial, rng=0, growth="auxiliary", n_features=10, activation="tanh"):
    arch = Architecture(n_features, capacities, 1, activation, "identity", growth)
    targets = tuple(1.0 for _ in capacities)
    variables = [GROWTH_METHODS[growth].variable(s, c) for s, c in zip(initial, capacities)]
    return GrowingNetwork.initialize(
        arch,
        GrowthSettings(1.0, targets),
        variables,
        np.random.RandomState(rng),
        torch.float64,
        torch.device("cpu"),
    )


def test_new_neurons_of_the_last_layer_get_the_ridge_least_squares_read_out():
    net = network((10,), (4.0,), n_features=5)
    rng = np.random.RandomState(1)
    X, Y = torch.tensor(rng.randn(50, 5)), torch.tensor(rng.randn(50, 1))
    net.size_variables.fill_(7.0 / 10)  # neurons 5 to 7 switch on, fully
    fit_new_neurons(net, X, Y, None, [(0, 4, 7)], alpha=0.0)
    # independent reference: the residual of the network without the new neurons,
    # regressed on their activations with the ridge of _entry
    with torch.no_grad():
        W, b, v = net.weights[0], net.biases[0], net.size_weights[0]
        H = torch.tanh(X @ W + b + 0.7 * v).numpy()
        out_W, out_b = net.weights[1].numpy(), net.biases[1].numpy()
    residual = Y.numpy() - (H[:, :4] @ out_W[:4] + out_b)
    new = H[:, 4:7]
    gram = new.T @ new / 50
    ridge = RIDGE * np.diag(gram).mean()
    expected = np.linalg.solve(gram + ridge * np.eye(3), new.T @ residual / 50)
    np.testing.assert_allclose(out_W[4:7], expected, rtol=1e-10)
    assert np.all(out_W[7:] == net.weights[1].numpy()[7:])  # the rest untouched


def test_fitted_read_outs_lower_the_loss_where_random_ones_raise_it(friedman):
    X, y = friedman
    X, Y = torch.tensor(X), torch.tensor(y[:, None])
    losses = {}
    for entry in ("fitted", "random"):
        net = network((20,), (3.0,))
        before = net.task_loss(X, Y, None)
        net.size_variables.fill_(10.0 / 20)
        if entry == "fitted":
            fit_new_neurons(net, X, Y, None, net.take_new_neurons(), alpha=0.0)
        losses[entry] = net.task_loss(X, Y, None) - before
    assert losses["fitted"] < 0 < losses["random"]


def test_new_neurons_joining_on_a_batch_of_a_few_rows_start_with_zero_read_outs():
    rng = np.random.RandomState(0)
    X, Y = torch.tensor(rng.randn(40, 5)), torch.tensor(rng.randn(40, 1))
    # (rows, rows of weight above 0, weight of each): the rows that count, not the weight
    cases = {
        (MIN_STEP_ROWS - 1, None, None): False,
        (MIN_STEP_ROWS, None, None): True,
        (40, MIN_STEP_ROWS - 1, 1.0): False,
        (40, MIN_STEP_ROWS, 1.0): True,
        (40, MIN_STEP_ROWS, 0.5): True,  # weights summing to 8
        (5, None, "all rows"): True,  # a fit's whole data: its residual is the objective
    }
    for (rows, weighted, weight), fitted in cases.items():
        net = network((10,), (4.0,), n_features=5)
        net.size_variables.fill_(7.0 / 10)
        w = None if weighted is None else torch.tensor((np.arange(rows) < weighted) * weight)
        new = net.take_new_neurons()
        fit_new_neurons(net, X[:rows], Y[:rows], w, new, 0.0, all_rows=weight == "all rows")
        read_outs = net.weights[1][4:7]
        assert torch.all(read_outs != 0) if fitted else torch.all(read_outs == 0)


def network_with_new_neurons_active_on(active_rows, X, layers):
    """A ReLU network of ``layers`` hidden layers whose last layer gains neurons 4 to 6,
    each active on ``active_rows`` of ``X``'s rows (those where x_0 is largest)."""
    capacities, sizes = ((10,), (4.0,)) if layers == 1 else ((6, 10), (6.0, 4.0))
    net = network(capacities, sizes, n_features=X.shape[1], activation="relu")
    last = layers - 1
    if layers == 2:  # the first layer's neuron 0 passes x_0 on (its positive part)
        net.weights[0][:, 0] = 0.0
        net.weights[0][0, 0] = 1.0
        net.biases[0][0] = net.size_weights[0][0] = 0.0
    incoming = net.weights[last]
    incoming[:, 4:7] = 0.0
    incoming[0, 4:7] = 1.0
    net.size_weights[last][4:7] = 0.0
    ranked = torch.sort(X[:, 0], descending=True).values
    for neuron, rows in zip(range(4, 7), active_rows):  # a threshold between ranks
        net.biases[last][neuron] = -float(ranked[rows - 1] + ranked[rows]) / 2
    net.size_variables[last] = 7.0 / 10
    return net


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("all_rows", [False, True])
def test_a_deep_last_layers_new_neurons_active_on_a_few_rows_start_with_zero_read_outs(
    layers, all_rows
):
    rng = np.random.RandomState(0)
    X, Y = torch.tensor(rng.randn(40, 5)), torch.tensor(rng.randn(40, 1))
    cases = {  # (rows each new neuron is active on, a row of weight 0 among them)
        ((MIN_STEP_ROWS, MIN_STEP_ROWS - 1, 39), False): [True, False, True],
        ((MIN_STEP_ROWS, MIN_STEP_ROWS, MIN_STEP_ROWS), True): [False, False, False],
    }
    for (active_rows, unweighted), fitted in cases.items():
        if layers == 1:  # one hidden layer keeps every neuron's step
            fitted = [True, True, True]
        net = network_with_new_neurons_active_on(active_rows, X, layers)
        w = None
        if unweighted:
            w = torch.ones(40, dtype=torch.float64)
            w[torch.argmax(X[:, 0])] = 0.0
        new = net.take_new_neurons()
        assert new == [(layers - 1, 4, 7)]
        # a fit's rows all in one batch make no exception for a neuron: it would fit
        # the residual of the rows it is active on as on any batch
        fit_new_neurons(net, X, Y, w, new, 0.0, all_rows=all_rows)
        read_outs = net.weights[layers][4:7, 0]
        assert (read_outs != 0).tolist() == fitted


def test_early_stopping_with_two_layers_costs_nothing_on_small_noisy_data():
    # read-outs fitted to the few rows a new neuron of the last layer was active on
    # reached up to 44 here, and early stopping picked such an epoch on 36 validation
    # rows: mean R^2 0.19 against sklearn's 0.34
    X, y = standardized(*load_diabetes(return_X_y=True))
    ours, theirs = [], []
    for fold, (train, test) in enumerate(KFold(5, shuffle=True, random_state=0).split(X)):
        if fold == 2:
            break
        for seed in range(2):
            params = dict(hidden_layer_sizes=(64, 64), early_stopping=True, random_state=seed)
            model = fit_quietly(GrowingMLPRegressor(**params), X[train], y[train])
            ours.append(model.score(X[test], y[test]))
            model = fit_quietly(MLPRegressor(**params), X[train], y[train])
            theirs.append(model.score(X[test], y[test]))
    assert np.mean(ours) >= np.mean(theirs) - 0.01


def test_a_last_batch_of_two_rows_costs_the_default_regressor_nothing():
    # 402 rows: each epoch ends on a batch of 2; with read-outs fitted to 2 rows'
    # residual the three seeds scored 0.55, 0.60 and -2.08 here, sklearn's MLP 0.85
    X, y = friedman_data(2000)
    train, test = slice(0, 402), slice(1000, None)
    ours, theirs = [], []
    for seed in range(3):
        ours.append(fit_quietly(GrowingMLPRegressor(random_state=seed), X[train], y[train]))
        theirs.append(fit_quietly(MLPRegressor(random_state=seed), X[train], y[train]))
    ours = np.mean([m.score(X[test], y[test]) for m in ours])
    theirs = np.mean([m.score(X[test], y[test]) for m in theirs])
    assert ours >= theirs - 0.01


def test_new_neurons_of_earlier_layers_start_with_zero_outgoing_weights(friedman):
    X, y = friedman
    X, Y = torch.tensor(X), torch.tensor(y[:, None])
    net = network((12, 6), (5.0, 6.0))
    net.size_variables[0] = 9.0 / 12
    new = net.take_new_neurons()
    assert new == [(0, 5, 9)]
    fit_new_neurons(net, X, Y, None, new, alpha=0.0)
    assert torch.all(net.weights[1][5:9] == 0)
    # they contribute nothing: whatever their incoming weights, the network is the same
    before = net.task_loss(X, Y, None)
    net.weights[0][:, 5:9] = torch.randn(10, 4, dtype=torch.float64)
    assert net.task_loss(X, Y, None) == pytest.approx(before, rel=1e-12)


def test_new_neurons_keep_drawn_weights_towards_neurons_that_join_with_them():
    # three layers whose first neurons join together: zero between them everywhere would
    # be a saddle; only the weights towards neurons that were there before are zeroed
    net = network((8, 8, 8), (0.0, 0.0, 0.0))
    drawn = [w.clone() for w in net.weights]
    net.size_variables.copy_(torch.tensor([3.0, 2.0, 4.0]) / 8)
    new = net.take_new_neurons()
    assert new == [(0, 0, 3), (1, 0, 2), (2, 0, 4)]
    X, Y = torch.randn(20, 10, dtype=torch.float64), torch.randn(20, 1, dtype=torch.float64)
    fit_new_neurons(net, X, Y, None, new, alpha=0.0)
    assert torch.equal(net.weights[1], drawn[1]) and torch.equal(net.weights[2], drawn[2])
    # later, layer 0 gains neurons 3:5 while layer 1 has had 2 and gains 2:4 with them
    net.size_variables.copy_(torch.tensor([5.0, 4.0, 4.0]) / 8)
    new = net.take_new_neurons()
    assert new == [(0, 3, 5), (1, 2, 4)]
    fit_new_neurons(net, X, Y, None, new, alpha=0.0)
    assert torch.all(net.weights[1][3:5, :2] == 0)  # towards layer 1's earlier neurons
    assert torch.equal(net.weights[1][3:5, 2:], drawn[1][3:5, 2:])  # joining or yet to
    assert torch.all(net.weights[2][2:4, :4] == 0)  # layer 2 gains none: all it has
    assert torch.equal(net.weights[2][2:4, 4:], drawn[2][2:4, 4:])


def test_three_growing_hidden_layers_learn():
    # each layer's first neurons join together; with zero weights between them the
    # network stayed constant: chance accuracy with SGD's defaults
    X, y = make_moons(300, noise=0.2, random_state=0)
    kwargs = dict(hidden_layer_sizes=(32, 32, 32), solver="sgd", random_state=0)
    growing = fit_quietly(GrowingMLPClassifier(**kwargs), X, y)
    sklearn = fit_quietly(MLPClassifier(**kwargs), X, y)
    assert np.abs(growing.coefs_[1]).max() > 0.01
    assert growing.score(X, y) >= sklearn.score(X, y) - 0.02


def test_three_self_sizing_hidden_layers_learn_with_lbfgs():
    # with zero weights between the layers' first neurons L-BFGS met its tolerance at
    # once and self-sizing kept (4, 4, 4) predicting a constant (R^2 0.0)
    rng = np.random.RandomState(0)
    X = rng.randn(300, 3)
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.randn(300)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(64, 64, 64),
        solver="lbfgs",
        target_size="auto",
        max_iter=400,
        random_state=1,
    )
    fit_quietly(model, X, y)
    assert model.score(X, y) > 0.9


def test_new_neurons_of_a_poisson_output_start_with_zero_outgoing_weights():
    # the log link's curvature is the prediction: a unit-curvature step on counts
    # overshoots by their size, so the new neurons join with no contribution
    arch = Architecture(5, (10,), 1, "relu", "exp", "auxiliary")
    variables = [GROWTH_METHODS["auxiliary"].variable(4.0, 10)]
    settings = GrowthSettings(1.0, (1.0,))
    rng = np.random.RandomState(0)
    net = GrowingNetwork.initialize(
        arch, settings, variables, rng, torch.float64, torch.device("cpu")
    )
    X = torch.tensor(rng.randn(60, 5))
    Y = torch.tensor(rng.poisson(20.0, size=(60, 1)), dtype=torch.float64)
    net.size_variables.fill_(7.0 / 10)
    fit_new_neurons(net, X, Y, None, net.take_new_neurons(), alpha=0.0)
    assert torch.all(net.weights[1][4:7] == 0)


def test_the_default_poisson_regressor_fits_counts_as_sklearns_does():
    from sklearn.neural_network import MLPRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = rng.poisson(np.exp(3.0 + 0.5 * X[:, 0] - 0.3 * X[:, 1]))  # counts about 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)  # the divergence warning fails it
        ours = GrowingMLPRegressor(loss="poisson", max_iter=100, random_state=0).fit(X, y)
        theirs = MLPRegressor(loss="poisson", max_iter=100, random_state=0).fit(X, y)
    assert ours.hidden_layer_sizes_ == (100,)
    assert ours.score(X, y) >= theirs.score(X, y) - 0.01


def test_each_neuron_is_new_once():
    net = network((10,), (2.0,))
    net.size_variables.fill_(0.6)
    assert net.take_new_neurons() == [(0, 2, 6)]
    net.size_variables.fill_(0.3)  # the layer shrinks ...
    assert net.take_new_neurons() == []
    net.size_variables.fill_(0.8)  # ... and grows back: only neurons 7 and 8 are new
    assert net.take_new_neurons() == [(0, 6, 8)]


@pytest.mark.parametrize("growth", ["auxiliary", "controller"])
def test_each_step_moves_a_layer_a_fraction_of_the_way_to_its_target(growth, friedman):
    # a damped Newton step on the size loss: rate r moves the size variable r of the way
    X, y = friedman
    start, target = (GROWTH_METHODS[growth].variable(s, 40) for s in (4.0, 30.0))
    net = network((40,), (4.0,), growth=growth)
    net.growth = GrowthSettings(3.0, (target,))
    rates = GROWTH_METHODS[growth].step_rates((40,), size_penalty=3.0, pace=0.1)
    steps = SizeSteps(rates, limit=0.1, size_loss_only=True)
    optimizer = AdamOptimizer(net, 1e-3, [1.0], 0.9, 0.999, 1e-8, steps)
    net.loss_and_gradient(torch.tensor(X), torch.tensor(y[:, None]), None, 0.0)
    optimizer.step()
    moved = float(net.size_variables[0]) - start
    assert moved == pytest.approx(0.1 * (target - start), rel=1e-9)


def test_a_size_step_is_at_most_the_size_learning_rate(friedman):
    X, y = friedman
    net = network((40,), (0.0,), growth="controller")
    model = GrowingMLPRegressor(growth="controller", size_learning_rate=0.05, size_penalty=1e-3)
    optimizer = new_optimizer(net, model._optimizer_settings(), None)
    net.loss_and_gradient(torch.tensor(X), torch.tensor(1000 * y[:, None]), None, 0.0)
    optimizer.step()
    assert abs(float(net.size_variables[0])) <= 0.05 + 1e-12


def test_loss_curve_is_sklearns_loss_and_the_size_loss_is_reported_apart(friedman):
    # the example: 20 steps on 100 rows used to report a loss of about 9 600
    X, y = friedman
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(100,), batch_size=100, max_iter=20, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:100], y[:100])
    assert model.loss_ == model.loss_curve_[-1] < 1.0  # half the squared error, plus L2
    # one full batch per epoch: the size loss of epoch k is that of the sizes after k - 1
    sizes = np.asarray(model.size_curve_)[:, 0]
    expected = model.size_penalty * (sizes[:-1] - 100) ** 2
    np.testing.assert_allclose(model.size_loss_curve_[1:], expected, rtol=1e-4)
    assert model.size_loss_curve_[0] == pytest.approx(1.0 * 100**2)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_growth_that_training_has_outrun_goes_on_at_the_fastest_pace(early_stopping, friedman):
    # tol so large that no epoch improves: a static network stops after
    # n_iter_no_change + 2 epochs; a growing one goes on while it gains neurons, and
    # once sklearn's rule, blind to growth, would have stopped it, its layer moves a
    # tenth of the way to its target per step instead of a fiftieth
    X, y = friedman
    settings = dict(
        hidden_layer_sizes=(20,),
        tol=1e9,
        n_iter_no_change=3,
        max_iter=500,
        batch_size=len(X),  # one step per epoch
        early_stopping=early_stopping,
        random_state=0,
    )
    static = GrowingMLPRegressor(growth="none", **settings).fit(X, y)
    growing = GrowingMLPRegressor(size_learning_rate=0.02, size_penalty=1.0, **settings)
    growing.fit(X, y)
    assert static.n_iter_ == 5  # sklearn's rule: the first epoch, then four without gain
    remaining = 20 - np.asarray(growing.size_curve_)[:, 0]
    shrink = remaining[1:] / remaining[:-1]  # the share of the way left after each step
    np.testing.assert_allclose(shrink[:4], 0.98, atol=0.005)
    np.testing.assert_allclose(shrink[5:15], 0.90, atol=0.01)


def test_a_layer_the_task_gradient_holds_back_grows_instead_of_ending_the_fit():
    # plain SGD on an unscaled target: the task gradient keeps the controller's layer
    # below one neuron, so the loss stops improving while the layer is not moving and
    # sklearn's rule would end the fit in the very epoch growth is hurried
    X, y = make_friedman1(500, random_state=0)
    X = StandardScaler().fit_transform(X)
    settings = dict(solver="sgd", growth="controller", size_penalty=0.01, random_state=0)
    model = fit_quietly(GrowingMLPRegressor(hidden_layer_sizes=(20,), **settings), X, y)
    sizes = np.asarray(model.size_curve_)[:, 0]
    assert sizes[5:15].max() < 2.0  # held back
    assert model.hidden_layer_sizes_ == (20,)
    assert model.n_iter_ > 60  # the hurried layer was trained, not just switched on
    assert model.score(X, y) > 0.85  # a one-neuron network scores about 0.7


def test_the_papers_rule_is_never_hurried(friedman):
    X, y = friedman
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(20,),
        size_learning_rate=None,
        new_neurons="random",
        tol=1e9,
        n_iter_no_change=3,
        max_iter=500,
        random_state=0,
    )
    model.fit(X, y)
    assert model.size_curve_[-1][0] < 1.0  # about 1e-3 of the capacity per Adam step


def test_default_classifier_keeps_up_with_sklearn_after_ten_epochs():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = cross_val_score(GrowingMLPClassifier(max_iter=10, random_state=0), X, y, cv=3)
        theirs = cross_val_score(MLPClassifier(max_iter=10, random_state=0), X, y, cv=3)
        model = GrowingMLPClassifier(max_iter=10, random_state=0).fit(X, y)
    assert ours.mean() >= theirs.mean() - 0.01
    assert 0 < model.size_curve_[0][0] < model.hidden_layer_sizes_[0]  # it grew


def test_three_default_hidden_layers_keep_up_with_sklearn_after_twenty_epochs():
    # zero weights between the layers' first neurons held every seed near R^2 0.1
    rng = np.random.RandomState(0)
    X = rng.randn(300, 3)
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.randn(300)
    ours, theirs = [], []
    for seed in range(3):
        kwargs = dict(hidden_layer_sizes=(32, 32, 32), max_iter=20, random_state=seed)
        ours.append(fit_quietly(GrowingMLPRegressor(**kwargs), X, y).score(X, y))
        theirs.append(fit_quietly(MLPRegressor(**kwargs), X, y).score(X, y))
    assert np.mean(ours) >= np.mean(theirs) - 0.01


def test_lbfgs_holds_the_layers_at_their_targets_and_keeps_up_with_sklearn():
    # free size variables under the size loss's stiff curvature stalled L-BFGS's first
    # iterations: 0.06 below sklearn after 30 (two layers of 50, 5 seeds; 0.28 after 10)
    ours, theirs = [], []
    for seed in range(3):
        X, y = make_friedman1(400, noise=0.5, random_state=seed)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=seed)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        mean, std = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
        kwargs = dict(solver="lbfgs", hidden_layer_sizes=(50, 50), max_iter=30, random_state=seed)
        model = fit_quietly(GrowingMLPRegressor(**kwargs), X_train, y_train)
        assert model.size_curve_[0] == (50.0, 50.0)  # whole from the first iteration
        ours.append(model.score(X_test, y_test))
        theirs.append(fit_quietly(MLPRegressor(**kwargs), X_train, y_train).score(X_test, y_test))
    assert np.mean(ours) >= np.mean(theirs) - 0.01
    # the papers' rule leaves the size variables to L-BFGS: the layers grow
    papers = GrowingMLPRegressor(
        solver="lbfgs", hidden_layer_sizes=(50,), size_learning_rate=None, max_iter=10
    )
    fit_quietly(papers.set_params(random_state=0), X_train, y_train)
    assert papers.size_curve_[0][0] < 50.0


def test_partial_fit_grows_from_the_first_call(friedman):
    X, y = friedman
    model = GrowingMLPRegressor(hidden_layer_sizes=(50,), random_state=0)
    scores, sizes = [], []
    for _ in range(5):
        model.partial_fit(X, y)
        scores.append(model.score(X, y))
        sizes.append(model.size_curve_[-1][0])
    assert 5 < sizes[0] < sizes[-1] <= 50
    assert scores[0] > 0.2 and scores[-1] > scores[0]


def test_the_papers_rule_grows_by_about_the_learning_rate_per_step(friedman):
    # size_learning_rate=None: the size variable is stepped by Adam like a weight
    X, y = friedman
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(100,),
        size_learning_rate=None,
        new_neurons="random",
        batch_size=30,
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    # ten Adam steps of 1e-3 on the capacity scale: about one neuron of 100
    assert 0.8 < model.size_curve_[0][0] < 1.05


def test_a_growing_poisson_network_starts_at_the_mean_count():
    from sklearn.neural_network import MLPRegressor

    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = rng.poisson(np.exp(2.0 + 0.5 * X[:, 0]))  # counts about 8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = GrowingMLPRegressor(loss="poisson", max_iter=1, random_state=0).fit(X, y)
        static = GrowingMLPRegressor(loss="poisson", growth="none", max_iter=1, random_state=0).fit(
            X, y
        )
        theirs = MLPRegressor(loss="poisson", max_iter=1, random_state=0).fit(X, y)
        ours10 = GrowingMLPRegressor(loss="poisson", max_iter=10, random_state=0).fit(X, y)
        theirs10 = MLPRegressor(loss="poisson", max_iter=10, random_state=0).fit(X, y)
    # after one epoch the mean prediction is near the mean count, not near exp(0) = 1
    assert abs(np.log(short.predict(X).mean() / y.mean())) < 0.2
    # a static network keeps sklearn's start, as it keeps its draws
    np.testing.assert_allclose(static.predict(X), theirs.predict(X), rtol=1e-4)
    assert ours10.score(X, y) >= theirs10.score(X, y) - 0.01


def test_the_poisson_start_is_taken_once_and_never_from_rows_without_counts():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5)
    y = rng.poisson(np.exp(1.5 + 0.5 * X[:, 0])).astype(float)  # counts about 5
    # a first partial_fit call without counts keeps the drawn bias: from log(0) it
    # could not climb back
    model = GrowingMLPRegressor(loss="poisson", random_state=0)
    model.partial_fit(X[:20], np.zeros(20))
    assert abs(model.intercepts_[-1][0]) < 1.0
    for _ in range(30):
        model.partial_fit(X, y)
    assert model.predict(X).mean() > 0.5 * y.mean()
    # later calls, and warm-start fits, train on from where the bias is
    for continued in ("partial_fit", "warm_start"):
        model = GrowingMLPRegressor(loss="poisson", max_iter=5, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
            before = model.intercepts_[-1][0]
            assert abs(before - np.log(y.mean())) < 0.1  # the first pass started it there
            if continued == "partial_fit":
                model.partial_fit(X, 20 * y)
            else:
                model.set_params(warm_start=True).fit(X, 20 * y)
        assert abs(model.intercepts_[-1][0] - before) < 0.5  # not log(20) higher


@pytest.mark.parametrize("max_iter", [10, 100])
def test_a_fit_grows_nearly_whole_in_half_its_planned_steps_however_few(max_iter):
    # full batches: one step per epoch, so the plan is max_iter steps
    rng = np.random.RandomState(0)
    X = rng.randn(100, 3)
    y = np.sin(X).sum(axis=1)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(20,), max_iter=max_iter, batch_size=100, tol=0, random_state=0
    )
    sizes = [size for (size,) in fit_quietly(model, X, y).size_curve_]
    assert len(sizes) == max_iter
    assert sizes[max_iter // 2 - 1] >= 0.95 * 20 - 0.5  # nearly whole after half the plan
    assert sizes[max_iter // 10 - 1] < 0.7 * 20  # and not at once
    assert sizes[-1] >= 19.5
