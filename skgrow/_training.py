"""The training loop: optimisers, epochs, mini-batches, stopping rules.

The chain is ``train_stochastic`` -> ``run_epoch`` -> ``train_step``; growth
needs no step of its own because the size variables are parameters like any
other (with their own learning rate). The stopping rules, learning-rate
schedules and messages follow sklearn's MLPs.
"""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from skgrow._data import TrainingData
from skgrow._entry import fit_new_neurons
from skgrow._growth import size_pace
from skgrow._network import ARRIVED, GrowingNetwork, Objective
from skgrow._sizing import SelfSizing, SizingState

Tensor = torch.Tensor
# What np.random.RandomState.get_state() returns and set_state() takes (a tuple for
# the legacy generator it wraps)
RngState: TypeAlias = dict[str, Any] | tuple[str, np.ndarray, int, int, float]


def __getattr__(name: str) -> type:
    """``_ArrayOfTensor``, which states saved before the versioned format name here, from
    ``_persistence`` (imported when such a state is loaded: the modules import it)."""
    if name == "_ArrayOfTensor":
        from skgrow._persistence import _ArrayOfTensor

        return _ArrayOfTensor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- optimisers on the flat parameter buffer ------------------------------------------------


@dataclass(frozen=True)
class SizeSteps:
    """How the size variables are stepped when not by the solver: each takes a plain
    gradient step of its ``rates`` entry times its gradient, at most ``limit`` either
    way, on the whole loss or (``size_loss_only``) on the size loss alone."""

    rates: tuple[float, ...]
    limit: float
    size_loss_only: bool = False

    @classmethod
    def at_pace(
        cls, network: GrowingNetwork, size_penalty: float, pace: float, size_loss_only: bool
    ) -> SizeSteps:
        """Steps that move each of ``network``'s layers ``pace`` of the way to its target,
        at most ``pace`` of its capacity either way."""
        arch = network.arch
        rates = arch.method.step_rates(arch.capacities, size_penalty, pace)
        return cls(rates, pace, size_loss_only)


