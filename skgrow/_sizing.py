"""``target_size="auto"``: hidden layers that double while doubling pays off.

Self-sizing works in *stages*. A stage trains the network with every hidden
layer at a target width (the size loss pulls each layer there, as with a
fixed ``target_size``) until training at that width has nearly stopped
improving the loss on held-out rows (the first stage, kept whatever it
scores, only for as long as a stage must). The loss is the squared error,
of the predicted probabilities for classifiers (``SIZING_LOSSES``). Then
the stage is judged against the *kept* one (at first the first stage): if
doubling the layers lowered the held-out loss by more than ``size_tol`` (as
a fraction of the baseline loss, that of the best constant prediction: half
a point of R^2, on the one-hot targets for classifiers), the stage is kept
and the next one doubles again. When the evidence is unclear -- the gain
short of the cost, but within one standard error of it (over the held-out
rows, paired) -- the layers double again too, since a wider layer may still
pay, but the kept stage stays, and the next stage must pay for every doubling
since it; so they do when the first doubling stalls
(no better than the first stage, its held-out loss moved by less than the
cost over its epochs), since the narrow first network may sit on a plateau
that one doubling does not leave. Growth stops at the first doubling that
clearly did not pay, or at the capacity, and the network goes back to the
kept stage: its widths and its weights at its best held-out epoch, as early
stopping goes back to its best epoch.

Doubling a layer of ``n`` neurons adds ``n``, so each added neuron must
lower the held-out loss by ``size_tol / n`` of the baseline: the cost of a
neuron, relative to the width of the layer it joins. A stage two doublings past
the kept one must gain ``2 * size_tol``; one that the capacity cuts short of a
doubling (64 to 100 neurons) less than ``size_tol`` (36 / 64 of it).

The held-out rows are ``validation_fraction`` of the training data, more on
small data (the early-stopping validation set when ``early_stopping=True``).
They join the training data once the widths are decided, for as long as a
stage must train (``MIN_STAGE_STEPS``; at most a stage's share of
``max_iter``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from skgrow._network import GrowingNetwork, baseline_sizing_losses

if TYPE_CHECKING:
    from skgrow._data import TrainingData

FIRST_WIDTH = 4  # neurons per layer in the first stage
PATIENCE = 3  # epochs over which a stage's progress is measured
STAGE_PROGRESS = 0.2  # a stage ends when it gains less than this share of size_tol ...
MIN_STAGE_STEPS = 200  # ... after at least this many optimiser steps at its widths
Z_SCORE = 1.0  # a doubling falls short when its gain plus this many standard errors does
# a stage starts once every layer is this close to its width (half a neuron, or a tenth)
NEAR_WIDTH, NEAR_SHARE = 0.5, 0.1


@dataclass
class SizingState:
    """Where self-sizing stands; kept between ``partial_fit`` calls.

    Row losses are numpy arrays over the held-out rows, and weights the
    network's ``theta`` with the neurons each layer ever had (``grown``), at
    the stage's best epoch and at the kept stage's.
    """

    targets: list[float]
    size_tol: float
    max_stage_epochs: int  # the budget shared over the stages
    accepted: list[float] | None = None  # the kept stage's widths
    accepted_rows: np.ndarray | None = None
    accepted_weights: StageWeights | None = None
    stage_losses: list[float] = field(default_factory=list)  # best so far, per epoch
    stage_rows: np.ndarray | None = None
    stage_weights: StageWeights | None = None
    stage_steps: int = 0
    done: bool = False
    decisions: list[tuple[tuple[float, ...], float, bool]] = field(default_factory=list)

    @classmethod
    def start(
        cls, network: GrowingNetwork, size_tol: float, initial: tuple[int, ...], max_iter: int
    ) -> SizingState:
        """The first stage: each layer at ``FIRST_WIDTH`` neurons, or at ``initial`` if more.

        A stage lasts at most an equal share of ``max_iter``, and so does the
        training at the chosen widths once they are decided.
        """
        capacities = network.arch.capacities
        widths = [float(min(c, max(FIRST_WIDTH, n))) for c, n in zip(capacities, initial)]
        doublings = max(math.ceil(math.log2(c / w)) for c, w in zip(capacities, widths))
        longest = max(PATIENCE + 1, max_iter // (doublings + 2))
        state = cls(targets=widths, size_tol=size_tol, max_stage_epochs=longest)
        state.apply(network)
        return state

    def snapshot(self) -> dict[str, object]:
        """Its fields, for going back to (``restore``): lists copied, the rest shared,
        since arrays, weights and tuples are replaced, never changed in place."""
        return {name: _copied(value) for name, value in vars(self).items()}

    def restore(self, snapshot: dict[str, object]) -> None:
        vars(self).clear()
        vars(self).update({name: _copied(value) for name, value in snapshot.items()})

    def apply(self, network: GrowingNetwork) -> None:
        """Point each layer's size loss at its target."""
        arch = network.arch
        variables = tuple(arch.method.variable(t, c) for t, c in zip(self.targets, arch.capacities))
        network.growth = replace(network.growth, target_variables=variables)

    @property
    def stage_best(self) -> float:
        return self.stage_losses[-1] if self.stage_losses else math.inf

    def final_epochs(self, steps_per_epoch: int) -> int:
        """Epochs the decided widths train for, the held-out rows back in: as long as a
        stage must (``MIN_STAGE_STEPS``), at most a stage's share of ``max_iter``. The
        kept stage's weights are those of its best held-out epoch already; this is for
        the rows that join."""
        epochs = max(PATIENCE + 1, math.ceil(MIN_STAGE_STEPS / steps_per_epoch))
        return min(self.max_stage_epochs, epochs)

    def observe(
        self, rows: np.ndarray, weights: np.ndarray | None, steps: int, network: GrowingNetwork
    ) -> None:
        """Record one epoch's held-out row losses, taken at the stage's widths, and at
        a new best the ``network``'s weights."""
        loss = _mean(rows, weights)
        if loss < self.stage_best:
            self.stage_rows = rows
            self.stage_weights = StageWeights.of(network)
        self.stage_losses.append(min(loss, self.stage_best))
        self.stage_steps += steps

    def stage_over(self, baseline: float) -> bool:
        """Whether training at these widths has nearly stopped improving the held-out loss;
        for the first stage, which is kept whatever it scores, whether it has trained
        as long as a stage must."""
        losses = self.stage_losses
        if len(losses) >= self.max_stage_epochs:  # its share of max_iter is spent
            return True
        if len(losses) <= PATIENCE or self.stage_steps < MIN_STAGE_STEPS:
            return False
        if self.accepted is None:
            return True
        return losses[-PATIENCE - 1] - losses[-1] < STAGE_PROGRESS * self.size_tol * baseline

    def decide(self, network: GrowingNetwork, baseline: float, weights: np.ndarray | None) -> None:
        """Judge the finished stage: keep it and double, double on unclear evidence, or
        stop; stopped, the network goes back to the kept stage."""
        capacities = network.arch.capacities
        kept, unclear = self._judge(capacities, baseline, weights)
        doubled = _doubled(self.targets, capacities)
        if (kept or unclear) and doubled != self.targets:
            self.targets = doubled
            self._next_stage(network)
        else:
            self._end(network, go_back=not kept)

    def conclude(
        self, network: GrowingNetwork, baseline: float, weights: np.ndarray | None
    ) -> None:
        """The fit's iterations are spent before the widths were decided: judge the stage
        under way on the epochs it had (if it has reached its widths), and end at the
        kept stage, its widths and its weights at its best held-out epoch. Without a
        kept stage the network stays as it is, at its first stage's targets."""
        if self.stage_losses:
            self._judge(network.arch.capacities, baseline, weights)
        if self.accepted is None:
            self.accepted = list(self.targets)
        self._end(network, go_back=True)

    def _judge(
        self, capacities: tuple[int, ...], baseline: float, weights: np.ndarray | None
    ) -> tuple[bool, bool]:
        """Record the stage's decision; whether it is kept (it paid for each doubling
        since the kept stage, or it is the first), and whether, not kept, the evidence
        is unclear (within ``Z_SCORE`` standard errors of paying)."""
        gain, error = self._gain(weights)
        cost = self.size_tol * baseline * self._doublings_since_kept(capacities)
        kept = self.accepted is None or gain > cost
        # as a share of the baseline loss; none where the held-out targets are all alike
        share = self.stage_best / baseline if math.isfinite(baseline) else math.nan
        self.decisions.append((tuple(self.targets), share, kept))
        if kept:
            self.accepted, self.accepted_rows = list(self.targets), self.stage_rows
            self.accepted_weights = self.stage_weights
        unclear = gain + Z_SCORE * error > cost or self._first_doubling_stalled(gain, cost)
        return kept, not kept and unclear

    def _doublings_since_kept(self, capacities: tuple[int, ...]) -> float:
        """How many doublings the stage's widths are past the kept stage's (none before
        one is kept): each neuron added counts ``1 / n`` of a doubling, for the ``n``
        neurons of the layers it joined, so a doubling the capacity cuts short counts
        less than one."""
        if self.accepted is None:
            return 0.0
        widths, doublings = list(self.accepted), 0.0
        while sum(widths) < sum(self.targets):
            doubled = _doubled(widths, capacities)
            if doubled == widths:  # the capacities changed since (a warm start)
                break
            doublings += (sum(doubled) - sum(widths)) / sum(widths)
            widths = doubled
        return doublings

    def _first_doubling_stalled(self, gain: float, cost: float) -> bool:
        """Whether the stage is the first doubling and it stalled: no better than the
        first stage (``gain`` at most 0), its held-out loss hardly moved over its epochs
        (by less than the ``cost``). The first stage is the narrowest and the shortest
        trained, and its network can sit on a plateau that doubling it once does not
        leave (moons, in docs/results.md "own width"), so a stalled first doubling is
        unclear evidence: the layers double once more. (A doubling that gained, if
        less than its cost, is the diminishing return that ends growth.)"""
        losses = self.stage_losses
        moved = losses[0] - losses[-1] if len(losses) > PATIENCE else math.inf
        first_doubling = len(self.decisions) == 2
        return first_doubling and math.isfinite(cost) and gain <= 0.0 and moved < cost

    def _end(self, network: GrowingNetwork, go_back: bool) -> None:
        """Growth is over: the network holds the kept stage's widths, with its weights
        if it ``go_back``."""
        assert self.accepted is not None  # the first stage is kept
        if go_back and self.accepted_weights is not None:
            self.accepted_weights.restore(network)
        self.targets, self.done = list(self.accepted), True
        self.accepted_weights = None  # decided: no copy of the weights kept any longer
        self._next_stage(network)

    def _next_stage(self, network: GrowingNetwork) -> None:
        """A fresh record for the stage at ``targets``, which the size loss pulls to."""
        self.stage_losses, self.stage_rows, self.stage_steps = [], None, 0
        self.stage_weights = None
        self.apply(network)

    def _gain(self, weights: np.ndarray | None) -> tuple[float, float]:
        """The stage's held-out gain over the kept stage, and its standard error; for a
        stage or a kept stage that never saw a finite held-out loss: a loss (-inf)
        or a gain (+inf) beyond doubt."""
        before, after = self.accepted_rows, self.stage_rows
        if after is None or before is None:
            return (-math.inf if after is None else math.inf), 0.0
        return _paired_gain(before, after, weights)


