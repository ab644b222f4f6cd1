"""Precision-driven stopping: run until every outcome's 95% interval is narrow enough.

The rule is checked against the per-replicate rows: the study must stop at the first block
boundary at which every outcome's Wilson half-width (recomputed here from its formula) is at
most the requested precision, and not one block later.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import small_scenario_data
from runner_helpers import (
    numbers,
    outcome_codes,
    report_numbers,
    wilson_bounds,
    write_scenario_file,
)

from escalation import RunError, load_scenario, run_study
from escalation.cli import main

PRECISION = 0.02
BLOCK = 500
SEED = 21


def balanced_scenario():
    """A small scenario whose four outcomes are each about a quarter: precision takes several blocks."""
    return load_scenario(small_scenario_data())


def widest_half_width(outcome: np.ndarray, n_outcomes: int) -> float:
    counts = np.bincount(outcome, minlength=n_outcomes)
    n = int(counts.sum())
    return max((high - low) / 2 for low, high in (wilson_bounds(int(c), n, 0.95) for c in counts))


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("precision") / "serial"
    return run_study(balanced_scenario(), precision=PRECISION, block_size=BLOCK, seed=SEED, out=out)


def test_stops_at_the_first_precise_enough_block_boundary(serial):
    results = serial
    blocks = results.meta["blocks"]
    assert results.runs == blocks * BLOCK
    assert blocks >= 3  # the rule had to be checked more than once
    rows = results.replicates()
    assert len(rows) == results.runs
    assert rows["replicate"].tolist() == list(range(results.runs))
    outcome = outcome_codes(rows)
    n_outcomes = len(results.outcome_names)
    assert np.bincount(outcome, minlength=n_outcomes).tolist() == results.summary.outcome.tolist()
    for k in range(1, blocks + 1):
        widest = widest_half_width(outcome[: k * BLOCK], n_outcomes)
        if k < blocks:
            assert widest > PRECISION, f"already precise enough after {k} blocks"
        else:
            assert widest <= PRECISION


def test_reports_that_the_precision_was_reached(serial):
    report = serial.to_json()
    assert report["stopping"] == {"precision": PRECISION, "max_runs": 10_000_000, "reached": True}
    for name, outcome in report["outcomes"].items():
        assert (outcome["ci_high"] - outcome["ci_low"]) / 2 <= PRECISION, name
    assert serial.max_half_width() <= PRECISION


def test_processes_stop_at_the_same_block(serial, tmp_path):
    results = run_study(
        balanced_scenario(),
        precision=PRECISION,
        block_size=BLOCK,
        seed=SEED,
        executor="processes",
        workers=2,
        out=tmp_path / "processes",
    )
    assert numbers(results) == numbers(serial)
    # blocks finished beyond the stopping point may be on disk, but are not part of the study
    assert len(results.replicates()) == serial.runs


def test_cli_precision_matches_the_library(serial, tmp_path, capsys):
    path = write_scenario_file(balanced_scenario(), tmp_path)
    options = ["--precision", str(PRECISION), "--block-size", str(BLOCK), "--seed", str(SEED)]
    code = main(["run", str(path), *options, "--executor", "serial", "--json", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert report_numbers(json.loads(captured.out)) == numbers(serial)


@pytest.mark.parametrize(("max_runs", "sizes"), [(1_500, [500, 500, 500]), (1_200, [500, 500, 200])])
def test_max_runs_caps_an_unreachable_precision(tmp_path, max_runs, sizes):
    results = run_study(
        balanced_scenario(), precision=0.002, max_runs=max_runs, block_size=BLOCK, seed=SEED, out=tmp_path / "s"
    )
    assert results.runs == max_runs
    assert results.meta["blocks"] == len(sizes)
    assert results.to_json()["stopping"] == {"precision": 0.002, "max_runs": max_runs, "reached": False}
    assert results.max_half_width() > 0.002
    assert len(results.replicates()) == max_runs
    # the same worlds as a study of exactly max_runs replicates
    fixed = run_study(balanced_scenario(), runs=max_runs, block_size=BLOCK, seed=SEED)
    capped, exact = numbers(results), numbers(fixed)
    capped.pop("stopping")
    exact.pop("stopping")
    assert capped == exact


def test_precision_reached_by_the_first_block(tmp_path):
    results = run_study(balanced_scenario(), precision=0.3, block_size=BLOCK, seed=SEED)
    assert results.runs == BLOCK
    assert results.to_json()["stopping"]["reached"] is True


@pytest.mark.parametrize(
    "options",
    [
        {"precision": 0.0},
        {"precision": 0.5},
        {"precision": -0.1},
        {"precision": 0.02, "runs": 100},
        {},
        {"precision": 0.02, "max_runs": 0},
    ],
)
def test_bad_stopping_rules_are_run_errors(options):
    with pytest.raises(RunError):
        run_study(balanced_scenario(), **options)


def test_cli_rejects_runs_and_precision_together(tmp_path, capsys):
    path = write_scenario_file(balanced_scenario(), tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(path), "--runs", "100", "--precision", "0.02"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not allowed with" in err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"runs": 1.5}, "runs must be a whole number, got float 1.5"),
        ({"runs": True}, "runs must be a whole number, got bool True"),
        ({"runs": 10, "seed": "a"}, "seed must be a whole number, got str 'a'"),
        ({"runs": 10, "block_size": 2.5}, "block_size must be a whole number"),
        ({"precision": "0.1"}, "precision must be a number, got str '0.1'"),
    ],
)
def test_arguments_of_the_wrong_type_name_themselves(options, message):
    with pytest.raises(TypeError) as caught:
        run_study(balanced_scenario(), **options)
    assert str(caught.value) == message or str(caught.value).startswith(message)
