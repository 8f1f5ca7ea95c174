"""Gates and size losses of the growth methods (DESIGN.md section 2).

Every hidden layer of capacity ``N`` owns one trainable scalar, its *size
variable* ``z``. skgrow keeps ``z`` on a capacity scale (``z = 1`` means the
whole capacity) for both methods, so that the speed at which a layer grows
does not depend on its capacity:

* ``"auxiliary"`` (method A): the paper's auxiliary weight ``S``, counted in
  neurons, is ``S = N z``. Neuron ``m`` (1-based) has gate
  ``theta(S - m + 1)`` with the smooth step ``theta``; the size loss is
  ``size_penalty * (S - S_target) ** 2``.
* ``"controller"`` (method B): ``z`` is the paper's control ``c``. The active
  fraction is ``f = sin(pi c / 2) ** 2``, ``k = f N``; neuron ``m`` has gate
  ``clip(k - m + 1, 0, 1)``; the size loss is
  ``size_penalty * (c - c_target) ** 2``.

``z`` itself is the layer's extra input column (the "size input").

In both methods the gates of a layer are 1 for its first neurons, 0 for its
last, and in between at most one neuron is partly on; only that neuron's gate
depends on ``z`` (the others are saturated). So a layer's gates are three
numbers, computed here on the host from ``z``: how many neurons are active,
the gate of the last active one, and that gate's derivative by ``z``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

GROWTH_METHODS = ("controller", "auxiliary", "none")


def smooth_step(n: float) -> float:
    """The paper's smooth step: 0 below 0, ``sin(pi n / 2)**2`` on [0, 1], 1 above."""
    return math.sin(0.5 * math.pi * min(max(n, 0.0), 1.0)) ** 2


def smooth_step_derivative(n: float) -> float:
    """Derivative of :func:`smooth_step`: ``(pi / 2) sin(pi n)`` inside (0, 1), else 0."""
    return 0.5 * math.pi * math.sin(math.pi * n) if 0.0 < n < 1.0 else 0.0


class LayerGates(NamedTuple):
    """The gates of one layer: ``n_active`` neurons on, the last one at ``last_gate``.

    ``last_derivative`` is d(last_gate)/dz, the only gate derivative that is
    not zero; ``partial`` says whether that neuron is only partly on. A
    static layer has every gate at 1. (A named tuple: made in every training
    step, it must be cheap to build.)
    """

    n_active: int
    last_gate: float = 1.0
    last_derivative: float = 0.0
    partial: bool = False

    def values(self, capacity: int) -> np.ndarray:
        """Gate of every neuron of the layer, (capacity,)."""
        values = np.zeros(capacity)
        values[: self.n_active] = 1.0
        if self.n_active:
            values[self.n_active - 1] = self.last_gate
        return values


# The gates of a layer as a plain tuple ``(n_active, last_gate, last_derivative)``:
# what a training step needs, computed on every step (no object built). The
# derivative is 0 unless the last neuron is partly on.
GateParts = tuple[int, float, float]

_HALF_PI = 0.5 * math.pi


def rounding_to(precision: type) -> Callable[[float], float]:
    """A function that rounds a float to ``precision`` (``np.float32`` or ``float``).

    For float32 it writes the value into a one-element float32 buffer and
    reads it back: the conversion numpy would make, without building a
    numpy scalar in every training step.
    """
    if precision is float or np.dtype(precision) == np.float64:
        return float
    cell = memoryview(np.zeros(1, dtype=precision))

    def rounded(value: float) -> float:
        cell[0] = value
        return cell[0]

    return rounded


