"""Edits of an inherited timeline: new events stand by their date, and no edit moves an event
across the branch point.

A variant (``extends``) or :meth:`Scenario.with_overrides` edits its base's timeline. Replayed
are the events up to and including ``start_after``; the simulation starts the next calendar
day, so an event that comes after the branch event but is dated on the same day is neither
replayed nor simulated. A base may leave events there on purpose (a branch in the middle of a
day), but an edit that moves an event into that gap or out of it, or moves the branch event
past another, would silently drop a documented event or change what the variant compares
against: it is refused at the date that moved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Collection, Mapping

from escalation.errors import ScenarioError
from escalation.scenario import fields as f
from escalation.scenario.schema import Scenario
from escalation.scenario.yaml_tree import Node

ACROSS = "an edit may not move an event across the branch point"


def events_of(tree: Node | None) -> dict[str, Node]:
    """The timeline entries of a scenario tree, by id (none when it has no timeline mapping)."""
    timeline = tree.value.get("timeline") if tree is not None and tree.is_mapping else None
    return dict(timeline.value) if timeline is not None and timeline.is_mapping else {}


def _date_of(event: Node) -> dt.date | None:
    """An event's date, or ``None`` when it has none that reads (reported when the event is read)."""
    if not event.is_mapping or "date" not in event.value:
        return None
    with contextlib.suppress(ScenarioError):
        return f.date(event.value["date"], "date")
    return None


def timeline_dates(tree: Node | None) -> dict[str, dt.date]:
    """Event id -> date of a scenario tree's timeline (events without a readable date left out)."""
    dates = {key: _date_of(event) for key, event in events_of(tree).items()}
    return {key: day for key, day in dates.items() if day is not None}


def place_new_events(tree: Node, inherited: Collection[str]) -> Node:
    """``tree`` with the events not in ``inherited`` moved to their date among the others.

    A merge appends new keys; a new event goes right after the last event dated on or before
    its own date (so after inherited events of the same day). A timeline wholly new, or an
    event without a readable date, keeps its written place.
    """
    events = events_of(tree)
    new = [key for key in events if key not in inherited]
    if not new or len(new) == len(events):
        return tree
    order = [key for key in events if key in inherited]
    for key in new:
        day = _date_of(events[key])
        if day is None:
            order.append(key)
            continue
        dates = [_date_of(events[k]) for k in order]
        position = max((i + 1 for i, d in enumerate(dates) if d is not None and d <= day), default=0)
        order.insert(position, key)
    timeline = tree.value["timeline"]
    placed = Node({key: events[key] for key in order}, timeline.file, timeline.line, timeline.key_lines)
    return Node({**tree.value, "timeline": placed}, tree.file, tree.line, tree.key_lines)


def check_branch(scenario: Scenario, timeline: Node, base_dates: Mapping[str, dt.date]) -> None:
    """No event falls on the other side of the branch point than in the base (``base_dates``).

    An event after ``start_after`` is *in the gap* when dated on the branch event's day. An
    event whose gap membership differs from the base's (a new event counts as outside) is an
    error at its own date if the edit changed it, else at the branch event's date.
    """
    if scenario.start_after is None:
        return
    ids = [e.id for e in scenario.timeline]
    branch = scenario.timeline[ids.index(scenario.start_after)]
    base_branch = base_dates.get(branch.id, branch.date)
    for event in scenario.timeline[ids.index(branch.id) + 1 :]:
        was = event.id in base_dates and base_dates[event.id] <= base_branch
        now = event.date <= branch.date
        if was == now:
            continue
        if base_dates.get(event.id) != event.date:
            where = f"timeline.{event.id}.date"
            message = (
                f"{event.date} would put {event.id} on the branch day after {branch.id}, neither replayed nor "
                f"simulated: {ACROSS}"
                if now
                else f"{event.date} would move {event.id} off the branch day ({branch.id}, {branch.date}) into "
                f"the simulated period: {ACROSS}"
            )
            raise f.fail(date_node(timeline, event.id), where, message)
        message = f"{branch.date} would move the branch point across {event.id} ({event.date}): {ACROSS}"
        raise f.fail(date_node(timeline, branch.id), f"timeline.{branch.id}.date", message)


def date_node(timeline: Node, event_id: str) -> Node:
    """The node of an event's date (the event's own node when it has none)."""
    event = timeline.value[event_id]
    return event.value.get("date", event) if event.is_mapping else event
