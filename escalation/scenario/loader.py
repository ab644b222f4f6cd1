"""Load and validate scenario files into :class:`Scenario` objects."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from escalation.errors import ScenarioError
from escalation.io import POSTERIOR_FILE, posterior_path
from escalation.ladder import Ladder, Rung, Threshold
from escalation.mechanisms.orders import ORDERS
from escalation.parameters import ACTOR_KINDS, Parameter, PriorError, parameter_names, parse_prior, registry
from escalation.scenario import campaigns, orders
from escalation.scenario import fields as f
from escalation.scenario import templates as tpl
from escalation.scenario.dates import event_date
from escalation.scenario.edits import check_branch, date_node, events_of, place_new_events, timeline_dates
from escalation.scenario.observed import check_observed, read_observed
from escalation.scenario.relations import check_relations
from escalation.scenario.schema import (
    PRESSURES,
    SIGNALS,
    TELEGRAPHED_VALUES,
    Action,
    Actor,
    Condition,
    Effect,
    Event,
    OutcomeRule,
    Parameters,
    RecordRule,
    RedLine,
    Scenario,
)
from escalation.scenario.yaml_tree import Node, merge, read_file, read_tree

MIN_DISPERSION = 0.01  # negative-binomial shape; smaller values make the sampler fail for large means
MAX_RUNGS = 100
MAX_ACTORS = 50  # the model holds actors x actors grievances per world: 50 keep a block of 10,000 worlds near 200 MB
MAX_ACTIONS = 500
MAX_EXTENDS = 32  # files one scenario may build on, one extending the next


class _References:
    """Names used before they can be checked; verified once everything is read."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str, Node, str]] = []

    def add(self, kind: str, name: str | None, node: Node, path: str) -> None:
        if name is not None:
            self.pending.append((kind, name, node, path))

    def check(self, known: dict[str, tuple[str, ...]], hints: dict[str, str] | None = None) -> None:
        """Raise at the first name not in ``known[kind]``; ``hints[kind]`` (if any) ends the message."""
        for kind, name, node, path in self.pending:
            if name not in known[kind]:
                hint = (hints or {}).get(kind) or f.did_you_mean(name, known[kind])
                raise f.fail(node, path, f"unknown {kind} {f.excerpt(name)}{hint}")


def _resolve_extends(path: Path, seen: tuple[Path, ...] = ()) -> tuple[Node, Node | None]:
    """The file merged onto its bases, and the merged base it extends (``None`` without ``extends``)."""
    tree = read_file(path)
    resolved = path.resolve()
    line = tree.key_lines.get("extends", tree.line) if tree.is_mapping else tree.line
    if resolved in seen:
        raise ScenarioError("'extends' forms a cycle", file=str(path), line=line, path="extends")
    if not tree.is_mapping or "extends" not in tree.value:
        return tree, None
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(
            f"'extends' chains more than {MAX_EXTENDS} files (the first is {seen[0].name})",
            file=str(path),
            line=line,
            path="extends",
        )
    ext = tree.value["extends"]
    base_name = f.text(ext, "extends")
    base_path = path.parent / base_name
    try:
        found = base_path.is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        raise f.fail(ext, "extends", f"cannot use {f.excerpt(base_name)} as a file name ({exc.strerror})") from None
    if not found:
        raise f.fail(ext, "extends", f"no such file {f.excerpt(base_name)} (relative to {path.parent or '.'})")
    base, _ = _resolve_extends(base_path, (*seen, resolved))
    if not base.is_mapping:
        raise ScenarioError("a base of 'extends' must be a scenario mapping (key: value lines)", file=base.file,
                            line=base.line)  # fmt: skip
    own = Node({k: v for k, v in tree.value.items() if k != "extends"}, tree.file, tree.line, tree.key_lines)
    if not seen:  # the file loaded: a variant is named after its file unless it names itself
        _name_the_variant(own, base, path)
    return place_new_events(merge(_perceived_follows(base, own), own), events_of(base)), base