def auxiliary_gate_parts(
    z: float, capacity: int, rounded: Callable[[float], float] = float
) -> GateParts:
    """Method A: neuron ``m`` has gate ``theta(S - m + 1)``, ``S = capacity * z``.

    ``rounded`` (``rounding_to``) rounds to the network's precision: ``S`` is
    rounded as the product computed in that precision would be, so that a
    float32 size of exactly 4 neurons does not switch on a fifth at 1e-14.
    """
    S = rounded(capacity * z)
    if not S > 0.0:  # a NaN size (a diverging step) too: its loss ends the epoch as diverged
        return 0, 1.0, 0.0
    if S >= capacity:
        return capacity, 1.0, 0.0
    n_full = math.floor(S)
    fraction = S - n_full
    if fraction == 0.0:
        return n_full, 1.0, 0.0
    gate = smooth_step(fraction)
    if gate == 1.0:
        return n_full + 1, 1.0, 0.0
    return n_full + 1, gate, capacity * smooth_step_derivative(fraction)


def controller_fraction(c: float) -> float:
    """Method B: active fraction ``f = sin(pi c / 2) ** 2`` of the control ``c``."""
    return math.sin(0.5 * math.pi * c) ** 2


def controller_gate_parts(
    c: float, capacity: int, rounded: Callable[[float], float] = float
) -> GateParts:
    """Method B: neuron ``m`` has gate ``clip(k - m + 1, 0, 1)``, ``k = capacity * f(c)``.

    ``k`` is rounded to the network's precision as in :func:`auxiliary_gate_parts`.
    """
    k = rounded(capacity * controller_fraction(c))
    if not k > 0.0:  # a NaN control too, as in auxiliary_gate_parts
        return 0, 1.0, 0.0
    if k >= capacity:
        return capacity, 1.0, 0.0
    n_full = math.floor(k)
    fraction = k - n_full  # the partly active neuron's gate
    if fraction == 0.0:
        return n_full, 1.0, 0.0
    return n_full + 1, fraction, capacity * _HALF_PI * math.sin(math.pi * c)


def auxiliary_gates(
    z: float, capacity: int, rounded: Callable[[float], float] = float
) -> LayerGates:
    """The gates of method A as :class:`LayerGates` (see :func:`auxiliary_gate_parts`)."""
    n, gate, derivative = auxiliary_gate_parts(z, capacity, rounded)
    return LayerGates(n, gate, derivative, gate != 1.0)


def controller_gates(
    c: float, capacity: int, rounded: Callable[[float], float] = float
) -> LayerGates:
    """The gates of method B as :class:`LayerGates` (see :func:`controller_gate_parts`)."""
    n, gate, derivative = controller_gate_parts(c, capacity, rounded)
    return LayerGates(n, gate, derivative, gate != 1.0)


GATE_FUNCTIONS = {"auxiliary": auxiliary_gates, "controller": controller_gates}
GATE_PARTS = {"auxiliary": auxiliary_gate_parts, "controller": controller_gate_parts}


def continuous_size(method: str, z: float, capacity: int) -> float:
    """The layer's size in neurons, fractional neuron included."""
    if method == "auxiliary":
        return min(max(capacity * z, 0.0), float(capacity))
    if method == "controller":
        return capacity * controller_fraction(z)
    return float(capacity)


def size_variable(method: str, size: float, capacity: int) -> float:
    """The size variable ``z`` at which a layer holds ``size`` neurons."""
    fraction = size / capacity
    if method == "controller":
        return 2.0 / math.pi * math.asin(math.sqrt(min(max(fraction, 0.0), 1.0)))
    return fraction


# size_learning_rate="auto": the share of a layer's way to its target that one step
# covers. A layer is nearly grown (95 %: three e-foldings) after half of the steps a
# fit plans, and after FASTEST_FILL steps at the soonest (a tenth per step).
GROWN_SHARE_OF_FIT = 0.5
FASTEST_FILL = 30


def size_pace(planned_steps: int | None) -> float:
    """The default share per step: ``3 / max(30, planned_steps / 2)``; without a plan
    (``partial_fit``), a tenth."""
    fill = FASTEST_FILL if planned_steps is None else GROWN_SHARE_OF_FIT * planned_steps
    return 3.0 / max(FASTEST_FILL, fill)


