"""The text report of a backtest (the output of ``escalation backtest``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from escalation.scenario.observed import names_event

if TYPE_CHECKING:
    from escalation.backtesting.run import Backtest

COLUMNS = {"model": "model", "no_history": "no history", "climatology": "climatology", "uniform": "uniform"}


def _number(value: float, decimals: int = 4) -> str:
    if pd.isna(value):
        return "-"
    return "-inf" if value == -math.inf else f"{round(value, decimals) + 0.0:.{decimals}f}"  # no "-0.0000"


def _scores(result: Backtest, kind: str, width: int) -> list[str]:
    """A table of one score (``brier`` or ``log_score``) per scenario and forecast, with the mean."""
    columns = {name: kind if name == "model" else f"{kind}_{name}" for name in COLUMNS}
    lines = [f"{'file':<{width}}  " + "  ".join(f"{label:>11}" for label in COLUMNS.values())]
    for row in result.table.itertuples():
        lines.append(f"{row.file:<{width}}  " + "  ".join(f"{_number(getattr(row, c)):>11}" for c in columns.values()))
    means = result.means()
    lines.append(f"{'mean':<{width}}  " + "  ".join(f"{_number(means[c]):>11}" for c in columns.values()))
    return lines


def _forecasts(result: Backtest, width: int) -> list[str]:
    with_parameters = result.table["p_observed_low_total"].notna().any()
    head = f"{'file':<{width}}  {'observed':<18}  {'p_observed':>10}  {'95% Monte Carlo':<18}"
    head += f"  {'with parameters':<18}" if with_parameters else ""
    lines = [head + "  " + "  ".join(f"{COLUMNS[r]:>11}" for r in ("no_history", "climatology", "uniform"))]
    for row in result.table.itertuples():
        line = f"{row.file:<{width}}  {row.observed:<18}  {row.p_observed:>10.4f}  "
        line += f"{f'[{row.p_observed_low:.4f}, {row.p_observed_high:.4f}]':<18}"
        if with_parameters:
            total = (
                f"[{row.p_observed_low_total:.3f}, {row.p_observed_high_total:.3f}]"
                if not pd.isna(row.p_observed_low_total)
                else "-"
            )
            line += f"  {total:<18}"
        line += "  " + "  ".join(f"{_number(getattr(row, f'p_observed_{r}')):>11}" for r in COLUMNS if r != "model")
        lines.append(line)
    return lines


def _pair(row: Any) -> str:
    """``provocation -> answer``; a described provocation is shown by its date."""
    provocation = row.provocation if names_event(row.provocation) else f"({row.provocation_date})"
    return f"{provocation} -> {row.answer if row.answered else 'none'}"


def _checked(checked: pd.DataFrame) -> list[str]:
    width = max(len(str(f)) for f in checked["file"])
    lines = [
        f"{'file':<{width}}  {'provocation -> answer':<24}  {'by':<16}  {'at least':<18}  {'real delay':>10}  "
        f"{'P(answer)':>9}  {'95% interval':<16}  {'delay quantile':>14}  {'simulated median':>16}"
    ]
    for row in checked.itertuples():
        delay = f"{int(row.delay_days)} d" if row.answered else "none"
        median = f"{int(row.simulated_median_delay)} d" if not pd.isna(row.simulated_median_delay) else "-"
        lines.append(
            f"{row.file:<{width}}  {_pair(row):<24}  {row.by:<16}  {row.at_least:<18}  {delay:>10}  "
            f"{row.p_answer:>9.4f}  {f'[{row.p_answer_low:.4f}, {row.p_answer_high:.4f}]':<16}  "
            f"{_number(row.delay_quantile, 2):>14}  {median:>16}"
        )
    return lines


def _answers(result: Backtest) -> list[str]:
    paths = result.paths
    if paths.empty:
        return ["no observed answers"]
    done = paths["checked"].astype(bool)
    lines = _checked(paths[done]) if done.any() else []
    skipped = paths[~done]
    if not skipped.empty:
        lines.append(f"not checked ({len(skipped)}):")
        for reason, rows in skipped.groupby("reason", sort=False):
            lines.append(f"  {reason} ({len(rows)}):")
            for file, answers in rows.groupby("file", sort=False):
                lines.append(f"    {file}: " + ", ".join(f"{_pair(row)} ({row.by})" for row in answers.itertuples()))
    return lines


def format_backtest(result: Backtest) -> str:
    """Forecasts of the observed outcomes, Brier and log scores against the references, path checks."""
    meta = result.meta
    width = max(len("mean"), *(len(str(f)) for f in result.table["file"]))
    lines = [
        f"backtest of {len(result.table)} scenarios against what happened: {meta['runs']:,} worlds each, "
        f"seed {meta['seed']} (block size {meta['block_size']:,})",
        "parameters: "
        + "; ".join(f"{kind} ({n})" for kind, n in result.table["parameters"].value_counts(sort=False).items()),
        "",
        "probability of the observed outcome",
        *_forecasts(result, width),
        "",
        "Brier score (0: certain and right; 2: certain and wrong; lower is better)",
        *_scores(result, "brier", width),
        "",
        "log score (ln of the probability given to what happened; 0 is best, -inf: no world ended so)",
        *_scores(result, "log_score", width),
        "",
        "answers: P(answer) = share of worlds in which the actor acts at or above the level within the horizon; "
        "delay quantile = where the real delay falls among the simulated ones (0.5 typical; near 0 sooner, "
        "near 1 later than simulated)",
        *_answers(result),
        "",
        f"climatology: leave-one-out frequencies of the other scenarios' observed outcomes, each class "
        f"+{meta['climatology_smoothing']:g}; no history: the same scenario without start_after (nothing replayed)",
        "intervals are Monte Carlo error (Wilson); 'with parameters' adds the posterior's parameter uncertainty",
    ]
    return "\n".join(lines)
