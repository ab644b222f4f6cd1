"""The parameter registry, priors, per-world parameters and ``escalation params``.

Run as a script with ``--refresh`` to regenerate the registry table in docs/model.md.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation import EscalationModel, ScenarioError, load_scenario, run_study
from escalation.cli import main
from escalation.errors import RunError
from escalation.parameters import PriorError, parse_prior, registry, registry_markdown, scenario_parameters

ROOT = Path(__file__).resolve().parents[1]
MODEL_DOC = ROOT / "docs" / "model.md"
BEGIN, END = "<!-- registry:begin -->\n", "<!-- registry:end -->"


def _documented(text: str) -> str:
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)]


def test_docs_registry_table_is_current() -> None:
    assert _documented(MODEL_DOC.read_text(encoding="utf-8")) == registry_markdown(), (
        "docs/model.md's registry table is stale: python tests/test_parameters.py --refresh"
    )


@pytest.mark.parametrize("parameter", registry().parameters, ids=lambda p: f"{p.owner}.{p.name}")
def test_every_declaration_is_complete_and_its_prior_has_mass_inside_the_bounds(parameter) -> None:
    assert parameter.doc and parameter.reason and parameter.mechanism
    assert parameter.contains(parameter.default)
    value = parameter.default or 1.0
    prior = parse_prior(parameter.prior, value)
    if prior.fixed:
        return
    dist = prior.frozen()
    inside = dist.cdf(parameter.high) - dist.cdf(parameter.low)
    assert inside > 0.5, f"{parameter.name}: only {inside:.2f} of the prior lies within {parameter.bounds_text()}"


def test_registry_names_each_parameter_once() -> None:
    keys = [(p.owner, p.name) for p in registry().parameters]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    "text",
    [
        "norm(loc=0)",
        "lognorm(s=-1, scale=2)",
        "beta(a=2)",
        "cauchy(loc=0, scale=1)",
        "lognorm(s=0.5, scale=__import__)",
        3,
    ],
)
def test_malformed_priors_are_refused(text) -> None:
    if text == "norm(loc=0)":
        assert str(parse_prior(text)) == "norm(loc=0)"  # a keyword may be left to scipy's default
        return
    with pytest.raises(PriorError):
        parse_prior(text)


@given(s=st.floats(0.01, 5.0), scale=st.floats(0.01, 1e3))
def test_prior_text_round_trips(s: float, scale: float) -> None:
    prior = parse_prior(f"lognorm(s={s!r}, scale={scale!r})")
    again = parse_prior(str(prior))
    assert again.family == "lognorm"
    for (k1, v1), (k2, v2) in zip(prior.keywords, again.keywords, strict=True):
        assert k1 == k2 and math.isclose(v1, v2, rel_tol=1e-5)


def test_value_relative_prior_is_centred_on_the_value_and_fixed_at_zero() -> None:
    assert parse_prior("lognorm(s=0.5, scale={value})", 0.0).fixed
    assert math.isclose(parse_prior("lognorm(s=0.5, scale={value})", 3.0).frozen().median(), 3.0)


def test_scenario_parameters_cover_actors_actions_and_priors(seeded, tmp_path: Path) -> None:
    names = {p.name: p for p in scenario_parameters(seeded)}
    assert names["iran.rationality"].value == seeded.actor("iran").rationality
    assert names["telegraph_factor"].value == seeded.parameters.telegraph_factor
    assert names["rocket_attack.killed_mean"].value == seeded.action("rocket_attack").killed_mean
    assert "united_states.control" not in names  # proxy parameters only for militias
    path = tmp_path / "priors.yaml"
    path.write_text(
        f"extends: {ROOT / 'scenarios' / 'us_iran_2020.yaml'}\nname: priors\n"
        'priors:\n  iran.rationality: "gamma(a=4, scale=0.5)"\n',
        encoding="utf-8",
    )
    overridden = {p.name: p for p in scenario_parameters(load_scenario(path))}
    assert str(overridden["iran.rationality"].prior) == "gamma(a=4, scale=0.5)"


@pytest.mark.parametrize(
    ("priors", "message"),
    [
        ('  iran.rationalty: "beta(a=2, b=2)"\n', "did you mean 'iran.rationality'"),
        ('  iran.rationality: "cauchy(loc=1)"\n', "expected 'fixed' or family"),
    ],
)
def test_bad_priors_give_one_line_with_file_and_line(tmp_path: Path, priors: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"extends: {ROOT / 'scenarios' / 'us_iran_2020.yaml'}\nname: bad\npriors:\n{priors}", encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    text = str(error.value)
    assert "\n" not in text and message in text and f"{path}:4:" in text


def test_loader_enforces_registry_bounds(tmp_path: Path) -> None:
    path = tmp_path / "bounds.yaml"
    path.write_text(
        f"extends: {ROOT / 'scenarios' / 'us_iran_2020.yaml'}\nname: bounds\nparameters:\n  telegraph_factor: 1.5\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"parameters\.telegraph_factor: must be at most 1"):
        load_scenario(path)


def test_params_command_json(capsys) -> None:
    assert main(["params", str(ROOT / "scenarios" / "us_iran_2020.yaml"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"name", "value", "low", "high", "prior", "doc"} <= set(rows[0])
    by_name = {r["name"]: r for r in rows}
    assert by_name["iran.rationality"]["value"] == 2.0 and by_name["telegraph_factor"]["high"] == 1.0


# ------------------------------------------------------------------ per-world parameters
FREE = ["iran.rationality", "united_states.fear", "telegraph_factor", "kataib_hezbollah.control", "war.killed_mean"]


def _state(model: EscalationModel) -> tuple:
    return (model.rungs.copy(), model.killed_suffered.copy(), model.crossings.copy(), model.state.grievance.copy())


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_worlds=st.integers(1, 60), names=st.sets(st.sampled_from(FREE), min_size=1))
def test_arrays_equal_to_the_scalars_give_the_scalar_run(seeded_short, seed: int, n_worlds: int, names) -> None:
    values = {p.name: p.value for p in scenario_parameters(seeded_short)}
    arrays = {name: np.full(n_worlds, values[name]) for name in names}
    scalar = EscalationModel(seeded_short, n_worlds, rng=seed).run()
    per_world = EscalationModel(seeded_short, n_worlds, rng=seed, parameters=arrays).run()
    for a, b in zip(_state(scalar), _state(per_world), strict=True):
        np.testing.assert_array_equal(a, b)


def test_each_world_uses_its_own_values(seeded_short) -> None:
    """Accidents only in the worlds whose accident probability is not 0."""
    n = 400
    probability = np.where(np.arange(n) % 2 == 0, 0.0, 0.5)
    model = EscalationModel(seeded_short, n, rng=3, parameters={"accident_probability": probability}, detail=True)
    model.run()
    accidents = model.log_accident.any(axis=(0, 1))
    assert not accidents[probability == 0].any()
    assert accidents[probability > 0].mean() > 0.5


def test_per_world_parameters_are_checked(seeded_short) -> None:
    with pytest.raises(ValueError, match="needs shape"):
        EscalationModel(seeded_short, 4, rng=0, parameters={"iran.fear": np.ones(3)})
    with pytest.raises(ValueError, match="must lie in"):
        EscalationModel(seeded_short, 2, rng=0, parameters={"telegraph_factor": [0.5, 2.0]})
    with pytest.raises(ValueError, match="not a parameter"):
        EscalationModel(seeded_short, 2, rng=0, parameters={"iran.fearr": [1.0, 2.0]})


def test_study_with_per_world_parameters(seeded_short) -> None:
    import pandas as pd

    runs = 3_000
    base = run_study(seeded_short, runs=runs, seed=5, block_size=1_000, posterior=False)
    same = run_study(
        seeded_short, runs=runs, seed=5, block_size=1_000, parameters=pd.DataFrame({"iran.fear": np.full(runs, 14.0)})
    )
    np.testing.assert_array_equal(base.summary.outcome, same.summary.outcome)
    assert "parameters_hash" in same.meta
    with pytest.raises(RunError, match="needs shape"):
        run_study(seeded_short, runs=runs, seed=5, parameters={"iran.fear": np.ones(10)})


if __name__ == "__main__" and "--refresh" in sys.argv:
    text = MODEL_DOC.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    MODEL_DOC.write_text(text[:start] + registry_markdown() + text[stop:], encoding="utf-8")
    print(f"{MODEL_DOC}: registry table refreshed")
