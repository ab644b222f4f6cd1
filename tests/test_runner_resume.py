"""Resuming interrupted studies: the same numbers and rows as a study that was never stopped.

Covers lost blocks, a real Ctrl-C (SIGINT) and a hard kill (SIGKILL) of the command-line
study in a child process, refusals to resume a different study, and atomic result files.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest
from runner_helpers import numbers, report_numbers, seeded_scenario, subprocess_env, write_scenario_file

from escalation import Results, RunError, run_study
from escalation.cli import main

SEED = 5

# --------------------------------------------------------------------------- lost blocks (in process)
SMALL = {"runs": 5_000, "block_size": 500, "seed": SEED}


def block_file(out: pathlib.Path, index: int) -> pathlib.Path:
    return out / "blocks" / f"block-{index:06d}.parquet"


def identity(path: pathlib.Path) -> tuple[int, int]:
    """Inode and modification time: both stay the same only if the file was not rewritten."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def leftovers(out: pathlib.Path) -> list[pathlib.Path]:
    """Temporary files anywhere in a study folder."""
    return sorted(p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith("."))


def test_study_folder_layout(tmp_path):
    out = tmp_path / "study"
    results = run_study(seeded_scenario(30), out=out, **SMALL)
    assert sorted(p.name for p in out.iterdir()) == ["blocks", "manifest.json", "results.json", "scenario.yaml"]
    assert sorted(p.name for p in (out / "blocks").iterdir()) == [f"block-{k:06d}.parquet" for k in range(10)]
    assert leftovers(out) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == SEED
    assert manifest["block_size"] == 500
    assert manifest["scenario_hash"] == seeded_scenario(30).hash
    assert numbers(Results.load(out)) == numbers(results)


def test_resume_recomputes_only_the_lost_blocks(tmp_path):
    out = tmp_path / "study"
    first = run_study(seeded_scenario(30), out=out, **SMALL)
    rows = first.replicates()
    lost = (0, 3, 7, 9)
    kept = {k: identity(block_file(out, k)) for k in range(10) if k not in lost}
    (out / "results.json").unlink()
    for k in lost:
        block_file(out, k).unlink()

    resumed = run_study(seeded_scenario(30), out=out, resume=True, **SMALL)

    assert numbers(resumed) == numbers(first)
    pd.testing.assert_frame_equal(resumed.replicates(), rows)
    assert {k: identity(block_file(out, k)) for k in kept} == kept  # reused, not rewritten
    assert numbers(Results.load(out)) == numbers(first)
    pd.testing.assert_frame_equal(Results.load(out).replicates(), rows)


def test_resume_of_a_finished_study_changes_nothing(tmp_path):
    out = tmp_path / "study"
    first = run_study(seeded_scenario(30), out=out, **SMALL)
    again = run_study(seeded_scenario(30), out=out, resume=True, **SMALL)
    assert numbers(again) == numbers(first)
    pd.testing.assert_frame_equal(again.replicates(), first.replicates())


def test_resume_needs_a_study_and_out_needs_an_empty_folder(tmp_path):
    """Nothing to resume is an error, and a study never writes among files that are not its own."""
    with pytest.raises(RunError, match="holds no study"):
        run_study(seeded_scenario(30), out=tmp_path / "missing", resume=True, **SMALL)
    assert not (tmp_path / "missing").exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(RunError, match="is not empty and holds no study"):
        run_study(seeded_scenario(30), out=busy, **SMALL)
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    with pytest.raises(RunError, match="is a file, not a folder"):
        run_study(seeded_scenario(30), out=busy / "notes.txt", **SMALL)


def test_a_damaged_manifest_or_block_is_named_or_simulated_again(tmp_path):
    out = tmp_path / "study"
    fresh = run_study(seeded_scenario(30), out=out, **SMALL)
    block = sorted((out / "blocks").glob("block-*.parquet"))[1]
    block.write_bytes(block.read_bytes()[:100])  # truncated outside the study
    (out / "results.json").unlink()
    resumed = run_study(seeded_scenario(30), out=out, resume=True, **SMALL)
    assert numbers(resumed) == numbers(fresh)
    (out / "manifest.json").write_text("[1, 2", encoding="utf-8")
    with pytest.raises(RunError, match=r"manifest\.json: not a readable study manifest"):
        run_study(seeded_scenario(30), out=out, resume=True, **SMALL)


