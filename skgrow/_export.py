"""Fold a gated network into the static MLP it computes, and back.

A hidden neuron with gate ``g`` passes on ``g * act(a @ w + b + z * v)``.
The same function is computed by a plain MLP in which the neuron keeps only
``act(a @ w + b')`` with ``b' = b + z * v`` (the size input folded into the
bias) and every weight leaving the neuron is multiplied by ``g``. Neurons
with ``g = 0`` contribute nothing and are dropped. The result has sklearn's
layout: ``coefs_[i]`` is (fan_in, fan_out), ``intercepts_[i]`` is (fan_out,).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import torch

from skgrow._layout import Architecture
from skgrow._network import GrowingNetwork
from skgrow._training import TrainingHistory


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().double().numpy().copy()


def fold_gates(network: GrowingNetwork) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights and biases (float64) of the static MLP equal to ``network``."""
    arch = network.arch
    z = network.size_variables.tolist()
    inputs = network.size_inputs(z)
    coefs, intercepts = [], []
    n_in = arch.n_features
    incoming_gate = np.ones(n_in)
    for layer, (gates, capacity) in enumerate(zip(network.gates(z), arch.capacities)):
        n = gates.n_active
        coef = _numpy(network.weights[layer][:n_in, :n]) * incoming_gate[:, None]
        bias = _numpy(network.biases[layer][:n])
        if arch.growing:
            bias += inputs[layer] * _numpy(network.size_weights[layer][:n])
        coefs.append(coef)
        intercepts.append(bias)
        incoming_gate = gates.values(capacity)[:n]
        n_in = n
    coefs.append(_numpy(network.weights[-1][:n_in]) * incoming_gate[:, None])
    intercepts.append(_numpy(network.biases[-1]))
    return coefs, intercepts


# a layer's weights, (fan_in, fan_out)
_Matrix: TypeAlias = np.ndarray[tuple[int, int], np.dtype[Any]]


def _padded(
    coefs: list[np.ndarray], intercepts: list[np.ndarray]
) -> tuple[list[_Matrix], list[np.ndarray]]:
    """Give every empty hidden layer one neuron that feeds nothing forward.

    sklearn's MLPs (and ``torch.nn.Linear``) need at least one neuron per
    layer; a neuron whose outgoing weights are zero leaves the function as it is.
    """
    coefs, intercepts = [c.copy() for c in coefs], [b.copy() for b in intercepts]
    for layer in range(len(coefs) - 1):
        if coefs[layer].shape[1] == 0:
            dtype = coefs[layer].dtype
            coefs[layer] = np.zeros((coefs[layer].shape[0], 1), dtype)
            intercepts[layer] = np.zeros(1, dtype)
            coefs[layer + 1] = np.zeros((1, coefs[layer + 1].shape[1]), dtype)
    return coefs, intercepts


_SKLEARN_FITTED_ATTRIBUTES = (
    "n_features_in_",
    "feature_names_in_",
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "classes_",
    "_label_binarizer",
)


def to_sklearn(estimator):
    """A fitted sklearn MLP computing the same function as ``estimator``."""
    from sklearn.base import is_classifier
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    Sklearn = MLPClassifier if is_classifier(estimator) else MLPRegressor
    coefs, intercepts = _padded(estimator.coefs_, estimator.intercepts_)
    own = estimator.get_params()
    params = {name: own[name] for name in Sklearn().get_params() if name in own}
    params["hidden_layer_sizes"] = tuple(c.shape[1] for c in coefs[:-1])
    params["activation"] = estimator._network.arch.activation
    mlp = Sklearn(**params)
    for name in _SKLEARN_FITTED_ATTRIBUTES:
        if hasattr(estimator, name):
            setattr(mlp, name, copy.deepcopy(getattr(estimator, name)))
    mlp.coefs_, mlp.intercepts_ = coefs, intercepts
    # what sklearn's own warm start reads, so the exported model can keep training
    mlp._no_improvement_count = 0
    mlp._best_coefs = [c.copy() for c in coefs]
    mlp._best_intercepts = [b.copy() for b in intercepts]
    return mlp