def size_step_rates(
    method: str, capacities: tuple[int, ...], size_penalty: float, pace: float
) -> tuple[float, ...]:
    """Gradient-step rate of each layer's size variable that moves it ``pace`` of the
    way to its target per step, whatever the capacity.

    A damped Newton step on the size loss: method A's ``S`` (in neurons) and
    method B's ``c`` take ``pace / (2 * size_penalty)`` times their gradient.
    In ``z = S / N`` that rate is divided by ``N ** 2``. Without a size loss
    (``size_penalty=0``) the rate is ``pace`` itself.
    """
    rate = pace / (2.0 * size_penalty) if size_penalty > 0 else pace
    if method == "auxiliary":
        return tuple(rate / capacity**2 for capacity in capacities)
    return tuple(rate for _ in capacities)


def exact_size_variable(method: str, size: float, capacity: int, precision: type) -> float:
    """The size variable, in ``precision`` (``np.float32`` or ``float``), at which a layer
    holds ``size`` neurons and no more: the next neuron's gate is exactly 0.

    ``size_variable`` rounded to the precision can land one rounding error
    above the size, which would switch on one more neuron with a tiny gate.
    """
    parts, rounded, most = GATE_PARTS[method], rounding_to(precision), math.ceil(size)
    down, up = (np.array(bound, dtype=precision) for bound in (-np.inf, np.inf))
    z = np.array(size_variable(method, size, capacity), dtype=precision)
    while z > 0 and parts(float(z), capacity, rounded)[0] > most:
        z = np.nextafter(z, down)
    for _ in range(4):  # the largest such z: the last neuron's gate as near 1 as it gets
        higher = np.nextafter(z, up)
        if higher > 1 or parts(float(higher), capacity, rounded)[0] > most:
            break
        z = higher
    return float(z)


def size_loss_and_gradient(
    method: str,
    z: list[float],
    target: tuple[float, ...],
    capacity: tuple[int, ...],
    penalty: float,
) -> tuple[float, list[float]]:
    """Size loss summed over layers, and its gradient by each layer's ``z``.

    ``target`` holds the size variables at the target sizes. Method A
    measures the distance in neurons (``S = capacity * z``), method B in the
    control ``c = z``.
    """
    auxiliary = method == "auxiliary"
    loss, gradient = 0.0, []
    for value, goal, n in zip(z, target, capacity):
        scale = n if auxiliary else 1.0
        distance = scale * (value - goal)
        loss += distance * distance
        gradient.append(2.0 * penalty * distance * scale)
    return penalty * loss, gradient


def sizes_per_layer(value, capacities: tuple[int, ...], name: str) -> tuple[float, ...]:
    """Broadcast ``initial_size`` / ``target_size`` to one size per hidden layer.

    ``value`` is a number of neurons for every layer, a sequence with one per
    layer, or None for the full capacity. Raises ValueError naming ``name``
    when a size is negative, not finite, larger than its layer's capacity, or
    when the sequence does not have one entry per hidden layer.
    """
    if value is None:
        return tuple(float(c) for c in capacities)
    values = np.atleast_1d(np.asarray(value, dtype=float))
    if values.ndim != 1:
        raise ValueError(f"{name} must be a number or a 1-D sequence, got shape {values.shape}.")
    if values.shape[0] == 1:
        values = np.repeat(values, len(capacities))
    if values.shape[0] != len(capacities):
        raise ValueError(
            f"{name} has {values.shape[0]} entries but hidden_layer_sizes has "
            f"{len(capacities)} layers; give one size per hidden layer or a single number."
        )
    for size, capacity in zip(values, capacities):
        if not np.isfinite(size) or size < 0 or size > capacity:
            raise ValueError(
                f"{name} must be between 0 and the layer's capacity "
                f"(hidden_layer_sizes={tuple(capacities)}), got {tuple(values.tolist())}."
            )
    return tuple(values.tolist())
