"""Writing a scenario and reading it back gives an equal scenario with the same hash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import strategies as sst
from helpers import SCENARIO_FILES, seeded_data
from hypothesis import given, settings

from escalation import Scenario, ScenarioError, load_scenario, scenario_to_yaml, write_scenario


def reread(scenario: Scenario) -> tuple[Scenario, str]:
    """Write ``scenario`` to a real file with write_scenario; return it loaded again, and the file's text."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        write_scenario(scenario, path)
        assert [p.name for p in Path(tmp).iterdir()] == ["scenario.yaml"]  # no temporary file left behind
        return load_scenario(path), path.read_text(encoding="utf-8")


def check_round_trip(scenario: Scenario) -> None:
    again, text = reread(scenario)
    assert again == scenario
    assert again.hash == scenario.hash
    assert scenario_to_yaml(again) == text  # writing is a fixed point of reading


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_shipped_scenarios_round_trip(path: Path) -> None:
    scenario = load_scenario(path)
    check_round_trip(scenario)
    assert load_scenario(scenario.to_dict()) == scenario
    assert scenario_to_yaml(scenario) == scenario_to_yaml(load_scenario(scenario.to_dict()))


@settings(max_examples=15, deadline=None)
@given(sst.varied_seeded_data())
def test_varied_seeded_scenario_round_trips(data: dict) -> None:
    check_round_trip(load_scenario(data))


@settings(max_examples=60, deadline=None)
@given(sst.small_scenario_data(for_runs=False))
def test_small_random_scenario_round_trips(data: dict) -> None:
    check_round_trip(load_scenario(data))


@settings(max_examples=8, deadline=None)
@given(sst.varied_seeded_data(), sst.varied_seeded_data())
def test_hash_identifies_content(first: dict, second: dict) -> None:
    a, b = load_scenario(first), load_scenario(second)
    assert (a.hash == b.hash) == (a == b)


def test_hash_is_stable_and_content_sensitive(seeded: Scenario) -> None:
    assert seeded.hash == load_scenario(seeded_data()).hash
    assert len(seeded.hash) == 64 and int(seeded.hash, 16) >= 0
    data = seeded_data()
    data["parameters"]["perception_noise"] += 0.01
    assert load_scenario(data).hash != seeded.hash
    data = seeded_data()
    data["timeline"]["A05"]["description"] += "."
    assert load_scenario(data).hash != seeded.hash


def test_empty_actor_list_in_condition_is_rejected() -> None:
    data = seeded_data()
    data["outcomes"]["war"]["when"][0]["actors"] = []
    with pytest.raises(ScenarioError, match=r"outcomes.war.when\[0\].actors: list at least one actor"):
        load_scenario(data)