class FlatOptimizer:
    """Base of the optimisers; ``learning_rate`` is the current (scheduled) rate.

    Parameters are stepped in groups, each a slice of the flat buffer with
    its own multiple of the learning rate: one group for everything, or, when
    the size variables have their own rates (``size_lr_ratios``, one per
    hidden layer), one for the weights and one per size variable (they sit
    last in the buffer).

    With ``size_steps`` the solver steps the weights only, and the size
    variables take the plain gradient steps it describes.
    """

    def __init__(
        self,
        network: GrowingNetwork,
        learning_rate_init: float,
        size_lr_ratios: Sequence[float],
        size_steps: SizeSteps | None = None,
    ):
        self.network = network
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        sizes = network.layout.size_variables
        self.size_steps = size_steps if sizes.size else None
        if self.size_steps is not None:
            self.groups = [(slice(0, sizes.offset), 1.0)]
        elif sizes.size == 0 or all(ratio == 1.0 for ratio in size_lr_ratios):
            self.groups = [(slice(0, network.layout.n_parameters), 1.0)]
        else:
            self.groups = [(slice(0, sizes.offset), 1.0)] + [
                (slice(sizes.offset + layer, sizes.offset + layer + 1), ratio)
                for layer, ratio in enumerate(size_lr_ratios)
            ]

    def hurry_growth(self) -> bool:
        """Step the size variables a tenth of the way per step from now on (``size_pace``
        without a plan: a layer nearly grown in 30 steps), on the size loss alone:
        straight to their targets, which the task gradient, scaled up as much, would
        make a random walk. Whether that is faster than their pace was; not for the
        papers' rule, in which the solver steps them."""
        steps, hurried, network = self.size_steps, size_pace(None), self.network
        if steps is None or steps.limit >= hurried:
            return False
        self.size_steps = SizeSteps.at_pace(network, network.growth.size_penalty, hurried, True)
        return True

    @property
    def reads_size_task_gradient(self) -> bool:
        """Whether a step reads the size variables' gradient of the whole loss: not where
        they take steps on the size loss alone."""
        steps = self.size_steps
        return steps is None or not steps.size_loss_only

    def step(self) -> None:
        """Step on the gradient in ``network.grad``."""
        self._solver_step()
        steps = self.size_steps
        if steps is not None:
            self.network.step_size_variables(steps.rates, steps.limit, steps.size_loss_only)

    def _solver_step(self) -> None:
        raise NotImplementedError

    def _group_views(self) -> list[tuple[list[Tensor], float]]:
        """Per group: views of the parameters, gradients and state, and the rate multiple.

        Slicing costs about as much as a small update, so the views are made
        once per parameter buffer (the network replaces it when it moves).
        """
        cache = self.__dict__.get("_views")
        theta = self.network.theta
        if cache is None or cache[0] is not theta:
            buffers = (theta, self.network.grad, *self._state_buffers())
            with torch.inference_mode(False):  # writable in any mode, as the buffers
                views = [([b[part] for b in buffers], ratio) for part, ratio in self.groups]
            cache = self._views = (theta, views)
        return cache[1]

    def _state_buffers(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:  # for copies; saved models go through _persistence
        state = dict(self.__dict__)
        state.pop("_views", None)  # views are rebuilt from the buffers
        return state

    def state(self) -> Tensor:
        """One of the optimiser's state tensors, shaped like the parameters."""
        raise NotImplementedError

    def follow(self, network: GrowingNetwork) -> None:
        """Move the state to ``network``'s device and dtype (a loaded optimiser is on the
        CPU)."""
        theta = network.theta
        for name, value in list(vars(self).items()):
            if isinstance(value, Tensor) and value.device != theta.device:
                setattr(self, name, value.to(theta.device))
        self.__dict__.pop("_views", None)
        self.network = network

    def fits(self, network: GrowingNetwork) -> bool:
        """Whether this optimiser's state can keep driving ``network``."""
        state, theta = self.state(), network.theta
        return self.network is network and (state.shape, state.dtype, state.device) == (
            theta.shape,
            theta.dtype,
            theta.device,
        )

    def iteration_ends(self, time_step: int) -> None:
        """Called after each epoch with the number of samples seen so far."""

    def trigger_stopping(self, msg: str, verbose: bool) -> bool:
        if verbose:
            print(msg + " Stopping.")
        return True


def fused_adam_available(theta: Tensor) -> bool:
    """Whether torch's one-kernel Adam update runs on this device and dtype."""
    try:
        probe = [torch.zeros(1, dtype=theta.dtype, device=theta.device) for _ in range(4)]
        step = [torch.ones((), dtype=torch.float32, device=theta.device)]
        torch._fused_adam_(
            [probe[0]], [probe[1]], [probe[2]], [probe[3]], [], step,
            lr=1e-3, beta1=0.9, beta2=0.999, weight_decay=0.0, eps=1e-8,
            amsgrad=False, maximize=False,
        )  # fmt: skip
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return True


class AdamOptimizer(FlatOptimizer):
    """Adam exactly as sklearn writes it: ``theta -= lr_t * m / (sqrt(v) + eps)``.

    With ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``. Where torch's
    fused kernel is available it does the whole update in one pass; its
    formula puts ``eps`` inside the bias correction, so it is given
    ``eps / sqrt(1 - beta_2**t)``, which makes the two identical.
    """

    def __init__(
        self,
        network: GrowingNetwork,
        learning_rate_init: float,
        size_lr_ratios: Sequence[float],
        beta_1: float,
        beta_2: float,
        epsilon: float,
        size_steps: SizeSteps | None = None,
    ):
        super().__init__(network, learning_rate_init, size_lr_ratios, size_steps)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        theta = network.theta
        self.first_moment = torch.zeros_like(theta)
        self.second_moment = torch.zeros_like(theta)
        self.fused = fused_adam_available(theta)
        self._step = torch.zeros((), dtype=torch.float32, device=theta.device)

    def state(self) -> Tensor:
        return self.first_moment

    def _state_buffers(self) -> tuple[Tensor, ...]:
        return self.first_moment, self.second_moment

    def _solver_step(self) -> None:
        self.t += 1
        bias_correction = math.sqrt(1.0 - self.beta_2**self.t)
        if not self.fused:
            for views, ratio in self._group_views():
                rate = self.learning_rate * ratio * bias_correction / (1.0 - self.beta_1**self.t)
                self._plain_step(views, rate)
            return
        self._step.fill_(self.t)
        eps = self.epsilon / bias_correction
        for (theta, grad, m, v), ratio in self._group_views():
            torch._fused_adam_(
                (theta,),
                (grad,),
                (m,),
                (v,),
                (),
                (self._step,),
                lr=self.learning_rate * ratio,
                beta1=self.beta_1,
                beta2=self.beta_2,
                weight_decay=0.0,
                eps=eps,
                amsgrad=False,
                maximize=False,
            )

    def _plain_step(self, views: list[Tensor], rate: float) -> None:
        theta, grad, m, v = views
        m.lerp_(grad, 1.0 - self.beta_1)
        v.mul_(self.beta_2).addcmul_(grad, grad, value=1.0 - self.beta_2)
        denominator = torch.sqrt(v).add_(self.epsilon)
        theta.addcdiv_(m, denominator, value=-rate)


class SGDOptimizer(FlatOptimizer):
    """SGD with (Nesterov) momentum and sklearn's learning-rate schedules."""

    def __init__(
        self,
        network: GrowingNetwork,
        learning_rate_init: float,
        size_lr_ratios: Sequence[float],
        schedule: str,
        momentum: float,
        nesterov: bool,
        power_t: float,
        size_steps: SizeSteps | None = None,
    ):
        super().__init__(network, learning_rate_init, size_lr_ratios, size_steps)
        self.schedule, self.momentum, self.nesterov, self.power_t = (
            schedule,
            momentum,
            nesterov,
            power_t,
        )
        self.velocity = torch.zeros_like(network.theta)

    def state(self) -> Tensor:
        return self.velocity

    def _state_buffers(self) -> tuple[Tensor, ...]:
        return (self.velocity,)

    def _solver_step(self) -> None:
        for (theta, grad, velocity), ratio in self._group_views():
            rate = self.learning_rate * ratio
            velocity.mul_(self.momentum).add_(grad, alpha=-rate)
            if self.nesterov:
                theta.add_(velocity, alpha=self.momentum).add_(grad, alpha=-rate)
            else:
                theta.add_(velocity)

    def iteration_ends(self, time_step: int) -> None:
        if self.schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg: str, verbose: bool) -> bool:
        if self.schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"{msg} Setting learning rate to {self.learning_rate:f}")
        return False


