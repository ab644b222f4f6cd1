"""Proxy control, deniability and solidarity.

A proxy is a militia, or a state, with a ``patron`` (a state). Each day, with probability
``control``, a proxy acts on its patron's judgement of the proxy's menu instead of its own:
the patron is credited with ``1 - deniability`` of the act's harm and feels
``1 - deniability`` of its fear, firebreak and domestic costs. Harm a proxy inflicts also
counts, times ``1 - deniability``, as harm from its patron (victims attribute proxy attacks),
and harm a proxy suffers raises its patron's grievance by ``solidarity`` times that harm.

Killing a proxy's commanders (an act or event with ``kills_commanders`` that harms the proxy)
cuts its patron's hold on it: the proxy loses the share ``decapitation`` of the ``control`` it
had left, and regains it as its grievances fade (the same half-life). After the killing of
al-Muhandis with Soleimani (A10), militia leaders met to "unite and coordinate" (A21).
"""

from __future__ import annotations

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "control",
        "actor",
        0.0,
        1.0,
        0.0,
        "beta(a=2, b=2)",
        "Reported influence of the IRGC over Kataib Hezbollah is strong but not complete; wide.",
        "Daily probability that a proxy acts on its patron's judgement instead of its own.",
        mechanism="proxies",
        requires="patron",
    ),
    Parameter(
        "deniability",
        "actor",
        0.0,
        1.0,
        0.0,
        "beta(a=2, b=2)",
        "Attacks were unclaimed but attributed to Iran-backed groups (A01-A05); wide.",
        "Share of a proxy's act that is not attributed to its patron.",
        mechanism="proxies",
        requires="patron",
    ),
    Parameter(
        "solidarity",
        "actor",
        0.0,
        1.0,
        0.0,
        "beta(a=2, b=5)",
        "Iran answered A10, which also killed al-Muhandis; solidarity with militias is judgement.",
        "Share of the harm a proxy suffers that its patron feels as its own grievance.",
        mechanism="proxies",
        requires="patron",
    ),
    Parameter(
        "decapitation",
        "actor",
        0.0,
        1.0,
        0.0,
        "uniform(loc=0, scale={value})",
        "Judgement: how much control the killing of a proxy's commanders costs is not documented.",
        "Share of its patron's control a proxy loses when an act kills its commanders (regained as grievance fades).",
        mechanism="proxies",
        requires="patron",
    ),
)


def follows_patron(uniform: float, control: float) -> bool:
    """Whether the proxy acts on its patron's judgement today (``uniform`` in [0, 1))."""
    return uniform < control


def decapitated(lost: float, decapitation: float) -> float:
    """Share of control lost after a killing of the proxy's commanders: ``1 - (1 - lost)(1 - decapitation)``."""
    return 1.0 - (1.0 - lost) * (1.0 - decapitation)


def held_control(control: float, lost: float) -> float:
    """The control a patron holds today: ``control * (1 - lost)``."""
    return control * (1.0 - lost)


def attributed_share(deniability: float) -> float:
    """Share of a proxy's act credited to its patron: ``1 - deniability``."""
    return 1.0 - deniability
