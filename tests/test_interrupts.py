"""A Ctrl-C that lands inside compiled code still reads as an interrupt, never a traceback."""

from __future__ import annotations

import pytest
from runner_helpers import seeded_scenario, write_scenario_file

from escalation.cli import main
from escalation.errors import raised_by_interrupt
from escalation.model import kernel
from escalation.model.compiled import CompiledScenario
from escalation.model.model import TILE_WORLDS
from escalation.runner.blocks import run_block


def interrupted_in_compiled_code() -> SystemError:
    """What numba raises when an interrupt arrives while it unpacks arguments."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise SystemError("returned a result with an exception set") from interrupt
    except SystemError as error:
        return error


def test_an_interrupt_is_found_anywhere_in_the_chain():
    assert raised_by_interrupt(KeyboardInterrupt())
    assert raised_by_interrupt(interrupted_in_compiled_code())
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("while handling")  # noqa: B904  (implicit context is the point)
    except ValueError as error:
        assert raised_by_interrupt(error)
    assert not raised_by_interrupt(SystemError("a real fault"))
    assert not raised_by_interrupt(ValueError("x"))


def test_a_block_interrupted_in_compiled_code_raises_keyboard_interrupt(monkeypatch):
    compiled = CompiledScenario.from_scenario(seeded_scenario(10))

    def interrupted(*args):
        raise interrupted_in_compiled_code()

    monkeypatch.setattr(kernel, "simulate_days", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_block(compiled, seed=1, block_size=10, index=0, n_worlds=10)


def test_a_real_system_error_is_not_swallowed(monkeypatch):
    compiled = CompiledScenario.from_scenario(seeded_scenario(10))

    def broken(*args):
        raise SystemError("a real fault")

    monkeypatch.setattr(kernel, "simulate_days", broken)
    with pytest.raises(SystemError, match="real fault"):
        run_block(compiled, seed=1, block_size=10, index=0, n_worlds=10)


def test_the_cli_reports_an_interrupt_in_compiled_code_in_one_line(monkeypatch, capsys, tmp_path):
    def interrupted(*args):
        raise interrupted_in_compiled_code()

    monkeypatch.setattr(kernel, "simulate_days", interrupted)
    path = write_scenario_file(seeded_scenario(10), tmp_path)
    code = main(["run", str(path), "--runs", "10", "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 130
    assert err.count("\n") == 1 and err.startswith("escalation: interrupted") and "--resume" in err


def test_a_block_stops_at_the_next_tile_once_its_pool_is_told_to_stop(monkeypatch):
    """After Ctrl-C the main process sets the pool's flag; a worker's block ends within a tile of worlds."""
    import threading

    from escalation.runner import stopping

    n_worlds = 5 * TILE_WORLDS
    compiled = CompiledScenario.from_scenario(seeded_scenario(10))
    flag = threading.Event()
    tiles = []
    simulate = kernel.simulate_days

    def counted(*args):
        tiles.append(args[2].peak.size)
        if len(tiles) == 3:
            flag.set()
        simulate(*args)

    monkeypatch.setattr(kernel, "simulate_days", counted)
    monkeypatch.setattr(stopping, "_flag", flag)
    with pytest.raises(stopping.BlockAbandoned):
        run_block(compiled, seed=1, block_size=n_worlds, index=0, n_worlds=n_worlds)
    assert tiles == [TILE_WORLDS] * 3
