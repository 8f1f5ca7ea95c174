"""The training layer's one entry: ``train`` runs any solver on a network.

The estimators validate and convert their input, build or copy the network,
history and optimiser (a ``FitState``), say what their parameters mean for the
solver (``StochasticSolver`` or ``LBFGSSolver``), call ``train``, and publish
what it leaves in the ``FitState``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from skgrow._data import TrainingData
from skgrow._lbfgs import train_lbfgs
from skgrow._network import GrowingNetwork
from skgrow._sizing import SelfSizing
from skgrow._training import (
    FlatOptimizer,
    OptimizerSettings,
    StochasticSettings,
    TrainingHistory,
    new_optimizer,
    threads_for_step,
    train_stochastic,
)


@dataclass
class FitState:
    """What a fit trains and leaves: the network, its history and the optimiser (None
    for L-BFGS, or after a divergence, whose moments are not finite)."""

    network: GrowingNetwork
    history: TrainingHistory
    optimizer: FlatOptimizer | None


@dataclass(frozen=True)
class StochasticSolver:
    """Adam or SGD: the optimiser's settings, the epochs', the rows of one step (the
    batch size of the fit's rows, which sets the thread count) and the steps the fit
    plans (None for ``partial_fit``); ``keep_optimizer``: go on with the given
    optimiser where it fits the network (``partial_fit``, a resumed fit)."""

    optimizer: OptimizerSettings
    epochs: StochasticSettings
    step_rows: int
    planned_steps: int | None
    keep_optimizer: bool


@dataclass(frozen=True)
class LBFGSSolver:
    """L-BFGS over the whole objective, as sklearn's MLPs run it."""

    alpha: float
    max_iter: int
    max_fun: int
    tol: float
    verbose: bool
    fitted_new_neurons: bool
    step_rows: int
    # the size variables held at their targets (skgrow's growth dynamics, or the widths
    # target_size='auto' sets), not optimised within their bounds (the papers' rule)
    fixed_sizes: bool = False
    weight_init: str = "glorot"  # how a stalled self-sizing stage draws its weights afresh


def train(
    state: FitState,
    data: TrainingData,
    solver: StochasticSolver | LBFGSSolver,
    rng: np.random.RandomState,
    *,
    incremental: bool = False,
    validation: Callable[[], tuple[float, float]] | None = None,
    sizing: SelfSizing | None = None,
) -> None:
    """Train ``state``'s network on ``data`` with ``solver``, in place.

    ``validation`` scores the network on held-out rows (early stopping);
    ``sizing`` decides the widths (``target_size='auto'``), by the end of a fit
    (not of a ``partial_fit`` call) even when ``max_iter`` runs out first. On
    the CPU a small network trains on one thread (``threads_for_step``).
    Afterwards the network lets go of its step buffers: a fitted model keeps
    its parameters only.
    """
    network = state.network
    state.history.diverged = False  # of this call (an earlier one may have diverged)
    cut_short = None  # L-BFGS only: stochastic training records history.resume
    work = solver.step_rows * network.layout.n_parameters
    with threads_for_step(work, network.theta.device):
        if isinstance(solver, StochasticSolver):
            optimizer = state.optimizer
            if not (solver.keep_optimizer and optimizer is not None and optimizer.fits(network)):
                optimizer = new_optimizer(network, solver.optimizer, solver.planned_steps)
            state.optimizer = optimizer
            train_stochastic(
                network,
                optimizer,
                data,
                solver.epochs,
                state.history,
                rng,
                incremental=incremental,
                validation=validation,
                sizing=sizing,
            )
        else:
            state.optimizer = None
            cut_short = train_lbfgs(
                network,
                data,
                state.history,
                alpha=solver.alpha,
                max_iter=solver.max_iter,
                max_fun=solver.max_fun,
                tol=solver.tol,
                verbose=solver.verbose,
                sizing=sizing,
                fitted_new_neurons=solver.fitted_new_neurons,
                fixed_sizes=solver.fixed_sizes,
                rng=rng,
                weight_init=solver.weight_init,
            )
    history = state.history
    if sizing is not None and not sizing.done and not incremental and history.resume is None:
        # max_iter (or L-BFGS's max_fun) is spent, training diverged or was interrupted:
        # a fitted model has decided widths
        cause = "diverged" if history.diverged else cut_short or "max_iter"
        sizing.conclude(network, cause)
    if history.diverged:
        state.optimizer = None  # its moments are not finite; further training starts afresh
    network.release_buffers()
