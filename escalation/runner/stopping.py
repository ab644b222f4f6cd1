"""A cooperative stop for the blocks in flight in worker processes.

After Ctrl-C the main process sets the flag; each worker checks it once per simulated day
and abandons its block, so the pool winds down within a day's step rather than after whole
blocks. (Terminating workers instead can leave a half-written result in the pool's pipe, on
which the interpreter's exit then waits for ever.)
"""

from __future__ import annotations

from typing import Any

from escalation import interrupts

_flag: Any = None  # the multiprocessing Event of this worker's pool, in worker processes only


class BlockAbandoned(Exception):
    """A block stopped before its end because the study was interrupted."""


def watch(flag: Any) -> None:
    """Called in each worker at start: ``flag`` (a multiprocessing Event) set means stop."""
    global _flag
    _flag = flag


def check() -> None:
    """Raise :class:`BlockAbandoned` if this worker's pool was told to stop.

    In the command's own process, raise the ``KeyboardInterrupt`` of a Ctrl-C noted while the
    kernel was being built (:mod:`escalation.interrupts`).
    """
    interrupts.raise_if_requested()
    if _flag is not None and _flag.is_set():
        raise BlockAbandoned
