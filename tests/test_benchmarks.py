"""The benchmark scripts still run: a tiny cell of each, then the report built from them."""

import importlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("pandas")

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
SCRIPTS = (
    "bench_paper",
    "bench_scaling",
    "bench_sklearn",
    "bench_lambda",
    "report",
    "bench_speed",
    "compare_speed",
    "audit_tricks",
    "bench_before",
    "bench_depth",
)


@pytest.fixture(scope="module")
def scripts():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield {name: importlib.import_module(name) for name in SCRIPTS}
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def results(scripts, tmp_path_factory):
    """Each benchmark's smallest run, written where the real results would go."""
    directory = tmp_path_factory.mktemp("results")
    paper, scaling, sklearn_bench = (scripts[n] for n in SCRIPTS[:3])
    wanted = {
        "A bessel (size_penalty 0.1)",
        "A binary sine",
        "B gaussian mixture (noise 0.1)",
        "B spirals (3 arms)",
    }
    comparisons = [c for c in paper.all_comparisons() if c.name in wanted]
    paper.run_benchmark(directory / "paper.json", comparisons, 1, 1, epoch_fraction=1e-4)
    regimes = [scaling.FULL_BATCH, scaling.MINI_BATCH]
    scaling.run_benchmark(
        directory / "scaling.json", regimes, [2, 4, 8], 1, (1e-3,), epoch_fraction=1e-3
    )
    iris = [d for d in sklearn_bench.DATASETS if d.name == "iris"]
    seeds = {"budgets": 2, "defaults": 2}
    sklearn_bench.run_benchmark(directory / "sklearn.json", iris, 2, 1, max_iter=2, seeds=seeds)
    scripts["bench_lambda"].run_benchmark(directory / "lambda.json", (0.266, 10.0), 2, 20)
    return directory


def rows(path):
    return json.loads(path.read_text())["rows"]


def test_paper_cells_pair_growing_with_reference(results):
    stored = rows(results / "paper.json")
    assert len(stored) == 8
    for row in stored:
        assert row["test_loss"] > 0
        assert len(row["size_curve"]) == len(row["curve_epochs"]) == row["n_iter"]
    sine = [r for r in stored if r["comparison"] == "A binary sine"]
    assert {r["run"] for r in sine} == {"growing", "grown"}
    assert all(0 <= r["test_accuracy"] <= 1 for r in sine)


def test_a_finished_cell_is_not_run_again(scripts, results, capsys):
    paper = scripts["bench_paper"]
    comparisons = [c for c in paper.all_comparisons() if c.name == "A binary sine"]
    store = paper.run_benchmark(results / "paper.json", comparisons, 1, 1, epoch_fraction=1e-4)
    assert capsys.readouterr().out == ""
    assert len(store.rows) == 8


def test_shards_split_the_plan_and_share_one_file(scripts, tmp_path):
    paper = scripts["bench_paper"]
    wanted = {"A binary sine", "A cubic", "A quadratic"}
    comparisons = [c for c in paper.all_comparisons() if c.name in wanted]
    cells = paper.planned_cells(comparisons, 2, 2)
    shards = [paper.shard_of(cells, k, 2) for k in range(2)]
    key = lambda cell: (cell[0].name, cell[1], cell[2])  # noqa: E731
    assert sorted(map(key, shards[0] + shards[1])) == sorted(map(key, cells))
    assert {cell[0].name for cell in shards[0]} == wanted  # every task in every shard
    path = tmp_path / "paper.json"
    for k in range(2):  # one after the other here; the file lock lets them overlap
        paper.run_benchmark(path, comparisons, 2, 2, epoch_fraction=1e-4, shard=(k, 2))
    stored = json.loads(path.read_text())
    assert len(stored["rows"]) == len(cells) == 12
    assert stored["meta"]["complete"]
    assert len(stored["meta"]["runs"]) == 2 and all("finished" in r for r in stored["meta"]["runs"])


