"""A plain-Python oracle for the 13 gap rules, over a workbook's CSV files.

Independent of the RDF pipeline on purpose (standard library only): the demo workbook's
designed hits (``graph/demo/expected-gaps.json``) are checked against this oracle, and the
SPARQL gap engine can be checked against it too. The rules follow the semantics written in
the rule headers of ``queries/*.rq`` with the default expectation profile:

- a provider "has sector S" when one of its sectors is S or lies under S (``skos:broader*``);
- a provider "operates in A" when A is in its area cell; a link "is in A" when A is in its
  area cell (an empty cell means the areas all participants share, failing that all of
  theirs, as the importer does);
- "NHS trust": has a sector under ``nhs-trust``; "outside the NHS": no sector under ``nhs``.

``compute_gaps(folder)`` returns ``{rule: [hit, ...]}`` with every rule present, each hit a
dict of workbook ids / notations, each list sorted. ``validate_workbook(folder)`` lists
integrity problems (an empty list for a good workbook). ``compute_candidates(folder)`` lists
what each rule looked at, so tests can show every rule has non-hits too.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Sector hierarchy: notation -> broader notation (None at the top).
SECTOR_PARENT: dict[str, str | None] = {
    "nhs": None,
    "nhs-trust": "nhs",
    "acute-trust": "nhs-trust",
    "emergency-department": "acute-trust",
    "ambulance": "nhs-trust",
    "community-health": "nhs-trust",
    "mental-health": "nhs-trust",
    "primary-care": "nhs",
    "gp-practice": "primary-care",
    "out-of-hours": "primary-care",
    "pharmacy": "primary-care",
    "dental": "primary-care",
    "nhs-111": "nhs",
    "urgent-treatment-centre": "nhs",
    "adult-social-care": None,
    "care-home": "adult-social-care",
    "domiciliary-care": "adult-social-care",
    "local-authority": None,
    "public-health": "local-authority",
    "voluntary-sector": None,
    "hospice": None,
    "education": None,
    "healthwatch": None,
}

LINK_TYPES: tuple[str, ...] = (
    "mutual-aid",
    "shared-governance",
    "discharge-coordination",
    "information-sharing",
    "staff-redeployment",
    "joint-planning",
    "joint-training",
    "shared-pathway",
    "community-engagement",
)

THEMES: tuple[str, ...] = (
    "ensuring-access",
    "tackling-inequalities",
    "governance-and-shared-planning",
    "safety-and-staff-skills",
    "use-of-technology",
)

FORUM_KINDS: tuple[str, ...] = (
    "ics-board",
    "ae-delivery-board",
    "discharge-cell",
    "cancer-alliance-board",
    "partnership-board",
    "other",
)

# The default expectation profile.
PLANNING_SECTORS: tuple[str, ...] = (
    "acute-trust",
    "ambulance",
    "community-health",
    "mental-health",
    "primary-care",
    "adult-social-care",
    "local-authority",
    "voluntary-sector",
    "healthwatch",
)

PATHWAYS: tuple[tuple[str, str], ...] = (
    ("ambulance", "emergency-department"),
    ("nhs-111", "primary-care"),
    ("acute-trust", "adult-social-care"),
    ("hospice", "primary-care"),
    ("mental-health", "emergency-department"),
    ("mental-health", "education"),
    ("community-health", "care-home"),
    ("local-authority", "voluntary-sector"),
)

STALE_BEFORE = dt.date(2020, 3, 1)

REVIEW_RULES: tuple[str, ...] = (
    "sector-missing-from-planning",
    "care-home-without-discharge-link",
    "home-care-without-discharge-link",
    "missing-pathway",
    "provider-without-links",
    "isolated-sector",
    "forum-without-non-nhs-member",
    "area-without-mutual-aid",
    "area-without-inequalities-initiative",
    "link-without-evidence",
    "stale-evidence",
    "single-point-of-failure",
    "area-without-planning-forum",
)
"""Rules about reviewed collaboration: each has designed hits and non-hits in the demo."""

REGISTER_RULES: tuple[str, ...] = (
    "pcn-practice-in-no-pcn",
    "pcn-single-practice",
    "pcn-practices-in-several-areas",
    "pcn-practice-in-other-area",
)
"""The PCN register rules describe published ODS structure; the fictional demo has no
Primary Care Networks, so none of them fires on it (they are tested on the real files)."""

RULES: tuple[str, ...] = REVIEW_RULES + REGISTER_RULES

HIT_KEYS: tuple[str, ...] = (
    "area",
    "sector",
    "provider",
    "forum",
    "link",
    "evidence",
    "from",
    "to",
)

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # file: (required columns, optional columns)
    "areas.csv": (("area_id", "name"), ("ons_code", "ods_code", "region")),
    "providers.csv": (
        ("provider_id", "name", "sector", "area"),
        ("ods_code", "cqc_location_id", "cqc_provider_id", "notes"),
    ),
    "forums.csv": (("forum_id", "name", "area"), ("kind", "notes")),
    "memberships.csv": (("forum_id", "provider_id"), ("role", "start", "end")),
    "links.csv": (
        ("link_id", "type", "participants"),
        ("area", "start", "end", "themes", "evidence", "notes"),
    ),
    "evidence.csv": (("evidence_id", "title"), ("publisher", "date", "url", "quote")),
}


def split_cell(cell: str | None) -> list[str]:
    """Split a ``;``-separated cell, dropping empty parts.

    >>> split_cell(" a; b ;;c ")
    ['a', 'b', 'c']
    """
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def parse_date(text: str) -> dt.date | None:
    """An ISO 8601 calendar date, or None.

    >>> parse_date("2020-03-01")
    datetime.date(2020, 3, 1)
    >>> parse_date("1/3/2020") is None
    True
    """
    if len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def broader_closure(sector: str) -> set[str]:
    """The sector and every sector above it.

    >>> sorted(broader_closure("emergency-department"))
    ['acute-trust', 'emergency-department', 'nhs', 'nhs-trust']
    """
    found: set[str] = set()
    current: str | None = sector
    while current is not None and current not in found:
        found.add(current)
        current = SECTOR_PARENT.get(current)
    return found


def read_rows(folder: Path, name: str) -> list[dict[str, str]]:
    """Rows of one CSV file (BOM and CRLF accepted); [] when the file is absent."""
    path = folder / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


@dataclass
class Workbook:
    """The parsed workbook: just what the rules need."""

    areas: list[str] = field(default_factory=list)
    provider_sectors: dict[str, list[str]] = field(default_factory=dict)
    provider_areas: dict[str, list[str]] = field(default_factory=dict)
    forum_area: dict[str, str] = field(default_factory=dict)
    forum_members: dict[str, set[str]] = field(default_factory=dict)
    links: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    evidence_date: dict[str, dt.date | None] = field(default_factory=dict)

    def has_sector(self, provider: str, sector: str) -> bool:
        """The provider has the sector or one under it."""
        return any(sector in broader_closure(s) for s in self.provider_sectors.get(provider, []))

    def has_direct(self, provider: str, sector: str) -> bool:
        """The sector is written on the provider (no hierarchy)."""
        return sector in self.provider_sectors.get(provider, [])

    def operates_in(self, provider: str, area: str) -> bool:
        return area in self.provider_areas.get(provider, [])

    def providers_in(self, area: str) -> list[str]:
        return sorted(p for p, areas in self.provider_areas.items() if area in areas)

    def links_in(self, area: str) -> list[str]:
        return sorted(lid for lid, link in self.links.items() if area in link["area"])

    def all_areas(self) -> list[str]:
        seen = set(self.areas)
        for areas in self.provider_areas.values():
            seen.update(areas)
        for area in self.forum_area.values():
            seen.add(area)
        for link in self.links.values():
            seen.update(link["area"])
        return sorted(seen)


def load_workbook(folder: Path) -> Workbook:
    wb = Workbook()
    wb.areas = [r["area_id"] for r in read_rows(folder, "areas.csv") if r.get("area_id")]
    for r in read_rows(folder, "providers.csv"):
        pid = r.get("provider_id", "")
        wb.provider_sectors[pid] = [s.lower() for s in split_cell(r.get("sector"))]
        wb.provider_areas[pid] = split_cell(r.get("area"))
    for r in read_rows(folder, "forums.csv"):
        areas = split_cell(r.get("area"))
        wb.forum_area[r.get("forum_id", "")] = areas[0] if areas else ""
        wb.forum_members.setdefault(r.get("forum_id", ""), set())
    for r in read_rows(folder, "memberships.csv"):
        wb.forum_members.setdefault(r.get("forum_id", ""), set()).add(r.get("provider_id", ""))
    for r in read_rows(folder, "evidence.csv"):
        wb.evidence_date[r.get("evidence_id", "")] = parse_date(r.get("date", ""))
    for r in read_rows(folder, "links.csv"):
        participants = sorted(set(split_cell(r.get("participants"))))
        areas = split_cell(r.get("area"))
        if not areas:
            sets = [set(wb.provider_areas.get(p, [])) for p in participants]
            shared = set.intersection(*sets) if sets else set()
            areas = sorted(shared or (set.union(*sets) if sets else set()))
        wb.links[r.get("link_id", "")] = {
            "type": [r.get("type", "").lower()],
            "participants": participants,
            "area": areas,
            "themes": [t.lower() for t in split_cell(r.get("themes"))],
            "evidence": split_cell(r.get("evidence")),
        }
    return wb


def _sorted(hits: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    unique = {tuple(sorted(h.items())): h for h in hits}
    return sorted(unique.values(), key=lambda h: tuple(h.get(k, "") for k in HIT_KEYS))


def _cross_sector_bridges(wb: Workbook, area: str, sector: str) -> set[str]:
    """Participants with ``sector`` written directly, in links of ``area`` that also have a
    participant without it."""
    bridges: set[str] = set()
    for lid in wb.links_in(area):
        parts = wb.links[lid]["participants"]
        inside = [p for p in parts if wb.has_direct(p, sector)]
        if inside and any(not wb.has_direct(p, sector) for p in parts):
            bridges.update(inside)
    return bridges


def _direct_sectors(wb: Workbook, area: str) -> list[str]:
    return sorted({s for p in wb.providers_in(area) for s in wb.provider_sectors[p]})


def _without_discharge_link(wb: Workbook, sector: str) -> list[dict[str, str]]:
    hits = []
    for area in wb.all_areas():
        for p in wb.providers_in(area):
            if not wb.has_sector(p, sector):
                continue
            linked = any(
                link["type"] == ["discharge-coordination"]
                and p in link["participants"]
                and any(
                    q != p and wb.has_sector(q, "nhs-trust") and wb.operates_in(q, area)
                    for q in link["participants"]
                )
                for link in wb.links.values()
            )
            if not linked:
                hits.append({"area": area, "provider": p})
    return hits


def compute_gaps(workbook_dir: Path) -> dict[str, list[dict[str, str]]]:
    """Every rule's hits over the workbook in ``workbook_dir``."""
    wb = load_workbook(Path(workbook_dir))
    areas = wb.all_areas()
    gaps: dict[str, list[dict[str, str]]] = {rule: [] for rule in RULES}
    forum_areas = set(wb.forum_area.values())
    linked = {p for link in wb.links.values() for p in link["participants"]}

    # 1. sector-missing-from-planning
    for area in sorted(forum_areas):
        members = {
            m for f, a in wb.forum_area.items() if a == area for m in wb.forum_members.get(f, ())
        }
        for sector in PLANNING_SECTORS:
            if not any(wb.has_sector(m, sector) for m in members):
                gaps["sector-missing-from-planning"].append({"area": area, "sector": sector})

    # 2, 3. care homes and home care without a discharge link to an NHS trust of their area
    gaps["care-home-without-discharge-link"] = _without_discharge_link(wb, "care-home")
    gaps["home-care-without-discharge-link"] = _without_discharge_link(wb, "domiciliary-care")

    # 4. missing-pathway
    for area in areas:
        if not wb.providers_in(area):
            continue
        for one, other in PATHWAYS:
            found = False
            for lid in wb.links_in(area):
                parts = wb.links[lid]["participants"]
                if any(
                    a != b and wb.has_sector(a, one) and wb.has_sector(b, other)
                    for a in parts
                    for b in parts
                ):
                    found = True
                    break
            if not found:
                gaps["missing-pathway"].append({"area": area, "from": one, "to": other})

    for area in areas:
        providers = wb.providers_in(area)
        area_links = wb.links_in(area)
        # 5. provider-without-links
        for p in providers:
            if p not in linked:
                gaps["provider-without-links"].append({"area": area, "provider": p})
        for sector in _direct_sectors(wb, area):
            bridges = _cross_sector_bridges(wb, area, sector)
            # 6. isolated-sector
            if not bridges:
                gaps["isolated-sector"].append({"area": area, "sector": sector})
            # 12. single-point-of-failure
            size = sum(1 for p in providers if wb.has_direct(p, sector))
            if len(bridges) == 1 and size >= 2:
                (bridge,) = bridges
                gaps["single-point-of-failure"].append(
                    {"area": area, "sector": sector, "provider": bridge}
                )
        if area_links:
            # 8. area-without-mutual-aid
            if not any(wb.links[lid]["type"] == ["mutual-aid"] for lid in area_links):
                gaps["area-without-mutual-aid"].append({"area": area})
            # 9. area-without-inequalities-initiative
            if not any("tackling-inequalities" in wb.links[lid]["themes"] for lid in area_links):
                gaps["area-without-inequalities-initiative"].append({"area": area})
        for lid in area_links:
            link = wb.links[lid]
            # 10. link-without-evidence
            if not link["evidence"]:
                gaps["link-without-evidence"].append({"area": area, "link": lid})
            # 11. stale-evidence
            for eid in link["evidence"]:
                date = wb.evidence_date.get(eid)
                if date is not None and date < STALE_BEFORE:
                    gaps["stale-evidence"].append({"area": area, "link": lid, "evidence": eid})
        # 13. area-without-planning-forum
        if providers and area not in forum_areas:
            gaps["area-without-planning-forum"].append({"area": area})

    # 7. forum-without-non-nhs-member
    for forum, area in wb.forum_area.items():
        members = wb.forum_members.get(forum, set())
        if members and all(wb.has_sector(m, "nhs") for m in members):
            gaps["forum-without-non-nhs-member"].append({"area": area, "forum": forum})

    return {rule: _sorted(hits) for rule, hits in sorted(gaps.items())}


