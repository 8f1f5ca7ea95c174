"""Which neurons a training step computes, and views of their parameters.

A growing layer computes a *block*: its active neurons rounded up to a
multiple of 1/64 of its capacity (at least 8 neurons). The rest of the
block has gate 0, so the extra neurons contribute nothing and get no
gradient. Gates are applied through the next layer's weights (``g * W``,
a small matrix) rather than to the activations (``h * g``, a pass over the
whole batch). Blocks change every few dozen neurons, so the views of the
parameters they cover (slicing a tensor costs about as much as a small
matrix product) are rebuilt rarely while a layer grows one neuron per step.

While a layer grows, its number of active neurons changes in most steps;
the gate vectors and the L2 mask are then updated where they changed only,
so that a step costs what the network has, not its capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from skgrow._growth import LayerGates
from skgrow._layout import Layout

Tensor = torch.Tensor


def block_size(n_active: int, capacity: int) -> int:
    """Neurons computed by a layer with ``n_active`` active neurons."""
    step = max(8, capacity // 64)
    return min(capacity, -(-n_active // step) * step)


def shares_host_memory(device: torch.device) -> bool:
    """Whether tensors on ``device`` can share memory with numpy arrays (on the CPU).

    Where they can, values that change every step are written through numpy,
    which costs less than a torch operation; elsewhere they are copied over.
    """
    return device.type == "cpu"


def _host_dtype(dtype: torch.dtype) -> type:
    return np.float32 if dtype == torch.float32 else np.float64


class GateVectors:
    """Gates, gate derivatives by ``z`` and active indicators of one layer's neurons.

    Only the first ``n_active`` entries are non-zero: the gates are 1 but for
    the last (the partly active neuron's), the only non-zero derivative is
    that neuron's, and the indicator is 1 where the gate is not zero. On the
    CPU the tensors share memory with host arrays, so updating them costs no
    torch operation; on a GPU the computed block is copied over each step.
    """

    def __init__(self, capacity: int, dtype: torch.dtype, device: torch.device):
        self.host_gate = np.zeros(capacity, dtype=_host_dtype(dtype))
        self.host_derivative = np.zeros(capacity, dtype=_host_dtype(dtype))
        self.host_active = np.zeros(capacity, dtype=_host_dtype(dtype))
        self.on_host = shares_host_memory(device)
        hosts = (self.host_gate, self.host_derivative, self.host_active)
        if self.on_host:
            self.gate, self.derivative, self.active = (torch.from_numpy(a) for a in hosts)
        else:
            self.gate, self.derivative, self.active = (
                torch.zeros(capacity, dtype=dtype, device=device) for _ in hosts
            )
        self.n_active = 0

    def update(self, gates: LayerGates, n_block: int) -> None:
        """Write this step's gates; ``n_block`` neurons are computed."""
        n, old = gates.n_active, self.n_active
        gate, derivative, active = self.host_gate, self.host_derivative, self.host_active
        if n != old:
            if n > old:  # the previously partial neuron is fully on now
                gate[max(old - 1, 0) : n] = 1.0
                active[old:n] = 1.0
            else:
                gate[n:old] = 0.0
                active[n:old] = 0.0
            if old:
                derivative[old - 1] = 0.0
        if n:
            gate[n - 1] = gates.last_gate
            derivative[n - 1] = gates.last_derivative if gates.partial else 0.0
        if not self.on_host:
            if n != old:
                self.active[:n_block].copy_(torch.from_numpy(active[:n_block]))
            self.gate[:n_block].copy_(torch.from_numpy(gate[:n_block]))
            self.derivative[:n_block].copy_(torch.from_numpy(derivative[:n_block]))
        self.n_active = n


def _resize_ones(mask: np.ndarray, old: tuple[int, ...], new: tuple[int, ...]) -> None:
    """Turn the ones of ``mask`` from its leading ``old`` block into its leading ``new`` one.

    Only the entries that change are written: a layer that grows by one
    neuron costs one row or column.
    """
    if len(old) == 1:
        (o,), (n,) = old, new
        mask[min(o, n) : max(o, n)] = 1.0 if n > o else 0.0
        return
    (r0, c0), (r1, c1) = old, new
    if r1 < r0:
        mask[r1:r0, :c0] = 0.0
    if c1 < c0:
        mask[:r0, c1:c0] = 0.0
    if r1 > r0:
        mask[r0:r1, :c1] = 1.0
    if c1 > c0:
        mask[: min(r0, r1), c0:c1] = 1.0


class ActiveWeightMask:
    """1 on the weights between active neurons, 0 on the others.

    Covers the whole L2-regularised start of the parameter buffer (weights and
    size-input weights of every layer), so that the L2 term of a small
    network costs three whole-buffer operations per step instead of a few
    per layer. Updated where a layer's number of active neurons changed.
    """

    def __init__(self, layout: Layout, n_features: int, dtype: torch.dtype, device: torch.device):
        self.host = np.zeros(layout.n_regularized, _host_dtype(dtype))
        self.on_host = shares_host_memory(device)
        if self.on_host:
            self.mask = torch.from_numpy(self.host)
        else:
            self.mask = torch.zeros(layout.n_regularized, dtype=dtype, device=device)
        self.masked = torch.zeros(layout.n_regularized, dtype=dtype, device=device)  # scratch
        self._weights = [slot.view_of_array(self.host) for slot in layout.weights]
        self._size_weights = [slot.view_of_array(self.host) for slot in layout.size_weights]
        self.n_features = n_features
        self._counts = tuple(0 for _ in layout.size_weights)  # the all-zero mask

    def _shapes(self, counts: tuple[int, ...]) -> list[tuple[int, ...]]:
        """Active (rows, columns) of each weight matrix, then (n,) of each size weight."""
        units = (self.n_features, *counts, self._weights[-1].shape[1])
        return [*zip(units[:-1], units[1:]), *((n,) for n in counts)]

    def update(self, counts: tuple[int, ...]) -> None:
        """Set the mask for ``counts[l]`` active neurons in hidden layer ``l``."""
        if counts == self._counts:
            return
        masks = (*self._weights, *self._size_weights)
        for mask, old, new in zip(masks, self._shapes(self._counts), self._shapes(counts)):
            if old != new:
                _resize_ones(mask, old, new)
        if not self.on_host:
            self.mask.copy_(torch.from_numpy(self.host))
        self._counts = counts


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


def gates_are_all_ones(gates: LayerGates | None, n_block: int) -> bool:
    """Whether every neuron of the block is fully on, so that gating changes nothing."""
    return gates is None or (gates.n_active == n_block and not gates.partial)


@dataclass(slots=True)
class LayerViews:
    """Views of the weights into one layer's computed block, their gradients, and gates.

    The gates of the layer feeding this one (``input_gate``) are folded into
    these weights: ``h_prev * g`` is never formed, ``h_prev @ (g * W)`` is.
    """

    weight: Tensor  # (n_in, n)
    bias: Tensor  # (n,)
    weight_grad: Tensor
    bias_grad: Tensor
    # the gates of the layer feeding this one; None for the first layer or a static network
    input_gate: Tensor | None = None  # (n_in, 1)
    input_active: Tensor | None = None  # (n_in, 1) 1 where that gate is not zero
    # what the derivatives of those gates by the feeding layer's z need: d(gate)/dz (n_in, 1),
    # the weights leaving the feeding block (n_in, all of this layer), the same rows of the
    # gradient flattened (1, n_in * all), and scratch for their product with d(gate)/dz
    input_derivative: Tensor | None = None
    outgoing_weight: Tensor | None = None
    outgoing_weight_grad_row: Tensor | None = None
    derivative_weight: Tensor | None = None
    derivative_weight_flat: Tensor | None = None
    # growing hidden layers only
    size_weight: Tensor | None = None  # (n,) weights of the size input
    size_weight_row: Tensor | None = None  # the same as (1, n)
    size_weight_grad: Tensor | None = None
    size_weight_grad_row: Tensor | None = None  # the same as (1, n)
    size_variable_grad: Tensor | None = None  # (1,)
    active: Tensor | None = None  # (n,) 1 where this layer's gate is not zero
    zeros: Tensor | None = None  # (n,) zeros, to scale a vector into ``size_weight_grad``
    # the weights masked to connections between active neurons, for the L2 term
    decayed_weight: Tensor | None = None  # (n_in, n)
    decayed_size_weight: Tensor | None = None  # (n,)
    decayed_size_weight_row: Tensor | None = None  # the same as (1, n)


@dataclass(frozen=True)
class BlockViews:
    """Views of every layer (output layer last) for one set of block sizes."""

    blocks: tuple[int, ...]
    layers: list[LayerViews]
    decayed: Tensor | None  # the buffer behind every ``decayed_*`` view, when growing
    # what fills that buffer: (weights, mask, its view, second mask or None) each
    decay_masks: tuple = ()
    # per batch size: each hidden layer's (activation, gradient) workspace views
    activation_buffers: dict[int, list[tuple[Tensor, Tensor]]] = field(default_factory=dict)
