"""Classify replicate trajectories into the scenario's outcomes and summarise each replicate."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from escalation.defaults import PROXY_WINDOW_DAYS
from escalation.errors import RunError
from escalation.mechanisms.casualties import realised_rung
from escalation.model import kernel
from escalation.model.simulation import Simulation
from escalation.scenario.schema import Condition, Scenario


def militias(scenario: Scenario) -> list[int]:
    """Indices of the scenario's militia actors."""
    return [i for i, a in enumerate(scenario.actors) if a.kind == "militia"]


def proxy_attacks(scenario: Scenario, rungs: np.ndarray) -> np.ndarray:
    """Militia uses of force in the final ``PROXY_WINDOW_DAYS`` days of each world (one act a day per militia).

    ``rungs`` has shape ``(n_actors, horizon, n_worlds)``; returns shape ``(n_worlds,)``.
    """
    force = scenario.ladder.level(scenario.parameters.force_from)
    window = rungs[militias(scenario), -PROXY_WINDOW_DAYS:]
    return (window >= force).sum(axis=(0, 1))


def _condition_holds(scenario: Scenario, condition: Condition, rungs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether ``condition`` holds in each world, and the day from which it has held.

    ``rungs`` has shape ``(n_actors, horizon, n_worlds)``. The settle day (1-based) is, for a
    ``below`` condition, the day after the last violation (1 if never violated); for an
    ``at_least`` condition over the whole period, the first day it was met; an ``at_least``
    condition over a final window (something still going on) does not delay settling (1).
    """
    ladder = scenario.ladder
    ids = [a.id for a in scenario.actors]
    chosen = [ids.index(a) for a in condition.actors] if condition.actors else list(range(len(ids)))
    horizon = rungs.shape[1]
    start = 0 if condition.final_days is None else max(horizon - condition.final_days, 0)
    peak_by_day = rungs[chosen].max(axis=0)  # (horizon, n_worlds)
    window = peak_by_day[start:]
    days = np.arange(1, horizon + 1)[:, None]
    if condition.below is not None:
        level = ladder.level(condition.below)
        holds = (window < level).all(axis=0)
        violated = peak_by_day >= level
        last_violation = np.where(violated, days, 0).max(axis=0)
        return holds, last_violation + 1
    level = ladder.level(condition.at_least)
    met = window >= level
    holds = met.any(axis=0)
    if condition.final_days is not None:
        return holds, np.ones_like(holds, dtype=np.int64)
    return holds, np.where(holds, met.argmax(axis=0) + 1, 0)


def classify(scenario: Scenario, rungs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outcome index (first matching rule) and settle day for every world.

    The settle day is the day from which the matched outcome's conditions have all held
    (``-1`` for the remainder outcome, which never settles).
    """
    n_worlds = rungs.shape[2]
    outcome = np.full(n_worlds, len(scenario.outcomes) - 1, dtype=np.int64)
    settle = np.full(n_worlds, -1, dtype=np.int64)
    undecided = np.ones(n_worlds, dtype=bool)
    for index, rule in enumerate(scenario.outcomes[:-1]):
        holds = np.ones(n_worlds, dtype=bool)
        since = np.ones(n_worlds, dtype=np.int64)
        for condition in rule.when:
            ok, day = _condition_holds(scenario, condition, rungs)
            holds &= ok
            since = np.maximum(since, day)
        take = holds & undecided
        outcome[take] = index
        settle[take] = since[take]
        undecided &= ~take
    return outcome, settle


def documented_rungs(scenario: Scenario, horizon: int | None = None) -> np.ndarray:
    """What the timeline records after the branch point, as the rung record of one world.

    Day 1 is the scenario's first simulated day. On each of the ``horizon`` days (default: the
    scenario's ``horizon_days``) a strategic actor stands at the highest realised rung of its
    documented events of that day (an act that killed at its ``lethal_rung``, as the model
    records a simulated act); days without an event, days after the last documented event,
    and hosts stand at the status quo (0). Returns shape ``(n_actors, horizon, 1)``, ready for
    :func:`classify` and :func:`proxy_attacks`. Raises :class:`RunError` without a branch point
    (``start_after: null``: the record then has no first simulated day).
    """
    start = scenario.start_date
    if start is None:
        raise RunError(f"scenario {scenario.name!r} has no branch point (start_after), so its record has no day 1")
    horizon = scenario.horizon_days if horizon is None else horizon
    ladder = scenario.ladder
    index = {a.id: i for i, a in enumerate(scenario.actors)}
    rungs = np.zeros((len(scenario.actors), horizon, 1), dtype=np.int8)
    for event in scenario.timeline:
        day = (event.date - start).days
        if not 0 <= day < horizon or not scenario.actor(event.actor).strategic:
            continue
        action = scenario.action(event.action)
        lethal = ladder.level(action.lethal_rung) if action.lethal_rung is not None else -1
        rung = realised_rung(ladder.level(action.rung), lethal, event.killed or 0)
        i = index[event.actor]
        rungs[i, day, 0] = max(int(rungs[i, day, 0]), rung)
    return rungs


def documented_outcome(scenario: Scenario, horizon: int | None = None) -> tuple[str, int]:
    """The outcome the scenario's rules give its own record (:func:`documented_rungs`), and its settle day.

    The settle day is 1-based, ``-1`` for the remainder outcome. With ``horizon``, the record
    is read over that many days instead of ``horizon_days``.
    """
    outcome, settle = classify(scenario, documented_rungs(scenario, horizon))
    return scenario.outcomes[int(outcome[0])].name, int(settle[0])


def summarise_block(model: Simulation) -> dict[str, np.ndarray]:
    """Per-replicate columns of a finished model: outcome, peak, timing, crossings, militia attacks, casualties."""
    scenario = model.crisis
    rungs = model.rungs
    outcome, settle = classify(scenario, rungs)
    peak_by_day = rungs.max(axis=0)  # (horizon, n_worlds)
    columns: dict[str, np.ndarray] = {
        "outcome": outcome.astype(np.int16),
        "peak_rung": peak_by_day.max(axis=0).astype(np.int16),
        "peak_day": np.where(peak_by_day.max(axis=0) > 0, peak_by_day.argmax(axis=0) + 1, 0).astype(np.int16),
        "settle_day": settle.astype(np.int16),
        "crossings": model.crossings.astype(np.int16),
        "proxy_attacks": proxy_attacks(scenario, rungs).astype(np.int16),
    }
    for actor in scenario.actors:
        columns[f"killed_{actor.id}"] = model.killed_suffered[model.compiled.actor_index[actor.id]].astype(np.int64)
    return columns


class DayCounts(NamedTuple):
    """A run's per-day counts of worlds by rung (additive over blocks; see :func:`day_counts`)."""

    rungs: np.ndarray  # (n_actors, horizon, n_rungs): worlds on each rung, per actor and day
    reached: np.ndarray  # (n_actors, horizon, n_rungs): worlds by the actor's highest rung from day 1 to that day
    crisis_peak: np.ndarray  # (horizon + 1, n_rungs): worlds by the crisis's highest rung so far, history included

    def __add__(self, other: object) -> DayCounts:  # type: ignore[override]
        if not isinstance(other, DayCounts):
            return NotImplemented
        return DayCounts(*(a + b for a, b in zip(self, other, strict=True)))


def day_counts(model: Simulation) -> DayCounts:
    """How many worlds stood on each rung, had reached it, and what the crisis peak was, per day.

    The crisis peak's row 0 is the peak the replayed history left; the actors' highest rungs
    count the simulated days only (the history is drawn from the timeline itself).
    """
    return DayCounts(*kernel.tally_days(model.rungs, model.history_peak, model.compiled.n_rungs))
