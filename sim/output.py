"""Writing a run's results: atomically, with a manifest written last.

A folder holds a complete run only if its ``manifest.json`` exists: the manifest is removed
first and written last, and every file is written to a temporary name and then renamed, so an
interrupted run never leaves a half file that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.config.loader import dump_yaml
from sim.config.schema import Scenario

MANIFEST = "manifest.json"
TIMESERIES = "timeseries.parquet"
SCENARIO = "scenario.yaml"


def config_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's canonical JSON."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def folder_problem(out: Path) -> str | None:
    """Create an output folder; say what is wrong if it cannot be written (else None)."""
    if out.exists() and not out.is_dir():
        return f"{out}: exists and is not a folder"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        return f"{out}: cannot create the folder ({err.strerror})"
    if not os.access(out, os.W_OK):
        return f"{out}: the folder is not writable"
    return None


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    """The process's file-creation mask (temporary files are made private; results are not)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_run(
    out_dir: Path,
    frame: pd.DataFrame,
    scenario: Scenario,
    seed: int,
    wall_time_s: float,
    sources: list[str],
) -> None:
    """Write ``timeseries.parquet``, ``scenario.yaml`` and, last, ``manifest.json``."""
    scenario = scenario.model_copy(update={"seed": seed})  # the file reproduces the run
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)
    write_atomic(out_dir / TIMESERIES, lambda p: frame.to_parquet(p, index=False))
    resolved = dump_yaml(scenario.model_dump(mode="json"), sort_keys=False)
    write_atomic(out_dir / SCENARIO, lambda p: p.write_text(resolved, encoding="utf-8"))
    manifest = _manifest(scenario, seed, wall_time_s, sources, len(frame))
    text = json.dumps(manifest, indent=2)
    write_atomic(out_dir / MANIFEST, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def _manifest(
    scenario: Scenario, seed: int, wall_time_s: float, sources: list[str], months: int
) -> dict[str, Any]:
    return {
        "scenario": scenario.name,
        "seed": seed,
        "salesim_version": __version__,
        "config_hash": config_hash(scenario),
        "wall_time_s": round(wall_time_s, 4),
        "months": months,
        "sources": sources,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": {
            name: _version(name)
            for name in ("mesa", "numpy", "pandas", "pydantic", "pyarrow", "PyYAML")
        },
        "files": [TIMESERIES, SCENARIO],
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"
