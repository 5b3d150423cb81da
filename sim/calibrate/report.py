"""The calibration report: the fits against the data, and the simulator against the holdout.

Writes into the calibration folder ``report.html`` and one PNG a figure (the report's style,
:mod:`sim.report.style`): the frequency of repeat purchases in the calibration period against
BG/NBD (Fader, Hardie & Lee 2005, equation 8), the cumulative repeat transactions through the
holdout against BG/NBD's expectation (equation 9), the holdout's purchases by calibration
frequency against the conditional expectation (equation 10), the spend per repeat buyer
against Gamma-Gamma (Fader & Hardie 2013, equation 4), and the simulator check
(:mod:`sim.calibrate.check`).
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.calibrate import btyd
from sim.calibrate.check import MEASURES, Check
from sim.calibrate.mapping import purchase_params
from sim.output import write_atomic
from sim.report.html import STYLE
from sim.report.style import BASELINE_COLOUR, OKABE_ITO, new_figure, projector

REPORT = "report.html"
FIGURES = {
    "frequency": "frequency.png",
    "cumulative": "cumulative.png",
    "conditional": "conditional.png",
    "spend": "spend.png",
    "check": "check.png",
}
CURRENCY = "USD"
"""The unit of money on the axes: the export's amounts, which the scenario reads as USD (its
money fields are ``_usd``); an export in another currency is shown, and simulated, as is."""
UNITS = {
    "clients ordering": "clients a month",
    "orders": "orders a month",
    "revenue": "USD a month",
}
"""The unit of each measure of the check (:data:`sim.calibrate.check.MEASURES`)."""
TOP = 7  # frequencies shown one by one; the last bar is "7+"
FITTED, SEEN = OKABE_ITO[0], BASELINE_COLOUR


def _draws_text(check: Check) -> str:
    """Say what the check's band holds: the fit's uncertainty, or only the simulation's."""
    runs = len(check.runs)
    if check.drawn == runs:
        return (
            "Each replication runs on its own draw of the estimates from their sampling law "
            "(their standard errors and correlations), so the band holds the fit's "
            "uncertainty as well as the simulation's."
        )
    if check.drawn == 0:
        return (
            "Every replication runs on the estimates themselves (the fits have no standard "
            "errors: the data do not identify every parameter), so the band holds only the "
            "simulation's uncertainty, not the fit's."
        )
    return (
        f"{check.drawn} of the {runs} replications run on their own draw of the estimates; "
        "the others, whose draws fell outside what a scenario allows, on the estimates "
        "themselves."
    )


def model_label(fit: dict[str, Any]) -> str:
    """Return the purchase model's name for a legend."""
    return "BG/NBD with the new-client component" if "kappa" in fit else "BG/NBD"


def _bars(
    ax: Any, labels: list[str], seen: np.ndarray, fitted: np.ndarray, label: str = "BG/NBD"
) -> None:
    pos = np.arange(len(labels))
    ax.bar(pos - 0.2, seen, 0.4, color=SEEN, label="observed")
    ax.bar(pos + 0.2, fitted, 0.4, color=FITTED, label=label)
    ax.set_xticks(pos, labels)
    ax.legend(frameon=False)


def _labels() -> list[str]:
    return [str(i) for i in range(TOP)] + [f"{TOP}+"]


def model_text(result: dict[str, Any]) -> str:
    """Return one sentence naming the purchase model used and its estimates."""
    fit, unit = purchase_params(result), result["time_unit"]
    text = (
        f"BG/NBD r = {fit['r']:.4g}, α = {fit['alpha']:.4g}, a = {fit['a']:.4g}, "
        f"b = {fit['b']:.4g} (per {unit})"
    )
    if "kappa" not in fit:
        return text
    bic = result["purchase_model"]["bic"]
    return (
        f"{text}, with the new-client component κ = {fit['kappa']:.3g}, τ = {fit['tau']:.3g} "
        f"{unit}s (a new client buys {1 + fit['kappa']:.3g} times as often at first; BIC "
        f"{bic['bgnbd_new_client']:,.1f} against {bic['bgnbd']:,.1f} for the stationary BG/NBD)"
    )


