"""Write a :class:`Scenario` back to plain data and YAML in the scenario-file layout."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from escalation.io import atomic_write_text
from escalation.scenario.schema import Action, Actor, Event, Observed, RecordRule, Scenario
from escalation.scenario.templates import template_entry, written_menu


def _without_id(obj: Any) -> dict[str, Any]:
    """The object's fields in the file layout: no id, lists for tuples, parameter values inline."""
    data = dataclasses.asdict(obj)
    data.pop("id", None)
    data |= data.pop("values", {})
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def _event(event: Event) -> dict[str, Any]:
    data = _without_id(event)
    for key in ("count", "until", "campaign", "orders", "for_days", "vows", "kills_commanders"):  # written where set
        if not data[key]:
            del data[key]
    if event.until is not None:
        data["until"] = event.until.isoformat()
    if not event.damage:  # written only where set
        del data["damage"]
    data["date"] = event.date.isoformat()
    data["perceived"] = {"killed": data.pop("perceived_killed"), "wounded": data.pop("perceived_wounded")}
    effects: dict[str, dict[str, float]] = {}
    for effect in event.effects:
        effects.setdefault(effect.pressure, {})[effect.actor] = effect.amount
    data["effects"] = effects
    return data


def _action(action: Action) -> dict[str, Any]:
    data = _without_id(action)
    for key in ("targets", "template", "orders", "for_days", "vows", "kills_commanders"):  # written where set
        if not data[key]:
            del data[key]
    return data


def _timeline(scenario: Scenario) -> dict[str, Any]:
    """The events, a campaign in place of its acts (at its first act)."""
    campaigns = {c.id: c for c in scenario.campaigns}
    written: dict[str, Any] = {}
    for event in scenario.timeline:
        if event.campaign is None:
            written[event.id] = _event(event)
        elif event.campaign not in written:
            written[event.campaign] = _event(campaigns[event.campaign])
    return written


def _actions(scenario: Scenario) -> dict[str, Any]:
    """Plain actions, then templates (their expansions are not written: the loader makes them)."""
    plain = {a.id: _action(a) for a in scenario.actions if a.template is None}
    return plain | {t.id: template_entry(t, _action(t)) for t in scenario.templates}


def _actor(actor: Actor, scenario: Scenario) -> dict[str, Any]:
    data = _without_id(actor)
    data["menu"] = written_menu(actor, {a.id: a for a in scenario.actions}, scenario.actors)
    for key in ("allies", "adversaries"):  # relations, written only where declared
        if not data[key]:
            del data[key]
    return data


def _record_rule(rule: RecordRule) -> dict[str, Any]:
    return {
        "actors": list(rule.actors) if rule.actors is not None else None,
        "from": rule.start.isoformat() if rule.start else None,
        "until": rule.end.isoformat() if rule.end else None,
        "recorded_from": rule.recorded_from,
        "share": rule.share,
        "count": rule.count,
    }


def _observed(observed: Observed) -> dict[str, Any]:
    answers = [
        {k: v.isoformat() if k == "date" and v is not None else v for k, v in dataclasses.asdict(answer).items()}
        for answer in observed.answers
    ]
    return {"outcome": observed.outcome, "answers": answers, "notes": observed.notes}


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain data that :func:`escalation.load_scenario` turns back into an equal scenario."""
    ladder = scenario.ladder
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "start_after": scenario.start_after,
        "horizon_days": scenario.horizon_days,
        "parameters": _without_id(scenario.parameters),
        "ladder": {
            "rungs": {r.id: _without_id(r) for r in ladder.rungs},
            "thresholds": {t.id: _without_id(t) for t in ladder.thresholds},
        },
        "actions": _actions(scenario),
        "actors": {a.id: _actor(a, scenario) for a in scenario.actors},
        "timeline": _timeline(scenario),
        **({"priors": dict(scenario.priors)} if scenario.priors else {}),
        **({"record": [_record_rule(rule) for rule in scenario.record]} if scenario.record else {}),
        **({"parameters_from": scenario.parameters_from} if scenario.parameters_from else {}),
        **({"observed": _observed(scenario.observed)} if scenario.observed is not None else {}),
        "outcomes": {
            rule.name: {
                "description": rule.description,
                **(
                    {
                        "when": [
                            dataclasses.asdict(c) | {"actors": list(c.actors) if c.actors is not None else None}
                            for c in rule.when
                        ]
                    }
                    if rule.when
                    else {}
                ),
            }
            for rule in scenario.outcomes
        },
    }


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as a self-contained YAML document."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True, width=100)


def write_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario to ``path`` atomically."""
    atomic_write_text(Path(path), scenario_to_yaml(scenario))