def _dropped_timeline_hint(top: f.MappingReader) -> str:
    """For a name of an event of a timeline the file empties (``timeline: null``), what to do about it."""
    node = top.node_of("timeline") if top.has("timeline") else None
    if node is None or node.value:
        return ""
    return f" (the timeline is emptied at {node.file}:{node.line}: drop what names its events too, e.g. with null)"


def _name_the_variant(own: Node, base: Node, path: Path) -> None:
    """A variant without ``name`` takes its file's stem (if a valid id), and a title that says so."""
    if "name" in own.value or not f.IDENTIFIER.match(path.stem):
        return
    own.value["name"] = Node(path.stem, own.file, own.line)
    own.key_lines["name"] = own.line
    if "title" not in own.value:
        base_title = base.value.get("title") if base.is_mapping else None
        title = base_title.value if base_title is not None and isinstance(base_title.value, str) else ""
        own.value["title"] = Node(f"{title} (variant {path.stem})" if title else path.stem, own.file, own.line)
        own.key_lines["title"] = own.line


def _perceived_follows(base: Node, own: Node) -> Node:
    """``base`` without the perceived counts that ``own`` makes stale.

    An event whose ``killed`` (or ``wounded``) the variant sets, without setting the perceived
    count too, is perceived as its new count: the base's ``perceived`` value is dropped.
    """
    own_timeline, base_timeline = own.value.get("timeline"), base.value.get("timeline") if base.is_mapping else None
    if own_timeline is None or base_timeline is None or not (own_timeline.is_mapping and base_timeline.is_mapping):
        return base
    events = dict(base_timeline.value)
    for event_id, event in own_timeline.value.items():
        inherited = events.get(event_id)
        if not (event.is_mapping and inherited is not None and inherited.is_mapping):
            continue
        perceived = inherited.value.get("perceived")
        if perceived is None or not perceived.is_mapping:
            continue
        own_perceived = event.value.get("perceived")
        stale = {
            count
            for count in ("killed", "wounded")
            if count in event.value
            and count in perceived.value
            and not (own_perceived is not None and own_perceived.is_mapping and count in own_perceived.value)
        }
        if stale:
            kept = Node({k: v for k, v in perceived.value.items() if k not in stale}, perceived.file, perceived.line,
                        {k: v for k, v in perceived.key_lines.items() if k not in stale})  # fmt: skip
            fields = {k: v for k, v in inherited.value.items() if k != "perceived"}
            if kept.value:
                fields["perceived"] = kept
            events[event_id] = Node(fields, inherited.file, inherited.line, inherited.key_lines)
    timeline = Node(events, base_timeline.file, base_timeline.line, base_timeline.key_lines)
    return Node({**base.value, "timeline": timeline}, base.file, base.line, base.key_lines)


def load_scenario(source: str | os.PathLike[str] | dict[str, Any]) -> Scenario:
    """Load a scenario from a YAML file path, or from plain data in the file layout.

    Raises :class:`~escalation.errors.ScenarioError` (one line, ``FILE:LINE: field: problem``)
    for anything malformed.
    """
    if isinstance(source, dict):
        return build_scenario(_data_tree(source))
    tree, base = _resolve_extends(Path(source))
    return build_scenario(tree, timeline_dates(base) if base is not None else None)


def load_edited(data: dict[str, Any], base: Scenario) -> Scenario:
    """``data``, ``base``'s own data with edits merged in, validated as a variant of ``base``.

    As with ``extends``: new events stand by their date, and no edit moves an event across the
    branch point (:mod:`escalation.scenario.edits`).
    """
    tree = place_new_events(_data_tree(data), [e.id for e in base.timeline])
    return build_scenario(tree, {e.id: e.date for e in base.timeline})


def _data_tree(data: dict[str, Any]) -> Node:
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"the data holds a value that is not plain data: {exc}", file="<data>") from None
    return read_tree(text, "<data>")