@dataclass(frozen=True)
class StageWeights:
    """The network's weights and grown widths at a stage's best held-out epoch."""

    theta: torch.Tensor
    grown: tuple[int, ...]
    capacities: tuple[int, ...]

    @classmethod
    def of(cls, network: GrowingNetwork) -> StageWeights:
        arch = network.arch
        return cls(network.theta.detach().clone(), tuple(network.grown), tuple(arch.capacities))

    def restore(self, network: GrowingNetwork) -> None:
        """Back into ``network``, unless its layers were resized since (a warm start)."""
        same = tuple(network.arch.capacities) == self.capacities
        if same and self.theta.shape == network.theta.shape:
            network.theta.copy_(self.theta)
            network.grown = list(self.grown)


def _doubled(widths: list[float], capacities: tuple[int, ...]) -> list[float]:
    """Each layer at twice its width, at most its capacity."""
    return [float(min(c, 2 * w)) for w, c in zip(widths, capacities)]


def _format_widths(widths: tuple[float, ...] | list[float]) -> str:
    """Widths as the estimators report them: a tuple of whole neurons."""
    return str(tuple(int(w) for w in widths))


def _copied(value: object) -> object:
    return list(value) if isinstance(value, list) else value


def _mean(rows: np.ndarray, weights: np.ndarray | None) -> float:
    return float(rows.mean() if weights is None else np.average(rows, weights=weights))


