"""Simple rules the model must beat: the record's likelihood under uniform, always-hold and tit-for-tat.

Each baseline gives every covered actor-day a probability for each act of the actor's menu,
and the record is scored with the same observation model as the model itself
(:mod:`escalation.likelihood`: shares, counts, quiet days). Baselines say nothing about
casualties, so the comparison is on the **acts** part of the log-likelihood (the model's
casualty terms are left out of its figure here too).

* ``uniform``: every act of the menu equally likely, every day;
* ``always_hold``: hold with probability ``1 - epsilon``, the rest spread evenly;
* ``tit_for_tat``: after a day on which an adversary used force against the actor (as target
  or co-victim), the act of the menu nearest that act's rung (the lower one of two) with
  probability ``1 - epsilon``; otherwise hold with ``1 - epsilon``.

``epsilon`` of the last two is chosen by maximum likelihood on a grid over the whole corpus,
so each rule gets its best showing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from escalation.likelihood import RecordLikelihood, poisson_binomial_logpmf

BASELINES = ("uniform", "always_hold", "tit_for_tat")
EPSILONS = np.geomspace(1e-4, 0.5, 60)


def _provocations(record: RecordLikelihood) -> dict[tuple[int, object], int]:
    """``(actor, day) -> rung`` of the gravest use of force against the actor on that day."""
    structure = record.compiled.structure
    scenario = record.scenario
    force = structure.force_level
    out: dict[tuple[int, object], int] = {}
    for event in scenario.timeline:
        k = record.compiled.action_index[event.action]
        rung = int(structure.action_rung[k])
        if rung < force:
            continue
        actor = record.compiled.actor_index[event.actor]
        target = record.compiled.actor_index[event.target] if event.target else int(structure.action_target[k])
        victims = {target} if target >= 0 else set()
        victims |= set(np.flatnonzero(structure.co_victims[k]).tolist())
        for victim in victims:
            if structure.adversary[actor, victim]:
                out[(victim, event.date)] = max(out.get((victim, event.date), -1), rung)
    return out


def _act_probabilities(record: RecordLikelihood, kind: str, epsilon: float) -> list[np.ndarray]:
    """Per covered actor-day (the record's entries), the baseline's probability of each menu act."""
    import datetime as dt

    structure = record.compiled.structure
    provoked = _provocations(record) if kind == "tit_for_tat" else {}
    out = []
    for _, day, actor, _, _ in record.entries:
        size = int(structure.menu_size[actor])
        rungs = structure.action_rung[structure.menus[actor, :size]]
        if kind == "uniform" or size == 1:
            out.append(np.full(size, 1.0 / size))
            continue
        chosen = 0  # hold: the menu is sorted by rung
        answered = provoked.get((actor, day - dt.timedelta(days=1)))
        if answered is not None:
            chosen = int(np.argmin(np.abs(rungs - answered) * 2 + (rungs > answered)))
        p = np.full(size, epsilon / (size - 1))
        p[chosen] = 1.0 - epsilon
        out.append(p)
    return out


def acts_loglik(record: RecordLikelihood, probabilities: Sequence[np.ndarray]) -> float:
    """The acts part of the record's log-likelihood under per-entry act probabilities.

    Scored with the record's own observation model (:meth:`RecordLikelihood.act_terms`).
    """
    structure = record.compiled.structure
    of_kind = np.empty((len(probabilities), 1))
    chance = np.empty((record._candidates.size, 1))
    for i, (p, candidates) in enumerate(zip(probabilities, record.candidates, strict=True)):
        actor, level = int(record._entries[i, 0]), int(record._entries[i, 1])
        size = int(structure.menu_size[actor])
        of_kind[i, 0] = p[structure.action_rung[structure.menus[actor, :size]] >= level].sum()
        first = int(record._entries[i, 2])
        chance[first : first + candidates.size, 0] = p[candidates]
    logp, chances = record.act_terms(of_kind, chance)
    total = float(logp.sum())
    for index, slots in record.slots.items():
        total += float(poisson_binomial_logpmf(record.rules[index].rule.count, chances[slots])[0])
    return total


def model_acts_loglik(record: RecordLikelihood, parameters: dict[str, float] | None = None) -> float:
    """The model's acts part (its log-likelihood without the casualty terms), for comparison."""
    logp, _, counts = record.contributions(parameters, 1)
    return float(logp.sum() + sum(float(c[0]) for c in counts.values()))


def baseline_table(records: Sequence[RecordLikelihood]) -> dict[str, dict]:
    """Per baseline: its best ``epsilon`` (None for uniform) and its acts log-likelihood per record."""
    out: dict[str, dict] = {}
    for kind in BASELINES:
        grid = [None] if kind == "uniform" else list(EPSILONS)
        scores = [[acts_loglik(r, _act_probabilities(r, kind, e or 0.0)) for r in records] for e in grid]
        best = int(np.argmax([sum(s) for s in scores]))
        out[kind] = {
            "epsilon": None if grid[best] is None else float(grid[best]),
            "records": {r.scenario.name: scores[best][j] for j, r in enumerate(records)},
            "total": float(sum(scores[best])),
        }
    return out
