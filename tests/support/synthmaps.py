"""Synthetic areas of any size for the map tests: invented names, a realistic sector mix.

Links follow preferential attachment (a few hubs, many providers with one or two links),
names are as long as real ones, and every name says it is synthetic.
"""

from __future__ import annotations

import random

from pcr_graph.render.maps import AreaMap, MapEdge, MapEvidence, MapGap, MapNode

P = "https://w3id.org/pcr-graph/id/synthetic/"

#: (notation, share of providers, name patterns)
_MIX = (
    ("care-home", 0.34, ("{w} House Care Home", "{w} Lodge Residential Home Ltd")),
    ("domiciliary-care", 0.18, ("{w} Home Care Services", "{w} Homecare Agency")),
    ("gp-practice", 0.16, ("{w} Surgery", "{w} Medical Centre", "{w} Family Practice")),
    ("pharmacy", 0.10, ("{w} Pharmacy", "{w} Chemists")),
    ("dental", 0.08, ("{w} Dental Practice",)),
    ("voluntary-sector", 0.05, ("{w} Community Trust", "{w} Carers Network")),
    ("acute-trust", 0.03, ("{w} Hospitals NHS Foundation Trust",)),
    ("mental-health", 0.02, ("{w} Minds NHS Foundation Trust",)),
    ("local-authority", 0.02, ("{w} Borough Council",)),
    ("ambulance", 0.02, ("{w} Ambulance Service NHS Trust",)),
)
_WORDS = (
    "Ashgrove",
    "Birchwood",
    "Calder",
    "Dunmore",
    "Elmfield",
    "Foxley",
    "Greystone",
    "Hartwell",
    "Ivydene",
    "Juniper",
    "Kingsmead",
    "Larkfield",
    "Meadowbank",
    "Northcote",
    "Oakhurst",
    "Pinewood",
    "Queensway",
    "Rosedale",
    "Southfield",
    "Thornbury",
    "Upton",
    "Valley View",
    "Westbrook",
    "Yewtree",
)
_TYPES = ("mutual-aid", "discharge-coordination", "information-sharing", "joint-planning")


def synthetic_area(providers: int, seed: int = 1, gaps: int = 0) -> AreaMap:
    """An invented area of ``providers`` providers, one forum per 40, and ``gaps`` gaps."""
    rng = random.Random(seed)
    nodes: list[MapNode] = []
    for i in range(providers):
        pick = rng.random()
        for notation, share, patterns in _MIX:  # noqa: B007 (the pick is used after)
            pick -= share
            if pick <= 0:
                break
        word = _WORDS[rng.randrange(len(_WORDS))]
        name = rng.choice(patterns).format(w=word) + f" {i} (synthetic)"
        label = notation.replace("-", " ").capitalize()
        nodes.append(MapNode(f"{P}provider/{i}", name, "provider", (notation,), (label,)))
    edges: list[MapEdge] = []
    weights = [1.0] * providers
    for i in range(1, providers):
        for _ in range(1 + (rng.random() < 0.3)):
            j = rng.choices(range(i), weights[:i])[0]
            link_type = rng.choice(_TYPES)
            number = len(edges)
            source = MapEvidence(
                f"Synthetic review note {number}",
                "Synthetic publisher",
                "2024-01-01",
                f"https://example.org/synthetic/{number}",
                "A quote.",
            )
            edges.append(
                MapEdge(
                    f"{P}link/{number}#1",
                    nodes[j].id,
                    nodes[i].id,
                    "link",
                    link_type,
                    link_type.replace("-", " ").capitalize(),
                    period="2024-01-01 – …",
                    evidence=(source.title,),
                    link_id=f"S{number}",
                    sources=(source,),
                )
            )
            weights[i] += 1
            weights[j] += 1
    forums = [
        MapNode(f"{P}forum/{k}", f"Synthetic forum {k}", "forum", (), ())
        for k in range(max(1, providers // 40))
    ]
    for k, forum in enumerate(forums):
        for i in rng.sample(range(providers), min(providers, 6)):
            edges.append(MapEdge(f"{forum.id}#member:{i}:{k}", forum.id, nodes[i].id, "membership"))
    found = [
        MapGap(
            "care-home-without-discharge-link",
            "medium",
            f"{nodes[i].label} has no discharge link",
            node_ids=(nodes[i].id,),
        )
        for i in range(0, providers, max(1, providers // max(1, gaps)))[:gaps]
    ]
    return AreaMap(
        f"{P}area/{providers}",
        f"Synthetic area of {providers} providers",
        nodes=tuple(nodes + forums),
        edges=tuple(edges),
        gaps=tuple(found),
    )
