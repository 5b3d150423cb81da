"""Studies: paired replications, resuming, Dask execution, failures, the study file."""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS, salesim
from hypothesis import given
from hypothesis import strategies as st
from study_helpers import always_die, die_once, small_study

from sim.cli import main
from sim.config.loader import ConfigError
from sim.model import SalesModel
from sim.output import folder_lock
from sim.study import Study, StudyError, StudyStoppedError, load, plan_study, run_plan, store
from sim.study import run as run_study
from sim.study.execute import (
    SchedulerError,
    WorkerWatch,
    _one_line_logs,
    no_workers_timeout,
    simulate,
)
from sim.study.plan import sweep_points
from sim.study.spec import Sweep

FAST = {"market.prospects": 2000}


def quiet(path: Path, out: Path, **kwargs: object) -> pd.DataFrame:
    plan = plan_study(path)
    return run_plan(plan, out, progress=False, **kwargs)  # type: ignore[arg-type]


def stored(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "runs").glob("*.parquet"))


# ---- common random numbers ------------------------------------------------------------------
def test_replication_r_of_every_scenario_runs_with_the_same_seed(tmp_path: Path) -> None:
    plan = plan_study(small_study(tmp_path, seed=7))
    seeds = {v.label: [t.seed for t in plan.tasks if t.variant is v] for v in plan.variants}
    assert seeds == {"unsplit": [7, 8, 9], "split": [7, 8, 9]}
    independent = plan_study(small_study(tmp_path, seed=7, common_random_numbers=False))
    by_label = {v.label: v for v in independent.variants}
    first = [t.seed for t in independent.tasks if t.variant is by_label["unsplit"]]
    second = [t.seed for t in independent.tasks if t.variant is by_label["split"]]
    assert len(set(first) | set(second)) == 6


def test_a_stored_run_is_the_run_of_its_scenario_and_seed(tmp_path: Path) -> None:
    result = quiet(small_study(tmp_path), tmp_path / "out", workers=1)
    plan = plan_study(small_study(tmp_path))
    task = plan.tasks[-1]
    direct = SalesModel(task.variant.scenario, seed=task.seed).run()
    mine = result.timeseries[
        (result.timeseries["scenario"] == task.variant.label)
        & (result.timeseries["replication"] == task.replication)
    ]
    pd.testing.assert_frame_equal(
        mine[direct.columns].reset_index(drop=True), direct, check_dtype=False
    )


@pytest.mark.slow
def test_pairing_shrinks_the_interval_of_the_difference(tmp_path: Path) -> None:
    """Common random numbers: the same clients and dice in both scenarios."""
    study = small_study(tmp_path, replications=8)
    paired = quiet(study, tmp_path / "paired", workers=1).summary
    apart = small_study(tmp_path, replications=8, common_random_numbers=False)
    independent = quiet(apart, tmp_path / "independent", workers=1).summary

    def width(summary: pd.DataFrame, metric: str) -> float:
        row = summary[(summary["scenario"] == "split") & (summary["metric"] == metric)].iloc[0]
        return float(row["diff_high"] - row["diff_low"])

    for metric in ("profit", "revenue_collected"):
        ratio = width(paired, metric) / width(independent, metric)
        print(f"{metric}: paired interval / independent interval = {ratio:.2f}")
        assert ratio < 0.5, metric


def test_summary_has_means_intervals_and_paired_differences(tmp_path: Path) -> None:
    result = quiet(small_study(tmp_path), tmp_path / "out", workers=1)
    profit = result.runs.pivot(index="replication", columns="scenario", values="profit")
    row = result.summary.set_index(["scenario", "metric"]).loc[("split", "profit")]
    assert row["n"] == 3 and row["pairs"] == 3
    assert row["mean"] == pytest.approx(profit["split"].mean())
    assert row["diff"] == pytest.approx((profit["split"] - profit["unsplit"]).mean())
    assert row["low"] < row["mean"] < row["high"]
    assert row["diff_low"] < row["diff"] < row["diff_high"]
    base = result.summary.set_index(["scenario", "metric"]).loc[("unsplit", "profit")]
    assert np.isnan(base["diff"])
    written = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert len(written) == len(result.summary)
    assert set(result.timeseries["scenario"]) == {"unsplit", "split"}
    assert len(result.timeseries) == 6 * 12


