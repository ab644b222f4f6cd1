"""Every script in examples/ runs, prints what it shows and writes its figure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from escalation import Results

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RUNS = "1000"

# script -> text its output must contain
EXPECTED = {
    "quickstart.py": [
        "Scenario: US-Iran crisis",
        "[A10]",
        "Simulated from 2020-01-04",
        "mutual_restraint",
        "outcome figure",
    ],
    "counterfactuals.py": [
        "P(mutual_restraint) with 95% Wilson intervals, 1,000 replicates each",
        "Strike kills 20 (hypothetical)",
        "US decision of 3 Jan simulated",
        "hypothetical, not a documented figure",
        "figure written to",
    ],
    "sweep_militia_control.py": [
        "Sweeping actors.kataib_hezbollah.control",
        "control 0.00",
        "control 1.00",
        "figure written to",
    ],
}


def _run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs(script, tmp_path):
    out = tmp_path / "figures" / f"{Path(script).stem}.png"
    done = _run(script, "--runs", RUNS, "--seed", "2", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for text in EXPECTED[script]:
        assert text in done.stdout, f"{script}: {text!r} not in output:\n{done.stdout}"
    assert str(out) in done.stdout
    pngs = sorted(out.parent.glob("*.png"))
    assert out in pngs
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        assert png.stat().st_size > 10_000, png
    assert not list(tmp_path.glob("*.png")), "an example wrote a figure outside --out"
    if script == "quickstart.py":
        # the ladder figure is drawn when the library has it, beside --out
        ladder = out.with_name("quickstart-ladder.png")
        assert ladder.is_file() == hasattr(Results, "plot_ladder")
        assert (f"ladder figure written to {ladder}" in done.stdout) == ladder.is_file()


def test_output_folder_is_ignored_by_git():
    done = subprocess.run(
        ["git", "check-ignore", "-q", "examples/output/any-file.txt"], cwd=ROOT, capture_output=True, check=False
    )
    if done.returncode == 128:
        pytest.skip("not a git checkout")
    assert done.returncode == 0, "examples/output/ must be git-ignored"
