"""The ``salesim`` command: validate scenarios, run them, list parameters.

Only the standard library and the error classes are imported before the command line is read:
each command imports what it needs (pydantic for the scenario files, pandas and Mesa for runs,
Dask for clusters, matplotlib for reports, Solara for the workshop) when it runs, so that
``salesim --help`` and ``salesim validate`` start at once.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from sim.config.problems import ConfigError
from sim.errors import FolderBusyError, SchedulerError, StudyError, StudyStoppedError, WriteError

if TYPE_CHECKING:
    from sim.config.schema import Scenario
    from sim.run import RunResult
    from sim.study.plan import Plan

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_STOPPED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as the shell reports a command whose reader left


class UsageError(Exception):
    """A command-line mistake, reported like a bad scenario (exit 2)."""


_SHOWN = 40  # characters of a bad command-line value quoted back
WRITERS = frozenset(
    {"run", "compare", "study", "report", "calibrate"}
)  # commands that write results


def _bounded_int(low: int, high: int) -> type:
    def parse(text: str) -> int:
        shown = text if len(text) <= _SHOWN else f"{text[:_SHOWN]}... ({len(text)} characters)"
        if len(text.strip()) > len(str(high)) + 1:  # also spares int() thousands of digits
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {shown!r}")
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse  # type: ignore[return-value]


def _path(text: str) -> Path:
    """Check a file or folder named on the command line: not empty, and valid text (UTF-8)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a path, got an empty one")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        raise argparse.ArgumentTypeError(
            f"'{shown[:_SHOWN]}' is not valid text (UTF-8); rename it"
        ) from None
    return Path(text)


