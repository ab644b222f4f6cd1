"""Loading scenario files: every shipped scenario loads, and every kind of mistake in a file
is reported as one ``ScenarioError`` naming the right file, line and field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from helpers import HISTORY_PATH, SCENARIO_FILES, SCENARIOS, SEEDED_PATH, line_of, seeded_data, write

from escalation import Scenario, ScenarioError, load_scenario
from escalation.scenario.schema import Event


def expect_error(source: Path | dict, *, file: Path | str, line: int | None, path: str, message: str) -> ScenarioError:
    """Load ``source``; it must fail with exactly this location and a message containing ``message``."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    error = info.value
    assert (error.file, error.line, error.path) == (str(file), line, path), str(error)
    assert message in error.message, str(error)
    where = f"{file}:{line}" if line is not None else str(file)
    field = f" {path}:" if path else ""
    assert str(error) == f"{where}:{field} {error.message}"
    assert "\n" not in str(error)
    return error


@pytest.fixture
def scenarios_copy(tmp_path: Path) -> Path:
    """A private copy of scenarios/ (with history/), so relative ``extends`` resolve and bases can be broken."""
    target = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, target)
    return target


def child(directory: Path, body: str, name: str = "child.yaml") -> Path:
    """A scenario file in ``directory`` that extends the seeded scenario, plus ``body``."""
    return write(directory / name, "extends: us_iran_2020.yaml\nname: child\n" + textwrap.dedent(body))


# ------------------------------------------------------------------------------ shipped files
@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.actors and scenario.actions and scenario.outcomes
    dates = [event.date for event in scenario.timeline]
    assert dates == sorted(dates)
    if scenario.start_after is not None:
        assert scenario.start_after in [e.id for e in scenario.timeline]


def test_shipped_scenarios_have_distinct_names() -> None:
    names = [load_scenario(path).name for path in SCENARIO_FILES]
    assert len(set(names)) == len(names)


def test_seeded_scenario_extends_the_history_file(seeded: Scenario) -> None:
    # The timeline lives only in the history file, so it can only arrive through `extends`.
    assert not any(line.startswith("timeline:") for line in SEEDED_PATH.read_text(encoding="utf-8").splitlines())
    assert [e.id for e in seeded.timeline][:5] == ["A01", "A02", "A03", "A04", "A05"]
    assert seeded.start_after == "A10"


def test_loading_from_data_equals_loading_from_file(seeded: Scenario) -> None:
    assert load_scenario(seeded_data()) == seeded


def test_scenario_is_immutable(seeded: Scenario) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeded.horizon_days = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        seeded.actors[0].fear = 5.0  # type: ignore[misc]


# ------------------------------------------------------------------------------ extends
def test_child_override_takes_and_the_rest_is_inherited(scenarios_copy: Path, seeded: Scenario) -> None:
    path = child(
        scenarios_copy,
        """\
        horizon_days: 30
        actors:
          iran:
            fear: 20.0
        """,
    )
    loaded = load_scenario(path)
    assert loaded.horizon_days == 30
    assert loaded.actor("iran").fear == 20.0
    iran = seeded.actor("iran").with_values(fear=20.0)
    actors = tuple(iran if a.id == "iran" else a for a in seeded.actors)
    # the copy names its own copy of the fit: the same posterior in another folder
    assert loaded.parameters_from == str((scenarios_copy / "fits" / "us_iran_2018_2023").resolve())
    assert loaded.hash != seeded.hash  # the horizon and fear differ; the posterior's content does not
    expected = dataclasses.replace(
        seeded, name="child", horizon_days=30, actors=actors, parameters_from=loaded.parameters_from
    )
    assert loaded == expected


def test_extends_by_absolute_path(tmp_path: Path, seeded: Scenario) -> None:
    path = write(tmp_path / "elsewhere" / "abs.yaml", f"extends: {SEEDED_PATH}\nname: abs\nhorizon_days: 7\n")
    assert load_scenario(path) == dataclasses.replace(seeded, name="abs", horizon_days=7)


def test_error_in_child_points_into_the_child(scenarios_copy: Path) -> None:
    path = child(scenarios_copy, "horizon_days: 30\nactors:\n  iran:\n    fear: lots\n")
    expect_error(path, file=path, line=6, path="actors.iran.fear", message="expected a number, got text")


