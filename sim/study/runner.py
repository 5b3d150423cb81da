"""Run a study: plan it, skip the runs already stored, run the rest, and summarise."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import yaml
from pydantic import ValidationError

from sim.config.problems import ConfigError, Location, Positions
from sim.config.schema import Scenario
from sim.config.validation import validate
from sim.errors import StudyError, StudyStoppedError
from sim.names import safe_name
from sim.output import (
    OTHER,
    RUN,
    FolderBusyError,
    folder_holds,
    folder_lock,
    folder_problem,
    os_problem,
)
from sim.study import sensitivity, store
from sim.study.execute import (
    CLUSTER_START_S,
    RUN_MONTH_S,
    ClusterLostError,
    Outcome,
    Simulate,
    check_scheduler,
    default_workers,
    execute,
    simulate,
    workers_for,
)
from sim.study.plan import (
    Plan,
    RunTask,
    Variant,
    build_plan,
    check_size,
    load_study_file,
    sources_from_files,
    sources_from_study,
)
from sim.study.progress import Progress
from sim.study.result import StudyResult, collect, write_tables
from sim.study.spec import Study

RESULTS = Path("results")


class _WriteFailedError(Exception):
    """Storing a result failed (wraps the ``OSError``, to tell it from a Dask connection's)."""

    def __init__(self, err: OSError, out: Path) -> None:
        super().__init__(_cannot_write(err, out))


def _cannot_write(err: OSError, out: Path) -> str:
    """``cannot write PATH: reason`` (the folder when the error names no file)."""
    return f"cannot write {os_problem(err) if err.filename else f'{out}/: {os_problem(err)}'}"


def plan_study(
    study: str | Path | Study,
    base_dir: Path | None = None,
    replications: int | None = None,
    years: int | None = None,
    overrides: Sequence[str] = (),
) -> Plan:
    """Resolve a study file (or a ``Study`` object, scenario paths relative to ``base_dir``).

    ``replications`` and ``years`` replace the study's own (the runs already stored still
    count); ``overrides`` (``--set PATH=VALUE``) change every scenario of the study.
    """
    if isinstance(study, Study):  # built in Python: errors name the study, paths are from cwd
        path, text = (base_dir or Path.cwd()) / f"{study.name}.yaml", None
        positions: Positions = {(): Location(f"<study {study.name}>", 1, 1)}
    else:
        path = Path(study)
        study, positions, text = load_study_file(path)
    positions = dict(positions)  # a value from the command line is located there
    if replications is not None:
        study = study.model_copy(update={"replications": replications})
        positions[("replications",)] = Location(f"--replications {replications}", 1, 1)
    if years is not None:
        study = study.model_copy(update={"horizon_years": years})
        positions[("horizon_years",)] = Location(f"--years {years}", 1, 1)
    check_size(study, len(study.scenarios), positions, os.fspath(path))
    sources = sources_from_study(study, positions, path, overrides)
    return build_plan(study, sources, positions, os.fspath(path), text)


def plan_compare(
    paths: Sequence[Path],
    overrides: Sequence[str] = (),
    replications: int = 30,
    seed: int = 1,
    years: int | None = None,
) -> Plan:
    """Make a study of scenario files as given on the command line; the first is the baseline.

    The study is named ``compare_<file names>`` (characters a name cannot hold become ``_``).
    """
    command_line = "<command line>"
    data = {
        "name": safe_name("compare_" + "_".join(p.stem for p in paths)),
        "scenarios": [os.fspath(p) for p in paths],
        "replications": replications,
        "seed": seed,
        "horizon_years": years,
    }
    positions: Positions = {(): Location(command_line, 1, 1)}
    study = validate(Study, data, positions, source=command_line)
    check_size(study, len(paths), positions, command_line)
    sources = sources_from_files(paths, overrides)
    return build_plan(
        study, sources, {}, command_line, relabel="compare scenarios with different names"
    )


def prepare_output(out: Path, plan: Plan) -> None:
    """Create the results folder.

    Refuse one that holds a run, another study or another program's ``manifest.json``.
    """
    problem = folder_problem(out)
    if problem is not None:
        raise StudyError(problem)
    kind = folder_holds(out)
    if kind == RUN:
        raise StudyError(
            f"{out} holds the results of one run (salesim run), not of a study; "
            "choose another folder with --out or remove it"
        )
    if kind == OTHER:
        raise StudyError(
            f"{out / store.MANIFEST}: not the manifest of a salesim study (unreadable, or "
            "another program's); choose another folder with --out"
        )
    if kind is not None:
        other = store.read_manifest(out).get("study")
        if other != plan.study.name:
            raise StudyError(
                f"{out} holds the results of another study ({other!r}); "
                "choose another folder with --out or remove it"
            )


def run_plan(
    plan: Plan,
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
    run: Simulate = simulate,
) -> StudyResult:
    """Run the plan's missing runs into ``out`` and return the results.

    ``workers=None`` (and no ``scheduler``) runs in this process when the runs left are too few
    for a local cluster to pay back its start-up, and on one worker per core otherwise
    (``workers_for``); ``workers=1`` always runs in this process, more always start a local
    Dask cluster. The results are the same wherever the runs execute.
    Raise ``StudyError`` if ``out`` cannot hold the study (it holds a run or another study,
    or another salesim command is writing it), and ``StudyStoppedError`` if the study stops early
    (results cannot be written, or the cluster lost its workers): the manifest's state then
    says why, and calling it again resumes.
    """
    stream = sys.stderr if stream is None else stream
    if scheduler is not None:
        check_scheduler(scheduler)
    prepare_output(out, plan)
    try:
        with folder_lock(out):
            return _run_locked(plan, out, workers, scheduler, progress, stream, run)
    except FolderBusyError as err:
        raise StudyError(str(err)) from None


def _run_locked(
    plan: Plan,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    stream: TextIO,
    run: Simulate,
) -> StudyResult:
    prepare_output(out, plan)  # again, now that no other command writes the folder
    total = len(plan.tasks)
    fewer = _fewer_replications(out, plan)
    if fewer:
        print(fewer, file=stream, flush=True)
    with _storing(out, plan):
        plan = _with_stored_sample(out, plan)
        store.write_scenarios(out, plan)
        missing = [t for t in _balanced(plan.tasks) if not store.is_done(out, t)]
        already = total - len(missing)
        unique: dict[str, RunTask] = {}
        for task in missing:
            unique.setdefault(task.key, task)  # the same scenario and seed run once
        todo = list(unique.values())
        copies = Counter(t.key for t in missing)
        store.write_manifest(out, plan, {"planned": total, "stored": already, "state": "running"})
    chosen, why = _where(todo, workers, scheduler)
    if progress:
        resumed = f", {already} already stored" if already else ""
        print(
            f"{plan.study.name}: {len(plan.variants)} scenario variants x "
            f"{plan.study.replications} replications = {total} runs{resumed}; {why}",
            file=stream,
            flush=True,
        )
    bar = Progress(total, already, stream=stream, enabled=progress)
    if todo and (scheduler is not None or chosen > 1):
        bar.starting(
            f"connecting to {scheduler}"
            if scheduler
            else f"starting a local Dask cluster of {chosen} workers"
        )

    def on_done(task: RunTask, outcome: Outcome) -> None:
        try:
            if outcome.frame is not None:
                store.write_run(out, task, outcome.frame, outcome.wall_time_s)
            else:
                store.write_error(out, task, outcome.error or "unknown error")
        except OSError as err:
            raise _WriteFailedError(err, out) from err
        for _ in range(copies[task.key]):  # the tasks of the same scenario and seed
            bar.advance(failed=outcome.frame is None)

    try:
        execute(
            todo,
            on_done,
            workers=chosen,
            scheduler=scheduler,
            run=run,
            on_ready=bar.ready,
        )
    except (_WriteFailedError, ClusterLostError) as err:
        bar.close()
        raise _stopped(out, plan, str(err)) from None
    except OSError as err:  # not a write (those are wrapped): the Dask connection failed
        bar.close()
        raise _stopped(out, plan, f"lost the Dask cluster ({os_problem(err)})") from None
    except BaseException:
        bar.close()
        _final_manifest(out, plan, "interrupted")
        raise
    bar.close()
    with _storing(out, plan):
        store.write_manifest(out, plan, _status(out, plan, "done"))
        result = collect(out, plan)
        write_tables(result)
    return result


def _where(todo: Sequence[RunTask], workers: int | None, scheduler: str | None) -> tuple[int, str]:
    """Return the workers to use and a note saying where the runs execute, and why there."""
    if scheduler is not None:
        return 1, f"on the Dask scheduler at {scheduler}"
    if workers is not None:
        where = (
            "in this process" if workers == 1 else f"on a local Dask cluster of {workers} workers"
        )
        return workers, f"{where} (--workers {workers})"
    run_months = sum(12 * t.variant.scenario.calendar.horizon_years for t in todo)
    chosen = workers_for(run_months, default_workers())
    estimate = f"about {run_months * RUN_MONTH_S:.0f} s of runs in one process"
    if chosen == 1:
        return 1, (
            f"in this process ({estimate}: too little to pay back a local Dask cluster's "
            f"start-up of about {CLUSTER_START_S:.0f} s; --workers N starts one)"
        )
    return chosen, f"on a local Dask cluster of {chosen} workers, one per core ({estimate})"


def _with_stored_sample(out: Path, plan: Plan) -> Plan:
    """Return the plan at the points of the sample stored in ``out``, and store the sample.

    A sample stored by the same spec and seed is taken as it is (another version of SALib
    could draw other points); a sample of another spec is replaced, and the runs of points it
    no longer has are left out, as those of a changed scenario are.
    """
    if plan.sample is None:
        return plan
    stored = sensitivity.read_sample(out)
    if (
        stored is not None
        and plan.replan is not None
        and stored.fingerprint == plan.sample.fingerprint
        and not sensitivity.same(stored, plan.sample)
    ):
        plan = plan.replan(stored)
    assert plan.sample is not None  # a replanned sample plan has its sample
    sensitivity.write_sample(out, plan.sample)
    return plan


def _status(out: Path, plan: Plan, state: str) -> dict[str, object]:
    stored = sum(store.is_done(out, t) for t in plan.tasks)
    return {"planned": len(plan.tasks), "stored": stored, "state": state}


def _final_manifest(out: Path, plan: Plan, state: str) -> bool:
    """Record how the study ended; False if even that cannot be written."""
    try:
        store.write_manifest(out, plan, _status(out, plan, state))
    except OSError:
        return False
    return True


def _fewer_replications(out: Path, plan: Plan) -> str | None:
    """Say when the study replaces a summary of ``out`` that had more replications.

    Parameters
    ----------
    out : pathlib.Path
        The results folder (its ``manifest.json`` may hold an earlier run of the study).
    plan : Plan
        The study about to run.

    Returns
    -------
    str or None
        A note naming the replications before and after, or ``None`` when there was no earlier
        manifest, it cannot be read, or it had as many replications or fewer.
    """
    try:
        before = store.read_manifest(out).get("replications")
    except (OSError, ValueError, AttributeError):
        return None
    after = plan.study.replications
    if not isinstance(before, int) or isinstance(before, bool) or before <= after:
        return None
    return (
        f"note: replacing the earlier results in {out}/ of {before} replications per scenario "
        f"with {after}: summary.csv, runs.csv, the manifest (and the report, if asked for) "
        f"will show {after}. The runs of the other replications stay stored: run again with "
        f"--replications {before} to get them back"
    )


@contextmanager
def _storing(out: Path, plan: Plan) -> Iterator[None]:
    """Turn a failed write of the results folder into ``StudyStoppedError``."""
    try:
        yield
    except OSError as err:
        raise _stopped(out, plan, _cannot_write(err, out)) from None


def _stopped(out: Path, plan: Plan, reason: str) -> StudyStoppedError:
    """Record in the manifest why the study stopped, and say so in one line."""
    recorded = _final_manifest(out, plan, f"failed: {reason}")
    stored, total = sum(store.is_done(out, t) for t in plan.tasks), len(plan.tasks)
    note = "" if recorded else f" ({store.MANIFEST} could not be updated either)"
    return StudyStoppedError(
        f"{reason}; the study stopped with {stored} of {total} runs stored in {out}/{note}. "
        "Run the same command again to resume once this is fixed."
    )


def _balanced(tasks: Sequence[RunTask]) -> list[RunTask]:
    """Replication by replication, so that an interrupted study still has paired runs."""
    return sorted(tasks, key=lambda t: (t.replication, t.variant.index))


def run(
    study: str | Path | Study,
    *,
    workers: int | None = 1,
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = True,
    replications: int | None = None,
    years: int | None = None,
) -> StudyResult:
    """Run a study (a file or a ``Study``) and return its results as tidy frames.

    Runs already stored in the output folder (default ``results/<study name>``) are reused, so
    calling it again after an interruption resumes. ``workers=1`` (the default here) runs in
    this process; more start a local Dask cluster; ``scheduler`` sends the runs to an existing
    Dask cluster. ``replications`` and ``years`` replace the study's own.

    Raise ``StudyError`` if the folder cannot hold the study (another salesim command is
    writing it, say) and ``StudyStoppedError`` if the study stops early (its results cannot
    be written, or its cluster lost every worker); calling it again then resumes.
    """
    plan = plan_study(study, replications=replications, years=years)
    folder = Path(out) if out is not None else RESULTS / plan.study.name
    return run_plan(plan, folder, workers=workers, scheduler=scheduler, progress=progress)


def load(folder: str | Path) -> StudyResult:
    """Read a study's stored results (complete or not) without running anything."""
    out = Path(folder)
    if not (out / store.MANIFEST).is_file():
        raise StudyError(f"{out}: no study results here ({store.MANIFEST} is missing)")
    try:
        manifest = store.read_manifest(out)
    except (OSError, ValueError) as err:
        raise StudyError(f"{out / store.MANIFEST}: unreadable ({err})") from None
    if isinstance(manifest, dict) and "config_hash" in manifest and "variants" not in manifest:
        raise StudyError(
            f"{out}: holds the results of one run (salesim run), not of a study; compare "
            "scenarios with: salesim compare A.yaml B.yaml --report"
        )
    problem = store.study_manifest_problem(manifest)
    if problem is None:
        try:
            study = Study.model_validate(manifest["study_resolved"])
        except ValidationError as err:
            problem = f"study_resolved: {err.errors()[0]['msg']}"
    if problem is not None:
        raise StudyError(f"{out / store.MANIFEST}: damaged ({problem}); run the study again")
    variants, tasks = [], []
    for index, record in enumerate(manifest["variants"]):
        scenario = _stored_scenario(out / "scenarios" / f"{record['hash'][:16]}.yaml")
        variant = Variant(
            index=index,
            label=record["label"],
            point=record["point"],
            values=record["values"],
            scenario=scenario,
            hash=record["hash"],
            baseline=record["baseline"],
        )
        variants.append(variant)
        tasks += [RunTask(variant, r, seed) for r, seed in enumerate(record["seeds"])]
    plan = Plan(study, variants, tasks, manifest.get("study_file"), manifest.get("study_text"))
    plan.sweep_names = list(manifest.get("sweep", []))
    if study.sweep is not None and study.sweep.sensitivity:
        plan.sample = sensitivity.read_sample(out)
        if plan.sample is None:
            raise StudyError(
                f"{out / sensitivity.SAMPLE_FILE}: missing or unreadable; run the study again"
            )
    return collect(out, plan)


def _stored_scenario(path: Path) -> Scenario:
    try:
        return Scenario.model_validate(yaml.safe_load(path.read_text("utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as err:
        problem = err.strerror if isinstance(err, OSError) else "not a valid scenario"
        raise StudyError(f"{path}: {problem}; the results folder is damaged") from None


__all__ = [
    "ConfigError",
    "StudyError",
    "StudyStoppedError",
    "load",
    "plan_compare",
    "plan_study",
    "run",
    "run_plan",
]