# -- threads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptimizerSettings:
    """What the estimator's parameters say about the optimiser of a stochastic solver.

    ``size_learning_rate`` is a rate, 'auto' or None (the papers' rule: the
    solver steps the size variables with the weights' rate); ``self_sizing``
    says whether ``target_size='auto'`` sets the targets; ``size_loss_only``
    whether the size loss alone moves the size variables.
    """

    solver: str
    learning_rate_init: float
    learning_rate: str
    power_t: float
    momentum: float
    nesterovs_momentum: bool
    beta_1: float
    beta_2: float
    epsilon: float
    size_penalty: float
    size_learning_rate: float | str | None
    self_sizing: bool
    size_loss_only: bool

    def size_pace(self, planned_steps: int | None) -> float | None:
        """The share of the way to its target that a step moves a layer (None: the
        papers' rule). 'auto' follows the fit's planned steps (``_growth.size_pace``);
        self-sizing, whose stages set their own length, and ``partial_fit`` go at the
        fastest pace."""
        if self.size_learning_rate != "auto":
            return cast("float | None", self.size_learning_rate)
        return size_pace(None if self.self_sizing else planned_steps)

    def size_lr_ratios(self, network: GrowingNetwork) -> list[float]:
        """With the papers' rule, each size variable's rate relative to
        ``learning_rate_init``. With SGD, each is stepped as gradient descent in its
        method's own unit would step it (method A: the paper's ``S``, in neurons, so
        ``z = S / N`` takes ``1 / N**2``); Adam is invariant to that rescaling."""
        arch = network.arch
        if self.solver == "sgd":
            return arch.method.sgd_rate_ratios(arch.capacities)
        return [1.0] * arch.n_hidden


def new_optimizer(
    network: GrowingNetwork, settings: OptimizerSettings, planned_steps: int | None
) -> FlatOptimizer:
    """The solver's optimiser; ``planned_steps`` is the fit's (None for partial_fit)."""
    pace, arch = settings.size_pace(planned_steps), network.arch
    size_steps = None
    if pace is not None and arch.growing:
        size_loss_only = settings.self_sizing or settings.size_loss_only
        size_steps = SizeSteps.at_pace(network, settings.size_penalty, pace, size_loss_only)
    ratios = settings.size_lr_ratios(network)
    if settings.solver == "adam":
        return AdamOptimizer(
            network,
            settings.learning_rate_init,
            ratios,
            settings.beta_1,
            settings.beta_2,
            settings.epsilon,
            size_steps,
        )
    return SGDOptimizer(
        network,
        settings.learning_rate_init,
        ratios,
        settings.learning_rate,
        settings.momentum,
        settings.nesterovs_momentum,
        settings.power_t,
        size_steps,
    )