# ---- results store and resuming ---------------------------------------------------------
def test_each_run_is_one_parquet_file_named_by_scenario_hash_and_replication(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    quiet(small_study(tmp_path), out, workers=1)
    names = stored(out)
    assert len(names) == 6
    hashes = {n.split("-r")[0] for n in names}
    assert len(hashes) == 2
    assert {n.split("-r")[1] for n in names} == {"0000.parquet", "0001.parquet", "0002.parquet"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == {"planned": 6, "stored": 6, "state": "done"}
    assert manifest["packages"]["mesa"].startswith("3.3")
    assert manifest["git_revision"]
    assert {v["label"] for v in manifest["variants"]} == {"unsplit", "split"}
    assert all(v["seeds"] == [1, 2, 3] for v in manifest["variants"])
    assert '"horizon_years": 1' in manifest["study_text"]
    assert len(list((out / "scenarios").glob("*.yaml"))) == 2
    assert not list(out.rglob("*.tmp"))


def test_resume_after_an_interruption_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    study = small_study(tmp_path)
    clean = quiet(study, tmp_path / "clean", workers=1)
    out, calls = tmp_path / "out", []

    def interrupted(scenario: object, seed: int) -> object:
        calls.append(seed)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return simulate(scenario, seed)  # type: ignore[arg-type]

    with pytest.raises(KeyboardInterrupt):
        quiet(study, out, workers=1, run=interrupted)
    assert len(stored(out)) == 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"]["state"] == "interrupted"
    calls.clear()
    resumed = quiet(
        study, out, workers=1, run=lambda s, seed: calls.append(seed) or simulate(s, seed)
    )
    assert len(calls) == 3  # only the missing runs
    assert stored(out) == stored(tmp_path / "clean")
    pd.testing.assert_frame_equal(resumed.summary, clean.summary)
    pd.testing.assert_frame_equal(
        resumed.runs.drop(columns="wall_time_s"), clean.runs.drop(columns="wall_time_s")
    )


def test_fewer_replications_than_stored_say_what_they_replace(tmp_path: Path) -> None:
    import io

    out, notes = tmp_path / "out", io.StringIO()
    quiet(small_study(tmp_path), out, workers=1)
    fewer = plan_study(small_study(tmp_path, replications=2))
    run_plan(fewer, out, progress=False, workers=1, stream=notes)
    note = notes.getvalue()
    assert "note: replacing the earlier results" in note
    assert "3 replications per scenario with 2" in note
    assert len(stored(out)) == 6  # the third replication's runs are kept
    again = io.StringIO()
    run_plan(plan_study(small_study(tmp_path)), out, progress=False, workers=1, stream=again)
    assert "replacing" not in again.getvalue()  # as many as stored, or more: nothing to say


@pytest.mark.slow
def test_a_killed_study_resumes_from_the_command_line(tmp_path: Path) -> None:
    study = small_study(tmp_path, replications=12)
    out = tmp_path / "out"
    args = ["study", str(study), "--out", str(out), "--workers", "1", "--quiet"]
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args], cwd=tmp_path, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    before = stored(out)
    assert 3 <= len(before) < 24
    assert (out / ".salesim.lock").exists()  # the killed study's lock does not block the resume
    again = salesim(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    after = stored(out)
    assert len(after) == 24 and set(before) <= set(after)
    assert load(out).complete


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_the_study_cleanly_and_says_how_to_resume(
    tmp_path: Path, workers: str
) -> None:
    # Far more work than fits before the interrupt, so the study cannot finish first.
    study = small_study(tmp_path, replications=200, horizon_years=3)
    out = tmp_path / "out"
    args = ["study", str(study), "--out", str(out), "--workers", workers, "--quiet"]
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As from a terminal: a background job (``cmd &`` in a script) inherits Ctrl-C ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the parent and its workers
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Run the same command again to resume" in err
    assert "Traceback" not in err
    assert json.loads((out / "manifest.json").read_text())["status"]["state"] == "interrupted"


def test_a_changed_scenario_invalidates_only_its_own_runs(tmp_path: Path) -> None:
    out, calls = tmp_path / "out", []
    quiet(small_study(tmp_path), out, workers=1)
    first = stored(out)
    changed = small_study(
        tmp_path,
        scenarios=[
            {"path": str(SCENARIOS / "unsplit.yaml"), "set": FAST},
            {"path": str(SCENARIOS / "split.yaml"), "set": {**FAST, "organisation.hunters": 5}},
        ],
    )

    def counting(scenario: object, seed: int) -> object:
        calls.append(scenario.organisation.hunters)  # type: ignore[attr-defined]
        return simulate(scenario, seed)  # type: ignore[arg-type]

    result = quiet(changed, out, workers=1, run=counting)
    assert calls == [5, 5, 5]
    assert len(set(stored(out)) - set(first)) == 3
    assert result.complete and len(result.runs) == 6


def test_runs_stored_by_another_version_of_salesim_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, calls = tmp_path / "out", []
    quiet(small_study(tmp_path), out, workers=1)
    first = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}

    def counting(scenario: object, seed: int) -> object:
        calls.append(seed)
        return simulate(scenario, seed)  # type: ignore[arg-type]

    quiet(small_study(tmp_path), out, workers=1, run=counting)
    assert calls == []  # the same version reuses every run
    monkeypatch.setattr("sim.study.store.__version__", "9.9.9")
    result = quiet(small_study(tmp_path), out, workers=1, run=counting)
    assert sorted(calls) == [1, 1, 2, 2, 3, 3] and result.complete
    assert all(p.stat().st_mtime_ns != t for p, t in first.items())


def test_more_replications_reuse_the_runs_already_stored(tmp_path: Path) -> None:
    out, calls = tmp_path / "out", []
    quiet(small_study(tmp_path, replications=2), out, workers=1)
    plan = plan_study(small_study(tmp_path, replications=2), replications=3)
    run_plan(
        plan,
        out,
        progress=False,
        workers=1,
        run=lambda s, seed: calls.append(seed) or simulate(s, seed),
    )
    assert calls == [3, 3]


def test_a_folder_of_another_study_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    quiet(small_study(tmp_path), out, workers=1)
    other = small_study(tmp_path, name="other")
    result = salesim("study", str(other), "--out", str(out), "--workers", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert "holds the results of another study ('small')" in result.stderr


# ---- the results folder: other results, one writer at a time, faults ------------------------
def manifest_bytes(out: Path) -> bytes:
    return (out / "manifest.json").read_bytes()


@pytest.mark.slow
def test_run_refuses_the_folder_of_a_study_and_the_study_still_resumes(tmp_path: Path) -> None:
    study = small_study(tmp_path, name="young_split", replications=1)  # a scenario's name
    args = ["study", str(study), "--workers", "1", "--quiet"]
    assert salesim(*args, cwd=tmp_path).returncode == 0
    out = tmp_path / "results" / "young_split"
    before = manifest_bytes(out)
    for shown, where in (("results/young_split", []), (str(out), ["--out", str(out)])):
        result = salesim(
            "run", str(SCENARIOS / "young_split.yaml"), "--years", "1", *where, cwd=tmp_path
        )
        assert result.returncode == 2, result.stderr
        assert f"{shown} holds the results of a study (salesim study)" in result.stderr
        assert "Traceback" not in result.stderr and "running" not in result.stderr
        assert manifest_bytes(out) == before
    assert load(out).complete
    again = salesim(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "holds the results of one run (salesim run), not of a study"),
        ('{"name": "my-web-app"}', "not the manifest of a salesim study"),
        ("{not json", "not the manifest of a salesim study"),
    ],
)
def test_a_study_refuses_a_folder_of_other_results(
    tmp_path: Path, manifest: str | None, message: str
) -> None:
    out = tmp_path / "out"
    if manifest is None:
        ran = salesim("run", str(SCENARIOS / "young_split.yaml"), "--years", "1", "--out", str(out))
        assert ran.returncode == 0, ran.stderr
    else:
        out.mkdir()
        (out / "manifest.json").write_text(manifest)
    before = sorted(p.name for p in out.iterdir())
    for command in ("study", "compare"):
        source = (
            [str(small_study(tmp_path))]
            if command == "study"
            else [str(SCENARIOS / "unsplit.yaml"), str(SCENARIOS / "split.yaml")]
        )
        result = salesim(command, *source, "--out", str(out), "--workers", "1", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr and "Traceback" not in result.stderr
        assert sorted(p.name for p in out.iterdir()) == before  # nothing written


@pytest.mark.slow
def test_a_report_is_not_written_into_a_run_or_another_study(tmp_path: Path) -> None:
    study, other = tmp_path / "study", tmp_path / "other"
    quiet(small_study(tmp_path, replications=1), study, workers=1)
    quiet(small_study(tmp_path, name="other", replications=1), other, workers=1)
    run = tmp_path / "run"
    ran = salesim("run", str(SCENARIOS / "young_split.yaml"), "--years", "1", "--out", str(run))
    assert ran.returncode == 0, ran.stderr
    for into, what in ((run, "a run"), (other, "another study")):
        before = sorted(p.name for p in into.iterdir())
        result = salesim("report", str(study), "--out", str(into), "--quiet")
        assert result.returncode == 2, result.stderr
        assert f"--out {into} holds the results of {what}" in result.stderr
        assert "Traceback" not in result.stderr
        assert sorted(p.name for p in into.iterdir()) == before


@pytest.mark.slow
def test_a_folder_another_command_writes_is_refused_by_study_and_report(
    tmp_path: Path,
) -> None:
    study, out = small_study(tmp_path, replications=1), tmp_path / "out"
    quiet(study, out, workers=1)
    before = manifest_bytes(out)
    with folder_lock(out):  # as a study still running there
        commands = {
            "study": ["study", str(study), "--out", str(out), "--workers", "1"],
            "report": ["report", str(out)],
        }
        for args in commands.values():
            result = salesim(*args, cwd=tmp_path)
            assert result.returncode == 2, (args, result.stderr)
            assert f"{out}: another salesim command is writing to this folder" in result.stderr
            assert "Traceback" not in result.stderr
        with pytest.raises(StudyError, match="another salesim command"):
            quiet(study, out, workers=1)
    assert manifest_bytes(out) == before
    quiet(study, out, workers=1)  # the lock ends with its holder


@pytest.mark.slow
def test_the_same_study_started_twice_at_once_runs_once(tmp_path: Path) -> None:
    study = small_study(tmp_path, replications=20)
    out = tmp_path / "out"
    args = [
        sys.executable,
        "-m",
        "sim.cli",
        "study",
        str(study),
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]
    first = subprocess.Popen(args, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "manifest.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = salesim(*args[3:], cwd=tmp_path)
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 2, second.stderr
    assert "another salesim command is writing to this folder" in second.stderr
    assert len(stored(out)) == 40 and load(out).complete


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "workers"),
    [(errno.ENOSPC, "1"), (errno.EACCES, "1"), (errno.EROFS, "1"), (errno.ENOSPC, "2")],
)
def test_a_full_disk_stops_the_study_in_one_line_and_the_same_command_resumes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: int,
    workers: str,
) -> None:
    out = tmp_path / "out"
    args = ["study", str(small_study(tmp_path)), "--out", str(out), "--workers", workers, "--quiet"]
    real, written = store.pq.write_table, []

    def full(table: object, path: object, *rest: object, **kw: object) -> None:
        if len(written) == 2:
            raise OSError(fault, os.strerror(fault))  # as pyarrow says it: no file name
        written.append(path)
        real(table, path, *rest, **kw)

    monkeypatch.setattr(store.pq, "write_table", full)
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [x for x in err.splitlines() if "error" in x]
    assert line.startswith(f"salesim: error: cannot write {out / 'runs'}/")
    assert f": {os.strerror(fault)}; the study stopped with 2 of 6 runs stored in {out}/" in line
    assert line.endswith("Run the same command again to resume once this is fixed.")
    status = json.loads(manifest_bytes(out))["status"]
    assert (
        status["state"].startswith("failed: cannot write ")
        and os.strerror(fault) in status["state"]
    )
    assert status["stored"] == 2
    kept = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert len(kept) == 2 and not list(out.rglob("*.tmp"))
    monkeypatch.setattr(store.pq, "write_table", real)
    assert main(args) == 0
    assert len(stored(out)) == 6 and load(out).complete
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())  # not run again
    assert json.loads(manifest_bytes(out))["status"]["state"] == "done"


