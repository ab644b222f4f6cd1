"""Immutable, typed scenario objects. Every field is documented in ``docs/scenarios.md``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from escalation.io import posterior_path
from escalation.ladder import Ladder
from escalation.parameters import registry

TELEGRAPHED_VALUES = ("yes", "no", "partial", "contested", "n/a")
SIGNALS = ("offramp", "ceasefire")
PRESSURES = ("host_pressure",)


class _Values:
    """Mixin: the registry's parameters of an object are read as attributes from ``values``."""

    values: dict[str, float]

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def with_values(self, **changes: float) -> Any:
        """A copy with some parameter values changed (unknown names raise :class:`KeyError`)."""
        unknown = set(changes) - set(self.values)
        if unknown:
            raise KeyError(f"unknown parameters: {', '.join(sorted(unknown))}")
        return replace(self, values={**self.values, **changes})


def _defaults(owner: str) -> dict[str, float]:
    return registry().defaults(owner)


@dataclass(frozen=True)
class Parameters(_Values):
    """Model-wide settings: the global parameters of the registry and two structural levels."""

    values: dict[str, float] = field(default_factory=lambda: _defaults("global"))
    force_from: str = "use_of_force"
    accidents_from: str = "militarised"


@dataclass(frozen=True)
class Action(_Values):
    """An act an actor can take or took: its rung, target and casualty distribution.

    Its numeric parameters (``killed_mean``, ``wounded_mean``, ``harm_base``, ``target_value``)
    are in ``values`` and read as attributes. A *template* (``targets`` set, in
    ``Scenario.templates``) is applied to several targets: the loader expands it into one
    action per target, ``<template>@<target>``, whose ``template`` names it and which share its
    parameters (full names ``<template>.<parameter>``).
    """

    id: str
    rung: str
    name: str = ""
    description: str = ""
    target: str | None = None
    also_harms: tuple[str, ...] = ()
    dispersion: float | None = None
    telegraphed: bool = False
    on_host_soil: bool = False
    signal: str | None = None
    declares_red_line: bool = False
    lethal_rung: str | None = None
    values: dict[str, float] = field(default_factory=lambda: _defaults("action"))
    targets: str | tuple[str, ...] | None = None  # a template's targets: "adversaries" or actor ids
    template: str | None = None  # the template an expanded action comes from
    orders: str | None = None  # a patron's order to its proxy, the target: "stand_down" or "resume"
    for_days: int | None = None  # days a stand-down order holds
    vows: str | None = None  # the act vows an answer at or above this rung or threshold
    kills_commanders: bool = False  # the act kills commanders of the proxies it harms

    @property
    def parameter_owner(self) -> str:
        """The id its parameters are named by: its template's for an expanded action, else its own."""
        return self.template or self.id


@dataclass(frozen=True)
class RedLine:
    """A public red line: ``killed_at_least`` deaths suffered demand a reply at ``respond_at_least``."""

    killed_at_least: int = 1
    respond_at_least: str = ""
    active: bool = False


@dataclass(frozen=True)
class Actor(_Values):
    """A party to the crisis; its behavioural parameters are in ``values`` and read as attributes.

    ``allies`` and ``adversaries`` declare relations beyond those of the sides
    (:mod:`escalation.scenario.relations`); ``patron`` is the state whose judgement a proxy (a
    militia or a state) may follow.
    """

    id: str
    kind: str
    side: str
    name: str = ""
    menu: tuple[str, ...] = ()
    red_line: RedLine | None = None
    patron: str | None = None
    values: dict[str, float] = field(default_factory=lambda: _defaults("actor"))
    allies: tuple[str, ...] = ()
    adversaries: tuple[str, ...] = ()

    @property
    def strategic(self) -> bool:
        """Whether the actor chooses acts in simulation: it has a menu (a host only if given one)."""
        return bool(self.menu)


@dataclass(frozen=True)
class Effect:
    """An event's lasting change to a pressure state: ``pressure`` of ``actor`` grows by ``amount``."""

    pressure: str
    actor: str
    amount: float


@dataclass(frozen=True)
class Event:
    """A documented event of the timeline.

    With ``count`` and ``until`` it is a campaign, kept in ``Scenario.campaigns``: the loader
    replaces it in the timeline by its acts (:mod:`escalation.scenario.campaigns`), whose
    ``campaign`` names it.
    """

    id: str
    date: dt.date
    actor: str
    action: str
    target: str | None = None
    approximate: bool = False
    killed: int | None = None
    wounded: int | None = None
    killed_range: tuple[int, int] | None = None
    wounded_range: tuple[int, int] | None = None
    perceived_killed: int | None = None
    perceived_wounded: int | None = None
    telegraphed: str = "n/a"
    signal: str | None = None
    declares_red_line: bool = False
    effects: tuple[Effect, ...] = ()
    description: str = ""
    casualty_notes: str = ""
    telegraph_notes: str = ""
    sources: tuple[str, ...] = ()
    verification: str = ""
    count: int | None = None  # a campaign: this many acts from ``date`` to ``until``
    until: dt.date | None = None
    campaign: str | None = None  # the campaign an act comes from
    orders: str | None = None  # a patron's order to its proxy, the target, in addition to the action's
    for_days: int | None = None  # days a stand-down order holds
    damage: float = 0.0  # harm units the event adds to its target's harm beyond its casualties
    vows: str | None = None  # the actor vows an answer at or above this rung or threshold, besides the action's
    kills_commanders: bool = False  # the event killed commanders of the proxies it harmed, besides the action's


