"""The code's own checks, run by the test suite so that the README's one test command runs them too.

ruff (lint and format) keeps every file in one style; mypy in strict mode over ``widget/`` catches
the type mistakes a reviewer misses (a tone typed ``str``, a werkzeug ``Response`` where Flask's is
promised). Configuration for both lives in ``pyproject.toml``.
"""

import subprocess
import sys

import pytest

from tests.conftest import REPOSITORY

CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", "."],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", "."],
    "mypy strict": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("name", CHECKS)
def test_code_passes(name: str) -> None:
    finished = subprocess.run(CHECKS[name], cwd=REPOSITORY, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, f"{name} failed:\n{finished.stdout}\n{finished.stderr}"
