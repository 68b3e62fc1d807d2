"""The import rules of DESIGN §3, enforced by import-linter's contracts in pyproject.toml: workflows
import only the standard library and temporalio, activities never import a front, fronts never import
activities, chatbot and web stay apart, db never imports Temporal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_rules_hold():
    run = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "broken" in run.stdout and " 0 broken" in run.stdout


def test_importing_the_workflow_loads_no_heavy_library():
    code = (
        "import sys, workflows.complaint; "
        "heavy = [m for m in ('sklearn', 'pythainlp', 'sqlalchemy', 'httpx', 'fastapi') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
