"""The explorer's page (Solara): the setting on the left, the study of it on the right.

The left column picks a scenario and its branch point, sets the study's size and moves
parameters (sliders built from the registry, :mod:`escalation.explore.choices`); *Run*
simulates the worlds (:mod:`escalation.explore.exploration`). The right column shows each
outcome's probability with its intervals, the outcome and ladder figures, and one world's
dated trace. State is per browser tab. Text is plain HTML: Solara's Markdown would fetch a
maths renderer from the network.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass

import solara
import solara.lab

from escalation.errors import EscalationError
from escalation.explore import choices
from escalation.explore.exploration import Exploration, configure, explore, trace
from escalation.explore.server import FILE_VARIABLE, TITLE
from escalation.scenario.loader import load_scenario
from escalation.scenario.schema import Scenario

DEFAULT_RUNS = 10_000
MAX_RUNS = 1_000_000
NOTE = {"font-size": "0.85em", "color": "#555"}

FILES = choices.scenario_files(os.environ.get(FILE_VARIABLE))

scenario_label = solara.reactive(next(iter(FILES), ""))
branch_label: solara.Reactive[str | None] = solara.reactive(None)  # None: the scenario's own branch point
moved: solara.Reactive[dict[str, float]] = solara.reactive({})  # full parameter name -> the value set
added: solara.Reactive[tuple[str, ...]] = solara.reactive(())  # further parameters given a slider
runs = solara.reactive(DEFAULT_RUNS)
seed = solara.reactive(0)
use_posterior = solara.reactive(True)
world = solara.reactive(0)  # seed of the world whose trace is shown


@dataclass(frozen=True)
class Setting:
    """Everything a study of the page depends on."""

    scenario: Scenario
    start_after: str | None
    values: tuple[tuple[str, float], ...]  # (full parameter name, value) of the moved parameters
    runs: int
    seed: int
    posterior: bool


@solara.lab.task
def study(setting: Setting) -> tuple[Setting, Exploration]:
    """Configure the variant and run its study (in a thread; the page shows progress meanwhile)."""
    variant = configure(setting.scenario, setting.start_after, dict(setting.values))
    return setting, explore(variant, runs=setting.runs, seed=setting.seed, posterior=setting.posterior)


def _load(label: str) -> Scenario | str:
    """The scenario of ``label``, or the one-line error that loading it gave."""
    try:
        return load_scenario(FILES[label])
    except EscalationError as exc:
        return str(exc)


def _table(head: list[str], rows: list[list[str]]) -> str:
    """An HTML table; the first column left-aligned, the others right-aligned."""
    cell = "padding: 2px 10px; text-align: {};"

    def line(cells: list[str], tag: str) -> str:
        return "".join(
            f'<{tag} style="{cell.format("left" if i == 0 else "right")}">{html.escape(c)}</{tag}>'
            for i, c in enumerate(cells)
        )

    body = "".join(f"<tr>{line(row, 'td')}</tr>" for row in rows)
    return f"<thead><tr>{line(head, 'th')}</tr></thead><tbody>{body}</tbody>"


@solara.component
def ScenarioPicker(scenario: Scenario | None) -> None:
    """The scenario file and its title; another file starts from its own branch point and values."""

    def pick(label: str) -> None:
        scenario_label.set(label)
        branch_label.set(None)
        moved.set({})
        added.set(())

    solara.Select("Scenario", values=list(FILES), value=scenario_label.value, on_value=pick)
    if scenario is not None:
        solara.Text(scenario.title or scenario.name, style=NOTE)


@solara.component
def BranchPicker(scenario: Scenario) -> None:
    """The event after which the simulation starts (``start_after``), or none."""
    points = solara.use_memo(lambda: choices.branch_points(scenario), [scenario])
    own = choices.branch_of(scenario).label
    solara.Select(
        "Branch point (simulation starts the next day)",
        values=[p.label for p in points],
        value=branch_label.value or own,
        on_value=lambda label: branch_label.set(None if label == own else label),
    )


@solara.component
def ParameterSlider(slider: choices.Slider) -> None:
    """The parameter's name, a slider over its plausible range, a box for any value within its bounds."""
    value = moved.value.get(slider.name, slider.value)
    problem, set_problem = solara.use_state("")

    def set_value(number: float | None) -> None:
        if number is None or not slider.accepts(number):
            set_problem(f"{slider.name} must lie in {slider.parameter.spec.bounds_text()}")
            return
        set_problem("")
        kept = {k: v for k, v in moved.value.items() if k != slider.name}
        moved.set(kept if number == slider.value else {**kept, slider.name: number})

    changed = slider.name in moved.value
    with solara.Tooltip(slider.tooltip), solara.Row(gap="8px", style={"align-items": "center"}):
        with solara.Column(gap="0px", style={"flex-grow": "1"}):
            solara.Text(slider.name + (" (moved)" if changed else ""), style={"font-weight": "500"})
            solara.SliderFloat("", value=value, min=slider.low, max=slider.high, step=slider.step, on_value=set_value)
        solara.InputFloat(slider.name, value=value, on_value=set_value, dense=True, style={"max-width": "120px"})
    if problem:
        solara.Error(problem, dense=True)


