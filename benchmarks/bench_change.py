"""``what-if`` and ``diff --at`` on the largest area at national scale: area copies against
whole copies, in one process with the store loaded once (issue 18: each under 2 s).

A synthetic England (``--data FILE`` written by ``pcr-graph synth``) is loaded as a workspace
would be, its derived graph made, and then, on the area with the most providers:

- ``what_if``: :func:`~pcr_graph.analysis.change.what_if_remove` of the first NHS trust
  there, on an area copy (``analysis/change/scope.py``), twice (the second reuses what
  every copy shares);
- ``diff``: :func:`~pcr_graph.analysis.change.diff_dates` 2019-04-01 -> 2024-04-01 for that
  area, twice;
- with ``--whole``: both again on whole copies (``scope=False``), and whether the answers
  are identical.

Wall and CPU seconds (``process_time``: every thread of the process) and the load average of
this shared machine go to ``benchmarks/results/change.json`` with the ratios. Never asserts
a time. Run::

    pcr-graph --no-demo synth --providers 55000 --seed 1 -o /tmp/england-55000.ttl
    .venv/bin/python benchmarks/bench_change.py --data /tmp/england-55000.ttl --whole
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from results_file import machine, write_results  # type: ignore[import-not-found]

RESULTS = Path(__file__).resolve().parent / "results" / "change.json"


def run(data: Path, whole: bool, out: Path) -> None:
    import networkx  # noqa: F401  # loaded before timing, as in a running process
    from rdflib import URIRef

    from pcr_graph.analysis.change import diff_dates, what_if_remove
    from pcr_graph.analysis.derived import ensure_derived
    from pcr_graph.store.engines import Table
    from pcr_graph.store.project import Project

    record: dict[str, Any] = {"load_average_before": os.getloadavg()}

    def timed(name: str, action: Callable[[], Any]) -> Any:
        began, cpu = time.perf_counter(), time.process_time()
        result = action()
        record[name] = round(time.perf_counter() - began, 3)
        record[f"{name}_cpu"] = round(time.process_time() - cpu, 3)
        print(f"{name:<22} {record[name]:8.3f} s  cpu {record[f'{name}_cpu']:.3f} s", flush=True)
        return result

    with tempfile.TemporaryDirectory(prefix="pcr-change-") as tmp:
        imports = Path(tmp) / "imports"
        imports.mkdir()
        (imports / "synthetic-england.ttl").symlink_to(data.resolve())
        store = timed("open", Project(workspace=Path(tmp), include_demo=False).open)
        timed("derive", lambda: ensure_derived(store))
    sizes = store.query(
        "SELECT ?a (COUNT(?p) AS ?n) WHERE { ?p a pcr:Provider ; pcr:operatesIn ?a } "
        "GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1"
    )
    assert isinstance(sizes, Table)
    largest = URIRef(str(sizes.rows[0][0]))
    found = store.query(
        "SELECT ?p ?a WHERE { ?p a pcr:Provider ; pcr:operatesIn ?a ; "
        "pcr:sector/skos:broader* sector:nhs-trust } ORDER BY ?p LIMIT 1",
        {"a": largest},
    )
    assert isinstance(found, Table)
    trust = URIRef(str(found.rows[0][0]))
    record.update(largest_area=[str(largest), int(str(sizes.rows[0][1]))], trust=str(trust))
    old, new = dt.date(2019, 4, 1), dt.date(2024, 4, 1)
    what_if = timed("what_if", lambda: what_if_remove(store, trust, largest))
    changes = timed("diff", lambda: diff_dates(store, old, new, [largest]))
    timed("what_if_again", lambda: what_if_remove(store, trust, largest))
    timed("diff_again", lambda: diff_dates(store, old, new, [largest]))
    record.update(what_if_changes=len(what_if.changes), diff_changes=len(changes))
    if whole:
        whole_what_if = timed(
            "what_if_whole", lambda: what_if_remove(store, trust, largest, scope=False)
        )
        whole_diff = timed(
            "diff_whole", lambda: diff_dates(store, old, new, [largest], scope=False)
        )
        record["what_if_identical"] = whole_what_if == what_if
        record["diff_identical"] = whole_diff == changes
        record["ratios"] = {
            "what-if whole / area copy": round(record["what_if_whole"] / record["what_if"], 1),
            "diff whole / area copy": round(record["diff_whole"] / record["diff"], 1),
        }
    record["load_average_after"] = os.getloadavg()
    payload = {
        "benchmark": "change",
        "data": data.name,
        **machine(),
        "budget_s": {"what_if": 2.0, "diff": 2.0},
        "note": (
            "One run on a shared 2-core machine (see the load averages); the command's own "
            "work with the store in memory. CPU counts every thread: the two halves of each "
            "command (before/after, or the two dates) run side by side."
        ),
        "results": record,
    }
    write_results(out, payload)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a synthetic England")
    parser.add_argument("--whole", action="store_true", help="also time whole copies")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    run(args.data, args.whole, args.out)


if __name__ == "__main__":
    main()
