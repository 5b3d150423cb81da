"""``salesim calibrate``: read an export, fit BG/NBD and Gamma-Gamma, write calibration.json.

The folder gets ``calibration.json`` (written last, atomically) and, when bad rows were
skipped, ``rejected.csv`` (line, column, value, problem). Returns (negative amounts) are
not purchases: they are counted and summed in the file, and left out of the purchase process
and of the spend per purchase. A zero amount is a purchase (a free order is still an order;
CDNOW has eight), with zero spend. Purchases of one client on one day are
summed into one transaction (Fader, Hardie & Lee 2005, Marketing Science 24(2), section 4).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.calibrate import btyd, mapping
from sim.calibrate.reading import AMOUNT, CLIENT, DATE, Export, ExportError, read_export
from sim.config.loader import ConfigError, load_model, load_yaml
from sim.config.safe_yaml import dump_yaml
from sim.config.schema import Scenario
from sim.config.values import with_values
from sim.names import safe_name
from sim.output import RUN, STUDY, folder_holds, folder_lock, folder_problem, write_atomic
from sim.spreadsheet import inert_frame

CALIBRATION = "calibration.json"
REJECTED = "rejected.csv"
SCENARIO, SPLIT = "scenario.yaml", "split.yaml"
SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"  # in a source checkout


def shipped_scenario(name: str, beside: Path | None = None) -> Path | None:
    """Return where a shipped scenario file is, or None if it is nowhere to be found.

    The scenario files are not installed with the package (``pip install .`` copies ``sim``
    only): look beside ``beside`` (the base scenario), then in ``./scenarios`` (the project
    folder the user works in), then in the source checkout this package runs from.

    Parameters
    ----------
    name
        A file name, e.g. ``reference.yaml`` or ``split.yaml``.
    beside
        A scenario file whose folder is searched first.

    Returns
    -------
    pathlib.Path or None
        The first existing file.
    """
    folders = [] if beside is None else [beside.parent]
    folders += [Path.cwd() / "scenarios", SCENARIOS]
    return next((f / name for f in folders if (f / name).is_file()), None)


"""The shipped scenarios: the default base (reference.yaml) and the split's organisation."""
_LISTED = 10  # bad rows quoted in an error


@dataclass
class Options:
    """What ``salesim calibrate`` was asked to do (see ``salesim calibrate --help``).

    Attributes
    ----------
    fmt : str
        ``auto``, ``csv``, ``xlsx`` or ``cdnow``.
    columns : dict[str, str | None]
        Header for client, date and amount (None: guessed).
    delimiter, decimal, date_format : str or None
        Forced CSV delimiter, decimal mark and date format.
    dayfirst : bool
        Read ambiguous slashed dates day-first.
    until : pandas.Timestamp or None
        Last day of the calibration period (None: the last day of the data, no holdout).
    unit : str
        Time unit of the BG/NBD fit: ``week`` (as in the papers), ``day`` or ``month``.
    skip_bad : bool
        Write bad rows to rejected.csv instead of stopping.
    check : bool
        Run the simulator check of the report (:mod:`sim.calibrate.check`).
    new_client : bool
        Also fit BG/NBD with the new-client component (:mod:`sim.calibrate.btyd`) and use it
        when it lowers the BIC; False fits and uses the stationary BG/NBD only.
    base : pathlib.Path or None
        The scenario the written scenario.yaml extends (None: no scenario is written).
    per_usd : float or None
        Units of the export's currency to one US dollar: every amount is divided by it (the
        simulator's money is USD). None: amounts are read as USD.
    progress : Callable[[], None] or None
        Called once the arguments, the base, the output folder and the export's readability
        are checked, before the long part (reading, fitting, the check) starts.
    """

    fmt: str = "auto"
    columns: dict[str, str | None] = field(default_factory=dict)
    delimiter: str | None = None
    decimal: str | None = None
    date_format: str | None = None
    dayfirst: bool = False
    until: pd.Timestamp | None = None
    unit: str = "week"
    skip_bad: bool = False
    check: bool = True
    new_client: bool = True
    base: Path | None = None
    per_usd: float | None = None
    progress: Callable[[], None] | None = None


def _bad_rows_error(path: Path, rejected: pd.DataFrame) -> ExportError:
    lines = [
        f"{path}:{row.line}: column {row.column!r}: {row.value!r}: {row.problem}"
        for row in rejected.head(_LISTED).itertuples()
    ]
    more = len(rejected) - _LISTED
    if more > 0:
        lines.append(f"... and {more} more bad fields")
    lines.append(
        f"{rejected['line'].nunique()} bad rows; fix them, or give --skip-bad to leave them "
        f"out and list them in {REJECTED}"
    )
    return ExportError("\n".join(lines))


