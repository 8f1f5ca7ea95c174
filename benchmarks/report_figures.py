"""The figures of ``docs/results.md``, drawn from the benchmark results by ``report.py``.

Each function draws one PNG into ``figure_dir`` and returns its file name.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

DPI = 100
GROWING, REFERENCE = "tab:blue", "tab:orange"
RATE_COLOURS = {1e-4: "tab:green", 3e-4: "tab:purple", 1e-3: "tab:red"}


def save(figure, figure_dir: Path, name: str) -> str:
    figure.tight_layout()
    figure.savefig(figure_dir / name, dpi=DPI)
    plt.close(figure)
    return name


def main_comparisons(rows: pd.DataFrame) -> list[str]:
    main = rows[rows["groups"].apply(lambda g: "main" in g)]
    return list(dict.fromkeys(main["comparison"]))


def panel_grid(n_panels: int, width: float = 3.4, height: float = 2.7):
    n_cols = min(4, n_panels)
    n_rows = int(np.ceil(n_panels / n_cols))
    figure, axes = plt.subplots(
        n_rows, n_cols, figsize=(width * n_cols, height * n_rows), squeeze=False
    )
    for axis in axes.flat[n_panels:]:
        axis.set_visible(False)
    return figure, axes.flat


def stacked_curves(runs: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Epochs and a (seeds, points) array of one stored curve, cut to the shortest."""
    length = min(len(c) for c in runs[column])
    return np.asarray(runs["curve_epochs"].iloc[0][:length]), np.array(
        [c[:length] for c in runs[column]]
    )


# -- paper ---------------------------------------------------------------------------------------


def paper_ratios(rows: pd.DataFrame, summary: pd.DataFrame, figure_dir: Path) -> str:
    comparisons = list(summary["comparison"])
    figure, axis = plt.subplots(figsize=(8, 0.42 * len(comparisons) + 1.2))
    for position, comparison in enumerate(comparisons):
        runs = rows[rows["comparison"] == comparison]
        table = runs.pivot_table(index="seed", columns="run", values="test_loss")
        reference = [c for c in table.columns if c != "growing"][0]
        ratios = (table["growing"] / table[reference]).dropna()
        jitter = np.random.default_rng(position).uniform(-0.15, 0.15, len(ratios))
        axis.scatter(ratios, position + jitter, s=10, color="grey", alpha=0.6)
        axis.scatter(np.exp(np.log(ratios).mean()), position, marker="D", color="black", zorder=3)
    axis.axvline(1.0, color="black", linewidth=0.8)
    axis.set_xscale("log")
    axis.set_yticks(range(len(comparisons)), comparisons)
    axis.invert_yaxis()
    axis.set_xlabel("test loss growing / reference (per seed; diamond: geometric mean)")
    axis.set_title("left of 1: the growing network generalises better")
    return save(figure, figure_dir, "paper_ratios.png")


def paper_histograms(rows: pd.DataFrame, figure_dir: Path) -> str | None:
    comparisons = [c for c in main_comparisons(rows) if c.startswith("A ")]
    if not comparisons:
        return None
    figure, axes = panel_grid(len(comparisons))
    for axis, comparison in zip(axes, comparisons):
        runs = rows[rows["comparison"] == comparison]
        losses = np.log10(runs["test_loss"])
        bins = np.linspace(losses.min(), losses.max() + 1e-9, 15)
        for run, colour in (("growing", GROWING), ("grown", REFERENCE)):
            values = np.log10(runs[runs["run"] == run]["test_loss"])
            axis.hist(values, bins=bins, alpha=0.6, color=colour, label=run)
        axis.set_title(comparison, fontsize=9)
        axis.set_xlabel("log10 test loss")
        axis.legend(fontsize=8)
    return save(figure, figure_dir, "paper_histograms.png")


def paper_penalty_sweep(summary: pd.DataFrame, figure_dir: Path) -> str | None:
    sweep = summary[summary["groups"].apply(lambda g: "penalty_sweep" in g)]
    if sweep.empty:
        return None
    penalties = [float(name.split("size_penalty ")[1].rstrip(")")) for name in sweep["comparison"]]
    ratio, spread = sweep["geometric_mean_ratio"], np.exp(sweep["log_ratio_sem"].fillna(0))
    figure, (ratio_axis, size_axis) = plt.subplots(1, 2, figsize=(10, 3.8))
    bars = [ratio - ratio / spread, ratio * spread - ratio]
    ratio_axis.errorbar(penalties, ratio, yerr=bars, fmt="o-", capsize=3, label="geometric mean")
    ratio_axis.plot(penalties, sweep["ratio_of_means"], "s--", label="ratio of means")
    ratio_axis.axhline(1.0, color="black", linewidth=0.8)
    ratio_axis.set_xscale("log")
    ratio_axis.set_xlabel("size_penalty")
    ratio_axis.set_ylabel("test loss growing / grown")
    ratio_axis.set_title("method A, Bessel: below 1, growing generalises better")
    ratio_axis.legend(fontsize=8)
    size_axis.plot(penalties, sweep["growing_size"], "o-", color=GROWING, label="growing")
    size_axis.plot(penalties, sweep["reference_size"], "s--", color=REFERENCE, label="grown")
    size_axis.set_xscale("log")
    size_axis.set_xlabel("size_penalty")
    size_axis.set_ylabel("final size (neurons, mean over seeds)")
    size_axis.set_title("target size 5")
    size_axis.legend(fontsize=8)
    return save(figure, figure_dir, "paper_penalty_sweep.png")


