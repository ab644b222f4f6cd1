"""Event features of the scenario language: approximate dates, patron orders, ceasefires, damage."""

from __future__ import annotations

import datetime as dt

import pytest

from escalation import ScenarioError, load_scenario


def crisis() -> dict:
    """Two states, b with a militia m; each can hold, talk or strike the other side."""
    return {
        "name": "events",
        "horizon_days": 10,
        "parameters": {"force_from": "strike", "accidents_from": "strike"},
        "ladder": {"rungs": {"hold": {}, "talk": {}, "strike": {}}},
        "actions": {
            "hold": {"rung": "hold"},
            "talk": {"rung": "talk"},
            "strike": {"rung": "strike", "targets": "adversaries", "killed_mean": 1.0, "harm_base": 1.0},
        },
        "actors": {
            "a": {"kind": "state", "side": "a", "menu": ["hold", "talk", "strike"]},
            "b": {"kind": "state", "side": "b", "menu": ["hold", "talk", "strike"]},
            "m": {"kind": "militia", "side": "b", "patron": "b", "menu": ["hold", "strike"], "control": 0.5},
        },
        "timeline": {"E1": {"date": "2020-01-01", "actor": "m", "action": "strike", "target": "a", "killed": 1}},
        "start_after": "E1",
        "outcomes": {"force": {"when": [{"at_least": "strike"}]}, "rest": {}},
    }


# ------------------------------------------------------------------------------ approximate dates
def test_a_tilde_date_is_an_approximate_date_and_writes_back_as_one() -> None:
    data = crisis()
    data["timeline"]["E1"]["date"] = "~2020-01-01"
    scenario = load_scenario(data)
    event = scenario.timeline[0]
    assert (event.date, event.approximate) == (dt.date(2020, 1, 1), True)
    written = scenario.to_dict()["timeline"]["E1"]
    assert (written["date"], written["approximate"]) == ("2020-01-01", True)
    assert load_scenario(scenario.to_dict()) == scenario


def test_a_bad_approximate_date_is_a_located_error() -> None:
    data = crisis()
    data["timeline"]["E1"]["date"] = "~2020-13-01"
    with pytest.raises(ScenarioError, match="expected an ISO date") as caught:
        load_scenario(data)
    assert caught.value.path == "timeline.E1.date"
