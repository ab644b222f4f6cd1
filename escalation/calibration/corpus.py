"""A corpus of documented records and the posterior density of the parameters given all of them."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from escalation.calibration.space import FreeParameter
from escalation.errors import RunError
from escalation.likelihood import RecordLikelihood
from escalation.parameters import parameter_names
from escalation.scenario.schema import Scenario


class Corpus:
    """Several scenarios whose records are scored together; parameters are shared by full name."""

    def __init__(self, scenarios: Sequence[Scenario | str | os.PathLike[str]]) -> None:
        from escalation.scenario.loader import load_scenario

        loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
        if not loaded:
            raise RunError("fit: the corpus is empty")
        names = [s.name for s in loaded]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise RunError(f"fit: scenario names must differ within a corpus; repeated: {', '.join(twice)}")
        for scenario in loaded:
            if not scenario.timeline:
                raise RunError(f"fit: scenario {scenario.name!r} has no timeline to score")
        self.scenarios = loaded
        self.records = [RecordLikelihood(s) for s in loaded]
        self._names = [set(parameter_names(s)) for s in loaded]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def without(self, index: int) -> Corpus:
        """The corpus less its record ``index`` (sharing the prepared records)."""
        other = object.__new__(Corpus)
        other.scenarios = [s for j, s in enumerate(self.scenarios) if j != index]
        other.records = [r for j, r in enumerate(self.records) if j != index]
        other._names = [n for j, n in enumerate(self._names) if j != index]
        return other

    def parameter_names(self, scenario: Scenario) -> set[str]:
        """Full names of the parameters ``scenario`` (one of the corpus) can set."""
        return self._names[[s.name for s in self.scenarios].index(scenario.name)]

    def logliks(self, values: dict[str, np.ndarray], n_worlds: int) -> np.ndarray:
        """Log-likelihood of each scenario's record for each world: shape ``(n_scenarios, n_worlds)``."""
        out = np.empty((len(self.records), n_worlds))
        for i, (record, known) in enumerate(zip(self.records, self._names, strict=True)):
            own = {name: v for name, v in values.items() if name in known}
            out[i] = record.totals(own, n_worlds)
        return out


class LogPosterior:
    """Unnormalised log posterior on the unconstrained scale, for many points at once.

    ``__call__(u)`` takes ``u`` of shape ``(n_points, n_free)`` (or one point) and returns the
    log prior (with Jacobian) plus the pooled log-likelihood; ``-inf`` where either is not finite.
    """

    def __init__(self, corpus: Corpus, free: Sequence[FreeParameter], fixed: Mapping[str, float] | None = None) -> None:
        self.corpus = corpus
        self.free = list(free)
        self.fixed = dict(fixed or {})  # full name -> value held for every point (e.g. a mechanism switched off)
        self.evaluations = 0

    @property
    def dim(self) -> int:
        return len(self.free)

    def values(self, u: np.ndarray) -> dict[str, np.ndarray]:
        """Constrained parameter values of the points ``u`` ``(n_points, n_free)``, and the fixed values."""
        values = {p.name: p.to_x(u[:, j]) for j, p in enumerate(self.free)}
        return {**values, **{name: np.full(len(u), value) for name, value in self.fixed.items()}}

    def log_prior(self, u: np.ndarray) -> np.ndarray:
        u = np.atleast_2d(u)
        return sum((p.log_prior(u[:, j]) for j, p in enumerate(self.free)), np.zeros(len(u)))

    def parts(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(log prior, log-likelihood per scenario (n_scenarios, n_points))``."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        self.evaluations += len(u)
        prior = self.log_prior(u)
        logliks = self.corpus.logliks(self.values(u), len(u))
        return prior, logliks

    def __call__(self, u: np.ndarray) -> np.ndarray:
        prior, logliks = self.parts(u)
        total = prior + logliks.sum(axis=0)
        return np.where(np.isfinite(total), total, -np.inf)
