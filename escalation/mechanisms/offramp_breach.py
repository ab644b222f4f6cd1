"""A breach of restraint: deaths after an off-ramp weaken the belief that restraint will be returned.

An off-ramp signal (:mod:`escalation.mechanisms.offramp`) makes restraint worth
``restraint_value * offramp_belief``; an adversary *state*'s use of force voids the belief.
Killings by an adversary's proxies did not: after an off-ramp, ten deaths raised the chance of
a US military answer within a week only from 2% to 3%. With this mechanism, on a day an
adversary's act (state or proxy) kills any of the actor's people, as it perceives them, the
belief loses the share ``offramp_fragility``: deaths after an off-ramp still demand an answer
(A25 -> A26: Camp Taji's three dead were answered the next day, two months after the
off-ramp of 8 January).
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "offramp_fragility",
        "actor",
        0.0,
        1.0,
        0.0,
        "beta(a=2, b=2)",
        "How much restraint survives deaths after an off-ramp is not documented: wide, centred.",
        "Share of the off-ramp belief lost on a day an adversary's act kills the actor's people.",
        mechanism="offramp_breach",
        requires="menu",
    ),
)

# the values at which this mechanism does nothing (deaths leave the belief as it is), for fit --ablation
NEUTRAL = {"offramp_fragility": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"offramp_fragility": 0.5}


def breached(belief: float, offramp_fragility: float, killed_by_adversary: bool) -> float:
    """The belief after a day: times ``1 - offramp_fragility`` if an adversary's act killed the actor's people."""
    return belief * (1.0 - offramp_fragility) if killed_by_adversary else belief
