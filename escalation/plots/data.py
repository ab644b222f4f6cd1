"""The numbers behind every figure, as tidy pandas tables.

Everything here is computed from a study's aggregates (:class:`~escalation.summary.BlockSummary`
counts and histograms) and its scenario, never from per-replicate rows, so the figures cost
the same for ten thousand replicates as for ten million.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from escalation.mechanisms import casualties
from escalation.scenario.schema import Event, Scenario
from escalation.stats import count_quantiles, histogram_mean, histogram_quantiles, wilson_intervals

if TYPE_CHECKING:
    from escalation.results import Results

LADDER_QUANTILES = (0.05, 0.5, 0.95)


def _studies(results: Results | Sequence[Results]) -> list[Results]:
    return [results] if not isinstance(results, Sequence) else list(results)


# ---------------------------------------------------------------------- outcomes
def outcome_data(results: Results | Sequence[Results], labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Tidy table behind the outcome figure.

    Columns: study, scenario, outcome, count, p, ci_low, ci_high, runs (one row per study
    and outcome; ``study`` is the label shown in the legend).
    """
    studies = _studies(results)
    labels = list(labels) if labels is not None else [r.scenario.title or r.scenario.name for r in studies]
    if len(labels) != len(studies):
        raise ValueError(f"{len(labels)} labels for {len(studies)} studies")
    frames = []
    for label, study in zip(labels, studies, strict=True):
        table = study.outcome_table()
        table.insert(0, "study", label)
        table.insert(1, "scenario", study.scenario.name)
        table["runs"] = study.runs
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------- ladder over time
def _strategic(results: Results, actors: Sequence[str] | None) -> list[tuple[int, str, str]]:
    scenario = results.scenario
    ids = [a.id for a in scenario.actors]
    chosen = list(actors) if actors is not None else [a.id for a in scenario.actors if a.strategic]
    unknown = [a for a in chosen if a not in ids]
    if unknown:
        raise ValueError(f"unknown actor(s): {', '.join(unknown)}")
    return [(ids.index(a), a, scenario.actor(a).name or a) for a in chosen]


