"""The torch network: parameters in one flat buffer, gated forward, manual backward.

All parameters live in one 1-D tensor ``theta`` (and their gradients in
``grad``); the weight matrices, biases and size variables are views into it.
This makes an optimiser step a handful of whole-buffer operations and lets
L-BFGS and early stopping copy the whole model at once.

Hidden layer ``l`` computes ``h = act(a @ W + b + z * v)`` and passes on
``g * h`` where ``g`` are its gates (docs/growing.rst, "The two growth
methods"), ``z`` its size variable and ``v`` the weights of the size input
column. Only a block
around the neurons with a non-zero gate is computed (``_blocks``), into
activation buffers reused from step to step: the forward and backward
passes and the L2 term cost what a growing network has, not its capacity.
(The optimiser still steps the whole buffer: torch's fused Adam needs
contiguous tensors, and a block of the first layer's weights is not.)
Gradients are written by hand (checked against autograd and finite
differences in the tests) because autograd's per-step overhead dominates
the small networks most users fit; for the same reason training runs in
torch's inference mode, and views that steps write into are made outside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import NamedTuple, NoReturn, cast

import numpy as np
import torch

from skgrow._blocks import (
    BlockViews,
    GateVectors,
    GrowthBuffers,
    ParameterViews,
    Workspace,
    host_precision,
    plan_views,
    shares_host_memory,
)
from skgrow._growth import LayerGates, float_cells, rounding_to
from skgrow._layout import Architecture, GrowthSettings, Layout, initial_parameters

Tensor = torch.Tensor

ARRIVED = 0.01  # neurons from its target at which a layer is set to it

HIDDEN_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "identity": lambda x: x,
    "logistic": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
}

IN_PLACE_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "identity": lambda x: x,
    "logistic": torch.sigmoid_,
    "tanh": torch.tanh_,
    "relu": torch.relu_,
}

# gradient through each activation given the gradient at its output and the
# output itself, written over that gradient, as single fused kernels (autograd's)
ACTIVATION_BACKWARDS: dict[str, Callable[[Tensor, Tensor], Tensor] | None] = {
    "identity": None,
    "logistic": lambda grad, h: torch.ops.aten.sigmoid_backward.grad_input(
        grad, h, grad_input=grad
    ),
    "tanh": lambda grad, h: torch.ops.aten.tanh_backward.grad_input(grad, h, grad_input=grad),
    "relu": lambda grad, h: torch.ops.aten.threshold_backward.grad_input(
        grad, h, 0, grad_input=grad
    ),
}

OUTPUT_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "identity": lambda x: x,
    "logistic": torch.sigmoid,
    "softmax": lambda x: torch.softmax(x, dim=1),
    "exp": torch.exp,
}


def _weighted_sum(per_sample: Tensor, w: Tensor | None) -> Tensor:
    return per_sample.sum() if w is None else torch.dot(per_sample, w)


def _squared_error(logits: Tensor, y: Tensor, w: Tensor | None) -> tuple[Tensor, Tensor]:
    # twice the loss: the factor 1/2 is LOSS_SCALES["identity"], applied on the host
    residual = torch.sub(logits, y)
    if w is None:
        flat = residual.view(-1)
        return torch.dot(flat, flat), residual
    return _weighted_sum(torch.mul(residual, residual).sum(dim=1), w), residual


def _binary_log_loss(logits: Tensor, y: Tensor, w: Tensor | None) -> tuple[Tensor, Tensor]:
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        logits, y, weight=None if w is None else w[:, None], reduction="sum"
    )
    return loss, torch.sigmoid(logits) - y


def _log_loss(logits: Tensor, y: Tensor, w: Tensor | None) -> tuple[Tensor, Tensor]:
    log_p = torch.log_softmax(logits, dim=1)
    per_sample = (y * log_p).sum(dim=1)
    return -_weighted_sum(per_sample, w), torch.exp(log_p) - y


def _poisson_loss(logits: Tensor, y: Tensor, w: Tensor | None) -> tuple[Tensor, Tensor]:
    # half Poisson deviance with the log link, as sklearn's poisson_loss
    prediction = torch.exp(logits)
    per_sample = (torch.special.xlogy(y, y) - y * logits - y + prediction).sum(dim=1)
    return _weighted_sum(per_sample, w), prediction - y


# Each output activation is paired with its canonical loss, so the gradient of
# the loss with respect to the logits is always ``prediction - y``. Each entry
# returns the (weighted) sum of the loss over the batch, divided by the
# activation's LOSS_SCALES entry, and ``prediction - y``.
OUTPUT_LOSSES: dict[str, Callable[[Tensor, Tensor, Tensor | None], tuple[Tensor, Tensor]]] = {
    "identity": _squared_error,
    "logistic": _binary_log_loss,
    "softmax": _log_loss,
    "exp": _poisson_loss,
}

# the factor each OUTPUT_LOSSES sum leaves out (a multiplication saved per step)
LOSS_SCALES: dict[str, float] = {"identity": 0.5, "logistic": 1.0, "softmax": 1.0, "exp": 1.0}

# The loss of each row (batch,) by which self-sizing judges a width: the squared error
# of the outputs, and for classifiers of the predicted probabilities (the Brier score;
# the log-loss of a wider network rises with its confidence while its accuracy still
# rises); half the Poisson deviance for the Poisson loss. Over the rows, and relative
# to the best constant prediction's, the squared error is 1 - R^2: on the one-hot
# targets for classifiers.
# (In place where the tensor is their own, since self-sizing computes them every epoch:
# ``y`` has the logits' shape and dtype.)
SIZING_LOSSES: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "identity": lambda logits, y: torch.sub(logits, y).square_().sum(dim=1).mul_(0.5),
    "logistic": lambda logits, y: torch.sigmoid(logits).sub_(y).square_().sum(dim=1),
    "softmax": lambda logits, y: torch.softmax(logits, dim=1).sub_(y).square_().sum(dim=1),
    "exp": lambda logits, y: (torch.special.xlogy(y, y) - y * logits - y + torch.exp(logits)).sum(
        dim=1
    ),
}


def constant_logits(Y: Tensor, sample_weight: Tensor | None, out_activation: str) -> Tensor:
    """The logits (n_outputs,) of the best constant prediction: the weighted mean target
    (the class shares for classifiers) through the inverse of the output activation."""
    mean = Y.mean(0) if sample_weight is None else sample_weight @ Y / sample_weight.sum()
    eps = torch.finfo(Y.dtype).eps
    if out_activation == "identity":
        return mean
    if out_activation == "logistic":
        return torch.logit(mean.clamp(eps, 1 - eps))
    return torch.log(mean.clamp_min(eps))  # softmax and exp: the log of the mean


def baseline_sizing_losses(Y: Tensor, sample_weight: Tensor | None, out_activation: str) -> Tensor:
    """Each row's ``SIZING_LOSSES`` under the best constant prediction."""
    logits = constant_logits(Y, sample_weight, out_activation)
    return SIZING_LOSSES[out_activation](logits.expand_as(Y), Y)


