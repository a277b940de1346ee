"""Run the hardening suite and print what it tried: cases per family, failures, kill points.

Usage: ``python benchmarks/hardening_summary.py`` (from the repository root). It runs the
test modules that record generated cases (hostile input, injection, XSS, crash safety,
endpoint abuse) with pytest, collects the counts the
tests record (tests/conftest.py ``record_cases``), prints a table, and writes
``benchmarks/results/hardening.json``. The exit code is pytest's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def hardening_suite() -> list[str]:
    """Every test module that records generated cases (calls ``record_cases``)."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if "record_cases(" in path.read_text(encoding="utf-8")
    )


def print_table(cases: dict[str, int], failed: object, seconds: float | None) -> None:
    """The figures, one family a line."""
    print("\nhardening summary")
    print(f"{'family':<28} {'cases':>8}")
    for family in sorted(cases):
        print(f"{family:<28} {cases[family]:>8}")
    print(f"{'failed tests':<28} {failed if failed is not None else 'n/a':>8}")
    if seconds is not None:
        print(f"{'seconds':<28} {seconds:>8.1f}")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--from":
        # Print the figures a test run already recorded (make test writes them).
        recorded = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        print_table(recorded.get("cases", {}), recorded.get("failed"), None)
        return 0
    suite = hardening_suite()
    with tempfile.TemporaryDirectory() as scratch:
        report_path = Path(scratch) / "hardening.json"
        env = dict(os.environ, PCR_GRAPH_HARDENING_REPORT=str(report_path))
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *suite],
            cwd=ROOT,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - started
        data = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    cases: dict[str, int] = data.get("cases", {})
    print_table(cases, data.get("failed"), seconds)
    out = ROOT / "benchmarks" / "results" / "hardening.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {"cases": cases, "failed": data.get("failed"), "suite": suite, "seconds": seconds}
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
