"""Neurons that join a layer for the first time start with useful outgoing weights.

A neuron drawn at random and switched on usually raises the loss at first:
its outgoing weights point anywhere. With ``new_neurons="fitted"`` a neuron
that becomes active for the first time (it was never active before) gets
outgoing weights that help at once or at least do no harm:

* in the last hidden layer, those of a ridge-regularised Gauss-Newton step
  on the batch it joins in, taken on the new neurons' outgoing weights alone.
  With ``H`` their activations on the batch (n, k), ``D`` the gradient of
  the batch objective by the logits (n, m) and ``P`` the rows' shares of the
  batch weight (1/n without sample weights)::

      W_new = -(H^T P H + ridge I)^-1 H^T D        # (k, m)

  For the squared error this is the ridge least-squares fit of the residual;
  for the log-loss a shorter step than Newton's (unit curvature where the
  log-loss has at most 1/4 for two classes, 1/2 for more). The ridge is the
  mean of ``diag(H^T P H)``: for one neuron, half the least-squares weight.
* in earlier layers, zero towards the neurons the next layer had before:
  the next layer's curvature is unknown, so a step of this kind can
  overshoot by any factor; a neuron whose outgoing weights are zero leaves
  the network as it is and learns them by gradient. Towards the next layer's
  neurons that join with it or later they stay as drawn: those are the
  incoming weights of neurons that contribute nothing yet (their own
  outgoing weights start at zero, or fitted), and zero there would leave
  them dead. With three hidden layers or more, all of whose neurons join in
  the first step, zero everywhere left every weight between hidden layers
  at zero: a saddle that gradient hardly leaves (L-BFGS stopped at once,
  SGD ended as a constant predictor).

The last hidden layer's new neurons start at zero too (towards every
output) where the step is not taken (``fits_read_outs``):

* a batch of fewer than ``MIN_STEP_ROWS`` rows (of weight above 0), unless
  it holds all the rows of a ``fit`` (a ``partial_fit`` call's rows are a
  batch of a stream): a fit of a few rows' residual is their noise, and a
  neuron that is small on them gets a read-out as large as its activation
  there is small. The default regressor on 402 rows of Friedman #1, whose
  last batch of each epoch has 2 rows, scored R^2 -0.40 where sklearn's MLP
  scores 0.85 (4 rows: -17.8; 8 rows: 0.74 against 0.89, on another draw of
  the data 0.84 against 0.89; 10, 12 and 13 rows: at most 0.002 below
  sklearn's on two or three draws; mean over 6 seeds each). Classifiers,
  whose probabilities saturate, lose less: on digits with ``batch_size`` 4
  and 8 the fitted read-outs scored 0.005 and 0.007 above zero ones, which
  score as sklearn's MLP does;
* the Poisson loss (``exp`` output): the log link's curvature is the
  prediction itself, unbounded, and unit curvature gives a step off by that
  factor (on counts averaging 9, fits diverged within 20 epochs;
  ``READOUT_STEP_OUTPUTS``).

In a network of two hidden layers or more, the same holds for one neuron:
a new neuron of the last layer gets a fitted read-out only if it is active
(its output not 0) on at least ``MIN_STEP_ROWS`` rows of weight above 0 of
the batch, all of a fit's rows included (``fitted_neurons``). Only ReLU, the
default, outputs 0 on whole rows: with other activations every neuron is
active and the rule does not act. There such neurons fit a few rows' residual
with read-outs up to 44 (sklearn's MLP: at most 0.4): on diabetes with two
layers of 64 and ``early_stopping=True``, R^2 0.165 where sklearn's MLP
scores 0.357 (0.367 with the rule; 2 folds and 2 seeds, ``max_iter=200``).
Over 8 datasets, two layers of 64 and three of 32 and ``max_iter`` 10 to
200, the rule keeps as many cells within 0.01 of sklearn's MLP (58 of 64)
and lifts the worst from -0.115 to -0.103 (diabetes at 100 epochs: -0.04
where it was -0.08 to -0.09), but costs digits with three layers at 10
epochs (-0.096 where it was -0.074). With one hidden layer it cost R^2
0.005 on Bessel and accuracy 0.008 on the Gaussian mixture (defaults, 5
folds and 2 seeds): one layer keeps every neuron's step.

Incoming weights stay as drawn. Gates still open gradually, so the
network changes gradually too.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from skgrow._data import rows_with_weight
from skgrow._network import GrowingNetwork

Tensor = torch.Tensor

RIDGE = 1.0  # times the mean squared activation of the new neurons
# the outputs whose loss has curvature at most 1 by the logits, where a unit-curvature
# step is at most Newton's length: squared error (1), log-losses (at most 1/4 for two
# classes, 1/2 for more)
READOUT_STEP_OUTPUTS = ("identity", "logistic", "softmax")
NEW_NEURONS = ("fitted", "random")
# rows of weight above 0 a batch needs for a fitted read-out step, and in a network of
# two hidden layers or more, rows a new neuron of the last layer must be active on
MIN_STEP_ROWS = 16


def fit_new_neurons(
    network: GrowingNetwork,
    X: Tensor,
    Y: Tensor,
    sample_weight: Tensor | None,
    new: Sequence[tuple[int, int, int]],
    alpha: float,
    all_rows: bool = False,
) -> None:
    """Set the outgoing weights of the neurons in ``new``, ``(layer, start, stop)`` each:
    neurons ``start:stop`` of hidden layer ``layer`` join for the first time.

    ``alpha`` (sklearn's L2 strength, per batch weight) adds to the ridge;
    ``all_rows``: the batch holds all of a ``fit``'s training rows.
    """
    last = network.arch.n_hidden - 1
    fitted = any(layer == last for layer, _, _ in new) and fits_read_outs(
        network, X, sample_weight, all_rows
    )
    # the neurons each layer had before: a layer's new ones start where they did
    had = {layer: start for layer, start, _ in new}
    for layer, start, stop in new:  # every new neuron starts from no contribution
        outgoing = network.weights[layer + 1]
        to = outgoing.shape[1] if layer == last else had.get(layer + 1, network.grown[layer + 1])
        outgoing[start:stop, :to] = 0.0
    for layer, start, stop in new:
        if fitted and layer == last:
            H, D = network.last_hidden_and_output_gradient(X, Y, sample_weight)
            F = H[:, start:stop]
            chosen = fitted_neurons(network, F, sample_weight)
            if chosen.any():
                step = readout_step(F[:, chosen], D, sample_weight, alpha)
                network.weights[-1][start:stop][chosen] = step


def fits_read_outs(
    network: GrowingNetwork, X: Tensor, sample_weight: Tensor | None, all_rows: bool
) -> bool:
    """Whether the new neurons of the last hidden layer may get a read-out step fitted
    on batch ``X`` (those of them that ``fitted_neurons`` chooses): with an output
    whose loss has bounded curvature, on a batch of at least ``MIN_STEP_ROWS`` rows of
    weight above 0 or on ``all_rows`` of a fit (a full batch, or L-BFGS), whose
    residual is the objective itself, not a few rows' noise. Otherwise they start
    from zero outgoing weights, as new neurons of earlier layers do."""
    if network.arch.out_activation not in READOUT_STEP_OUTPUTS:
        return False
    return all_rows or rows_with_weight(X, sample_weight) >= MIN_STEP_ROWS


def fitted_neurons(network: GrowingNetwork, F: Tensor, sample_weight: Tensor | None) -> Tensor:
    """Which of the last hidden layer's new neurons, whose outputs on the batch are ``F``
    (n, k), get a fitted read-out step (a mask of k): every one in a network of one
    hidden layer; in a deeper one, those active (output not 0) on at least
    ``MIN_STEP_ROWS`` rows of weight above 0, all of a fit's rows included: a neuron
    active on a few rows would fit their residual whatever the batch. Only ReLU
    outputs 0 on whole rows; other activations leave every neuron active."""
    if network.arch.n_hidden == 1:
        return torch.ones(F.shape[1], dtype=torch.bool, device=F.device)
    active = F != 0
    if sample_weight is not None:
        active &= (sample_weight > 0)[:, None]
    return active.sum(0) >= MIN_STEP_ROWS


def readout_step(F: Tensor, D: Tensor, sample_weight: Tensor | None, alpha: float) -> Tensor:
    """The ridge Gauss-Newton step (k, m) on the outgoing weights of neurons whose outputs
    on a batch are ``F`` (n, k), where ``D`` (n, m) is the gradient of the batch
    objective by the next layer's pre-activations."""
    weight_sum = float(F.shape[0]) if sample_weight is None else float(sample_weight.sum())
    shares = 1.0 / weight_sum if sample_weight is None else (sample_weight / weight_sum)[:, None]
    gram = F.t() @ (F * shares)  # (k, k)
    ridge = RIDGE * float(gram.diagonal().mean()) + alpha / weight_sum + 1e-12
    gram.diagonal().add_(ridge)
    solution: Tensor = torch.linalg.solve(gram, F.t() @ D)  # (torch.linalg is untyped)
    return -solution
