"""Proper scores of a probability forecast over outcome classes, and the reference forecasts.

A forecast is a vector of probabilities over a scenario's outcome classes (summing to 1); the
observed class is an index into it.

* Multi-class Brier score: ``sum_k (p_k - o_k)^2`` with ``o_k`` 1 for the observed class and 0
  otherwise; 0 for a forecast that gave the observed class probability 1, 2 for one that gave
  another class probability 1. Lower is better.
* Log score: ``ln p_observed``, at most 0 (certainty of what happened), ``-inf`` when the
  forecast gave the observed class probability 0. Higher is better.

References: the uniform forecast over the classes, and leave-one-out climatology, the
observed-class frequencies of the *other* forecasts' records with add-``alpha`` smoothing
(``alpha = 0.5``, the Jeffreys prior), so a class no other record showed keeps a small
probability and its log score stays finite.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

CLIMATOLOGY_SMOOTHING = 0.5  # pseudo-count added to every class: (count + 0.5) / (n + 0.5 K)


def brier(probabilities: ArrayLike, observed: int) -> float:
    """Multi-class Brier score of ``probabilities`` (one per class) when class ``observed`` happened; in [0, 2]."""
    p = np.asarray(probabilities, dtype=float)
    outcome = np.zeros_like(p)
    outcome[observed] = 1.0
    return float(np.sum((p - outcome) ** 2))


def log_score(probability: float) -> float:
    """Natural log of the probability given to what happened: at most 0, ``-inf`` for 0."""
    return math.log(probability) if probability > 0 else -math.inf


def uniform(n_classes: int) -> np.ndarray:
    """Probability ``1 / n_classes`` for every class."""
    return np.full(n_classes, 1.0 / n_classes)


def climatology(
    observed: Sequence[str], classes: Sequence[Sequence[str]], alpha: float = CLIMATOLOGY_SMOOTHING
) -> list[np.ndarray]:
    """Leave-one-out climatology: for each record, smoothed frequencies of the others' observed classes.

    ``observed[i]`` is record ``i``'s observed class and ``classes[i]`` its forecast's classes.
    Record ``i``'s forecast counts how often each of its classes was observed in the records
    ``j != i`` (classes it does not have are not counted) and gives class ``k``
    ``(count_k + alpha) / (n + alpha * K)``, with ``n`` the counted records and ``K`` its
    number of classes: uniform when no other record is counted.
    """
    if len(observed) != len(classes):
        raise ValueError(f"{len(observed)} observed classes for {len(classes)} forecasts")
    forecasts = []
    for i, names in enumerate(classes):
        others = [name for j, name in enumerate(observed) if j != i]
        counts = np.array([others.count(name) for name in names], dtype=float)
        forecasts.append((counts + alpha) / (counts.sum() + alpha * len(names)))
    return forecasts
