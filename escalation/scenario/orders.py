"""Checks of patrons' orders: an order goes from a patron to its proxy, and a stand-down has a length."""

from __future__ import annotations

from escalation.scenario import fields as f
from escalation.scenario.schema import Scenario
from escalation.scenario.yaml_tree import Node


def check(scenario: Scenario, tree: Node) -> None:
    """Every act with ``orders`` is aimed at a proxy of the actor that takes it (menus and events),
    a stand-down gives ``for_days`` and a resume none."""
    actors = {a.id: a for a in scenario.actors}
    for action in (*scenario.actions, *scenario.templates):
        if action.template is not None:
            continue
        node = tree.value["actions"].value[action.id]
        _check_length(action.orders, action.for_days, node, f"actions.{action.id}")
    for actor in scenario.actors:
        for action_id in actor.menu:
            action = scenario.action(action_id)
            if action.orders is not None and (action.target is None or actors[action.target].patron != actor.id):
                node = tree.value["actors"].value[actor.id].value["menu"]
                message = f"{action_id!r} gives an order: its target must be a proxy of {actor.id!r}"
                raise f.fail(node, f"actors.{actor.id}.menu", message)
    for event in scenario.timeline:
        node = tree.value["timeline"].value[event.campaign or event.id]
        path = f"timeline.{event.campaign or event.id}"
        _check_length(event.orders, event.for_days, node, path)
        target = event.target or scenario.action(event.action).target
        gives = event.orders is not None or scenario.action(event.action).orders is not None
        if gives and (target is None or actors[target].patron != event.actor):
            raise f.fail(node, path, f"an order goes to a proxy of its actor {event.actor!r}, not to {target!r}")


def _check_length(order: str | None, days: int | None, node: Node, path: str) -> None:
    if order == "stand_down" and days is None:
        raise f.fail(node, path, "a stand-down order needs 'for_days'")
    if order != "stand_down" and days is not None:
        raise f.fail(node.value["for_days"], f"{path}.for_days", "only a stand-down order takes 'for_days'")
