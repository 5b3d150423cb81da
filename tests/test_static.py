"""The package type-checks (mypy) and passes the linter with its docstring rules (ruff).

Both tools read their settings from pyproject.toml: mypy checks the whole package (strict for the
modules listed there), ruff applies the numpy docstring convention to ``sim/``.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=600, check=False
    )


def test_mypy_is_clean() -> None:
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean_on_the_package() -> None:
    result = _run(sys.executable, "-m", "ruff", "check", "sim")
    assert result.returncode == 0, result.stdout + result.stderr
