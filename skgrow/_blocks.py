"""Which neurons a training step computes, the views of their parameters, and scratch memory.

A growing layer computes a *block*: its active neurons rounded up to a
multiple of 1/64 of its capacity (at least 8 neurons). The rest of the
block has gate 0, so the extra neurons contribute nothing and get no
gradient. Gates are applied through the next layer's weights (``g * W``,
a small matrix) rather than to the activations (``h * g``, a pass over the
whole batch). Blocks change every few dozen neurons, so the views of the
parameters they cover (slicing a tensor costs about as much as a small
matrix product) are rebuilt rarely while a layer grows one neuron per step.

While a layer grows, its number of active neurons changes in most steps;
the gate vectors are then updated where they changed only, so that a step
costs what the network has, not its capacity. The L2 term is taken from
the weights between active neurons times the L2 coefficient, written by
the same products that fold the gates into the weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from skgrow._growth import GrowthMethod, float_cells, rounding_to

Tensor = torch.Tensor


def block_step(capacity: int) -> int:
    """The multiple of neurons that a layer of ``capacity`` computes."""
    return max(8, capacity // 64)


def _round_up(n: int, step: int) -> int:
    return -(-n // step) * step


def block_size(n_active: int, capacity: int) -> int:
    """Neurons computed by a layer with ``n_active`` active neurons."""
    return min(capacity, _round_up(n_active, block_step(capacity)))


def shares_host_memory(device: torch.device) -> bool:
    """Whether tensors on ``device`` can share memory with numpy arrays (on the CPU).

    Where they can, values that change every step are written on the host
    (through memoryviews), which costs less than a torch operation; elsewhere
    they are copied over.
    """
    return device.type == "cpu"


def host_precision(dtype: torch.dtype) -> type:
    """The numpy type of a torch float dtype (float32 or float64), for host arithmetic."""
    return np.float32 if dtype == torch.float32 else np.float64


class GateVectors:
    """Per neuron of one layer: its L2 mask, gate, gate derivative by ``z`` and activity.

    Four rows of one (4, capacity) matrix, so that the first three multiply a
    block of the next layer's weights in one operation (``GatedInputViews``):

    * ``l2_mask``: ``l2`` where the neuron is active (gate not zero), else 0, with
      ``l2`` the current L2 coefficient: the product with the weights is the L2
      term's gradient;
    * ``gate``: 1 for the first ``n_active - 1`` neurons, the partly active
      neuron's gate, then 0;
    * ``derivative``: d(gate)/dz, not zero for the partly active neuron only;
    * ``active``: 1 where the gate is not zero.

    On the CPU the tensor shares memory with a host array, so updating it
    costs no torch operation; on a GPU the computed block is copied over in
    one operation each step. The host rows are written through memoryviews:
    plain Python item and slice assignments, cheaper than numpy's.
    """

    L2_MASK, GATE, DERIVATIVE, ACTIVE = range(4)

    def __init__(
        self,
        capacity: int,
        method: GrowthMethod,
        dtype: torch.dtype,
        device: torch.device,
    ):
        self.capacity = capacity
        self.gate_parts = method.gate_parts
        precision = host_precision(dtype)
        self.rounded = rounding_to(precision)
        self.host: np.ndarray = np.zeros((4, capacity), dtype=precision)
        self.on_host = shares_host_memory(device)
        if self.on_host:
            self.rows = torch.from_numpy(self.host)
        else:
            self.rows = torch.zeros((4, capacity), dtype=dtype, device=device)
        self.l2_mask, self.active = self.rows[self.L2_MASK], self.rows[self.ACTIVE]
        self._host_rows = tuple(float_cells(row) for row in self.host)
        # what slices of the rows are set from: 1, 0, and the L2 coefficient
        self._ones = float_cells(np.ones(capacity, dtype=precision))
        self._zeros = float_cells(np.zeros(capacity, dtype=precision))
        self._l2_row: np.ndarray = np.zeros(capacity, dtype=precision)
        self._l2s = float_cells(self._l2_row)
        self.n_active = 0
        self.z = math.nan  # the size variable the rows were written for (none yet)
        self.l2 = 0.0
        self._block_step = block_step(capacity)
        self.block = 0
        self._block_range = (-self._block_step, 0)  # the counts that keep this block

    def track(self, z: float, l2: float | None) -> int:
        """Write the gates of size variable ``z`` (and ``l2``, unless None) on the host.

        Returns the layer's block (:func:`block_size` of its active neurons).
        Only the entries that change are written: a layer that grows one
        neuron costs a few of them, a layer held at its width none.
        """
        if z != self.z:  # (a NaN is never equal: written anew)
            self._write_gates(z)
        if l2 is not None and l2 != self.l2:
            self._l2_row.fill(l2)
            np.multiply(self.host[self.ACTIVE], l2, out=self.host[self.L2_MASK])
            self.l2 = l2
        return self.block

    def _write_gates(self, z: float) -> None:
        self.z = z
        n, last_gate, last_derivative = self.gate_parts(z, self.capacity, self.rounded)
        old = self.n_active
        l2_mask, gate, derivative, active = self._host_rows
        if n != old:
            if n > old:  # the previously partial neuron is fully on now
                ones, start = self._ones, old - 1 if old else 0
                gate[start:n] = ones[start:n]
                active[old:n] = ones[old:n]
                l2_mask[old:n] = self._l2s[old:n]
            else:
                zeros = self._zeros
                gate[n:old] = zeros[n:old]
                active[n:old] = zeros[n:old]
                l2_mask[n:old] = zeros[n:old]
            if old:
                derivative[old - 1] = 0.0
            self.n_active = n
            low, high = self._block_range
            if not low < n <= high:
                self._update_block(n)
        if n:
            gate[n - 1] = last_gate
            derivative[n - 1] = last_derivative

    def _update_block(self, n_active: int) -> None:
        step = self._block_step
        high = _round_up(n_active, step)
        self._block_range = (high - step, high)
        self.block = min(self.capacity, high)

    def copy_block(self, n_block: int) -> None:
        """Copy the first ``n_block`` neurons' entries to the device (off the CPU)."""
        if not self.on_host:
            self.rows[:, :n_block].copy_(torch.from_numpy(self.host[:, :n_block]))


