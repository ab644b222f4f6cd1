"""Replaying the documented timeline: event for event, deterministic, with the documented effects.

The expected values come from the timeline file itself (read here with plain PyYAML, not the
library's loader) and from the scenario's own definitions (rungs, harm formula, half-lives),
never from the current calibration's numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import HISTORY_PATH, seeded_with, small_scenario_data

from escalation import EscalationModel, RunError, Scenario, load_scenario
from escalation.mechanisms.casualties import harm
from escalation.outcomes import classify, documented_outcome, documented_rungs, proxy_attacks
from escalation.trace import run_trace


def documented_events() -> list[tuple[str, dict[str, Any]]]:
    """The timeline file's events in date order (ties in file order), as plain data."""
    raw = yaml.safe_load(HISTORY_PATH.read_text(encoding="utf-8"))["timeline"]
    return sorted(raw.items(), key=lambda item: dt.date.fromisoformat(str(item[1]["date"])))


def documented_until(event_id: str) -> list[tuple[str, dict[str, Any]]]:
    events = documented_events()
    ids = [event for event, _ in events]
    return events[: ids.index(event_id) + 1]


def replayed(scenario: Scenario, n_worlds: int = 1, seed: int = 0) -> EscalationModel:
    """A model just after replay (nothing simulated yet)."""
    return EscalationModel(scenario, n_worlds=n_worlds, rng=seed)


def agent(model: EscalationModel, actor_id: str):
    return model.actors[model.compiled.actor_index[actor_id]]


def check_rows_match_documents(rows: list[dict[str, Any]], until: str) -> None:
    documented = documented_until(until)
    assert [row["event"] for row in rows] == [event for event, _ in documented]
    for row, (event_id, doc) in zip(rows, documented, strict=True):
        assert row["date"] == dt.date.fromisoformat(str(doc["date"])), event_id
        assert row["actor"] == doc["actor"], event_id
        # a template's event is replayed as its expansion against the event's target
        assert row["action"] in (doc["action"], f"{doc['action']}@{doc.get('target')}"), event_id
        assert row["target"] == doc.get("target"), event_id
        assert row["killed"] == doc.get("killed"), event_id
        assert row["wounded"] == doc.get("wounded"), event_id


def expected_rung(scenario: Scenario, action_id: str, killed: int | None) -> int:
    action = scenario.action(action_id)
    if killed and action.lethal_rung is not None:
        return scenario.ladder.level(action.lethal_rung)
    return scenario.ladder.level(action.rung)


# ------------------------------------------------------------------------------ event for event
def test_replay_reproduces_the_documented_timeline(seeded: Scenario) -> None:
    model = replayed(seeded)
    assert seeded.start_after == "A10"
    check_rows_match_documents(model.history_rows, "A10")


def test_whole_timeline_replays_event_for_event(seeded: Scenario) -> None:
    last = documented_events()[-1][0]
    scenario = seeded_with(start_after=last)
    model = replayed(scenario)
    check_rows_match_documents(model.history_rows, last)
    for row in model.history_rows:
        assert row["rung"] == expected_rung(scenario, row["action"], row["killed"]), row["event"]


@pytest.mark.parametrize(
    ("event", "rung"),
    [
        ("A04", "threat"),
        ("A05", "proxy_lethal"),  # a rocket attack that killed one is realised at its lethal rung
        ("A06", "strike_on_proxies"),
        ("A07", "proxy_harassment"),  # the same action without deaths stays at its own rung
        ("A08", "diplomatic_assault"),
        ("A10", "leadership_killing"),
    ],
)
def test_realised_rungs_of_key_events(seeded: Scenario, event: str, rung: str) -> None:
    rows = {row["event"]: row for row in replayed(seeded).history_rows}
    assert seeded.ladder.rungs[rows[event]["rung"]].id == rung


