"""The growth methods, each one class behind :class:`GrowthMethod`.

Their gates and size losses are those of docs/growing.rst, "The two growth methods".

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

A growth method is a subclass of :class:`GrowthMethod` that says those three
numbers (``gate_parts``), the size they make (``size``) and its inverse
(``variable``), and how the size loss measures a distance in ``z``
(``size_scale``); the size loss, its gradient and the size variables'
learning rates follow from these. ``register`` makes it an estimator's
``growth`` option (docs/architecture.md shows a whole one).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, NamedTuple, cast

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from typing_extensions import Buffer


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


def float_cells(array: np.ndarray) -> memoryview[float]:
    """A memoryview of a float array's memory: its items are read and written as
    Python floats, cheaper per item than numpy's indexing."""
    # (numpy's stubs declare arrays buffers only from Python 3.12 on)
    return memoryview(cast("Buffer", array))


def rounding_to(precision: type) -> Callable[[float], float]:
    """A function that rounds a float to ``precision`` (``np.float32`` or ``float``).

    For float32 it writes the value into a one-element float32 buffer and
    reads it back: the conversion numpy would make, without building a
    numpy scalar in every training step.
    """
    if precision is float or np.dtype(precision) == np.float64:
        return float
    cell = float_cells(np.zeros(1, dtype=precision))

    def rounded(value: float) -> float:
        cell[0] = value
        return cell[0]

    return rounded


def saturated_gates(k: float, capacity: int) -> GateParts | None:
    """The gates of a layer of ``k`` neurons where none is partly on (``k`` whole, at
    most 0, NaN, or the capacity), else None."""
    if not k > 0.0:  # a NaN size (a diverging step) too: its loss ends the epoch as diverged
        return 0, 1.0, 0.0
    if k >= capacity:
        return capacity, 1.0, 0.0
    if k == math.floor(k):
        return math.floor(k), 1.0, 0.0
    return None


# A size this close above a whole number of neurons is that number: what a size got
# back from its size variable carries of rounding (a few 1e-15 neurons)
SIZE_ROUNDING = 1e-9


