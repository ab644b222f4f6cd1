"""Additive aggregates of replicates: counts and histograms that merge by addition."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from escalation.defaults import PROXY_WINDOW_DAYS
from escalation.model.compiled import CompiledScenario
from escalation.outcomes import DayCounts
from escalation.scenario.schema import Scenario


def _add_padded(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    size = max(a.size, b.size)
    out = np.zeros(size, dtype=np.int64)
    out[: a.size] += a
    out[: b.size] += b
    return out


WORLDS_PER_DRAW = 10  # consecutive worlds of a study that share a posterior draw
# deaths per world above which histograms count a world in their last bin (the per-replicate rows
# keep the exact count): a histogram is at most this long whatever a scenario's casualty means
KILLED_CAP = 100_000


def draw_of(world: np.ndarray, n_draws: int) -> np.ndarray:
    """The posterior draw of each world index: ``(world // WORLDS_PER_DRAW) % n_draws``.

    Ten consecutive worlds share a draw, so that even a small study has enough worlds per draw
    to estimate the spread between draws, and a world's draw does not depend on the study's size.
    """
    return (world // WORLDS_PER_DRAW) % n_draws


def _add_optional(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sum of two count arrays either of which may be absent (size 0)."""
    if not a.size:
        return b
    return a + b if b.size else a


def _add_histograms(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sum of two maps of 2-D histograms, either of which may be empty (a study that predates them)."""
    if not a or not b:
        return dict(a or b)
    return {k: _add_padded_rows(v, b[k]) for k, v in a.items()}


def _proxy_width(scenario: Scenario) -> int:
    """Possible counts of militia attacks in the final window: 0 to militias x window days."""
    return sum(a.kind == "militia" for a in scenario.actors) * min(PROXY_WINDOW_DAYS, scenario.horizon_days) + 1


def _add_padded_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sum of two 2-D histograms with the same rows and possibly different widths."""
    out = np.zeros((max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])), dtype=np.int64)
    out[: a.shape[0], : a.shape[1]] += a
    out[: b.shape[0], : b.shape[1]] += b
    return out


# fields a results file written by an earlier version may lack (read as their empty default)
OPTIONAL_FIELDS = (
    "killed_by_side",
    "draw_outcome",
    "proxy_attacks",
    "reached_counts",
    "crisis_peak",
    "killed_by_outcome",
)