def _day(ts: pd.Timestamp) -> str:
    return ts.date().isoformat()


def purchase_days(purchases: pd.DataFrame) -> pd.DataFrame:
    """Return one row per client and purchase day: ``client``, ``date``, ``amount`` (summed)."""
    return purchases.groupby([CLIENT, DATE], as_index=False, sort=False).agg(amount=(AMOUNT, "sum"))


@dataclass
class _Period:
    """The export's purchases split at ``until`` (``_period``)."""

    purchases: pd.DataFrame  # rows with an amount >= 0
    returns: pd.DataFrame  # rows with an amount < 0
    days: pd.DataFrame  # one row per client and purchase day (purchase_days)
    start: pd.Timestamp  # first transaction
    end: pd.Timestamp  # last transaction, or until if later
    until: pd.Timestamp  # last day of the calibration period


def analyse(path: Path, export: Export, options: Options) -> dict[str, Any]:
    """Fit the models to a read export and return the content of ``calibration.json``.

    Parameters
    ----------
    path : pathlib.Path
        The export (named in the result).
    export : Export
        Its rows, from :func:`sim.calibrate.reading.read_export`.
    options : Options
        The command's options (``until``, ``unit``).

    Returns
    -------
    dict[str, Any]
        JSON-ready: ``bgnbd``, ``gamma_gamma``, ``log_likelihood``, ``converged``, ``period``,
        ``counts``, ``holdout``, ``spend``, ``population`` and ``alive``
        (:mod:`sim.calibrate.mapping`), ``input``.

    Raises
    ------
    ExportError
        If no row is usable, ``until`` precedes the first purchase, or nothing can be fitted.
    """
    return _analyse(path, export, options)[0]


def _analyse(
    path: Path, export: Export, options: Options
) -> tuple[dict[str, Any], _Period, pd.DataFrame]:
    """Return :func:`analyse`'s result, the period and the clients' summary it was fitted on."""
    period = _period(path, export, options)
    summary = btyd.summarise(period.days, period.until, period.end, options.unit)
    x, t_x, age = (summary[c].to_numpy() for c in ("x", "t_x", "T"))
    if x.sum() == 0:
        raise ExportError(
            f"{path}: no client buys on a second day by {_day(period.until)} "
            f"({len(summary)} clients, each with one purchase day); BG/NBD learns the purchase "
            "rate and the drop-out from repeat purchases, so nothing can be fitted. Give a "
            "longer period (a later --until, or an export over more months)"
        )
    if float(age.max()) <= 0:
        raise ExportError(
            f"{path}: every client's first purchase is on {_day(period.until)}, the last day "
            "of the calibration period, so no time passes in which to buy again; give a "
            "longer period (a later --until, or an export over more days)"
        )
    try:
        bgnbd = btyd.fit_bgnbd(x, t_x, age)
        extended = None
        if options.new_client:
            ages = btyd.repeat_ages(period.days, period.until, options.unit)
            extended = btyd.fit_bgnbd_new_client(x, t_x, age, ages, bgnbd.params, covariance=False)
        repeaters = summary[summary["x"] > 0]
        gamma, gamma_note = _fit_spend(repeaters)
    except ValueError as err:  # a likelihood not finite anywhere: the data fix no parameter
        raise ExportError(f"{path}: the models cannot be fitted to this export ({err})") from None
    model = _purchase_model(bgnbd, extended, float(age.max()))
    chosen = None  # the new-client fit with its standard errors, only if the scenario uses it
    if extended is not None and model["used"] != "bgnbd":
        chosen = btyd.new_client_covariance(extended, x, t_x, age, ages)
    used = model["params"]
    uncertainty = _uncertainty(bgnbd, chosen, gamma)
    horizon = (period.end - period.until).days / btyd.DAYS_PER_UNIT[options.unit]

    def holdout_total(params: dict[str, float]) -> float:
        """Purchases the model expects of these clients over the holdout (FHL 2005, eq. 10)."""
        if horizon <= 0:
            return 0.0
        return float(btyd.bgnbd_conditional_expectation(params, horizon, x, t_x, age).sum())

    expected, expected_used = holdout_total(bgnbd.params), holdout_total(used)
    posterior = mapping.alive_means(
        used,
        None if gamma is None else gamma.params,
        {"x": x, "t_x": t_x, "T": age, "m_x": summary["m_x"].to_numpy()},
        options.unit,
    )
    result = {
        "salesim_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "time_unit": options.unit,
        "bgnbd": {k: significant(v) for k, v in bgnbd.params.items()},
        "gamma_gamma": None
        if gamma is None
        else {k: significant(v) for k, v in gamma.params.items()},
        "log_likelihood": {
            "bgnbd": round(bgnbd.log_likelihood, 4),
            "gamma_gamma": None if gamma is None else round(gamma.log_likelihood, 4),
        },
        "converged": {"bgnbd": bgnbd.converged, "gamma_gamma": gamma and gamma.converged},
        "purchase_model": model,
        "uncertainty": uncertainty,
        "period": {
            "start": _day(period.start),
            "until": _day(period.until),
            "end": _day(period.end),
            "calibration_length": round(float(summary["T"].max()), 4),
            "holdout_length": round(horizon, 4),
        },
        "counts": _counts(export, period, summary, repeaters),
        "holdout": {
            "observed_transactions": int(summary["x_star"].sum()),
            "expected_transactions_bgnbd": round(expected, 2),
            "expected_transactions": round(expected_used, 2),
        },
        "spend": {
            "note": gamma_note,
            "mean_repeat_spend": None
            if repeaters.empty
            else round(float(repeaters["m_x"].mean()), 4),
        },
        "population": _population(bgnbd, gamma, summary, options.unit),
        "alive": {
            "note": "clients alive at until, weighted by P(alive): posterior means the scenario "
            "is set from (docs/MODEL.md, section 8)",
            **{
                k: None if k == "spend_per_order" and v != v else significant(v)  # NaN: not fitted
                for k, v in posterior.items()
            },
        },
        "input": {
            "file": str(path),
            "sha256": export.sha256,
            "columns": export.columns,
            "read_as": export.notes,
            "currencies": export.currencies,
            "per_usd": options.per_usd,
        },
    }
    _refuse_unfitted(path, result)
    return result, period, summary


