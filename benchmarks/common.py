"""Pieces shared by the benchmark scripts.

Fixed-length training, a resumable JSON store of results (one row per finished
cell, written as soon as the cell finishes), paired statistics of growing
against static runs, and a description of the machine and code that produced
the numbers.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
import sklearn
import torch
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

RESULTS_DIR = Path(__file__).parent / "results"

# A run of exactly ``max_iter`` epochs: sklearn's stopping rule never fires.
FIXED_EPOCHS = {"tol": 0.0, "n_iter_no_change": 10**9}


def limit_threads(n_threads: int) -> None:
    """Use ``n_threads`` threads in torch and in numpy's BLAS for the rest of the process.

    One thread per process keeps timings comparable on a shared machine and
    lets two benchmarks run side by side on two cores.
    """
    torch.set_num_threads(n_threads)
    threadpool_limits(limits=n_threads)


def add_shard_argument(parser) -> None:
    """``--shard K/N``: run the K-th of N parts of a plan (N processes share one file)."""
    parser.add_argument(
        "--shard",
        default="0/1",
        help="K/N: run the K-th of N parts of the plan (start N processes to use N cores)",
    )


def parsed_shard(parser, text: str) -> tuple[int, int]:
    """``(K, N)`` of a ``--shard K/N`` value; the parser reports a malformed one."""
    shard = tuple(int(part) for part in text.split("/"))
    if len(shard) != 2 or not 0 <= shard[0] < shard[1]:
        parser.error(f"--shard must be K/N with 0 <= K < N, got {text!r}")
    return shard


def fit_quietly(model, X, y) -> float:
    """Fit without ConvergenceWarning (fixed-length runs always reach max_iter); seconds."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - start


def parameter_count(model) -> int:
    """Weights and biases of a fitted MLP (or the last step of a pipeline)."""
    model = model.steps[-1][1] if hasattr(model, "steps") else model
    return int(sum(c.size for c in model.coefs_) + sum(b.size for b in model.intercepts_))


def curve_epochs(n_epochs: int, n_points: int = 120) -> list[int]:
    """About ``n_points`` epoch indices (0-based), dense at the start and spread to the end."""
    if n_epochs <= n_points:
        return list(range(n_epochs))
    spread = np.geomspace(1, n_epochs, n_points // 2) - 1
    even = np.linspace(0, n_epochs - 1, n_points // 2)
    return sorted({int(round(i)) for i in np.concatenate([spread, even])})


def rounded(values: Iterable[float], digits: int = 5) -> list[float]:
    """Values rounded to ``digits`` significant digits, to keep the JSON small."""
    return [float(f"{v:.{digits}g}") for v in values]


def command_line() -> str:
    """How this script was started, relative to the repository root."""
    return shlex.join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])


def git_commit() -> str:
    try:
        output = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return output.stdout.strip()


def machine_description() -> str:
    return (
        f"{os.cpu_count()} CPU cores ({platform.machine()}), torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )


def worker_rows(script: str, contestant: str, cells: list, tree: Path) -> Iterator[dict]:
    """Run ``script --worker`` for ``contestant`` on ``cells`` in a process of its own, with
    ``tree`` first on the path, and yield each row (a JSON line) it writes.

    A row's ``skgrow`` field says where its skgrow came from ("" for sklearn); it
    is checked against ``tree`` and dropped. Raises RuntimeError when the worker
    ran another tree's skgrow or failed."""
    command = [sys.executable, str(Path(script).resolve()), "--worker"]
    command.append(json.dumps([contestant, cells]))
    path = os.pathsep.join([str(tree), str(Path(script).parent)])
    worker = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": path}
    )
    assert worker.stdout is not None
    for line in worker.stdout:
        row = json.loads(line)
        imported = row.pop("skgrow")
        if imported and not imported.startswith(str(tree)):
            raise RuntimeError(f"{contestant} ran the skgrow of {imported}, not of {tree}")
        yield row
    if worker.wait() != 0:
        raise RuntimeError(f"the worker for {contestant} failed (exit {worker.returncode})")


