"""Hypothesis strategies over scenarios.

* ``varied_seeded_data``: the seeded scenario with parameters moved around inside their valid
  ranges (always loads).
* ``small_scenario_data``: small random scenarios built from scratch (always load).
* ``malformed_scenario_data``: the seeded scenario with a few random mutations (may or may
  not load; the loader must never fail with anything but ``ScenarioError``).
* ``mutated_yaml_text``: line- and character-level damage to a scenario file's text.

The valid ranges of parameters come from the parameter registry (``escalation/parameters.py``);
the few structural fields' ranges are those of ``escalation/scenario/loader.py``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from helpers import seeded_data
from hypothesis import strategies as st

from escalation.parameters import registry


def floats(low: float, high: float, *, low_open: bool = False) -> st.SearchStrategy[float]:
    """Finite floats in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    return st.floats(min_value=low, max_value=high, exclude_min=low_open, allow_nan=False, allow_infinity=False)


def _registry_ranges(owner: str) -> dict[str, st.SearchStrategy[float]]:
    """Valid values of every registry parameter of ``owner``: its declared bounds."""
    return {name: floats(p.low, p.high, low_open=p.low_open) for name, p in registry().of(owner).items()}


PARAMETER_RANGES: dict[str, st.SearchStrategy[float]] = _registry_ranges("global")

ACTOR_RANGES: dict[str, st.SearchStrategy[float]] = _registry_ranges("actor")

ACTION_RANGES: dict[str, st.SearchStrategy[Any]] = {
    **_registry_ranges("action"),
    "dispersion": st.none() | floats(0.01, 1000.0),
    "telegraphed": st.booleans(),
    "on_host_soil": st.booleans(),
    "declares_red_line": st.booleans(),
    "signal": st.none() | st.just("offramp"),
}

# Ranges for scenarios that are also *run*: negative-binomial casualty draws fail for
RUN_PARAMETER_RANGES = PARAMETER_RANGES
RUN_ACTION_RANGES = ACTION_RANGES

# Text a scenario file can hold: any character but lone surrogates (which UTF-8 cannot encode).
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
# Text without line breaks or other control characters: for keys, which error messages quote raw.
# (Keys with line breaks make multi-line errors: pinned by test_malformed.py.)
SINGLE_LINE_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12
)
IDENTIFIERS = st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,8}", fullmatch=True)
SNAKE_CASE = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


def _maybe_set(draw: st.DrawFn, target: dict[str, Any], ranges: dict[str, st.SearchStrategy[Any]]) -> None:
    """Set a random subset of ``ranges``' fields of ``target`` to values drawn from their ranges."""
    for name in draw(st.lists(st.sampled_from(sorted(ranges)), unique=True, max_size=4)):
        target[name] = draw(ranges[name])


@st.composite
def varied_seeded_data(draw: st.DrawFn, horizon_days: int | None = None, for_runs: bool = False) -> dict[str, Any]:
    """The seeded scenario with model parameters, actors, actions and events varied validly.

    ``for_runs`` keeps casualty dispersions in the range the sampler handles.
    """
    parameter_ranges = RUN_PARAMETER_RANGES if for_runs else PARAMETER_RANGES
    action_ranges = RUN_ACTION_RANGES if for_runs else ACTION_RANGES
    data = seeded_data()
    _maybe_set(draw, data["parameters"], parameter_ranges)
    names = [*data["ladder"]["rungs"], *data["ladder"]["thresholds"]]
    if draw(st.booleans()):
        data["parameters"]["force_from"] = draw(st.sampled_from(names))
        data["parameters"]["accidents_from"] = draw(st.sampled_from(names))
    for actor_id in draw(st.lists(st.sampled_from(sorted(data["actors"])), unique=True, max_size=3)):
        actor = data["actors"][actor_id]
        _maybe_set(draw, actor, ACTOR_RANGES)
        if actor["kind"] == "state" and draw(st.booleans()):
            actor["red_line"] = draw(
                st.none()
                | st.fixed_dictionaries(
                    {
                        "killed_at_least": st.integers(1, 10_000),
                        "respond_at_least": st.sampled_from(names),
                        "active": st.booleans(),
                    }
                )
            )
    for action_id in draw(st.lists(st.sampled_from(sorted(data["actions"])), unique=True, max_size=4)):
        _maybe_set(draw, data["actions"][action_id], action_ranges)
    for event_id in draw(st.lists(st.sampled_from(sorted(data["timeline"])), unique=True, max_size=3)):
        event = data["timeline"][event_id]
        event["killed"] = draw(st.none() | st.integers(0, 10_000))
        event["wounded"] = draw(st.none() | st.integers(0, 10_000))
        event["description"] = draw(ANY_TEXT)
        event["telegraphed"] = draw(st.sampled_from(["yes", "no", "partial", "contested", "n/a"]))
    for rung_id in draw(st.lists(st.sampled_from(sorted(data["ladder"]["rungs"])), unique=True, max_size=2)):
        rung = data["ladder"]["rungs"][rung_id]
        rung["goldstein"] = draw(st.none() | floats(-10.0, 10.0))
        rung["mid"] = draw(st.none() | st.integers(1, 5))
    data["start_after"] = draw(st.none() | st.sampled_from(sorted(data["timeline"])))
    data["horizon_days"] = horizon_days if horizon_days is not None else draw(st.integers(1, 3650))
    data["title"] = draw(ANY_TEXT)
    data["description"] = draw(ANY_TEXT)
    return data


