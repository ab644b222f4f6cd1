"""One block of replicates: its random stream, its per-replicate rows and its aggregate.

Block ``k`` of a study with seed ``s`` draws from ``SeedSequence(s, spawn_key=(k,))`` and holds
a fixed number of worlds, so its numbers depend on nothing but ``(s, k, block size)``: not on
the executor, the number of workers or the order in which blocks finish.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escalation.errors import raised_by_interrupt
from escalation.model.compiled import CompiledScenario
from escalation.model.simulation import Simulation
from escalation.outcomes import DayCounts, day_counts, summarise_block
from escalation.runner import stopping
from escalation.summary import BlockSummary  # noqa: F401  (re-exported)

PARAMETER_PREFIX = "param:"  # replicate columns holding a world's own parameter values: param:iran.rationality


def block_rng(seed: int, block: int) -> np.random.Generator:
    """The generator of block ``block`` of a study seeded with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))


@dataclass
class BlockResult:
    """What a worker sends back: the block's index, per-replicate columns and per-day counts."""

    index: int
    rows: dict[str, np.ndarray]
    counts: DayCounts


def run_block(
    compiled: CompiledScenario,
    seed: int,
    block_size: int,
    index: int,
    n_worlds: int,
    parameters: dict[str, np.ndarray] | None = None,
) -> BlockResult:
    """Simulate block ``index`` (``n_worlds`` <= ``block_size`` worlds) and return its rows and counts.

    ``parameters``: this block's slice of the study's per-world parameter arrays; each is kept
    in the rows as a column ``param:NAME``.
    """
    rng = block_rng(seed, index)
    try:
        model = Simulation(compiled, n_worlds=n_worlds, rng=rng, parameters=parameters)
        model.run(check=stopping.check)
    except SystemError as error:
        if raised_by_interrupt(error):
            raise KeyboardInterrupt from None
        raise
    first = index * block_size
    rows = {"replicate": np.arange(first, first + n_worlds, dtype=np.int64), **summarise_block(model)}
    for name, values in (parameters or {}).items():  # each world's own values, for scenario discovery
        rows[PARAMETER_PREFIX + name] = np.broadcast_to(np.asarray(values, dtype=float), (n_worlds,)).copy()
    counts = day_counts(model)
    model.release()
    return BlockResult(index=index, rows=rows, counts=counts)
