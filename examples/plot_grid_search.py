"""
Searching the cost of a neuron and the capacity with GridSearchCV
=================================================================

The growth parameters are ordinary hyperparameters, so
:class:`~sklearn.model_selection.GridSearchCV` searches them like any other.
Here every layer sizes itself (``target_size="auto"``), and the search
decides how much a doubling must gain to be kept (``size_tol``) and how large
a layer may get at most (``hidden_layer_sizes``, the capacity). A second
scorer records the width each candidate chose, so the table shows what every
setting costs as well as what it scores.
"""

# %%
# The search
# ----------
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import make_friedman1
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skgrow import GrowingMLPRegressor

X, y = make_friedman1(n_samples=600, noise=0.5, random_state=0)
y = (y - y.mean()) / y.std()

model = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            GrowingMLPRegressor(
                target_size="auto",
                learning_rate_init=0.01,
                batch_size=50,
                max_iter=300,
                random_state=0,
            ),
        ),
    ]
)


def grown_width(pipeline, X, y):
    """Scorer: neurons the fitted network's hidden layer chose."""
    return pipeline[-1].hidden_layer_sizes_[0]


param_grid = {
    "mlp__size_tol": [0.001, 0.005, 0.02, 0.1],
    "mlp__hidden_layer_sizes": [(16,), (64,)],
}
search = GridSearchCV(
    model,
    param_grid,
    scoring={"r2": "r2", "width": grown_width},
    refit="r2",
    cv=KFold(3, shuffle=True, random_state=0),
)
search.fit(X, y)
print(search.best_params_)

# %%
# The results as a DataFrame
# --------------------------
# ``cv_results_`` goes straight into pandas.
results = pd.DataFrame(search.cv_results_)
results["capacity"] = results["param_mlp__hidden_layer_sizes"].map(lambda sizes: sizes[0])
table = results.rename(
    columns={
        "param_mlp__size_tol": "size_tol",
        "mean_test_r2": "R^2",
        "mean_test_width": "width",
    }
)[["capacity", "size_tol", "R^2", "width"]]
table.round(3)

# %%
# A smaller cost lets the layer keep doubling for smaller gains: it ends wider
# and fits better, up to what the capacity allows.
figure, (score_axis, width_axis) = plt.subplots(1, 2, figsize=(9, 3.5))
for capacity, rows in table.groupby("capacity"):
    score_axis.semilogx(rows["size_tol"], rows["R^2"], "o-", label=f"capacity {capacity}")
    width_axis.semilogx(rows["size_tol"], rows["width"], "o-", label=f"capacity {capacity}")
score_axis.set(xlabel="size_tol", ylabel="cross-validated R^2")
width_axis.set(xlabel="size_tol", ylabel="chosen width (neurons)")
width_axis.legend()
figure.tight_layout()

# %%
# On a Dask cluster
# -----------------
# The same search runs on a cluster through joblib's dask backend (install
# ``skgrow[dask]``); each cross-validation fit becomes one task:
#
# .. code-block:: python
#
#     import joblib
#     from dask.distributed import Client
#
#     client = Client("tcp://scheduler-address:8786")
#     with joblib.parallel_backend("dask"):
#         search = GridSearchCV(model, param_grid, cv=3, n_jobs=-1).fit(X, y)
