"""The torch network: parameters in one flat buffer, gated forward, manual backward.

All parameters live in one 1-D tensor ``theta`` (and their gradients in
``grad``); the weight matrices, biases and size variables are views into it.
This makes an optimiser step a handful of whole-buffer operations and lets
L-BFGS and early stopping copy the whole model at once.

Hidden layer ``l`` computes ``h = act(a @ W + b + z * v)`` and passes on
``g * h`` where ``g`` are its gates (section 2 of DESIGN.md), ``z`` its size
variable and ``v`` the weights of the size input column. Only a block
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
from typing import NamedTuple

import numpy as np
import torch

from skgrow._blocks import (
    ActiveWeightMask,
    BlockViews,
    GateVectors,
    LayerViews,
    Workspace,
    block_size,
    gates_are_all_ones,
    shares_host_memory,
)
from skgrow._growth import (
    GATE_FUNCTIONS,
    LayerGates,
    continuous_size,
    size_loss_and_gradient,
    size_variable,
)
from skgrow._layout import Architecture, GrowthSettings, Layout, glorot_uniform_parameters

Tensor = torch.Tensor

# Up to this many L2-regularised parameters, a growing network masks all of them
# at once for the L2 term (ActiveWeightMask: three operations per step); above,
# only the computed blocks (more operations, but on what the network has). On 2
# cores, capacity 1024 and 20 features (22 528 weights), the per-block L2 term
# made a growing step 10% faster than the whole-buffer one.
WHOLE_MASK_LIMIT = 2**12

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


class Objective(NamedTuple):
    """One batch's objective, kept in parts so that no scalar is multiplied per step.

    Its value is ``loss_sum / weight_sum + size_loss``: ``loss_sum`` sums the
    loss (and the L2 term) over the batch, ``size_loss`` is a host float.
    """

    loss_sum: Tensor
    weight_sum: float | Tensor
    size_loss: float

    def __float__(self) -> float:
        return float(self.loss_sum / self.weight_sum) + self.size_loss


def _decay_masks(layers: list[LayerViews]) -> tuple:
    """What the L2 scratch holds: (weights, mask, scratch view, second mask or None)."""
    masks = []
    for views in layers:
        # every layer of a growing network has active neurons on one side at least
        first, second = (views.active, views.input_active)
        if first is None:
            first, second = second, None
        masks.append((views.weight, first, views.decayed_weight, second))
        if views.active is not None:
            masks.append((views.size_weight, views.active, views.decayed_size_weight, None))
    return tuple(masks)


class GrowingNetwork:
    """An MLP whose hidden layers are gated by trainable size variables.

    Parameters live in ``theta``; ``loss_and_gradient`` fills ``grad``.
    """

    def __init__(self, arch: Architecture, growth: GrowthSettings, theta: Tensor) -> None:
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
        # on the CPU the size variables are read and clipped through numpy, which
        # shares their memory and costs less per step than a torch operation
        self._host_size_variables = (
            self.size_variables.numpy() if shares_host_memory(theta.device) else None
        )
        self._one = theta.new_ones(1)
        self._gate_function = GATE_FUNCTIONS.get(self.arch.growth)
        self._precision = np.float32 if theta.dtype == torch.float32 else float
        growing = self.arch.growing
        self._gate_vectors = [
            GateVectors(capacity, theta.dtype, theta.device) if growing else None
            for capacity in self.arch.capacities
        ]
        self._zeros = theta.new_zeros(max(self.arch.capacities, default=0)) if growing else None
        self._active_weights = (
            ActiveWeightMask(layout, self.arch.n_features, theta.dtype, theta.device)
            if growing and layout.n_regularized <= WHOLE_MASK_LIMIT
            else None
        )
        # the L2 scratch of per-block masking: room for the largest blocks, used from its start
        per_block_decay = growing and self._active_weights is None
        self._decay_scratch = theta.new_zeros(layout.n_regularized) if per_block_decay else None
        self._workspace = Workspace(theta.dtype, theta.device)
        self._views: BlockViews | None = None
        self._constants: dict[float, Tensor] = {}
        self._size_loss = 0.0
        # active neurons and computed block of each layer, as of the last step
        self._counts = tuple(layer_gates.n_active for layer_gates in self.gates())
        self._blocks = tuple(map(block_size, self._counts, self.arch.capacities))

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
    ) -> GrowingNetwork:
        layout = Layout.of(arch)
        theta = glorot_uniform_parameters(arch, layout, rng)
        if arch.growing:
            z = layout.size_variables
            theta[z.offset : z.offset + z.size] = initial_variables
        return cls(arch, growth, torch.tensor(theta, dtype=dtype, device=device))

    def __getstate__(self) -> dict:
        # Stored as numpy so that a model trained on a GPU loads anywhere.
        return {
            "arch": self.arch,
            "growth": self.growth,
            "theta": self.theta.detach().cpu().numpy(),
            "dtype": str(self.theta.dtype).removeprefix("torch."),
        }

    def __setstate__(self, state: dict) -> None:
        theta = torch.from_numpy(np.array(state["theta"]))
        self.__init__(state["arch"], state["growth"], theta.to(getattr(torch, state["dtype"])))

    def with_capacities(
        self, capacities: tuple[int, ...], rng: np.random.RandomState
    ) -> GrowingNetwork:
        """A copy with other layer capacities, keeping every trained neuron that fits.

        New neurons get fresh initial weights; each layer keeps its size in
        neurons (clipped to the new capacity).
        """
        arch = replace(self.arch, capacities=capacities)
        sizes = [
            min(continuous_size(arch.growth, float(z), old), new)
            for z, old, new in zip(self.size_variables.tolist(), self.arch.capacities, capacities)
        ]
        variables = [size_variable(arch.growth, s, c) for s, c in zip(sizes, capacities)]
        dtype, device = self.theta.dtype, self.theta.device
        resized = GrowingNetwork.initialize(arch, self.growth, variables, rng, dtype, device)
        old_slots = (*self.layout.weights, *self.layout.size_weights, *self.layout.biases)
        new_slots = (*resized.layout.weights, *resized.layout.size_weights, *resized.layout.biases)
        with torch.no_grad():
            for old, new in zip(old_slots, new_slots):
                overlap = tuple(slice(0, min(a, b)) for a, b in zip(old.shape, new.shape))
                new.view(resized.theta)[overlap] = old.view(self.theta)[overlap]
            # the size input carries z, which moved: keep each neuron's z * v
            for layer, (old_z, new_z) in enumerate(zip(self.size_variables.tolist(), variables)):
                kept = min(self.arch.capacities[layer], capacities[layer])
                if new_z != 0:
                    resized.size_weights[layer][:kept].mul_(old_z / new_z)
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
                np.clip(host, 0.0, 1.0, out=host)

    def _size_variable_values(self) -> list[float]:
        host = self._host_size_variables
        return self.size_variables.tolist() if host is None else host.tolist()

    def gates(self, z: Sequence[float] | None = None) -> list[LayerGates]:
        """Gates of every hidden layer (all on for a static network)."""
        arch = self.arch
        if not arch.growing:
            return self._static_gates
        z = self._size_variable_values() if z is None else z
        gate_function, precision = self._gate_function, self._precision
        return [gate_function(value, n, precision) for value, n in zip(z, arch.capacities)]

    def active_sizes(self) -> tuple[int, ...]:
        """Neurons with a non-zero gate in each hidden layer."""
        return tuple(g.n_active for g in self.gates())

    # -- the computed blocks -----------------------------------------------------------------

    def _track_gates(self, gates: list[LayerGates]) -> BlockViews:
        """Write this step's gates into the gate vectors; views of the blocks they need.

        The blocks change only when a layer's number of active neurons does.
        """
        counts = tuple([layer_gates.n_active for layer_gates in gates])
        if counts != self._counts:
            self._counts = counts
            self._blocks = tuple(map(block_size, counts, self.arch.capacities))
        for layer_gates, vectors, n_block in zip(gates, self._gate_vectors, self._blocks):
            vectors.update(layer_gates, n_block)
        return self._block_views(self._blocks)

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
        layers, n_in = [], self.arch.n_features
        for layer, n in enumerate((*blocks, self.arch.n_outputs)):
            weight, weight_grad = self.weights[layer], self.weight_grads[layer]
            if n_in < weight.shape[0]:
                weight, weight_grad = weight[:n_in], weight_grad[:n_in]
            if n < weight.shape[1]:  # slicing costs about as much as a small product
                weight, weight_grad = weight.narrow(1, 0, n), weight_grad.narrow(1, 0, n)
            bias, bias_grad = self.biases[layer], self.bias_grads[layer]
            if n < bias.shape[0]:
                bias, bias_grad = bias[:n], bias_grad[:n]
            layers.append(
                dict(weight=weight, bias=bias, weight_grad=weight_grad, bias_grad=bias_grad)
            )
            n_in = n
        if self.arch.growing:
            self._add_growth_views(layers, blocks)
        # small networks mask the L2 term over the whole buffer instead (ActiveWeightMask)
        block_decay = self._decay_scratch is not None
        decayed = self._add_decay_views(layers) if block_decay else None
        layer_views = [LayerViews(**views) for views in layers]
        masks = _decay_masks(layer_views) if block_decay else ()
        self._views = BlockViews(blocks, layer_views, decayed, masks)
        return self._views

    def _add_decay_views(self, layers: list[dict]) -> Tensor:
        """Views of each layer into the L2 scratch; returns the part of it they cover.

        Every entry of that part is rewritten in each step (``_decayed_weights``).
        """
        offset = 0
        for layer, views in enumerate(layers):
            rows, n = views["weight"].shape
            views["decayed_weight"] = self._decay_scratch[offset : offset + rows * n].view(rows, n)
            offset += rows * n
            if layer < self.arch.n_hidden:
                views["decayed_size_weight"] = self._decay_scratch[offset : offset + n]
                views["decayed_size_weight_row"] = views["decayed_size_weight"].view(1, n)
                offset += n
        return self._decay_scratch[:offset]

    def _add_growth_views(self, layers: list[dict], blocks: tuple[int, ...]) -> None:
        """Size input and gate views of each layer."""
        for layer, views in enumerate(layers):
            rows, n = views["weight"].shape
            if layer > 0:
                feeding = self._gate_vectors[layer - 1]
                outgoing, outgoing_grad = views["weight"], views["weight_grad"]
                if not outgoing.is_contiguous():  # whole rows are
                    outgoing, outgoing_grad = (
                        self.weights[layer][:rows],
                        self.weight_grads[layer][:rows],
                    )
                derivative_weight = torch.empty_like(outgoing)
                views.update(
                    input_gate=feeding.gate[:rows, None],
                    input_active=feeding.active[:rows, None],
                    input_derivative=feeding.derivative[:rows, None],
                    outgoing_weight=outgoing,
                    outgoing_weight_grad_row=outgoing_grad.view(1, -1),
                    derivative_weight=derivative_weight,
                    derivative_weight_flat=derivative_weight.view(-1),
                )
            if layer < len(blocks):
                vectors = self._gate_vectors[layer]
                views.update(
                    size_weight=self.size_weights[layer][:n],
                    size_weight_row=self.size_weights[layer][:n].view(1, n),
                    size_weight_grad=self.size_weight_grads[layer][:n],
                    size_weight_grad_row=self.size_weight_grads[layer][:n].view(1, n),
                    size_variable_grad=self.size_variable_grads[layer : layer + 1],
                    active=vectors.active[:n],
                    zeros=self._zeros[:n],
                )

    def release_buffers(self) -> None:
        """Let go of the activation buffers and block views training keeps between steps."""
        self._workspace = Workspace(self.theta.dtype, self.theta.device)
        self._views = None

    def _constant(self, value: float) -> Tensor:
        """``value`` as a 0-d tensor of the parameters' dtype: cheaper to multiply by."""
        constant = self._constants.get(value)
        if constant is None:
            constant = self._constants[value] = self.theta.new_tensor(value)
        return constant

    # -- forward ----------------------------------------------------------------------------

    def _prepare(self) -> tuple[Sequence[float], list[LayerGates], BlockViews]:
        """This step's size variables, gates and views of the computed blocks."""
        if not self.arch.growing:
            return (), self._static_gates, self._block_views(self._blocks)
        z = self._size_variable_values()
        gate_function, precision = self._gate_function, self._precision
        gates = [gate_function(value, n, precision) for value, n in zip(z, self.arch.capacities)]
        return z, gates, self._track_gates(gates)

    def _effective_weights(self, gates: list[LayerGates], views: BlockViews) -> list[Tensor]:
        """Each layer's weights with the feeding layer's gates folded in (``g * W``)."""
        layers = views.layers
        if not self.arch.growing:
            return [layer_views.weight for layer_views in layers]
        effective = [layers[0].weight]
        for layer_gates, layer_views, n_block in zip(gates, layers[1:], views.blocks):
            if gates_are_all_ones(layer_gates, n_block):
                effective.append(layer_views.weight)
            else:
                effective.append(torch.mul(layer_views.weight, layer_views.input_gate))  # (n_in, n)
        return effective

    def _forward(
        self,
        X: Tensor,
        z: Sequence[float],
        effective: list[Tensor],
        views: BlockViews,
        buffers: list[tuple[Tensor, Tensor]] | None = None,
    ) -> tuple[list[Tensor], Tensor]:
        """Ungated activations of the hidden layers (X first) and the logits.

        With ``buffers`` (``_activation_buffers``) the activations are written there.
        """
        activations = [X]
        activate = self._activate
        layers = views.layers
        for layer in range(len(layers) - 1):
            layer_views = layers[layer]
            bias = layer_views.bias
            if z:  # the size input joins the bias
                bias = torch.add(bias, layer_views.size_weight, alpha=z[layer])  # (n,)
            if buffers is None:
                pre = torch.addmm(bias, activations[-1], effective[layer])  # (batch, n)
            else:
                pre = torch.addmm(bias, activations[-1], effective[layer], out=buffers[layer][0])
            activations.append(activate(pre))
        return activations, torch.addmm(layers[-1].bias, activations[-1], effective[-1])

    def _activation_buffers(self, views: BlockViews, rows: int) -> list[tuple[Tensor, Tensor]]:
        """Workspace for each hidden layer's activation and its gradient, for ``rows`` rows.

        Kept in ``views.activation_buffers`` for the steps that follow.
        """
        workspace = self._workspace
        with torch.inference_mode(False):  # writable in any mode
            buffers = [
                (
                    workspace.matrix(f"activation {layer}", rows, n, capacity),
                    workspace.matrix(f"gradient {layer}", rows, n, capacity),
                )
                for layer, (n, capacity) in enumerate(zip(views.blocks, self.arch.capacities))
            ]
        views.activation_buffers[rows] = buffers
        return buffers

    def logits(self, X: Tensor) -> Tensor:
        """Output layer before its activation, for a batch X (batch, n_features)."""
        z, gates, views = self._prepare()
        return self._forward(X, z, self._effective_weights(gates, views), views)[1]

    def predict(self, X: Tensor) -> Tensor:
        """Output activations: values for regression, probabilities for classification."""
        return OUTPUT_ACTIVATIONS[self.arch.out_activation](self.logits(X))

    def task_loss(self, X: Tensor, Y: Tensor, sample_weight: Tensor | None) -> float:
        """Weighted mean loss of the outputs (no L2 or size term), e.g. on validation data."""
        loss_sum, _ = self._output_loss(self.logits(X), Y, sample_weight)
        total_weight = X.shape[0] if sample_weight is None else sample_weight.sum()
        return float(loss_sum / total_weight) * self._loss_scale

    # -- loss and gradient -------------------------------------------------------------------

    def loss_and_gradient(
        self, X: Tensor, Y: Tensor, sample_weight: Tensor | None, alpha: float
    ) -> Objective:
        """Objective on one batch; its gradient is written into ``self.grad``.

        The objective is sklearn's (weighted mean loss, L2 term
        ``0.5 * alpha * ||W||^2`` divided by the batch's weight sum) plus the
        size loss. The L2 term covers the weights between active neurons
        only: the weights of the equivalent static network.
        """
        arch = self.arch
        growing = arch.growing
        z, gates, views = self._prepare()
        effective = self._effective_weights(gates, views)
        buffers = views.activation_buffers.get(X.shape[0])
        if buffers is None:
            buffers = self._activation_buffers(views, X.shape[0])
        activations, logits = self._forward(X, z, effective, views, buffers)
        loss_sum, d_pre = self._output_loss(logits, Y, sample_weight)
        # scaled once here, every gradient below is already divided by the weight sum
        if sample_weight is None:
            weight_sum = float(X.shape[0])
            d_pre.mul_(self._constant(1.0 / weight_sum))
        else:
            weight_sum = float(sample_weight.sum())
            d_pre.mul_((sample_weight / weight_sum)[:, None])
        l2 = alpha / weight_sum
        decayed = self._decayed_weights(views) if alpha else None
        # L2 gradients are added per block when the weights are masked per block
        per_block = decayed is not None and decayed is views.decayed
        if growing:
            self._size_loss, size_grad = size_loss_and_gradient(
                arch.growth,
                z,
                self.growth.target_variables,
                arch.capacities,
                self.growth.size_penalty,
            )

        # backward, from the output layer down: d_pre is d(loss)/d(the layer's pre-activation)
        layers, one, derivative = views.layers, self._one, self._activation_backward
        for layer in range(arch.n_hidden, -1, -1):
            layer_views = layers[layer]
            a_in = activations[layer]
            if layer and growing:  # fed by a growing layer, through its gates
                grad = torch.mm(a_in.t(), d_pre, out=layer_views.weight_grad)  # (n_in, n)
                # the feeding layer's z gradient starts with the size loss's part and the
                # gates': a gate's derivative by z times the gate's gradient, which is its
                # row of the ungated weight gradient dotted with its row of weights. Only
                # the partly active neuron's derivative is not zero; multiplying by the
                # derivative vector picks its row without slicing it out
                torch.mul(
                    layer_views.outgoing_weight,
                    layer_views.input_derivative,
                    out=layer_views.derivative_weight,
                )
                torch.addmv(
                    one,
                    layer_views.outgoing_weight_grad_row,
                    layer_views.derivative_weight_flat,
                    beta=size_grad[layer - 1],
                    out=layers[layer - 1].size_variable_grad,
                )
                if effective[layer] is not layer_views.weight:  # some gates are not 1
                    grad.mul_(layer_views.input_gate)
                if per_block:
                    grad.add_(layer_views.decayed_weight, alpha=l2)
            elif per_block:  # the L2 gradient comes with the product
                torch.addmm(
                    layer_views.decayed_weight,
                    a_in.t(),
                    d_pre,
                    beta=l2,
                    out=layer_views.weight_grad,
                )
            else:
                torch.mm(a_in.t(), d_pre, out=layer_views.weight_grad)
            bias_grad = torch.sum(d_pre, dim=0, out=layer_views.bias_grad)
            if growing and layer < arch.n_hidden:
                # the size input's weights: z * bias_grad (plus their L2 gradient)
                if per_block:  # l2 * decayed + z * g, as a rank-one update of a row
                    torch.addr(
                        layer_views.decayed_size_weight_row,
                        one,
                        bias_grad,
                        beta=l2,
                        alpha=z[layer],
                        out=layer_views.size_weight_grad_row,
                    )
                else:  # 0 + z * g (multiplying by a float would first copy it into a tensor)
                    torch.add(
                        layer_views.zeros,
                        bias_grad,
                        alpha=z[layer],
                        out=layer_views.size_weight_grad,
                    )
                # the size variable: its size input's part joins those of the size loss
                # and of the gates (written with the layer above)
                layer_views.size_variable_grad.addmv_(layer_views.size_weight_row, bias_grad)
            if not layer:
                break  # nothing needs the gradient with respect to the data
            # (batch, n_in), gates included
            d_hidden = torch.mm(d_pre, effective[layer].t(), out=buffers[layer - 1][1])
            d_pre = d_hidden if derivative is None else derivative(d_hidden, a_in)

        if decayed is not None:
            if not per_block:  # one buffer over all the regularised weights
                self._regularized_grad.add_(decayed, alpha=l2)
            norm = torch.dot(decayed, decayed)
            loss_sum = torch.add(loss_sum, norm, alpha=0.5 * alpha / self._loss_scale)
        return Objective(loss_sum, weight_sum / self._loss_scale, self._size_loss)

    def _decayed_weights(self, views: BlockViews) -> Tensor:
        """The weights between active neurons, the rest zeroed: the L2 term is their norm.

        A static network returns its weights. A growing one masks them over
        the whole buffer when that is small (``ActiveWeightMask``), otherwise
        per computed block into the blocks' scratch (``views.decayed``), whose
        views ``decayed_weight`` and ``decayed_size_weight`` the backward pass
        takes the L2 gradient from.
        """
        if not self.arch.growing:
            return self._regularized
        active = self._active_weights
        if active is None:
            for weights, mask, decayed, second_mask in views.decay_masks:
                torch.mul(weights, mask, out=decayed)
                if second_mask is not None:
                    decayed.mul_(second_mask)
            return views.decayed
        counts = self._counts
        if counts == self.arch.capacities:  # every neuron active: the weights themselves
            return self._regularized
        active.update(counts)
        return torch.mul(self._regularized, active.mask, out=active.masked)


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