class Workspace:
    """Buffers that the training steps write their (batch, block) activations into.

    A tensor allocated afresh in every step is memory the operating system
    hands out anew whenever the size changes, and its first touch faults in
    every page: at each new block size that costs more than the arithmetic of
    a small network. The buffers here are reused and grow by doubling (to at
    most ``rows * capacity``), so a layer that grows one neuron per step
    reallocates a handful of times.
    """

    def __init__(self, dtype: torch.dtype, device: torch.device):
        self.dtype, self.device = dtype, device
        self._buffers: dict[str, Tensor] = {}

    def matrix(self, name: str, rows: int, cols: int, capacity: int) -> Tensor:
        """A contiguous (rows, cols) view into the buffer ``name``; its values are stale."""
        buffer = self._buffers.get(name)
        size = rows * cols
        if buffer is None or buffer.numel() < size:
            grown = size if buffer is None else max(size, min(2 * buffer.numel(), rows * capacity))
            buffer = torch.empty(grown, dtype=self.dtype, device=self.device)
            self._buffers[name] = buffer
        return buffer[:size].view(rows, cols)


# -- views of the computed blocks -----------------------------------------------------------
#
# A training step reads and writes its parameters, gradients and gates through views
# into the network's flat buffers, one set per combination of block sizes, planned by
# ``plan_views``. Every field of these records is set: a static network's layers have
# ``LayerViews`` alone, a growing network's have ``GrowthViews`` besides.


@dataclass(frozen=True, slots=True)
class LayerViews:
    """One layer's computed block: weights (n_in, n), bias (n,), their gradients, and the
    weights the forward pass multiplies by, ``effective`` (the feeding layer's gates
    folded in: ``h_prev @ (g * W)`` is formed, never ``h_prev * g``) and its transpose."""

    weight: Tensor
    bias: Tensor
    weight_grad: Tensor
    bias_grad: Tensor
    effective: Tensor
    effective_t: Tensor