def test_resume_extends_a_study_to_more_runs(tmp_path):
    """Full blocks are reused; the partial last block of the shorter study is simulated again."""
    out = tmp_path / "study"
    options = {"block_size": 500, "seed": SEED}
    run_study(seeded_scenario(30), runs=2_250, out=out, **options)
    times = {k: identity(block_file(out, k)) for k in range(5)}
    assert len(pq.read_table(block_file(out, 4))) == 250

    extended = run_study(seeded_scenario(30), runs=4_000, out=out, resume=True, **options)
    fresh = run_study(seeded_scenario(30), runs=4_000, out=tmp_path / "fresh", **options)

    assert numbers(extended) == numbers(fresh)
    pd.testing.assert_frame_equal(extended.replicates(), fresh.replicates())
    assert all(identity(block_file(out, k)) == times[k] for k in range(4))
    assert len(pq.read_table(block_file(out, 4))) == 500
    assert numbers(Results.load(out)) == numbers(fresh)


def test_resume_with_fewer_runs_uses_the_first_blocks(tmp_path):
    out = tmp_path / "study"
    run_study(seeded_scenario(30), out=out, **SMALL)
    shorter = run_study(seeded_scenario(30), out=out, resume=True, **(SMALL | {"runs": 1_500}))
    fresh = run_study(seeded_scenario(30), **(SMALL | {"runs": 1_500}))
    assert numbers(shorter) == numbers(fresh)
    assert len(shorter.replicates()) == 1_500
    assert numbers(Results.load(out)) == numbers(fresh)


# --------------------------------------------------------------------------- refusals
@pytest.fixture
def finished(tmp_path):
    out = tmp_path / "study"
    run_study(seeded_scenario(30), out=out, runs=1_000, block_size=500, seed=SEED)
    return out


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seed": SEED + 1}, "seed"),
        ({"block_size": 250}, "block_size"),
        ({"scenario": seeded_scenario(31)}, "scenario_hash"),
    ],
)
def test_resume_refuses_a_different_study(finished, change, field):
    options = {"scenario": seeded_scenario(30), "runs": 1_000, "block_size": 500, "seed": SEED} | change
    scenario = options.pop("scenario")
    before = {p: p.read_bytes() for p in finished.rglob("*") if p.is_file()}
    with pytest.raises(RunError, match=f"its {field} is"):
        run_study(scenario, out=finished, resume=True, **options)
    assert {p: p.read_bytes() for p in finished.rglob("*") if p.is_file()} == before


def test_resume_needs_an_output_folder():
    with pytest.raises(RunError, match="output folder"):
        run_study(seeded_scenario(30), runs=10, resume=True)


def test_resume_refuses_a_folder_that_holds_no_study(tmp_path):
    (tmp_path / "notes.txt").write_text("not a study")
    with pytest.raises(RunError, match="manifest"):
        run_study(seeded_scenario(30), runs=10, out=tmp_path, resume=True)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str, *needles: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err


def test_cli_refuses_to_resume_with_another_seed(finished, tmp_path, capsys):
    path = write_scenario_file(seeded_scenario(30), tmp_path)
    base = ["run", str(path), "--runs", "1000", "--block-size", "500", "--out", str(finished), "--quiet"]
    code, out, err = run_cli(capsys, *base, "--seed", str(SEED + 1), "--resume")
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "seed")


def test_cli_refuses_to_resume_another_scenario(finished, tmp_path, capsys):
    path = write_scenario_file(seeded_scenario(31), tmp_path)
    base = ["run", str(path), "--runs", "1000", "--block-size", "500", "--out", str(finished), "--quiet"]
    code, _, err = run_cli(capsys, *base, "--seed", str(SEED), "--resume")
    assert code == 2
    assert_one_line_error(err, "scenario_hash")


