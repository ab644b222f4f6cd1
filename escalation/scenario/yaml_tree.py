"""Safe YAML reading into a tree that remembers the file and line of every value.

Only ``yaml.SafeLoader`` is used, so a scenario file can never run code. Scenarios may
``extends: other.yaml``; :func:`merge` overlays one tree on another so that every value
keeps the file and line it came from, which is what error messages point at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from escalation.errors import ScenarioError


@dataclass
class Node:
    """One YAML value with where it came from.

    ``value`` is a ``dict[str, Node]`` for mappings, a ``list[Node]`` for sequences and a
    plain Python scalar otherwise.
    """

    value: Any
    file: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.value, list)

    def plain(self) -> Any:
        """The value as plain Python data (dicts, lists, scalars)."""
        if self.is_mapping:
            return {k: v.plain() for k, v in self.value.items()}
        if self.is_sequence:
            return [v.plain() for v in self.value]
        return self.value


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_VALUES = 200_000  # values a file may expand to (aliases repeat what they name): a bound on time and memory


EXCERPT = 40  # characters of a value an error message may quote


def excerpt(value: Any) -> str:
    """A value as an error message quotes it: escaped (repr) and at most ``EXCERPT`` characters."""
    text = str(value)
    return repr(text if len(text) <= EXCERPT else text[:EXCERPT] + "...")


def _construct(loader: yaml.SafeLoader, node: yaml.Node, file: str, path: str) -> Any:
    """A scalar's Python value; a value its tag cannot read (``!!int ""``, ``!!bool maybe``) is a ScenarioError."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, OverflowError) as exc:
        tag = node.tag.rsplit(":", 1)[-1]
        shown = excerpt(node.value)
        detail = f" ({exc})" if isinstance(exc, ValueError) and str(exc) else ""
        raise ScenarioError(f"invalid {tag} value {shown}{detail}", file=file, line=node.start_mark.line + 1,
                            path=path) from None  # fmt: skip


def _convert(
    loader: yaml.SafeLoader, node: yaml.Node, file: str, path: str = "", budget: list[int] | None = None
) -> Node:
    budget = budget if budget is not None else [MAX_VALUES]
    budget[0] -= 1
    if budget[0] < 0:
        raise ScenarioError(
            f"the YAML expands to more than {MAX_VALUES:,} values (aliases repeating large parts?)", file=file
        )
    line = node.start_mark.line + 1
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise ScenarioError(f"unsupported YAML tag {node.tag!r}", file=file, line=line)
    if isinstance(node, yaml.MappingNode):
        items: dict[str, Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise ScenarioError(
                    "YAML merge keys (<<) are not supported; use 'extends' to build on another file",
                    file=file,
                    line=key_node.start_mark.line + 1,
                )
            key = _construct(loader, key_node, file, path or "(top level)")
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            child = f"{path}.{key}" if path else key
            if key in items:
                raise ScenarioError(f"duplicate key {key!r}", file=file, line=key_line, path=child)
            items[key] = _convert(loader, value_node, file, child, budget)
            key_lines[key] = key_line
        return Node(items, file, line, key_lines)
    if isinstance(node, yaml.SequenceNode):
        items_ = [_convert(loader, item, file, f"{path}[{i}]", budget) for i, item in enumerate(node.value)]
        return Node(items_, file, line)
    return Node(_construct(loader, node, file, path), file, line)


def read_tree(text: str, file: str) -> Node:
    """Parse YAML text into a :class:`Node` tree; syntax errors become :class:`ScenarioError`."""
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
        if root is None:
            raise ScenarioError("the file is empty", file=file, line=1)
        return _convert(loader, root, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ScenarioError(f"YAML syntax error: {problem}", file=file, line=line) from None
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(f"YAML error: unacceptable character #x{exc.character:04x}", file=file) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML error: {exc}", file=file) from None
    except RecursionError:
        raise ScenarioError("YAML nested too deeply (or an alias refers to itself)", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_file(path: Path) -> Node:
    """Read a YAML file into a :class:`Node` tree."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("no such file", file=str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("not a UTF-8 text file", file=str(path)) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", file=str(path)) from None
    return read_tree(text, str(path))


def merge(base: Node, overlay: Node) -> Node:
    """Overlay ``overlay`` on ``base``: mappings merge key by key, anything else is replaced."""
    if not (base.is_mapping and overlay.is_mapping):
        return overlay
    items = dict(base.value)
    key_lines = dict(base.key_lines)
    for key, value in overlay.value.items():
        items[key] = merge(items[key], value) if key in items else value
        key_lines[key] = overlay.key_lines[key]
    return Node(items, overlay.file, overlay.line, key_lines)