def test_trace_history_rows_match_the_timeline(seeded: Scenario) -> None:
    table = run_trace(seeded, seed=5).table
    history = table[table["phase"] == "history"]
    documented = documented_until("A10")
    assert list(history["event"]) == [event for event, _ in documented]
    for (_, row), (event_id, doc) in zip(history.iterrows(), documented, strict=True):
        action = seeded.action(doc["action"])
        assert row["date"] == dt.date.fromisoformat(str(doc["date"])), event_id
        assert row["actor"] == doc["actor"], event_id
        assert row["action"] in (doc["action"], f"{doc['action']}@{doc.get('target')}"), event_id
        assert row["target"] == (doc.get("target") or action.target), event_id
        for column in ("killed", "wounded"):
            if doc.get(column) is None:
                assert pd.isna(row[column]), event_id
            else:
                assert row[column] == doc[column], event_id
        assert row["rung"] == expected_rung(seeded, doc["action"], doc.get("killed")), event_id
        assert row["rung_name"] == seeded.ladder.rungs[row["rung"]].name
        assert row["day"] <= 0  # history lies before the first simulated day
        assert not row["accident"]
    simulated = table[table["phase"] == "simulated"]
    assert simulated["day"].min() == 1 and simulated["day"].max() == seeded.horizon_days
    assert simulated["date"].min() == seeded.start_date == dt.date(2020, 1, 4)


# ------------------------------------------------------------------------------ determinism
def replay_state(model: EscalationModel, world: int) -> dict[str, Any]:
    out: dict[str, Any] = {"peak": int(model.crisis_peak[world])}
    for a in model.actors:
        out[a.spec.id] = (
            a.grievance[:, world].tolist(),
            float(a.red_line_pending[world]),
            bool(a.red_line_active[world]),
            float(a.offramp_belief[world]),
            float(a.host_pressure[world]),
        )
    return out