def paper_growth(rows: pd.DataFrame, figure_dir: Path) -> str:
    comparisons = main_comparisons(rows)
    figure, axes = panel_grid(len(comparisons))
    for axis, comparison in zip(axes, comparisons):
        runs = rows[rows["comparison"] == comparison]
        growing = runs[runs["run"] == "growing"]
        epochs, sizes = stacked_curves(growing, "size_curve")
        axis.plot(epochs, sizes.T, color=GROWING, alpha=0.2, linewidth=0.7)
        axis.plot(epochs, np.median(sizes, axis=0), color=GROWING, linewidth=2, label="growing")
        reference = runs[runs["run"] != "growing"]
        ref_epochs, ref_sizes = stacked_curves(reference, "size_curve")
        axis.plot(
            ref_epochs,
            np.median(ref_sizes, axis=0),
            "--",
            color=REFERENCE,
            label=reference["run"].iloc[0],
        )
        axis.set_xscale("log")
        axis.set_title(comparison, fontsize=9)
        axis.set_xlabel("epoch")
        axis.set_ylabel("neurons")
        axis.legend(fontsize=7, loc="upper left")
    return save(figure, figure_dir, "paper_growth.png")


def paper_loss_curves(rows: pd.DataFrame, figure_dir: Path) -> str:
    comparisons = main_comparisons(rows)
    figure, axes = panel_grid(len(comparisons))
    for axis, comparison in zip(axes, comparisons):
        runs = rows[rows["comparison"] == comparison]
        for run in runs["run"].unique():
            colour = GROWING if run == "growing" else REFERENCE
            epochs, losses = stacked_curves(runs[runs["run"] == run], "train_loss_curve")
            low, median, high = np.percentile(losses, [25, 50, 75], axis=0)
            axis.plot(epochs, median, color=colour, label=run)
            axis.fill_between(epochs, low, high, color=colour, alpha=0.2)
        axis.set_xscale("log")
        if np.all(runs["train_loss_curve"].apply(min) > 0):
            axis.set_yscale("log")
        axis.set_title(comparison, fontsize=9)
        axis.set_xlabel("epoch")
        axis.set_ylabel("training loss")
        axis.legend(fontsize=7)
    return save(figure, figure_dir, "paper_loss_curves.png")


def paper_example(rows: pd.DataFrame, figure_dir: Path) -> str | None:
    """Refit seed 0 of method A and B on Bessel and draw them with skgrow.plotting."""
    import bench_paper
    from common import fit_quietly

    from skgrow.plotting import plot_growing_vs_static

    by_name = {c.name: c for c in bench_paper.all_comparisons()}
    wanted = [
        c for c in ("A bessel (size_penalty 0.1)", "B bessel") if c in set(rows["comparison"])
    ]
    if not wanted:
        return None
    figure, axes = plt.subplots(len(wanted), 2, figsize=(10, 3.6 * len(wanted)), squeeze=False)
    for axis_pair, name in zip(axes, wanted):
        comparison = by_name[name]
        epochs = int(rows[rows["comparison"] == name]["epochs"].iloc[0])
        X_train, _, y_train, _ = comparison.make_split(0)
        models = {}
        for run in comparison.runs:
            model = bench_paper.make_estimator(comparison, run, 0, epochs, len(X_train))
            fit_quietly(model, X_train, y_train)
            models[run] = model
        plot_growing_vs_static(models, axes=axis_pair)
        axis_pair[0].set_title(f"{name}, seed 0: training loss", fontsize=9)
        axis_pair[1].set_title(f"{name}, seed 0: hidden neurons", fontsize=9)
    return save(figure, figure_dir, "paper_example.png")


# -- scaling ---------------------------------------------------------------------------------


