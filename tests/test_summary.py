"""The report opens with its conclusion; strategies have display names; books are named."""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS
from pydantic import ValidationError

from sim.config.problems import ConfigError
from sim.params import iter_parameters, parameter_table
from sim.report import Report, build_report
from sim.report import summary as conclusion
from sim.report.summary import CLEARLY, NO_INTERVAL, PROBABLY, SAME, certainty, summarise
from sim.sources import BOOKS, name_sources
from sim.study import plan_study, run_plan
from sim.study.spec import ScenarioEntry
from sim.study.stats import Interval
from sim.workshop.levers import make_lever

FAST = {"market.prospects": 2000}
HOSTILE = "<script>alert(1)</script>"
RUSSIAN = "Без разделения"
ASSUMED = "assumptions: see elsewhere."


# ---- the wording rule, on both sides of each threshold -------------------------------------------
@pytest.mark.parametrize(
    ("mean", "low", "high", "n", "word"),
    [
        (1.0, 0.5, 1.5, 10, CLEARLY),  # |d| = 2 half-widths: clearly
        (1.0, 0.49, 1.51, 10, PROBABLY),  # a little wider: probably
        (-1.0, -1.5, -0.5, 10, CLEARLY),  # the same below zero
        (-1.0, -1.51, -0.49, 10, PROBABLY),
        (1.0, 1e-9, 1.999, 10, PROBABLY),  # excludes 0, just
        (1.0, 0.0, 2.0, 10, SAME),  # touches 0: includes it
        (-1.0, -2.0, 0.0, 10, SAME),
        (0.1, -1.0, 1.2, 10, SAME),
        (1.0, math.nan, math.nan, 1, NO_INTERVAL),  # one replication
        (1.0, 0.9, 1.1, 1, NO_INTERVAL),
    ],
)
def test_the_wording_follows_the_interval(
    mean: float, low: float, high: float, n: int, word: str
) -> None:
    assert certainty(Interval(mean, low, high, n)) == word


# ---- the summary's sentences from synthetic runs ----------------------------------------------
def runs_of(**strategies: tuple[float, float, float]) -> pd.DataFrame:
    """Runs of each strategy: (profit, retention, staff cost) plus paired noise, 10 each."""
    noise = np.random.default_rng(7).normal(0, 1, 10)
    rows = []
    for name, (profit, retention, staff) in strategies.items():
        for r, e in enumerate(noise):
            rows.append(
                {
                    "scenario": name,
                    "replication": r,
                    "profit": profit + 1e4 * e,  # common to every strategy: paired
                    "retention_12m": retention + 0.001 * e,
                    "staff_cost": staff + 1e3 * e,
                }
            )
    return pd.DataFrame(rows)


