"""The fitted state of an estimator as plain data, and back.

A fitted estimator keeps a network, its training history and the
optimiser's state. Saved (pickle, joblib, skops), they become one dict of
builtins and numpy arrays, tagged with a format version: loading needs to
trust no skgrow type but the estimators, tensors saved on a GPU load on any
machine, and a state written by a later, unknown format fails with an error
naming both versions.

Records (dataclasses) are written as their fields under the record's name;
only the names in ``_RECORDS`` are read back, so a loaded state can build
nothing else. A field added in a later version takes its default when an
older state lacks it; any other change to the state raises ``FORMAT_VERSION``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch

from skgrow._layout import Architecture, GrowthSettings
from skgrow._network import GrowingNetwork
from skgrow._sizing import SizingState, StageWeights
from skgrow._training import (
    AdamOptimizer,
    FlatOptimizer,
    ResumePoint,
    SGDOptimizer,
    SizeSteps,
    TrainingHistory,
    fused_adam_available,
)

# Raise when the saved state changes so that older skgrow versions cannot read it.
FORMAT_VERSION = 1

_RECORDS = {
    cls.__name__: cls
    for cls in (
        Architecture,
        GrowthSettings,
        TrainingHistory,
        SizingState,
        StageWeights,
        SizeSteps,
        ResumePoint,
    )
}
_OPTIMIZERS: dict[str, type[FlatOptimizer]] = {"adam": AdamOptimizer, "sgd": SGDOptimizer}
_TENSOR_DTYPES = ("float32", "float64", "float16", "bfloat16")
_TRANSIENT = ("network", "_views")  # optimiser attributes rebuilt on loading


class _ArrayOfTensor:
    """A tensor as states saved before the versioned format held it (found by such a state
    as ``skgrow._training._ArrayOfTensor``): loading one fails with a clear error."""

    def __setstate__(self, state: object) -> None:
        raise ValueError(
            "This model was saved by a development version of skgrow from before its "
            "versioned state format; fit it again with this version."
        )


def fitted_state(
    network: GrowingNetwork, history: TrainingHistory, optimizer: FlatOptimizer | None
) -> dict[str, Any]:
    """The fitted state as builtins and numpy arrays."""
    state: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "network": {
            "arch": _plain(network.arch),
            "growth": _plain(network.growth),
            "theta": _plain(network.theta),
            "grown": [int(n) for n in network.grown],
        },
        "history": _plain(history),
        "optimizer": None,
    }
    if optimizer is not None:
        kind = next(name for name, cls in _OPTIMIZERS.items() if type(optimizer) is cls)
        fields = {k: v for k, v in vars(optimizer).items() if k not in _TRANSIENT}
        state["optimizer"] = {"kind": kind, "fields": _plain(fields)}
    return state


def restore_fitted_state(
    state: dict[str, Any], saved_by: str
) -> tuple[GrowingNetwork, TrainingHistory, FlatOptimizer | None]:
    """Network, history and optimiser from ``fitted_state``'s output.

    ``saved_by`` names the skgrow version that saved it, for the error
    raised when its format is newer than this version reads.
    """
    from skgrow import __version__

    version = state.get("format")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"This model was saved by skgrow {saved_by} in state format {version}; this "
            f"skgrow {__version__} reads formats up to {FORMAT_VERSION}. Load it with "
            f"skgrow {saved_by} or later."
        )
    saved = state["network"]
    theta = _restored(saved["theta"])
    network = GrowingNetwork(
        _restored(saved["arch"]), _restored(saved["growth"]), theta, saved["grown"]
    )
    history = _restored(state["history"])
    optimizer: FlatOptimizer | None = None
    if state["optimizer"] is not None:
        optimizer = object.__new__(_OPTIMIZERS[state["optimizer"]["kind"]])
        vars(optimizer).update(_restored(state["optimizer"]["fields"]))
        optimizer.network = network
        if isinstance(optimizer, AdamOptimizer):
            optimizer.fused = fused_adam_available(theta)
    return network, history, optimizer


def _plain(value: Any) -> Any:
    """``value`` in builtins and numpy arrays (tensors, records and slices tagged)."""
    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        return {"__tensor__": value.detach().cpu().numpy().copy(), "dtype": dtype}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__record__": type(value).__name__, "fields": fields}
    if isinstance(value, slice):
        return {"__slice__": [value.start, value.stop, value.step]}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, np.ndarray):
        return value.copy()
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return value
    raise TypeError(f"cannot save a {type(value).__name__} in the fitted state")


def _restored(value: Any) -> Any:
    if isinstance(value, dict):
        if "__tensor__" in value:
            if value["dtype"] not in _TENSOR_DTYPES:
                raise ValueError(f"the saved state holds a tensor of dtype {value['dtype']!r}")
            array = np.array(value["__tensor__"])
            return torch.from_numpy(array).to(getattr(torch, value["dtype"]))
        if "__record__" in value:
            return _restored_record(_RECORDS[value["__record__"]], value["fields"])
        if "__slice__" in value:
            return slice(*value["__slice__"])
        return {key: _restored(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_restored(item) for item in value)
    return value


def _restored_record(cls: type, saved: dict[str, Any]) -> Any:
    """The saved fields as they were (no ``__init__`` run); a field that the saving
    version did not have takes its default."""
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = set(saved) - known
    if unknown:
        raise ValueError(f"the saved {cls.__name__} has unknown fields {sorted(unknown)}")
    values = {name: _restored(item) for name, item in saved.items()}
    for field in dataclasses.fields(cls):
        if field.name in values:
            continue
        if field.default is not dataclasses.MISSING:
            values[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            values[field.name] = field.default_factory()
        else:
            raise ValueError(f"the saved {cls.__name__} lacks its field {field.name!r}")
    record: object = object.__new__(cls)
    vars(record).update(values)
    return record
