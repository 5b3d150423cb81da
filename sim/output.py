"""Writing a run's results: atomically, with a manifest written last; locking results folders.

A folder holds a complete run only if its ``manifest.json`` exists. A run's files are first
written in full to temporary names in the folder; only then is the old manifest removed, the
files renamed into place and the new manifest renamed last. An interrupted run (or a full
disk) never leaves a half file that looks complete, and leaves the earlier results intact.

A command that writes a results folder holds the folder's lock (``.salesim.lock``, an OS file
lock: the kernel releases it when the process ends, however it ends), so two commands never
write one folder at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from sim import __version__
from sim.config.safe_yaml import dump_yaml
from sim.config.schema import Scenario
from sim.errors import FolderBusyError
from sim.errors import WriteError as WriteError  # raised by the callers of this module

MANIFEST = "manifest.json"
TIMESERIES = "timeseries.parquet"
SCENARIO = "scenario.yaml"
LOCK = ".salesim.lock"
RUN, STUDY, OTHER = "run", "study", "other"


def os_problem(err: OSError) -> str:
    """One line for a failed file operation: the path, then the reason."""
    reason = err.strerror or str(err) or type(err).__name__
    return f"{err.filename}: {reason}" if err.filename else reason


def folder_holds(out: Path) -> str | None:
    """Return what kind of results ``out`` holds.

    ``RUN``, ``STUDY``, ``OTHER`` (a ``manifest.json`` that salesim did not write, or cannot
    read) or None (no manifest).
    """
    path = out / MANIFEST
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return OTHER
    if not isinstance(data, dict):
        return OTHER
    if "variants" in data or "study_resolved" in data:
        return STUDY
    if {"scenario", "config_hash", "seed"} <= data.keys():
        return RUN
    return OTHER


@contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold the lock of the results folder ``out`` (which must exist) while writing it.

    Raise ``FolderBusyError`` at once if another process holds it. The lock is the kernel's
    (``flock``): it ends with the process that holds it, even one killed with SIGKILL, so a
    stopped command never blocks the next one.
    """
    lock = FileLock(out / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise FolderBusyError(
            f"{out}: another salesim command is writing to this folder; wait for it to end, "
            "or choose another folder with --out"
        ) from None
    except OSError as err:
        raise FolderBusyError(f"{out}: cannot lock the folder ({os_problem(err)})") from None
    try:
        yield
    finally:
        lock.release()


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


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it into place.

    A failure raises ``OSError`` naming ``path`` (not the temporary file), and leaves ``path``
    as it was.
    """
    tmp = _stage(path, write)
    try:
        _rename(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _rename(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as err:
        raise OSError(err.errno, err.strerror or str(err), os.fspath(path)) from err


def _stage(path: Path, write: Callable[[Path], object]) -> Path:
    """Write a complete temporary file next to ``path`` (removed again if writing fails)."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        write(tmp)
        tmp.chmod(0o666 & ~_umask())
    except OSError as err:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise OSError(err.errno, err.strerror or str(err), os.fspath(path)) from err
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return tmp


def _umask() -> int:
    """Return the process's file-creation mask (temporary files are private; results are not)."""
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
    """Write ``timeseries.parquet``, ``scenario.yaml`` and, last, ``manifest.json``.

    Every file is written in full before any earlier result in ``out_dir`` is touched: if
    writing fails (``OSError``, a full disk say), the earlier results are left as they were.
    """
    scenario = scenario.model_copy(update={"seed": seed})  # the file reproduces the run
    resolved = dump_yaml(scenario.model_dump(mode="json"), sort_keys=False)
    manifest = _manifest(scenario, seed, wall_time_s, sources, len(frame))
    text = json.dumps(manifest, indent=2) + "\n"
    writers: list[tuple[str, Callable[[Path], object]]] = [
        (TIMESERIES, lambda p: frame.to_parquet(p, index=False)),
        (SCENARIO, lambda p: p.write_text(resolved, encoding="utf-8")),
        (MANIFEST, lambda p: p.write_text(text, encoding="utf-8")),
    ]
    staged: list[tuple[Path, Path]] = []
    try:
        for name, write in writers:
            staged.append((_stage(out_dir / name, write), out_dir / name))
        (out_dir / MANIFEST).unlink(missing_ok=True)  # the folder is incomplete from here ...
        for tmp, path in staged:
            _rename(tmp, path)  # ... to the manifest, renamed last
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


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
