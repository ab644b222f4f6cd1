"""Posterior predictive checks: do simulated crises look like the documented ones?

Each record of the corpus is simulated forward from its first documented day (the trigger is
replayed, everything after it is the model's) over the record's own period, with parameter
vectors drawn from the posterior, and the same stylised facts are read from the simulated
worlds and from the record:

* ``militia_attacks_per_day``: militia uses of force per day, over the periods whose militia
  record is complete, a sample (itemised acts divided by the share) or a count (prorated);
* ``militia_lethal_share`` and ``deaths_per_militia_attack``: of the militia uses of force
  (the record's itemised ones: where the record is a sample, lethal attacks are likelier to be
  itemised, which biases the record's figure up);
* ``warned_lethal_share``: share of telegraphed uses of force that killed;
* ``answer_after_deaths`` and ``answer_after_none``: share of adversary uses of force against
  a state, killing some of its people or none, that the state answered with force within 1 to
  7 days (same-day answers are out of the model's reach, see docs/model.md §7.5, and are not
  counted in the record either);
* ``answer_delay_days``: median days from such a provocation to the state's next use of force,
  among the answered ones.

A fact is pooled over the records of the corpus, per posterior draw, so the draws give its
posterior predictive distribution; the record's value is compared with it (the share of draws
at or above it, a two-sided check when read near 0 or 1).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from escalation.calibration.corpus import Corpus
from escalation.likelihood import RecordLikelihood, _rule_of
from escalation.model.simulation import Simulation

ANSWER_WINDOW = 7  # days after a provocation within which an answer counts
STATISTICS = {
    "militia_attacks_per_day": "militia uses of force per day",
    "militia_lethal_share": "share of militia attacks that killed",
    "deaths_per_militia_attack": "deaths per militia attack",
    "warned_lethal_share": "share of telegraphed uses of force that killed",
    "answer_after_deaths": f"state answers with force within {ANSWER_WINDOW} days, attack killed",
    "answer_after_none": f"state answers with force within {ANSWER_WINDOW} days, attack killed none",
    "answer_delay_days": "days from provocation to answer (median, answered ones)",
}


@dataclass
class _Acts:
    """Acts of force of one history: parallel arrays, one entry per act."""

    day: np.ndarray  # days after the trigger (1 = the first simulated day)
    actor: np.ndarray
    target: np.ndarray
    killed: np.ndarray
    telegraphed: np.ndarray  # bool


class _Tally:
    """Numerators and denominators of every statistic, added over records."""

    def __init__(self) -> None:
        self.attacks = self.attack_days = 0.0
        self.militia_acts = self.militia_lethal = self.militia_deaths = 0.0
        self.warned = self.warned_lethal = 0.0
        self.after = {True: [0.0, 0.0], False: [0.0, 0.0]}  # killed? -> [answered, provocations]
        self.delays: list[int] = []

    def values(self) -> dict[str, float]:
        def ratio(a: float, b: float) -> float:
            return a / b if b else np.nan

        return {
            "militia_attacks_per_day": ratio(self.attacks, self.attack_days),
            "militia_lethal_share": ratio(self.militia_lethal, self.militia_acts),
            "deaths_per_militia_attack": ratio(self.militia_deaths, self.militia_acts),
            "warned_lethal_share": ratio(self.warned_lethal, self.warned),
            "answer_after_deaths": ratio(*self.after[True]),
            "answer_after_none": ratio(*self.after[False]),
            "answer_delay_days": float(np.median(self.delays)) if self.delays else np.nan,
        }


class _Window:
    """One record's period after its trigger, and what its record rules say about each actor-day."""

    def __init__(self, record: RecordLikelihood) -> None:
        scenario = record.scenario
        self.record = record
        self.scenario = scenario
        compiled = record.compiled
        self.trigger = scenario.timeline[0].date
        end = max(max(r.end for r in record.rules), scenario.timeline[-1].date)
        self.days = (end - self.trigger).days
        self.militias = [i for i, a in enumerate(scenario.actors) if a.kind == "militia"]
        self.states = [i for i, a in enumerate(scenario.actors) if a.kind == "state"]
        self.adversary = compiled.structure.adversary
        self.force = compiled.force_level
        self.telegraphed = compiled.telegraphed > 0
        # per state: whether its record is complete on each day after the trigger (index = day)
        self.complete = {
            s: np.array([d > 0 and self._complete(s, d) for d in range(self.days + ANSWER_WINDOW + 1)])
            for s in self.states
        }

    def date(self, day: int) -> dt.date:
        return self.trigger + dt.timedelta(days=day)

    def _complete(self, actor: int, day: int) -> bool:
        rule = _rule_of(self.record.rules, actor, self.date(day))
        return rule is not None and rule.rule.count is None and rule.rule.share == 1.0

    def record_acts(self) -> _Acts:
        compiled = self.record.compiled
        rows = []
        for event in self.scenario.timeline:
            day = (event.date - self.trigger).days
            actor = compiled.actor_index[event.actor]
            k = compiled.action_index[event.action]
            if day < 1 or not self.scenario.actors[actor].strategic or compiled.action_rung[k] < self.force:
                continue
            target = compiled.actor_index[event.target] if event.target else int(compiled.action_target[k])
            rows.append((day, actor, target, event.killed or 0, bool(self.telegraphed[k])))
        return _acts(rows)

    def add(self, tally: _Tally, acts: _Acts, itemised_share: bool) -> None:
        """Add one history's acts to the tally (``itemised_share``: divide sampled militia acts by their share)."""
        militia = np.isin(acts.actor, self.militias)
        self._rate(tally, acts, militia, itemised_share)
        tally.militia_acts += militia.sum()
        tally.militia_lethal += (acts.killed[militia] > 0).sum()
        tally.militia_deaths += acts.killed[militia].sum()
        tally.warned += acts.telegraphed.sum()
        tally.warned_lethal += (acts.killed[acts.telegraphed] > 0).sum()
        for state in self.states:
            own = np.sort(acts.day[acts.actor == state])
            against = (acts.target == state) & self.adversary[acts.actor, state]
            for day, killed in zip(acts.day[against], acts.killed[against], strict=True):
                if day + ANSWER_WINDOW > self.days or not self.complete[state][day + 1 : day + ANSWER_WINDOW + 1].all():
                    continue  # the answer's week is not fully in the record
                later = own[own > day]
                answered = later.size > 0 and later[0] <= day + ANSWER_WINDOW
                tally.after[bool(killed > 0)][0] += answered
                tally.after[bool(killed > 0)][1] += 1
                if later.size:
                    tally.delays.append(int(later[0] - day))

    def _rate(self, tally: _Tally, acts: _Acts, militia: np.ndarray, itemised_share: bool) -> None:
        for rule in self.record.rules:
            actors = [a for a in rule.actors if a in self.militias]
            days = [d for d in range(1, self.days + 1) if rule.start <= self.date(d) <= rule.end]
            if not actors or not days:
                continue
            inside = militia & np.isin(acts.actor, actors) & (acts.day >= days[0]) & (acts.day <= days[-1])
            if not itemised_share:
                tally.attacks += inside.sum()
            elif rule.rule.count is not None:
                tally.attacks += rule.rule.count * len(days) / ((rule.end - rule.start).days + 1)
            else:
                tally.attacks += inside.sum() / rule.rule.share
            tally.attack_days += len(days)


