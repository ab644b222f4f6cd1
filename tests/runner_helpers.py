"""Builders shared by the Monte Carlo runner tests (``test_runner_*.py``, ``test_markov.py``)."""

from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

import escalation
from escalation import Results
from escalation.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SEEDED_FILE = ROOT / "scenarios" / "us_iran_2020.yaml"

# Keys of ``Results.to_json()`` that describe how a study ran rather than what it found.
VOLATILE = ("elapsed_s", "executor", "workers")
REQUIRED_KEYS = {
    "scenario",
    "scenario_hash",
    "runs",
    "seed",
    "block_size",
    "stopping",
    "interval",
    "outcomes",
    "peak_rung",
    "peak_day",
    "settle_day",
    "threshold_crossings",
    "killed",
    "elapsed_s",
    "executor",
    "workers",
    "versions",
}


@functools.cache
def seeded_scenario(horizon_days: int = 30) -> Scenario:
    """The seeded scenario with a shorter horizon (cached: scenarios are immutable)."""
    return escalation.load_scenario(SEEDED_FILE).with_overrides({"horizon_days": horizon_days})


def _plain(value: Any) -> Any:
    """JSON-ready data with NaN replaced by None, so that equal studies compare equal."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def report_numbers(report: dict[str, Any]) -> dict[str, Any]:
    """A ``to_json()`` report (or its parsed ``--json`` output) without the volatile keys."""
    data = json.loads(json.dumps(_plain(report)))
    for key in VOLATILE:
        data.pop(key)
    return data


def numbers(results: Results) -> dict[str, Any]:
    """Everything a study found (``to_json()`` minus timing, executor and worker count)."""
    return report_numbers(results.to_json())


def outcome_codes(rows: pd.DataFrame) -> np.ndarray:
    """Outcome indices of per-replicate rows (the column is a category named by the outcomes)."""
    column = rows["outcome"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy().astype(np.int64)
    return column.to_numpy().astype(np.int64)


def write_scenario_file(scenario: Scenario, folder: Path, name: str = "scenario.yaml") -> Path:
    """Write ``scenario`` as a self-contained YAML file into ``folder``."""
    path = folder / name
    escalation.write_scenario(scenario, path)
    return path


def subprocess_env() -> dict[str, str]:
    """The environment for child Python processes, with this checkout first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def wilson_bounds(count: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval written out from its formula (independent of ``escalation.stats``)."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    p_hat = count / n
    denominator = 1 + z * z / n
    centre = (p_hat + z * z / (2 * n)) / denominator
    spread = z / denominator * math.sqrt(p_hat * (1 - p_hat) / n + z * z / (4 * n * n))
    return centre - spread, centre + spread