def build_scenario(tree: Node, base_dates: dict[str, dt.date] | None = None) -> Scenario:
    """Validate a merged :class:`Node` tree and build the :class:`Scenario`.

    ``base_dates`` (event id -> date of the base, for a variant) is what an edit of the timeline
    is checked against: an event moved across the branch point is an error at the edit.
    """
    refs = _References()
    top = f.MappingReader(tree, "")
    ladder = top.get("ladder", _ladder)
    written = top.get("actions", _entries(lambda key, node, path: _action(key, node, path, refs)))
    if not written:
        raise f.fail(top.node_of("actions"), "actions", "a scenario needs at least one action")
    actions = tuple(a for a in written if a.targets is None)
    templates = tuple(a for a in written if a.targets is not None)
    actors = top.get("actors", _entries(lambda key, node, path: _actor(key, node, path, refs)))
    if len(actors) > MAX_ACTORS:
        raise f.fail(top.node_of("actors"), "actors", f"at most {MAX_ACTORS} actors, got {len(actors)}")
    if not actors:
        raise f.fail(top.node_of("actors"), "actors", "a scenario needs at least one actor")
    # null drops an inherited timeline; events stand in date order, as written
    timeline = top.get("timeline", f.optional(_entries(lambda key, node, path: _event(key, node, path, refs))), ())
    timeline = timeline or ()
    if top.has("timeline") and timeline:
        _check_date_order(top.node_of("timeline"), timeline, base_dates)
    written_events = timeline
    timeline, campaign_events = campaigns.expand(timeline, top.node_of("timeline")) if timeline else ((), ())
    outcomes = top.get("outcomes", lambda node, path: _outcomes(node, refs))
    start_after = top.get("start_after", f.optional(f.identifier), None)
    if start_after is not None:
        refs.add("event", start_after, top.node_of("start_after"), "start_after")
    scenario = Scenario(
        name=top.get("name", f.identifier),
        title=top.get("title", f.text, ""),
        description=top.get("description", f.text, ""),
        observed=top.get("observed", f.optional(lambda n, p: read_observed(n, p, refs.add)), None),
        start_after=start_after,
        horizon_days=top.get("horizon_days", f.integer(1, 3650), 90),
        parameters=_parameters(
            top.node_of("parameters") if top.has("parameters") else Node({}, tree.file, tree.line), "parameters", refs
        ),
        ladder=ladder,
        actions=actions,
        actors=actors,
        timeline=timeline,
        outcomes=outcomes,
        priors=top.get("priors", _priors, {}),
        record=top.get("record", f.optional(f.sequence(lambda n, p: _record_rule(n, p, refs))), None) or (),
        parameters_from=top.get("parameters_from", f.optional(_posterior_source), None),
    )
    top.finish()
    refs.check(
        {
            "rung": tuple(r.id for r in ladder.rungs),
            "rung or threshold": ladder.names(),
            "actor": tuple(a.id for a in actors),
            "action": tuple(a.id for a in written),
            "event": tuple(e.id for e in (*written_events, *timeline)),
        },
        hints={"event": _dropped_timeline_hint(top)},
    )
    if campaign_events:  # a branch at a campaign is a branch after its last act
        last = {c.id: campaigns.act_id(c.id, c.count or 1) for c in campaign_events}
        scenario = replace(scenario, start_after=last.get(start_after, start_after), campaigns=campaign_events)
        if base_dates is not None:
            base_dates = {**{e.id: e.date for e in timeline if e.campaign in base_dates}, **base_dates}
    check_relations(actors, top.node_of("actors"))
    actions, actors, timeline = tpl.expand(templates, actions, actors, timeline, tree)
    if len(actions) > MAX_ACTIONS:
        message = f"at most {MAX_ACTIONS} actions, templates' expansions included; got {len(actions)}"
        raise f.fail(top.node_of("actions"), "actions", message)
    scenario = replace(scenario, actions=actions, actors=actors, timeline=timeline, templates=templates)
    if base_dates is not None and top.has("timeline"):
        check_branch(scenario, top.node_of("timeline"), base_dates)
    _check_roles(scenario, tree)
    orders.check(scenario, tree)
    _check_priors(scenario, top)
    _check_record(scenario, top)
    if scenario.observed is not None:
        check_observed(scenario, top.node_of("observed"))
    return scenario