@dataclass
class BlockSummary:
    """Additive aggregate of any number of replicates (histograms and counts only)."""

    n: int
    outcome: np.ndarray  # (n_outcomes,)
    peak_rung: np.ndarray  # (n_rungs,)
    peak_day: np.ndarray  # (horizon + 1,), index = day
    settle_day: np.ndarray  # (n_outcomes, horizon + 2), index = day, 0 = never settled
    crossings: np.ndarray  # (n_thresholds + 1,)
    rung_counts: np.ndarray  # (n_actors, horizon, n_rungs)
    killed: dict[str, np.ndarray] = field(default_factory=dict)  # actor -> histogram of deaths suffered
    killed_by_side: dict[str, np.ndarray] = field(default_factory=dict)  # side -> histogram of deaths suffered
    # (n_draws, n_outcomes) outcome counts of the worlds of each posterior draw; (0, 0) without one
    draw_outcome: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    # (n_outcomes, militia-days of the final window + 1): worlds by outcome and militia attacks in that window
    proxy_attacks: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    # (n_actors, horizon, n_rungs): worlds by each actor's highest rung from day 1 to each day
    reached_counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=np.int64))
    # (horizon + 1, n_rungs): worlds by the crisis's highest rung so far, history included (row 0: at the branch)
    crisis_peak: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    # actor -> (n_outcomes, deaths + 1): worlds by outcome and deaths the actor suffered
    killed_by_outcome: dict[str, np.ndarray] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data: every field, arrays as (nested) lists."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dict):
                out[f.name] = {k: v.tolist() for k, v in value.items()}
            else:
                out[f.name] = value.tolist() if isinstance(value, np.ndarray) else value
        return out

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> BlockSummary:
        """Inverse of :meth:`to_data`; a histogram map missing from older files reads as empty."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data and f.name in OPTIONAL_FIELDS:
                continue  # written before these existed: the default
            raw = data[f.name]
            if f.name == "n":
                values[f.name] = int(raw)
            elif isinstance(raw, dict):
                values[f.name] = {k: np.array(v, dtype=np.int64) for k, v in raw.items()}
            else:
                empty = (0, 0, 0) if f.name == "reached_counts" else (0, 0)
                values[f.name] = np.array(raw, dtype=np.int64).reshape(np.shape(raw) or empty)
        return cls(**values)

    @classmethod
    def empty(cls, compiled: CompiledScenario) -> BlockSummary:
        scenario = compiled.scenario
        horizon = scenario.horizon_days
        n_outcomes = len(scenario.outcomes)
        return cls(
            n=0,
            outcome=np.zeros(n_outcomes, dtype=np.int64),
            peak_rung=np.zeros(compiled.n_rungs, dtype=np.int64),
            peak_day=np.zeros(horizon + 1, dtype=np.int64),
            settle_day=np.zeros((n_outcomes, horizon + 2), dtype=np.int64),
            crossings=np.zeros(len(scenario.ladder.thresholds) + 1, dtype=np.int64),
            rung_counts=np.zeros((compiled.n_actors, horizon, compiled.n_rungs), dtype=np.int64),
            killed={a.id: np.zeros(1, dtype=np.int64) for a in scenario.actors},
            killed_by_side={a.side: np.zeros(1, dtype=np.int64) for a in scenario.actors},
            proxy_attacks=np.zeros((n_outcomes, _proxy_width(scenario)), dtype=np.int64),
            reached_counts=np.zeros((compiled.n_actors, horizon, compiled.n_rungs), dtype=np.int64),
            crisis_peak=np.zeros((horizon + 1, compiled.n_rungs), dtype=np.int64),
            killed_by_outcome={a.id: np.zeros((n_outcomes, 1), dtype=np.int64) for a in scenario.actors},
        )

    @classmethod
    def from_rows(
        cls, compiled: CompiledScenario, rows: dict[str, np.ndarray], counts: DayCounts, n_draws: int = 0
    ) -> BlockSummary:
        """Aggregate per-replicate columns (as written to disk) and the block's per-day counts.

        ``n_draws``: the study's posterior draws; replicate ``r`` used draw :func:`draw_of` ``(r)``.
        """
        summary = cls.empty(compiled)
        n_outcomes = summary.outcome.size
        outcome = rows["outcome"].astype(np.int64)
        settle = np.maximum(rows["settle_day"].astype(np.int64), 0)
        summary.n = int(outcome.size)
        summary.outcome = np.bincount(outcome, minlength=n_outcomes)
        summary.peak_rung = np.bincount(rows["peak_rung"].astype(np.int64), minlength=summary.peak_rung.size)
        summary.peak_day = np.bincount(rows["peak_day"].astype(np.int64), minlength=summary.peak_day.size)
        width = summary.settle_day.shape[1]
        summary.settle_day = np.bincount(outcome * width + settle, minlength=n_outcomes * width).reshape(
            n_outcomes, width
        )
        summary.crossings = _add_padded(summary.crossings, np.bincount(rows["crossings"].astype(np.int64)))
        summary.rung_counts = counts.rungs.astype(np.int64)
        summary.reached_counts = counts.reached.astype(np.int64)
        summary.crisis_peak = counts.crisis_peak.astype(np.int64)
        for actor in compiled.scenario.actors:
            killed = np.minimum(rows[f"killed_{actor.id}"].astype(np.int64), KILLED_CAP)
            summary.killed[actor.id] = np.bincount(killed)
            width = int(killed.max(initial=0)) + 1
            summary.killed_by_outcome[actor.id] = np.bincount(
                outcome * width + killed, minlength=n_outcomes * width
            ).reshape(n_outcomes, width)
        for side in summary.killed_by_side:
            members = [a.id for a in compiled.scenario.actors if a.side == side]
            total = sum(rows[f"killed_{m}"].astype(np.int64) for m in members)
            summary.killed_by_side[side] = np.bincount(np.minimum(total, KILLED_CAP))
        width = summary.proxy_attacks.shape[1]
        attacks = rows["proxy_attacks"].astype(np.int64)
        summary.proxy_attacks = np.bincount(outcome * width + attacks, minlength=n_outcomes * width).reshape(
            n_outcomes, width
        )
        if n_draws:
            draw = draw_of(rows["replicate"].astype(np.int64), n_draws)
            summary.draw_outcome = np.bincount(draw * n_outcomes + outcome, minlength=n_draws * n_outcomes).reshape(
                n_draws, n_outcomes
            )
        return summary

    def __add__(self, other: BlockSummary) -> BlockSummary:
        return BlockSummary(
            n=self.n + other.n,
            outcome=self.outcome + other.outcome,
            peak_rung=self.peak_rung + other.peak_rung,
            peak_day=self.peak_day + other.peak_day,
            settle_day=self.settle_day + other.settle_day,
            crossings=_add_padded(self.crossings, other.crossings),
            rung_counts=self.rung_counts + other.rung_counts,
            killed={k: _add_padded(v, other.killed[k]) for k, v in self.killed.items()},
            killed_by_side={k: _add_padded(v, other.killed_by_side[k]) for k, v in self.killed_by_side.items()},
            draw_outcome=_add_optional(self.draw_outcome, other.draw_outcome),
            proxy_attacks=_add_optional(self.proxy_attacks, other.proxy_attacks),
            reached_counts=_add_optional(self.reached_counts, other.reached_counts),
            crisis_peak=_add_optional(self.crisis_peak, other.crisis_peak),
            killed_by_outcome=_add_histograms(self.killed_by_outcome, other.killed_by_outcome),
        )