# A growing network starts with few neurons, so its first predictions are nearly its
# output bias. With the Poisson loss that bias has to climb to the log of the mean
# count, about a learning rate per step, and short fits predicted far too low (on counts
# of mean 8, R^2 0.15 below sklearn's MLP at 10 epochs): it starts there instead, where
# the mean count is above 1 (``GrowingNetwork.start_at_constant``).
CONSTANT_START_OUTPUTS = ("exp",)


class Objective(NamedTuple):
    """One batch's objective, kept in parts so that no scalar is multiplied per step.

    Its value is ``loss_sum / divisor + size_loss``: ``loss_sum`` sums the loss
    (and the L2 term) over the batch without the loss's constant factor,
    ``divisor`` is the batch's weight sum over that factor (``LOSS_SCALES``),
    ``size_loss`` is a host float.
    """

    loss_sum: Tensor
    divisor: float
    size_loss: float

    def __float__(self) -> float:
        return self.task_loss() + self.size_loss

    def task_loss(self) -> float:
        """sklearn's objective of the batch: data loss and L2 term, no size loss."""
        return float(self.loss_sum / self.divisor)


class PlainLayer(NamedTuple):
    """Views of a hidden layer's parameters over its active neurons (``_plain_forward``),
    and a vector of its gates: all 1 but the last (``last_gate``, a view of it), which
    a partly active neuron writes. ``size_weight``: its size input's weights, when it
    grows."""

    weight: Tensor
    bias: Tensor
    gates: Tensor
    last_gate: Tensor
    size_weight: Tensor | None


class PlainViews(NamedTuple):
    """``_plain_forward``'s views, for one set of widths; ``output``: the output layer's
    weights from the active neurons, and its biases."""

    widths: tuple[int, ...]
    layers: list[PlainLayer]
    output: tuple[Tensor, Tensor]