def _check_date_order(node: Node, timeline: tuple[Event, ...], base_dates: dict[str, dt.date] | None) -> None:
    """Events must stand in date order: a date edited across another event is an error at the edit."""

    def edited(event: Event) -> bool:  # against the base's date, else written in the file loaded
        if base_dates is not None:
            return base_dates.get(event.id) != event.date
        return date_node(node, event.id).file == node.file

    for earlier, later in itertools.pairwise(timeline):
        if later.date >= earlier.date:
            continue
        # blame the edited date (a variant's edit), else the later event's
        if edited(earlier) and not edited(later):
            raise f.fail(
                date_node(node, earlier.id),
                f"timeline.{earlier.id}.date",
                f"{earlier.date} is after {later.id} ({later.date}), which comes next: events stand in date order",
            )
        raise f.fail(
            date_node(node, later.id),
            f"timeline.{later.id}.date",
            f"{later.date} is before {earlier.id} ({earlier.date}), which comes first: events stand in date order",
        )


def _entries(build: Callable[[str, Node, str], Any]) -> Callable[[Node, str], tuple[Any, ...]]:
    """A reader for a mapping keyed by id that builds one object per entry."""

    def read(node: Node, path: str) -> tuple[Any, ...]:
        return tuple(build(key, value, f"{path}.{key}") for key, value, _ in f.keyed(node, path))

    return read


def _ladder(node: Node, path: str) -> Ladder:
    reader = f.MappingReader(node, path)
    rungs_node = reader.node_of("rungs") if reader.has("rungs") else None
    if rungs_node is None:
        raise f.fail(node, path, "missing required field 'rungs'")
    rungs = []
    for key, rung_node, _ in f.keyed(rungs_node, f"{path}.rungs"):
        r = f.MappingReader(rung_node, f"{path}.rungs.{key}")
        rungs.append(
            Rung(
                id=key,
                name=r.get("name", f.text, key),
                description=r.get("description", f.text, ""),
                goldstein=r.get("goldstein", f.optional(f.number(-10.0, 10.0)), None),
                mid=r.get("mid", f.optional(f.integer(1, 5)), None),
            )
        )
        r.finish()
    if not 2 <= len(rungs) <= MAX_RUNGS:
        raise f.fail(rungs_node, f"{path}.rungs", f"a ladder needs 2 to {MAX_RUNGS} rungs, got {len(rungs)}")
    thresholds = []
    rung_ids = [r.id for r in rungs]
    if reader.has("thresholds"):
        for key, t_node, _ in f.keyed(reader.node_of("thresholds"), f"{path}.thresholds"):
            t = f.MappingReader(t_node, f"{path}.thresholds.{key}")
            at = t.get("at", f.identifier)
            if at not in rung_ids:
                hint = f.did_you_mean(at, rung_ids)
                raise f.fail(t.node_of("at"), f"{path}.thresholds.{key}.at", f"unknown rung {f.excerpt(at)}{hint}")
            if key in rung_ids:
                raise f.fail(t_node, f"{path}.thresholds.{key}", "a threshold cannot share an id with a rung")
            thresholds.append(
                Threshold(id=key, name=t.get("name", f.text, key), at=at, description=t.get("description", f.text, ""))
            )
            t.finish()
    reader.finish()
    return Ladder(rungs=tuple(rungs), thresholds=tuple(thresholds))


def _parameter_reader(parameter: Parameter) -> Callable[[Node, str], float]:
    """The field reader that enforces a registry parameter's bounds."""
    return f.number(parameter.low, parameter.high, low_open=parameter.low_open)


