"""Each command imports only what it uses: the scenario layer and the CLI start light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("mesa", "pandas", "pyarrow", "matplotlib", "dask", "numba", "scipy")


@pytest.mark.parametrize("module", ["escalation", "escalation.scenario", "escalation.cli", "escalation.parameters"])
def test_light_imports_load_no_heavy_dependency(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"import {module} loaded {loaded}"


def test_lazy_names_resolve_and_are_listed() -> None:
    import escalation

    for name in escalation.__all__:
        assert getattr(escalation, name) is not None
        assert name in dir(escalation)
    with pytest.raises(AttributeError):
        escalation.no_such_name  # noqa: B018


def test_monte_carlo_blocks_run_without_mesa() -> None:
    """A study's blocks run the simulation itself; only the agent view (EscalationModel) needs Mesa."""
    code = "import sys, escalation.runner, escalation.likelihood; print('mesa' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"
