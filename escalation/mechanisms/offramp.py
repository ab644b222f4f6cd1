"""Off-ramp signals and the expectation that restraint will be returned.

An act that signals an off-ramp (``signal: offramp``, e.g. Zarif's "concluded
proportionate measures" of A17) sets the adversaries' ``offramp_belief`` to 1 unless an
adversary state used force that same day (force sets it to 0). The belief halves every
``signal_half_life`` days, and restraint (acts below force) is worth ``restraint_value *
offramp_belief`` (A19: the US answered A16 with sanctions and "Iran appears to be standing down").
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "restraint_value",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.5, scale={value})",
        "A17 -> A19: a declared end of the response was met with restraint; weight is judgement.",
        "Utility of restraint when the adversary has signalled it will return it.",
        mechanism="offramp",
        unit="utility",
        requires="menu",
    ),
    Parameter(
        "signal_half_life",
        "global",
        0.0,
        3650.0,
        7.0,
        "lognorm(s=0.5, scale={value})",
        "Judgement: the 2020 signals kept their effect for weeks, not months.",
        "Days for an off-ramp belief to halve.",
        mechanism="offramp",
        unit="days",
        low_open=True,
    ),
)

# the values at which this mechanism does nothing (off-ramp signals change nothing), for escalation fit --ablation
NEUTRAL = {"restraint_value": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"restraint_value": 3.0}


def restraint_term(restraint_value: float, belief: float, rung: int, force_level: int) -> float:
    """``restraint_value * belief`` for an act below force, else 0."""
    return restraint_value * belief if rung < force_level else 0.0


def restraint_ceiling(restraint_value: float, belief: float) -> float:
    """The largest :func:`restraint_term` of any act."""
    return max(restraint_value * belief, 0.0)


def update_belief(belief: float, force_seen: bool, offramp_seen: bool) -> float:
    """After a day: 0 if an adversary state used force, else 1 if one signalled an off-ramp."""
    if force_seen:
        return 0.0
    if offramp_seen:
        return 1.0
    return belief