def significant(value: float, digits: int = 7) -> float:
    """Return ``value`` rounded to ``digits`` significant digits (a fit's e^-15 stays > 0)."""
    return float(f"{value:.{digits}g}")


def _numbers(block: Any, where: str = "") -> list[tuple[str, float]]:
    """Return every float of a JSON-ready block with its dotted path."""
    if isinstance(block, dict):
        return [n for k, v in block.items() for n in _numbers(v, f"{where}{k}.")]
    if isinstance(block, list):
        return [n for i, v in enumerate(block) for n in _numbers(v, f"{where}{i}.")]
    return [(where.rstrip("."), block)] if isinstance(block, float) else []


def _refuse_unfitted(path: Path, result: dict[str, Any]) -> None:
    """Refuse a fit that gives a value that is not a finite number (nothing is written)."""
    bad = [f"{k} = {v}" for k, v in _numbers(result) if not math.isfinite(v)]
    if bad:
        counts = result["counts"]
        raise ExportError(
            f"{path}: the fitted models give no finite value for {', '.join(bad)}; the "
            f"export ({counts['clients_in_calibration']} clients, "
            f"{counts['repeat_transactions']} repeat purchases to {result['period']['until']}) "
            "does not identify them. Give a longer period (a later --until, or an export "
            "over more months)"
        )


def _period(path: Path, export: Export, options: Options) -> _Period:
    """Split the export's rows into purchases and returns at ``--until``; refuse a bad period."""
    rows = export.rows
    if rows.empty:
        raise ExportError(f"{path}: no usable transaction rows")
    purchases = rows[rows[AMOUNT] >= 0]
    returns = rows[rows[AMOUNT] < 0]
    if purchases.empty:
        raise ExportError(f"{path}: no purchases (every amount is negative)")
    days = purchase_days(purchases)
    start, end = rows[DATE].min(), rows[DATE].max()
    until = end if options.until is None else options.until
    first = purchases[DATE].min()
    if until < first:
        raise ExportError(f"--until {_day(until)} is before the first purchase ({_day(first)})")
    if until > end:
        raise ExportError(
            f"--until {_day(until)} is after the last transaction ({_day(end)}): the holdout "
            f"would hold no data; give a day from {_day(first)} to {_day(end)}"
        )
    if days.loc[days[DATE] <= until, CLIENT].nunique() < 2:
        raise ExportError(
            f"{path}: one client buys in the calibration period (to {_day(until)}); BG/NBD and "
            "Gamma-Gamma describe how clients differ and need several (is --client the "
            "right column?)"
        )
    return _Period(purchases, returns, days, start, max(end, until), until)