def plot_frequency(fit: dict[str, Any], summary: pd.DataFrame) -> Figure:
    """Return the clients by repeat purchases in the calibration period: observed, BG/NBD.

    Parameters
    ----------
    fit : dict[str, Any]
        BG/NBD estimates r, alpha, a, b.
    summary : pandas.DataFrame
        :func:`sim.calibrate.btyd.summarise` (``x``, ``T``).

    Returns
    -------
    matplotlib.figure.Figure
        Bars of clients by repeat purchases 0 to ``TOP - 1`` and ``TOP`` or more, observed and
        expected (FHL 2005, equation 8).
    """
    figure = new_figure()
    ax = figure.axes[0]
    age = summary["T"].to_numpy()
    fitted = [btyd.bgnbd_count_probability(fit, x, age).sum() for x in range(TOP)]
    fitted.append(len(summary) - sum(fitted))
    seen = np.bincount(np.minimum(summary["x"].to_numpy(), TOP), minlength=TOP + 1)
    with projector():
        _bars(ax, _labels(), seen, np.array(fitted), model_label(fit))
        ax.set_xlabel("repeat purchases in the calibration period")
        ax.set_ylabel("clients")
        ax.set_title("Repeat purchases per client: observed and fitted")
    return figure


def cumulative(
    fit: dict[str, Any], summary: pd.DataFrame, days: pd.DataFrame, per: float
) -> pd.DataFrame:
    """Return, week by week, the observed and expected cumulative repeat purchases.

    Parameters
    ----------
    fit : dict[str, Any]
        BG/NBD estimates.
    summary : pandas.DataFrame
        :func:`sim.calibrate.btyd.summarise` (``first`` dates).
    days : pandas.DataFrame
        Purchase days (``client``, ``date``).
    per : float
        Days in the fit's time unit.

    Returns
    -------
    pandas.DataFrame
        Index the week's last day; columns ``observed`` and ``expected``.
    """
    first = summary["first"]
    log = days[days["client"].isin(summary.index)]
    repeat = log[log["date"] > log["client"].map(first)]
    start, end = first.min(), log["date"].max()
    weeks = pd.date_range(start + pd.Timedelta(days=6), end + pd.Timedelta(days=6), freq="7D")
    observed = np.searchsorted(np.sort(repeat["date"].to_numpy()), weeks.to_numpy(), "right")
    starts = first.value_counts()
    ages = (weeks.to_numpy()[None, :] - starts.index.to_numpy()[:, None]) / pd.Timedelta(days=1)
    ages = np.maximum(ages / per, 0.0)  # shape (start days, weeks); one call for all ages
    ages_seen, where = np.unique(ages, return_inverse=True)
    each = btyd.bgnbd_expected_count(fit, ages_seen)[where.ravel()].reshape(ages.shape)
    expected = (starts.to_numpy()[:, None] * np.where(ages > 0, each, 0.0)).sum(axis=0)
    return pd.DataFrame({"observed": observed, "expected": expected}, index=weeks)


def plot_cumulative(series: pd.DataFrame, until: pd.Timestamp, label: str = "BG/NBD") -> Figure:
    """Return the cumulative repeat purchases, observed and expected, with the period's end.

    Parameters
    ----------
    series : pandas.DataFrame
        :func:`cumulative`.
    until : pandas.Timestamp
        Last day of the calibration period (a vertical line).
    label : str
        The purchase model's name in the legend (:func:`model_label`).

    Returns
    -------
    matplotlib.figure.Figure
        Repeat purchases so far against the date.
    """
    figure = new_figure()
    ax = figure.axes[0]
    with projector():
        ax.plot(series.index, series["observed"], color=SEEN, label="observed")
        ax.plot(series.index, series["expected"], color=FITTED, ls="--", label=label)
        ax.axvline(until, color="#777777", lw=1)  # type: ignore[arg-type]
        ax.annotate(" end of calibration", (until, 0.05), xycoords=("data", "axes fraction"))
        ax.set_ylabel("repeat purchases so far")
        ax.set_title("Cumulative repeat purchases: observed and expected through the holdout")
        ax.legend(frameon=False)
    return figure