class _Version(argparse.Action):
    """``--version``: print the installed version and exit (read only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"salesim {version()}")
        parser.exit()


def version() -> str:
    """Return the installed distribution's version (the package's own when not installed)."""
    from importlib import metadata

    try:
        return metadata.version("salesim")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        from sim import __version__

        return __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesim",
        description="Agent-based simulator of B2B sales departments (hunters, client "
        "departments, generalist reps, clients and competitors).",
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = sub.add_parser(
        "validate", help="check scenario or study files (exit 0 if valid, 2 if not)"
    )
    validate.add_argument("scenarios", nargs="+", type=_path, metavar="FILE.yaml")
    validate.add_argument(
        "--years", type=_bounded_int(1, 30), help="horizon in years, as for run and study"
    )
    validate.add_argument(
        "--replications",
        type=_bounded_int(1, 10_000),
        help="runs of each scenario of a study file, as for study",
    )
    _add_set(validate)
    run = sub.add_parser("run", help="run scenarios and write results/<name>/")
    run.add_argument("scenarios", nargs="+", type=_path, metavar="SCENARIO.yaml")
    run.add_argument(
        "--seed", type=_bounded_int(0, 2**63 - 1), help="root seed (default: the scenario's seed)"
    )
    run.add_argument("--years", type=_bounded_int(1, 30), help="horizon in years")
    run.add_argument(
        "--out",
        type=_path,
        help="output folder (default results/<name>; with several scenarios, one sub-folder each)",
    )
    run.add_argument(
        "--transactions",
        type=_path,
        metavar="FILE.csv",
        help="also write the run's orders as a CRM-like CSV (client, date, amount; working "
        "day 0 is 2000-01-01); one scenario only",
    )
    run.add_argument(
        "--csv",
        type=_path,
        metavar="FILE.csv",
        help="also write the run's monthly table (timeseries.parquet's columns) as CSV; one "
        "scenario only",
    )
    _add_set(run)
    _add_quiet(run)
    compare = sub.add_parser(
        "compare",
        help="run scenarios many times with the same seeds and compare them with the first",
    )
    compare.add_argument("scenarios", nargs="+", type=_path, metavar="SCENARIO.yaml")
    compare.add_argument(
        "--replications", type=_bounded_int(1, 10_000), default=30, help="runs of each (30)"
    )
    compare.add_argument(
        "--seed", type=_bounded_int(0, 2**62), default=1, help="replication r uses seed + r (1)"
    )
    compare.add_argument("--years", type=_bounded_int(1, 30), help="horizon in years")
    compare.add_argument(
        "--out", type=_path, help="results folder (default results/compare_<file names>)"
    )
    _add_set(compare)
    _add_cluster(compare)
    _add_report(compare)
    study = sub.add_parser(
        "study", help="run a study file (scenarios x replications x sweeps); resumes if stopped"
    )
    study.add_argument("study", type=_path, metavar="STUDY.yaml")
    study.add_argument(
        "--replications",
        type=_bounded_int(1, 10_000),
        help="runs of each scenario (default: the study's)",
    )
    study.add_argument(
        "--years", type=_bounded_int(1, 30), help="horizon in years (default: the study's)"
    )
    study.add_argument("--out", type=_path, help="results folder (default results/<study name>)")
    _add_set(study)
    _add_cluster(study)
    _add_report(study)
    workshop = sub.add_parser(
        "workshop", help="serve the workshop dashboard: play strategies live in a browser"
    )
    workshop.add_argument(
        "--scenario",
        type=_path,
        default=Path("scenarios/reference.yaml"),
        help="the scenario to start with; the others in its folder can be picked "
        "(default scenarios/reference.yaml)",
    )
    workshop.add_argument("--port", type=_bounded_int(1, 65535), default=8765, help="(8765)")
    workshop.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 exposes it "
        "to the network)",
    )
    workshop.add_argument(
        "--seed", type=_bounded_int(0, 2**62), default=1, help="seed of both runs (1)"
    )
    report = sub.add_parser(
        "report",
        help="write a study's report (report.html, report.pdf, report.xlsx, figures/*.png) from "
        "its stored results",
        description="Write the report of a study from its stored results (the model is not run "
        "again): report.html (one self-contained page), report.pdf, report.xlsx (its tables as "
        "numbers, for a spreadsheet) and figures/*.png, into the results folder or --out.",
    )
    report.add_argument(
        "folder", type=_path, metavar="RESULTS_FOLDER", help="e.g. results/strategies"
    )
    report.add_argument(
        "--point",
        type=_bounded_int(0, 1_000_000),
        help="the sweep point the per-strategy figures show (default: the last)",
    )
    report.add_argument(
        "--out", type=_path, help="write the report here (default: the results folder)"
    )
    _add_quiet(report)
    params = sub.add_parser(
        "params", help="print every parameter with its unit, default and source"
    )
    params.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="text: a Markdown table (default); csv: one row per parameter; json: a list of "
        "records, defaults as numbers",
    )
    patterns = sub.add_parser(
        "patterns",
        help="measure a scenario's field patterns (churn, time on acquisition, revenue "
        "concentration, funnel, sales cost, pay) against their cited ranges",
        description="Run the scenario over replications (seeds S, S+1, ...) and print each "
        "field pattern: the model's mean with its 95 % interval, the field's accepted range, the "
        "source, and whether the whole interval lies in the range. Targets: sim/patterns.py; "
        "method: docs/VALIDATION.md.",
    )
    patterns.add_argument("scenario", type=_path, metavar="SCENARIO.yaml")
    patterns.add_argument(
        "--replications", type=_bounded_int(2, 1000), default=10, help="runs (10; at least 2)"
    )
    patterns.add_argument(
        "--seed", type=_bounded_int(0, 2**62), default=1, help="replication r uses seed + r (1)"
    )
    patterns.add_argument("--years", type=_bounded_int(1, 30), help="horizon in years")
    _add_set(patterns)
    _add_quiet(patterns)
    _add_calibrate(sub)
    return parser


def _date(text: str) -> object:
    import pandas as pd

    try:
        return pd.Timestamp(datetime.date.fromisoformat(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD, got {text[:_SHOWN]!r}"
        ) from None


RATE_RANGE = (1e-6, 1e9)
"""Exchange rates ``--per-usd`` takes: beyond them an amount's dollar value under- or overflows
the fits (a rate of 1e-20 turned every spend into infinity)."""


def _rate(text: str) -> float:
    """Check an exchange rate: a number within :data:`RATE_RANGE`."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    low, high = RATE_RANGE
    if not low <= value <= high:  # NaN fails too
        raise argparse.ArgumentTypeError(
            f"expected a number from {low:g} to {high:g}, got {text[:_SHOWN]!r}"
        )
    return value


