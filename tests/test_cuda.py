"""The GPU path; every test here is skipped on a machine without CUDA."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from conftest import GROWTH_METHODS
from sklearn.datasets import make_friedman1, make_moons

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_gpu_fit_computes_what_the_cpu_computes(growth):
    X, y = make_friedman1(400, random_state=0)
    settings = dict(
        hidden_layer_sizes=(32, 16), growth=growth, max_iter=20, dtype="float64", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on_cpu = GrowingMLPRegressor(device="cpu", **settings).fit(X, y)
        on_gpu = GrowingMLPRegressor(device="cuda", **settings).fit(X, y)
    assert on_gpu._network.theta.device.type == "cuda"
    np.testing.assert_allclose(on_gpu.predict(X), on_cpu.predict(X), rtol=1e-6, atol=1e-8)
    assert on_gpu.hidden_layer_sizes_ == on_cpu.hidden_layer_sizes_


def test_gpu_classifier_and_lbfgs():
    X, y = make_moons(300, noise=0.1, random_state=0)
    for solver in ("adam", "lbfgs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = GrowingMLPClassifier(
                hidden_layer_sizes=(20,), solver=solver, device="cuda", random_state=0
            ).fit(X, y)
        assert model.score(X, y) > 0.8


def test_a_gpu_model_loads_and_predicts_on_the_cpu(monkeypatch):
    X, y = make_friedman1(200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GrowingMLPRegressor(hidden_layer_sizes=(16,), device="cuda", max_iter=5).fit(X, y)
    expected = model.predict(X)
    saved = pickle.dumps(model)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = pickle.loads(saved)
    assert loaded._network.theta.device.type == "cpu"
    with pytest.warns(UserWarning, match="predicting on the CPU"):
        np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-6)
