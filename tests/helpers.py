"""Paths and small builders shared by the test modules (no fixtures here: see conftest.py)."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

from escalation import load_scenario
from escalation.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SEEDED_PATH = SCENARIOS / "us_iran_2020.yaml"
HISTORY_PATH = SCENARIOS / "history" / "us_iran_2019_2020_timeline.yaml"
K1_PATH = SCENARIOS / "us_iran_2020_k1.yaml"
AFTER_STRIKE_PATH = SCENARIOS / "us_iran_2020_after_strike.yaml"
SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))

# The seeded scenario as plain data; copy it (``seeded_data()``) before changing anything.
_SEEDED_DATA = load_scenario(SEEDED_PATH).to_dict()


def seeded_data() -> dict[str, Any]:
    """A fresh, mutable copy of the seeded scenario in the file layout."""
    return copy.deepcopy(_SEEDED_DATA)


def seeded_with(**top_level: Any) -> Scenario:
    """The seeded scenario with some top-level fields replaced (validated by the loader)."""
    data = seeded_data()
    data.update(top_level)
    return load_scenario(data)


def write(path: Path, text: str) -> Path:
    """Write dedented ``text`` to ``path`` and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` that contains ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not found in {path}")


def small_scenario_data(horizon_days: int = 30) -> dict[str, Any]:
    """A small hand-written scenario: two states, one militia, one host, six rungs.

    Actor order: ``s1`` (side a), ``s2`` (side b), ``m1`` (militia of ``s2``), ``h`` (host).
    Rungs ``r0`` ... ``r5``; threshold ``force`` at ``r3``; ``war`` is ``r5``. Outcomes, first
    match wins: ``war`` (anyone at r5), ``proxy_attrition`` (states below force and the militia
    at force or above in the final 7 days), ``mutual_restraint`` (nobody strategic at force in
    the final 7 days), ``unresolved`` (the remainder).
    """
    return {
        "name": "small",
        "horizon_days": horizon_days,
        "ladder": {
            "rungs": {f"r{i}": {"name": f"Rung {i}"} for i in range(6)},
            "thresholds": {"show": {"at": "r2"}, "force": {"at": "r3"}},
        },
        "parameters": {"force_from": "force", "accidents_from": "show"},
        "actions": {
            "hold": {"rung": "r0"},
            "talk": {"rung": "r1", "signal": "offramp"},
            "parade": {"rung": "r2"},
            "raid_s1": {"rung": "r3", "lethal_rung": "r4", "target": "s1", "killed_mean": 1.0, "harm_base": 0.5},
            "strike_m1": {"rung": "r4", "target": "m1", "killed_mean": 3.0, "harm_base": 1.0, "on_host_soil": True},
            "strike_s2": {"rung": "r4", "target": "s2", "killed_mean": 5.0, "harm_base": 2.0},
            "war_on_s1": {"rung": "r5", "target": "s1", "killed_mean": 50.0, "harm_base": 5.0},
            "war_on_s2": {"rung": "r5", "target": "s2", "killed_mean": 50.0, "harm_base": 5.0},
            "vote": {"rung": "r1", "target": "s1"},
        },
        "actors": {
            "s1": {
                "kind": "state",
                "side": "a",
                "menu": ["hold", "talk", "parade", "strike_m1", "strike_s2", "war_on_s2"],
                "red_line": {"killed_at_least": 1, "respond_at_least": "r4"},
                "credibility": 2.0,
            },
            "s2": {"kind": "state", "side": "b", "menu": ["hold", "talk", "parade", "war_on_s1"]},
            "m1": {
                "kind": "militia",
                "side": "b",
                "patron": "s2",
                "menu": ["hold", "talk", "raid_s1"],
                "control": 0.5,
                "deniability": 0.5,
                "solidarity": 0.5,
            },
            "h": {"kind": "host", "side": "h"},
        },
        "timeline": {
            "E1": {"date": "2020-01-01", "actor": "m1", "action": "raid_s1", "killed": 0, "wounded": 2},
            "E2": {"date": "2020-01-02", "actor": "s1", "action": "parade", "declares_red_line": True},
            "E3": {"date": "2020-01-05", "actor": "m1", "action": "raid_s1", "killed": 2},
            "E4": {
                "date": "2020-01-06",
                "actor": "h",
                "action": "vote",
                "effects": {"host_pressure": {"s1": 1.5}},
            },
        },
        "start_after": "E4",
        "outcomes": {
            "war": {"when": [{"at_least": "r5"}]},
            "proxy_attrition": {
                "when": [
                    {"actors": ["s1", "s2"], "final_days": 7, "below": "force"},
                    {"actors": ["m1"], "final_days": 7, "at_least": "force"},
                ]
            },
            "mutual_restraint": {"when": [{"actors": ["s1", "s2", "m1"], "final_days": 7, "below": "force"}]},
            "unresolved": {},
        },
    }
