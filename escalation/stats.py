"""Interval estimates and quantiles from aggregated counts.

The one home of this arithmetic: results tables, figures and stopping rules all call it.
Nothing here imports scipy, so every command that reads results starts quickly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

CONFIDENCE = 0.95


def wilson_intervals(count: ArrayLike, total: int, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score intervals of the proportions ``count / total``, element by element.

    Wilson keeps close to nominal coverage for proportions near 0 or 1, where the normal
    approximation fails, without the over-width of Clopper-Pearson. The closed form (Newcombe
    1998) is the one of ``scipy.stats.binomtest(count, total).proportion_ci(method="wilson")``;
    without observations the interval is ``[0, 1]``.
    """
    if not 0 <= confidence < 1:
        raise ValueError(f"confidence must be at least 0 and below 1, got {confidence}")
    k = np.asarray(count, dtype=float)
    if total <= 0:
        return np.zeros_like(k), np.ones_like(k)
    n = float(total)
    z = NormalDist().inv_cdf(0.5 + 0.5 * confidence)
    p = k / n
    denominator = 2 * (n + z**2)
    centre = (2 * n * p + z**2) / denominator
    delta = z / denominator * np.sqrt(4 * n * p * (1 - p) + z**2)
    return np.where(k == 0, 0.0, centre - delta), np.where(k == n, 1.0, centre + delta)


def wilson_interval(count: int, total: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of one binomial proportion (see :func:`wilson_intervals`)."""
    low, high = wilson_intervals(int(count), int(total), confidence)
    return (float(low), float(high))


def half_width(count: int, total: int, confidence: float = CONFIDENCE) -> float:
    """Half the width of the Wilson interval."""
    low, high = wilson_interval(count, total, confidence)
    return (high - low) / 2.0


def count_quantiles(counts: ArrayLike, probabilities: Sequence[float]) -> np.ndarray:
    """Quantiles of the index along the last axis of a count array, histogram by histogram.

    Uses the inverted empirical distribution (the smallest index whose cumulative share
    reaches ``p``); ``nan`` where a histogram is empty. Result shape:
    ``counts.shape[:-1] + (len(probabilities),)``.
    """
    counts = np.asarray(counts, dtype=np.int64)
    out = np.full((*counts.shape[:-1], len(probabilities)), np.nan)
    if counts.shape[-1] == 0:
        return out
    cumulative = np.cumsum(counts, axis=-1)
    total = cumulative[..., -1:]
    for k, p in enumerate(probabilities):
        out[..., k] = np.argmax(cumulative >= np.maximum(p * total, 1), axis=-1)
    out[total[..., 0] == 0] = np.nan
    return out


def histogram_quantiles(counts: ArrayLike, probabilities: Sequence[float], offset: int = 0) -> list[float | None]:
    """Quantiles of an integer variable given ``counts[v - offset]`` = number of observations of ``v``.

    As :func:`count_quantiles` for one histogram; ``None`` for every quantile when there are
    no observations.
    """
    values = count_quantiles(counts, probabilities).tolist()
    return [None if math.isnan(v) else v + offset for v in values]


def histogram_mean(counts: ArrayLike, offset: int = 0) -> float | None:
    """Mean of an integer variable from its histogram (``None`` when empty)."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return None
    values = np.arange(counts.size) + offset
    return float((counts * values).sum() / total)


def parameter_interval(
    counts: ArrayLike, worlds: ArrayLike, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Interval of an outcome's probability that includes parameter uncertainty.

    ``counts[d]`` of the ``worlds[d]`` worlds that used posterior draw ``d`` ended in the
    outcome. The probability the model gives, ``p(theta)``, varies over the posterior; its
    between-draw variance is estimated free of the binomial noise of each draw's share
    (method of moments: the variance of the shares less their mean binomial variance,
    ``p_d (1 - p_d) / (n_d - 1)``, floored at 0). The interval is the central ``confidence``
    range of a beta distribution with the pooled share as its mean and, as its variance, that
    between-draw variance plus the Monte Carlo variance of the pooled share, widened where
    needed to hold the Monte Carlo (Wilson) interval. Returns
    ``(low, high, between-draw sd)``; ``nan`` when fewer than two draws have two worlds each.
    """
    from scipy import special  # only studies with a posterior pay for the import (not scipy.stats: 3x slower)

    c = np.asarray(counts, dtype=float)
    n = np.asarray(worlds, dtype=float)
    use = n >= 2
    if use.sum() < 2:
        return (math.nan, math.nan, math.nan)
    c, n = c[use], n[use]
    pooled = c.sum() / n.sum()
    shares = c / n
    weights = n / n.sum()
    spread = float(np.sum(weights * (shares - pooled) ** 2) * len(n) / (len(n) - 1))
    noise = float(np.sum(weights * shares * (1 - shares) / (n - 1)))
    between = max(spread - noise, 0.0)
    variance = between + pooled * (1 - pooled) / n.sum()
    if pooled <= 0 or pooled >= 1 or variance <= 0:
        low, high = wilson_interval(int(c.sum()), int(n.sum()), confidence)
        return (low, high, math.sqrt(between))
    strength = pooled * (1 - pooled) / variance - 1  # a + b of the moment-matched beta
    if strength <= 0:  # more spread than any beta with this mean: the widest honest answer
        return (0.0, 1.0, math.sqrt(between))
    a, b = pooled * strength, (1 - pooled) * strength
    tail = (1 - confidence) / 2
    low, high = (float(special.betaincinv(a, b, q)) for q in (tail, 1 - tail))  # the beta's quantiles
    # never narrower than the Monte Carlo interval alone (the beta's shape can be, for a rare outcome)
    mc_low, mc_high = wilson_interval(int(c.sum()), int(n.sum()), confidence)
    return (min(low, mc_low), max(high, mc_high), math.sqrt(between))
