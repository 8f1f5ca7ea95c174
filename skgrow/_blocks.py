"""Which neurons a training step computes, and views of their parameters.

A growing layer computes a *block*: its active neurons rounded up to a
multiple of 1/32 of its capacity (at least 16 neurons). The rest of the
block has gate 0, so the extra neurons contribute nothing and get no
gradient. Gates are applied through the next layer's weights (``g * W``,
a small matrix) rather than to the activations (``h * g``, a pass over the
whole batch). Blocks change every few dozen neurons, so the
views of the parameters they cover (slicing a tensor costs about as much as a
small matrix product) are rebuilt rarely while a layer grows one neuron per
step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from skgrow._growth import LayerGates
from skgrow._layout import Layout

Tensor = torch.Tensor


def block_size(n_active: int, capacity: int) -> int:
    """Neurons computed by a layer with ``n_active`` active neurons."""
    step = max(16, capacity // 32)
    return min(capacity, -(-n_active // step) * step)


class GateVectors:
    """Gate and active indicator (1 where the gate is not zero) of one layer's block.

    On the CPU the tensors share memory with host arrays, so updating them
    costs no torch operation; on a GPU the block is copied over each step.
    """

    def __init__(self, capacity: int, dtype: torch.dtype, device: torch.device):
        host_dtype = np.float32 if dtype == torch.float32 else np.float64
        self.host_gate = np.zeros(capacity, dtype=host_dtype)
        self.host_active = np.zeros(capacity, dtype=host_dtype)
        self.on_host = device.type == "cpu"
        if self.on_host:
            self.gate = torch.from_numpy(self.host_gate)
            self.active = torch.from_numpy(self.host_active)
        else:
            self.gate = torch.zeros(capacity, dtype=dtype, device=device)
            self.active = torch.zeros(capacity, dtype=dtype, device=device)
        self._shape = (-1, -1)

    def update(self, gates: LayerGates, n_block: int) -> None:
        """Write this step's gates for a block of ``n_block`` neurons."""
        n = gates.n_active
        if self._shape != (n, n_block):
            for host in (self.host_gate, self.host_active):
                host[:n] = 1.0
                host[n:n_block] = 0.0
            if not self.on_host:
                self.active[:n_block].copy_(torch.from_numpy(self.host_active[:n_block]))
            self._shape = (n, n_block)
        if n:
            self.host_gate[n - 1] = gates.last_gate
        if not self.on_host:
            self.gate[:n_block].copy_(torch.from_numpy(self.host_gate[:n_block]))


class ActiveWeightMask:
    """1 on the weights between active neurons, 0 on the others.

    Covers the whole L2-regularised start of the parameter buffer (weights and
    size-input weights of every layer), so that the L2 term of a small
    network costs three whole-buffer operations per step instead of a few
    per layer. Rebuilt only when a layer's number of active neurons changes.
    """

    def __init__(self, layout: Layout, n_features: int, dtype: torch.dtype, device: torch.device):
        self.layout, self.n_features = layout, n_features
        self.host = np.zeros(layout.n_regularized, np.float32 if dtype == torch.float32 else float)
        self.on_host = device.type == "cpu"
        if self.on_host:
            self.mask = torch.from_numpy(self.host)
        else:
            self.mask = torch.zeros(layout.n_regularized, dtype=dtype, device=device)
        self.masked = torch.zeros(layout.n_regularized, dtype=dtype, device=device)  # scratch
        self._counts: tuple[int, ...] | None = None

    def update(self, counts: tuple[int, ...]) -> None:
        """Set the mask for ``counts[l]`` active neurons in hidden layer ``l``."""
        if counts == self._counts:
            return
        self.host[:] = 0.0
        n_in = self.n_features
        for layer, slot in enumerate(self.layout.weights):
            n_out = counts[layer] if layer < len(counts) else slot.shape[1]
            self.host[slot.offset : slot.offset + slot.size].reshape(slot.shape)[:n_in, :n_out] = 1
            n_in = n_out
        for count, slot in zip(counts, self.layout.size_weights):
            self.host[slot.offset : slot.offset + count] = 1.0
        if not self.on_host:
            self.mask.copy_(torch.from_numpy(self.host))
        self._counts = counts


def gates_are_all_ones(gates: LayerGates | None, n_block: int) -> bool:
    """Whether every neuron of the block is fully on, so that gating changes nothing."""
    return gates is None or (gates.n_active == n_block and not gates.partial)


@dataclass(frozen=True)
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
    # growing hidden layers only
    size_weight: Tensor | None = None  # (n,) weights of the size input
    size_weight_row: Tensor | None = None  # the same as (1, n)
    size_weight_grad: Tensor | None = None
    size_variable: Tensor | None = None  # 0-d
    size_variable_grad: Tensor | None = None  # (1,)
    active: Tensor | None = None  # (n,) 1 where this layer's gate is not zero
    # the weights masked to connections between active neurons, for the L2 term
    decayed_weight: Tensor | None = None  # (n_in, n)
    decayed_size_weight: Tensor | None = None  # (n,)


@dataclass(frozen=True)
class BlockViews:
    """Views of every layer (output layer last) for one set of block sizes."""

    blocks: tuple[int, ...]
    layers: list[LayerViews]
    decayed: Tensor | None  # the buffer behind every ``decayed_*`` view, when growing
    # what fills that buffer: (weights, mask, its view, second mask or None) each
    decay_masks: tuple = ()
