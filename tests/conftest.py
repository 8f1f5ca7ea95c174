"""What the tests share: the growth methods, the estimators, data sets and helpers.

Import the constants and helpers with ``from conftest import ...`` (the tests
folder is on the path, as for ``reference``); the fixtures need no import.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import is_regressor
from sklearn.datasets import load_digits, make_friedman1
from sklearn.preprocessing import StandardScaler

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor

GROWTH_METHODS = ("controller", "auxiliary", "none")
GROWING_METHODS = ("controller", "auxiliary")
ESTIMATORS = (GrowingMLPRegressor, GrowingMLPClassifier)


def standardized(X, y):
    """X standardised per column and y to mean 0, standard deviation 1."""
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


def friedman_data(n, random_state=0):
    """Friedman #1 with ``n`` rows, standardised: the regression task most tests use."""
    return standardized(*make_friedman1(n, random_state=random_state))


def fit_quietly(model, X, y, **fit_params):
    """``model.fit`` with convergence and divergence warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y, **fit_params)


def outputs(model, X):
    """Predictions of a regressor, probabilities of a classifier (skgrow's or sklearn's)."""
    return model.predict(X) if is_regressor(model) else model.predict_proba(X)


@pytest.fixture(scope="session")
def friedman():
    return friedman_data(200)


@pytest.fixture(scope="session")
def digits():
    """Three digit classes, 150 images scaled to [0, 1]."""
    X, y = load_digits(n_class=3, return_X_y=True)
    return X[:150] / 16, y[:150]


@pytest.fixture(scope="session")
def rng():
    return np.random.RandomState(0)