@dataclass(frozen=True)
class Condition:
    """Over ``final_days`` (``None`` = the whole simulated period), the peak rung of ``actors``
    (``None`` = every actor) is ``below`` a level or ``at_least`` a level."""

    actors: tuple[str, ...] | None = None
    final_days: int | None = None
    below: str | None = None
    at_least: str | None = None


@dataclass(frozen=True)
class OutcomeRule:
    """A named outcome: it holds when every condition holds (no condition = the remainder)."""

    name: str
    description: str = ""
    when: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class RecordRule:
    """How completely the timeline records the acts of some actors over a period.

    Acts of ``actors`` (``None`` = every strategic actor) from ``start`` to ``end`` (``None`` =
    the timeline's first and last dates) at or above ``recorded_from`` (a rung or threshold id;
    ``None`` = the use-of-force level) are each recorded with probability ``share``; with
    ``count``, the record states that many such acts over the period (the itemised ones are a
    sample of them). Acts below the level may or may not be recorded and are not scored.
    """

    actors: tuple[str, ...] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    recorded_from: str | None = None
    share: float = 1.0
    count: int | None = None


@dataclass(frozen=True)
class ObservedAnswer:
    """A documented provocation and whether, and after how many days, an actor answered it.

    ``provocation`` and ``answer`` are event ids of the timeline or descriptions; ``date`` is
    the provocation's date as written (``None`` for an event, whose own date counts). An answer
    is an act of ``by`` at or above ``at_least`` (a rung or threshold id; ``None`` = the
    scenario's ``force_from``); ``delay_days`` counts whole days between local dates (0 = the
    same day). ``answered=False`` records that no such act followed.
    """

    provocation: str
    by: str
    answered: bool = True
    answer: str | None = None
    delay_days: int | None = None
    date: dt.date | None = None
    at_least: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class Observed:
    """What really happened: the outcome class the record shows and its dated answers.

    It describes the record, not the model: it changes no simulation and no scenario hash.
    """

    outcome: str
    answers: tuple[ObservedAnswer, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Scenario:
    """A complete, validated scenario."""

    name: str
    ladder: Ladder
    actions: tuple[Action, ...]
    actors: tuple[Actor, ...]
    timeline: tuple[Event, ...]
    outcomes: tuple[OutcomeRule, ...]
    horizon_days: int = 90
    start_after: str | None = None
    title: str = ""
    description: str = ""
    # the real outcome and answers (for backtests); not part of the model, its hash or its equality
    observed: Observed | None = field(default=None, compare=False)
    parameters: Parameters = field(default_factory=Parameters)
    priors: dict[str, str] = field(default_factory=dict)  # full parameter name -> prior text
    record: tuple[RecordRule, ...] = ()  # the observation model of the timeline (empty: the default rule)
    parameters_from: str | None = None  # absolute path of a fit's posterior: every world draws its parameters
    templates: tuple[Action, ...] = ()  # actions for several targets, as written (``actions`` holds their expansions)
    campaigns: tuple[Event, ...] = ()  # campaigns as written (``timeline`` holds their acts)

    def action(self, action_id: str) -> Action:
        """The action (or template) with this id."""
        return next(a for a in (*self.actions, *self.templates) if a.id == action_id)

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        return next(a for a in self.actors if a.id == actor_id)

    def replayed_events(self) -> tuple[Event, ...]:
        """The timeline up to and including ``start_after`` (empty when it is ``None``)."""
        if self.start_after is None:
            return ()
        ids = [e.id for e in self.timeline]
        return self.timeline[: ids.index(self.start_after) + 1]

    @property
    def start_date(self) -> dt.date | None:
        """The first simulated day: the day after the branch event (``None`` without history)."""
        replayed = self.replayed_events()
        return replayed[-1].date + dt.timedelta(days=1) if replayed else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the scenario-file layout; :func:`escalation.load_scenario` reads it back."""
        from escalation.scenario.writer import scenario_to_dict

        return scenario_to_dict(self)

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A new, re-validated scenario with ``overrides`` merged in (the file layout, as ``extends``).

        Example: ``scenario.with_overrides({"actors": {"kataib_hezbollah": {"control": 0.9}}})``.
        As with ``extends``, an event's ``killed`` or ``wounded`` set here is also what the
        actors perceive, unless ``perceived`` is set with it; a new event stands by its date; and
        an edit that moves an event across the branch point is an error.
        """
        from escalation.scenario.loader import load_edited

        def merge(base: Any, extra: Any) -> Any:
            if isinstance(base, dict) and isinstance(extra, dict):
                return {**base, **{k: merge(base.get(k), v) for k, v in extra.items()}}
            return extra

        data = self.to_dict()
        # an edited count is perceived as edited, unless the edit sets the perceived count too
        for event_id, edit in (overrides.get("timeline") or {}).items():
            event = data["timeline"].get(event_id)
            if not (isinstance(edit, dict) and isinstance(event, dict) and isinstance(event.get("perceived"), dict)):
                continue
            own = edit.get("perceived") if isinstance(edit.get("perceived"), dict) else {}
            perceived = {k: v for k, v in event["perceived"].items() if not (k in edit and k not in own)}
            event = {k: v for k, v in event.items() if k != "perceived"}
            data["timeline"][event_id] = {**event, **({"perceived": perceived} if perceived else {})}
        return load_edited(merge(data, overrides), self)

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict`: identifies the scenario's content.

        ``parameters_from`` enters as the SHA-256 of the posterior's file, not as its path, so
        the hash is the same in every copy of the files.
        ``observed`` does not enter: it describes what happened, not the model.
        """
        data = self.to_dict()
        data.pop("observed", None)  # the record's outcome is no part of the model
        if self.parameters_from is not None:
            data["parameters_from"] = _file_digest(posterior_path(self.parameters_from))
        text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (``missing`` when it is gone)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"
