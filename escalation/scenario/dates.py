"""Event dates, exact or approximate: ``~2023-03-23`` marks a date approximate, as the sources write it."""

from __future__ import annotations

import datetime as dt

from escalation.scenario import fields as f
from escalation.scenario.yaml_tree import Node

APPROXIMATE = "~"


def event_date(node: Node, path: str) -> tuple[dt.date, bool]:
    """``(date, approximate)``: an ISO date, or one prefixed with ``~`` (approximate)."""
    value = node.value
    if isinstance(value, str) and value.startswith(APPROXIMATE):
        return f.date(Node(value[len(APPROXIMATE) :].strip(), node.file, node.line), path), True
    return f.date(node, path), False