def _delimiter(text: str) -> str:
    if len(text) != 1 or text in '"\r\n':
        raise argparse.ArgumentTypeError(
            f"expected one character such as , ; | or a tab, got {text[:_SHOWN]!r}"
        )
    return text


def _add_calibrate(sub: argparse._SubParsersAction) -> None:
    cal = sub.add_parser(
        "calibrate",
        help="fit BG/NBD and Gamma-Gamma to a transaction export (CSV, .xlsx, CDNOW) and "
        "write calibration.json",
        description="Read a transaction export (client, date, amount), fit the BG/NBD purchase "
        "model and the Gamma-Gamma spend model by maximum likelihood, and write "
        "calibration.json into --out. Columns are guessed from common English and Russian "
        "headers unless named. Bad rows stop the command (exit 2) unless --skip-bad. Method: "
        "docs/MODEL.md, Calibration.",
    )
    cal.add_argument("file", type=_path, metavar="FILE", help="CSV, .xlsx or CDNOW text file")
    cal.add_argument("--out", type=_path, help="output folder (default calibration/<file name>)")
    cal.add_argument(
        "--format", choices=("auto", "csv", "xlsx", "cdnow"), default="auto",
        help="file layout (auto: by the suffix; cdnow: the whitespace-separated CDNOW sample)",
    )  # fmt: skip
    for role in ("client", "date", "amount"):
        cal.add_argument(f"--{role}", metavar="HEADER", help=f"the {role} column's header")
    cal.add_argument("--delimiter", type=_delimiter, help="CSV delimiter (default: detected)")
    cal.add_argument("--decimal", choices=(",", "."), help="decimal mark (default: detected)")
    cal.add_argument("--dayfirst", action="store_true", help="read 01/02/2024 as 1 February")
    cal.add_argument(
        "--date-format", metavar="FORMAT", help="dates' strftime form, e.g. %%m/%%d/%%Y"
    )
    cal.add_argument(
        "--until", type=_date, metavar="YYYY-MM-DD",
        help="last day of the calibration period; later transactions are the holdout "
        "(default: the last day of the data)",
    )  # fmt: skip
    cal.add_argument(
        "--no-check", action="store_true",
        help="skip the simulator check of the report (20 runs of the written scenario over "
        "the holdout: about 10 s for 2,000 clients and 8 months, growing with clients x months)",
    )  # fmt: skip
    cal.add_argument(
        "--stationary", action="store_true",
        help="fit the stationary BG/NBD only, without the new-client component (a new "
        "client's higher purchase rate at first; used when it lowers the BIC)",
    )  # fmt: skip
    cal.add_argument(
        "--unit", choices=("week", "day", "month"), default="week",
        help="time unit of the BG/NBD parameters (week, as in the papers)",
    )  # fmt: skip
    cal.add_argument(
        "--base", type=_path, metavar="SCENARIO.yaml",
        help="write scenario.yaml extending this scenario, and split.yaml (default: ./"
        "scenarios/reference.yaml when present)",
    )  # fmt: skip
    cal.add_argument(
        "--per-usd", type=_rate, metavar="RATE",
        help="units of the export's currency to one US dollar, e.g. 90 for roubles: amounts are "
        "divided by it (default: amounts are USD)",
    )  # fmt: skip
    cal.add_argument(
        "--skip-bad", action="store_true",
        help="leave bad rows out and list them in rejected.csv instead of stopping",
    )  # fmt: skip
    _add_quiet(cal)


