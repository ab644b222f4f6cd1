"""Who is whose adversary and whose ally: one rule, read by the loader and the compiled model.

Two states or militias on different sides are adversaries, unless the scenario declares them
allies; actors a scenario declares adversaries (``adversaries:`` of either) are adversaries
whatever their kinds and sides. Declared allies (``allies:`` of either) are never adversaries.
A relation declared on one actor holds both ways.
"""

from __future__ import annotations

from collections.abc import Sequence

from escalation.scenario import fields as f
from escalation.scenario.schema import Actor
from escalation.scenario.yaml_tree import Node


def ally_matrix(actors: Sequence[Actor]) -> list[list[bool]]:
    """``[i][j]``: whether actors ``i`` and ``j`` are declared allies (symmetric)."""
    return [[a is not b and (b.id in a.allies or a.id in b.allies) for b in actors] for a in actors]


def adversary_matrix(actors: Sequence[Actor]) -> list[list[bool]]:
    """``[i][j]``: whether actors ``i`` and ``j`` are adversaries (symmetric)."""
    allied = ally_matrix(actors)
    return [
        [
            a is not b and (b.id in a.adversaries or a.id in b.adversaries or (not allied[i][j] and _by_sides(a, b)))
            for j, b in enumerate(actors)
        ]
        for i, a in enumerate(actors)
    ]


def adversaries_of(actors: Sequence[Actor], actor_id: str) -> list[str]:
    """The ids of ``actor_id``'s adversaries, in the scenario's actor order."""
    ids = [a.id for a in actors]
    row = adversary_matrix(actors)[ids.index(actor_id)]
    return [other for other, adverse in zip(ids, row, strict=True) if adverse]


def _by_sides(a: Actor, b: Actor) -> bool:
    return a.kind in ("state", "militia") and b.kind in ("state", "militia") and a.side != b.side


def check_relations(actors: Sequence[Actor], node: Node) -> None:
    """Declared relations name other actors, no pair is both allied and adversary, a patron is no
    proxy of its proxy, and two actors that choose are adversaries. ``node``: the ``actors`` mapping."""
    ids = {a.id: a for a in actors}
    for actor in actors:
        where = node.value[actor.id]
        for key in ("allies", "adversaries"):
            for i, other in enumerate(getattr(actor, key)):
                path = f"actors.{actor.id}.{key}[{i}]"
                if other == actor.id:
                    relation = {"allies": "ally", "adversaries": "adversary"}[key]
                    raise f.fail(where.value[key].value[i], path, f"{actor.id!r} cannot be its own {relation}")
                if key == "allies" and (other in actor.adversaries or actor.id in ids[other].adversaries):
                    raise f.fail(where.value[key].value[i], path, f"{other!r} is declared both ally and adversary")
        if actor.patron is not None and ids[actor.patron].patron == actor.id:
            message = (
                "an actor cannot be its own patron"
                if actor.patron == actor.id
                else (f"{actor.patron!r} is {actor.id!r}'s proxy and cannot be its patron")
            )
            raise f.fail(where.value["patron"], f"actors.{actor.id}.patron", message)
    strategic = [i for i, a in enumerate(actors) if a.strategic]
    adverse = adversary_matrix(actors)
    if not any(adverse[i][j] for i in strategic for j in strategic):
        message = "no two actors that choose are adversaries: put them on different sides or declare 'adversaries'"
        raise f.fail(node, "actors", message)
