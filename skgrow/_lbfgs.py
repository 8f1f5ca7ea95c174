"""Full-batch L-BFGS over the flat parameter buffer (size variables included)."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.optimize
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.optimize import _check_optimize_result

from skgrow._data import TrainingData
from skgrow._entry import fit_new_neurons
from skgrow._network import GrowingNetwork, Objective
from skgrow._sizing import SelfSizing, StageWeights
from skgrow._training import TrainingHistory

# With target_size="auto", L-BFGS runs in rounds of at most this many iterations,
# each a self-sizing stage (the optimiser restarts when the targets change)
ITERATIONS_PER_STAGE = 100
# A doubled stage whose round ends within this many iterations has stalled, as when the
# narrower network fits the training rows (nearly) exactly and the new neurons have no
# gradient to learn from. Its round runs again from freshly drawn weights.
STALLED_ROUND = 5


class _Interrupted(Exception):
    """Ctrl-C during a run: the last finite iterate has been kept."""


def train_lbfgs(
    network: GrowingNetwork,
    data: TrainingData,
    history: TrainingHistory,
    *,
    alpha: float,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool,
    sizing: SelfSizing | None = None,
    fitted_new_neurons: bool = False,
    fixed_sizes: bool = False,
    rng: np.random.RandomState | None = None,
    weight_init: str = "glorot",
) -> str | None:
    """Minimise the whole objective with scipy's L-BFGS-B, as sklearn's MLPs do;
    returns what ended it early, if anything but ``max_iter`` or a divergence did:
    "interrupted" (Ctrl-C) or, before self-sizing decided the widths, "max_fun".

    Records sklearn's loss (data loss + L2), the size loss and the layer sizes
    after every L-BFGS iteration. A non-finite result, or Ctrl-C, keeps the
    last finite iterate with a warning. With ``sizing`` the iterations are
    spent in rounds, one per self-sizing stage, then one on the full data at
    the chosen widths; ``max_iter`` and ``max_fun`` bound the whole fit, shared
    over its rounds. A doubled stage's round that stalls (``STALLED_ROUND``)
    runs again, while iterations and loss evaluations are left, from weights
    drawn afresh from ``rng`` (``weight_init``); the stage is judged on the
    round whose held-out loss is lower. The size variables are held at the
    stages' targets, and with ``fixed_sizes`` (skgrow's growth dynamics, or
    widths decided earlier) at theirs.
    """
    history.n_iter = 0
    recorded = len(history.loss_curve)  # the iterations of earlier fits (warm_start)
    fitted = fitted_new_neurons
    evaluations = 0  # of the loss, over the rounds

    def stage_round(data: TrainingData) -> tuple[int, int]:
        """One round at the held widths, within what is left of the budgets; returns its
        iterations and loss evaluations."""
        nonlocal evaluations
        rounds = min(ITERATIONS_PER_STAGE, max_iter - history.n_iter)
        funs = max_fun - evaluations
        used, calls = _round(network, data, history, alpha, rounds, funs, tol, verbose, fitted)
        history.n_iter, evaluations = history.n_iter + used, evaluations + calls
        return used, calls

    try:
        while sizing is not None and not sizing.done and history.n_iter < max_iter:
            if evaluations >= max_fun:
                return "max_fun"
            used, _ = stage_round(data)
            doubled = bool(sizing.state.decisions)  # the first stage is kept as it ends
            remaining = min(max_iter - history.n_iter, max_fun - evaluations)
            budget_left = remaining > STALLED_ROUND  # for a round that can do better
            stalled = doubled and used <= STALLED_ROUND and not history.diverged
            if stalled and budget_left and rng is not None:
                stalled_weights, stalled_loss = StageWeights.of(network), sizing.loss(network)
                _redraw(network, data, rng, weight_init)
                used += stage_round(data)[0]
                if not history.diverged and sizing.loss(network) >= stalled_loss:
                    stalled_weights.restore(network)  # the fresh start did no better
            if history.diverged:
                return None
            data = sizing.after_stage(network, used) or data
        left = max_iter - history.n_iter
        if sizing is None:
            if left > 0:
                history.n_iter += _minimize(
                    network, data, history, alpha, left, max_fun, tol, verbose, fixed_sizes, fitted
                )[0]
            return None
        funs = max_fun - evaluations
        if sizing.done and left > 0 and funs > 0:  # the chosen widths train for one round
            used, calls = stage_round(data)
            if used == left or calls >= funs:
                ran_out = "max_iter" if used == left else "max_fun"
                warnings.warn(
                    f"lbfgs failed to converge after {_spent(max_iter, max_fun, ran_out)}:"
                    " target_size='auto' spent them on its stages and the training at the"
                    f" chosen widths. Increase {ran_out}.",
                    ConvergenceWarning,
                )
        elif sizing.done:  # decided with the last iteration: no round for the held-out rows
            ran_out = "max_iter" if left <= 0 else "max_fun"
            warnings.warn(
                f"lbfgs failed to converge after {_spent(max_iter, max_fun, ran_out)}:"
                " target_size='auto' decided the widths with the last of them, and the rows"
                f" it held out to judge them were not trained on. Increase {ran_out}.",
                ConvergenceWarning,
            )
    except _Interrupted:  # the interrupted run's iterations count too, as recorded
        history.n_iter = len(history.loss_curve) - recorded
        return "interrupted"
    return None


def _redraw(
    network: GrowingNetwork, data: TrainingData, rng: np.random.RandomState, weight_init: str
) -> None:
    """Start the network afresh at its widths, as a new fit starts it."""
    network.redraw(rng, weight_init)
    network.start_at_constant(data.Y, data.sample_weight)


def _spent(max_iter: int, max_fun: int, ran_out: str) -> str:
    """What ran out (``ran_out``, the parameter's name), for a warning: the iterations or
    the loss evaluations."""
    if ran_out == "max_iter":
        return f"{max_iter} iterations (max_iter={max_iter})"
    return f"{max_fun} loss evaluations (max_fun={max_fun})"


def _round(
    network: GrowingNetwork,
    data: TrainingData,
    history: TrainingHistory,
    alpha: float,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool,
    fitted_new_neurons: bool,
) -> tuple[int, int]:
    """One self-sizing round at the held sizes; returns its iterations and loss
    evaluations. A round that ends at its budget has not failed: its budget is not the
    user's ``max_iter`` (or ``max_fun``), and the caller warns where it is."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _minimize(
            network, data, history, alpha, max_iter, max_fun, tol, verbose, True, fitted_new_neurons
        )


