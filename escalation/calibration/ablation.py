"""What each mechanism buys: the corpus refitted with the mechanism switched off.

A mechanism module that declares ``NEUTRAL`` (the parameter values at which it does nothing)
can be ablated: its free parameters are held at those values in every scenario of the corpus,
the others are fitted again (MAP, started from the full fit's MAP), and the pooled
log-likelihood at that MAP is compared with the full fit's. The models are nested, so the
gain at the MAP is never negative beyond the optimiser's tolerance; a gain is worth its
parameters when it exceeds their number (Akaike's criterion, reported as ``aic_gain``), and
with ``leave_one_out`` each record is also scored at the MAP of the others without the
mechanism, the out-of-sample test a mechanism must pass to be kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from escalation.calibration.corpus import Corpus, LogPosterior
from escalation.calibration.space import FreeParameter
from escalation.parameters import scenario_parameters


def neutral_values(corpus: Corpus, module: Any) -> dict[str, float]:
    """Full name -> neutral value of every parameter of ``module`` in every scenario of the corpus."""
    neutral = getattr(module, "NEUTRAL", {})
    return {
        p.name: float(neutral[p.spec.name])
        for scenario in corpus.scenarios
        for p in scenario_parameters(scenario)
        if p.spec.name in neutral
    }


def leave_one_out(
    corpus: Corpus, free: list[FreeParameter], start: dict[str, float], fixed: dict[str, float] | None = None
) -> dict[str, dict[str, float]]:
    """Per record, the parameter values fitted to the other records (MAP from one start, ``start``).

    A parameter no other record reads keeps the scenario's own value: nothing of the held-out
    record enters its values. ``fixed`` values are held in every fit and returned with the rest.
    """
    from escalation.calibration.fit import find_map

    fixed = fixed or {}
    out: dict[str, dict[str, float]] = {}
    for i, record in enumerate(corpus.records):
        inside = [p for p in free if set(p.scenarios) - {record.scenario.name}]
        fitted: dict[str, float] = {}
        if inside:
            posterior = LogPosterior(corpus.without(i), inside, fixed)
            u, _ = find_map(posterior, np.array([[p.to_u(start[p.name]) for p in inside]]))
            fitted = {p.name: float(p.to_x(u[j])) for j, p in enumerate(inside)}
        known = corpus.parameter_names(record.scenario)
        out[record.scenario.name] = {k: v for k, v in {**fitted, **fixed}.items() if k in known}
    return out


def held_out_loglik(corpus: Corpus, values: dict[str, dict[str, float]]) -> dict[str, float]:
    """Each record's log-likelihood at its leave-one-out values."""
    return {r.scenario.name: float(r.totals(values[r.scenario.name])[0]) for r in corpus.records}


def mechanism_gains(
    corpus: Corpus,
    free: list[FreeParameter],
    map_u: np.ndarray,
    loglik_map: dict[str, float],
    with_leave_one_out: dict[str, float] | None = None,
) -> dict[str, dict[str, Any]]:
    """Per ablatable mechanism with free parameters: the fit without it and what it buys.

    ``loglik_map``: the full fit's log-likelihood per record at its MAP ``map_u``;
    ``with_leave_one_out``: the full model's leave-one-out scores, if computed (then the
    ablated model's are computed too).
    """
    from escalation.calibration.fit import find_map
    from escalation.mechanisms import MECHANISMS

    judgement = {p.name: p.value for p in free}
    gains: dict[str, dict[str, Any]] = {}
    for module in MECHANISMS:
        fixed = neutral_values(corpus, module)
        switched = [p for p in free if p.name in fixed]
        if not switched:
            continue
        rest = [p for p in free if p.name not in fixed]
        posterior = LogPosterior(corpus, rest, fixed)
        start = np.array([[map_u[free.index(p)] for p in rest]])
        u, _ = find_map(posterior, start)
        _, logliks = posterior.parts(u)
        without = dict(zip(corpus.names, logliks[:, 0].tolist(), strict=True))
        gain = sum(loglik_map.values()) - sum(without.values())
        name = module.__name__.rsplit(".", 1)[1]
        entry: dict[str, Any] = {
            "parameters": [p.name for p in switched],
            "neutral": {k: v for k, v in fixed.items() if k in {p.name for p in switched}},
            "loglik_without": sum(without.values()),
            "loglik_gain": gain,
            "aic_gain": gain - len(switched),
            "records_gain": {k: loglik_map[k] - without[k] for k in corpus.names},
        }
        if with_leave_one_out is not None:
            ablated = held_out_loglik(corpus, leave_one_out(corpus, rest, judgement, fixed))
            entry["loo_without"] = sum(ablated.values())
            entry["loo_gain"] = sum(with_leave_one_out.values()) - sum(ablated.values())
        gains[name] = entry
    return gains