def test_scaling_and_sklearn_cells(results):
    scaling = rows(results / "scaling.json")
    assert len(scaling) == 2 * 3 * 3  # regimes x capacities x runs
    assert {r["run"] for r in scaling} == {"growing", "static", "static, authors' init"}
    assert {r["batch_size"] for r in scaling} == {200, 3276}
    sklearn_rows = rows(results / "sklearn.json")
    libraries = {(r["mode"], r["library"]) for r in sklearn_rows}
    assert ("own width", "skgrow, max_iter=200") in libraries
    for grid in (r for r in sklearn_rows if (r["mode"], r["library"]) == ("own width", "sklearn")):
        assert list(grid["width_scores"]) == ["4", "8", "16", "32", "64", "128", "256"]
        assert grid["width_scores"][str(grid["width"])] == grid["score"]  # the grid's refit
    assert all(r["parameters"] > 0 and r["fit_seconds"] > 0 for r in sklearn_rows)
    budgets = [r for r in sklearn_rows if r["mode"] == "budgets"]
    assert {r["library"] for r in budgets} == {"sklearn", "skgrow"}
    assert {(r["fold"], r["seed"]) for r in budgets} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    seeded = {r["mode"] for r in sklearn_rows if r["seed"] > 0}
    assert seeded == {"budgets", "defaults"}  # tuned and own width: random_state 0 only
    by_seed = {r["seed"]: r["partial_fit_scores"] for r in budgets if r["library"] == "skgrow"}
    assert by_seed[0] != by_seed[1]  # each seed its own initial weights
    for row in budgets:
        assert set(row["scores"]) == {"10", "30", "100", "200"}
        assert len(row["partial_fit_scores"]) == len(row["partial_fit_widths"]) == 30


def test_report_from_the_tiny_runs(scripts, results, tmp_path):
    path = scripts["report"].write_report(results, tmp_path, refit=True)
    text = path.read_text()
    for heading in ("## 1.", "## 2.", "## 3.", "## Summary"):
        assert heading in text
    for link in text.split("](figures/")[1:]:
        assert (tmp_path / "figures" / link.split(")")[0]).stat().st_size > 0
    assert "figures/paper_example.png" in text
    assert "random_state 0 to 1 in defaults; random_state 0 in own width" in text
    assert "**defaults over 2 seeds**" in text
    assert "defaults over 2 seeds, skgrow vs sklearn: higher by more than two" in text


def test_the_report_sets_today_against_skgrow_before_with_the_defaults_variants(
    scripts, results, tmp_path
):
    directory = tmp_path / "results"
    shutil.copytree(results, directory)
    today = [
        r
        for r in rows(results / "sklearn.json")
        if r["library"] == "skgrow" and r["mode"] in ("defaults", "tuned") and r["seed"] == 0
    ]
    before = [dict(r, score=r["score"] + 0.1, n_iter=7, width=3) for r in today]
    meta = {"skgrow_commit": "abc1234"}
    (directory / "sklearn_before.json").write_text(json.dumps({"meta": meta, "rows": before}))
    text = scripts["report"].write_report(directory, tmp_path / "docs", refit=True).read_text()
    variants = "| every epoch | papers' pace | random new neurons |"
    assert f"| mode | dataset | before | today | difference {variants}" in text
    assert "lower by more than two standard errors in 2 of 2" in text
    assert "iris (defaults) 7 before, 2 today, width 3 before" in text
    assert "every epoch -0.1" in text  # the variants ran 2 epochs too, scored no higher
    assert "The grid's own choice against the best of its widths fitted on the same" in text


def test_the_seeds_comparison_with_before_shards_its_plan_and_fits_each_fold(scripts, capsys):
    before = scripts["bench_before"]
    datasets = ["iris", "wine"]
    whole = before.planned_cells(datasets, 3, (0, 1))
    shards = [before.planned_cells(datasets, 3, (k, 2)) for k in (0, 1)]
    assert sorted(shards[0] + shards[1]) == sorted(whole)
    assert len(whole) == len(set(whole)) == 2 * 3 * len(before.CONTESTANTS)
    before.run_worker("skgrow, static", [("iris", 1)])
    fitted = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["fold"] for row in fitted] == list(range(before.N_FOLDS))
    for row in fitted:
        assert row["seed"] == 1 and row["width"] == 100 and row["skgrow"]
        assert 0.8 < row["score"] <= 1 and 0.8 < row["train_score"] <= 1


