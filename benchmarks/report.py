"""Turn the benchmark results into ``docs/results.md`` with its figures.

Reads ``results/paper.json``, ``results/lambda.json``, ``results/scaling.json``
and ``results/sklearn.json`` (or, where a full run is missing, the
``*_quick.json`` of a ``--quick`` run), computes the statistics, draws the
figures into ``docs/figures/`` and writes the report. Every number in the
report comes from those files; the one figure drawn with ``skgrow.plotting``
refits the first seed of two paper setups (about half a minute).

    python benchmarks/report.py
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import report_figures as figures  # noqa: E402
from common import RESULTS_DIR, machine_description  # noqa: E402
from report_papers import claims_table, lambda_section, lambda_summary  # noqa: E402
from report_sklearn import sklearn_section  # noqa: E402
from report_stats import (  # noqa: E402
    SIGNIFICANT,
    accuracy_summary,
    capacity_slopes,
    complete_groups,
    noiseless_summary,
    paper_summary,
    power_laws,
    stronger_baseline_summary,
    verdict,
)

DOCS_DIR = Path(__file__).parent.parent / "docs"
BENCHMARKS = ("paper", "lambda", "scaling", "scaling_spirals", "sklearn")
QUICK_CAVEAT = (
    "**From a `--quick` run** (few seeds, fewer epochs): a smoke check of the pipeline;"
    " with so few seeds no difference can reach p < 0.05, so the lines below are no"
    " evidence either way."
)
SUMMARY_HEADINGS = {
    "paper": "Does a network that grows beat a network of the same final size? (section 1)",
    "lambda": "Method A as the authors' notebook runs it (section 1b)",
    "scaling": "Where does growth help? (section 2)",
    "scaling_spirals": "Scaling on spirals, as in the authors' figure (section 2b)",
    "sklearn": "Is skgrow better than sklearn's MLP? (section 3)",
}


# -- loading ---------------------------------------------------------------------------------


def load_results(results_dir: Path, name: str) -> tuple[dict, Path] | None:
    """The full run's results if present, else the --quick run's, else None."""
    for path in (results_dir / f"{name}.json", results_dir / f"{name}_quick.json"):
        if path.exists():
            return json.loads(path.read_text()), path
    return None


def source_line(name: str, loaded: tuple[dict, Path]) -> str:
    data, path = loaded
    meta = data["meta"]
    mode = meta.get("mode", "full")
    done, planned = len(data["rows"]), meta.get("cells_planned")
    if meta.get("complete"):
        status = "complete"
    elif planned:
        status = f"**incomplete: {done} of {planned} runs**"
    else:
        status = f"**unfinished: {done} runs so far**"
    runs = meta.get("runs", [])
    dates = sorted({r.get("started", "") for r in runs} | {r.get("finished", "") for r in runs})
    commits = sorted({r.get("skgrow_commit", "?") for r in runs})
    # a run split over processes (--shard) or resumed has several commands
    commands = sorted({r["command"] for r in runs if r.get("command")})
    commands = commands or [meta.get("command", name)]
    return (
        f"- {' + '.join(f'`{c}`' for c in commands)} ({mode} run, {status};"
        f" `{path.parent.name}/{path.name}`, {', '.join(d for d in dates if d)},"
        f" skgrow commit {', '.join(commits)})"
    )


# -- formatting -------------------------------------------------------------------------------


def sci(value: float) -> str:
    return "nan" if not np.isfinite(value) else f"{value:.2e}"


def mean_sem(mean: float, sem: float, fmt=sci) -> str:
    return f"{fmt(mean)} ± {fmt(sem)}" if np.isfinite(sem) else fmt(mean)


def p_text(p: float) -> str:
    return "n/a" if not np.isfinite(p) else (f"{p:.2g}" if p >= 1e-4 else "<1e-4")


def listed(values) -> str:
    return ", ".join(str(v) for v in values) or "none"


def table(header: list[str], lines: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(str(c) for c in line) + " |" for line in lines]


# -- sections ----------------------------------------------------------------------------------


def paper_section(loaded, figure_dir: Path, refit: bool) -> tuple[list[str], list[str]]:
    """The markdown of the paper section and its bullet points for the summary."""
    data, _ = loaded
    rows = complete_groups(pd.DataFrame(data["rows"]), ["comparison", "seed"], "run", 2)
    summary = paper_summary(rows)
    main = summary[summary["groups"].apply(lambda g: "main" in g)]
    lines = [
        "## 1. Growing against static in the papers' setups",
        "",
        "`benchmarks/bench_paper.py` runs the papers' setups (docs/growing.rst, \"Mapping to",
        "the papers\") through the public estimators, with the papers' dynamics",
        "(`size_learning_rate=None`: size variables stepped by the solver with the weights'",
        "learning rate; `new_neurons='random'`).",
        "Method A (`growth='auxiliary'`, plain full-batch gradient descent,",
        "lr 1e-3, capacity 9, target 5): the growing network starts at `initial_size=0`, the",
        "reference (\"grown\") at `initial_size=5`. Method B (`growth='controller'`, full-batch",
        "Adam, lr 1e-3, size penalty 0.32): the growing network starts empty, the reference is",
        "the static network of the same capacity (`growth='none'`). Capacities: 10 (Bessel),",
        "32 (Gaussian mixture, 800 train / 200 test points), 64 (spirals); the last two were",
        "fixed before any run. Each seed draws its own data (or split) and initial weights,",
        "shared by the two runs; statistics are paired by seed.",
        "",
        "Test loss: MSE for regression, log-loss for classification. *ratio* is the mean",
        "growing loss over the mean reference loss; *geo. ratio* the geometric mean of the",
        "per-seed ratios (robust to one bad seed); *win rate* the share of seeds where",
        "growing has the lower loss; *p* the two-sided Wilcoxon signed-rank test on the",
        "paired losses. *no-input loss* is the test loss of predicting the training mean",
        "(or class shares): a model near it has learnt little.",
        "",
    ]
    lines += comparison_table(main)
    lines += accuracy_lines(rows) + noiseless_lines(rows)
    lines += paper_figures(rows, summary, figure_dir, refit)
    bullets = paper_bullets(main)
    lines += ["", "**What the numbers say.**", ""] + [f"- {b}" for b in bullets]
    lines += penalty_lines(summary, figure_dir)
    for group, heading, title, text in SUBSECTIONS:
        part = summary[summary["groups"].apply(lambda g, group=group: group in g)]
        if part.empty:
            continue
        part_bullets = paper_bullets(part, title)
        lines += ["", f"### {heading}", "", *text, ""]
        lines += comparison_table(part)
        lines += [""] + [f"- {b}" for b in part_bullets]
        bullets += part_bullets
    return lines, bullets


# groups of comparisons shown in sections of their own: (group, heading, title in the
# summary, text)
SUBSECTIONS = (
    (
        "default dynamics",
        "Method B's setups with skgrow's default dynamics",
        "Method B with skgrow's default dynamics",
        (
            "The same Bessel and 3-arm spirals runs, the growing network now with skgrow's",
            "defaults (new neurons with fitted read-outs; `size_learning_rate='auto'`: a layer",
            "nearly grown after half of the epochs) instead of the papers' dynamics; the",
            "reference is the same static network, initialised as sklearn does or (*authors'",
            "init baseline*) as the authors do.",
        ),
    ),
    (
        "authors' init",
        "Method B against the static network as the authors initialise it",
        "Method B against the authors' initialisation",
        (
            "The same Bessel, Gaussian-mixture and spirals runs, the static reference",
            "initialised as the authors' code does (`weight_init='fan_in'`: weights and biases",
            "uniform in ±1/√fan_in) instead of sklearn's Glorot scheme; the growing network is",
            "unchanged, except in two ablations. *Size-loss-only controller*: the controller is",
            "moved by the size loss alone (`size_gradient='size_loss'`), as in the authors'",
            "released code, instead of the whole loss, as in the papers. *Two layers*: Bessel",
            "with two hidden layers of 10, a controller per layer (skgrow's default) against",
            "one controller shared by both layers (`shared_size=True`).",
        ),
    ),
)


def comparison_table(part: pd.DataFrame) -> list[str]:
    """One line per comparison: growing against its reference, paired by seed."""
    return table(
        [
            "comparison",
            "epochs",
            "seeds",
            "growing (mean ± s.e.)",
            "reference",
            "ratio",
            "geo. ratio",
            "win rate",
            "p",
            "final size g / r",
            "no-input loss",
        ],
        [
            [
                r["comparison"],
                f"{r['epochs']:,}",
                r["n"],
                mean_sem(r["growing_mean"], r["growing_sem"]),
                f"{r['reference_run']}: {mean_sem(r['reference_mean'], r['reference_sem'])}",
                f"{r['ratio_of_means']:.2f}",
                f"{r['geometric_mean_ratio']:.2f}",
                f"{r['win_rate']:.2f}",
                p_text(r["wilcoxon_p"]),
                f"{r['growing_size']:.1f} / {r['reference_size']:.1f}",
                sci(r["baseline"]),
            ]
            for _, r in part.iterrows()
        ],
    )


def accuracy_lines(rows: pd.DataFrame) -> list[str]:
    accuracy = accuracy_summary(rows)
    if accuracy.empty:
        return []
    lines = [
        "",
        "Test accuracy of the classification tasks (p: Wilcoxon on the paired error rates):",
        "",
    ]
    return lines + table(
        ["comparison", "seeds", "growing", "reference", "win rate", "p"],
        [
            [
                r["comparison"],
                r["n"],
                mean_sem(r["growing"], r["growing_sem"], lambda v: f"{v:.3f}"),
                mean_sem(r["reference"], r["reference_sem"], lambda v: f"{v:.3f}"),
                f"{r['win_rate']:.2f}",
                p_text(r["wilcoxon_p"]),
            ]
            for _, r in accuracy.iterrows()
        ],
    )


def noiseless_lines(rows: pd.DataFrame) -> list[str]:
    noiseless = noiseless_summary(rows)
    if noiseless.empty:
        return []
    lines = [
        "",
        "Gaussian mixture, MSE against the mixture itself (without the noise) at the test",
        "points, which shows how well each network found the function under the noise:",
        "",
    ]
    return lines + table(
        ["comparison", "seeds", "growing", "static", "geo. ratio", "win rate", "p"],
        [
            [
                r["comparison"],
                r["n"],
                mean_sem(r["growing_mean"], r["growing_sem"]),
                mean_sem(r["reference_mean"], r["reference_sem"]),
                f"{r['geometric_mean_ratio']:.2f}",
                f"{r['win_rate']:.2f}",
                p_text(r["wilcoxon_p"]),
            ]
            for _, r in noiseless.iterrows()
        ],
    )


def paper_figures(rows, summary, figure_dir: Path, refit: bool) -> list[str]:
    names = [
        figures.paper_ratios(rows, summary, figure_dir),
        figures.paper_histograms(rows, figure_dir),
        figures.paper_growth(rows, figure_dir),
        figures.paper_loss_curves(rows, figure_dir),
    ]
    captions = [
        "Per-seed test-loss ratio growing / reference (log scale; left of 1: growing better).",
        "Method A: final test losses of all seeds (the papers' histograms).",
        "Growth: size of the growing layer per epoch, every seed (thin) and the median;"
        " dashed: the reference network's size.",
        "Training loss (half MSE or log-loss, no size term) per epoch, median over"
        " seeds with the interquartile band.",
    ]
    if refit:
        names.append(figures.paper_example(rows, figure_dir))
        captions.append(
            "Seed 0 refitted and drawn with `skgrow.plotting.plot_growing_vs_static`"
            " (training loss, as sklearn reports it, and size)."
        )
    lines = []
    for name, caption in zip(names, captions):
        if name:
            lines += ["", f"![{caption}](figures/{name})", "", f"*{caption}*"]
    return lines


def paper_bullets(main: pd.DataFrame, method_b: str = "Method B (growing vs static)") -> list[str]:
    bullets = []
    for label, method in (("Method A (growing vs grown)", "A"), (method_b, "B")):
        part = main[main["method"] == method]
        if part.empty:
            continue
        verdicts = part.apply(verdict, axis=1)
        named = lambda rows: [
            f"{r['comparison']} ({r['geometric_mean_ratio']:.3g})" for _, r in rows.iterrows()
        ]
        better = named(part[verdicts == "growing better"])
        worse = named(part[verdicts == "growing worse"])
        unclear = named(part[verdicts == "no significant difference"])
        low, high = part["n"].min(), part["n"].max()
        n_seeds = f"{low}" if low == high else f"{low}-{high}"
        bullets.append(
            f"{label}, {n_seeds} seeds, geometric-mean test-loss ratio growing / reference in"
            " brackets. The papers' claim (growing beats the same final size) holds here, with"
            f" Wilcoxon p < {SIGNIFICANT}, in {len(better)} of {len(part)} tasks:"
            f" {', '.join(better) or 'none'}. It does not hold in the other"
            f" {len(part) - len(better)}:"
            f" no significant difference in {', '.join(unclear) or 'none'}; growing significantly"
            f" worse in {', '.join(worse) or 'none'}."
        )
    near_baseline = main[main["growing_error"] > 0.5 * main["baseline"]]["comparison"].tolist()
    if near_baseline:
        bullets.append(
            "Barely learnt: in " + ", ".join(near_baseline) + " the growing network's test loss"
            " (against the noiseless function where there is one) is more than half the no-input"
            " loss, so the comparison is between two networks that have fitted little of the task"
            " in this many epochs."
        )
    return bullets


def penalty_lines(summary: pd.DataFrame, figure_dir: Path) -> list[str]:
    sweep = summary[summary["groups"].apply(lambda g: "penalty_sweep" in g)]
    if sweep.empty:
        return []
    lines = ["", "### Size-penalty sweep (method A, Bessel)", ""]
    lines += table(
        ["comparison", "seeds", "geo. ratio", "ratio", "win rate", "p", "growing's final size"],
        [
            [
                r["comparison"],
                r["n"],
                f"{r['geometric_mean_ratio']:.3f}",
                f"{r['ratio_of_means']:.3f}",
                f"{r['win_rate']:.2f}",
                p_text(r["wilcoxon_p"]),
                f"{r['growing_size']:.2f}",
            ]
            for _, r in sweep.iterrows()
        ],
    )
    name = figures.paper_penalty_sweep(summary, figure_dir)
    caption = (
        "Size-penalty sweep: test-loss ratio growing / grown (bars: ± one s.e. in log space)"
        " and the final sizes."
    )
    return lines + ["", f"![{caption}](figures/{name})", "", f"*{caption}*"]


def scaling_section(loaded, figure_dir: Path) -> tuple[list[str], list[str]]:
    data, _ = loaded
    index = ["regime", "learning_rate", "capacity", "seed"]
    stored = pd.DataFrame(data["rows"])
    rows = complete_groups(stored, index, "run", stored["run"].nunique())
    meta = data["meta"]
    summary = stronger_baseline_summary(rows)
    laws = power_laws(summary)
    slopes = capacity_slopes(rows)
    regimes = meta.get("regimes", {})
    regime_text = "; ".join(
        f"{name}: batch {spec['batch_size'] or 'all training rows'},"
        f" {round(spec['epochs'] * meta.get('epoch_fraction', 1)):,} epochs"
        for name, spec in regimes.items()
    )
    lines = [
        "## 2. Where growth helps: capacity, learning rate, batch size",
        "",
        "`benchmarks/bench_scaling.py`: method B on Bessel (`make_bessel("
        f"{meta.get('n_points', 4096)})`, 80/20 split), growing (`growth='controller'`, from",
        "empty, size penalty 0.32) against static of the same capacity, Adam, tanh, alpha=0,",
        f"seed by seed ({meta.get('n_seeds', '?')} seeds). Regimes: {regime_text}.",
        f"Static runs: {', '.join(r for r in dict.fromkeys(rows['run']) if r != 'growing')}"
        " (the authors' initialisation: `weight_init='fan_in'`, uniform ±1/√fan_in); each",
        "comparison is against the stronger of them (the lower mean test MSE) in its setting.",
        "The ratio is the geometric mean over seeds of growing / static test MSE; the power law",
        "`ratio = a * capacity^b` is a least-squares line through log10(ratio) against",
        "log10(capacity) (`scipy.stats.linregress`; ± is the standard error of b).",
        "",
    ]
    lines += [
        "Slopes of log10 test MSE (mean over seeds) against log10 capacity, capacities from 4"
        " (the authors' figure: Bessel 2^15 points, lr 3e-4, capacities 4–1024, epoch 4 900:",
        f"static {AUTHORS_SLOPES['static']:+.2f}, growing {AUTHORS_SLOPES['growing']:+.2f}):",
        "",
    ]
    lines += slopes_table(slopes)
    lines += [""]
    lines += table(
        ["regime", "learning rate", "capacities", "exponent b ± s.e.", "a", "R²", "p (b = 0)"],
        [
            [
                r["regime"],
                f"{r['learning_rate']:g}",
                r["capacities"],
                f"{r['exponent']:+.3f} ± {r['exponent_se']:.3f}",
                f"{r['prefactor']:.3g}",
                f"{r['r_squared']:.2f}",
                p_text(r["p_value"]),
            ]
            for _, r in laws.iterrows()
        ],
    )
    lines += [
        "",
        "Per capacity (geometric-mean ratio, win rate of growing, Wilcoxon p, final",
        "size of the growing layer as a share of its capacity; * where the stronger",
        "baseline is the static network with the authors' initialisation):",
        "",
    ]
    lines += scaling_table(summary)
    for name, caption in (
        (
            figures.scaling_ratio(summary, laws, figure_dir),
            "Growing / static test-MSE ratio"
            " against capacity, with the fitted power laws (bars: ± one s.e. in log space).",
        ),
        (figures.scaling_mse(rows, figure_dir), "Test MSE against capacity, mean over seeds."),
        (
            figures.scaling_size(summary, figure_dir),
            "Final size of the growing layer as a share"
            " of its capacity: at a small learning rate the layer has not finished growing.",
        ),
    ):
        lines += ["", f"![{caption}](figures/{name})", "", f"*{caption}*"]
    bullets = scaling_bullets(summary, laws)
    lines += ["", "**What the numbers say.**", ""] + [f"- {b}" for b in bullets]
    return lines, scaling_headline(summary) + slope_headline(slopes)


# the authors' Bessel scaling figure (benchmarking/bessel_scaling_analysis.ipynb): slopes
# of test loss against capacity at lr 3e-4, and the capacities where growing won and lost
AUTHORS_SLOPES = {"static": -1.31, "growing": -0.79}
AUTHORS_CROSSING = "growing better up to capacity 128, worse from 256"


# the authors' spirals scaling figure (lr 3e-4): slopes of test loss against capacity,
# static and growing, per number of classes
AUTHORS_SPIRALS_SLOPES = {
    "spirals (3 arms)": (-0.52, -0.56),
    "spirals (5 arms)": (-0.30, -0.30),
    "spirals (9 arms)": (-0.24, -0.25),
}


def spirals_rows(data: dict) -> pd.DataFrame:
    """The stored spirals scaling rows whose every run is there."""
    stored = pd.DataFrame(data["rows"])
    index = ["task", "learning_rate", "capacity", "seed"]
    return complete_groups(stored, index, "run", stored["run"].nunique())


def spirals_scaling_section(loaded, figure_dir: Path) -> tuple[list[str], list[str]]:
    data, _ = loaded
    meta, rows = data["meta"], spirals_rows(data)
    summary = stronger_baseline_summary(rows, "test_loss", "task")
    slopes = capacity_slopes(rows, value="test_loss", setting="task")
    epochs = round(5000 * meta.get("epoch_fraction", 1))
    lines = [
        "## 2b. Scaling on spirals, as in the authors' figure",
        "",
        "`benchmarks/bench_scaling.py --task spirals`: the classifiers of the authors' spirals",
        f"scaling figure, spirals with {', '.join(t.split()[1][1:] for t in meta['tasks'])} arms",
        f"(`make_spirals({meta.get('n_points', 4096)})`, 80/20 split; theirs have 2^15 points),",
        "growing (`growth='controller'`, from empty, the papers' dynamics) against the static",
        "networks initialised as sklearn and as the authors do, full batch, Adam lr 3e-4 (the",
        f"figure's), {epochs:,} epochs, capacities {listed(meta['capacities'])},"
        f" {meta.get('n_seeds', '?')} seeds.",
        "Test loss: the log-loss on the test split.",
        "",
        "Slopes of log10 test loss (mean over seeds) against log10 capacity, with the authors'",
        "(static / growing):",
        "",
    ]
    body = []
    runs = list(dict.fromkeys(slopes["run"])) if not slopes.empty else []
    for task, group in slopes.groupby("task", sort=False):
        cells = group.set_index("run")
        theirs = AUTHORS_SPIRALS_SLOPES.get(task)
        body.append(
            [task]
            + [f"{cells.loc[r, 'slope']:+.2f} ± {cells.loc[r, 'slope_se']:.2f}" for r in runs]
            + [f"{theirs[0]:+.2f} / {theirs[1]:+.2f}" if theirs else ""]
        )
    lines += table(["task", *runs, "the authors"], body)
    lines += [
        "",
        "Per capacity against the stronger static network (geometric-mean ratio of test",
        "losses, win rate of growing, Wilcoxon p, final size as a share of the capacity;",
        "* where the stronger is the authors' initialisation):",
        "",
    ]
    lines += scaling_table(summary, "task")
    name = figures.scaling_mse(
        rows, figure_dir, "test_loss", "task", "scaling_spirals_test_loss.png"
    )
    caption = "Spirals: test log-loss against capacity, geometric mean over seeds."
    lines += ["", f"![{caption}](figures/{name})", "", f"*{caption}*"]
    bullets = spirals_scaling_bullets(summary, slopes)
    lines += ["", "**What the numbers say.**", ""] + [f"- {b}" for b in bullets]
    return lines, bullets


def spirals_scaling_bullets(summary: pd.DataFrame, slopes: pd.DataFrame) -> list[str]:
    bullets = []
    for task, part in summary.groupby("task", sort=False):
        verdicts = part.apply(verdict, axis=1)
        better = part[verdicts == "growing better"]["capacity"]
        worse = part[verdicts == "growing worse"]["capacity"]
        cells = slopes[slopes["task"] == task].set_index("run")
        text = ", ".join(
            f"{run} {cells.loc[run, 'slope']:+.2f} ± {cells.loc[run, 'slope_se']:.2f}"
            for run in cells.index
        )
        theirs = AUTHORS_SPIRALS_SLOPES.get(task)
        authors = f" (the authors': {theirs[0]:+.2f} / {theirs[1]:+.2f})" if theirs else ""
        share = (part["growing_size"] / part["capacity"]).mean()
        bullets.append(
            f"{task}: slopes {text}{authors}; against the stronger static network, growing"
            f" significantly better at capacities {listed(better)}, worse at {listed(worse)};"
            f" the growing layer ends at {share:.0%} of its capacity on average."
        )
    return bullets


def slopes_table(slopes: pd.DataFrame) -> list[str]:
    if slopes.empty:
        return ["(too few capacities from 4 on for a slope)"]
    runs = list(dict.fromkeys(slopes["run"]))
    body = []
    for (regime, lr), group in slopes.groupby(["regime", "learning_rate"], sort=False):
        cells = group.set_index("run")
        body.append(
            [regime, f"{lr:g}"]
            + [
                f"{cells.loc[r, 'slope']:+.2f} ± {cells.loc[r, 'slope_se']:.2f}"
                if r in cells.index
                else ""
                for r in runs
            ]
        )
    return table(["regime", "lr", *runs], body)


def slope_headline(slopes: pd.DataFrame) -> list[str]:
    if slopes.empty:
        return []
    part = slopes[(slopes["regime"] == "full batch") & (slopes["learning_rate"] == 3e-4)]
    if part.empty:
        return []
    cells = part.set_index("run")
    text = ", ".join(
        f"{run} {cells.loc[run, 'slope']:+.2f} ± {cells.loc[run, 'slope_se']:.2f}"
        for run in cells.index
    )
    return [
        "Scaling of test MSE with capacity (full batch, lr 3e-4, capacities"
        f" {part['capacities'].iloc[0]}): slopes {text}; the authors' figure: static"
        f" {AUTHORS_SLOPES['static']:+.2f}, growing {AUTHORS_SLOPES['growing']:+.2f}"
        f" ({AUTHORS_CROSSING})."
    ]


def settings_by_rate(part: pd.DataFrame) -> str:
    """'lr 0.001 at capacities 8, 16; lr 0.0003 at ...' for the settings in ``part``."""
    return "; ".join(
        f"lr {lr:g} at capacities {listed(group['capacity'])}"
        for lr, group in part.groupby("learning_rate", sort=False)
    )


def scaling_headline(summary: pd.DataFrame) -> list[str]:
    """Per regime: in how many (learning rate, capacity) settings growth won or lost."""
    bullets = []
    for regime, part in summary.groupby("regime", sort=False):
        verdicts = part.apply(verdict, axis=1)
        better, worse = part[verdicts == "growing better"], part[verdicts == "growing worse"]
        overall = np.exp(np.log(part["geometric_mean_ratio"]).mean())
        bullets.append(
            f"Bessel, method B, {regime}: growing had a significantly lower test MSE than the"
            " stronger static network"
            f" in {len(better)} of {len(part)} (learning rate, capacity) settings"
            f" ({settings_by_rate(better) or 'none'}) and a significantly higher one in"
            f" {len(worse)} ({settings_by_rate(worse) or 'none'}); geometric mean of the ratios"
            f" over all settings {overall:.2f}. (At p < 0.05 about one setting in 20 differs by"
            " chance.)"
        )
    shares = summary.assign(share=summary["growing_size"] / summary["capacity"])
    verdicts = shares.apply(verdict, axis=1)
    won, lost = shares[verdicts == "growing better"], shares[verdicts == "growing worse"]
    if not won.empty and not lost.empty:
        bullets.append(
            "Where growth won, the growing layer had reached at least"
            f" {won['share'].min():.0%} of its capacity by the end (all {len(won)} settings);"
            f" where it lost, at most {lost['share'].max():.0%} (all {len(lost)} settings)."
        )
    shares = shares.groupby(["regime", "learning_rate"], sort=False)["share"].mean()
    short = shares[shares < 0.95]
    if not short.empty:
        listed_shares = ", ".join(
            f"{regime} lr {lr:g}: {v:.0%}" for (regime, lr), v in short.items()
        )
        bullets.append(
            "Growth takes steps: with Adam the size variable moves about one learning rate per"
            " step, so at a small learning rate the growing layer ends well short of its capacity"
            f" (mean final share: {listed_shares}). There it is a smaller network than the static"
            " one, not one of the same final size."
        )
    return bullets


def scaling_table(summary: pd.DataFrame, setting: str = "regime") -> list[str]:
    columns = sorted(summary["capacity"].unique())
    body = []
    for (regime, lr), group in summary.groupby([setting, "learning_rate"], sort=False):
        cells = group.set_index("capacity")
        body.append(
            [regime, f"{lr:g}"]
            + [
                f"{cells.loc[c, 'geometric_mean_ratio']:.2f}"
                f"{'*' if cells.loc[c, 'baseline'] != 'static' else ''}"
                f" ({cells.loc[c, 'win_rate']:.1f},"
                f" {p_text(cells.loc[c, 'wilcoxon_p'])}, {cells.loc[c, 'growing_size'] / c:.0%})"
                if c in cells.index
                else ""
                for c in columns
            ]
        )
    return table([setting, "lr"] + [str(c) for c in columns], body)


def scaling_bullets(summary: pd.DataFrame, laws: pd.DataFrame) -> list[str]:
    bullets = []
    for _, law in laws.iterrows():
        if law["p_value"] < SIGNIFICANT:
            trend = "rises" if law["exponent"] > 0 else "falls"
        else:
            trend = "has no significant power-law trend"
        part = summary[
            (summary["regime"] == law["regime"])
            & (summary["learning_rate"] == law["learning_rate"])
        ]
        verdicts = part.apply(verdict, axis=1)
        wins = part[verdicts == "growing better"]["capacity"]
        losses = part[verdicts == "growing worse"]["capacity"]
        best = part.loc[part["geometric_mean_ratio"].idxmin()]
        fit = (
            f"b = {law['exponent']:+.2f} ± {law['exponent_se']:.2f},"
            f" p = {p_text(law['p_value'])}, R² = {law['r_squared']:.2f}"
        )
        lowest = f"{best['geometric_mean_ratio']:.3g} at capacity {best['capacity']}"
        bullets.append(
            f"{law['regime']}, lr {law['learning_rate']:g}: the ratio {trend} with capacity"
            f" ({fit}); lowest ratio {lowest}; growing significantly better at capacities"
            f" {listed(wins)}, worse at {listed(losses)}."
        )
    return bullets


# -- the report ----------------------------------------------------------------------------------


def write_report(results_dir: Path = RESULTS_DIR, docs_dir: Path = DOCS_DIR, refit: bool = True):
    """Write ``docs_dir/results.md`` and ``docs_dir/figures/*.png``; returns the report's path."""
    figure_dir = docs_dir / "figures"
    figure_dir.mkdir(parents=True, exist_ok=True)
    loaded = {name: load_results(results_dir, name) for name in BENCHMARKS}
    before_seeds = load_results(results_dir, "before_seeds")  # for its source line
    sections = {
        "paper": paper_section,
        "lambda": lambda loaded, figure_dir: lambda_section(loaded, figure_dir, table),
        "scaling": scaling_section,
        "scaling_spirals": spirals_scaling_section,
        "sklearn": sklearn_section,
    }
    body, summary = [], ["", "**Every claim of the papers**", ""] + claims_lines(loaded)
    for name, section in sections.items():
        if loaded[name] is None:
            body += ["", f"## {name}: no results found in `{results_dir}`"]
            continue
        args = (loaded[name], figure_dir, refit) if name == "paper" else (loaded[name], figure_dir)
        lines, bullets = section(*args)
        if loaded[name][0]["meta"].get("mode") == "quick":
            bullets = [QUICK_CAVEAT] + bullets
        body += [""] + lines
        summary += ["", f"**{SUMMARY_HEADINGS[name]}**", ""] + [f"- {b}" for b in bullets]
        plt.close("all")
    header = [
        "# Results: does growing help, and is it better than sklearn's MLP?",
        "",
        f"Generated by `python benchmarks/report.py` on {date.today().isoformat()}, on"
        f" {machine_description()}, from:",
        "",
        *(source_line(n, loaded[n]) for n in BENCHMARKS if loaded[n] is not None),
        *([source_line("before_seeds", before_seeds)] if before_seeds is not None else []),
        "",
        "Every number below is computed from those files; the figures are in `docs/figures/`.",
        "Where a section comes from a `--quick` run (fewer seeds, fewer epochs) it says so",
        "above, and its numbers are only a smoke check, not evidence.",
        "",
        "## Summary",
        *summary,
    ]
    path = docs_dir / "results.md"
    path.write_text("\n".join(header + body + reproduce_lines(loaded)) + "\n")
    return path


def claims_lines(loaded: dict) -> list[str]:
    """The claims table from whichever results are stored (``report_papers``)."""
    paper = lambdas = scaling = spirals = None
    if loaded["paper"] is not None:
        rows = pd.DataFrame(loaded["paper"][0]["rows"])
        paper = paper_summary(complete_groups(rows, ["comparison", "seed"], "run", 2))
    if loaded["lambda"] is not None:
        lambdas = lambda_summary(pd.DataFrame(loaded["lambda"][0]["rows"]))
    if loaded["scaling"] is not None:
        stored = pd.DataFrame(loaded["scaling"][0]["rows"])
        index = ["regime", "learning_rate", "capacity", "seed"]
        rows = complete_groups(stored, index, "run", stored["run"].nunique())
        scaling = (stronger_baseline_summary(rows), capacity_slopes(rows))
    if loaded["scaling_spirals"] is not None:
        rows = spirals_rows(loaded["scaling_spirals"][0])
        spirals = (capacity_slopes(rows, value="test_loss", setting="task"), AUTHORS_SPIRALS_SLOPES)
    caveat = [
        "Verdicts: *reproduced* where skgrow shows the authors' effect significantly (p < 0.05,"
        " or a 95 % interval clear of 1) in the same direction; setups differ where the table"
        " says so. Quick runs are no evidence.",
        "",
    ]
    return caveat + claims_table(paper, lambdas, scaling, table, spirals)


def reproduce_lines(loaded: dict) -> list[str]:
    """The commands, and how much fitting each stored run took."""
    lines = [
        "",
        "## Reproduce",
        "",
        "From the repository root, with the `bench` extra installed (matplotlib, pandas):",
        "",
        "```bash",
        ".venv/bin/python benchmarks/bench_paper.py     # --quick: 3 seeds, a tenth of the epochs",
        ".venv/bin/python benchmarks/bench_lambda.py    # --quick: 3 lambdas, 6 trials",
        ".venv/bin/python benchmarks/bench_scaling.py   # --quick: capacities 2..128, 2 seeds",
        ".venv/bin/python benchmarks/bench_scaling.py --task spirals",
        ".venv/bin/python benchmarks/bench_sklearn.py   # --quick: 4 small datasets, 3 folds",
        ".venv/bin/python benchmarks/bench_before.py    # defaults against before, over seeds",
        ".venv/bin/python benchmarks/report.py          # this file and docs/figures/",
        "```",
        "",
        "Each benchmark appends every finished run to its JSON file at once and skips stored",
        "runs when restarted. Seconds spent fitting, summed over the stored runs (one thread",
        "per process, on a machine shared with other work):",
        "",
    ]
    for found in loaded.values():
        if found is not None:
            data, path = found
            hours = sum(row.get("fit_seconds", 0.0) for row in data["rows"]) / 3600
            lines.append(f"- `{path.name}`: {len(data['rows'])} runs, {hours:.1f} h of fitting")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-refit", action="store_true", help="skip the refitted example")
    args = parser.parse_args()
    print(write_report(refit=not args.no_refit))


if __name__ == "__main__":
    main()