def sentence(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, lines
    return found[0]


def test_the_summary_names_the_best_on_each_aspect_and_how_sure() -> None:
    runs = runs_of(a=(2.0e6, 0.80, 5.0e5), b=(2.5e6, 0.80, 4.0e5), c=(2.2e6, 0.80, 6.0e5))
    lines = summarise(runs, "a", ["a", "b", "c"], "5 years", ASSUMED)
    profit = sentence(lines, "Operating profit:")
    assert profit.startswith("Operating profit: b does best") and "clearly ahead of c" in profit
    assert "+0.30 [" in profit  # b - c, paired: exactly 0.3 $M, the noise cancels
    staff = sentence(lines, "Staff cost:")
    assert staff.startswith("Staff cost: b does best") and "clearly below a" in staff  # lowest
    retention = sentence(lines, "12-month retention:")
    assert "not distinguishable" in retention
    unclear = sentence(lines, "Not significant against a")
    assert "12-month retention of b and c" in unclear
    assert "profit" not in unclear and "staff cost" not in unclear
    assert lines[-1] == ASSUMED


def test_the_most_profitable_strategy_says_what_it_costs_in_retention() -> None:
    runs = runs_of(a=(2.0e6, 0.85, 5.0e5), b=(2.5e6, 0.813, 6.0e5))
    lines = summarise(runs, "a", ["a", "b"], "5 years", ASSUMED)
    trade = sentence(lines, "Trade-off:")
    assert trade.startswith("Trade-off: b earns most but keeps 3.7 points fewer clients than a")
    assert "clearly: retention difference -3.7 [" in trade
    alike = runs_of(a=(2.0e6, 0.80, 5.0e5), b=(2.5e6, 0.80, 6.0e5))
    jitter = np.random.default_rng(5).normal(0, 0.002, 10)
    jitter -= jitter.mean() + 1e-5  # a keeps more on average, by far less than the noise
    alike.loc[alike["scenario"] == "b", "retention_12m"] += jitter
    trade = sentence(summarise(alike, "a", ["a", "b"], "5 years", ASSUMED), "Trade-off:")
    assert "b earns most and a keeps the most clients" in trade
    assert "is not distinguishable: no clear price in clients" in trade
    best_on_both = runs_of(a=(2.0e6, 0.80, 5.0e5), b=(2.5e6, 0.85, 6.0e5))
    lines = summarise(best_on_both, "a", ["a", "b"], "5 years", ASSUMED)
    assert not [line for line in lines if line.startswith("Trade-off")]


def test_the_wording_rule_is_in_plain_language() -> None:
    rule = conclusion.RULE
    for word in ("'Clearly': the whole 95 % range is well away from no difference",
                 "'Probably'", "'Not distinguishable': the range includes no difference",
                 "no difference can be told from chance"):  # fmt: skip
        assert word in rule
    for jargon in ("half-width", "interval excludes 0", "paired difference whose"):
        assert jargon not in rule


def test_a_difference_of_the_size_of_the_noise_is_probable_not_clear() -> None:
    runs = runs_of(a=(2.0e6, 0.8, 5e5), b=(2.0e6, 0.8, 5e5))
    independent = np.random.default_rng(3).normal(0, 1, 10)
    picked = runs["scenario"] == "b"
    runs.loc[picked, "profit"] += 1e4 * independent + 1.2e4  # lead ~ 1.6 half-widths
    lines = summarise(runs, "a", ["a", "b"], "5 years", ASSUMED)
    words = sentence(lines, "Operating profit:")
    diff = runs.loc[picked, "profit"].to_numpy() - runs.loc[~picked, "profit"].to_numpy()
    half = 2.262 * diff.std(ddof=1) / math.sqrt(10)  # t(0.975, 9)
    expected = CLEARLY if abs(diff.mean()) >= 2 * half else PROBABLY
    if diff.mean() - half <= 0:
        expected = "not distinguishable"
    assert expected in words


def test_one_strategy_is_described_without_a_comparison() -> None:
    lines = summarise(runs_of(only=(1e6, 0.7, 4e5)), "only", ["only"], "2 years", ASSUMED)
    assert lines[0].startswith("One strategy only (only): nothing to compare")
    assert not any("does best" in line or "Not significant" in line for line in lines)


def test_one_replication_claims_nothing() -> None:
    runs = runs_of(a=(1e6, 0.7, 4e5), b=(3e6, 0.9, 2e5))
    runs = runs[runs["replication"] == 0]
    lines = summarise(runs, "a", ["a", "b"], "2 years", ASSUMED)
    assert lines[0].startswith("Only 1 replication")
    assert not any("does best" in line or "clearly" in line for line in lines)
    assert "cannot be told from chance" in sentence(lines, "Operating profit:")


def test_few_replications_say_the_intervals_are_wide() -> None:
    runs = runs_of(a=(1e6, 0.7, 4e5), b=(3e6, 0.9, 2e5))
    lines = summarise(runs[runs["replication"] < 3], "a", ["a", "b"], "2 years", ASSUMED)
    assert lines[0] == (
        "Only 3 replications per strategy: the intervals are wide; run 10 or more to compare."
    )
    many = summarise(runs, "a", ["a", "b"], "2 years", ASSUMED)
    assert not any(line.startswith("Only") for line in many)


def test_a_morris_study_names_its_deciding_parameters() -> None:
    rows = [
        ("split", "profit", "difference", f"x.{p}", "mu_star", v, 0.0)
        for p, v in (("big_one", 10.0), ("second", 6.0), ("tiny", 0.1))
    ]
    table = pd.DataFrame(
        rows, columns=["scenario", "metric", "quantity", "parameter", "index", "value", "conf"]
    )
    said = conclusion.assumptions_sentence("morris", table, "unsplit", [])
    assert "big one, second" in said and "tiny" not in said and "split − unsplit" in said
    other = conclusion.assumptions_sentence(None, pd.DataFrame(), "unsplit", ["studies/s.yaml"])
    assert "studies/s.yaml" in other and "docs/VALIDATION.md" in other


# ---- labels --------------------------------------------------------------------------------------
@pytest.mark.parametrize("label", [RUSSIAN, HOSTILE, "Split + letters (5 y)", "分割 & co"])
def test_a_label_may_be_any_text_on_one_line(label: str) -> None:
    assert ScenarioEntry(path="x.yaml", label=label).label == label


@pytest.mark.parametrize("label", ["", "   ", "two\nlines", "tab\there", "x" * 65])
def test_a_label_with_a_line_break_or_too_long_is_refused(label: str) -> None:
    with pytest.raises(ValidationError, match="label"):
        ScenarioEntry(path="x.yaml", label=label)


def test_a_label_with_a_line_break_is_refused_at_its_line(tmp_path: Path) -> None:
    entry = {"path": str(SCENARIOS / "split.yaml"), "label": "two\nlines"}
    path = tmp_path / "study.yaml"
    path.write_text(json.dumps({"name": "s", "scenarios": [entry]}), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        plan_study(path)
    text = str(caught.value)
    assert "'\\n' (U+000A) is not allowed" in text and "label" in text, text
    assert text.startswith(f"{path}:1:"), text


# ---- the built report ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """Two shipped scenarios under display labels, 3 paired replications of 2 years."""
    folder = tmp_path_factory.mktemp("summary")
    study = {
        "name": "labelled",
        "description": "Split against unsplit (seed 002: a client department pays).",
        "baseline": RUSSIAN,
        "replications": 3,
        "horizon_years": 2,
        "scenarios": [
            {"path": str(SCENARIOS / "unsplit.yaml"), "label": RUSSIAN, "set": FAST},
            {"path": str(SCENARIOS / "split.yaml"), "label": HOSTILE, "set": FAST},
        ],
    }
    path = folder / "labelled.yaml"
    path.write_text(json.dumps(study), encoding="utf-8")
    run_plan(plan_study(path), folder / "out", workers=1, progress=False)
    return build_report(folder / "out", stream=io.StringIO())


def summary_section(html: str) -> str:
    found = re.search(r'<section class="summary".*?</section>', html, re.S)
    assert found
    return found.group(0)


def test_the_page_opens_with_the_summary_naming_the_best_strategy(built: Report) -> None:
    html = built.html.read_text(encoding="utf-8")
    assert html.index('id="summary"') < html.index('id="headline"')
    section = summary_section(html)
    runs = pd.read_csv(built.html.parent / "runs.csv")
    means = runs.groupby("scenario")["profit"].mean()
    best = {"Без_разделения": RUSSIAN, "x_script_alert_1___script": HOSTILE}[means.idxmax()]
    shown = best.replace("<", "&lt;").replace(">", "&gt;")
    assert f"Operating profit: {shown} " in section
    staff = runs.groupby("scenario")["staff_cost"].mean().idxmin()
    assert staff == "Без_разделения"  # the unsplit company has no specialists to pay
    assert f"Staff cost: {RUSSIAN} does best" in section
    assert 'href="' in section and "docs/MODEL.md" in section and "docs/VALIDATION.md" in section


def test_labels_are_shown_as_written_and_identifiers_stay_in_the_provenance(built: Report) -> None:
    html = built.html.read_text(encoding="utf-8")
    assert HOSTILE not in html  # text, never markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    table = re.search(r'<table id="headline-table">.*?</table>', html, re.S)
    assert table and RUSSIAN in table.group(0) and "Без_разделения" not in table.group(0)
    provenance = re.search(r'<table id="provenance-table">.*?</table>', html, re.S)
    assert provenance and "identifier x_script_alert_1___script" in provenance.group(0)
    text = subprocess.run(
        ["pdftotext", "-l", "2", str(built.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "summary" in text.splitlines()[0] and "Operating profit:" in text
    assert HOSTILE in text and RUSSIAN in text


def test_the_books_are_named_by_title_not_as_seeds(built: Report) -> None:
    html = built.html.read_text(encoding="utf-8")
    shown = re.sub(r"<details>.*?</details>", "", html, flags=re.S)  # the file as written stays
    assert not re.search(r"\bseeds? 00\d", shown)
    assert "The client department" in html  # the description's seed 002
    assert name_sources("seed 001") == BOOKS["001"] and "Kozhemyako" in BOOKS["001"]
    assert name_sources("seeds 000, 002") == f"{BOOKS['000']}; {BOOKS['002']}"
    assert name_sources("seeds 000-002").count(";") == 2
    assert name_sources("seed 042 and the random seed 1") == "seed 042 and the random seed 1"
    assert not re.search(r"\bseeds? 00\d", parameter_table())
    assert re.search(r"\bseeds? 00\d", parameter_table(books=False))  # docs/MODEL.md's words
    assert all("seed 00" not in p["meaning"] for p in iter_parameters())


def test_the_workshop_help_names_the_books() -> None:
    seeded = [
        p["parameter"]
        for p in iter_parameters(books=False)
        if re.search(r"\bseeds? 00\d", p["meaning"])
    ]
    if not seeded:
        pytest.skip("no parameter's meaning cites a seed")
    helped = make_lever(seeded[0], "x", "g", None, None).help
    assert "seed 00" not in helped and name_sources(helped) == helped


def test_the_summary_wording_rule_is_documented() -> None:
    text = (ROOT / "docs" / "STUDIES.md").read_text(encoding="utf-8")
    assert "not distinguishable" in text and "clearly" in text and "probably" in text
