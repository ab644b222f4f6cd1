"""Accidents and misperception.

An act at or above ``accidents_from`` slips, with probability ``accident_probability``, to
the next act up the actor's menu (sorted by rung) that harms the same target, as its target or
a co-victim (an act without a target: to the next act up the menu): inadvertent escalation
against the same adversary (A18: air defences on high alert shot down a civilian airliner),
never a switch of target. An act with no such act above it cannot slip. A victim perceives the
harm of a simulated act times a log-normal factor of mean 1 and log-sd ``perception_noise``;
documented events are perceived as recorded.
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
        "Daily probability that a military act slips up the menu to a graver act against the same target.",
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


def slip_destinations(targets: np.ndarray, victims: np.ndarray) -> np.ndarray:
    """Where each act of a menu sorted by rung slips to: the menu index of the next act up that
    harms its target (``-1``: it cannot slip).

    ``targets[k]`` is act ``k``'s target (``-1``: none, and it slips to the next act up the
    menu); ``victims[k, j]`` whether act ``k`` harms actor ``j`` (target or co-victim).
    """
    size = targets.size
    out = np.full(size, -1, dtype=np.int64)
    for k in range(size - 1):
        above = np.arange(k + 1, size)
        fits = above if targets[k] < 0 else above[victims[above, targets[k]]]
        if fits.size:
            out[k] = fits[0]
    return out


def slip_probability(probability: float, rung: int, accident_level: int, destination: int) -> float:
    """Chance that the chosen act (on ``rung``, slipping to menu index ``destination``) slips.

    The sampler lets it slip when a uniform draw in [0, 1) falls below this; the likelihood
    moves this share of the act's probability to the act it slips to.
    """
    return probability if rung >= accident_level and destination >= 0 else 0.0


def standard_normal(first: float, second: float) -> float:
    """A standard normal draw from two uniforms in [0, 1) (Box-Muller)."""
    return np.sqrt(-2.0 * np.log1p(-first)) * np.cos(2.0 * np.pi * second)


def perception_factor(normal: float, noise: float) -> float:
    """Log-normal factor of mean 1: ``exp(noise * normal - noise**2 / 2)`` for a standard normal draw."""
    return np.exp(noise * normal - 0.5 * noise * noise)