def _add_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report",
        action="store_true",
        help="then write the report (report.html, report.pdf, report.xlsx, figures/) into the "
        "results folder",
    )


def _add_cluster(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=_bounded_int(1, 512),
        help="local worker processes: a local Dask cluster of N (1 runs in this process). "
        "Default: in this process when the plan is too small for a cluster to pay back its "
        "start-up, else one worker per core",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="an existing Dask scheduler, e.g. tcp://host:8786 (without --workers, the "
        "default is $DASK_SCHEDULER_ADDRESS if set)",
    )
    _add_quiet(parser)


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        dest="overrides",
        help="override a scenario field, e.g. --set market.competitors.count=4 (repeatable)",
    )


def _load(path: Path, overrides: Sequence[str]) -> Scenario:
    from sim.config.loader import load_model
    from sim.config.schema import Scenario

    return load_model(Scenario, path, overrides)


def _load_all(paths: Sequence[Path], overrides: Sequence[str]) -> list[Scenario]:
    """Load every file; report the problems of all of them together."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(_load(path, overrides))
        except ConfigError as err:
            problems.extend(err.problems)
    if problems:
        raise ConfigError(problems)
    return loaded


def _is_study(path: Path) -> bool:
    """Tell a study file (it lists scenarios) from a scenario file (it never has that key)."""
    from sim.config.loader import load_yaml

    try:
        data, _ = load_yaml(path)
    except ConfigError:
        return False
    return "scenarios" in data


def _cmd_validate(args: argparse.Namespace) -> int:
    """Check each file as ``run`` (a scenario) or ``study`` (a study file) would take it."""
    problems = []
    studies = [path for path in args.scenarios if _is_study(path)]
    if args.replications is not None and not studies:
        raise UsageError("--replications applies to study files; none was given")
    for path in args.scenarios:
        try:
            if path in studies:
                plan = _plan_study(path, args)
                print(
                    f"{path}: ok (study {plan.study.name}: {len(plan.variants)} scenario "
                    f"variants, {len(plan.tasks)} runs)"
                )
            else:
                print(f"{path}: ok ({_load(path, _run_overrides(args)).name})")
        except ConfigError as err:
            problems.extend(err.problems)
    if problems:
        raise ConfigError(problems)
    return EXIT_OK


def _run_overrides(args: argparse.Namespace) -> list[str]:
    """Return the ``--set`` overrides of ``run`` (and ``validate``), with ``--years`` last."""
    overrides = list(args.overrides)
    if args.years is not None:
        overrides.append(f"calendar.horizon_years={args.years}")
    return overrides


def _plan_study(path: Path, args: argparse.Namespace) -> Plan:
    """Plan a study file with the command line's changes (``study`` and ``validate``)."""
    from sim.study.runner import plan_study

    return plan_study(
        path, replications=args.replications, years=args.years, overrides=args.overrides
    )


def _output_dirs(args: argparse.Namespace, scenarios: list[Scenario]) -> list[Path]:
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        files = ", ".join(f"{p} ({n})" for p, n in zip(args.scenarios, names, strict=True))
        raise UsageError(
            f"two scenarios share a name ({files}); their results would overwrite each other"
        )
    if args.out is None:
        return [Path("results") / n for n in names]
    if len(scenarios) == 1:
        return [args.out]
    return [args.out / n for n in names]


def _check_output_dirs(outs: list[Path], sources: list[Path], stack: ExitStack) -> dict[Path, bool]:
    """Create and lock every output folder before any simulation runs.

    Refuse a folder that holds a study or anything but an earlier run. Say which folders hold
    an earlier run.
    """
    from sim.output import folder_lock, folder_problem

    earlier = {}
    for out, source in zip(outs, sources, strict=True):
        problem = folder_problem(out)
        if problem is not None:
            raise UsageError(f"--out {problem}")
        _check_run_folder(out, source)
        stack.enter_context(folder_lock(out))
        earlier[out] = _check_run_folder(out, source)  # again: a study may have begun there
        if earlier[out]:
            print(f"note: replacing the earlier results in {out}/", file=sys.stderr)
    return earlier


