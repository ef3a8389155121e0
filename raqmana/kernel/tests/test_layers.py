"""The import-linter contracts of pyproject.toml pass on the code and fail on a wrong-way import.

Each check runs `lint-imports` on a copy of the package's Python files in a temporary directory, so a wrong import
is written into the copy only and nothing is left behind.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# A module added to the copy, the import it makes, and the contract that import breaks.
WRONG_WAY = {
    "kernel/wrong_way.py": ("raqmana.accounts.models", "Layers"),
    "territories/wrong_way.py": ("raqmana.accounts.services", "territories imports no accounts"),
    "civil_status/wrong_way.py": ("raqmana.documents.models", "civil_status imports no documents"),
    "documents/wrong_way.py": ("raqmana.civil_status.models", "documents imports no civil_status"),
    "payments/wrong_way.py": ("raqmana.accounts.forms", "views, forms or api"),
    "notifications/selectors.py": ("raqmana.notifications.services", "Selectors import no services"),
}
LINT_IMPORTS = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]


def lint_imports_on_a_copy(extra_modules):
    """Run lint-imports with the project's contracts over a copy of raqmana/ holding `extra_modules`."""
    with tempfile.TemporaryDirectory(prefix="raqmana-layers-") as directory:
        copy = Path(directory) / "raqmana"
        shutil.copytree(
            ROOT / "raqmana",
            copy,
            ignore=lambda folder, names: [name for name in names if not name.endswith(".py") and "." in name],
        )
        for path, (imported, _) in extra_modules.items():
            (copy / path).write_text(f"import {imported}\n")
        environment = {**os.environ, "PYTHONPATH": directory}
        return subprocess.run(
            [*LINT_IMPORTS, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
            cwd=directory,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )


@pytest.fixture(scope="module")
def wrong_way_run():
    return lint_imports_on_a_copy(WRONG_WAY)


def test_the_code_keeps_every_contract():
    run = lint_imports_on_a_copy({})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_a_wrong_way_import_fails_the_lint(wrong_way_run):
    assert wrong_way_run.returncode == 1, wrong_way_run.stdout + wrong_way_run.stderr
    assert "Contracts: 0 kept, 6 broken." in wrong_way_run.stdout


@pytest.mark.parametrize("path", WRONG_WAY)
def test_each_contract_names_its_wrong_import(wrong_way_run, path):
    imported, contract = WRONG_WAY[path]
    importer = "raqmana." + path.removesuffix(".py").replace("/", ".")
    broken = wrong_way_run.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
    assert f"{importer} -> {imported}" in broken
