"""Interval estimates and quantiles from aggregated counts."""

from __future__ import annotations

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def wilson_interval(count: int, total: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (``scipy.stats.binomtest``).

    Wilson keeps close to nominal coverage for proportions near 0 or 1, where the normal
    approximation fails, without the over-width of Clopper-Pearson.
    """
    if total <= 0:
        return (0.0, 1.0)
    ci = stats.binomtest(int(count), int(total)).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def half_width(count: int, total: int, confidence: float = CONFIDENCE) -> float:
    """Half the width of the Wilson interval."""
    low, high = wilson_interval(count, total, confidence)
    return (high - low) / 2.0


def histogram_quantiles(counts: np.ndarray, probabilities: tuple[float, ...], offset: int = 0) -> list[float | None]:
    """Quantiles of an integer variable given ``counts[v - offset]`` = number of observations of ``v``.

    Uses the inverted empirical distribution (the smallest value whose cumulative share
    reaches ``p``); ``None`` for every quantile when there are no observations.
    """
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return [None for _ in probabilities]
    cumulative = np.cumsum(counts)
    out: list[float | None] = []
    for p in probabilities:
        index = int(np.searchsorted(cumulative, max(p * total, 1), side="left"))
        out.append(float(index + offset))
    return out


def histogram_mean(counts: np.ndarray, offset: int = 0) -> float | None:
    """Mean of an integer variable from its histogram (``None`` when empty)."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return None
    values = np.arange(counts.size) + offset
    return float((counts * values).sum() / total)
