"""Parameters fitted without the crisis they forecast: a leave-one-out MAP per scenario.

The scenarios of a backtest are also documented records: the likelihood scores each one's
timeline (whatever its branch point, :mod:`escalation.likelihood`). For each scenario the
posterior's mode (MAP) is fitted to the records of all the *other* scenarios, from the
scenarios' own (judgement) values, exactly as ``escalation fit --loo`` scores a held-out
record (:func:`escalation.calibration.ablation.leave_one_out`). The held-out scenario is then
forecast with that one parameter vector, so its forecast has not seen its own record; a
parameter no other record reads keeps the scenario's own value.
"""

from __future__ import annotations

from collections.abc import Sequence

from escalation.scenario.schema import Scenario


def held_out_values(scenarios: Sequence[Scenario], patterns: Sequence[str] | None = None) -> list[dict[str, float]]:
    """For each scenario, the MAP values fitted to the other scenarios' records (full name -> value).

    ``patterns`` (names or shell patterns such as ``iran.*``) limit the fitted parameters;
    ``None`` frees those ``escalation fit`` frees by default. Each scenario needs a timeline
    and a unique name. One MAP fit per scenario: about a minute for the shipped corpus.
    """
    from escalation.calibration.ablation import leave_one_out
    from escalation.calibration.corpus import Corpus
    from escalation.calibration.space import free_parameters

    corpus = Corpus(scenarios)
    free = free_parameters(corpus.scenarios, patterns, option="--leave-one-out", within="the scenarios")
    fitted = leave_one_out(corpus, free, {p.name: p.value for p in free})
    return [fitted[scenario.name] for scenario in scenarios]