@dataclass(frozen=True, slots=True)
class GatedInputViews:
    """A layer fed by a growing layer (all but the first of a growing network).

    ``feeding_rows`` (3, n_in, 1) are the feeding layer's L2-mask, gate and
    gate-derivative rows as columns; one product with the weights writes
    ``gate_products`` (3, n_in, n): ``l2_gradient`` (the weights between active
    neurons times the L2 coefficient: the L2 term's gradient), ``gated_weight``
    (``g * W``) and the derivative products, read flat (``derivative_weight_flat``).
    ``input_gate`` (n_in, 1) scales the weight gradient; ``raw_weight_grad`` holds
    the ungated gradient (its own buffer where the block's gradient is not
    contiguous), ``raw_weight_grad_row`` the same as (1, n_in * n).
    """

    feeding_rows: Tensor
    gate_products: Tensor
    l2_gradient: Tensor
    gated_weight: Tensor
    derivative_weight_flat: Tensor
    input_gate: Tensor
    raw_weight_grad: Tensor
    raw_weight_grad_row: Tensor


@dataclass(frozen=True, slots=True)
class SizeInputViews:
    """A growing hidden layer's own part (n neurons): its size input's weights
    (``size_weight``, as (1, n) in ``size_weight_row``) and their gradient, its size
    variable's gradient cell (1,), its ``active`` row (1 where the gate is not 0), its
    ``l2_mask`` row (the L2 coefficient where active) and the size weights' L2 gradient."""

    size_weight: Tensor
    size_weight_row: Tensor
    size_weight_grad: Tensor
    size_variable_grad: Tensor
    active: Tensor
    l2_mask: Tensor
    l2_size_gradient: Tensor


@dataclass(frozen=True, slots=True)
class FirstLayerViews:
    """A growing network's first layer: its weights and size weights, which follow each
    other in the parameter buffer, as one (n_features + 1, n) block, so that one product
    writes their L2 gradients (``l2_gradients``; the weights' alone: ``l2_gradient``)."""

    weight_and_size_weight: Tensor
    l2_gradients: Tensor
    l2_gradient: Tensor


@dataclass(frozen=True, slots=True)
class GrowthViews:
    """A growing network's views besides ``LayerViews``: ``gated[l - 1]`` for layer ``l``
    (1 to the output layer), ``sizes[l]`` for hidden layer ``l``, and ``l2_gradients``,
    the part of the L2 scratch every step rewrites (each L2 gradient view lies in it)."""

    first: FirstLayerViews
    gated: tuple[GatedInputViews, ...]
    sizes: tuple[SizeInputViews, ...]
    l2_gradients: Tensor


@dataclass(frozen=True)
class BlockViews:
    """Views of every layer (output layer last) for one set of block sizes."""

    blocks: tuple[int, ...]
    layers: tuple[LayerViews, ...]
    growth: GrowthViews | None
    # per batch size: each hidden layer's activation, its gradient and its transpose
    activation_buffers: dict[int, list[tuple[Tensor, Tensor, Tensor]]] = field(default_factory=dict)


@dataclass(frozen=True)
class ParameterViews:
    """Every layer's weights and biases at full capacity, as views into the parameter
    buffer ``theta`` and its gradient ``grad``."""

    weights: list[Tensor]
    biases: list[Tensor]
    weight_grads: list[Tensor]
    bias_grads: list[Tensor]


@dataclass(frozen=True)
class GrowthBuffers:
    """What a growing network's steps read and write besides ``ParameterViews``: the size
    weights and their gradients, each size variable's gradient cell, the first layer's
    weights and size weights as one block of ``theta`` and of ``grad``, each hidden
    layer's ``GateVectors``, and the L2 scratch (``3 * n_regularized``: the L2
    gradients from its start, the gated weights and the derivative products of the
    layers after the first ``n_regularized`` and ``2 * n_regularized`` further on)."""

    size_weights: list[Tensor]
    size_weight_grads: list[Tensor]
    size_variable_grads: list[Tensor]
    first_with_size: Tensor
    first_with_size_grad: Tensor
    gate_vectors: list[GateVectors]
    l2_scratch: Tensor
    n_regularized: int