def plot_conditional(fit: dict[str, Any], summary: pd.DataFrame, horizon: float) -> Figure:
    """Return the mean holdout purchases by calibration frequency: observed and expected.

    Parameters
    ----------
    fit : dict[str, Any]
        BG/NBD estimates r, alpha, a, b.
    summary : pandas.DataFrame
        :func:`sim.calibrate.btyd.summarise` (``x``, ``t_x``, ``T``, ``x_star``).
    horizon : float
        Length of the holdout, in the fit's time unit (> 0).

    Returns
    -------
    matplotlib.figure.Figure
        Bars by calibration frequency (``TOP`` or more pooled), observed and expected (FHL
        2005, equation 10).
    """
    figure = new_figure()
    ax = figure.axes[0]
    x, t_x, age = (summary[c].to_numpy() for c in ("x", "t_x", "T"))
    expected = btyd.bgnbd_conditional_expectation(fit, horizon, x, t_x, age)
    group = np.minimum(x, TOP)
    frame = pd.DataFrame({"g": group, "seen": summary["x_star"].to_numpy(), "fit": expected})
    means = frame.groupby("g")[["seen", "fit"]].mean().reindex(range(TOP + 1))
    with projector():
        _bars(ax, _labels(), means["seen"].to_numpy(), means["fit"].to_numpy(), model_label(fit))
        ax.set_xlabel("repeat purchases in the calibration period")
        ax.set_ylabel("mean purchases in the holdout")
        ax.set_title("Holdout purchases by calibration frequency: observed and expected")
    return figure