# Below this many multiply-adds per step, one thread beats several: the step is
# dominated by the cost of dispatching small operations, which a thread pool adds
# to. Measured on a 2-core machine, batch 200, 20 features, one hidden layer: one
# thread is faster up to width 4096 (3.6e7 multiply-adds; 1.9 ms against 2.8 ms per
# step) and two threads from width 8192 (3.3 ms against 4.5 ms).
SMALL_STEP = 2**25


class _SingleThreadedFits:
    """The fits running now that asked for one torch thread, counted under a lock.

    torch's thread setting is per calling thread (OpenMP), and the latest
    setting is what threads started later begin with. The first fit to start
    records the setting it finds; every fit sets its own thread to 1 and, as
    it ends, back to that recorded setting. A thread that began while a fit
    ran (and so found 1) ends its fit with the setting, not with 1.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.threads_before = 1

    def enter(self) -> None:
        with self.lock:
            # read first: a thread's first torch call takes the latest setting as its own,
            # which must not happen later, after another fit has set it back
            current = torch.get_num_threads()
            if self.running == 0:
                self.threads_before = current
            self.running += 1
            torch.set_num_threads(1)

    def leave(self) -> None:
        with self.lock:
            self.running -= 1
            torch.set_num_threads(self.threads_before)


_SINGLE_THREADED_FITS = _SingleThreadedFits()


@contextlib.contextmanager
def threads_for_step(work: int, device: torch.device) -> Iterator[None]:
    """Use one torch thread while training a small network on the CPU, then restore.

    ``work`` is the batch size times the number of parameters. Safe with
    fits running at once in threads (``_SingleThreadedFits``).
    """
    if device.type != "cpu" or work >= SMALL_STEP:
        yield
        return
    _SINGLE_THREADED_FITS.enter()
    try:
        yield
    finally:
        _SINGLE_THREADED_FITS.leave()


# -- training state and settings ---------------------------------------------------------------


@dataclass
class ResumePoint:
    """Where an interrupted stochastic fit stopped: the end of its last whole epoch.

    With the history, network and optimiser as they were then, this is what
    a ``warm_start`` fit on the same data and parameters needs to go on as if
    never interrupted. ``signature`` (of the data and parameters) and
    ``split_state`` (the random state before the fit split its rows) are
    the estimator's.
    """

    random_state: RngState  # of the shuffling when the fit's epochs began
    shuffles: list[int]  # rows shuffled in each epoch since (replayed from random_state:
    # cheaper than saving the random state each epoch)
    order: np.ndarray  # the running row permutation of the rows trained on
    theta: Tensor  # the parameters then (the model may hold early stopping's best)
    signature: str = ""
    split_state: RngState | None = None


@dataclass
class TrainingHistory:
    """Everything sklearn records while fitting, plus the size of each layer per epoch."""

    early_stopping: bool
    n_iter: int = 0
    t: int = 0
    loss: float = math.nan
    loss_curve: list[float] = field(default_factory=list)
    size_loss_curve: list[float] = field(default_factory=list)
    size_curve: list[tuple[float, ...]] = field(default_factory=list)
    best_loss: float | None = math.inf
    validation_scores: list[float] | None = None
    best_validation_score: float | None = None
    validation_loss_curve: list[float] | None = None
    no_improvement_count: int = 0
    # the loss that later epochs must improve on: the lowest since the layers last grew
    reference_loss: float = math.inf
    # sklearn's count, blind to growth: epochs since the watched score last beat its best
    stalled_count: int = 0
    best_theta: Tensor | None = None
    diverged: bool = False
    sizing: SizingState | None = None  # target_size="auto"
    # the epoch at which this call ends, set once self-sizing has decided the widths
    last_epoch: int | None = None
    resume: ResumePoint | None = None  # set when the fit was interrupted

    def __post_init__(self) -> None:
        if self.early_stopping:
            self.best_loss = None
            self.validation_scores = []
            self.validation_loss_curve = []
            self.best_validation_score = -math.inf

    def restart_stopping_rule(self, network: GrowingNetwork) -> None:
        """Count afresh, for the ``network`` just put in place (self-sizing went back to
        the widths and weights it kept) at the end of the epoch: the epoch's training
        loss was another network's, its validation score (taken after) is this one's."""
        self.no_improvement_count = self.stalled_count = 0
        self.reference_loss = math.inf
        if self.early_stopping:
            assert self.validation_scores  # this epoch's
            self.best_validation_score = self.validation_scores[-1]
            self.best_theta = network.theta.clone()

    def switch_early_stopping(self, early_stopping: bool) -> None:
        """Go on under the other stopping rule (a ``warm_start`` fit that turned
        ``early_stopping`` on or off): its records start afresh, the curves go on."""
        self.early_stopping = early_stopping
        self.best_loss, self.validation_scores = math.inf, None
        self.best_validation_score = self.validation_loss_curve = None
        self.no_improvement_count, self.best_theta = 0, None
        self.__post_init__()


@dataclass(frozen=True)
class StochasticSettings:
    batch_size: int
    shuffle: bool
    max_iter: int
    tol: float
    n_iter_no_change: float
    alpha: float
    verbose: bool
    progress_bar: bool = False
    fitted_new_neurons: bool = False
    # a batch of all the rows is all of a fit's training rows (not a partial_fit call's)
    all_rows_in_one_batch: bool = False
    # size_gradient="size_loss": the solver steps the size variables on the size loss alone
    size_loss_gradient: bool = False


# -- the loop ---------------------------------------------------------------------------------

# neurons per epoch by which a layer still grows enough to hold off the stopping rule
NOTICEABLE_GROWTH = 0.5


def train_step(
    network: GrowingNetwork,
    optimizer: FlatOptimizer,
    X: Tensor,
    Y: Tensor,
    w: Tensor | None,
    settings: StochasticSettings,
    all_rows: bool = False,
) -> Objective:
    """One gradient step on one batch (``all_rows``: all of a fit's training rows);
    returns the batch's objective.

    Neurons that the step switches on for the first time get fitted
    outgoing weights (``_entry``) when ``settings.fitted_new_neurons``.
    """
    # the size variables' gradient of the whole loss, where a step reads it
    task_gradient = optimizer.reads_size_task_gradient and not settings.size_loss_gradient
    objective = network.loss_and_gradient(X, Y, w, settings.alpha, task_gradient)
    if settings.size_loss_gradient:
        network.keep_size_loss_gradient()
    optimizer.step()
    network.clip_size_variables()
    if settings.fitted_new_neurons:
        new = network.take_new_neurons()
        if new:
            fit_new_neurons(network, X, Y, w, new, settings.alpha, all_rows)
    return objective


# Rows are gathered in chunks of about this many bytes, then cut into batches:
# one gather per chunk costs less than one per batch, and a chunk is small next
# to the data.
CHUNK_BYTES = 2**22


def run_epoch(
    network: GrowingNetwork,
    optimizer: FlatOptimizer,
    data: TrainingData,
    settings: StochasticSettings,
    rng: np.random.RandomState,
) -> tuple[float, float]:
    """One pass over the data in mini-batches.

    Returns sklearn's epoch loss (the batches' data loss + L2 term, weighted
    by batch length) and the mean size loss over the same batches. A batch
    whose rows all have sample weight 0 is skipped: its objective is 0 / 0.
    No step is taken on it and its rows leave the epoch loss, though the
    epoch's count of steps and samples (``t_``, self-sizing's stage steps)
    still holds them.
    """
    n = data.n_samples
    if settings.shuffle:
        permutation = np.arange(n)
        rng.shuffle(permutation)
        data.order = data.order[permutation]
    batch_size = settings.batch_size
    if batch_size >= n:  # one batch: row order does not change the gradient
        with torch.inference_mode():
            objective = train_step(
                network,
                optimizer,
                data.features(),
                data.Y,
                data.sample_weight,
                settings,
                settings.all_rows_in_one_batch,
            )
            return objective.task_loss(), objective.size_loss
    order = torch.from_numpy(data.order).to(data.Y.device)
    row_bytes = (data.X.shape[1] + data.Y.shape[1] + 1) * data.Y.element_size()
    chunk = max(1, CHUNK_BYTES // (row_bytes * batch_size)) * batch_size
    # sklearn's epoch loss: batch losses weighted by batch length. Summed on the
    # host on the CPU (a float is cheaper than a torch operation), on the device
    # elsewhere (reading a GPU value each step would wait for the step)
    on_host = data.Y.device.type == "cpu"
    total, size_total = 0.0 if on_host else data.Y.new_zeros(()), 0.0
    counted = 0  # rows of the batches stepped on
    # without autograd's bookkeeping, which nothing here needs, each operation costs less
    with torch.inference_mode():
        for chunk_start in range(0, n, chunk):
            X, Y, w = data.rows(order[chunk_start : chunk_start + chunk], chunk)
            Xs, Ys = X.split(batch_size), Y.split(batch_size)
            ws = [None] * len(Xs) if w is None else w.split(batch_size)
            weighted = data.batches_with_weight(chunk_start, chunk_start + chunk, batch_size)
            for i, (X, Y, w) in enumerate(zip(Xs, Ys, ws)):
                if weighted is not None and not weighted[i]:
                    continue
                objective = train_step(network, optimizer, X, Y, w, settings)
                n_rows = X.shape[0]
                if on_host:
                    total += float(objective.loss_sum) * n_rows / objective.divisor
                else:
                    cast(Tensor, total).add_(objective.loss_sum, alpha=n_rows / objective.divisor)
                size_total += objective.size_loss * n_rows
                counted += n_rows
    return float(total) / counted, size_total / counted


def update_no_improvement_count(
    history: TrainingHistory,
    network: GrowingNetwork,
    tol: float,
    validation: Callable[[], tuple[float, float]] | None,
    verbose: bool,
    changing: bool = False,
) -> None:
    """sklearn's rule: count epochs without ``tol`` improvement, keep the best model.

    ``validation`` returns the held-out score and loss when early stopping.
    An epoch in which the network was ``changing`` shape (a layer gained
    neurons it never had or moved towards its target, or self-sizing was
    still deciding) counts as an improvement, and later epochs are measured
    against its loss: training does not stop while layers are still growing.
    """
    if validation is not None:
        score, loss = validation()
        assert history.validation_scores is not None and history.validation_loss_curve is not None
        assert history.best_validation_score is not None  # set with validation_scores
        history.validation_scores.append(score)
        history.validation_loss_curve.append(loss)
        if verbose:
            print(f"Validation score: {score:f}")
        stalled = score < history.best_validation_score + tol
        history.stalled_count = history.stalled_count + 1 if stalled else 0
        if stalled and not changing:
            history.no_improvement_count += 1
        else:
            history.no_improvement_count = 0
        if score > history.best_validation_score:
            history.best_validation_score = score
            history.best_theta = network.theta.clone()
        return
    last = history.loss_curve[-1]
    stalled = last > cast(float, history.best_loss) - tol
    history.stalled_count = history.stalled_count + 1 if stalled else 0
    if changing:  # another network: improvement is measured from its loss on
        history.no_improvement_count = 0
        history.reference_loss = last
    elif last > history.reference_loss - tol:
        history.no_improvement_count += 1
    else:
        history.no_improvement_count = 0
    history.reference_loss = min(history.reference_loss, last)
    # None only in the history of a fit with early stopping (then min raises)
    history.best_loss = min(cast(float, history.best_loss), last)


def _format_sizes(sizes: tuple[float, ...]) -> str:
    return ", ".join(f"{s:.2f}" for s in sizes)


class ProgressBar:
    """A tqdm bar over the epochs showing loss and layer sizes (``progress_bar=True``)."""

    def __init__(self, total_epochs: int, done: int = 0):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=total_epochs, initial=done, unit="epoch", desc="fit")

    def update(self, loss: float, sizes: tuple[float, ...]) -> None:
        self._bar.set_postfix(loss=f"{loss:.4g}", size=_format_sizes(sizes))
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def _record_epoch(
    history: TrainingHistory, network: GrowingNetwork, loss: float, size_loss: float, n: int
) -> None:
    history.loss = loss
    history.n_iter += 1
    history.t += n
    history.loss_curve.append(loss)
    history.size_loss_curve.append(size_loss)
    history.size_curve.append(network.continuous_sizes())


def _record_diverged_epoch(
    history: TrainingHistory, network: GrowingNetwork, loss: float, size_loss: float, n: int
) -> None:
    """The epoch that diverged, recorded as sklearn records it: its non-finite loss ends
    ``loss_curve``. ``loss`` stays that of the last finite epoch, whose weights are kept."""
    last_finite = history.loss
    _record_epoch(history, network, loss, size_loss, n)
    history.loss = last_finite


def _print_epoch(history: TrainingHistory, growing: bool) -> None:
    print(f"Iteration {history.n_iter}, loss = {history.loss:.8f}")
    if growing:
        print(f"Layer sizes: {_format_sizes(history.size_curve[-1])}")


def _converged(
    history: TrainingHistory,
    optimizer: FlatOptimizer,
    settings: StochasticSettings,
    early_stopping: bool,
) -> bool:
    """sklearn's stopping rule, after ``n_iter_no_change`` epochs without improvement."""
    if history.no_improvement_count <= settings.n_iter_no_change:
        return False
    watched = "Validation score" if early_stopping else "Training loss"
    msg = (
        f"{watched} did not improve more than tol={settings.tol:f}"
        f" for {settings.n_iter_no_change} consecutive epochs."
    )
    if optimizer.trigger_stopping(msg, settings.verbose):
        return True
    history.no_improvement_count = 0
    return False