def plan_views(
    parameters: ParameterViews,
    growth: GrowthBuffers | None,
    blocks: tuple[int, ...],
    n_features: int,
    workspace: Workspace,
) -> BlockViews:
    """The views of a step whose hidden layers compute ``blocks`` neurons."""
    dense, n_in = [], n_features
    n_outputs = parameters.biases[-1].shape[0]
    for layer, n in enumerate((*blocks, n_outputs)):
        weight = parameters.weights[layer][:n_in, :n]
        weight_grad = parameters.weight_grads[layer][:n_in, :n]
        bias, bias_grad = parameters.biases[layer][:n], parameters.bias_grads[layer][:n]
        dense.append((weight, bias, weight_grad, bias_grad))
        n_in = n
    growth_views = None
    if growth is not None:
        growth_views = _plan_growth_views(parameters, growth, dense, blocks, workspace)
    layers = []
    for layer, (weight, bias, weight_grad, bias_grad) in enumerate(dense):
        effective = (
            weight
            if growth_views is None or layer == 0
            else growth_views.gated[layer - 1].gated_weight
        )
        layers.append(LayerViews(weight, bias, weight_grad, bias_grad, effective, effective.t()))
    return BlockViews(blocks, tuple(layers), growth_views)


def _plan_growth_views(
    parameters: ParameterViews,
    growth: GrowthBuffers,
    dense: list[tuple[Tensor, Tensor, Tensor, Tensor]],
    blocks: tuple[int, ...],
    workspace: Workspace,
) -> GrowthViews:
    """Gate, size input and L2 views of each layer, laid out in the L2 scratch."""
    scratch, stride = growth.l2_scratch, growth.n_regularized
    first = growth.first_with_size[:, : blocks[0]]
    first_l2 = scratch.as_strided(first.shape, (blocks[0], 1))
    first_views = FirstLayerViews(first, first_l2, first_l2[:-1])
    offset = first.numel()
    gated, sizes = [], []
    for layer, (weight, _, weight_grad, _) in enumerate(dense):
        rows, n = weight.shape
        if layer > 0:
            feeding = growth.gate_vectors[layer - 1].rows
            capacity = feeding.shape[1]
            products = scratch.as_strided((3, rows, n), (stride, n, 1), offset)
            raw = weight_grad
            if not raw.is_contiguous():
                full_width = parameters.weights[layer].shape[1]
                raw = workspace.matrix(f"raw gradient {layer}", rows, n, full_width)
            gate_offset = feeding.storage_offset() + GateVectors.GATE * capacity
            gated.append(
                GatedInputViews(
                    feeding_rows=feeding.as_strided((3, rows, 1), (capacity, 1, 1)),
                    gate_products=products,
                    l2_gradient=products[0],
                    gated_weight=products[1],
                    derivative_weight_flat=scratch.as_strided(
                        (rows * n,), (1,), offset + 2 * stride
                    ),
                    input_gate=feeding.as_strided((rows, 1), (1, 1), gate_offset),
                    raw_weight_grad=raw,
                    raw_weight_grad_row=raw.view(1, -1),
                )
            )
            offset += rows * n
        if layer < len(blocks):
            vectors = growth.gate_vectors[layer]
            size_weight = growth.size_weights[layer][:n]
            if layer == 0:
                l2_size_gradient = first_l2[-1]
            else:
                l2_size_gradient = scratch[offset : offset + n]
                offset += n
            sizes.append(
                SizeInputViews(
                    size_weight=size_weight,
                    size_weight_row=size_weight.view(1, n),
                    size_weight_grad=growth.size_weight_grads[layer][:n],
                    size_variable_grad=growth.size_variable_grads[layer],
                    active=vectors.active[:n],
                    l2_mask=vectors.l2_mask[:n],
                    l2_size_gradient=l2_size_gradient,
                )
            )
    return GrowthViews(first_views, tuple(gated), tuple(sizes), scratch[:offset])
