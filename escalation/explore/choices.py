"""What the explorer's controls offer: scenario files, branch points, key parameters and slider ranges.

Everything here is read from the scenario and the parameter registry
(:mod:`escalation.parameters`); nothing imports Solara.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from escalation.parameters import ScenarioParameter, scenario_parameters
from escalation.scenario.schema import Scenario

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"  # the repository's scenario files, when present
KEY_GLOBAL = ("telegraph_factor",)
KEY_ACTOR = ("rationality", "fear", "reciprocity", "control")
NO_HISTORY = "none: no history, simulate from day 1"
CENTRAL = 0.99  # share of the prior a slider spans (for parameters that are not shares)
POSITIONS = 100  # a slider's step is the power of ten nearest to its span / POSITIONS, rounded down


def scenario_files(extra: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """The scenarios to pick from, label to path: ``extra`` (as given) first, then the shipped ones.

    The shipped ones are the top-level ``scenarios/*.yaml`` of the repository the package
    runs from (an editable install or a checkout); an installed package has only ``extra``.
    """
    found: dict[str, Path] = {}
    if extra is not None:
        found[str(extra)] = Path(extra)
    for path in sorted(SHIPPED.glob("*.yaml")):
        if path.resolve() not in {p.resolve() for p in found.values()}:
            found[path.name] = path
    return found


@dataclass(frozen=True)
class BranchPoint:
    """A place to start simulating: after a documented event (``event``), or before any (``None``)."""

    label: str
    event: str | None


def branch_points(scenario: Scenario) -> list[BranchPoint]:
    """No history, then every event of the timeline: ``A10 · 2020-01-03 · United States: Kill ...``."""
    names = {actor.id: actor.name or actor.id for actor in scenario.actors}
    points = [BranchPoint(NO_HISTORY, None)]
    for event in scenario.timeline:
        action = scenario.action(event.action)
        what = f"{names.get(event.actor, event.actor)}: {action.name or action.id}"
        points.append(BranchPoint(f"{event.id} · {event.date.isoformat()} · {what}", event.id))
    return points


def branch_of(scenario: Scenario) -> BranchPoint:
    """The scenario's own branch point (``start_after``)."""
    return next(p for p in branch_points(scenario) if p.event == scenario.start_after)


@dataclass(frozen=True)
class Slider:
    """A parameter's slider: the scenario's value, a range ``[low, high]`` with a ``step``, and its doc.

    The range is the registry's bounds for a share or probability (bounds at most 1 apart);
    otherwise the central 99% of the parameter's prior within its bounds (for a fixed prior,
    from the lower bound to twice the value, at least 1 above it), widened to hold the value
    and rounded outwards to the step. Any value within the registry's bounds is accepted.
    """

    parameter: ScenarioParameter
    low: float
    high: float
    step: float

    @property
    def name(self) -> str:
        return self.parameter.name

    @property
    def value(self) -> float:
        return self.parameter.value

    @property
    def unit(self) -> str:
        return self.parameter.spec.unit

    def accepts(self, value: float) -> bool:
        """Whether ``value`` lies within the parameter's bounds."""
        return math.isfinite(value) and bool(self.parameter.spec.contains(value))

    @property
    def tooltip(self) -> str:
        """The registry's doc, bounds, default, the scenario's value and the prior, in one line."""
        spec = self.parameter.spec
        unit = f" ({spec.unit})" if spec.unit else ""
        return (
            f"{spec.doc}{unit}. Range {spec.bounds_text()}, default {spec.default:g}, "
            f"this scenario {self.value:g}, prior {self.parameter.prior}."
        )


def _span(parameter: ScenarioParameter) -> tuple[float, float]:
    spec, value = parameter.spec, parameter.value
    if math.isfinite(spec.low) and math.isfinite(spec.high) and spec.high - spec.low <= 1:
        return spec.low, spec.high
    if parameter.prior.fixed:
        low, high = spec.low, max(2 * value, spec.low + 1)
    else:
        low, high = (float(q) for q in parameter.prior.frozen().ppf([(1 - CENTRAL) / 2, (1 + CENTRAL) / 2]))
    return max(min(low, value), spec.low), min(max(high, value), spec.high)


def slider(parameter: ScenarioParameter) -> Slider:
    """The slider of one parameter (see :class:`Slider` for its range)."""
    spec = parameter.spec
    low, high = _span(parameter)
    step = 10.0 ** math.floor(math.log10(max(high - low, 1e-12) / POSITIONS))
    digits = max(0, -math.floor(math.log10(step)))
    low = max(round(math.floor(low / step) * step, digits), spec.low)
    high = min(round(math.ceil(high / step) * step, digits), spec.high)
    if spec.low_open and low <= spec.low:
        low = round(spec.low + step, digits)
    return Slider(parameter, low, high, step)


def sliders(scenario: Scenario) -> dict[str, Slider]:
    """A slider for every parameter the scenario's model reads, by full name, in the registry's order."""
    return {p.name: slider(p) for p in scenario_parameters(scenario)}


def key_parameters(scenario: Scenario) -> list[str]:
    """The parameters shown first: ``telegraph_factor``, then each actor's rationality, fear,
    reciprocity and (for a militia) the patron's control, where the scenario has them."""
    rows = scenario_parameters(scenario)
    key = [p.name for p in rows if p.owner_id is None and p.spec.name in KEY_GLOBAL]
    return key + [p.name for p in rows if p.spec.owner == "actor" and p.spec.name in KEY_ACTOR]
