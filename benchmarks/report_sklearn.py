"""Section 3 of ``docs/results.md``: skgrow against sklearn's MLPs (``bench_sklearn.py``).

Tables and statements for the four comparisons (defaults, tuned, own width,
budgets), each checked against the targets it was run for, and for own width
on the datasets the self-sizing rule was not built on.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import report_figures as figures
from bench_sklearn import (
    BUDGETS,
    CONTESTANTS,
    COUNT_DATASETS,
    DATASETS,
    UNSEEN,
    UNSEEN_DATASETS,
)
from report_stats import complete_groups, sklearn_summary
from scipy import stats

# the targets the comparisons are held to
BUDGET_TOLERANCE, BUDGET_SHARE, BUDGET_FLOOR = 0.01, 0.9, -0.03
OWN_WIDTH_TOLERANCE, OWN_WIDTH_SHARE, FOLD_FLOOR, COMPUTE_SHARE = 0.005, 0.9, -0.02, 0.1
CLEAR = 2.0  # standard errors a difference must exceed to count as higher or lower
# bench_before's contestants with early_stopping=True: sklearn's, then skgrow's
EARLY_STOPPING = ("sklearn, early stopping", "skgrow, early stopping")


def table(header: list[str], lines: list[list[str]]) -> list[str]:
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return rows + ["| " + " | ".join(line) + " |" for line in lines]


def listed(values) -> str:
    values = list(values)
    return ", ".join(str(v) for v in values) if values else "none"


def p_text(p: float) -> str:
    return "n/a" if not np.isfinite(p) else f"{p:.2g}"


def met(condition: bool) -> str:
    return "met" if condition else "**not met**"


def clear_sign(mean: float, sem: float) -> int:
    """1 or -1 where ``mean`` is more than ``CLEAR`` standard errors above or below 0; else 0."""
    return int(np.sign(mean)) if abs(mean) > CLEAR * sem else 0


def sklearn_section(loaded, figure_dir: Path) -> tuple[list[str], list[str]]:
    data, _ = loaded
    rows = pd.DataFrame(data["rows"])
    rows["seed"] = rows["seed"].fillna(0).astype(int) if "seed" in rows else 0
    # the tables list the datasets in the benchmark's order, whatever order they ran in
    every = DATASETS + UNSEEN_DATASETS + COUNT_DATASETS
    order = {dataset.name: k for k, dataset in enumerate(every)}
    rows = rows.sort_values("dataset", key=lambda names: names.map(order), kind="stable")
    contestants = rows["mode"].map(lambda mode: len(CONTESTANTS.get(mode, ())))
    rows = complete_groups(rows, ["mode", "dataset", "fold", "seed"], "library", contestants)
    seeds = rows.groupby("mode")["seed"].nunique()
    unseen, rows = rows[rows["mode"] == UNSEEN], rows[rows["mode"] != UNSEEN]
    meta = data["meta"]
    seeded = rows[rows["mode"] != "budgets"]
    fitted = seeded[seeded["seed"] == 0]  # the tables of single fits: random_state 0
    summary = sklearn_summary(fitted)
    counts = [d for d in COUNT_DATASETS if d.name in set(rows["dataset"])]
    lines = introduction(meta, fitted, seeds, unseen["dataset"].nunique(), counts)
    bullets = []
    for mode in ("defaults", "tuned"):
        part = summary[summary["mode"] == mode]
        if not part.empty:
            lines += mode_table(part, mode)
            bullets.append(
                challenger_bullet(part.set_index(["dataset", "library"]), mode, "skgrow")
            )
    defaults = seeded[seeded["mode"] == "defaults"]
    if defaults["seed"].nunique() > 1:
        seeds_lines, seeds_bullet = defaults_over_seeds(defaults)
        lines += seeds_lines
        bullets.append(seeds_bullet)
    before_path = loaded[1].parent / "sklearn_before.json"
    if before_path.exists():
        before_lines, before_bullet = against_before(fitted, json.loads(before_path.read_text()))
        lines += before_lines
        bullets.append(before_bullet)
    seeds_path = loaded[1].parent / "before_seeds.json"
    if seeds_path.exists():
        seeds_lines, seeds_bullet = before_over_seeds(json.loads(seeds_path.read_text()))
        lines += seeds_lines
        bullets.append(seeds_bullet)
    own = rows[rows["mode"] == "own width"]
    if not own.empty:
        own_lines, own_bullets = own_width(own[own["seed"] == 0])
        lines += own_lines
        bullets += own_bullets
    if own["seed"].nunique() > 1:
        seeds_lines, seeds_bullet = own_width_over_seeds(own)
        lines += seeds_lines
        bullets.append(seeds_bullet)
    if not unseen.empty:
        unseen_lines, unseen_bullet = own_width_over_seeds(unseen, "on unseen data")
        lines += unseen_lines
        bullets.append(unseen_bullet)
    budgets = rows[rows["mode"] == "budgets"]
    if not budgets.empty:
        budget_lines, budget_bullets = budget_part(budgets, meta, figure_dir)
        lines += budget_lines
        bullets = budget_bullets + bullets
    captions = [
        (
            figures.sklearn_scores(fitted, figure_dir),
            "Cross-validated score of skgrow minus sklearn's, per dataset (bars: ± one s.e. of"
            " the paired difference over folds; right of 0: skgrow better).",
        )
    ]
    if not own.empty:
        captions += [
            (
                figures.own_width_choice(own[own["seed"] == 0], figure_dir),
                "Own width: the width skgrow chose against the width the grid search chose,"
                " every fold (log scales; on the diagonal: the same width).",
            ),
            (
                figures.sklearn_size_time(summary, figure_dir),
                "Own width: parameters of the final model and total fit time per dataset"
                " (log scales).",
            ),
        ]
    for name, caption in captions:
        lines += ["", f"![{caption}](figures/{name})", "", f"*{caption}*"]
    lines += ["", "**What the numbers say.**", ""] + [f"- {b}" for b in bullets]
    return lines, bullets


def repeats_text(fitted: pd.DataFrame) -> str:
    """``each fit the fastest of n repeats``, per group of modes where the count differs."""
    by_mode = fitted.groupby("mode")["repeats"].max().astype(int)
    if by_mode.nunique() <= 1:
        return f"each fit the fastest of {by_mode.max() if len(by_mode) else 1} repeats"
    groups = sorted(((n, " and ".join(m.index)) for n, m in by_mode.groupby(by_mode)), reverse=True)
    (n, modes), *rest = groups
    return f"each fit the fastest of {n} repeats in {modes}" + "".join(
        f" and of {n} in {modes}" for n, modes in rest
    )


def introduction(
    meta: dict, fitted: pd.DataFrame, seeds: pd.Series, n_unseen: int = 0, counts=()
) -> list[str]:
    """How the comparisons were run; ``seeds``: the random_state count of each mode;
    ``n_unseen``: the datasets of the unseen-data comparison; ``counts``: the count
    datasets that ran."""
    return [
        "## 3. skgrow against the sklearn MLP you use today",
        "",
        "`benchmarks/bench_sklearn.py`: every model is a pipeline of the dataset's preprocessing",
        "(`StandardScaler`; for the tabular datasets with mixed column types, penguins, cars,",
        "seattle weather and affairs, a `ColumnTransformer` that imputes and scales the numeric",
        "columns and imputes and one-hot encodes the categorical ones) and the MLP, scored by",
        f"{meta.get('n_folds', 5)}-fold cross-validation (shuffled, stratified for classifiers;",
        "R² for regression, accuracy for classification; regression targets standardised).",
        "*params*: weights and biases of the final model from `coefs_` / `intercepts_` (for",
        "skgrow, the equivalent static network of the grown width). *time*: total fit seconds",
        f"over the folds, {repeats_text(fitted)}, one thread",
        "for each library, contestants alternating; the machine was shared with other work,",
        "so treat time ratios as ±30%.",
        "",
        "- **defaults**: both estimators with default parameters (width 100, Adam, 200 epochs).",
        f"- **tuned**: `GridSearchCV`, 3 inner folds, 8 candidates of at most"
        f" {meta.get('max_iter', 200)} epochs each;",
        f"  sklearn `{meta.get('sklearn_grid')}`, skgrow `{meta.get('skgrow_grid')}`.",
        "- **own width**: sklearn's `GridSearchCV` over widths 4 to 256 (7 candidates x 3",
        f"  folds + refit = 22 fits of at most 200 epochs) against one skgrow fit"
        f" `{meta.get('own_width')}`;",
        "  also the same fit with the default `max_iter=200`, and with `size_tol` halved and",
        "  doubled.",
        *unseen_lines(n_unseen),
        f"- **budgets**: both estimators with default parameters at `max_iter`"
        f" {', '.join(str(b) for b in meta.get('budgets', BUDGETS))}, and after each of"
        f" {meta.get('partial_fit_calls', 30)} `partial_fit` calls of one epoch each.",
        *count_lines(counts),
        "",
        "Every fold is fitted with "
        + "; ".join(f"{seeds_text(n)} in {mode}" for mode, n in seeds.items())
        + ". The tables of single fits (defaults, tuned, own width) show random_state 0;"
        " those of defaults and own width are followed by a table over every seed, and the"
        " budgets table averages over its seeds"
        + ("; unseen data has only a table over every seed." if UNSEEN in seeds else "."),
        "",
    ]


def count_lines(counts) -> list[str]:
    """The count datasets in the introduction's list, where they ran."""
    if not counts:
        return []
    names = ", ".join(dataset.name for dataset in counts)
    return [
        f"- **count data** ({names}; `COUNT_DATASETS` in `benchmarks/tabular.py`): both",
        '  libraries fit it with `loss="poisson"`, its target not standardised, in defaults',
        "  and budgets only.",
    ]


