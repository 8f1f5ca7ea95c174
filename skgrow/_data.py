"""The training rows on the training device, as every solver and self-sizing read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import scipy.sparse as sp
import torch

Tensor = torch.Tensor


@dataclass
class TrainingData:
    """Training rows on the training device.

    ``X`` is a tensor, or a scipy CSR matrix whose batches are densified one
    at a time. ``order`` is sklearn's running sample permutation, kept so
    that shuffling matches sklearn draw for draw.
    """

    X: Tensor | sp.csr_matrix
    Y: Tensor
    sample_weight: Tensor | None
    order: np.ndarray = field(init=False)
    _weighted: np.ndarray | None = field(init=False, default=None)  # weight above 0, host
    _dense: Tensor | None = field(init=False, default=None)
    _buffers: dict[str, Tensor] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.order = np.arange(self.X.shape[0])

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    def features(self, index: Tensor | None = None) -> Tensor:
        """Rows ``index`` of X as a dense tensor (all rows when None)."""
        if not sp.issparse(self.X):
            return self.X if index is None else self.X.index_select(0, index)
        like = self.Y
        matrix = cast("sp.csr_matrix", self.X)
        if index is not None:
            rows = matrix[index.cpu().numpy()].toarray()
            return torch.as_tensor(rows, dtype=like.dtype, device=like.device)
        if self._dense is None:
            dense = matrix.toarray()
            self._dense = torch.as_tensor(dense, dtype=like.dtype, device=like.device)
        return self._dense

    def batches_with_weight(self, start: int, stop: int, batch_size: int) -> np.ndarray | None:
        """Whether each batch of rows ``order[start:stop]``, cut every ``batch_size``, holds
        a row of weight above 0 (None without sample weights: every batch does)."""
        if self.sample_weight is None:
            return None
        if self._weighted is None:
            self._weighted = (self.sample_weight > 0).cpu().numpy()
        weighted = self._weighted[self.order[start:stop]]
        return np.add.reduceat(weighted, np.arange(0, weighted.size, batch_size)) > 0

    def rows(self, index: Tensor, capacity: int) -> tuple[Tensor, Tensor, Tensor | None]:
        """X, Y and sample weights of rows ``index``.

        Dense rows are gathered into buffers of ``capacity`` rows that the
        next call overwrites: allocating a fresh chunk each time fragments
        the heap, which shows as resident memory.
        """
        weights = self.sample_weight
        if sp.issparse(self.X):
            w = None if weights is None else weights.index_select(0, index)
            return self.features(index), self.Y.index_select(0, index), w
        gathered: list[Tensor | None] = []
        for name, source in (("X", self.X), ("Y", self.Y), ("w", weights)):
            if source is None:
                gathered.append(None)
                continue
            buffer = self._buffers.get(name)
            if buffer is None or buffer.shape[0] < capacity:
                buffer = self._buffers[name] = source.new_empty((capacity, *source.shape[1:]))
            gathered.append(torch.index_select(source, 0, index, out=buffer[: index.shape[0]]))
        # X and Y are never None, only the weights
        return cast("tuple[Tensor, Tensor, Tensor | None]", tuple(gathered))


def rows_with_weight(
    X: Tensor | np.ndarray | sp.spmatrix, sample_weight: Tensor | np.ndarray | None
) -> int:
    """The rows that count: those of weight above 0 (every row without weights); of
    numpy arrays or tensors alike."""
    return X.shape[0] if sample_weight is None else int((sample_weight > 0).sum())
