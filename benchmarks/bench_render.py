"""How long an area map takes to build, and to become interactive in Chromium.

Generates fictional areas of 100, 1,000 and 2,000 providers (about 2.5 links each, plus
planning forums with members and a few gap hits), times ``render_area_html``; then, in
Debian's Chromium in a 1400x900 window: the time from opening the file until the page sets
``window.pcrReady`` (open to interactive), click to next frame on nodes (``click_ms``: in the
view with every provider drawn), and for areas that open on the sector summary the click
on the biggest sector (``group_click_ms``: to the next frame; ``group_open_ms``: until its
providers are drawn) and clicks inside it (``sector_click_ms``). Writes
``benchmarks/results/render.json`` and prints a table. Never asserts a time.

Run: ``.venv/bin/python benchmarks/bench_render.py`` (or ``make bench``).
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pcr_graph.core.files import atomic_write_text
from pcr_graph.render.maps import (
    AreaMap,
    MapEdge,
    MapGap,
    MapNode,
    render_area_html,
    write_html,
)

SIZES = (100, 1_000, 2_000)
REPEATS = 3
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parent / "results" / "render.json"

# (notation, label, weight): roughly the mix of a real area, dominated by GP practices
# and care homes.
SECTORS = (
    ("acute-trust", "Acute trust", 2),
    ("emergency-department", "Emergency department", 1),
    ("ambulance", "Ambulance", 1),
    ("community-health", "Community health", 1),
    ("mental-health", "Mental health", 1),
    ("gp-practice", "GP practice", 25),
    ("pharmacy", "Pharmacy", 8),
    ("care-home", "Care home", 30),
    ("domiciliary-care", "Domiciliary care", 15),
    ("local-authority", "Local authority", 1),
    ("voluntary-sector", "Voluntary sector", 8),
    ("hospice", "Hospice", 1),
)
LINK_TYPES = (
    "mutual-aid",
    "discharge-coordination",
    "information-sharing",
    "joint-planning",
    "shared-pathway",
    "staff-redeployment",
)
BASE = "https://w3id.org/pcr-graph/id/wb/bench/"


def fictional_area(providers: int, seed: int = 1) -> AreaMap:
    """A fictional area with ``providers`` providers and about 2.5 links per provider."""
    rng = random.Random(seed)
    weights = [w for _, _, w in SECTORS]
    nodes: list[MapNode] = []
    for i in range(providers):
        notation, label, _ = rng.choices(SECTORS, weights=weights)[0]
        nodes.append(
            MapNode(
                f"{BASE}provider/p{i}",
                f"Fictional {label} {i}",
                "provider",
                (notation,),
                (label,),
                (("ODS", f"ZZ{i:04d}"),),
            )
        )
    edges: list[MapEdge] = []
    for k in range(providers * 5 // 4):  # 1.25 edges per provider = degree 2.5
        a, b = rng.sample(range(providers), 2)
        kind = rng.choice(LINK_TYPES)
        label = kind.replace("-", " ").capitalize()
        edges.append(
            MapEdge(
                f"{BASE}link/l{k}",
                nodes[a].id,
                nodes[b].id,
                "link",
                kind,
                label,
                period="2020-04-01 – 2021-03-31",
                evidence=("Fictional review note, 2020-10-01",),
            )
        )
    forums = [
        MapNode(f"{BASE}forum/f{j}", f"Fictional forum {j}", "forum", (), ())
        for j in range(max(2, providers // 100))
    ]
    for forum in forums:
        for m in rng.sample(range(providers), 10):
            edges.append(
                MapEdge(f"{forum.id}/m{m}", forum.id, nodes[m].id, "membership", label="Member")
            )
    linked = {e.source for e in edges} | {e.target for e in edges}
    lonely = [n.id for n in nodes if n.id not in linked]
    gaps = [MapGap("isolated-provider", "medium", f"{len(lonely)} providers have no links.")]
    gaps += [
        MapGap("isolated-provider", "low", f"Provider {i} has no collaboration links.", (i,))
        for i in lonely[:50]
    ]
    return AreaMap(
        "bench",
        f"Fictional area of {providers} providers",
        "Fictional benchmark data",
        tuple(nodes) + tuple(forums),
        tuple(edges),
        tuple(gaps),
    )


def time_build(area: AreaMap) -> tuple[list[float], str]:
    times: list[float] = []
    page = ""
    for _ in range(REPEATS):
        start = time.perf_counter()
        page = render_area_html(area)
        times.append(time.perf_counter() - start)
    return times, page


_ARM_CLICK = """
() => {
  window.__pcrClick = null;
  const canvas = window.pcrNetwork.canvas.frame.canvas;
  canvas.addEventListener("pointerdown", () => { window.__pcrDown = performance.now(); },
    {capture: true, once: true});
  window.pcrNetwork.once("click", () => requestAnimationFrame(() => {
    window.__pcrClick = performance.now() - window.__pcrDown;
  }));
}
"""
_WAIT = """(name) => new Promise((resolve) => {
  const check = () => window[name] ? resolve(true) : setTimeout(check, 5);
  check();
})"""


def _click(page: Any, node_id: str) -> float:
    """Click a node; milliseconds from pointer down to the next frame after vis's click."""
    x, y = page.evaluate(
        """(id) => { const net = window.pcrNetwork;
          const p = net.canvasToDOM(net.getPositions([id])[id]);
          const r = net.canvas.frame.canvas.getBoundingClientRect();
          return [r.left + p.x, r.top + p.y]; }""",
        node_id,
    )
    page.evaluate(_ARM_CLICK)
    page.mouse.click(x, y)
    page.evaluate(_WAIT, "__pcrClick")
    return float(page.evaluate("window.__pcrClick"))


