"""Atomic file writing: a result file is either complete or absent, never half-written."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from escalation.errors import RunError

if TYPE_CHECKING:
    import pandas as pd


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


POSTERIOR_FILE = "posterior.parquet"
FIT_FILE = "fit.json"


def posterior_path(source: str | os.PathLike[str]) -> Path:
    """The posterior draws file of ``source``: a folder written by ``escalation fit`` or the file itself."""
    path = Path(source)
    return path / POSTERIOR_FILE if path.is_dir() else path


def load_posterior(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """The posterior draws a fit saved in ``folder``: a row per draw, a column per parameter."""
    import pandas as pd

    path = posterior_path(folder)
    if not path.is_file():
        raise RunError(f"{folder}: no {POSTERIOR_FILE} (write one with 'escalation fit ... --out DIR')")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged or foreign file
        raise RunError(f"{path}: not a posterior written by 'escalation fit' ({type(exc).__name__})") from None
    return frame.drop(columns=[c for c in ("draw", "log_posterior") if c in frame.columns])


def strict_json(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by ``None`` (JSON's ``null``), recursively.

    Strict JSON has no NaN: a quantity that cannot be computed (a quantile of no worlds, a
    probability of an outcome no world reached) is written as ``null``.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """Strict JSON text of ``value`` (non-finite floats become ``null``; numpy scalars as numbers)."""
    return json.dumps(strict_json(_plain_numbers(value)), allow_nan=False, **options)


def _plain_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_numbers(v) for v in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar
        return value.item()
    return value
