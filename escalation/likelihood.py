"""The likelihood of a documented timeline under the model and its observation model.

The whole timeline is replayed day by day (every event, whatever ``start_after`` says). On
each day the model's own probability of each strategic actor's act (:func:`act_probabilities`
of the kernel: proxy control, logit choice, accidents) is read in the replayed state, before
the day's events are applied, and compared with the record through the scenario's
``record`` rules (:class:`~escalation.scenario.schema.RecordRule`):

* an act of a recorded kind (at or above the rule's ``recorded_from`` level) contributes
  ``log(share * P(act))`` plus the log-probability of its documented casualties;
* a day without such an act contributes ``log(1 - share * P(an act of a recorded kind))``;
* under a ``count`` rule, the number of acts of the recorded kind over the period contributes
  its Poisson-binomial log-probability, and each itemised act ``log P(act | recorded kind)``.

Events the model cannot take (host actors, acts off the menu, another target) and acts below
a rule's level are replayed but not scored; the table says why.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special, stats

from escalation.model import kernel
from escalation.model.compiled import CompiledScenario, ParameterValues
from escalation.model.model import EscalationModel
from escalation.scenario.schema import Event, RecordRule, Scenario

NOT_SCORED = "not scored"


@dataclass(frozen=True)
class Likelihood:
    """Log-likelihood of a scenario's timeline, per world (one parameter vector each).

    ``table`` is tidy: one row per contribution (``kind`` is ``event``, ``quiet`` for an
    actor-day without a recorded act, or ``count``) and per world when there are several,
    with ``logp`` in nats (``NaN`` for an event that is not scored, with the reason in ``note``).
    """

    scenario: str
    n_worlds: int
    table: pd.DataFrame

    @property
    def totals(self) -> np.ndarray:
        """Total log-likelihood of each world, shape ``(n_worlds,)``."""
        frame = self._frame()
        return frame.groupby("world")["logp"].sum(min_count=0).reindex(range(self.n_worlds)).to_numpy()

    @property
    def total(self) -> float | np.ndarray:
        """Total log-likelihood: a number for one world, else an array over worlds."""
        totals = self.totals
        return float(totals[0]) if self.n_worlds == 1 else totals

    def part(self, kind: str) -> float | np.ndarray:
        """Sum of the contributions of one kind (``event``, ``quiet`` or ``count``)."""
        frame = self._frame()
        sums = frame[frame["kind"] == kind].groupby("world")["logp"].sum().reindex(range(self.n_worlds), fill_value=0.0)
        return float(sums.iloc[0]) if self.n_worlds == 1 else sums.to_numpy()

    def _frame(self) -> pd.DataFrame:
        return self.table if "world" in self.table else self.table.assign(world=0)

    def to_dict(self) -> dict:
        """JSON-ready summary of world 0: ``total``, ``events``, ``quiet_days_logp``, ``counts``."""
        frame = self._frame()
        frame = frame[frame["world"] == 0]

        def number(value: float) -> float | None:  # JSON has no NaN or infinity: null, and the note says why
            return float(value) if np.isfinite(value) else None

        events = frame[frame["kind"] == "event"]
        counts = frame[frame["kind"] == "count"]
        return {
            "scenario": self.scenario,
            "total": number(frame["logp"].sum()),
            "events": [
                {
                    "id": row.id,
                    "date": row.date.isoformat(),
                    "actor": row.actor,
                    "action": row.action,
                    "logp": number(row.logp),
                    "logp_act": number(row.logp_act),
                    "logp_casualties": number(row.logp_casualties),
                    "note": row.note,
                }
                for row in events.itertuples()
            ],
            "quiet_days_logp": number(frame.loc[frame["kind"] == "quiet", "logp"].sum()),
            "quiet_days": int((frame["kind"] == "quiet").sum()),
            "counts": [{"id": row.id, "logp": number(row.logp), "note": row.note} for row in counts.itertuples()],
        }


def _negative_binomial_logpmf(count: int | tuple[int, int], mean: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Log-probability of a documented count (or of a range ``(low, high)``) under the kernel's draw."""
    low, high = (count, count) if isinstance(count, int) else count
    values = np.arange(low, high + 1)[:, None]
    with np.errstate(divide="ignore"):
        logpmf = stats.nbinom.logpmf(values, shape[None, :], shape[None, :] / (shape[None, :] + mean[None, :]))
        zero = np.where(values == 0, 0.0, -np.inf)  # an act that cannot kill kills no one
    logpmf = np.where(mean[None, :] > 0, logpmf, zero)
    return special.logsumexp(logpmf, axis=0)


def poisson_binomial_logpmf(count: int, chances: np.ndarray) -> np.ndarray:
    """``log P(count successes)`` of independent trials, ``chances`` of shape ``(n_trials, n_worlds)``."""
    n_worlds = chances.shape[1]
    table = np.zeros((count + 1, n_worlds))
    table[0] = 1.0
    for chance in chances:  # one trial at a time: P(j successes so far)
        table[1:] = table[1:] * (1.0 - chance) + table[:-1] * chance
        table[0] *= 1.0 - chance
    with np.errstate(divide="ignore"):
        return np.log(table[count]) if count <= chances.shape[0] else np.full(n_worlds, -np.inf)


