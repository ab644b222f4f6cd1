"""``mesa.batch_run`` over :class:`EscalationModel`, with the same rows under every supported Mesa.

Mesa changed ``batch_run`` between 3.3 and 3.4: seeds moved from ``parameters`` to its own
``rng`` argument (which overwrites a parameter of that name, so a seed given the 3.3 way is
lost), ``max_steps`` went from "step while the step count is at most" to "below", and the
``Step`` label of a row went from the step count minus one to the collection time. The
adapter passes seeds and the number of days the way the installed Mesa wants them; every row
carries ``day``, the simulated day it describes, whatever ``Step`` says.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Mapping
from typing import Any

import mesa

from escalation.model.model import EscalationModel


def _seeds_are_an_argument() -> bool:
    """Whether the installed ``mesa.batch_run`` takes seeds as its own ``rng`` argument (Mesa >= 3.4)."""
    return "rng" in inspect.signature(mesa.batch_run).parameters


class _StepCounter(mesa.Model):
    """A model that only counts its steps: how far the installed ``batch_run`` steps for ``max_steps``."""

    def __init__(self, rng: int | None = None) -> None:
        super().__init__(rng=rng)
        self.datacollector = mesa.DataCollector(model_reporters={"steps": "steps"})

    def step(self) -> None:
        self.datacollector.collect(self)


@functools.cache
def _steps_beyond_max_steps() -> int:
    """Steps the installed ``batch_run`` takes beyond ``max_steps`` (1 in Mesa 3.3, 0 later), measured."""
    rows = mesa.batch_run(_StepCounter, parameters={}, max_steps=1, display_progress=False)
    return int(rows[-1]["steps"]) - 1


def batch_run(
    parameters: Mapping[str, Any],
    rng: int | Iterable[int],
    *,
    days: int | None = None,
    data_collection_period: int = -1,
    number_processes: int | None = 1,
    display_progress: bool = False,
) -> list[dict[str, Any]]:
    """``mesa.batch_run(EscalationModel, ...)``: one model per combination of ``parameters`` and seed.

    ``parameters`` are the model's keyword arguments, each a value or a list of values to
    combine (``scenario`` as a file path; per-world ``parameters`` as a list of mappings).
    ``rng``: a seed or seeds (each combination runs once per seed; a fixed seed repeats its
    numbers). ``days``: stop after this many simulated days (default: the horizon).
    ``data_collection_period``: -1 for the final day only, 1 for every day. Returns Mesa's
    rows (``RunId``, ``iteration``, ``Step``, the arguments, the reporters); ``day`` is the
    simulated day of the row.
    """
    if "rng" in parameters:
        raise TypeError("batch_run() takes the seeds as its rng argument, not in parameters")
    seeds = [rng] if isinstance(rng, int) else list(rng)
    if not seeds:
        raise ValueError("batch_run() needs at least one seed in rng")
    options: dict[str, Any] = {
        "data_collection_period": data_collection_period,
        "number_processes": number_processes,
        "display_progress": display_progress,
    }
    if days is not None:
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        options["max_steps"] = days - _steps_beyond_max_steps()
    if _seeds_are_an_argument():
        return mesa.batch_run(EscalationModel, parameters=dict(parameters), rng=seeds, **options)
    return mesa.batch_run(EscalationModel, parameters={**parameters, "rng": seeds}, **options)
