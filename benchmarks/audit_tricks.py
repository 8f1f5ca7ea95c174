"""Which speed tricks pay? Each one removed, timed side by side with the code that has it.

Every trick of the core has a patch in ``benchmarks/tricks/`` that replaces
it with the plain code (same results, or results that differ by rounding
only). For each patch the committed code (with the trick) and the same code
with the patch applied (without it) run ``compare_speed.py``'s configurations,
each timed in one tree and straight after in the other; a configuration's
figure is the median over the repeats of the ratio of those two times. A
trick stays where removing it makes some configuration at least
``KEEP_AT`` times slower, twice: in the run over every configuration and
again when that configuration is timed alone (``CONFIRMING_REPEATS``
repeats); the rest are taken out of the code. The first entry, the
control, times the committed code against itself: what noise alone makes
of the rule.

    python benchmarks/audit_tricks.py [--repeats 3] [--only NAME ...]

Results: ``results/tricks.json``, resumable (a patch already measured at the
same text is skipped), and a table on standard output. ``bench_speed.py``
reports the verdicts in docs/speed.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from compare_speed import compare_trees, configurations, worktrees

ROOT = Path(__file__).parent.parent
PATCHES = Path(__file__).parent / "tricks"
RESULTS = Path(__file__).parent / "results" / "tricks.json"
KEEP_AT = 1.05  # a trick stays where it buys at least 5 %
CONFIRMING_REPEATS = 5  # repeats of a configuration timed again alone
RATIO = "median_ratio"  # what the rule reads: the median of the repeats' paired ratios

# the committed code against itself: how far apart two identical trees time here
CONTROL = "control"
# what each trick does; its patch, ``tricks/<name>.patch``, does without it
TRICKS = {
    CONTROL: "none: the committed code against itself (this measurement's noise)",
    "memoryview-gate-rows": "gate rows written through memoryviews, not numpy slices",
    "host-size-variables": "size variables read, stepped and clipped as host floats "
    "through a memoryview, not by torch operations",
    "host-shared-gate-rows": "gate rows that share memory with the host array, "
    "not copied to the tensor every step",
    "rounding-cell": "float32 rounding through a one-element buffer, not a numpy scalar",
    "block-view-cache": "views of the computed blocks kept until a block changes, "
    "not rebuilt every step",
    "fused-first-layer-l2": "the first layer's weights and size weights masked "
    "in one product, not two",
    "activation-workspace": "activations written into reused buffers, not allocated every step",
    "fused-activation-backward": "the activation's gradient by aten's backward kernels, "
    "not by tensor arithmetic",
    "fused-adam": "torch's one-kernel Adam update, not the update in tensor operations",
    "one-thread-small-steps": "one torch thread for small steps, not the thread pool",
    "chunked-gathers": "rows gathered per 4 MiB chunk, not per batch",
    "host-epoch-loss": "the epoch loss summed as host floats, not as a tensor",
    "top-left-strided": "a block of a weight matrix made by one as_strided, not by slicing",
    "inference-mode": "training in torch's inference mode, not under no_grad",
    "constant-tensors": "the batch's 1 / weight sum kept as a 0-d tensor, "
    "not passed as a Python float",
    "sum-divergence-check": "divergence told by the sum of the weights (each weight asked "
    "only where that sum is not finite), not by asking each weight every epoch",
    "gate-rows-per-size": "gate rows written only where a layer's size variable changed, "
    "not every step",
    "new-neurons-per-size": "new neurons looked for only where the size variables or the "
    "grown widths changed, not every step",
    "size-task-gradient-on-demand": "the size variables' gradient of the whole loss computed "
    "only where a step reads it, not in every step",
    "ungated-held-out-forward": "self-sizing's held-out rows passed through the layers "
    "without a gate product where no neuron is partly on",
    "held-out-pass-views": "self-sizing's held-out pass through views of the active neurons "
    "kept while the widths stay, its row losses computed in place and made float64 by numpy, "
    "not sliced, allocated and converted by torch every epoch",
}


# tricks that stay although the audit, one trick at a time, would take them out
TOGETHER = (
    "under 5 % alone, but taken out together with the other three of this kind, the growing "
    "configurations ran up to 12 % slower than the code before the core's redesign "
    "(results/compare_speed_without_four.json)"
)
SMALL_FITS = (
    "under 5 % alone, but taken out together with the other four of this kind, the "
    "self-sizing configuration ran 22 % slower (results/compare_speed_without_five.json)"
)
KEPT_FOR = {
    "one-thread-small-steps": "a small network trains on one thread wherever it is fitted, "
    "so a grid search gives the same models with n_jobs=1 as in parallel "
    "(tests/test_reliability.py); without it, on this otherwise idle machine, two threads "
    "ran the width-1000 configurations up to 22 % faster, the rest alike: a speed left "
    "for reproducibility",
    "memoryview-gate-rows": TOGETHER,
    "rounding-cell": TOGETHER,
    "fused-first-layer-l2": TOGETHER,
    "host-epoch-loss": TOGETHER,
    "sum-divergence-check": SMALL_FITS,
    "gate-rows-per-size": SMALL_FITS,
    "new-neurons-per-size": SMALL_FITS,
    "size-task-gradient-on-demand": SMALL_FITS,
    "ungated-held-out-forward": SMALL_FITS,
    "held-out-pass-views": "under 5 % alone on the self-sizing configuration (1,000 rows, "
    "four steps an epoch), but where an epoch is one or two steps, as on most of the "
    "benchmark's own width data sets, it takes about 3 % off a whole self-sizing fit (the "
    "median change of own width's 45 (data set, seed) compute ratios against the run "
    "before it, every fit the same), and own width's median compute rests on it (0.096 of "
    "the grid's over 3 seeds, where the code before it measured 0.103)",
}


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@contextmanager
def trees(name: str) -> Iterator[tuple[Path, Path]]:
    """Worktrees of the committed code with the trick ``name`` and without it."""
    with worktrees({"with": "HEAD", "without": "HEAD"}) as checked_out:
        with_trick, without = checked_out["with"], checked_out["without"]
        if name != CONTROL:
            patch = PATCHES / f"{name}.patch"
            subprocess.run(["git", "-C", str(without), "apply", str(patch)], check=True)
        yield with_trick, without


def measure(name: str, repeats: int) -> dict:
    """Time the committed code against it without the trick ``name``."""
    patch = PATCHES / f"{name}.patch"  # the control's is empty
    with trees(name) as (with_trick, without):
        rows = compare_trees(with_trick, without, configurations(False), repeats)
    worst = max(rows, key=lambda row: row[RATIO])
    return {
        "trick": TRICKS[name],
        "patch_sha": hashlib.sha256(patch.read_bytes()).hexdigest(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "repeats": repeats,
        "rows": rows,
        "largest_ratio": worst[RATIO],
        "largest_at": worst["configuration"],
        "same_results": all(row["same_results"] for row in rows),
    }


def confirm(name: str, result: dict, repeats: int) -> None:
    """Time again, alone, each configuration that came out at least ``KEEP_AT`` slower
    without the trick, slowest first, until one does so again: the trick stays only
    then (noise alone reaches ``KEEP_AT`` now and then, the control shows how often)."""
    flagged = sorted(
        (row for row in result["rows"] if row[RATIO] >= KEEP_AT), key=lambda row: -row[RATIO]
    )
    runs = {run[0]: run for run in configurations(False)}
    result["confirmations"] = []
    result["stays"] = False
    if not flagged:
        return
    with trees(name) as (with_trick, without):
        for row in flagged:
            again = compare_trees(with_trick, without, [runs[row["configuration"]]], repeats)[0]
            result["confirmations"].append(again)
            if again[RATIO] >= KEEP_AT:
                result["stays"] = True
                result["largest_ratio"] = min(row[RATIO], again[RATIO])
                result["largest_at"] = row["configuration"]
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=sorted(TRICKS), help="these tricks only")
    args = parser.parse_args()
    if git("status", "--porcelain", "--", "skgrow"):
        sys.exit("commit the package first: the tricks are measured against HEAD")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in args.only or TRICKS:
        if name in results:
            results[name]["kept_for"] = KEPT_FOR.get(name)
        patch = PATCHES / f"{name}.patch"
        if not patch.exists():  # taken out of the code: its verdict stays on record
            continue
        sha = hashlib.sha256(patch.read_bytes()).hexdigest()
        measured = name in results and results[name]["patch_sha"] == sha and not args.only
        if measured and "confirmations" in results[name]:
            continue
        print(f"{name}: {TRICKS[name]}", flush=True)
        if not measured:
            results[name] = measure(name, args.repeats)
        confirm(name, results[name], CONFIRMING_REPEATS)
        RESULTS.write_text(json.dumps(results, indent=1))
    RESULTS.write_text(json.dumps(results, indent=1))
    print(f"{'trick':28s} {'largest without/with':>21s}  at")
    for name, result in results.items():
        verdict = "stays" if result["stays"] else "kept" if result.get("kept_for") else "goes"
        print(f"{name:28s} {result['largest_ratio']:21.3f}  {result['largest_at']} ({verdict})")


if __name__ == "__main__":
    main()