def _minimize(
    network: GrowingNetwork,
    data: TrainingData,
    history: TrainingHistory,
    alpha: float,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool,
    fixed_sizes: bool = False,
    fitted_new_neurons: bool = False,
) -> tuple[int, int]:
    """One L-BFGS-B run from the current parameters; returns its iterations and the
    loss evaluations it made.

    With ``fixed_sizes`` the size variables are set to their targets and stay
    there; neurons that this switches on for the first time enter as in a
    stochastic step (``_entry``, with ``fitted_new_neurons``).
    """
    theta = network.theta
    last: dict[str, float] = {}
    if fixed_sizes:  # at the targets from the start, new neurons entering as in a step
        targets = network.exact_target_variables()
        with torch.inference_mode():
            network.size_variables.copy_(theta.new_tensor(targets))
            new = network.take_new_neurons()
            if new and fitted_new_neurons:
                fit_new_neurons(
                    network, data.features(), data.Y, data.sample_weight, new, alpha, True
                )

    def loss_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        with torch.inference_mode():  # no autograd bookkeeping: each operation costs less
            theta.copy_(torch.from_numpy(x))
            objective = network.loss_and_gradient(
                data.features(), data.Y, data.sample_weight, alpha
            )
            value = float(objective)
            last.update(value=value, task=objective.task_loss(), size=objective.size_loss)
            return value, network.grad.detach().cpu().double().numpy()

    accepted = theta.detach().cpu().double().numpy()

    def record(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        # everything for one iteration is computed before any of it is recorded
        nonlocal accepted
        if last.get("value") != intermediate_result.fun:  # not the last evaluation: redo it
            loss_and_gradient(intermediate_result.x)
        theta.copy_(torch.from_numpy(intermediate_result.x))
        sizes = network.continuous_sizes()
        if np.isfinite(intermediate_result.fun):
            accepted = intermediate_result.x.copy()
        history.loss_curve.append(last["task"])
        history.size_loss_curve.append(last["size"])
        history.size_curve.append(sizes)
        if verbose:
            print(f"Iteration {len(history.loss_curve)}, loss = {history.loss_curve[-1]:.8f}")

    # size variables stay in [0, 1] (empty to full), as with the stochastic solvers, or
    # at their targets when self-sizing sets them
    bounds: list[tuple[float | None, float | None]] = [(None, None)] * accepted.size
    size_slot = network.layout.size_variables
    sizes = [(0.0, 1.0)] * size_slot.size
    if fixed_sizes:
        sizes = [(z, z) for z in targets]
    bounds[size_slot.offset : size_slot.offset + size_slot.size] = sizes
    try:
        result = scipy.optimize.minimize(
            loss_and_gradient,
            accepted,
            method="L-BFGS-B",
            jac=True,
            bounds=bounds,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
            callback=record,
        )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.")
        _keep(network, history, accepted, alpha, data)
        raise _Interrupted from None
    n_iter: int = _check_optimize_result("lbfgs", result, max_iter)
    if np.isfinite(result.fun) and np.all(np.isfinite(result.x)):
        theta.copy_(torch.from_numpy(result.x))
        history.loss = _task_loss(network, alpha, data)
    else:
        history.diverged = True
        warnings.warn(
            "Training diverged: L-BFGS reached a non-finite loss. The last finite iterate "
            "was kept. Scale X and y or increase alpha.",
            RuntimeWarning,
        )
        _keep(network, history, accepted, alpha, data)
    return n_iter, int(result.nfev)


def _task_loss(network: GrowingNetwork, alpha: float, data: TrainingData) -> float:
    """sklearn's loss (data loss + L2) of the network as it is."""
    with torch.inference_mode():
        objective: Objective = network.loss_and_gradient(
            data.features(), data.Y, data.sample_weight, alpha
        )
    return objective.task_loss()


def _keep(
    network: GrowingNetwork,
    history: TrainingHistory,
    x: np.ndarray,
    alpha: float,
    data: TrainingData,
) -> None:
    """Set the network to ``x`` and record its loss as the final one."""
    network.theta.copy_(torch.from_numpy(x))
    history.loss = _task_loss(network, alpha, data)
