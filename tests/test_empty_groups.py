"""Columns over an empty group are NaN exactly when the documentation says, and it says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import run

from sim.docs import MODEL_MD
from sim.ledger import COLUMNS

YEARS = "calendar.horizon_years=2"
NO_SELLERS = ("organisation.generalists=0", "organisation.hunters=0", "organisation.specialists=1")
NO_CLIENTS = (*NO_SELLERS, "market.active_clients=0", "market.past_clients=0")
PER_SELLER = ("hunting_hours_per_seller", "new_clients_per_seller")
PER_CLIENT = ("retention_12m", "unattended_share", "mean_attention", "mean_satisfaction")
PER_CLIENT += ("mean_hidden",)


def _documented_row(column: str) -> str:
    rows = [r for r in MODEL_MD.read_text(encoding="utf-8").splitlines() if r.startswith("| ")]
    return next(r for r in rows if r.split(" | ")[0].lstrip("| ") == column)


def _worlds() -> dict[str, pd.DataFrame]:
    return {
        "usual": run("young_unsplit", YEARS),
        "no sellers": run("young_unsplit", YEARS, *NO_SELLERS),
        "no clients": run("young_unsplit", YEARS, *NO_CLIENTS),
    }


def test_per_seller_columns_are_nan_exactly_without_sellers() -> None:
    worlds = _worlds()
    for column in PER_SELLER:
        assert worlds["no sellers"][column].isna().all(), column
        assert worlds["usual"][column].notna().all(), column
        assert "no hunters or generalists" in COLUMNS[column]


def test_per_client_columns_are_nan_exactly_without_clients() -> None:
    worlds = _worlds()
    usual, empty = worlds["usual"], worlds["no clients"]
    assert (empty["active_clients"] + empty["dormant_clients"] == 0).all()
    for column in PER_CLIENT:
        assert empty[column].isna().all(), column
    for column in PER_CLIENT[1:]:
        assert usual[column].notna().all(), column  # clients all along: never NaN
    first_year = usual["month"] < 12
    assert usual.loc[first_year, "retention_12m"].isna().all()
    assert usual.loc[~first_year, "retention_12m"].notna().all()
    assert "before month 12" in COLUMNS["retention_12m"]
    assert "base is empty" in COLUMNS["unattended_share"]
    for column in PER_CLIENT[2:]:
        assert "no client is active" in COLUMNS[column]


@pytest.mark.parametrize("column", [c for c in COLUMNS if "NaN" in COLUMNS[c]])
def test_the_manual_says_when_a_column_is_nan(column: str) -> None:
    row = _documented_row(column)
    assert "NaN" in row
    assert COLUMNS[column].rsplit(" [", 1)[0] in row  # the same words as the code's


def test_every_column_that_can_be_nan_says_so() -> None:
    """Any column NaN in some month of these worlds is documented as possibly NaN."""
    nan = {
        column
        for frame in _worlds().values()
        for column in frame.columns
        if column in COLUMNS and frame[column].isna().any()
    }
    assert {*PER_SELLER, *PER_CLIENT} <= nan
    assert {c for c in nan if "NaN" not in COLUMNS[c]} == set()
    assert not np.isinf(_worlds()["no clients"].select_dtypes("number").to_numpy()).any()
