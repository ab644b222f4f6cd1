"""Domestic and host-nation pressure.

``domestic_pressure`` is a cost of any act of force (scaled by ``1 - d`` for a patron
judging a proxy's deniable act). The host-nation pressure on an actor (initially its
``host_pressure``, raised by events' ``effects``, e.g. the Iraqi parliament's vote of A13, and
by acts aimed at it that carry ``adds_host_pressure``, such as a host's protest, restriction
or expulsion order) is a cost of force on the host's soil.
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "domestic_pressure",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "Judgement: war-powers debate in the US after A10; weakly informed.",
        "Utility cost of any act of force (at or above force_from).",
        mechanism="pressure",
        unit="utility",
        requires="menu",
    ),
    Parameter(
        "host_pressure",
        "actor",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "A13: the Iraqi parliament voted to expel foreign forces; its weight is judgement.",
        "Initial utility cost of force on the host nation's soil (events' effects add to it).",
        mechanism="pressure",
        unit="utility",
        requires="menu",
    ),
    Parameter(
        "adds_host_pressure",
        "action",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.75, scale={value})",
        "Judgement: no act's weight is documented (A13's vote enters as an event effect of 1.0).",
        "Host-nation pressure the act adds on its target (a host's protest, restriction or expulsion).",
        mechanism="pressure",
        unit="utility",
    ),
)


def domestic_term(domestic_pressure: float, rung: int, force_level: int, deniability: float) -> float:
    """``-domestic_pressure * (1 - deniability)`` for an act of force, else 0."""
    return -domestic_pressure * (1.0 - deniability) if rung >= force_level else 0.0


def host_term(host_pressure: float, on_host_soil: bool, rung: int, force_level: int) -> float:
    """``-host_pressure`` for an act of force on the host's soil, else 0."""
    return -host_pressure if on_host_soil and rung >= force_level else 0.0


def host_ceiling(host_pressure: float) -> float:
    """The largest :func:`host_term` of any act (0 for a pressure >= 0)."""
    return max(-host_pressure, 0.0)


def pressed_by(host_pressure: float, adds_host_pressure: float) -> float:
    """The target's host-nation pressure after an act that adds ``adds_host_pressure`` to it."""
    return host_pressure + adds_host_pressure
