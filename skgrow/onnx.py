"""Export a fitted growing MLP to ONNX (needs ``pip install skgrow[onnx]``).

A fitted growing network is exactly a static MLP of its grown width
(``to_sklearn()``); that sklearn MLP is converted by skl2onnx. Three outputs
that skl2onnx's MLP converter does not cover are completed here: regression
with several outputs (it flattens them into one column), the exponential
output of ``loss='poisson'`` (it knows no ``exp`` activation), and multilabel
classification with exactly two labels (it mistakes it for binary and adds
negative-class columns to the probabilities).
"""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["to_onnx"]

_MISSING_EXTRA = (
    "ONNX export needs skl2onnx and onnx; install them with the 'onnx' extra: "
    "pip install 'skgrow[onnx]'"
)


def _require_onnx_packages():
    """skl2onnx's converter and onnx's helper, or an ImportError naming the extra."""
    try:
        import onnx
        import skl2onnx
    except ImportError as error:
        raise ImportError(_MISSING_EXTRA) from error
    return skl2onnx, onnx


def _split_pipeline(model):
    """The steps before the growing MLP (possibly none) and the growing MLP itself."""
    from skgrow._base import BaseGrowingMLP

    steps = list(model.steps[:-1]) if isinstance(model, Pipeline) else []
    final = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if not isinstance(final, BaseGrowingMLP):
        raise TypeError(
            "to_onnx expects a GrowingMLPRegressor, a GrowingMLPClassifier or a Pipeline "
            f"ending in one, got {type(final).__name__}."
        )
    check_is_fitted(final)
    return steps, final


def _convertible_mlp(growing):
    """The equal plain sklearn MLP; a Poisson model's ``exp`` output is added after conversion."""
    mlp = growing.to_sklearn()
    if mlp.out_activation_ == "exp":
        mlp.out_activation_ = "identity"
    return mlp


def _sklearn_equivalent(model):
    """``model`` with its growing MLP replaced by a plain sklearn MLP skl2onnx can convert."""
    steps, growing = _split_pipeline(model)
    mlp = _convertible_mlp(growing)
    if not steps:
        return mlp, growing
    return Pipeline([*steps, (model.steps[-1][0], mlp)]), growing


def _input_type(n_features: int, X_sample):
    """ONNX input type: double for float64 samples, float otherwise."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    dtype = None if X_sample is None else np.asarray(X_sample).dtype
    TensorType = DoubleTensorType if dtype == np.float64 else FloatTensorType
    return TensorType([None, n_features])


def _producer(graph, name: str):
    """The node of ``graph`` that writes the value ``name``."""
    return next(node for node in graph.node if name in node.output)


def _keep_every_output(onx, onnx, n_outputs: int) -> None:
    """Make the regressor's final Reshape give (n_samples, n_outputs), not one column."""
    graph = onx.graph
    output = graph.output[0]
    reshape = _producer(graph, output.name)
    shape_name = f"{output.name}_shape"
    shape = onnx.helper.make_tensor(shape_name, onnx.TensorProto.INT64, [2], [-1, n_outputs])
    graph.initializer.append(shape)
    reshape.input[1] = shape_name
    output.type.tensor_type.shape.dim[1].dim_value = n_outputs


def _append_exp(onx, onnx) -> None:
    """Apply ``exp`` to the regressor's output (Poisson regression's output activation)."""
    graph = onx.graph
    output = graph.output[0]
    linear_name = f"{output.name}_linear"
    node = _producer(graph, output.name)
    node.output[list(node.output).index(output.name)] = linear_name
    graph.node.append(onnx.helper.make_node("Exp", [linear_name], [output.name]))


def _keep_multilabel_probabilities(onx, onnx) -> None:
    """Give ``probabilities`` the sigmoid outputs themselves, one column per label."""
    graph = onx.graph
    probabilities = next(output for output in graph.output if output.name == "probabilities")
    concat = _producer(graph, probabilities.name)
    sigmoid_output = concat.input[-1]  # Concat([1 - p, p]), as for a binary target
    graph.node.remove(concat)
    graph.node.append(onnx.helper.make_node("Identity", [sigmoid_output], [probabilities.name]))


def _complete_regressor_output(onx, onnx, growing) -> None:
    if growing.n_outputs_ > 1:
        _keep_every_output(onx, onnx, growing.n_outputs_)
    if growing.out_activation_ == "exp":
        _append_exp(onx, onnx)


def to_onnx(model, X_sample=None, *, target_opset=None):
    """Convert a fitted growing MLP (or a pipeline ending in one) to ONNX.

    The growing network is first turned into the plain sklearn MLP of its
    grown width (``model.to_sklearn()``, the same predictions), which skl2onnx
    converts together with any pipeline steps before it.

    Parameters
    ----------
    model : GrowingMLPRegressor, GrowingMLPClassifier or Pipeline
        A fitted growing MLP, or a fitted :class:`~sklearn.pipeline.Pipeline`
        whose last step is one (the other steps must be convertible by
        skl2onnx, e.g. ``StandardScaler``).
    X_sample : array-like of shape (n_samples, n_features), default=None
        Example input. Only its element type is used: float64 data gives a
        graph computing in double precision, anything else (and None) float32.
    target_opset : int, default=None
        ONNX opset to target; None uses the newest one skl2onnx supports.

    Returns
    -------
    onx : onnx.ModelProto
        A graph with one input ``"X"`` of shape (n_samples, n_features). A
        regressor has one output ``"variable"`` of shape (n_samples, n_outputs).
        A classifier has ``"label"`` (the predicted classes, like
        ``predict``) and ``"probabilities"`` (a tensor of shape
        (n_samples, n_classes), like ``predict_proba``).

    Raises
    ------
    ImportError
        When skl2onnx or onnx is missing (install the ``onnx`` extra).
    ValueError
        For a classifier fitted on a single class.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime
    >>> from sklearn.datasets import make_friedman1
    >>> from skgrow import GrowingMLPRegressor
    >>> from skgrow.onnx import to_onnx
    >>> X, y = make_friedman1(200, random_state=0)
    >>> model = GrowingMLPRegressor(hidden_layer_sizes=(20,), max_iter=50, batch_size=20,
    ...                             random_state=0).fit(X, y)
    >>> onx = to_onnx(model)
    >>> session = onnxruntime.InferenceSession(onx.SerializeToString(),
    ...                                        providers=["CPUExecutionProvider"])
    >>> [prediction] = session.run(None, {"X": X.astype(np.float32)})
    >>> prediction.shape
    (200, 1)
    >>> bool(np.allclose(prediction.ravel(), model.predict(X), atol=1e-5))
    True
    """
    skl2onnx, onnx = _require_onnx_packages()
    from sklearn.neural_network import MLPClassifier

    convertible, growing = _sklearn_equivalent(model)
    if hasattr(growing, "classes_") and len(growing.classes_) == 1:
        raise ValueError(
            "A classifier fitted on a single class cannot be converted to ONNX: it predicts "
            f"{growing.classes_[0]!r} for every row, which needs no model."
        )
    onx = skl2onnx.convert_sklearn(
        convertible,
        initial_types=[("X", _input_type(model.n_features_in_, X_sample))],
        target_opset=target_opset,
        options={MLPClassifier: {"zipmap": False}},
    )
    if not hasattr(growing, "classes_"):
        _complete_regressor_output(onx, onnx, growing)
    elif growing._label_binarizer.y_type_ == "multilabel-indicator" and growing.n_outputs_ == 2:
        _keep_multilabel_probabilities(onx, onnx)
    onnx.checker.check_model(onx)
    return onx