def _paired_gain(
    before: np.ndarray, after: np.ndarray, weights: np.ndarray | None
) -> tuple[float, float]:
    """Mean decrease of the row losses and its standard error (unpaired where the held-out
    rows differ, as between ``partial_fit`` calls)."""
    if before.shape != after.shape:
        return _mean(before, None) - _mean(after, weights), math.sqrt(
            np.var(before) / before.size + np.var(after) / after.size
        )
    differences = before - after
    shares = (
        np.full(differences.size, 1.0 / differences.size)
        if weights is None
        else (weights / weights.sum())
    )
    mean = float(shares @ differences)
    effective_n = 1.0 / float(shares @ shares)
    variance = float(shares @ (differences - mean) ** 2)
    return mean, math.sqrt(variance / max(effective_n - 1.0, 1.0))


def all_alike(
    Y: np.ndarray | torch.Tensor, sample_weight: np.ndarray | torch.Tensor | None = None
) -> bool:
    """Whether every row of targets ``Y`` that weighs (``sample_weight`` above 0) is the
    same: a constant predicts them as well as any width can, so they say nothing about
    the widths."""
    if sample_weight is not None:
        Y = Y[sample_weight > 0]  # numpy or torch: each takes a mask
        if len(Y) == 0:
            return True
    same = Y == Y[:1]  # numpy or torch: each has .all()
    return bool(same.all())  # type: ignore[union-attr]