def _uncertainty(
    bgnbd: btyd.Fit, extended: btyd.Fit | None, gamma: btyd.Fit | None
) -> dict[str, Any]:
    """Return the block ``uncertainty``: standard errors and the laws the check draws from."""

    def law(fit: btyd.Fit | None) -> dict[str, Any] | None:
        if fit is None or fit.covariance is None:
            return None
        return {
            "names": list(fit.params),
            "log_covariance": [[significant(v) for v in row] for row in fit.covariance],
        }

    def errors(fit: btyd.Fit | None) -> dict[str, float] | None:
        found = None if fit is None else fit.standard_errors()
        return None if found is None else {k: significant(v, 4) for k, v in found.items()}

    return {
        "note": "asymptotic: the inverse observed information of the log-estimates; the "
        "simulator check draws each replication's estimates from it (docs/MODEL.md, section 8)",
        "standard_errors": {
            "bgnbd": errors(bgnbd),
            "bgnbd_new_client": errors(extended),
            "gamma_gamma": errors(gamma),
        },
        "purchase": law(extended if extended is not None else bgnbd),
        "gamma_gamma": law(gamma),
    }


def _purchase_model(bgnbd: btyd.Fit, extended: btyd.Fit | None, span: float) -> dict[str, Any]:
    """Return the block ``purchase_model``: the fits compared and the one the scenario uses.

    The new-client component is used when its fit converged, its decay time ``tau`` is shorter
    than the longest age in the calibration period ``span`` (else the decay is not seen in the
    data), and it lowers the BIC (two more parameters; Schwarz 1978): the stationary BG/NBD is
    nested in it (``kappa`` = 0).
    """
    n = bgnbd.n
    block: dict[str, Any] = {
        "bic": {"bgnbd": round(btyd.bic(bgnbd.log_likelihood, 4, n), 4)},
    }
    why = "was not asked for (--stationary)"
    if extended is not None:
        block["bgnbd_new_client"] = {k: significant(v) for k, v in extended.params.items()}
        block["log_likelihood_new_client"] = round(extended.log_likelihood, 4)
        block["converged_new_client"] = extended.converged
        block["bic"]["bgnbd_new_client"] = round(btyd.bic(extended.log_likelihood, 6, n), 4)
        why = (
            "did not converge"
            if not extended.converged
            else f"decays over tau = {extended.params['tau']:.4g}, longer than the calibration "
            f"period's longest age ({span:.4g}): the data do not show it"
            if extended.params["tau"] >= span
            else "does not lower the BIC"
            if block["bic"]["bgnbd_new_client"] >= block["bic"]["bgnbd"]
            else ""
        )
    if extended is not None and not why:
        block["used"] = "bgnbd_new_client"
        block["params"] = dict(block["bgnbd_new_client"])
        block["note"] = (
            "BG/NBD with the new-client component: it lowers the BIC (docs/MODEL.md, section 8)"
        )
    else:
        block["used"] = "bgnbd"
        block["params"] = {k: significant(v) for k, v in bgnbd.params.items()}
        block["note"] = f"stationary BG/NBD: the new-client component {why}"
    return block


def _fit_spend(repeaters: pd.DataFrame) -> tuple[btyd.Fit | None, str]:
    """Fit Gamma-Gamma to the repeat buyers' mean spend, if any spends; and say what was done."""
    if repeaters.empty:
        return None, "no repeat buyers: spend per purchase not fitted"
    if not (repeaters["m_x"] > 0).any():
        return None, "no repeat buyer spends more than 0: spend per purchase not fitted"
    gamma = btyd.fit_gamma_gamma(repeaters["x"].to_numpy(), repeaters["m_x"].to_numpy())
    return gamma, "fitted on the repeat buyers' mean spend per repeat purchase day"


def _counts(
    export: Export, period: _Period, summary: pd.DataFrame, repeaters: pd.DataFrame
) -> dict[str, Any]:
    """Return the block ``counts``: rows, clients, purchases, returns."""
    rows, days, returns = export.rows, period.days, period.returns
    return {
        "rows_read": export.lines,
        "rejected_rows": int(export.rejected["line"].nunique()),
        "transactions": len(rows),
        "clients": int(rows[CLIENT].nunique()),
        "clients_in_calibration": len(summary),
        "clients_first_in_holdout": int(days[CLIENT].nunique()) - len(summary),
        "purchase_days": len(days),
        "same_day_purchases_merged": len(period.purchases) - len(days),
        "repeat_transactions": int(summary["x"].sum()),
        "repeat_buyers": len(repeaters),
        "returns": len(returns),
        "returns_amount": round(float(returns[AMOUNT].sum()), 2),
        "zero_amount_rows": int((rows[AMOUNT] == 0).sum()),
    }


def _population(
    bgnbd: btyd.Fit, gamma: btyd.Fit | None, summary: pd.DataFrame, unit: str
) -> dict[str, Any]:
    """Return the block ``population``: the means of a new client, for reference."""
    x, t_x, age = (summary[c].to_numpy() for c in ("x", "t_x", "T"))
    alive = mapping.p_alive(bgnbd.params, x, t_x, age)
    spend = None if gamma is None else mapping.mean_spend(gamma.params)
    return {
        "note": "population means of a new client under the stationary BG/NBD (block bgnbd; "
        "docs/MODEL.md, section 8), for reference; the scenario is set from the block alive",
        "clients_alive_at_until": round(float(alive.sum()), 1),
        "orders_per_month_alive": round(mapping.orders_per_month(bgnbd.params, unit), 6),
        "drop_per_month": round(mapping.drop_per_month(bgnbd.params, unit), 6),
        "mean_spend_per_purchase": None if spend is None else round(spend, 4),
    }


