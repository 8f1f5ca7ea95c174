"""The datasets of bench_sklearn.py and the preprocessing each gets.

Those that ship with scikit-learn (iris, wine, breast cancer, digits, diabetes),
synthetic ones (Friedman #1, moons, a linear task) and the papers' tasks
(Bessel, Gaussian mixture, spirals) are numeric: their pipeline standardises
the columns. The real tabular datasets have mixed column types and missing
values and come with their packages (nothing is downloaded): penguins
(``palmerpenguins``), cars and Seattle weather (``vega_datasets``) and the
affairs survey (``statsmodels``). Their pipeline imputes, scales and one-hot
encodes, as a data scientist would.

``UNSEEN_DATASETS`` were chosen after self-sizing's rule and constants were
settled on the others: ten synthetic, numeric ones from scikit-learn's
generators, then, since own width's misses were on small real data, three
small real ones that ship with ``statsmodels`` (the 1996 US election survey,
California schools' test results, Grunfeld's investment data). bench_sklearn.py
runs own width's grid and self-sizing fit on them in a mode of their own
("unseen data"), to show whether what own width measures holds on data the
rule was not built on.

``COUNT_DATASETS`` hold a count target fitted with ``loss="poisson"`` by both
libraries (``Dataset.loss``), in the defaults and budgets comparisons only:
growth must not cost accuracy with the Poisson loss either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_blobs,
    make_circles,
    make_classification,
    make_friedman1,
    make_friedman2,
    make_friedman3,
    make_gaussian_quantiles,
    make_hastie_10_2,
    make_moons,
    make_regression,
    make_sparse_uncorrelated,
    make_swiss_roll,
)
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skgrow.datasets import make_bessel, make_gaussian_mixture, make_spirals


@dataclass(frozen=True)
class Dataset:
    """A dataset: how to load it and, for mixed column types, which columns are which."""

    name: str
    classification: bool
    load: Callable[[], tuple]
    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    loss: str | None = None  # a regressor's loss, where not sklearn's default

    @property
    def estimator_params(self) -> dict:
        """What the MLPs of both libraries are given besides the comparison's settings."""
        return {} if self.loss is None else {"loss": self.loss}

    @property
    def mixed(self) -> bool:
        return bool(self.categorical)

    def preprocessing(self):
        """Standardised columns, or impute + scale / impute + one-hot for mixed ones."""
        if not self.mixed:
            return StandardScaler()
        numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        categorical = make_pipeline(
            SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
        )
        return ColumnTransformer(
            [
                ("numeric", numeric, list(self.numeric)),
                ("categorical", categorical, list(self.categorical)),
            ]
        )

    def pipeline(self, estimator) -> Pipeline:
        return Pipeline([("prepare", self.preprocessing()), ("mlp", estimator)])


def standardised(X, y):
    y = np.asarray(y, dtype=float)
    return X, (y - y.mean()) / y.std()


def penguins():
    from palmerpenguins import load_penguins

    frame = load_penguins()
    return frame.drop(columns="species"), frame["species"].to_numpy(dtype=object)


def cars():
    from vega_datasets import data

    frame = data.cars().dropna(subset=["Miles_per_Gallon"])
    X = frame.drop(columns=["Name", "Miles_per_Gallon"]).assign(Year=frame["Year"].dt.year)
    X["Origin"] = X["Origin"].astype(object)
    return standardised(X, frame["Miles_per_Gallon"])


def seattle_weather():
    from vega_datasets import data

    frame = data.seattle_weather()
    X = frame.drop(columns=["date", "weather"]).assign(month=frame["date"].dt.month.astype(str))
    return X, frame["weather"].to_numpy(dtype=object)


def affairs():
    import statsmodels.api as sm

    frame = sm.datasets.fair.load_pandas().data
    X = frame.drop(columns="affairs")
    for column in ("occupation", "occupation_husb"):
        X[column] = X[column].astype(int).astype(str)
    return X, (frame["affairs"] > 0).to_numpy()


