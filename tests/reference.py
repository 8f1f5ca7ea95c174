"""An independent, autograd-based implementation of the growing MLP objective.

Written straight from the gates and size losses of docs/growing.rst ("The two
growth methods") with full-capacity tensors and no slicing, so that the
hand-written gradients of ``skgrow._network`` can be held against torch's
autograd and against finite differences.
"""

import math

import torch


def theta(n):
    n = n.clamp(0.0, 1.0)
    return torch.sin(math.pi * n / 2) ** 2


def reference_gates(method, z, capacity):
    m = torch.arange(1, capacity + 1, dtype=z.dtype)
    if method == "auxiliary":
        return theta(capacity * z - m + 1)
    k = torch.sin(math.pi * z / 2) ** 2 * capacity
    return (k - (m - 1)).clamp(0.0, 1.0)


def reference_forward(network, params, X):
    """The logits of ``network`` at ``params`` (a flat tensor) on ``X``, and the sum of
    squares of the weights between active neurons (the L2 term without its factor)."""
    arch, layout = network.arch, network.layout
    weights = [s.view(params) for s in layout.weights]
    biases = [s.view(params) for s in layout.biases]
    size_weights = [s.view(params) for s in layout.size_weights]
    z = layout.size_variables.view(params)
    act = {
        "identity": lambda x: x,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "logistic": torch.sigmoid,
    }[arch.activation]
    a = X
    l2 = params.new_zeros(())
    prev_mask = torch.ones(arch.n_features, dtype=params.dtype)
    for layer, capacity in enumerate(arch.capacities):
        pre = a @ weights[layer] + biases[layer]
        if arch.growing:
            # the size input: the size variable, or for method A with size_input="neurons"
            # the size in neurons
            neurons = arch.growth == "auxiliary" and arch.size_input == "neurons"
            size_input = z[layer] * capacity if neurons else z[layer]
            pre = pre + size_input * size_weights[layer]
            g = reference_gates(arch.growth, z[layer], capacity)
        else:
            g = torch.ones(capacity, dtype=params.dtype)
        a = g * act(pre)
        mask = (g > 0).to(params.dtype)
        l2 = l2 + ((weights[layer] * prev_mask[:, None] * mask[None, :]) ** 2).sum()
        if arch.growing:
            l2 = l2 + ((size_weights[layer] * mask) ** 2).sum()
        prev_mask = mask
    logits = a @ weights[-1] + biases[-1]
    l2 = l2 + ((weights[-1] * prev_mask[:, None]) ** 2).sum()
    return logits, l2


def reference_predict(network, X):
    """The outputs (values or probabilities) of ``network`` on numpy ``X``, as numpy."""
    params = network.theta.detach().to(torch.float64)
    logits, _ = reference_forward(network, params, torch.as_tensor(X, dtype=torch.float64))
    out = {
        "identity": lambda x: x,
        "logistic": torch.sigmoid,
        "softmax": lambda x: torch.softmax(x, dim=1),
        "exp": torch.exp,
    }[network.arch.out_activation](logits)
    return out.numpy()


def reference_objective(network, params, X, Y, sample_weight, alpha):
    """The objective of ``network`` evaluated at ``params`` (a flat tensor) by autograd."""
    arch = network.arch
    z = network.layout.size_variables.view(params)
    logits, l2 = reference_forward(network, params, X)
    out = arch.out_activation
    if out == "identity":
        per_sample = 0.5 * ((logits - Y) ** 2).sum(1)
    elif out == "logistic":
        p = torch.sigmoid(logits)
        per_sample = -(Y * torch.log(p) + (1 - Y) * torch.log(1 - p)).sum(1)
    elif out == "softmax":
        per_sample = -(Y * torch.log_softmax(logits, 1)).sum(1)
    else:  # exp, Poisson
        per_sample = (torch.exp(logits) - Y * logits).sum(1) + (torch.special.xlogy(Y, Y) - Y).sum(
            1
        )
    w = torch.ones(X.shape[0], dtype=params.dtype) if sample_weight is None else sample_weight
    loss = (per_sample * w).sum() / w.sum() + 0.5 * alpha * l2 / w.sum()
    if arch.growing:
        capacities = torch.tensor(arch.capacities, dtype=params.dtype)
        target = torch.tensor(network.growth.target_variables, dtype=params.dtype)
        if arch.growth == "auxiliary":
            size_loss = ((capacities * z - capacities * target) ** 2).sum()
        else:
            size_loss = ((z - target) ** 2).sum()
        loss = loss + network.growth.size_penalty * size_loss
    return loss
