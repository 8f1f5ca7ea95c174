"""target_size="auto": layers double while doubling pays off on held-out rows."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from conftest import standardized
from sklearn.datasets import (
    load_diabetes,
    load_digits,
    load_iris,
    make_circles,
    make_classification,
    make_friedman1,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor
from skgrow._sizing import SizingState, _paired_gain, all_alike


@pytest.fixture(scope="module")
def tasks():
    linear = standardized(*make_regression(400, 8, n_informative=4, noise=1.0, random_state=0))
    # 800 rows: on 400, L-BFGS's 4 neurons come within 3 % of the baseline loss and each
    # doubling gains about a quarter of size_tol, so growth rightly stops there
    nonlinear = standardized(*make_friedman1(800, noise=0.3, random_state=0))
    return {"linear": linear, "nonlinear": nonlinear}


# budgets long enough for several stages (max_iter is shared out between them)
SOLVERS = {
    "lbfgs": dict(solver="lbfgs", max_iter=1000),
    "sgd": dict(solver="sgd", learning_rate_init=0.01, max_iter=1000),
    "adam": dict(solver="adam", learning_rate_init=0.003, max_iter=1000),
}


def fit_quietly(model, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **fit_params)


def fit_sizing_itself(Estimator, growth, solver, X, y):
    """A capacity of 64 sized by target_size='auto'; it must have judged a stage."""
    model = Estimator(
        hidden_layer_sizes=(64,),
        growth=growth,
        target_size="auto",
        random_state=0,
        **SOLVERS[solver],
    )
    fit_quietly(model, X, y)
    assert model.size_stages_  # it judged at least one stage: no stall
    return model


@pytest.mark.parametrize("growth", ["auxiliary", "controller"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_it_grows_on_a_nonlinear_task_and_stays_small_on_a_linear_one(growth, solver, tasks):
    widths, scores = {}, {}
    for name, (X, y) in tasks.items():
        model = fit_sizing_itself(GrowingMLPRegressor, growth, solver, X, y)
        widths[name], scores[name] = model.hidden_layer_sizes_[0], model.score(X, y)
    assert widths["linear"] <= 10
    assert widths["nonlinear"] >= 2 * widths["linear"]
    assert scores["linear"] > 0.98 and scores["nonlinear"] > 0.9


@pytest.mark.parametrize("growth", ["auxiliary", "controller"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_classifier_grows_on_circles_and_stays_small_on_separable_classes(growth, solver):
    # (SGD is left out: at its slow pace every stage is still learning when it is
    # judged, so on the separable classes each doubling pays; docs/choosing.rst)
    tasks = {
        "separable": make_classification(
            400, 6, n_informative=3, n_redundant=0, class_sep=2.0, random_state=0
        ),
        "circles": make_circles(400, noise=0.1, factor=0.5, random_state=0),
    }
    widths = {}
    for name, (X, y) in tasks.items():
        model = fit_sizing_itself(GrowingMLPClassifier, growth, solver, X, y)
        widths[name] = model.hidden_layer_sizes_[0]
        assert model.score(X, y) > 0.95
    assert widths["separable"] <= 8 and widths["circles"] >= 2 * widths["separable"]


def test_each_doubling_is_judged_and_the_kept_width_is_where_the_fit_ends(tasks):
    X, y = tasks["linear"]
    model = GrowingMLPRegressor(target_size="auto", max_iter=1000, random_state=0)
    decisions = fit_quietly(model, X, y).size_stages_
    widths = [targets[0] for targets, _, _ in decisions]
    assert widths == [4.0 * 2**k for k in range(len(widths))]  # from 4, doubling
    kept = [targets[0] for targets, _, was_kept in decisions if was_kept]
    assert decisions[0][2] and not decisions[-1][2] and widths[-1] < 256
    assert model.hidden_layer_sizes_[0] == kept[-1]  # back to the last that paid


def test_both_hidden_layers_double_together(tasks):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(64, 32), target_size="auto", max_iter=600, random_state=0
    )
    fit_quietly(model, X, y)
    first, second = model.hidden_layer_sizes_
    assert first >= 16 and second >= 8
    for targets, _, _ in model.size_stages_:
        assert targets[1] == min(32, targets[0])


def test_partial_fit_carries_the_sizing_from_call_to_call(tasks):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(hidden_layer_sizes=(64,), target_size="auto", random_state=0)
    for _ in range(300):
        model.partial_fit(X, y)
    decisions = model.size_stages_
    assert len(decisions) >= 2 and model.hidden_layer_sizes_[0] >= 16
    assert model.score(X, y) > 0.9


def test_the_held_out_rows_join_training_once_the_widths_are_decided(tasks):
    X, y = tasks["linear"]
    model = GrowingMLPRegressor(target_size="auto", max_iter=1000, random_state=0)
    fit_quietly(model, X, y)
    assert model._history.sizing.done
    n_held_out = 100  # 400 rows: a quarter, at most 100 rows (_base.HELD_OUT_ROWS)
    # epochs of 300 rows while sizing, of all 400 after
    assert 300 * model.n_iter_ < model.t_ < 400 * model.n_iter_
    assert (model.t_ - 300 * model.n_iter_) % n_held_out == 0


def test_with_early_stopping_the_validation_rows_judge_the_widths():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = GrowingMLPClassifier(
        target_size="auto", early_stopping=True, max_iter=400, random_state=0
    )
    fit_quietly(model, X, y)
    assert model.size_stages_ and model.score(X, y) > 0.8
    assert model.t_ == model.n_iter_ * 135  # the 15 validation rows never join


def test_same_random_state_same_widths(tasks):
    X, y = tasks["nonlinear"]
    make = lambda: GrowingMLPRegressor(target_size="auto", max_iter=150, random_state=3)
    a, b = fit_quietly(make(), X, y), fit_quietly(make(), X, y)
    assert a.hidden_layer_sizes_ == b.hidden_layer_sizes_
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_with_fewer_than_four_rows_each_layer_takes_its_capacity():
    X, y = np.array([[0.0], [1.0], [2.0]]), np.array([0.0, 1.0, 0.0])
    model = fit_quietly(
        GrowingMLPRegressor(hidden_layer_sizes=(6,), target_size="auto", max_iter=50), X, y
    )
    assert model._history.sizing.done and model._history.sizing.targets == [6.0]


def test_a_doubling_that_pays_is_kept_and_one_that_does_not_is_undone():
    state = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10)
    network = _FakeNetwork()
    rng = np.random.RandomState(0)
    state.observe(1.0 + 0.05 * rng.randn(200), None, 10, network)
    state.decide(network, baseline=1.0, weights=None)  # the first stage is always kept
    assert state.targets == [8.0] and state.accepted == [4.0]
    state.observe(state.accepted_rows - 0.05, None, 10, network)  # 5 % of the baseline better
    state.decide(network, baseline=1.0, weights=None)
    assert state.targets == [16.0] and state.accepted == [8.0] and not state.done
    state.observe(state.accepted_rows - 0.001 + 0.001 * rng.randn(200), None, 10, network)
    state.decide(network, baseline=1.0, weights=None)  # 0.1 %: short of the 1 % cost
    assert state.targets == [8.0] and state.done
    assert [pays for _, _, pays in state.decisions] == [True, True, False]


def _judge_first_doubling(state, network, first, losses):
    """The first stage at the row losses ``first``, then the doubled stage at ``first``
    plus each of ``losses`` in turn, one epoch each; judged."""
    state.observe(first, None, 10, network)
    state.decide(network, baseline=1.0, weights=None)
    for loss in losses:
        state.observe(first + loss, None, 10, network)
    state.decide(network, baseline=1.0, weights=None)


def test_a_first_doubling_that_stalls_gets_one_more_before_growth_stops():
    from skgrow._sizing import PATIENCE

    first = 1.0 + 0.05 * np.random.RandomState(0).randn(200)
    flat = [0.003] * (PATIENCE + 1)  # a little worse, every epoch: it never moved
    state, network = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10), _FakeNetwork()
    _judge_first_doubling(state, network, first, flat)
    assert state.targets == [16.0] and state.accepted == [4.0] and not state.done
    state.observe(first - 0.05, None, 10, network)  # the next doubling pays
    state.decide(network, baseline=1.0, weights=None)
    assert state.accepted == [16.0] and state.targets == [32.0]
    for loss in flat:  # a later stall is a doubling that did not pay
        state.observe(state.accepted_rows + loss, None, 10, network)
    state.decide(network, baseline=1.0, weights=None)
    assert state.done and state.targets == [16.0]
    assert [kept for _, _, kept in state.decisions] == [True, False, True, False]
    # one more doubling only: a stalled first doubling and a look-ahead that does not pay
    again, network = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10), _FakeNetwork()
    _judge_first_doubling(again, network, first, flat)
    again.observe(first + 0.003, None, 10, network)
    again.decide(network, baseline=1.0, weights=None)
    assert again.done and again.targets == [4.0]


def test_a_first_doubling_that_moved_or_gained_and_did_not_pay_stops_growth():
    from skgrow._sizing import PATIENCE

    first = 1.0 + 0.05 * np.random.RandomState(0).randn(200)
    # from far worse down to a little worse than the first stage: it moved, and lost
    moving = [0.1 - (0.097 * epoch) / PATIENCE for epoch in range(PATIENCE + 1)]
    state, network = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10), _FakeNetwork()
    _judge_first_doubling(state, network, first, moving)
    assert state.done and state.targets == [4.0]
    # flat, but better than the first stage by less than the cost: a diminishing return
    gained = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10)
    _judge_first_doubling(gained, _FakeNetwork(), first, [-0.003] * (PATIENCE + 1))
    assert gained.done and gained.targets == [4.0]
    # too few epochs to tell a stall: judged as any doubling
    brief = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10)
    _judge_first_doubling(brief, _FakeNetwork(), first, [0.003])
    assert brief.done and brief.targets == [4.0]


def test_a_stage_that_never_saw_a_finite_held_out_loss_is_judged_without_rows():
    state = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10)
    network = _FakeNetwork()
    state.observe(np.full(20, np.inf), None, 10, network)  # the first stage: kept without rows
    state.decide(network, baseline=1.0, weights=None)
    assert state.accepted == [4.0] and state.accepted_rows is None
    state.observe(np.ones(20), None, 10, network)  # a finite loss after none: the doubling pays
    state.decide(network, baseline=1.0, weights=None)
    assert state.accepted == [8.0] and not state.done
    state.observe(np.full(20, np.nan), None, 10, network)  # none after a finite one: it does not
    state.decide(network, baseline=1.0, weights=None)
    assert state.targets == [8.0] and state.done


def test_unclear_evidence_grows_on_and_stopping_restores_the_kept_stages_weights():
    state = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10)
    network = _FakeNetwork()
    rng = np.random.RandomState(0)
    first = 1.0 + 0.05 * rng.randn(40)
    network.theta[:], network.grown = 1.0, [4]
    state.observe(first, None, 10, network)
    network.theta[:] = 9.0  # later epochs of the stage, worse on the held-out rows
    state.observe(first + 0.5, None, 10, network)
    state.decide(network, baseline=1.0, weights=None)
    assert state.accepted == [4.0] and state.targets == [8.0]
    network.theta[:], network.grown = 2.0, [8]
    noise = rng.randn(40)
    unclear = first - 0.005 + 0.1 * (noise - noise.mean())  # half the cost, a large error
    state.observe(unclear, None, 10, network)
    state.decide(network, baseline=1.0, weights=None)
    assert state.targets == [16.0] and state.accepted == [4.0] and not state.done
    network.theta[:], network.grown = 3.0, [16]
    state.observe(first + 0.2, None, 10, network)  # clearly worse than the kept stage
    state.decide(network, baseline=1.0, weights=None)
    assert state.done and state.targets == [4.0]
    assert torch.equal(network.theta, torch.ones(3)) and network.grown == [4]
    assert state.accepted_weights is None  # decided: the copy is let go
    assert [kept for _, _, kept in state.decisions] == [True, False, False]


def test_a_stage_after_unclear_doublings_pays_for_each_of_them():
    """Each neuron costs ``size_tol / n`` of the layer of ``n`` it joins: a stage two
    doublings past the kept one must gain twice the cost, a doubling the capacity cuts
    short less than once."""
    rng = np.random.RandomState(0)
    first = 1.0 + 0.05 * rng.randn(400)
    noise = rng.randn(400)
    unclear = first - 0.005 + 0.1 * (noise - noise.mean())  # half the cost, a large error

    def two_doublings_on(gain):
        state, network = SizingState([4.0], size_tol=0.01, max_stage_epochs=10), _FakeNetwork()
        state.observe(first, None, 10, network)
        state.decide(network, baseline=1.0, weights=None)
        state.observe(unclear, None, 10, network)
        state.decide(network, baseline=1.0, weights=None)
        assert state.targets == [16.0] and state.accepted == [4.0]
        state.observe(first - gain, None, 10, network)  # clear: no error at all
        state.decide(network, baseline=1.0, weights=None)
        return state

    short = two_doublings_on(0.015)  # more than one doubling's cost, less than two
    assert short.done and short.targets == [4.0]
    paid = two_doublings_on(0.025)
    assert paid.accepted == [16.0] and paid.targets == [32.0]

    class _SixWide(_FakeNetwork):
        class arch(_FakeNetwork.arch):
            capacities = (6,)

    state, network = SizingState([4.0], size_tol=0.01, max_stage_epochs=10), _SixWide()
    state.observe(first, None, 10, network)
    state.decide(network, baseline=1.0, weights=None)
    assert state.targets == [6.0]  # 2 neurons join 4: half a doubling
    state.observe(first - 0.007, None, 10, network)  # above half the cost of a doubling
    state.decide(network, baseline=1.0, weights=None)
    assert state.accepted == [6.0] and state.done


def test_paired_gain_and_its_standard_error():
    rng = np.random.RandomState(0)
    before, after = rng.rand(50), rng.rand(50)
    gain, error = _paired_gain(before, after, None)
    d = before - after
    assert gain == pytest.approx(d.mean())
    assert error == pytest.approx(d.std(ddof=1) / np.sqrt(50))
    weights = rng.rand(50) + 0.5
    gain, _ = _paired_gain(before, after, weights)
    assert gain == pytest.approx(np.average(d, weights=weights))


@pytest.mark.parametrize("early_stopping", [False, True])
def test_the_network_gone_back_to_is_trained_under_a_fresh_stopping_rule(early_stopping, tasks):
    X, y = tasks["linear"]
    model = GrowingMLPRegressor(
        target_size="auto", early_stopping=early_stopping, max_iter=1000, random_state=0
    )
    fit_quietly(model, X, y)
    kept = [targets[0] for targets, _, was_kept in model.size_stages_ if was_kept]
    assert model.hidden_layer_sizes_[0] == kept[-1]  # not early stopping's wider best
    sizes = np.asarray(model.size_curve_)[:, 0]
    back = np.flatnonzero(sizes > kept[-1] + 1)[-1] + 1  # the first epoch at the kept widths
    assert np.all(np.abs(sizes[back:] - kept[-1]) < 1)
    # the wider network's lower training loss is not the one to beat
    assert len(sizes) - back > model.n_iter_no_change


def test_the_chosen_widths_train_as_long_as_a_stage_must(monkeypatch, tasks):
    from skgrow._sizing import MIN_STAGE_STEPS
    from skgrow._training import TrainingHistory

    decided_at = []
    restart = TrainingHistory.restart_stopping_rule

    def recording(history, network):
        decided_at.append(history.n_iter)
        restart(history, network)

    monkeypatch.setattr(TrainingHistory, "restart_stopping_rule", recording)
    X, y = tasks["linear"]
    # a stopping rule that never fires: only the budget ends the fit
    model = GrowingMLPRegressor(
        target_size="auto", max_iter=1000, n_iter_no_change=1000, random_state=0
    )
    fit_quietly(model, X, y)
    # 400 rows, the held-out ones back in: two steps of 200 rows an epoch
    final = min(model._history.sizing.max_stage_epochs, MIN_STAGE_STEPS // 2)
    assert len(decided_at) == 1 and decided_at[0] + final < 1000
    assert model.n_iter_ == decided_at[0] + final
    # a warm-start fit trains on at the decided widths, for its max_iter
    widths = model.hidden_layer_sizes_
    model.set_params(warm_start=True, max_iter=30)
    fit_quietly(model, X, y)
    assert model.n_iter_ == 30 and model.hidden_layer_sizes_ == widths


def test_with_lbfgs_the_chosen_widths_train_for_one_more_round(tasks):
    from skgrow._lbfgs import ITERATIONS_PER_STAGE, STALLED_ROUND

    X, y = tasks["nonlinear"]
    model = fit_quietly(
        GrowingMLPRegressor(target_size="auto", solver="lbfgs", max_iter=2000, random_state=0),
        X,
        y,
    )
    # one per stage (a stalled one runs again), one at the chosen widths
    rounds = len(model.size_stages_) + 1
    assert model.n_iter_ <= rounds * (ITERATIONS_PER_STAGE + STALLED_ROUND) < 2000


def fit_small_digits(**params):
    """Self-sizing with L-BFGS on 300 digits; the model and digits it never saw."""
    X, y = load_digits(return_X_y=True)
    model = GrowingMLPClassifier(
        hidden_layer_sizes=(64,), solver="lbfgs", target_size="auto", random_state=1, **params
    )
    return fit_quietly(model, X[:300] / 16, y[:300]), X[1000:] / 16, y[1000:]


def test_with_lbfgs_a_doubling_that_stalls_starts_afresh_and_growth_goes_on():
    # L-BFGS fits 300 digits (nearly) exactly with 4 or 8 neurons: a doubled network
    # that goes on from those has no gradient to learn from, and its round stops at once
    model, X_test, y_test = fit_small_digits(max_iter=1000)
    # without the fresh start: held-out loss 0.333 at 4 and at 8 neurons, 4 kept, 0.73
    shares = [share for _, share, _ in model.size_stages_]
    assert all(abs(a - b) > 1e-3 for a, b in zip(shares, shares[1:]))
    assert model.hidden_layer_sizes_[0] >= 16
    assert model.score(X_test, y_test) > 0.8


def count_fresh_starts(monkeypatch):
    import skgrow._lbfgs as lbfgs

    starts, redraw = [], lbfgs._redraw
    monkeypatch.setattr(lbfgs, "_redraw", lambda *args: starts.append(1) or redraw(*args))
    return starts


def test_with_lbfgs_a_fresh_start_that_does_no_better_is_undone(monkeypatch):
    import skgrow._lbfgs as lbfgs

    starts = count_fresh_starts(monkeypatch)
    # a coarse tol stops every round at once: the fresh draws are never trained
    model, X_test, _ = fit_small_digits(max_iter=1000, tol=0.05)
    assert starts  # each doubled stage stalled and started afresh ...
    monkeypatch.setattr(lbfgs, "STALLED_ROUND", -1)
    without, _, _ = fit_small_digits(max_iter=1000, tol=0.05)
    # ... and, no better on the held-out rows, went back to the stalled round's weights
    np.testing.assert_array_equal(model.predict_proba(X_test), without.predict_proba(X_test))
    assert model.size_stages_ == without.size_stages_


def test_with_lbfgs_no_fresh_start_is_drawn_when_too_few_iterations_are_left(monkeypatch):
    starts = count_fresh_starts(monkeypatch)
    # the first stage ends 3 iterations short of max_iter=44, and the next one stalls
    model, _, _ = fit_small_digits(max_iter=44)
    assert [kept for _, _, kept in model.size_stages_] == [True, False]
    assert not starts
    fit_small_digits(max_iter=1000)
    assert starts


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_fit_whose_max_iter_ends_before_the_widths_are_decided_ends_at_its_last_kept_stage(
    solver, tasks
):
    X, y = (a[:400] for a in tasks["nonlinear"])  # 2 Adam steps an epoch
    # 200 epochs or iterations are too few for the stages from 4 to 64 neurons
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(64,), target_size="auto", solver=solver, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="before target_size='auto' had decided") as w:
        model.fit(X, y)
    assert model._history.sizing.done
    kept = [targets[0] for targets, _, was_kept in model.size_stages_ if was_kept]
    assert model.hidden_layer_sizes_[0] == kept[-1]
    # the warning names the widths the model has
    assert any(f"{list(model.hidden_layer_sizes_)} neurons" in str(m.message) for m in w)
    assert model.coefs_[0].shape[1] == kept[-1]
    # a warm-start fit trains on at those widths
    model.set_params(warm_start=True, max_iter=20)
    fit_quietly(model, X, y)
    assert model.hidden_layer_sizes_[0] == kept[-1]


def test_the_first_stage_ends_once_it_has_trained_as_long_as_a_stage_must():
    from skgrow._sizing import MIN_STAGE_STEPS, PATIENCE

    # a stage still improving at every epoch, by more than its progress threshold
    improving = [1.0 - 0.01 * epoch for epoch in range(PATIENCE + 2)]
    state = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=1000)
    network = _FakeNetwork()
    for loss in improving:
        state.observe(np.full(10, loss), None, MIN_STAGE_STEPS // len(improving) + 1, network)
    assert state.stage_over(baseline=1.0)  # the first, kept whatever it scores
    state.decide(network, baseline=1.0, weights=None)
    for loss in improving:
        state.observe(np.full(10, loss - 0.5), None, MIN_STAGE_STEPS // len(improving) + 1, network)
    assert not state.stage_over(baseline=1.0)  # a later one trains on while it improves
    few = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=1000)
    for loss in improving:
        few.observe(np.full(10, loss), None, 1, network)
    assert not few.stage_over(baseline=1.0)  # the first, too, trains for the stage's steps


def test_classifiers_judge_the_widths_by_the_squared_error_of_their_probabilities():
    from skgrow._network import SIZING_LOSSES, baseline_sizing_losses

    Y = torch.eye(3, dtype=torch.float64)[[0, 0, 1, 2]]
    confident = torch.tensor([[-30.0, 30.0, 0.0]], dtype=torch.float64)  # wrong, and sure
    # the Brier score: a confident mistake costs at most 2, where its log-loss is ~60
    assert float(SIZING_LOSSES["softmax"](confident, Y[:1])[0]) == pytest.approx(2.0)
    # the constant prediction of the class shares (1/2, 1/4, 1/4): one minus the sum of
    # their squares on average, so that size_tol is a share of R^2 on the one-hot targets
    baseline = baseline_sizing_losses(Y, None, "softmax")
    assert float(baseline.mean()) == pytest.approx(1 - (0.25 + 2 * 0.0625))
    labels = torch.tensor([[1.0], [0.0]], dtype=torch.float64)
    logits = torch.tensor([[0.0], [0.0]], dtype=torch.float64)  # both at 1/2
    assert SIZING_LOSSES["logistic"](logits, labels).tolist() == [0.25, 0.25]


def test_the_stage_under_way_when_max_iter_ends_is_judged_on_its_epochs():
    state = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10)
    network = _FakeNetwork()
    rng = np.random.RandomState(0)
    network.theta[:], network.grown = 1.0, [4]
    state.observe(1.0 + 0.05 * rng.randn(40), None, 10, network)
    state.decide(network, baseline=1.0, weights=None)
    network.theta[:], network.grown = 2.0, [8]
    state.observe(state.accepted_rows - 0.05, None, 10, network)  # it pays, on its best epoch
    network.theta[:] = 5.0  # a later, worse epoch: the fit ends here
    state.observe(state.accepted_rows + 0.5, None, 10, network)
    state.conclude(network, baseline=1.0, weights=None)
    assert state.done and state.targets == [8.0]
    assert torch.equal(network.theta, torch.full((3,), 2.0)) and network.grown == [8]
    assert [kept for _, _, kept in state.decisions] == [True, True]


def test_a_stage_not_yet_reached_when_max_iter_ends_is_not_judged():
    state = SizingState(targets=[4.0], size_tol=0.01, max_stage_epochs=10)
    network = _FakeNetwork()
    network.theta[:], network.grown = 1.0, [4]
    state.observe(np.ones(40), None, 10, network)
    state.decide(network, baseline=1.0, weights=None)
    network.theta[:], network.grown = 7.0, [6]  # on its way to 8 neurons
    state.conclude(network, baseline=1.0, weights=None)
    assert state.done and state.targets == [4.0] and len(state.decisions) == 1
    assert torch.equal(network.theta, torch.ones(3)) and network.grown == [4]


def test_a_first_partial_fit_call_of_fewer_than_four_rows_leaves_the_sizing_to_later_calls(
    tasks,
):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(hidden_layer_sizes=(64,), target_size="auto", random_state=0)
    model.partial_fit(X[:3], y[:3])
    assert not model._history.sizing.done and model.hidden_layer_sizes_[0] <= 4
    for _ in range(300):
        model.partial_fit(X, y)
    assert len(model.size_stages_) >= 2 and model.hidden_layer_sizes_[0] >= 16


@pytest.mark.parametrize("growth", ["auxiliary", "controller"])
def test_a_layer_grown_to_a_whole_target_has_that_many_neurons(growth, tasks):
    X, y = tasks["linear"]
    model = GrowingMLPRegressor(  # the size loss alone moves the layer: straight to 8
        hidden_layer_sizes=(64,),
        growth=growth,
        target_size=8,
        size_gradient="size_loss",
        max_iter=50,
        random_state=0,
    )
    fit_quietly(model, X, y)
    assert model.hidden_layer_sizes_ == (8,) and model.coefs_[0].shape == (X.shape[1], 8)


@pytest.mark.parametrize("Estimator", [GrowingMLPRegressor, GrowingMLPClassifier])
def test_a_constant_target_stays_at_the_first_stage(Estimator):
    X = np.random.RandomState(0).randn(300, 3)
    y = np.full(300, 5.0) if Estimator is GrowingMLPRegressor else np.full(300, "a")
    model = Estimator(hidden_layer_sizes=(64,), target_size="auto", max_iter=400, random_state=0)
    fit_quietly(model, X, y)
    # a constant predicts the held-out rows as well as any width: no doubling pays
    assert model.hidden_layer_sizes_ == (4,)
    assert [kept for _, _, kept in model.size_stages_] == [True, False]


class _FakeNetwork:
    """What SizingState.apply touches: capacities, growth method, growth settings."""

    class arch:
        from skgrow._growth import GROWTH_METHODS

        capacities = (64,)
        method = GROWTH_METHODS["auxiliary"]

    def __init__(self):
        from skgrow._layout import GrowthSettings

        self.growth = GrowthSettings(1.0, (0.0,))
        self.theta, self.grown = torch.zeros(3), [0]


def test_a_partial_fit_call_whose_held_out_rows_are_alike_trains_on_all_and_judges_nothing():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 4), np.array([0, 1] * 20)
    model = GrowingMLPClassifier(hidden_layer_sizes=(64,), target_size="auto", random_state=0)
    model.partial_fit(X, y, classes=[0, 1])
    while not model._history.sizing.stage_losses:  # until the first stage has begun
        model.partial_fit(X, y)
    recorded = list(model._history.sizing.stage_losses)
    # a call of one class only: its held-out rows are alike, a constant predicts them
    steps_before = model.t_
    model.partial_fit(X[y == 0], y[y == 0])
    assert model._history.sizing.stage_losses == recorded  # no evidence recorded
    assert model.t_ - steps_before == 20  # the call trained on all its 20 rows


def test_partial_fit_on_small_imbalanced_batches_still_grows():
    # a quarter of each 40-row call is held out; on 7 % positives about half of those
    # quarters are one class, which once ended growth at 8 neurons on no evidence
    X, y = make_classification(
        2000, 10, n_informative=6, weights=[0.93], flip_y=0, class_sep=0.8, random_state=0
    )
    model = GrowingMLPClassifier(hidden_layer_sizes=(128,), target_size="auto", random_state=0)
    for _ in range(4):
        for start in range(0, 2000, 40):
            model.partial_fit(X[start : start + 40], y[start : start + 40], classes=[0, 1])
    assert model.hidden_layer_sizes_[0] > 8
    assert all(loss > 0 for _, loss, _ in model.size_stages_)


def test_lbfgs_warns_when_the_widths_are_decided_with_the_last_iteration():
    X, y = standardized(*load_diabetes(return_X_y=True))
    model = GrowingMLPRegressor(  # the first doubling clearly does not pay: two rounds
        hidden_layer_sizes=(64,),
        target_size="auto",
        solver="lbfgs",
        growth="controller",
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="held out to judge them were not trained on"):
        model.fit(X, y)
    assert model.n_iter_ == 200 and len(model.size_stages_) == 2


def test_a_fit_that_diverges_before_the_widths_are_decided_says_so(tasks):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(64,),
        target_size="auto",
        solver="sgd",
        learning_rate_init=5.0,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, 100 * y)
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("Training diverged in epoch") for m in messages)
    sizing = [m for m in messages if "target_size='auto'" in m]
    assert len(sizing) == 1 and sizing[0].startswith("Training diverged before")
    assert f"{list(model.hidden_layer_sizes_)} neurons" in sizing[0]


def test_a_warm_start_fit_without_self_sizing_has_no_stages(tasks):
    X, y = tasks["linear"]
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(16,), target_size="auto", max_iter=300, random_state=0
    )
    fit_quietly(model, X, y)
    assert model.size_stages_
    model.set_params(warm_start=True, target_size=None)
    fit_quietly(model, X, y)
    assert model.size_stages_ is None


def test_a_cut_short_fit_names_the_widths_it_ends_with_not_its_stages_targets():
    X, y = standardized(*load_diabetes(return_X_y=True))
    # the stage of 32 is kept at its best epoch, when the layer held 31 of them
    model = GrowingMLPRegressor(hidden_layer_sizes=(64,), target_size="auto", random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter ended before") as caught:
        model.fit(X, y)
    assert [w for w, _, kept in model.size_stages_ if kept][-1] == (32,)
    assert model.hidden_layer_sizes_ == (31,)
    assert any("ends at its last kept stage" in str(w.message) for w in caught)
    assert any("[31] neurons" in str(w.message) for w in caught)


def test_a_cut_short_fit_advises_a_fresh_fit_since_a_warm_start_keeps_its_widths():
    X, y = standardized(*load_diabetes(return_X_y=True))
    model = GrowingMLPRegressor(hidden_layer_sizes=(64,), target_size="auto", random_state=0)
    with pytest.warns(ConvergenceWarning, match="fit without warm_start: a warm start keeps"):
        model.fit(X, y)
    stages = model.size_stages_
    kept = [widths for widths, _, kept in stages if kept][-1]
    model.set_params(warm_start=True, max_iter=1000)
    fit_quietly(model, X, y)
    assert model.size_stages_ == stages  # nothing judged again
    assert model.hidden_layer_sizes_ == kept


def test_a_divergence_in_an_earlier_call_is_not_blamed_for_a_later_fit(tasks):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(hidden_layer_sizes=(64,), random_state=0)
    with pytest.warns(RuntimeWarning, match="diverged"):
        model.partial_fit(X, 1e19 * y)
    model.set_params(warm_start=True, target_size="auto", max_iter=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    messages = [str(w.message) for w in caught]
    assert not any("diverged" in m for m in messages)
    assert any(m.startswith("max_iter ended before target_size='auto'") for m in messages)


def test_max_fun_bounds_a_whole_self_sizing_lbfgs_fit_not_each_round(tasks):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(32,), solver="lbfgs", target_size="auto", max_fun=20, max_iter=1000
    )
    # each round had the whole max_fun: 90 iterations, each at least one evaluation
    with pytest.warns(ConvergenceWarning, match="max_fun ended before target_size='auto'"):
        model.fit(X, y)
    assert model.n_iter_ <= 20
    assert model.size_stages_  # the kept stage's widths


def test_an_interrupted_lbfgs_fit_says_it_was_interrupted(tasks, monkeypatch):
    import scipy.optimize

    X, y = tasks["nonlinear"]
    calls = {"n": 0}
    original = scipy.optimize.minimize

    def interrupted_in_the_second_round(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", interrupted_in_the_second_round)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(64,), target_size="auto", solver="lbfgs", random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    messages = [str(w.message) for w in caught]
    assert "Training interrupted by user." in messages
    assert any(m.startswith("Training was interrupted before") for m in messages)
    assert not any(m.startswith("max_iter ended") for m in messages)


def test_the_poisson_loss_sizes_itself_and_grows_on_non_linear_counts():
    rng = np.random.RandomState(0)
    X = rng.randn(600, 5)
    y = rng.poisson(np.exp(1.8 + np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]))
    model = GrowingMLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(128,),
        target_size="auto",
        max_iter=600,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither a divergence nor a cut-short fit
        model.fit(X, y)
    assert model._history.sizing.done and model.hidden_layer_sizes_[0] >= 32
    assert model.score(X, y) > 0.8


def test_rows_of_weight_zero_are_never_held_out(tasks):
    X, y = tasks["nonlinear"]
    Y = y[:, None]
    weight = np.zeros(len(y))
    # 8 rows count; drawn from all 800, the 100 held-out rows weigh nothing on about
    # a third of the draws
    weight[::100] = 1.0
    model = GrowingMLPRegressor()
    for seed in range(20):
        parts = model._split_held_out(X, Y, weight, np.random.RandomState(seed))
        X_fit, X_check, Y_fit, Y_check, w_fit, w_check = parts
        assert np.all(w_check > 0) and len(w_check) == 2
        assert len(w_fit) + len(w_check) == len(y) and w_fit.sum() == 6
    for seed in range(4):  # drawn from all rows, one of these divided a loss by zero
        fitted = GrowingMLPRegressor(
            hidden_layer_sizes=(16,), target_size="auto", solver="lbfgs", random_state=seed
        )
        fit_quietly(fitted, X, y, sample_weight=weight)
        assert fitted.size_stages_
    # two rows of weight: too few to hold out, the layer gets its capacity (40 rows,
    # one batch: a batch that weighs nothing fails in sklearn's MLP too)
    weight = np.zeros(40)
    weight[:2] = 1.0
    model = GrowingMLPRegressor(hidden_layer_sizes=(16,), target_size="auto", max_iter=50)
    fit_quietly(model, X[:40], y[:40], sample_weight=weight)
    assert model.hidden_layer_sizes_ == (16,)


def test_rows_of_weight_zero_train_among_the_others_without_shuffling(tasks):
    # gathered after the others, every second row weighing nothing made the last
    # batches of each epoch weigh nothing (a loss divided by zero)
    X, y = tasks["nonlinear"]
    weight = np.ones(len(y))
    weight[1::2] = 0.0
    model = GrowingMLPRegressor(
        target_size="auto", solver="sgd", shuffle=False, max_iter=30, random_state=0
    )
    fit_quietly(model, X, y, sample_weight=weight)
    assert model.score(X, y, sample_weight=weight) > 0.5


@pytest.mark.parametrize("target_size", [None, "auto"])
def test_early_stopping_whose_validation_rows_all_weigh_nothing_says_so(target_size, tasks):
    # with target_size="auto" the held-out loss was averaged with weights summing to 0:
    # a ZeroDivisionError from numpy; sklearn's MLP fails later, in its R^2
    X, y = (a[:200] for a in tasks["nonlinear"])
    weight = np.zeros(len(y))
    weight[:10] = 1.0
    for seed in range(10):
        model = GrowingMLPRegressor(
            hidden_layer_sizes=(8,),
            target_size=target_size,
            early_stopping=True,
            max_iter=5,
            random_state=seed,
        )
        try:
            fit_quietly(model, X, y, sample_weight=weight)
        except ValueError as error:
            assert "The validation set's 20 rows all have sample_weight 0" in str(error)
            break
    else:
        pytest.fail("no seed drew a validation set of rows that all weigh nothing")
    assert not hasattr(model, "coefs_")


def test_held_out_rows_that_weigh_nothing_do_not_count_in_telling_targets_apart():
    # one weighing row: a constant predicts it exactly, and the baseline of size_tol was
    # 0 (held-out losses of 1e11 baselines)
    Y = np.array([[0.0], [1.0], [2.0]])
    assert not all_alike(Y)
    assert all_alike(Y, np.array([0.0, 1.0, 0.0]))
    assert all_alike(Y, np.zeros(3))
    assert not all_alike(Y, np.array([0.0, 1.0, 2.0]))
    assert all_alike(torch.tensor(Y), torch.tensor([3.0, 0.0, 0.0]))


def test_held_out_rows_of_weight_are_drawn_from_sparse_rows_too(tasks):
    X, y = tasks["nonlinear"]
    weight = np.zeros(len(y))
    weight[::3] = 1.0
    dense = GrowingMLPRegressor(hidden_layer_sizes=(8,), target_size="auto", max_iter=200)
    sparse = GrowingMLPRegressor(hidden_layer_sizes=(8,), target_size="auto", max_iter=200)
    fit_quietly(dense.set_params(random_state=0), X, y, sample_weight=weight)
    fit_quietly(sparse.set_params(random_state=0), sp.csr_matrix(X), y, sample_weight=weight)
    assert sparse.size_stages_ == dense.size_stages_


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_verbose_self_sizing_prints_each_judged_stage(solver, tasks, capsys):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(16,), target_size="auto", solver=solver, max_iter=1000, verbose=True
    )
    fit_quietly(model.set_params(random_state=0), X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if "Self-sizing" in line]
    assert len(lines) == len(model.size_stages_)
    widths, share, kept = model.size_stages_[0]
    assert lines[0].startswith(f"Self-sizing: stage {widths}, held-out loss {share:.4f}")
    assert lines[-1].endswith(f"widths decided: {model.hidden_layer_sizes_}")


def test_verbose_self_sizing_cut_short_prints_the_stage_judged_on_its_epochs(tasks, capsys):
    X, y = tasks["nonlinear"]
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(32,), target_size="auto", max_iter=40, verbose=True, random_state=0
    )
    fit_quietly(model, X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if "Self-sizing" in line]
    assert len(lines) == len(model.size_stages_) > 1
    assert "widths decided" in lines[-1]