def test_the_report_sets_today_against_before_over_seeds(scripts, results, tmp_path):
    directory = tmp_path / "results"
    shutil.copytree(results, directory)
    seeded = []
    for contestant in scripts["bench_before"].CONTESTANTS:
        for seed in range(3):
            for fold in range(2):  # today lower than before on iris, higher on wine;
                # with early stopping, skgrow above sklearn on iris, below on wine
                shifts = {"skgrow": -0.05, "skgrow before": 0.0, "skgrow, early stopping": 0.03}
                shift = shifts.get(contestant, 0.01)
                for dataset, sign in (("iris", 1), ("wine", -1)):
                    noise = 0.001 * ((seed + len(contestant)) % 3 - 1)  # mean 0 over seeds
                    score = 0.9 + sign * shift + noise
                    width = 37 if contestant == "skgrow before" else 100
                    seeded.append(
                        dict(
                            contestant=contestant,
                            dataset=dataset,
                            seed=seed,
                            fold=fold,
                            score=score,
                            train_score=score + 0.05,
                            width=width,
                            n_iter=9,
                        )
                    )
    meta = {"before_commit": "abc1234", "complete": True, "runs": [{"command": "x"}]}
    (directory / "before_seeds.json").write_text(json.dumps({"meta": meta, "rows": seeded}))
    text = scripts["report"].write_report(directory, tmp_path / "docs", refit=True).read_text()
    assert "**defaults against skgrow before the growth work, over 3 seeds**" in text
    assert "| dataset | sklearn | static | before | today | today - before |" in text
    assert "lower by more than two standard errors on 1 of 2 datasets (iris -0.0500)" in text
    assert "higher on 1 (wine +0.0500)" in text
    assert "iris: width 37 before, 100 today; score on the training rows: skgrow before" in text
    stopping = "| skgrow - sklearn, early stopping | skgrow, early stopping - defaults |"
    assert "| sklearn, early stopping | skgrow, early stopping " + stopping in text
    assert (
        "With early_stopping=True, skgrow against sklearn with it: higher by more than two"
        " standard errors on 1 of 2 datasets (iris +0.020), lower on 1 (wine -0.020); against"
        " skgrow's defaults: lower on 1 (wine -0.080), higher on 1 (iris +0.080)." in text
    )
    assert "/before_seeds.json`" in text  # its source line


def test_the_source_line_names_every_command_of_a_split_run(scripts, tmp_path):
    runs = [
        {"command": f"python bench_paper.py --shard {k}/2", "started": "2026-01-01"} for k in (1, 0)
    ]
    meta = {"command": runs[0]["command"], "complete": True, "cells_planned": 2, "runs": runs}
    line = scripts["report"].source_line("paper", ({"meta": meta, "rows": [{}, {}]}, tmp_path))
    assert "`python bench_paper.py --shard 0/2` + `python bench_paper.py --shard 1/2`" in line
    assert "complete" in line and "incomplete" not in line


def test_the_speed_report_lists_the_targets_it_misses(scripts, tmp_path):
    speed = scripts["bench_speed"]
    epoch_times = [
        {"n_rows": n, "width": w, "epochs": 1, "sklearn_s_per_epoch": 1.0}
        | {f"skgrow_{k}_s_per_epoch": r for k, r in (("static", 0.4), ("growing", growing))}
        | {"skgrow_static_ratio": 0.4, "skgrow_growing_ratio": growing}
        for n, w, growing in ((20_000, 10, 0.65), (100_000, 10, 0.75), (20_000, 100, 0.45))
    ]
    growing_versus_static = {
        "static_s": 1.0, "growing_s": 0.5, "ratio": 0.5, "mean_width": 400,
        "static_at_mean_width_s": 0.45, "lower_bound_ratio": 0.45,
        "mean_active_fraction": 0.4, "size_after_each_epoch": [100.0, 700.0],
    }  # fmt: skip
    results = {
        "command": "python benchmarks/bench_speed.py --quick", "date": "2026-01-01",
        "machine": "2 cores", "repeats": 3, "epoch_times": epoch_times,
        "growing_versus_static": growing_versus_static,
        "parallel_search": {"n_jobs_1_s": 1.0, "n_jobs_2_s": 0.6, "speedup": 1.67},
    }  # fmt: skip
    speed.write_report(results, tmp_path / "speed.md")
    report = (tmp_path / "speed.md").read_text()
    assert "growing network at width 10: 0.65 to 0.75 of sklearn's time (target <= 0.7)" in report
    assert "width 100" not in report.split("Targets not met")[1].split("##")[0]
    assert "capacity 1024: 0.50" not in report
    growing_versus_static["ratio"] = 0.7
    epoch_times[1]["skgrow_growing_ratio"] = 0.69
    assert speed.target_summary(results) == [
        "**Targets not met in this run:**",
        "",
        "- growing run at capacity 1024: 0.70 of the static run (target <= 0.6)",
    ]
    growing_versus_static["ratio"] = 0.6
    assert speed.target_summary(results) == ["Every speed target below was met in this run."]


