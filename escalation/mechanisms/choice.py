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


FIRST_MARGIN = 1e-9  # relative margin of surely_first's bound, far above the rounding of the exact path


def largest_lead(utility: np.ndarray, size: int) -> float:
    """How far the best other act's utility lies above act 0's (negative when act 0 is best; ``-inf`` for one act)."""
    second = -np.inf
    for k in range(1, size):
        if utility[k] > second:
            second = utility[k]
    return second - utility[0]


LEAD_SLACK = 1e-9  # relative slack added to a bound on utility leads, far above the rounding of the utilities


def surely_first(lead: float, rationality: float, size: int, uniform: float) -> bool:
    """Whether the logit draw at ``uniform`` surely picks act 0, when no other act leads it by more than ``lead``.

    Each other act then weighs at most ``exp(rationality * lead)`` times act 0, so act 0's
    probability is at least ``1 / (1 + (size - 1) * exp(rationality * lead))``. A ``uniform``
    below that bound, less a relative margin of ``FIRST_MARGIN`` (the exact path's rounding is
    below ``size * 2**-52``), falls in act 0's share: :func:`pick` over :func:`probabilities`
    would return 0, and so it would after readiness restricts the menu to the acts below force,
    which only raises act 0's share. ``False`` means "not decided here", not "not act 0": the
    caller then takes the exact path, so the sampler's draws are unchanged. ``lead`` may be
    :func:`largest_lead` of the scored menu or any upper bound of it; a lead so large that act 0
    itself could fall below ``SAMPLING_CUTOFF`` (the sampler would not draw it) is never decided.
    """
    x = rationality * lead
    if x <= SAMPLING_CUTOFF:  # every other act is cut off: act 0 has probability 1
        return True
    if x >= -SAMPLING_CUTOFF - 1.0:
        return False
    return uniform < (1.0 - FIRST_MARGIN) / (1.0 + (size - 1) * np.exp(x))


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
