"""What each mechanism buys: the corpus refitted with the mechanism switched off, or on.

A mechanism module declares ``NEUTRAL`` (the parameter values at which it does nothing) and
``TRIAL`` (values at which to try it). Where the corpus fits a mechanism's parameters, they
are held at ``NEUTRAL`` in every scenario and the rest refitted (MAP, started from the full
fit's MAP); where the corpus has the mechanism switched off (its parameters fixed at
``NEUTRAL``), its parameters are freed with the registry's prior around ``TRIAL`` and the
corpus refitted. Either way the report compares the model with the mechanism and without it:
the pooled log-likelihood at each model's MAP (a MAP weighs the priors too, so the model with
more parameters need not have the higher likelihood there), the gain less the number of
parameters (Akaike's criterion, positive when the mechanism is worth them), and with
leave-one-out each record scored at the MAP of the others, the out-of-sample test a mechanism
must pass to be kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from escalation.calibration.corpus import Corpus, LogPosterior
from escalation.calibration.space import FreeParameter
from escalation.parameters import parse_prior, scenario_parameters


def neutral_values(corpus: Corpus, module: Any) -> dict[str, float]:
    """Full name -> neutral value of every parameter of ``module`` in every scenario of the corpus."""
    neutral = getattr(module, "NEUTRAL", {})
    return {
        p.name: float(neutral[p.spec.name])
        for scenario in corpus.scenarios
        for p in scenario_parameters(scenario)
        if p.spec.name in neutral
    }


def trial_parameters(corpus: Corpus, module: Any) -> list[FreeParameter]:
    """The parameters that switch ``module`` on, free with the registry's prior around its ``TRIAL`` values.

    Empty unless every parameter of the mechanism in the corpus is fixed at its neutral value.
    """
    trial = getattr(module, "TRIAL", {})
    neutral = getattr(module, "NEUTRAL", {})
    found: dict[str, FreeParameter] = {}
    for scenario in corpus.scenarios:
        for p in scenario_parameters(scenario):
            if p.spec.name not in trial:
                continue
            if not p.prior.fixed or p.value != neutral[p.spec.name]:
                return []  # fitted, or set to something: not switched off
            if p.name in found:
                known = found[p.name]
                found[p.name] = FreeParameter(
                    known.name, known.prior, known.low, known.high, known.value, (*known.scenarios, scenario.name)
                )
                continue
            value = float(trial[p.spec.name])
            prior = parse_prior(p.spec.prior, value)
            support_low, support_high = prior.frozen().support()
            low, high = max(p.spec.low, float(support_low)), min(p.spec.high, float(support_high))
            found[p.name] = FreeParameter(p.name, prior, low, high, value, (scenario.name,))
    return list(found.values())


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
    """Per mechanism that the corpus fits (``switched: off``) or has off (``switched: on``): what it buys.

    ``loglik_map``: the full fit's log-likelihood per record at its MAP ``map_u``;
    ``with_leave_one_out``: the full model's leave-one-out scores per record, if computed
    (then the changed model's are computed too). Gains are always "with the mechanism" minus
    "without it".
    """
    from escalation.calibration.fit import find_map
    from escalation.mechanisms import MECHANISMS

    judgement = {p.name: p.value for p in free}
    full = sum(loglik_map.values())
    gains: dict[str, dict[str, Any]] = {}
    for module in MECHANISMS:
        fixed = neutral_values(corpus, module)
        switched = [p for p in free if p.name in fixed]
        if switched:
            changed_free, changed_fixed, sign = [p for p in free if p.name not in fixed], fixed, 1.0
            start = np.array([[map_u[free.index(p)] for p in changed_free]])
        else:
            switched = trial_parameters(corpus, module)
            if not switched:
                continue
            changed_free, changed_fixed, sign = [*free, *switched], {}, -1.0
            start = np.array([[*map_u, *(p.to_u(p.value) for p in switched)]])
        posterior = LogPosterior(corpus, changed_free, changed_fixed)
        u, _ = find_map(posterior, start)
        _, logliks = posterior.parts(u)
        changed = dict(zip(corpus.names, logliks[:, 0].tolist(), strict=True))
        gain = sign * (full - sum(changed.values()))
        entry: dict[str, Any] = {
            "switched": "off" if sign > 0 else "on",
            "parameters": [p.name for p in switched],
            "values": {p.name: float(changed_fixed[p.name] if sign > 0 else p.value) for p in switched},
            "map_changed": {k: float(v[0]) for k, v in posterior.values(np.atleast_2d(u)).items()},
            "loglik_changed": sum(changed.values()),
            "loglik_gain": gain,
            "aic_gain": gain - len(switched),
            "records_gain": {k: sign * (loglik_map[k] - changed[k]) for k in corpus.names},
        }
        if with_leave_one_out is not None:
            start_values = {**judgement, **{p.name: p.value for p in switched}}
            changed_loo = held_out_loglik(corpus, leave_one_out(corpus, changed_free, start_values, changed_fixed))
            entry["loo_changed"] = sum(changed_loo.values())
            entry["loo_gain"] = sign * (sum(with_leave_one_out.values()) - sum(changed_loo.values()))
        gains[module.__name__.rsplit(".", 1)[1]] = entry
    return gains
