"""The parameter space of a fit: which parameters are free, their priors and their transforms.

A free parameter lives on the interval where both its registry bounds and its prior allow it.
The sampler and the optimiser move on an unconstrained scale ``u``: ``x = a + exp(u)`` on a
half-line ``(a, inf)``, ``x = a + (b - a) * sigmoid(u)`` on an interval ``(a, b)``, ``x = u``
on the real line; the prior density carries the Jacobian of that change of variables.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from escalation.errors import RunError
from escalation.parameters import Prior, scenario_parameters
from escalation.scenario.schema import Scenario

_U_LIMIT = 30.0  # |u| beyond this changes x by less than 1e-13 of its range: clipped, never -inf


@dataclass(frozen=True)
class FreeParameter:
    """One fitted parameter: full name, prior, support ``[low, high]`` and its judgement value."""

    name: str
    prior: Prior
    low: float
    high: float
    value: float  # the value of the first scenario that has it (the judgement value)
    scenarios: tuple[str, ...]  # names of the scenarios of the corpus that read it

    @property
    def transform(self) -> str:
        if np.isfinite(self.low) and np.isfinite(self.high):
            return "logit"
        if np.isfinite(self.low):
            return "log"
        return "identity"

    def frozen(self) -> Any:
        return self.prior.frozen()

    def to_x(self, u: np.ndarray) -> np.ndarray:
        """Constrained value of unconstrained ``u`` (any shape)."""
        u = np.clip(u, -_U_LIMIT, _U_LIMIT)
        if self.transform == "logit":
            return self.low + (self.high - self.low) * special.expit(u)
        if self.transform == "log":
            return self.low + np.exp(u)
        return u

    def to_u(self, x: np.ndarray) -> np.ndarray:
        """Unconstrained value of ``x`` (inside the support)."""
        x = np.asarray(x, dtype=float)
        if self.transform == "logit":
            share = np.clip((x - self.low) / (self.high - self.low), 1e-12, 1 - 1e-12)
            return special.logit(share)
        if self.transform == "log":
            return np.log(np.maximum(x - self.low, 1e-300))
        return x

    def log_prior(self, u: np.ndarray) -> np.ndarray:
        """Log prior density on the ``u`` scale: ``log p(x(u)) + log |dx/du|``."""
        u = np.clip(u, -_U_LIMIT, _U_LIMIT)
        x = self.to_x(u)
        if self.transform == "logit":
            jacobian = np.log(self.high - self.low) - np.logaddexp(0, -u) - np.logaddexp(0, u)
        elif self.transform == "log":
            jacobian = u
        else:
            jacobian = np.zeros_like(u)
        return self.frozen().logpdf(x) + jacobian

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draws from the prior restricted to the support (by rejection)."""
        dist = self.frozen()
        out = np.empty(0)
        while out.size < size:
            x = dist.rvs(size=4 * size + 16, random_state=rng)
            out = np.concatenate([out, x[(x > self.low) & (x < self.high)]])
        return out[:size]


def free_parameters(
    scenarios: Sequence[Scenario],
    patterns: Sequence[str] | None = None,
    *,
    option: str = "fit: --params",
    within: str = "the corpus",
) -> list[FreeParameter]:
    """The parameters a fit frees, in registry order, from every scenario of the corpus.

    Without ``patterns``: every global parameter and every parameter of the strategic actors
    whose prior is not ``fixed``; action parameters (casualty means, harm) keep their values.
    ``patterns`` are full names or shell patterns (``*.rationality``, ``iran.*``,
    ``rocket_attack.killed_mean``); a pattern that matches nothing is an error, worded with the
    caller's ``option`` and ``within`` ("fit: --params 'x' matches no free parameter of the corpus").
    """
    found: dict[str, FreeParameter] = {}
    for scenario in scenarios:
        strategic = {a.id for a in scenario.actors if a.strategic}
        for p in scenario_parameters(scenario):
            if p.prior.fixed:
                continue
            if patterns is None:
                chosen = p.spec.owner == "global" or (p.spec.owner == "actor" and p.owner_id in strategic)
            else:
                chosen = any(fnmatch.fnmatchcase(p.name, pattern) for pattern in patterns)
            if not chosen:
                continue
            if p.name in found:
                known = found[p.name]
                found[p.name] = FreeParameter(
                    known.name, known.prior, known.low, known.high, known.value, (*known.scenarios, scenario.name)
                )
                continue
            support_low, support_high = p.prior.frozen().support()
            low, high = max(p.spec.low, float(support_low)), min(p.spec.high, float(support_high))
            found[p.name] = FreeParameter(p.name, p.prior, low, high, p.value, (scenario.name,))
    if patterns is not None:
        for pattern in patterns:
            if not any(fnmatch.fnmatchcase(name, pattern) for name in found):
                raise RunError(f"{option} {pattern!r} matches no free parameter of {within}")
    return list(found.values())