@st.composite
def small_scenario_data(
    draw: st.DrawFn, max_rungs: int = 8, max_horizon: int = 30, for_runs: bool = True
) -> dict[str, Any]:
    """A small random valid scenario built from scratch.

    2-3 states on two sides, 0-2 militias, maybe a host; 2-``max_rungs`` rungs with 0-3
    thresholds; 2-6 actions; 0-4 timeline events; 1-3 outcome rules plus the remainder.
    ``for_runs`` keeps casualty dispersions in the range the sampler handles.
    """
    parameter_ranges = RUN_PARAMETER_RANGES if for_runs else PARAMETER_RANGES
    action_ranges = RUN_ACTION_RANGES if for_runs else ACTION_RANGES
    n_rungs = draw(st.integers(2, max_rungs))
    rung_ids = [f"r{i}" for i in range(n_rungs)]
    threshold_levels = draw(st.lists(st.integers(1, n_rungs - 1), unique=True, max_size=3))
    thresholds = {f"t{level}": {"at": rung_ids[level], "name": f"Threshold {level}"} for level in threshold_levels}
    names = rung_ids + list(thresholds)

    n_states = draw(st.integers(2, 3))
    states = [f"s{i}" for i in range(n_states)]
    militias = [f"m{i}" for i in range(draw(st.integers(0, 2)))]
    hosts = ["h"] if draw(st.booleans()) else []
    everyone = states + militias + hosts

    actions: dict[str, dict[str, Any]] = {"hold": {"rung": "r0"}}
    for k in range(draw(st.integers(1, 5))):
        action: dict[str, Any] = {
            "rung": draw(st.sampled_from(rung_ids)),
            "target": draw(st.none() | st.sampled_from(everyone)),
        }
        if draw(st.booleans()):
            action["lethal_rung"] = draw(st.sampled_from(rung_ids))
        if draw(st.booleans()):
            action["also_harms"] = draw(st.lists(st.sampled_from(everyone), unique=True, max_size=2))
        _maybe_set(draw, action, action_ranges)
        actions[f"a{k}"] = action
    action_ids = list(actions)

    def menu_for(actor_id: str) -> list[str]:
        """A menu without acts that would harm the actor itself (the loader rejects those)."""
        allowed = [
            a
            for a in action_ids
            if actions[a].get("target") != actor_id and actor_id not in actions[a].get("also_harms", [])
        ]
        return draw(st.lists(st.sampled_from(allowed), min_size=1, max_size=4, unique=True))

    actors: dict[str, dict[str, Any]] = {}
    for i, state in enumerate(states):
        actor: dict[str, Any] = {
            "kind": "state",
            "side": "a" if i == 0 else "b" if i == 1 else draw(st.sampled_from("ab")),
        }
        actor["menu"] = menu_for(state)
        _maybe_set(draw, actor, ACTOR_RANGES)
        if draw(st.booleans()):
            actor["red_line"] = {
                "killed_at_least": draw(st.integers(1, 5)),
                "respond_at_least": draw(st.sampled_from(names)),
                "active": draw(st.booleans()),
            }
        actors[state] = actor
    for militia in militias:
        patron = draw(st.sampled_from(states))
        actor = {"kind": "militia", "side": actors[patron]["side"], "patron": patron, "menu": menu_for(militia)}
        _maybe_set(draw, actor, ACTOR_RANGES)
        actors[militia] = actor
    for host in hosts:
        actors[host] = {"kind": "host", "side": "host"}

    timeline: dict[str, dict[str, Any]] = {}
    day0 = dt.date(2020, 1, 1)
    offsets = sorted(draw(st.lists(st.integers(0, 20), max_size=4)))  # events stand in date order
    for e, offset in enumerate(offsets):
        event: dict[str, Any] = {
            "date": (day0 + dt.timedelta(days=offset)).isoformat(),
            "actor": draw(st.sampled_from(everyone)),
            "action": draw(st.sampled_from(action_ids)),
            "killed": draw(st.none() | st.integers(0, 30)),
            "wounded": draw(st.none() | st.integers(0, 30)),
        }
        if draw(st.booleans()):
            event["target"] = draw(st.sampled_from(everyone))
        if draw(st.booleans()):
            event["declares_red_line"] = True
        if draw(st.booleans()):
            event["signal"] = "offramp"
        if draw(st.booleans()):
            event["perceived"] = {"killed": draw(st.integers(0, 5)), "wounded": draw(st.none() | st.integers(0, 5))}
        if draw(st.booleans()):
            event["effects"] = {"host_pressure": {draw(st.sampled_from(everyone)): draw(floats(-10.0, 10.0))}}
        timeline[f"E{e}"] = event

    condition = st.fixed_dictionaries(
        {
            "actors": st.none() | st.lists(st.sampled_from(everyone), min_size=1, max_size=3, unique=True),
            "final_days": st.none() | st.integers(1, 40),
        }
    ).flatmap(
        lambda c: st.sampled_from(["below", "at_least"]).flatmap(
            lambda key: st.sampled_from(names).map(lambda level: c | {key: level})
        )
    )
    rule_names = draw(st.lists(SNAKE_CASE, min_size=2, max_size=4, unique=True))
    outcomes: dict[str, dict[str, Any]] = {
        name: {"when": draw(st.lists(condition, min_size=1, max_size=2))} for name in rule_names[:-1]
    }
    outcomes[rule_names[-1]] = {"description": "the remainder"}

    parameters: dict[str, Any] = {
        "force_from": draw(st.sampled_from(names)),
        "accidents_from": draw(st.sampled_from(names)),
    }
    _maybe_set(draw, parameters, parameter_ranges)
    return {
        "name": draw(IDENTIFIERS),
        "horizon_days": draw(st.integers(1, max_horizon)),
        "start_after": draw(st.none() | st.sampled_from(list(timeline))) if timeline else None,
        "parameters": parameters,
        "ladder": {"rungs": {r: {"name": r.upper()} for r in rung_ids}, "thresholds": thresholds},
        "actions": actions,
        "actors": actors,
        "timeline": timeline,
        "outcomes": outcomes,
    }


