"""A patron's orders: its proxy stands down for a period, or resumes.

An act or event with ``orders: stand_down`` aimed at a proxy of its actor orders it to stand
down for the ``for_days`` days that follow; ``orders: resume`` lifts a standing order. While an
order holds, every act of force of the proxy costs it its ``obedience``, whoever judges its
menu (its patron, deciding for it, keeps its own order too). A patron may give the order in
simulation when its menu holds such an act. No order is documented in the calibration corpus,
so ``obedience`` is not fitted: a scenario that uses orders sets it by judgement.
"""

from __future__ import annotations

from escalation.parameters import Parameter

STAND_DOWN, RESUME = 1, -1  # an act's or event's order, as the compiled model codes it (0: none)
ORDERS = {"stand_down": STAND_DOWN, "resume": RESUME}

PARAMETERS = (
    Parameter(
        "obedience",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "Judgement: no patron's order is documented in the corpus; wide around the value.",
        "Utility cost of each act of force of a proxy while its patron's stand-down order holds.",
        mechanism="orders",
        unit="utility",
        requires="patron",
    ),
)

# the values at which this mechanism does nothing (orders are not obeyed), for escalation fit --ablation
NEUTRAL = {"obedience": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"obedience": 3.0}


def ordered(order: int, days: float, standing: float) -> float:
    """Days an order leaves to run, counted before the day it is given ends: ``days + 1`` for a
    stand-down, 0 for a resume, ``standing`` (unchanged) for no order."""
    if order == STAND_DOWN:
        return days + 1.0
    if order == RESUME:
        return 0.0
    return standing


def order_term(obedience: float, days_left: float, rung: int, force_level: int) -> float:
    """``-obedience`` for an act of force while a stand-down order holds, else 0."""
    return -obedience if days_left > 0.0 and rung >= force_level else 0.0


def order_ceiling(obedience: float, days_left: float) -> float:
    """The largest :func:`order_term` of any act (0 for an obedience >= 0)."""
    return max(-obedience, 0.0) if days_left > 0.0 else 0.0


def run_down(days_left: float, days: float) -> float:
    """Days an order has left after ``days`` days pass."""
    return max(days_left - days, 0.0)
