"""Credibility and red lines.

An actor with a ``red_line`` that has been declared (``active``, or set by an act that
``declares_red_line``) owes an answer once an adversary's act kills at least
``killed_at_least`` of its people as it perceives them: ``pending`` becomes 1 (after the
whole day has been read, so no act answers one of the same day). An act at or above
``respond_at_least`` answers it (``pending`` = 0); otherwise it decays with the grievance
half-life. The utility of an answering act grows by ``credibility * pending`` (A04: the US
warned that American deaths would be answered; A05 -> A06).

A vow is the same obligation taken on by the actor's own act: an act or event that ``vows`` a
level (a rung or threshold) sets ``pending`` to 1 and the level it asks for to the vowed one,
once the day's acts have been read (C2-02: "The crimes will not remain unanswered"; C5-02).
The answer then waits on the preparation mechanism: on a day the actor is not ready for force
it cannot answer, and the obligation, decaying with the grievance half-life, keeps the answer
wanted until a ready day.
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "credibility",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.5, scale={value})",
        "A04 -> A06: the declared red line was answered within two days of the first death.",
        "Utility of answering a crossed red line at or above the promised rung.",
        mechanism="red_lines",
        unit="utility",
        requires="menu",
    ),
)

# the values at which this mechanism does nothing (a crossed red line adds no utility), for fit --ablation
NEUTRAL = {"credibility": 0.0}
# where fit --ablation tries it when a corpus has it switched off (with the registry's prior)
TRIAL = {"credibility": 4.0}


def credibility_term(credibility: float, pending: float, rung: int, respond_level: int) -> float:
    """``credibility * pending`` for an act at or above the promised rung, else 0."""
    return credibility * pending if respond_level >= 0 and rung >= respond_level else 0.0


def credibility_ceiling(credibility: float, pending: float, respond_level: int) -> float:
    """The largest :func:`credibility_term` of any act."""
    return max(credibility * pending, 0.0) if respond_level >= 0 else 0.0


def crossed(perceived_killed: int, killed_at_least: int) -> bool:
    """Whether an act that killed this many (as perceived) crosses the red line."""
    return perceived_killed >= killed_at_least


def answered(rung: int, respond_level: int) -> bool:
    """Whether an act at ``rung`` answers a pending red line."""
    return respond_level >= 0 and rung >= respond_level