def from_sklearn(Estimator, mlp, params: dict):
    """A fitted ``Estimator`` computing what the fitted sklearn MLP ``mlp`` computes.

    Parameters shared with sklearn are taken from ``mlp``, then ``params``
    override them; ``warm_start`` defaults to True so that ``fit`` continues
    training. ``hidden_layer_sizes`` (capacities) may exceed ``mlp``'s widths:
    the extra neurons start inactive. ``coefs_`` and ``intercepts_`` are
    copies of ``mlp``'s, so the first predictions are sklearn's.
    """
    from sklearn.base import ClassifierMixin
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.utils.validation import check_is_fitted

    Sklearn = MLPClassifier if issubclass(Estimator, ClassifierMixin) else MLPRegressor
    if not isinstance(mlp, Sklearn):
        raise TypeError(
            f"{Estimator.__name__}.from_sklearn takes a fitted {Sklearn.__name__}, got "
            f"{type(mlp).__name__}."
        )
    check_is_fitted(mlp)
    widths = tuple(c.shape[1] for c in mlp.coefs_[:-1])
    own = Estimator().get_params()
    shared = {name: value for name, value in mlp.get_params().items() if name in own}
    estimator = Estimator(**{**shared, "hidden_layer_sizes": widths, "warm_start": True})
    estimator.set_params(**params)
    estimator._validate_params()
    capacities = estimator._capacities()
    if len(capacities) != len(widths) or any(c < w for c, w in zip(capacities, widths)):
        raise ValueError(
            f"hidden_layer_sizes={estimator.hidden_layer_sizes!r} cannot hold the sklearn "
            f"model's layers {widths}: give as many layers, each at least as wide."
        )
    for name in ("n_features_in_", "feature_names_in_", "classes_", "_label_binarizer"):
        if hasattr(mlp, name):
            setattr(estimator, name, copy.deepcopy(getattr(mlp, name)))
    arch = Architecture(
        n_features=mlp.coefs_[0].shape[0],
        capacities=capacities,
        n_outputs=mlp.coefs_[-1].shape[1],
        activation=mlp.activation,
        out_activation=mlp.out_activation_,
        growth=estimator.growth,
        size_input=estimator.size_input,
    )
    dtype = estimator._training_dtype()
    network = GrowingNetwork.from_static(
        arch,
        estimator._growth_settings(capacities),
        [np.asarray(c, dtype=np.float64) for c in mlp.coefs_],
        [np.asarray(b, dtype=np.float64) for b in mlp.intercepts_],
        estimator._random_state_for_fit(),
        dtype,
        torch.device("cpu"),
        estimator.weight_init,
    )
    estimator._network, estimator._optimizer = network, None
    estimator._history = _history_of(mlp, estimator.early_stopping, widths)
    if estimator._history.validation_scores:  # sklearn's best weights are these
        estimator._history.best_theta = network.theta.clone()
    estimator._publish_fitted_attributes(mlp.coefs_[0].dtype)
    # sklearn's weights exactly, not rounded to the training dtype; extra neurons as built
    for published, original in zip(
        estimator.coefs_ + estimator.intercepts_, mlp.coefs_ + mlp.intercepts_
    ):
        published[tuple(slice(0, n) for n in original.shape)] = original
    return estimator


def _history_of(mlp, early_stopping: bool, widths: tuple[int, ...]) -> TrainingHistory:
    """The training record of a fitted sklearn MLP: a static network, no size loss."""
    history = TrainingHistory(early_stopping=early_stopping)
    history.n_iter, history.t = int(mlp.n_iter_), int(getattr(mlp, "t_", 0))
    history.loss = float(mlp.loss_)
    history.loss_curve = [float(v) for v in getattr(mlp, "loss_curve_", [])]
    history.size_loss_curve = [0.0] * len(history.loss_curve)
    history.size_curve = [tuple(float(w) for w in widths)] * len(history.loss_curve)
    best = getattr(mlp, "best_loss_", None)
    if not early_stopping and best is not None:
        history.best_loss = history.reference_loss = float(best)
    scores = getattr(mlp, "validation_scores_", None)
    if early_stopping and scores is not None:
        history.validation_scores = [float(v) for v in scores]
        history.best_validation_score = float(mlp.best_validation_score_)
    return history


class Exp(torch.nn.Module):
    """``exp`` as a module: the output activation of Poisson regression."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(x)


_MODULES: dict[str, Callable[[], torch.nn.Module]] = {
    "identity": torch.nn.Identity,
    "logistic": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
    "relu": torch.nn.ReLU,
    "softmax": lambda: torch.nn.Softmax(dim=1),
    "exp": Exp,
}


def to_torch(estimator, dtype: torch.dtype) -> torch.nn.Sequential:
    """A ``torch.nn.Sequential`` computing ``estimator``'s predictions (values or probabilities)."""
    coefs, intercepts = _padded(estimator.coefs_, estimator.intercepts_)
    modules: list[torch.nn.Module] = []
    for layer, (coef, intercept) in enumerate(zip(coefs, intercepts)):
        linear = torch.nn.Linear(*coef.shape, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(coef.T))
            linear.bias.copy_(torch.from_numpy(intercept))
        modules.append(linear)
        last = layer == len(coefs) - 1
        name = estimator.out_activation_ if last else estimator._network.arch.activation
        modules.append(_MODULES[name]())
    return torch.nn.Sequential(*modules)
