"""Sensitivity studies (Morris, Sobol): known indices, the model, resuming, bad specifications."""

from __future__ import annotations

import functools
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, salesim, scenario
from SALib.analyze import morris
from SALib.test_functions import Ishigami

from sim.config.loader import ConfigError
from sim.config.schema import Scenario
from sim.model import SalesModel
from sim.study import plan_study, run_plan
from sim.study.execute import Outcome
from sim.study.sensitivity import COLUMNS, SAMPLE_FILE, TABLE_FILE

FAST = {"market.prospects": 2000}
# Three float fields that take [1, 1 + 2 pi]: the Ishigami inputs x = value - 1 - pi.
ISHIGAMI = (
    "clients.value_cap_multiple",
    "clients.lapse_dissatisfaction_weight",
    "clients.second_lifetime_lapse_multiple",
)
# Ishigami & Homma (1990) with a = 7, b = 0.1: the indices from the function's closed-form
# variances (S1 as SALib's test_functions.Ishigami quotes them from Saltelli et al. 2008).
S1 = (0.3139, 0.4424, 0.0)
ST = (0.5576, 0.4424, 0.2437)


def write(tmp_path: Path, data: dict[str, Any], name: str = "gsa.yaml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")  # JSON is YAML
    return path


@functools.cache
def template() -> pd.DataFrame:
    """The monthly table of one short real run: the fake runs change its profit."""
    unsplit = scenario("unsplit", "market.prospects=2000", "calendar.horizon_years=1")
    return SalesModel(unsplit, seed=1).run()


def ishigami_run(scenario: Scenario, seed: int, noise: float = 3.0) -> Outcome:
    """Stand in for the model: profit is the Ishigami function of three fields, plus noise.

    The noise is the seed's, the same for every scenario (common random numbers), and grows
    with x1; the scenario named ``b`` adds the function, so the paired difference b - a is the
    function exactly, while a level carries noise that moves with x1.
    """
    dump = scenario.model_dump()
    x = [float(_get(dump, f)) - 1 - math.pi for f in ISHIGAMI]
    y = float(Ishigami.evaluate(np.array([x]))[0]) if scenario.name == "b" else 0.0
    frame = template().copy()
    luck = np.random.default_rng(seed).normal(0, noise) * (1 + abs(x[0]))
    frame["profit"] = (y + luck) / len(frame)
    return Outcome(frame, None, 0.0)


def _get(dump: dict[str, Any], dotted: str) -> Any:
    node: Any = dump
    for part in dotted.split("."):
        node = node[part]
    return node


def scenario_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\n", encoding="utf-8")
    return path


def ishigami_study(
    tmp_path: Path, names: tuple[str, ...] = ("a", "b"), replications: int = 2, **sweep: Any
) -> Path:
    return write(
        tmp_path,
        {
            "name": "ishigami",
            "scenarios": [str(scenario_file(tmp_path, n)) for n in names],
            "replications": replications,
            "seed": 3,
            "sweep": {
                "variables": {f: {"range": [1, 1 + 2 * math.pi]} for f in ISHIGAMI},
                **sweep,
            },
        },
    )


def quiet(path: Path, out: Path, **kwargs: Any) -> Any:
    return run_plan(plan_study(path), out, progress=False, workers=1, **kwargs)


# ---- known indices through the study's own path ----------------------------------------------
@pytest.mark.slow
def test_sobol_recovers_the_ishigami_indices_within_their_intervals(tmp_path: Path) -> None:
    study = ishigami_study(
        tmp_path, names=("b",), replications=1, method="sobol", base_samples=256,
        analyse={"profit": "level"},
    )  # fmt: skip
    out = tmp_path / "out"
    quiet(study, out, run=functools.partial(ishigami_run, noise=0.0))
    table = pd.read_csv(out / TABLE_FILE)
    assert list(table.columns) == [*COLUMNS]
    assert set(table["index"]) == {"S1", "ST"} and set(table["quantity"]) == {"level"}
    for index, known in (("S1", S1), ("ST", ST)):
        rows = table[table["index"] == index].set_index("parameter").loc[list(ISHIGAMI)]
        for (name, row), truth in zip(rows.iterrows(), known, strict=True):
            assert abs(row["value"] - truth) <= row["conf"], (index, name, row["value"])
            assert row["conf"] < 0.25, (index, name)  # an interval that says something