def regime_axes(regimes: list[str], ylabel: str):
    figure, axes = plt.subplots(1, len(regimes), figsize=(5.5 * len(regimes), 4), squeeze=False)
    for axis, regime in zip(axes[0], regimes):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("capacity (neurons)")
        axis.set_ylabel(ylabel)
        axis.set_title(regime)
    return figure, dict(zip(regimes, axes[0]))


def scaling_ratio(summary: pd.DataFrame, laws: pd.DataFrame, figure_dir: Path) -> str:
    figure, axes = regime_axes(list(summary["regime"].unique()), "test MSE growing / static")
    for (regime, lr), group in summary.groupby(["regime", "learning_rate"], sort=False):
        axis, colour = axes[regime], RATE_COLOURS.get(lr)
        ratio, spread = group["geometric_mean_ratio"], np.exp(group["log_ratio_sem"].fillna(0))
        bars = [ratio - ratio / spread, ratio * spread - ratio]
        axis.errorbar(group["capacity"], ratio, yerr=bars, fmt="o", color=colour, capsize=2)
        law = laws[(laws["regime"] == regime) & (laws["learning_rate"] == lr)]
        label = f"lr {lr:g}"
        if not law.empty:
            law = law.iloc[0]
            capacities = np.geomspace(group["capacity"].min(), group["capacity"].max(), 50)
            axis.plot(capacities, law["prefactor"] * capacities ** law["exponent"], color=colour)
            label += f": b = {law['exponent']:+.2f} ± {law['exponent_se']:.2f}"
        axis.plot([], [], "o-", color=colour, label=label)
    for axis in axes.values():
        axis.axhline(1.0, color="black", linewidth=0.8)
        axis.set_yscale("log")
        axis.legend(fontsize=8)
    return save(figure, figure_dir, "scaling_ratio.png")


def scaling_mse(
    rows: pd.DataFrame,
    figure_dir: Path,
    value: str = "test_mse",
    setting: str = "regime",
    name: str = "scaling_test_mse.png",
) -> str:
    """Test loss (``value``) against capacity, one panel per setting (regime or task)."""
    label = "test MSE" if value == "test_mse" else "test log-loss"
    figure, axes = regime_axes(list(rows[setting].unique()), f"{label} (geometric mean)")
    grouped = rows.groupby([setting, "learning_rate", "run", "capacity"], sort=False)[value]
    means = np.exp(grouped.apply(lambda v: np.log(v).mean())).reset_index()
    for (regime, lr, run), group in means.groupby([setting, "learning_rate", "run"], sort=False):
        style = "-" if run == "growing" else "--"
        axes[regime].plot(
            group["capacity"],
            group[value],
            style,
            marker="o",
            markersize=3,
            color=RATE_COLOURS.get(lr),
            label=f"{run}, lr {lr:g}",
        )
    for axis in axes.values():
        axis.set_yscale("log")
        axis.legend(fontsize=7, ncol=2)
    return save(figure, figure_dir, name)


def scaling_size(summary: pd.DataFrame, figure_dir: Path) -> str:
    figure, axes = regime_axes(list(summary["regime"].unique()), "final size / capacity")
    for (regime, lr), group in summary.groupby(["regime", "learning_rate"], sort=False):
        axes[regime].plot(
            group["capacity"],
            group["growing_size"] / group["capacity"],
            "o-",
            color=RATE_COLOURS.get(lr),
            label=f"lr {lr:g}",
        )
    for axis in axes.values():
        axis.set_ylim(0, 1.05)
        axis.legend(fontsize=8)
    return save(figure, figure_dir, "scaling_size.png")


# -- sklearn ------------------------------------------------------------------------------------


def grouped_bars(axis, part: pd.DataFrame, value: str) -> None:
    """One horizontal bar per dataset and library."""
    datasets = list(dict.fromkeys(part["dataset"]))
    libraries = list(dict.fromkeys(part["library"]))
    height = 0.8 / len(libraries)
    for i, library in enumerate(libraries):
        cells = part[part["library"] == library].set_index("dataset").reindex(datasets)
        positions = np.arange(len(datasets)) + (i - (len(libraries) - 1) / 2) * height
        axis.barh(positions, cells[value], height=height, label=library)
    axis.set_yticks(range(len(datasets)), datasets)
    axis.legend(fontsize=7)


