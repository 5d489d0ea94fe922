"""The tree passes ruff's lint and format check, with the rules chosen in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("check", [["check", "--output-format", "concise"], ["format", "--check", "--diff"]])
def test_ruff_finds_nothing(check):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *check, "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (
        f"ruff {check[0]} (fix with `.venv/bin/ruff {check[0]} .`):\n"
        + (result.stdout + result.stderr)[-4000:]
    )
