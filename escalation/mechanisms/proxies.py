"""Proxy control, deniability and solidarity.

Each day, with probability ``control``, a militia acts on its patron's judgement of the
militia's menu instead of its own: the patron is credited with ``1 - deniability`` of the
act's harm and feels ``1 - deniability`` of its fear, firebreak and domestic costs. Harm a
militia inflicts also counts, times ``1 - deniability``, as harm from its patron (victims
attribute proxy attacks), and harm a militia suffers raises its patron's grievance by
``solidarity`` times that harm.
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
        "Daily probability that a militia acts on its patron's judgement instead of its own.",
        mechanism="proxies",
        kinds=("militia",),
    ),
    Parameter(
        "deniability",
        "actor",
        0.0,
        1.0,
        0.0,
        "beta(a=2, b=2)",
        "Attacks were unclaimed but attributed to Iran-backed groups (A01-A05); wide.",
        "Share of a militia's act that is not attributed to its patron.",
        mechanism="proxies",
        kinds=("militia",),
    ),
    Parameter(
        "solidarity",
        "actor",
        0.0,
        1.0,
        0.0,
        "beta(a=2, b=5)",
        "Iran answered A10, which also killed al-Muhandis; solidarity with militias is judgement.",
        "Share of the harm a militia suffers that its patron feels as its own grievance.",
        mechanism="proxies",
        kinds=("militia",),
    ),
)


def follows_patron(uniform: float, control: float) -> bool:
    """Whether the militia acts on its patron's judgement today (``uniform`` in [0, 1))."""
    return uniform < control


def attributed_share(deniability: float) -> float:
    """Share of a militia's act credited to its patron: ``1 - deniability``."""
    return 1.0 - deniability