def _check_run_folder(out: Path, source: Path) -> bool:
    """Refuse a folder a run would damage; say whether it holds an earlier run."""
    from sim.output import OTHER, SCENARIO, STUDY, folder_holds

    kind = folder_holds(out)
    if kind == STUDY:
        raise UsageError(
            f"{out} holds the results of a study (salesim study); a run would replace its "
            "manifest. Choose another folder with --out"
        )
    if kind == OTHER:
        raise UsageError(
            f"{out / 'manifest.json'}: not the manifest of a salesim run (unreadable, or "
            "another program's); choose another folder with --out"
        )
    if (out / SCENARIO).resolve() == source.resolve():
        raise UsageError(
            f"{out}: the run would overwrite its own scenario file {source}; choose another "
            "folder with --out"
        )
    return kind is not None


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.output import LOCK, MANIFEST, SCENARIO, TIMESERIES, os_problem, write_run
    from sim.run import format_summary

    overrides = _run_overrides(args)
    scenarios = _load_all(args.scenarios, overrides)
    outs = _output_dirs(args, scenarios)
    if args.transactions is not None and len(scenarios) > 1:
        raise UsageError("--transactions: give one scenario (the log is of one run)")
    extra = [(o, p) for o, p in (("--transactions", args.transactions), ("--csv", args.csv)) if p]
    if args.csv is not None and len(scenarios) > 1:
        raise UsageError("--csv: give one scenario (the table is of one run)")
    if len(extra) == 2 and args.csv.resolve() == args.transactions.resolve():
        raise UsageError("--csv and --transactions name the same file; give two names")
    for option, path in extra:
        written = [out / name for out in outs for name in (TIMESERIES, SCENARIO, MANIFEST, LOCK)]
        _check_transactions(path, [*args.scenarios, *written], option)
    with ExitStack() as locks:
        earlier = _check_output_dirs(outs, list(args.scenarios), locks)
        for i, (path, scenario, out) in enumerate(
            zip(args.scenarios, scenarios, outs, strict=True)
        ):
            seed = scenario.seed if args.seed is None else args.seed
            if not args.quiet:
                print(f"[{i + 1}/{len(scenarios)}] running {path} ...", file=sys.stderr, flush=True)
            result = _run_one(scenario, seed, args.transactions)
            try:
                write_run(
                    out, result.frame, scenario, seed, result.wall_time_s, [str(path), *overrides]
                )
            except OSError as err:
                kept = f"; the earlier results in {out}/ are kept" if earlier[out] else ""
                raise WriteError(f"cannot write {os_problem(err)}{kept}") from None
            if args.csv is not None:
                _write_csv(args.csv, result)
            print(format_summary(scenario.name, seed, result.frame))
            print(
                f"  results: {out}/ (timeseries.parquet, scenario.yaml, manifest.json; "
                f"{result.wall_time_s:.2f} s)\n"
            )
    return EXIT_OK


def _check_transactions(path: Path, kept: list[Path], option: str = "--transactions") -> None:
    """Refuse a CSV path of ``option`` before the run: a folder, under a file, or a kept file.

    ``kept`` are the files the CSV must never replace (the scenario files, the run's own
    results). An existing file is replaced only if it is a ``.csv`` (of an earlier run).
    """
    if path.is_dir():
        raise UsageError(
            f"{option} {path}: is a folder; give a file name such as {path / 'run.csv'}"
        )
    resolved = path.resolve()
    if any(resolved == other.resolve() for other in kept):
        raise UsageError(
            f"{option} {path}: the run reads or writes this file itself; give another name"
        )
    if path.exists() and path.suffix.lower() != ".csv":
        raise UsageError(
            f"{option} {path}: exists and is not a .csv; only an earlier .csv file is "
            "replaced: give a new name or a .csv"
        )
    parent = next((p for p in path.parents if p.exists()), Path("."))
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{option} {path}: the folder {parent} is not writable")


