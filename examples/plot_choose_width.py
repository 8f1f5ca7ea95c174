"""
Letting the network choose its width
====================================

With ``target_size="auto"`` a network sizes itself: every hidden layer starts
at 4 neurons and doubles while doubling lowers the loss on held-out rows by
more than ``size_tol`` (half a point of R² by default), then goes back to the
last width that paid. A task that needs more neurons gets more.

Three regression tasks: a linear one with ten features (a few neurons
suffice), Friedman #1 (non-linear, with interactions) and the papers' Bessel
task (a wiggly function of one input). Every network has a capacity of 256
neurons.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1, make_regression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skgrow import GrowingMLPRegressor
from skgrow.datasets import make_bessel


def standardized(X, y):
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


tasks = {
    "linear": standardized(*make_regression(600, 10, n_informative=5, noise=1.0, random_state=0)),
    "Friedman #1": standardized(*make_friedman1(600, noise=0.5, random_state=0)),
    "Bessel": standardized(*make_bessel(600, sampling="uniform", random_state=0)),
}
models = {}
for name, (X, y) in tasks.items():
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(256,), target_size="auto", max_iter=1000, random_state=0
    ).fit(X_train, y_train)
    models[name] = model
    print(
        f"{name:>12}: chose {model.hidden_layer_sizes_[0]:3d} neurons, "
        f"test R^2 {model.score(X_test, y_test):.3f}"
    )

# %%
# How each layer grew
# -------------------
# The size after every epoch: each stage holds a width until training at it
# has nearly stopped improving the held-out loss; when growth stops, the
# network goes back to the last stage whose doubling paid (its widths and its
# weights at its best held-out epoch).
figure, axis = plt.subplots(figsize=(6, 3.5))
for name, model in models.items():
    axis.plot(np.asarray(model.size_curve_)[:, 0], label=name)
axis.set(xlabel="epoch", ylabel="neurons", yscale="log")
axis.legend()
figure.tight_layout()

# %%
# What each doubling gained
# -------------------------
# The held-out loss at the end of each stage, as a share of the loss of
# predicting the mean: a stage was kept when it fell below the last kept
# stage's by more than ``size_tol`` (0.005) for each doubling between them,
# and the layers doubled on while the evidence was unclear.
figure, axis = plt.subplots(figsize=(6, 3.5))
for name, model in models.items():
    widths = [widths[0] for widths, _, _ in model.size_stages_]
    losses = [loss for _, loss, _ in model.size_stages_]
    axis.loglog(widths, losses, "o-", label=name)
axis.set(xlabel="width of the stage (neurons)", ylabel="held-out loss / baseline")
axis.legend()
figure.tight_layout()
