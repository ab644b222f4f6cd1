"""Model-level reporters for Mesa's ``DataCollector``: one number per day that summarises every world.

A model holds ``n_worlds`` replicate worlds, so its reporters are shares and means over the
worlds rather than one world's state. :func:`model_reporters` names them for a scenario:

``day``
    Simulated days so far (1 after the first :meth:`~escalation.model.EscalationModel.step`).
``peak:ID``
    Share of worlds (0..1) whose crisis peak, replayed history included, is at or above the
    firebreak ``ID``; one column per threshold of the ladder, and one for the scenario's force
    threshold (``parameters.force_from``) when that is a rung rather than a threshold.
``today:ID``
    Share of worlds (0..1) in which some actor's realised rung on the last simulated day is at
    or above the force threshold ``ID`` (``force_from``).
``acted:ACTOR``
    Share of worlds (0..1) in which the strategic actor acted on the last simulated day: its
    realised rung was above the status quo (rung 0).
``grievance:ACTOR``
    Mean over the worlds of the strategic actor's strongest grievance toward any other actor
    (harm units, >= 0).

Before the first simulated day the ``today:`` and ``acted:`` shares are 0. Each reporter is a
``functools.partial`` of a module-level function (Mesa calls it with the model), so a
collector stays picklable.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from escalation.scenario.schema import Scenario

if TYPE_CHECKING:
    from escalation.model.model import EscalationModel

Reporter = Callable[["EscalationModel"], float]


def simulated_day(model: EscalationModel) -> int:
    """Days simulated so far (0 before the first step, at most the horizon)."""
    return model.day


def share_peak_at_least(level: int, model: EscalationModel) -> float:
    """Share of worlds (0..1) whose crisis peak, history included, is at or above rung ``level``."""
    return float(np.mean(model.crisis_peak >= level))


def share_at_least_today(level: int, model: EscalationModel) -> float:
    """Share of worlds (0..1) where some actor's realised rung on the last simulated day is at or above ``level``."""
    if model.day == 0:
        return 0.0
    return float(np.mean(model.rungs[:, model.day - 1, :].max(axis=0) >= level))


def share_acted(actor: int, model: EscalationModel) -> float:
    """Share of worlds (0..1) where ``actor``'s realised rung on the last simulated day is above rung 0."""
    if model.day == 0:
        return 0.0
    return float(np.mean(model.rungs[actor, model.day - 1, :] > 0))


def mean_grievance(actor: int, model: EscalationModel) -> float:
    """Mean over the worlds of ``actor``'s strongest grievance toward any actor (harm units, >= 0)."""
    return float(model.state.grievance[:, actor, :].max(axis=1).mean())


def notable_levels(scenario: Scenario) -> dict[str, int]:
    """Ladder level of each threshold id, and of the force threshold (``force_from``) if it is a rung id."""
    ladder = scenario.ladder
    levels = {t.id: ladder.level(t.at) for t in ladder.thresholds}
    force = scenario.parameters.force_from
    levels.setdefault(force, ladder.level(force))
    return levels


def model_reporters(scenario: Scenario) -> dict[str, Reporter]:
    """The model-level reporters of ``scenario``, by column name (see the module's description)."""
    levels = notable_levels(scenario)
    force = scenario.parameters.force_from
    reporters: dict[str, Reporter] = {"day": simulated_day}
    reporters |= {f"peak:{name}": partial(share_peak_at_least, level) for name, level in levels.items()}
    reporters[f"today:{force}"] = partial(share_at_least_today, levels[force])
    strategic = [(i, a.id) for i, a in enumerate(scenario.actors) if a.strategic]
    reporters |= {f"acted:{name}": partial(share_acted, i) for i, name in strategic}
    reporters |= {f"grievance:{name}": partial(mean_grievance, i) for i, name in strategic}
    return reporters