class GrowingNetwork:
    """An MLP whose hidden layers are gated by trainable size variables.

    Parameters live in ``theta``; ``loss_and_gradient`` fills ``grad``.
    """

    def __init__(
        self,
        arch: Architecture,
        growth: GrowthSettings,
        theta: Tensor,
        grown: Sequence[int] | None = None,
    ) -> None:
        self.arch = arch
        self.growth = growth
        self.layout = Layout.of(arch)
        assert theta.shape == (self.layout.n_parameters,), "theta does not fit the layout"
        self.theta = theta
        self.grad = torch.zeros_like(theta)
        self._activate = IN_PLACE_ACTIVATIONS[arch.activation]
        self._activation_backward = ACTIVATION_BACKWARDS[arch.activation]
        self._output_loss = OUTPUT_LOSSES[arch.out_activation]
        self._loss_scale = LOSS_SCALES[arch.out_activation]
        self._static_gates = [LayerGates(capacity) for capacity in arch.capacities]
        self._bind_views()
        # per hidden layer, the most neurons it has ever had active: those beyond are new
        self.grown = list(self.active_sizes() if grown is None else grown)
        self._capacities = list(arch.capacities)

    def _bind_views(self) -> None:
        """Views of every parameter into ``theta`` and ``grad``, and per-device scratch."""
        layout, theta, grad = self.layout, self.theta, self.grad
        self.weights = [s.view(theta) for s in layout.weights]
        self.size_weights = [s.view(theta) for s in layout.size_weights]
        self.biases = [s.view(theta) for s in layout.biases]
        self.size_variables = layout.size_variables.view(theta)
        self.weight_grads = [s.view(grad) for s in layout.weights]
        self.size_weight_grads = [s.view(grad) for s in layout.size_weights]
        self.bias_grads = [s.view(grad) for s in layout.biases]
        self.size_variable_grads = layout.size_variables.view(grad)
        self._regularized = theta[: layout.n_regularized]
        self._regularized_grad = grad[: layout.n_regularized]
        # on the CPU the size variables are read and clipped through a memoryview of
        # their memory, which costs less per step than a torch (or numpy) operation
        on_host = shares_host_memory(theta.device)
        self._host_size_variables = float_cells(self.size_variables.numpy()) if on_host else None
        self._host_size_variable_grads = (
            float_cells(self.size_variable_grads.numpy()) if on_host else None
        )
        self._one = theta.new_ones(1)
        self._gate_function = self.arch.method.gates
        self._rounded = rounding_to(host_precision(theta.dtype))
        self._parameters = ParameterViews(
            self.weights, self.biases, self.weight_grads, self.bias_grads
        )
        self._growth_buffers = self._new_growth_buffers() if self.arch.growing else None
        buffers = self._growth_buffers
        self._gate_vectors = [] if buffers is None else buffers.gate_vectors
        self._workspace = Workspace(theta.dtype, theta.device)
        self._views: BlockViews | None = None
        self._plain_views: PlainViews | None = None
        self._constants: dict[float, Tensor] = {}
        self._size_loss = 0.0
        self._targets_cache: tuple[tuple[object, ...], tuple[list[float], list[float]]] | None = (
            None
        )
        self._size_gradient: list[float] = []
        # size variables and grown widths at the last take_new_neurons
        self._taken: tuple[list[float], list[int]] | None = None

    def _new_growth_buffers(self) -> GrowthBuffers:
        layout, theta, grad = self.layout, self.theta, self.grad
        # the size input's weights follow the first layer's weights: one block of both
        first, size = layout.weights[0], layout.size_weights[0]
        assert size.offset == first.offset + first.size, "layout changed"
        rows = (first.shape[0] + 1, first.shape[1])
        first_with_size, first_with_size_grad = (
            buffer[first.offset : size.offset + size.size].view(rows) for buffer in (theta, grad)
        )
        return GrowthBuffers(
            size_weights=self.size_weights,
            size_weight_grads=self.size_weight_grads,
            size_variable_grads=[
                self.size_variable_grads[layer : layer + 1]
                for layer in range(layout.size_variables.size)
            ],
            first_with_size=first_with_size,
            first_with_size_grad=first_with_size_grad,
            gate_vectors=[
                GateVectors(capacity, self.arch.method, theta.dtype, theta.device)
                for capacity in self.arch.capacities
            ],
            l2_scratch=theta.new_zeros(3 * layout.n_regularized),
            n_regularized=layout.n_regularized,
        )

    # -- construction and persistence -------------------------------------------------

    @classmethod
    def initialize(
        cls,
        arch: Architecture,
        growth: GrowthSettings,
        initial_variables: Sequence[float],
        rng: np.random.RandomState,
        dtype: torch.dtype,
        device: torch.device,
        weight_init: str = "glorot",
    ) -> GrowingNetwork:
        layout = Layout.of(arch)
        theta = initial_parameters(arch, layout, rng, weight_init)
        if arch.growing:
            z = layout.size_variables
            theta[z.offset : z.offset + z.size] = initial_variables
        return cls(arch, growth, torch.tensor(theta, dtype=dtype, device=device))

    @classmethod
    def from_static(
        cls,
        arch: Architecture,
        growth: GrowthSettings,
        coefs: Sequence[np.ndarray],
        intercepts: Sequence[np.ndarray],
        rng: np.random.RandomState,
        dtype: torch.dtype,
        device: torch.device,
        weight_init: str = "glorot",
    ) -> GrowingNetwork:
        """A network computing the static MLP ``coefs``/``intercepts`` (sklearn's layout).

        Each hidden layer has the MLP's neurons active, fully gated on, with
        size inputs weighing 0; neurons beyond them, up to the capacity, keep
        fresh incoming weights and contribute nothing: inactive in a growing
        network, with zero outgoing weights in a static one.
        """
        widths = [coef.shape[1] for coef in coefs[:-1]]
        precision = host_precision(dtype)
        variables = [
            arch.method.exact_variable(width, capacity, precision) if arch.growing else 0.0
            for width, capacity in zip(widths, arch.capacities)
        ]
        network = cls.initialize(arch, growth, variables, rng, dtype, device, weight_init)
        with torch.no_grad():
            for layer, (coef, intercept) in enumerate(zip(coefs, intercepts)):
                fan_in, fan_out = coef.shape
                network.weights[layer][:fan_in, :fan_out] = torch.from_numpy(coef)
                network.biases[layer][:fan_out] = torch.from_numpy(intercept)
                if layer < arch.n_hidden:
                    network.weights[layer + 1][fan_out:] = 0.0  # the extra neurons
                    if arch.growing:
                        network.size_weights[layer][:fan_out] = 0.0
        expected = tuple(widths) if arch.growing else arch.capacities
        assert network.active_sizes() == expected, "a layer's gates do not match its width"
        return network

    def redraw(self, rng: np.random.RandomState, weight_init: str = "glorot") -> None:
        """Fresh initial weights, drawn as ``initialize`` draws them, the size variables
        kept: every active neuron enters anew (``take_new_neurons``), as in a new network
        that starts empty."""
        fresh = initial_parameters(self.arch, self.layout, rng, weight_init)
        with torch.no_grad():
            sizes = self.size_variables.clone()
            self.theta.copy_(torch.from_numpy(fresh))
            self.size_variables.copy_(sizes)
        self.grown = [0] * self.arch.n_hidden

    def __deepcopy__(self, memo: dict[int, object]) -> GrowingNetwork:
        """A network with a copy of the parameters (views and scratch are built anew).
        Saved models go through ``_persistence``."""
        return GrowingNetwork(self.arch, self.growth, self.theta.detach().clone(), self.grown)

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "A GrowingNetwork is saved through its estimator (pickle the fitted "
            "GrowingMLPRegressor or GrowingMLPClassifier), not on its own."
        )

    def with_capacities(
        self, capacities: tuple[int, ...], rng: np.random.RandomState, weight_init: str = "glorot"
    ) -> GrowingNetwork:
        """A copy with other layer capacities, keeping every trained neuron that fits.

        New neurons get fresh initial weights; each layer keeps its size in
        neurons (clipped to the new capacity).
        """
        arch = replace(self.arch, capacities=capacities)
        method = arch.method
        sizes = [
            min(method.size(float(z), old), new)
            for z, old, new in zip(self.size_variables.tolist(), self.arch.capacities, capacities)
        ]
        variables = [method.variable(s, c) for s, c in zip(sizes, capacities)]
        dtype, device = self.theta.dtype, self.theta.device
        resized = GrowingNetwork.initialize(
            arch, self.growth, variables, rng, dtype, device, weight_init
        )
        old_slots = (*self.layout.weights, *self.layout.size_weights, *self.layout.biases)
        new_slots = (*resized.layout.weights, *resized.layout.size_weights, *resized.layout.biases)
        with torch.no_grad():
            for old, new in zip(old_slots, new_slots):
                overlap = tuple(slice(0, min(a, b)) for a, b in zip(old.shape, new.shape))
                new.view(resized.theta)[overlap] = old.view(self.theta)[overlap]
            # the size input moved: keep each neuron's size input times its weight
            old_inputs, new_inputs = self.size_inputs(), resized.size_inputs()
            for layer, (old_u, new_u) in enumerate(zip(old_inputs, new_inputs)):
                kept = min(self.arch.capacities[layer], capacities[layer])
                if new_u != 0:
                    resized.size_weights[layer][:kept].mul_(old_u / new_u)
        resized.grown = [
            max(n, min(grown, capacity))
            for n, grown, capacity in zip(resized.grown, self.grown, capacities)
        ]
        return resized

    def to(self, device: torch.device, dtype: torch.dtype | None = None) -> GrowingNetwork:
        """Move to ``device`` (and ``dtype``) in place; gradients are scratch space."""
        dtype = self.theta.dtype if dtype is None else dtype
        if (self.theta.device, self.theta.dtype) != (device, dtype):
            self.theta = self.theta.to(device=device, dtype=dtype)
            self.grad = torch.zeros_like(self.theta)
            self._bind_views()
        return self

    # -- growth ---------------------------------------------------------------------------

    def clip_size_variables(self) -> None:
        """Keep every size variable in [0, 1] (empty to full capacity).

        Outside that range every gate is saturated, so the network would not
        change while momentum carried the variable further away; clipping
        after each step is projected gradient descent onto the valid sizes.
        """
        if not self.arch.growing:
            return
        host = self._host_size_variables
        if host is None:
            self.size_variables.clamp_(0.0, 1.0)
        else:
            values = host.tolist()  # python's min and max beat numpy's on a few values
            if min(values) < 0.0 or max(values) > 1.0:
                for layer, value in enumerate(values):
                    host[layer] = min(max(value, 0.0), 1.0)

    def keep_size_loss_gradient(self) -> None:
        """Replace the size variables' gradient by that of the size loss alone (of the
        last ``loss_and_gradient``): the task loss no longer moves them."""
        if self.arch.growing:
            self.size_variable_grads.copy_(self.size_variables.new_tensor(self._size_gradient))

    def step_size_variables(
        self, rates: Sequence[float], limit: float, size_loss_only: bool = False
    ) -> None:
        """One gradient step on each size variable, ``rate`` times its gradient, at most
        ``limit`` either way: the gradient of the whole loss in ``grad``, or that of
        the size loss alone (of the last ``loss_and_gradient``).

        A layer that comes within ``ARRIVED`` neurons of its target is set to it:
        steps that shrink with the distance would never quite arrive, and a
        neuron left with a gate of 1e-6 would still count as active.
        """
        host = self._host_size_variables
        if host is None:
            if size_loss_only:
                gradient = self.size_variables.new_tensor(self._size_gradient)
            else:
                gradient = self.size_variable_grads
            steps = gradient * self.size_variables.new_tensor(rates)
            self.size_variables.sub_(steps.clamp_(-limit, limit))
        else:
            host_gradient = self._host_size_variable_grads
            assert host_gradient is not None  # on the host with the size variables
            gradients = self._size_gradient if size_loss_only else host_gradient
            rounded = self._rounded  # the device path's arithmetic, in the network's precision
            limit = rounded(limit)
            for layer, rate in enumerate(rates):
                step = rounded(rounded(rate) * rounded(gradients[layer]))
                host[layer] -= min(max(step, -limit), limit)
        self._set_arrived_layers()

    def _set_arrived_layers(self) -> None:
        targets, exact = self._exact_targets()
        z = self._size_variable_values()
        if z == exact:  # every layer at its target
            return
        method, capacities = self.arch.method, self.arch.capacities
        for layer, (value, target, capacity) in enumerate(zip(z, targets, capacities)):
            size = method.size(value, capacity)
            if value != exact[layer] and abs(size - target) < ARRIVED:
                self.size_variables[layer] = exact[layer]

    def at_targets(self) -> bool:
        """Whether every layer holds its target size (a static network always does)."""
        return not self.arch.growing or self._size_variable_values() == self._exact_targets()[1]

    def exact_target_variables(self) -> list[float]:
        """The size variables at which each layer holds exactly its target size."""
        return list(self._exact_targets()[1])

    def approaching_targets(self, sizes_before: Sequence[float], moved: float) -> bool:
        """Whether some layer, away from its target, moved by more than ``moved`` neurons
        since it had ``sizes_before``."""
        if not self.arch.growing:
            return False
        targets, _ = self._exact_targets()
        return any(
            abs(now - target) > ARRIVED and abs(now - before) > moved
            for now, before, target in zip(self.continuous_sizes(), sizes_before, targets)
        )

    def _exact_targets(self) -> tuple[list[float], list[float]]:
        """Each layer's target size in neurons and its exact size variable (cached)."""
        key = (self.growth.target_variables, self.theta.dtype)
        if self._targets_cache is None or self._targets_cache[0] != key:
            method, capacities = self.arch.method, self.arch.capacities
            sizes = [method.size(z, c) for z, c in zip(self.growth.target_variables, capacities)]
            precision = host_precision(self.theta.dtype)
            exact = [
                method.exact_variable(size, capacity, precision)
                for size, capacity in zip(sizes, capacities)
            ]
            self._targets_cache = (key, (sizes, exact))
        return self._targets_cache[1]

    def size_inputs(self, z: Sequence[float] | None = None) -> Sequence[float]:
        """What each growing layer's size input carries: its size variable, times its
        capacity for method A with ``size_input="neurons"`` (``Architecture``)."""
        z = self._size_variable_values() if z is None else z
        if not self.arch.size_input_in_neurons:
            return z
        return [value * scale for value, scale in zip(z, self.arch.size_input_scales)]

    def _size_variable_values(self) -> list[float]:
        host = self._host_size_variables
        if host is None:
            values: list[float] = self.size_variables.tolist()
            return values
        return cast("list[float]", host.tolist())  # typeshed types memoryview items as int

    def gates(self, z: Sequence[float] | None = None) -> list[LayerGates]:
        """Gates of every hidden layer (all on for a static network)."""
        arch = self.arch
        if not arch.growing:
            return self._static_gates
        z = self._size_variable_values() if z is None else z
        gate_function, rounded = self._gate_function, self._rounded
        return [gate_function(value, n, rounded) for value, n in zip(z, arch.capacities)]

    def continuous_sizes(self) -> tuple[float, ...]:
        """Size of each hidden layer in neurons, the partly active neuron included."""
        capacities = self.arch.capacities
        if not self.arch.growing:
            return tuple(float(c) for c in capacities)
        size = self.arch.method.size
        return tuple(size(z, c) for z, c in zip(self._size_variable_values(), capacities))

    def active_sizes(self) -> tuple[int, ...]:
        """Neurons with a non-zero gate in each hidden layer."""
        return tuple(g.n_active for g in self.gates())

    def take_new_neurons(self) -> list[tuple[int, int, int]]:
        """Neurons active now that never were before, as ``(layer, start, stop)``.

        They are recorded as grown: each neuron is new once.
        """
        if self.grown == self._capacities:  # every neuron has been active: none is new
            return []
        # the same size variables and grown widths as at the last call: nothing new (a
        # layer held at its width asks every step; its gates need not be computed)
        z = self._size_variable_values()
        if self._taken == (z, self.grown):
            return []
        new = []
        for layer, n_active in enumerate(self.active_sizes()):
            if n_active > self.grown[layer]:
                new.append((layer, self.grown[layer], n_active))
                self.grown[layer] = n_active
        self._taken = (z, list(self.grown))
        return new

    # -- the computed blocks -----------------------------------------------------------------

    def _block_views(self, blocks: tuple[int, ...]) -> BlockViews:
        """Views of the computed blocks, built once per set of block sizes.

        Built outside inference mode (which training runs in) so that they
        can be written to in any mode.
        """
        previous = self._views
        if previous is not None and previous.blocks == blocks:
            return previous
        with torch.inference_mode(False):
            return self._new_block_views(blocks)

    def _new_block_views(self, blocks: tuple[int, ...]) -> BlockViews:
        previous = self._views
        if previous is None or any(new < old for new, old in zip(blocks, previous.blocks)):
            # neurons that left must not keep a gradient; new ones get theirs written
            self.grad.zero_()
        self._views = plan_views(
            self._parameters, self._growth_buffers, blocks, self.arch.n_features, self._workspace
        )
        return self._views

    def release_buffers(self) -> None:
        """Let go of the activation buffers and block views training keeps between steps."""
        self._workspace = Workspace(self.theta.dtype, self.theta.device)
        self._views = self._plain_views = None

    def _constant(self, value: float) -> Tensor:
        """``value`` as a 0-d tensor of the parameters' dtype: cheaper to multiply by."""
        constant = self._constants.get(value)
        if constant is None:
            constant = self._constants[value] = self.theta.new_tensor(value)
        return constant

    # -- forward ----------------------------------------------------------------------------

    def _prepare(self, l2: float | None = None) -> tuple[Sequence[float], BlockViews]:
        """This step's size variables and views of the computed blocks.

        Writes the gates, and ``l2`` (the L2 coefficient, when training),
        into the gate vectors and folds them into the weights
        (``_gate_weights``). The blocks change only when a layer's number of
        active neurons does.
        """
        if not self.arch.growing:
            return (), self._block_views(self.arch.capacities)
        z = self._size_variable_values()
        blocks = tuple([vectors.track(value, l2) for vectors, value in zip(self._gate_vectors, z)])
        views = self._views
        if views is None or views.blocks != blocks:
            views = self._block_views(blocks)
        if self._host_size_variables is None:  # off the CPU
            for vectors, n_block in zip(self._gate_vectors, blocks):
                vectors.copy_block(n_block)
        self._gate_weights(views)
        return z, views

    def _gate_weights(self, views: BlockViews) -> None:
        """Fold each layer's feeding gates into its weights (``g * W``), for a growing network.

        One product per layer writes the gated weights, the L2 gradients (the
        weights between active neurons times the L2 coefficient) and the
        gate-derivative products (``GatedInputViews``); the first layer's weights
        and size weights are masked in one product.
        """
        growth = views.growth
        assert growth is not None
        first, sizes = growth.first, growth.sizes
        torch.mul(first.weight_and_size_weight, sizes[0].l2_mask, out=first.l2_gradients)
        for layer_views, gated in zip(views.layers[1:], growth.gated):
            torch.mul(layer_views.weight, gated.feeding_rows, out=gated.gate_products)
        # the hidden layers after the first: the layer's own neurons mask its weights too
        for gated, own in zip(growth.gated, sizes[1:]):
            gated.l2_gradient.mul_(own.active)
            torch.mul(own.size_weight, own.l2_mask, out=own.l2_size_gradient)

    def _forward(
        self,
        X: Tensor,
        inputs: Sequence[float],
        views: BlockViews,
        buffers: list[tuple[Tensor, Tensor, Tensor]] | None = None,
    ) -> Tensor:
        """The logits of batch ``X``; ``inputs`` are the layers' size inputs (empty when
        static).

        With ``buffers`` (``_activation_buffers``) the hidden layers' ungated
        activations are written there, for the backward pass.
        """
        a = X
        activate = self._activate
        layers = views.layers
        own = () if views.growth is None else views.growth.sizes
        for layer in range(len(layers) - 1):
            layer_views = layers[layer]
            bias = layer_views.bias
            if inputs:  # the size input joins the bias
                bias = torch.add(bias, own[layer].size_weight, alpha=inputs[layer])
            if buffers is None:
                pre = torch.addmm(bias, a, layer_views.effective)  # (batch, n)
            else:
                pre = torch.addmm(bias, a, layer_views.effective, out=buffers[layer][0])
            a = activate(pre)
        return torch.addmm(layers[-1].bias, a, layers[-1].effective)

    def _activation_buffers(
        self, views: BlockViews, rows: int
    ) -> list[tuple[Tensor, Tensor, Tensor]]:
        """Workspace for each hidden layer's activation, its gradient and its transpose.

        For ``rows`` rows; kept in ``views.activation_buffers`` for the steps that follow.
        """
        workspace = self._workspace
        buffers: list[tuple[Tensor, Tensor, Tensor]] = []
        with torch.inference_mode(False):  # writable in any mode
            for layer, (n, capacity) in enumerate(zip(views.blocks, self.arch.capacities)):
                activation = workspace.matrix(f"activation {layer}", rows, n, capacity)
                gradient = workspace.matrix(f"gradient {layer}", rows, n, capacity)
                buffers.append((activation, gradient, activation.t()))
        views.activation_buffers[rows] = buffers
        return buffers

    def logits(self, X: Tensor) -> Tensor:
        """Output layer before its activation, for a batch X (batch, n_features)."""
        z, views = self._prepare()
        return self._forward(X, self.size_inputs(z) if z else z, views)

    def predict(self, X: Tensor) -> Tensor:
        """Output activations: values for regression, probabilities for classification."""
        return OUTPUT_ACTIVATIONS[self.arch.out_activation](self.logits(X))

    def task_loss(self, X: Tensor, Y: Tensor, sample_weight: Tensor | None) -> float:
        """Weighted mean loss of the outputs (no L2 or size term), e.g. on validation data."""
        loss_sum, _ = self._output_loss(self.logits(X), Y, sample_weight)
        total_weight = X.shape[0] if sample_weight is None else sample_weight.sum()
        return float(loss_sum / total_weight) * self._loss_scale

    def sizing_losses(self, X: Tensor, Y: Tensor) -> Tensor:
        """The loss by which self-sizing judges a width (``SIZING_LOSSES``) of each row of
        ``X``, (batch,)."""
        return SIZING_LOSSES[self.arch.out_activation](self._plain_forward(X)[1], Y)

    def start_at_constant(self, Y: Tensor, sample_weight: Tensor | None) -> None:
        """A new growing network's output biases at the logits of the best constant
        prediction of ``Y``, where its output needs it (``CONSTANT_START_OUTPUTS``) and
        they are above 0 (a prediction of 1, near where the draws start): a mean of 0
        or near it, from first rows without counts, would put the bias far below
        anything later rows need, and it would climb back at the learning rate."""
        if not self.arch.growing or self.arch.out_activation not in CONSTANT_START_OUTPUTS:
            return
        logits = constant_logits(Y, sample_weight, self.arch.out_activation)
        biases = self.biases[-1]
        biases.copy_(torch.where(logits > 0, logits, biases))

    def last_hidden_and_output_gradient(
        self, X: Tensor, Y: Tensor, sample_weight: Tensor | None
    ) -> tuple[Tensor, Tensor]:
        """The last hidden layer's ungated activations on batch ``X`` (batch, n_active) and
        the gradient of the batch objective by the logits (batch, n_outputs)."""
        h, logits = self._plain_forward(X)
        _, delta = self._output_loss(logits, Y, sample_weight)  # prediction - y
        if sample_weight is None:
            return h, delta / X.shape[0]
        return h, delta * (sample_weight / sample_weight.sum())[:, None]

    def _plain_forward(self, X: Tensor) -> tuple[Tensor, Tensor]:
        """The last hidden layer's ungated activations and the logits of batch ``X``.

        Plain operations over the active neurons, gates applied to the
        activations: for what is computed now and then (neurons that join,
        self-sizing's held-out rows), not in every step. The views of the
        active neurons' parameters are kept per set of widths (``_plain_layers``).
        """
        gates = self.gates()
        layers, output = self._plain_layers(tuple(g.n_active for g in gates))
        inputs = self.size_inputs() if self.arch.growing else ()  # with the size weights
        activate = self._activate
        a = h = X
        for layer, (layer_gates, plain) in enumerate(zip(gates, layers)):
            pre = torch.addmm(plain.bias, a, plain.weight)
            if plain.size_weight is not None:
                pre.add_(plain.size_weight, alpha=inputs[layer])
            h = a = activate(pre)  # (batch, n)
            if layer_gates.partial:  # only the last neuron's gate is not 1
                plain.last_gate.fill_(layer_gates.last_gate)
                a = h * plain.gates
        output_weight, output_bias = output
        return h, torch.addmm(output_bias, a, output_weight)

    def _plain_layers(
        self, widths: tuple[int, ...]
    ) -> tuple[list[PlainLayer], tuple[Tensor, Tensor]]:
        """Views of each layer's parameters over ``widths`` active neurons, and of the
        output layer's, kept until the widths change: making a view costs about as
        much as a small operation."""
        cached = self._plain_views
        if cached is not None and cached.widths == widths:
            return cached.layers, cached.output
        growing = self.arch.growing
        with torch.inference_mode(False):  # writable in any mode, as the parameters
            layers, n_in = [], self.arch.n_features
            for layer, n in enumerate(widths):
                gates = self.theta.new_ones(n)
                size_weight = self.size_weights[layer][:n] if growing else None
                weight, bias = self.weights[layer][:n_in, :n], self.biases[layer][:n]
                layers.append(PlainLayer(weight, bias, gates, gates[n - 1 :], size_weight))
                n_in = n
            output = (self.weights[-1][:n_in], self.biases[-1])
        self._plain_views = PlainViews(widths, layers, output)
        return layers, output

    # -- loss and gradient -------------------------------------------------------------------

    def loss_and_gradient(
        self,
        X: Tensor,
        Y: Tensor,
        sample_weight: Tensor | None,
        alpha: float,
        size_task_gradient: bool = True,
    ) -> Objective:
        """Objective on one batch; its gradient is written into ``self.grad``.

        The objective is sklearn's (weighted mean loss, L2 term
        ``0.5 * alpha * ||W||^2`` divided by the batch's weight sum) plus the
        size loss. The L2 term covers the weights between active neurons
        only: the weights of the equivalent static network.

        Without ``size_task_gradient`` the size variables' gradient is left
        out of ``grad`` (what it holds there is stale): for steps that move
        them on the size loss alone, whose gradient is kept apart.
        """
        rows = X.shape[0]
        weight_sum = float(rows) if sample_weight is None else float(sample_weight.sum())
        l2 = alpha / weight_sum
        z, views = self._prepare(l2)
        buffers = views.activation_buffers.get(rows)
        if buffers is None:
            buffers = self._activation_buffers(views, rows)
        inputs = self.size_inputs(z) if z else z
        logits = self._forward(X, inputs, views, buffers)
        loss_sum, d_pre = self._output_loss(logits, Y, sample_weight)
        # scaled once here, every gradient below is already divided by the weight sum
        if sample_weight is None:
            d_pre.mul_(self._constant(1.0 / weight_sum))
        else:
            d_pre.mul_((sample_weight / weight_sum)[:, None])
        self._backward(X, d_pre, z, inputs, views, buffers, size_task_gradient)
        if z and self.growth.shared:
            self._share_size_gradient(size_task_gradient)
        if alpha:
            loss_sum = self._add_l2_term(loss_sum, views, alpha, l2)
        return Objective(loss_sum, weight_sum / self._loss_scale, self._size_loss)

    def _add_l2_term(self, loss_sum: Tensor, views: BlockViews, alpha: float, l2: float) -> Tensor:
        """``loss_sum`` plus the L2 term ``0.5 * alpha * ||W||^2`` (on its scale), W the
        weights between active neurons; a static network's L2 gradient is added here.

        ``l2`` is the L2 coefficient ``alpha / weight_sum``: the term's gradient by W
        is ``l2 * W``. A growing network's backward pass has added that gradient
        already, from views that hold it (``GrowthViews.l2_gradients``), so the
        term's ``||W||^2`` is their squared norm over ``l2 ** 2``.
        """
        factor = 0.5 * alpha / self._loss_scale
        if views.growth is None:
            weights = self._regularized
            self._regularized_grad.add_(weights, alpha=l2)
            return torch.add(loss_sum, torch.dot(weights, weights), alpha=factor)
        gradients = views.growth.l2_gradients
        return torch.add(loss_sum, torch.dot(gradients, gradients), alpha=factor / (l2 * l2))

    def _share_size_gradient(self, task_gradient: bool) -> None:
        """One size variable for every layer: each layer's copy takes the gradient of
        the shared variable, the sum of the layers' gradients (the size loss was
        counted once, a share in each layer)."""
        if task_gradient:
            grads = self.size_variable_grads
            grads.copy_(grads.sum().expand_as(grads))
        self._size_gradient = [sum(self._size_gradient)] * len(self._size_gradient)

    def sizes_are_shared(self) -> bool:
        """Whether every layer holds the same size variable (``shared_size``)."""
        return len(set(self._size_variable_values())) <= 1

    def _backward(
        self,
        X: Tensor,
        d_pre: Tensor,
        z: Sequence[float],
        inputs: Sequence[float],
        views: BlockViews,
        buffers: list[tuple[Tensor, Tensor, Tensor]],
        size_task_gradient: bool = True,
    ) -> None:
        """Gradients given ``d_pre``, the loss's gradient by the logits (already divided
        by the batch's weight sum); the size loss's too for a growing network, with the
        L2 term's. ``z`` are the size variables and ``inputs`` the layers' size inputs
        (both empty when static). The size variables' own gradient is written only with
        ``size_task_gradient`` (``loss_and_gradient``); the size loss's is kept apart.

        From the output layer down, ``d_pre`` is the loss's gradient by the layer's
        pre-activation. A layer fed by a growing layer is multiplied by that layer's
        gates: its weight gradient is the ungated one times the gates, plus the L2
        gradient; and the gradient by the feeding layer's size variable begins here,
        with the gates' part (a gate's derivative times its row of the ungated
        gradient dotted with its row of weights: only the partly active neuron's
        derivative is not zero) and the size loss's, and ends in the feeding layer's
        own iteration with its size input's part. A static network skips all of this.
        """
        growth = views.growth
        size_grad: list[float] = []
        if growth is not None:
            arch = self.arch
            self._size_loss, size_grad = arch.method.size_loss_and_gradient(
                z, self.growth.target_variables, arch.capacities, self.growth.size_penalty
            )
            if self.growth.shared:  # the layers' terms are equal: the size loss counted once
                self._size_loss /= arch.n_hidden
                size_grad = [gradient / arch.n_hidden for gradient in size_grad]
            self._size_gradient = size_grad
        layers, one, derivative = views.layers, self._one, self._activation_backward
        top, scales = self.arch.n_hidden, self.arch.size_input_scales
        for layer in range(top, -1, -1):
            layer_views = layers[layer]
            if layer:
                activation, gradient, activation_t = buffers[layer - 1]
                if growth is None:
                    torch.mm(activation_t, d_pre, out=layer_views.weight_grad)
                else:
                    gated = growth.gated[layer - 1]
                    raw = torch.mm(activation_t, d_pre, out=gated.raw_weight_grad)
                    if size_task_gradient:
                        # the product with the derivative vector picks the partly active
                        # neuron's row without slicing it out
                        torch.addmv(
                            one,
                            gated.raw_weight_grad_row,
                            gated.derivative_weight_flat,
                            beta=size_grad[layer - 1],
                            out=growth.sizes[layer - 1].size_variable_grad,
                        )
                    torch.addcmul(
                        gated.l2_gradient, raw, gated.input_gate, out=layer_views.weight_grad
                    )
            elif growth is None:
                torch.mm(X.t(), d_pre, out=layer_views.weight_grad)
            else:  # the first layer: the L2 gradient comes with the product
                torch.addmm(growth.first.l2_gradient, X.t(), d_pre, out=layer_views.weight_grad)
            bias_grad = torch.sum(d_pre, dim=0, out=layer_views.bias_grad)
            if growth is not None and layer < top:
                own = growth.sizes[layer]
                # the size input's weights: input * bias_grad plus their L2 gradient
                torch.add(
                    own.l2_size_gradient, bias_grad, alpha=inputs[layer], out=own.size_weight_grad
                )
                # the size variable: its size input's part joins the gates' and the size
                # loss's, written in the iteration of the layer above
                if size_task_gradient:
                    own.size_variable_grad.addmv_(
                        own.size_weight_row, bias_grad, alpha=scales[layer]
                    )
            if not layer:
                return
            d_hidden = torch.mm(d_pre, layer_views.effective_t, out=gradient)  # (batch, n_in)
            d_pre = d_hidden if derivative is None else derivative(d_hidden, activation)


def static_forward(
    X: Tensor,
    coefs: Sequence[Tensor],
    intercepts: Sequence[Tensor],
    activation: str,
    out_activation: str,
) -> Tensor:
    """Forward pass of a plain MLP given sklearn-layout weights (``coefs_``)."""
    a = X
    hidden_activation = HIDDEN_ACTIVATIONS[activation]
    for coef, intercept in zip(coefs[:-1], intercepts[:-1]):
        a = hidden_activation(torch.addmm(intercept, a, coef))
    return OUTPUT_ACTIVATIONS[out_activation](torch.addmm(intercepts[-1], a, coefs[-1]))
