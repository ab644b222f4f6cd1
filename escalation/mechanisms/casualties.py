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


WALK_STEPS = 256  # counts the walk resolves; beyond, a search on the distribution function
_FRACTION_TERMS = 1_000_000  # bound on the continued fraction's terms (it needs about sqrt(count))
_TINY = 1e-300  # keeps the continued fraction's denominators off zero
# counts from which log Gamma(a + b) - log Gamma(b) is taken from Stirling's series (two terms:
# the next, 1 / (1260 b**5), is below 1e-23 here), where two lgammas near b log b would cancel
STIRLING_FROM = 1e4


def draw(uniform: float, mean: float, dispersion: float) -> int:
    """A negative-binomial count with this mean and shape, by inverting its distribution at ``uniform``.

    ``uniform`` is in [0, 1); the count is the smallest ``k`` whose cumulative probability
    exceeds it (0 when ``mean`` is 0). One uniform per count keeps the draws of two scenarios
    aligned world by world (common random numbers). The usual count is found by walking up from
    0, adding probabilities (at most ``WALK_STEPS`` steps). A count beyond, or one whose
    probability at 0 underflows (a huge mean), is found by doubling then halving a bracket on the
    distribution function, P(K <= k) = I_p(dispersion, k + 1) (the regularised incomplete beta
    function at p = dispersion / (dispersion + mean), by its continued fraction): about
    2 log2(count) evaluations, whatever the mean and shape, each exact to about 1e-12 even for
    counts of 10^8 (the ratio of gamma functions in front of the fraction comes from Stirling's
    series for large counts).
    """
    if mean <= 0.0:
        return 0
    p = dispersion / (dispersion + mean)
    log_q = np.log1p(-p)  # log of the per-step factor's second part, 1 - p
    log_pmf = dispersion * np.log(p)
    below = -1  # the largest count known to have P(K <= count) <= uniform (-1: none yet)
    if log_pmf > -700.0:  # the usual case: walk up through the probabilities themselves
        k = 0
        pmf = np.exp(log_pmf)
        cumulative = pmf
        step = np.exp(log_q)
        while uniform >= cumulative:
            if k == WALK_STEPS:
                break
            k += 1
            pmf *= (k - 1 + dispersion) / k * step
            cumulative += pmf
            if pmf == 0.0 and k > mean:  # the rest of the tail is below what doubles resolve
                return k
        if uniform < cumulative:
            return k
        below = k
    above = -1  # the smallest count known to have P(K <= count) > uniform (-1: none yet)
    width = 1
    for _ in range(256):  # doublings while no count above is known, then halvings
        if above >= 0 and above - below <= 1:
            return above
        middle = below + width if above < 0 else (below + above) // 2
        # P(K <= middle) = I_p(a, b) with a = dispersion, b = middle + 1, by the continued
        # fraction of I_x(a, b), or of 1 - I_x(a, b) = I_{1-x}(b, a) where that converges faster
        a, b, x = dispersion, middle + 1.0, p
        if b < STIRLING_FROM:
            ratio = math.lgamma(a + b) - math.lgamma(b)
        else:  # log Gamma(a + b) - log Gamma(b) without the cancellation of two huge lgammas
            ratio = a * np.log(b) + (b + a - 0.5) * np.log1p(a / b) - a
            ratio += (1.0 / (12.0 * (a + b)) - 1.0 / (360.0 * (a + b) ** 3)) - (1.0 / (12.0 * b) - 1.0 / (360.0 * b**3))
        front = ratio - math.lgamma(a) + a * np.log(p) + b * log_q
        flipped = x > (a + 1.0) / (a + b + 2.0)
        if flipped:
            a, b, x = b, a, mean / (dispersion + mean)
        c = 1.0
        d = 1.0 - (a + b) * x / (a + 1.0)
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        fraction = d
        for m in range(1, _FRACTION_TERMS):
            for term in (m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
                         -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))):  # fmt: skip
                d = 1.0 + term * d
                d = 1.0 / (d if abs(d) > _TINY else _TINY)
                c = 1.0 + term / c
                c = c if abs(c) > _TINY else _TINY
                fraction *= d * c
            if abs(d * c - 1.0) < 1e-15:
                break
        tail = np.exp(front) * fraction / a
        cumulative = 1.0 - tail if flipped else tail
        if uniform < cumulative:
            above = middle
        else:
            below = middle
            if above < 0:
                width *= 2
    return above if above >= 0 else below + width
