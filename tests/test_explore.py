"""The explorer without a browser: what its controls offer, the studies it runs, how it starts."""

from __future__ import annotations

import importlib.util
import math
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SCENARIO_FILES, SEEDED_PATH, write

from escalation import load_scenario
from escalation.cli import main
from escalation.errors import RunError, ScenarioError
from escalation.explore import choices
from escalation.explore.exploration import configure, explore
from escalation.explore.server import listen, page_url
from escalation.scenario import Scenario

ACTORS = ("united_states", "iran", "kataib_hezbollah", "other_militias")


def test_key_parameters_are_telegraphing_then_each_actors_rationality_fear_reciprocity_control(
    seeded: Scenario,
) -> None:
    expected = ["telegraph_factor"]
    for actor in ACTORS:
        names = ("rationality", "reciprocity", "fear") + (("control",) if actor not in ACTORS[:2] else ())
        expected += [f"{actor}.{name}" for name in names]
    assert choices.key_parameters(seeded) == expected


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_slider_spans_its_value_within_the_bounds(path: Path) -> None:
    for slider in choices.sliders(load_scenario(path)).values():
        spec = slider.parameter.spec
        assert spec.low <= slider.low < slider.high <= spec.high, slider.name
        assert not (spec.low_open and slider.low == spec.low), slider.name
        assert slider.low <= slider.value <= slider.high, slider.name
        assert 10 <= (slider.high - slider.low) / slider.step <= 1000, slider.name
        assert math.log10(slider.step).is_integer(), slider.name


def test_shares_slide_over_their_bounds_others_over_their_prior(seeded: Scenario) -> None:
    sliders = choices.sliders(seeded)
    assert (sliders["kataib_hezbollah.control"].low, sliders["kataib_hezbollah.control"].high) == (0, 1)
    fear = sliders["iran.fear"]  # lognorm(s=0.5, scale=14): central 99% from 3.86 to 50.75
    assert (fear.low, fear.high, fear.step) == (3.8, 50.8, 0.1)
    assert fear.accepts(500) and not fear.accepts(-1) and not fear.accepts(math.nan)
    assert "Range [0, 1000], default 4, this scenario 14, prior lognorm(s=0.5, scale=14)." in fear.tooltip


def test_branch_points_are_no_history_then_every_event(seeded: Scenario) -> None:
    points = choices.branch_points(seeded)
    assert (points[0].label, points[0].event) == (choices.NO_HISTORY, None)
    assert [p.event for p in points[1:]] == [e.id for e in seeded.timeline]
    assert choices.branch_of(seeded).label == "A10 · 2020-01-03 · United States: kill state official"


def test_scenario_files_offer_the_given_file_first_and_each_file_once(tmp_path: Path) -> None:
    shipped = choices.scenario_files()
    assert [p.name for p in shipped.values()] == [p.name for p in SCENARIO_FILES]
    assert list(choices.scenario_files(str(SEEDED_PATH)).values()) == [SEEDED_PATH, *SCENARIO_FILES[1:]]
    own = write(tmp_path / "mine.yaml", "extends: " + str(SEEDED_PATH) + "\nname: mine\n")
    assert next(iter(choices.scenario_files(own))) == str(own)


def test_configure_sets_the_branch_point_and_values_and_names_the_variant(seeded: Scenario) -> None:
    assert configure(seeded, seeded.start_after, {}) is seeded
    variant = configure(seeded, "A05", {"iran.rationality": 0.5, "telegraph_factor": 0.3})
    assert variant.start_after == "A05" and variant.start_date.isoformat() == "2019-12-28"
    assert (variant.actor("iran").rationality, variant.parameters.telegraph_factor) == (0.5, 0.3)
    assert variant.title == "us_iran_2020: branch after A05 (2019-12-27), 2 parameters changed"
    assert configure(seeded, None, {}).replayed_events() == ()
    with pytest.raises(ScenarioError):
        configure(seeded, None, {"kataib_hezbollah.control": 1.5})
    with pytest.raises(RunError, match="did you mean"):
        configure(seeded, None, {"iran.rationalty": 1})


def test_a_moved_parameter_is_held_while_the_others_take_posterior_draws(seeded_short: Scenario) -> None:
    variant = configure(seeded_short, seeded_short.start_after, {"iran.rationality": 0.5})
    shown = explore(variant, runs=300, seed=1)
    used = shown.results.meta["posterior"]
    assert "iran.rationality" in used["held"] and "iran.rationality" not in used["parameters"]
    assert "united_states.rationality" in used["parameters"]
    head, rows = shown.rows()
    assert head[-1] == "95% with parameters" and [r[0] for r in rows] == shown.results.outcome_names
    assert shown.summary().startswith("300 worlds, seed 1, 30 of 1,000 posterior draws, ")
    assert shown.outcomes_png.startswith(b"\x89PNG") and shown.ladder_png.startswith(b"\x89PNG")


def test_without_the_posterior_every_world_takes_the_scenarios_values(seeded_short: Scenario) -> None:
    shown = explore(seeded_short, runs=200, seed=2, posterior=False)
    head, rows = shown.rows()
    assert len(head) == 3 and all(len(r) == 3 for r in rows)
    assert "posterior" not in shown.results.meta and not shown.posterior
    assert "the scenario's parameter values" in shown.summary()


def test_without_the_extra_the_command_says_how_to_install_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("solara", "solara_assets", "uvicorn"):
        monkeypatch.setitem(sys.modules, module, None)
    assert main(["explore", "--no-browser"]) == 2
    needs = "needs solara, solara_assets, uvicorn (not installed): pip install 'escalation[explore]'"
    assert capsys.readouterr().err == f"escalation explore: error: the explorer {needs}\n"


@pytest.mark.skipif(importlib.util.find_spec("solara") is None, reason="the explore extra is not installed")
def test_a_bad_scenario_file_is_one_line_before_any_server_starts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.yaml", "extends: " + str(SEEDED_PATH) + "\nstart_after: NOWHERE\n")
    assert main(["explore", str(bad), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.yaml" in err and "NOWHERE" in err


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RunError, match=rf"cannot listen on 127.0.0.1:{port} \(.*\); choose another --port"):
            listen("127.0.0.1", port)


def test_the_printed_address_reaches_a_wildcard_host_locally() -> None:
    with listen("127.0.0.1", 0) as sock:
        port = sock.getsockname()[1]
        assert page_url("127.0.0.1", sock) == f"http://127.0.0.1:{port}/"
        assert page_url("0.0.0.0", sock) == f"http://localhost:{port}/"
        assert page_url("::1", sock) == f"http://[::1]:{port}/"


def test_the_command_line_and_the_server_module_do_not_load_solara() -> None:
    code = (
        "import sys, escalation.cli, escalation.explore.server\n"
        "print([m for m in ('solara', 'uvicorn') if m in sys.modules])"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
