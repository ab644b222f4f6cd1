"""Results of a Monte Carlo study: outcome probabilities with intervals, distributions, metadata.

A :class:`Results` describes itself: it tabulates (pandas), serialises to JSON, saves to and
loads from a folder, and reads back its per-replicate rows when the study streamed them to disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from escalation.defaults import PROXY_WINDOW_DAYS, ROWS_IN_MEMORY
from escalation.io import atomic_write_text, dumps
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Scenario
from escalation.stats import CONFIDENCE, histogram_mean, histogram_quantiles, parameter_interval, wilson_interval
from escalation.summary import KILLED_CAP, BlockSummary

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
RESULTS_FILE = "results.json"
INTERVAL_METHOD = "wilson"


def _finite_or_none(value: Any) -> Any:
    """JSON has no NaN: a missing number is null."""
    return None if isinstance(value, float) and not np.isfinite(value) else value


def _quantile_record(counts: np.ndarray, offset: int = 0) -> dict[str, float | None]:
    values = histogram_quantiles(counts, QUANTILES, offset)
    record: dict[str, float | None] = {"mean": histogram_mean(counts, offset)}
    record.update({f"p{round(q * 100):02d}": v for q, v in zip(QUANTILES, values, strict=True)})
    return record


@dataclass
class Results:
    """A finished (or loaded) study.

    ``summary`` holds every aggregate; ``meta`` the provenance: seed, block size, scenario
    hash, stopping rule, library and dependency versions, executor and timing.
    """

    scenario: Scenario
    summary: BlockSummary
    meta: dict[str, Any]
    path: Path | None = field(default=None, compare=False)
    rows: dict[str, np.ndarray] | None = field(default=None, compare=False, repr=False)  # kept in memory

    # ------------------------------------------------------------------ numbers
    @property
    def runs(self) -> int:
        """Number of replicates."""
        return self.summary.n

    @property
    def outcome_names(self) -> list[str]:
        return [rule.name for rule in self.scenario.outcomes]

    @property
    def parameter_draws(self) -> int:
        """Posterior draws the worlds were spread over (0: one parameter vector, no posterior)."""
        return int(self.summary.draw_outcome.shape[0])

    @property
    def draws_used(self) -> int:
        """Posterior draws at least one world used (ten consecutive worlds share a draw)."""
        return int(np.count_nonzero(self.summary.draw_outcome.sum(axis=1))) if self.parameter_draws else 0

    def outcome_table(self) -> pd.DataFrame:
        """One row per outcome: count, probability and its 95% Wilson interval (Monte Carlo error).

        With a posterior (:attr:`parameter_draws` > 0) also ``ci_low_total``/``ci_high_total``,
        the interval that includes parameter uncertainty (:func:`escalation.stats.parameter_interval`),
        and ``sd_between_draws``, the spread of the probability over the posterior.
        """
        rows = []
        by_draw = self.summary.draw_outcome
        worlds = by_draw.sum(axis=1) if by_draw.size else None
        for j, (name, count) in enumerate(zip(self.outcome_names, self.summary.outcome, strict=True)):
            low, high = wilson_interval(int(count), self.runs)
            row = {
                "outcome": name,
                "count": int(count),
                "p": count / self.runs if self.runs else float("nan"),
                "ci_low": low,
                "ci_high": high,
            }
            if worlds is not None:
                total_low, total_high, between = parameter_interval(by_draw[:, j], worlds)
                row |= {"ci_low_total": total_low, "ci_high_total": total_high, "sd_between_draws": between}
            rows.append(row)
        return pd.DataFrame(rows)

    def _posterior_line(self, table: pd.DataFrame) -> str:
        """How the worlds spread over the posterior draws, for the outcome table's footer."""
        draws, used = self.parameter_draws, self.draws_used
        of = f"{used:,} of " if used < draws else ""
        spread = f"{of}{draws:,} posterior draws, about {self.runs / max(used, 1):,.0f} worlds each"
        if table["ci_low_total"].isna().all():
            return f"parameters: {spread}; too few draws for the interval with parameter uncertainty (run more worlds)"
        return f"parameters: {spread}; the second interval includes parameter uncertainty"

    def proxy_table(self) -> pd.DataFrame:
        """Militia attacks in the final ``PROXY_WINDOW_DAYS`` days, by outcome and over all worlds.

        Columns: ``outcome`` (``all`` last), ``worlds``, ``p_any`` (share of those worlds with at
        least one militia use of force in the window), ``mean`` (attacks in the window),
        ``per_week``. Proxy attrition, in the seeded rules, is ``mutual_restraint`` with
        ``p_any`` of its worlds. Empty for a scenario without militias or a study saved before
        the measure existed.
        """
        counts = self.summary.proxy_attacks
        columns = ["outcome", "worlds", "p_any", "mean", "per_week"]
        if counts.shape[1] <= 1:
            return pd.DataFrame(columns=columns)
        window = min(PROXY_WINDOW_DAYS, self.scenario.horizon_days)
        attacks = np.arange(counts.shape[1])
        rows = []
        for name, hist in [*zip(self.outcome_names, counts, strict=True), ("all", counts.sum(axis=0))]:
            worlds = int(hist.sum())
            mean = float(hist @ attacks / worlds) if worlds else np.nan
            p_any = float(hist[1:].sum() / worlds) if worlds else np.nan
            rows.append(
                {"outcome": name, "worlds": worlds, "p_any": p_any, "mean": mean, "per_week": mean * 7 / window}
            )
        return pd.DataFrame(rows, columns=columns)

    def distribution_table(self) -> pd.DataFrame:
        """Mean and quantiles of peak rung (simulated days; ``crisis_peak``: history included), peak day,
        settle day, crossings and deaths by actor."""
        summary = self.summary
        records = {
            "peak_rung": _quantile_record(summary.peak_rung),
            **({"crisis_peak": _quantile_record(summary.crisis_peak[-1])} if summary.crisis_peak.size else {}),
            "peak_day": _quantile_record(summary.peak_day),
            "settle_day": _quantile_record(summary.settle_day[:, 1:].sum(axis=0), offset=1),
            "threshold_crossings": _quantile_record(summary.crossings),
        }
        for actor, counts in summary.killed.items():
            records[f"killed_{actor}"] = _quantile_record(counts)
        return pd.DataFrame.from_dict(records, orient="index")

    def settle_table(self) -> pd.DataFrame:
        """Settle-day quantiles per outcome (outcomes that never settle are left out)."""
        rows = {}
        for name, counts in zip(self.outcome_names, self.summary.settle_day, strict=True):
            if counts[1:].sum():
                rows[name] = _quantile_record(counts[1:], offset=1)
        return pd.DataFrame.from_dict(rows, orient="index")

    def path_table(self) -> pd.DataFrame:
        """The two paths into each restraint outcome (one whose conditions all keep rungs ``below`` a level).

        ``throughout``: the conditions held on every simulated day (settle day 1); ``after_exchange``:
        they were broken on some simulated day (in the seeded rules, direct force between the
        states short of war) and held from the day after the last breach to the end. Columns:
        ``outcome``, ``path``, ``count``, ``p`` (share of all replicates) with its 95% Wilson
        interval ``ci_low``/``ci_high``, and ``share_of_outcome``.
        """
        rows = []
        for rule, counts in zip(self.scenario.outcomes, self.summary.settle_day, strict=True):
            if not rule.when or any(condition.below is None for condition in rule.when):
                continue
            total = int(counts[1:].sum())
            for path, count in (("throughout", int(counts[1])), ("after_exchange", int(counts[2:].sum()))):
                low, high = wilson_interval(count, self.runs)
                rows.append({
                    "outcome": rule.name, "path": path, "count": count,
                    "p": count / self.runs if self.runs else float("nan"), "ci_low": low, "ci_high": high,
                    "share_of_outcome": count / total if total else float("nan"),
                })  # fmt: skip
        return pd.DataFrame(rows, columns=["outcome", "path", "count", "p", "ci_low", "ci_high", "share_of_outcome"])

    def max_half_width(self) -> float:
        """The widest outcome interval's half-width."""
        table = self.outcome_table()
        return float(((table["ci_high"] - table["ci_low"]) / 2).max())

    # ------------------------------------------------------------------ figures
    def plot_outcomes(self, ax=None):
        """Outcome probabilities with 95% intervals (returns the matplotlib Figure)."""
        from escalation.plots import plot_outcomes

        return plot_outcomes(self, ax=ax)

    def plot_ladder(self, actors=None, fig=None):
        """Each strategic actor's rung by day across replicates, with the documented history.

        ``actors`` (ids) limits the panels; ``fig`` is an optional empty Figure to draw into.
        """
        from escalation.plots import plot_ladder

        return plot_ladder(self, actors=actors, fig=fig)

    def plot_peak(self, ax=None):
        """Distribution of the highest rung reached, on the ladder's rung names."""
        from escalation.plots import plot_peak

        return plot_peak(self, ax=ax)

    def plot_timing(self, of: str = "outcome", ax=None):
        """Share settled by day, per outcome (``of="all"``: as a share of all replicates)."""
        from escalation.plots import plot_timing

        return plot_timing(self, of=of, ax=ax)

    def plot_casualties(self, by: str = "actor", ax=None):
        """Deaths suffered per actor (``by="side"``: per side): share of replicates with at least k deaths."""
        from escalation.plots import plot_casualties

        return plot_casualties(self, by=by, ax=ax)

    def plot_all(self, folder: str | Path, fmt: str = "png", dpi: int = 150) -> list[Path]:
        """Write every figure into ``folder`` (``outcomes.png``, ``ladder.png``, ...); returns the paths."""
        from escalation.plots import plot_all

        return plot_all(self, folder, fmt=fmt, dpi=dpi)

    # ------------------------------------------------------------------ rendering
    def to_json(self) -> dict[str, Any]:
        """The machine-readable summary printed by ``escalation run --json``."""
        table = self.outcome_table()
        keys = [c for c in ("count", "p", "ci_low", "ci_high", "ci_low_total", "ci_high_total") if c in table]
        outcomes = {
            row["outcome"]: {k: _finite_or_none(row[k]) if k != "count" else int(row[k]) for k in keys}
            for row in table.to_dict(orient="records")
        }
        dist = self.distribution_table()
        return {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.hash,
            "runs": self.runs,
            "seed": self.meta["seed"],
            "block_size": self.meta["block_size"],
            "stopping": self.meta["stopping"],
            "interval": {"method": INTERVAL_METHOD, "confidence": CONFIDENCE},
            "parameter_draws": self.parameter_draws,
            "outcomes": outcomes,
            "peak_rung": dist.loc["peak_rung"].to_dict(),
            "peak_day": dist.loc["peak_day"].to_dict(),
            "settle_day": dist.loc["settle_day"].to_dict(),
            "threshold_crossings": dist.loc["threshold_crossings"].to_dict(),
            "killed": {a.id: dist.loc[f"killed_{a.id}"].to_dict() for a in self.scenario.actors},
            "killed_by_side": {side: _quantile_record(counts) for side, counts in self.summary.killed_by_side.items()},
            "proxy_activity": self._proxy_json(),
            "paths": self._paths_json(),
            "elapsed_s": self.meta["elapsed_s"],
            "executor": self.meta["executor"],
            "workers": self.meta["workers"],
            "versions": self.meta["versions"],
        }

    def _paths_json(self) -> dict[str, dict[str, dict[str, float | int | None]]]:
        paths: dict[str, dict[str, dict[str, float | int | None]]] = {}
        for row in self.path_table().to_dict(orient="records"):
            paths.setdefault(row["outcome"], {})[row["path"]] = {
                k: int(row[k]) if k == "count" else _finite_or_none(float(row[k]))
                for k in ("count", "p", "ci_low", "ci_high", "share_of_outcome")
            }
        return paths

    def _proxy_json(self) -> dict[str, Any] | None:
        table = self.proxy_table()
        if table.empty:
            return None
        by = {
            row["outcome"]: {
                k: _finite_or_none(row[k]) if k != "worlds" else int(row[k]) for k in row if k != "outcome"
            }
            for row in table.to_dict(orient="records")
        }
        return {"window_days": min(PROXY_WINDOW_DAYS, self.scenario.horizon_days), "by_outcome": by}

    def format_table(self) -> str:
        """A readable text summary (the default output of ``escalation run``)."""
        table = self.outcome_table()
        width = max(len(n) for n in self.outcome_names)
        lines = [
            f"{self.scenario.title or self.scenario.name}",
            f"{self.runs:,} replicates, seed {self.meta['seed']}, "
            f"{self.meta['elapsed_s']:.1f} s ({self.runs / max(self.meta['elapsed_s'], 1e-9):,.0f} replicates/s, "
            f"{self.meta['executor']} x{self.meta['workers']})",
            "",
        ]
        draws = self.parameter_draws
        if draws:
            lines.append(f"{'outcome':<{width}}  {'count':>10}  {'p':>7}  95% Monte Carlo   95% with parameters")
        else:
            lines.append(f"{'outcome':<{width}}  {'count':>10}  {'p':>7}  95% interval (Wilson)")
        for row in table.itertuples():
            line = f"{row.outcome:<{width}}  {row.count:>10,}  {row.p:7.4f}  [{row.ci_low:.4f}, {row.ci_high:.4f}]"
            if draws and np.isnan(row.ci_low_total):
                line += "  n/a"
            elif draws:
                line += f"  [{row.ci_low_total:.4f}, {row.ci_high_total:.4f}]"
            lines.append(line)
        if draws:
            lines.append(self._posterior_line(table))
        elif "priors" in self.meta:
            lines.append(
                f"parameters: every world drew its own values of {len(self.meta['priors']['parameters'])} parameters "
                "from their priors; each probability averages over the priors, and its interval is the Monte Carlo "
                "error of that average"
            )
        else:
            lines.append("intervals are Monte Carlo error only: parameter uncertainty is not included (no posterior)")
        proxy = self.proxy_table()
        if not proxy.empty:
            window = min(PROXY_WINDOW_DAYS, self.scenario.horizon_days)
            every = proxy.iloc[-1]
            lines.append(
                f"militia attacks in the final {window} days: mean {every['mean']:.1f} "
                f"({every['per_week']:.2f} a week); at least one in {every['p_any']:.0%} of replicates"
            )
            restraint = proxy[proxy["outcome"] == "mutual_restraint"]
            if not restraint.empty and restraint.iloc[0]["worlds"]:
                lines.append(
                    f"with mutual restraint, the militias still attack in {restraint.iloc[0]['p_any']:.0%} of those "
                    "replicates (proxy attrition)"
                )
        for name, paths in self._paths_json().items():
            throughout, after = paths["throughout"], paths["after_exchange"]
            lines.append(
                f"{name} by path: held throughout {throughout['p']:.4f} [{throughout['ci_low']:.4f}, "
                f"{throughout['ci_high']:.4f}], after an exchange {after['p']:.4f} [{after['ci_low']:.4f}, "
                f"{after['ci_high']:.4f}]"
            )
        dist = self.distribution_table()
        rungs = self.scenario.ladder.rungs
        lines.append("")
        for key, label in (
            ("crisis_peak", "crisis peak, history included"),
            ("peak_rung", "peak rung, simulated days"),
        ):
            if key in dist.index:
                peak = dist.loc[key]
                lines.append(
                    f"{label}: median {int(peak['p50'])} ({rungs[int(peak['p50'])].name}), "
                    f"90% of replicates between {int(peak['p05'])} and {int(peak['p95'])}"
                )
        settle = dist.loc["settle_day"]
        if settle["p50"] is not None and not pd.isna(settle["p50"]):
            lines.append(
                f"settled by day: median {settle['p50']:.0f} (5%-95%: {settle['p05']:.0f}-{settle['p95']:.0f})"
            )
        for actor in self.scenario.actors:
            row = dist.loc[f"killed_{actor.id}"]
            if row["mean"]:
                capped = f" (worlds above {KILLED_CAP:,} counted at {KILLED_CAP:,})" if row["p95"] >= KILLED_CAP else ""
                lines.append(
                    f"deaths suffered, {actor.name}: mean {row['mean']:.1f}, "
                    f"median {row['p50']:.0f}, 95th pct {row['p95']:.0f}{capped}"
                )
        lines.append(f"scenario hash {self.scenario.hash[:12]}, block size {self.meta['block_size']:,}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ persistence
    def to_data(self) -> dict[str, Any]:
        """Everything needed to rebuild this object, as JSON-ready data."""
        return {
            "format": 1,
            "meta": self.meta,
            "summary": self.summary.to_data(),
            "report": self.to_json(),
            "scenario": self.scenario.to_dict(),
        }

    def save(self, folder: str | Path) -> Path:
        """Write ``results.json`` into ``folder`` atomically; returns its path."""
        from escalation.errors import RunError

        path = Path(folder) / RESULTS_FILE
        try:
            atomic_write_text(path, dumps(self.to_data(), indent=1, default=str))
        except OSError as exc:
            raise RunError(f"cannot write {path} ({exc.strerror or exc})") from None
        self.path = Path(folder)
        return path

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read a study saved by :meth:`save` (or by ``escalation run --out``)."""
        from escalation.errors import RunError

        folder = Path(folder)
        path = folder / RESULTS_FILE if folder.is_dir() else folder
        if not path.is_file():
            raise RunError(f"{folder}: no {RESULTS_FILE} (is the study finished? resume it with --resume)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            scenario = load_scenario(data["scenario"])
            summary = BlockSummary.from_data(data["summary"])
            meta = data["meta"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise RunError(f"{path}: not readable as a study's results ({type(exc).__name__})") from None
        return cls(scenario=scenario, summary=summary, meta=meta, path=path.parent)

    def replicates(self) -> pd.DataFrame:
        """Per-replicate rows: a row per world, ``outcome`` as a categorical of the outcome names.

        Read from the study folder's blocks, or from memory for a study run without a folder
        (``run_study`` keeps the rows of studies of up to ``ROWS_IN_MEMORY`` replicates).
        """
        from escalation.errors import RunError

        if self.rows is not None:
            rows = pd.DataFrame(self.rows)
        elif self.path is not None and (self.path / "blocks").is_dir():
            n_blocks = self.meta["blocks"]
            frames = [pd.read_parquet(self.path / "blocks" / f"block-{k:06d}.parquet") for k in range(n_blocks)]
            rows = pd.concat(frames, ignore_index=True)
        else:
            raise RunError(
                f"these results keep no per-replicate rows: run the study with an output folder, or with at "
                f"most {ROWS_IN_MEMORY:,} replicates"
            )
        if not isinstance(rows["outcome"].dtype, pd.CategoricalDtype):
            rows["outcome"] = pd.Categorical.from_codes(rows["outcome"].astype(int), categories=self.outcome_names)
        return rows
