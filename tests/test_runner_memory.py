"""Bounded memory: a study streams its blocks to disk and keeps only additive aggregates.

The Python heap is measured with ``tracemalloc`` (NumPy reports its buffers to it) for a study
of 5 blocks and one of 40 blocks of 500 replicates. If the runner held on to anything per
block (rows, block summaries, models), the larger study would need at least 35 more blocks'
worth of it; the tests allow less than half of one block's rows per extra block.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from runner_helpers import seeded_scenario, subprocess_env, write_scenario_file

from escalation import Results, run_study

BLOCK = 500
FEW = 5
MANY = 40
HORIZON = 15
SEED = 9


MEASURE = """
import gc, json, sys, tracemalloc
from pathlib import Path
from escalation import load_scenario, run_study

scenario = load_scenario(sys.argv[1])
folder = Path(sys.argv[2])
run_study(scenario, runs=2 * {block}, block_size={block}, seed={seed}, out=folder / "warm-up")
report = {{}}
for name, n_blocks in (("few", {few}), ("many", {many})):
    gc.collect()
    tracemalloc.start()
    run_study(scenario, runs=n_blocks * {block}, block_size={block}, seed={seed}, out=folder / name)
    _, peak = tracemalloc.get_traced_memory()
    gc.collect()
    retained, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report[name] = {{"peak": peak, "retained": retained}}
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    """Measure in a fresh interpreter, so that no other test's threads or caches are traced."""
    folder = tmp_path_factory.mktemp("memory")
    scenario_file = write_scenario_file(seeded_scenario(HORIZON), folder)
    script = MEASURE.format(block=BLOCK, seed=SEED, few=FEW, many=MANY)
    done = subprocess.run(
        [sys.executable, "-c", script, str(scenario_file), str(folder)],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    results = {name: Results.load(folder / name) for name in ("few", "many")}
    rows = results["few"].replicates()
    row_bytes = int(rows.memory_usage(index=False, deep=True).sum()) / FEW
    few = report["few"] | {"results": results["few"]}
    many = report["many"] | {"results": results["many"]}
    return few, many, row_bytes


def test_peak_memory_does_not_grow_with_the_number_of_blocks(studies):
    few, many, row_bytes = studies
    assert many["peak"] / few["peak"] < 1.5, (few["peak"], many["peak"])
    extra = many["peak"] - few["peak"]
    assert extra < 0.5 * (MANY - FEW) * row_bytes, f"peak grew by {extra:,} bytes over {MANY - FEW} more blocks"


def test_nothing_is_left_behind_per_block(studies):
    few, many, row_bytes = studies
    extra = many["retained"] - few["retained"]
    assert extra < 0.5 * (MANY - FEW) * row_bytes, f"{extra:,} more bytes held after {MANY - FEW} more blocks"


@pytest.mark.parametrize("which", [0, 1])
def test_replicates_are_every_replicate_once(studies, which):
    results = studies[which]["results"]
    rows = results.replicates()
    runs = (FEW, MANY)[which] * BLOCK
    assert results.runs == runs
    assert len(rows) == runs
    assert rows["replicate"].is_unique
    assert sorted(rows["replicate"]) == list(range(runs))


def test_huge_casualty_means_stay_bounded(tmp_path):
    """A million expected deaths per rocket salvo over ten years: no overflow, histograms of bounded size."""
    from escalation.summary import KILLED_CAP

    scenario = seeded_scenario(3650).with_overrides(
        {"parameters": {"casualty_dispersion": 1000}, "actions": {"rocket_attack": {"killed_mean": 1_000_000}}}
    )
    results = run_study(scenario, runs=50, block_size=50, seed=1, posterior=False)
    rows = results.replicates()
    assert rows["killed_united_states"].min() > KILLED_CAP  # the rows keep exact counts
    assert rows["killed_united_states"].dtype.itemsize == 8
    assert all(h.size <= KILLED_CAP + 1 for h in results.summary.killed.values())
    assert "counted at 100,000" in results.format_table()
