"""Counter-escalation fear and the firebreak cost.

Fear of the other side's answer grows with the rung: ``fear * c(r)`` with the convex curve
``c(r) = expm1(s * r / top) / expm1(s)`` (0 at the bottom rung, 1 at the top, ``s`` =
``fear_steepness``). Crossing a firebreak the crisis has not yet crossed costs
``threshold_cost`` per firebreak (Kahn's thresholds; Schelling's salience of limits).
Both are scaled by ``1 - d`` for a patron judging a proxy's deniable act (``d`` = deniability).
"""

from __future__ import annotations

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "fear",
        "actor",
        0.0,
        1000.0,
        4.0,
        "lognorm(s=0.5, scale={value})",
        "Judgement: both states avoided war and direct strikes without warning in 2020.",
        "Utility cost of the top rung from fear of the answer; lower rungs cost fear * c(rung).",
        mechanism="fear",
        unit="utility",
        requires="menu",
    ),
    Parameter(
        "threshold_cost",
        "actor",
        0.0,
        1000.0,
        1.0,
        "lognorm(s=0.75, scale={value})",
        "Judgement: crossings of new firebreaks were rare and deliberate (A10, A16).",
        "Utility cost of each firebreak an act would cross for the first time in the crisis.",
        mechanism="fear",
        unit="utility per firebreak",
        requires="menu",
    ),
    Parameter(
        "fear_steepness",
        "global",
        0.0,
        20.0,
        3.0,
        "lognorm(s=0.4, scale={value})",
        "Shape only: how convex fear is in the rung; moderate uncertainty.",
        "Convexity s of the fear curve c(r) = expm1(s r / top) / expm1(s).",
        mechanism="fear",
        low_open=True,
    ),
)


def fear_curve(steepness: float, level: float, top: float) -> float:
    """``c(level) = expm1(steepness * level / top) / expm1(steepness)``: 0 at the bottom, 1 at ``top``."""
    return np.expm1(steepness * level / top) / np.expm1(steepness)


def fear_term(fear: float, curve: float, deniability: float) -> float:
    """``-fear * c(r) * (1 - deniability)``."""
    return -fear * curve * (1.0 - deniability)


def firebreak_term(threshold_cost: float, deniability: float, crossed_by_act: int, crossed_already: int) -> float:
    """``-threshold_cost * (1 - deniability) * (firebreaks the act would newly cross)``."""
    newly = crossed_by_act - crossed_already
    return -threshold_cost * (1.0 - deniability) * newly if newly > 0 else 0.0


def firebreak_ceiling(threshold_cost: float, deniability: float, most_crossings: int) -> float:
    """The largest :func:`firebreak_term` of any act (0 for a cost >= 0), ``most_crossings`` the ladder's firebreaks."""
    return max(-threshold_cost * (1.0 - deniability), 0.0) * most_crossings
