"""BaseGrowingMLP: what the growing regressor and classifier share.

With ``_estimators`` the only code that knows scikit-learn's estimator API:
it validates parameters and data, turns them into tensors, hands them to
the training loop and publishes the result as sklearn's fitted attributes.
"""

from __future__ import annotations

import copy
import inspect
import math
import warnings
from abc import ABC, abstractmethod
from numbers import Integral, Real

import joblib
import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from skgrow._data import TrainingData, rows_with_weight
from skgrow._entry import NEW_NEURONS
from skgrow._export import fold_gates, from_sklearn, to_sklearn, to_torch
from skgrow._fitting import FitState, LBFGSSolver, StochasticSolver, train
from skgrow._growth import (
    GROWTH_METHODS,
    GROWTH_NAMES,
    sizes_per_layer,
)
from skgrow._layout import WEIGHT_INITS, Architecture, GrowthSettings
from skgrow._network import GrowingNetwork, static_forward
from skgrow._persistence import fitted_state, restore_fitted_state
from skgrow._sizing import SelfSizing, SizingState, all_alike
from skgrow._training import (
    OptimizerSettings,
    StochasticSettings,
    TrainingHistory,
)

_STOCHASTIC_SOLVERS = ("sgd", "adam")
_PREDICT_CHUNK_ELEMENTS = 2**24  # activations per prediction chunk (128 MiB in float64)
_TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
# self-sizing holds out validation_fraction of the rows, more on small data: up to
# HELD_OUT_ROWS rows or HELD_OUT_SHARE of them, whichever is fewer
HELD_OUT_ROWS = 100
HELD_OUT_SHARE = 0.25


def _solver_is_stochastic(estimator: BaseGrowingMLP) -> bool:
    """``available_if`` check: partial_fit exists for 'sgd' and 'adam' only."""
    if estimator.solver not in _STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.solver} is not stochastic."
        )
    return True


