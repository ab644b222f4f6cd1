"""Quantal-response (logit) choice, with the inertia of the status quo.

Each day an actor scores every action of its menu and picks one with probability
``softmax(rationality * utility)`` (McKelvey & Palfrey's logit QRE). ``inertia`` is a bonus
for holding, the lowest rung of the menu: most crisis days pass without a public act.
The same :func:`probabilities` serves the sampler and the likelihood of a documented act.
"""

from __future__ import annotations

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "rationality",
        "actor",
        0.0,
        100.0,
        1.0,
        "lognorm(s=0.5, scale={value})",
        "A scale on every utility: within a factor of about 2.7 of the judgement value (±2 sd).",
        "How sharply the actor prefers better acts: 0 is a random choice, large values always pick the best act.",
        mechanism="choice",
        unit="1 / utility",
        low_open=True,
        requires="menu",
    ),
    Parameter(
        "inertia",
        "global",
        0.0,
        100.0,
        0.0,
        "lognorm(s=0.5, scale={value})",
        "Set so that quiet days dominate as in the record (most days have no public act).",
        "Utility of holding (the lowest rung of a menu): the default of a day without reason to act.",
        mechanism="choice",
        unit="utility",
    ),
)


SAMPLING_CUTOFF = -40.0  # scaled utility below the best at which the sampler skips an option's exponential


def inertia_term(inertia: float, rung: int, lowest_rung: int) -> float:
    """Utility bonus of holding: ``inertia`` for an act on the menu's lowest rung, else 0."""
    return inertia if rung == lowest_rung else 0.0


def probabilities(utility: np.ndarray, rationality: float, size: int, out: np.ndarray, cutoff: float) -> None:
    """Write ``softmax(rationality * utility[:size])`` into ``out[:size]`` (shifted by the best utility).

    An option whose scaled utility lies more than ``-cutoff`` below the best gets probability 0
    without computing its exponential. The sampler passes ``SAMPLING_CUTOFF``: such an option's
    probability, below ``exp(-40)`` = 4e-18, is under what a 53-bit uniform draw resolves, so
    dropping it changes the draws only by rounding; the likelihood passes ``-inf`` and keeps
    every probability, however small.
    """
    top = utility[0]
    for k in range(1, size):
        if utility[k] > top:
            top = utility[k]
    total = 0.0
    for k in range(size):
        x = rationality * (utility[k] - top)
        out[k] = np.exp(x) if x > cutoff else 0.0
        total += out[k]
    for k in range(size):
        out[k] /= total


def pick(probability: np.ndarray, size: int, uniform: float) -> int:
    """Index drawn from ``probability[:size]`` by inverting its cumulative sum at ``uniform`` in [0, 1).

    An option of probability 0 is never picked, even for ``uniform == 0``.
    """
    cumulative = 0.0
    last = 0
    for k in range(size):
        if probability[k] > 0.0:
            last = k
            cumulative += probability[k]
            if uniform < cumulative:
                return k
    return last