def gamma_gamma_density(params: dict[str, float], m: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Return the density of the mean spend ``m``, averaged over clients' ``x`` (FH 2013 eq. 4).

    Parameters
    ----------
    params : dict[str, float]
        Gamma-Gamma estimates p, q, gamma.
    m : numpy.ndarray
        Mean spends, shape (k,), > 0.
    x : numpy.ndarray
        Repeat purchases of each repeat buyer, shape (n,), > 0.

    Returns
    -------
    numpy.ndarray
        Density, shape (k,).
    """
    xs, counts = np.unique(x, return_counts=True)
    log = btyd.gamma_gamma_log_likelihood(
        params["p"], params["q"], params["gamma"], xs[:, None], m[None, :]
    )  # shape (distinct x, k)
    return np.asarray((counts[:, None] * np.exp(log)).sum(axis=0) / counts.sum())


def plot_spend(gamma: dict[str, float] | None, summary: pd.DataFrame) -> Figure:
    """Return the repeat buyers' mean spend: histogram and the Gamma-Gamma density.

    Parameters
    ----------
    gamma : dict[str, float] or None
        Gamma-Gamma estimates p, q, gamma (None: the histogram alone).
    summary : pandas.DataFrame
        :func:`sim.calibrate.btyd.summarise` (``x``, ``m_x``).

    Returns
    -------
    matplotlib.figure.Figure
        The histogram up to the 99th percentile of the spend (money), as a density, and the
        fitted density (:func:`gamma_gamma_density`).
    """
    figure = new_figure()
    ax = figure.axes[0]
    buyers = summary[summary["x"] > 0]
    spend = buyers["m_x"].to_numpy()
    with projector():
        if spend.size:
            top = float(np.percentile(spend, 99))
            ax.hist(
                spend[spend <= top],
                bins=40,
                density=True,
                color=SEEN,
                alpha=0.35,
                label="observed (99 % shown)",
            )
            if gamma is not None:
                grid = np.linspace(max(top / 400, 1e-6), top, 300)
                dens = gamma_gamma_density(gamma, grid, buyers["x"].to_numpy())
                ax.plot(grid, dens, color=FITTED, lw=2.5, label="Gamma-Gamma")
            ax.legend(frameon=False)
        ax.set_xlabel(f"mean spend per repeat purchase of a repeat buyer [{CURRENCY}]")
        ax.set_ylabel(f"density [1/{CURRENCY}]")
        ax.set_title("Spend per purchase: observed and fitted")
    return figure


def plot_check(check: Check) -> Figure:
    """Return the simulator check: three panels, observed months against the replications.

    Parameters
    ----------
    check : Check
        The check's observed and simulated months.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per measure of :data:`sim.calibrate.check.MEASURES`: the replications'
        mean and 95 % band (:data:`sim.calibrate.check.BAND`) and the observed months.
    """
    figure = new_figure(1, 3)
    months = np.arange(1, len(check.observed) + 1)
    with projector():
        for ax, measure in zip(figure.axes, MEASURES, strict=True):
            band = check.band(measure)
            ax.fill_between(
                months,
                band["low"],
                band["high"],
                color=FITTED,
                alpha=0.25,
                label="simulated, 95 % band",
            )
            ax.plot(months, band["mean"], color=FITTED, lw=2, label="simulated, mean")
            ax.plot(months, check.observed[measure], color=SEEN, marker="o", label="observed")
            ax.set_title(measure)
            ax.set_xlabel("month of the holdout")
            ax.set_ylabel(UNITS[measure])
            ax.set_ylim(bottom=0)
        figure.axes[0].legend(frameon=False, loc="lower left")
        figure.suptitle(f"The simulator on the calibrated company ({len(check.runs)} runs)")
    return figure


def _save(path: Path, figure: Figure) -> None:
    figure.savefig(path, format="png")


def _figure_block(name: str, title: str, text: str) -> str:
    return (
        f"<h2>{html.escape(title)}</h2>\n<p>{html.escape(text)}</p>\n"
        f'<img src="{FIGURES[name]}" alt="{html.escape(title)}" style="max-width:100%">\n'
    )


def company_summary(
    result: dict[str, Any], check: Check | None, check_note: str = "", over: str = ""
) -> str:
    """Return the report's opening paragraph: the fitted company in plain words.

    Parameters
    ----------
    result : dict[str, Any]
        The content of ``calibration.json`` (``alive``, ``period``; ``staff_cost`` and
        ``warnings`` when a scenario was written).
    check : Check or None
        The simulator check (None: skipped, ``check_note`` says why).
    check_note, over : str
        Why the check was skipped; the months it covers (:func:`sim.calibrate.check.span_text`).

    Returns
    -------
    str
        Plain text: clients alive at ``until``, their orders a month, the mean order value and
        revenue a month (:data:`CURRENCY`; with the ``--per-usd`` rate that converted it), what
        the check found, and the warnings.
    """
    alive, until = result["alive"], result["period"]["until"]
    clients = float(alive["alive"])
    orders = clients * float(alive["orders_per_month"])
    spend = alive.get("spend_per_order")
    text = (
        f"On {until}, the end of the calibration period, about {clients:,.0f} clients are "
        f"still alive (weighted by BG/NBD's chance that each is); they place about "
        f"{orders:,.0f} orders a month"
    )
    if spend is None or spend != spend:
        text += " (spend per order not fitted). "
    else:
        text += (
            f" of {spend:,.2f} {CURRENCY} on average, about {orders * spend:,.0f} "
            f"{CURRENCY} of revenue a month"
        )
        rate = result.get("input", {}).get("per_usd")
        marked = result.get("input", {}).get("currencies") or ["the export's currency"]
        text += "" if rate is None else f" (amounts in {marked[0]} divided by {rate:.10g})"
        text += ". "
    if check is None:
        text += f"Simulator check: {check_note}."
    else:
        text += f"Simulator check over {over}: {check.verdict()}."
    for warning in result.get("warnings", []):
        text += f" Warning: {warning}."
    return text


def _check_block(check: Check | None, note: str, over: str = "") -> str:
    if check is None:
        return f"<h2>The simulator check</h2>\n<p class='note'>{html.escape(note)}</p>\n"
    totals = check.totals()
    rows = "".join(
        f"<tr><td>{m}</td><td>{t.observed:,.0f}</td><td>{t.bgnbd:,.0f}</td>"
        f"<td>{t.simulated:,.0f}</td>"
        f"<td>[{t.low:,.0f}, {t.high:,.0f}]</td><td>{t.months_within:.0%}</td>"
        f"<td>{'yes' if t.holds else 'no'}</td></tr>"
        for m, t in zip(totals.index, totals.itertuples(), strict=True)
    )
    return (
        _figure_block(
            "check",
            "The simulator check",
            f"The calibrated company, run with no reorganisation from the end of the "
            f"calibration period, against {over} of the holdout, month by month, of the same "
            "clients (the holdout's last part month is left out; clients won later are "
            "left out on both sides). "
            + _draws_text(check)
            + " BG/NBD's own forecast draws each client's rate and drop-out from its "
            "posterior, with the same estimates: where the simulator agrees with it and both "
            "miss the data, the fit, not the simulator, misses.",
        )
        + f"<p class='note'><b>{html.escape(check.verdict())}</b></p>\n<table border=1 "
        "cellpadding=4><tr><th>measure</th><th>observed</th><th>BG/NBD's own forecast</th>"
        "<th>simulated mean</th>"
        "<th>95 % band</th><th>months within</th><th>total within</th></tr>"
        f"{rows}</table>\n"
        f"<p class='note'>Over the same months, {html.escape(check.won_text())}: a company "
        "whose export shows fewer new clients than the simulator wins should set its "
        "prospects (market.prospects) and its headcounts (organisation.*) to its own before "
        "reading the simulated clients won.</p>\n"
    )


def holdout_span(result: dict[str, Any]) -> str:
    """Return e.g. ``1997-10-01 to 1998-06-30 (39 weeks)``, the holdout of calibration.json."""
    period = result["period"]
    first = (pd.Timestamp(period["until"]) + pd.Timedelta(days=1)).date()
    length = float(period["holdout_length"])
    return f"{first} to {period['end']} ({length:.3g} {result['time_unit']}s)"


def _summary_block(result: dict[str, Any], check: Check | None, note: str, over: str) -> str:
    warned = (
        " style='border-left:6px solid #D55E00;padding-left:8px'" if result.get("warnings") else ""
    )
    text = html.escape(company_summary(result, check, note, over))
    return f"<h2>In short</h2>\n<p{warned}>{text}</p>\n"


def write_report(
    out: Path,
    result: dict[str, Any],
    summary: pd.DataFrame,
    days: pd.DataFrame,
    check: Check | None,
    check_note: str = "",
    over: str = "",
) -> list[str]:
    """Render the figures and the page into ``out``; return the files written.

    Parameters
    ----------
    out : pathlib.Path
        The calibration folder.
    result : dict[str, Any]
        The content of ``calibration.json``.
    summary : pandas.DataFrame
        :func:`sim.calibrate.btyd.summarise` of the export.
    days : pandas.DataFrame
        Purchase days (``client``, ``date``, ``amount``).
    check : Check or None
        The simulator check (None: skipped, ``check_note`` says why).
    check_note : str
        Why the check was skipped.
    over : str
        The months the check covers (:func:`sim.calibrate.check.span_text`).

    Returns
    -------
    list[str]
        File names written.
    """
    fit, gamma = purchase_params(result), result["gamma_gamma"]
    per = btyd.DAYS_PER_UNIT[result["time_unit"]]
    until = pd.Timestamp(result["period"]["until"])
    horizon = float(result["period"]["holdout_length"])
    figures = {"frequency": plot_frequency(fit, summary), "spend": plot_spend(gamma, summary)}
    blocks = [
        _figure_block(
            "frequency",
            "Repeat purchases in the calibration period",
            "Clients by repeat purchase days up to the end of the calibration period, "
            "against BG/NBD's expected counts (FHL 2005, eq. 8).",
        ),
    ]
    figures["cumulative"] = plot_cumulative(
        cumulative(fit, summary, days, per), until, model_label(fit)
    )
    blocks.append(
        _figure_block(
            "cumulative",
            "Cumulative repeat purchases",
            "Week by week, the calibration clients' repeat purchase days against "
            "the purchase model's expectation (FHL 2005, eq. 9); right of the line, the "
            "holdout.",
        )
    )
    if horizon > 0:
        figures["conditional"] = plot_conditional(fit, summary, horizon)
        blocks.append(
            _figure_block(
                "conditional",
                "Holdout purchases by frequency",
                "Mean purchase days in the holdout of the clients with each "
                "calibration frequency, against the purchase model's conditional "
                "expectation (FHL 2005, eq. 10).",
            )
        )
    blocks.append(
        _figure_block(
            "spend",
            "Spend per purchase",
            "Repeat buyers' mean spend per repeat purchase day, against the Gamma-Gamma "
            "density of a mean of x purchases averaged over their x (FH 2013, eq. 4).",
        )
    )
    if check is not None:
        figures["check"] = plot_check(check)
    blocks.append(_check_block(check, check_note, over))
    for name, figure in figures.items():
        write_atomic(out / FIGURES[name], functools.partial(_save, figure=figure))
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Calibration</title>"
        f"<style>{STYLE}</style></head><body><h1>Calibration of "
        f"{html.escape(Path(result['input']['file']).name)}</h1>\n<p class='lead'>"
        f"{result['counts']['clients_in_calibration']:,} clients; calibration "
        f"{result['period']['start']} to {result['period']['until']}, holdout "
        f"{holdout_span(result)}. {html.escape(model_text(result))}.</p>\n"
        + _summary_block(result, check, check_note, over)
        + "".join(blocks)
        + "</body></html>\n"
    )
    write_atomic(out / REPORT, lambda p: p.write_text(page, encoding="utf-8"))
    return [REPORT, *(FIGURES[name] for name in figures)]
