"""A standing campaign: low-level attacks kept up whatever the grievance of the day.

Iran-backed militias fired on bases hosting US forces for months without a particular
provocation to answer: the Camp Taji attack of 11 March 2020 was the 22nd on US interests in
Iraq since October 2019 (AFP, in the record of A25), and militia leaders met in Qom "to unite
and coordinate forces to fully liberate Iraq from US forces" (A21). Grievance alone makes such
attacks rare once it has been answered and has decayed. Here an actor's least act of force
(the lowest act at or above ``force_from`` on its menu: for a militia, unclaimed harassment
fire) earns ``campaign_value``, whoever judges its menu (the patron deciding for its proxy
keeps the campaign up too).
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "campaign_value",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "22 militia attacks in about five months (AFP, A25) with few provocations between; weight is judgement.",
        "Utility of the actor's least act of force, whatever its grievance: a standing campaign of harassment.",
        mechanism="campaign",
        unit="utility",
        requires="menu",
    ),
)

# the values at which this mechanism does nothing (no standing campaign), for escalation fit --ablation
NEUTRAL = {"campaign_value": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"campaign_value": 1.0}


def campaign_term(campaign_value: float, act_index: int, least_force_index: int) -> float:
    """``campaign_value`` for the least act of force of the menu (its menu index), else 0."""
    return campaign_value if act_index == least_force_index else 0.0
