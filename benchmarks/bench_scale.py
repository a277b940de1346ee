"""England scale: the whole country's providers on one laptop, engine against engine.

For each size (default 1,000, 10,000 and 55,000 providers) a synthetic England is written
with :func:`pcr_graph.ingest.synth.write_synthetic` and every step of the product is timed on each
engine, side by side in one run:

- ``oxigraph-memory``: the embedded default; load, validate (compiled SPARQL), the gap rules
  alone, the full national gap report, metrics of the largest area, the map of the largest
  area and of the area nearest 1,000 providers;
- ``oxigraph-one-thread``: the same store with its queries answered one at a time (as before
  the gap report and the validator ran them concurrently): load, validate, gap report;
- ``pyshacl``: the reference validator on the same Oxigraph store (it copies the store into
  rdflib first);
- ``oxigraph-disk``: ``--store DIR`` built cold (Oxigraph's bulk loader), then, in a new
  process, opened warm (no parsing) and every query step again;
- ``rdflib-memory``: rdflib's in-memory store, the reference engine;
- ``python-floor``: the 13 gap rules over the synthetic model in plain Python dicts, the
  floor any engine is measured against (its hit counts must equal the SPARQL ones).

Every engine runs in its own subprocess, so that peak memory (``ru_maxrss`` after each
step, i.e. the peak so far) is its own, and a step that takes longer than ``--cap`` seconds
is stopped and recorded as "did not finish within N s" (later steps of that engine are then
skipped). Results, with ratios and the load average of this shared machine before and after
each engine, go to ``benchmarks/results/scale.json``. Never asserts a time.

Run::

    .venv/bin/python benchmarks/bench_scale.py                   # 1k, 10k, 55k (~10 min)
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000 --cap 60
    .venv/bin/python benchmarks/bench_scale.py --sizes 55000 --profile   # + cProfile tops
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from results_file import machine, write_results  # type: ignore[import-not-found]

RESULTS = Path(__file__).resolve().parent / "results" / "scale.json"
SIZES = (1_000, 10_000, 55_000)
CAP = 60.0
SEED = 1
ENGINES = ("oxigraph-memory", "oxigraph-one-thread", "pyshacl", "oxigraph-disk", "rdflib-memory")

# --- the plain-Python floor -----------------------------------------------------------------


def _sector_parents() -> dict[str, str | None]:
    from pcr_graph.core.vocab import sectors

    scheme = sectors()
    return {
        scheme.notation[concept]: scheme.notation[parents[0]] if parents else None
        for concept, parents in scheme.broader.items()
    }


SECTOR_PARENT = _sector_parents()
"""ontology/sectors.ttl as a dict, read once before any timing (the floor then reads no RDF)."""


def _default_profile() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """graph/profile-default.ttl: the sectors expected at the planning table and the pathways.

    Read, like the sector hierarchy, before any timing, so the floor judges against the same
    expectations as the rules. The floor counts any link type, so a pathway that names one
    is refused rather than silently judged differently.
    """
    from rdflib import RDF, Graph

    from pcr_graph.core.namespaces import PCR
    from pcr_graph.core.resources import PROFILE_FILE, graph_dir
    from pcr_graph.core.vocab import sectors

    notation = sectors().notation
    profile = Graph().parse(graph_dir() / PROFILE_FILE)
    planning = sorted(
        notation[s]
        for e in profile.subjects(RDF.type, PCR.PlanningExpectation)
        for s in profile.objects(e, PCR.sector)
    )
    pathways = []
    for e in profile.subjects(RDF.type, PCR.PathwayExpectation):
        if (e, PCR.linkType, None) in profile:
            raise SystemExit(f"{PROFILE_FILE}: the floor cannot judge typed pathways ({e})")
        for one in profile.objects(e, PCR.fromSector):
            for other in profile.objects(e, PCR.toSector):
                pathways.append((notation[one], notation[other]))
    return tuple(planning), tuple(sorted(pathways))


PLANNING_SECTORS, PATHWAYS = _default_profile()


def _closure(sector: str) -> set[str]:
    found: set[str] = set()
    current: str | None = sector
    while current is not None:
        found.add(current)
        current = SECTOR_PARENT[current]
    return found


def floor_gaps(england: Any) -> dict[str, int]:
    """Hits per gap rule, computed over the synthetic model with plain dicts and sets."""
    providers = range(england.providers)
    direct: list[set[str]] = [set(s) for s in england.sectors]
    closure: list[set[str]] = [
        set().union(*(_closure(s) for s in sectors)) for sectors in england.sectors
    ]
    in_area: dict[int, list[int]] = defaultdict(list)
    for p in providers:
        for area in england.areas[p]:
            in_area[area].append(p)
    links_in: dict[int, list[Any]] = defaultdict(list)
    links_of: dict[int, list[Any]] = defaultdict(list)
    for link in england.links:
        for area in link.areas:
            links_in[area].append(link)
        for p in link.participants:
            links_of[p].append(link)
    forums_in: dict[int, list[Any]] = defaultdict(list)
    for forum in england.forums:
        forums_in[forum.area].append(forum)
    hits: dict[str, int] = defaultdict(int)

    for forums in forums_in.values():
        seated = {m for f in forums for m in f.members}
        for sector in PLANNING_SECTORS:
            if not any(sector in closure[m] for m in seated):
                hits["sector-missing-from-planning"] += 1
    for rule, sector in (
        ("care-home-without-discharge-link", "care-home"),
        ("home-care-without-discharge-link", "domiciliary-care"),
    ):
        for area, members in in_area.items():
            for p in members:
                if sector in closure[p] and not any(
                    link.type == "discharge-coordination"
                    and any(
                        q != p and "nhs-trust" in closure[q] and area in england.areas[q]
                        for q in link.participants
                    )
                    for link in links_of[p]
                ):
                    hits[rule] += 1
    for area in in_area:
        for one, other in PATHWAYS:
            found = False
            for link in links_in[area]:
                a = [x for x in link.participants if one in closure[x]]
                b = [y for y in link.participants if other in closure[y]]
                if a and b and not (len(a) == len(b) == 1 and a == b):
                    found = True
                    break
            if not found:
                hits["missing-pathway"] += 1
    for area, members in in_area.items():
        linked = [p for p in members if links_of[p]]
        hits["provider-without-links"] += len(members) - len(linked)
        bridges: dict[str, set[int]] = defaultdict(set)
        for link in links_in[area]:
            for inside in link.participants:
                for sector in direct[inside]:
                    if any(sector not in direct[o] for o in link.participants):
                        bridges[sector].add(inside)
        for sector in {s for p in members for s in direct[p]}:
            if not bridges[sector]:
                hits["isolated-sector"] += 1
            elif len(bridges[sector]) == 1:
                (bridge,) = bridges[sector]
                if any(sector in direct[p] and p != bridge for p in members):
                    hits["single-point-of-failure"] += 1
        if area not in forums_in:
            hits["area-without-planning-forum"] += 1
    for forum in england.forums:
        if forum.members and all("nhs" in closure[m] for m in forum.members):
            hits["forum-without-non-nhs-member"] += 1
    for _area, links in links_in.items():
        if not any(link.type == "mutual-aid" for link in links):
            hits["area-without-mutual-aid"] += 1
        if not any(link.theme == "tackling-inequalities" for link in links):
            hits["area-without-inequalities-initiative"] += 1
        for link in links:
            if england.evidence[link.evidence].date < "2020-03-01":
                hits["stale-evidence"] += 1
    hits["link-without-evidence"] += 0  # every synthetic link cites evidence
    return dict(sorted(hits.items()))


# --- the child: one engine, step by step ------------------------------------------------------


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _say(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def _step(name: str, action: Callable[[], dict[str, Any] | None]) -> None:
    _say({"start": name})
    began = time.perf_counter()
    extra = action() or {}
    seconds = time.perf_counter() - began
    _say({"step": name, "seconds": round(seconds, 4), "peak_rss_mb": _peak_mb(), **extra})


def _profiled(action: Callable[[], Any], top: int = 15) -> tuple[Any, list[str]]:
    import cProfile
    import io
    import pstats

    profile = cProfile.Profile()
    result = profile.runcall(action)
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(top)
    lines = [
        line.strip()
        for line in text.getvalue().splitlines()
        if line.strip() and line.strip()[0].isdigit()
    ]
    return result, lines[:top]


def child(job: str, data: Path, store_dir: Path | None, areas: list[str], profile: bool) -> None:
    from rdflib import URIRef

    from pcr_graph.analysis.gaps import gap_rules, run_gaps
    from pcr_graph.analysis.network import metrics_for
    from pcr_graph.analysis.queries import bind_params
    from pcr_graph.core.resources import ontology_files, reference_files
    from pcr_graph.render.mapdata import area_map
    from pcr_graph.render.maps import render_area_html, write_html
    from pcr_graph.render.report_text import to_markdown
    from pcr_graph.store.engines import Store, open_persistent, open_store
    from pcr_graph.validation.validate import validate

    files = [*ontology_files(), *reference_files(include_demo=False), data]
    state: dict[str, Any] = {}
    largest, nearest = URIRef(areas[0]), URIRef(areas[1])

    if job == "oxigraph-one-thread":
        from pcr_graph.store.engines import OxigraphStore

        OxigraphStore.concurrent = False  # this child process only

    def load() -> dict[str, Any]:
        if job in ("oxigraph-disk-build", "oxigraph-disk-warm"):
            # Cold: built with the bulk loader; warm: reopened, nothing parsed.
            assert store_dir is not None
            state["store"] = open_persistent(files, store_dir)
        else:
            engine = "rdflib" if job == "rdflib-memory" else "oxigraph"
            state["store"] = open_store(files, engine)
        return {"triples": len(state["store"])}

    def store() -> Store:
        value: Store = state["store"]
        return value

    def validate_with(engine: str) -> Callable[[], dict[str, Any]]:
        def run() -> dict[str, Any]:
            return {"violations": len(validate(store(), engine))}

        return run

    def rules() -> dict[str, Any]:
        per_rule = {}
        for query in gap_rules():
            began = time.perf_counter()
            table = store().select(query.text, bind_params(store(), query, {}))
            per_rule[query.name] = {
                "seconds": round(time.perf_counter() - began, 4),
                "hits": len(table),
            }
        return {"rules": per_rule}

    def gaps() -> dict[str, Any]:
        if profile:
            report, tops = _profiled(lambda: run_gaps(store()))
        else:
            report, tops = run_gaps(store()), []
        state["report"] = report
        began = time.perf_counter()
        text = report.to_json() + to_markdown(report, "National gap analysis")
        counts: dict[str, int] = defaultdict(int)
        for hit in report.hits:
            counts[hit.rule] += 1
        out: dict[str, Any] = {
            "hits": len(report.hits),
            "hits_per_rule": dict(sorted(counts.items())),
            "format_seconds": round(time.perf_counter() - began, 4),
            "report_chars": len(text),
        }
        if tops:
            out["profile_top_tottime"] = tops
        return out

    def metrics() -> dict[str, Any]:
        m = metrics_for(store(), largest)
        return {"area": str(largest), "providers": m.providers, "links": m.links}

    def draw(area: URIRef, name: str) -> Callable[[], dict[str, Any]]:
        def run() -> dict[str, Any]:
            report = state.get("report")
            began = time.perf_counter()
            data_ = area_map(store(), area, report)
            gathered = time.perf_counter() - began
            began = time.perf_counter()
            page = render_area_html(data_)
            rendered = time.perf_counter() - began
            began = time.perf_counter()
            target = Path(tempfile.mkdtemp()) / f"{name}.html"
            write_html(target, page)
            written = time.perf_counter() - began
            shutil.rmtree(target.parent, ignore_errors=True)
            return {
                "area": str(area),
                "nodes": len(data_.nodes),
                "edges": len(data_.edges),
                "html_bytes": len(page.encode("utf-8")),
                "area_map_seconds": round(gathered, 4),
                "render_seconds": round(rendered, 4),
                "write_seconds": round(written, 4),
            }

        return run

    _say({"load_average": os.getloadavg()})
    _step("load", load)
    if job == "oxigraph-disk-build":
        return
    if job == "pyshacl":
        _step("validate", validate_with("pyshacl"))
        return
    if job == "oxigraph-one-thread":
        _step("validate", validate_with("fast"))
        _step("gaps", gaps)
        return
    if job == "rdflib-memory":
        _step("validate", validate_with("pyshacl"))
    else:
        _step("validate", validate_with("fast"))
    if job != "oxigraph-disk-warm":  # rule by rule once is enough; the report follows
        _step("rules", rules)
    _step("gaps", gaps)
    _step("map_largest", draw(largest, "largest"))
    _step("map_nearest_1000", draw(nearest, "nearest-1000"))
    _step("metrics", metrics)  # last: NetworkX on the largest area is the slowest step
    _say({"load_average": os.getloadavg()})


def synth_job(providers: int, seed: int, path: Path) -> None:
    """Synthesise and write; also run the plain-Python floor on the model."""
    from pcr_graph.ingest.synth import write_synthetic

    _say({"load_average": os.getloadavg()})
    _say({"start": "synth"})
    began = time.perf_counter()
    england = write_synthetic(path, providers, seed)
    seconds = time.perf_counter() - began
    sizes = england.area_sizes()
    nearest = min(range(len(sizes)), key=lambda a: (abs(sizes[a] - 1_000), a))
    _say(
        {
            "step": "synth",
            "seconds": round(seconds, 4),
            "peak_rss_mb": _peak_mb(),
            "bytes": path.stat().st_size,
            "triples": england.triples(),
            "counts": england.counts(),
            "areas": [
                england.area_iri(england.largest_area()),
                england.area_iri(nearest),
            ],
            "largest_area_providers": max(sizes),
            "nearest_1000_providers": sizes[nearest],
        }
    )
    _say({"start": "floor"})
    began = time.perf_counter()
    hits = floor_gaps(england)
    _say(
        {
            "step": "floor",
            "seconds": round(time.perf_counter() - began, 4),
            "peak_rss_mb": _peak_mb(),
            "hits_per_rule": hits,
        }
    )


# --- the parent: run children with caps, collect, compare -------------------------------------


def _run(args: list[str], cap: float) -> Iterator[dict[str, Any]]:
    """Run a child; yield its records; stop it if a step runs past ``cap`` seconds."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    assert process.stdout is not None and process.stderr is not None
    fd = process.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    current = ""
    deadline = time.monotonic() + cap
    pending = b""
    try:
        while True:
            # Read the pipe unbuffered: a buffered reader could hold a line that select()
            # no longer sees, and the child would be taken for stuck.
            while b"\n" not in pending:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    yield {"step": current, "status": f"did not finish within {cap:g} s"}
                    return
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                pending += chunk
            if b"\n" not in pending:
                break
            line, pending = pending.split(b"\n", 1)
            record = json.loads(line)
            if "start" in record:
                current = record["start"]
                deadline = time.monotonic() + cap
            yield record
    finally:
        selector.close()
    if process.wait() != 0:
        error = process.stderr.read().decode("utf-8", "replace")
        yield {"step": current, "status": f"failed: {error[-2000:]}"}