class GrowthMethod(ABC):
    """How a layer's size variable ``z`` (on the [0, 1] capacity scale) gates its neurons.

    A subclass gives:

    * ``gate_parts(z, capacity, rounded)``: ``(n_active, last_gate,
      last_derivative)``, the first ``n_active - 1`` neurons fully on, the
      last active one at ``last_gate``, the rest off, and d(last_gate)/dz
      (0 unless that neuron is partly on). ``rounded`` rounds to the
      network's precision (``rounding_to``): round the size in neurons with
      it before comparing it with whole neurons;
    * ``size(z, capacity)``: the size in neurons, the partly active neuron
      included, and ``variable(size, capacity)``, its inverse;
    * ``size_scale(capacity)``: the size loss is ``size_penalty * (scale *
      (z - z_target)) ** 2`` (the distance in the method's own unit: 1 for a
      control on [0, 1], ``capacity`` for a count of neurons);
    * ``size_inputs``: what the layer's size input may carry ('fraction': ``z``;
      'neurons': ``capacity * z``, for a method whose size is linear in ``z``).

    ``grows`` is False only for the static method.
    """

    name: ClassVar[str]
    grows: ClassVar[bool] = True
    size_inputs: ClassVar[tuple[str, ...]] = ("fraction",)

    @abstractmethod
    def gate_parts(
        self, z: float, capacity: int, rounded: Callable[[float], float] = float
    ) -> GateParts:
        """The layer's gates as ``(n_active, last_gate, last_derivative)``."""

    @abstractmethod
    def size(self, z: float, capacity: int) -> float:
        """The layer's size in neurons, the fractional neuron included."""

    @abstractmethod
    def variable(self, size: float, capacity: int) -> float:
        """The size variable ``z`` at which a layer holds ``size`` neurons."""

    def size_scale(self, capacity: int) -> float:
        """The size loss's unit: the distance one unit of ``z`` is in it."""
        return 1.0

    # -- what follows from the above ----------------------------------------------------

    def gates(
        self, z: float, capacity: int, rounded: Callable[[float], float] = float
    ) -> LayerGates:
        """The gates as :class:`LayerGates`."""
        n, gate, derivative = self.gate_parts(z, capacity, rounded)
        return LayerGates(n, gate, derivative, gate != 1.0)

    def size_loss_and_gradient(
        self,
        z: Sequence[float],
        target: Sequence[float],
        capacities: Sequence[int],
        penalty: float,
    ) -> tuple[float, list[float]]:
        """Size loss summed over layers, and its gradient by each layer's ``z``;
        ``target`` holds the size variables at the target sizes."""
        loss, gradient = 0.0, []
        for value, goal, capacity in zip(z, target, capacities):
            scale = self.size_scale(capacity)
            distance = scale * (value - goal)
            loss += distance * distance
            gradient.append(2.0 * penalty * distance * scale)
        return penalty * loss, gradient

    def step_rates(
        self, capacities: Sequence[int], size_penalty: float, pace: float
    ) -> tuple[float, ...]:
        """Gradient-step rate of each layer's size variable that moves it ``pace`` of the
        way to its target per step, whatever the capacity (``size_learning_rate='auto'``).

        A damped Newton step on the size loss: ``pace / (2 * size_penalty)`` in the
        method's unit, divided by ``size_scale ** 2`` in ``z``. Without a size loss
        (``size_penalty=0``) the rate is ``pace`` itself.
        """
        rate = pace / (2.0 * size_penalty) if size_penalty > 0 else pace
        return tuple(rate / self.size_scale(capacity) ** 2 for capacity in capacities)

    def sgd_rate_ratios(self, capacities: Sequence[int]) -> list[float]:
        """The papers' rule (``size_learning_rate=None``) with SGD: each size variable's
        rate relative to the weights' is that of gradient descent in the method's unit,
        ``1 / size_scale ** 2`` in ``z`` (Adam is invariant to that rescaling)."""
        return [1.0 / self.size_scale(capacity) ** 2 for capacity in capacities]

    def exact_variable(self, size: float, capacity: int, precision: type) -> float:
        """The size variable, in ``precision`` (``np.float32`` or ``float``), at which a
        layer holds ``size`` neurons and no more: the next neuron's gate is exactly 0.

        ``variable`` rounded to the precision can land one rounding error above
        the size, which would switch on one more neuron with a tiny gate. So can
        ``size`` itself, got back from a variable (method B's ``sin ** 2`` of an
        ``asin`` returns 8 neurons as 8.000000000000002): a size within
        ``SIZE_ROUNDING`` above a whole number of neurons is that number.
        """
        rounded, most = rounding_to(precision), math.ceil(size - SIZE_ROUNDING)
        down: np.ndarray
        up: np.ndarray
        down, up = (np.array(bound, dtype=precision) for bound in (-np.inf, np.inf))
        z: np.ndarray = np.array(self.variable(size, capacity), dtype=precision)
        while z > 0 and self.gate_parts(float(z), capacity, rounded)[0] > most:
            z = np.nextafter(z, down)
        for _ in range(4):  # the largest such z: the last neuron's gate as near 1 as it gets
            higher = np.nextafter(z, up)
            if higher > 1 or self.gate_parts(float(higher), capacity, rounded)[0] > most:
                break
            z = higher
        return float(z)


class AuxiliaryWeight(GrowthMethod):
    """Method A: ``S = capacity * z`` neurons; neuron ``m`` (1-based) has gate
    ``theta(S - m + 1)`` with the smooth step ``theta``; the size loss counts neurons."""

    name = "auxiliary"
    size_inputs = ("fraction", "neurons")

    def gate_parts(
        self, z: float, capacity: int, rounded: Callable[[float], float] = float
    ) -> GateParts:
        # S is rounded as the product computed in the network's precision would be, so
        # that a float32 size of exactly 4 neurons does not switch on a fifth at 1e-14
        S = rounded(capacity * z)
        whole = saturated_gates(S, capacity)
        if whole is not None:
            return whole
        n_full = math.floor(S)
        gate = smooth_step(S - n_full)
        if gate == 1.0:
            return n_full + 1, 1.0, 0.0
        return n_full + 1, gate, capacity * smooth_step_derivative(S - n_full)

    def size(self, z: float, capacity: int) -> float:
        return min(max(capacity * z, 0.0), float(capacity))

    def variable(self, size: float, capacity: int) -> float:
        return size / capacity

    def size_scale(self, capacity: int) -> float:
        return float(capacity)


