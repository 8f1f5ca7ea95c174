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
the gate vectors are then updated where they changed only, so that a step
costs what the network has, not its capacity. The L2 term is taken from
the weights between active neurons times the L2 coefficient, written by
the same products that fold the gates into the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from skgrow._growth import GrowthMethod, rounding_to

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
    """Per neuron of one layer: its L2 factor, gate, gate derivative by ``z`` and activity.

    Four rows of one (4, capacity) matrix, so that the first three multiply a
    block of the next layer's weights in one operation (``LayerViews.stacked_gates``):

    * ``decay``: ``l2`` where the neuron is active (gate not zero), else 0, with
      ``l2`` the current L2 coefficient: the L2 term of the weights is taken
      from weights already multiplied by it;
    * ``gate``: 1 for the first ``n_active - 1`` neurons, the partly active
      neuron's gate, then 0;
    * ``derivative``: d(gate)/dz, not zero for the partly active neuron only;
    * ``active``: 1 where the gate is not zero.

    On the CPU the tensor shares memory with a host array, so updating it
    costs no torch operation; on a GPU the computed block is copied over in
    one operation each step. The host rows are written through memoryviews:
    plain Python item and slice assignments, cheaper than numpy's.
    """

    DECAY, GATE, DERIVATIVE, ACTIVE = range(4)

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
        self.host = np.zeros((4, capacity), dtype=precision)
        self.on_host = shares_host_memory(device)
        if self.on_host:
            self.rows = torch.from_numpy(self.host)
        else:
            self.rows = torch.zeros((4, capacity), dtype=dtype, device=device)
        self.decay, self.active = self.rows[self.DECAY], self.rows[self.ACTIVE]
        self._host_rows = tuple(memoryview(row) for row in self.host)
        # what slices of the rows are set from: 1, 0, and the L2 coefficient
        self._ones = memoryview(np.ones(capacity, dtype=precision))
        self._zeros = memoryview(np.zeros(capacity, dtype=precision))
        self._l2_row = np.zeros(capacity, dtype=precision)
        self._l2s = memoryview(self._l2_row)
        self.n_active = 0
        self.l2 = 0.0
        self._block_step = block_step(capacity)
        self.block = 0
        self._block_range = (-self._block_step, 0)  # the counts that keep this block

    def track(self, z: float, l2: float | None) -> int:
        """Write the gates of size variable ``z`` (and ``l2``, unless None) on the host.

        Returns the layer's block (:func:`block_size` of its active neurons).
        Only the entries that change are written: a layer that grows one
        neuron costs a few of them.
        """
        n, last_gate, last_derivative = self.gate_parts(z, self.capacity, self.rounded)
        old = self.n_active
        decay, gate, derivative, active = self._host_rows
        if n != old:
            if n > old:  # the previously partial neuron is fully on now
                ones, start = self._ones, old - 1 if old else 0
                gate[start:n] = ones[start:n]
                active[old:n] = ones[old:n]
                decay[old:n] = self._l2s[old:n]
            else:
                zeros = self._zeros
                gate[n:old] = zeros[n:old]
                active[n:old] = zeros[n:old]
                decay[n:old] = zeros[n:old]
            if old:
                derivative[old - 1] = 0.0
            self.n_active = n
            low, high = self._block_range
            if not low < n <= high:
                self._update_block(n)
        if l2 is not None and l2 != self.l2:
            self._l2_row.fill(l2)
            np.multiply(self.host[self.ACTIVE], l2, out=self.host[self.DECAY])
            self.l2 = l2
        if n:
            gate[n - 1] = last_gate
            derivative[n - 1] = last_derivative
        return self.block

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


@dataclass(slots=True)
class LayerViews:
    """Views of the weights into one layer's computed block, their gradients, and gates.

    The gates of the layer feeding this one are folded into these weights:
    ``h_prev @ (g * W)`` is formed, never ``h_prev * g``.
    """

    weight: Tensor  # (n_in, n)
    bias: Tensor  # (n,)
    weight_grad: Tensor
    bias_grad: Tensor
    effective: Tensor  # the weights with the feeding gates folded in, (n_in, n)
    effective_t: Tensor  # the same transposed
    # growing networks: the weights between active neurons times the L2 coefficient,
    # (n_in, n), in the L2 scratch. For the first layer, ``decayed_weights`` also
    # holds the size input's weights as its last row (they follow the weights in
    # the parameter buffer, so one product masks both)
    decayed_weight: Tensor | None = None
    # the first layer: its weights and size weights as one (n_features + 1, n) block,
    # and the same rows of the L2 scratch
    weight_and_size_weight: Tensor | None = None
    decayed_weights: Tensor | None = None
    # layers fed by a growing layer: the feeding layer's stacked gate rows (3, n_in, 1),
    # what their product with the weights is written into (3, n_in, n): the decayed
    # weights, the gated weights and the gate derivatives times the weights, and
    # the gate column (n_in, 1) that scales the weight gradient
    stacked_gates: Tensor | None = None
    gate_products: Tensor | None = None
    gated_weight: Tensor | None = None
    derivative_weight_flat: Tensor | None = None
    input_gate: Tensor | None = None
    # the raw (ungated) weight gradient, (1, n_in * n); its own buffer when the
    # block's gradient is not contiguous
    raw_weight_grad: Tensor | None = None
    raw_weight_grad_row: Tensor | None = None
    # growing hidden layers only
    size_weight: Tensor | None = None  # (n,) weights of the size input
    size_weight_row: Tensor | None = None  # the same as (1, n)
    size_weight_grad: Tensor | None = None
    size_variable_grad: Tensor | None = None  # (1,)
    active: Tensor | None = None  # (n,) 1 where this layer's gate is not zero
    decay: Tensor | None = None  # (n,) the L2 coefficient where it is not zero
    decayed_size_weight: Tensor | None = None  # (n,)


@dataclass(frozen=True)
class BlockViews:
    """Views of every layer (output layer last) for one set of block sizes."""

    blocks: tuple[int, ...]
    layers: list[LayerViews]
    decayed: Tensor | None  # the L2 scratch behind every ``decayed_*`` view, when growing
    # per batch size: each hidden layer's activation, its gradient and its transpose
    activation_buffers: dict[int, list[tuple[Tensor, ...]]] = field(default_factory=dict)
