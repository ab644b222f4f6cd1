"""The parameter registry: every numeric model parameter, declared once by its mechanism.

A :class:`Parameter` carries its name, owner (``global``, ``actor`` or ``action``), bounds,
default, prior and documentation. The mechanism modules of :mod:`escalation.mechanisms`
declare them; the scenario loader's checks, the parameter tables of ``docs/model.md``, the
test strategies, ``escalation params`` and the per-world parameter machinery all read this
registry. Nothing here imports scipy: a prior is kept as text (``lognorm(s=0.5, scale=2)``)
and frozen into a :mod:`scipy.stats` distribution only when asked for.

Full names in a scenario: ``telegraph_factor`` (global), ``iran.rationality`` (actor),
``rocket_attack.killed_mean`` (action).
"""

from __future__ import annotations

import ast
import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from escalation.scenario.schema import Scenario

OWNERS = ("global", "actor", "action")
ACTOR_KINDS = ("state", "militia", "host")
# what an actor needs for a parameter to apply to it, as the registry's tables say it
REQUIRES = {"menu": "actors with a menu", "patron": "actors with a patron", "allies": "actors with allies"}
FIXED = "fixed"

# scipy.stats families a prior may name, with the keywords each takes
PRIOR_FAMILIES: dict[str, tuple[str, ...]] = {
    "uniform": ("loc", "scale"),
    "loguniform": ("a", "b", "loc", "scale"),
    "beta": ("a", "b", "loc", "scale"),
    "lognorm": ("s", "loc", "scale"),
    "gamma": ("a", "loc", "scale"),
    "norm": ("loc", "scale"),
    "halfnorm": ("loc", "scale"),
    "expon": ("loc", "scale"),
    "truncnorm": ("a", "b", "loc", "scale"),
    "triang": ("c", "loc", "scale"),
}
_POSITIVE = {"scale", "s", "a", "b"}  # keywords that must be > 0 (truncnorm's a, b excepted)
_PRIOR = re.compile(r"^\s*([a-z_]+)\s*\((.*)\)\s*$", re.DOTALL)


class PriorError(ValueError):
    """A prior that is not of the form ``family(keyword=number, ...)`` or ``fixed``."""


@dataclass(frozen=True)
class Prior:
    """A prior in :mod:`scipy.stats` form: ``family(**keywords)``, or ``fixed`` (not free)."""

    family: str
    keywords: tuple[tuple[str, float], ...] = ()

    @property
    def fixed(self) -> bool:
        return self.family == FIXED

    def __str__(self) -> str:
        if self.fixed:
            return FIXED
        return f"{self.family}({', '.join(f'{k}={v:g}' for k, v in self.keywords)})"

    def frozen(self) -> Any:
        """The :mod:`scipy.stats` frozen distribution (imports scipy)."""
        if self.fixed:
            raise PriorError("a fixed parameter has no prior distribution")
        import scipy.stats

        return getattr(scipy.stats, self.family)(**dict(self.keywords))