def _has_diverged(loss: float, network: GrowingNetwork) -> bool:
    """Whether the epoch's loss or any weight is not finite.

    A sum is finite only where every term is, so one reduction answers for
    finite weights (a fifth of the cost of ``isfinite``); only a sum that is
    not finite, because a weight is not or because it overflowed, asks each
    weight.
    """
    if not math.isfinite(loss):
        return True
    theta = network.theta
    return not math.isfinite(float(theta.sum())) and not bool(torch.isfinite(theta).all())


class EpochCheckpoint:
    """The training state at the end of the last whole epoch, written over each epoch.

    An interrupted fit (Ctrl-C, or an exception from anything called during
    an epoch) goes back to it, so that it can be resumed exactly; a diverged
    epoch takes back its weights. The buffers are allocated once.
    """

    _CURVES = (
        "loss_curve",
        "size_loss_curve",
        "size_curve",
        "validation_scores",
        "validation_loss_curve",
    )

    def __init__(
        self,
        network: GrowingNetwork,
        optimizer: FlatOptimizer,
        random_state: RngState,
        shuffles: list[int],
    ) -> None:
        self.network, self.optimizer = network, optimizer
        self.live = [network.theta, *optimizer._state_buffers()]
        self.saved = [tensor.clone() for tensor in self.live]
        self.theta = self.saved[0]
        self.numbers = [  # the optimiser's scalars: its step count, scheduled rate
            name
            for name, value in vars(optimizer).items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        ]
        self.random_state = random_state  # when the epochs began
        self.shuffles = shuffles  # appended to by the loop, each epoch
        self.taken = False

    def take(self, history: TrainingHistory, data: TrainingData) -> None:
        network, optimizer = self.network, self.optimizer
        torch._foreach_copy_(self.saved, self.live)
        self.optimizer_numbers = {name: getattr(optimizer, name) for name in self.numbers}
        self.grown, self.growth = list(network.grown), network.growth
        self.history = dict(vars(history))
        for name in self._CURVES:
            if self.history[name] is not None:
                self.history[name] = len(self.history[name])
        del self.history["sizing"]
        sizing = history.sizing
        self.sizing = None if sizing is None else sizing.snapshot()
        self.n_shuffles = len(self.shuffles)
        self.data, self.order = data, data.order.copy()
        self.taken = True

    def restore_weights(self) -> None:
        """The weights and grown widths of the epoch's end (after a divergence)."""
        self.network.theta.copy_(self.theta)
        self.network.grown = list(self.grown)

    def restore(self, history: TrainingHistory) -> None:
        """Everything back to the epoch's end; ``history.resume`` records where to go
        on from."""
        self.restore_weights()
        self.network.growth = self.growth
        torch._foreach_copy_(self.live, self.saved)
        vars(self.optimizer).update(self.optimizer_numbers)
        for name, value in self.history.items():
            if name in self._CURVES and value is not None:
                del getattr(history, name)[value:]
            else:
                setattr(history, name, value)
        if self.sizing is not None:
            assert history.sizing is not None  # the checkpoint found it there
            history.sizing.restore(self.sizing)
        self.data.order = self.order.copy()
        shuffles = self.shuffles[: self.n_shuffles]
        history.resume = ResumePoint(
            self.random_state, shuffles, self.order.copy(), self.theta.clone()
        )


