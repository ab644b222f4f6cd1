"""Persistence: an exchange under way carries on.

The replay leaves every actor in the state the history left it (grievances, obligations,
beliefs, the crisis peak, orders, a ceasefire), but each simulated day every actor chooses
afresh: without this mechanism a war under way at the branch stops the next day in nearly every
world, for no act of the day before weighs on today's choice. Here the act of force an actor
took the day before (simulated, or replayed on the branch day) earns it its ``persistence``
today, whoever judges its menu: sustained campaigns and wars go on until a reason to stop
outweighs it. No sustained exchange is documented in the calibration corpus (its answers came
one at a time), so the value is not fitted: a scenario that branches in a war under way sets
it by judgement.
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "persistence",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "Judgement: the corpus documents no sustained exchange (answers came one at a time); wide.",
        "Utility of carrying on today the act of force the actor took the day before.",
        mechanism="persistence",
        unit="utility",
        requires="menu",
    ),
)

# the values at which this mechanism does nothing (no act carries on), for escalation fit --ablation
NEUTRAL = {"persistence": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"persistence": 2.0}

NONE = -1  # no act on record


def persistence_term(persistence: float, act: int, last: int, days_since: float, rung: int, force_level: int) -> float:
    """``persistence`` for repeating yesterday's act (``days_since`` 1) when it is an act of force, else 0."""
    return persistence if act == last and days_since == 1.0 and rung >= force_level else 0.0


def persistence_ceiling(persistence: float, last: int, days_since: float) -> float:
    """The largest :func:`persistence_term` of any act."""
    return max(persistence, 0.0) if last != NONE and days_since == 1.0 else 0.0
