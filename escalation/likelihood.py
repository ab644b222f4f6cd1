"""The likelihood of a documented timeline under the model and its observation model.

The whole timeline is replayed day by day (every event, whatever ``start_after`` says). On
each day the model's own probability of each strategic actor's act (:func:`act_probabilities`
of the kernel: proxy control, logit choice, accidents) is read in the replayed state, before
the day's events are applied, and compared with the record through the scenario's
``record`` rules (:class:`~escalation.scenario.schema.RecordRule`):

* an act of a recorded kind (at or above the rule's ``recorded_from`` level) contributes
  ``log(share * P(act))`` plus the log-probability of its documented casualties, where the
  act is what an observer records (actor, target, signals and realised rung): every act of
  the menu that would be recorded alike counts, each with its own casualty distribution
  (a militia's rocket attack that killed one may have been a routine salvo that happened to
  kill or a heavy salvo aimed to kill);
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
from scipy import special

from escalation.mechanisms.casualties import realised_rung
from escalation.model import kernel
from escalation.model.compiled import CompiledScenario, ParameterValues
from escalation.model.simulation import Simulation
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


def _negative_binomial_logpmf_exact(count: np.ndarray, mean: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """``log P(count)`` under the kernel's casualty draw: negative binomial of mean ``mean`` and
    shape ``shape`` (``scipy.stats.nbinom.logpmf(count, shape, shape / (shape + mean))``, written
    out for speed); an act whose mean is 0 kills no one. Arrays broadcast."""
    count, mean, shape = np.broadcast_arrays(count, mean, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        logpmf = (
            special.gammaln(count + shape)
            - special.gammaln(shape)
            - special.gammaln(count + 1)
            + shape * np.log(shape / (shape + mean))
            + special.xlogy(count, mean / (shape + mean))
        )
    return np.where(mean > 0, logpmf, np.where(count == 0, 0.0, -np.inf))


def _negative_binomial_logpmf(count: int | tuple[int, int], mean: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Log-probability of a documented count (or of a range ``(low, high)``) under the kernel's draw."""
    low, high = (count, count) if isinstance(count, int) else count
    values = np.arange(low, high + 1)[:, None]
    logpmf = _negative_binomial_logpmf_exact(values, mean[None, :], shape[None, :])
    return special.logsumexp(logpmf, axis=0) if len(values) > 1 else logpmf[0]


def poisson_binomial_logpmf(count: int, chances: np.ndarray) -> np.ndarray:
    """``log P(count successes)`` of independent trials, ``chances`` of shape ``(n_trials, n_worlds)``."""
    n_worlds = chances.shape[1]
    chances = np.clip(chances, 0.0, 1.0)  # sums of probabilities can exceed 1 by a rounding error
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
        rules.append(_Rule(index, rule, actors, rule.start or first, rule.end or last, level))
    return rules


def _rule_of(rules: list[_Rule], actor: int, day: dt.date) -> _Rule | None:
    return next((r for r in rules if actor in r.actors and r.start <= day <= r.end), None)


def _quiet_run(rules: list[_Rule], by_day: dict[dt.date, list[Event]], day: dt.date, end: dt.date) -> int:
    """Days from ``day`` that pass as one step: 1 on a day a rule covers or with events, else up to the next such day.

    The replay's cost thus depends on the days the record covers and the documented days,
    not on calendar gaps between them (a timeline from 1900 to 2200 replays in one step
    across its quiet centuries).
    """
    if day in by_day or any(r.start <= day <= r.end for r in rules):
        return 1
    following = [d for d in by_day if d > day] + [r.start for r in rules if r.start > day]
    return (min(following, default=end + dt.timedelta(days=1)) - day).days


def _unscorable(scenario: Scenario, compiled: CompiledScenario, event: Event) -> str:
    """Why the model cannot take this documented act (empty when it can)."""
    actor = scenario.actor(event.actor)
    if not actor.strategic:
        return f"{actor.kind} actors make no choices"
    if event.action not in actor.menu:
        template = scenario.action(event.action).template
        if template is not None and any(scenario.action(a).template == template for a in actor.menu):
            return f"target {event.target!r} is not among the targets of {template!r} on the actor's menu"
        return "not on the actor's menu"
    target = scenario.action(event.action).target
    if target is not None and event.target is not None and event.target != target:
        return f"target {event.target!r} is not the action's ({target!r})"
    return ""


