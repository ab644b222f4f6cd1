"""Event features of the scenario language: approximate dates, patron orders, ceasefires, damage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from escalation import EscalationModel, ScenarioError, load_scenario
from escalation.model import kernel


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


# ------------------------------------------------------------------------------ patron orders
def with_orders() -> dict:
    """``b`` can order its militia ``m`` to stand down for 5 days; ``m`` obeys at a cost of 2 per act of force."""
    data = crisis()
    data["actions"]["order_m"] = {"rung": "talk", "targets": ["m"], "orders": "stand_down", "for_days": 5}
    data["actors"]["b"]["menu"] = ["hold", "talk", "strike", "order_m"]
    data["actors"]["m"]["obedience"] = 2.0
    return data


def test_a_stand_down_order_holds_for_its_days_and_costs_the_proxy_its_obedience() -> None:
    data = with_orders()
    data["actors"]["b"]["menu"] = ["hold", "talk", "strike"]  # the order is documented, not chosen
    data["timeline"]["E2"] = {"date": "2020-01-02", "actor": "b", "action": "order_m", "target": "m"}
    data["start_after"] = "E2"
    ordered = load_scenario(data)
    free = load_scenario({**data, "start_after": "E1"})
    m = [a.id for a in ordered.actors].index("m")
    model = EscalationModel(ordered, n_worlds=1, rng=0)
    assert model.state.order[0, m] == 5.0  # the 5 days from 3 January on
    rationality = ordered.actor("m").rationality

    def strike_odds(scenario) -> float:
        model = EscalationModel(scenario, n_worlds=1, rng=0)
        p = kernel.choice_probabilities(model.compiled.structure, model.worlds, model.state, m, m)[0]
        return float(np.log(p[1] / p[0]))

    # one more day of decay in the ordered model: compare the order's effect on the log-odds alone
    gap = strike_odds(free) - strike_odds(ordered)
    assert gap == pytest.approx(rationality * 2.0, abs=0.05)
    model.run()
    assert (model.state.order[:, m] == 0).all()  # the order ran out within the 10 simulated days


def test_an_event_can_lift_an_order_and_a_patron_gives_orders_in_simulation() -> None:
    data = with_orders()
    data["timeline"]["E2"] = {"date": "2020-01-02", "actor": "b", "action": "talk", "target": "m",
                              "orders": "stand_down", "for_days": 20}  # fmt: skip
    data["timeline"]["E3"] = {"date": "2020-01-03", "actor": "b", "action": "talk", "target": "m", "orders": "resume"}
    m = 2
    data["start_after"] = "E2"
    assert EscalationModel(load_scenario(data), n_worlds=1, rng=0).state.order[0, m] == 20.0
    data["start_after"] = "E3"
    assert EscalationModel(load_scenario(data), n_worlds=1, rng=0).state.order[0, m] == 0.0
    model = EscalationModel(load_scenario(with_orders()), n_worlds=64, rng=2, detail=True).run()
    order_m = model.compiled.action_index["order_m@m"]
    assert (model.log_action[1] == order_m).any()  # b chose the order in some world


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda d: d["actions"]["order_m"].pop("for_days"), "actions.order_m", "needs 'for_days'"),
        (lambda d: d["actions"]["order_m"].update(orders="resume"), "actions.order_m.for_days", "only a stand-down"),
        (lambda d: d["actions"]["order_m"].update(targets=["a"]), "actors.b.menu", "must be a proxy of 'b'"),
        (
            lambda d: d["timeline"].update(
                E2={"date": "2020-01-02", "actor": "a", "action": "talk", "target": "m", "orders": "resume"}
            ),
            "timeline.E2",
            "an order goes to a proxy of its actor 'a'",
        ),
    ],
)
def test_bad_orders_are_located_errors(edit, path: str, message: str) -> None:
    data = with_orders()
    edit(data)
    with pytest.raises(ScenarioError, match=message) as caught:
        load_scenario(data)
    assert caught.value.path == path


# ------------------------------------------------------------------------------ ceasefire
def with_ceasefire() -> dict:
    """``b`` declares a ceasefire the day after ``m``'s strike; breaking it costs ``a`` 3 and ``b`` 1."""
    data = crisis()
    data["actions"]["truce"] = {"rung": "talk", "signal": "ceasefire"}
    data["actors"]["a"]["ceasefire_value"] = 3.0
    data["actors"]["b"]["ceasefire_value"] = 1.0
    data["timeline"]["E2"] = {"date": "2020-01-02", "actor": "b", "action": "truce"}
    data["start_after"] = "E2"
    return data


