"""A fit's findings as Markdown tables, generated from its ``fit.json`` (docs/model.md §10 holds them).

Generated, never typed: a test regenerates the tables from the shipped fit and fails when the
documentation is stale, so every number the documentation states about the fit was computed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from escalation.io import FIT_FILE, posterior_path

BEGIN, END = "<!-- fit:begin -->\n", "<!-- fit:end -->"


def load_fit_json(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``fit.json`` of a fit's folder."""
    path = Path(folder)
    path = path / FIT_FILE if path.is_dir() else posterior_path(path).with_name(FIT_FILE)
    return json.loads(path.read_text(encoding="utf-8"))


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _g(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def surprise_markdown(folder: str | os.PathLike[str], top: int = 10) -> str:
    """The ``top`` documented acts the fitted model finds least likely (``surprise.csv`` of the fit)."""
    import csv

    path = Path(folder) / "surprise.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["surprise_map"] not in ("", "nan", "inf")]
    rows.sort(key=lambda r: -float(r["surprise_map"]))
    lines = [
        "| record | event | date | actor | act | −log p at the MAP | with judgement values |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows[:top]:
        lines.append(
            f"| `{r['scenario']}` | {r['id']} | {r['date']} | {r['actor']} | {r['action']} "
            f"| {float(r['surprise_map']):.1f} | {float(r['surprise_judgement']):.1f} |"
        )
    return "\n".join(lines) + "\n"


def fit_markdown(fit: dict[str, Any]) -> str:
    """Markdown tables of a fit: records, baselines, mechanisms, predictive checks, parameters."""
    loglik = fit["loglik"]
    checks = fit.get("checks", {})
    loo = checks.get("leave_one_out", {})
    held = loo.get("records", {})
    d = fit["diagnostics"]
    s = fit["settings"]
    lines = [
        f"Fit of {len(fit['corpus'])} records, {len(s['free'])} free parameters: {s['walkers']} walkers x "
        f"{s['steps']:,} steps (the first half discarded), {s['draws']:,} draws kept, seed {s['seed']}; "
        f"acceptance {d['acceptance']:.2f}, largest split R-hat {d['max_rhat']:.3f}, smallest effective sample "
        f"size {d['min_ess']:,.0f}; {d['seconds']['total']:,.0f} s on one core.",
        "",
        "| record | log-likelihood, judgement values | at the MAP | at the MAP of the other records |",
        "|---|---|---|---|",
    ]
    for name in fit["corpus"]:
        other = held.get(name, {}).get("loglik")
        lines.append(
            f"| `{name}` | {_number(loglik['judgement'][name])} | {_number(loglik['map'][name])} | {_number(other)} |"
        )
    lines.append(
        f"| **total** | **{_number(loglik['judgement_total'])}** | **{_number(loglik['map_total'])}** "
        f"| **{_number(loo.get('total'))}** |"
    )
    acts = checks.get("acts_loglik", {})
    if acts:
        lines += ["", "| acts only (no casualty terms) | log-likelihood |", "|---|---|"]
        names = {
            "model_judgement": "model, judgement values",
            "model_map": "model at the MAP",
            "uniform": "uniform over each menu",
            "always_hold": "always hold (ε fitted to the corpus)",
            "tit_for_tat": "tit-for-tat (ε fitted to the corpus)",
        }
        for key, label in names.items():
            if key in acts:
                epsilon = acts[key].get("epsilon")
                note = f", ε = {epsilon:.3g}" if epsilon is not None else ""
                lines.append(f"| {label}{note} | {_number(acts[key]['total'])} |")
        if "acts_total" in loo:
            lines.append(f"| model, each record at the MAP of the others | {_number(loo['acts_total'])} |")
    mechanisms = checks.get("mechanisms", {})
    if mechanisms:
        lines += [
            "",
            "| mechanism | refitted | parameters | log-likelihood gain | AIC gain | leave-one-out gain |",
            "|---|---|---|---|---|---|",
        ]
        for name, gain in mechanisms.items():
            lines.append(
                f"| {name} | {gain['switched']} | {len(gain['parameters'])} | {_number(gain['loglik_gain'], 2)} "
                f"| {_number(gain['aic_gain'], 2)} | {_number(gain.get('loo_gain'), 2)} |"
            )
    predictive = checks.get("predictive", [])
    if predictive:
        lines += [
            "",
            "| stylised fact | record | simulated median | 90% of draws | P(simulated ≥ record) |",
            "|---|---|---|---|---|",
        ]
        for row in predictive:
            lines.append(
                f"| {row['description']} | {_g(row['record'])} | {_g(row['median'])} "
                f"| [{_g(row['q5'])}, {_g(row['q95'])}] | {_number(row['p_at_least'], 2)} |"
            )
    lines += [
        "",
        f"Informed by the record ({len(fit['informed'])}): " + ", ".join(f"`{n}`" for n in fit["informed"]) + ".",
        "",
        f"Left at their prior ({len(fit['prior_only'])}): " + ", ".join(f"`{n}`" for n in fit["prior_only"]) + ".",
    ]
    return "\n".join(lines) + "\n"


def refresh(document: str | os.PathLike[str], folder: str | os.PathLike[str]) -> None:
    """Rewrite the tables between the fit markers of ``document`` from the fit in ``folder``."""
    path = Path(document)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    tables = fit_markdown(load_fit_json(folder)) + "\n" + surprise_markdown(folder)
    path.write_text(text[:start] + tables + text[end:], encoding="utf-8")


if __name__ == "__main__":  # python -m escalation.calibration.report DOCUMENT FIT_FOLDER
    import sys

    refresh(sys.argv[1], sys.argv[2])
    print(f"{sys.argv[1]}: fit tables refreshed from {sys.argv[2]}")