def _values(r: f.MappingReader, owner: str) -> dict[str, float]:
    """Every registry parameter of ``owner`` read from ``r`` (its default where absent)."""
    return {name: r.get(name, _parameter_reader(p), p.default) for name, p in registry().of(owner).items()}


def _parameters(node: Node, path: str, refs: _References) -> Parameters:
    r = f.MappingReader(node, path)
    defaults = Parameters()
    params = Parameters(
        values=_values(r, "global"),
        force_from=r.get("force_from", f.identifier, defaults.force_from),
        accidents_from=r.get("accidents_from", f.identifier, defaults.accidents_from),
    )
    for key in ("force_from", "accidents_from"):
        node_ = r.node_of(key) if r.has(key) else node
        refs.add("rung or threshold", getattr(params, key), node_, f"{path}.{key}")
    r.finish()
    return params


def _priors(node: Node, path: str) -> dict[str, str]:
    """``priors:``: full parameter name -> prior text (names are checked once the scenario is built)."""
    if not node.is_mapping:
        raise f.fail(
            node, path, "expected a mapping of parameter name to prior, e.g. iran.rationality: lognorm(s=0.5, scale=2)"
        )
    priors = {}
    for key, value in node.value.items():
        text = f.text(value, f"{path}.{key}")
        try:
            parse_prior(text, 1.0)
        except PriorError as exc:
            raise f.fail(value, f"{path}.{key}", str(exc)) from None
        priors[key] = text
    return priors


def _action(key: str, node: Node, path: str, refs: _References) -> Action:
    r = f.MappingReader(node, path)
    action = Action(
        id=key,
        rung=r.get("rung", f.identifier),
        name=r.get("name", f.text, key.replace("_", " ")),
        description=r.get("description", f.text, ""),
        target=r.get("target", f.optional(f.identifier), None),
        targets=r.get("targets", f.optional(tpl.targets), None),
        also_harms=r.get("also_harms", f.sequence(f.identifier), ()),
        dispersion=r.get("dispersion", f.optional(f.number(MIN_DISPERSION, 1000.0)), None),
        values=_values(r, "action"),
        telegraphed=r.get("telegraphed", f.boolean, False),
        on_host_soil=r.get("on_host_soil", f.boolean, False),
        signal=r.get("signal", f.optional(f.choice(SIGNALS)), None),
        declares_red_line=r.get("declares_red_line", f.boolean, False),
        lethal_rung=r.get("lethal_rung", f.optional(f.identifier), None),
        **_order(r, path, refs),
    )
    refs.add("rung", action.rung, r.node_of("rung"), f"{path}.rung")
    if action.target is not None:
        refs.add("actor", action.target, r.node_of("target"), f"{path}.target")
    if action.targets is not None and action.target is not None:
        raise f.fail(r.node_of("targets"), f"{path}.targets", "give 'target' or 'targets', not both")
    if isinstance(action.targets, tuple):
        for i, target in enumerate(action.targets):
            refs.add("actor", target, r.node_of("targets").value[i], f"{path}.targets[{i}]")
    for i, victim in enumerate(action.also_harms):
        refs.add("actor", victim, r.node_of("also_harms").value[i], f"{path}.also_harms[{i}]")
    if action.lethal_rung is not None:
        refs.add("rung", action.lethal_rung, r.node_of("lethal_rung"), f"{path}.lethal_rung")
    r.finish()
    return action


def _order(r: f.MappingReader, path: str, refs: _References) -> dict[str, Any]:
    """An act's or event's ``orders``, ``for_days`` (checked against the actors by :func:`orders.check`)
    and ``vows``."""
    vows = r.get("vows", f.optional(f.identifier), None)
    if vows is not None:
        refs.add("rung or threshold", vows, r.node_of("vows"), f"{path}.vows")
    return {
        "orders": r.get("orders", f.optional(f.choice(tuple(ORDERS))), None),
        "for_days": r.get("for_days", f.optional(f.integer(1, 3650)), None),
        "vows": vows,
        "kills_commanders": r.get("kills_commanders", f.boolean, False),
    }