def calibrate(path: Path, out: Path, options: Options) -> dict[str, Any]:
    """Read ``path``, fit, and write ``calibration.json`` (and ``rejected.csv``) into ``out``.

    Parameters
    ----------
    path : pathlib.Path
        The transaction export.
    out : pathlib.Path
        The folder to write (created if absent).
    options : Options
        The command's options.

    Returns
    -------
    dict[str, Any]
        The content written to ``calibration.json``.

    Raises
    ------
    ExportError
        For a bad export (the message locates the problem); nothing is written.
    OSError
        If the folder cannot be written; a file is either whole or absent.
    """
    base = None if options.base is None else _load_base(options.base)
    split_path = None if options.base is None else _split_organisation(options.base)
    _check_folder(out)
    _check_readable(path)
    if options.progress is not None:
        options.progress()
    export = read_export(
        path,
        options.fmt,
        options.columns,
        options.delimiter,
        options.decimal,
        options.dayfirst,
        options.date_format,
    )
    if not export.rejected.empty and not options.skip_bad:
        raise _bad_rows_error(path, export.rejected)
    if options.per_usd is not None:
        export.rows[AMOUNT] = export.rows[AMOUNT] / options.per_usd
        export.notes.append(f"amounts divided by {options.per_usd:.10g} (--per-usd) to USD")
    result, period, summary = _analyse(path, export, options)
    result["warnings"] = currency_warnings(export.currencies, options.per_usd)
    created = not out.exists()
    problem = folder_problem(out)
    if problem:
        raise ExportError(problem)
    before = {p.name for p in out.iterdir()}
    try:
        return _write(path, out, options, export, result, period, summary, base, split_path)
    except BaseException:
        _undo(out, before, created)
        raise


def currency_warnings(marked: list[str], per_usd: float | None) -> list[str]:
    """Return the warnings on the currencies the export's amounts are marked with.

    Parameters
    ----------
    marked : list[str]
        The currencies found (:func:`sim.calibrate.reading.currencies`).
    per_usd : float or None
        ``Options.per_usd``: None when the amounts are read as USD.

    Returns
    -------
    list[str]
        At most one: several currencies are marked (read as one); a currency other than USD
        is marked and not converted; or amounts marked USD are divided by ``per_usd``.
    """
    if len(marked) > 1:
        return [
            f"the amounts are marked with several currencies ({', '.join(marked)}) and read as "
            "one: convert them to one currency before calibrating"
        ]
    if marked and marked[0] != "USD" and per_usd is None:
        return [
            f"the amounts are marked {marked[0]} but read as USD, the currency of the "
            f"scenario's pay and costs: give --per-usd RATE, the {marked[0]} to one US dollar, "
            "to convert them"
        ]
    if marked == ["USD"] and per_usd is not None:
        return [
            f"the amounts are marked USD, yet --per-usd divided them by {per_usd:.10g}: leave "
            "--per-usd out for amounts in dollars"
        ]
    return []


def _check_readable(path: Path) -> None:
    """Refuse an export that is missing, a folder, or unreadable (before any progress line)."""
    try:
        with path.open("rb") as file:
            file.read(1)
    except OSError as err:
        raise ExportError(f"{path}: cannot read the file ({err.strerror or err})") from None


def _undo(out: Path, before: set[str], created: bool) -> None:
    """Remove what a failed calibration wrote into ``out`` (and ``out`` if it made it)."""
    for file in out.iterdir():
        if file.name not in before and file.is_file():
            file.unlink(missing_ok=True)
    if created:
        with contextlib.suppress(OSError):  # not empty: someone else's files
            out.rmdir()