class RecordLikelihood:
    """The log-likelihood of one scenario's record as a function of the parameters.

    Everything that does not depend on the parameters (the compiled scenario, the record
    rules, which act is scored on which actor-day, the events to apply) is laid out once in
    arrays; :meth:`totals` then replays the record in compiled code (:func:`kernel.replay_record`)
    for any number of parameter vectors at once. :func:`loglik` uses the same code and keeps
    each contribution for its table.
    """

    def __init__(self, scenario: Scenario) -> None:
        if not scenario.timeline:
            raise ValueError(f"scenario {scenario.name!r} has no timeline to score")
        self.scenario = scenario
        compiled = self.compiled = CompiledScenario.from_scenario(replace(scenario, start_after=None))
        self.rules = _resolve_rules(scenario, compiled)
        self.unscored: list[dict] = []
        scored = _scored_events(scenario, compiled, self.rules, self.unscored)
        by_day: dict[dt.date, list[Event]] = {}
        for event in scenario.timeline:
            by_day.setdefault(event.date, []).append(event)
        start = min(min(r.start for r in self.rules), scenario.timeline[0].date)
        end = max(max(r.end for r in self.rules), scenario.timeline[-1].date)
        covered = sorted({a for r in self.rules for a in r.actors})
        structure = compiled.structure

        days, entries, shares, events, effects, amounts = [], [], [], [], [], []
        fields: list[np.ndarray] = []  # per event, what it adds to its act (kernel.EVENT_FIELDS)
        candidates: list[int] = []  # menu indices of the acts each documented act could have been
        pairs: list[tuple[Event, int]] = []  # (documented event, candidate action) for the casualty terms
        slots: list[int] = []  # per entry: its place among the count rules' trials, or -1
        self.entries: list[tuple[str, dt.date, int, dict | None, Event | None]] = []  # kind, day, actor, row, event
        self.slots: dict[int, list[int]] = {r.index: [] for r in self.rules if r.rule.count is not None}
        day = start
        while day <= end:
            days.append((len(entries), len(events), _quiet_run(self.rules, by_day, day, end)))
            for actor in covered:
                rule = _rule_of(self.rules, actor, day)
                if rule is None:
                    continue
                slot = -1
                if rule.rule.count is not None:
                    slot = sum(len(v) for v in self.slots.values())
                    self.slots[rule.index].append(slot)
                documented = scored.get((actor, day))
                first = len(candidates)
                if documented is not None:
                    menu = structure.menus[actor, : int(structure.menu_size[actor])]
                    alike = _recorded_alike(compiled, documented[0])
                    candidates += alike
                    pairs += [(documented[0], int(menu[k])) for k in alike]
                entries.append((actor, rule.level, first, len(candidates) - first))
                shares.append(rule.rule.share)
                slots.append(slot)
                kind = "event" if documented else ("counted" if slot >= 0 else "quiet")
                self.entries.append((kind, day, actor, *(documented or (None, None))[::-1]))
            for event in by_day.get(day, ()):
                events.append((*_event_fields(compiled, event), len(effects)))
                fields.append(compiled.event_fields(event))
                for effect in event.effects:
                    effects.append(compiled.actor_index[effect.actor])
                    amounts.append(effect.amount)
            day += dt.timedelta(days=int(days[-1][2]))
        days.append((len(entries), len(events), 0))
        events.append((0,) * 7 + (len(effects),))
        fields.append(np.zeros(kernel.EVENT_FIELDS))
        self._days = np.array(days, dtype=np.int64)
        self._entries = np.array(entries, dtype=np.int64).reshape(-1, 4)
        self._candidates = np.array(candidates, dtype=np.int64)
        self._shares = np.array(shares, dtype=float)
        self._slots = np.array(slots, dtype=np.int64)
        self._events = np.array(events, dtype=np.int64)
        self._fields = np.array(fields)
        self._effects = np.array(effects, dtype=np.int64)
        self._amounts = np.array(amounts, dtype=float)
        self._casualties = _CasualtyTerms(compiled, pairs)
        self._event_entries = np.flatnonzero(self._entries[:, 3] > 0)
        self._slot_entries = np.flatnonzero(self._slots >= 0)

    @property
    def candidates(self) -> list[np.ndarray]:
        """Per entry, the menu indices of the acts its documented act could have been (empty: none documented)."""
        return [self._candidates[first : first + n] for first, n in self._entries[:, 2:]]

    def act_terms(self, of_kind: np.ndarray, chance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(acts logp per entry (n_entries, W), the count rules' trial chances (n_slots, W))``.

        ``of_kind[e]``: probability of an act of the recorded kind on entry ``e``'s actor-day;
        ``chance[c]``: probability of candidate act ``c``. The observation model of
        :mod:`escalation.likelihood`, shared by the model and the baselines.
        """
        share = self._shares[:, None]
        of_kind = np.minimum(of_kind, 1.0)  # a sum of probabilities, at most 1 but for rounding
        counted = (self._slots >= 0)[:, None]
        documented = np.zeros_like(of_kind)
        if self._event_entries.size:
            documented[self._event_entries] = np.add.reduceat(chance, self._entries[self._event_entries, 2], axis=0)
        is_event = (self._entries[:, 3] > 0)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            logp = np.where(
                is_event,
                np.log(documented) + np.where(counted, -np.log(of_kind), np.log(share)),
                np.where(counted, 0.0, np.log1p(-share * of_kind)),
            )
        chances = np.zeros((sum(len(v) for v in self.slots.values()), of_kind.shape[1]))
        chances[self._slots[self._slot_entries]] = share[self._slot_entries] * of_kind[self._slot_entries]
        return logp, chances

    def contributions(self, parameters: ParameterValues | None = None, n_worlds: int | None = None):
        """``(act logp per entry (n_entries, W), casualty logp per scored event, count logp per rule)``."""
        n_worlds = n_worlds or _worlds_of(parameters)
        model = Simulation(self.compiled, n_worlds=n_worlds, rng=0, parameters=parameters)
        worlds = model.worlds
        of_kind = np.zeros((len(self.entries), n_worlds))
        chance = np.zeros((self._candidates.size, n_worlds))
        try:
            kernel.replay_record(
                self.compiled.structure,
                worlds,
                model.state,
                model.scratch,
                self._days,
                self._entries,
                self._candidates,
                self._events,
                self._fields,
                self._effects,
                self._amounts,
                of_kind,
                chance,
            )
        finally:
            model.release()  # a fit builds many: Mesa would otherwise keep every one alive
        logp, chances = self.act_terms(of_kind, chance)
        harm = self._casualties.logp(worlds, chance, self._entries[self._event_entries, 2])
        counts = {
            index: poisson_binomial_logpmf(self.rules[index].rule.count, chances[slots])
            for index, slots in self.slots.items()
        }
        return logp, harm, counts

    def totals(self, parameters: ParameterValues | None = None, n_worlds: int | None = None) -> np.ndarray:
        """Total log-likelihood of each world, shape ``(n_worlds,)``."""
        logp, harm, counts = self.contributions(parameters, n_worlds)
        return logp.sum(axis=0) + harm.sum(axis=0) + sum(counts.values(), np.zeros(logp.shape[1]))

    def rows(self, parameters: ParameterValues | None = None, n_worlds: int | None = None) -> list[dict]:
        """Every contribution as a table row (see :class:`Likelihood`), unscored events included."""
        logp, harm, counts = self.contributions(parameters, n_worlds)
        n = logp.shape[1]
        casualties = dict(zip(self._event_entries.tolist(), harm, strict=True))
        rows = list(self.unscored)
        for i, (kind, day, actor, row, event) in enumerate(self.entries):
            if kind == "event":
                act, hurt = logp[i], casualties[i]
                alike = self.candidates[i]
                note = ""
                if alike.size > 1:
                    menu = self.compiled.structure.menus[actor]
                    note = "recorded alike: " + " or ".join(self.scenario.actions[int(menu[k])].id for k in alike)
                scored = _row("event", event.id, day, event.actor, event.action, act + hurt, act, hurt, note)
                rows.append({**row, **scored})
            elif kind == "quiet":
                name = self.scenario.actors[actor].id
                rows.append(_row("quiet", "", day, name, "", logp[i], logp[i], np.zeros(n), ""))
        for index, value in counts.items():
            rule = self.rules[index]
            level = self.scenario.ladder.rungs[rule.level].id
            note = f"{rule.rule.count} acts at or above {level} over {len(self.slots[index])} actor-days"
            rows.append(_row("count", rule.name, rule.start, "", "", value, value, np.zeros(n), note))
        return rows


def _recorded_alike(compiled: CompiledScenario, event: Event) -> list[int]:
    """Menu indices of the acts an observer would record as ``event``, the documented act among them.

    Alike: the same target and co-victims, the same signals, telegraphing and host soil, and
    the same realised rung with the documented deaths (unknown deaths count as none).
    """
    s = compiled.structure
    actor = compiled.actor_index[event.actor]
    killed = event.killed or 0

    def seen(k: int) -> tuple:
        rung = realised_rung(int(s.action_rung[k]), int(s.lethal_rung[k]), killed)
        return (int(s.action_target[k]), s.co_victims[k].tobytes(), bool(s.offramp[k]), bool(s.declares[k]),
                bool(s.on_host_soil[k]), float(compiled.telegraphed[k]), rung)  # fmt: skip

    documented = seen(compiled.action_index[event.action])
    menu = s.menus[actor, : int(s.menu_size[actor])]
    return [i for i, k in enumerate(menu.tolist()) if seen(k) == documented]


def _event_fields(compiled: CompiledScenario, event: Event) -> tuple[int, ...]:
    """An event as the compiled replay reads it (as :meth:`Simulation.apply_event` applies it)."""
    k = compiled.action_index[event.action]
    target = compiled.actor_index[event.target] if event.target else int(compiled.action_target[k])
    killed, wounded = event.killed or 0, event.wounded or 0
    seen_killed = event.perceived_killed if event.perceived_killed is not None else killed
    seen_wounded = event.perceived_wounded if event.perceived_wounded is not None else wounded
    actor = compiled.actor_index[event.actor]
    return (actor, k, target, killed, wounded, seen_killed, seen_wounded)


class _CasualtyTerms:
    """Log-probability of each scored event's documented deaths and wounded, for all worlds at once.

    One term per candidate act (the event's documented counts under that act's casualty
    distribution), mixed by the candidates' probabilities into one term per event.
    """

    def __init__(self, compiled: CompiledScenario, pairs: list[tuple[Event, int]]) -> None:
        self.n_pairs = len(pairs)
        # exact counts, vectorised: (pair position, action, count, killed?); ranges one by one
        self.exact: list[tuple[int, int, int, bool]] = []
        self.ranges: list[tuple[int, int, tuple[int, int], bool]] = []
        for i, (event, k) in enumerate(pairs):
            for documented, span, is_killed in ((event.killed, event.killed_range, True),
                                                (event.wounded, event.wounded_range, False)):  # fmt: skip
                if span is not None:
                    self.ranges.append((i, k, span, is_killed))
                elif documented is not None:
                    self.exact.append((i, k, documented, is_killed))

    def per_candidate(self, worlds) -> np.ndarray:
        """``(n_candidates, n_worlds)`` log-probabilities of the documented counts (0 where none are documented)."""
        out = np.zeros((self.n_pairs, worlds.killed_mean.shape[0]))
        if self.exact:
            position, action, count, is_killed = (np.array(c) for c in zip(*self.exact, strict=True))
            mean = np.where(is_killed[:, None], worlds.killed_mean[:, action].T, worlds.wounded_mean[:, action].T)
            shape = worlds.dispersion[:, action].T
            np.add.at(out, position, _negative_binomial_logpmf_exact(count[:, None], mean, shape))
        for position, action, span, is_killed in self.ranges:
            mean = (worlds.killed_mean if is_killed else worlds.wounded_mean)[:, action]
            out[position] += _negative_binomial_logpmf(span, mean, worlds.dispersion[:, action])
        return out

    def logp(self, worlds, chance: np.ndarray, firsts: np.ndarray) -> np.ndarray:
        """``(n_events, n_worlds)``: ``log sum_c P(c) P(counts | c) - log sum_c P(c)`` over each event's candidates."""
        n_worlds = worlds.killed_mean.shape[0]
        if not self.n_pairs:
            return np.zeros((0, n_worlds))
        terms = self.per_candidate(worlds)
        with np.errstate(divide="ignore", invalid="ignore"):
            weighted = np.log(chance) + terms
            top = np.maximum.reduceat(weighted, firsts, axis=0)
            finite = np.where(np.isfinite(top), top, 0.0)
            index = np.repeat(np.arange(firsts.size), np.diff(np.append(firsts, self.n_pairs)))
            mixed = np.log(np.add.reduceat(np.exp(weighted - finite[index]), firsts, axis=0)) + finite
            documented = np.log(np.add.reduceat(chance, firsts, axis=0))
            out = mixed - documented
        # an act the model gives no chance scores -inf in the act part; its casualties add nothing
        return np.where(np.isfinite(documented), out, 0.0)


def loglik(
    scenario: Scenario | str | os.PathLike[str],
    parameters: ParameterValues | None = None,
    n_worlds: int | None = None,
) -> Likelihood:
    """Log-likelihood of ``scenario``'s documented timeline under the model.

    ``parameters`` are per-world values as for :class:`~escalation.model.Simulation`
    (a mapping of full name to a number or an array of shape ``(n_worlds,)``, or a DataFrame):
    each world is one parameter vector, and the result holds one total per world.
    """
    if not isinstance(scenario, Scenario):
        from escalation.scenario.loader import load_scenario

        scenario = load_scenario(scenario)
    n_worlds = n_worlds or _worlds_of(parameters)
    rows = RecordLikelihood(scenario).rows(parameters, n_worlds)
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
