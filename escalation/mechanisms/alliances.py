"""Alliances: harm to an ally is felt, and an ally's pressure restrains force.

Actors a scenario declares allies (``allies:``) are never adversaries. Harm an actor suffers
raises each of its allies' grievance toward the attacker by the ally's ``ally_solidarity``
times that harm (as harm to a proxy raises its patron's by the proxy's ``solidarity``). And
each ally presses its partner to hold back: an act of force costs the actor the sum of its
allies' ``ally_restraint`` (scaled by ``1 - deniability`` when a patron judges its proxy's
menu, as domestic pressure). The calibration corpus declares no alliance, so neither value is
fitted: a scenario that declares one sets both by judgement.
"""

from __future__ import annotations

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "ally_solidarity",
        "actor",
        0.0,
        1.0,
        0.0,
        "beta(a=2, b=5)",
        "No alliance in the calibration corpus: wide, leaning to small shares, as a patron's solidarity.",
        "Share of the harm an ally suffers that the actor feels as its own grievance toward the attacker.",
        mechanism="alliances",
        requires="allies",
    ),
    Parameter(
        "ally_restraint",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "Judgement: no documented quantity (the corpus declares no alliance); wide around the value.",
        "Utility cost the actor's pressure puts on each of its allies' acts of force.",
        mechanism="alliances",
        unit="utility",
        requires="allies",
    ),
)

# the values at which this mechanism does nothing (allies feel nothing and press no one), for fit --ablation
NEUTRAL = {"ally_solidarity": 0.0, "ally_restraint": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"ally_solidarity": 0.3, "ally_restraint": 1.0}


def pressure_on(ally_restraint: np.ndarray, allies: np.ndarray) -> np.ndarray:
    """Restraint pressure on each actor: the sum of its allies' ``ally_restraint``.

    ``ally_restraint`` is ``(..., n_actors)`` (any leading world axes), ``allies`` the
    ``(n_actors, n_actors)`` symmetric alliance matrix.
    """
    return ally_restraint @ allies.astype(float)


def restraint_term(pressure: float, rung: int, force_level: int, deniability: float) -> float:
    """``-pressure * (1 - deniability)`` for an act of force, else 0."""
    return -pressure * (1.0 - deniability) if rung >= force_level else 0.0


def felt(ally_solidarity: float, harm: float) -> float:
    """Grievance an ally feels toward the attacker of its partner: ``ally_solidarity * harm``."""
    return ally_solidarity * harm