def score_differences(rows: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Per dataset and skgrow contestant: mean and s.e. over folds of its score minus sklearn's."""
    part = rows[rows["mode"] == mode]
    table = part.pivot_table(index=["dataset", "fold"], columns="library", values="score")
    differences = table.drop(columns="sklearn").sub(table["sklearn"], axis=0)
    grouped = differences.groupby(level="dataset", sort=False)
    mean, sem = grouped.mean(), grouped.std(ddof=1) / np.sqrt(grouped.size().to_numpy()[:, None])
    order = list(dict.fromkeys(part["dataset"]))
    return mean.reindex(order), sem.reindex(order)


def sklearn_scores(rows: pd.DataFrame, figure_dir: Path) -> str:
    modes = list(dict.fromkeys(rows["mode"]))
    datasets = list(dict.fromkeys(rows["dataset"]))
    figure, axes = plt.subplots(
        1, len(modes), figsize=(4.2 * len(modes), 0.4 * len(datasets) + 1.6), sharey=True
    )
    for axis, mode in zip(np.atleast_1d(axes), modes):
        mean, sem = score_differences(rows, mode)
        for i, challenger in enumerate(mean.columns):
            offset = (i - (len(mean.columns) - 1) / 2) * 0.25
            positions = [datasets.index(d) + offset for d in mean.index]
            axis.errorbar(
                mean[challenger],
                positions,
                xerr=sem[challenger].fillna(0),
                fmt="o",
                capsize=2,
                label=challenger,
            )
        axis.axvline(0.0, color="black", linewidth=0.8)
        axis.set_yticks(range(len(datasets)), datasets)
        axis.set_xlabel("score skgrow - sklearn (mean over folds)")
        axis.set_title(mode)
        axis.legend(fontsize=7)
    np.atleast_1d(axes)[0].invert_yaxis()
    return save(figure, figure_dir, "sklearn_scores.png")


def sklearn_size_time(summary: pd.DataFrame, figure_dir: Path) -> str:
    part = summary[summary["mode"] == "own width"]
    n_datasets = part["dataset"].nunique()
    figure, axes = plt.subplots(1, 2, figsize=(10, 0.5 * n_datasets + 1.5), sharey=True)
    for axis, value, label in (
        (axes[0], "parameters", "parameters of the final model"),
        (axes[1], "fit_seconds", "total fit time over the folds (s)"),
    ):
        grouped_bars(axis, part, value)
        axis.set_xscale("log")
        axis.set_xlabel(label)
    axes[0].invert_yaxis()  # shared by both panels: first dataset on top
    axes[0].set_title("own width: how big")
    axes[1].set_title("own width: how long")
    return save(figure, figure_dir, "sklearn_size_time.png")


def own_width_choice(rows: pd.DataFrame, figure_dir: Path) -> str:
    """Per fold: skgrow's chosen width against the width the grid search chose."""
    table = rows.pivot_table(index=["dataset", "fold"], columns="library", values="width")
    figure, axis = plt.subplots(figsize=(6.5, 5))
    rng = np.random.RandomState(0)
    for dataset in dict.fromkeys(rows["dataset"]):
        part = table.loc[dataset]
        jitter = np.exp(rng.uniform(-0.08, 0.08, len(part)))  # folds that chose alike
        axis.scatter(part["sklearn"] * jitter, part["skgrow"], s=18, label=dataset)
    limits = [2, 400]
    axis.plot(limits, limits, color="black", linewidth=0.8)
    axis.set(xscale="log", yscale="log", xlim=limits, ylim=limits)
    axis.set_xlabel("width chosen by GridSearchCV over 4..256 (best CV score)")
    axis.set_ylabel("width chosen by target_size='auto'")
    axis.legend(fontsize=7, ncol=2)
    return save(figure, figure_dir, "sklearn_own_width.png")


def budgets(cells: pd.DataFrame, figure_dir: Path) -> str:
    """skgrow minus sklearn after each max_iter budget and each partial_fit call."""
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(11, 4), sharey=True, gridspec_kw={"width_ratios": [1, 2]}
    )
    fixed = cells[cells["budget"].str.startswith("max_iter")]
    order = list(dict.fromkeys(fixed["budget"]))
    for dataset, group in cells.groupby("dataset", sort=False):
        part = group.set_index("budget")
        left.plot(range(len(order)), part.loc[order, "difference"], "o-", label=dataset)
        steps = part[part.index.str.startswith("partial_fit")]
        calls = [int(b.split()[1]) for b in steps.index]
        right.plot(calls, steps["difference"], linewidth=1)
    left.set_xticks(range(len(order)), [b.split()[1] for b in order])
    left.set_xlabel("max_iter")
    right.set_xlabel("partial_fit calls")
    left.set_ylabel("score skgrow - sklearn (mean over folds)")
    for axis in (left, right):
        axis.axhline(0.0, color="black", linewidth=0.8)
        axis.axhspan(-0.01, 0.0, color="grey", alpha=0.2)
        axis.set_ylim(max(-0.2, cells["difference"].min() - 0.02), None)
    left.legend(fontsize=6, ncol=2)
    return save(figure, figure_dir, "sklearn_budgets.png")
