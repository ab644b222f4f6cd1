"""Reproducibility of Monte Carlo studies: the same seed gives the same numbers everywhere.

Every study here is of the seeded scenario cut to a 30-day horizon, 4,500 replicates in blocks
of 1,000 (so the last block is partial), compared on everything ``to_json()`` reports except
the wall time, the executor's name and its number of workers.
"""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pandas as pd
import pytest
from runner_helpers import (
    REQUIRED_KEYS,
    ROOT,
    numbers,
    outcome_codes,
    report_numbers,
    seeded_scenario,
    write_scenario_file,
)

from escalation import RunError, run_study
from escalation.cli import main
from escalation.runner import DaskExecutor, Executor, SerialExecutor
from escalation.runner.executors import open_executor

RUNS = 4_500
BLOCK = 1_000
SEED = 11


def study(**options):
    options = {"runs": RUNS, "seed": SEED, "block_size": BLOCK} | options
    return run_study(seeded_scenario(30), **options)


@pytest.fixture(scope="module")
def reference():
    return study()


@pytest.fixture(scope="module")
def dask_cluster():
    """A real two-process Dask cluster on loopback, with this checkout importable by its workers."""
    from distributed import Client, LocalCluster

    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), saved) if p)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1")
    client = Client(cluster)
    try:
        yield cluster, client
    finally:
        client.close()
        cluster.close()
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


class PermutedExecutor(Executor):
    """Runs every task, then hands the results back in a fixed scrambled order."""

    name = "permuted"

    def __init__(self, order: str) -> None:
        self.order = order

    def run(self, fn, tasks):
        done = [(task, fn(task)) for task in tasks]
        if self.order == "reversed":
            done.reverse()
        else:
            random.Random(self.order).shuffle(done)
        yield from done


# --------------------------------------------------------------------------- basic invariants
def test_reference_study_is_well_formed(reference):
    report = reference.to_json()
    assert report["runs"] == RUNS
    assert report["seed"] == SEED
    assert report["block_size"] == BLOCK
    assert report["stopping"] == {"runs": RUNS}
    assert report["executor"] == "serial"
    assert reference.meta["blocks"] == 5
    outcomes = report["outcomes"]
    assert list(outcomes) == [rule.name for rule in seeded_scenario(30).outcomes]
    assert sum(o["count"] for o in outcomes.values()) == RUNS
    assert sum(o["p"] for o in outcomes.values()) == pytest.approx(1.0, abs=1e-12)
    for o in outcomes.values():
        assert o["p"] == o["count"] / RUNS
        assert 0.0 <= o["ci_low"] <= o["p"] <= o["ci_high"] <= 1.0
    summary = reference.summary
    assert summary.n == RUNS
    assert summary.peak_rung.sum() == summary.peak_day.sum() == summary.settle_day.sum() == RUNS
    # every actor stands on exactly one rung per world and day
    assert (summary.rung_counts.sum(axis=2) == RUNS).all()


def test_repeating_a_study_gives_identical_numbers(reference):
    assert numbers(study()) == numbers(reference)


def test_different_seeds_give_different_numbers(reference):
    other = study(seed=SEED + 1)
    counts = [o["count"] for o in reference.to_json()["outcomes"].values()]
    other_counts = [o["count"] for o in other.to_json()["outcomes"].values()]
    assert counts != other_counts
    assert not np.array_equal(reference.summary.rung_counts, other.summary.rung_counts)


# --------------------------------------------------------------------------- executors
@pytest.mark.parametrize("workers", [1, 2])
def test_processes_give_the_serial_numbers(reference, workers):
    results = study(executor="processes", workers=workers)
    assert results.meta["executor"] == "processes"
    assert results.meta["workers"] == workers
    assert numbers(results) == numbers(reference)


@pytest.mark.parametrize("order", ["reversed", "shuffle-1", "shuffle-2"])
def test_block_completion_order_does_not_matter(reference, order):
    results = study(executor=PermutedExecutor(order))
    assert results.meta["executor"] == "permuted"
    assert numbers(results) == numbers(reference)


def test_dask_client_gives_the_serial_numbers(reference, dask_cluster):
    _, client = dask_cluster
    results = study(executor=DaskExecutor(client=client))
    assert results.meta["executor"] == "dask"
    assert results.meta["workers"] == 2
    assert numbers(results) == numbers(reference)
    # the study does not close a client it was given
    assert client.status == "running"


def test_dask_scheduler_address_gives_the_serial_numbers(reference, dask_cluster):
    cluster, _ = dask_cluster
    results = study(executor="dask", scheduler=cluster.scheduler_address)
    assert results.meta["executor"] == "dask"
    assert numbers(results) == numbers(reference)


def test_dask_local_cluster_gives_the_serial_numbers(reference, dask_cluster):
    """Without a scheduler or client, the Dask executor starts (and stops) a local cluster."""
    results = study(executor="dask", workers=2)
    assert (results.meta["executor"], results.meta["workers"]) == ("dask", 2)
    assert numbers(results) == numbers(reference)


