"""The Monte Carlo runner: blocks of replicate worlds, executors, streaming to disk."""

from escalation.runner.blocks import BlockResult, BlockSummary, block_rng, run_block
from escalation.runner.executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor, make_executor
from escalation.runner.study import DEFAULT_BLOCK_SIZE, run_study

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