def _collect(args: list[str], cap: float, label: str) -> dict[str, Any]:
    steps: dict[str, Any] = {}
    loads = []
    began = time.perf_counter()
    for record in _run(args, cap):
        if "load_average" in record:
            loads.append([round(x, 2) for x in record["load_average"]])
        elif "step" in record:
            name = record.pop("step")
            steps[name] = record
            shown = record.get("status") or f"{record['seconds']:.2f} s"
            print(f"  {label:<20} {name:<18} {shown}", flush=True)
    return {"steps": steps, "load_average": loads, "wall_s": round(time.perf_counter() - began, 2)}


def _seconds(engine: dict[str, Any], step: str) -> float | None:
    record = engine.get("steps", {}).get(step, {})
    value = record.get("seconds")
    return float(value) if value is not None else None


def _ratio(slow: float | None, fast: float | None) -> float | str:
    if slow is None or fast is None or fast <= 0:
        return "n/a"
    return round(slow / fast, 1)


def ratios(result: dict[str, Any], cap: float) -> dict[str, Any]:
    engines = result["engines"]
    memory = engines.get("oxigraph-memory", {})
    out: dict[str, Any] = {}
    rdflib = engines.get("rdflib-memory", {})
    for step in ("load", "rules", "gaps", "map_largest", "metrics"):
        slow = _seconds(rdflib, step)
        fast = _seconds(memory, step)
        if "skipped" in rdflib:
            out[f"rdflib/oxigraph {step}"] = f"not run ({rdflib['skipped']})"
        elif rdflib and slow is None and fast is not None:
            out[f"rdflib/oxigraph {step}"] = f"> {cap / fast:.0f} (rdflib did not finish)"
        elif rdflib:
            out[f"rdflib/oxigraph {step}"] = _ratio(slow, fast)
    compiled = _seconds(memory, "validate")
    if "skipped" in engines.get("pyshacl", {}):
        out["pyshacl/fast validate"] = f"not run ({engines['pyshacl']['skipped']})"
    elif "pyshacl" in engines:
        reference = _seconds(engines["pyshacl"], "validate")
        if reference is None and compiled:
            out["pyshacl/fast validate"] = f"> {cap / compiled:.0f} (pySHACL did not finish)"
        else:
            out["pyshacl/fast validate"] = _ratio(reference, compiled)
    if "oxigraph-disk-warm" in engines:
        warm = engines["oxigraph-disk-warm"]
        out["disk warm/memory gaps"] = _ratio(_seconds(warm, "gaps"), _seconds(memory, "gaps"))
        out["disk warm open / memory load"] = _ratio(
            _seconds(warm, "load"), _seconds(memory, "load")
        )
    if "oxigraph-one-thread" in engines:
        single = engines["oxigraph-one-thread"]
        for step in ("validate", "gaps"):
            out[f"one thread/concurrent {step}"] = _ratio(
                _seconds(single, step), _seconds(memory, step)
            )
    floor = result.get("floor", {}).get("seconds")
    out["oxigraph rules / python floor"] = _ratio(_seconds(memory, "rules"), floor)
    cold = [_seconds(memory, s) for s in ("load", "validate", "gaps")]
    if all(c is not None for c in cold):
        total = sum(c for c in cold if c)
        out["oxigraph cold load+validate+gaps s"] = round(total, 2)
        if rdflib and "skipped" not in rdflib:
            # rdflib's cold run, its validate being pySHACL; a step that did not finish
            # counts as the cap, so the ratio is then a lower bound.
            spent, bound = 0.0, False
            for step in ("load", "validate", "rules", "gaps"):
                seconds = _seconds(rdflib, step)
                if seconds is None:
                    spent, bound = spent + cap, True
                    break
                if step != "rules":
                    spent += seconds
            ratio = round(spent / total, 1)
            out["rdflib/oxigraph cold load+validate+gaps"] = f"> {ratio}" if bound else ratio
    return out