def parse_prior(text: str, value: float | None = None) -> Prior:
    """Read ``family(keyword=number, ...)``; ``{value}`` in the text stands for the parameter's value.

    A prior written relative to the value (``lognorm(s=0.5, scale={value})``) of a parameter
    whose value is 0 has no spread and is taken as ``fixed``.
    """
    if not isinstance(text, str):
        raise PriorError(f"expected a prior such as 'lognorm(s=0.5, scale=2)', got {type(text).__name__}")
    if text.strip() == FIXED:
        return Prior(FIXED)
    if "{value}" in text:
        if value is None:
            raise PriorError("'{value}' needs the parameter's value")
        if value == 0:
            return Prior(FIXED)
        text = text.replace("{value}", repr(float(value)))
    match = _PRIOR.match(text)
    if not match or match.group(1) not in PRIOR_FAMILIES:
        families = ", ".join(PRIOR_FAMILIES)
        raise PriorError(f"expected 'fixed' or family(keyword=number, ...) with a family of {families}")
    family, body = match.group(1), match.group(2)
    allowed = PRIOR_FAMILIES[family]
    keywords: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in body.split(","))):
        key, sep, number = part.partition("=")
        key = key.strip()
        if not sep or key not in allowed:
            raise PriorError(f"{family} takes keywords {', '.join(allowed)}; got {part!r}")
        try:
            parsed = ast.literal_eval(number.strip())
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, bool) or not isinstance(parsed, (int, float)) or not math.isfinite(parsed):
            raise PriorError(f"{family}: {key} must be a finite number, got {number.strip()!r}")
        if key in _POSITIVE and family != "truncnorm" and parsed <= 0:
            raise PriorError(f"{family}: {key} must be greater than 0, got {parsed:g}")
        keywords[key] = float(parsed)
    if family == "loguniform" and not ({"a", "b"} <= keywords.keys() and 0 < keywords["a"] < keywords["b"]):
        raise PriorError("loguniform needs 0 < a < b")
    if family == "beta" and not {"a", "b"} <= keywords.keys():
        raise PriorError("beta needs a and b")
    if (
        family in ("lognorm", "gamma", "triang")
        and {"lognorm": "s", "gamma": "a", "triang": "c"}[family] not in keywords
    ):
        raise PriorError(f"{family} needs its shape keyword")
    return Prior(family, tuple(keywords.items()))


@dataclass(frozen=True)
class Parameter:
    """One model parameter as its mechanism declares it.

    ``low``/``high`` are the values a scenario may set (``low`` excluded with ``low_open``);
    ``prior`` is a :func:`parse_prior` text, possibly relative to the scenario's value;
    ``reason`` says in one line why that prior; ``doc`` what the parameter means. An actor
    parameter with ``requires`` (one of ``REQUIRES``) is read only for actors that have a menu,
    a patron or allies: other actors do not list it.
    """

    name: str
    owner: str
    low: float
    high: float
    default: float
    prior: str
    reason: str
    doc: str
    mechanism: str = ""
    unit: str = ""
    low_open: bool = False
    requires: str = ""

    def __post_init__(self) -> None:
        if self.owner not in OWNERS:
            raise ValueError(f"{self.name}: owner must be one of {OWNERS}")
        if self.requires and (self.owner != "actor" or self.requires not in REQUIRES):
            raise ValueError(f"{self.name}: requires must be one of {tuple(REQUIRES)}, for an actor parameter")
        if not (self.low < self.default <= self.high if self.low_open else self.low <= self.default <= self.high):
            raise ValueError(f"{self.name}: default {self.default} outside its bounds")
        parse_prior(self.prior, self.default if self.default else 1.0)

    def contains(self, value: Any) -> Any:
        """Whether ``value`` (a number, or each entry of a numpy array) lies within the bounds."""
        above = (value > self.low) if self.low_open else (value >= self.low)
        return above & (value <= self.high)

    def bounds_text(self) -> str:
        return f"{'(' if self.low_open else '['}{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class Registry:
    """All parameters, by owner and name, in the order the mechanisms declare them."""

    parameters: tuple[Parameter, ...]

    def of(self, owner: str) -> dict[str, Parameter]:
        return {p.name: p for p in self.parameters if p.owner == owner}

    @property
    def globals(self) -> dict[str, Parameter]:
        return self.of("global")

    @property
    def actor(self) -> dict[str, Parameter]:
        return self.of("actor")

    @property
    def action(self) -> dict[str, Parameter]:
        return self.of("action")

    def defaults(self, owner: str) -> dict[str, float]:
        return {name: p.default for name, p in self.of(owner).items()}


@functools.cache
def registry() -> Registry:
    """The registry gathered from every mechanism module (checked for duplicate names)."""
    from escalation.mechanisms import MECHANISMS

    declared: list[Parameter] = []
    seen: set[tuple[str, str]] = set()
    for module in MECHANISMS:
        for parameter in module.PARAMETERS:
            key = (parameter.owner, parameter.name)
            if key in seen:
                raise ValueError(f"parameter {parameter.name!r} ({parameter.owner}) is declared twice")
            seen.add(key)
            declared.append(parameter)
    return Registry(tuple(declared))


