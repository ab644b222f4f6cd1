"""The process executor from a plain script: no ``if __name__ == "__main__":`` guard is needed.

Worker processes do not import the script that started them, so a study written at the top
level of a script runs once, exits 0 and prints the serial executor's numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from runner_helpers import numbers, seeded_scenario, subprocess_env, write_scenario_file

import escalation

RUNS, BLOCK, SEED = 600, 100, 4

SCRIPT = """\
import json

import escalation

print("script body ran")
results = escalation.run_study(
    {scenario!r}, runs={runs}, seed={seed}, block_size={block}, executor="processes", workers=2{extra}
)
print(json.dumps(results.outcome_table()["count"].tolist()))
print(results.meta["executor"], results.meta["workers"], results.meta["blocks"])
"""


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    return write_scenario_file(seeded_scenario(10), tmp_path_factory.mktemp("scenario"))


@pytest.fixture(scope="module")
def serial():
    return escalation.run_study(seeded_scenario(10), runs=RUNS, seed=SEED, block_size=BLOCK)


def script(scenario_file, extra: str = "") -> str:
    """The study script, with ``extra`` arguments to ``run_study`` (``", out=..."``)."""
    return SCRIPT.format(scenario=str(scenario_file), runs=RUNS, seed=SEED, block=BLOCK, extra=extra)


def run_script(folder, text: str) -> subprocess.CompletedProcess:
    path = folder / "study.py"
    path.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(path)], cwd=folder, env=subprocess_env(), capture_output=True, text=True, timeout=300
    )


def test_a_plain_script_runs_its_study_once_with_the_serial_numbers(tmp_path, scenario_file, serial):
    done = run_script(tmp_path, script(scenario_file))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == "script body ran" and lines.count("script body ran") == 1  # the workers did not run it
    assert json.loads(lines[1]) == serial.outcome_table()["count"].tolist()
    assert lines[2] == f"processes 2 {RUNS // BLOCK}"


def test_a_plain_script_resumes_a_study_to_the_same_numbers(tmp_path, scenario_file, serial):
    out = tmp_path / "study-out"
    escalation.run_study(seeded_scenario(10), runs=RUNS, seed=SEED, block_size=BLOCK, out=out)
    for k in range(2, RUNS // BLOCK):  # as if stopped after two blocks
        (out / "blocks" / f"block-{k:06d}.parquet").unlink()
    (out / "results.json").unlink()
    extra = f", out={str(out)!r}, resume=True"
    done = run_script(tmp_path, script(scenario_file, extra))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[1]) == serial.outcome_table()["count"].tolist()
    assert numbers(escalation.Results.load(out)) == numbers(serial)


def test_the_guard_still_works(tmp_path, scenario_file, serial):
    guarded = 'if __name__ == "__main__":\n' + textwrap.indent(script(scenario_file), "    ")
    done = run_script(tmp_path, guarded)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[1]) == serial.outcome_table()["count"].tolist()
