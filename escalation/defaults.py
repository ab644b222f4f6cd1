"""Study defaults shared by the runner and the command line (a light module: no numerical imports)."""

from __future__ import annotations

DEFAULT_BLOCK_SIZE = 10_000  # replicates per block: a block is the unit of work, storage and resume
DEFAULT_MAX_RUNS = 10_000_000  # cap on the replicates a precision-targeted study may run
PROXY_WINDOW_DAYS = 21  # final days over which militia activity is measured, beside the outcome
ROWS_IN_MEMORY = 1_000_000  # a study without an output folder keeps its per-replicate rows up to this size
