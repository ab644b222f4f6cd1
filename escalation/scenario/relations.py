"""Who is whose adversary: one rule, read by the loader (templates) and the compiled model."""

from __future__ import annotations

from collections.abc import Sequence

from escalation.scenario.schema import Actor


def adversary_matrix(actors: Sequence[Actor]) -> list[list[bool]]:
    """``[i][j]``: whether actors ``i`` and ``j`` are adversaries.

    Two states or militias on different sides are adversaries.
    """
    return [[a is not b and _sided(a) and _sided(b) and a.side != b.side for b in actors] for a in actors]


def adversaries_of(actors: Sequence[Actor], actor_id: str) -> list[str]:
    """The ids of ``actor_id``'s adversaries, in the scenario's actor order."""
    ids = [a.id for a in actors]
    row = adversary_matrix(actors)[ids.index(actor_id)]
    return [other for other, adverse in zip(ids, row, strict=True) if adverse]


def _sided(actor: Actor) -> bool:
    return actor.kind in ("state", "militia")