def compute_candidates(workbook_dir: Path) -> dict[str, list[dict[str, str]]]:
    """What each rule looked at: every hit (projected on these keys) is one of these.

    For single-point-of-failure the candidates are (area, sector) pairs where the sector has
    at least two providers and at least one cross-sector link in the area.
    """
    wb = load_workbook(Path(workbook_dir))
    areas = wb.all_areas()
    cands: dict[str, list[dict[str, str]]] = {rule: [] for rule in RULES}
    forum_areas = sorted(set(wb.forum_area.values()))
    for area in forum_areas:
        for sector in PLANNING_SECTORS:
            cands["sector-missing-from-planning"].append({"area": area, "sector": sector})
    for area in areas:
        providers = wb.providers_in(area)
        area_links = wb.links_in(area)
        for p in providers:
            cands["provider-without-links"].append({"area": area, "provider": p})
            if wb.has_sector(p, "care-home"):
                cands["care-home-without-discharge-link"].append({"area": area, "provider": p})
            if wb.has_sector(p, "domiciliary-care"):
                cands["home-care-without-discharge-link"].append({"area": area, "provider": p})
        if providers:
            cands["area-without-planning-forum"].append({"area": area})
            for one, other in PATHWAYS:
                cands["missing-pathway"].append({"area": area, "from": one, "to": other})
        for sector in _direct_sectors(wb, area):
            cands["isolated-sector"].append({"area": area, "sector": sector})
            size = sum(1 for p in providers if wb.has_direct(p, sector))
            if size >= 2 and _cross_sector_bridges(wb, area, sector):
                cands["single-point-of-failure"].append({"area": area, "sector": sector})
        if area_links:
            cands["area-without-mutual-aid"].append({"area": area})
            cands["area-without-inequalities-initiative"].append({"area": area})
        for lid in area_links:
            cands["link-without-evidence"].append({"area": area, "link": lid})
            for eid in wb.links[lid]["evidence"]:
                cands["stale-evidence"].append({"area": area, "link": lid, "evidence": eid})
    for forum, area in wb.forum_area.items():
        if wb.forum_members.get(forum):
            cands["forum-without-non-nhs-member"].append({"area": area, "forum": forum})
    return {rule: _sorted(items) for rule, items in sorted(cands.items())}


