"""A ceasefire: declared by a signal, it holds until an act of force breaks it; breaking it costs utility.

An act or event with ``signal: ceasefire`` declares a ceasefire among all the actors. It holds
from the day after it is declared until the first day on which any actor's act (a proxy's
included) is realised at or above ``force_from``: that day's acts of force break it, and a
ceasefire declared on such a day does not take. While it holds, every act of force costs the
actor that judges it its ``ceasefire_value`` (scaled by ``1 - deniability`` when a patron judges
its proxy's menu, as domestic pressure): the cost of being the one who breaks it. No ceasefire
is documented in the calibration corpus, so the value is not fitted: a scenario that declares
one sets it by judgement.
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "ceasefire_value",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "Judgement: no ceasefire is documented in the calibration corpus; wide around the value.",
        "Utility cost of an act of force while a ceasefire holds: the cost of breaking it.",
        mechanism="ceasefire",
        unit="utility",
        requires="menu",
    ),
)

# the values at which this mechanism does nothing (breaking a ceasefire costs nothing), for fit --ablation
NEUTRAL = {"ceasefire_value": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"ceasefire_value": 3.0}


def ceasefire_term(value: float, holds: bool, rung: int, force_level: int, deniability: float) -> float:
    """``-value * (1 - deniability)`` for an act of force while the ceasefire holds, else 0."""
    return -value * (1.0 - deniability) if holds and rung >= force_level else 0.0


def ceasefire_ceiling(value: float, holds: bool, deniability: float) -> float:
    """The largest :func:`ceasefire_term` of any act (0 for a value >= 0)."""
    return max(-value * (1.0 - deniability), 0.0) if holds else 0.0


def after_day(holds: bool, declared: bool, force_used: bool) -> bool:
    """Whether the ceasefire holds after a day: broken by any act of force, else declared or as it was."""
    if force_used:
        return False
    return declared or holds
