"""Grievance and proportional reciprocity.

An actor's grievance toward each other actor grows by the harm it suffers from it (harm
units, see :mod:`escalation.mechanisms.casualties`), shrinks by the nominal harm it inflicts
back (an answer discharges the grievance it answers), and decays with a half-life. The
utility of an act is ``-reciprocity * sum_j (share * D_kj - G_j)**2`` over the adversaries
``j``: an answer in proportion to the grievance is best, too little or too much costs.
"""

from __future__ import annotations

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "reciprocity",
        "actor",
        0.0,
        100.0,
        1.0,
        "lognorm(s=0.75, scale={value})",
        "Set by judgement from the size of the documented answers; wide (a factor of 4.5 at ±2 sd).",
        "Weight of answering in proportion to grievance (utility per squared harm unit).",
        mechanism="grievance",
        unit="utility / harm²",
        requires="menu",
    ),
    Parameter(
        "grievance_half_life",
        "actor",
        0.0,
        3650.0,
        14.0,
        "lognorm(s=0.5, scale={value})",
        "Grievances of the 2019-2020 episode were still answered weeks later (A05 -> A26).",
        "Days for an unanswered grievance, and a pending red-line obligation, to halve.",
        mechanism="grievance",
        unit="days",
        low_open=True,
        requires="menu",
    ),
)


def decay_factor(half_life: float) -> float:
    """Daily factor of a quantity with this half-life (days): ``0.5 ** (1 / half_life)``.

    A half-life so short that ``1 / half_life`` overflows gives 0 (gone within the day).
    """
    with np.errstate(over="ignore"):
        return 0.5 ** (1.0 / half_life)


def squared_gap(share: float, harm: float, grievance: float) -> float:
    """``(share * harm - grievance)**2``: how far an act's harm to one adversary is from the grievance."""
    gap = share * harm - grievance
    return gap * gap


def reciprocity_term(reciprocity: float, squared_gaps: float) -> float:
    """``-reciprocity * sum_j (share * D_kj - G_j)**2``, given the sum of :func:`squared_gap` over adversaries."""
    return -reciprocity * squared_gaps


def lead_of_reciprocity(reciprocity: float, hold_harm: float, act_harm: float) -> tuple[float, float]:
    """``(base, slope)``: the most an act's reciprocity term can exceed act 0's, for one adversary.

    With ``a = act_harm`` and ``h = hold_harm`` (the harms each act answers, >= 0), a
    ``reciprocity`` >= 0 (its bounds) and the grievance ``g`` anywhere in ``[0, G]``, the
    difference of the two terms,
    ``reciprocity * (a - h) * (2 g - a - h)``, is at most ``base + slope * G``: linear in ``g``,
    it is largest at ``g = G`` when ``a > h`` and at ``g = 0`` otherwise.
    """
    base = reciprocity * (hold_harm * hold_harm - act_harm * act_harm)
    slope = 2.0 * reciprocity * (act_harm - hold_harm) if act_harm > hold_harm else 0.0
    return base, max(slope, 0.0)


def settle(grievance: float, increase: float, discharge: float) -> float:
    """A day's change of one grievance: discharged by answers (not below 0), raised by harm suffered."""
    return max(grievance - discharge, 0.0) + increase
