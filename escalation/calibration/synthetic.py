"""Records simulated from known parameters: the test bed for parameter recovery.

A synthetic record is what a perfect chronicler would write down of one simulated world:
every act above ``hold`` of every strategic actor, with its realised casualties, and a record
rule saying exactly that. Scoring it with :func:`escalation.loglik` at the parameters that
made it gives the model's own probability of that history, so a fit to many such records
must recover the parameters at its stated coverage.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from escalation.model.compiled import ParameterValues
from escalation.model.simulation import Simulation
from escalation.scenario.schema import Event, RecordRule, Scenario


def simulate_record(
    scenario: Scenario,
    parameters: ParameterValues | None = None,
    seed: int = 0,
    start: dt.date = dt.date(2000, 1, 1),
    name: str | None = None,
) -> Scenario:
    """One world of ``scenario`` (no history replayed) written down as a complete record.

    Returns a copy of ``scenario`` whose timeline holds every act above ``hold`` of every
    strategic actor over ``horizon_days`` from ``start`` (perceived as realised), with one
    record rule: every act at or above the ladder's second rung is recorded, so each quiet
    actor-day says the actor held. Perception noise should be 0 in ``scenario`` for the record
    to carry everything the actors saw.
    """
    base = dataclasses.replace(scenario, timeline=(), start_after=None, record=())
    model = Simulation(base, n_worlds=1, rng=seed, parameters=parameters, detail=True).run()
    hold_level = 0
    events = []
    for day in range(base.horizon_days):
        for i, actor in enumerate(base.actors):
            if not actor.strategic:
                continue
            k = int(model.log_action[i, day, 0])
            action = base.actions[k]
            if base.ladder.level(action.rung) <= hold_level:
                continue
            killed, wounded = int(model.log_killed[i, day, 0]), int(model.log_wounded[i, day, 0])
            events.append(
                Event(
                    id=f"S{day:04d}-{i}",
                    date=start + dt.timedelta(days=day),
                    actor=actor.id,
                    action=action.id,
                    target=base.actors[int(model.log_target[i, day, 0])].id,
                    killed=killed,
                    wounded=wounded,
                    perceived_killed=killed,
                    perceived_wounded=wounded,
                )
            )
    end = start + dt.timedelta(days=base.horizon_days - 1)
    rule = RecordRule(recorded_from=base.ladder.rungs[hold_level + 1].id, start=start, end=end)
    return dataclasses.replace(
        base, name=name or f"{scenario.name}_synthetic_{seed}", timeline=tuple(events), record=(rule,)
    )
