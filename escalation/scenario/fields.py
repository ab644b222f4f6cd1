"""Typed field readers over a :class:`Node` tree that raise one-line :class:`ScenarioError` s."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from escalation.errors import ScenarioError
from escalation.scenario.yaml_tree import Node, excerpt

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")

_MISSING = object()


def fail(node: Node, path: str, message: str, line: int | None = None) -> ScenarioError:
    """Build the error for ``node`` at ``path``."""
    return ScenarioError(message, file=node.file, line=line or node.line, path=path)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "text", dict: "mapping", list: "list"}.get(
        type(value), type(value).__name__
    )


class MappingReader:
    """Reads the fields of one YAML mapping and rejects keys nobody asked for."""

    def __init__(self, node: Node, path: str) -> None:
        if not node.is_mapping:
            raise fail(node, path or "(top level)", f"expected a mapping, got {_type_name(node.plain())}")
        self.node = node
        self.path = path
        self._used: set[str] = set()
        self._asked: set[str] = set()

    def child_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.node.value

    def node_of(self, key: str) -> Node:
        self._used.add(key)
        return self.node.value[key]

    def get(self, key: str, convert: Callable[[Node, str], Any], default: Any = _MISSING) -> Any:
        """Read ``key`` with ``convert``; ``default`` when absent (absent and no default is an error)."""
        self._asked.add(key)
        if key not in self.node.value:
            if default is _MISSING:
                raise fail(self.node, self.path or "(top level)", f"missing required field {key!r}")
            return default
        return convert(self.node_of(key), self.child_path(key))

    def finish(self, allowed: Iterable[str] | None = None) -> None:
        """Reject any key that was not read (or is not in ``allowed``), suggesting a near match."""
        known = set(allowed) if allowed is not None else self._used | self._asked
        for key in self.node.value:
            if key in known or key in self._used:
                continue
            hint = did_you_mean(key, sorted(known | self._used))
            value_node = self.node.value[key]
            raise ScenarioError(
                f"unknown field{hint}",
                file=value_node.file,
                line=self.node.key_lines.get(key, self.node.line),
                path=self.child_path(key),
            )


def text(node: Node, path: str) -> str:
    if not isinstance(node.value, str):
        raise fail(node, path, f"expected text, got {_type_name(node.value)}")
    if any("\ud800" <= c <= "\udfff" for c in node.value):
        raise fail(
            node, path, "text holds a lone surrogate (an escape such as \\ud800), which no file or terminal can show"
        )
    return node.value


def identifier(node: Node, path: str) -> str:
    value = text(node, path)
    if not IDENTIFIER.match(value):
        raise fail(
            node, path, f"{excerpt(value)} is not a valid id (letters, digits, '_' and '-', starting with a letter)"
        )
    return value


def optional(convert: Callable[[Node, str], Any]) -> Callable[[Node, str], Any]:
    def read(node: Node, path: str) -> Any:
        return None if node.value is None else convert(node, path)

    return read


def boolean(node: Node, path: str) -> bool:
    if not isinstance(node.value, bool):
        raise fail(node, path, f"expected true or false, got {_type_name(node.value)}")
    return node.value


def number(
    low: float | None = None, high: float | None = None, *, low_open: bool = False
) -> Callable[[Node, str], float]:
    """A real number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""

    def read(node: Node, path: str) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(node, path, f"expected a number, got {_type_name(value)}")
        try:
            value = float(value)
        except OverflowError:
            raise fail(node, path, "expected a finite number, got a number too large") from None
        if not math.isfinite(value):
            raise fail(node, path, f"expected a finite number, got {value}")
        if low is not None and (value < low or (low_open and value == low)):
            bound = f"greater than {low:g}" if low_open else f"at least {low:g}"
            raise fail(node, path, f"must be {bound}, got {value:g}")
        if high is not None and value > high:
            raise fail(node, path, f"must be at most {high:g}, got {value:g}")
        return value

    return read


MAX_COUNT = 10_000_000  # largest count a scenario may state (deaths, wounded, acts): no overflow downstream


def integer(low: int | None = None, high: int | None = None) -> Callable[[Node, str], int]:
    """A whole number in ``[low, high]``."""

    def read(node: Node, path: str) -> int:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(node, path, f"expected a whole number, got {_type_name(value)}")
        if low is not None and value < low:
            raise fail(node, path, f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise fail(node, path, f"must be at most {high}, got {value}")
        return value

    return read


def choice(options: tuple[str, ...]) -> Callable[[Node, str], str]:
    def read(node: Node, path: str) -> str:
        value = text(node, path) if not isinstance(node.value, bool) else None
        if value not in options:
            shown = node.value if value is None else excerpt(value)
            raise fail(node, path, f"must be one of {', '.join(options)}; got {shown}")
        return value

    return read


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)  # dates a scenario may name


def date(node: Node, path: str) -> dt.date:
    value = node.value
    found: dt.date | None = None
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            found = dt.date.fromisoformat(value)
    if found is None:
        raise fail(node, path, f"expected an ISO date like 2020-01-03, got {excerpt(node.value)}")
    if not EARLIEST <= found <= LATEST:
        raise fail(node, path, f"dates must lie from {EARLIEST} to {LATEST}, got {found}")
    return found


def sequence(convert: Callable[[Node, str], Any]) -> Callable[[Node, str], tuple[Any, ...]]:
    def read(node: Node, path: str) -> tuple[Any, ...]:
        if not node.is_sequence:
            raise fail(node, path, f"expected a list, got {_type_name(node.plain())}")
        return tuple(convert(item, f"{path}[{i}]") for i, item in enumerate(node.value))

    return read


def int_pair(node: Node, path: str) -> tuple[int, int]:
    values = sequence(integer(0, MAX_COUNT))(node, path)
    if len(values) != 2 or values[0] > values[1]:
        raise fail(node, path, "expected [low, high] with low <= high")
    return (values[0], values[1])


def keyed(node: Node, path: str) -> list[tuple[str, Node, int]]:
    """The entries of a mapping keyed by id: ``(id, value node, line of the key)``."""
    if not node.is_mapping:
        raise fail(node, path, f"expected a mapping keyed by id, got {_type_name(node.plain())}")
    entries = []
    for key, value in node.value.items():
        key_line = node.key_lines.get(key, node.line)
        if not IDENTIFIER.match(key):
            raise ScenarioError(
                "is not a valid id (letters, digits, '_' and '-', starting with a letter)",
                file=value.file,
                line=key_line,
                path=f"{path}.{key}",
            )
        entries.append((key, value, key_line))
    return entries
