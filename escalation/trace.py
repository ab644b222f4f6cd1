"""One trajectory: replayed history plus one simulated world, as a tidy table and a narrative."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from escalation.model.model import EscalationModel
from escalation.outcomes import classify
from escalation.scenario.schema import Scenario

COLUMNS = [
    "phase",
    "day",
    "date",
    "event",
    "actor",
    "action",
    "target",
    "rung",
    "rung_name",
    "killed",
    "wounded",
    "grievance",
    "accident",
]


@dataclass(frozen=True)
class Trace:
    """A single run: ``table`` has one row per replayed event and per actor and simulated day."""

    scenario: Scenario
    seed: int
    table: pd.DataFrame
    outcome: str
    settle_day: int | None
    draw: int | None = None  # the posterior draw whose parameters the world took (None: the scenario's values)

    def events(self) -> pd.DataFrame:
        """Rows worth narrating: every replayed event, and simulated acts above the bottom rung."""
        return self.table[(self.table["phase"] == "history") | (self.table["rung"] > 0)]

    def narrative(self) -> str:
        """The dated narrative printed by ``escalation trace``."""
        return render_narrative(self)

    def to_json(self) -> dict:
        """Plain data for ``escalation trace --json``."""
        rows = self.table.copy()
        rows["date"] = rows["date"].map(lambda d: d.isoformat() if isinstance(d, dt.date) else None)
        records = rows.astype(object).where(rows.notna(), None).to_dict(orient="records")
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "posterior_draw": self.draw,
            "start_after": self.scenario.start_after,
            "horizon_days": self.scenario.horizon_days,
            "outcome": self.outcome,
            "settle_day": self.settle_day,
            "rows": records,
        }


def run_trace(scenario: Scenario, seed: int = 0, posterior: Any = None) -> Trace:
    """Replay the scenario's history and simulate one world with ``SeedSequence(seed)``.

    The world takes the parameters of posterior draw ``seed mod n_draws`` when the scenario
    carries a posterior (``parameters_from``) or one is given (a fit's folder or a DataFrame of
    draws); ``posterior=False`` keeps the scenario's own values.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    if posterior is None:
        posterior = scenario.parameters_from
    parameters, draw = None, None
    if posterior is not None and posterior is not False:
        from escalation.model.compiled import CompiledScenario
        from escalation.runner.study import posterior_parameters

        # the draws as a study would use them (a parameter the scenario changed keeps its value)
        per_world, meta = posterior_parameters(CompiledScenario.from_scenario(scenario), posterior)
        draw = seed % meta["draws"]
        parameters = {name: float(values[draw]) for name, values in per_world.columns.items()}
    model = EscalationModel(scenario, n_worlds=1, rng=rng, parameters=parameters, detail=True).run()
    ladder = scenario.ladder
    names = {a.id: a.name for a in scenario.actors}
    rows = []
    for row in model.history_rows:
        action = scenario.action(row["action"])
        rows.append(
            {
                "phase": "history",
                "day": (row["date"] - scenario.start_date).days + 1 if scenario.start_date else None,
                "date": row["date"],
                "event": row["event"],
                "actor": row["actor"],
                "action": action.id,
                "target": row["target"] or action.target,
                "rung": row["rung"],
                "rung_name": ladder.rungs[row["rung"]].name,
                "killed": row["killed"],
                "wounded": row["wounded"],
                "grievance": row["grievance"],
                "accident": False,
            }
        )
    start = scenario.start_date
    for day in range(scenario.horizon_days):
        date = start + dt.timedelta(days=day) if start else None
        for agent in model.strategic:
            i = agent.index
            k = int(model.log_action[i, day, 0])
            target = int(model.log_target[i, day, 0])
            rung = int(model.rungs[i, day, 0])
            rows.append(
                {
                    "phase": "simulated",
                    "day": day + 1,
                    "date": date,
                    "event": None,
                    "actor": agent.spec.id,
                    "action": scenario.actions[k].id,
                    "target": scenario.actors[target].id if target >= 0 else None,
                    "rung": rung,
                    "rung_name": ladder.rungs[rung].name,
                    "killed": int(model.log_killed[i, day, 0]),
                    "wounded": int(model.log_wounded[i, day, 0]),
                    "grievance": float(model.log_grievance[i, day, 0]),
                    "accident": bool(model.log_accident[i, day, 0]),
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["killed"] = table["killed"].astype("Int64")
    table["wounded"] = table["wounded"].astype("Int64")
    table["day"] = table["day"].astype("Int64")
    table.attrs["actor_names"] = names
    outcome, settle = classify(scenario, model.rungs)
    settle_day = int(settle[0])
    return Trace(
        scenario=scenario,
        seed=seed,
        table=table,
        outcome=scenario.outcomes[int(outcome[0])].name,
        settle_day=settle_day if settle_day > 0 else None,
        draw=draw,
    )


def _line(row: pd.Series, names: dict[str, str], width: int, scenario: Scenario) -> str:
    when = row["date"].isoformat() if isinstance(row["date"], dt.date) else f"day {row['day']:>3}"
    action = scenario.action(row["action"]).name
    target = f" -> {names[row['target']]}" if isinstance(row["target"], str) else ""
    toll = []
    if not pd.isna(row["killed"]) and row["killed"]:
        toll.append(f"{row['killed']} killed")
    if not pd.isna(row["wounded"]) and row["wounded"]:
        toll.append(f"{row['wounded']} wounded")
    tail = f"  {', '.join(toll)}" if toll else ""
    tag = f"  [{row['event']}]" if isinstance(row["event"], str) else ""
    accident = "  (inadvertent)" if row["accident"] else ""
    rung = f"(rung {row['rung']}: {row['rung_name']})"
    return f"  {when}  {names[row['actor']]:<{width}}  {action}{target}  {rung}{tail}{accident}{tag}"


def render_narrative(trace: Trace) -> str:
    """Dated narrative, history apart from simulation, ending with the outcome."""
    scenario = trace.scenario
    names = {a.id: a.name for a in scenario.actors}
    width = max(len(n) for n in names.values())
    events = trace.events()
    history = events[events["phase"] == "history"]
    simulated = events[events["phase"] == "simulated"]
    title = scenario.title or scenario.name
    drawn = f", posterior draw {trace.draw}" if trace.draw is not None else ""
    lines = [f"{title}  (seed {trace.seed}{drawn})", ""]
    if len(history):
        lines.append(f"Documented history, replayed ({len(history)} events up to {scenario.start_after}):")
        lines += [_line(row, names, width, scenario) for _, row in history.iterrows()]
        lines.append("")
    start = scenario.start_date
    since = f" from {start.isoformat()}" if start else ""
    lines.append(f"Simulated{since}, {scenario.horizon_days} days ({len(simulated)} acts above the status quo):")
    lines += [_line(row, names, width, scenario) for _, row in simulated.iterrows()]
    if not len(simulated):
        lines.append("  (every actor held every day)")
    lines.append("")
    settled = ""
    if trace.settle_day is not None:
        settled = f", settled on day {trace.settle_day}"
        if start:
            settled += f" ({(start + dt.timedelta(days=trace.settle_day - 1)).isoformat()})"
    lines.append(f"Outcome: {trace.outcome}{settled}")
    return "\n".join(lines)
