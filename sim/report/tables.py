"""The report's tables as tidy frames of text: headline, differing settings, provenance."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from sim.metrics import HEADLINE as METRICS
from sim.params import iter_parameters
from sim.study.result import cap_share, column_scale, format_cell, short

# The headline's columns (``sim.metrics.HEADLINE``): metric -> long label, kind.
HEADLINE = {m.name: (m.heading, m.kind) for m in METRICS}

# Which way is better for each headline metric: +1 the highest, -1 the lowest.
BETTER = {m.name: m.better for m in METRICS}


def headline(
    summary: pd.DataFrame,
    baseline: str,
    strategies: list[str],
    metrics: Mapping[str, tuple[str, str]] = HEADLINE,
) -> pd.DataFrame:
    """Tabulate the headline of one sweep point: one row per strategy and metric.

    Each row holds the mean with its 95 % interval, the paired difference to the baseline,
    whether it is the best value (as shown, so ties are all best; none with a single
    strategy), and whether the difference is significant (its interval excludes 0). Intervals
    of shares are cut to 0-100 %. Money is in one unit ($M, or $k when every amount is below a
    million), so that the columns can be compared.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``StudyResult.summary`` at one sweep point (``scenario, metric, mean, low, high, diff,
        diff_low, diff_high``).
    baseline : str
        The baseline strategy's label.
    strategies : list of str
        The strategies to show, in order.
    metrics : mapping of str to (str, str)
        Metric -> (label, kind); by default the headline metrics of ``sim.metrics.HEADLINE``.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, metric, label, unit, value, difference, best, significant,
        better``; values as text in the metric's unit.
    """
    rows = []
    money = [m for m, (_, kind) in metrics.items() if kind == "money"]
    money_scale = column_scale("money", summary.loc[summary["metric"].isin(money), "mean"])
    for metric, (label, kind) in metrics.items():
        data = summary[summary["metric"] == metric].set_index("scenario")
        if data.empty:
            continue
        scale = money_scale if kind == "money" else column_scale(kind, data["mean"])
        direction = BETTER.get(metric, 1)
        shown = (data["mean"] / scale[0]).round(scale[2]) * direction
        best = shown[shown.index.isin(strategies)].max()
        several = len(set(strategies) & set(data.index)) > 1
        for strategy in strategies:
            if strategy not in data.index:
                continue
            s = data.loc[strategy].copy()
            if kind == "share":
                _, low, high = _floats(s, "mean", "low", "high")
                s["low"], s["high"] = cap_share(low), cap_share(high)
            is_base = strategy == baseline
            significant = not is_base and (s["diff_low"] > 0 or s["diff_high"] < 0)
            rows.append(
                {
                    "scenario": strategy,
                    "metric": metric,
                    "label": label,
                    "unit": scale[1].strip(),
                    "value": format_cell(*_floats(s, "mean", "low", "high"), scale),
                    "difference": ""
                    if is_base
                    else format_cell(*_floats(s, "diff", "diff_low", "diff_high"), scale, True),
                    "best": bool(several and shown[strategy] == best),
                    "significant": bool(significant),
                    "better": bool(significant and s["diff"] * direction > 0),
                }
            )
    return pd.DataFrame(rows)


def decomposition(parts: pd.DataFrame, strategies: list[str]) -> pd.DataFrame:
    """Tabulate where each strategy's difference in operating profit comes from.

    Parameters
    ----------
    parts : pandas.DataFrame
        ``StudyResult.decomposition`` at one sweep point (``scenario, part, label, mean, low,
        high``; ``sim.study.result.paired_parts``).
    strategies : list of str
        The strategies to show, in order (the baseline has no row in ``parts``).

    Returns
    -------
    pandas.DataFrame
        ``part`` (its label), ``unit`` and one column per strategy that has parts: the mean
        paired difference with its 95 % interval, as text in one money unit ($M, or $k when
        every amount is below a million). Empty when ``parts`` is.
    """
    if parts.empty:
        return pd.DataFrame()
    shown = [s for s in strategies if s in set(parts["scenario"])]
    scale = column_scale("money", parts["mean"])
    rows = []
    for _, group in parts.groupby("part", sort=False):
        cells = group.set_index("scenario")
        row: dict[str, str] = {"part": str(group["label"].iloc[0]), "unit": scale[1].strip()}
        for strategy in shown:
            c = cells.loc[strategy]
            row[strategy] = format_cell(*_floats(c, "mean", "low", "high"), scale, signed=True)
        rows.append(row)
    return pd.DataFrame(rows, columns=["part", "unit", *shown])


def _floats(row: Any, *names: str) -> tuple[float, float, float]:
    """Return three values of a statistics row as floats (NaN stays NaN)."""
    first, second, third = (float(row[name]) for name in names)
    return first, second, third


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return a nested scenario dump as dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def differing_settings(
    scenarios: Mapping[str, Mapping[str, Any]], shown: Callable[[Any], Any] | None = None
) -> pd.DataFrame:
    """Tabulate the parameters whose values differ between the strategies' scenarios.

    Parameters
    ----------
    scenarios : mapping of str to mapping
        Strategy -> its resolved scenario as a nested dict.
    shown : callable, optional
        How a value is shown in the table; by default as text (the workbook keeps numbers).

    Returns
    -------
    pandas.DataFrame
        ``parameter, unit, meaning`` and one column per strategy (the values as ``shown``
        makes them), in the schema's order.
    """
    shown = shown or _shown
    flat = {name: flatten(data) for name, data in scenarios.items()}
    info = {p["parameter"]: p for p in iter_parameters()}
    keys = list(dict.fromkeys(k for values in flat.values() for k in values))
    rows = []
    for key in keys:
        values = [flat[name].get(key) for name in flat]
        if key in {"name", "description", "seed"} or all(v == values[0] for v in values):
            continue
        meta = info.get(key, {})
        rows.append(
            {
                "parameter": key,
                "unit": meta.get("unit", ""),
                "meaning": meta.get("meaning", ""),
                **{name: shown(flat[name].get(key)) for name in flat},
            }
        )
    order = {name: i for i, name in enumerate(info)}
    rows.sort(key=lambda r: order.get(r["parameter"], len(order)))
    return pd.DataFrame(rows, columns=["parameter", "unit", "meaning", *flat])


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    return "-" if value is None else str(value)


def provenance(manifest: Mapping[str, Any], runs: int, failures: int) -> list[tuple[str, str]]:
    """Return what produced the results, as (item, value) pairs."""
    status = manifest.get("status", {})
    packages = ", ".join(f"{k} {v}" for k, v in manifest.get("packages", {}).items())
    study = manifest.get("study_resolved", {})
    seed = study.get("seed", "?")
    horizons = sorted({v.get("horizon_years") for v in manifest.get("variants", [])} - {None})
    return [
        ("study", str(manifest.get("study", "?"))),
        ("study file", str(manifest.get("study_file") or "-")),
        ("scenarios", ", ".join(_entry(e) for e in study.get("scenarios", [])) or "?"),
        ("runs stored", f"{runs} of {status.get('planned', '?')} ({status.get('state', '?')})"),
        ("failed runs", str(failures)),
        ("replications", f"{manifest.get('replications', '?')} planned per strategy"),
        ("horizon", ", ".join(f"{h} year{'s' if h != 1 else ''}" for h in horizons) or "?"),
        ("baseline", str(manifest.get("baseline", "?"))),
        ("seeds", f"{manifest.get('seed_rule', '?')} (seed {seed})"),
        ("swept", ", ".join(manifest.get("sweep", [])) or "nothing"),
        ("results written", str(manifest.get("updated_utc", "?"))),
        ("salesim", str(manifest.get("salesim_version", "?"))),
        ("git revision", str(manifest.get("git_revision", "?"))),
        ("Python", str(manifest.get("python", "?"))),
        ("packages", packages or "?"),
    ]


def _entry(entry: Any) -> str:
    """Return a study's scenario entry: its path, with its label and settings if any."""
    if isinstance(entry, Mapping):
        settings = ", ".join(f"{k}={v}" for k, v in (entry.get("set") or {}).items())
        label = f" as {entry['label']}" if entry.get("label") else ""
        return f"{entry.get('path')}{label}" + (f" ({settings})" if settings else "")
    return str(entry)


def points_table(runs: pd.DataFrame, sweep: list[str]) -> pd.DataFrame:
    """Tabulate the sweep points: ``point`` and each swept variable's value (as text)."""
    points = runs.drop_duplicates("point").sort_values("point")[["point", *sweep]]
    for name in sweep:
        points[name] = points[name].map(short)
    return points.reset_index(drop=True)
