"""Statistics of the benchmark results, for ``report.py``: growing against its reference.

Every function takes the stored rows (or a summary of them) as a pandas
DataFrame and returns a DataFrame with one row per compared setting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from common import paired_summary
from scipy import stats

SIGNIFICANT = 0.05


def complete_groups(rows: pd.DataFrame, index: list[str], column: str, expected) -> pd.DataFrame:
    """The rows whose group (``index``) holds ``expected`` distinct values of ``column``.

    ``expected`` is a number or a per-row series. A run still in progress can
    have stored the growing run of a seed but not yet its reference; such
    halves are left out of every statistic and figure.
    """
    present = rows.groupby(index, sort=False)[column].transform("nunique")
    return rows[present == expected].reset_index(drop=True)


def paired(rows: pd.DataFrame, index: list[str], value: str) -> pd.DataFrame:
    """One row per (index..., seed) with the growing and the reference value side by side."""
    rows = rows.assign(side=np.where(rows["run"] == "growing", "growing", "reference"))
    table = rows.pivot_table(index=[*index, "seed"], columns="side", values=value)
    return table.dropna().reset_index()


def summarise_pairs(pairs: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    summaries = []
    for key, group in pairs.groupby(index, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        summary = paired_summary(group["growing"], group["reference"])
        summaries.append(dict(zip(index, key), **summary))
    return pd.DataFrame(summaries)


def paper_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per comparison: paired test-loss statistics, sizes, accuracies, baseline."""
    summary = summarise_pairs(paired(rows, ["comparison"], "test_loss"), ["comparison"])
    order = [c for c in dict.fromkeys(rows["comparison"]) if c in set(summary["comparison"])]
    summary = summary.set_index("comparison").loc[order].reset_index()
    extra = rows.groupby(["comparison", "run"])[["final_continuous_size", "baseline_test_loss"]]
    means = extra.mean().unstack("run")
    summary["growing_size"] = [means.loc[c, ("final_continuous_size", "growing")] for c in order]
    summary["reference_size"] = [
        means.loc[c, "final_continuous_size"].drop("growing").dropna().iloc[0] for c in order
    ]
    summary["baseline"] = [means.loc[c, ("baseline_test_loss", "growing")] for c in order]
    # how far from the function itself the growing network is: the noiseless loss where known
    growing = rows[rows["run"] == "growing"].groupby("comparison")
    noiseless = growing["test_loss_noiseless"].mean() if "test_loss_noiseless" in rows else None
    summary["growing_error"] = [
        noiseless[c] if noiseless is not None and np.isfinite(noiseless[c]) else loss
        for c, loss in zip(order, summary["growing_mean"])
    ]
    summary["reference_run"] = [
        next(r for r in rows[rows["comparison"] == c]["run"].unique() if r != "growing")
        for c in order
    ]
    first = rows.drop_duplicates("comparison").set_index("comparison")
    for column in ("method", "task", "classification", "epochs", "capacity", "groups"):
        summary[column] = [first.loc[c, column] for c in order]
    return summary.set_index("comparison").loc[order].reset_index()