def unseen_lines(n_datasets: int) -> list[str]:
    """The unseen-data comparison in the introduction's list, where it ran."""
    if not n_datasets:
        return []
    return [
        f"- **{UNSEEN}**: the grid and the self-sizing fit of own width on {n_datasets} more",
        "  datasets chosen once the self-sizing rule was settled, synthetic ones from",
        "  sklearn's generators and small real ones from statsmodels (`UNSEEN_DATASETS` in",
        "  `benchmarks/tabular.py`; election and investment have mixed column types):",
        "  does own width hold on data the rule was not built on?",
    ]


def seeds_text(n_seeds: int) -> str:
    return "random_state 0" if n_seeds <= 1 else f"random_state 0 to {n_seeds - 1}"


def mode_table(part: pd.DataFrame, mode: str) -> list[str]:
    """sklearn against skgrow with its defaults (variants appear in their own tables)."""
    libraries = [lib for lib in dict.fromkeys(part["library"]) if lib in ("sklearn", "skgrow")]
    header = ["dataset"] + [f"{lib} score" for lib in libraries]
    header += [f"{lib} params" for lib in libraries] + [f"{lib} time (s)" for lib in libraries]
    body = []
    for dataset, group in part.groupby("dataset", sort=False):
        cells = group.set_index("library")
        body.append(
            [dataset]
            + [
                f"{cells.loc[lib, 'score']:.3f} ± {cells.loc[lib, 'score_sem']:.3f}"
                for lib in libraries
            ]
            + [
                f"{cells.loc[lib, 'parameters']:,.0f} (w {cells.loc[lib, 'width']:.0f})"
                for lib in libraries
            ]
            + [f"{cells.loc[lib, 'fit_seconds']:.1f}" for lib in libraries]
        )
    return ["", f"**{mode}** (w: mean width of the final model)", ""] + table(header, body)


