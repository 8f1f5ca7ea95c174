"""The shape of a network and where each of its parameters lives in one flat buffer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from skgrow._growth import GROWTH_METHODS, GrowthMethod

Tensor = torch.Tensor


@dataclass(frozen=True)
class Architecture:
    """Shape and growth method of a network; everything needed to rebuild it."""

    n_features: int
    capacities: tuple[int, ...]
    n_outputs: int
    activation: str
    out_activation: str
    growth: str
    # what each growing layer's size input carries: its size variable ("fraction", on
    # the [0, 1] scale), or for method A its size in neurons ("neurons", the notebook's)
    size_input: str = "fraction"

    # cached: read several times in every training step
    @cached_property
    def method(self) -> GrowthMethod:
        """The growth method (``_growth.GROWTH_METHODS``)."""
        return GROWTH_METHODS[self.growth]

    @cached_property
    def growing(self) -> bool:
        """Whether there are size variables: a growth method and hidden layers to grow."""
        return self.method.grows and len(self.capacities) > 0

    @cached_property
    def n_hidden(self) -> int:
        return len(self.capacities)

    @cached_property
    def size_input_in_neurons(self) -> bool:
        """Whether the size inputs carry method A's size in neurons, not the variable."""
        return self.size_input == "neurons" and "neurons" in self.method.size_inputs

    @cached_property
    def size_input_scales(self) -> tuple[float, ...]:
        """Per hidden layer, the size input over the size variable."""
        return tuple(float(c) if self.size_input_in_neurons else 1.0 for c in self.capacities)


@dataclass(frozen=True)
class Slot:
    """Where one parameter tensor lives in the flat buffer."""

    offset: int
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def view(self, flat: Tensor) -> Tensor:
        return flat[self.offset : self.offset + self.size].view(self.shape)


@dataclass(frozen=True)
class Layout:
    """Slots of every parameter. L2-regularised weights come first, in one block."""

    weights: tuple[Slot, ...]  # (fan_in, fan_out) per layer, output layer last
    size_weights: tuple[Slot, ...]  # (capacity,) per hidden layer; empty when static
    biases: tuple[Slot, ...]  # (fan_out,) per layer, output layer last
    size_variables: Slot  # (n_hidden,), (0,) when static
    n_regularized: int
    n_parameters: int

    @classmethod
    def of(cls, arch: Architecture) -> Layout:
        units = (arch.n_features, *arch.capacities, arch.n_outputs)
        offset = 0

        def take(shape: tuple[int, ...]) -> Slot:
            nonlocal offset
            slot = Slot(offset, shape)
            offset += slot.size
            return slot

        weights, size_weights = [], []
        for layer, (fan_in, fan_out) in enumerate(zip(units[:-1], units[1:])):
            weights.append(take((fan_in, fan_out)))
            if arch.growing and layer < arch.n_hidden:
                size_weights.append(take((fan_out,)))
        n_regularized = offset
        biases = [take((fan_out,)) for fan_out in units[1:]]
        size_variables = take((arch.n_hidden if arch.growing else 0,))
        return cls(
            tuple(weights),
            tuple(size_weights),
            tuple(biases),
            size_variables,
            n_regularized,
            offset,
        )


@dataclass(frozen=True)
class GrowthSettings:
    """The size loss: its coefficient and the size variable each layer is pulled to.

    ``shared``: one size variable for the whole network (every layer at the
    same share of its capacity), its size loss counted once.
    """

    size_penalty: float
    target_variables: tuple[float, ...]
    shared: bool = False


# the bound of the uniform draw of a layer's weights and biases, by fan-in and fan-out
WEIGHT_INITS = {
    # sklearn's MLPs (Glorot): sqrt(6 / (fan_in + fan_out)), sqrt(2 / ...) for logistic
    "glorot": None,
    # torch.nn.Linear's default, and the authors' method-B code: 1 / sqrt(fan_in)
    "fan_in": lambda fan_in, fan_out: 1.0 / math.sqrt(fan_in),
    # the authors' method-A notebook: weights and biases uniform in [-1, 1]
    "unit": lambda fan_in, fan_out: 1.0,
}


def initial_parameters(
    arch: Architecture, layout: Layout, rng: np.random.RandomState, weight_init: str = "glorot"
) -> np.ndarray:
    """Initial parameters, weights and biases uniform in [-bound, bound].

    With 'glorot' the draws are exactly sklearn's for a static network (same
    order, same bounds), so the same ``random_state`` starts from the same
    weights. The size input column, when present, is drawn as one more
    input row (its fan-in counts it).
    """
    theta = np.zeros(layout.n_parameters)
    factor = 2.0 if arch.activation == "logistic" else 6.0
    bound_of = WEIGHT_INITS[weight_init]
    for layer, (w_slot, b_slot) in enumerate(zip(layout.weights, layout.biases)):
        fan_in, fan_out = w_slot.shape
        has_size_input = layer < len(layout.size_weights)
        rows = fan_in + int(has_size_input)
        if bound_of is None:
            bound = math.sqrt(factor / (rows + fan_out))
        else:
            bound = bound_of(rows, fan_out)
        coef = rng.uniform(-bound, bound, (rows, fan_out))
        intercept = rng.uniform(-bound, bound, fan_out)
        theta[w_slot.offset : w_slot.offset + w_slot.size] = coef[:fan_in].ravel()
        if has_size_input:
            v_slot = layout.size_weights[layer]
            theta[v_slot.offset : v_slot.offset + v_slot.size] = coef[fan_in]
        theta[b_slot.offset : b_slot.offset + b_slot.size] = intercept
    return theta
