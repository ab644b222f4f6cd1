"""Path checks: did the simulated actors answer when, and as late as, the real ones did?

For each answer of a scenario's ``observed:`` section whose provocation lies in the replayed
history and whose answer (or its absence) lies in the simulated days, the study's worlds give:

* ``p_answer``: the share of worlds in which the answering actor acts at or above the level
  (``at_least``, default ``force_from``) on some simulated day, with its 95% Wilson interval;
  for an answer that never came, ``1 - p_answer`` is the model's probability of that;
* ``delay_quantile``: where the observed delay falls among the simulated ones, as a
  mid-quantile ``P(D < d) + P(D = d) / 2`` over the worlds that answered (0.5: a typical delay;
  near 0: the real answer came sooner than nearly all simulated ones; near 1: later);
* ``simulated_median_delay``: the median simulated delay of the worlds that answered.

A world's simulated answer is the actor's **first** act at or above the level after the branch,
whatever its target, and its delay counts the days from the provocation's date to that act's
date. It is read from the study's per-day counts of each actor's highest rung so far
(``summary.reached_counts``), so it needs no per-replicate rows. Simulated days start the day
after the branch: an answer on the branch day (delay 0 from a provocation that day) is out of
the model's reach and gets quantile 0. Answers that do not meet these conditions are listed
with ``checked`` false and the reason.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from escalation.mechanisms.casualties import realised_rung
from escalation.scenario.observed import answer_event, names_event, provocation_date
from escalation.scenario.schema import Event, ObservedAnswer, Scenario
from escalation.stats import wilson_interval

if TYPE_CHECKING:
    from escalation.results import Results

PATH_COLUMNS = [
    "provocation",
    "provocation_date",
    "answer",
    "by",
    "at_least",
    "answered",
    "delay_days",
    "checked",
    "reason",
    "p_answer",
    "p_answer_low",
    "p_answer_high",
    "delay_quantile",
    "simulated_median_delay",
]


def event_level(scenario: Scenario, event: Event) -> int:
    """The ladder level a documented event stands at (its lethal rung when it killed)."""
    action = scenario.action(event.action)
    ladder = scenario.ladder
    lethal = ladder.level(action.lethal_rung) if action.lethal_rung is not None else -1
    return realised_rung(ladder.level(action.rung), lethal, event.killed or 0)


def answered_by_day(results: Results, actor: str, level: int) -> np.ndarray:
    """Worlds in which ``actor`` has acted at or above ``level`` by each simulated day: shape ``(horizon,)``."""
    index = [a.id for a in results.scenario.actors].index(actor)
    return results.summary.reached_counts[index, :, level:].sum(axis=1)


def mid_quantile(answered: np.ndarray, day: int) -> float:
    """``P(D < day) + P(D = day) / 2`` among the worlds that answered by the last day.

    ``answered[d - 1]`` counts the worlds answered by day ``d`` (cumulative, days 1 to H);
    ``day`` may lie outside 1 .. H. ``nan`` when no world answered.
    """
    total = float(answered[-1]) if answered.size else 0.0
    if total == 0:
        return math.nan

    def by(d: int) -> float:
        return 0.0 if d < 1 else float(answered[min(d, answered.size) - 1])

    return (by(day - 1) + by(day)) / (2 * total)


def _first_act(scenario: Scenario, actor: str, level: int, replayed: set[str], end: dt.date) -> Event | None:
    """The record's first act of ``actor`` at or above ``level`` after the branch, up to ``end``."""
    later = (e for e in scenario.timeline if e.id not in replayed and e.actor == actor and e.date <= end)
    return next((e for e in later if event_level(scenario, e) >= level), None)


def _unchecked(scenario: Scenario, answer: ObservedAnswer, level: int) -> str:
    """Why an observed answer cannot be checked against the simulated days ('' if it can)."""
    start = scenario.start_date
    if start is None:
        return "no history is replayed, so no provocation precedes the simulated days"
    replayed = {e.id for e in scenario.replayed_events()}
    branch_date = start - dt.timedelta(days=1)
    provoked = provocation_date(scenario, answer)
    in_history = answer.provocation in replayed if names_event(answer.provocation) else provoked <= branch_date
    if not in_history:
        return "the provocation comes after the branch, so the model would have to produce it"
    end = start + dt.timedelta(days=scenario.horizon_days - 1)
    first = _first_act(scenario, answer.by, level, replayed, end)
    if not answer.answered:
        return f"the record has {first.id}, an act of {answer.by} at this level, within the horizon" if first else ""
    event = answer_event(scenario, answer)
    if event in replayed:
        return "the answer is part of the replayed history"
    answered_on = provoked + dt.timedelta(days=answer.delay_days or 0)
    if answered_on > end:
        return "the answer came after the horizon"
    if first is None:
        return f"{event} stands below the level of an answer" if event is not None else ""
    if first.id != event and (event is not None or first.date < answered_on):
        return f"{first.id} is the first act of {answer.by} at this level after the branch, not the answer"
    return ""


def check_answers(results: Results) -> list[dict[str, Any]]:
    """One row per observed answer of the study's scenario (columns :data:`PATH_COLUMNS`)."""
    scenario = results.scenario
    if scenario.observed is None:
        return []
    rows = []
    for answer in scenario.observed.answers:
        level_id = answer.at_least or scenario.parameters.force_from
        level = scenario.ladder.level(level_id)
        reason = _unchecked(scenario, answer, level)
        row: dict[str, Any] = {
            "provocation": answer.provocation,
            "provocation_date": provocation_date(scenario, answer).isoformat(),
            "answer": answer.answer,
            "by": answer.by,
            "at_least": level_id,
            "answered": answer.answered,
            "delay_days": answer.delay_days,
            "checked": not reason,
            "reason": reason,
            "p_answer": math.nan,
            "p_answer_low": math.nan,
            "p_answer_high": math.nan,
            "delay_quantile": math.nan,
            "simulated_median_delay": math.nan,
        }
        if not reason:
            row |= _check(results, answer, level)
        rows.append(row)
    return rows


def _check(results: Results, answer: ObservedAnswer, level: int) -> dict[str, float]:
    scenario = results.scenario
    answered = answered_by_day(results, answer.by, level)
    count = int(answered[-1])
    low, high = wilson_interval(count, results.runs)
    # simulated day d falls `offset + d` days after the provocation
    offset = (scenario.start_date - provocation_date(scenario, answer)).days - 1
    median = int(np.searchsorted(answered, count / 2)) + 1 + offset if count else math.nan
    checked = {
        "p_answer": count / results.runs,
        "p_answer_low": low,
        "p_answer_high": high,
        "simulated_median_delay": median,
    }
    if answer.answered:
        checked["delay_quantile"] = mid_quantile(answered, (answer.delay_days or 0) - offset)
    return checked
