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

from escalation.errors import RunError
from escalation.mechanisms import casualties
from escalation.scenario.schema import Event, Scenario
from escalation.stats import count_quantiles, histogram_mean, histogram_quantiles, wilson_intervals

if TYPE_CHECKING:
    from escalation.results import Results

LADDER_QUANTILES = (0.05, 0.5, 0.95)
CRISIS_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _studies(results: Results | Sequence[Results]) -> list[Results]:
    return [results] if not isinstance(results, Sequence) else list(results)


# ---------------------------------------------------------------------- outcomes
def outcome_data(results: Results | Sequence[Results], labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Tidy table behind the outcome figure.

    Columns: study, scenario, outcome, count, p, ci_low, ci_high, runs, description (one row
    per study and outcome; ``study`` is the label shown in the legend, ``description`` the
    outcome's definition from the scenario).
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
        descriptions = {rule.name: " ".join(rule.description.split()) for rule in study.scenario.outcomes}
        table["description"] = table["outcome"].map(descriptions).fillna("")
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


def _per_day(results: Results, name: str) -> np.ndarray:
    """A per-day count array of the study, or a one-line error when its results predate it."""
    counts = getattr(results.summary, name)
    if counts.size == 0:
        raise RunError(
            f"these results have no {name.replace('_', ' ')} (written by an earlier version): run the study again"
        )
    return counts


def reached_data(results: Results, actors: Sequence[str] | None = None) -> pd.DataFrame:
    """Probability that each actor has reached each firebreak by each simulated day.

    Columns: actor, actor_name, threshold, threshold_name, level, day (1 = first simulated
    day), count (worlds whose actor's highest rung from day 1 to ``day`` is at or above the
    firebreak), share, ci_low, ci_high (95% Wilson, pointwise). Only the firebreaks the actor's
    menu can reach are listed. Computed from ``reached_counts``.
    """
    scenario = results.scenario
    ladder = scenario.ladder
    counts = _per_day(results, "reached_counts")
    n = results.runs
    days = np.arange(1, counts.shape[1] + 1)
    frames = []
    for index, actor, name in _strategic(results, actors):
        top = max(ladder.level(scenario.action(a).rung) for a in scenario.actor(actor).menu)
        at_least = counts[index][:, ::-1].cumsum(axis=1)[:, ::-1]  # (day, level): worlds at this level or above
        for threshold in ladder.thresholds:
            level = ladder.level(threshold.at)
            if level > top:
                continue
            count = at_least[:, level]
            low, high = wilson_intervals(count, n)
            frames.append(
                pd.DataFrame(
                    {
                        "actor": actor,
                        "actor_name": name,
                        "threshold": threshold.id,
                        "threshold_name": threshold.name or threshold.id.replace("_", " "),
                        "level": level,
                        "day": days,
                        "count": count,
                        "share": count / n if n else np.nan,
                        "ci_low": low,
                        "ci_high": high,
                    }
                )
            )
    columns = ["actor", "actor_name", "threshold", "threshold_name", "level", "day", "count", "share"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*columns, "ci_low", "ci_high"])


def crisis_peak_data(results: Results, probabilities: Sequence[float] = CRISIS_QUANTILES) -> pd.DataFrame:
    """Quantiles of the crisis's highest rung so far, history included, by day.

    Columns: day (0 = the branch, before the first simulated day), then one column per
    probability (``q05``, ``q25``, ``q50``, ``q75``, ``q95``: rung levels), and
    ``p_above_history`` (share of worlds whose crisis has climbed above where the replayed
    history left it). Computed from ``crisis_peak``.
    """
    counts = _per_day(results, "crisis_peak")
    frame = pd.DataFrame(
        count_quantiles(counts, probabilities), columns=[f"q{round(p * 100):02d}" for p in probabilities]
    )
    frame.insert(0, "day", np.arange(counts.shape[0]))
    start = int(np.flatnonzero(counts[0]).max()) if counts[0].any() else 0
    totals = counts.sum(axis=1)
    above = counts[:, start + 1 :].sum(axis=1)
    frame["p_above_history"] = np.divide(above, totals, out=np.zeros(len(totals)), where=totals > 0)
    return frame


def documented_peak(history: pd.DataFrame) -> pd.DataFrame:
    """The documented crisis's highest rung so far, on the day axis of :func:`history_data`.

    Columns: day, level (a step at each event that raised it, replayed or documented).
    """
    if not len(history):
        return pd.DataFrame(columns=["day", "level"])
    ordered = history.sort_values("day", kind="stable")
    levels = np.maximum.accumulate(ordered["level"].to_numpy())
    frame = pd.DataFrame({"day": ordered["day"].to_numpy(), "level": levels})
    return frame.drop_duplicates("day", keep="last").reset_index(drop=True)


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
    """Distribution of the highest rung of the crisis in a replicate, with and without the history.

    Columns: level, rung, rung_name; count, share, ci_low, ci_high (95% Wilson),
    count_at_least and share_at_least for the highest rung anyone reached in the simulated
    days; the same prefixed ``crisis_`` for the crisis's highest rung with the replayed history
    included (zero counts for a study that predates them); ``history_count``, the worlds whose
    replayed history ended at each level (all of them at one level: the history is shared).
    """
    rungs = results.scenario.ladder.rungs
    n = results.runs

    def shares(hist: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
        counts = np.zeros(len(rungs), dtype=np.int64)
        counts[: hist.size] = hist[: len(rungs)]
        low, high = wilson_intervals(counts, n)
        at_least = counts[::-1].cumsum()[::-1]
        return {
            f"{prefix}count": counts,
            f"{prefix}share": counts / n if n else np.full(len(rungs), np.nan),
            f"{prefix}ci_low": low,
            f"{prefix}ci_high": high,
            f"{prefix}count_at_least": at_least,
            f"{prefix}share_at_least": at_least / n if n else np.full(len(rungs), np.nan),
        }

    crisis = results.summary.crisis_peak
    history = crisis[0] if crisis.size else np.zeros(len(rungs), dtype=np.int64)
    return pd.DataFrame(
        {
            "level": np.arange(len(rungs)),
            "rung": [r.id for r in rungs],
            "rung_name": [r.name for r in rungs],
            **shares(results.summary.peak_rung, ""),
            **shares(crisis[-1] if crisis.size else np.zeros(0, dtype=np.int64), "crisis_"),
            "history_count": np.pad(history, (0, max(len(rungs) - history.size, 0)))[: len(rungs)],
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


def casualty_outcome_data(results: Results) -> pd.DataFrame:
    """Deaths each actor suffered, by outcome: one row per outcome with worlds and actor that suffered any.

    Columns: outcome, outcome_p (its probability), actor, actor_name, worlds (of this
    outcome), p_any, mean, p05, p50, p95 (deaths per world). Computed from ``killed_by_outcome``.
    """
    summary = results.summary
    if not summary.killed_by_outcome:
        raise RunError("these results have no deaths by outcome (written by an earlier version): run the study again")
    scenario = results.scenario
    rows = []
    for o, outcome in enumerate(results.outcome_names):
        worlds = int(summary.outcome[o])
        for actor in scenario.actors:
            hist = summary.killed_by_outcome[actor.id][o]
            if worlds == 0 or hist[1:].sum() == 0:
                continue
            p05, p50, p95 = histogram_quantiles(hist, (0.05, 0.5, 0.95))
            rows.append(
                {
                    "outcome": outcome,
                    "outcome_p": worlds / results.runs,
                    "actor": actor.id,
                    "actor_name": actor.name or actor.id,
                    "worlds": worlds,
                    "p_any": hist[1:].sum() / worlds,
                    "mean": histogram_mean(hist),
                    "p05": p05,
                    "p50": p50,
                    "p95": p95,
                }
            )
    columns = ["outcome", "outcome_p", "actor", "actor_name", "worlds", "p_any", "mean", "p05", "p50", "p95"]
    return pd.DataFrame(rows, columns=columns)
