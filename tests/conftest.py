"""Shared fixtures: where the repository and the real registry files are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout (the folder holding ``src/``, ``graph/`` and ``tests/``)."""
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def raw_dir(repo_root: Path) -> Path:
    """The folder of real ONS, ODS and CQC registry files (``PCR_GRAPH_RAW`` overrides it).

    The files are the project's test bed, not optional extras: without them the tests fail
    with a message saying where they were looked for.
    """
    configured = os.environ.get("PCR_GRAPH_RAW")
    folder = Path(configured) if configured else repo_root.parent / "shared" / "data" / "raw"
    if not folder.is_dir():
        pytest.fail(
            f"raw registry folder not found: {folder} "
            "(set PCR_GRAPH_RAW to the folder holding ons_stp21_nhser21_lookup.csv and the "
            "other registry files)",
            pytrace=False,
        )
    return folder


# -- counts for benchmarks/hardening_summary.py ------------------------------------------
_CASES: dict[str, int] = {}


def record_cases(family: str, count: int) -> None:
    """Count generated cases or payloads tried, per family, for the hardening summary."""
    _CASES[family] = _CASES.get(family, 0) + count


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import json
    import os

    target = os.environ.get("PCR_GRAPH_HARDENING_REPORT")
    if target and _CASES:
        report = {"cases": _CASES, "failed": session.testsfailed, "exit": int(exitstatus)}
        Path(target).write_text(
            json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the hardening figures (cases per family) with every test run."""
    if not _CASES:
        return
    terminalreporter.section("hardening summary")
    for family in sorted(_CASES):
        terminalreporter.write_line(f"{family:<28} {_CASES[family]:>8}")


# One Chromium for the whole session, registered here once: importing these fixtures into
# several test modules would start several Playwright instances, which cannot coexist.
from tests.support.browser import chromium_browser_fixture, chromium_page_fixture  # noqa: E402, F401