def ladder_data(results: Results, actors: Sequence[str] | None = None) -> pd.DataFrame:
    """Share of replicates standing on each rung, per actor and simulated day.

    Columns: actor, actor_name, day (1 = first simulated day), level, rung, rung_name, count,
    share. Shares of one actor and day sum to 1. Computed from ``rung_counts``.
    """
    scenario = results.scenario
    rungs = scenario.ladder.rungs
    counts = results.summary.rung_counts
    n_days, n_rungs = counts.shape[1], counts.shape[2]
    frames = []
    for index, actor, name in _strategic(results, actors):
        block = counts[index]
        totals = block.sum(axis=1, keepdims=True)
        share = np.divide(block, totals, out=np.zeros(block.shape), where=totals > 0)
        days, levels = np.meshgrid(np.arange(1, n_days + 1), np.arange(n_rungs), indexing="ij")
        frames.append(
            pd.DataFrame(
                {
                    "actor": actor,
                    "actor_name": name,
                    "day": days.ravel(),
                    "level": levels.ravel(),
                    "rung": [rungs[k].id for k in levels.ravel()],
                    "rung_name": [rungs[k].name for k in levels.ravel()],
                    "count": block.ravel(),
                    "share": share.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def ladder_quantiles(
    results: Results, actors: Sequence[str] | None = None, probabilities: Sequence[float] = LADDER_QUANTILES
) -> pd.DataFrame:
    """Quantiles of each actor's rung by simulated day.

    Columns: actor, actor_name, day, then one column per probability named ``q05``, ``q50``,
    ``q95`` (levels; the defaults are the median and the 90% band).
    """
    counts = results.summary.rung_counts
    names = [f"q{round(p * 100):02d}" for p in probabilities]
    frames = []
    for index, actor, name in _strategic(results, actors):
        values = count_quantiles(counts[index], probabilities)
        frame = pd.DataFrame(values, columns=names)
        frame.insert(0, "day", np.arange(1, counts.shape[1] + 1))
        frame.insert(0, "actor_name", name)
        frame.insert(0, "actor", actor)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def realised_rung(scenario: Scenario, event: Event) -> int:
    """Level of a documented event: its action's rung, or the lethal rung when it killed someone."""
    action = scenario.action(event.action)
    ladder = scenario.ladder
    lethal = ladder.level(action.lethal_rung) if action.lethal_rung is not None else -1
    return casualties.realised_rung(ladder.level(action.rung), lethal, event.killed or 0)


def history_data(scenario: Scenario) -> pd.DataFrame:
    """The documented timeline placed on the simulated day axis.

    Columns: event, date, day, actor, actor_name, strategic, action, level, rung_name,
    killed, approximate, phase. ``day`` counts from the branch: the branch event
    (``start_after``) is day 0, earlier events negative, the first simulated day 1. ``phase``
    is ``replayed`` for events up to the branch (the model replays them) and ``documented``
    for what actually happened after it, within the horizon. Empty without a branch point.
    """
    columns = [
        "event",
        "date",
        "day",
        "actor",
        "actor_name",
        "strategic",
        "action",
        "level",
        "rung_name",
        "killed",
        "approximate",
        "phase",
    ]
    start = scenario.start_date
    if start is None:
        return pd.DataFrame(columns=columns)
    replayed = {e.id for e in scenario.replayed_events()}
    rows = []
    for event in scenario.timeline:
        day = (event.date - start).days + 1
        phase = "replayed" if event.id in replayed else "documented"
        if phase == "documented" and not 1 <= day <= scenario.horizon_days:
            continue
        actor = scenario.actor(event.actor)
        level = realised_rung(scenario, event)
        rows.append(
            {
                "event": event.id,
                "date": event.date,
                "day": day,
                "actor": actor.id,
                "actor_name": actor.name or actor.id,
                "strategic": actor.strategic,
                "action": event.action,
                "level": level,
                "rung_name": scenario.ladder.rungs[level].name,
                "killed": event.killed,
                "approximate": event.approximate,
                "phase": phase,
            }
        )
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------- peak rung
def peak_data(results: Results) -> pd.DataFrame:
    """Distribution of the highest rung anyone reached in a replicate.

    Columns: level, rung, rung_name, count, share, ci_low, ci_high (95% Wilson),
    count_at_least and share_at_least (replicates whose peak is at this level or above).
    """
    rungs = results.scenario.ladder.rungs
    counts = np.zeros(len(rungs), dtype=np.int64)
    hist = results.summary.peak_rung
    counts[: hist.size] = hist[: len(rungs)]
    n = results.runs
    low, high = wilson_intervals(counts, n)
    at_least = counts[::-1].cumsum()[::-1]
    return pd.DataFrame(
        {
            "level": np.arange(len(rungs)),
            "rung": [r.id for r in rungs],
            "rung_name": [r.name for r in rungs],
            "count": counts,
            "share": counts / n if n else np.nan,
            "ci_low": low,
            "ci_high": high,
            "count_at_least": at_least,
            "share_at_least": at_least / n if n else np.nan,
        }
    )


# ---------------------------------------------------------------------- time to settle
def timing_data(results: Results) -> pd.DataFrame:
    """Cumulative share of replicates settled by each day, per outcome.

    Columns: outcome, day, settled (replicates of this outcome settled by this day),
    share (of all replicates), share_of_outcome (of this outcome's replicates), outcome_count
    and outcome_p (the outcome's replicates and probability) and settles (whether any replicate of it ever settles; the
    remainder outcome never does). ``share`` ends at the share of all replicates that
    ended in the outcome and settled.
    """
    summary = results.summary
    n = results.runs
    frames = []
    for name, hist, total in zip(results.outcome_names, summary.settle_day, summary.outcome, strict=True):
        settled = np.cumsum(hist[1:])
        days = np.arange(1, hist.size)
        frames.append(
            pd.DataFrame(
                {
                    "outcome": name,
                    "day": days,
                    "settled": settled,
                    "share": settled / n if n else np.nan,
                    "share_of_outcome": settled / total if total else np.nan,
                    "outcome_count": int(total),
                    "outcome_p": total / n if n else np.nan,
                    "settles": bool(settled[-1] > 0) if settled.size else False,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------- casualties
CASUALTY_GROUPS = ("actor", "side")


def death_histograms(results: Results, by: str = "actor") -> list[tuple[str, str, np.ndarray]]:
    """``(id, name, histogram of deaths suffered)`` per actor, or per side, in scenario order.

    A side's histogram counts the deaths of all its actors together in each replicate (the
    study aggregates it directly: per-actor histograms cannot be added up into it).
    """
    scenario = results.scenario
    summary = results.summary
    if by == "actor":
        return [(a.id, a.name or a.id, summary.killed[a.id]) for a in scenario.actors if a.id in summary.killed]
    if by == "side":
        by_side = getattr(summary, "killed_by_side", None) or {}
        if not by_side:
            raise ValueError("these results have no deaths by side (the study predates them)")
        names = {a.id: a.name or a.id for a in scenario.actors}
        sides = dict.fromkeys(a.side for a in scenario.actors)
        return [
            (side, names.get(side, side.replace("_", " ")) + " side", by_side[side])
            for side in sides
            if side in by_side
        ]
    raise ValueError(f"by must be one of {', '.join(CASUALTY_GROUPS)}, not {by!r}")


def casualty_data(results: Results, by: str = "actor") -> pd.DataFrame:
    """Complementary cumulative distribution of deaths suffered, per actor (or side) that suffered any.

    Columns: ``by`` (the actor or side id), ``{by}_name``, deaths (k >= 1), count_at_least,
    share_at_least (= P(deaths >= k)), ci_low, ci_high (95% Wilson, pointwise). Only the
    values of ``k`` where the curve steps down are listed (plus ``k = 1`` and one past the
    maximum, where it reaches 0), which is all a step plot needs.
    """
    n = results.runs
    frames = []
    for key, name, hist in death_histograms(results, by):
        if hist[1:].sum() == 0:
            continue
        at_least = hist[::-1].cumsum()[::-1]  # at_least[k] = replicates with >= k deaths
        steps = np.flatnonzero(hist[1:]) + 2  # the curve drops right after each observed value
        ks = np.unique(np.concatenate([[1], steps]))
        counts = np.append(at_least, 0)[ks]
        low, high = wilson_intervals(counts, n)
        frames.append(
            pd.DataFrame(
                {
                    by: key,
                    f"{by}_name": name,
                    "deaths": ks,
                    "count_at_least": counts,
                    "share_at_least": counts / n,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        )
    columns = [by, f"{by}_name", "deaths", "count_at_least", "share_at_least", "ci_low", "ci_high"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def casualty_summary(results: Results, by: str = "actor") -> pd.DataFrame:
    """Per actor (or side) that suffered deaths: share with any, mean, median, 95th percentile, maximum."""
    rows = []
    for key, name, hist in death_histograms(results, by):
        if hist[1:].sum() == 0:
            continue
        p50, p95 = histogram_quantiles(hist, (0.5, 0.95))
        rows.append(
            {
                by: key,
                f"{by}_name": name,
                "p_any": hist[1:].sum() / results.runs,
                "mean": histogram_mean(hist),
                "p50": p50,
                "p95": p95,
                "max": int(np.flatnonzero(hist).max()),
            }
        )
    return pd.DataFrame(rows, columns=[by, f"{by}_name", "p_any", "mean", "p50", "p95", "max"])