def _red_line(node: Node, path: str, refs: _References) -> RedLine:
    r = f.MappingReader(node, path)
    red_line = RedLine(
        killed_at_least=r.get("killed_at_least", f.integer(1), 1),
        respond_at_least=r.get("respond_at_least", f.identifier),
        active=r.get("active", f.boolean, False),
    )
    refs.add("rung or threshold", red_line.respond_at_least, r.node_of("respond_at_least"), f"{path}.respond_at_least")
    r.finish()
    return red_line


def _actor(key: str, node: Node, path: str, refs: _References) -> Actor:
    r = f.MappingReader(node, path)
    kind = r.get("kind", f.choice(ACTOR_KINDS))
    menu = r.get("menu", f.sequence(tpl.reference), ())
    for i, action_id in enumerate(menu):
        refs.add("action", tpl.base_of(action_id), r.node_of("menu").value[i], f"{path}.menu[{i}]")
    patron = r.get("patron", f.optional(f.identifier), None)
    if patron is not None:
        refs.add("actor", patron, r.node_of("patron"), f"{path}.patron")
    related = {field: r.get(field, f.sequence(f.identifier), ()) for field in ("allies", "adversaries")}
    for field, ids in related.items():
        for i, other in enumerate(ids):
            refs.add("actor", other, r.node_of(field).value[i], f"{path}.{field}[{i}]")
    actor = Actor(
        id=key,
        kind=kind,
        side=r.get("side", f.identifier),
        name=r.get("name", f.text, key.replace("_", " ")),
        menu=menu,
        red_line=r.get("red_line", f.optional(lambda n, p: _red_line(n, p, refs)), None),
        patron=patron,
        values=_values(r, "actor"),
        **related,
    )
    r.finish()
    if kind == "militia" and patron is None:
        raise f.fail(node, path, "a militia needs a 'patron'")
    if kind == "host" and patron is not None:
        raise f.fail(r.node_of("patron"), f"{path}.patron", "a host has no patron (a state or a militia may)")
    if kind in ("state", "militia") and not menu:
        raise f.fail(node, path, f"a {kind} needs a non-empty 'menu' of actions")
    return actor


def _effects(node: Node, path: str, refs: _References) -> tuple[Effect, ...]:
    r = f.MappingReader(node, path)
    effects = []
    for pressure in list(node.value):
        if pressure not in PRESSURES:
            r.finish(PRESSURES)
        per_actor = f.MappingReader(r.node_of(pressure), f"{path}.{pressure}")
        for actor_id in list(per_actor.node.value):
            amount = per_actor.get(actor_id, f.number(-1000.0, 1000.0))
            refs.add("actor", actor_id, per_actor.node_of(actor_id), f"{path}.{pressure}.{actor_id}")
            effects.append(Effect(pressure=pressure, actor=actor_id, amount=amount))
    return tuple(effects)