@solara.component
def ParameterControls(scenario: Scenario) -> None:
    """The key parameters' sliders, those added, a picker for the others and a reset."""
    sliders = solara.use_memo(lambda: choices.sliders(scenario), [scenario])
    key = solara.use_memo(lambda: choices.key_parameters(scenario), [scenario])
    solara.HTML("h3", "Parameters")
    solara.Text(
        "Hover a parameter for its meaning and range. A parameter you move is held at its value in every "
        "world; with parameter uncertainty on, each world draws the others from the posterior.",
        style=NOTE,
    )
    for name in (*key, *(n for n in added.value if n not in key)):
        ParameterSlider(sliders[name])
    others = [name for name in sliders if name not in key and name not in added.value]
    solara.Select("Add a parameter", values=others, value=None, on_value=lambda name: added.set((*added.value, name)))
    solara.Button("Reset parameters", on_click=lambda: moved.set({}), outlined=True, disabled=not moved.value)


@solara.component
def StudyControls(scenario: Scenario, setting: Callable[[], Setting]) -> None:
    """Worlds, seed, parameter uncertainty (with a posterior) and the Run button."""
    with solara.Row():
        solara.InputInt("Worlds", value=runs, on_value=lambda n: runs.set(min(max(n or 1, 1), MAX_RUNS)))
        solara.InputInt("Seed", value=seed, on_value=lambda n: seed.set(max(n or 0, 0)))
    if scenario.parameters_from is not None:
        solara.Switch(label="Parameter uncertainty (posterior draws)", value=use_posterior)
    solara.Button("Run", on_click=lambda: study(setting()), color="primary", disabled=study.pending)


@solara.component
def TracePanel(exploration: Exploration) -> None:
    """One world of the study's variant, by seed, as the dated narrative of ``escalation trace``."""
    result = solara.use_thread(
        lambda: trace(exploration.scenario, seed=world.value, posterior=exploration.posterior),
        dependencies=[exploration, world.value],
    )
    solara.HTML("h3", "One world")
    solara.InputInt("World (seed of the trace)", value=world, on_value=lambda n: world.set(max(n or 0, 0)))
    if result.error is not None:
        solara.Error(str(result.error))
    elif result.value is None:
        solara.ProgressLinear(True)
    else:
        solara.Preformatted(
            result.value.narrative(), class_="world-trace", style_="max-height: 480px; overflow: auto; font-size: 0.8em"
        )


@solara.component
def StudyStatus() -> None:
    """Progress while a study runs; its error if it failed."""
    if study.pending:
        solara.ProgressLinear(True)
        solara.Text("Simulating…")
    if study.error:
        solara.Error(str(study.exception), classes=["run-error"])


@solara.component
def StudyPanel() -> None:
    """The latest finished study; its parts stay in place while the next runs, so they update in place."""
    StudyStatus()
    if study.latest is None:
        return
    setting, exploration = study.latest
    solara.HTML("h2", html.escape(exploration.scenario.title or exploration.scenario.name))
    solara.Text(exploration.summary(), classes=["run-summary"])
    held = ", ".join(f"{name} = {value:g}" for name, value in setting.values)
    solara.Text(f"Moved: {held}" if held else "Moved: none", style=NOTE)
    solara.HTML("table", _table(*exploration.rows()), classes=["outcome-table"], style="margin: 12px 0")
    solara.Image(exploration.outcomes_png, width="100%", classes=["outcome-figure"])
    solara.Image(exploration.ladder_png, width="100%", classes=["ladder-figure"])
    TracePanel(exploration)


@solara.component
def Page() -> None:
    """The whole page; it runs the first scenario once as it opens."""
    solara.Title(TITLE)
    loaded = solara.use_memo(lambda: _load(scenario_label.value), [scenario_label.value])
    scenario = loaded if isinstance(loaded, Scenario) else None

    def setting() -> Setting:
        assert scenario is not None
        points = {p.label: p.event for p in choices.branch_points(scenario)}
        start = points[branch_label.value] if branch_label.value else scenario.start_after
        values = tuple(sorted(moved.value.items()))
        return Setting(scenario, start, values, runs.value, seed.value, use_posterior.value)

    def first_run() -> None:
        if scenario is not None:
            study(setting())

    solara.use_effect(first_run, [])
    with solara.Columns([4, 8], style={"padding": "12px"}):
        with solara.Column():
            solara.HTML("h1", TITLE, style="font-size: 1.6em; font-weight: 400")
            ScenarioPicker(scenario)
            if scenario is None:
                solara.Error(str(loaded))
            else:
                BranchPicker(scenario)
                StudyControls(scenario, setting)
                ParameterControls(scenario)
        with solara.Column():
            StudyPanel()
