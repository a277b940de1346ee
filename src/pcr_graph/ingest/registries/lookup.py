"""Codes that place providers in areas, read from the ONS, ODS and CQC lookup files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pcr_graph.ingest.registries.kinds import (
    CQC_LA_LOOKUP,
    LOOKUP_KINDS,
    ODS_COMMISSIONERS,
    ODS_SUCCESSIONS,
    ONS_CCG21,
    ONS_STP21,
    ONS_SUBICB,
    QCODE,
)
from pcr_graph.ingest.registries.tables import (
    Table,
    detect,
    files_in,
    read_table,
    subicb_prefix,
)
from pcr_graph.ingest.registries.values import (
    name_key,
)
from pcr_graph.ingest.registries.xlsx import is_xlsx


@dataclass
class Lookup:
    """Codes that place providers in areas, read from the ONS and CQC lookup files."""

    areas: frozenset[str] = frozenset()
    """The ODS Q-codes of the 42 areas."""
    subarea_area: dict[str, str] = field(default_factory=dict)
    """Sub-ICB location ODS code → its area's Q-code."""
    subarea_by_ons: dict[str, str] = field(default_factory=dict)
    """Sub-ICB location ONS code (E38, 2022) → ODS code."""
    ccg_names: dict[str, str] = field(default_factory=dict)
    """Sub-ICB ODS code → the name of the 2021 CCG that had the same ODS code."""
    la_areas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Local authority name (case-folded) → the Q-codes of the areas it lies in."""
    commissioner_area: dict[str, str] = field(default_factory=dict)
    """CCG or Sub-ICB location ODS code (open or closed) → the Q-code ODS ``eccg`` gives it."""
    successors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """ODS code → the codes ODS ``succ`` names as its successors."""
    sources: tuple[str, ...] = ()
    """The files (or ``graph/areas.ttl``) the lookup was read from."""

    @classmethod
    def from_folder(cls, folder: Path) -> Lookup:
        """Read every lookup file in ``folder`` (found by header, not name).

        Without an ONS file the 42 areas come from the reference ``graph/areas.ttl``.
        """
        lookup = cls()
        for path in files_in(folder):
            if is_xlsx(path):  # no lookup is a workbook; not opening them saves seconds
                continue
            kind = detect(path)
            if kind in LOOKUP_KINDS:
                lookup.add(read_table(path, kind))
        if not lookup.areas:
            lookup.areas = reference_area_codes()
            if lookup.areas:
                lookup.sources += ("graph/areas.ttl",)
        return lookup

    def add(self, table: Table) -> None:
        """Take the facts of one lookup file."""
        areas = set(self.areas)
        if table.kind == ONS_SUBICB:
            prefix = subicb_prefix(table.header)
            cd, cdh, icb = table.columns(f"{prefix}CD", f"{prefix}CDH", "ICB22CDH")
            for _, cells in table.rows:
                code, ons, area = cells[cdh].strip(), cells[cd].strip(), cells[icb].strip()
                if code and QCODE.match(area):
                    self.subarea_area[code] = area
                    self.subarea_by_ons[ons] = code
                    areas.add(area)
        elif table.kind == ONS_STP21:
            (cdh,) = table.columns("STP21CDH")
            areas.update(c[cdh].strip() for _, c in table.rows if QCODE.match(c[cdh].strip()))
        elif table.kind == ONS_CCG21:
            cdh, nm = table.columns("CCG21CDH", "CCG21NM")
            for _, cells in table.rows:
                if cells[cdh].strip():
                    self.ccg_names[cells[cdh].strip()] = cells[nm].strip()
        elif table.kind == CQC_LA_LOOKUP:
            la, icb = table.columns("LOCATION.LOCAL.AUTHORITY", "ICB22CDH")
            for _, cells in table.rows:
                key, area = name_key(cells[la]), cells[icb].strip()
                if key and QCODE.match(area):
                    self.la_areas[key] = tuple(sorted({*self.la_areas.get(key, ()), area}))
        elif table.kind == ODS_COMMISSIONERS:
            for _, cells in table.rows:
                if len(cells) > 3 and QCODE.match(cells[3].strip()):
                    self.commissioner_area[cells[0].strip()] = cells[3].strip()
        elif table.kind == ODS_SUCCESSIONS:
            for _, cells in table.rows:
                if len(cells) >= 2 and cells[0].strip() and cells[1].strip():
                    old, new = cells[0].strip(), cells[1].strip()
                    self.successors[old] = tuple(sorted({*self.successors.get(old, ()), new}))
        self.areas = frozenset(areas)
        self.sources += (table.path.name,)

    def place_commissioner(self, code: str) -> tuple[str, str]:
        """The area of a CCG or Sub-ICB location code, and how it was found.

        One of the 106 Sub-ICB locations: its area, no note. Else the area ODS ``eccg``
        gives the code (a CCG of 2019, say), else the area of the one Sub-ICB location its
        ODS successions lead to. ("", "") when none of these places it.
        """
        if code in self.subarea_area:
            return self.subarea_area[code], ""
        area = self.commissioner_area.get(code, "")
        if area in self.areas:
            return area, f"ODS eccg places {code} in {area}"
        seen, frontier = {code}, [code]
        for _ in range(6):
            frontier = [n for c in frontier for n in self.successors.get(c, ()) if n not in seen]
            seen.update(frontier)
            found = sorted({self.subarea_area[c] for c in frontier if c in self.subarea_area})
            if len(found) == 1:
                via = ", ".join(sorted(c for c in frontier if c in self.subarea_area))
                return found[0], (
                    f"{code} is not one of the 106 Sub-ICB locations; its ODS successor {via} "
                    f"is, in area {found[0]}"
                )
            if found or not frontier:
                break
        return "", ""

    def place_local_authority(self, name: str) -> tuple[tuple[str, ...], str]:
        """The areas a local authority lies in, and a note if they were not looked up.

        The CQC-derived lookup lacks local authorities whose CCG code changed in 2022
        (Tameside, for one). For those, a 2021 CCG named after the authority (one part of
        its name, as in "NHS Tameside and Glossop CCG") places it, through the Sub-ICB
        location that kept the CCG's ODS code; the note says so.
        """
        key = name_key(name)
        found = self.la_areas.get(key)
        if found:
            return found, ""
        matches = sorted(
            (code, ccg)
            for code, ccg in self.ccg_names.items()
            if key in _ccg_name_parts(ccg) and code in self.subarea_area
        )
        areas = sorted({self.subarea_area[code] for code, _ in matches})
        if len(areas) == 1:
            named = "; ".join(f"{ccg}, now Sub-ICB location {code}" for code, ccg in matches)
            return (areas[0],), (
                f"local authority {name} is not in the local authority lookup; placed in "
                f"{areas[0]} through the 2021 CCG named after it ({named})"
            )
        return (), ""


def _ccg_name_parts(name: str) -> set[str]:
    core = re.sub(r"^NHS\s+|\s+CCG$", "", name.strip())
    return {name_key(part) for part in re.split(r",|\band\b|&", core) if part.strip()}


def reference_area_codes() -> frozenset[str]:
    from pcr_graph.ingest.workbook import reference_codes

    areas, _ = reference_codes()
    return frozenset(code for code in areas if QCODE.match(code))