def test_a_ceasefire_holds_until_force_breaks_it_and_breaking_it_costs_utility() -> None:
    scenario = load_scenario(with_ceasefire())
    free = load_scenario({**with_ceasefire(), "actors": {**with_ceasefire()["actors"], "a": crisis()["actors"]["a"]}})
    model = EscalationModel(scenario, n_worlds=400, rng=4)
    assert model.state.ceasefire.all()

    def strike_odds(s) -> float:
        model = EscalationModel(s, n_worlds=1, rng=0)
        p = kernel.choice_probabilities(model.compiled.structure, model.worlds, model.state, 0, 0)[0]
        return float(np.log(p[2] / p[0]))

    assert strike_odds(free) - strike_odds(scenario) == pytest.approx(scenario.actor("a").rationality * 3.0)
    model.run()
    force = (model.rungs >= model.compiled.force_level).any(axis=(0, 1))
    assert force.any() and (~force).any()
    np.testing.assert_array_equal(model.state.ceasefire, ~force)  # broken exactly where force was used


def test_a_replayed_act_of_force_breaks_a_ceasefire_declared_earlier_the_same_day() -> None:
    data = with_ceasefire()
    data["timeline"]["E3"] = {"date": "2020-01-02", "actor": "a", "action": "strike", "target": "b", "killed": 0}
    data["start_after"] = "E3"
    model = EscalationModel(load_scenario(data), n_worlds=1, rng=0)
    assert not model.state.ceasefire.any()  # replayed events act one by one: the strike breaks it


# ------------------------------------------------------------------------------ an exchange under way
def war_under_way(persistence: float) -> dict:
    """``a`` and ``b`` strike each other on the branch day; both carry on with ``persistence``."""
    data = crisis()
    data["timeline"] = {
        "E1": {"date": "2020-01-01", "actor": "a", "action": "strike", "target": "b", "killed": 2},
        "E2": {"date": "2020-01-01", "actor": "b", "action": "strike", "target": "a", "killed": 2},
    }
    data["start_after"] = "E2"
    for actor in "ab":
        data["actors"][actor] |= {"persistence": persistence, "fear": 6.0}
    return data


def test_the_replay_leaves_each_actors_latest_act_and_persistence_carries_it_on() -> None:
    stopping, carrying = load_scenario(war_under_way(0.0)), load_scenario(war_under_way(4.0))
    model = EscalationModel(carrying, n_worlds=1, rng=0)
    a = 0
    strike_b = model.compiled.action_index["strike@b"]
    assert (model.state.last[0, a], model.state.since[0, a]) == (strike_b, 1.0)

    def odds(s) -> np.ndarray:
        model = EscalationModel(s, n_worlds=1, rng=0)
        p = kernel.choice_probabilities(model.compiled.structure, model.worlds, model.state, a, a)[0]
        return np.log(p / p[0])

    menu = [carrying.actions[k].id for k in model.compiled.structure.menus[a, :3]]
    assert menu == ["hold", "talk", "strike@b"]
    gap = odds(carrying) - odds(stopping)
    assert gap[2] == pytest.approx(carrying.actor("a").rationality * 4.0)  # yesterday's act of force
    assert gap[1] == pytest.approx(0.0)  # any other act: unchanged


def test_without_persistence_an_exchange_under_way_stops_more_often() -> None:
    days = []
    for persistence in (0.0, 4.0):
        model = EscalationModel(load_scenario(war_under_way(persistence)), n_worlds=2_000, rng=6).run()
        days.append((model.rungs[:2, 0] >= model.compiled.force_level).any(axis=0).mean())
    assert days[1] > days[0] + 0.1


# ------------------------------------------------------------------------------ damage without casualties
def test_documented_damage_adds_to_the_targets_harm_without_casualties() -> None:
    data = crisis()
    data["timeline"]["E1"] |= {"killed": 0, "wounded": 0}
    plain = EscalationModel(load_scenario(data), n_worlds=1, rng=0)
    data["timeline"]["E1"]["damage"] = 2.5
    damaged = load_scenario(data)
    model = EscalationModel(damaged, n_worlds=1, rng=0)
    a, m = 0, 2
    assert model.state.grievance[0, a, m] == pytest.approx(plain.state.grievance[0, a, m] + 2.5 * 0.5 ** (1 / 14))
    assert damaged.to_dict()["timeline"]["E1"]["damage"] == 2.5 and load_scenario(damaged.to_dict()) == damaged
    assert "damage" not in load_scenario(crisis()).to_dict()["timeline"]["E1"]