# ---------------------------------------------------------------------------------- malformed
# Bounded integers: integers too large for a float are a known defect pinned separately
# (test_malformed.py::test_huge_integer_is_a_scenario_error).
WRONG_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    ANY_TEXT,
    st.lists(st.integers(-5, 5) | ANY_TEXT, max_size=3),
    st.dictionaries(SINGLE_LINE_TEXT, st.integers(-5, 5) | ANY_TEXT, max_size=2),
    st.dates().map(dt.date.isoformat),
)
OUT_OF_RANGE_NUMBERS = st.one_of(
    st.floats(-1e12, -1e-9),
    st.floats(1.000001, 1e12),
    st.integers(-(10**12), -1),
    st.integers(1001, 10**12),
    st.sampled_from([math.nan, math.inf, -math.inf, 0, 0.0, -0.0, 3650, 3651, 1e6 + 1]),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (tuple of keys and indices) into nested dicts and lists, the root included."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _misspell(draw: st.DrawFn, word: str) -> str:
    if len(word) < 2:
        return word + "x"
    i = draw(st.integers(0, len(word) - 2))
    how = draw(st.sampled_from(["drop", "swap", "double"]))
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


@st.composite
def malformed_scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    """The seeded scenario (self-contained) after 1-3 random mutations.

    Mutations: delete a key or list item, insert an unknown key, misspell a key, or replace a
    value by one of the wrong type, an out-of-range number, or a random string (which, where a
    reference is expected, names nothing).
    """
    data = seeded_data()
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["delete", "unknown_key", "misspell", "wrong_value", "out_of_range", "string"]))
        if not path:
            if kind == "unknown_key":
                data[draw(SINGLE_LINE_TEXT)] = draw(WRONG_VALUES)
            continue
        parent = _parent(data, path)
        last = path[-1]
        if kind == "delete":
            del parent[last]
        elif kind == "unknown_key":
            target = parent[last]
            if isinstance(target, dict):
                target[draw(SINGLE_LINE_TEXT)] = draw(WRONG_VALUES)
            else:
                parent[last] = {draw(SINGLE_LINE_TEXT): target}
        elif kind == "misspell" and isinstance(parent, dict):
            parent[_misspell(draw, str(last))] = parent.pop(last)
        elif kind == "wrong_value":
            parent[last] = draw(WRONG_VALUES)
        elif kind == "out_of_range":
            parent[last] = draw(OUT_OF_RANGE_NUMBERS)
        else:
            parent[last] = draw(IDENTIFIERS | ANY_TEXT)
    return data


