"""Actors and relations as data: allies, declared adversaries, state proxies and hosts that act."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import numpy as np
import pytest

from escalation import EscalationModel, ScenarioError, load_scenario
from escalation.mechanisms.casualties import harm
from escalation.model import kernel
from escalation.parameters import scenario_parameters
from escalation.scenario.relations import adversaries_of, ally_matrix
from escalation.scenario.schema import Event


def crisis() -> dict:
    """States a, b, c on three sides (a and c allied), b's state proxy p, and a host h that acts against a."""
    return {
        "name": "relations",
        "horizon_days": 10,
        "parameters": {"force_from": "strike", "accidents_from": "strike", "accident_probability": 0.0},
        "ladder": {"rungs": {"hold": {}, "talk": {}, "strike": {}, "war": {}}},
        "actions": {
            "hold": {"rung": "hold"},
            "protest": {"rung": "talk", "targets": "adversaries", "harm_base": 0.5, "adds_host_pressure": 0.5},
            "expel": {"rung": "talk", "targets": "adversaries", "harm_base": 1.0, "adds_host_pressure": 2.0},
            "strike": {"rung": "strike", "targets": "adversaries", "killed_mean": 2.0, "harm_base": 1.0},
        },
        "actors": {
            "a": {
                "kind": "state",
                "side": "a",
                "menu": ["hold", "strike"],
                "allies": ["c"],
                "ally_solidarity": 0.4,
                "ally_restraint": 1.5,
            },
            "b": {"kind": "state", "side": "b", "menu": ["hold", "strike"]},
            "c": {"kind": "state", "side": "c", "menu": ["hold", "strike"], "ally_solidarity": 0.2},
            "p": {"kind": "state", "side": "b", "patron": "b", "menu": ["hold", "strike"], "control": 0.5},
            "h": {"kind": "host", "side": "h", "menu": ["hold", "protest", "expel"], "adversaries": ["a"]},
            "q": {"kind": "host", "side": "q"},
        },
        "outcomes": {"war": {"when": [{"at_least": "war"}]}, "rest": {}},
    }


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(crisis())


def test_allies_are_never_adversaries_and_declared_adversaries_hold_both_ways(scenario) -> None:
    assert adversaries_of(scenario.actors, "a") == ["b", "p", "h"]  # c is an ally; h declared a an adversary
    assert adversaries_of(scenario.actors, "c") == ["b", "p"]
    assert adversaries_of(scenario.actors, "h") == ["a"]
    assert adversaries_of(scenario.actors, "q") == []  # a host without relations is nobody's adversary
    allied = np.array(ally_matrix(scenario.actors))
    assert allied[0, 2] and allied[2, 0] and allied.sum() == 2
    # a template against adversaries follows the relations: a's strike reaches the host that acts against it
    assert list(scenario.actor("a").menu) == ["hold", "strike@b", "strike@p", "strike@h"]


def test_relations_write_back_only_where_declared(scenario) -> None:
    data = scenario.to_dict()
    assert data["actors"]["a"]["allies"] == ["c"] and "allies" not in data["actors"]["b"]
    assert data["actors"]["h"]["adversaries"] == ["a"] and "adversaries" not in data["actors"]["a"]
    assert load_scenario(data) == scenario


def test_harm_to_an_ally_is_felt_toward_the_attacker(scenario) -> None:
    model = EscalationModel(scenario, n_worlds=1, rng=0)
    event = Event(id="E1", date=dt.date(2020, 1, 1), actor="b", action="strike", target="a", killed=2, wounded=0)
    model.apply_event(event)
    ids = [a.id for a in scenario.actors]
    a, b, c = (ids.index(x) for x in "abc")
    suffered = harm(1.0, 1.0, 1.0, 2, 0, scenario.parameters.values["wound_weight"])
    grievance = model.state.grievance[0]
    assert grievance[a, b] == pytest.approx(suffered)
    assert grievance[c, b] == pytest.approx(0.2 * suffered)  # c's ally_solidarity
    assert grievance[ids.index("p"), b] == 0.0  # not an ally of a


