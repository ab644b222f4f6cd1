"""Ctrl-C for the ``escalation`` command, safe while the compiled kernel is being built.

Python raises ``KeyboardInterrupt`` wherever the interpreter happens to be. Inside numba or
llvmlite (compiling the kernel on a machine's first run, or loading it from the cache) that
place can be a callback from C, where the exception is printed and lost, or an LLVM object
half built, which can crash the interpreter at exit. The command's handler therefore notes a
Ctrl-C that arrives there instead of raising it; :func:`raise_if_requested` raises it at the
next safe point (before each tile of worlds, and when the command ends). Imports nothing.
"""

from __future__ import annotations

from types import FrameType

_DEFERRED_IN = ("numba", "llvmlite")  # packages whose frames must not see the exception
_requested = False


def on_ctrl_c(signum: int, frame: FrameType | None) -> None:
    """SIGINT handler: ``KeyboardInterrupt`` now, or noted for later while numba or llvmlite runs."""
    global _requested
    while frame is not None:
        if str(frame.f_globals.get("__name__", "")).split(".")[0] in _DEFERRED_IN:
            _requested = True
            return
        frame = frame.f_back
    raise KeyboardInterrupt


def requested() -> bool:
    """Whether a Ctrl-C was noted and not yet raised."""
    return _requested


def raise_if_requested() -> None:
    """Raise the ``KeyboardInterrupt`` of a Ctrl-C noted while the kernel was being built."""
    global _requested
    if _requested:
        _requested = False
        raise KeyboardInterrupt