# Random YAML-ish text: printable characters and YAML punctuation. Digits and '&' are left out
# so that random text cannot form an unquoted invalid date or a self-referencing alias, both
# known defects pinned by explicit tests in test_malformed.py.
YAML_NOISE = st.text(
    st.sampled_from(list("abcxyz _-:#[]{},'\"|>!*?%@`\t.~")) | st.characters(codec="utf-8", categories=("L", "P", "S")),
    max_size=40,
).filter(lambda s: "&" not in s and not any(c.isdigit() for c in s))


@st.composite
def mutated_yaml_text(draw: st.DrawFn, text: str) -> str:
    """``text`` after 1-3 line- or character-level edits."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            lines = [draw(YAML_NOISE)]
            continue
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "indent", "dedent", "replace", "insert", "truncate", "char"]
            )
        )
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "indent":
            lines[i] = " " * draw(st.integers(1, 4)) + lines[i]
        elif how == "dedent":
            lines[i] = lines[i][draw(st.integers(1, 4)) :]
        elif how == "replace":
            lines[i] = draw(YAML_NOISE)
        elif how == "insert":
            lines.insert(i, draw(YAML_NOISE))
        elif how == "truncate":
            lines = [*lines[:i], lines[i][: draw(st.integers(0, len(lines[i])))]]
        elif lines[i]:
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:j] + draw(st.sampled_from(list(":-[]{}'\"#|>!*? \t,"))) + lines[i][j + 1 :]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- hostile YAML
# Values a hostile or careless author might write: every YAML tag the safe loader knows and some
# it does not, aliases, odd keys, huge and tiny numbers, impossible and extreme dates, escapes of
# control characters and lone surrogates, deep nesting.
HOSTILE_SCALARS = st.sampled_from(
    [
        '!!int ""', "!!int x", '!!float ""', "!!float inf", "!!bool maybe", "!!timestamp x",
        "!!timestamp 2020-02-30", "!!binary AAAA", "!!null x", "!!str 3", "!!python/name:os.system",
        "!!python/object/apply:os.system [ls]", "!custom 1", "!!set {a, b}", "!!omap [a: 1]",
        "1e400", "-1e400", ".nan", ".inf", "9223372036854775808", "-1", "0", "1e-320", "100000000",
        "2020-02-30", "0001-01-01", "9999-12-31", "1899-12-31", "~", "null", "yes", "no", "on",
        '"\\ud800"', '"\\x00"', '"\\u0007bell"', '"a\\nb"', "'" + "x" * 300 + "'",
        "[1, [2, [3, [4, [5]]]]]", "{a: {b: {c: {d: 1}}}}", "[]", "{}", "*nowhere",
    ]
)  # fmt: skip
HOSTILE_KEYS = st.sampled_from(
    ["parameters", "actors", "actions", "timeline", "outcomes", "ladder", "priors", "record", "horizon_days",
     "start_after", "title", "name", "description", "parameters_from", "extends", "2020-01-01", "1", "null",
     "true", "<<", "? [a, b]", "'\\t'", "inertia", "A16", "iran", "killed", "date", "rung", "menu"]
)  # fmt: skip


@st.composite
def hostile_yaml_lines(draw: st.DrawFn) -> str:
    """Lines of YAML to append to a variant of the seeded scenario: nested keys with hostile values."""
    lines: list[str] = []
    anchors = 0
    for _ in range(draw(st.integers(1, 6))):
        depth = draw(st.integers(0, 3))
        keys = [draw(HOSTILE_KEYS) for _ in range(depth + 1)]
        value = draw(HOSTILE_SCALARS)
        if draw(st.booleans()) and anchors < 3:  # an anchor, and maybe an alias to it later
            value = f"&h{anchors} {value}"
            anchors += 1
        elif anchors and draw(st.booleans()):
            value = f"*h{draw(st.integers(0, anchors - 1))}"
        for level, key in enumerate(keys[:-1]):
            lines.append("  " * level + f"{key}:")
        lines.append("  " * depth + f"{keys[-1]}: {value}")
    return "\n".join(lines) + "\n"