def test_lambda_cells_follow_the_notebook(scripts, results):
    lam = scripts["bench_lambda"]
    stored = rows(results / "lambda.json")
    assert len(stored) == 2 * 2 * 2  # lambdas x runs x trials
    model = lam.make_model(0.266, "growing", 0, 10)
    assert model.size_penalty == 0.133 and model.learning_rate_init == 0.002
    assert model.size_input == "neurons" and model.weight_init == "unit"
    for row in stored:
        assert row["test_loss"] == row["test_mse"] + row["lambda_term"]
        assert 0 <= row["final_size"] <= 9
    # the target: J0 on [0.1, 0.2], both axes rescaled to [-1, 1]
    assert lam.target(np.array([-1.0, 1.0])) == pytest.approx([1.0, -1.0])


def test_scaling_shards_are_the_same_in_every_process(scripts):
    # each process computes its own shard: the split must not depend on the process's
    # string hashing (set order), or shards overlap and leave cells out
    import os
    import subprocess

    code = (
        "import bench_scaling as B;"
        "cells = B.planned_cells([B.FULL_BATCH, B.MINI_BATCH], B.LEARNING_RATES, [2, 4, 8], 2);"
        "print(sorted((c[0].name, c[1], c[2], c[3], c[4]) for c in B.shard_of(cells, 0, 2)))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=BENCHMARKS,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    scaling = scripts["bench_scaling"]
    cells = scaling.planned_cells([scaling.FULL_BATCH], scaling.LEARNING_RATES, [2, 4], 2)
    halves = [set(scaling.shard_of(cells, k, 2)) for k in range(2)]
    assert not halves[0] & halves[1] and halves[0] | halves[1] == set(cells)


def test_the_speed_comparison_times_both_trees_alike(scripts, tmp_path):
    # the worker a comparison runs for each tree: a configuration's time and results
    compare = scripts["compare_speed"]
    run = ("growing, width 4", 300, 1, {"hidden_layer_sizes": [4]})
    worker = compare.Worker(Path(__file__).parent.parent)
    try:
        seconds, fitted = worker.time(run)
        again, fitted_again = worker.time(run)
    finally:
        worker.close()
    assert seconds > 0 and len(fitted) == 1 + 300  # one epoch's loss, then predictions
    assert fitted_again == fitted  # a fit timed again computes the same
    tree = Path(__file__).parent.parent
    rows = compare.compare_trees(tree, tree, [run], repeats=2)
    assert rows[0]["same_results"] and len(rows[0]["paired_ratios"]) == 2
    assert rows[0]["median_ratio"] > 0
    names = [name for name, *_ in compare.configurations(quick=False)]
    assert len(names) == len(set(names)) == 22


def test_every_trick_on_record_is_in_the_code_or_was_taken_out(scripts):
    # a trick whose patch no longer applies could not be audited again; a taken-out one
    # has no patch and its verdict says so
    audit = scripts["audit_tricks"]
    import subprocess

    record = json.loads(audit.RESULTS.read_text())
    assert set(record) == set(audit.TRICKS)
    for name, trick in record.items():
        patch = audit.PATCHES / f"{name}.patch"
        if name == audit.CONTROL:
            assert patch.read_text() == "" and not trick["stays"]
        elif patch.exists():
            check = subprocess.run(
                ["git", "-C", str(audit.ROOT), "apply", "--check", str(patch)],
                capture_output=True,
            )
            assert check.returncode == 0, f"{name}: {check.stderr.decode()}"
            assert trick["stays"] or trick["kept_for"], name
        else:
            assert not trick["stays"] and not trick["kept_for"], name
    lines = scripts["bench_speed"].trick_lines(record)
    assert sum(line.startswith("| ") for line in lines) == len(record)  # header + one per trick


def test_the_grid_against_itself_counts_falls_between_seeds(scripts):
    import pandas as pd

    report = importlib.import_module("report_sklearn")  # beside the scripts
    names = ["dataset", "fold", "seed"]
    index = pd.MultiIndex.from_product([["iris"], [0, 1], [0, 1, 2]], names=names)
    # fold 0: seed 2 scores 0.05 below seeds 0 and 1; fold 1: all within 0.02
    grid = pd.Series([0.9, 0.9, 0.85, 0.9, 0.895, 0.91], index=index)
    assert report.grid_against_itself(grid) == (2, 12)  # 2 folds x 6 ordered seed pairs


def test_the_unseen_datasets_run_own_width_only_and_get_a_table_of_their_own(scripts, tmp_path):
    bench = scripts["bench_sklearn"]
    iris = next(d for d in bench.DATASETS if d.name == "iris")
    circles = next(d for d in bench.UNSEEN_DATASETS if d.name == "circles")
    path = tmp_path / "sklearn.json"
    modes, seeds = ("defaults", bench.UNSEEN), {"defaults": 1, bench.UNSEEN: 2}
    bench.run_benchmark(path, [iris, circles], 2, 1, modes, max_iter=2, seeds=seeds)
    stored = json.loads(path.read_text())
    assert stored["meta"]["cells_planned"] == len(stored["rows"])  # only cells that run
    cells = {(r["dataset"], r["mode"], r["library"]) for r in stored["rows"]}
    assert cells == {("iris", "defaults", library) for library in bench.CONTESTANTS["defaults"]} | {
        ("circles", bench.UNSEEN, "sklearn"),
        ("circles", bench.UNSEEN, "skgrow"),
    }
    unseen = [r for r in stored["rows"] if r["mode"] == bench.UNSEEN]
    assert {(r["fold"], r["seed"]) for r in unseen} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert {r["n_fits"] for r in unseen if r["library"] == "sklearn"} == {22}  # the grid
    # sklearn at each of the grid's 7 widths, next to the seed-0 grid only
    with_widths = {(r["fold"], r["seed"]) for r in unseen if "width_scores" in r}
    assert with_widths == {(0, 0), (1, 0)}
    assert all(len(r["width_scores"]) == 7 for r in unseen if "width_scores" in r)
    report = importlib.import_module("report_sklearn")  # beside the scripts
    lines, bullets = report.sklearn_section((stored, path), tmp_path)
    text = "\n".join(lines)
    assert "random_state 0 to 1 in unseen data" in text
    assert "**own width on unseen data over 2 seeds**" in text
    assert sum(line.startswith("| circles |") for line in lines) == 1  # its table only
    assert bullets[-1].startswith("Own width on unseen data over 2 seeds: within 0.005")
    assert "best of its widths fitted on the same fold, both at random_state 0" in bullets[-1]
    regret = bullets[-1].split("over the ")[-1]
    assert regret.startswith("2 folds")  # one comparison per fold, at seed 0


def test_a_fold_below_over_seeds_is_set_among_the_widths_scores(scripts):
    import pandas as pd

    report = importlib.import_module("report_sklearn")  # beside the scripts
    widths = {str(w): s for w, s in zip([4, 8, 16, 32, 64, 128, 256], np.linspace(0.5, 0.8, 7))}
    rows = []
    for fold in (0, 1):
        for seed in (0, 1):
            # fold 0: skgrow 0.05 below the grid at both seeds; fold 1: level
            ours = 0.75 if fold == 0 else 0.8
            for library, score in (("sklearn", 0.8), ("skgrow", ours)):
                row = {"dataset": "circles", "fold": fold, "seed": seed, "library": library}
                row |= {"score": score, "fit_seconds": 1.0, "width": 16}
                row["width_scores"] = widths if library == "sklearn" and seed == 0 else None
                rows.append(row)
    _, bullet = report.own_width_over_seeds(pd.DataFrame(rows), "on unseen data")
    assert "averaged over the seeds: 1 (circles fold 0 (-0.050; sklearn at the grid's 7" in bullet
    assert "0.500 to 0.800, skgrow's mean over seeds 0.750 above 5 of them)" in bullet
    assert "at each seed, 1.000, 1.000, where the grid's fits took 2, 2 s in all" in bullet
    # the grid's 0.8 is its best width's score on both folds
    assert "a median 0.000 below it over the 2 folds, 0 of them" in bullet


def test_the_count_data_is_fitted_with_the_poisson_loss_in_defaults_and_budgets_only(
    scripts, tmp_path, monkeypatch
):
    bench = scripts["bench_sklearn"]
    counts = bench.COUNT_DATASETS[0]
    X, y = counts.load()
    assert np.all(y >= 0) and np.all(y == np.round(y))  # counts, not standardised
    assert [m for m in bench.MODES if bench.runs_on(m, counts)] == ["defaults", "budgets"]
    for library in ("sklearn", "skgrow"):
        model = bench.make_contestant(counts, "defaults", library)
        assert model.steps[-1][1].loss == "poisson"
    path = tmp_path / "sklearn.json"
    modes, seeds = ("defaults", "own width"), {"defaults": 1, "own width": 1}
    bench.run_benchmark(path, [counts], 2, 1, modes, max_iter=2, seeds=seeds)
    stored = json.loads(path.read_text())
    assert {r["mode"] for r in stored["rows"]} == {"defaults"}
    assert all(np.isfinite(r["score"]) for r in stored["rows"])
    report = importlib.import_module("report_sklearn")  # beside the scripts
    lines, _ = report.sklearn_section((stored, path), tmp_path)
    assert any(line.startswith("- **count data** (counts;") for line in lines)
    # the partial_fit loop of a budget row gets the loss too
    calls = []
    original = bench.estimator_class

    def recording(dataset, library):
        Estimator = original(dataset, library)

        def make(**params):
            calls.append(params)
            return Estimator(**params)

        return make

    monkeypatch.setattr(bench, "estimator_class", recording)
    bench.budget_row(counts, "skgrow", X[:100], y[:100], X[100:150], y[100:150])
    assert calls and all(params.get("loss") == "poisson" for params in calls)


def test_the_depth_benchmark_shards_its_plan_and_fits_every_budget_and_fold(scripts, capsys):
    depth = scripts["bench_depth"]
    whole = depth.planned_cells(2, (0, 1))
    shards = [depth.planned_cells(2, (k, 2)) for k in (0, 1)]
    assert sorted(shards[0] + shards[1]) == sorted(whole)
    n_cells = len(depth.DATASETS) * len(depth.LAYERS) * 2 * len(depth.CONTESTANTS)
    assert len(whole) == len({json.dumps(cell) for cell in whole}) == n_cells
    depth.run_worker("skgrow", [("iris", [4, 3], 1)])
    fitted = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    cells = [(row["budget"], row["fold"]) for row in fitted]
    assert sorted(cells) == [(b, f) for b in depth.BUDGETS for f in range(depth.N_FOLDS)]
    for row in fitted:
        assert row["seed"] == 1 and row["layers"] == [4, 3] and row["skgrow"]
        assert 0 < row["width"] <= 4 and 0 <= row["score"] <= 1


def test_the_depth_report_counts_the_cells_below_sklearn(scripts, tmp_path):
    depth = scripts["bench_depth"]
    rows = []
    for dataset, layers, budget, ours in (
        ("iris", [64, 64], 10, -0.02),
        ("wine", [32] * 3, 200, 0.0),
    ):
        for contestant in depth.CONTESTANTS:
            shift = {"sklearn": 0.0, "skgrow": ours}.get(contestant, 0.005)
            for seed in range(2):
                score = 0.9 + shift + 0.001 * (2 * seed - 1)  # mean 0 over seeds
                row = dict(dataset=dataset, layers=layers, budget=budget, seed=seed, fold=0)
                rows.append(dict(row, contestant=contestant, score=score, width=3))
    data = {"meta": {"runs": [{"machine": "m", "skgrow_commit": "abc1234"}]}, "rows": rows}
    path = tmp_path / "depth.md"
    depth.write_report(data, path)
    text = path.read_text()
    assert (
        "- skgrow: at least sklearn's − 0.01 on 1 of 2 cells; worst -0.020 (iris, (64, 64)" in text
    )
    assert "- skgrow, 30-step floor: at least sklearn's − 0.01 on 2 of 2 cells" in text
    assert "| iris | (64, 64) | 10 | 0.900 | -0.020 | +0.005 |" in text
    assert "| wine | (32, 32, 32) | 200 | 0.900 | +0.000 | +0.005 |" in text
