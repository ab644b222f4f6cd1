"""Accidents and misperception.

An act at or above ``accidents_from`` slips, with probability ``accident_probability``, one
step up the actor's menu (sorted by rung): inadvertent escalation (A18: air defences on high
alert shot down a civilian airliner). A victim perceives the harm of a simulated act times a
log-normal factor of mean 1 and log-sd ``perception_noise``; documented events are
perceived as recorded.
"""

from __future__ import annotations

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "accident_probability",
        "global",
        0.0,
        0.5,
        0.002,
        "beta(a=1, b=300)",
        "One documented accident (A18) in about 90 days of heightened alert.",
        "Daily probability that a military act slips one step up the menu.",
        mechanism="accidents",
    ),
    Parameter(
        "perception_noise",
        "global",
        0.0,
        3.0,
        0.25,
        "lognorm(s=0.5, scale={value})",
        "Casualty reports were contested for days (A16: none, later 110 brain injuries).",
        "Log-normal spread of perceived harm of simulated acts.",
        mechanism="accidents",
    ),
)

# the values at which this mechanism does nothing (no act slips), for escalation fit --ablation
NEUTRAL = {"accident_probability": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"accident_probability": 0.003}


def slip_probability(probability: float, rung: int, accident_level: int, pick: int, size: int) -> float:
    """Chance that the chosen act (menu index ``pick`` of ``size``, on ``rung``) slips one step up.

    The sampler lets it slip when a uniform draw in [0, 1) falls below this; the likelihood
    moves this share of the act's probability to the next act of the menu.
    """
    return probability if rung >= accident_level and pick < size - 1 else 0.0


def standard_normal(first: float, second: float) -> float:
    """A standard normal draw from two uniforms in [0, 1) (Box-Muller)."""
    return np.sqrt(-2.0 * np.log1p(-first)) * np.cos(2.0 * np.pi * second)


def perception_factor(normal: float, noise: float) -> float:
    """Log-normal factor of mean 1: ``exp(noise * normal - noise**2 / 2)`` for a standard normal draw."""
    return np.exp(noise * normal - 0.5 * noise * noise)
