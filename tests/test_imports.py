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
    code = "import sys, escalation.runner.study, escalation.likelihood; print('mesa' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"


def test_a_workers_block_task_loads_no_table_or_plot_library() -> None:
    """A worker unpickles a study's block task and runs it without pandas, Mesa or matplotlib (a lighter start)."""
    import functools
    import pickle

    import escalation
    from escalation.model.compiled import CompiledScenario
    from escalation.runner.sources import block_task
    from escalation.runner.study import posterior_parameters

    compiled = CompiledScenario.from_scenario(escalation.load_scenario(ROOT / "scenarios" / "us_iran_2020.yaml"))
    source, _ = posterior_parameters(compiled, compiled.scenario.parameters_from)
    task = functools.partial(block_task, compiled, 7, 64, source)
    code = (
        "import pickle, sys\n"
        "result = pickle.loads(sys.stdin.buffer.read())((1, 64, None))\n"
        "print(len(result.rows['outcome']), ','.join(m for m in ('mesa', 'pandas', 'matplotlib', 'pyarrow', 'dask') "
        "if m in sys.modules))"
    )
    ran = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(task), capture_output=True, check=True)
    runs, _, loaded = ran.stdout.decode().strip().partition(" ")
    assert runs == "64"
    assert loaded == "", f"a block task loaded {loaded}"