def _write(
    path: Path,
    out: Path,
    options: Options,
    export: Export,
    result: dict[str, Any],
    period: _Period,
    summary: pd.DataFrame,
    base: Scenario | None,
    split_path: Path | None,
) -> dict[str, Any]:
    """Write the scenarios, the report and calibration.json (last) into ``out``."""
    fields = [] if base is None else mapping.scenario_fields(result, base)
    if base is not None:
        result["scenario"] = {
            "base": str(options.base),
            "files": [SCENARIO, SPLIT],
            "name": company_name(out),
            "fields": {path: value for path, value, _ in fields},
            "not_identified": list(mapping.NOT_IDENTIFIED),
        }
    text = json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    with folder_lock(out):
        (out / CALIBRATION).unlink(missing_ok=True)  # incomplete from here to the last rename
        if export.rejected.empty:
            (out / REJECTED).unlink(missing_ok=True)  # not an earlier run's list
        else:
            write_atomic(
                out / REJECTED, lambda p: inert_frame(export.rejected).to_csv(p, index=False)
            )
        if base is not None and options.base is not None and split_path is not None:
            _write_scenarios(out, fields, base, options.base, split_path, path)
            _staff_cost(result, load_model(Scenario, out / SCENARIO))
        result["report"] = _report(out, period, summary, result, options, base)
        text = json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        write_atomic(out / CALIBRATION, lambda p: p.write_text(text, encoding="utf-8"))
    return result


def _drawn_scenarios(
    result: dict[str, Any], summary: pd.DataFrame, base: Scenario, written: Scenario
) -> tuple[list[Scenario], list[dict[str, Any]]]:
    """Return the check's scenario and calibration of each replication.

    Each is mapped from a draw of the estimates (:func:`sim.calibrate.check.parameter_draws`);
    a draw that maps outside what a scenario allows is left out (the law truncated to the
    scenario's range) and the next taken, up to three times as many draws as replications;
    replications still missing run on the written scenario and the estimates themselves.
    """
    from sim.calibrate import check as checking

    count = checking.REPLICATIONS
    scenarios: list[Scenario] = []
    draws: list[dict[str, Any]] = []
    spread = result.get("uncertainty", {})
    if spread.get("purchase") or spread.get("gamma_gamma"):
        with np.errstate(all="ignore"):  # a far draw may overflow: it is then refused below
            drawn = checking.parameter_draws(result, summary, 3 * count)
        for draw in drawn:
            try:
                with np.errstate(all="ignore"):
                    fields = {path: v for path, v, _ in mapping.scenario_fields(draw, base)}
                scenarios.append(with_values(written, fields))
            except (ValueError, ArithmeticError):  # pydantic's ValidationError is a ValueError
                continue
            draws.append(draw)
            if len(draws) == count:
                break
    missing = count - len(draws)
    return scenarios + [written] * missing, draws + [result] * missing


def _staff_cost(result: dict[str, Any], scenario: Scenario) -> None:
    """Add the block ``staff_cost`` and, if it warns, its warning to ``result["warnings"]``."""
    found = mapping.staff_cost_check(result, scenario)
    result["staff_cost"] = found
    if found is not None and found["warning"] is not None:
        result["warnings"].append(found["warning"])


