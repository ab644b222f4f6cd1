"""Action templates: one action applied to several targets, expanded by the loader.

The seeded scenario writes the militias' and Iran's acts of force as templates; written out
as one action per target (as it was before templates), it must give the same numbers.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import escalation
from escalation import EscalationModel, ScenarioError, load_scenario
from escalation.likelihood import loglik
from escalation.mechanisms.accidents import slip_destinations
from escalation.parameters import parameter_names, scenario_parameters

ROOT = Path(__file__).resolve().parents[1]
SEEDED = ROOT / "scenarios" / "us_iran_2020.yaml"


def small() -> dict:
    """Three states on three sides; ``strike`` against every adversary, ``big`` against a listed pair."""
    state = {"kind": "state", "menu": ["hold", "strike", "big"]}
    return {
        "name": "templates",
        "horizon_days": 20,
        "parameters": {"accident_probability": 0.2, "accidents_from": "strike", "force_from": "strike"},
        "ladder": {"rungs": {"hold": {}, "talk": {}, "strike": {}, "big": {}}},
        "actions": {
            "hold": {"rung": "hold"},
            "strike": {"rung": "strike", "targets": "adversaries", "killed_mean": 1.0, "harm_base": 1.0},
            "big": {"rung": "big", "targets": ["b", "c"], "killed_mean": 5.0, "harm_base": 3.0},
        },
        "actors": {name: {**state, "side": name} for name in ("a", "b", "c")},
        "outcomes": {"war": {"when": [{"at_least": "big"}]}, "rest": {}},
    }


def menu_of(scenario, actor: str) -> list[str]:
    return list(scenario.actor(actor).menu)


# ------------------------------------------------------------------------------ expansion
def test_a_template_stands_for_each_adversary_or_each_listed_actor_but_the_actor_itself() -> None:
    scenario = load_scenario(small())
    assert menu_of(scenario, "a") == ["hold", "strike@b", "strike@c", "big@b", "big@c"]
    assert menu_of(scenario, "b") == ["hold", "strike@a", "strike@c", "big@c"]
    expansion = scenario.action("strike@c")
    assert (expansion.target, expansion.template, expansion.rung) == ("c", "strike", "strike")
    assert [t.id for t in scenario.templates] == ["strike", "big"]


def test_the_seeded_templates_expand_against_the_united_states() -> None:
    seeded = load_scenario(SEEDED)
    assert menu_of(seeded, "kataib_hezbollah") == [
        "hold",
        "statement",
        "rocket_attack@united_states",
        "lethal_rocket_attack@united_states",
        "embassy_assault@united_states",
    ]
    assert "missile_strike@united_states" in menu_of(seeded, "iran")
    # A02 fired on Iraq: the event takes the template's expansion against its own target
    assert seeded.action(next(e for e in seeded.timeline if e.id == "A02").action).target == "iraq"


def test_an_expansion_can_be_named_on_a_menu_and_in_an_event() -> None:
    data = small()
    data["actors"]["a"]["menu"] = ["hold", "strike@c"]
    data["timeline"] = {"E1": {"date": "2020-01-01", "actor": "a", "action": "strike@b"}}
    scenario = load_scenario(data)
    assert menu_of(scenario, "a") == ["hold", "strike@c"]
    assert scenario.timeline[0].action == "strike@b"


def test_templates_write_back_as_templates_and_load_to_an_equal_scenario() -> None:
    for scenario in (load_scenario(small()), load_scenario(SEEDED)):
        data = scenario.to_dict()
        assert "strike@b" not in data["actions"] and "rocket_attack@united_states" not in data["actions"]
        assert load_scenario(data) == scenario
    data = load_scenario(small()).to_dict()
    assert data["actions"]["strike"]["targets"] == "adversaries" and "target" not in data["actions"]["strike"]
    assert data["actors"]["a"]["menu"] == ["hold", "strike", "big"]


def test_expansions_share_their_templates_parameters() -> None:
    scenario = load_scenario(small())
    names = parameter_names(scenario)
    assert "strike.killed_mean" in names and not any("@" in name for name in names)
    listed = [p.name for p in scenario_parameters(scenario) if p.name.startswith("strike.")]
    assert len(listed) == len(set(listed))
    model = EscalationModel(scenario, n_worlds=3, rng=0, parameters={"strike.killed_mean": np.array([0.0, 2.0, 4.0])})
    column = escalation.model.kernel.ACTION_NAMES.index("killed_mean")
    for action_id in ("strike@a", "strike@b", "strike@c"):
        k = model.compiled.action_index[action_id]
        np.testing.assert_array_equal(model.worlds.action[:, k, column], [0.0, 2.0, 4.0])


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (
            lambda d: d["actions"]["big"].update(targets=["a"]),
            "actors.a.menu[2]",
            "template 'big' has no target for 'a'",
        ),
        (lambda d: d["actors"]["a"].update(menu=["hold@b"]), "actors.a.menu[0]", "'hold' is not a template"),
        (lambda d: d["actors"]["a"].update(menu=["strike@zz"]), "actors.a.menu[0]", "unknown actor 'zz'"),
        (lambda d: d["actors"]["a"].update(menu=["strike", "strike@b"]), "actors.a.menu[1]", "on the menu twice"),
        (lambda d: d["actors"]["a"].update(menu=["strike@a"]), "actors.a.menu[0]", "would harm 'a' itself"),
        (lambda d: d["actors"]["a"].update(menu=["hold", "x y"]), "actors.a.menu[1]", "is not a valid action"),
        (lambda d: d["actions"]["big"].update(target="b"), "actions.big.targets", "not both"),
        (lambda d: d["actions"]["big"].update(targets=[]), "actions.big.targets", "non-empty list"),
        (lambda d: d["actions"]["big"].update(targets="allies"), "actions.big.targets", "'adversaries' or"),
        (lambda d: d["actions"]["big"].update(targets=["zz"]), "actions.big.targets[0]", "unknown actor 'zz'"),
        (
            lambda d: d.update(timeline={"E1": {"date": "2020-01-01", "actor": "a", "action": "strike"}}),
            "timeline.E1.action",
            "'strike' is a template: the event needs a 'target'",
        ),
        (
            lambda d: d.update(
                timeline={"E1": {"date": "2020-01-01", "actor": "a", "action": "strike@b", "target": "c"}}
            ),
            "timeline.E1.target",
            "is not the target of 'strike@b'",
        ),
    ],
)
def test_bad_template_references_are_located_errors(edit, path: str, message: str) -> None:
    data = copy.deepcopy(small())
    edit(data)
    with pytest.raises(ScenarioError, match=message) as caught:
        load_scenario(data)
    assert caught.value.path == path
    assert "\n" not in str(caught.value)


# ------------------------------------------------------------------------------ accidents keep their target
def test_an_accident_slips_to_the_next_act_against_the_same_target() -> None:
    targets = np.array([-1, 1, 2, 1, 2])  # hold, strike@b, strike@c, big@b, big@c
    victims = np.zeros((5, 3), dtype=bool)
    victims[np.arange(1, 5), targets[1:]] = True
    np.testing.assert_array_equal(slip_destinations(targets, victims), [1, 3, 4, -1, -1])
    victims[3, 2] = True  # big@b also harms c: strike@c now slips to it, the first act above that harms c
    np.testing.assert_array_equal(slip_destinations(targets, victims), [1, 3, 3, -1, -1])


def test_simulated_accidents_never_switch_target() -> None:
    data = small()
    data["parameters"]["accident_probability"] = 0.5
    model = EscalationModel(load_scenario(data), n_worlds=64, rng=3, detail=True).run()
    chosen = model.log_action[model.log_accident]
    assert chosen.size > 50
    compiled = model.compiled
    assert set(compiled.scenario.actions[k].id for k in np.unique(chosen)) <= {"big@a", "big@b", "big@c"}
    a = compiled.actor_index["a"]
    slipped = model.log_accident[a]
    assert (model.log_target[a][slipped] >= 0).all()
    big_b, big_c = compiled.action_index["big@b"], compiled.action_index["big@c"]
    # a's strike@b can only have slipped to big@b, its strike@c to big@c: the target is kept
    assert np.isin(model.log_action[a][slipped], [big_b, big_c]).all()


# ------------------------------------------------------------------------------ the seeded scenario, same numbers
def untemplated(scenario) -> dict:
    """The scenario written as before templates: each template one action aimed at the United States."""
    data = scenario.to_dict()
    for template in scenario.templates:
        entry = data["actions"].pop(template.id)
        del entry["targets"]
        data["actions"][template.id] = {**entry, "target": "united_states"}
    for event in data["timeline"].values():
        event["action"] = event["action"].partition("@")[0]
    return data


def test_the_seeded_scenario_gives_the_same_numbers_written_with_or_without_templates() -> None:
    seeded = load_scenario(SEEDED)
    plain = load_scenario(untemplated(seeded))
    assert not plain.templates and seeded.templates
    for posterior in (None, False):
        ours = escalation.run_study(seeded, runs=3_000, seed=11, posterior=posterior).summary
        theirs = escalation.run_study(plain, runs=3_000, seed=11, posterior=posterior).summary
        np.testing.assert_array_equal(ours.outcome, theirs.outcome)
        for actor, counts in ours.killed.items():
            np.testing.assert_array_equal(counts, theirs.killed[actor])
    assert loglik(seeded).total == pytest.approx(loglik(plain).total, rel=1e-12)