DATASETS = [
    Dataset("iris", True, lambda: load_iris(return_X_y=True)),
    Dataset("wine", True, lambda: load_wine(return_X_y=True)),
    Dataset("breast cancer", True, lambda: load_breast_cancer(return_X_y=True)),
    Dataset("digits", True, lambda: load_digits(return_X_y=True)),
    Dataset("diabetes", False, lambda: standardised(*load_diabetes(return_X_y=True))),
    Dataset("friedman1", False, lambda: standardised(*make_friedman1(1000, random_state=0))),
    Dataset("moons", True, lambda: make_moons(1000, noise=0.3, random_state=0)),
    Dataset("bessel", False, lambda: make_bessel(1000, sampling="uniform", random_state=0)),
    Dataset(
        "gaussian mixture",
        False,
        lambda: standardised(*make_gaussian_mixture(1000, noise=0.1, random_state=0)),
    ),
    Dataset("spirals", True, lambda: make_spirals(3000, n_arms=3, random_state=0)),
    # the gallery's linear task: a layer of a few neurons suffices
    Dataset(
        "linear",
        False,
        lambda: standardised(*make_regression(600, 10, n_informative=5, noise=1.0, random_state=0)),
    ),
    Dataset(
        "penguins",
        True,
        penguins,
        numeric=("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"),
        categorical=("island", "sex"),
    ),
    Dataset(
        "cars",
        False,
        cars,
        numeric=(
            "Cylinders",
            "Displacement",
            "Horsepower",
            "Weight_in_lbs",
            "Acceleration",
            "Year",
        ),
        categorical=("Origin",),
    ),
    Dataset(
        "seattle weather",
        True,
        seattle_weather,
        numeric=("precipitation", "temp_max", "temp_min", "wind"),
        categorical=("month",),
    ),
    Dataset(
        "affairs",
        True,
        affairs,
        numeric=("rate_marriage", "age", "yrs_married", "children", "religious", "educ"),
        categorical=("occupation", "occupation_husb"),
    ),
]


def election():
    """Whether the 1996 survey's respondent voted for Dole, from their views and background."""
    import statsmodels.api as sm

    frame = sm.datasets.anes96.load_pandas().data
    X = frame.drop(columns=["vote", "logpopul"])
    for column in ("PID", "educ"):
        X[column] = X[column].astype(int).astype(str)
    return X, frame["vote"].to_numpy(dtype=int)


def schools():
    """The share of a school district's pupils above the national math median."""
    import statsmodels.api as sm

    frame = sm.datasets.star98.load_pandas().data
    share = frame["NABOVE"] / (frame["NABOVE"] + frame["NBELOW"])
    return standardised(frame.drop(columns=["NABOVE", "NBELOW"]).to_numpy(), share)


def investment():
    """A firm's gross investment in a year, from its value, capital stock and name."""
    import statsmodels.api as sm

    frame = sm.datasets.grunfeld.load_pandas().data
    X = frame.drop(columns="invest").assign(firm=frame["firm"].astype(str))
    return standardised(X, frame["invest"])


def swiss_roll():
    """The position along the roll (``t``) from the point's coordinates."""
    X, t = make_swiss_roll(1000, noise=0.5, random_state=0)
    return standardised(X, t)


# Chosen, with their settings, once self-sizing's rule was settled
UNSEEN_DATASETS = [
    Dataset("friedman2", False, lambda: standardised(*make_friedman2(1000, random_state=0))),
    Dataset(
        "friedman3", False, lambda: standardised(*make_friedman3(1000, noise=0.05, random_state=0))
    ),
    Dataset(
        "noisy linear",
        False,
        lambda: standardised(
            *make_regression(500, 20, n_informative=10, noise=20.0, random_state=0)
        ),
    ),
    Dataset(
        "sparse uncorrelated",
        False,
        lambda: standardised(*make_sparse_uncorrelated(1000, random_state=0)),
    ),
    Dataset("swiss roll", False, swiss_roll),
    Dataset(
        "classification",
        True,
        lambda: make_classification(1000, 20, n_informative=5, random_state=0),
    ),
    Dataset("circles", True, lambda: make_circles(1000, noise=0.1, factor=0.5, random_state=0)),
    Dataset("hastie", True, lambda: make_hastie_10_2(1000, random_state=0)),
    Dataset(
        "gaussian quantiles",
        True,
        lambda: make_gaussian_quantiles(n_samples=1000, n_features=4, n_classes=3, random_state=0),
    ),
    Dataset("blobs", True, lambda: make_blobs(600, 5, centers=6, cluster_std=2.5, random_state=0)),
    Dataset(
        "election",
        True,
        election,
        numeric=("popul", "TVnews", "selfLR", "ClinLR", "DoleLR", "age", "income"),
        categorical=("PID", "educ"),
    ),
    Dataset("schools", False, schools),
    Dataset(
        "investment",
        False,
        investment,
        numeric=("value", "capital", "year"),
        categorical=("firm",),
    ),
]


def counts():
    """Counts with a non-linear log-mean in 5 standard normal features, mean 7.9."""
    rng = np.random.RandomState(0)
    X = rng.randn(1000, 5)
    log_mean = 1.8 + np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] - 0.3 * X[:, 3]
    return X, rng.poisson(np.exp(log_mean)).astype(float)


COUNT_DATASETS = [Dataset("counts", False, counts, loss="poisson")]
