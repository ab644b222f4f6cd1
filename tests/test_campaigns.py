"""Campaigns: a documented number of acts over a period, replayed by the documented rule."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from escalation import EscalationModel, ScenarioError, load_scenario
from escalation.likelihood import loglik


def crisis(campaign: dict | None = None) -> dict:
    """Two states; ``m``'s raids on ``a`` and one documented strike by ``a`` in between."""
    raid = {"actor": "b", "action": "raid", "target": "a", "date": "2020-01-01", "until": "2020-01-07", "count": 4}
    return {
        "name": "campaigns",
        "horizon_days": 5,
        "start_after": "S1",
        "parameters": {"force_from": "raid", "accidents_from": "raid"},
        "ladder": {"rungs": {"hold": {}, "raid": {}, "strike": {}}},
        "actions": {
            "hold": {"rung": "hold"},
            "raid": {"rung": "raid", "target": "a", "killed_mean": 1.0, "harm_base": 0.5},
            "strike": {"rung": "strike", "target": "b", "killed_mean": 3.0, "harm_base": 1.0},
        },
        "actors": {
            "a": {"kind": "state", "side": "a", "menu": ["hold", "strike"]},
            "b": {"kind": "state", "side": "b", "menu": ["hold", "raid"]},
        },
        "timeline": {
            "C1": {**raid, "killed": 5, "wounded": 2, **(campaign or {})},
            "S1": {"date": "2020-01-04", "actor": "a", "action": "strike", "killed": 3},
        },
        "outcomes": {"strike": {"when": [{"at_least": "strike"}]}, "rest": {}},
    }


def test_a_campaign_is_replayed_as_its_acts_spread_evenly_in_days_and_casualties() -> None:
    scenario = load_scenario(crisis())
    acts = [e for e in scenario.timeline if e.campaign == "C1"]
    assert [e.id for e in acts] == ["C1-1", "C1-2", "C1-3", "C1-4"]
    # 7 days, 4 acts: days 0, 1, 3 and 5 of the period
    assert [e.date.day for e in acts] == [1, 2, 4, 6]
    assert [e.killed for e in acts] == [1, 1, 1, 2] and [e.wounded for e in acts] == [0, 1, 0, 1]
    assert all(e.approximate for e in acts)
    # merged by date with the other events, the campaign's acts of a date first (it is written first)
    assert [e.id for e in scenario.timeline] == ["C1-1", "C1-2", "C1-3", "S1", "C1-4"]
    assert [c.id for c in scenario.campaigns] == ["C1"]


def test_the_campaign_replays_as_the_same_acts_written_one_by_one() -> None:
    scenario = load_scenario(crisis())
    data = crisis()
    del data["timeline"]["C1"]
    by_hand = {e.id: {"date": e.date.isoformat(), "actor": "b", "action": "raid", "target": "a", "killed": e.killed,
                      "wounded": e.wounded} for e in scenario.timeline if e.campaign}  # fmt: skip
    data["timeline"] = {**{k: by_hand[k] for k in ("C1-1", "C1-2", "C1-3")}, "S1": data["timeline"]["S1"]}
    plain = load_scenario(data)
    one, other = EscalationModel(scenario, 2, rng=0), EscalationModel(plain, 2, rng=0)
    np.testing.assert_array_equal(one.state.grievance, other.state.grievance)
    assert [row["event"] for row in one.history_rows] == ["C1-1", "C1-2", "C1-3", "S1"]


def test_a_branch_at_a_campaign_follows_its_last_act_and_the_campaign_writes_back_whole() -> None:
    data = crisis()
    data["start_after"] = "C1"
    scenario = load_scenario(data)
    assert scenario.start_after == "C1-4"
    assert scenario.replayed_events()[-1].id == "C1-4"
    written = scenario.to_dict()["timeline"]
    assert list(written) == ["C1", "S1"] and written["C1"]["count"] == 4 and written["C1"]["killed"] == 5
    assert load_scenario(scenario.to_dict()) == scenario
    assert "count" not in load_scenario(crisis()).to_dict()["timeline"]["S1"]


def test_a_campaigns_acts_are_scored_like_other_events() -> None:
    table = loglik(load_scenario(crisis())).table.set_index("id")
    assert {"C1-1", "C1-4"} <= set(table.index)
    assert np.isfinite(table.loc["C1-1", "logp"])


@pytest.mark.parametrize(
    ("campaign", "path", "message"),
    [
        ({"until": None}, "timeline.C1.count", r"needs both 'count' and 'until' \(no 'until'\)"),
        ({"count": None}, "timeline.C1.until", r"needs both 'count' and 'until' \(no 'count'\)"),
        ({"until": "2019-12-31"}, "timeline.C1.until", "ends before it starts"),
        ({"count": 0}, "timeline.C1.count", "must be at least 1"),
        ({"effects": {"host_pressure": {"a": 1.0}}}, "timeline.C1.effects", "a campaign takes no effects"),
    ],
)
def test_bad_campaigns_are_located_errors(campaign: dict, path: str, message: str) -> None:
    data = crisis({k: v for k, v in campaign.items() if v is not None})
    for key, value in campaign.items():
        if value is None:
            del data["timeline"]["C1"][key]
    with pytest.raises(ScenarioError, match=message) as caught:
        load_scenario(data)
    assert caught.value.path == path


def test_a_campaign_act_may_not_take_another_events_id() -> None:
    data = copy.deepcopy(crisis())
    data["timeline"]["C1-2"] = {"date": "2020-01-05", "actor": "a", "action": "hold"}
    with pytest.raises(ScenarioError, match="its act 'C1-2' would take the id of another event"):
        load_scenario(data)


def test_campaign_dates_stay_inside_the_period() -> None:
    data = crisis({"count": 30})  # more acts than days: several a day
    acts = [e for e in load_scenario(data).timeline if e.campaign]
    assert len(acts) == 30 and acts[0].date == dt.date(2020, 1, 1) and acts[-1].date == dt.date(2020, 1, 7)
    assert sum(e.killed for e in acts) == 5