@dataclass(frozen=True)
class ScenarioParameter:
    """A parameter as it stands in one scenario: full name, declaration, value and prior."""

    name: str
    owner_id: str | None  # actor or action id; None for a global parameter
    spec: Parameter
    value: float
    prior: Prior

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "low": self.spec.low,
            "high": self.spec.high,
            "prior": str(self.prior),
            "doc": self.spec.doc,
            "owner": self.spec.owner,
            "mechanism": self.spec.mechanism,
        }


def scenario_parameters(scenario: Scenario) -> list[ScenarioParameter]:
    """Every parameter of ``scenario`` that the model reads, with its value and (overridden) prior."""
    reg = registry()
    found: list[ScenarioParameter] = []

    def add(name: str, owner_id: str | None, spec: Parameter, value: float) -> None:
        text = scenario.priors.get(name, spec.prior)
        found.append(ScenarioParameter(name, owner_id, spec, value, parse_prior(text, value)))

    for name, spec in reg.globals.items():
        add(name, None, spec, scenario.parameters.values[name])
    from escalation.scenario.relations import ally_matrix  # the scenario package imports this module

    for actor, allies in zip(scenario.actors, ally_matrix(scenario.actors), strict=True):
        has = {"": True, "menu": actor.strategic, "patron": actor.patron is not None, "allies": any(allies)}
        for name, spec in reg.actor.items():
            if has[spec.requires]:
                add(f"{actor.id}.{name}", actor.id, spec, actor.values[name])
    used = {action_id for actor in scenario.actors for action_id in actor.menu}
    used |= {event.action for event in scenario.replayed_events()}
    owners = dict.fromkeys(a.parameter_owner for a in scenario.actions if a.id in used)
    for owner in owners:  # a template's expansions share its parameters
        action = scenario.action(owner)
        for name, spec in reg.action.items():
            add(f"{owner}.{name}", owner, spec, action.values[name])
    return found


def action_owners(scenario: Scenario) -> list[str]:
    """The ids that action parameters are named by: plain actions, then templates."""
    return [a.id for a in scenario.actions if a.template is None] + [t.id for t in scenario.templates]


def parameter_names(scenario: Scenario) -> list[str]:
    """Full names of every parameter that ``scenario`` can set."""
    reg = registry()
    names = list(reg.globals)
    names += [f"{a.id}.{n}" for a in scenario.actors for n in reg.actor]
    names += [f"{owner}.{n}" for owner in action_owners(scenario) for n in reg.action]
    return names


def split_name(scenario: Scenario, name: str) -> tuple[str, str | None, str]:
    """``(owner, owner id, field)`` of a full parameter name; :class:`KeyError` when unknown."""
    reg = registry()
    if name in reg.globals:
        return "global", None, name
    owner_id, _, field = name.rpartition(".")
    if owner_id in {a.id for a in scenario.actors} and field in reg.actor:
        return "actor", owner_id, field
    if owner_id in action_owners(scenario) and field in reg.action:
        return "action", owner_id, field
    raise KeyError(name)


def registry_markdown() -> str:
    """The registry as Markdown tables, one per owner (generated into ``docs/model.md``)."""
    titles = {
        "global": "Global (`parameters:`)",
        "actor": "Actor (`actors.<id>:`)",
        "action": "Action (`actions.<id>:`)",
    }
    lines: list[str] = []
    for owner in OWNERS:
        lines += [f"**{titles[owner]}**", ""]
        lines += ["| Parameter | Mechanism | Meaning | Unit | Range | Default | Prior | Why this prior |"]
        lines += ["|---|---|---|---|---|---|---|---|"]
        for p in registry().of(owner).values():
            kinds = f" ({REQUIRES[p.requires]} only)" if p.requires else ""
            prior = p.prior.replace("{value}", "v")
            lines.append(
                f"| `{p.name}` | [{p.mechanism}](#{p.mechanism}) | {p.doc}{kinds} | {p.unit or '—'} "
                f"| {p.bounds_text()} | {p.default:g} | `{prior}` | {p.reason} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
