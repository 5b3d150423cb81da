"""The command starts light: what --help and validate import, --version, params --format,
the workshop without its extra, --quiet."""

import csv
import io
import json
import subprocess
import sys
from importlib import metadata

import pytest
from conftest import ROOT, SCENARIOS, salesim

from sim.params import COLUMNS, iter_parameters

HEAVY = ("mesa", "pandas", "numpy", "dask", "distributed", "matplotlib", "scipy", "solara")

# The command in a child process, then the heavy libraries it imported, as the last line.
_CHILD = """
import sys
from sim.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print("IMPORTED", *heavy, file=sys.stderr)
sys.exit(code)
"""


def imported(*args: str) -> tuple[int, list[str]]:
    """Run ``salesim ARGS`` in a child; return its exit code and the heavy libraries imported."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("IMPORTED"), done.stderr
    return done.returncode, last.split()[1:]


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("study", "--help"),
        ("validate", str(SCENARIOS / "reference.yaml")),
        ("validate", str(SCENARIOS / "split.yaml"), "--set", "organisation.hunters=2"),
    ],
)
def test_help_and_validate_import_no_heavy_library(args: tuple[str, ...]) -> None:
    code, heavy = imported(*args)
    assert code == 0
    assert heavy == []


def test_a_run_still_imports_what_it_needs() -> None:
    """The check above can see an import: a command that runs the model loads Mesa."""
    code, heavy = imported("params", "--format", "csv")
    assert code == 0 and heavy == []
    code, heavy = imported("patterns", "--help")
    assert code == 0 and heavy == []
    code, heavy = imported("validate", str(ROOT / "studies" / "strategies.yaml"))
    assert code == 0 and "pandas" in heavy


def test_version_is_the_installed_distributions() -> None:
    result = salesim("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"salesim {metadata.version('salesim')}"


def test_params_prints_the_same_records_as_text_csv_and_json() -> None:
    records = list(iter_parameters())
    text = salesim("params")
    as_csv = salesim("params", "--format", "csv")
    as_json = salesim("params", "--format", "json")
    assert text.returncode == as_csv.returncode == as_json.returncode == 0
    assert text.stdout.startswith("| parameter | default |")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows == records
    parsed = json.loads(as_json.stdout)
    assert [r["parameter"] for r in parsed] == [r["parameter"] for r in records]
    assert all(set(r) == set(COLUMNS) for r in parsed)
    by_path = {r["parameter"]: r["default"] for r in parsed}
    assert by_path["seed"] == 1 and isinstance(by_path["calendar.horizon_years"], int)
    assert by_path["clients.routine_load_weights"] == [1.0, 2.0, 4.0]
    bad = salesim("params", "--format", "xml")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


# Solara made impossible to find, as in an environment installed without the workshop extra.
_NO_SOLARA = """
import sys
class NoSolara:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("solara", "solara_assets"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NoSolara())
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_workshop_without_solara_says_how_to_install_it_and_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _NO_SOLARA, "workshop", "--port", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "pip install 'salesim[workshop]'" in done.stderr
    assert "pip install -e '.[workshop]'" in done.stderr
    assert done.stdout == ""  # the server did not start


@pytest.mark.parametrize(
    ("command", "progress"),
    [
        (["run", str(SCENARIOS / "reference.yaml"), "--years", "1"], "running"),
        (
            ["patterns", str(SCENARIOS / "reference.yaml"), "--years", "1", "--replications", "2"],
            "field patterns over",
        ),
    ],
)
def test_quiet_leaves_out_the_progress_lines(
    tmp_path: object, command: list[str], progress: str
) -> None:
    extra = ["--out", str(tmp_path)] if command[0] == "run" else []
    loud = salesim(*command, *extra, "--set", "market.prospects=300", cwd=ROOT)
    quiet = salesim(*command, *extra, "--set", "market.prospects=300", "--quiet", cwd=ROOT)
    assert loud.returncode == quiet.returncode == 0, quiet.stderr
    assert progress in loud.stderr
    assert progress not in quiet.stderr
    assert quiet.stdout.strip()  # the results are still printed