def defaults_over_seeds(rows: pd.DataFrame) -> tuple[list[str], str]:
    """skgrow's default fits against sklearn's over every seed: per dataset, the mean score
    over seeds and folds, and the difference, mean over the seeds of each seed's 5-fold
    difference ± its standard error over the seeds."""
    scores = rows.pivot_table(
        index=["dataset", "seed"], columns="library", values="score", aggfunc="mean"
    )
    n_seeds = rows["seed"].nunique()
    body, higher, lower = [], [], []
    for dataset in dict.fromkeys(rows["dataset"]):
        per_seed = scores.loc[dataset]
        mean, sem = _over_seeds(per_seed["skgrow"] - per_seed["sklearn"])
        name = f"{dataset} {mean:+.3f}"
        sign = clear_sign(mean, sem)
        if sign > 0:
            higher.append(name)
        elif sign < 0:
            lower.append(name)
        body.append(
            [
                dataset,
                f"{per_seed['sklearn'].mean():.3f}",
                f"{per_seed['skgrow'].mean():.3f}",
                f"{mean:+.3f} ± {sem:.3f}",
            ]
        )
    lines = [
        "",
        f"**defaults over {n_seeds} seeds** ({seeds_text(n_seeds)}, the same folds; scores:"
        " mean over seeds and folds; difference: skgrow minus sklearn, mean over seeds ± one"
        " s.e. over seeds)",
        "",
    ] + table(["dataset", "sklearn", "skgrow", "difference"], body)
    bullet = (
        f"defaults over {n_seeds} seeds, skgrow vs sklearn: higher by more than two standard"
        f" errors on {len(higher)} of {len(body)} datasets ({listed(higher)}), lower on"
        f" {len(lower)} ({listed(lower)}), within two standard errors on the rest."
    )
    return lines, bullet


def challenger_bullet(part: pd.DataFrame, mode: str, challenger: str) -> str:
    """How one skgrow contestant of ``mode`` fared against sklearn over the datasets."""
    datasets = part.index.get_level_values("dataset").unique()
    column = lambda library, value: np.array([part.loc[(d, library), value] for d in datasets])
    ours, theirs = column(challenger, "score"), column("sklearn", "score")
    difference = ours - theirs
    differs = np.any(difference != 0) and len(ours) > 1
    p = stats.wilcoxon(ours, theirs).pvalue if differs else np.nan
    named = lambda mask: ", ".join(
        f"{d} {v:+.3f}" for d, v, m in zip(datasets, difference, mask) if m
    )
    higher, lower = difference > 0.005, difference < -0.005
    parameters = column(challenger, "parameters") / column("sklearn", "parameters")
    seconds = column(challenger, "fit_seconds") / column("sklearn", "fit_seconds")
    return (
        f"{mode}, {challenger} vs sklearn: mean CV score higher on {higher.sum()} of"
        f" {len(datasets)} datasets ({named(higher) or 'none'}), lower on {lower.sum()}"
        f" ({named(lower) or 'none'}), within 0.005 on the rest (Wilcoxon over datasets"
        f" p = {p_text(p)}); median ratio to sklearn of the final model's parameters"
        f" {np.median(parameters):.2f}, of the fit time {np.median(seconds):.2f}."
    )


