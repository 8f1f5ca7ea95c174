"""Full-batch L-BFGS over the flat parameter buffer (size variables included)."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.optimize
import torch
from sklearn.utils.optimize import _check_optimize_result

from skgrow._network import GrowingNetwork
from skgrow._training import TrainingData, TrainingHistory, layer_sizes


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
) -> None:
    """Minimise the whole objective with scipy's L-BFGS-B, as sklearn's MLPs do.

    Records the loss and layer sizes after every L-BFGS iteration. A
    non-finite result, or Ctrl-C, keeps the last finite iterate with a warning.
    """
    theta = network.theta

    def loss_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        with torch.inference_mode():  # no autograd bookkeeping: each operation costs less
            theta.copy_(torch.from_numpy(x))
            objective = network.loss_and_gradient(
                data.features(), data.Y, data.sample_weight, alpha
            )
            return float(objective), network.grad.detach().cpu().double().numpy()

    accepted = theta.detach().cpu().double().numpy()

    def record(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        # everything for one iteration is computed before any of it is recorded
        nonlocal accepted
        theta.copy_(torch.from_numpy(intermediate_result.x))
        sizes = layer_sizes(network)
        if np.isfinite(intermediate_result.fun):
            accepted = intermediate_result.x.copy()
        history.loss_curve.append(float(intermediate_result.fun))
        history.size_curve.append(sizes)
        if verbose:
            print(f"Iteration {len(history.loss_curve)}, loss = {history.loss_curve[-1]:.8f}")

    # size variables stay in [0, 1] (empty to full), as with the stochastic solvers
    bounds = [(None, None)] * accepted.size
    size_slot = network.layout.size_variables
    bounds[size_slot.offset : size_slot.offset + size_slot.size] = [(0.0, 1.0)] * size_slot.size
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
        return
    history.n_iter = _check_optimize_result("lbfgs", result, max_iter)
    if np.isfinite(result.fun) and np.all(np.isfinite(result.x)):
        theta.copy_(torch.from_numpy(result.x))
        history.loss = float(result.fun)
    else:
        history.diverged = True
        warnings.warn(
            "Training diverged: L-BFGS reached a non-finite loss. The last finite iterate "
            "was kept. Scale X and y or increase alpha.",
            RuntimeWarning,
        )
        _keep(network, history, accepted, alpha, data)


def _keep(network, history, x: np.ndarray, alpha: float, data: TrainingData) -> None:
    """Set the network to ``x`` and record its loss as the final one."""
    network.theta.copy_(torch.from_numpy(x))
    objective = network.loss_and_gradient(data.features(), data.Y, data.sample_weight, alpha)
    history.loss = float(objective)
