"""GrowingMLPRegressor and GrowingMLPClassifier: sklearn's MLPs, plus growth.

Each adds to ``BaseGrowingMLP`` only what differs: target encoding, output
activation, prediction and scoring.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from skgrow import _docs
from skgrow._base import BaseGrowingMLP, _solver_is_stochastic


class GrowingMLPRegressor(RegressorMixin, BaseGrowingMLP):
    # the docstring is composed below the class from the shared sections

    _parameter_constraints: dict = {
        **BaseGrowingMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        growth="auxiliary",
        size_penalty=1.0,
        initial_size=0.0,
        target_size=None,
        size_learning_rate="auto",
        new_neurons="fitted",
        size_tol=0.005,
        weight_init="glorot",
        size_input="fraction",
        size_gradient="whole",
        shared_size=False,
        device="cpu",
        dtype="float32",
        progress_bar=False,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss=loss,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            growth=growth,
            size_penalty=size_penalty,
            initial_size=initial_size,
            target_size=target_size,
            size_learning_rate=size_learning_rate,
            new_neurons=new_neurons,
            size_tol=size_tol,
            weight_init=weight_init,
            size_input=size_input,
            size_gradient=size_gradient,
            shared_size=shared_size,
            device=device,
            dtype=dtype,
            progress_bar=progress_bar,
        )

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("loss='poisson' requires non-negative y, got negative values.")
        return X, y.reshape(y.shape[0], -1)

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _score_predictions(self, y_true, y_pred, sample_weight) -> float:
        if not np.isfinite(y_pred).all():
            return np.nan
        return r2_score(y_true, y_pred, sample_weight=sample_weight)

    def predict(self, X):
        """Predict using the fitted network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values, float64.
        """
        check_is_fitted(self)
        y_pred = self._forward(X)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    @available_if(_solver_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. A mini-batch whose rows all weigh 0 is skipped: no
            step is taken on it.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)


class GrowingMLPClassifier(ClassifierMixin, BaseGrowingMLP):
    # the docstring is composed below the class from the shared sections

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        growth="auxiliary",
        size_penalty=1.0,
        initial_size=0.0,
        target_size=None,
        size_learning_rate="auto",
        new_neurons="fitted",
        size_tol=0.005,
        weight_init="glorot",
        size_input="fraction",
        size_gradient="whole",
        shared_size=False,
        device="cpu",
        dtype="float32",
        progress_bar=False,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss="log_loss",
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            growth=growth,
            size_penalty=size_penalty,
            initial_size=initial_size,
            target_size=target_size,
            size_learning_rate=size_learning_rate,
            new_neurons=new_neurons,
            size_tol=size_tol,
            weight_init=weight_init,
            size_input=size_input,
            size_gradient=size_gradient,
            shared_size=shared_size,
            device=device,
            dtype=dtype,
            progress_bar=progress_bar,
        )

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)

        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in"
                        f" the previous call to fit. Previously got {self.classes_}, `y` has"
                        f" {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                unseen = np.setdiff1d(classes, self.classes_, assume_unique=True)
                raise ValueError(
                    f"`y` has classes not in `self.classes_`: {unseen}. `self.classes_` has"
                    f" {self.classes_}. 'y' has {classes}."
                )
        Y = self._label_binarizer.transform(y).astype(np.float64)
        return X, Y

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _stratification_labels(self, Y: np.ndarray) -> np.ndarray | None:
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return None
        return self._labels(Y)  # the labels as given, so that errors name them so

    def _labels(self, y_prob: np.ndarray):
        if y_prob.shape[1] == 1:
            y_prob = y_prob.ravel()
        return self._label_binarizer.inverse_transform(y_prob)

    def _score_predictions(self, y_true, y_pred, sample_weight) -> float:
        return accuracy_score(
            self._labels(y_true),
            self._labels(y_pred),
            sample_weight=sample_weight,
        )

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        check_is_fitted(self)
        return self._labels(self._forward(X))

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The probability of each class, classes ordered as in ``classes_``.
        """
        check_is_fitted(self)
        y_prob = self._forward(X)
        if self.n_outputs_ == 1:
            y_prob = y_prob.ravel()
            return np.vstack([1 - y_prob, y_prob]).T
        return y_prob

    def predict_log_proba(self, X):
        """Log of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    @available_if(_solver_is_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with a single epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. A mini-batch whose rows all weigh 0 is skipped: no
            step is taken on it.

        classes : array of shape (n_classes,), default=None
            Classes across all calls to partial_fit; required on the first call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


GrowingMLPRegressor.__doc__ = _docs.estimator_docstring(
    summary="""Multi-layer perceptron regressor whose hidden layers grow while it trains.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    the same parameters, attributes and methods, plus growth. Each hidden
    layer starts at ``initial_size`` neurons and grows towards its capacity
    ``hidden_layer_sizes`` (or ``target_size``) as its size variable is
    trained by gradient descent with the weights.""",
    parameters=_docs.LOSS + "\n" + _docs.PARAMETERS,
    see_also="""\
    GrowingMLPClassifier : The growing classifier.
    sklearn.neural_network.MLPRegressor : The static MLP this replaces.
""",
    examples="""\
    >>> from sklearn.datasets import make_friedman1
    >>> from skgrow import GrowingMLPRegressor
    >>> X, y = make_friedman1(n_samples=500, random_state=0)
    >>> model = GrowingMLPRegressor(hidden_layer_sizes=(50,), max_iter=500, random_state=0)
    >>> model = model.fit(X, y)
    >>> 0 < model.hidden_layer_sizes_[0] <= 50
    True
    >>> model.size_curve_[0][0] < model.size_curve_[-1][0]
    True
    >>> model.score(X, y) > 0.8
    True
""",
)

GrowingMLPClassifier.__doc__ = _docs.estimator_docstring(
    summary="""Multi-layer perceptron classifier whose hidden layers grow while it trains.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    the same parameters, attributes and methods, plus growth. It minimises
    the log-loss with a softmax output for multiclass targets and logistic
    outputs for binary and multilabel targets; labels may be of any type.""",
    parameters=_docs.PARAMETERS,
    see_also="""\
    GrowingMLPRegressor : The growing regressor.
    sklearn.neural_network.MLPClassifier : The static MLP this replaces.
""",
    examples="""\
    >>> from sklearn.datasets import make_moons
    >>> from skgrow import GrowingMLPClassifier
    >>> X, y = make_moons(n_samples=300, noise=0.1, random_state=0)
    >>> clf = GrowingMLPClassifier(hidden_layer_sizes=(30,), learning_rate_init=0.01,
    ...                            random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.hidden_layer_sizes_[0] <= 30
    True
    >>> clf.score(X, y) > 0.9
    True
""",
)
