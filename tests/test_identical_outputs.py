"""The gate of the restructuring into one room per mechanism: outputs stay bit-identical.

The checksums below were recorded on commit 80ee7c7, before the restructuring began. Every
shipped scenario is run at three seeds (1 year, so the gate stays quick) and at its own horizon
for seed 1, and one small study is run; the content of each ``timeseries.parquet`` and the
study's ``summary.csv`` must hash to the recorded values. This test belongs to the
restructuring's commits only: the issues after it change the model on purpose, and delete it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, salesim

SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
SEEDS = (1, 2, 3)


def frame_digest(frame: pd.DataFrame) -> str:
    """Hash a frame's column names, dtypes and values (bit for bit), not its file's metadata."""
    h = hashlib.sha256()
    for name in frame.columns:
        column = frame[name]
        h.update(f"{name}|{column.dtype}|".encode())
        if column.dtype == object:
            h.update(repr(column.tolist()).encode())
        else:
            h.update(column.to_numpy().tobytes())
    h.update(repr(list(frame.index)).encode())
    return h.hexdigest()[:16]


def run_digest(tmp: Path, scenario: Path, seed: int, *extra: str) -> str:
    out = tmp / f"{scenario.stem}-{seed}-{len(extra)}"
    done = salesim("run", str(scenario), "--seed", str(seed), "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return frame_digest(pd.read_parquet(out / "timeseries.parquet"))


STUDY = """\
name: gate
baseline: unsplit
replications: 3
seed: 7
horizon_years: 1
scenarios:
  - {root}/scenarios/unsplit.yaml
  - {root}/scenarios/split_letters_vip.yaml
  - {root}/scenarios/split_accounts.yaml
"""

EXPECTED: dict[str, str] = {  # printed by running this module as a script on commit 80ee7c7
    "reference/1/1y": "f331fc71d1f01ea6",
    "reference/2/1y": "22ae4ad1355aa654",
    "reference/3/1y": "6812ca43800d7d1f",
    "reference/1/full": "9f182d9e8a403f99",
    "split/1/1y": "6c3011d25e9006c0",
    "split/2/1y": "16b087672091ffa6",
    "split/3/1y": "c1bbd7a9d770905c",
    "split/1/full": "07e95ae51e09221f",
    "split_accounts/1/1y": "10b418becc20d26e",
    "split_accounts/2/1y": "19653ca550b7069a",
    "split_accounts/3/1y": "240d0033d4d9cfd0",
    "split_accounts/1/full": "42d8cdafc80f788b",
    "split_letters/1/1y": "90df48c44e5d377b",
    "split_letters/2/1y": "e9ae586264245ceb",
    "split_letters/3/1y": "691a6a21e8edd801",
    "split_letters/1/full": "67aea33a897d02e9",
    "split_letters_vip/1/1y": "fab7f4f9e0ab4e12",
    "split_letters_vip/2/1y": "5849c0430356a835",
    "split_letters_vip/3/1y": "a9370288e5f5d7ad",
    "split_letters_vip/1/full": "3d97fc4d28806d11",
    "split_phone/1/1y": "7c148e4109332489",
    "split_phone/2/1y": "44c9a8d0b177b20a",
    "split_phone/3/1y": "909c75a76809fe72",
    "split_phone/1/full": "3077a2799eea30a6",
    "split_vip/1/1y": "706b7281fe9ac084",
    "split_vip/2/1y": "024413506a4d7b01",
    "split_vip/3/1y": "82801946cad6ad05",
    "split_vip/1/full": "a2361668ad91a304",
    "unsplit/1/1y": "f331fc71d1f01ea6",
    "unsplit/2/1y": "22ae4ad1355aa654",
    "unsplit/3/1y": "6812ca43800d7d1f",
    "unsplit/1/full": "9f182d9e8a403f99",
    "unsplit_letters/1/1y": "a586a6ecf217ddff",
    "unsplit_letters/2/1y": "57a9c69a926073f5",
    "unsplit_letters/3/1y": "f692bb77cbcd7e44",
    "unsplit_letters/1/full": "1758b69a9fd2c533",
    "young_split/1/1y": "b2a5a70fc6a11e3e",
    "young_split/2/1y": "489279371ee6ed6a",
    "young_split/3/1y": "d60f4a4a3f7cc8b2",
    "young_split/1/full": "9d94c10c5e113308",
    "young_unsplit/1/1y": "9fb0ef53b808e8cc",
    "young_unsplit/2/1y": "486d48c3341a4a18",
    "young_unsplit/3/1y": "9407e01f31ca35ec",
    "young_unsplit/1/full": "1b305966f4179ef3",
    "study/summary.csv": "54568384729c6f43",
}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIO_FILES, ids=lambda p: p.stem)
def test_every_shipped_scenario_gives_the_recorded_monthly_table(
    scenario: Path, tmp_path: Path
) -> None:
    for seed in SEEDS:
        got = run_digest(tmp_path, scenario, seed, "--set", "calendar.horizon_years=1")
        assert got == EXPECTED[f"{scenario.stem}/{seed}/1y"], (scenario.stem, seed)
    got = run_digest(tmp_path, scenario, 1)
    assert got == EXPECTED[f"{scenario.stem}/1/full"], scenario.stem


@pytest.mark.slow
def test_a_small_study_gives_the_recorded_summary(tmp_path: Path) -> None:
    assert study_digest(tmp_path) == EXPECTED["study/summary.csv"]


def study_digest(tmp: Path) -> str:
    spec = tmp / "gate.yaml"
    spec.write_text(STUDY.format(root=ROOT), encoding="utf-8")
    done = salesim("study", str(spec), "--out", str(tmp / "gate"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    return hashlib.sha256((tmp / "gate" / "summary.csv").read_bytes()).hexdigest()[:16]


if __name__ == "__main__":  # record the checksums: python tests/test_identical_outputs.py
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for path in SCENARIO_FILES:
            for seed in SEEDS:
                digest = run_digest(tmp, path, seed, "--set", "calendar.horizon_years=1")
                print(f'    "{path.stem}/{seed}/1y": "{digest}",')
            print(f'    "{path.stem}/1/full": "{run_digest(tmp, path, 1)}",')
        print(f'    "study/summary.csv": "{study_digest(tmp)}",')