def _write_csv(path: Path, result: RunResult) -> None:
    """Write a run's monthly table as CSV (atomically; no text cell runs as a formula)."""
    from sim.output import os_problem, write_atomic
    from sim.spreadsheet import inert_frame

    table = inert_frame(result.frame)
    try:
        write_atomic(path, lambda p: table.to_csv(p, index=False))
    except OSError as err:
        raise WriteError(f"cannot write {os_problem(err)}") from None
    print(f"  monthly table: {path} ({len(table)} months)", file=sys.stderr)


def _run_one(scenario: Scenario, seed: int, transactions: Path | None) -> RunResult:
    """Run a scenario; with ``transactions``, write its order log there (sim.calibrate)."""
    from sim.run import RunResult, run_scenario

    if transactions is None:
        return run_scenario(scenario, seed)
    from sim.calibrate.transactions import run_logged
    from sim.output import os_problem, write_atomic

    start = time.perf_counter()
    logged = run_logged(scenario, seed)
    result = RunResult(scenario, seed, logged.frame, time.perf_counter() - start)
    try:
        write_atomic(transactions, lambda p: logged.transactions().to_csv(p, index=False))
    except OSError as err:
        raise WriteError(f"cannot write {os_problem(err)}") from None
    print(f"  transactions: {transactions} ({len(logged.orders)} orders)", file=sys.stderr)
    return result


def _cmd_compare(args: argparse.Namespace) -> int:
    from sim.study.runner import plan_compare

    if len(args.scenarios) < 2:
        raise UsageError(
            f"compare needs two or more scenarios (the first is the baseline), got one: "
            f"{args.scenarios[0]}. To run one scenario, use: salesim run {args.scenarios[0]}"
        )
    plan = plan_compare(
        args.scenarios, args.overrides, args.replications, args.seed, years=args.years
    )
    return _run_study(plan, args)


def _cmd_study(args: argparse.Namespace) -> int:
    return _run_study(_plan_study(args.study, args), args)


