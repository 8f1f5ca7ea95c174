"""
Decision boundaries on spirals as the network grows
===================================================

A :class:`~skgrow.GrowingMLPClassifier` with two hidden layers of capacity 32
learns method B's three-arm spiral task
(:func:`~skgrow.datasets.make_spirals`). Trained one epoch at a time with
``partial_fit``, it is drawn at a few epochs along the way. By default a layer
grows with training: here both layers hold about 21 neurons after the first
epoch and nearly 32 after the fourth (the size curve at the end), while the
boundaries go on winding along the arms for many epochs more.
"""

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay

from skgrow import GrowingMLPClassifier
from skgrow.datasets import make_spirals

X, y = make_spirals(n_samples=2000, n_arms=3, random_state=0)
classes = np.unique(y)

clf = GrowingMLPClassifier(
    hidden_layer_sizes=(32, 32), learning_rate_init=0.003, batch_size=200, random_state=0
)
snapshot_epochs = (1, 2, 4, 8, 16, 60)
snapshots = {}
for epoch in range(1, max(snapshot_epochs) + 1):
    clf.partial_fit(X, y, classes=classes)
    if epoch in snapshot_epochs:
        snapshots[epoch] = copy.deepcopy(clf)

# %%
# The boundaries, epoch by epoch
# ------------------------------
figure, axes = plt.subplots(2, 3, figsize=(10, 6.8), sharex=True, sharey=True)
for axis, (epoch, model) in zip(axes.ravel(), snapshots.items()):
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=axis, response_method="predict", alpha=0.3, grid_resolution=150
    )
    axis.scatter(X[:, 0], X[:, 1], c=y, s=2, cmap="viridis")
    axis.set_title(
        f"epoch {epoch}: width {model.hidden_layer_sizes_}\naccuracy {model.score(X, y):.2f}",
        fontsize=10,
    )
figure.tight_layout()

# %%
# Growth of both layers
# ---------------------
# ``size_curve_`` holds the continuous size of every layer after every epoch.
sizes = np.asarray(clf.size_curve_)
figure, axis = plt.subplots(figsize=(6, 3.5))
for layer in range(sizes.shape[1]):
    axis.plot(np.arange(1, len(sizes) + 1), sizes[:, layer], label=f"layer {layer + 1}")
for epoch in snapshot_epochs:
    axis.axvline(epoch, color="grey", linewidth=0.5)
axis.set(xlabel="epoch", ylabel="neurons", title="grey lines: the epochs drawn above")
axis.legend()
figure.tight_layout()
