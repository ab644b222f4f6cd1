"""Where a study's worlds take their parameter values, and the task a worker runs for one block.

Workers import this module (through the pickled task) and what it needs to simulate: not the
study's tables (pandas), its executors or its progress bar.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from escalation.model.compiled import CompiledScenario
from escalation.runner.blocks import BlockResult, run_block
from escalation.summary import draw_of


def block_task(
    compiled: CompiledScenario,
    seed: int,
    block_size: int,
    source: WorldParameters | PriorParameters | None,
    task: tuple[int, int, dict[str, np.ndarray] | None],
) -> BlockResult:
    """Run one block; its parameter values come with the task, or from ``source`` (a small one) here."""
    index, n_worlds, parameters = task
    if parameters is None and source is not None:
        parameters = source.block(index * block_size, n_worlds)
    return run_block(compiled, seed, block_size, index, n_worlds, parameters)


class WorldParameters:
    """Where the worlds of a study take their parameter values.

    ``columns`` maps full parameter names to arrays: one value per world of the study, or
    (with ``cycle``) one per posterior draw, world ``r`` taking draw :func:`draw_of` ``(r)``. Blocks
    read their slice on demand, so a study stopped by precision needs no array of its
    largest possible size.
    """

    def __init__(self, columns: dict[str, np.ndarray], cycle: bool) -> None:
        self.columns = columns
        self.cycle = cycle

    @property
    def small(self) -> bool:
        """Whether to send the whole source with every block, each worker slicing its own (posterior draws)."""
        return self.cycle

    def block(self, start: int, size: int) -> dict[str, np.ndarray]:
        """The values of worlds ``start`` to ``start + size - 1``."""
        rows = np.arange(start, start + size)
        if self.cycle:
            rows = draw_of(rows, len(next(iter(self.columns.values()))))
        return {name: values[rows] for name, values in self.columns.items()}

    @property
    def hash(self) -> str:
        """Identifies the values: names and arrays (and, for draws, that worlds cycle through them)."""
        digest = hashlib.sha256()
        for name in sorted(self.columns):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(self.columns[name]).tobytes())
        if self.cycle:
            digest.update(b"cycle")
        return digest.hexdigest()


class PriorParameters:
    """Worlds that draw their own parameter values from the priors (``run_study(sample_priors=...)``).

    Block ``k`` draws from ``SeedSequence(seed, spawn_key=(k, 1))``, a stream of its own beside
    the block's simulation stream, so the values depend on the seed and block layout only.
    Each prior is restricted to the parameter's bounds (by rejection).
    """

    def __init__(self, free: Sequence[Any], seed: int, block_size: int) -> None:
        self.free = list(free)
        self.seed = seed
        self.block_size = block_size

    small = True  # each worker draws its own blocks' values

    @property
    def columns(self) -> dict[str, Any]:
        return {p.name: p for p in self.free}

    def block(self, start: int, size: int) -> dict[str, np.ndarray]:
        """The values of worlds ``start`` to ``start + size - 1`` (``start`` a block boundary)."""
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(start // self.block_size, 1)))
        return {p.name: p.draw(rng, size) for p in self.free}

    @property
    def hash(self) -> str:
        """Identifies the draws: the parameters, their priors and supports (the seed is in the manifest)."""
        text = "|".join(f"{p.name}~{p.prior}[{p.low!r},{p.high!r}]" for p in self.free)
        return hashlib.sha256(("priors|" + text).encode()).hexdigest()