def _as_tensor(array: np.ndarray, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The array as a tensor, sharing memory where it can; the data is never written."""
    with warnings.catch_warnings():
        # read-only arrays (memmaps) are fine: training never writes into its data
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.as_tensor(array, dtype=dtype, device=device)


def _split_rows(X, Y, sample_weight, rng, test_size, stratify):
    """``X_train, X_test, Y_train, Y_test, w_train, w_test`` (weights None without)."""
    arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
    parts = train_test_split(*arrays, random_state=rng, test_size=test_size, stratify=stratify)
    return (*parts, None, None) if sample_weight is None else tuple(parts)


def _require_tqdm() -> None:
    try:
        import tqdm  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "progress_bar=True needs tqdm; install it with `pip install skgrow[progress]`."
        ) from error


def _resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available.")
    return torch.device(device)


class BaseGrowingMLP(BaseEstimator, ABC):
    """Shared logic of the growing MLPs. Use the two estimators, not this class."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "growth": [StrOptions(GROWTH_NAMES)],  # the registered methods (_growth.register)
        "size_penalty": [Interval(Real, 0, None, closed="left")],
        "initial_size": [Interval(Real, 0, None, closed="left"), "array-like"],
        "target_size": [
            Interval(Real, 0, None, closed="left"),
            "array-like",
            StrOptions({"auto"}),
            None,
        ],
        "size_learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
            None,
        ],
        "new_neurons": [StrOptions(set(NEW_NEURONS))],
        "size_tol": [Interval(Real, 0, None, closed="left")],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
        "size_input": [StrOptions({"fraction", "neurons"})],
        "size_gradient": [StrOptions({"whole", "size_loss"})],
        "shared_size": ["boolean"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "dtype": [StrOptions(set(_TORCH_DTYPES))],
        "progress_bar": ["boolean"],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        loss,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        growth,
        size_penalty,
        initial_size,
        target_size,
        size_learning_rate,
        new_neurons,
        size_tol,
        weight_init,
        size_input,
        size_gradient,
        shared_size,
        device,
        dtype,
        progress_bar,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.growth = growth
        self.size_penalty = size_penalty
        self.initial_size = initial_size
        self.target_size = target_size
        self.size_learning_rate = size_learning_rate
        self.new_neurons = new_neurons
        self.size_tol = size_tol
        self.weight_init = weight_init
        self.size_input = size_input
        self.size_gradient = size_gradient
        self.shared_size = shared_size
        self.device = device
        self.dtype = dtype
        self.progress_bar = progress_bar

    # -- what differs between regression and classification ---------------------------------

    @abstractmethod
    def _validate_input(self, X, y, incremental, reset):
        """Validated X and the target as a 2-D float array."""

    @abstractmethod
    def _output_activation(self) -> str:
        """Name of the output activation, known once the target is seen."""

    @abstractmethod
    def _score_predictions(self, y_true, y_pred, sample_weight) -> float:
        """Validation score (accuracy or R^2) of network outputs ``y_pred``."""

    # -- fitting -------------------------------------------------------------------------------

    def _check_size_input(self) -> None:
        if self.size_gradient == "size_loss" and self.solver == "lbfgs":
            raise ValueError(
                "size_gradient='size_loss' needs solver='adam' or 'sgd': L-BFGS minimises one"
                " objective, whose gradient includes the task loss's part."
            )
        method = GROWTH_METHODS[self.growth]
        if method.grows and self.size_input not in method.size_inputs:
            raise ValueError(
                f"size_input={self.size_input!r} is not defined for growth={self.growth!r},"
                f" which takes size_input in {method.size_inputs} (size_input='neurons' is"
                " defined for growth='auxiliary': method A, whose size variable counts neurons)."
            )

    def _capacities(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if any(int(s) != s or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return tuple(int(s) for s in sizes)

    def _growth_settings(self, capacities) -> GrowthSettings:
        """The size loss: its coefficient and the size variable each layer is pulled to."""
        if isinstance(self.target_size, str):  # "auto": self-sizing sets the targets (_sizing)
            target = tuple(1.0 for _ in capacities)
        else:
            target = sizes_per_layer(self.target_size, capacities, "target_size")
        variable = GROWTH_METHODS[self.growth].variable
        variables = tuple(variable(s, c) for s, c in zip(target, capacities))
        shared = bool(self.shared_size) and len(capacities) > 1
        if shared:
            self._check_shared_size(capacities, target)
        return GrowthSettings(float(self.size_penalty), variables, shared)

    def _check_shared_size(self, capacities, target) -> None:
        """One size variable for every layer: the layers must be alike in capacity and in
        initial and target size."""
        if isinstance(self.target_size, str):
            raise ValueError(
                "shared_size=True cannot be combined with target_size='auto', which sizes"
                " each layer on its own."
            )
        initial = sizes_per_layer(self.initial_size, capacities, "initial_size")
        for name, values in (
            ("hidden_layer_sizes", capacities),
            ("initial_size", initial),
            ("target_size", target),
        ):
            if len(set(values)) > 1:
                raise ValueError(
                    f"shared_size=True needs every hidden layer alike: one size variable moves"
                    f" them all, but {name} differs between layers: {tuple(values)}."
                )

    def _initial_variables(self, capacities) -> tuple[float, ...]:
        """Size variable of each layer at the start of a fresh fit."""
        initial = sizes_per_layer(self.initial_size, capacities, "initial_size")
        variable = GROWTH_METHODS[self.growth].variable
        return tuple(variable(s, c) for s, c in zip(initial, capacities))

    def _random_state_for_fit(self) -> np.random.RandomState:
        # An unseeded fit draws fresh entropy instead of using numpy's global RNG.
        if self.random_state is None:
            return np.random.RandomState(np.random.SeedSequence().generate_state(1)[0])
        return check_random_state(self.random_state)

    def _architecture(self, n_features, capacities, n_outputs) -> Architecture:
        return Architecture(
            n_features=n_features,
            capacities=capacities,
            n_outputs=n_outputs,
            activation=self.activation,
            out_activation=self._output_activation(),
            growth=self.growth,
            size_input=self.size_input,
        )

    def _optimizer_settings(self) -> OptimizerSettings:
        return OptimizerSettings(
            solver=self.solver,
            learning_rate_init=self.learning_rate_init,
            learning_rate=self.learning_rate,
            power_t=self.power_t,
            momentum=self.momentum,
            nesterovs_momentum=self.nesterovs_momentum,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            size_penalty=self.size_penalty,
            size_learning_rate=self.size_learning_rate,
            self_sizing=isinstance(self.target_size, str),
            size_loss_only=self.size_gradient == "size_loss",
        )

    def _fit(self, X, y, sample_weight=None, incremental=False):
        """Fit or continue fitting; if anything fails the estimator is left as it was.

        A stochastic fit that an exception interrupts keeps its progress aside
        (``_interrupted_fit``) for a ``warm_start`` fit on the same data and
        parameters to resume (``_resumable_fit``).
        """
        before = dict(self.__dict__)

        def signature() -> str:  # of what decides the fit's result
            ignored = ("warm_start", "verbose", "progress_bar")
            params = {k: v for k, v in self.get_params().items() if k not in ignored}
            return joblib.hash((X, y, sample_weight, params))

        try:
            fitted = self._fit_or_fail(X, y, sample_weight, incremental, signature)
        except BaseException:
            progress = self.__dict__.get("_in_progress")
            self.__dict__.clear()
            self.__dict__.update(before)
            if progress is not None and progress[0].history.resume is not None and not incremental:
                state, split_state = progress
                try:
                    state.history.resume.signature = signature()
                except Exception:  # the data cannot be hashed: no resuming, same error
                    pass
                else:
                    state.history.resume.split_state = split_state
                    self._interrupted_fit = (state.network, state.history, state.optimizer)
            raise
        self.__dict__.pop("_interrupted_fit", None)
        return fitted

    def _resumable_fit(self, signature) -> tuple | None:
        """Copies of the network, history and optimiser of an interrupted fit with this
        ``signature``, to go on with; None where there is none."""
        parts = self.__dict__.get("_interrupted_fit")
        if parts is None and hasattr(self, "_history"):
            parts = (self._network, self._history, getattr(self, "_optimizer", None))
        if parts is None or parts[1].resume is None or parts[2] is None:
            return None
        if parts[1].resume.signature != signature():
            return None
        return copy.deepcopy(parts)

    def _fit_or_fail(self, X, y, sample_weight, incremental, signature):
        capacities = self._capacities()
        self._check_size_input()
        resumed = None
        if self.warm_start and not incremental and self.solver in _STOCHASTIC_SOLVERS:
            resumed = self._resumable_fit(signature)
        first_pass = resumed is None and (
            not hasattr(self, "_network") or (not self.warm_start and not incremental)
        )
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        # a fit resumed from one that failed has no fitted attributes yet: it sets them
        reset = first_pass or not hasattr(self, "n_features_in_")
        X, Y = self._validate_input(X, y, incremental, reset=reset)
        self._check_representable(X, Y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        if self.progress_bar:
            _require_tqdm()
        device = _resolve_device(self.device)
        rng = self._random_state_for_fit()
        if resumed is not None:
            network, history, optimizer = resumed
            network.to(device, self._training_dtype())
            optimizer.follow(network)
            rng.set_state(history.resume.split_state)
        else:
            network, history, optimizer = self._state_to_train(
                first_pass, capacities, X.shape[1], Y.shape[1], rng, device
            )
            history.resume = None  # another fit than the one that was interrupted

        state = FitState(network, history, optimizer)
        if self.solver in _STOCHASTIC_SOLVERS:
            batch_rows = self._batch_size(X.shape[0])
            split_state = rng.get_state()
            self._in_progress = (state, split_state)
            data, epochs, validation, sizing = self._stochastic_inputs(
                network, history, X, Y, sample_weight, rng, incremental
            )
            solver: StochasticSolver | LBFGSSolver = StochasticSolver(
                optimizer=self._optimizer_settings(),
                epochs=epochs,
                step_rows=batch_rows,
                planned_steps=None if incremental else self.max_iter * -(-X.shape[0] // batch_rows),
                # sklearn keeps the optimiser's state across partial_fit calls only
                keep_optimizer=resumed is not None or incremental,
            )
            if first_pass:
                network.start_at_constant(data.Y, data.sample_weight)
            train(
                state,
                data,
                solver,
                rng,
                incremental=incremental,
                validation=validation,
                sizing=sizing,
            )
            del self._in_progress
            if history.resume is not None and not incremental:  # Ctrl-C: resumable
                history.resume.signature = signature()
                history.resume.split_state = split_state
        else:
            step_rows = X.shape[0]  # the fit's rows, before self-sizing holds some out
            X, Y, sample_weight, sizing = self._prepare_sizing(
                network, history, X, Y, sample_weight, rng
            )
            solver = LBFGSSolver(
                alpha=self.alpha,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                verbose=bool(self.verbose),
                fitted_new_neurons=self.new_neurons == "fitted",
                step_rows=step_rows,
                fixed_sizes=self._lbfgs_holds_sizes(network),
                weight_init=self.weight_init,
            )
            data = self._to_tensors(X, Y, sample_weight, network)
            if first_pass:
                network.start_at_constant(data.Y, data.sample_weight)
            train(state, data, solver, rng, sizing=sizing)
        optimizer = state.optimizer
        self._network, self._history, self._optimizer = network, history, optimizer
        # sklearn keeps the weights' precision when training continues
        continued = not first_pass and hasattr(self, "coefs_")
        self._publish_fitted_attributes(self.coefs_[0].dtype if continued else X.dtype)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may"
                " contain large values and need to be preprocessed."
            )
        return self

    def _state_to_train(self, first_pass, capacities, n_features, n_outputs, rng, device):
        """Network, history and optimiser to train: new ones, or copies of the fitted ones."""
        growth = self._growth_settings(capacities)
        dtype = self._training_dtype()
        arch = self._architecture(n_features, capacities, n_outputs)
        if first_pass:
            initial_variables = self._initial_variables(capacities)
            network = GrowingNetwork.initialize(
                arch, growth, initial_variables, rng, dtype, device, self.weight_init
            )
            return network, TrainingHistory(early_stopping=self.early_stopping), None
        self._check_compatible(arch)
        # copies, so that a failing call leaves the fitted model as it was
        network, history, optimizer = copy.deepcopy(
            (self._network, self._history, getattr(self, "_optimizer", None))
        )
        if network.arch.capacities != capacities:
            network = network.with_capacities(capacities, rng, self.weight_init)
            if history.best_theta is not None:  # early stopping's best is of another shape
                history.best_theta, history.best_validation_score = None, -math.inf
        network.growth = growth
        if history.early_stopping != self.early_stopping:
            history.switch_early_stopping(self.early_stopping)
        if growth.shared and network.arch.growing and not network.sizes_are_shared():
            raise ValueError(
                "shared_size=True needs one size for every hidden layer, but this model's"
                f" layers were fitted apart and hold {network.continuous_sizes()} neurons;"
                " fit it afresh (warm_start=False) to share one size variable."
            )
        network.to(device, dtype)
        return network, history, optimizer

    def _training_dtype(self) -> torch.dtype:
        return _TORCH_DTYPES[self.dtype]

    def _check_representable(self, X, Y) -> None:
        """Values beyond float32's range would become infinite when training in float32."""
        if self.dtype != "float32":
            return
        limit = np.finfo(np.float32).max
        for name, values in (("X", X.data if sp.issparse(X) else X), ("y", Y)):
            if values.size and max(np.max(values), -np.min(values)) > limit:
                raise ValueError(
                    f"Input {name} contains values too large for dtype='float32' (largest "
                    f"magnitude {max(np.max(values), -np.min(values)):.3g}, float32 holds up "
                    f"to {limit:.3g}). Rescale the data or use dtype='float64'."
                )

    def _check_compatible(self, arch: Architecture) -> None:
        """Continuing training may change capacities, but not the kind of network."""
        old = self._network.arch
        if old.n_outputs != arch.n_outputs:
            raise ValueError(
                f"y has {arch.n_outputs} outputs but the fitted model has {old.n_outputs}."
            )
        for name in ("activation", "growth", "size_input"):
            if getattr(old, name) != getattr(arch, name):
                raise ValueError(
                    f"{name} cannot change when training continues (warm_start or "
                    f"partial_fit): the model has {getattr(old, name)!r}, the parameter is "
                    f"{getattr(arch, name)!r}. Fit from scratch with warm_start=False."
                )
        if old.n_hidden != arch.n_hidden:
            raise ValueError(
                "The number of hidden layers cannot change when training continues "
                f"(warm_start or partial_fit): the model has {old.capacities}, "
                f"hidden_layer_sizes is {arch.capacities}. Fit from scratch with "
                "warm_start=False."
            )

    def _to_tensors(self, X, Y, sample_weight, network) -> TrainingData:
        device, dtype = network.theta.device, network.theta.dtype
        X = X.tocsr() if sp.issparse(X) else _as_tensor(X, dtype, device)
        w = None if sample_weight is None else _as_tensor(sample_weight, dtype, device)
        return TrainingData(X, _as_tensor(Y, dtype, device), w)

    def _stochastic_inputs(self, network, history, X, Y, sample_weight, rng, incremental):
        """The training rows as tensors, the epochs' settings, the early-stopping score
        of the held-out rows (None without early stopping) and the self-sizing (None
        without it): the validation split first, then self-sizing's."""
        validation = None
        if self.early_stopping:
            X, X_val, Y, Y_val, sample_weight, w_val = self._split_validation(
                X, Y, sample_weight, rng
            )
            data_val = self._to_tensors(X_val, Y_val, w_val, network)

            def validation() -> tuple[float, float]:
                X_val_tensor = data_val.features()
                with torch.no_grad():
                    prediction = network.predict(X_val_tensor).double().cpu().numpy()
                    loss = network.task_loss(X_val_tensor, data_val.Y, data_val.sample_weight)
                return self._score_predictions(Y_val, prediction, w_val), loss

        settings = StochasticSettings(
            batch_size=self._batch_size(X.shape[0], warn=True),
            shuffle=self.shuffle,
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            alpha=self.alpha,
            verbose=bool(self.verbose),
            progress_bar=self.progress_bar,
            fitted_new_neurons=self.new_neurons == "fitted" and network.arch.growing,
            all_rows_in_one_batch=not incremental,
            size_loss_gradient=self.size_gradient == "size_loss" and network.arch.growing,
        )
        X, Y, sample_weight, sizing = self._prepare_sizing(
            network,
            history,
            X,
            Y,
            sample_weight,
            rng,
            data_val if self.early_stopping else None,
            incremental,
        )
        return self._to_tensors(X, Y, sample_weight, network), settings, validation, sizing

    def _prepare_sizing(
        self, network, history, X, Y, sample_weight, rng, validation_data=None, incremental=False
    ):
        """With ``target_size="auto"``: the rows to train on, and the self-sizing that
        judges widths on the others (None without it or once the widths are decided).

        With early stopping its ``validation_data`` are used; otherwise
        ``validation_fraction`` of the rows is held out until the widths are
        decided, drawn from the rows of weight above 0. With fewer than four
        of those nothing can be held out: a fit then gives each layer its
        whole capacity, and a ``partial_fit`` call trains at the current
        stage's widths, leaving the judging to later calls. So does a
        ``partial_fit`` call whose held-out rows all have the same target: a
        constant predicts them as well as any width, so they say nothing
        about the widths (in a fit, the first stage is then kept).
        """
        if not self._sizes_itself(network):
            return X, Y, sample_weight, None
        state = history.sizing
        if state is None:
            state = history.sizing = SizingState.start(
                network, self.size_tol, network.active_sizes(), self.max_iter
            )
        state.size_tol = self.size_tol
        state.apply(network)
        if state.done:
            return X, Y, sample_weight, None
        if validation_data is not None:
            sizing = SelfSizing(state, network, validation_data, verbose=self.verbose)
            return X, Y, sample_weight, sizing
        if rows_with_weight(X, sample_weight) < 4:
            if incremental:  # later calls judge
                return X, Y, sample_weight, None
            state.targets, state.done = [float(c) for c in network.arch.capacities], True
            state.apply(network)
            return X, Y, sample_weight, None
        X_fit, X_check, Y_fit, Y_check, w_fit, w_check = self._split_held_out(
            X, Y, sample_weight, rng
        )
        if incremental and all_alike(Y_check):  # later calls judge
            return X, Y, sample_weight, None
        full = self._to_tensors(X, Y, sample_weight, network)
        check = self._to_tensors(X_check, Y_check, w_check, network)
        sizing = SelfSizing(state, network, check, full, verbose=self.verbose)
        return X_fit, Y_fit, w_fit, sizing

    def _lbfgs_holds_sizes(self, network) -> bool:
        """Whether L-BFGS holds a growing ``network``'s size variables at their targets
        (self-sizing's stages, or skgrow's own growth dynamics: a full-batch quasi-Newton
        fit has no steps to pace growth by, and free size variables under the size
        loss's curvature stall it at short budgets) rather than optimise them within
        their bounds (the papers' rule, ``size_learning_rate=None``)."""
        if not network.arch.growing:
            return False
        return self._sizes_itself(network) or self.size_learning_rate is not None

    def _sizes_itself(self, network) -> bool:
        """Whether ``target_size='auto'`` sets ``network``'s widths (a growing one)."""
        return isinstance(self.target_size, str) and network.arch.growing

    def _split_held_out(self, X, Y, sample_weight, rng):
        """``validation_fraction`` of the rows (at least 2, at most half), stratified
        for classifiers where every class has two rows. Where some rows weigh nothing,
        of the others: a row of weight 0 says nothing of a width, so those all train,
        in a random order with the rest (as ``train_test_split`` leaves them: with
        ``shuffle=False``, rows of weight 0 at the end would make batches of none)."""
        if sample_weight is not None and not np.all(sample_weight > 0):
            weighted = sample_weight > 0
            parts = self._split_held_out(X[weighted], Y[weighted], sample_weight[weighted], rng)
            X_fit, X_check, Y_fit, Y_check, w_fit, w_check = parts
            rest = ~weighted
            stack = sp.vstack if sp.issparse(X) else np.concatenate
            order = rng.permutation(Y_fit.shape[0] + int(rest.sum()))
            X_fit = stack([X_fit, X[rest]])[order]
            Y_fit = np.concatenate([Y_fit, Y[rest]])[order]
            w_fit = np.concatenate([w_fit, sample_weight[rest]])[order]
            return X_fit, X_check, Y_fit, Y_check, w_fit, w_check
        n = X.shape[0]
        share = max(self.validation_fraction, min(HELD_OUT_SHARE, HELD_OUT_ROWS / n))
        n_check = min(n // 2, max(2, math.ceil(share * n)))
        stratify = self._stratification_labels(Y)
        if stratify is not None:
            _, counts = np.unique(stratify, return_counts=True)
            if counts.min() < 2 or n_check < len(counts):
                stratify = None
        return _split_rows(X, Y, sample_weight, rng, n_check, stratify)

    def _batch_size(self, n_samples: int, warn: bool = False) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        if warn and self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _split_validation(self, X, Y, sample_weight, rng):
        stratify = self._stratification_labels(Y)
        parts = _split_rows(X, Y, sample_weight, rng, self.validation_fraction, stratify)
        if parts[1].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        X_train, X_val, *_, w_train, w_val = parts
        if rows_with_weight(X_val, w_val) == 0:
            raise ValueError(
                f"The validation set's {X_val.shape[0]} rows all have sample_weight 0, so"
                " early stopping cannot score them. Give more rows a weight above 0 or"
                " increase 'validation_fraction'."
            )
        if rows_with_weight(X_train, w_train) == 0:
            raise ValueError(
                "Every row of sample_weight above 0 fell in early stopping's validation"
                f" set, and the {X_train.shape[0]} rows left to train on all have"
                " sample_weight 0. Give more rows a weight above 0 or lower"
                " 'validation_fraction'."
            )
        return parts

    def _stratification_labels(self, Y: np.ndarray) -> np.ndarray | None:
        """Labels whose proportions the held-out splits keep (classifiers); None: none."""
        return None

    def _publish_fitted_attributes(self, dtype: np.dtype) -> None:
        """The fitted attributes, weights in ``dtype`` (that of the training X, as sklearn)."""
        network, history = self._network, self._history
        self.n_iter_ = history.n_iter
        self.t_ = history.t
        self.loss_ = history.loss
        self.loss_curve_ = history.loss_curve
        self.size_loss_curve_ = history.size_loss_curve
        self.size_stages_ = None
        if history.sizing is not None and self._sizes_itself(network):
            self.size_stages_ = [
                (tuple(int(w) for w in widths), loss, kept)
                for widths, loss, kept in history.sizing.decisions
            ]
        self.size_curve_ = history.size_curve
        if self.solver in _STOCHASTIC_SOLVERS:
            self.best_loss_ = history.best_loss
            self.validation_scores_ = history.validation_scores
            self.best_validation_score_ = history.best_validation_score
            self.validation_loss_curve_ = history.validation_loss_curve
        self.n_outputs_ = network.arch.n_outputs
        self.n_layers_ = network.arch.n_hidden + 2
        self.out_activation_ = network.arch.out_activation
        self.hidden_layer_sizes_ = network.active_sizes()
        coefs, intercepts = fold_gates(network)
        self.coefs_ = [c.astype(dtype, copy=False) for c in coefs]
        self.intercepts_ = [b.astype(dtype, copy=False) for b in intercepts]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in
            regression).

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights. A mini-batch whose rows all weigh 0 is skipped: no
            step is taken on it.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    # -- prediction ----------------------------------------------------------------------------

    def _forward(self, X, check_input=True) -> np.ndarray:
        """Outputs of the fitted static-equivalent network (``coefs_``).

        Computed in float64, returned in the precision sklearn's MLPs return:
        float32 where both X and ``coefs_`` are float32, float64 otherwise.
        Rows go through in chunks so that memory stays bounded for large X.
        """
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr"], reset=False)
        device = self._prediction_device()
        coefs = [_as_tensor(c, torch.float64, device) for c in self.coefs_]
        intercepts = [_as_tensor(b, torch.float64, device) for b in self.intercepts_]
        widest = max(c.shape[1] for c in self.coefs_)
        chunk = max(1024, _PREDICT_CHUNK_ELEMENTS // max(widest, 1))
        outputs = []
        for start in range(0, X.shape[0], chunk):
            rows = X[start : start + chunk]
            rows = rows.toarray() if sp.issparse(rows) else rows
            with torch.no_grad():
                out = static_forward(
                    _as_tensor(rows, torch.float64, device),
                    coefs,
                    intercepts,
                    self._network.arch.activation,
                    self.out_activation_,
                )
            outputs.append(out.cpu().numpy())
        return np.concatenate(outputs).astype(
            np.result_type(X.dtype, self.coefs_[0].dtype), copy=False
        )

    # -- export --------------------------------------------------------------------------------

    def to_sklearn(self):
        """The fitted model as a plain, fitted sklearn MLP (no torch needed to use it).

        Returns
        -------
        mlp : MLPRegressor or MLPClassifier
            With ``hidden_layer_sizes`` equal to this model's
            ``hidden_layer_sizes_`` (an empty layer keeps one neuron that feeds
            nothing forward) and the same predictions.
        """
        check_is_fitted(self)
        return to_sklearn(self)

    @classmethod
    def from_sklearn(cls, mlp, **params):
        """A fitted growing model that starts where a fitted sklearn MLP is.

        Parameters
        ----------
        mlp : MLPRegressor or MLPClassifier
            A fitted sklearn MLP of the same kind (regressor or classifier).

        **params
            Parameters of the new model. Those it shares with sklearn default
            to ``mlp``'s, ``warm_start`` to True (so that ``fit`` continues
            training), the others to their defaults. ``hidden_layer_sizes``
            may exceed ``mlp``'s widths: the extra neurons start inactive and
            the layers can grow into them.

        Returns
        -------
        model : GrowingMLPRegressor or GrowingMLPClassifier
            Fitted: ``coefs_`` and ``intercepts_`` are copies of ``mlp``'s, so
            the first predictions are sklearn's. Training continues from those
            weights in ``dtype`` (rounded to float32 by default) with a fresh
            optimiser; ``loss_curve_`` begins with sklearn's epochs.

        Examples
        --------
        >>> import warnings
        >>> from sklearn.datasets import make_friedman1
        >>> from sklearn.neural_network import MLPRegressor
        >>> from skgrow import GrowingMLPRegressor
        >>> X, y = make_friedman1(n_samples=300, random_state=0)
        >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
        >>> with warnings.catch_warnings():  # 50 epochs do not converge
        ...     warnings.simplefilter("ignore")
        ...     mlp = mlp.fit(X, y)
        >>> model = GrowingMLPRegressor.from_sklearn(mlp, hidden_layer_sizes=(32,))
        >>> import numpy as np
        >>> bool(np.allclose(model.predict(X), mlp.predict(X), rtol=1e-13))
        True
        >>> model.hidden_layer_sizes_, model.fit(X, y).hidden_layer_sizes_[0] > 8
        ((8,), True)
        """
        return from_sklearn(cls, mlp, params)

    def to_torch(self, dtype=None):
        """The fitted model as a ``torch.nn.Sequential`` of Linear and activation modules.

        Parameters
        ----------
        dtype : torch.dtype, default=None
            Precision of the module; None uses the training ``dtype``.

        Returns
        -------
        module : torch.nn.Sequential
            Maps a (n_samples, n_features) tensor to what ``predict`` returns
            for regression, or to ``predict_proba``'s positive-class (binary,
            multilabel) or class (multiclass) probabilities.
        """
        check_is_fitted(self)
        return to_torch(self, _TORCH_DTYPES[self.dtype] if dtype is None else dtype)

    def _prediction_device(self) -> torch.device:
        """The device to predict on; the CPU, with a warning, where a GPU is asked for
        but there is none (a model trained on a GPU and loaded elsewhere)."""
        if self.device == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                "This model was set to device='cuda' but CUDA is not available; predicting "
                "on the CPU. set_params(device='cpu') silences this warning.",
                UserWarning,
            )
            return torch.device("cpu")
        return _resolve_device(self.device)

    # -- persistence ---------------------------------------------------------------------------

    def __getstate__(self):
        """Parameters and fitted attributes, the network and its training as plain data
        (``_persistence``): loading trusts no skgrow type but the estimator."""
        state = dict(super().__getstate__())  # a copy: object's is the live __dict__
        if "_network" in state:
            from skgrow import __version__

            parts = (state.pop("_network"), state.pop("_history"), state.pop("_optimizer", None))
            state["_fitted_state"] = fitted_state(*parts)
            state["_skgrow_version"] = __version__
        if "_interrupted_fit" in state:
            from skgrow import __version__

            state["_interrupted_fit"] = fitted_state(*state["_interrupted_fit"])
            state["_skgrow_version"] = __version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        # a parameter added after the model was saved takes its default
        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if name != "self" and name not in state:
                state[name] = parameter.default
        if "_fitted_state" in state:
            saved_by = state.get("_skgrow_version", "unknown")
            parts = restore_fitted_state(state.pop("_fitted_state"), saved_by)
            state["_network"], state["_history"], state["_optimizer"] = parts
        if "_interrupted_fit" in state:
            saved_by = state.get("_skgrow_version", "unknown")
            state["_interrupted_fit"] = restore_fitted_state(state["_interrupted_fit"], saved_by)
        state.pop("_skgrow_version", None)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