@pytest.mark.parametrize("where", ["scenarios", "summary", "manifest"])
def test_a_fault_at_the_start_or_end_of_a_study_is_one_line_too(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    out = tmp_path / "out"
    args = [
        "study",
        str(small_study(tmp_path, replications=1)),
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if where == "scenarios":
        write_text = Path.write_text

        def full_folder(self: Path, *a: object, **k: object) -> int:
            if self.parent.name == "scenarios":
                raise full
            return write_text(self, *a, **k)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "write_text", full_folder)
    elif where == "summary":
        monkeypatch.setattr(pd.DataFrame, "to_csv", lambda *a, **k: (_ for _ in ()).throw(full))
    else:

        def no_manifest(*_: object) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out / "manifest.json"))

        monkeypatch.setattr(store, "write_manifest", no_manifest)
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "No space left on device" in err
    if where == "manifest":
        assert "(manifest.json could not be updated either)" in err
    else:
        name = "scenarios/" if where == "scenarios" else "summary.csv"
        assert f"cannot write {out / name}" in err
        state = json.loads(manifest_bytes(out))["status"]["state"]
        assert state.startswith(f"failed: cannot write {out / name}")
    monkeypatch.undo()
    assert main(args) == 0
    assert load(out).complete and (out / "summary.csv").exists()


# ---- failures --------------------------------------------------------------------------
def test_a_failing_run_is_reported_and_the_study_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SalesModel.run

    def broken(self: SalesModel) -> pd.DataFrame:
        if self.scenario.organisation.hunters and self.root_seed == 2:
            raise ZeroDivisionError("a broken run")
        return original(self)

    monkeypatch.setattr(SalesModel, "run", broken)
    out = tmp_path / "out"
    result = quiet(small_study(tmp_path), out, workers=1)
    assert len(result.runs) == 5 and not result.complete
    failure = result.failures.iloc[0]
    assert (failure["scenario"], failure["replication"]) == ("split", 1)
    assert "ZeroDivisionError: a broken run" in failure["error"]
    assert len(list((out / "runs").glob("*.error.json"))) == 1
    assert result.summary.set_index(["scenario", "metric"]).loc[("split", "profit"), "pairs"] == 2
    monkeypatch.setattr(SalesModel, "run", original)
    fixed = quiet(small_study(tmp_path), out, workers=1)
    assert fixed.complete and fixed.failures.empty
    assert not list((out / "runs").glob("*.error.json"))