def _run_study(plan: Plan, args: argparse.Namespace) -> int:
    from sim.study.execute import SCHEDULER_ENV, check_scheduler
    from sim.study.result import report_text
    from sim.study.runner import run_plan

    out = args.out or Path("results") / plan.study.name
    if args.scheduler and args.workers:
        raise UsageError("give --workers (a local cluster) or --scheduler (an existing one)")
    scheduler, origin = args.scheduler, "--scheduler"
    if scheduler is None and args.workers is None:
        scheduler, origin = os.environ.get(SCHEDULER_ENV) or None, f"${SCHEDULER_ENV}"
    if scheduler is not None:
        check_scheduler(scheduler, origin)  # before anything is written
    try:
        result = run_plan(
            plan, out, workers=args.workers, scheduler=scheduler, progress=not args.quiet
        )
    except KeyboardInterrupt:
        print(
            f"salesim: interrupted; the finished runs are kept in {out}/. "
            "Run the same command again to resume.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(report_text(result))
    if args.report:
        _write_report(out, None, quiet=args.quiet, into=None)
    return EXIT_OK if result.failures.empty else EXIT_FAILED


def _write_report(folder: Path, point: int | None, quiet: bool, into: Path | None) -> None:
    from sim.output import STUDY, folder_holds, folder_lock
    from sim.report import build_report  # matplotlib is loaded only for reports

    target = _report_target(folder, into)
    stream = open(os.devnull, "w") if quiet else sys.stderr  # noqa: SIM115
    try:
        with ExitStack() as lock:
            mine = into is not None or folder_holds(target) == STUDY
            if mine and target.is_dir() and os.access(target, os.W_OK | os.X_OK):
                lock.enter_context(folder_lock(target))  # no study or run writes it meanwhile
            report = build_report(folder, point=point, stream=stream, out=into)
    finally:
        if quiet:
            stream.close()
    for note in report.notes:
        print(f"note: {note}")
    print(
        f"report: {report.html} (open it in a browser; offline); also {report.pdf}, "
        f"{report.xlsx} (the tables, for a spreadsheet) and {len(report.figures)} figures in "
        f"{report.html.parent / 'figures'}/"
    )


def _cmd_report(args: argparse.Namespace) -> int:
    _write_report(args.folder, args.point, quiet=args.quiet, into=args.out)
    return EXIT_OK


def _report_target(folder: Path, into: Path | None) -> Path:
    """Return the folder the report goes to.

    Refuse one that holds a run, another study or another program's manifest.
    """
    from sim.output import OTHER, STUDY, folder_holds

    results = folder.parent if folder.name == "manifest.json" and folder.is_file() else folder
    if into is None:
        return results
    kind = folder_holds(into)
    if kind is None or (kind == STUDY and into.resolve() == results.resolve()):
        return into
    what = {STUDY: "another study", OTHER: "another program (manifest.json)"}.get(kind, "a run")
    raise UsageError(
        f"--out {into} holds the results of {what}; the report would be mixed into them. "
        "Choose another folder"
    )


WORKSHOP_MODULES = ("solara", "solara_assets")  # the extra ``salesim[workshop]``


def _workshop_installed() -> bool:
    """Say whether the workshop's extra is installed.

    Solara is looked for, not imported: the server sets Solara's environment before importing it.
    """
    import importlib.util

    try:
        return all(importlib.util.find_spec(name) is not None for name in WORKSHOP_MODULES)
    except (ImportError, ValueError):  # a module that cannot be found or loaded
        return False


def _cmd_workshop(args: argparse.Namespace) -> int:
    if not _workshop_installed():
        raise UsageError(
            "the workshop needs Solara, which is not installed. Install the workshop extra: "
            "pip install 'salesim[workshop]' (from a source folder: pip install -e '.[workshop]')"
        )
    scenario = _load(args.scenario, [])  # a bad scenario is reported before the server starts
    from sim.workshop.serve import serve  # Solara is imported only by this command

    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"salesim workshop: {scenario.name} on http://{shown}:{args.port} (Ctrl-C to stop)",
        flush=True,
    )
    chosen = args.scenario.resolve()  # a link: the folder and the name of the file it leads to
    try:  # the server runs in this process: stopping it (any signal) stops the server
        return serve(args.host, args.port, chosen.parent, chosen.name, args.seed)
    except KeyboardInterrupt:
        return EXIT_OK


def _cmd_params(args: argparse.Namespace) -> int:
    from sim.params import parameter_csv, parameter_json, parameter_table

    writers = {"text": parameter_table, "csv": parameter_csv, "json": parameter_json}
    print(writers[args.format]())
    return EXIT_OK


def _cmd_patterns(args: argparse.Namespace) -> int:
    from sim.patterns import format_table, measure

    if _is_study(args.scenario):
        raise UsageError(
            f"{args.scenario} is a study file; patterns takes one scenario, e.g. "
            "scenarios/unsplit.yaml"
        )
    scenario = _load(args.scenario, _run_overrides(args))
    if not args.quiet:
        print(
            f"{scenario.name}: field patterns over {args.replications} replications "
            f"(seeds {args.seed}-{args.seed + args.replications - 1}) ...",
            file=sys.stderr,
            flush=True,
        )
    print(format_table(measure(scenario, args.replications, args.seed)))
    return EXIT_OK


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate.command import Options, calibrate, shipped_scenario, summary_text
    from sim.calibrate.reading import ExportError
    from sim.output import os_problem

    options = Options(
        fmt=args.format,
        columns={"client": args.client, "date": args.date, "amount": args.amount},
        delimiter=args.delimiter,
        decimal=args.decimal,
        date_format=args.date_format,
        dayfirst=args.dayfirst,
        until=args.until,
        unit=args.unit,
        skip_bad=args.skip_bad,
        check=not args.no_check,
        new_client=not args.stationary,
        base=args.base or shipped_scenario("reference.yaml"),
        per_usd=args.per_usd,
    )
    out = args.out or Path("calibration") / args.file.stem
    if not args.quiet:
        checked = "" if args.no_check else ", then checking the fit with the simulator"
        line = f"{args.file}: reading and fitting{checked} ..."
        options.progress = lambda: print(line, file=sys.stderr, flush=True)
    try:
        result = calibrate(args.file, out, options)
    except ExportError as err:
        raise UsageError(str(err)) from None
    except OSError as err:
        raise WriteError(f"cannot write {os_problem(err)}") from None
    print(summary_text(result, out))
    for warning in result.get("warnings", []):
        print(f"salesim: warning: {warning}", file=sys.stderr)
    return EXIT_OK