def held_out_rows(network: GrowingNetwork, X: torch.Tensor, Y: torch.Tensor) -> np.ndarray:
    """The sizing loss (``SIZING_LOSSES``) of each held-out row, float64 on the host."""
    with torch.inference_mode():
        rows = network.sizing_losses(X, Y).cpu().numpy()
    return rows.astype(np.float64, copy=False)  # numpy's conversion costs less than torch's


# what can end self-sizing before the widths are decided: the warning's opening, advice
FIT_AFRESH = "and fit without warm_start: a warm start keeps the kept stage's widths."
CUT_SHORT = {
    "max_iter": ("max_iter ended", f"Increase max_iter to let it finish deciding, {FIT_AFRESH}"),
    "max_fun": ("max_fun ended", f"Increase max_fun to let it finish deciding, {FIT_AFRESH}"),
    "diverged": ("Training diverged", "See the divergence warning."),
    "interrupted": ("Training was interrupted", "Fit again without warm_start to size afresh."),
}


class SelfSizing:
    """Self-sizing while a network trains: its state, held-out rows and full data.

    The training loop calls ``after_epoch`` after every epoch; it returns the
    data to train on from then on (the full data once the widths are
    decided: the held-out rows join) or None to go on as before.
    """

    def __init__(
        self,
        state: SizingState,
        network: GrowingNetwork,
        check: TrainingData,
        full_data: TrainingData | None = None,
        verbose: bool = False,
    ):
        self.state, self.check, self.full_data = state, check, full_data
        self.verbose = verbose  # print each judged stage
        weights = check.sample_weight
        self.weights = None if weights is None else weights.double().cpu().numpy()
        self.X = check.features()
        baseline = baseline_sizing_losses(check.Y, weights, network.arch.out_activation)
        # the scale of size_tol: the held-out loss of the best constant prediction; where
        # the held-out targets of weight above 0 are all alike, a constant predicts them
        # as well as any width can, and no doubling pays
        alike = all_alike(check.Y, weights)
        constant = _mean(baseline.double().cpu().numpy(), self.weights)
        self.baseline = math.inf if alike else max(constant, 1e-12)

    @property
    def done(self) -> bool:
        return self.state.done

    def after_epoch(self, network: GrowingNetwork, steps: int) -> TrainingData | None:
        state = self.state
        if state.done:
            return None
        sizes = network.continuous_sizes()
        arrived = all(
            abs(s - t) <= max(NEAR_WIDTH, NEAR_SHARE * t) for s, t in zip(sizes, state.targets)
        )
        if not arrived and not state.stage_losses:
            return None  # a stage starts once the layers have reached its widths
        state.observe(held_out_rows(network, self.X, self.check.Y), self.weights, steps, network)
        if not state.stage_over(self.baseline):
            return None
        return self._decide(network)

    def conclude(self, network: GrowingNetwork, cause: str = "max_iter") -> None:
        """End self-sizing that ``cause`` cut short (``SizingState.conclude``; a key of
        ``CUT_SHORT``), with a warning naming the widths the network ends with; the
        held-out rows do not join, no epoch being left."""
        judged = len(self.state.decisions)
        self.state.conclude(network, self.baseline, self.weights)
        if len(self.state.decisions) > judged:  # the stage under way, on its epochs
            self._say_judged()
        # the kept stage's best epoch may have come before its layers were quite whole
        widths = list(network.active_sizes())
        what, advice = CUT_SHORT[cause]
        if self.state.decisions:  # a stage was judged, and kept: the first one is
            ends = "at its last kept stage, with the weights of that stage's best epoch"
        else:
            ends = "as it was, no stage having been judged"
        warnings.warn(
            f"{what} before target_size='auto' had decided the widths: the network ends "
            f"{ends}, {widths} neurons. {advice}",
            ConvergenceWarning,
        )

    def loss(self, network: GrowingNetwork) -> float:
        """The ``network``'s held-out loss (``SIZING_LOSSES``), over the held-out rows."""
        return _mean(held_out_rows(network, self.X, self.check.Y), self.weights)

    def after_stage(self, network: GrowingNetwork, steps: int) -> TrainingData | None:
        """A whole stage has run (an L-BFGS round): judge it; as ``after_epoch``."""
        self.state.observe(
            held_out_rows(network, self.X, self.check.Y), self.weights, steps, network
        )
        return self._decide(network)

    def _decide(self, network: GrowingNetwork) -> TrainingData | None:
        """Judge the finished stage (``SizingState.decide``), say so when verbose, and
        return the full data once the widths are decided."""
        state = self.state
        state.decide(network, self.baseline, self.weights)
        self._say_judged()
        return self.full_data if state.done else None

    def _say_judged(self) -> None:
        """When verbose, print the stage judged last: its widths, its held-out loss as a
        share of the baseline, whether it was kept, and the widths that follow."""
        if not self.verbose:
            return
        state = self.state
        widths, share, kept = state.decisions[-1]
        verdict = "kept" if kept else "not kept"
        then = "widths decided" if state.done else "next"
        print(
            f"Self-sizing: stage {_format_widths(widths)}, held-out loss {share:.4f} of "
            f"the baseline, {verdict}; {then}: {_format_widths(state.targets)}"
        )