def train_stochastic(
    network: GrowingNetwork,
    optimizer: FlatOptimizer,
    data: TrainingData,
    settings: StochasticSettings,
    history: TrainingHistory,
    rng: np.random.RandomState,
    *,
    incremental: bool,
    validation: Callable[[], tuple[float, float]] | None,
    sizing: SelfSizing | None = None,
) -> None:
    """Epochs of mini-batch training until convergence or ``max_iter``.

    A non-finite loss or weight stops training with a warning and restores
    the weights and sizes at the end of the last finite epoch. An interrupted
    fit (Ctrl-C, or an exception raised during an epoch) goes back to the end
    of its last whole epoch and records in ``history.resume`` where it
    stopped; Ctrl-C then returns with a warning (the model is kept, as
    sklearn keeps it), an exception goes on. Given a history with
    ``resume``, training goes on from there: its epochs, random state and
    row order.
    """
    resume, history.resume = history.resume, None
    shuffles: list[int] = []
    start: RngState
    if resume is None or incremental:
        history.n_iter = 0  # sklearn counts the epochs of the current call only
        history.last_epoch = None
        start = rng.get_state()
    else:  # where an interrupted fit stopped; the caller has restored the rest
        start = resume.random_state
        rng.set_state(start)
        for n in resume.shuffles:  # the random state after the same draws
            rng.shuffle(np.arange(n))
        shuffles = list(resume.shuffles)
        data.order = resume.order.copy()
        network.theta.copy_(resume.theta)
    checkpoint = EpochCheckpoint(network, optimizer, start, shuffles)
    progress = ProgressBar(settings.max_iter, history.n_iter) if settings.progress_bar else None
    try:
        for _ in range(history.n_iter, settings.max_iter):
            checkpoint.take(history, data)
            if settings.shuffle:
                shuffles.append(data.n_samples)
            grown_before, sizes_before = list(network.grown), network.continuous_sizes()
            loss, size_loss = run_epoch(network, optimizer, data, settings, rng)
            if _has_diverged(loss + size_loss, network):
                checkpoint.restore_weights()
                history.diverged = True
                warnings.warn(
                    f"Training diverged in epoch {history.n_iter + 1}: the loss became "
                    f"{loss}. Training stopped and the weights and sizes of the last finite "
                    "epoch were restored. Lower learning_rate_init or scale X and y.",
                    RuntimeWarning,
                )
                _record_diverged_epoch(history, network, loss, size_loss, data.n_samples)
                break
            _record_epoch(history, network, loss, size_loss, data.n_samples)
            if settings.verbose:
                _print_epoch(history, network.arch.growing)
            if progress is not None:
                progress.update(loss, history.size_curve[-1])
            network.take_new_neurons()  # those of this epoch, when entry did not record them
            decided = False
            if sizing is not None and not sizing.done:
                steps = math.ceil(data.n_samples / settings.batch_size)
                data = sizing.after_epoch(network, steps) or data
                decided = sizing.done
            # no stop while widths are being decided or layers still move towards them:
            # those of self-sizing all the way, others while they grow by half a neuron
            moved = ARRIVED if sizing is not None else NOTICEABLE_GROWTH
            changing = (
                network.grown != grown_before
                or (sizing is not None and not sizing.done)
                or network.approaching_targets(sizes_before, moved)
            )
            update_no_improvement_count(
                history, network, settings.tol, validation, settings.verbose, changing=changing
            )
            if decided:  # the chosen widths train on, the held-out rows back in (final_epochs)
                assert sizing is not None
                history.restart_stopping_rule(network)
                steps = math.ceil(data.n_samples / settings.batch_size)
                history.last_epoch = history.n_iter + sizing.state.final_epochs(steps)
            if (
                history.stalled_count > settings.n_iter_no_change
                and sizing is None
                and not network.at_targets()
                and optimizer.hurry_growth()
            ):  # paced growth that training has outrun: the layers grow at the fastest pace,
                # and the epochs they take do not count towards stopping (the hurry may come
                # in the epoch that would otherwise have ended a fit held back from growing)
                history.stalled_count = history.no_improvement_count = 0
            optimizer.iteration_ends(history.t)
            if _converged(history, optimizer, settings, validation is not None) or incremental:
                break
            if history.n_iter == settings.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({settings.max_iter}) reached"
                    " and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                )
            elif history.n_iter == history.last_epoch:
                break
    except KeyboardInterrupt:
        if checkpoint.taken:
            checkpoint.restore(history)
        warnings.warn(
            "Training interrupted by user. The model is that of the last whole epoch; fit "
            "again with warm_start=True to go on where it stopped."
        )
    except BaseException:
        if checkpoint.taken:
            checkpoint.restore(history)
        raise
    finally:
        if progress is not None:
            progress.close()

    if validation is not None and history.best_theta is not None:
        network.theta.copy_(history.best_theta)
