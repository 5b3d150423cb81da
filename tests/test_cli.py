"""The salesim command: validate, run, params; bad input is located and exits 2."""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS, salesim

from sim import output
from sim.cli import main

SMALL = ["--years", "1", "--set", "market.prospects=300"]


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_scenario_validates() -> None:
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert {"reference.yaml", "unsplit.yaml", "split.yaml"} <= {f.name for f in files}
    result = salesim("validate", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == len(files)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "line", "expect"),
    [
        ("name: x\norganisation:\n  hunterz: 3\n", 3, "did you mean 'hunters'"),
        ("name: x\norganisation:\n  hunters: -2\n", 3, "greater than or equal to 0"),
        ("name: x\nclients:\n  lapse_per_month: 2\n", 3, "less than or equal to 1"),
        ("name: x\nhandoff:\n  style: warm\n", 3, "'personal' or 'cold'"),
        (
            "name: x\nmarket:\n  past_clients: 10\n  active_clients: 20\n",
            4,
            "active_clients cannot exceed past_clients",
        ),
        ("name: x\nseed: !!python/object/apply:os.system ['echo hi']\n", 2, "tag"),
        ("name: [unclosed\n", 2, ""),
    ],
)
def test_bad_scenario_is_located_and_exits_2(
    tmp_path: Path, text: str, line: int, expect: str
) -> None:
    path = write(tmp_path, text)
    result = salesim("validate", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{line}:"), first
    assert expect in result.stderr


def test_bad_set_is_located_and_exits_2(tmp_path: Path) -> None:
    result = salesim(
        "run",
        str(SCENARIOS / "split.yaml"),
        "--set",
        "market.competitors.count=-4",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.returncode == 2
    assert "market.competitors.count" in result.stderr
    assert "--set" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()
    typo = salesim("validate", str(SCENARIOS / "split.yaml"), "--set", "market.prospekts=5")
    assert typo.returncode == 2 and "did you mean 'prospects'" in typo.stderr
    no_eq = salesim("validate", str(SCENARIOS / "split.yaml"), "--set", "market.prospects")
    assert no_eq.returncode == 2 and "Traceback" not in no_eq.stderr


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    result = salesim("run", str(SCENARIOS / "split.yaml"), "--years", "0")
    assert result.returncode == 2 and "between 1 and 30" in result.stderr
    missing = salesim("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_run_writes_timeseries_scenario_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "split"
    result = salesim("run", str(SCENARIOS / "split.yaml"), "--seed", "7", "--out", str(out), *SMALL)
    assert result.returncode == 0, result.stderr
    assert "1-year totals" in result.stdout and "profit" in result.stdout
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert len(frame) == 12
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["scenario"] == "split"
    assert len(manifest["config_hash"]) == 64 and manifest["wall_time_s"] > 0
    resolved = (out / "scenario.yaml").read_text()
    assert "horizon_years: 1" in resolved and "prospects: 300" in resolved
    again = salesim("validate", str(out / "scenario.yaml"))
    assert again.returncode == 0, again.stderr


def test_several_scenarios_go_to_their_own_folders(tmp_path: Path) -> None:
    code = main(
        [
            "run",
            str(SCENARIOS / "split.yaml"),
            str(SCENARIOS / "unsplit.yaml"),
            "--out",
            str(tmp_path),
            *SMALL,
        ]
    )
    assert code == 0
    for name in ("split", "unsplit"):
        assert (tmp_path / name / "manifest.json").exists()


def test_same_seed_same_parquet_bytes_of_data(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        assert (
            main(
                [
                    "run",
                    str(SCENARIOS / "young_split.yaml"),
                    "--seed",
                    "3",
                    "--out",
                    str(tmp_path / folder),
                ]
            )
            == 0
        )
    a = pd.read_parquet(tmp_path / "a" / "timeseries.parquet")
    b = pd.read_parquet(tmp_path / "b" / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_an_interrupted_run_keeps_the_earlier_results_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "young_split.yaml"), "--out", str(out)]) == 0
    manifest = (out / "manifest.json").read_text()

    def broken(self: pd.DataFrame, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    args = ["run", str(SCENARIOS / "young_split.yaml"), "--out", str(out), "--seed", "5"]
    assert main(args) == 130
    # the earlier run is intact: its manifest, and its timeseries (not the half file)
    assert (out / "manifest.json").read_text() == manifest
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == [".salesim.lock"]  # the folder's lock, not a temporary file
    assert pd.read_parquet(out / "timeseries.parquet").shape[0] == 60


def test_write_atomic_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")

    def fail(path: Path) -> None:
        path.write_text("new, half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        output.write_atomic(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_params_lists_every_parameter_with_a_source() -> None:
    result = salesim("params")
    assert result.returncode == 0
    rows = [r for r in result.stdout.splitlines()[2:] if r.startswith("| ")]
    assert len(rows) > 80
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if cells[0] in ("description", "seed"):
            continue
        assert cells[5] not in ("", "-"), f"{cells[0]} has no source"


def test_every_headcount_is_in_people() -> None:
    from sim.params import iter_parameters

    units = {p["parameter"]: p["unit"] for p in iter_parameters()}
    headcounts = [
        *(f"organisation.{role}" for role in ("hunters", "generalists", "specialists")),
        *(f"organisation.{role}" for role in ("vip_leads", "account_managers", "letter_writers")),
        "vip.seconded_full_time",
    ]
    assert {name: units[name] for name in headcounts} == dict.fromkeys(headcounts, "people")


def test_saved_scenario_reproduces_the_run(tmp_path: Path) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    assert (
        main(
            [
                "run",
                str(SCENARIOS / "young_split.yaml"),
                "--seed",
                "7",
                "--years",
                "1",
                "--out",
                str(first),
            ]
        )
        == 0
    )
    assert main(["run", str(first / "scenario.yaml"), "--out", str(again)]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(first / "timeseries.parquet"), pd.read_parquet(again / "timeseries.parquet")
    )
    assert (first / "timeseries.parquet").stat().st_mode & 0o044  # readable by others


def test_bad_out_is_reported_before_running(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = salesim("run", str(SCENARIOS / "young_split.yaml"), "--out", str(blocker))
    assert result.returncode == 2
    assert "not a folder" in result.stderr and "Traceback" not in result.stderr
    assert "running" not in result.stderr


def test_types_are_strict_and_cross_field_errors_point_at_the_field(tmp_path: Path) -> None:
    path = write(
        tmp_path, "name: x\norganisation:\n  hunters: true\ncalendar:\n  hours_per_day: '8'\n"
    )
    result = salesim("validate", str(path))
    assert result.returncode == 2
    assert f"{path}:3:3: organisation.hunters" in result.stderr
    assert f"{path}:5:3: calendar.hours_per_day" in result.stderr
    cross = salesim(
        "validate", str(SCENARIOS / "split.yaml"), "--set", "market.active_clients=5000"
    )
    assert cross.returncode == 2
    assert cross.stderr.startswith("--set 'market.active_clients=5000'")
    assert "active_clients cannot exceed past_clients" in cross.stderr
    assert "Value error" not in cross.stderr


def test_summary_reports_turnover_letters_and_the_vip_programme(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = salesim(
        "run", str(SCENARIOS / "split_letters_vip.yaml"), "--years", "1", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "people:" in result.stdout and " quit, " in result.stdout
    assert "letters:" in result.stdout and "answered" in result.stdout
    assert "VIP programme:" in result.stdout and "bottlenecks fixed" in result.stdout
    plain = salesim(
        "run", str(SCENARIOS / "split.yaml"), "--years", "1", "--out", str(tmp_path / "p")
    )
    assert "letters:" not in plain.stdout and "VIP programme:" not in plain.stdout


# ---- names in any script -------------------------------------------------------------------
def scenario_named(folder: Path, file: str, name: str, parent: str) -> Path:
    """A scenario file ``file`` named ``name`` that extends a shipped scenario."""
    path = folder / file
    path.write_text(
        f"extends: {SCENARIOS / parent}\nname: {name}\nmarket:\n  prospects: 300\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_names_in_any_script_work_end_to_end(tmp_path: Path) -> None:
    base = scenario_named(tmp_path, "база.yaml", "база", "unsplit.yaml")
    split = scenario_named(tmp_path, "разделение.yaml", "разделение", "split.yaml")
    quick = ["--years", "1", "--workers", "1", "--quiet"]

    run = salesim("run", str(base), "--years", "1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "results" / "база" / "manifest.json").is_file()

    compare = salesim(
        "compare", "база.yaml", "разделение.yaml", "--replications", "1", *quick, cwd=tmp_path
    )
    assert compare.returncode == 0, compare.stderr
    assert "Traceback" not in compare.stderr
    folder = tmp_path / "results" / "compare_база_разделение"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"] == "compare_база_разделение"
    assert {v["label"] for v in manifest["variants"]} == {"база", "разделение"}
    assert "разделение" in compare.stdout and "vs база" in compare.stdout

    study = tmp_path / "исследование.yaml"
    study.write_text(
        "name: исследование_Σ_分割\nreplications: 2\nbaseline: база\nscenarios:\n"
        f"  - {base.name}\n  - path: {split.name}\n    label: Ελληνικά-分割\n",
        encoding="utf-8",
    )
    valid = salesim("validate", str(study), str(base), cwd=tmp_path)
    assert valid.returncode == 0, valid.stderr
    assert "study исследование_Σ_分割: 2 scenario variants, 4 runs" in valid.stdout
    out = tmp_path / "выход" / "Ἀθῆναι_東京"
    result = salesim("study", str(study), *quick, "--out", str(out), "--report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Ελληνικά-分割" in result.stdout
    assert (out / "report.html").is_file() and (out / "report.pdf").is_file()
    assert "Ελληνικά-分割" in (out / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scenario"]) == {"база", "Ελληνικά-分割"}
    again = salesim("report", str(out), "--quiet", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("a/b", "'/' (U+002F) is not allowed"),
        ("..", "starts with '.'"),
        ("-x", "starts with '-'"),
        ("имя с пробелом", "' ' (U+0020) is not allowed"),
        ('"x\\ty"', "'\\t' (U+0009) is not allowed"),
        ("я" * 65, "this one has 65 characters"),
        ("𒀀" * 60, "at most 200 bytes in UTF-8"),
    ],
)
def test_a_name_that_cannot_be_a_folder_is_located(tmp_path: Path, name: str, expect: str) -> None:
    path = write(tmp_path, f"description: x\nname: {name}\n")
    result = salesim("validate", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}:2:1: name: "), result.stderr
    assert expect in result.stderr and "letters or digits (of any script)" in result.stderr


def test_names_are_letters_and_digits_of_any_script_in_normal_form_c() -> None:
    from sim.names import check_name, safe_name

    for name in ("база", "Σενάριο_2", "分割", "हिन्दी", "split-8.v2", "٣ملفات", "x" * 64):
        assert check_name(name) == name
    assert check_name("и\u0306") == "й"  # a combining breve, as macOS writes file names
    for bad in ("", ".hidden", "_x", "a b", "a/b", "a\\b", "a:b", "a\x00b", "\u0306x", "😀"):
        with pytest.raises(ValueError, match="any script"):
            check_name(bad)
    for text in ("compare_my file_😀", "compare_" + "разделение" * 20, "\u0306", "", "a" * 300):
        assert check_name(safe_name(text)) == safe_name(text)
    long = "compare_" + "разделение" * 20
    assert safe_name(long) != safe_name(long + "x") and len(safe_name(long)) == 64


def test_compare_names_its_folder_after_files_of_any_name(tmp_path: Path) -> None:
    scenario_named(tmp_path, "my plan 😀.yaml", "plan_a", "unsplit.yaml")
    scenario_named(tmp_path, "ä" * 60 + ".yaml", "plan_b", "split.yaml")
    args = ["--replications", "1", "--years", "1", "--workers", "1", "--quiet"]
    result = salesim("compare", "my plan 😀.yaml", "ä" * 60 + ".yaml", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name.startswith("compare_my_plan___ää") and len(folder.name) == 64


# ---- validate checks what run and study would run ------------------------------------------
@pytest.mark.slow
def test_validate_takes_set_years_and_replications_as_run_and_study_do(tmp_path: Path) -> None:
    strategies = str(ROOT / "studies" / "strategies.yaml")
    for command in ("validate", "study"):
        typo = salesim(command, strategies, "--set", "organisation.hunterz=3", cwd=tmp_path)
        assert typo.returncode == 2 and "Traceback" not in typo.stderr, command
        assert "--set 'organisation.hunterz=3'" in typo.stderr
        assert "did you mean 'hunters'" in typo.stderr
        years = salesim(command, strategies, "--years", "31", cwd=tmp_path)
        assert years.returncode == 2 and "between 1 and 30" in years.stderr
    assert not (tmp_path / "results").exists()
    ok = salesim("validate", strategies, "--replications", "3", "--years", "1")
    assert ok.returncode == 0, ok.stderr
    assert "8 scenario variants, 24 runs" in ok.stdout
    split = str(SCENARIOS / "split.yaml")
    years_last = salesim("validate", split, "--years", "1", "--set", "calendar.horizon_years=99")
    assert years_last.returncode == 0  # --years comes last, as in run
    overridden = salesim("validate", split, "--set", "calendar.horizon_years=99")
    assert overridden.returncode == 2 and "calendar.horizon_years" in overridden.stderr
    alone = salesim("validate", split, "--replications", "3")
    assert alone.returncode == 2 and "--replications applies to study files" in alone.stderr


@pytest.mark.slow
def test_validate_refuses_a_study_that_command_line_replications_make_too_big(
    tmp_path: Path,
) -> None:
    study = tmp_path / "wide.yaml"
    study.write_text(
        f"name: wide\nscenarios: [{SCENARIOS / 'unsplit.yaml'}, {SCENARIOS / 'split.yaml'}]\n"
        f"sweep:\n  variables:\n    market.prospects:\n      values: {list(range(1000, 1100))}\n",
        encoding="utf-8",
    )
    assert salesim("validate", str(study)).returncode == 0
    for command in ("validate", "study"):
        big = salesim(command, str(study), "--replications", "5001", cwd=tmp_path)
        assert big.returncode == 2 and "Traceback" not in big.stderr
        assert f"{study}:3:1: sweep: 1,000,200 runs" in big.stderr
    assert not (tmp_path / "results").exists()


# ---- the scheduler address is checked before anything is written ---------------------------
@pytest.mark.parametrize(
    ("address", "expect"),
    [
        ("foo://bar", "Dask does not know the scheme foo://"),
        ("inproc://x", "exists only inside one Python process"),
        ("tcp://host", "a host and a port"),
        ("tcp://[::1]", "a host and a port"),
        ("tcp://host:99999", "a port from 1 to 65535"),
        ("tcp://host:８７８６", "a port from 1 to 65535"),
        ("tcp://host:8786/x", "a host and a port"),
        ("", "expected a Dask scheduler address"),
        ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
    ],
)
def test_a_bad_scheduler_is_refused_before_anything_is_written(
    address: str, expect: str, tmp_path: Path
) -> None:
    from sim.study.execute import SchedulerError, check_scheduler

    with pytest.raises(SchedulerError, match=expect):
        check_scheduler(address, "--scheduler")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["compare", "study"])
def test_a_scheduler_of_an_unknown_scheme_writes_nothing(tmp_path: Path, command: str) -> None:
    target = (
        [str(ROOT / "studies" / "strategies.yaml")]
        if command == "study"
        else [str(SCENARIOS / "unsplit.yaml"), str(SCENARIOS / "split.yaml")]
    )
    out = tmp_path / "out"
    result = salesim(command, *target, "--scheduler", "foo://bar", "--out", str(out))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--scheduler 'foo://bar': Dask does not know the scheme foo://" in result.stderr
    assert not out.exists()
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": "inproc://x"}
    from_env = subprocess.run(
        [sys.executable, "-m", "sim.cli", command, *target, "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert from_env.returncode == 2 and "$DASK_SCHEDULER_ADDRESS 'inproc://x'" in from_env.stderr
    assert not out.exists()


@pytest.mark.parametrize("flag", ["--seed", "--years"])
def test_a_command_line_number_of_thousands_of_digits_is_refused_briefly(flag: str) -> None:
    digits = "1" * 4301
    result = salesim("run", str(SCENARIOS / "split.yaml"), flag, digits)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument {flag}: must be between" in result.stderr
    assert "(4301 characters)" in result.stderr and digits not in result.stderr


# ---- results folders: what a run may replace, locks, full disks --------------------------------
def run_args(out: Path, *more: str) -> list[str]:
    return ["run", str(SCENARIOS / "young_split.yaml"), *SMALL, "--out", str(out), *more]


@pytest.mark.slow
@pytest.mark.parametrize(
    "manifest",
    [
        '{"study": "x", "variants": [], "study_resolved": {}}',  # a study's
        '{"name": "my-web-app", "version": 2}',  # another program's
        "{not json",  # unreadable
        "[1, 2]",
    ],
)
def test_run_refuses_a_folder_whose_manifest_is_not_a_runs(tmp_path: Path, manifest: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(manifest)
    result = salesim(*run_args(out))
    assert result.returncode == 2, result.stderr
    assert "choose another folder with --out" in result.stderr.lower()
    assert "Traceback" not in result.stderr and "running" not in result.stderr
    assert (out / "manifest.json").read_text() == manifest
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]  # nothing written


def test_run_refuses_to_overwrite_its_own_scenario_file(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    source = folder / "scenario.yaml"
    source.write_text("extends: " + str(SCENARIOS / "young_split.yaml") + "\nname: mine\n")
    before = source.read_text()
    result = salesim("run", str(source), *SMALL, "--out", str(folder))
    assert result.returncode == 2, result.stderr
    assert "would overwrite its own scenario file" in result.stderr
    assert source.read_text() == before


def test_run_replaces_an_earlier_run_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(run_args(out, "--seed", "1")) == 0
    result = salesim(*run_args(out, "--seed", "2"))
    assert result.returncode == 0, result.stderr
    assert f"replacing the earlier results in {out}/" in result.stderr
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2


def test_a_folder_another_command_writes_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(run_args(out)) == 0
    before = (out / "manifest.json").read_text()
    with output.folder_lock(out):  # as a study or run still writing there
        result = salesim(*run_args(out, "--seed", "9"))
    assert result.returncode == 2, result.stderr
    assert "another salesim command is writing to this folder" in result.stderr
    assert "Traceback" not in result.stderr and "running" not in result.stderr
    assert (out / "manifest.json").read_text() == before
    assert main(run_args(out, "--seed", "9")) == 0  # the lock ends with its holder


def test_several_runs_lock_every_folder_before_running_any(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "young_unsplit").mkdir(parents=True)
    files = [str(SCENARIOS / "young_split.yaml"), str(SCENARIOS / "young_unsplit.yaml")]
    with output.folder_lock(out / "young_unsplit"):
        result = salesim("run", *files, *SMALL, "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert "another salesim command" in result.stderr and "running" not in result.stderr
    assert not (out / "young_split" / "manifest.json").exists()


@pytest.mark.parametrize("failing", ["timeseries.parquet", "scenario.yaml", "manifest.json"])
def test_a_full_disk_keeps_the_earlier_run_whole(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failing: str,
) -> None:
    out = tmp_path / "out"
    assert main(run_args(out, "--seed", "1")) == 0
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    stage = output._stage

    def full(path: Path, write: object) -> Path:
        if path.name == failing:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return stage(path, write)  # type: ignore[arg-type]

    monkeypatch.setattr(output, "_stage", full)
    capsys.readouterr()
    assert main(run_args(out, "--seed", "2")) == 3
    err = capsys.readouterr().err
    assert f"cannot write {out / failing}: No space left on device" in err
    assert f"the earlier results in {out}/ are kept" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files  # nothing lost or left


def test_a_full_disk_in_the_parquet_writer_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(run_args(out, "--seed", "1")) == 0
    manifest = (out / "manifest.json").read_text()

    def full(self: pd.DataFrame, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    capsys.readouterr()
    assert main(run_args(out, "--seed", "2")) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"salesim: error: cannot write {out / 'timeseries.parquet'}: No space left on device; "
        f"the earlier results in {out}/ are kept"
    )
    assert (out / "manifest.json").read_text() == manifest
    assert pd.read_parquet(out / "timeseries.parquet").shape[0] == 12


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "compare", "study", "report"])
def test_an_empty_or_undecodable_out_is_refused_before_anything_is_written(
    tmp_path: Path, command: str
) -> None:
    target = SCENARIOS / "young_unsplit.yaml"
    undecodable = os.fsdecode(os.fsencode(str(tmp_path)) + b"/o\xfe")
    for out, expect in (("", "expected a path, got an empty one"), (undecodable, "not valid text")):
        result = subprocess.run(
            [sys.executable, "-m", "sim.cli", command, str(target), "--out", out],
            capture_output=True,
            cwd=tmp_path,
            timeout=120,
        )
        err = result.stderr.decode("utf-8", "replace")
        assert result.returncode == 2 and expect in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_workshop_started_on_a_link_offers_the_folder_of_the_file_it_leads_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.workshop import serve

    link = tmp_path / "mine.yaml"
    link.symlink_to(SCENARIOS / "reference.yaml")  # a scenario that extends nothing
    served: list[tuple[Path, str]] = []

    def fake(host: str, port: int, folder: Path, name: str, seed: int) -> int:
        served.append((folder, name))
        return 0

    monkeypatch.setattr(serve, "serve", fake)
    assert main(["workshop", "--scenario", str(link)]) == 0
    assert served == [(SCENARIOS.resolve(), "reference.yaml")]


def test_an_interrupted_patterns_run_exits_130_with_one_line_and_no_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C (or SIGTERM) mid-run: no traceback, no half table, and a line that does not
    speak of folders, since patterns writes none."""
    from sim import model

    calls = []

    def interrupted(self: object) -> None:
        calls.append(1)
        if len(calls) == 300:  # a day of the second replication (a year is 252 days)
            raise KeyboardInterrupt
        return original(self)

    original = model.SalesModel.step
    monkeypatch.setattr(model.SalesModel, "step", interrupted)
    args = ["patterns", str(SCENARIOS / "young_unsplit.yaml"), "--replications", "3"]
    assert main([*args, "--years", "1"]) == 130
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == "salesim: interrupted; nothing was written"
    assert "Traceback" not in err


def _patterns(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``salesim patterns`` in this process: exit code, output, error output."""
    try:
        code = main(["patterns", *args])
    except SystemExit as stop:  # argparse's refusal of a command-line value
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{tmp}"], "{tmp}: is a directory, expected a YAML file"),
        (["{tmp}/missing.yaml"], "{tmp}/missing.yaml: file not found"),
        (
            ["{tmp}/latin1.yaml"],
            "{tmp}/latin1.yaml:1:10: <document>: file is not valid UTF-8 (byte 0xe9)",
        ),
        (
            [str(ROOT / "studies" / "strategies.yaml")],
            "salesim: error: {root}/studies/strategies.yaml is a study file; patterns takes one "
            "scenario, e.g. scenarios/unsplit.yaml",
        ),
        (["{unsplit}", "--years", "0"], "argument --years: must be between 1 and 30, got 0"),
        (
            ["{unsplit}", "--replications", "1001"],
            "argument --replications: must be between 2 and 1000, got 1001",
        ),
        (
            ["{unsplit}", "--replications", "9" * 400],
            "argument --replications: must be between 2 and 1000, got '9999999999",
        ),
        (
            ["{unsplit}", "--set", "sellers.routine_capacity_clients=50"],
            "sellers.routine_capacity_clients: field 'routine_capacity_clients' was removed: a "
            "served client's time is derived by Talley's workload method; use "
            "sellers.routine_contacts_per_year",
        ),
        (
            ["{unsplit}", "--set", "money.gross_margin=.nan"],
            "money.gross_margin: Input should be a finite number (got nan)",
        ),
    ],
)
def test_patterns_refuses_bad_input_before_running_with_one_located_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    names = {"tmp": str(tmp_path), "root": str(ROOT), "unsplit": str(SCENARIOS / "unsplit.yaml")}
    code, out, err = _patterns([a.format(**names) for a in args], capsys)
    assert code == 2
    assert out == "" and "Traceback" not in err and "field patterns over" not in err
    assert expected.format(**names) in err


def test_a_reader_that_leaves_early_ends_the_output_quietly() -> None:
    # ``salesim params | head``: the reader is gone (closed at once, long before the command
    # has imported what it needs and writes) when the table is written.
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "params"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_compare_of_one_scenario_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["compare", str(SCENARIOS / "split.yaml"), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "compare needs two or more scenarios" in err
    assert "salesim run" in err
    assert not out.exists()


def test_a_wrong_flag_after_a_command_gets_that_commands_usage_and_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", str(SCENARIOS / "split.yaml"), "--yeras", "3"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("usage: salesim run ")
    assert "salesim run: error: unrecognized arguments: --yeras 3; did you mean --years?" in err
    with pytest.raises(SystemExit):
        main(["params", "--zzzzzz"])
    err = capsys.readouterr().err
    assert err.startswith("usage: salesim params ") and "did you mean" not in err


@pytest.mark.parametrize(
    ("argv", "misplaced"),
    [
        (["--bogus", "run", "x.yaml"], "--bogus"),
        (["--bogus=3", "validate", "x.yaml"], "--bogus=3"),
        (["--quiet", "run", "x.yaml"], "--quiet"),  # run's option, but written before run
        (["--seed", "5", "run", "x.yaml"], "--seed 5"),  # not "invalid choice: '5'"
        (["-x", "run"], "-x"),  # before run's own "required: SCENARIO.yaml"
        (["--bogus", "run", "x.yaml", "--bogus"], "--bogus"),  # only the one before
    ],
)
def test_an_unknown_flag_before_the_command_is_salesims_error_not_the_commands(
    argv: list[str], misplaced: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith("usage: salesim [")
    command = next(word for word in argv if word in ("run", "validate"))
    assert (
        f"salesim: error: unrecognized arguments: {misplaced} (written before the command "
        f"{command!r}"
    ) in err
    assert "did you mean" not in err and "Traceback" not in err


def test_an_unknown_flag_is_not_matched_to_an_option_by_their_shared_dashes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["run", "x.yaml", "--bogus"])
    err = capsys.readouterr().err
    assert err.rstrip().endswith("unrecognized arguments: --bogus")  # not "did you mean --out?"
