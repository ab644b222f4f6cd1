"""Campaigns: a documented number of acts over a period, replayed by a rule.

An event with ``count`` and ``until`` is a campaign: ``count`` acts of its actor, action and
target from ``date`` to ``until`` (both included), whose ``killed`` and ``wounded`` (and
``perceived`` counts) are totals over the campaign. The loader replaces it by its acts,
``<id>-1`` to ``<id>-<count>``, placed among the other events by date:

* act ``i`` (from 0) falls on day ``date + floor(i * days / count)``, ``days`` being the length
  of the period in days: the acts are spread evenly, the first on ``date`` (several a day when
  ``count`` exceeds ``days``);
* it takes ``floor((i + 1) * n / count) - floor(i * n / count)`` of a total ``n`` (deaths,
  wounded, perceived counts): the casualties are spread evenly over the acts, the lethal acts
  evenly spaced among them;
* every act is ``approximate`` (its date comes from the rule) and carries the campaign's other
  fields; a campaign takes no ``effects`` (they would apply once per act).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from escalation.scenario import fields as f
from escalation.scenario.schema import Event
from escalation.scenario.yaml_tree import Node

MAX_ACTS = 1_000  # acts one campaign may stand for


def act_id(campaign: str, number: int) -> str:
    """The id of a campaign's act ``number`` (from 1)."""
    return f"{campaign}-{number}"


def _share(total: int | None, i: int, count: int) -> int | None:
    return None if total is None else (i + 1) * total // count - i * total // count


def acts(campaign: Event) -> list[Event]:
    """The campaign's acts, by the rule of this module."""
    count = campaign.count or 1
    days = ((campaign.until or campaign.date) - campaign.date).days + 1
    return [
        replace(
            campaign,
            id=act_id(campaign.id, i + 1),
            date=campaign.date + dt.timedelta(days=i * days // count),
            approximate=True,
            killed=_share(campaign.killed, i, count),
            wounded=_share(campaign.wounded, i, count),
            perceived_killed=_share(campaign.perceived_killed, i, count),
            perceived_wounded=_share(campaign.perceived_wounded, i, count),
            count=None,
            until=None,
            campaign=campaign.id,
        )
        for i in range(count)
    ]


def check(event: Event, node: Node, path: str) -> None:
    """A campaign has both ``count`` and ``until``, ends on or after its date and takes no effects.

    ``node``: the event's mapping, for errors.
    """
    if (event.count is None) != (event.until is None):
        missing = "until" if event.until is None else "count"
        present = "count" if missing == "until" else "until"
        message = f"a campaign needs both 'count' and 'until' (no {missing!r})"
        raise f.fail(node.value[present], f"{path}.{present}", message)
    if event.until is not None and event.until < event.date:
        raise f.fail(node.value["until"], f"{path}.until", f"ends before it starts ({event.date.isoformat()})")
    if event.count is not None and event.effects:
        raise f.fail(
            node.value["effects"], f"{path}.effects", "a campaign takes no effects (each act would apply them)"
        )


def expand(timeline: tuple[Event, ...], node: Node) -> tuple[tuple[Event, ...], tuple[Event, ...]]:
    """``(timeline with every campaign replaced by its acts, in date order; the campaigns)``.

    Events of one date keep the order in which they, or their campaigns, are written.
    ``node``: the ``timeline`` mapping, for errors.
    """
    campaigns = tuple(e for e in timeline if e.count is not None)
    if not campaigns:
        return timeline, ()
    written = {e.id for e in timeline}
    placed: list[tuple[dt.date, int, Event]] = []
    for index, event in enumerate(timeline):
        if event.count is None:
            placed.append((event.date, index, event))
            continue
        for act in acts(event):
            if act.id in written:
                message = f"its act {act.id!r} would take the id of another event"
                raise f.fail(node.value[event.id].value["count"], f"timeline.{event.id}.count", message)
            placed.append((act.date, index, act))
    placed.sort(key=lambda entry: entry[:2])
    return tuple(event for _, _, event in placed), campaigns