_OWN = ("-h", "--help", "--version")
"""What salesim itself takes before a command."""


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line; an unknown argument is the chosen command's error, with its usage.

    argparse reports arguments that no subcommand knows with the top-level usage; here the
    subcommand's own usage and ``salesim COMMAND: error: ...`` are printed (exit 2), with the
    closest option of that command for a mistyped one. An unknown argument written before the
    command is salesim's own error, with salesim's usage.
    """
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    given = list(sys.argv[1:] if argv is None else argv)
    named = next((i for i, word in enumerate(given) if word in commands), 0)
    misplaced = [word for word in given[:named] if word not in _OWN]
    if misplaced:  # ``salesim --seed 5 run x``: salesim's error, not the command's
        parser.error(
            f"unrecognized arguments: {' '.join(misplaced)} (written before the command "
            f"{given[named]!r}: salesim itself takes only -h and --version there; a "
            "command's options go after its name)"
        )
    args, extras = parser.parse_known_args(argv)
    if not extras:
        return args
    chosen: argparse.ArgumentParser = commands[args.command]
    message = f"unrecognized arguments: {' '.join(extras)}"
    options = [o for a in chosen._actions for o in a.option_strings if o.startswith("--")]
    for extra in extras:
        if extra.startswith("-"):
            import difflib

            # compared without the dashes, which every option shares (--bogus is not --out)
            bare = {o.lstrip("-"): o for o in options}
            word = extra.split("=", 1)[0].lstrip("-")
            close = difflib.get_close_matches(word, list(bare), n=1, cutoff=0.6)
            if close:
                message += f"; did you mean {bare[close[0]]}?"
            break
    chosen.error(message)


def _interrupt(signum: int, _frame: object) -> None:
    """Stop on SIGTERM as on Ctrl-C: what finished is kept and the manifest says so."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``salesim`` command; returns the exit code."""
    args = _parse(_parser(), argv)
    commands = {
        "validate": _cmd_validate,
        "run": _cmd_run,
        "compare": _cmd_compare,
        "study": _cmd_study,
        "workshop": _cmd_workshop,
        "report": _cmd_report,
        "params": _cmd_params,
        "patterns": _cmd_patterns,
        "calibrate": _cmd_calibrate,
    }
    if args.command != "workshop" and threading.current_thread() is threading.main_thread():
        # the workshop's server handles its own stop
        signal.signal(signal.SIGTERM, _interrupt)  # kill, timeout, a batch system: as Ctrl-C
    try:
        return commands[args.command](args)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    except (UsageError, StudyError, SchedulerError, FolderBusyError) as err:
        print(f"salesim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (StudyStoppedError, WriteError) as err:
        print(f"salesim: error: {err}", file=sys.stderr)
        return EXIT_STOPPED
    except BrokenPipeError:  # the reader left (``salesim params | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        if args.command == "calibrate":
            print("salesim: interrupted; a folder without calibration.json is incomplete",
                  file=sys.stderr)  # fmt: skip
        elif args.command in WRITERS:
            print(
                "salesim: interrupted; folders without manifest.json are incomplete",
                file=sys.stderr,
            )
        else:  # validate, params, patterns: they only print
            print("salesim: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
