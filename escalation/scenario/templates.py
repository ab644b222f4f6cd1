"""Action templates: an action written once and applied to several targets.

An action with ``targets`` (``adversaries``, or a list of actor ids) is a template. The loader
expands it into one action per target, with the id ``<template>@<target>``, the template's
fields and its target: on a menu, the template stands for its expansions against the actor's
adversaries (or the listed actors other than the actor itself); in an event, for its expansion
against the event's ``target``. An expanded id can also be written directly (``strike@iran``),
on a menu or in an event. The expansions share the template's parameters, named
``<template>.<parameter>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from escalation.scenario import fields as f
from escalation.scenario.relations import adversaries_of
from escalation.scenario.schema import Action, Actor, Event
from escalation.scenario.yaml_tree import Node

ADVERSARIES = "adversaries"
SEPARATOR = "@"
_REFERENCE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*(@[A-Za-z][A-Za-z0-9_\-]*)?$")


def expanded_id(template: str, target: str) -> str:
    """The id of a template's expansion against ``target``."""
    return f"{template}{SEPARATOR}{target}"


def base_of(reference: str) -> str:
    """The action or template id a reference names (``strike`` for ``strike@iran``)."""
    return reference.partition(SEPARATOR)[0]


def reference(node: Node, path: str) -> str:
    """An action id, or a template's expansion ``<template>@<target>``."""
    value = f.text(node, path)
    if not _REFERENCE.match(value):
        raise f.fail(node, path, f"{f.excerpt(value)} is not a valid action (an id, or <template>@<actor id>)")
    return value


def targets(node: Node, path: str) -> str | tuple[str, ...]:
    """A template's ``targets``: ``adversaries`` or a non-empty list of actor ids."""
    if node.value == ADVERSARIES:
        return ADVERSARIES
    if not node.is_sequence or not node.value:
        raise f.fail(node, path, f"expected '{ADVERSARIES}' or a non-empty list of actor ids")
    return f.sequence(f.identifier)(node, path)


def menu_targets(template: Action, actor: str, actors: Sequence[Actor]) -> list[str]:
    """The targets a template stands for on ``actor``'s menu (the actor itself never)."""
    if template.targets == ADVERSARIES:
        return adversaries_of(actors, actor)
    return [target for target in template.targets or () if target != actor]


def expand(
    templates: tuple[Action, ...],
    actions: tuple[Action, ...],
    actors: tuple[Actor, ...],
    timeline: tuple[Event, ...],
    tree: Node,
) -> tuple[tuple[Action, ...], tuple[Actor, ...], tuple[Event, ...]]:
    """``(actions, actors, timeline)`` with every template reference replaced by its expansions.

    ``actions`` gains the expansions the menus and events use, after the plain actions, by
    template in file order and by target in actor order. Raises a located
    :class:`~escalation.errors.ScenarioError` for a reference that cannot be expanded.
    """
    by_id = {t.id: t for t in templates}
    plain = {a.id: a for a in actions}
    actor_ids = [a.id for a in actors]
    needed: set[tuple[str, str]] = set()

    def resolve(written: str, node: Node, path: str, target_of: str | None) -> list[str]:
        """The expanded ids a written reference stands for (``target_of``: the event's target)."""
        name, _, target = written.partition(SEPARATOR)
        if name not in by_id:
            if target:
                raise f.fail(node, path, f"{name!r} is not a template (only a template takes '@<target>')")
            return [written]
        if target and target not in actor_ids:
            raise f.fail(node, path, f"unknown actor {f.excerpt(target)}{f.did_you_mean(target, actor_ids)}")
        chosen = [target] if target else [target_of] if target_of else []
        needed.update((name, t) for t in chosen)
        return [expanded_id(name, t) for t in chosen]

    expanded_actors = []
    actors_node = tree.value["actors"]
    for actor in actors:
        menu: list[str] = []
        for i, written in enumerate(actor.menu):
            node = actors_node.value[actor.id].value["menu"].value[i]
            path = f"actors.{actor.id}.menu[{i}]"
            name = base_of(written)
            if name in by_id and SEPARATOR not in written:
                chosen = menu_targets(by_id[name], actor.id, actors)
                if not chosen:
                    raise f.fail(node, path, f"template {name!r} has no target for {actor.id!r}")
                needed.update((name, t) for t in chosen)
                found = [expanded_id(name, t) for t in chosen]
            else:
                found = resolve(written, node, path, None)
            for action_id in found:
                if action_id in menu and SEPARATOR in action_id:
                    raise f.fail(node, path, f"{action_id!r} is on the menu twice")
                act = plain.get(action_id) or by_id[base_of(action_id)]
                if act.target == actor.id or action_id.endswith(SEPARATOR + actor.id) or actor.id in act.also_harms:
                    raise f.fail(node, path, f"{action_id!r} would harm {actor.id!r} itself")
                menu.append(action_id)
        expanded_actors.append(replace(actor, menu=tuple(menu)) if tuple(menu) != actor.menu else actor)

    events = []
    timeline_node = tree.value.get("timeline")
    for event in timeline:
        node = timeline_node.value[event.campaign or event.id]
        action_node = node.value["action"]
        path = f"timeline.{event.campaign or event.id}.action"
        name, _, written_target = event.action.partition(SEPARATOR)
        if name in by_id and not written_target and event.target is None:
            raise f.fail(action_node, path, f"{name!r} is a template: the event needs a 'target'")
        if written_target and event.target is not None and event.target != written_target:
            message = f"the event's target {event.target!r} is not the target of {event.action!r}"
            raise f.fail(node.value["target"], f"timeline.{event.id}.target", message)
        (action_id,) = resolve(event.action, action_node, path, event.target)
        events.append(replace(event, action=action_id) if action_id != event.action else event)

    order = {actor_id: i for i, actor_id in enumerate(actor_ids)}
    expansions = [
        _expansion(template, target)
        for template in templates
        for target in sorted({t for name, t in needed if name == template.id}, key=order.__getitem__)
    ]
    return (*actions, *expansions), tuple(expanded_actors), tuple(events)


def _expansion(template: Action, target: str) -> Action:
    return replace(template, id=expanded_id(template.id, target), target=target, template=template.id)


def written_menu(actor: Actor, actions: dict[str, Action], actors: Sequence[Actor]) -> list[str]:
    """An expanded menu as a file writes it: a template for a run of its full expansion, else the ids."""
    written: list[str] = []
    menu = list(actor.menu)
    i = 0
    while i < len(menu):
        expansion = actions[menu[i]]
        full = []
        if expansion.template is not None:
            full = [expanded_id(expansion.template, t) for t in menu_targets(expansion, actor.id, actors)]
        if full and menu[i : i + len(full)] == full:
            written.append(expansion.template)
            i += len(full)
        else:
            written.append(menu[i])
            i += 1
    return written


def template_entry(template: Action, action_entry: dict[str, Any]) -> dict[str, Any]:
    """A template in the file layout, from its action fields."""
    entry = {k: v for k, v in action_entry.items() if k not in ("target", "template")}
    entry["targets"] = template.targets if isinstance(template.targets, str) else list(template.targets or ())
    return entry