def test_error_in_base_points_into_the_base(scenarios_copy: Path) -> None:
    base = scenarios_copy / "history" / HISTORY_PATH.name
    text = base.read_text(encoding="utf-8").replace("    verification: verified\n", "    verfication: verified\n", 1)
    base.write_text(text, encoding="utf-8")
    path = child(scenarios_copy, "horizon_days: 30\n")
    expect_error(
        path,
        file=base,
        line=line_of(base, "verfication"),
        path="timeline.A01.verfication",
        message="unknown field",
    )


def test_extends_missing_file(scenarios_copy: Path) -> None:
    path = write(scenarios_copy / "orphan.yaml", "name: orphan\nextends: nowhere.yaml\n")
    expect_error(path, file=path, line=2, path="extends", message="no such file 'nowhere.yaml'")


def test_extends_must_be_text(scenarios_copy: Path) -> None:
    path = write(scenarios_copy / "odd.yaml", "extends: [us_iran_2020.yaml]\nname: odd\n")
    expect_error(path, file=path, line=1, path="extends", message="expected text, got list")


def test_extends_cycle(tmp_path: Path) -> None:
    first = write(tmp_path / "first.yaml", "extends: second.yaml\nname: first\n")
    second = write(tmp_path / "second.yaml", "extends: first.yaml\nname: second\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(first)
    error = info.value
    assert error.path == "extends"
    assert "cycle" in error.message
    assert error.file in (str(first), str(second))
    assert error.line == 1  # the `extends:` line of either file
    assert str(error).startswith(f"{error.file}:1: extends: ")


def test_extends_itself(tmp_path: Path) -> None:
    path = write(tmp_path / "self.yaml", "extends: self.yaml\nname: me\n")
    expect_error(path, file=path, line=1, path="extends", message="cycle")


def test_extends_cycle_points_at_the_extends_line(tmp_path: Path) -> None:
    path = write(tmp_path / "loop.yaml", "name: loop\nhorizon_days: 3\nextends: loop.yaml\n")
    expect_error(path, file=path, line=3, path="extends", message="cycle")


# ------------------------------------------------------------------------------ misspelt keys
@pytest.mark.parametrize(
    ("body", "needle", "path", "suggestion"),
    [
        ("horizon_dayz: 30\n", "horizon_dayz", "horizon_dayz", "horizon_days"),
        ("parameters:\n  telegraph_fctor: 0.2\n", "telegraph_fctor", "parameters.telegraph_fctor", "telegraph_factor"),
        ("actors:\n  iran:\n    rationalty: 2\n", "rationalty", "actors.iran.rationalty", "rationality"),
        ("timeline:\n  A05:\n    kiled: 1\n", "kiled", "timeline.A05.kiled", "killed"),
        (
            "ladder:\n  rungs:\n    war:\n      goldstien: -10\n",
            "goldstien",
            "ladder.rungs.war.goldstien",
            "goldstein",
        ),
        (
            "outcomes:\n  war:\n    when:\n      - {at_least: war, at_leats: war}\n",
            "at_leats",
            "outcomes.war.when[0].at_leats",
            "at_least",
        ),
    ],
)
def test_misspelt_key_suggests_the_right_one(
    scenarios_copy: Path, body: str, needle: str, path: str, suggestion: str
) -> None:
    file = child(scenarios_copy, body)
    expect_error(
        file, file=file, line=line_of(file, needle), path=path, message=f"unknown field (did you mean {suggestion!r}?)"
    )


@pytest.mark.parametrize(
    ("body", "path", "suggestion"),
    [
        ("actors:\n  iran:\n    credibilty: 1\n", "actors.iran.credibilty", "credibility"),
        (
            "outcomes:\n  war:\n    when:\n      - {at_least: war, fnal_days: 5}\n",
            "outcomes.war.when[0].fnal_days",
            "final_days",
        ),
    ],
)
def test_misspelt_absent_optional_key_suggests_the_right_one(
    scenarios_copy: Path, body: str, path: str, suggestion: str
) -> None:
    file = child(scenarios_copy, body)
    error = expect_error(
        file, file=file, line=line_of(file, path.rsplit(".", 1)[-1]), path=path, message="unknown field"
    )
    assert f"(did you mean {suggestion!r}?)" in error.message


def test_misspelt_condition_level_suggests_the_right_one(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "outcomes:\n  war:\n    when:\n      - {at_lest: war}\n")
    expect_error(
        file,
        file=file,
        line=6,
        path="outcomes.war.when[0].at_lest",
        message="unknown field (did you mean 'at_least'?)",
    )


def test_unknown_key_without_near_match(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "zzzzzz: 1\n")
    error = expect_error(file, file=file, line=3, path="zzzzzz", message="unknown field")
    assert "did you mean" not in error.message


# ------------------------------------------------------------------------------ wrong types
@pytest.mark.parametrize(
    ("body", "needle", "path", "message"),
    [
        ('horizon_days: "thirty"\n', "horizon_days", "horizon_days", "expected a whole number, got text"),
        ("horizon_days: 2.5\n", "horizon_days", "horizon_days", "expected a whole number, got number"),
        ("actors:\n  iran:\n    fear: [1, 2]\n", "fear", "actors.iran.fear", "expected a number, got list"),
        ("actors:\n  iran:\n    fear: true\n", "fear", "actors.iran.fear", "expected a number, got boolean"),
        (
            'actions:\n  threat:\n    declares_red_line: "yes"\n',
            "declares_red_line",
            "actions.threat.declares_red_line",
            "expected true or false, got text",
        ),
        ("timeline:\n  A10:\n    date: 2020\n", "date", "timeline.A10.date", "expected an ISO date"),
        ('timeline:\n  A10:\n    date: "3 Jan 2020"\n', "date", "timeline.A10.date", "expected an ISO date"),
        ("actors:\n  iran:\n    menu: hold\n", "menu", "actors.iran.menu", "expected a list, got text"),
        ("parameters: 5\n", "parameters", "parameters", "expected a mapping, got integer"),
        ("actors:\n  iran:\n    kind: empire\n", "kind", "actors.iran.kind", "must be one of state, militia, host"),
        ("actors:\n  iran:\n    side: Iran Islamic Republic\n", "side", "actors.iran.side", "is not a valid id"),
    ],
)
def test_wrong_type(scenarios_copy: Path, body: str, needle: str, path: str, message: str) -> None:
    file = child(scenarios_copy, body)
    expect_error(file, file=file, line=line_of(file, needle, start=3), path=path, message=message)


# ------------------------------------------------------------------------------ out of range
@pytest.mark.parametrize(
    ("body", "needle", "path", "message"),
    [
        (
            "parameters:\n  telegraph_factor: 1.5\n",
            "telegraph_factor",
            "parameters.telegraph_factor",
            "at most 1, got 1.5",
        ),
        (
            "parameters:\n  accident_probability: 0.6\n",
            "accident_probability",
            "parameters.accident_probability",
            "at most 0.5",
        ),
        ("parameters:\n  fear_steepness: 0\n", "fear_steepness", "parameters.fear_steepness", "greater than 0, got 0"),
        ("parameters:\n  perception_noise: .nan\n", "perception_noise", "parameters.perception_noise", "finite number"),
        (
            "actors:\n  kataib_hezbollah:\n    control: -0.1\n",
            "control",
            "actors.kataib_hezbollah.control",
            "at least 0",
        ),
        (
            "actors:\n  other_militias:\n    deniability: 1.01\n",
            "deniability",
            "actors.other_militias.deniability",
            "at most 1",
        ),
        ("actors:\n  iran:\n    rationality: 0\n", "rationality", "actors.iran.rationality", "greater than 0"),
        ("horizon_days: 0\n", "horizon_days", "horizon_days", "at least 1, got 0"),
        ("timeline:\n  A05:\n    killed: -1\n", "killed", "timeline.A05.killed", "at least 0, got -1"),
        ("actions:\n  war:\n    killed_mean: .inf\n", "killed_mean", "actions.war.killed_mean", "finite number"),
    ],
)
def test_out_of_range(scenarios_copy: Path, body: str, needle: str, path: str, message: str) -> None:
    file = child(scenarios_copy, body)
    expect_error(file, file=file, line=line_of(file, needle, start=3), path=path, message=message)


# ------------------------------------------------------------------------------ dangling references
NEW_EVENT = """\
timeline:
  A99:
    date: "2020-05-01"
    actor: {actor}
    action: {action}
"""


def test_event_names_unknown_actor(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, NEW_EVENT.format(actor="hezbollah", action="statement"))
    expect_error(file, file=file, line=6, path="timeline.A99.actor", message="unknown actor 'hezbollah'")


def test_event_names_unknown_action(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, NEW_EVENT.format(actor="iran", action="rocket_atack"))
    expect_error(
        file,
        file=file,
        line=7,
        path="timeline.A99.action",
        message="unknown action 'rocket_atack' (did you mean 'rocket_attack'?)",
    )


def test_menu_names_unknown_action(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actors:\n  iran:\n    menu:\n      - hold\n      - nuke\n")
    expect_error(file, file=file, line=7, path="actors.iran.menu[1]", message="unknown action 'nuke'")


def test_outcome_names_unknown_rung(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "outcomes:\n  war:\n    when:\n      - at_least: wat\n")
    expect_error(
        file,
        file=file,
        line=6,
        path="outcomes.war.when[0].at_least",
        message="unknown rung or threshold 'wat' (did you mean 'war'?)",
    )


def test_action_names_unknown_lethal_rung(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actions:\n  rocket_attack:\n    lethal_rung: proxy_letal\n")
    expect_error(
        file, file=file, line=5, path="actions.rocket_attack.lethal_rung", message="unknown rung 'proxy_letal'"
    )


def test_start_after_names_unknown_event(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "start_after: A99\n")
    expect_error(file, file=file, line=3, path="start_after", message="unknown event 'A99'")


def test_patron_must_exist_and_be_a_state(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actors:\n  kataib_hezbollah:\n    patron: iraq\n")
    expect_error(
        file, file=file, line=5, path="actors.kataib_hezbollah.patron", message="the patron 'iraq' must be a state"
    )
    file = child(scenarios_copy, "actors:\n  kataib_hezbollah:\n    patron: irn\n", name="child2.yaml")
    expect_error(file, file=file, line=5, path="actors.kataib_hezbollah.patron", message="unknown actor 'irn'")


# ------------------------------------------------------------------------------ missing fields
def test_event_without_date(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "timeline:\n  A99:\n    actor: iran\n    action: statement\n")
    error = expect_error(
        file, file=file, line=line_of(file, "actor: iran"), path="timeline.A99", message="missing required field 'date'"
    )
    assert error.line >= line_of(file, "A99:")


def test_actor_without_side(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actors:\n  hezbollah:\n    kind: militia\n    patron: iran\n    menu: [hold]\n")
    expect_error(file, file=file, line=5, path="actors.hezbollah", message="missing required field 'side'")


def test_action_without_rung(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actions:\n  leaflets:\n    description: drop leaflets\n")
    expect_error(file, file=file, line=5, path="actions.leaflets", message="missing required field 'rung'")


def test_file_without_ladder(tmp_path: Path) -> None:
    data = seeded_data()
    del data["ladder"]
    path = write(tmp_path / "no_ladder.yaml", "name: no_ladder\n")
    expect_error(path, file=path, line=1, path="(top level)", message="missing required field 'ladder'")
    expect_error(data, file="<data>", line=1, path="(top level)", message="missing required field 'ladder'")


def test_militia_without_patron(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actors:\n  hezbollah:\n    kind: militia\n    side: iran\n    menu: [hold]\n")
    expect_error(file, file=file, line=5, path="actors.hezbollah", message="a militia needs a 'patron'")


# ------------------------------------------------------------------------------ YAML itself
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("name: child\nparameters:\n  wound_weight: 0.3\n fear_steepness: 2\n", 4, "expected <block end>"),
        ("name: child\nparameters:\n\twound_weight: 0.3\n", 3, "found character '\\t'"),
        ("name: child\nactors: {iran: {fear: 1}\nhorizon_days: 3\n", 3, "expected ',' or '}'"),
        ("name: x\n---\nname: y\n", 2, "found another document"),
        ("name: !!python/object:os.system x\n", 1, "could not determine a constructor"),
    ],
)
def test_yaml_syntax_error(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path / "broken.yaml", text)
    error = expect_error(path, file=path, line=line, path="", message=message)
    assert error.message.startswith("YAML syntax error: ")


def test_duplicate_key(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "horizon_days: 30\nhorizon_days: 60\n")
    expect_error(file, file=file, line=4, path="horizon_days", message="duplicate key 'horizon_days'")


def test_nested_duplicate_key_line(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actors:\n  iran:\n    fear: 1\n    fear: 2\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    assert (info.value.file, info.value.line) == (str(file), 6)
    assert "duplicate key 'fear'" in info.value.message


def test_nested_duplicate_key_path(scenarios_copy: Path) -> None:
    file = child(scenarios_copy, "actors:\n  iran:\n    fear: 1\n    fear: 2\n")
    expect_error(file, file=file, line=6, path="actors.iran.fear", message="duplicate key 'fear'")


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.yaml", "")
    expect_error(empty, file=empty, line=1, path="", message="the file is empty")
    listed = write(tmp_path / "list.yaml", "- a\n- b\n")
    expect_error(listed, file=listed, line=1, path="(top level)", message="expected a mapping, got list")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    expect_error(path, file=path, line=None, path="", message="no such file")


def test_directory_is_not_a_scenario(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert info.value.file == str(tmp_path)
    assert "\n" not in str(info.value)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    expect_error(path, file=path, line=None, path="", message="not a UTF-8 text file")


def test_a_variant_is_named_after_its_file_and_says_so_in_its_title(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tight_leash.yaml", f"extends: {SEEDED_PATH}\nactors:\n  kataib_hezbollah:\n    control: 0.95\n"
    )
    variant = load_scenario(path)
    base = load_scenario(SEEDED_PATH)
    assert variant.name == "tight_leash" and variant.title == f"{base.title} (variant tight_leash)"
    named = write(tmp_path / "other.yaml", f"extends: {SEEDED_PATH}\nname: mine\ntitle: Mine\n")
    assert (load_scenario(named).name, load_scenario(named).title) == ("mine", "Mine")


@pytest.mark.parametrize("how", ["extends", "with_overrides"])
def test_an_edited_count_is_perceived_unless_the_edit_says_otherwise(tmp_path: Path, how: str) -> None:
    """A16's record says it was perceived as killing no one; a variant that makes it kill ten is felt."""

    def a16(edit: dict) -> Event:
        if how == "with_overrides":
            scenario = load_scenario(SEEDED_PATH).with_overrides({"timeline": {"A16": edit}})
        else:
            text = yaml.safe_dump({"extends": str(SEEDED_PATH), "timeline": {"A16": edit}})
            scenario = load_scenario(write(tmp_path / "variant.yaml", text))
        return next(e for e in scenario.timeline if e.id == "A16")

    edited = a16({"killed": 10})
    assert (edited.killed, edited.perceived_killed, edited.perceived_wounded) == (10, None, 0)
    kept = a16({"killed": 10, "perceived": {"killed": 0}})
    assert (kept.killed, kept.perceived_killed) == (10, 0)
    untouched = a16({"wounded": 110})
    assert untouched.perceived_killed == 0 and untouched.perceived_wounded is None


def test_a_date_edited_across_another_event_is_an_error_at_its_line(tmp_path: Path) -> None:
    """Moving K-1 (A05) past the strikes it provoked would silently reorder the replay: refused at the edit."""
    path = write(tmp_path / "moved.yaml", f'extends: {SEEDED_PATH}\ntimeline:\n  A05:\n    date: "2020-01-02"\n')
    expect_error(path, file=path, line=4, path="timeline.A05.date", message="2020-01-02 is after A06 (2019-12-29)")


def test_a_variant_can_drop_its_inherited_timeline(tmp_path: Path) -> None:
    path = write(
        tmp_path / "no_history.yaml",
        f"extends: {SEEDED_PATH}\nstart_after: null\ntimeline: null\nrecord: []\nobserved: null\n",
    )
    scenario = load_scenario(path)
    assert scenario.timeline == () and scenario.start_after is None
    same = write(tmp_path / "null_record.yaml", path.read_text().replace("record: []", "record: null"))
    assert load_scenario(same).record == ()


@pytest.mark.parametrize(
    ("kept", "needle", "field", "names"),
    [
        ("", "start_after: A10", "start_after", "unknown event 'A10'"),  # the base's branch point, at its line
        ("start_after: null\n", "provocation: A05", "observed.answers[0].provocation", "unknown event 'A05'"),
    ],
)
def test_a_dropped_timeline_names_what_still_points_into_it(
    tmp_path: Path, kept: str, needle: str, field: str, names: str
) -> None:
    """Fields inherited from the base that name events of a dropped timeline: the error is at the base's
    line and says where the timeline was emptied."""
    path = write(tmp_path / "dropped.yaml", f"extends: {SEEDED_PATH}\ntimeline: null\n{kept}")
    expect_error(path, file=SEEDED_PATH, line=line_of(SEEDED_PATH, needle), path=field, message=names)
    with pytest.raises(ScenarioError, match=rf"the timeline is emptied at {re.escape(str(path))}:2"):
        load_scenario(path)


# ------------------------------------------------------------------------------ edits and the branch point
def edited(tmp_path: Path, how: str, edit: dict) -> Scenario:
    """The seeded scenario (branch at A10, 3 Jan 2020) with ``edit``, as a variant file or as overrides."""
    if how == "with_overrides":
        return load_scenario(SEEDED_PATH).with_overrides(edit)
    return load_scenario(write(tmp_path / "edit.yaml", yaml.safe_dump({"extends": str(SEEDED_PATH), **edit})))


@pytest.mark.parametrize("how", ["extends", "with_overrides"])
@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        # A11 (4 Jan) onto the branch day: after A10 in the timeline, so never replayed, and before day 1
        ({"timeline": {"A11": {"date": "2020-01-03"}}}, "timeline.A11.date", "would put A11 on the branch day"),
        # the branch event a day later: A11 and A12 (4 Jan) would fall before the first simulated day
        ({"timeline": {"A10": {"date": "2020-01-04"}}}, "timeline.A10.date", "would move the branch point across A11"),
        # A20 (8 Jan) off the branch day of a branch at A17 into the simulated period
        (
            {"start_after": "A17", "timeline": {"A20": {"date": "2020-01-09"}}},
            "timeline.A20.date",
            "would move A20 off the branch day (A17, 2020-01-08)",
        ),
        # a new event on the branch day stands after A10: neither replayed nor simulated
        (
            {"timeline": {"A30": {"date": "2020-01-03", "actor": "iran", "action": "statement"}}},
            "timeline.A30.date",
            "would put A30 on the branch day after A10",
        ),
    ],
)
def test_an_edit_that_moves_an_event_across_the_branch_point_is_an_error(
    tmp_path: Path, how: str, edit: dict, field: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        edited(tmp_path, how, edit)
    error = info.value
    assert error.path == field and message in error.message, str(error)
    assert "an edit may not move an event across the branch point" in error.message
    if how == "extends":
        file = tmp_path / "edit.yaml"
        assert (error.file, error.line) == (str(file), line_of(file, "date:", line_of(file, f"{field.split('.')[1]}:")))


def test_validate_reports_an_event_moved_across_the_branch_point(tmp_path: Path, capsys) -> None:
    from escalation.cli import main

    path = write(tmp_path / "moved.yaml", f'extends: {SEEDED_PATH}\ntimeline:\n  A11:\n    date: "2020-01-03"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{path}:4: timeline.A11.date: 2020-01-03 would put A11 on the branch day after A10")


@pytest.mark.parametrize("how", ["extends", "with_overrides"])
def test_edits_that_keep_every_event_on_its_side_are_accepted(tmp_path: Path, how: str) -> None:
    """A date moved within the replayed period or within the simulated one, and a new event placed by its date."""
    base = load_scenario(SEEDED_PATH)
    variant = edited(
        tmp_path,
        how,
        {
            "timeline": {
                "A09": {"date": "2020-01-02"},  # the siege ends a day later: still replayed
                "A12": {"date": "2020-01-05"},  # a day later: still simulated
                "A30": {"date": "2020-01-02", "actor": "iran", "action": "statement"},  # new, before the branch
                "A31": {"date": "2020-02-01", "actor": "iran", "action": "statement"},  # new, after it
            }
        },
    )
    ids = [e.id for e in variant.timeline]
    assert ids.index("A09") < ids.index("A30") < ids.index("A10")  # after A09 of the same day, before A10
    assert ids.index("A23") < ids.index("A31") < ids.index("A24")
    assert [e.id for e in variant.replayed_events()] == [*[e.id for e in base.replayed_events()][:-1], "A30", "A10"]
    assert variant.start_date == base.start_date
    dates = [e.date for e in variant.timeline]
    assert dates == sorted(dates)


def test_a_branch_left_inside_a_day_by_the_base_is_not_an_edit() -> None:
    """The shipped variant branching at A17 leaves A18-A20 of the same day out: it edits no date."""
    after_strike = load_scenario(SCENARIOS / "us_iran_2020_after_strike.yaml")
    assert after_strike.start_date == dt.date(2020, 1, 9)
    same_day = [e.id for e in after_strike.timeline if e.date == dt.date(2020, 1, 8)]
    assert same_day[same_day.index("A17") + 1 :] == ["A18", "A19", "A20"]
