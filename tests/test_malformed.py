"""Malformed scenarios only ever raise ``ScenarioError``, whose text is one line naming the file.

Hypothesis damages the seeded scenario (as data, and as the text of its two files) and checks
that the loader either accepts the result or rejects it cleanly: never a KeyError, TypeError,
IndexError or yaml exception escaping, never a multi-line message, and the line it names lies
inside the file it names.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import strategies as sst
import yaml
from helpers import HISTORY_PATH, SCENARIOS, SEEDED_PATH, seeded_data, write
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from escalation import Scenario, ScenarioError, load_scenario


def check_clean(error: ScenarioError, files: dict[str, str]) -> None:
    """``error`` is one line starting with a file it names, at a line inside that file."""
    text = str(error)
    assert len(text.splitlines()) == 1, repr(text)
    assert error.message
    assert error.file in files, (error.file, list(files))
    assert text.startswith(f"{error.file}:")
    if error.line is not None:
        assert text.startswith(f"{error.file}:{error.line}: ")
        # PyYAML may place an end-of-stream problem one line past the last line.
        assert 1 <= error.line <= len(files[error.file].splitlines()) + 1, (error.line, text)


def load_or_clean_error(source: Path | dict, files: dict[str, str]) -> Scenario | None:
    try:
        scenario = load_scenario(source)
    except ScenarioError as error:
        check_clean(error, files)
        return None
    assert isinstance(scenario, Scenario)
    return scenario


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("malformed")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=sst.malformed_scenario_data(), as_file=st.booleans())
def test_mutated_scenario_only_raises_scenario_error(workdir: Path, data: dict, as_file: bool) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if as_file:
        path = workdir / "mutated.yaml"
        path.write_text(text, encoding="utf-8")
        load_or_clean_error(path, {str(path): text})
    else:
        load_or_clean_error(data, {"<data>": text})


@pytest.fixture(scope="module")
def scenario_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("tree") / "scenarios"
    shutil.copytree(SCENARIOS, target)
    return target


SEEDED_TEXT = SEEDED_PATH.read_text(encoding="utf-8")
HISTORY_TEXT = HISTORY_PATH.read_text(encoding="utf-8")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from(["seeded", "history"]),
    data=st.data(),
)
def test_damaged_yaml_text_only_raises_scenario_error(scenario_tree: Path, which: str, data: st.DataObject) -> None:
    seeded = scenario_tree / SEEDED_PATH.name
    history = scenario_tree / "history" / HISTORY_PATH.name
    texts = {str(seeded): SEEDED_TEXT, str(history): HISTORY_TEXT}
    damaged = seeded if which == "seeded" else history
    texts[str(damaged)] = data.draw(sst.mutated_yaml_text(texts[str(damaged)]), label="text")
    for path, text in texts.items():
        Path(path).write_text(text, encoding="utf-8")
    load_or_clean_error(seeded, texts)


@settings(max_examples=100, deadline=None)
@given(text=sst.YAML_NOISE | st.text(st.sampled_from(list("ab:-[]{}\n '\"#|>")), max_size=60))
def test_random_yaml_text_only_raises_scenario_error(workdir: Path, text: str) -> None:
    path = workdir / "noise.yaml"
    path.write_text(text, encoding="utf-8")
    load_or_clean_error(path, {str(path): text})


# ---------------------------------------------------------------------------------- known defects
# Each test below pins a case that once escaped as a non-ScenarioError or broke the one-line rule.
def test_control_character_is_a_scenario_error(tmp_path: Path) -> None:
    path = write(tmp_path / "ctrl.yaml", "name: a\x01b\n")
    load_or_clean_error(path, {str(path): path.read_text(encoding="utf-8")})


def test_recursive_alias_is_a_scenario_error(tmp_path: Path) -> None:
    path = write(tmp_path / "alias.yaml", "name: &x [*x]\n")
    load_or_clean_error(path, {str(path): path.read_text(encoding="utf-8")})


def test_deep_nesting_is_a_scenario_error(tmp_path: Path) -> None:
    path = write(tmp_path / "deep.yaml", "name: " + "[" * 1000 + "]" * 1000 + "\n")
    load_or_clean_error(path, {str(path): path.read_text(encoding="utf-8")})


def test_impossible_unquoted_date_is_a_scenario_error(tmp_path: Path) -> None:
    path = write(tmp_path / "date.yaml", f"extends: {SEEDED_PATH}\nname: d\ntimeline:\n  A05:\n    date: 2020-02-30\n")
    load_or_clean_error(path, {str(path): path.read_text(encoding="utf-8")})


def test_huge_integer_is_a_scenario_error() -> None:
    data = seeded_data()
    data["parameters"]["telegraph_factor"] = 10**400
    load_or_clean_error(data, {"<data>": yaml.safe_dump(data)})


@pytest.mark.parametrize("where", ["top", "actor", "timeline id"])
def test_key_with_line_break_gives_one_line_error(where: str) -> None:
    data = seeded_data()
    if where == "top":
        data["bad\nkey"] = 1
    elif where == "actor":
        data["actors"]["iran"]["fe\nar"] = 1
    else:
        data["timeline"]["A\n99"] = data["timeline"]["A01"]
    load_or_clean_error(data, {"<data>": yaml.safe_dump(data, sort_keys=False)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("horizon_days: !!timestamp x\n", "horizon_days: invalid timestamp value 'x'"),
        ('horizon_days: !!int ""\n', "horizon_days: invalid int value ''"),
        ("title: !!bool maybe\n", "title: invalid bool value 'maybe'"),
        ('title: !!float ""\n', "title: invalid float value ''"),
        ("2020-02-30: 1\n", "invalid timestamp value '2020-02-30' (day is out of range for month)"),
        ("extends: " + "x" * 300 + "\n", "extends: cannot use 'xxxx"),
    ],
    ids=["timestamp", "int", "bool", "float", "bad key", "long extends"],
)
def test_values_their_tag_cannot_read_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    check_clean(caught.value, {str(path): text})
    assert message in str(caught.value)


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """Each alias repeats the list before it ten times: 10**7 values from 280 bytes of YAML."""
    lines = ["a0: &a0 [x,x,x,x,x,x,x,x,x,x]"]
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    path = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match="expands to more than 200,000 values"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("timeline:\n  A05:\n    killed: 9223372036854775808\n", "timeline.A05.killed: must be at most 10000000"),
        ('title: "\\ud800"\n', "title: text holds a lone surrogate"),
    ],
    ids=["huge count", "lone surrogate"],
)
def test_values_that_would_fail_at_run_time_are_refused_at_load(tmp_path: Path, fields: str, message: str) -> None:
    text = f"extends: {SEEDED_PATH}\nname: variant\n{fields}"
    path = write(tmp_path / "variant.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    check_clean(caught.value, {str(path): text, str(SEEDED_PATH): SEEDED_PATH.read_text(encoding="utf-8")})
    assert message in str(caught.value)


def test_sizes_and_chains_have_documented_limits(tmp_path: Path) -> None:
    """Dates from 1900 to 2200, at most 50 actors, extends chains of at most 32 files: one line each."""
    late = "timeline:\n  A01:\n    date: 9999-12-31\n"
    dated = write(tmp_path / "dated.yaml", f"extends: {SEEDED_PATH}\nname: d\n{late}")
    with pytest.raises(ScenarioError, match=r"dated.yaml:5: timeline.A01.date: dates must lie from 1900-01-01"):
        load_scenario(dated)
    hosts = "".join(f"  h{i}: {{kind: host, side: s{i}}}\n" for i in range(60))
    crowded = write(tmp_path / "crowded.yaml", f"extends: {SEEDED_PATH}\nname: c\nactors:\n{hosts}")
    with pytest.raises(ScenarioError, match="actors: at most 50 actors, got 65"):
        load_scenario(crowded)
    write(tmp_path / "chain0.yaml", f"extends: {SEEDED_PATH}\nname: c0\n")
    for i in range(1, 40):
        write(tmp_path / f"chain{i}.yaml", f"extends: chain{i - 1}.yaml\nname: c{i}\n")
    with pytest.raises(ScenarioError, match=r"'extends' chains more than 32 files \(the first is chain39.yaml\)"):
        load_scenario(tmp_path / "chain39.yaml")
    assert load_scenario(tmp_path / "chain20.yaml").name == "c20"


def test_a_base_that_is_not_a_mapping_is_named(tmp_path: Path) -> None:
    write(tmp_path / "list.yaml", "- one\n- two\n")
    variant = write(tmp_path / "variant.yaml", "extends: list.yaml\nname: v\n")
    with pytest.raises(ScenarioError, match=r"list.yaml:1: a base of 'extends' must be a scenario mapping"):
        load_scenario(variant)


def test_errors_quote_a_short_excerpt_of_a_value(tmp_path: Path) -> None:
    """A secret pulled in by mistake (a long value) is not printed whole."""
    secret = "s3cr3t/" + "x" * 200  # not a valid id: the loader quotes it
    path = write(tmp_path / "leaky.yaml", f"extends: {SEEDED_PATH}\nname: {secret}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert "s3cr3t/" in text and secret not in text and len(text) < 300


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=sst.hostile_yaml_lines())
@example(extra='parameters_from: "\\x00"\n')  # a NUL character in a path: once a ValueError from the file system
@example(extra=f"parameters_from: {'x' * 300}\n")  # a name too long for the file system
def test_hostile_yaml_gives_a_located_error_or_a_scenario_that_runs(workdir: Path, extra: str) -> None:
    """Thousands of hostile variants per run: a ScenarioError with file (and line), or a scenario
    that a short study runs to the end; never another exception, never a hang."""
    from escalation import RunError, run_study

    text = f"extends: {SEEDED_PATH}\nname: hostile\n" + extra
    path = workdir / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:  # located in the variant or in a base file of its chain
        check_clean(error, {error.file: Path(error.file).read_text(encoding="utf-8")})
        return
    try:
        results = run_study(scenario, runs=10, block_size=10, seed=1)
    except RunError as error:  # a study can refuse too (a posterior that does not fit), in one line
        assert len(str(error).splitlines()) == 1
        return
    assert results.runs == 10