@dataclass
class _Rule:
    """A record rule resolved against the scenario: who, when, which acts, how completely."""

    index: int
    rule: RecordRule
    actors: tuple[int, ...]
    start: dt.date
    end: dt.date
    level: int
    chances: list[np.ndarray]  # per covered actor-day under a count rule: P(an act of the recorded kind)

    @property
    def name(self) -> str:
        return f"record[{self.index}]"


def default_rules(scenario: Scenario) -> tuple[RecordRule, ...]:
    """The record rule of a scenario that states none: every act of force of every actor is recorded."""
    return (RecordRule(recorded_from=scenario.parameters.force_from),)


def _resolve_rules(scenario: Scenario, compiled: CompiledScenario) -> list[_Rule]:
    dates = [e.date for e in scenario.timeline]
    first, last = min(dates), max(dates)
    strategic = [i for i, a in enumerate(scenario.actors) if a.strategic]
    rules = []
    for index, rule in enumerate(scenario.record or default_rules(scenario)):
        actors = tuple(compiled.actor_index[a] for a in rule.actors) if rule.actors else tuple(strategic)
        level = scenario.ladder.level(rule.recorded_from or scenario.parameters.force_from)
        rules.append(_Rule(index, rule, actors, rule.start or first, rule.end or last, level, []))
    return rules


def _rule_of(rules: list[_Rule], actor: int, day: dt.date) -> _Rule | None:
    return next((r for r in rules if actor in r.actors and r.start <= day <= r.end), None)


def _unscorable(scenario: Scenario, compiled: CompiledScenario, event: Event) -> str:
    """Why the model cannot take this documented act (empty when it can)."""
    actor = scenario.actor(event.actor)
    if not actor.strategic:
        return f"{actor.kind} actors make no choices"
    if event.action not in actor.menu:
        return "not on the actor's menu"
    target = scenario.action(event.action).target
    if target is not None and event.target is not None and event.target != target:
        return f"target {event.target!r} is not the action's ({target!r})"
    return ""


def loglik(
    scenario: Scenario | str | os.PathLike[str],
    parameters: ParameterValues | None = None,
    n_worlds: int | None = None,
) -> Likelihood:
    """Log-likelihood of ``scenario``'s documented timeline under the model.

    ``parameters`` are per-world values as for :class:`~escalation.model.EscalationModel`
    (a mapping of full name to a number or an array of shape ``(n_worlds,)``, or a DataFrame):
    each world is one parameter vector, and the result holds one total per world.
    """
    if not isinstance(scenario, Scenario):
        from escalation.scenario.loader import load_scenario

        scenario = load_scenario(scenario)
    if not scenario.timeline:
        raise ValueError(f"scenario {scenario.name!r} has no timeline to score")
    n_worlds = n_worlds or _worlds_of(parameters)
    compiled = CompiledScenario.from_scenario(replace(scenario, start_after=None))
    model = EscalationModel(compiled, n_worlds=n_worlds, rng=0, parameters=parameters)
    rules = _resolve_rules(scenario, compiled)
    rows: list[dict] = []
    scored = _scored_events(scenario, compiled, rules, rows)
    by_day: dict[dt.date, list[Event]] = {}
    for event in scenario.timeline:
        by_day.setdefault(event.date, []).append(event)
    start = min(min(r.start for r in rules), scenario.timeline[0].date)
    end = max(max(r.end for r in rules), scenario.timeline[-1].date)
    day = start
    while day <= end:
        for actor in sorted({a for r in rules for a in r.actors}):
            rule = _rule_of(rules, actor, day)
            if rule is not None:
                _score_day(model, compiled, rule, actor, day, scored.get((actor, day)), rows)
        for event in by_day.get(day, ()):
            model.apply_event(event)
        kernel.end_of_days(model.worlds, model.state, 1)
        day += dt.timedelta(days=1)
    for rule in rules:
        if rule.rule.count is not None:
            chances = np.array(rule.chances) if rule.chances else np.zeros((0, n_worlds))
            logp = poisson_binomial_logpmf(rule.rule.count, chances)
            level = scenario.ladder.rungs[rule.level].id
            note = f"{rule.rule.count} acts at or above {level} over {len(chances)} actor-days"
            rows.append(_row("count", rule.name, rule.start, "", "", logp, logp, np.zeros(n_worlds), note))
    return Likelihood(scenario.name, n_worlds, _table(rows, n_worlds))


def _worlds_of(parameters: ParameterValues | None) -> int:
    if parameters is None:
        return 1
    if isinstance(parameters, pd.DataFrame):
        return max(len(parameters), 1)
    sizes = {np.size(v) for v in parameters.values() if np.ndim(v) > 0}
    return max(sizes) if sizes else 1


