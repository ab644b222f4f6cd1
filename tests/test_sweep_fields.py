"""Every field the documentation offers for sweeping changes the simulated worlds.

The fields are read from the pages themselves (the table of docs/howto-sweep.md and every
``--param NAME=`` or named parameter of the sweep pages), so a field added to the documentation
without a case here fails. Each is swept over two values as ``escalation.sweep`` does (the
re-validated variant, the swept parameter held out of the posterior), on 1,000 worlds with one
seed; the per-world rows must differ in the column the field acts on.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from helpers import AFTER_STRIKE_PATH, ROOT, SEEDED_PATH

import escalation
from escalation.sweep import _parameter_of, field_of, variant

RUNS = 1_000
SEED = 1

# field -> (scenario file, two values, per-world column the field must move)
CASES = {
    "parameters.telegraph_factor": (SEEDED_PATH, (0.02, 0.5), "killed_united_states"),  # Iran's warned strikes
    "parameters.accident_probability": (SEEDED_PATH, (0.003, 0.05), "peak_rung"),
    "actors.united_states.casualty_sensitivity": (SEEDED_PATH, (3.0, 1.0), "outcome"),
    "actors.iran.restraint_value": (SEEDED_PATH, (4.0, 1.0), "outcome"),
    "actors.iran.rationality": (SEEDED_PATH, (1.0, 4.0), "outcome"),
    "actors.kataib_hezbollah.control": (SEEDED_PATH, (0.0, 1.0), "proxy_attacks"),
    "actions.missile_strike.killed_mean": (SEEDED_PATH, (20.0, 200.0), "killed_united_states"),
    "actions.rocket_attack.killed_mean": (SEEDED_PATH, (0.05, 0.5), "killed_united_states"),
    # deaths of a documented event act only in a branch that replays it: after Iran's strike (A16)
    "timeline.A16.killed": (AFTER_STRIKE_PATH, (0, 10), "outcome"),
    "horizon_days": (SEEDED_PATH, (60, 90), "outcome"),
}


def documented_fields() -> set[str]:
    """The fields the sweep pages name, as dotted paths of the seeded scenario."""
    howto = (ROOT / "docs" / "howto-sweep.md").read_text(encoding="utf-8")
    section = howto.split("## Which fields can be swept", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"^\| `([\w.]+)` \|", section, flags=re.MULTILINE))
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split("## `escalation sweep`", 1)[1].split("\n## ")[0]
    option = next(line for line in cli.splitlines() if line.startswith("| `--param"))
    names |= set(re.findall(r"`([\w.]+)`", option.split("|")[2]))
    for page in (howto, cli, (ROOT / "README.md").read_text(encoding="utf-8")):
        names |= set(re.findall(r"--param ([a-z][\w.]*)=", page))  # not the usage line's NAME
    seeded = escalation.load_scenario(SEEDED_PATH)
    return {field_of(seeded, name) for name in names}


def test_every_documented_field_has_a_case() -> None:
    documented = documented_fields()
    assert len(documented) >= 8
    assert documented <= set(CASES), f"documented but not tested: {sorted(documented - set(CASES))}"


@pytest.mark.parametrize("field", sorted(CASES))
def test_a_documented_field_changes_the_worlds(field: str) -> None:
    path, values, column = CASES[field]
    scenario = escalation.load_scenario(path)
    rows = []
    for value in values:
        results = escalation.run_study(
            variant(scenario, field, value), runs=RUNS, seed=SEED, hold=_parameter_of(field)
        )  # as escalation.sweep runs each value
        rows.append(results.replicates().set_index("replicate"))
    first, second = rows
    assert not first[column].astype(str).equals(second[column].astype(str)), f"{field} left {column} unchanged"


def test_a_host_has_no_parameter_that_could_not_matter() -> None:
    """A host never chooses: no parameter of it is offered (the explorer, params, sweeps by name)."""
    from escalation.parameters import scenario_parameters

    scenario = escalation.load_scenario(SEEDED_PATH)
    hosts = {a.id for a in scenario.actors if a.kind == "host"}
    assert hosts
    assert not [p.name for p in scenario_parameters(scenario) if p.name.split(".")[0] in hosts]


def test_the_documentation_only_fields_are_named() -> None:
    """The page says which numeric fields no simulation reads; one of them, checked."""
    howto = (ROOT / "docs" / "howto-sweep.md").read_text(encoding="utf-8")
    assert "`goldstein`" in howto and "`mid`" in howto
    scenario = escalation.load_scenario(SEEDED_PATH)
    rows = [
        escalation.run_study(variant(scenario, "ladder.rungs.war.goldstein", g), runs=200, seed=SEED).replicates()
        for g in (-10.0, 0.0)
    ]
    pd.testing.assert_frame_equal(*rows)