# ---- Dask ------------------------------------------------------------------------------
@pytest.mark.slow
def test_one_and_two_workers_give_identical_summaries(tmp_path: Path) -> None:
    study = small_study(tmp_path)
    one = quiet(study, tmp_path / "one", workers=1)
    two = quiet(study, tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(
        one.timeseries.sort_values(["scenario", "replication", "month"]).reset_index(drop=True),
        two.timeseries.sort_values(["scenario", "replication", "month"]).reset_index(drop=True),
    )


@pytest.mark.slow
def test_a_worker_that_dies_is_replaced_and_its_run_retried(tmp_path: Path) -> None:
    marker = tmp_path / "died"
    run = functools.partial(die_once, str(marker), 2)
    result = quiet(small_study(tmp_path), tmp_path / "out", workers=2, run=run)
    assert marker.exists()
    assert result.complete and result.failures.empty


@pytest.mark.slow
def test_a_run_that_kills_every_worker_is_recorded_as_failed(tmp_path: Path) -> None:
    run = functools.partial(always_die, 3)
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        result = quiet(small_study(tmp_path), tmp_path / "out", workers=2, run=run)
    assert len(result.runs) == 4
    assert set(result.failures["replication"]) == {2}
    assert result.failures["error"].str.contains("KilledWorker").all()


def test_a_worker_that_stays_up_keeps_the_watch_calm() -> None:
    watch = WorkerWatch(patience=5)
    assert not any(watch.stalled(frozenset({"tcp://a", "tcp://b"}), t) for t in range(100))


def test_workers_restarted_at_every_look_count_as_none() -> None:
    watch = WorkerWatch(patience=5)
    looks = [watch.stalled(frozenset({f"tcp://w{t}"}), t) for t in range(10)]
    assert looks.index(True) == 5  # the clock starts at the first look, stops after 5 s


def test_a_cluster_without_workers_stalls_after_the_patience_and_a_finished_run_resets_it() -> None:
    watch = WorkerWatch(patience=3)
    assert [watch.stalled(frozenset(), t) for t in range(3)] == [False, False, False]
    watch.progress()
    assert [watch.stalled(frozenset(), t) for t in range(3, 8)] == [False] * 3 + [True] * 2


def test_one_worker_replaced_once_is_not_a_stall() -> None:
    watch = WorkerWatch(patience=2)
    looks = [frozenset({"a", "b"})] * 3 + [frozenset({"a", "c"})] + [frozenset({"c", "d"})] * 5
    assert not any(watch.stalled(w, t) for t, w in enumerate(looks))


@given(
    looks=st.lists(st.frozensets(st.sampled_from("abcdef"), max_size=3), min_size=1, max_size=40),
    patience=st.integers(min_value=0, max_value=10),
)
def test_the_watch_stalls_when_and_only_when_no_worker_was_seen_twice_for_the_patience(
    looks: list[frozenset[str]], patience: int
) -> None:
    watch = WorkerWatch(patience)
    stalls = [watch.stalled(workers, t) for t, workers in enumerate(looks)]  # one look a second
    up = [t > 0 and bool(looks[t] & looks[t - 1]) for t in range(len(looks))]
    for t, stalled in enumerate(stalls):
        if stalled:  # nothing stayed up over the last `patience` seconds
            assert not any(up[max(0, t - patience) : t + 1])
        window = t - max(patience, 1)
        if window >= 0 and not any(up[window : t + 1]):  # and then it always says so
            assert stalled


@pytest.mark.slow
def test_a_cluster_whose_workers_keep_dying_stops_with_a_message_and_resumes(
    tmp_path: Path,
) -> None:
    import psutil

    out, log = tmp_path / "out", tmp_path / "stderr.txt"
    args = ["study", str(small_study(tmp_path, replications=12)), "--out", str(out), "--quiet"]
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__NO_WORKERS_TIMEOUT": "5s"}
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", *args, "--workers", "2"],
            cwd=tmp_path,
            env=env,
            stderr=stderr,
            stdout=subprocess.DEVNULL,
        )
    parent, deadline = psutil.Process(process.pid), time.monotonic() + 300
    while not stored(out) if (out / "runs").exists() else True:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    kills = 0
    while process.poll() is None and time.monotonic() < deadline:  # kill every worker, again
        for child in parent.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if "spawn_main" in " ".join(child.cmdline()):
                    child.kill()
                    kills += 1
        time.sleep(1)
    if process.poll() is None:
        process.kill()
        pytest.fail("the study did not stop once its cluster had no workers")
    err = log.read_text()
    assert process.returncode == 3, err
    assert kills >= 2 and "Traceback" not in err
    assert "the local Dask cluster has had no worker staying up for 5 s" in err
    assert "Run the same command again to resume" in err
    state = json.loads((out / "manifest.json").read_text())["status"]["state"]
    assert state.startswith("failed: the local Dask cluster has had no worker staying up")
    before = stored(out)
    assert len(before) < 24
    again = salesim(*args, "--workers", "1", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(stored(out)) == 24 and set(before) <= set(stored(out)) and load(out).complete


@pytest.mark.slow
def test_a_scheduler_that_loses_its_workers_stops_the_study(tmp_path: Path) -> None:
    from distributed import LocalCluster

    out = tmp_path / "out"
    plan = plan_study(small_study(tmp_path, replications=6))
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:

        def retire_after_the_first_run() -> None:
            deadline = time.monotonic() + 120
            while not ((out / "runs").exists() and stored(out)) and time.monotonic() < deadline:
                time.sleep(0.05)
            cluster.scale(0)

        thread = threading.Thread(target=retire_after_the_first_run)
        thread.start()
        with (
            dask.config.set({"distributed.scheduler.no-workers-timeout": "2s"}),
            pytest.raises(StudyStoppedError) as stopped,
        ):
            run_plan(plan, out, scheduler=cluster.scheduler_address, progress=False)
        thread.join()
    lost = f"the Dask scheduler at {cluster.scheduler_address} has had no worker staying up for 2 s"
    assert lost in str(stopped.value)
    assert "Run the same command again to resume" in str(stopped.value)
    status = json.loads(manifest_bytes(out))["status"]
    assert status["state"].startswith("failed: the Dask scheduler at")
    assert 1 <= status["stored"] < 12
    resumed = run_plan(plan, out, workers=1, progress=False)
    assert resumed.complete and len(stored(out)) == 12


@pytest.mark.slow
def test_a_scheduler_that_goes_away_stops_the_study_and_it_resumes(tmp_path: Path) -> None:
    dask_cli, file = str(Path(sys.executable).parent / "dask"), tmp_path / "scheduler.json"
    quiet_ = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": tmp_path}
    scheduler = subprocess.Popen(
        [
            dask_cli,
            "scheduler",
            "--scheduler-file",
            str(file),
            "--port",
            "0",
            "--dashboard-address",
            ":0",
        ],
        **quiet_,  # type: ignore[call-overload]
    )
    worker = None
    try:
        deadline = time.monotonic() + 120
        address = None
        while address is None and time.monotonic() < deadline:
            time.sleep(0.1)
            with contextlib.suppress(OSError, ValueError):
                address = json.loads(file.read_text())["address"]
        assert address is not None
        worker = subprocess.Popen(
            [dask_cli, "worker", address, "--nthreads", "1"],
            **quiet_,  # type: ignore[call-overload]
        )
        out, log = tmp_path / "out", tmp_path / "stderr.txt"
        args = ["study", str(small_study(tmp_path, replications=12)), "--out", str(out)]
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "sim.cli", *args, "--scheduler", address, "--quiet"],
                cwd=tmp_path,
                stderr=stderr,
                stdout=subprocess.DEVNULL,
            )
        while not ((out / "runs").exists() and stored(out)) and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.05)
        scheduler.kill()
        process.wait(timeout=120)
    finally:
        for child in (scheduler, worker):
            if child is not None:
                child.kill()
                child.wait()
    err = log.read_text()
    assert process.returncode == 3, err
    assert f"lost the connection to the Dask scheduler at {address}" in err
    assert "Run the same command again to resume" in err and "Traceback" not in err
    state = json.loads(manifest_bytes(out))["status"]["state"]
    assert state == f"failed: lost the connection to the Dask scheduler at {address}"
    before = stored(out)
    again = salesim(*args, "--workers", "1", "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(stored(out)) == 24 and set(before) <= set(stored(out))


def test_dask_errors_are_one_line_each_while_a_study_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fail(logger: str) -> None:
        try:
            raise OSError("Stream is closed")
        except OSError:
            logging.getLogger(logger).exception("Exception in callback")

    with _one_line_logs():
        for logger in ("tornado.application", "distributed.client"):
            fail(logger)
    assert caplog.text.count("Exception in callback (OSError: Stream is closed)") == 2
    assert "Traceback" not in caplog.text
    caplog.clear()
    fail("tornado.application")  # outside a study, logging is left alone
    assert "Traceback" in caplog.text


def _heartbeat_failure_as_logged() -> str:
    """Log, in this (worker) process, the error a worker logs when the scheduler has gone."""
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("distributed.worker")
    logger.addHandler(handler)
    try:
        raise OSError("Stream is closed")
    except OSError:
        logger.exception("Failed to communicate with scheduler during heartbeat.")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


@pytest.mark.slow
def test_a_local_workers_errors_are_one_line_each_too() -> None:
    from sim.study.execute import _client

    with _client(2, None) as client:
        logged = client.run(_heartbeat_failure_as_logged)
    assert len(logged) == 2
    for text in logged.values():
        assert "during heartbeat. (OSError: Stream is closed)" in text
        assert "Traceback" not in text


def test_a_bad_no_workers_timeout_is_a_clear_error() -> None:
    for bad in ("soon", "-1s", [1]):
        with (
            dask.config.set({"distributed.scheduler.no-workers-timeout": bad}),
            pytest.raises(SchedulerError, match="expected a duration such as 60s"),
        ):
            no_workers_timeout()
    with dask.config.set({"distributed.scheduler.no-workers-timeout": "2m"}):
        assert no_workers_timeout() == 120


@pytest.mark.slow
def test_an_existing_scheduler_runs_the_study(tmp_path: Path) -> None:
    from distributed import LocalCluster

    study = small_study(tmp_path, replications=2)
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        env = {**os.environ, "DASK_SCHEDULER_ADDRESS": cluster.scheduler_address}
        result = subprocess.run(
            [sys.executable, "-m", "sim.cli", "study", str(study), "--quiet"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    assert len(stored(tmp_path / "results" / "small")) == 4
    assert "split" in result.stdout and "vs unsplit" in result.stdout


def test_an_unreachable_scheduler_is_a_clear_error_before_anything_is_written(
    tmp_path: Path,
) -> None:
    study = small_study(tmp_path)
    result = salesim("study", str(study), "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_workers_on_the_command_line_win_over_the_scheduler_variable(tmp_path: Path) -> None:
    study = small_study(tmp_path, replications=1)
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:9"}
    args = [sys.executable, "-m", "sim.cli", "study", str(study), "--quiet"]
    local = subprocess.run(
        [*args, "--workers", "1"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert local.returncode == 0, local.stderr
    remote = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert remote.returncode == 2 and "tcp://127.0.0.1:9" in remote.stderr
    both = salesim("study", str(study), "--workers", "2", "--scheduler", "tcp://x:1", cwd=tmp_path)
    assert both.returncode == 2 and "--workers" in both.stderr


# ---- the commands and the Python API ------------------------------------------------------
def test_compare_prints_the_table_and_writes_the_summary(tmp_path: Path) -> None:
    result = salesim(
        "compare",
        str(SCENARIOS / "unsplit.yaml"),
        str(SCENARIOS / "split.yaml"),
        "--replications",
        "2",
        "--years",
        "1",
        "--workers",
        "1",
        "--set",
        "market.prospects=2000",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "results" / "compare_unsplit_split"
    assert "unsplit (baseline)" in result.stdout and "vs unsplit" in result.stdout
    assert "profit $M" in result.stdout and "retention %" in result.stdout
    assert "runs 4/4" in result.stderr
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scenario"]) == {"unsplit", "split"}


def test_the_python_api_returns_tidy_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    study = Study(
        name="api",
        scenarios=[
            {"path": "unsplit.yaml", "set": FAST},  # type: ignore[list-item]
            {"path": "split.yaml", "set": FAST},  # type: ignore[list-item]
        ],
        replications=2,
        horizon_years=1,
    )
    for name in ("reference.yaml", "unsplit.yaml", "split.yaml"):
        (tmp_path / name).write_text((SCENARIOS / name).read_text())
    result = run_study(study, progress=False, replications=3)
    assert result.path == Path("results") / "api" and result.complete
    assert len(result.runs) == 6
    assert {"scenario", "point", "replication", "seed", "profit"} <= set(result.runs.columns)
    assert {"scenario", "replication", "month", "active_clients"} <= set(result.timeseries.columns)
    assert {"scenario", "metric", "mean", "low", "high", "diff"} <= set(result.summary.columns)
    again = load(tmp_path / "results" / "api")
    pd.testing.assert_frame_equal(again.summary, result.summary)


# ---- sweeps and the study file -------------------------------------------------------------
def test_a_grid_sweep_runs_every_combination_and_compares_within_each_point(
    tmp_path: Path,
) -> None:
    sweep = {
        "variables": {
            "size": {"values": [0.5, 1], "scales": ["market.active_clients", "market.prospects"]},
            "calendar.horizon_years": {"values": [1, 2]},
        }
    }
    path = small_study(tmp_path, replications=2, sweep=sweep, horizon_years=None)
    plan = plan_study(path)
    assert len(plan.variants) == 8 and len(plan.tasks) == 16
    actives = {(v.values["size"], v.scenario.market.active_clients) for v in plan.variants}
    assert actives == {(0.5, 150), (1, 300)}
    prospects = {v.scenario.market.prospects for v in plan.variants}
    assert prospects == {1000, 2000}
    result = quiet(path, tmp_path / "out", workers=1)
    profit = result.summary[result.summary["metric"] == "profit"]
    assert len(profit) == 8 and profit["pairs"].dropna().max() == 2
    assert set(profit.columns) >= {"size", "calendar.horizon_years"}


def test_a_sweep_shows_the_values_used_and_merges_points_that_round_alike(
    tmp_path: Path,
) -> None:
    sweep = {"variables": {"market.competitors.count": {"values": [1.4, 1.2, 2.6]}}}
    plan = plan_study(small_study(tmp_path, sweep=sweep))
    used = sorted({v.values["market.competitors.count"] for v in plan.variants})
    assert used == [1, 3]
    assert {v.scenario.market.competitors.count for v in plan.variants} == {1, 3}
    assert len(plan.variants) == 4 and len(plan.tasks) == 12


def test_a_latin_hypercube_puts_one_point_in_each_stratum() -> None:
    sweep = Sweep(
        method="latin_hypercube",
        samples=10,
        variables={  # type: ignore[arg-type]
            "money.ongoing_bonus_share": {"range": [0.0, 0.1]},
            "organisation.hunters": {"range": [2, 12]},
        },
    )
    points = sweep_points(sweep, seed=3)
    assert points == sweep_points(sweep, seed=3)
    for name, (low, high) in (
        ("money.ongoing_bonus_share", (0, 0.1)),
        ("organisation.hunters", (2, 12)),
    ):
        strata = sorted(int((p[name] - low) / (high - low) * 10) for p in points)
        assert strata == list(range(10))


def test_whole_number_fields_of_a_sweep_are_rounded(tmp_path: Path) -> None:
    sweep = {
        "method": "latin_hypercube",
        "samples": 4,
        "variables": {"organisation.hunters": {"range": [2, 9]}},
    }
    plan = plan_study(
        small_study(
            tmp_path, sweep=sweep, scenarios=[str(SCENARIOS / "split.yaml")], baseline="split"
        )
    )
    hunters = [v.scenario.organisation.hunters for v in plan.variants]
    assert all(isinstance(h, int) and 2 <= h <= 9 for h in hunters)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("changes", "line", "expect"),
    [
        ({"replications": 0}, "replications", "greater than or equal to 1"),
        (
            {"baseline": "nope"},
            "baseline",
            "'nope' is not a scenario of this study (labels: unsplit, split)",
        ),
        ({"scenarios": ["missing.yaml"]}, "missing.yaml", "scenario file not found"),
        ({"replicatons": 3}, "replicatons", "did you mean 'replications'"),
        (
            {
                "scenarios": [
                    {"path": str(SCENARIOS / "split.yaml"), "set": {"organisation.hunterz": 3}}
                ]
            },
            "organisation.hunterz",
            "did you mean 'hunters'",
        ),
        (
            {
                "scenarios": [
                    {"path": str(SCENARIOS / "split.yaml"), "set": {"organisation.hunters": -1}}
                ]
            },
            "organisation.hunters",
            "greater than or equal to 0",
        ),
        (
            {"sweep": {"variables": {"size": {"values": [1, 2]}}}},
            "variables",
            "name a scenario field",
        ),
        (
            {"sweep": {"variables": {"organisation.hunterz": {"values": [1, 2]}}}},
            "organisation.hunterz",
            "no scenario field organisation.hunterz; did you mean 'hunters'?",
        ),
        (
            {"sweep": {"variables": {"organisation.hunters": {"values": [1], "range": [1, 2]}}}},
            "variables",
            "a grid takes values (and no range)",
        ),
        (
            {
                "scenarios": [
                    {
                        "path": str(SCENARIOS / "split.yaml"),
                        "label": "unsplit",
                        "set": {"organisation.hunters": 3},
                    }
                ],
                "sweep": {"variables": {"organisation.hunters": {"values": [1, 2]}}},
            },
            "hunters: 3",
            "organisation.hunters is also swept (sweep.variables); set it in one place",
        ),
        (
            {
                "scenarios": [
                    {
                        "path": str(SCENARIOS / "split.yaml"),
                        "label": "nested",
                        "set": {"organisation": {"hunters": 3}},
                    }
                ],
                "sweep": {"variables": {"organisation.hunters": {"values": [1, 2]}}},
            },
            "organisation:",
            "organisation.hunters is also swept (sweep.variables); set it in one place",
        ),
        (
            {
                "scenarios": [
                    {
                        "path": str(SCENARIOS / "split.yaml"),
                        "label": "section",
                        "set": {"market": {"competitors": {"count": 3}}},
                    }
                ],
                "sweep": {"variables": {"market.competitors.count": {"values": [1, 2]}}},
            },
            "market:",
            "market.competitors.count is also swept (sweep.variables); set it in one place",
        ),
        (
            {
                "horizon_years": 2,
                "sweep": {"variables": {"calendar.horizon_years": {"values": [1, 2]}}},
            },
            "horizon_years: 2",
            "calendar.horizon_years is also swept; remove one of the two",
        ),
        (
            {"sweep": {"variables": {"s": {"values": [2], "scales": ["handoff.style"]}}}},
            "handoff.style",
            "only a numeric field can be scaled",
        ),
        (
            {"sweep": {"variables": {"organisation.hunters": {"values": [-3]}}}},
            "organisation.hunters",
            "greater than or equal to 0",
        ),
        (
            {
                "sweep": {
                    "method": "latin_hypercube",
                    "variables": {"organisation.hunters": {"range": [1, 3]}},
                }
            },
            "method",
            "samples is required",
        ),
    ],
)
def test_a_bad_study_file_is_a_located_error(
    tmp_path: Path, changes: dict[str, object], line: str, expect: str
) -> None:
    path = write_yaml(tmp_path, changes)
    with pytest.raises(ConfigError) as caught:
        plan_study(path)
    text = str(caught.value)
    assert expect in text, text
    line_no = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if line in t)
    assert f"{path}:{line_no}:" in text, text
    result = salesim("study", str(path), cwd=tmp_path)
    assert result.returncode == 2 and expect in result.stderr and "Traceback" not in result.stderr


def write_yaml(tmp_path: Path, changes: dict[str, object]) -> Path:
    """A block-style study file (one field per line, so that errors have distinct lines)."""
    import yaml

    data = {
        "name": "bad",
        "baseline": "unsplit",
        "replications": 2,
        "scenarios": [str(SCENARIOS / "unsplit.yaml"), str(SCENARIOS / "split.yaml")],
    }
    data.update(changes)  # type: ignore[arg-type]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, default_flow_style=False))
    return path


def test_two_scenarios_with_one_label_are_refused(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path, {"scenarios": [str(SCENARIOS / "split.yaml")] * 2, "baseline": "split"}
    )
    with pytest.raises(ConfigError, match="two scenarios are labelled 'split'"):
        plan_study(path)


def test_the_shipped_studies_are_valid() -> None:
    studies = sorted((ROOT / "studies").glob("*.yaml"))
    assert {p.name for p in studies} >= {"strategies.yaml", "breakeven.yaml"}
    strategies = plan_study(ROOT / "studies" / "strategies.yaml")
    assert strategies.study.replications == 30 and len(strategies.variants) == 8
    assert strategies.baseline_label == "unsplit"
    breakeven = plan_study(ROOT / "studies" / "breakeven.yaml")
    assert {v.label for v in breakeven.variants} == {"young_unsplit", "young_split"}
    assert len({v.point for v in breakeven.variants}) == 20


def test_validate_checks_study_files_too(tmp_path: Path) -> None:
    good = ROOT / "studies" / "strategies.yaml"
    result = salesim("validate", str(good), str(SCENARIOS / "split.yaml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok (study strategies: 8 scenario variants, 240 runs)" in result.stdout
    bad = write_yaml(tmp_path, {"replications": 0})
    result = salesim("validate", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and f"{bad}:3:" in result.stderr


def test_identical_scenarios_share_their_runs(tmp_path: Path) -> None:
    twice = [
        {"path": str(SCENARIOS / "unsplit.yaml"), "label": label, "set": FAST}
        for label in ("first", "second")
    ]
    for crn in (True, False):
        path = small_study(
            tmp_path, scenarios=twice, baseline="first", replications=2, common_random_numbers=crn
        )
        out = tmp_path / f"out-{crn}"
        result = quiet(path, out, workers=1)
        assert len(stored(out)) == 2 and result.complete
        second = result.summary.set_index(["scenario", "metric"]).loc[("second", "profit")]
        assert second["diff"] == 0


def test_study_takes_years_replications_and_set_from_the_command_line(tmp_path: Path) -> None:
    study = small_study(tmp_path, horizon_years=None, scenarios=[str(SCENARIOS / "unsplit.yaml")])
    args = ["--years", "1", "--replications", "2", "--set", "market.prospects=2000"]
    result = salesim("study", str(study), *args, "--workers", "1", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    loaded = load(tmp_path / "results" / "small")
    assert len(loaded.runs) == 2 and (loaded.runs["years"] == 1).all()
    bad = salesim("study", str(study), "--set", "market.prospectz=1", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("did you mean 'prospects'") == 1
    swept = small_study(tmp_path, sweep={"variables": {"market.prospects": {"values": [900]}}})
    clash = salesim("study", str(swept), "--set", "market.prospects=1", cwd=tmp_path)
    assert clash.returncode == 2 and "cannot also be --set" in clash.stderr


def test_compare_of_one_scenario_with_itself_says_so(tmp_path: Path) -> None:
    split = str(SCENARIOS / "split.yaml")
    result = salesim("compare", split, split, cwd=tmp_path)
    assert result.returncode == 2
    assert "compare scenarios with different names" in result.stderr


def test_small_money_is_shown_in_thousands_and_few_replications_are_flagged(
    tmp_path: Path,
) -> None:
    young = [str(SCENARIOS / "young_unsplit.yaml"), str(SCENARIOS / "young_split.yaml")]
    args = ["--replications", "2", "--years", "1", "--workers", "1", "--quiet"]
    result = salesim("compare", *young, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "profit $k" in result.stdout and "profit $M" not in result.stdout
    assert "note: only 2 replications per scenario" in result.stdout
    assert "-0 " not in result.stdout and "+0.0 " not in result.stdout


# ---- numbers of a study: finite, and a size counted before anything is expanded -------------
def sweep_of(variable: dict[str, object], **sweep: object) -> dict[str, object]:
    """The changes of a study file sweeping one variable (``name`` in ``variable``)."""
    name = str(variable.pop("name"))
    return {"sweep": {**sweep, "variables": {name: variable}}}


@pytest.mark.parametrize(
    ("changes", "line", "expect"),
    [
        (
            sweep_of({"name": "organisation.hunters", "values": [2, float("inf")]}),
            "- .inf",
            "inf is not a finite number",
        ),
        (
            sweep_of({"name": "organisation.hunters", "values": [float("nan")]}),
            "- .nan",
            "nan is not a finite number",
        ),
        (
            sweep_of({"name": "money.ongoing_bonus_share", "values": [float("-inf")]}),
            "- -.inf",
            "-inf is not a finite number",
        ),
        (
            sweep_of({"name": "s", "values": [float("inf")], "scales": ["market.prospects"]}),
            "- .inf",
            "inf is not a finite number",
        ),
        (
            sweep_of({"name": "s", "values": [1e308], "scales": ["market.prospects"]}),
            "- market.prospects",
            "market.prospects: 20000 x 1e+308 gives inf, not a finite number",
        ),
        (
            sweep_of({"name": "s", "values": ["abc"], "scales": ["organisation.hunters"]}),
            "values:",
            "the values of a scaling variable are factors, numbers >= 0 (found 'abc')",
        ),
        (
            sweep_of({"name": "s", "values": [True], "scales": ["organisation.hunters"]}),
            "values:",
            "(found True)",
        ),
        (
            sweep_of({"name": "s", "values": [-2], "scales": ["organisation.hunters"]}),
            "values:",
            "(found -2)",
        ),
        (
            sweep_of(
                {"name": "s", "range": [-1, 2], "scales": ["organisation.hunters"]},
                method="latin_hypercube",
                samples=3,
            ),
            "range:",
            "the range of a scaling variable are factors, numbers >= 0 (found -1.0)",
        ),
        (
            sweep_of(
                {"name": "organisation.hunters", "range": [0, float("inf")]},
                method="latin_hypercube",
                samples=3,
            ),
            "- .inf",
            "Input should be a finite number",
        ),
        (
            sweep_of(
                {"name": "organisation.hunters", "range": [float("nan"), 3]},
                method="latin_hypercube",
                samples=3,
            ),
            "- .nan",
            "Input should be a finite number",
        ),
        (
            sweep_of(
                {"name": "organisation.hunters", "range": [-1e308, 1e308]},
                method="latin_hypercube",
                samples=3,
            ),
            "range:",
            "range [-1e+308, 1e+308] is too wide to sample",
        ),
        (
            sweep_of({"name": "organisation.hunters", "values": [1e300]}),
            "organisation.hunters",
            "less than or equal to",
        ),
        (
            sweep_of({"name": "organisation.billing_system", "values": [0.5]}),
            "organisation.billing_system",
            "valid boolean",
        ),
        (
            sweep_of(
                {"name": "organisation.hunters", "range": [1, 3]},
                method="latin_hypercube",
                samples=float("inf"),
            ),
            "samples",
            "valid integer",
        ),
        ({"replications": float("inf")}, "replications", "valid integer"),
        ({"seed": float("nan")}, "seed", "valid integer"),
        ({"horizon_years": 1e300}, "horizon_years", "valid integer"),
    ],
)
def test_a_number_a_study_cannot_use_is_a_located_error(
    tmp_path: Path, changes: dict[str, object], line: str, expect: str
) -> None:
    path = write_yaml(tmp_path, {"scenarios": [str(SCENARIOS / "unsplit.yaml")], **changes})
    with pytest.raises(ConfigError) as caught:
        plan_study(path)
    text = str(caught.value)
    assert expect in text, text
    line_no = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if line in t)
    assert f"{path}:{line_no}:" in text, text


def test_an_infinite_sweep_value_exits_2_from_the_command(tmp_path: Path) -> None:
    changes = sweep_of({"name": "organisation.hunters", "values": [float("inf")]})
    path = write_yaml(tmp_path, changes)
    for command in ("validate", "study"):
        result = salesim(command, str(path), cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "inf is not a finite number" in result.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("changes", "where", "count"),
    [
        (  # two variables of 1,000 values each, over two scenarios
            {
                "replications": 1,
                "sweep": {
                    "variables": {
                        "market.prospects": {"values": list(range(1000, 2000))},
                        "organisation.hunters": {"values": list(range(1000))},
                    }
                },
            },
            "sweep:",
            "2,000,000 runs (1,000,000 sweep points x 2 scenarios x 1 replications)",
        ),
        (  # a grid of ten variables: 10**30 points
            {
                "replications": 1,
                "sweep": {
                    "variables": {
                        f"v{i}": {"values": list(range(1000)), "scales": ["market.prospects"]}
                        for i in range(10)
                    }
                },
            },
            "sweep:",
            f"{2 * 1000**10:,} runs",
        ),
        (
            {
                "replications": 10_000,
                "sweep": {
                    "method": "latin_hypercube",
                    "samples": 51,
                    "variables": {"organisation.hunters": {"range": [1, 9]}},
                },
            },
            "sweep:",
            "1,020,000 runs (51 sweep points x 2 scenarios x 10,000 replications)",
        ),
        (
            {"replications": 10_000, "scenarios": [str(SCENARIOS / "split.yaml")] * 101},
            "replications:",
            "1,010,000 runs (101 scenarios x 10,000 replications)",
        ),
    ],
)
def test_a_study_of_more_than_a_million_runs_is_refused_before_it_is_expanded(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, object],
    where: str,
    count: str,
) -> None:
    import sim.study.plan as planner

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the study was expanded before its size was checked")

    monkeypatch.setattr(planner, "sweep_points", refuse)
    monkeypatch.setattr(planner, "_resolve", refuse)
    path = write_yaml(tmp_path, changes)
    with pytest.raises(ConfigError) as caught:
        plan_study(path)
    text = str(caught.value)
    assert count in text and "more than the 1,000,000 a study may hold" in text, text
    line_no = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if t.startswith(where))
    assert text.startswith(f"{path}:{line_no}:1:"), text


def test_a_compare_of_more_than_a_million_runs_is_refused(tmp_path: Path) -> None:
    split = str(SCENARIOS / "split.yaml")
    result = salesim("compare", *[split] * 101, "--replications", "10000", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "1,010,000 runs (101 scenarios x 10,000 replications)" in result.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("changes", "line", "expect"),
    [
        ({"name": "results/x"}, "name:", "'/' (U+002F) is not allowed"),
        ({"name": ".."}, "name:", "starts with '.'"),
        ({"name": "два слова"}, "name:", "' ' (U+0020) is not allowed"),  # a label may
    ],
)
def test_a_study_name_or_label_that_cannot_be_a_name_is_located(
    tmp_path: Path, changes: dict[str, object], line: str, expect: str
) -> None:
    path = write_yaml(tmp_path, {"baseline": None, **changes})
    with pytest.raises(ConfigError) as caught:
        plan_study(path)
    text = str(caught.value)
    assert expect in text and "letters or digits (of any script)" in text, text
    line_no = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if line in t)
    assert f"{path}:{line_no}:" in text, text


def test_names_in_any_script_are_kept_in_normal_form_c(tmp_path: Path) -> None:
    decomposed = "и\u0306"  # й as a macOS file name writes it
    entry = {"path": str(SCENARIOS / "split.yaml"), "label": f"{decomposed}_split"}
    path = write_yaml(
        tmp_path,
        {"name": f"{decomposed}_study", "baseline": "й_split", "scenarios": [entry]},
    )
    plan = plan_study(path)
    assert plan.study.name == "й_study" and plan.baseline_label == "й_split"


def test_command_line_replications_and_years_are_located_on_the_command_line(
    tmp_path: Path,
) -> None:
    many = write_yaml(tmp_path, {"scenarios": [str(SCENARIOS / "split.yaml")] * 101})
    with pytest.raises(ConfigError) as caught:
        plan_study(many, replications=10_000)
    assert str(caught.value).startswith("--replications 10000:1:1: replications: 1,010,000 runs")
    swept = write_yaml(
        tmp_path, {"sweep": {"variables": {"calendar.horizon_years": {"values": [1, 2]}}}}
    )
    with pytest.raises(ConfigError, match=r"^--years 2:1:1: horizon_years: .* also swept"):
        plan_study(swept, years=2)


@pytest.mark.slow
@pytest.mark.parametrize(
    "override",
    [
        "market.prospects=1",
        "market={prospects: 1}",
        "market={prospects: 1, competitors: {count: 2}}",
    ],
)
def test_a_swept_field_set_on_the_command_line_in_any_form_is_refused(
    tmp_path: Path, override: str
) -> None:
    swept = small_study(tmp_path, sweep={"variables": {"market.prospects": {"values": [900]}}})
    clash = salesim("study", str(swept), "--set", override, cwd=tmp_path)
    assert clash.returncode == 2, clash.stderr
    assert f"--set '{override}'" in clash.stderr
    assert "market.prospects is swept by the study; it cannot also be --set" in clash.stderr
    assert not (tmp_path / "results").exists()


def test_a_study_scenario_that_is_a_loop_or_a_folder_says_why(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    (tmp_path / "folder.yaml").mkdir()
    for name in ("loop.yaml", "folder.yaml"):
        study = small_study(tmp_path, scenarios=[name], baseline=name.removesuffix(".yaml"))
        result = salesim("validate", str(study), cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "not found" not in result.stderr and name in result.stderr, result.stderr


def test_sigterm_stops_the_study_as_ctrl_c_does(tmp_path: Path) -> None:
    study = small_study(tmp_path, replications=12)
    out = tmp_path / "out"
    args = ["study", str(study), "--out", str(out), "--workers", "1", "--quiet"]
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args], cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.terminate()  # what kill, timeout and batch systems send
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Run the same command again to resume" in err and "Traceback" not in err
    assert json.loads((out / "manifest.json").read_text())["status"]["state"] == "interrupted"


SCALED = {"size": {"values": [1, 2], "scales": ["market.prospects"]}}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sweep", "line", "expect"),
    [
        (
            {"variables": {"profit": {"values": [1, 2], "scales": ["market.prospects"]}}},
            "profit:",
            "'profit' names a column of the results; give the variable another name",
        ),
        (
            {"variables": {"point": {"values": [1, 2], "scales": ["market.prospects"]}}},
            "point:",
            "'point' names a column of the results",
        ),
        (
            {
                "variables": {
                    "market.prospects": {"values": [300, 400]},
                    "f": {"values": [2], "scales": ["market.prospects"]},
                }
            },
            "- market.prospects",
            "market.prospects is already swept or scaled by the variable 'market.prospects'",
        ),
        (
            {
                "variables": {
                    "f": {"values": [2], "scales": ["market.prospects"]},
                    "g": {"values": [3], "scales": ["organisation.hunters", "market.prospects"]},
                }
            },
            "- market.prospects",
            "market.prospects is already swept or scaled by the variable 'f'",
        ),
    ],
)
def test_a_sweep_variable_that_would_be_misread_is_a_located_error(
    tmp_path: Path, sweep: dict[str, object], line: str, expect: str
) -> None:
    path = write_yaml(tmp_path, {"sweep": sweep})
    with pytest.raises(ConfigError) as caught:
        plan_study(path)
    text = str(caught.value)
    assert expect in text, text
    lines = path.read_text().splitlines()
    numbers = [i for i, t in enumerate(lines, 1) if line in t]
    assert any(f"{path}:{n}:" in text for n in numbers), text
    result = salesim("validate", str(path), cwd=tmp_path)
    assert result.returncode == 2 and expect in result.stderr and "Traceback" not in result.stderr


def test_a_scale_applies_to_the_value_set_on_the_command_line(tmp_path: Path) -> None:
    study = small_study(tmp_path, sweep={"variables": SCALED})
    plan = plan_study(study, overrides=["market.prospects=300"])
    prospects = sorted({v.scenario.market.prospects for v in plan.variants})
    assert prospects == [300, 600]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("entry_set", "overrides", "expect"),
    [
        ({"seed": 5}, [], "the seeds are the study's"),
        ({"organisation": {"hunters": 2}, "organisation.hunters": 3}, [], "set twice"),
        ({}, ["seed=5"], "the seeds are the study's (its seed:, or compare --seed)"),
    ],
)
def test_a_setting_a_study_would_ignore_or_read_twice_is_refused(
    tmp_path: Path, entry_set: dict[str, object], overrides: list[str], expect: str
) -> None:
    entry = {"path": str(SCENARIOS / "split.yaml"), "label": "split", "set": entry_set}
    study = small_study(tmp_path, scenarios=[entry], baseline="split")
    with pytest.raises(ConfigError) as caught:
        plan_study(study, overrides=overrides)
    assert expect in str(caught.value)
    sets = [a for o in overrides for a in ("--set", o)]
    result = salesim("validate", str(study), *sets, cwd=tmp_path)
    assert result.returncode == 2 and expect in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def stored_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("damaged")
    out = folder / "out"
    quiet(small_study(folder, replications=2), out, workers=1)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage",
    [
        lambda m: None,
        lambda m: [],
        lambda m: {**m, "variants": None},
        lambda m: {**m, "variants": "x"},
        lambda m: {**m, "variants": [{}]},
        lambda m: {**m, "study_resolved": None},
        lambda m: {**m, "study_resolved": {"name": 5}},
        lambda m: {**m, "status": 5},
        lambda m: {**m, "sweep": "x"},
    ],
)
def test_a_damaged_manifest_is_refused_in_one_line(
    tmp_path: Path, stored_study: Path, damage: object
) -> None:
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(stored_study, out)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps(damage(manifest)))  # type: ignore[operator]
    with pytest.raises(StudyError, match=r"manifest\.json: damaged"):
        load(out)
    result = salesim("report", str(out), "--quiet")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "manifest.json: damaged" in result.stderr