class ResultStore:
    """One JSON file of finished cells, rewritten after every cell so a run can resume.

    A cell is identified by the values of ``key_fields``; ``done`` says whether
    a cell with those values is already stored. The file holds
    ``{"meta": {...}, "rows": [...]}``; ``meta`` records the command, dates,
    machine and code version of every run that added rows.
    """

    def __init__(self, path: Path, key_fields: Sequence[str], meta: dict):
        self.path = Path(path)
        self.key_fields = tuple(key_fields)
        stored = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.rows: list[dict] = stored.get("rows", [])
        self.meta = stored.get("meta", {})
        self.meta.update({k: v for k, v in meta.items() if k != "runs"})
        run = {
            "id": uuid.uuid4().hex,
            "command": meta.get("command", ""),
            "started": date.today().isoformat(),
            "machine": machine_description(),
            "skgrow_commit": git_commit(),
        }
        self.meta.setdefault("runs", []).append(run)
        self._keys = {self.key(row) for row in self.rows}

    def key(self, cell: dict) -> str:
        return json.dumps([cell[field] for field in self.key_fields])

    def done(self, cell: dict) -> bool:
        return self.key(cell) in self._keys

    def add(self, row: dict) -> None:
        self.rows.append(row)
        self._keys.add(self.key(row))
        self.save()

    def plan(self, n_planned: int) -> None:
        """Record how many cells this run will hold when it is complete."""
        self.meta["cells_planned"] = n_planned
        self.meta["complete"] = len(self.rows) >= n_planned
        self.save()

    def finish(self, n_planned: int) -> None:
        """Record how many cells the run planned and whether all of them are stored."""
        self.meta["cells_planned"] = n_planned
        self.meta["cells_done"] = len(self.rows)
        self.meta["complete"] = len(self.rows) >= n_planned
        self.meta["runs"][-1]["finished"] = date.today().isoformat()
        self.save()

    def save(self) -> None:
        """Write the file, first taking in rows that other processes stored meanwhile.

        Several processes may share one file (``--shard`` of bench_paper.py): a lock
        serialises the read-merge-write, and each cell is stored once.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with locked(self.path.with_suffix(".json.lock")):
            self._merge_stored()
            partial = self.path.with_suffix(".json.partial")
            partial.write_text(json.dumps({"meta": self.meta, "rows": self.rows}, indent=1))
            partial.replace(self.path)

    def _merge_stored(self) -> None:
        if not self.path.exists():
            return
        stored = json.loads(self.path.read_text())
        for row in stored.get("rows", []):
            if self.key(row) not in self._keys:
                self.rows.append(row)
                self._keys.add(self.key(row))
        own = self.meta["runs"][-1]
        stored_runs = stored.get("meta", {}).get("runs", [])
        self.meta["runs"] = [run for run in stored_runs if run.get("id") != own["id"]] + [own]


@contextmanager
def locked(lock_path: Path):
    """An exclusive lock on ``lock_path`` for the duration of the block (POSIX; elsewhere none)."""
    try:
        import fcntl
    except ImportError:  # Windows: one process per results file
        yield
        return
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def paired_summary(growing: Sequence[float], reference: Sequence[float]) -> dict:
    """Compare paired test losses (lower is better) of growing and reference runs.

    Returns the mean and standard error of each, the ratio of the means, the
    geometric mean of the per-seed ratios with its standard error in log
    space, the win rate of the growing run (ties count half) and the two-sided
    p-value of the Wilcoxon signed-rank test on the paired differences.
    """
    g, s = np.asarray(growing, dtype=float), np.asarray(reference, dtype=float)
    n = len(g)
    log_ratio = np.log(g / s)
    sem = lambda a: float(np.std(a, ddof=1) / math.sqrt(len(a))) if len(a) > 1 else math.nan
    differences = g - s
    if n >= 2 and np.any(differences != 0):
        p_value = float(stats.wilcoxon(g, s).pvalue)
    else:
        p_value = math.nan
    return {
        "n": n,
        "growing_mean": float(g.mean()),
        "growing_sem": sem(g),
        "reference_mean": float(s.mean()),
        "reference_sem": sem(s),
        "ratio_of_means": float(g.mean() / s.mean()),
        "geometric_mean_ratio": float(np.exp(log_ratio.mean())),
        "log_ratio_sem": sem(log_ratio),
        "win_rate": float(np.mean(g < s) + 0.5 * np.mean(g == s)),
        "wilcoxon_p": p_value,
    }