def _event(key: str, node: Node, path: str, refs: _References) -> Event:
    r = f.MappingReader(node, path)
    count = f.optional(f.integer(0, f.MAX_COUNT))
    perceived = {}
    if r.has("perceived"):
        p = f.MappingReader(r.node_of("perceived"), f"{path}.perceived")
        perceived = {"killed": p.get("killed", count, None), "wounded": p.get("wounded", count, None)}
        p.finish()
    date, approximate = r.get("date", event_date)
    event = Event(
        id=key,
        date=date,
        approximate=r.get("approximate", f.boolean, False) or approximate,
        actor=r.get("actor", f.identifier),
        action=r.get("action", tpl.reference),
        target=r.get("target", f.optional(f.identifier), None),
        killed=r.get("killed", count, None),
        wounded=r.get("wounded", count, None),
        killed_range=r.get("killed_range", f.optional(f.int_pair), None),
        wounded_range=r.get("wounded_range", f.optional(f.int_pair), None),
        perceived_killed=perceived.get("killed"),
        perceived_wounded=perceived.get("wounded"),
        telegraphed=r.get("telegraphed", f.choice(TELEGRAPHED_VALUES), "n/a"),
        signal=r.get("signal", f.optional(f.choice(SIGNALS)), None),
        declares_red_line=r.get("declares_red_line", f.boolean, False),
        effects=r.get("effects", lambda n, p: _effects(n, p, refs), ()),
        description=r.get("description", f.text, ""),
        casualty_notes=r.get("casualty_notes", f.text, ""),
        telegraph_notes=r.get("telegraph_notes", f.text, ""),
        sources=r.get("sources", f.sequence(f.text), ()),
        verification=r.get("verification", f.text, ""),
        count=r.get("count", f.optional(f.integer(1, campaigns.MAX_ACTS)), None),
        until=r.get("until", f.optional(f.date), None),
        **_order(r, path, refs),
        damage=r.get("damage", f.number(0.0, 1000.0), 0.0),
    )
    campaigns.check(event, node, path)
    refs.add("actor", event.actor, r.node_of("actor"), f"{path}.actor")
    refs.add("action", tpl.base_of(event.action), r.node_of("action"), f"{path}.action")
    if event.target is not None:
        refs.add("actor", event.target, r.node_of("target"), f"{path}.target")
    r.finish()
    return event


def _condition(node: Node, path: str, refs: _References) -> Condition:
    r = f.MappingReader(node, path)
    actors = r.get("actors", f.optional(f.sequence(f.identifier)), None)
    if actors is not None:
        for i, actor_id in enumerate(actors):
            refs.add("actor", actor_id, r.node_of("actors").value[i], f"{path}.actors[{i}]")
    condition = Condition(
        actors=actors,
        final_days=r.get("final_days", f.optional(f.integer(1, 3650)), None),
        below=r.get("below", f.optional(f.identifier), None),
        at_least=r.get("at_least", f.optional(f.identifier), None),
    )
    r.finish()
    if actors is not None and not actors:
        raise f.fail(r.node_of("actors"), f"{path}.actors", "list at least one actor, or leave 'actors' out for all")
    if (condition.below is None) == (condition.at_least is None):
        raise f.fail(node, path, "give exactly one of 'below' or 'at_least'")
    level_key = "below" if condition.below is not None else "at_least"
    refs.add("rung or threshold", condition.below or condition.at_least, r.node_of(level_key), f"{path}.{level_key}")
    return condition


def _record_rule(node: Node, path: str, refs: _References) -> RecordRule:
    r = f.MappingReader(node, path)
    actors = r.get("actors", f.optional(f.sequence(f.identifier)), None)
    for i, actor_id in enumerate(actors or ()):
        refs.add("actor", actor_id, r.node_of("actors").value[i], f"{path}.actors[{i}]")
    rule = RecordRule(
        actors=actors,
        start=r.get("from", f.optional(f.date), None),
        end=r.get("until", f.optional(f.date), None),
        recorded_from=r.get("recorded_from", f.optional(f.identifier), None),
        share=r.get("share", f.number(0.0, 1.0, low_open=True), 1.0),
        count=r.get("count", f.optional(f.integer(0, f.MAX_COUNT)), None),
    )
    r.finish()
    if actors is not None and not actors:
        raise f.fail(r.node_of("actors"), f"{path}.actors", "list at least one actor, or leave 'actors' out for all")
    if rule.start is not None and rule.end is not None and rule.end < rule.start:
        raise f.fail(r.node_of("until"), f"{path}.until", f"ends before it starts ({rule.start.isoformat()})")
    if rule.recorded_from is not None:
        refs.add("rung or threshold", rule.recorded_from, r.node_of("recorded_from"), f"{path}.recorded_from")
    return rule


