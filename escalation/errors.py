"""The library's own error types."""

from __future__ import annotations


class EscalationError(Exception):
    """Base class of every error the library raises for bad user input."""


class ScenarioError(EscalationError):
    """A scenario file is malformed.

    ``str(error)`` is one line: ``FILE:LINE: path.to.field: what is wrong``.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, path: str = "") -> None:
        self.file = file
        self.line = line
        self.path = path
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        field = f" {self.path}:" if self.path else ""
        text = f"{where}:{field} {self.message}"
        return text.replace("\r", "\\r").replace("\n", "\\n")  # always one line


class RunError(EscalationError):
    """A study cannot run or resume as asked (bad options, mismatched output folder)."""


def raised_by_interrupt(error: BaseException) -> bool:
    """Whether ``error`` was raised because of a Ctrl-C.

    A ``KeyboardInterrupt`` that lands while compiled code unpacks its arguments comes out as a
    ``SystemError`` whose cause is the interrupt; callers turn it back into the interrupt.
    """
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False
