"""
Growing versus static on the Bessel task
========================================

The papers' regression task: ``J0 + J1 + J2`` on [-2 pi, 2 pi], inputs and
target mapped to [-1, 1] (:func:`~skgrow.datasets.make_bessel`). The growing
network follows method B's setup (``growth="controller"``, full-batch Adam,
``size_penalty=0.32``, tanh, no L2) with skgrow's default growth dynamics
(the papers' own are ``size_learning_rate=None, new_neurons="random"``); the
comparison is the same network with every neuron on from the start
(``growth="none"``). Both have a capacity of 32 neurons and train for 3000
full-batch epochs, with five seeds each.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

from skgrow import GrowingMLPRegressor
from skgrow.datasets import make_bessel
from skgrow.plotting import plot_growing_vs_static

X, y = make_bessel(n_samples=2048)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)


def fit(growth, seed):
    """One network of method B's setup, growing or static."""
    model = GrowingMLPRegressor(
        hidden_layer_sizes=(32,),
        growth=growth,
        size_penalty=0.32,
        activation="tanh",
        alpha=0.0,
        learning_rate_init=3e-3,
        batch_size=len(X_train),
        max_iter=3000,
        tol=0.0,
        n_iter_no_change=3000,
        random_state=seed,
    )
    return model.fit(X_train, y_train)


seeds = range(5)
models = {growth: [fit(growth, seed) for seed in seeds] for growth in ("controller", "none")}
test_error = {
    growth: [mean_squared_error(y_test, model.predict(X_test)) for model in fitted]
    for growth, fitted in models.items()
}
for growth, errors in test_error.items():
    print(f"{growth:>10}: test MSE median {np.median(errors):.2e}, per seed {np.round(errors, 6)}")

# %%
# Training curves of the first seed
# ---------------------------------
# The growing network starts empty and grows to its whole capacity; the loss
# is sklearn's (half the squared error here), the size loss apart.
plot_growing_vs_static({"growing": models["controller"][0], "static": models["none"][0]})

# %%
# Test error of every seed
# ------------------------
figure, axis = plt.subplots(figsize=(5, 3.5))
for position, (growth, errors) in enumerate(test_error.items()):
    axis.scatter(np.full(len(errors), position), errors, label=growth)
axis.set_xticks([0, 1], ["growing (controller)", "static (none)"])
axis.set_yscale("log")
axis.set_ylabel("test mean squared error")
axis.set_xlim(-0.5, 1.5)
figure.tight_layout()

# %%
# The fitted function
# -------------------
grid = np.linspace(-1, 1, 400)[:, None]
figure, axis = plt.subplots(figsize=(6, 3.5))
axis.plot(X_test.ravel(), y_test, ".", color="grey", markersize=3, label="test points")
axis.plot(grid.ravel(), models["controller"][0].predict(grid), label="growing")
axis.plot(grid.ravel(), models["none"][0].predict(grid), "--", label="static")
axis.set(xlabel="x (scaled)", ylabel="J0 + J1 + J2 (scaled)")
axis.legend()
figure.tight_layout()