def test_morris_of_a_paired_difference_is_salibs_morris_of_the_function(tmp_path: Path) -> None:
    """The noise of the seeds cancels in b - a; a field the function ignores gets μ* = 0."""
    study = ishigami_study(tmp_path, method="morris", trajectories=10, levels=4)
    data = json.loads(study.read_text())
    data["sweep"]["variables"]["clients.initial_satisfaction"] = {"range": [0.5, 0.9]}
    study.write_text(json.dumps(data))
    out = tmp_path / "out"
    result = quiet(study, out, run=ishigami_run)
    assert len(result.runs) == 10 * 5 * 2 * 2  # points x scenarios x replications
    assert set(result.runs.groupby(["point", "replication"])["seed"].nunique()) == {1}
    sample = json.loads((out / SAMPLE_FILE).read_text())
    x = np.array(sample["points"])
    problem = {"num_vars": 4, "names": sample["names"], "bounds": sample["bounds"]}
    truth = morris.analyze(
        problem, x, Ishigami.evaluate(x[:, :3] - 1 - math.pi), num_levels=4, seed=3,
        num_resamples=1000,
    )  # fmt: skip
    mine = result.sensitivity.pivot(index="parameter", columns="index", values="value")
    mine = mine.loc[sample["names"]]
    np.testing.assert_allclose(mine["mu_star"], truth["mu_star"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(mine["sigma"], truth["sigma"], rtol=1e-9, atol=1e-9)
    assert mine.loc["clients.initial_satisfaction", "mu_star"] == 0
    assert set(result.sensitivity["scenario"]) == {"b"}  # b - a; a - a is not analysed


def test_a_parameter_whose_mechanism_is_off_gets_no_effect_on_the_model(tmp_path: Path) -> None:
    """Escalations off: their threshold is never read, while incidents still move profit."""
    study = write(
        tmp_path,
        {
            "name": "off",
            "scenarios": [
                {
                    "path": str(SCENARIOS / "split.yaml"),
                    "set": {**FAST, "escalation.enabled": False},
                }
            ],
            "replications": 1,
            "horizon_years": 1,
            "sweep": {
                "method": "morris",
                "trajectories": 4,
                "variables": {
                    "escalation.satisfaction_threshold": {"share": 0.5},
                    "clients.incident_per_month": {"range": [0.0, 0.5]},
                },
            },
        },
    )
    result = quiet(study, tmp_path / "out")
    mu = result.sensitivity[result.sensitivity["index"] == "mu_star"].set_index("parameter")
    assert mu.loc["escalation.satisfaction_threshold", "value"] == pytest.approx(0, abs=1e-6)
    assert mu.loc["clients.incident_per_month", "value"] > 1000  # USD over the year


# ---- resuming -----------------------------------------------------------------------------
def test_resume_mid_sample_gives_the_same_table(tmp_path: Path) -> None:
    study = ishigami_study(tmp_path, method="morris", trajectories=6)
    clean = quiet(study, tmp_path / "clean", run=ishigami_run)
    calls: list[int] = []

    def interrupted(scenario: Scenario, seed: int) -> Outcome:
        calls.append(seed)
        if len(calls) == 40:
            raise KeyboardInterrupt
        return ishigami_run(scenario, seed)

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        quiet(study, out, run=interrupted)
    assert (out / SAMPLE_FILE).exists()
    calls.clear()
    resumed = quiet(study, out, run=lambda s, seed: calls.append(seed) or ishigami_run(s, seed))
    assert 0 < len(calls) < len(clean.runs)
    pd.testing.assert_frame_equal(resumed.sensitivity, clean.sensitivity)
    assert (out / TABLE_FILE).read_text() == (tmp_path / "clean" / TABLE_FILE).read_text()


def test_a_stored_sample_is_the_one_resumed(tmp_path: Path) -> None:
    """The points stored with the results are run again, even if a new draw would differ."""
    study = ishigami_study(tmp_path, method="morris", trajectories=4)
    out = tmp_path / "out"
    quiet(study, out, run=ishigami_run)
    record = json.loads((out / SAMPLE_FILE).read_text())
    record["points"][0][0] = 1.5  # as another SALib might have drawn it
    (out / SAMPLE_FILE).write_text(json.dumps(record))
    calls: list[int] = []
    result = quiet(study, out, run=lambda s, seed: calls.append(seed) or ishigami_run(s, seed))
    assert len(calls) == 2 * 2  # the changed point's two scenarios, two replications each
    assert result.runs.loc[result.runs["point"] == 0, ISHIGAMI[0]].eq(1.5).all()
    changed = ishigami_study(tmp_path, method="morris", trajectories=4, levels=6)
    quiet(changed, out, run=ishigami_run)  # another spec: a new sample replaces the stored one
    assert json.loads((out / SAMPLE_FILE).read_text())["levels"] == 6


# ---- bad specifications ----------------------------------------------------------------------
def base_study(tmp_path: Path, sweep: dict[str, Any], **changes: Any) -> Path:
    return write(
        tmp_path,
        {
            "name": "bad",
            "baseline": "unsplit",
            "replications": 2,
            "scenarios": [str(SCENARIOS / "unsplit.yaml"), str(SCENARIOS / "split.yaml")],
            "sweep": {"method": "morris", "trajectories": 4, **sweep},
            **changes,
        },
    )


@pytest.mark.parametrize(
    ("sweep", "changes", "field", "message"),
    [
        ({"variables": {"handoff.style": {"range": [0, 1]}}}, {}, "sweep.variables.handoff.style",
         "handoff.style is not a number"),
        ({"variables": {"clients.consultative_share": {"range": [0.3, 0.3]}}}, {},
         "sweep.variables.clients.consultative_share", "low < high"),
        ({"variables": {"vip.pitch_share": {"share": 0.5}}}, {},
         "sweep.variables.vip.pitch_share.share", "empty range"),
        ({"variables": {"organisation.hunters": {"share": 0.5}}}, {},
         "sweep.variables.organisation.hunters.share", "differs between the scenarios"),
        ({"trajectories": 2, "variables": {"clients.consultative_share": {"share": 0.5}}}, {},
         "sweep.trajectories", "too few trajectories"),
        ({"variables": {"clients.consultative_share": {}}}, {},
         "sweep.variables.clients.consultative_share", "documents no range"),
        ({"analyse": {"profits": "difference"}, "variables": {"clients.consultative_share": {}}},
         {}, "sweep.analyse.profits", "did you mean 'profit'"),
        ({"method": "sobol", "trajectories": None, "base_samples": 100,
          "variables": {"clients.consultative_share": {"share": 0.5}}}, {},
         "sweep.base_samples", "power of 2"),
        ({"trajectories": 10_000, "variables": {f"a{i}": {"scales": ["market.prospects"],
                                                          "share": 0.1} for i in range(60)}},
         {"replications": 1000}, "sweep", "is more than the 1,000,000 a study may hold"),
        ({"variables": {"clients.consultative_share": {"share": 0.5}}},
         {"common_random_numbers": False}, "", "same seeds (common random numbers)"),
    ],
)  # fmt: skip
def test_a_bad_sensitivity_spec_is_refused_where_it_is_wrong(
    tmp_path: Path, sweep: dict[str, Any], changes: dict[str, Any], field: str, message: str
) -> None:
    sweep = {k: v for k, v in sweep.items()}
    path = base_study(tmp_path, sweep, **changes)
    if sweep.get("trajectories", 0) is None:
        data = json.loads(path.read_text())
        del data["sweep"]["trajectories"]
        path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as err:
        plan_study(path)
    text = str(err.value)
    assert message in text, text
    assert f"{path}:" in text and field in text, text
    result = salesim("validate", str(path))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_the_run_limit_is_checked_before_the_sample_is_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the sample was drawn")

    monkeypatch.setattr("sim.study.sensitivity.draw", never)
    variables = {"clients.consultative_share": {"share": 0.5}}
    path = base_study(tmp_path, {"trajectories": 10_000, "variables": variables},
                      replications=100)  # fmt: skip
    with pytest.raises(ConfigError, match="20,000 sweep points x 2 scenarios x 100"):
        plan_study(path)


def test_the_shipped_studies_are_valid() -> None:
    for name in ("sensitivity.yaml", "sensitivity_sobol.yaml"):
        result = salesim("validate", str(SCENARIOS.parent / "studies" / name))
        assert result.returncode == 0, result.stderr


# ---- the report ------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_report_opens_with_the_sensitivity_section(tmp_path: Path) -> None:
    from sim.report import build_report

    study = ishigami_study(tmp_path, method="morris", trajectories=4)
    out = tmp_path / "out"
    quiet(study, out, run=ishigami_run)
    report = build_report(out, stream=io.StringIO())
    assert report.figures[0].name == "01-sensitivity.png"
    page = report.html.read_text(encoding="utf-8")
    caption = page[page.index('<h2 id="sensitivity"') :].split("</figcaption>")[0]
    assert "Deciding here: " in caption and "lapse dissatisfaction weight" in caption
    assert "of the sample points" in caption and "its sign depends" in caption
    assert "The sweep's points" not in page  # the sample is in sample.json, not a table