def test_an_allys_pressure_lowers_the_utility_of_force_by_its_restraint(scenario) -> None:
    free = scenario.with_overrides({"actors": {"a": {"ally_restraint": 0.0}}})
    c = [x.id for x in scenario.actors].index("c")
    rationality = scenario.actor("c").rationality

    def log_odds(s) -> np.ndarray:
        model = EscalationModel(s, n_worlds=1, rng=0)
        prob = kernel.choice_probabilities(model.compiled.structure, model.worlds, model.state, c, c)[0]
        return np.log(prob[1:] / prob[0])  # each act of force against holding

    np.testing.assert_allclose(log_odds(free) - log_odds(scenario), rationality * 1.5, rtol=1e-12)


def test_a_state_can_be_a_proxy(scenario) -> None:
    model = EscalationModel(scenario, n_worlds=1, rng=0)
    ids = [a.id for a in scenario.actors]
    assert model.compiled.structure.patron[ids.index("p")] == ids.index("b")
    names = {p.name for p in scenario_parameters(scenario)}
    assert "p.control" in names and "b.control" not in names


def test_a_host_given_a_menu_chooses_and_its_acts_press_their_target(scenario) -> None:
    ids = [a.id for a in scenario.actors]
    h, q, a = ids.index("h"), ids.index("q"), ids.index("a")
    assert scenario.actor("h").strategic and not scenario.actor("q").strategic
    names = {p.name for p in scenario_parameters(scenario)}
    assert "h.rationality" in names and "q.rationality" not in names
    assert {"a.ally_solidarity", "c.ally_restraint"} <= names and "b.ally_solidarity" not in names
    model = EscalationModel(scenario, n_worlds=1, rng=0)
    before = model.state.host[0, a]
    model.apply_event(Event(id="E1", date=dt.date(2020, 1, 1), actor="h", action="expel", target="a"))
    assert model.state.host[0, a] == before + 2.0
    model = EscalationModel(scenario, n_worlds=200, rng=5).run()
    assert (model.rungs[h] == 1).any() and not model.rungs[q].any()


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda d: d["actors"]["a"].update(allies=["a"]), "actors.a.allies[0]", "cannot be its own ally"),
        (lambda d: d["actors"]["a"].update(adversaries=["c"]), "actors.a.allies[0]", "both ally and adversary"),
        (lambda d: d["actors"]["a"].update(allies=["zz"]), "actors.a.allies[0]", "unknown actor 'zz'"),
        (lambda d: d["actors"]["h"].update(patron="b"), "actors.h.patron", "a host has no patron"),
        (lambda d: d["actors"]["b"].update(patron="p"), "actors.b.patron", "'p' is 'b''s proxy"),
        (lambda d: d["actors"]["b"].update(patron="b"), "actors.b.patron", "its own patron"),
        (lambda d: d["actors"]["p"].update(patron="h"), "actors.p.patron", "must be a state"),
        (
            lambda d: [d["actors"][x].update(side="a", allies=[]) for x in "abcp"],
            "actors",
            "no two actors that choose are adversaries",
        ),
    ],
)
def test_bad_relations_are_located_errors(edit, path: str, message: str) -> None:
    data = copy.deepcopy(crisis())
    data["actors"]["h"].update(adversaries=[], menu=["hold"])
    edit(data)
    with pytest.raises(ScenarioError, match=message) as caught:
        load_scenario(data)
    assert caught.value.path == path


def test_allies_feel_nothing_and_press_no_one_at_the_neutral_values(scenario) -> None:
    """With both alliance parameters at 0 the alliance changes nothing but who is an adversary."""
    neutral = scenario.with_overrides({"actors": {x: {"ally_solidarity": 0.0, "ally_restraint": 0.0} for x in "ac"}})
    model = EscalationModel(neutral, n_worlds=1, rng=0)
    assert not model.worlds.restraint.any()
    model.apply_event(Event(id="E1", date=dt.date(2020, 1, 1), actor="b", action="strike", target="a", killed=2))
    ids = [a.id for a in neutral.actors]
    assert model.state.grievance[0, ids.index("c"), ids.index("b")] == 0.0
    assert dataclasses.replace(neutral.actor("a"), values=scenario.actor("a").values) == scenario.actor("a")