def against_before(rows: pd.DataFrame, before: dict) -> tuple[list[str], str]:
    """Today's skgrow defaults and tuned rows against those measured before the growth
    work (``results/sklearn_before.json``), paired over the same folds; next to them,
    the defaults variants measured against the same rows."""
    old = pd.DataFrame(before["rows"])[["mode", "dataset", "fold", "score", "n_iter", "width"]]
    key = ["mode", "dataset", "fold"]
    variants = [lib for lib in dict.fromkeys(rows["library"]) if lib.startswith("skgrow, ")]
    today = rows[rows["library"].isin(["skgrow", *variants])]
    paired = today.merge(old, on=key, suffixes=("", "_before")).sort_values("mode", kind="stable")
    shown = [v for v in variants if v in set(paired["library"])]
    body, lower, higher, epochs = [], [], [], []
    for (mode, dataset), group in paired.groupby(["mode", "dataset"], sort=False):
        by_library = {lib: part for lib, part in group.groupby("library")}
        ours = by_library["skgrow"]
        mean, sem = _difference(ours)
        name = f"{dataset} ({mode}) {mean:+.3f}"
        sign = clear_sign(mean, sem)
        if sign < 0:
            lower.append(name)
            variant_text = "".join(
                f", {v.removeprefix('skgrow, ')} {_difference(by_library[v])[0]:+.3f}"
                for v in shown
                if v in by_library
            )
            epochs.append(
                f"{dataset} ({mode}) {ours['n_iter_before'].mean():.0f} before,"
                f" {ours['n_iter'].mean():.0f} today, width {ours['width_before'].mean():.0f}"
                f" before, {ours['width'].mean():.0f} today{variant_text}"
            )
        elif sign > 0:
            higher.append(name)
        body.append(
            [
                mode,
                dataset,
                f"{ours['score_before'].mean():.3f}",
                f"{ours['score'].mean():.3f}",
                f"{mean:+.3f} ± {sem:.3f}",
            ]
            + [
                "{:+.3f} ± {:.3f}".format(*_difference(by_library[v])) if v in by_library else ""
                for v in shown
            ]
        )
    commit = before["meta"]["skgrow_commit"]
    lines = [
        "",
        f"**defaults and tuned against skgrow before the growth work** (commit {commit},"
        " the same folds; difference: today minus before, ± one s.e. over folds; the"
        " defaults variants, each minus before: "
        + "; ".join(f"{v.removeprefix('skgrow, ')}: {VARIANT_MEANINGS.get(v, v)}" for v in shown)
        + ")",
        "",
    ]
    header = ["mode", "dataset", "before", "today", "difference"]
    lines += table(header + [v.removeprefix("skgrow, ") for v in shown], body)
    n = len(body)
    bullet = (
        f"Today's defaults and tuned fits against skgrow before the growth work (commit"
        f" {commit}), paired over the same folds: lower by more than two standard errors in"
        f" {len(lower)} of {n} (mode, dataset) cells ({listed(lower) or 'none'}), higher in"
        f" {len(higher)} ({listed(higher) or 'none'}), within two standard errors in the rest."
        + (
            " Epochs and final widths of the lower cells, and each variant minus before:"
            f" {'; '.join(epochs)}."
            if epochs
            else ""
        )
    )
    return lines, bullet


def before_over_seeds(data: dict) -> tuple[list[str], str]:
    """Today's defaults against skgrow before the growth work over seeds
    (``bench_before.py``): per dataset, the mean 5-fold score of each contestant over
    the seeds, and today's (and the papers' pace's) difference from before, mean over
    the seeds ± its standard error; for the datasets where today is lower, the widths
    and the scores on the training rows. Where the rows have them, both libraries
    with early stopping, and skgrow's difference from sklearn's there."""
    rows = pd.DataFrame(data["rows"])
    scores = rows.pivot_table(
        index=["dataset", "seed"], columns="contestant", values="score", aggfunc="mean"
    )
    means = rows.pivot_table(index="dataset", columns="contestant", values="score")
    train = rows.pivot_table(index="dataset", columns="contestant", values="train_score")
    widths = rows.pivot_table(index="dataset", columns="contestant", values="width")
    seeds = rows.groupby("dataset")["seed"].nunique()
    others = [c for c in ("sklearn", "skgrow, static") if c in means.columns]
    body, lower, higher, details = [], [], [], []
    for dataset in dict.fromkeys(rows["dataset"]):
        per_seed = scores.loc[dataset]
        if seeds[dataset] < 2:
            continue
        today, pace = (
            _over_seeds(per_seed[name] - per_seed["skgrow before"])
            for name in ("skgrow", "skgrow, papers' pace")
        )
        sign = clear_sign(*today)
        if sign < 0:
            lower.append(f"{dataset} {today[0]:+.4f}")
            fits = ", ".join(
                f"{name.removeprefix('skgrow, ')} {train.loc[dataset, name]:.3f}"
                for name in ("skgrow before", "skgrow", *others)
            )
            details.append(
                f"{dataset}: width {widths.loc[dataset, 'skgrow before']:.0f} before,"
                f" {widths.loc[dataset, 'skgrow']:.0f} today; score on the training rows:"
                f" {fits}"
            )
        elif sign > 0:
            higher.append(f"{dataset} {today[0]:+.4f}")
        body.append(
            [dataset]
            + [f"{means.loc[dataset, name]:.3f}" for name in others]
            + [
                f"{means.loc[dataset, 'skgrow before']:.3f}"
                f" (w {widths.loc[dataset, 'skgrow before']:.0f})",
                f"{means.loc[dataset, 'skgrow']:.3f} (w {widths.loc[dataset, 'skgrow']:.0f})",
                f"{today[0]:+.3f} ± {today[1]:.3f}",
                f"{pace[0]:+.3f} ± {pace[1]:.3f}",
            ]
        )
    stopped_cells, stopped_text = early_stopping_part(scores, [row[0] for row in body])
    stopping = bool(stopped_cells)  # bench_before's rows have the early-stopping contestants
    for row in body:
        row += stopped_cells.get(row[0], [])
    n_seeds = int(seeds.max())
    commit = data["meta"].get("before_commit", "")
    lines = [
        "",
        f"**defaults against skgrow before the growth work, over {n_seeds} seeds**"
        f" (`bench_before.py`: random_state 0 to {n_seeds - 1}, the same 5 folds; scores:"
        " mean over seeds and folds, w: mean width; static: skgrow with growth='none';"
        " differences: minus before, mean over seeds ± one s.e. over seeds; papers' pace:"
        " today's code with size_learning_rate=None"
        + (
            "; early stopping: both libraries with early_stopping=True, skgrow's minus"
            " sklearn's and minus skgrow's defaults, mean over seeds ± one s.e. over seeds)"
            if stopping
            else ")"
        ),
        "",
    ]
    header = ["dataset", *[o.removeprefix("skgrow, ") for o in others], "before", "today"]
    header += ["today - before", "papers' pace - before"]
    if stopping:
        header += [*EARLY_STOPPING, "skgrow - sklearn, early stopping"]
        header += ["skgrow, early stopping - defaults"]
    lines += table(header, body)
    bullet = (
        f"Over {n_seeds} seeds, today's defaults against skgrow before the growth work"
        f" (commit {commit}): lower by more than two standard errors on {len(lower)} of"
        f" {len(body)} datasets ({listed(lower)}), higher on {len(higher)}"
        f" ({listed(higher)}), within two standard errors on the rest."
        + (f" Where lower: {'; '.join(details)}." if details else "")
        + stopped_text
    )
    return lines, bullet