def _agreement(result: dict[str, Any]) -> dict[str, Any]:
    floor = result.get("floor", {}).get("hits_per_rule")
    sparql = result["engines"].get("oxigraph-memory", {}).get("steps", {}).get("gaps", {})
    rules = (
        result["engines"].get("oxigraph-memory", {}).get("steps", {}).get("rules", {}).get("rules")
    )
    if not floor or not sparql.get("hits_per_rule"):
        return {}
    report = {r: sparql["hits_per_rule"].get(r, 0) for r in floor}
    return {
        "floor_equals_gap_report": report == floor,
        "differences": {r: [floor[r], report[r]] for r in floor if floor[r] != report[r]},
        "rules_step_equals_gap_report": bool(rules)
        and all(rules[r]["hits"] == report.get(r, 0) for r in floor if r in rules),
    }


def parent(
    sizes: list[int], cap: float, engines: list[str], seed: int, profile: bool, out: Path
) -> None:
    results = []
    gave_up: dict[str, str] = {}  # engine -> why it is not run at bigger sizes
    with tempfile.TemporaryDirectory(prefix="pcr-scale-") as tmp:
        for providers in sorted(sizes):
            print(f"{providers} providers", flush=True)
            data = Path(tmp) / f"england-{providers}.ttl"
            synth = _collect(
                ["--synth", str(providers), "--seed", str(seed), "--data", str(data)],
                cap * 3,
                "synth",
            )
            facts = synth["steps"].get("synth", {})
            result: dict[str, Any] = {
                "providers": providers,
                "dataset": {k: v for k, v in facts.items() if k != "areas"},
                "floor": synth["steps"].get("floor", {}),
                "engines": {},
            }
            areas = facts["areas"]
            common = ["--data", str(data), "--areas", *areas]
            store_dir = Path(tmp) / f"store-{providers}"
            for engine in engines:
                if engine == "oxigraph-disk":
                    for job in ("oxigraph-disk-build", "oxigraph-disk-warm"):
                        args = ["--child", job, *common, "--store-dir", str(store_dir)]
                        # Building is a one-off (like synthesising): it gets a longer cap.
                        limit = cap * 3 if job == "oxigraph-disk-build" else cap
                        result["engines"][job] = _collect(args, limit, job)
                    shutil.rmtree(store_dir, ignore_errors=True)
                    continue
                if engine in gave_up:
                    result["engines"][engine] = {"skipped": gave_up[engine]}
                    print(f"  {engine:<20} skipped: {gave_up[engine]}", flush=True)
                    continue
                args = ["--child", engine, *common]
                if profile and engine == "oxigraph-memory":
                    args.append("--profile")
                result["engines"][engine] = _collect(args, cap, engine)
                steps = result["engines"][engine]["steps"]
                for first in ("load", "validate"):
                    if engine in ("rdflib-memory", "pyshacl") and "status" in steps.get(first, {}):
                        # A bigger England would not finish either: say so, do not wait.
                        gave_up[engine] = f"{first} did not finish within {cap:g} s at {providers}"
            result["ratios"] = ratios(result, cap)
            result["agreement"] = _agreement(result)
            for key, value in result["ratios"].items():
                print(f"  {key:<40} {value}", flush=True)
            results.append(result)
    payload = {
        "benchmark": "scale",
        **machine(),
        "cap_seconds_per_step": cap,
        "seed": seed,
        "note": (
            "One run per step on a shared 2-core machine; see load_average per engine "
            "(before, after). peak_rss_mb is ru_maxrss after the step: the peak so far in "
            "that engine's own process. Times are for comparison within this run."
        ),
        "results": results,
    }
    write_results(out, payload)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--cap", type=float, default=CAP, help="seconds allowed per step")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--profile", action="store_true", help="cProfile the gap report")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON file to write")
    # internal: run as a child
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--synth", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--areas", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.synth:
        synth_job(args.synth, args.seed, args.data)
    elif args.child:
        child(args.child, args.data, args.store_dir, args.areas, args.profile)
    else:
        parent(args.sizes, args.cap, args.engines, args.seed, args.profile, args.out)


if __name__ == "__main__":
    main()
