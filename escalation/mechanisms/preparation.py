"""Time to prepare an answer: force is used only on days an actor is ready for it.

An act of force needs a decision and a plan: targets chosen, forces in place, allies warned.
Each day an actor is ready to use force with probability ``h = 1 - exp(-1 / preparation_days)``
(1 when ``preparation_days`` is 0); on a day it is not ready it chooses among the acts of its
menu below ``force_from`` only, with the same utilities (the logit restricted to those acts,
i.e. renormalised over them). The wait for a ready day is geometric with mean ``1 / h``
(about ``preparation_days + 0.5`` days), so an answer the actor wants comes after days, and
stays possible for as long as the grievance or a pending red line keeps it wanted.

The record demands it: Iran answered the killing of 3 January on 8 January (A10 -> A16, 5
days); the US answered K-1 after 2 days (A05 -> A06) and Camp Taji after 1 (A25 -> A26); the
calibration episodes' answers came after 0 to 31 days (``response_delays`` of
``scenarios/sources/calibration-episodes.yaml``). Without it the model answers the next day
or never.
"""

from __future__ import annotations

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "preparation_days",
        "actor",
        0.0,
        365.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "Documented delays from provocation to answer: 1-5 days in 2019-2020, 0-31 in the episodes; wide.",
        "Mean days an actor needs before it is ready to use force (0: ready every day).",
        mechanism="preparation",
        unit="days",
        requires="menu",
    ),
)

# the values at which this mechanism does nothing (ready for force every day), for escalation fit --ablation
NEUTRAL = {"preparation_days": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"preparation_days": 2.0}


def readiness(preparation_days: float | np.ndarray) -> float | np.ndarray:
    """Daily probability of being ready for force: ``1 - exp(-1 / preparation_days)``, 1 at 0 days.

    Takes a number or an array of them (every world's value at once).
    """
    days = np.asarray(preparation_days, dtype=float)
    with np.errstate(over="ignore"):  # a tiny positive number of days: ready every day
        ready = np.where(days <= 0.0, 1.0, -np.expm1(-1.0 / np.where(days <= 0.0, 1.0, days)))
    return float(ready) if ready.ndim == 0 else ready


def is_ready(uniform: float, ready: float) -> bool:
    """Whether the actor is ready for force today (``uniform`` in [0, 1))."""
    return uniform < ready


def restrict(probability: np.ndarray, size: int, n_below: int) -> None:
    """An unready day: ``probability[:size]`` renormalised over the first ``n_below`` acts (those below force).

    The menu is sorted by rung, so the acts below force come first. When the menu has no act
    below force, or none of them can be chosen, readiness changes nothing.
    """
    below = 0.0
    for k in range(n_below):
        below += probability[k]
    if below <= 0.0:
        return
    for k in range(size):
        probability[k] = probability[k] / below if k < n_below else 0.0


def mix(probability: np.ndarray, size: int, n_below: int, ready: float) -> None:
    """The day's act probabilities before the readiness draw: ``ready * P + (1 - ready) * restricted(P)``."""
    if ready >= 1.0:
        return
    below = 0.0
    for k in range(n_below):
        below += probability[k]
    if below <= 0.0:
        return
    for k in range(size):
        if k < n_below:
            probability[k] = ready * probability[k] + (1.0 - ready) * probability[k] / below
        else:
            probability[k] = ready * probability[k]
