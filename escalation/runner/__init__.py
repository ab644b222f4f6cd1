"""The Monte Carlo runner: blocks of replicate worlds, executors, streaming to disk.

Names load on first use, so a worker that runs blocks does not import the study's tables.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from escalation.runner.blocks import BlockResult, BlockSummary, block_rng, run_block
    from escalation.runner.executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor, make_executor
    from escalation.runner.study import DEFAULT_BLOCK_SIZE, run_study

_HOMES = {
    "DEFAULT_BLOCK_SIZE": "escalation.runner.study",
    "BlockResult": "escalation.runner.blocks",
    "BlockSummary": "escalation.runner.blocks",
    "DaskExecutor": "escalation.runner.executors",
    "Executor": "escalation.runner.executors",
    "ProcessExecutor": "escalation.runner.executors",
    "SerialExecutor": "escalation.runner.executors",
    "block_rng": "escalation.runner.blocks",
    "make_executor": "escalation.runner.executors",
    "run_block": "escalation.runner.blocks",
    "run_study": "escalation.runner.study",
}

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "BlockResult",
    "BlockSummary",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "block_rng",
    "make_executor",
    "run_block",
    "run_study",
]


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
