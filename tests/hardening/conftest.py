"""Fixtures of the hardening tests, and the figures they report at the end of the run."""

from collections.abc import Iterator

import pytest

from tests.hardening.support import FIGURES, FIGURES_FILE


@pytest.fixture(scope="session", autouse=True)
def figures_file() -> Iterator[None]:
    """Start a fresh figures file for this run; each test appends its own lines."""
    FIGURES_FILE.write_text("", encoding="utf-8")
    yield
    with FIGURES_FILE.open("a", encoding="utf-8") as figures:
        figures.write("== totals ==\n")
        figures.writelines(f"{name}: {value}\n" for name, value in sorted(FIGURES.items()))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("hardening figures")
        for name, value in sorted(FIGURES.items()):
            terminalreporter.write_line(f"{name}: {value}")
        terminalreporter.write_line(f"(also in {FIGURES_FILE})")
