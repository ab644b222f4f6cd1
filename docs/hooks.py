"""MkDocs hook: render the Sphinx roles of the library's docstrings as plain code.

The docstrings say :class:`~escalation.errors.ScenarioError` (Sphinx style); Markdown would
show the role name. This turns such roles into code spans (``~`` keeps the last component only).
"""

from __future__ import annotations

import re

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):<code>(~?)([^<]*)</code>")


def _code(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html: str, **_: object) -> str:
    return ROLE.sub(_code, html)