def _report(
    out: Path,
    period: _Period,
    summary: pd.DataFrame,
    result: dict[str, Any],
    options: Options,
    base: Scenario | None,
) -> dict[str, Any]:
    """Run the simulator check (if asked and possible) and write the calibration report.

    Each replication of the check runs the scenario mapped from its own draw of the
    estimates (:func:`sim.calibrate.check.parameter_draws`) on ``base``.
    """
    from sim.calibrate import check as checking
    from sim.calibrate.report import write_report

    days, until, end = period.days, period.until, period.end
    months = int(((end - until).days) // checking.DAYS_PER_MONTH)
    found: checking.Check | None = None
    note = ""
    if base is None:
        note = "skipped: no scenario was written"
    elif not options.check:
        note = "skipped (--no-check)"
    elif months < 1:
        note = "skipped: no whole month of holdout (give --until a month or more before the end)"
    else:
        written = load_model(Scenario, out / SCENARIO)
        scenarios, draws = _drawn_scenarios(result, summary, base, written)
        drawn = sum(draw is not result for draw in draws)
        found = checking.run_check(
            scenarios, days, summary.index, until, months,
            fits=draws, summary=summary, unit=options.unit, drawn=drawn,
        )  # fmt: skip
    over = checking.span_text(until, months) if found is not None else ""
    files = write_report(out, result, summary, days, found, note, over)
    block: dict[str, Any] = {
        "files": files,
        "check": note
        if found is None
        else f"over {over} (the calibration period's clients): {found.verdict()}",
    }
    if found is not None:
        first, last = checking.months_span(until, months)
        block["check_period"] = {"first": _day(first), "last": _day(last), "months": months}
        block["check_totals"] = found.totals().reset_index().to_dict("records")
        block["check_new_clients"] = found.won()
        block["check_new_clients_text"] = found.won_text()
        block["check_months"] = months
        block["check_replications"] = len(found.runs)
    return block


_OURS = ("# Calibrated by salesim calibrate", "# The calibrated company, split")
"""How the scenario files this command writes begin (mapping.scenario_text, _write_scenarios)."""


def _check_folder(out: Path) -> None:
    """Refuse an output folder whose files the command would replace but did not write.

    A run's or a study's folder (it has a ``manifest.json``), and a folder with a
    ``scenario.yaml`` or ``split.yaml`` of someone else (``--out scenarios`` would replace the
    shipped split), are refused before anything is read or written.
    """
    if not out.is_dir():
        return
    kind = folder_holds(out)
    if kind is not None:
        what = {RUN: "a salesim run", STUDY: "a salesim study"}.get(kind, "another program")
        raise ExportError(
            f"{out}: holds the results of {what} (manifest.json); the calibration would mix "
            "its files into them. Choose another folder with --out"
        )
    for name in (SCENARIO, SPLIT):
        try:
            first = (out / name).read_text(encoding="utf-8", errors="replace")[:200]
        except FileNotFoundError:
            continue
        except OSError as err:
            raise ExportError(f"{out / name}: cannot be checked ({err.strerror})") from None
        if not first.startswith(_OURS):
            raise ExportError(
                f"{out / name}: a scenario that salesim calibrate did not write; the "
                "calibration would replace it. Choose another folder with --out"
            )


def _split_organisation(base_path: Path) -> Path:
    """Return the split scenario whose organisation split.yaml takes (before anything is read)."""
    found = shipped_scenario(SPLIT, beside=base_path)
    if found is None:
        raise ExportError(
            f"--base {base_path}: no {SPLIT} beside it or in ./scenarios to take the split "
            "organisation from; run salesim calibrate in the salesim project folder, or put a "
            f"{SPLIT} beside the base scenario"
        )
    return found


def _load_base(path: Path) -> Scenario:
    try:
        return load_model(Scenario, path)
    except ConfigError as err:
        raise ExportError(f"--base: {err}") from None


def _write_scenarios(
    out: Path,
    fields: list[tuple[str, float | int, str]],
    base: Scenario,
    base_path: Path,
    split_path: Path,
    source: Path,
) -> None:
    """Write scenario.yaml (the calibrated company) and split.yaml (the same, split)."""
    extends = os.path.relpath(base_path.resolve(), out.resolve())
    name = company_name(out)
    scenario = mapping.scenario_text(fields, extends, name, source.name)
    split_data, _ = load_yaml(split_path)
    organisation = {
        k: v for k, v in split_data.items() if k not in {"extends", "name", "description"}
    }
    organisation["organisation"] = _split_staff(dict(organisation["organisation"]), fields, base)
    split = (
        "# The calibrated company, split: the organisation of salesim's scenarios/split.yaml.\n"
        + dump_yaml({"extends": SCENARIO, "name": safe_name(f"{name}_split")}, sort_keys=False)
        + dump_yaml(organisation, sort_keys=False)
    )
    for file, text in ((SCENARIO, scenario), (SPLIT, split)):
        write_atomic(out / file, functools.partial(_checked, text=text))


def company_name(out: Path) -> str:
    """Return the calibrated scenario's name: the output folder's, made a valid name.

    Each company's scenario is named after its calibration folder (``calibration/CDNOW_sample``
    gives ``CDNOW_sample``, its split ``CDNOW_sample_split``), so that ``salesim run`` of two
    companies writes two results folders (:func:`sim.names.safe_name`).
    """
    return safe_name(out.resolve().name or "calibrated")


def _split_staff(
    org: dict[str, Any], fields: list[tuple[str, float | int, str]], base: Scenario
) -> dict[str, Any]:
    """Scale the split's hunters and specialists as the calibrated company's servers are.

    The sellers become the hunters (as the shipped split does with the base's six); the client
    department gets the split's specialists times the clients' workload over the base's.
    """
    values = {path: value for path, value, _ in fields}
    if "organisation.generalists" in values:
        org["hunters"] = int(values["organisation.generalists"])
    active = int(values.get("market.active_clients", base.market.active_clients))
    value_min = float(
        values.get("clients.value_min_usd_per_month", base.clients.value_min_usd_per_month)
    )
    if org.get("specialists"):
        scaled = mapping.scaled_servers(org["specialists"], active, value_min, base)
        org["specialists"] = org["specialists"] if scaled is None else scaled
    return org


def _checked(path: Path, text: str) -> None:
    """Write a scenario and check that it loads (a mapping bug must not write a bad file)."""
    path.write_text(text, encoding="utf-8")
    try:
        load_model(Scenario, path)
    except ConfigError as err:
        found = "; ".join(f"{p.path}: {p.message}" for p in err.problems)
        raise ExportError(
            f"the fitted rates give no valid scenario ({found}); the export may not identify "
            "them (see the warnings of the fit): check the amount column and its unit, or give "
            "a longer period (a later --until, or an export over more months)"
        ) from None


def summary_text(result: dict[str, Any], out: Path) -> str:
    """Return the lines the command prints after a calibration."""
    from sim.calibrate.report import holdout_span

    c, bg, gg = result["counts"], result["bgnbd"], result["gamma_gamma"]
    cols = result["input"]["columns"]
    lines = [
        f"columns: client {cols[CLIENT]!r}, date {cols[DATE]!r}, amount {cols[AMOUNT]!r}; "
        + "; ".join(result["input"]["read_as"]),
        f"{c['transactions']} transactions of {c['clients']} clients "
        f"({result['period']['start']} to {result['period']['end']}); "
        f"{c['same_day_purchases_merged']} same-day purchases merged; "
        + (
            f"{c['returns']:,} returns (amounts {c['returns_amount']:,.2f}) left out; "
            if c["returns"]
            else "no returns; "
        )
        + f"{c['zero_amount_rows']} "
        f"zero amounts; {c['rejected_rows']} rows rejected",
        f"calibration period to {result['period']['until']}: {c['clients_in_calibration']} "
        f"clients, {c['repeat_transactions']} repeat transactions",
        f"BG/NBD (per {result['time_unit']}): r = {bg['r']:.4g}, alpha = {bg['alpha']:.4g}, "
        f"a = {bg['a']:.4g}, b = {bg['b']:.4g}; log-likelihood "
        f"{result['log_likelihood']['bgnbd']:.1f}",
    ]
    purchase = result.get("purchase_model", {})
    if "bgnbd_new_client" in purchase:
        nc = purchase["bgnbd_new_client"]
        lines.append(
            f"with the new-client component: kappa = {nc['kappa']:.4g}, tau = {nc['tau']:.4g} "
            f"{result['time_unit']}s, r = {nc['r']:.4g}, alpha = {nc['alpha']:.4g}, a = "
            f"{nc['a']:.4g}, b = {nc['b']:.4g}; log-likelihood "
            f"{purchase['log_likelihood_new_client']:.1f}; BIC "
            f"{purchase['bic']['bgnbd_new_client']:.1f} against {purchase['bic']['bgnbd']:.1f}"
        )
    if purchase:
        lines.append(f"the scenario uses: {purchase['note']}")
    errors = result.get("uncertainty", {}).get("standard_errors", {})
    used = purchase.get("used", "bgnbd")
    if "uncertainty" in result and errors.get(used) is None:
        lines.append(
            "warning: the purchase model's estimates have no standard errors (the information "
            "matrix is not positive definite: the data do not identify every parameter); the "
            "simulator check's band holds only the simulation's uncertainty"
        )
    elif errors.get(used):
        lines.append(
            "standard errors: "
            + ", ".join(f"{k} {v:.3g}" for k, v in errors[used].items())
            + (
                ""
                if errors.get("gamma_gamma") is None
                else "; Gamma-Gamma "
                + ", ".join(f"{k} {v:.3g}" for k, v in errors["gamma_gamma"].items())
            )
        )
    for model, ok in result["converged"].items():
        if ok is False:
            lines.append(
                f"warning: the {model} fit did not converge or an estimate is at a bound; the "
                "data may not identify it (see docs/MODEL.md, Calibration)"
            )
    if gg is not None:
        lines.append(
            f"Gamma-Gamma: p = {gg['p']:.4g}, q = {gg['q']:.4g}, gamma = {gg['gamma']:.4g}; "
            f"log-likelihood {result['log_likelihood']['gamma_gamma']:.1f}"
        )
    h = result["holdout"]
    if result["period"]["holdout_length"] > 0:
        lines.append(
            f"holdout {holdout_span(result)}: {h['observed_transactions']} repeat transactions "
            f"of the calibration period's clients observed, "
            f"{h['expected_transactions_bgnbd']:.1f} expected by the stationary BG/NBD"
            + (
                f", {h['expected_transactions']:.1f} by the model used"
                if purchase.get("used") == "bgnbd_new_client"
                else ""
            )
        )
    written = CALIBRATION + (f", {REJECTED}" if c["rejected_rows"] else "")
    if "scenario" in result:
        written += f", {SCENARIO}, {SPLIT}"
    lines.append(f"  written: {out}/ ({written})")
    if "report" in result:
        lines.append(f"  report: {out}/report.html; simulator check: {result['report']['check']}")
        if "check_new_clients_text" in result["report"]:
            lines.append(f"  and {result['report']['check_new_clients_text']}")
    if "scenario" in result:
        name = result["scenario"]["name"]
        lines.append(
            f"  next: salesim run {shlex.quote(str(out / SCENARIO))}; salesim compare "
            f"{shlex.quote(str(out / SCENARIO))} {shlex.quote(str(out / SPLIT))} "
            f"--out results/compare_{name}"
        )
    return "\n".join(lines)
