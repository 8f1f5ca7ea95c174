"""ONNX export: onnxruntime reproduces the growing model's predictions and probabilities."""

import sys

import numpy as np
import pytest
from conftest import GROWTH_METHODS, friedman_data
from sklearn.datasets import make_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skgrow import GrowingMLPClassifier, GrowingMLPRegressor

onnxruntime = pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")
pytest.importorskip("onnx")

from skgrow.onnx import to_onnx  # noqa: E402

ARCHITECTURES = [(12,), (12, 8)]
TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


def run_onnx(onx, X):
    """Outputs of the ONNX graph on X, by output name."""
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    input_type = session.get_inputs()[0].type
    dtype = np.float64 if input_type == "tensor(double)" else np.float32
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": np.asarray(X, dtype=dtype)})))


def partly_grown(Estimator, growth, sizes, **params):
    """A model trained briefly enough that its growing layers are partly on."""
    settings = {
        "activation": "tanh",
        "learning_rate_init": 0.01,
        "size_learning_rate": 0.02,
        "batch_size": 20,
        "max_iter": 10,
    }
    settings.update(params)
    return Estimator(hidden_layer_sizes=sizes, growth=growth, random_state=0, **settings)


def assert_grown_part_way(model, growth, sizes):
    """The export must fold gates: a growing model has partly filled layers."""
    if growth == "none":
        assert model.hidden_layer_sizes_ == sizes
    else:
        assert all(
            0 < grown < capacity for grown, capacity in zip(model.hidden_layer_sizes_, sizes)
        )


@pytest.fixture(scope="module")
def regression_data():
    return friedman_data(100)


@pytest.fixture(scope="module")
def binary_data():
    X, y = make_classification(100, n_features=6, n_informative=4, random_state=0)
    return X, np.array(["no", "yes"])[y]


@pytest.fixture(scope="module")
def multiclass_data():
    X, y = make_classification(
        120, n_features=6, n_informative=4, n_classes=3, n_clusters_per_class=1, random_state=0
    )
    return X, np.array(["red", "green", "blue"])[y]


@pytest.mark.parametrize("sizes", ARCHITECTURES)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_regressor_predictions_match(growth, sizes, regression_data):
    X, y = regression_data
    model = partly_grown(GrowingMLPRegressor, growth, sizes).fit(X, y)
    assert_grown_part_way(model, growth, sizes)
    outputs = run_onnx(to_onnx(model), X)
    assert outputs["variable"].shape == (len(X), 1)
    np.testing.assert_allclose(outputs["variable"].ravel(), model.predict(X), **TOLERANCE)


@pytest.mark.parametrize("sizes", ARCHITECTURES)
@pytest.mark.parametrize("growth", GROWTH_METHODS)
@pytest.mark.parametrize("data", ["binary_data", "multiclass_data"])
def test_classifier_labels_and_probabilities_match(growth, sizes, data, request):
    X, y = request.getfixturevalue(data)
    model = partly_grown(GrowingMLPClassifier, growth, sizes).fit(X, y)
    assert_grown_part_way(model, growth, sizes)
    outputs = run_onnx(to_onnx(model), X)
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(X), **TOLERANCE)
    np.testing.assert_array_equal(outputs["label"], model.predict(X))
    assert outputs["label"].dtype == object  # the string labels themselves


@pytest.mark.parametrize("n_labels", [2, 3])
@pytest.mark.parametrize("growth", GROWTH_METHODS)
def test_multilabel_probabilities_match(growth, n_labels, binary_data):
    X, _ = binary_data
    Y = (X[:, :n_labels] > 0).astype(int)
    model = partly_grown(GrowingMLPClassifier, growth, (12,)).fit(X, Y)
    outputs = run_onnx(to_onnx(model), X)
    assert outputs["probabilities"].shape == (len(X), n_labels)
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(X), **TOLERANCE)
    np.testing.assert_array_equal(outputs["label"], model.predict(X))


def test_float64_sample_gives_a_double_precision_graph(regression_data):
    X, y = regression_data
    model = partly_grown(GrowingMLPRegressor, "auxiliary", (12, 8)).fit(X, y)
    outputs = run_onnx(to_onnx(model, X_sample=X), X)
    assert outputs["variable"].dtype == np.float64
    np.testing.assert_allclose(outputs["variable"].ravel(), model.predict(X), rtol=1e-12)


def test_several_regression_outputs_keep_their_columns(regression_data):
    X, y = regression_data
    Y = np.column_stack([y, y**2])
    model = partly_grown(GrowingMLPRegressor, "controller", (12,)).fit(X, Y)
    outputs = run_onnx(to_onnx(model), X)
    assert outputs["variable"].shape == (len(X), 2)
    np.testing.assert_allclose(outputs["variable"], model.predict(X), **TOLERANCE)


def test_poisson_regression_applies_the_exponential_output(regression_data):
    X, y = regression_data
    model = partly_grown(GrowingMLPRegressor, "auxiliary", (12,), loss="poisson").fit(X, np.exp(y))
    assert model.out_activation_ == "exp"
    outputs = run_onnx(to_onnx(model), X)
    np.testing.assert_allclose(outputs["variable"].ravel(), model.predict(X), **TOLERANCE)


def test_pipeline_exports_its_preprocessing(binary_data):
    X, y = binary_data
    X = 10 * X + 3  # the scaler must be part of the graph for the numbers to agree
    pipe = make_pipeline(
        StandardScaler(),
        PolynomialFeatures(2),  # the network sees 28 features, the graph takes 6
        partly_grown(GrowingMLPClassifier, "auxiliary", (12, 8)),
    ).fit(X, y)
    assert pipe[-1].n_features_in_ == 28
    outputs = run_onnx(to_onnx(pipe), X)
    np.testing.assert_allclose(outputs["probabilities"], pipe.predict_proba(X), **TOLERANCE)
    np.testing.assert_array_equal(outputs["label"], pipe.predict(X))


def test_export_rejects_other_estimators_and_unfitted_models():
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LinearRegression

    with pytest.raises(TypeError, match="GrowingMLPRegressor"):
        to_onnx(LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]))
    with pytest.raises(NotFittedError):
        to_onnx(GrowingMLPRegressor())


def test_missing_converter_names_the_onnx_extra(monkeypatch, regression_data):
    X, y = regression_data
    model = partly_grown(GrowingMLPRegressor, "auxiliary", (4,), max_iter=1).fit(X, y)
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # makes `import skl2onnx` fail
    with pytest.raises(ImportError, match=r"skgrow\[onnx\]"):
        to_onnx(model)