# ------------------------------------------------------------------------------ vowed answers
def vowed(preparation_days: float = 0.0) -> dict:
    """``a`` vows an answer at the strike rung the day after ``m``'s strike; its credibility is 2."""
    data = crisis()
    data["timeline"]["E2"] = {"date": "2020-01-02", "actor": "a", "action": "talk", "vows": "strike"}
    data["start_after"] = "E2"
    data["horizon_days"] = 60
    data["actors"]["a"] |= {"credibility": 2.0, "preparation_days": preparation_days, "fear": 6.0}
    return data


def test_a_vow_is_a_pending_answer_that_an_act_at_its_level_clears() -> None:
    scenario = load_scenario(vowed())
    model = EscalationModel(scenario, n_worlds=300, rng=8, detail=True)
    level = scenario.ladder.level("strike")
    np.testing.assert_allclose(model.state.pending[:, 0], 0.5 ** (1 / 14))
    assert (model.state.respond[:, 0] == level).all()
    plain = vowed()
    del plain["timeline"]["E2"]["vows"]
    unvowed = load_scenario(plain)

    def strike_odds(s) -> float:
        m = EscalationModel(s, n_worlds=1, rng=0)
        p = kernel.choice_probabilities(m.compiled.structure, m.worlds, m.state, 0, 0)[0]
        return float(np.log(p[2] / p[1]))

    pending = model.state.pending[0, 0]
    assert strike_odds(scenario) - strike_odds(unvowed) == pytest.approx(
        scenario.actor("a").rationality * 2.0 * pending
    )
    model.run()
    answered = (model.rungs[0] >= level).any(axis=0)
    assert answered.any()
    assert (model.state.pending[answered, 0] == 0.0).all() and (model.state.pending[~answered, 0] > 0.0).all()
    assert load_scenario(scenario.to_dict()) == scenario


def test_a_vowed_answer_waits_for_the_actor_to_be_ready() -> None:
    first_days = []
    for days in (0.0, 8.0):
        model = EscalationModel(load_scenario(vowed(days)), n_worlds=2_000, rng=9).run()
        struck = model.rungs[0] >= model.compiled.force_level
        day = np.where(struck.any(axis=0), struck.argmax(axis=0), -1)
        first_days.append(day[day >= 0].mean())
    assert first_days[1] > first_days[0] + 2.0


def test_a_vow_names_a_rung_or_threshold() -> None:
    data = vowed()
    data["timeline"]["E2"]["vows"] = "strikes"
    with pytest.raises(ScenarioError, match="unknown rung or threshold 'strikes'") as caught:
        load_scenario(data)
    assert caught.value.path == "timeline.E2.vows"


# ------------------------------------------------------------------------------ killing a proxy's commanders
def test_killing_a_proxys_commanders_cuts_its_patrons_control_until_grievance_fades() -> None:
    data = crisis()
    data["parameters"]["accident_probability"] = 0.0
    data["actors"]["m"]["decapitation"] = 0.6
    data["timeline"]["E2"] = {"date": "2020-01-02", "actor": "a", "action": "strike", "target": "m",
                              "killed": 3, "kills_commanders": True}  # fmt: skip
    data["start_after"] = "E2"
    scenario = load_scenario(data)
    model = EscalationModel(scenario, n_worlds=1, rng=0)
    m, b = 2, 1
    day = 0.5 ** (1 / 14)  # the default grievance half-life
    assert model.state.lost[0, m] == pytest.approx(0.6 * day)
    s, p, st = model.compiled.structure, model.worlds, model.state
    own = kernel.choice_probabilities(s, p, st, m, m)[0]
    patrons = kernel.choice_probabilities(s, p, st, m, b)[0]
    held = 0.5 * (1 - 0.6 * day)
    mixed = kernel.act_probabilities(s, p, st, model.scratch, m)[0]
    np.testing.assert_allclose(mixed, (1 - held) * own + held * patrons, rtol=1e-12)
    assert load_scenario(scenario.to_dict()) == scenario
    model.run()
    assert 0.0 < model.state.lost[0, m] < 0.6 * day  # regained as grievance fades
