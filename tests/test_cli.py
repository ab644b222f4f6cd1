"""The command line: exit codes, one-line errors on stderr, and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, SCENARIO_FILES, SEEDED_PATH, write

from escalation import Scenario
from escalation.cli import main


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def misspelt(tmp_path: Path) -> Path:
    """A scenario extending the seeded one with a misspelt key on line 3."""
    return write(tmp_path / "misspelt.yaml", f"extends: {SEEDED_PATH}\nname: misspelt\nhorizon_dayz: 30\n")


def test_validate_every_shipped_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *map(str, SCENARIO_FILES)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == len(SCENARIO_FILES)
    for line, path in zip(lines, SCENARIO_FILES, strict=True):
        assert line.startswith(f"{path}: ok")


def test_validate_quiet_prints_nothing_on_success(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--quiet", str(SEEDED_PATH)]) == 0
    assert capsys.readouterr() == ("", "")


def test_validate_misspelt_key(capsys: pytest.CaptureFixture[str], misspelt: Path) -> None:
    assert main(["validate", str(misspelt)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    line = one_line(err)
    assert line.startswith(f"{misspelt}:3: horizon_dayz: unknown field")
    assert "did you mean 'horizon_days'?" in line


def test_validate_reports_each_bad_file_and_still_checks_the_good(
    capsys: pytest.CaptureFixture[str], misspelt: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.yaml"
    assert main(["validate", str(misspelt), str(SEEDED_PATH), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"{SEEDED_PATH}: ok") and len(out.splitlines()) == 1
    errors = err.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{misspelt}:3: ")
    assert errors[1].startswith(f"{missing}: ")
    assert "Traceback" not in err


def test_trace_prints_history_simulation_and_outcome(capsys: pytest.CaptureFixture[str], seeded: Scenario) -> None:
    assert main(["trace", str(SEEDED_PATH), "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    history = next(i for i, line in enumerate(lines) if line.startswith("Documented history"))
    simulated = next(i for i, line in enumerate(lines) if line.startswith("Simulated"))
    assert history < simulated
    assert "[A01]" in lines[history + 1] and "[A10]" in lines[simulated - 2]
    outcome = [line for line in lines if line.startswith("Outcome: ")]
    assert len(outcome) == 1 and lines[-1] == outcome[0]
    name = outcome[0].removeprefix("Outcome: ").split(",")[0]
    assert name in [rule.name for rule in seeded.outcomes]
    # the same seed tells the same story
    assert main(["trace", str(SEEDED_PATH), "--seed", "3"]) == 0
    assert capsys.readouterr().out == out


def test_trace_json(capsys: pytest.CaptureFixture[str], seeded: Scenario) -> None:
    assert main(["trace", str(SEEDED_PATH), "--seed", "11", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data["scenario"] == seeded.name
    assert data["seed"] == 11
    assert data["start_after"] == "A10"
    assert data["horizon_days"] == seeded.horizon_days
    assert data["outcome"] in [rule.name for rule in seeded.outcomes]
    phases = [row["phase"] for row in data["rows"]]
    n_strategic = sum(a.strategic for a in seeded.actors)
    assert phases.count("history") == len(seeded.replayed_events())
    assert phases.count("simulated") == seeded.horizon_days * n_strategic
    first = data["rows"][0]
    assert (first["event"], first["date"], first["actor"]) == ("A01", "2019-11-08", "other_militias")


def test_missing_file_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    for command in (["trace", str(missing)], ["validate", str(missing)]):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert one_line(err) == f"{missing}: no such file"


def test_trace_of_a_bad_scenario_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], misspelt: Path) -> None:
    assert main(["trace", str(misspelt)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err).startswith(f"{misspelt}:3: horizon_dayz: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", str(SEEDED_PATH), "--bogus"],
        ["trace", str(SEEDED_PATH), "--seed", "abc"],
        ["trace"],
        ["validate"],
        ["explode", str(SEEDED_PATH)],
        [],
    ],
    ids=[
        "unknown option",
        "seed not a number",
        "trace without file",
        "validate without file",
        "no such command",
        "nothing",
    ],
)
def test_bad_usage_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err).startswith("escalation")
    assert "error:" in err


def test_negative_seed_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(["trace", str(SEEDED_PATH), "--seed", "-1"])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert one_line(capsys.readouterr().err)


def test_no_traceback_end_to_end(misspelt: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "escalation.cli", "validate", str(misspelt)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert one_line(result.stderr).startswith(f"{misspelt}:3: horizon_dayz: unknown field")


def test_json_output_is_strict_even_where_nothing_can_be_computed(tmp_path, capsys):
    """No world matches any rule but the remainder: settle-day quantiles are null, never NaN."""
    import json as json_module

    variant = tmp_path / "nothing.yaml"
    variant.write_text(
        f"extends: {SEEDED_PATH}\nname: nothing\nhorizon_days: 10\noutcomes:\n"
        + "".join(f"  {rule}:\n    when:\n      - {{actors: [iraq], at_least: war}}\n" for rule in ("war", "war_ended"))
        + "  mutual_restraint:\n    when:\n      - {actors: [iraq], at_least: war}\n",
        encoding="utf-8",
    )

    def strict(text: str) -> dict:
        return json_module.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))

    out = tmp_path / "study"
    assert main(["run", str(variant), "--runs", "200", "--no-posterior", "--json", "--quiet", "--out", str(out)]) == 0
    report = strict(capsys.readouterr().out)
    assert report["settle_day"]["p50"] is None and report["outcomes"]["unresolved"]["count"] == 200
    strict((out / "results.json").read_text(encoding="utf-8"))


def test_a_scheduler_selects_dask_and_refuses_another_executor(capsys):
    assert (
        main(["run", str(SEEDED_PATH), "--runs", "10", "--scheduler", "tcp://127.0.0.1:1", "--executor", "serial"]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert err == "escalation run: error: --scheduler needs the dask executor, not --executor serial"


@pytest.mark.parametrize("content", ["", '{"meta": ', "[1, 2]"], ids=["empty", "truncated", "a list"])
def test_plot_of_damaged_results_is_one_line(tmp_path, capsys, content):
    (tmp_path / "results.json").write_text(content, encoding="utf-8")
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "results.json: not readable as a study's results" in err


def test_the_mutation_campaign_runs_and_finds_no_traceback_or_hang() -> None:
    """A few mutants of the shipped scenarios through validate, run and trace (tests/fuzz_cli.py)."""
    script = Path(__file__).with_name("fuzz_cli.py")
    done = subprocess.run(
        [sys.executable, str(script), "--mutants", "8", "--seed", "3", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    counts = {key.strip(): value for key, value in (line.split(": ") for line in done.stdout.strip().splitlines())}
    assert int(counts["mutants"]) == 8
    assert (counts["tracebacks"], counts["failures"], counts["hangs"]) == ("0", "0", "0"), done.stdout
    assert done.returncode == 0