def early_stopping_part(scores: pd.DataFrame, datasets: list[str]) -> tuple[dict, str]:
    """Both libraries with early_stopping=True (``EARLY_STOPPING``), from the mean scores by
    (dataset, seed) of bench_before's contestants: per dataset, the table's cells (their
    scores, skgrow's minus sklearn's and minus skgrow's defaults, means over the seeds ±
    their standard errors), and a sentence that counts the clear differences. Without
    those contestants, no cells and no sentence."""
    if not set(EARLY_STOPPING) <= set(scores.columns):
        return {}, ""
    sklearn, skgrow = EARLY_STOPPING
    cells: dict[str, list[str]] = {}
    clear: dict[str, dict[int, list[str]]] = {
        other: {-1: [], 1: []} for other in (sklearn, "skgrow")
    }
    for dataset in datasets:
        per_seed = scores.loc[dataset]
        cells[dataset] = [f"{per_seed[name].mean():.3f}" for name in EARLY_STOPPING]
        for other, found in clear.items():
            mean, sem = _over_seeds(per_seed[skgrow] - per_seed[other])
            cells[dataset].append(f"{mean:+.3f} ± {sem:.3f}")
            if direction := clear_sign(mean, sem):
                found[direction].append(f"{dataset} {mean:+.3f}")
    against_sklearn, against_defaults = clear[sklearn], clear["skgrow"]
    text = (
        " With early_stopping=True, skgrow against sklearn with it: higher by more than two"
        f" standard errors on {len(against_sklearn[1])} of {len(datasets)} datasets"
        f" ({listed(against_sklearn[1])}), lower on {len(against_sklearn[-1])}"
        f" ({listed(against_sklearn[-1])}); against skgrow's defaults: lower on"
        f" {len(against_defaults[-1])} ({listed(against_defaults[-1])}), higher on"
        f" {len(against_defaults[1])} ({listed(against_defaults[1])})."
    )
    return cells, text


def _over_seeds(differences: pd.Series) -> tuple[float, float]:
    """Mean of per-seed differences and its standard error over the seeds."""
    return differences.mean(), differences.std(ddof=1) / np.sqrt(len(differences))


VARIANT_MEANINGS = {
    "skgrow, every epoch": "all 200 epochs, no stopping rule",
    "skgrow, papers' pace": "size_learning_rate=None",
    "skgrow, random new neurons": 'new_neurons="random"',
}


def _difference(group: pd.DataFrame) -> tuple[float, float]:
    """Mean of score minus score before over the folds, and its standard error."""
    difference = group["score"] - group["score_before"]
    return difference.mean(), difference.std(ddof=1) / np.sqrt(len(difference))


# -- own width -------------------------------------------------------------------------------


