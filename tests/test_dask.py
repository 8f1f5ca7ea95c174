"""Grid search on a Dask cluster through joblib's dask backend gives the serial results."""

import numpy as np
import pytest
from sklearn.datasets import make_friedman1
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skgrow import GrowingMLPRegressor

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

PARAM_GRID = {
    "mlp__growth": ["auxiliary", "controller"],
    "mlp__size_penalty": [0.1, 1.0],
    "mlp__hidden_layer_sizes": [(8,), (16, 8)],
}


def grid_search(n_jobs):
    model = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "mlp",
                GrowingMLPRegressor(
                    learning_rate_init=0.01, batch_size=20, max_iter=15, random_state=0
                ),
            ),
        ]
    )
    return GridSearchCV(model, PARAM_GRID, cv=KFold(3), n_jobs=n_jobs)


@pytest.fixture(scope="module")
def data():
    X, y = make_friedman1(90, random_state=0)
    return X, (y - y.mean()) / y.std()


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_grid_search_on_a_dask_cluster_matches_the_serial_search(data, dask_client):
    X, y = data
    serial = grid_search(n_jobs=1).fit(X, y)
    with distributed.get_task_stream(client=dask_client) as tasks:
        with joblib.parallel_backend("dask"):
            on_cluster = grid_search(n_jobs=-1).fit(X, y)

    # the cross-validation fits ran as tasks on the cluster's worker processes
    fit_tasks = [task for task in tasks.data if "fit_and_score" in task["key"]]
    assert fit_tasks
    workers = set(dask_client.scheduler_info()["workers"])
    assert {task["worker"] for task in fit_tasks} <= workers and len(workers) == 2

    assert len(on_cluster.cv_results_["params"]) == 8
    for key in ["mean_test_score", *(f"split{i}_test_score" for i in range(3))]:
        np.testing.assert_array_equal(on_cluster.cv_results_[key], serial.cv_results_[key])
    assert on_cluster.best_params_ == serial.best_params_
    np.testing.assert_array_equal(on_cluster.predict(X), serial.predict(X))
    # the candidates differ, so equal scores are not a coincidence of equal models
    assert len(np.unique(serial.cv_results_["mean_test_score"])) == 8


def test_a_worker_killed_mid_search_does_not_change_the_results(data, dask_client):
    """The cluster's nanny restarts a killed worker process and the scheduler runs its
    lost tasks again; the fits are deterministic, so the results are the serial ones."""
    import os
    import signal
    import threading
    import time

    X, y = data
    serial = grid_search(n_jobs=1).set_params(estimator__mlp__max_iter=60).fit(X, y)
    pids = dask_client.run(os.getpid)  # worker address -> process id
    killed = []  # (process id, when)

    def running_a_fit_and_holding_none(dask_scheduler):
        """The workers running a fit and holding no finished fit's result. Killed while the
        client fetches a result, a worker can take the key with it, and dask then cancels
        it ("already forgotten") instead of running it again."""
        fits = lambda tasks: sum("fit_and_score" in str(task.key) for task in tasks)  # noqa: E731
        return sorted(
            address
            for address, worker in dask_scheduler.workers.items()
            if fits(worker.executing) > 0 and fits(worker.has_what) == 0
        )

    def kill_while_it_runs_a_fit():
        deadline, since = time.monotonic() + 60, {}
        while time.monotonic() < deadline:
            busy = dask_client.run_on_scheduler(running_a_fit_and_holding_none)
            now = time.monotonic()
            since = {address: since.get(address, now) for address in busy}
            for address, start in since.items():
                if now - start > 0.05:  # well into its fit: the search has tasks left
                    os.kill(pids[address], signal.SIGKILL)
                    killed.append((pids[address], time.monotonic()))
                    return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_while_it_runs_a_fit)
    killer.start()
    search = grid_search(n_jobs=-1).set_params(estimator__mlp__max_iter=60)
    # the data broadcast to every worker: joblib otherwise scatters X to one worker, and
    # scattered data die with it (dask cannot recompute them)
    with joblib.parallel_backend("dask", scatter=[X, y]):
        try:
            on_cluster = search.fit(X, y)
        except distributed.client.FutureCancelledError as error:
            # now and then dask cancels the batch the killed worker was running instead
            # of running it again (docs/integration.rst): the search fails at once, with
            # this error, and a second one gives the serial results
            assert "already forgotten" in str(error)
            killer.join()
            dask_client.wait_for_workers(2, timeout=60)
            on_cluster = search.fit(X, y)
    search_ended = time.monotonic()
    killer.join()

    assert killed and killed[0][1] < search_ended  # killed while the search ran
    for key in ["mean_test_score", *(f"split{i}_test_score" for i in range(3))]:
        np.testing.assert_array_equal(on_cluster.cv_results_[key], serial.cv_results_[key])
    assert on_cluster.best_params_ == serial.best_params_
    # the nanny has started a new worker process in place of the killed one
    dask_client.wait_for_workers(2, timeout=60)
    assert killed[0][0] not in dask_client.run(os.getpid).values()
