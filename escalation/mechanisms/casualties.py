"""Casualties, harm and the realised rung.

An act's deaths and wounded are negative-binomial counts with the action's means (a warned,
telegraphed act keeps only ``telegraph_factor`` of them) and shape ``casualty_dispersion``:
most salvos kill no one, a few kill many (K-1 killed one, Camp Taji three, A16 none).
The harm a victim suffers, in harm units, is

    harm = harm_base + casualty_sensitivity * target_value * (log1p(killed) + wound_weight * log1p(wounded))

An act that kills is realised at its ``lethal_rung`` (a rocket attack that kills is a lethal
proxy attack). A documented event may add ``damage``, harm units beyond its casualties (damage to
high-value sites that killed no one), to its target's harm.
"""

from __future__ import annotations

import math

import numpy as np

from escalation.parameters import Parameter

PARAMETERS = (
    Parameter(
        "telegraph_factor",
        "global",
        0.0,
        1.0,
        0.1,
        "beta(a=1, b=20)",
        "A16: ballistic missiles on two bases after a warning killed no one; warned strikes kill few.",
        "Share of an act's expected casualties left when it is telegraphed (the target was warned).",
        mechanism="casualties",
    ),
    Parameter(
        "wound_weight",
        "global",
        0.0,
        10.0,
        0.25,
        "lognorm(s=0.5, scale={value})",
        "Judgement: a wound weighs far less than a death in public reaction.",
        "Weight of log1p(wounded) against log1p(killed) in harm.",
        mechanism="casualties",
    ),
    Parameter(
        "casualty_dispersion",
        "global",
        0.01,
        1000.0,
        0.5,
        "lognorm(s=0.5, scale={value})",
        "Casualty counts of attacks are very uneven (22 attacks, about 5 deaths, 4 of them in two salvos).",
        "Negative-binomial shape of casualty counts (small = very uneven); an action may set its own.",
        mechanism="casualties",
    ),
    Parameter(
        "casualty_sensitivity",
        "actor",
        0.0,
        100.0,
        1.0,
        "lognorm(s=0.5, scale={value})",
        "Deaths of its own people weigh differently for each actor (the US red line of A04).",
        "Harm units per unit of log-casualties the actor suffers.",
        mechanism="casualties",
        requires="menu",  # a host's harm feeds a choice only when it has a menu
    ),
    Parameter(
        "killed_mean",
        "action",
        0.0,
        1e6,
        0.0,
        "lognorm(s=0.5, scale={value})",
        "From the documented deaths of such acts; an action without deaths is fixed at 0.",
        "Expected deaths of the act, before the telegraph factor.",
        mechanism="casualties",
        unit="deaths",
    ),
    Parameter(
        "wounded_mean",
        "action",
        0.0,
        1e6,
        0.0,
        "lognorm(s=0.5, scale={value})",
        "From the documented wounded of such acts; an action without wounded is fixed at 0.",
        "Expected wounded of the act, before the telegraph factor.",
        mechanism="casualties",
        unit="wounded",
    ),
    Parameter(
        "harm_base",
        "action",
        0.0,
        1000.0,
        0.0,
        "lognorm(s=0.5, scale={value})",
        "Judgement of the act's weight beyond its casualties (sanctions, a siege).",
        "Harm units the act inflicts whatever its casualties.",
        mechanism="casualties",
        unit="harm units",
    ),
    Parameter(
        "target_value",
        "action",
        0.0,
        1000.0,
        1.0,
        "lognorm(s=0.5, scale={value})",
        "Judgement: a senior commander counts for far more than a depot (A10).",
        "Multiplier of the casualty harm for the kind of target.",
        mechanism="casualties",
    ),
)


def harm(
    harm_base: float, sensitivity: float, target_value: float, killed: float, wounded: float, wound_weight: float
) -> float:
    """Harm units of one act to one victim (works on numbers and on numpy arrays alike)."""
    return harm_base + sensitivity * target_value * (np.log1p(killed) + wound_weight * np.log1p(wounded))


def damaged(harm: float, damage: float) -> float:
    """Harm to an event's target with the documented ``damage`` (harm units) it adds: sites hit without casualties."""
    return harm + damage


def realised_mean(mean: float, telegraphed: float, telegraph_factor: float) -> float:
    """Expected count as realised: times ``telegraph_factor`` when ``telegraphed`` (1) is set."""
    return mean * (1.0 - telegraphed * (1.0 - telegraph_factor))


def realised_rung(rung: int, lethal_rung: int, killed: int) -> int:
    """The rung an act stands at: its ``lethal_rung`` when it killed and has one, else its own."""
    return lethal_rung if killed > 0 and lethal_rung >= 0 else rung


def draw(uniform: float, mean: float, dispersion: float) -> int:
    """A negative-binomial count with this mean and shape, by inverting its distribution at ``uniform``.

    ``uniform`` is in [0, 1); the count is the smallest ``k`` whose cumulative probability
    exceeds it (0 when ``mean`` is 0). One uniform per count keeps the draws of two scenarios
    aligned world by world (common random numbers). The search walks up from 0, or, for a count
    whose mean lies more than 10 standard deviations above 0, from there (the mass below is far
    under what a uniform resolves); a start whose probability underflows is walked in logs.
    """
    if mean <= 0.0:
        return 0
    p = dispersion / (dispersion + mean)
    log_q = np.log1p(-p)  # log of the per-step factor's second part, 1 - p
    lowest = mean - 10.0 * np.sqrt(mean + mean * mean / dispersion)
    k = int(lowest) if lowest > 0.0 else 0  # below 10 sd under the mean lies mass far under 1e-16
    log_pmf = math.lgamma(k + dispersion) - math.lgamma(dispersion) - math.lgamma(k + 1.0)
    log_pmf += dispersion * np.log(p) + k * log_q
    if log_pmf > -700.0:  # the usual case: the probabilities themselves
        pmf = np.exp(log_pmf)
        cumulative = pmf
        step = np.exp(log_q)
        while uniform >= cumulative:
            k += 1
            pmf *= (k - 1 + dispersion) / k * step
            cumulative += pmf
            if pmf == 0.0 and k > mean:  # the rest of the tail is below what doubles resolve
                break
        return k
    cumulative = 0.0
    while True:  # a huge mean: walk in logs until the mass is resolvable, then on as above
        cumulative += np.exp(log_pmf)
        if uniform < cumulative or (k > mean and log_pmf < -745.0):
            return k
        k += 1
        log_pmf += np.log((k - 1 + dispersion) / k) + log_q
