"""The summary view of a big area: one node per group of providers (by default, a sector).

Node size grows with the providers in the group, edge width with the collaboration links
between two groups, and expected-but-missing pathways between two sectors are dashed red
edges. The grouping is a parameter (:class:`Grouping`), so another one (Primary Care
Networks, say) can reuse the view: it only needs a key, a name, a colour and a shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pcr_graph.core.vocab import sector_group, sector_sort_key
from pcr_graph.render.html import plural
from pcr_graph.render.maps.layout import Footprint, arrange, wrap_label
from pcr_graph.render.maps.model import AreaMap, MapEdge, MapNode
from pcr_graph.render.maps.palette import (
    _FORUM_BORDER,
    _FORUM_COLOUR,
    _FORUM_SHAPE,
    _GROUP_SHAPES,
    _NODE_BORDER,
    _link_id,
    _node_key,
    sector_colour,
)

__all__ = ["SUMMARY_LIMIT", "Group", "Grouping", "by_network", "by_sector", "group_view"]

#: Areas with more providers than this open on the summary view.
SUMMARY_LIMIT = 150

_MISSING_COLOUR = "#C00000"
_GROUP_EDGE = "#4D4D4D"


@dataclass(frozen=True)
class Group:
    """One node of the summary view."""

    key: str
    """The same key the legend's filters use for its members (``sector:care-home``)."""
    name: str
    colour: str
    shape: str
    border: str = _NODE_BORDER
    order: tuple[Any, ...] = ()
    note: str = ""
    """Where the group comes from (a register release), shown with the node."""


Grouping = Callable[[MapNode], Group]
"""Which group a node belongs to."""


def by_sector(node: MapNode) -> Group:
    """The default grouping: a provider's first sector; forums form one group."""
    if node.kind == "forum":
        return Group("forum", "Planning forums", _FORUM_COLOUR, _FORUM_SHAPE, _FORUM_BORDER, (1,))
    notation = node.sectors[0] if node.sectors else ""
    name = node.sector_labels[0] if node.sector_labels else (notation or "Unknown sector")
    shape = _GROUP_SHAPES[sector_group(notation)]
    return Group(
        _node_key(node), name, sector_colour(notation), shape, order=(0, sector_sort_key(notation))
    )


_NETWORK_COLOUR = "#8FD3C8"


def _group_label(name: str, count: int) -> str:
    r"""``name (count)``, wrapped; a long name is cut, never the count.

    >>> _group_label("NORTHENDEN & BROOKLANDS (WYTHENSHAWE) PCN", 5)
    'NORTHENDEN &\nBROOKLANDS (WYTHENSHA…\n(5)'
    """
    label = wrap_label(f"{name} ({count})", 22)
    if label.endswith(f"({count})"):
        return label
    return wrap_label(name, 22) + f"\n({count})"


def by_network(node: MapNode) -> Group:
    """Practices by their published Primary Care Network; every other node by sector.

    The group's key is the node's ``group`` (the PCN's IRI), so opening a group shows the
    nodes whose ``pcrGroup`` is that key; the note cites the register release.
    """
    if not node.group:
        return by_sector(node)
    release = node.group_note.rsplit("source: ", 1)[-1] if node.group_note else ""
    return Group(
        node.group,
        node.group_label or node.group,
        _NETWORK_COLOUR,
        "dot",
        order=(-1, node.group_label, node.group),
        note=f"Primary Care Network; source: {release}" if release else "Primary Care Network",
    )