def _node_clicks(page: Any, count: int = 5) -> list[float]:
    ids = page.evaluate(
        "(n) => window.pcrData.nodes.get({filter: x => !x.hidden}).slice(0, n).map(x => x.id)",
        count,
    )
    out = []
    for node_id in ids:
        out.append(_click(page, node_id))
        page.wait_for_timeout(100)
    return out


def time_interactive(files: dict[int, Path]) -> dict[int, dict[str, Any]]:
    """Open each map in a 1400x900 window; time it to interactive and its clicks."""
    from playwright.sync_api import sync_playwright

    out: dict[int, dict[str, Any]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        version = browser.version
        for size, path in files.items():
            row: dict[str, Any] = {
                "wall_s": [],
                "in_page_s": [],
                "click_ms": [],
                "chromium": version,
            }
            for _ in range(REPEATS):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.evaluate(_WAIT, "pcrReady")
                row["wall_s"].append(time.perf_counter() - start)
                row["in_page_s"].append(page.evaluate("window.pcrReadyMs") / 1000)
                row["view"] = page.evaluate("window.pcrView()")
                if row["view"] == "groups":
                    # Open the biggest sector: the click is answered in the next frame, the
                    # sector's providers are drawn in the task after it.
                    group = page.evaluate(
                        "window.pcrNetwork.body.data.nodes.get()"
                        ".sort((a, b) => b.size - a.size)[0].id"
                    )
                    row.setdefault("group_click_ms", []).append(_click(page, group))
                    page.evaluate(_WAIT, "pcrOpened")
                    row.setdefault("group_open_ms", []).append(
                        page.evaluate("window.pcrOpenedAt - window.__pcrDown")
                    )
                    row.setdefault("sector_click_ms", []).extend(_node_clicks(page))
                    page.click("#pcr-all")
                    page.wait_for_timeout(300)
                row["click_ms"].extend(_node_clicks(page))
                page.close()
            out[size] = row
        browser.close()
    return out


def main() -> None:
    cold_start = time.perf_counter()
    render_area_html(fictional_area(10))  # first call imports pyvis and reads vis-network
    cold = time.perf_counter() - cold_start
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        files: dict[int, Path] = {}
        for size in SIZES:
            area = fictional_area(size)
            build, page = time_build(area)
            path = Path(folder) / f"area-{size}.html"
            write_html(path, page)
            files[size] = path
            rows.append(
                {
                    "providers": size,
                    "nodes": len(area.nodes),
                    "edges": len(area.edges),
                    "html_bytes": len(page.encode("utf-8")),
                    "build_s": build,
                }
            )
        browser_times = time_interactive(files)
    for row in rows:
        row.update(browser_times[row["providers"]])
    report = {
        "benchmark": "render",
        "repeats": REPEATS,
        "first_call_s": cold,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "results": rows,
    }
    atomic_write_text(RESULTS, json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(f"first call (imports pyvis): {cold:.2f} s; median of {REPEATS} runs below")
    print(f"{'providers':>9} {'nodes':>6} {'edges':>6} {'HTML kB':>8} {'build s':>8} "
          f"{'ready s':>8} {'in-page s':>9} {'click ms':>8} {'group ms':>8} "
          f"{'open ms':>8}")  # fmt: skip
    for row in rows:
        group = row.get("group_click_ms")
        opened = row.get("group_open_ms")
        print(
            f"{row['providers']:>9} {row['nodes']:>6} {row['edges']:>6} "
            f"{row['html_bytes'] / 1024:>8.0f} {statistics.median(row['build_s']):>8.3f} "
            f"{statistics.median(row['wall_s']):>8.3f} {statistics.median(row['in_page_s']):>9.3f} "
            f"{statistics.median(row['click_ms']):>8.1f} "
            f"{statistics.median(group) if group else 0:>8.1f} "
            f"{statistics.median(opened) if opened else 0:>8.1f}"
        )
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
