"""The progress line of studies, and where a study's runs execute by default."""

import io
import itertools
import re
from pathlib import Path

import pytest
import tqdm.std
from study_helpers import small_study

from sim.study import plan_study, run_plan
from sim.study.execute import CLUSTER_START_S, RUN_MONTH_S, workers_for
from sim.study.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_live_line_that_gets_shorter_leaves_no_stale_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(tqdm.std, "time", lambda: clock[0])
    stream = Terminal()
    bar = Progress(100, stream=stream)
    bar.ready()
    for run, seconds in enumerate([100.0, 0.6, 0.6, 0.6, 0.6]):
        clock[0] += seconds
        bar.advance(failed=run == 0)
    bar.close()
    frames = [f for f in stream.getvalue().split("\r") if f.strip()]
    times_left = [re.findall(r"left (\S+?),", f)[0] for f in frames[1:]]
    assert times_left[0] == "2:45:00" and len(times_left[-1]) == len("54:32")  # it got shorter
    for before, after in itertools.pairwise(frames):
        # each redraw covers the whole of the previous one (padded with spaces)
        assert len(after.rstrip("\n")) >= len(before.rstrip()), (before, after)
    assert frames[-1].rstrip().endswith("1 failed")


def test_a_log_gets_whole_lines_every_tenth_and_no_carriage_returns() -> None:
    stream = io.StringIO()
    bar = Progress(20, already=4, stream=stream)
    bar.starting("starting a local Dask cluster of 2 workers")
    bar.ready()
    for _ in range(16):
        bar.advance()
    bar.close()
    text = stream.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "starting a local Dask cluster of 2 workers ..."
    assert re.fullmatch(r"runs 20/20 100% \| elapsed \d\d:\d\d \| left \d\d:\d\d", lines[-1])
    assert 5 <= len(lines) <= 10  # every 10 % of the runs, not every run


def test_a_quiet_bar_prints_nothing() -> None:
    for stream in (io.StringIO(), Terminal()):
        bar = Progress(3, stream=stream, enabled=False)
        bar.starting("starting")
        bar.ready()
        for _ in range(3):
            bar.advance()
        bar.close()
        assert stream.getvalue() == ""


def test_a_cluster_is_chosen_only_when_it_pays_back_its_start_up() -> None:
    one_core_months = CLUSTER_START_S / RUN_MONTH_S  # in-process time of the start-up
    assert workers_for(10**9, 1) == 1  # one core: a cluster cannot be faster
    assert workers_for(60, 2) == 1  # one run of 5 years
    assert workers_for(12 * 60, 2) == 1  # a compare of 2 scenarios x 6 replications
    assert workers_for(int(2 * one_core_months) - 10, 2) == 1  # just below the break-even
    assert workers_for(int(2 * one_core_months) + 10, 2) == 2
    assert workers_for(240 * 60, 2) == 2  # the strategies study
    assert workers_for(int(1.5 * one_core_months), 4) == 4  # more cores pay back sooner


def test_a_small_plan_runs_in_this_process_and_says_so(tmp_path: Path) -> None:
    stream = io.StringIO()
    plan = plan_study(small_study(tmp_path, prospects=300, replications=2))
    result = run_plan(plan, tmp_path / "out", stream=stream)  # workers=None: the default
    assert result.complete
    head = stream.getvalue().splitlines()[0]
    assert "in this process (about" in head and "start-up" in head
    assert "starting a local Dask cluster" not in stream.getvalue()


@pytest.mark.parametrize(("workers", "where"), [(1, "in this process (--workers 1)")])
def test_workers_on_the_command_line_are_obeyed_and_named(
    tmp_path: Path, workers: int, where: str
) -> None:
    stream = io.StringIO()
    run_plan(
        plan_study(small_study(tmp_path, prospects=300, replications=2)),
        tmp_path / "out",
        workers=workers,
        stream=stream,
    )
    assert where in stream.getvalue().splitlines()[0]
