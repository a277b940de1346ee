"""The plain view models the map, overview and index pages draw.

Every text field is untrusted: it is escaped wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from pcr_graph.core.errors import PcrGraphError

__all__ = [
    "AreaMap",
    "IndexEntry",
    "MapEdge",
    "MapEvidence",
    "MapGap",
    "MapNode",
    "Overview",
    "OverviewArea",
    "OverviewEdge",
    "RenderError",
]

Pages = tuple[tuple[str, str], ...]
"""``(href, text)`` of the other pages of one build, relative to the page itself."""


@dataclass(frozen=True)
class MapNode:
    """A provider or planning forum as drawn on a map.

    Every text field is untrusted: it is escaped wherever it is shown.
    """

    id: str
    label: str
    kind: str
    sectors: tuple[str, ...]
    sector_labels: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...] = ()
    gaps: tuple[str, ...] = ()
    visiting: bool = False
    """A provider from outside the area, drawn because it takes part in the area's links or
    forums: not counted among the area's providers."""
    group: str = ""
    """The published group the node belongs to (a Primary Care Network's IRI), which the
    summary view draws as one node; "" for none."""
    group_label: str = ""
    group_note: str = ""
    """Where the grouping comes from, shown with the node (``ODS ePCN 2023-01, since …``)."""


@dataclass(frozen=True)
class MapEvidence:
    """One evidence item a collaboration link cites, as the link panel shows it."""

    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    quote: str = ""


@dataclass(frozen=True)
class MapEdge:
    """A collaboration link between two providers, or a forum membership.

    A link with three or more participants arrives as several pairwise edges whose ids
    share the link's IRI (``<link-iri>#1``, ``<link-iri>#2`` ...).
    """

    id: str
    source: str
    target: str
    kind: str
    link_type: str = ""
    link_type_label: str = ""
    label: str = ""
    period: str = ""
    evidence: tuple[str, ...] = ()
    link_id: str = ""
    """The link's own identifier (``L133``), shown in its panel."""
    themes: tuple[str, ...] = ()
    notes: str = ""
    sources: tuple[MapEvidence, ...] = ()
    """Every evidence item in full (title, publisher, date, URL, quote)."""


@dataclass(frozen=True)
class MapGap:
    """One gap-rule hit shown in the side panel; clicking it selects what it names."""

    rule: str
    severity: str
    text: str
    node_ids: tuple[str, ...] = ()
    link_ids: tuple[str, ...] = ()
    """Links it names (the IRI its pairwise edges share before ``#``)."""
    sectors: tuple[str, ...] = ()
    """Sector notations it names (the two ends of a missing pathway, a missing sector)."""
    finding: str = ""
    """The review finding it echoes, quoted."""
    finding_source: str = ""
    """Where that finding was published (the source's title)."""
    finding_url: str = ""
    """The web address of that source, when the data records one."""
    groups: tuple[str, ...] = ()
    """Primary Care Networks (IRIs) the gap is about as a whole (a rule with the header
    ``#+ focus: pcn``): on the summary view it selects their nodes, not their practices."""


@dataclass(frozen=True)
class AreaMap:
    """Everything one area's map shows."""

    area_id: str
    title: str
    subtitle: str = ""
    nodes: tuple[MapNode, ...] = ()
    edges: tuple[MapEdge, ...] = ()
    gaps: tuple[MapGap, ...] = ()
    notices: tuple[str, ...] = ()
    """Shown as a visible notice on the page (for example: the import was incomplete)."""
    pages: Pages = ()
    """Links to the index, report and overview, relative to the map page."""
    fictional: bool = False
    """An invented demo area."""
    register: str = ""
    """For a real area with published Primary Care Network data, the register release its
    groups come from (``ODS ePCN 2023-01``); "" otherwise."""


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index page: an area map and its headline numbers."""

    href: str
    title: str
    providers: int
    links: int
    gaps_by_severity: tuple[tuple[str, int], ...]
    heatmap_href: str = ""
    """The area's sector × sector heatmap (relative), if one was drawn."""
    provider_ids: tuple[str, ...] = ()
    link_ids: tuple[str, ...] = ()
    """The area's providers and links: the index's totals count each once, so that an
    organisation working in two areas (or a link joining two) is not counted twice."""
    fictional: bool = False
    register: str = ""
    """As in :class:`AreaMap`: the index lists real areas apart from the fictional ones."""


@dataclass(frozen=True)
class OverviewArea:
    """One area on the national overview map.

    Every text field is untrusted: it is escaped wherever it is shown.
    """

    id: str
    label: str
    providers: int
    links: int = 0
    score: int = 0
    gaps_by_severity: tuple[tuple[str, int], ...] = ()
    href: str = ""
    """The area's own map, relative to the overview page ("" for none)."""
    fictional: bool = False
    """Invented data (the demo, a synthetic England): ``pcr:fictional true``."""
    register: str = ""
    """The published register releases a real area's data comes from ("" for none)."""


@dataclass(frozen=True)
class OverviewEdge:
    """The collaboration links that join two areas, one descriptive line per link."""

    source: str
    target: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    """Everything the national overview map shows."""

    title: str
    subtitle: str = ""
    areas: tuple[OverviewArea, ...] = ()
    edges: tuple[OverviewEdge, ...] = ()
    score_rule: str = ""
    """How the gap score is computed, in words (shown in the legend)."""
    report_href: str = ""
    """The HTML gap report, relative to the overview page ("" for none)."""
    notices: tuple[str, ...] = ()
    """Shown as a visible notice on the page (for example: the import was incomplete)."""
    pages: Pages = ()
    """Links to the index, report and maps, relative to the overview page."""


class RenderError(PcrGraphError):
    """The map cannot be drawn (for example, pyvis's vis-network files are missing)."""
