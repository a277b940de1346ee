"""The vis-network options and data every map page shares (area maps and the overview)."""

from __future__ import annotations

from typing import Any

__all__ = ["FONT_FACE", "plain_lists", "plain_network_data", "vis_options"]

FONT_FACE = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def vis_options(
    font_size: float,
    seed: int,
    *,
    interaction: dict[str, Any] | None = None,
    node_font: dict[str, Any] | None = None,
    edges: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Options for a pre-laid-out map: no physics, hover tooltips, labels outlined in white.

    ``interaction``, ``node_font`` and ``edges`` add to (or override) the shared settings.
    """
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "multiselect": True,
            "navigationButtons": False,
            "keyboard": False,
            **(interaction or {}),
        },
        "nodes": {
            "font": {
                "size": font_size,
                "face": FONT_FACE,
                "color": "#1B1B1B",
                "strokeWidth": 4,
                "strokeColor": "#FFFFFF",
                **(node_font or {}),
            },
        },
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1, **(edges or {})},
    }


def plain_network_data(net: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A pyvis network's nodes and edges as vis-network takes them for an undirected map.

    pyvis adds ``"arrows": "to"`` to every edge of a directed Network, and labels a node
    with its id when given none; a label that waits for the zoom (``pcrLabel``) is ``""``.
    """
    vis_nodes, vis_edges, *_rest = net.get_network_data()
    return plain_lists(vis_nodes, vis_edges)


def plain_lists(
    vis_nodes: list[dict[str, Any]], vis_edges: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """:func:`plain_network_data` of the nodes and edges of a directed pyvis Network."""
    edges = [{k: v for k, v in e.items() if k != "arrows"} for e in vis_edges]
    nodes = [dict(n, label="") if "pcrLabel" in n else n for n in vis_nodes]
    return nodes, edges