def test_cli_refuses_an_existing_study_without_resume(finished, tmp_path, capsys):
    path = write_scenario_file(seeded_scenario(30), tmp_path)
    before = (finished / "results.json").read_bytes()
    code, out, err = run_cli(
        capsys, "run", str(path), "--runs", "1000", "--block-size", "500", "--seed", str(SEED), "--out", str(finished)
    )
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "--resume")
    assert (finished / "results.json").read_bytes() == before


# --------------------------------------------------------------------------- atomic results.json
def test_save_writes_no_temporary_files_and_load_round_trips(tmp_path):
    results = run_study(seeded_scenario(30), runs=1_000, block_size=500, seed=SEED)
    folder = tmp_path / "saved"
    folder.mkdir()
    path = results.save(folder)
    assert path == folder / "results.json"
    assert [p.name for p in folder.iterdir()] == ["results.json"]
    loaded = Results.load(folder)
    assert loaded.to_json() == results.to_json()
    assert loaded.scenario.hash == results.scenario.hash
    assert loaded.meta == json.loads(json.dumps(results.meta, default=str))


def test_a_failed_save_leaves_the_previous_results_intact(tmp_path, monkeypatch):
    folder = tmp_path / "saved"
    folder.mkdir()
    old = run_study(seeded_scenario(30), runs=500, block_size=500, seed=SEED)
    old.save(folder)
    before = (folder / "results.json").read_bytes()
    new = run_study(seeded_scenario(30), runs=1_000, block_size=500, seed=SEED)

    real_write_text = pathlib.Path.write_text

    def crash_halfway(self, data, *args, **kwargs):
        real_write_text(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(pathlib.Path, "write_text", crash_halfway)
    with pytest.raises(RunError, match="disk full"):  # one line, naming the file
        new.save(folder)
    monkeypatch.undo()

    assert (folder / "results.json").read_bytes() == before
    assert [p.name for p in folder.iterdir()] == ["results.json"]
    assert Results.load(folder).runs == 500


def test_load_of_an_unfinished_study_is_a_run_error(tmp_path):
    with pytest.raises(RunError, match=r"results\.json"):
        Results.load(tmp_path)


# --------------------------------------------------------------------------- real interruptions
LONG_RUNS = 20_000
LONG_BLOCK = 500
LONG_BLOCKS = LONG_RUNS // LONG_BLOCK
LONG_HORIZON = 45  # long enough that the study is still running when it is interrupted


@pytest.fixture(scope="module")
def long_scenario_file(tmp_path_factory):
    return write_scenario_file(seeded_scenario(LONG_HORIZON), tmp_path_factory.mktemp("scenario"))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted") / "study"
    return run_study(seeded_scenario(LONG_HORIZON), runs=LONG_RUNS, block_size=LONG_BLOCK, seed=SEED, out=out)


def cli_args(scenario_file: pathlib.Path, out: pathlib.Path) -> list[str]:
    return [
        "run",
        str(scenario_file),
        "--out",
        str(out),
        "--block-size",
        str(LONG_BLOCK),
        "--runs",
        str(LONG_RUNS),
        "--seed",
        str(SEED),
        "--quiet",
    ]


# exit status 130, or death by SIGINT (which a shell also reports as 130): CPython ends the
# process with SIGINT when a Ctrl-C interrupted code run by exec() of a string, as SciPy's
# import does, even though the command caught it and printed its line
INTERRUPTED = (130, -signal.SIGINT)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(*args: str) -> subprocess.Popen:
    """``escalation ARGS`` in a child process of its own session, as a command typed at a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "escalation.cli", *args],
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a shell running this suite in the background ignores SIGINT, and the child would inherit
        # that; give it the default, as a command typed at a terminal has
        preexec_fn=_default_sigint,
    )


def interrupt_after_two_blocks(
    scenario_file: pathlib.Path, out: pathlib.Path, sig: int, *extra: str
) -> tuple[int, str]:
    """Start the CLI study in a child process; once two blocks are on disk, send ``sig`` to its
    whole process group (workers included), as Ctrl-C in a terminal does."""
    child = start_cli(*cli_args(scenario_file, out), *extra)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "blocks").glob("block-*.parquet")) if (out / "blocks").is_dir() else []) < 2:
            assert child.poll() is None, f"the study ended before it could be interrupted: {child.communicate()}"
            assert time.monotonic() < deadline, "no blocks written within two minutes"
            time.sleep(0.005)
        os.killpg(child.pid, sig)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
    return child.returncode, err


def check_complete_blocks(out: pathlib.Path) -> list[int]:
    """Every block file on disk is a whole, readable block; returns their indices."""
    indices = []
    for path in sorted((out / "blocks").glob("block-*.parquet")):
        index = int(path.stem.split("-")[1])
        table = pq.read_table(path)
        assert table.num_rows == LONG_BLOCK
        first = index * LONG_BLOCK
        assert table.column("replicate").to_pylist() == list(range(first, first + LONG_BLOCK))
        indices.append(index)
    return indices


def resume_with_cli(capsys, scenario_file: pathlib.Path, out: pathlib.Path) -> dict:
    code, stdout, err = run_cli(capsys, *cli_args(scenario_file, out), "--resume", "--json")
    assert code == 0, err
    return json.loads(stdout)


@pytest.mark.parametrize("executor", [(), ("--executor", "processes", "--workers", "2")], ids=["serial", "processes"])
def test_sigint_then_resume_gives_the_uninterrupted_study(
    tmp_path, capsys, long_scenario_file, uninterrupted, executor
):
    """Ctrl-C, then ``--resume`` (serially, whatever the interrupted study ran on)."""
    out = tmp_path / "study"
    code, err = interrupt_after_two_blocks(long_scenario_file, out, signal.SIGINT, *executor)

    assert code == 130, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("escalation: interrupted") and "--resume" in last
    if not executor:
        assert err.count("\n") == 1, err  # one line, no traceback
    assert leftovers(out) == []  # an interrupted write removes its temporary file
    assert not (out / "results.json").exists()
    done = check_complete_blocks(out)
    assert 2 <= len(done) < LONG_BLOCKS

    report = resume_with_cli(capsys, long_scenario_file, out)
    assert report_numbers(report) == numbers(uninterrupted)
    pd.testing.assert_frame_equal(Results.load(out).replicates(), uninterrupted.replicates())


def test_sigkill_then_resume_ignores_stray_temporary_files(tmp_path, capsys, long_scenario_file, uninterrupted):
    out = tmp_path / "study"
    code, _ = interrupt_after_two_blocks(long_scenario_file, out, signal.SIGKILL)

    assert code == -signal.SIGKILL
    assert not (out / "results.json").exists()
    done = check_complete_blocks(out)
    assert 2 <= len(done) < LONG_BLOCKS
    # what a kill in the middle of a write leaves behind: half a block under a temporary name
    missing = min(set(range(LONG_BLOCKS)) - set(done))
    half = block_file(out, done[0]).read_bytes()
    (out / "blocks" / f".block-{missing:06d}.parquet.x1y2z3.tmp").write_bytes(half[: len(half) // 2])

    report = resume_with_cli(capsys, long_scenario_file, out)
    assert report_numbers(report) == numbers(uninterrupted)
    pd.testing.assert_frame_equal(Results.load(out).replicates(), uninterrupted.replicates())


def _children(pid: int) -> set[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_end_when_the_main_process_is_killed(long_scenario_file, tmp_path):
    """SIGKILL of the main process alone (not its group): its pool workers end within seconds."""
    out = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-m", "escalation.cli", *cli_args(long_scenario_file, out), "--workers", "2"],
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "blocks").is_dir() or not list((out / "blocks").glob("block-*.parquet")):
            assert child.poll() is None and time.monotonic() < deadline, "no block written"
            time.sleep(0.01)
        workers = _children(child.pid)
        assert len(workers) >= 2
        child.kill()
        child.wait()
        deadline = time.monotonic() + 20
        while any(pathlib.Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if pathlib.Path(f"/proc/{w}").exists()]
        assert not left, f"workers {left} outlived the main process"
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def test_a_second_ctrl_c_exits_at_once(long_scenario_file, tmp_path):
    """Ctrl-C twice in quick succession while workers run: the command ends within seconds, code 130."""
    out = tmp_path / "twice"
    # blocks of a second or two each, so that the second Ctrl-C lands while the workers wind down
    args = ["run", str(long_scenario_file), "--out", str(out), "--block-size", "20000", "--runs", "200000"]
    child = start_cli(*args, "--seed", str(SEED), "--quiet", "--workers", "2")
    try:
        deadline = time.monotonic() + 120
        while not (out / "blocks").is_dir() or not list((out / "blocks").glob("block-*.parquet")):
            assert child.poll() is None and time.monotonic() < deadline, "no block written"
            time.sleep(0.01)
        os.killpg(child.pid, signal.SIGINT)
        time.sleep(0.3)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=5)  # blocks in flight stop within a simulated day
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
    assert child.returncode in INTERRUPTED, err
    assert "escalation: interrupted" in err
    assert leftovers(out) == []


def assert_one_line_interrupt(child: subprocess.Popen, delay: float, timeout: float) -> None:
    """Ctrl-C ``child`` after ``delay`` seconds: it must end within ``timeout`` with code 130 and one line."""
    try:
        time.sleep(delay)
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=timeout)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
    assert child.returncode in INTERRUPTED, err
    assert err.count("\n") == 1 and err.startswith("escalation: interrupted"), err


@pytest.mark.parametrize("delay", [0.1, 0.3, 0.8])
def test_ctrl_c_during_start_up_is_one_line(long_scenario_file, tmp_path, delay):
    """Ctrl-C while the command is still importing, loading the scenario or compiling: one line, code 130.

    (The library's code starts some 40 ms after the interpreter does; a Ctrl-C before that is
    Python's own start-up.)"""
    assert_one_line_interrupt(start_cli(*cli_args(long_scenario_file, tmp_path / "early")), delay, timeout=30)


@pytest.mark.parametrize("delay", [1.5, 4.0])
def test_ctrl_c_while_the_kernel_compiles_is_one_line(long_scenario_file, tmp_path, monkeypatch, delay):
    """A first run compiles the kernel (an empty cache): Ctrl-C then is one line and code 130, not a lost
    interrupt in an LLVM callback or a crash at exit."""
    monkeypatch.setenv("ESCALATION_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert_one_line_interrupt(start_cli(*cli_args(long_scenario_file, tmp_path / "compiling")), delay, timeout=60)


def test_ctrl_c_inside_numba_is_noted_and_raised_at_the_next_check() -> None:
    """The command's handler raises at once in our code, and defers inside numba or llvmlite."""
    from escalation import interrupts
    from escalation.runner import stopping

    here = sys._getframe()
    with pytest.raises(KeyboardInterrupt):
        interrupts.on_ctrl_c(signal.SIGINT, here)
    inside: dict = {"__name__": "numba.core.compiler", "sys": sys}
    exec("def frame():\n    return sys._getframe()", inside)
    interrupts.on_ctrl_c(signal.SIGINT, inside["frame"]())  # no exception in numba's frames
    assert interrupts.requested()
    with pytest.raises(KeyboardInterrupt):
        stopping.check()  # raised before the next tile of worlds
    assert not interrupts.requested()
    stopping.check()  # once only


def test_a_full_disk_stops_the_study_in_one_line_and_resume_completes_it(tmp_path, monkeypatch, capsys):
    """ENOSPC after two blocks: one line, exit 2, whole blocks only; after --resume the numbers are the study's."""
    import errno

    from escalation.runner import store

    real = store.atomic_write
    written = []

    def filling(path, write):
        if len(written) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, write)
        written.append(path)

    monkeypatch.setattr(store, "atomic_write", filling)
    out = tmp_path / "full"
    scenario_file = write_scenario_file(seeded_scenario(30), tmp_path)
    args = ["run", str(scenario_file), "--out", str(out), "--quiet", "--block-size", "500", "--runs", "2000"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "--resume" in err
    assert len(list((out / "blocks").glob("block-*.parquet"))) == 2 and leftovers(out) == []
    monkeypatch.setattr(store, "atomic_write", real)
    assert main([*args, "--resume", "--json"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    fresh = run_study(seeded_scenario(30), runs=2000, block_size=500, seed=0)
    assert report_numbers(resumed) == numbers(fresh)