def validate_workbook(workbook_dir: Path) -> list[str]:
    """Integrity problems of the workbook, as ``file line N: message`` strings."""
    folder = Path(workbook_dir)
    problems: list[str] = []

    def report(name: str, line: int, message: str) -> None:
        problems.append(f"{name} line {line}: {message}")

    tables: dict[str, list[dict[str, str]]] = {}
    for name, (required, optional) in COLUMNS.items():
        path = folder / name
        if not path.exists():
            if name != "areas.csv":
                problems.append(f"{name}: missing file")
            tables[name] = []
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = [h.strip() for h in next(csv.reader(fh), [])]
        for column in required:
            if column not in header:
                problems.append(f"{name}: missing column {column!r}")
        for column in header:
            if column not in required and column not in optional:
                problems.append(f"{name}: unexpected column {column!r}")
        tables[name] = read_rows(folder, name)

    def unique_ids(name: str, column: str) -> set[str]:
        seen: dict[str, int] = {}
        for line, row in enumerate(tables[name], start=2):
            value = row.get(column, "")
            if not value:
                report(name, line, f"empty {column}")
            elif value in seen:
                report(name, line, f"duplicate {column} {value!r} (line {seen[value]})")
            else:
                seen[value] = line
        return set(seen)

    def check_dates(name: str, line: int, row: dict[str, str], columns: Iterable[str]) -> None:
        parsed = {}
        for column in columns:
            text = row.get(column, "")
            if text:
                date = parse_date(text)
                if date is None:
                    report(name, line, f"malformed date in {column}: {text!r}")
                parsed[column] = date
        start, end = parsed.get("start"), parsed.get("end")
        if start and end and start > end:
            report(name, line, f"start {start} after end {end}")

    area_ids = unique_ids("areas.csv", "area_id")
    for line, row in enumerate(tables["areas.csv"], start=2):
        if not row.get("name"):
            report("areas.csv", line, "empty name")
    evidence_ids = unique_ids("evidence.csv", "evidence_id")
    for line, row in enumerate(tables["evidence.csv"], start=2):
        if not row.get("title"):
            report("evidence.csv", line, "empty title")
        check_dates("evidence.csv", line, row, ["date"])
    provider_ids = unique_ids("providers.csv", "provider_id")
    for line, row in enumerate(tables["providers.csv"], start=2):
        if not row.get("name"):
            report("providers.csv", line, "empty name")
        sectors = split_cell(row.get("sector"))
        if not sectors:
            report("providers.csv", line, "no sector")
        for sector in sectors:
            if sector.lower() not in SECTOR_PARENT:
                report("providers.csv", line, f"unknown sector {sector!r}")
        areas = split_cell(row.get("area"))
        if not areas:
            report("providers.csv", line, "no area")
        for area in areas:
            if area not in area_ids:
                report("providers.csv", line, f"unknown area {area!r}")
    forum_ids = unique_ids("forums.csv", "forum_id")
    for line, row in enumerate(tables["forums.csv"], start=2):
        areas = split_cell(row.get("area"))
        if len(areas) != 1:
            report("forums.csv", line, "a forum belongs to exactly one area")
        for area in areas:
            if area not in area_ids:
                report("forums.csv", line, f"unknown area {area!r}")
        kind = row.get("kind", "")
        if kind and kind.lower() not in FORUM_KINDS:
            report("forums.csv", line, f"unknown forum kind {kind!r}")
    with_members: set[str] = set()
    seen_members: dict[tuple[str, str], int] = {}
    for line, row in enumerate(tables["memberships.csv"], start=2):
        forum, provider = row.get("forum_id", ""), row.get("provider_id", "")
        if forum not in forum_ids:
            report("memberships.csv", line, f"unknown forum {forum!r}")
        if provider not in provider_ids:
            report("memberships.csv", line, f"unknown provider {provider!r}")
        if (forum, provider) in seen_members:
            report("memberships.csv", line, f"duplicate membership {forum!r} {provider!r}")
        seen_members.setdefault((forum, provider), line)
        with_members.add(forum)
        check_dates("memberships.csv", line, row, ["start", "end"])
    for forum in sorted(forum_ids - with_members):
        problems.append(f"forums.csv: forum {forum!r} has no member")
    unique_ids("links.csv", "link_id")
    for line, row in enumerate(tables["links.csv"], start=2):
        link_type = row.get("type", "")
        if link_type.lower() not in LINK_TYPES:
            report("links.csv", line, f"unknown link type {link_type!r}")
        participants = split_cell(row.get("participants"))
        if len(set(participants)) < 2:
            report("links.csv", line, "fewer than two distinct participants")
        for pid in participants:
            if pid not in provider_ids:
                report("links.csv", line, f"unknown provider {pid!r}")
        for area in split_cell(row.get("area")):
            if area not in area_ids:
                report("links.csv", line, f"unknown area {area!r}")
        for theme in split_cell(row.get("themes")):
            if theme.lower() not in THEMES:
                report("links.csv", line, f"unknown theme {theme!r}")
        for eid in split_cell(row.get("evidence")):
            if eid not in evidence_ids:
                report("links.csv", line, f"unknown evidence {eid!r}")
        check_dates("links.csv", line, row, ["start", "end"])
    return problems


if __name__ == "__main__":  # pragma: no cover - a convenience for humans
    import json
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "graph/demo")
    print(json.dumps(compute_gaps(target), indent=2, sort_keys=True))
    for problem in validate_workbook(target):
        print(problem, file=sys.stderr)
