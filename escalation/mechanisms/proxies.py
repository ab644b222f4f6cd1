"""Proxy control, deniability and solidarity.

A proxy is a militia, or a state, with a ``patron`` (a state). Each day, with probability
``control``, a proxy acts on its patron's judgement of the proxy's menu instead of its own:
the patron is credited with ``1 - deniability`` of the act's harm and feels
``1 - deniability`` of its fear, firebreak and domestic costs. Harm a proxy inflicts also
counts, times ``1 - deniability``, as harm from its patron (victims attribute proxy attacks),
and harm a proxy suffers raises its patron's grievance by ``solidarity`` times that harm.
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
)


def follows_patron(uniform: float, control: float) -> bool:
    """Whether the proxy acts on its patron's judgement today (``uniform`` in [0, 1))."""
    return uniform < control


def attributed_share(deniability: float) -> float:
    """Share of a proxy's act credited to its patron: ``1 - deniability``."""
    return 1.0 - deniability