def _acts(rows: list[tuple]) -> _Acts:
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return _Acts(empty, empty, empty, empty, np.zeros(0, dtype=bool))
    day, actor, target, killed, telegraphed = (np.array(c) for c in zip(*rows, strict=True))
    return _Acts(day, actor, target, killed, telegraphed.astype(bool))


def _simulated(window: _Window, values: dict[str, np.ndarray], n_worlds: int, seed: int) -> list[_Acts]:
    """The acts of force of ``n_worlds`` worlds simulated from the record's trigger."""
    scenario = window.scenario
    first = [e for e in scenario.timeline if e.date == window.trigger][-1]
    branch = dataclasses.replace(scenario, start_after=first.id, horizon_days=max(window.days, 1))
    known = window.record.compiled.scenario
    names = {p for p in values if _reads(known, p)}
    model = Simulation(branch, n_worlds, rng=seed, parameters={p: values[p] for p in names}, detail=True).run()
    structure = model.compiled.structure
    force = model.log.rungs >= window.force  # (actors, days, worlds)
    out = []
    for w in range(n_worlds):
        actor, day = np.nonzero(force[:, :, w])
        k = model.log.action[actor, day, w]
        out.append(
            _Acts(
                day + 1,
                actor,
                model.log.target[actor, day, w],
                model.log.killed[actor, day, w],
                (model.compiled.telegraphed[k] > 0) & (structure.action_rung[k] >= window.force),
            )
        )
    model.release()
    return out


def _reads(scenario, name: str) -> bool:
    from escalation.parameters import split_name

    try:
        split_name(scenario, name)
    except KeyError:
        return False
    return True


def predictive_checks(
    corpus: Corpus, draws: pd.DataFrame | None = None, n_draws: int = 200, worlds_per_draw: int = 5, seed: int = 0
) -> pd.DataFrame:
    """The stylised facts of the corpus's records against their posterior predictive distribution.

    ``draws``: posterior draws (a column per parameter; None: the scenarios' own values);
    ``n_draws`` of them, evenly spaced, each simulated in ``worlds_per_draw`` worlds per record.
    Returns a tidy table: ``statistic``, ``description``, ``record``, ``median``, ``q5``,
    ``q95``, ``p_at_least`` (share of draws at or above the record's value) and
    ``simulated`` (the per-draw values, a list).
    """
    if draws is None or draws.empty:
        draws = pd.DataFrame(index=range(n_draws))
    pick = np.linspace(0, len(draws) - 1, min(n_draws, len(draws))).round().astype(int)
    chosen = draws.iloc[pick].reset_index(drop=True)
    n = len(chosen)
    values = {c: np.repeat(chosen[c].to_numpy(dtype=float), worlds_per_draw) for c in chosen.columns}
    observed = _Tally()
    per_draw = [_Tally() for _ in range(n)]
    for index, record in enumerate(corpus.records):
        window = _Window(record)
        window.add(observed, window.record_acts(), itemised_share=True)
        worlds = _simulated(window, values, n * worlds_per_draw, seed=seed * 1_000 + index)
        for w, acts in enumerate(worlds):
            window.add(per_draw[w // worlds_per_draw], acts, itemised_share=False)
    record_values = observed.values()
    rows = []
    for name, description in STATISTICS.items():
        simulated = np.array([t.values()[name] for t in per_draw])
        finite = simulated[np.isfinite(simulated)]
        value = record_values[name]
        rows.append(
            {
                "statistic": name,
                "description": description,
                "record": value,
                "median": float(np.median(finite)) if finite.size else np.nan,
                "q5": float(np.quantile(finite, 0.05)) if finite.size else np.nan,
                "q95": float(np.quantile(finite, 0.95)) if finite.size else np.nan,
                "p_at_least": float((finite >= value).mean()) if finite.size and np.isfinite(value) else np.nan,
                "simulated": finite.tolist(),
            }
        )
    return pd.DataFrame(rows)