def _check_record(scenario: Scenario, top: f.MappingReader) -> None:
    """Record rules name strategic actors, and no actor-day falls under two rules."""
    if not scenario.record:
        return
    node = top.node_of("record")
    dates = [e.date for e in scenario.timeline] or [None]
    first, last = min(dates, default=None), max(dates, default=None)
    covered: dict[str, list[tuple[int, Any, Any]]] = {}
    strategic = [a.id for a in scenario.actors if a.strategic]
    for index, rule in enumerate(scenario.record):
        path = f"record[{index}]"
        if not scenario.timeline:
            raise f.fail(node, "record", f"a record needs a timeline{_dropped_timeline_hint(top)}")
        for actor_id in rule.actors or strategic:
            if actor_id not in strategic:
                raise f.fail(node.value[index], f"{path}.actors", f"{actor_id!r} makes no choices, so has no record")
            start, end = rule.start or first, rule.end or last
            for other, other_start, other_end in covered.get(actor_id, []):
                if start <= other_end and other_start <= end:
                    message = f"{actor_id!r} is already covered by record[{other}] in this period"
                    raise f.fail(node.value[index], path, message)
            covered.setdefault(actor_id, []).append((index, start, end))


def _outcomes(node: Node, refs: _References) -> tuple[OutcomeRule, ...]:
    rules = []
    entries = f.keyed(node, "outcomes")
    for index, (key, rule_node, key_line) in enumerate(entries):
        path = f"outcomes.{key}"
        if not f.SNAKE_CASE.match(key):
            raise f.fail(rule_node, path, "outcome names are snake_case", line=key_line)
        r = f.MappingReader(rule_node, path)
        when = r.get("when", f.sequence(lambda n, p: _condition(n, p, refs)), ())
        last = index == len(entries) - 1
        if last and when:
            raise f.fail(r.node_of("when"), f"{path}.when", "the last outcome is the remainder and takes no 'when'")
        if not last and not when:
            raise f.fail(rule_node, path, "every outcome but the last needs a non-empty 'when'")
        rules.append(OutcomeRule(name=key, description=r.get("description", f.text, ""), when=when))
        r.finish()
    if len(rules) < 2:
        raise f.fail(node, "outcomes", "name at least two outcomes (the last is the remainder)")
    return tuple(rules)


def _check_roles(scenario: Scenario, tree: Node) -> None:
    """Cross-field rules that need the whole scenario."""
    actors = {a.id: a for a in scenario.actors}
    actors_node = tree.value["actors"]
    for actor in scenario.actors:
        if actor.patron is not None and actors[actor.patron].kind != "state":
            node = actors_node.value[actor.id].value["patron"]
            raise f.fail(node, f"actors.{actor.id}.patron", f"the patron {actor.patron!r} must be a state")
    if not any(a.strategic for a in scenario.actors):
        raise f.fail(actors_node, "actors", "at least one actor must be a state or a militia")


def _check_priors(scenario: Scenario, top: f.MappingReader) -> None:
    """Every name under ``priors:`` is a parameter of this scenario."""
    if not scenario.priors:
        return
    known = parameter_names(scenario)
    node = top.node_of("priors")
    for name in scenario.priors:
        if name not in known:
            raise ScenarioError(
                f"unknown parameter{f.did_you_mean(name, known)}",
                file=node.value[name].file,
                line=node.key_lines.get(name, node.line),
                path=f"priors.{name}",
            )


def _posterior_source(node: Node, path: str) -> str:
    """A fit's folder or its posterior file, relative to the file that names it; its absolute path."""
    written = f.text(node, path)
    base = Path(node.file).parent if node.file and not node.file.startswith("<") else Path.cwd()
    try:
        source = (base / written).resolve()
        found = posterior_path(source).is_file()
    except (OSError, ValueError) as exc:  # a NUL character, a name too long for the file system
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise f.fail(node, path, f"cannot use {f.excerpt(written)} as a path ({reason})") from None
    if not found:
        hint = f"a folder written by 'escalation fit', or its {POSTERIOR_FILE}"
        raise f.fail(node, path, f"no posterior at {f.excerpt(written)} ({hint})")
    return str(source)
