"""The escalation model: a Mesa model that steps many independent worlds at once.

Every actor is a Mesa agent whose state is an array over ``n_worlds`` replicate worlds, and
the days are simulated by the compiled kernel (:mod:`escalation.model.kernel`) of a
:class:`~escalation.model.simulation.Simulation`, which the model extends. A single
interactive run is simply a model with ``n_worlds=1``. Every world may carry its own
parameter vector (``parameters=``). Monte Carlo blocks run the same simulation without Mesa;
with one seed both give the same numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import mesa
import numpy as np

from escalation.model.agents import ActorAgent
from escalation.model.compiled import CompiledScenario, ParameterValues
from escalation.model.reporters import model_reporters
from escalation.model.simulation import TILE_WORLDS, Simulation
from escalation.scenario.schema import Scenario

__all__ = ["TILE_WORLDS", "EscalationModel"]


class EscalationModel(Simulation, mesa.Model):
    """A Mesa model of one scenario in ``n_worlds`` independent worlds.

    ``datacollector``, a ``mesa.DataCollector`` of the reporters of
    :mod:`escalation.model.reporters`, gets a row for each day :meth:`step` simulates;
    :meth:`run` adds none, so Monte Carlo studies pay nothing for collection (call
    ``datacollector.collect(model)`` after it for a row of the final state).

    It takes the arguments of :class:`~escalation.model.simulation.Simulation`: the scenario (a
    validated scenario, its compiled form, or the path of a scenario file, as ``mesa.batch_run``
    passes it), ``n_worlds``, ``rng`` (a generator or a seed), per-world ``parameters`` and
    ``detail``.
    """

    _takes_mesa_draw = False  # mesa.Model.__init__ takes it

    def __init__(
        self,
        scenario: Scenario | CompiledScenario | str | os.PathLike[str],
        n_worlds: int = 1,
        rng: np.random.Generator | int | None = None,
        *,
        parameters: ParameterValues | None = None,
        detail: bool = False,
    ) -> None:
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        mesa.Model.__init__(self, rng=rng)
        Simulation.__init__(self, scenario, n_worlds, rng, parameters=parameters, detail=detail)
        self.actors = [ActorAgent(self, spec, i) for i, spec in enumerate(self.crisis.actors)]
        for agent in self.actors:
            if agent.spec.patron is not None:
                agent.patron = self.actors[self.compiled.actor_index[agent.spec.patron]]
        self.strategic = self.agents.select(lambda a: a.strategic)
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters(self.crisis))

    def step(self) -> None:
        """Simulate one day in every world (all strategic actors choose, then acts resolve) and
        collect the day's row of :attr:`datacollector`."""
        if self.day >= self.crisis.horizon_days:
            self.running = False
            return
        self.simulate(self.day + 1)
        self.datacollector.collect(self)

    def run(self, check: Callable[[], None] | None = None) -> EscalationModel:
        """Simulate every remaining day, tile by tile; returns ``self`` for chaining.

        ``check`` is called before each tile (a few milliseconds of work): it may raise to
        abandon the run.
        """
        if self.running and self.day < self.crisis.horizon_days:
            self.steps += self.crisis.horizon_days - self.day  # Mesa's count of days stepped
        Simulation.run(self, check)
        return self

    def release(self) -> None:
        """Free the model's memory now; the model cannot be used afterwards.

        A Mesa model refers to itself (its wrapped ``step``) and to its agents, which refer back
        to it, so it is only reclaimed by Python's occasional cycle collection; Mesa before 3.4
        also keeps every model in a class-level ``Agent._ids`` table. Call this once a model's
        results are read, when many are built one after another.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)
        for agent in self.actors:
            agent.__dict__.clear()
        Simulation.release(self)