def test_open_executor_closes_only_what_it_built(monkeypatch):
    closed = []
    monkeypatch.setattr(SerialExecutor, "close", lambda self: closed.append(self))
    mine = SerialExecutor()
    with open_executor(mine) as executor:
        assert executor is mine
    assert closed == []
    with open_executor("serial") as executor:
        assert isinstance(executor, SerialExecutor) and executor is not mine
    assert closed == [executor]


# --------------------------------------------------------------------------- blocks
def test_partial_last_block(tmp_path, reference):
    results = study(out=tmp_path / "study")
    assert numbers(results) == numbers(reference)
    rows = results.replicates()
    assert len(rows) == RUNS
    assert rows["replicate"].tolist() == list(range(RUNS))
    sizes = [len(pd.read_parquet(tmp_path / "study" / "blocks" / f"block-{k:06d}.parquet")) for k in range(5)]
    assert sizes == [1000, 1000, 1000, 1000, 500]
    # the per-replicate rows add up to the reported outcome counts, under the outcomes' names
    assert list(rows["outcome"].cat.categories) == results.outcome_names
    counts = np.bincount(outcome_codes(rows), minlength=len(results.outcome_names))
    assert counts.tolist() == results.summary.outcome.tolist()


def test_full_blocks_do_not_depend_on_the_number_of_runs(tmp_path):
    """Block k holds the same worlds whatever the study's total, when it is a full block."""
    shorter = study(runs=4_000, out=tmp_path / "a").replicates()
    longer = study(runs=RUNS, out=tmp_path / "b").replicates()
    pd.testing.assert_frame_equal(longer.iloc[:4_000].reset_index(drop=True), shorter)


# --------------------------------------------------------------------------- command line
def cli_json(capsys, *argv: str) -> dict:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_cli_json_report(tmp_path, capsys, reference):
    path = write_scenario_file(seeded_scenario(30), tmp_path)
    base = ["run", str(path), "--runs", str(RUNS), "--block-size", str(BLOCK), "--seed", str(SEED), "--quiet"]

    serial = cli_json(capsys, *base, "--json")
    assert set(serial) >= REQUIRED_KEYS
    assert serial["executor"] == "serial"
    assert isinstance(serial["elapsed_s"], float)
    assert set(serial["versions"]) >= {"escalation", "python", "numpy", "mesa"}
    assert report_numbers(serial) == numbers(reference)

    with_workers = cli_json(capsys, *base, "--workers", "2", "--json")
    assert report_numbers(with_workers) == report_numbers(serial)

    processes = cli_json(capsys, *base, "--executor", "processes", "--workers", "2", "--json")
    assert (processes["executor"], processes["workers"]) == ("processes", 2)
    assert report_numbers(processes) == report_numbers(serial)


def test_replicates_in_memory_and_labelled_outcomes_on_disk(tmp_path):
    """Without a folder the rows stay in memory; in Parquet the outcome column carries its names."""
    import pyarrow.parquet as pq

    options = {"runs": 1_000, "seed": 4, "block_size": 400}
    in_memory = run_study(seeded_scenario(20), **options).replicates()
    on_disk = run_study(seeded_scenario(20), out=tmp_path / "s", **options).replicates()
    pd.testing.assert_frame_equal(in_memory, on_disk, check_dtype=False)
    assert list(in_memory["replicate"]) == list(range(1_000))
    assert list(in_memory["outcome"].cat.categories) == [r.name for r in seeded_scenario(20).outcomes]
    field = pq.read_schema(tmp_path / "s" / "blocks" / "block-000000.parquet").field("outcome")
    assert str(field.type) == "dictionary<values=string, indices=int16, ordered=0>"
    table = pq.read_table(tmp_path / "s" / "blocks" / "block-000000.parquet").to_pandas()
    assert set(table["outcome"].astype(str)) <= {r.name for r in seeded_scenario(20).outcomes}


@pytest.mark.parametrize("address", ["not-an-address", "", "http://127.0.0.1:8786/status"])
def test_a_malformed_scheduler_address_is_refused_before_connecting(address):
    with pytest.raises(RunError, match="is not a Dask scheduler address"):
        run_study(seeded_scenario(10), runs=10, executor="dask", scheduler=address)


def test_a_scheduler_without_workers_times_out_in_one_line():
    from distributed import LocalCluster

    with (
        LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=":0") as empty,
        pytest.raises(RunError, match="has no workers"),
    ):
        run_study(seeded_scenario(10), runs=10, executor="dask", scheduler=empty.scheduler_address, dask_timeout=2)


def test_a_port_that_is_not_a_scheduler_is_one_line():
    import socket

    with socket.socket() as server:  # listens, never speaks Dask
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        with pytest.raises(RunError, match="cannot reach a Dask scheduler"):
            run_study(seeded_scenario(10), runs=10, executor="dask", scheduler=address, dask_timeout=2)
