"""A study's output folder: a manifest, one Parquet file per finished block, the results.

Layout::

    OUT/manifest.json            what the study is (seed, block size, scenario hash, stopping rule)
    OUT/scenario.yaml            the resolved scenario, self-contained
    OUT/blocks/block-000042.parquet   per-replicate rows of block 42 (per-day counts in its metadata)
    OUT/results.json             the finished study's summary (written last)

Every file is written atomically (temporary name, then rename), so an interrupted or killed
study leaves only complete blocks behind, and ``resume`` picks up exactly where it stopped.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from escalation.errors import RunError
from escalation.io import atomic_write, atomic_write_text
from escalation.outcomes import DayCounts
from escalation.results import RESULTS_FILE
from escalation.runner.blocks import BlockResult
from escalation.scenario.schema import Scenario
from escalation.scenario.writer import scenario_to_yaml

MANIFEST = "manifest.json"
BLOCK_NAME = re.compile(r"^block-(\d+)\.parquet$")
# the per-day counts of a block (escalation.outcomes.DayCounts), one .npy array per field
_COUNT_KEYS = {name: f"escalation.{name}".encode() for name in DayCounts._fields}
# what makes two runs the same study; the stopping rule may change (a resumed study can be extended)
IDENTITY = ("scenario", "scenario_hash", "seed", "block_size", "parameters_hash")


def _npy(array: np.ndarray) -> bytes:
    """An array as the bytes of a ``.npy`` file."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a study folder, or a one-line error naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunError(f"{path}: not a readable study manifest ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise RunError(f"{path}: not a study manifest (expected a JSON object)")
    return data


class BlockStore:
    """Reads and writes one study folder."""

    def __init__(self, root: str | Path, manifest: dict[str, Any], scenario: Scenario, *, resume: bool) -> None:
        self.root = Path(root)
        self.blocks = self.root / "blocks"
        self.outcomes = pa.array([rule.name for rule in scenario.outcomes], pa.string())
        path = self.root / MANIFEST
        if self.root.exists() and not self.root.is_dir():
            raise RunError(f"--out {self.root} is a file, not a folder")
        if path.exists():
            if not resume:
                raise RunError(
                    f"{self.root} already holds a study; pass --resume to continue it, or choose another --out"
                )
            existing = _read_manifest(path)
            for key in IDENTITY:
                if existing.get(key) != manifest.get(key):
                    theirs, ours = existing.get(key), manifest.get(key)
                    raise RunError(f"cannot resume {self.root}: its {key} is {theirs!r}, this run's is {ours!r}")
            # the summary of an earlier stopping rule no longer describes the folder
            (self.root / RESULTS_FILE).unlink(missing_ok=True)
        elif resume:
            raise RunError(f"cannot resume {self.root}: it holds no study (no {MANIFEST}); run without --resume")
        elif self.root.exists() and any(self.root.iterdir()):
            raise RunError(f"--out {self.root} is not empty and holds no study: choose an empty or new folder")
        try:
            self.blocks.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunError(f"cannot write the study into {self.root}: {exc.strerror}") from None
        if not (self.root / "scenario.yaml").exists():
            atomic_write_text(self.root / "scenario.yaml", scenario_to_yaml(scenario))
        atomic_write_text(path, json.dumps(manifest, indent=1, sort_keys=True))

    def block_path(self, index: int) -> Path:
        return self.blocks / f"block-{index:06d}.parquet"

    def completed(self) -> dict[int, int]:
        """Blocks already on disk: index -> number of replicates in it.

        A block file that cannot be read (damaged outside the study: blocks are written
        atomically) is removed, so that the study simulates it again.
        """
        found = (BLOCK_NAME.match(p.name) for p in self.blocks.iterdir())
        done: dict[int, int] = {}
        for k in sorted(int(m.group(1)) for m in found if m):
            try:
                table = pq.read_table(self.block_path(k))
                if not set(_COUNT_KEYS.values()) <= set(table.schema.metadata or {}):
                    raise ValueError("no per-day counts (written by an earlier version)")
            except (OSError, ValueError, pa.ArrowException):
                self.block_path(k).unlink(missing_ok=True)
                continue
            done[k] = table.num_rows
        return done

    def write(self, result: BlockResult) -> None:
        """Write one block atomically; the outcome column is dictionary-encoded with the outcome names."""
        columns = dict(result.rows)
        columns["outcome"] = pa.DictionaryArray.from_arrays(pa.array(columns["outcome"], pa.int16()), self.outcomes)
        table = pa.table(columns)
        table = table.replace_schema_metadata(
            {key: _npy(getattr(result.counts, name)) for name, key in _COUNT_KEYS.items()}
        )
        try:
            atomic_write(self.block_path(result.index), lambda tmp: pq.write_table(table, tmp))
        except OSError as exc:  # e.g. the disk is full: the finished blocks are whole, the study can resume
            raise RunError(
                f"cannot write block {result.index} into {self.root} ({exc.strerror or exc}); "
                "finished blocks are kept: free space, then continue with --resume"
            ) from None

    def read(self, index: int) -> BlockResult:
        """Read one block back."""
        table = pq.read_table(self.block_path(index))
        metadata = table.schema.metadata
        counts = DayCounts(
            **{name: np.load(io.BytesIO(metadata[key]), allow_pickle=False) for name, key in _COUNT_KEYS.items()}
        )
        rows = {name: table.column(name).to_numpy() for name in table.column_names if name != "outcome"}
        outcome = table.column("outcome").combine_chunks()
        codes = outcome.indices if pa.types.is_dictionary(outcome.type) else outcome
        rows["outcome"] = codes.to_numpy().astype(np.int16)
        return BlockResult(index=index, rows=rows, counts=counts)