def group_view(
    area: AreaMap,
    grouping: Grouping = by_sector,
    missing: Sequence[tuple[str, str, str]] = (),
    seed: int = 7,
) -> dict[str, Any]:
    """vis nodes and edges of the summary view of ``area``.

    Parameters
    ----------
    area : AreaMap
        The area; every text in it is untrusted (the page escapes it).
    grouping : Grouping, optional
        Which group each node belongs to (default: :func:`by_sector`).
    missing : Sequence[tuple[str, str, str]], optional
        Expected-but-missing pathways as ``(group key, group key, explanation)``; drawn
        as dashed red edges when both groups are on the map.
    seed : int, optional
        Seed of the layout.

    Returns
    -------
    dict
        ``{"nodes": [...], "edges": [...], "font": label font}`` ready for vis-network;
        each node carries ``pcrKey`` (its group key) and ``pcrName``.
    """
    groups: dict[str, Group] = {}
    members: dict[str, int] = {}
    of: dict[str, str] = {}
    for node in area.nodes:
        group = grouping(node)
        groups.setdefault(group.key, group)
        members[group.key] = members.get(group.key, 0) + 1
        of[node.id] = group.key
    links: dict[tuple[str, str], set[str]] = {}
    inside: dict[str, set[str]] = {}
    for edge in area.edges:
        if edge.kind == "membership":
            continue
        a, b = sorted((of[edge.source], of[edge.target]))
        if a == b:
            inside.setdefault(a, set()).add(_link_id(edge))
        else:
            links.setdefault((a, b), set()).add(_link_id(edge))
    keys = sorted(groups, key=lambda k: (groups[k].order, k))
    most = max(members.values(), default=1)
    names = {k: groups[k].name for k in keys}
    sizes = {k: round(12 + 30 * math.sqrt(members[k] / most), 1) for k in keys}
    labels = {k: _group_label(names[k], members[k]) for k in keys}
    pseudo = [MapNode("g:" + k, names[k], "provider", (), ()) for k in keys]
    pseudo_edges = [MapEdge(f"e:{a}:{b}", "g:" + a, "g:" + b, "link") for (a, b) in sorted(links)]
    arranged = arrange(
        pseudo,
        pseudo_edges,
        {},
        {"g:" + k: Footprint.of(labels[k], sizes[k]) for k in keys},
        {"g:" + k: float(members[k]) for k in keys},
        seed,
    )
    nodes = []
    for k in keys:
        g = groups[k]
        x, y = arranged.positions["g:" + k]
        within = len(inside.get(k, ()))
        nodes.append(
            {
                "id": "group:" + k,
                "label": labels[k],
                "shape": g.shape,
                "size": sizes[k],
                "color": {
                    "background": g.colour,
                    "border": g.border,
                    "highlight": {"background": g.colour, "border": "#000000"},
                    "hover": {"background": g.colour, "border": "#000000"},
                },
                "borderWidth": 1.5,
                "borderWidthSelected": 4,
                "x": x,
                "y": y,
                "title": f"{names[k]}\n{plural(members[k], 'member')}\n"
                + (f"{g.note}\n" if g.note else "")
                + f"{plural(within, 'collaboration link')} within\nSelect to show them",
                "pcrKey": k,
                "pcrName": names[k],
            }
        )
    edges = []
    widest = max((len(ids) for ids in links.values()), default=1)
    for (a, b), ids in sorted(links.items()):
        count = len(ids)
        edges.append(
            {
                "id": f"groups:{a}|{b}",
                "from": "group:" + a,
                "to": "group:" + b,
                "width": round(1 + 9 * math.sqrt(count / widest), 1),
                "color": {"color": _GROUP_EDGE, "highlight": "#000000", "hover": "#000000"},
                "title": f"{plural(count, 'collaboration link')} between {names[a]} and {names[b]}",
            }
        )
    for number, (a, b, text) in enumerate(missing):
        if a in groups and b in groups and a != b:
            edges.append(
                {
                    "id": f"missing:{number}",
                    "from": "group:" + a,
                    "to": "group:" + b,
                    "width": 3,
                    "dashes": [10, 7],
                    "color": {
                        "color": _MISSING_COLOUR,
                        "highlight": _MISSING_COLOUR,
                        "hover": _MISSING_COLOUR,
                    },
                    "title": "Expected pathway with no link: " + text,
                    "pcrMissing": True,
                }
            )
    return {"nodes": nodes, "edges": edges, "font": arranged.font}