def controller_fraction(c: float) -> float:
    """Method B: active fraction ``f = sin(pi c / 2) ** 2`` of the control ``c``."""
    return math.sin(0.5 * math.pi * c) ** 2


class ControllerMask(GrowthMethod):
    """Method B: ``z`` is the control ``c``; ``k = capacity * sin(pi c / 2) ** 2`` neurons,
    neuron ``m`` with gate ``clip(k - m + 1, 0, 1)``; the size loss measures ``c``."""

    name = "controller"

    def gate_parts(
        self, z: float, capacity: int, rounded: Callable[[float], float] = float
    ) -> GateParts:
        k = rounded(capacity * controller_fraction(z))
        whole = saturated_gates(k, capacity)
        if whole is not None:
            return whole
        n_full = math.floor(k)
        return n_full + 1, k - n_full, capacity * _HALF_PI * math.sin(math.pi * z)

    def size(self, z: float, capacity: int) -> float:
        return capacity * controller_fraction(z)

    def variable(self, size: float, capacity: int) -> float:
        fraction = min(max(size / capacity, 0.0), 1.0)
        return 2.0 / math.pi * math.asin(math.sqrt(fraction))


class NoGrowth(GrowthMethod):
    """The static network: every gate 1, no size variable."""

    name = "none"
    grows = False

    def gate_parts(
        self, z: float, capacity: int, rounded: Callable[[float], float] = float
    ) -> GateParts:
        return capacity, 1.0, 0.0

    def size(self, z: float, capacity: int) -> float:
        return float(capacity)

    def variable(self, size: float, capacity: int) -> float:
        return size / capacity


GROWTH_METHODS: dict[str, GrowthMethod] = {}
# the estimators' ``growth`` options: the same set object as their parameter
# constraint holds, so that a registered method is accepted
GROWTH_NAMES: set[str] = set()


def register(method: GrowthMethod) -> GrowthMethod:
    """Make ``method`` the estimators' ``growth=method.name``."""
    GROWTH_METHODS[method.name] = method
    GROWTH_NAMES.add(method.name)
    return method


for _method in (ControllerMask(), AuxiliaryWeight(), NoGrowth()):
    register(_method)


# size_learning_rate="auto": the share of a layer's way to its target that one step
# covers. A layer is nearly grown (95 %: three e-foldings) after half of the steps a
# fit plans, at most the whole way in one step. Without a plan (partial_fit,
# self-sizing's stages), a tenth per step: nearly grown after UNPLANNED_FILL steps.
GROWN_SHARE_OF_FIT = 0.5
UNPLANNED_FILL = 30


def size_pace(planned_steps: int | None) -> float:
    """The default share per step: ``min(1, 3 / (planned_steps / 2))``; without a plan
    (``partial_fit``), a tenth.

    A short fit grows as fast as its plan asks. A floor of 30 steps left a fit
    planned fewer than 60 with its layers part-grown at the end (65 % after 10
    steps), which cost deeper networks most: three layers of 32 on iris after 10
    epochs scored 0.144 above sklearn's MLP with the floor, 0.356 without it
    (``benchmarks/bench_depth.py``)."""
    fill = UNPLANNED_FILL if planned_steps is None else GROWN_SHARE_OF_FIT * planned_steps
    return min(1.0, 3.0 / fill)


def sizes_per_layer(
    value: ArrayLike | None, capacities: tuple[int, ...], name: str
) -> tuple[float, ...]:
    """Broadcast ``initial_size`` / ``target_size`` to one size per hidden layer.

    ``value`` is a number of neurons for every layer, a sequence with one per
    layer, or None for the full capacity. Raises ValueError naming ``name``
    when a size is negative, not finite, larger than its layer's capacity, or
    when the sequence does not have one entry per hidden layer.
    """
    if value is None:
        return tuple(float(c) for c in capacities)
    try:
        values = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        alone = " (or 'auto' alone, for every layer)" if name == "target_size" else ""
        raise ValueError(
            f"{name} must be a number of neurons or a sequence of them, one per hidden "
            f"layer{alone}, got {value!r}."
        ) from None
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