def test_replay_is_the_same_whatever_the_seed_and_world_count(seeded: Scenario) -> None:
    reference = replayed(seeded, 1, 0)
    expected = replay_state(reference, 0)
    for n_worlds, seed in [(1, 1), (7, 0), (64, 2**31 - 1), (200, 12345)]:
        model = replayed(seeded, n_worlds, seed)
        assert model.history_rows == reference.history_rows
        for world in (0, n_worlds // 2, n_worlds - 1):
            assert replay_state(model, world) == expected, (n_worlds, seed, world)
        # and every world holds exactly the same state
        for a in model.actors:
            assert (a.grievance == a.grievance[:, :1]).all()
            assert (a.red_line_pending == a.red_line_pending[0]).all()
            assert (a.offramp_belief == a.offramp_belief[0]).all()
        assert (model.crisis_peak == model.crisis_peak[0]).all()


def test_replay_draws_no_random_numbers(seeded: Scenario) -> None:
    """Building a model with ten replayed events uses the generator exactly as one with none."""
    with_history = np.random.default_rng(99)
    without_history = np.random.default_rng(99)
    EscalationModel(seeded, n_worlds=10, rng=with_history)
    EscalationModel(seeded_with(start_after=None), n_worlds=10, rng=without_history)
    assert with_history.bit_generator.state == without_history.bit_generator.state


def test_replay_is_not_recorded_as_simulation(seeded: Scenario) -> None:
    model = replayed(seeded, 5)
    assert (model.rungs == 0).all() and (model.killed_suffered == 0).all() and (model.crossings == 0).all()
    assert (model.crisis_peak == seeded.ladder.level("leadership_killing")).all()


# ------------------------------------------------------------------------------ documented effects
def test_us_red_line_is_declared_by_a04() -> None:
    us_before = agent(replayed(seeded_with(start_after="A03"), 3), "united_states")
    us_after = agent(replayed(seeded_with(start_after="A04"), 3), "united_states")
    assert not us_before.red_line_active.any()
    assert us_after.red_line_active.all()
    assert (us_after.red_line_pending == 0).all()


def test_k1_creates_an_obligation_that_a06_discharges() -> None:
    us_after_k1 = agent(replayed(seeded_with(start_after="A05"), 3), "united_states")
    assert (us_after_k1.red_line_pending > 0).all()  # K-1 killed an American contractor
    us_after_strike = agent(replayed(seeded_with(start_after="A06"), 3), "united_states")
    assert (us_after_strike.red_line_pending == 0).all()  # answered at strike_on_proxies
    assert us_after_strike.red_line_active.all()


def test_grievances_after_the_killing_of_soleimani(seeded: Scenario) -> None:
    """After A10 Iran holds a large grievance toward the US, and KH (al-Muhandis) a positive one.

    Lower bounds follow from the harm formula: the act's harm to each victim, decayed by one day.
    """
    model = replayed(seeded)
    us = model.compiled.actor_index["united_states"]
    kill = seeded.action("kill_state_official")
    a10 = next(e for e in seeded.timeline if e.id == "A10")
    wound_weight = seeded.parameters.wound_weight
    before = replayed(seeded_with(start_after="A09"))
    for victim_id in ("iran", "kataib_hezbollah"):
        victim = seeded.actor(victim_id)
        inflicted = harm(
            kill.harm_base, victim.casualty_sensitivity, kill.target_value, a10.killed, a10.wounded, wound_weight
        )
        one_day = 0.5 ** (1.0 / victim.grievance_half_life)
        grievance = agent(model, victim_id).grievance[us, 0]
        assert inflicted > 0
        assert grievance >= inflicted * one_day * (1 - 1e-12), victim_id
        assert grievance > agent(before, victim_id).grievance[us, 0], victim_id
    iran = agent(model, "iran")
    assert iran.grievance[us, 0] == iran.grievance[:, 0].max()  # the US is whom Iran resents most


# ------------------------------------------------------------------------------ variants
def test_k1_variant_branches_after_a05(k1_variant: Scenario) -> None:
    assert k1_variant.start_after == "A05"
    assert k1_variant.start_date == dt.date(2019, 12, 28)
    model = replayed(k1_variant, 4, seed=3)
    check_rows_match_documents(model.history_rows, "A05")
    assert (agent(model, "united_states").red_line_pending > 0).all()
    assert (model.crisis_peak == k1_variant.ladder.level("proxy_lethal")).all()


def test_after_strike_variant_branches_after_a17(after_strike_variant: Scenario) -> None:
    scenario = after_strike_variant
    assert scenario.start_after == "A17"
    assert scenario.start_date == dt.date(2020, 1, 9)
    model = replayed(scenario, 4, seed=3)
    check_rows_match_documents(model.history_rows, "A17")
    rows = {row["event"]: row for row in model.history_rows}
    assert scenario.ladder.rungs[rows["A16"]["rung"]].id == "telegraphed_direct_strike"
    # Zarif's statement (A17) is an off-ramp: the US expects restraint to be returned
    assert (agent(model, "united_states").offramp_belief > 0).all()
    # the Iraqi parliament's vote (A13) has raised host-nation pressure on the US
    us = scenario.actor("united_states")
    added = sum(
        effect.amount
        for event in scenario.replayed_events()
        for effect in event.effects
        if effect.actor == "united_states"
    )
    assert added > 0
    np.testing.assert_allclose(agent(model, "united_states").host_pressure, us.host_pressure + added)


def test_variants_share_the_seeded_history(
    seeded: Scenario, k1_variant: Scenario, after_strike_variant: Scenario
) -> None:
    for variant in (k1_variant, after_strike_variant):
        assert variant.timeline == seeded.timeline
        assert variant.actors == seeded.actors
        assert variant.name != seeded.name


# ------------------------------------------------------------------------------ outcome anchor
def _documented_aftermath(scenario: Scenario, horizon: int) -> np.ndarray:
    """What actually followed the branch as a rung array of ``horizon`` days (one world), from the model.

    Every event replayed by the model (``start_after`` the last event), each strategic actor at
    its highest realised act of the day; days without an event, and days after the chronology
    ends (14 March 2020), are the status quo.
    """
    last = documented_events()[-1][0]
    rows = replayed(dataclasses.replace(scenario, start_after=last)).history_rows
    start = scenario.start_date
    rungs = np.zeros((len(scenario.actors), horizon, 1), dtype=np.int8)
    ids = [a.id for a in scenario.actors]
    for row in rows:
        day = (row["date"] - start).days
        if 0 <= day < horizon and scenario.actor(row["actor"]).strategic:
            i = ids.index(row["actor"])
            rungs[i, day, 0] = max(rungs[i, day, 0], row["rung"])
    return rungs


@pytest.mark.parametrize("horizon", [60, 90, 120])
def test_documented_rungs_are_the_replayed_record_after_the_branch(seeded: Scenario, horizon: int) -> None:
    rungs = documented_rungs(seeded, horizon)
    np.testing.assert_array_equal(rungs, _documented_aftermath(seeded, horizon))
    assert rungs.shape == (len(seeded.actors), horizon, 1)
    iran = [a.id for a in seeded.actors].index("iran")
    assert rungs[iran, (dt.date(2020, 1, 8) - seeded.start_date).days, 0] == seeded.ladder.level(
        "telegraphed_direct_strike"
    )  # A16, day 5


def test_documented_aftermath_of_a10_is_mutual_restraint_with_militias_still_firing(seeded: Scenario) -> None:
    """The record after A10 is mutual restraint between the states, settled the day after Iran's strike (A16)."""
    rungs = documented_rungs(seeded)
    outcome, settle = classify(seeded, rungs)
    assert seeded.outcomes[outcome[0]].name == "mutual_restraint"
    direct = seeded.ladder.level("direct_state_force")
    states = [i for i, a in enumerate(seeded.actors) if a.kind == "state"]
    last_direct = max(d for d in range(seeded.horizon_days) if rungs[states, d, 0].max() >= direct)
    assert seeded.actors[int(np.argmax(rungs[:, last_direct, 0]))].id == "iran"  # A16, 8 January
    assert settle[0] == last_direct + 2  # 1-based day after that day
    # the militias fired in the final three weeks of a horizon that ends with the chronology (A25, A27)
    chronology = (dt.date(2020, 3, 14) - seeded.start_date).days + 1
    assert proxy_attacks(seeded, documented_rungs(seeded, chronology))[0] == 2


# each shipped branch: its record's class and settle day (1: no direct state force after the branch;
# later: a limited exchange, Iran's strike A16 on 8 January, then restraint)
RECORD_CLASS = {"seeded": ("mutual_restraint", 6), "k1_variant": ("mutual_restraint", 13),
                "after_strike_variant": ("mutual_restraint", 1)}  # fmt: skip


@pytest.mark.parametrize("branch", sorted(RECORD_CLASS))
def test_the_documented_record_keeps_its_class_at_any_horizon(request: pytest.FixtureRequest, branch: str) -> None:
    """The outcome of what happened does not hinge on where the horizon falls: every horizon from 60 to 120 days.

    The militia attacks in the final three weeks do vary with the horizon (0 to 2): the headline
    outcome does not hear them.
    """
    scenario = request.getfixturevalue(branch)
    classes = {horizon: documented_outcome(scenario, horizon) for horizon in range(60, 121)}
    assert set(classes.values()) == {RECORD_CLASS[branch]}, classes
    attacks = {int(proxy_attacks(scenario, documented_rungs(scenario, h))[0]) for h in range(60, 121)}
    assert len(attacks) > 1


def test_a_record_without_a_branch_point_has_no_day_one(seeded: Scenario) -> None:
    with pytest.raises(RunError, match="no branch point"):
        documented_rungs(dataclasses.replace(seeded, start_after=None))


# ------------------------------------------------------------------------------ red lines in replay
@pytest.mark.parametrize(("perceived", "crossed"), [(None, True), (2, True), (1, True), (0, False)])
def test_red_line_is_crossed_by_the_deaths_the_victim_knows_of(perceived: int | None, crossed: bool) -> None:
    """Small scenario: s1 declares a red line (E2, one death); the militia's raid E3 kills two.

    The line is crossed by the deaths as perceived by the victim (the event's `perceived.killed`
    where given, else its `killed`), as the model does since red lines use perceived deaths.
    """
    data = small_scenario_data()
    data["start_after"] = "E3"
    if perceived is not None:
        data["timeline"]["E3"]["perceived"] = {"killed": perceived}
    model = replayed(load_scenario(data), 3)
    s1 = agent(model, "s1")
    assert s1.red_line_active.all()
    assert ((s1.red_line_pending > 0) == crossed).all()


def test_red_line_needs_declaring_first() -> None:
    data = small_scenario_data()
    data["start_after"] = "E3"
    data["timeline"]["E2"]["declares_red_line"] = False
    s1 = agent(replayed(load_scenario(data), 2), "s1")
    assert not s1.red_line_active.any()
    assert (s1.red_line_pending == 0).all()