def accuracy_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per classification comparison: paired test accuracies (higher is better)."""
    classified = rows[rows["classification"]]
    if classified.empty:
        return pd.DataFrame()
    pairs = paired(classified, ["comparison"], "test_accuracy")
    sem = lambda a: a.std(ddof=1) / np.sqrt(len(a)) if len(a) > 1 else np.nan
    summaries = []
    for comparison, group in pairs.groupby("comparison", sort=False):
        growing, reference = group["growing"], group["reference"]
        differs = np.any(growing != reference) and len(group) > 1
        summaries.append(
            {
                "comparison": comparison,
                "n": len(group),
                "growing": growing.mean(),
                "growing_sem": sem(growing),
                "reference": reference.mean(),
                "reference_sem": sem(reference),
                "win_rate": np.mean(growing > reference) + 0.5 * np.mean(growing == reference),
                "wilcoxon_p": stats.wilcoxon(growing, reference).pvalue if differs else np.nan,
            }
        )
    return pd.DataFrame(summaries)


def noiseless_summary(rows: pd.DataFrame) -> pd.DataFrame:
    if "test_loss_noiseless" not in rows:
        return pd.DataFrame()
    with_target = rows.dropna(subset=["test_loss_noiseless"])
    pairs = paired(with_target, ["comparison"], "test_loss_noiseless")
    return summarise_pairs(pairs, ["comparison"])


def scaling_summary(
    rows: pd.DataFrame, reference: str = "static", value: str = "test_mse", setting: str = "regime"
) -> pd.DataFrame:
    """Per (setting, learning rate, capacity): paired statistics of ``value`` (the test
    loss) of the growing run against the ``reference`` run, and sizes. The setting is
    the regime (Bessel) or the task (spirals)."""
    index = [setting, "learning_rate", "capacity"]
    rows = rows[rows["run"].isin(["growing", reference])]
    summary = summarise_pairs(paired(rows, index, value), index)
    growing = rows[rows["run"] == "growing"].groupby(index)["final_continuous_size"].mean()
    summary["growing_size"] = [growing.loc[tuple(k)] for k in summary[index].values]
    summary["baseline"] = reference
    return summary


def stronger_baseline_summary(
    rows: pd.DataFrame, value: str = "test_mse", setting: str = "regime"
) -> pd.DataFrame:
    """``scaling_summary`` against, per setting, the static run with the lower mean test
    loss (the stronger baseline) among those stored."""
    references = [run for run in dict.fromkeys(rows["run"]) if run != "growing"]
    summaries = pd.concat(
        [scaling_summary(rows, r, value, setting) for r in references], ignore_index=True
    )
    index = [setting, "learning_rate", "capacity"]
    best = summaries.groupby(index, sort=False)["reference_mean"].idxmin()
    return summaries.loc[best.values].reset_index(drop=True)


def capacity_fits(frame: pd.DataFrame, keys: list[str], value: str):
    """Per group of ``keys`` with at least 3 capacities: the group's key values, the
    least-squares line of log10 ``value`` against log10 capacity and its capacities."""
    for key, group in frame.groupby(keys, sort=False):
        if len(group) < 3:
            continue
        fit = stats.linregress(np.log10(group["capacity"]), np.log10(group[value]))
        span = f"{group['capacity'].min()}-{group['capacity'].max()}"
        yield dict(zip(keys, key)), fit, span


def capacity_slopes(
    rows: pd.DataFrame, smallest: int = 4, value: str = "test_mse", setting: str = "regime"
) -> pd.DataFrame:
    """Per (setting, learning rate, run): the slope of log10 mean ``value`` (the test loss)
    against log10 capacity, over capacities from ``smallest`` (the authors' figure starts
    at 4)."""
    keys = [setting, "learning_rate", "run"]
    rows = rows[rows["capacity"] >= smallest]
    means = rows.groupby([*keys, "capacity"], sort=False)[value].mean().reset_index()
    return pd.DataFrame(
        dict(key, slope=fit.slope, slope_se=fit.stderr, capacities=span)
        for key, fit, span in capacity_fits(means, keys, value)
    )


def power_laws(summary: pd.DataFrame) -> pd.DataFrame:
    """``log10 ratio = log10 a + b log10 capacity`` per regime and learning rate."""
    fits = capacity_fits(summary, ["regime", "learning_rate"], "geometric_mean_ratio")
    return pd.DataFrame(
        dict(
            key,
            exponent=fit.slope,
            exponent_se=fit.stderr,
            prefactor=10**fit.intercept,
            log10_prefactor_se=fit.intercept_stderr,
            r_squared=fit.rvalue**2,
            p_value=fit.pvalue,
            capacities=span,
        )
        for key, fit, span in fits
    )


def sklearn_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, mode, library): mean score, folds, size, total fit time, fits."""
    grouped = rows.groupby(["dataset", "mode", "library"], sort=False)
    summary = grouped.agg(
        score=("score", "mean"),
        score_sem=("score", lambda s: s.std(ddof=1) / np.sqrt(len(s)) if len(s) > 1 else np.nan),
        folds=("score", "size"),
        parameters=("parameters", "mean"),
        width=("width", "mean"),
        fit_seconds=("fit_seconds", "sum"),
        n_fits=("n_fits", "mean"),
        stopped_early=("n_iter", lambda n: int(np.sum(n < rows["max_iter"].max()))),
    )
    return summary.reset_index()


def verdict(summary_row) -> str:
    """'growing better', 'growing worse' or 'no significant difference' at p < 0.05."""
    p = summary_row["wilcoxon_p"]
    if not np.isfinite(p) or p >= SIGNIFICANT:
        return "no significant difference"
    return "growing better" if summary_row["geometric_mean_ratio"] < 1 else "growing worse"
