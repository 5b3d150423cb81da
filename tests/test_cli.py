"""The salesim command: validate, run, params; bad input is located and exits 2."""

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIOS, salesim

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


def test_interrupted_write_leaves_no_complete_looking_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "young_split.yaml"), "--out", str(out)]) == 0
    assert (out / "manifest.json").exists()

    def broken(self: pd.DataFrame, path: Path, **_: object) -> None:
        Path(path).write_bytes(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    assert main(["run", str(SCENARIOS / "young_split.yaml"), "--out", str(out)]) == 130
    assert not (out / "manifest.json").exists()
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    # the earlier complete timeseries was not replaced by the half file
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
