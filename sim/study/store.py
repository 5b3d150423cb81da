"""A study's results folder: one Parquet file per finished run, written atomically.

Layout of ``<out>/``:

- ``runs/<hash>-r<replication>.parquet``: the monthly table of one run; its schema metadata
  (key ``salesim``) holds the scenario label, hash, sweep point, replication and seed.
- ``runs/<hash>-r<replication>.error.json``: a run that raised, with its error.
- ``scenarios/<hash>.yaml``: each resolved scenario (seed 0; the seeds are in the manifest).
- ``manifest.json``: the study file, the variants, seeds, package versions and git revision.
- ``summary.csv``, ``runs.csv`` and ``decomposition.csv``: the statistics, per-run metrics and
  where each strategy's profit difference comes from, when the study ends.

A run counts as done only when its Parquet file exists and its metadata matches the plan and
this version of salesim, so an interrupted study resumes where it stopped, and a changed scenario
(a new hash) or a new version of the model runs again.
"""

from __future__ import annotations

import functools
import json
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim import __version__
from sim.config.safe_yaml import dump_yaml
from sim.output import write_atomic
from sim.study.plan import Plan, RunTask, plan_json

META_KEY = b"salesim"
RUNS = "runs"
MANIFEST = "manifest.json"
PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "pydantic", "dask", "distributed")


def run_path(out: Path, task: RunTask) -> Path:
    """Return the file of a stored run."""
    return out / RUNS / f"{task.key}.parquet"


def error_path(out: Path, task: RunTask) -> Path:
    """Return the file that records a failed run."""
    return out / RUNS / f"{task.key}.error.json"


def run_metadata(task: RunTask) -> dict[str, Any]:
    """Return what identifies a stored run."""
    v = task.variant
    return {
        "scenario": v.label,
        "scenario_name": v.scenario.name,
        "hash": v.hash,
        "point": v.point,
        "values": v.values,
        "replication": task.replication,
        "seed": task.seed,
    }


def write_run(out: Path, task: RunTask, frame: pd.DataFrame, wall_time_s: float) -> None:
    """Store one finished run atomically (and drop an earlier error record of it)."""
    meta = {**run_metadata(task), "wall_time_s": round(wall_time_s, 4), "salesim": __version__}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode()}
    )
    write_atomic(run_path(out, task), lambda p: pq.write_table(table, p))
    error_path(out, task).unlink(missing_ok=True)


def write_error(out: Path, task: RunTask, error: str) -> None:
    """Record a run that failed, with its error."""
    record = {**run_metadata(task), "error": error, "when_utc": _now()}
    text = json.dumps(record, indent=2) + "\n"
    write_atomic(error_path(out, task), lambda p: p.write_text(text, encoding="utf-8"))


def read_metadata(path: Path) -> dict[str, Any] | None:
    """Return the salesim metadata of a stored run, or None if it is not a readable run."""
    try:
        schema = pq.read_schema(path)
        return json.loads((schema.metadata or {})[META_KEY])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None


def is_done(out: Path, task: RunTask) -> bool:
    """Tell whether this run is stored with the seed and scenario the plan asks for.

    It must also be stored by this version of salesim (another version's model may differ, and
    its table may lack columns).
    """
    path = run_path(out, task)
    if not path.exists():
        return False
    meta = read_metadata(path)
    return (
        meta is not None
        and meta.get("hash") == task.variant.hash
        and meta.get("seed") == task.seed
        and meta.get("replication") == task.replication
        and meta.get("salesim") == __version__
    )


def read_run(out: Path, task: RunTask) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return a stored run's monthly table and metadata."""
    path = run_path(out, task)
    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {})[META_KEY])
    return table.to_pandas(), meta


def read_error(out: Path, task: RunTask) -> str | None:
    """Return the error recorded for a failed run, or None if none is recorded."""
    path = error_path(out, task)
    if not path.exists():
        return None
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["error"])
    except (OSError, ValueError, KeyError):
        return "unreadable error record"


def write_scenarios(out: Path, plan: Plan) -> None:
    """Write the resolved scenarios, one file per hash."""
    for v in plan.variants:
        path = out / "scenarios" / f"{v.hash[:16]}.yaml"
        if path.exists():
            continue
        text = dump_yaml(v.scenario.model_copy(update={"seed": 0}).model_dump(mode="json"))
        write_atomic(path, functools.partial(Path.write_text, data=text, encoding="utf-8"))


def write_manifest(out: Path, plan: Plan, status: dict[str, Any]) -> None:
    """Write the study's provenance and plan (rewritten as the study progresses)."""
    manifest = {
        "study": plan.study.name,
        "study_file": plan.study_file,
        "study_text": plan.study_text,
        "study_resolved": plan.study.model_dump(mode="json"),
        "baseline": plan.baseline_label,
        "sweep": plan.sweep_names,
        "replications": plan.study.replications,
        "common_random_numbers": plan.study.common_random_numbers,
        "seed_rule": "replication r runs with seed + r"
        if plan.study.common_random_numbers
        else "each scenario has its own seeds",
        "variants": plan_json(plan),
        "status": status,
        "updated_utc": _now(),
        "salesim_version": __version__,
        "git_revision": git_revision(*([Path(plan.study_file).parent] if plan.study_file else [])),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }
    text = json.dumps(manifest, indent=2) + "\n"
    write_atomic(out / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))


def read_manifest(out: Path) -> dict[str, Any]:
    """Return the study's manifest (``manifest.json``)."""
    manifest: dict[str, Any] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    return manifest


class _VariantRecord(BaseModel):
    """What ``load`` and the report read of a stored variant."""

    model_config = ConfigDict(extra="allow", strict=True)
    label: str
    point: int
    values: dict[str, Any]
    hash: str = Field(min_length=16)
    baseline: bool
    seeds: list[int]


class _StudyManifest(BaseModel):
    """What ``load`` and the report read of a study's manifest."""

    model_config = ConfigDict(extra="allow", strict=True)
    variants: list[_VariantRecord]
    study_resolved: dict[str, Any]
    status: dict[str, Any] = {}
    sweep: list[str] = []
    packages: dict[str, str] = {}


def study_manifest_problem(manifest: object) -> str | None:
    """Say what is wrong with the shape of a study's manifest, or return ``None``.

    Parameters
    ----------
    manifest : object
        The parsed ``manifest.json``.

    Returns
    -------
    str or None
        The first problem, as ``field: message``, or ``None`` when ``load`` and the report
        can read it.
    """
    try:
        _StudyManifest.model_validate(manifest)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        return f"{where}: {first['msg']}"
    return None


def git_revision(*folders: Path) -> str:
    """Return the git commit of the package's source tree, else of a folder given.

    The first folder given that is in a checkout (the study file's) counts; ``+modified`` marks
    uncommitted changes.
    """
    for folder in (Path(__file__).resolve().parent, *folders):
        revision = _git_head(folder)
        if revision != "unknown":
            return revision
    return "unknown"


def _git_head(here: Path) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if result.returncode != 0:
        return "unknown"
    return result.stdout.strip() + ("+modified" if dirty.stdout.strip() else "")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