def own_width(rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The self-sizing fit against the grid over widths, dataset by dataset."""
    by_fold = rows.pivot_table(index=["dataset", "fold"], columns="library", values="score")
    widths = rows.pivot_table(index=["dataset", "fold"], columns="library", values="width")
    seconds = rows.pivot_table(index=["dataset", "fold"], columns="library", values="fit_seconds")
    difference = by_fold.drop(columns="sklearn").sub(by_fold["sklearn"], axis=0)
    order = list(dict.fromkeys(rows["dataset"]))
    body, verdicts = [], {}
    for dataset in order:
        d = difference.loc[dataset, "skgrow"]
        ratio = seconds.loc[dataset, "skgrow"].sum() / seconds.loc[dataset, "sklearn"].sum()
        verdicts[dataset] = (d.mean(), d.min(), ratio, widths.loc[dataset, "skgrow"].mean())
        body.append(
            [
                dataset,
                f"{by_fold.loc[dataset, 'sklearn'].mean():.3f}",
                f"{by_fold.loc[dataset, 'skgrow'].mean():.3f}",
                f"{d.mean():+.3f}",
                f"{d.min():+.3f}",
                " ".join(str(int(w)) for w in widths.loc[dataset, "sklearn"]),
                " ".join(str(int(w)) for w in widths.loc[dataset, "skgrow"]),
                f"{ratio:.3f}",
            ]
        )
    header = [
        "dataset",
        "grid score",
        "skgrow score",
        "difference",
        "worst fold",
        "grid's widths",
        "skgrow's widths",
        "compute ratio",
    ]
    lines = ["", "**own width** (widths: per fold; compute: skgrow's fit seconds / the grid's)", ""]
    lines += table(header, body)
    variants = [c for c in difference.columns if c != "skgrow"]
    if variants:
        lines += [
            "",
            "**own width, variants** (score minus the grid's, mean over folds; widths)",
            "",
        ]
        lines += table(
            ["dataset"] + variants,
            [
                [dataset]
                + [
                    f"{difference.loc[dataset, v].mean():+.3f}"
                    f" (w {widths.loc[dataset, v].mean():.0f})"
                    for v in variants
                ]
                for dataset in order
            ],
        )
    bullets = own_width_bullets(verdicts, difference, widths, seconds, by_fold, rows)
    return lines, bullets


def own_width_over_seeds(rows: pd.DataFrame, where: str = "") -> tuple[list[str], str]:
    """The self-sizing fit against the grid over every seed (each fitted with that
    random_state): per dataset, the mean scores over seeds and folds, the difference
    (mean over the seeds ± its standard error), the worst fold (its difference
    averaged over the seeds), the worst single fit, and the compute ratio. ``where``
    names the datasets in the title, when they are not those of own width (whose
    seed-0 section already says how the grid's choice compares with its widths)."""
    main = rows[rows["library"].isin(["sklearn", "skgrow"])]
    index = ["dataset", "fold", "seed"]
    scores = main.pivot_table(index=index, columns="library", values="score")
    gaps = scores["skgrow"] - scores["sklearn"]
    seconds = main.groupby(["dataset", "library"])["fit_seconds"].sum().unstack()
    widths = main.pivot_table(index="dataset", columns="library", values="width")
    n_seeds = main["seed"].nunique()
    name = f"own width {where} over {n_seeds} seeds" if where else f"own width over {n_seeds} seeds"
    spreads = fold_width_scores(main)
    fold_means = scores.groupby(level=["dataset", "fold"]).mean()
    body, near, short, folds_below, ratios = [], [], [], [], []
    for dataset in dict.fromkeys(main["dataset"]):
        gap = gaps.loc[dataset]
        mean, sem = _over_seeds(gap.groupby(level="seed").mean())
        by_fold = gap.groupby(level="fold").mean()
        ratio = seconds.loc[dataset, "skgrow"] / seconds.loc[dataset, "sklearn"]
        ratios.append(ratio)
        if mean >= -OWN_WIDTH_TOLERANCE:
            near.append(dataset)
        else:
            short.append(f"{dataset} ({mean:+.3f})")
        folds_below += [
            fold_below_text((dataset, f), v, fold_means, spreads, "skgrow's mean over seeds")
            for f, v in by_fold.items()
            if v < FOLD_FLOOR
        ]
        body.append(
            [
                dataset,
                f"{scores.loc[dataset, 'sklearn'].mean():.3f}",
                f"{scores.loc[dataset, 'skgrow'].mean():.3f}",
                f"{mean:+.3f} ± {sem:.3f}",
                f"{by_fold.min():+.3f}",
                f"{gap.min():+.3f}",
                f"{widths.loc[dataset, 'sklearn']:.0f}",
                f"{widths.loc[dataset, 'skgrow']:.0f}",
                f"{ratio:.3f}",
            ]
        )
    header = ["dataset", "grid score", "skgrow score", "difference", "worst fold"]
    header += ["worst fit", "grid's width", "skgrow's width", "compute ratio"]
    lines = [
        "",
        f"**{name}** ({seeds_text(n_seeds)} for both, the same folds;"
        " scores: mean over seeds and folds; difference: skgrow minus the grid, mean over"
        " seeds ± one s.e. over seeds; worst fold: its difference averaged over the seeds;"
        " worst fit: the lowest of the single (fold, seed) differences; widths: means)",
        "",
    ] + table(header, body)
    share, compute = len(near) / len(body), float(np.median(ratios))
    fits_below = gaps[gaps < FOLD_FLOOR].sort_values()
    falls, n_pairs = grid_against_itself(scores["sklearn"])
    named_fits = listed(f"{d} fold {f} seed {k} ({v:+.3f})" for (d, f, k), v in fits_below.items())
    bullet = (
        f"{name.capitalize()}: within {OWN_WIDTH_TOLERANCE} of the grid or above on"
        f" {len(near)} of {len(body)} datasets ({share:.0%}; target {OWN_WIDTH_SHARE:.0%}:"
        f" {met(share >= OWN_WIDTH_SHARE)}); below it on {listed(short)}. Folds more than"
        f" {-FOLD_FLOOR} below the grid's, averaged over the seeds: {len(folds_below)}"
        f" ({listed(folds_below)}; target none: {met(not folds_below)}); single fits more"
        f" than {-FOLD_FLOOR} below: {len(fits_below)} of {len(gaps)}"
        f" ({len(fits_below) / len(gaps):.1%}: {named_fits}), where the grid itself, fitted"
        f" with another seed, falls that far below the grid on {falls} of {n_pairs}"
        f" comparisons of one fold at two seeds ({falls / n_pairs:.1%})."
        f" Median compute {compute:.3f} (target at most {COMPUTE_SHARE}:"
        f" {met(compute <= COMPUTE_SHARE)}); {compute_by_seed(main)}."
    )
    if spreads is not None and where:  # at random_state 0, the widths' own seed
        seed_0 = scores.xs(0, level="seed")["sklearn"]
        bullet += " " + grid_regret_text(spreads, seed_0, seeded=True)
    return lines, bullet


def compute_by_seed(rows: pd.DataFrame) -> str:
    """The median compute at each seed, and the grid's seconds at each: whether the
    seeds differ in the work the fits do or in how fast the machine ran."""
    seconds = rows.groupby(["seed", "dataset", "library"])["fit_seconds"].sum().unstack()
    medians = (seconds["skgrow"] / seconds["sklearn"]).groupby(level="seed").median()
    grid = seconds["sklearn"].groupby(level="seed").sum()
    return (
        f"at each seed, {', '.join(f'{m:.3f}' for m in medians)}, where the grid's"
        f" fits took {', '.join(f'{s:.0f}' for s in grid)} s in all"
    )


def grid_against_itself(grid: pd.Series) -> tuple[int, int]:
    """How often a single fit of the grid falls more than ``-FOLD_FLOOR`` below the grid
    fitted on the same fold with another seed, and in how many comparisons (each fold
    at each ordered pair of seeds): the floor that a single fit's noise sets.
    ``grid``: scores by (dataset, fold, seed)."""
    by_seed = grid.unstack("seed")
    pairs = [(a, b) for a in by_seed.columns for b in by_seed.columns if a != b]
    falls = sum(int((by_seed[b] - by_seed[a] < FOLD_FLOOR).sum()) for a, b in pairs)
    return falls, len(by_seed) * len(pairs)


def fold_width_scores(rows: pd.DataFrame) -> pd.Series | None:
    """Per (dataset, fold): sklearn's held-out score at each width of the grid (fitted
    with random_state 0, next to the seed-0 rows), or None where the rows were
    measured without them."""
    seed_0 = rows[rows["seed"] == 0] if "seed" in rows else rows
    grid = seed_0[seed_0["library"] == "sklearn"].set_index(["dataset", "fold"])
    if "width_scores" not in grid or grid["width_scores"].isna().any():
        return None
    return grid["width_scores"].map(lambda scores: np.array(list(scores.values())))


def fold_below_text(
    cell, gap: float, by_fold: pd.DataFrame, spreads, ours_text: str = "skgrow's"
) -> str:
    """A fold below the floor, and where skgrow's score (``by_fold``'s, named
    ``ours_text``) falls among the widths' scores."""
    text = f"{cell[0]} fold {cell[1]} ({gap:+.3f}"
    if spreads is not None:
        scores, ours = spreads[cell], by_fold.loc[cell, "skgrow"]
        text += (
            f"; sklearn at the grid's {len(scores)} widths on that fold:"
            f" {scores.min():.3f} to {scores.max():.3f}, {ours_text} {ours:.3f} above"
            f" {int((ours > scores).sum())} of them"
        )
    return text + ")"


def grid_regret_text(spreads: pd.Series, grid: pd.Series, seeded: bool = False) -> str:
    """The grid's own choice (its score per (dataset, fold), ``grid``) against the best
    of its widths fitted on the same fold: the noise that a fold's score carries.
    ``seeded``: say that both are fits with random_state 0, among other seeds."""
    regret = spreads.map(np.max) - grid
    worst = regret.idxmax()
    seed = ", both at random_state 0" if seeded else ""
    return (
        "The grid's own choice against the best of its widths fitted on the same fold"
        f"{seed} (the noise a fold's score carries): a median {regret.median():.3f} below it"
        f" over the {len(regret)} folds, {(regret > -FOLD_FLOOR).sum()} of them more than"
        f" {-FOLD_FLOOR} below, at most {regret.max():.3f} ({worst[0]} fold {worst[1]})."
    )


def own_width_bullets(verdicts, difference, widths, seconds, by_fold, rows) -> list[str]:
    datasets = list(verdicts)
    near = [d for d in datasets if verdicts[d][0] >= -OWN_WIDTH_TOLERANCE]
    short = [f"{d} ({verdicts[d][0]:+.3f})" for d in datasets if d not in near]
    spreads = fold_width_scores(rows)
    folds_below = [
        fold_below_text(cell, v, by_fold, spreads)
        for cell, v in difference["skgrow"].items()
        if v < FOLD_FLOOR
    ]
    compute = median_compute(seconds, "skgrow")
    share = len(near) / len(datasets)
    bullets = [
        f"Own width (target_size='auto'): within {OWN_WIDTH_TOLERANCE} of the grid over widths"
        f" or above on {len(near)} of {len(datasets)} datasets ({share:.0%}; target"
        f" {OWN_WIDTH_SHARE:.0%}: {met(share >= OWN_WIDTH_SHARE)}); below it on"
        f" {listed(short)}. Folds more than {-FOLD_FLOOR} below the grid's:"
        f" {len(folds_below)} ({listed(folds_below)}; target none:"
        f" {met(not folds_below)}). Median compute, skgrow's fit time over the grid"
        f" search's: {compute:.3f} (target at most {COMPUTE_SHARE}:"
        f" {met(compute <= COMPUTE_SHARE)}).",
    ]
    if spreads is not None:
        bullets.append(grid_regret_text(spreads, by_fold["sklearn"]))
    if {"linear", "friedman1", "bessel"} <= set(datasets):
        linear = verdicts["linear"][3]
        others = {d: verdicts[d][3] for d in ("friedman1", "bessel")}
        ok = linear <= 8 and all(w >= 3 * linear for w in others.values())
        bullets.append(
            f"Own width follows the need: mean chosen width {linear:.1f} on the linear task,"
            f" {others['friedman1']:.1f} on Friedman #1 and {others['bessel']:.1f} on Bessel"
            f" (target: a few on the linear task, three times that on the others:"
            f" {met(ok)})."
        )
    for variant in (c for c in difference.columns if c != "skgrow"):
        mean = difference[variant].groupby(level="dataset").mean()
        near = int((mean >= -OWN_WIDTH_TOLERANCE).sum())
        below = int((difference[variant] < FOLD_FLOOR).sum())
        bullets.append(
            f"Own width, {variant}: within {OWN_WIDTH_TOLERANCE} of the grid or above on"
            f" {near} of {len(mean)} datasets; {below} folds more than {-FOLD_FLOOR} below"
            f" the grid's; median compute {median_compute(seconds, variant):.3f}; median width"
            f" {widths[variant].median():.0f} (the main setting: {widths['skgrow'].median():.0f})."
        )
    return bullets


def median_compute(seconds: pd.DataFrame, contestant: str) -> float:
    """The median over datasets of ``contestant``'s fit seconds over the grid's."""
    total = seconds.groupby(level="dataset").sum()
    return float((total[contestant] / total["sklearn"]).median())


# -- budgets ----------------------------------------------------------------------------------


def budget_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, budget): mean score of each library over folds, and skgrow's
    grown width. Budgets are ``max_iter`` values, then ``partial_fit k`` after k calls."""
    records = []
    for _, row in rows.iterrows():
        budgets = {f"max_iter {b}": row["scores"][b] for b in row["scores"]}
        grown = {f"max_iter {b}": row["widths"][b] for b in row["widths"]}
        for k, (score, width) in enumerate(
            zip(row["partial_fit_scores"], row["partial_fit_widths"]), start=1
        ):
            budgets[f"partial_fit {k}"], grown[f"partial_fit {k}"] = score, width
        for budget, score in budgets.items():
            records.append(
                {
                    "dataset": row["dataset"],
                    "library": row["library"],
                    "fold": row["fold"],
                    "budget": budget,
                    "score": score,
                    "width": grown[budget],
                }
            )
    cells = pd.DataFrame(records)
    mean = cells.pivot_table(
        index=["dataset", "budget"], columns="library", values=["score", "width"], sort=False
    )
    result = pd.DataFrame(
        {
            "sklearn": mean[("score", "sklearn")],
            "skgrow": mean[("score", "skgrow")],
            "width": mean[("width", "skgrow")],
        }
    )
    result["difference"] = result["skgrow"] - result["sklearn"]
    return result.reset_index()


def budget_part(rows: pd.DataFrame, meta: dict, figure_dir: Path) -> tuple[list[str], list[str]]:
    cells = budget_cells(rows)
    shown = [f"max_iter {b}" for b in meta.get("budgets", BUDGETS)]
    calls = meta.get("partial_fit_calls", 30)
    shown_calls = [f"partial_fit {k}" for k in (1, 3, 10, calls)]
    header = (
        ["dataset"] + shown + [c.replace("partial_fit", "partial_fit call") for c in shown_calls]
    )
    header.append(f"partial_fit: calls below -{BUDGET_TOLERANCE}")
    body = []
    for dataset, group in cells.groupby("dataset", sort=False):
        group = group.set_index("budget")
        partial_fits = group[group.index.str.startswith("partial_fit")]
        body.append(
            [dataset]
            + [
                f"{group.loc[b, 'difference']:+.3f} ({group.loc[b, 'sklearn']:.3f}, w"
                f" {group.loc[b, 'width']:.0f})"
                for b in shown + shown_calls
            ]
            + [str(int((partial_fits["difference"] < -BUDGET_TOLERANCE).sum()))]
        )
    lines = [
        "",
        "**budgets** (skgrow's mean CV score minus sklearn's, over the folds and"
        f" {seeds_text(rows['seed'].nunique())}; in brackets sklearn's score and skgrow's"
        " grown width)",
        "",
    ] + table(header, body)
    name = figures.budgets(cells, figure_dir)
    caption = (
        "Budgets: skgrow's score minus sklearn's after each budget, every dataset (left:"
        " max_iter; right: partial_fit calls); the band is the target's -0.01."
    )
    lines += ["", f"![{caption}](figures/{name})", "", f"*{caption}*"]
    return lines, budget_bullets(cells)


def budget_bullets(cells: pd.DataFrame) -> list[str]:
    ok = cells["difference"] >= -BUDGET_TOLERANCE
    share = ok.mean()
    worst = cells.loc[cells["difference"].idxmin()]
    below = cells[~ok]
    named = listed(
        f"{r.dataset} {r.budget} ({r.difference:+.3f})"
        for r in below.sort_values("difference").head(12).itertuples()
    )
    more = f" and {len(below) - 12} more" if len(below) > 12 else ""
    fixed = cells[cells["budget"].str.startswith("max_iter")]
    fixed_ok = int((fixed["difference"] >= -BUDGET_TOLERANCE).sum())
    first_call = cells[cells["budget"] == "partial_fit 1"]["width"].median()
    return [
        f"Budgets (default estimators): skgrow scores at least sklearn's - {BUDGET_TOLERANCE} in"
        f" {ok.sum()} of {len(cells)} (dataset, budget) cells ({share:.1%}; target"
        f" {BUDGET_SHARE:.0%}: {met(share >= BUDGET_SHARE)}); the worst cell is"
        f" {worst['dataset']} at {worst['budget']}, {worst['difference']:+.3f} (target never"
        f" below {BUDGET_FLOOR}: {met(worst['difference'] >= BUDGET_FLOOR)}). Cells below:"
        f" {named}{more}. At max_iter 10 to 200 alone: {fixed_ok} of {len(fixed)} cells. The"
        f" grown width after the first partial_fit call: median {first_call:.0f} neurons of 100.",
    ]