def _scored_events(
    scenario: Scenario, compiled: CompiledScenario, rules: list[_Rule], rows: list[dict]
) -> dict[tuple[int, dt.date], tuple[Event, dict]]:
    """The one scored act per actor and day, keyed by ``(actor index, date)``; unscored events go to ``rows``."""
    chosen: dict[tuple[int, dt.date], tuple[Event, dict]] = {}
    for event in scenario.timeline:
        why = _unscorable(scenario, compiled, event)
        actor = compiled.actor_index[event.actor]
        rule = None if why else _rule_of(rules, actor, event.date)
        if not why and rule is None:
            why = "outside every record period of the actor"
        if not why and scenario.ladder.level(scenario.action(event.action).rung) < rule.level:
            why = f"below the record's level ({scenario.ladder.rungs[rule.level].id})"
        row = {"kind": "event", "id": event.id, "date": event.date, "actor": event.actor, "action": event.action}
        if why:
            rows.append({**row, "note": f"{NOT_SCORED}: {why}"})
            continue
        key = (actor, event.date)
        if key in chosen:
            kept, kept_row = chosen[key]
            graver = scenario.ladder.level(scenario.action(event.action).rung) > scenario.ladder.level(
                scenario.action(kept.action).rung
            )
            dropped_row = kept_row if graver else row
            if graver:
                chosen[key] = (event, row)
            rows.append({**dropped_row, "note": f"{NOT_SCORED}: the model takes one act a day; a graver one is scored"})
            continue
        chosen[key] = (event, row)
    return chosen


def _score_day(
    model: EscalationModel,
    compiled: CompiledScenario,
    rule: _Rule,
    actor: int,
    day: dt.date,
    documented: tuple[Event, dict] | None,
    rows: list[dict],
) -> None:
    """Add the contribution of one actor-day covered by ``rule`` to ``rows``."""
    structure = compiled.structure
    size = int(structure.menu_size[actor])
    menu = structure.menus[actor, :size]
    probabilities = kernel.act_probabilities(structure, model.worlds, model.state, model.scratch, actor)
    recorded = structure.action_rung[menu] >= rule.level
    of_kind = probabilities[:, recorded].sum(axis=1)
    share = rule.rule.share
    counting = rule.rule.count is not None
    if counting:
        rule.chances.append(share * of_kind)
    with np.errstate(divide="ignore"):
        if documented is None:
            if not counting:
                logp = np.log1p(-share * of_kind)
                name = compiled.scenario.actors[actor].id
                rows.append(_row("quiet", "", day, name, "", logp, logp, np.zeros_like(logp), ""))
            return
        event, row = documented
        k = int(np.flatnonzero(menu == compiled.action_index[event.action])[0])
        # under a count rule the count carries whether an act occurred; the item, which act it was
        act = np.log(probabilities[:, k]) + (-np.log(of_kind) if counting else np.log(share))
        harm = _casualties_logp(model, compiled, event)
    rows.append({**row, **_row("event", event.id, day, event.actor, event.action, act + harm, act, harm, "")})


def _casualties_logp(model: EscalationModel, compiled: CompiledScenario, event: Event) -> np.ndarray:
    """Log-probability of the event's documented deaths and wounded (0 where unknown)."""
    k = compiled.action_index[event.action]
    shape = model.worlds.dispersion[:, k]
    total = np.zeros(model.n_worlds)
    for documented, span, mean in (
        (event.killed, event.killed_range, model.worlds.killed_mean[:, k]),
        (event.wounded, event.wounded_range, model.worlds.wounded_mean[:, k]),
    ):
        count = span if span is not None else documented
        if count is not None:
            total = total + _negative_binomial_logpmf(count, mean, shape)
    return total


def _row(kind, id_, date, actor, action, logp, act, casualties, note) -> dict:
    return {
        "kind": kind,
        "id": id_,
        "date": date,
        "actor": actor,
        "action": action,
        "logp": logp,
        "logp_act": act,
        "logp_casualties": casualties,
        "note": note,
    }


def _table(rows: list[dict], n_worlds: int) -> pd.DataFrame:
    """Tidy table of contributions, with a ``world`` column only when there are several worlds."""
    columns = ["kind", "id", "date", "actor", "action", "logp", "logp_act", "logp_casualties", "note"]
    order = {"count": 2, "quiet": 1, "event": 0}
    rows = sorted(rows, key=lambda r: (r["date"], order[r["kind"]], r["actor"], r["id"]))
    records = []
    for world in range(n_worlds):
        for row in rows:
            record = {c: row.get(c, np.nan) for c in columns}
            for c in ("logp", "logp_act", "logp_casualties"):
                value = row.get(c)
                record[c] = float(value[world]) if value is not None else np.nan
            if n_worlds > 1:
                record["world"] = world
            records.append(record)
    return pd.DataFrame.from_records(records, columns=columns + (["world"] if n_worlds > 1 else []))
