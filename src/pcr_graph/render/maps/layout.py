"""Node positions, computed once in Python so the same input always gives the same picture.

A seeded force-directed layout for small areas, a sector-grouped layout for big ones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

from pcr_graph.core.vocab import sector_sort_key
from pcr_graph.render.maps.model import MapEdge, MapNode

#: Areas with more nodes than this get the cheap sector-grouped layout and straight edges.
SPRING_LIMIT = 300


def _spring_positions(
    count: int, pairs: Sequence[tuple[int, int]], seed: int
) -> list[tuple[float, float]]:
    """Fruchterman–Reingold with a grid cut-off, in plain Python, in units of edge length.

    Plain float arithmetic from a seeded ``random.Random`` gives the same numbers on every
    platform (numpy-based layouts can differ between builds), and the grid keeps the cost
    near-linear: repulsion is only computed between nodes in neighbouring cells.
    """
    rng = random.Random(seed)
    side = math.sqrt(count) + 1.0
    xs = [rng.random() * side for _ in range(count)]
    ys = [rng.random() * side for _ in range(count)]
    centre = side / 2.0
    iterations = 120 if count <= 100 else 80
    temperature = side / 6.0
    cooling = temperature / (iterations + 1)
    cell = 3.0
    gravity = 0.015
    forward = ((1, -1), (1, 0), (1, 1), (0, 1))
    for _ in range(iterations):
        fx = [0.0] * count
        fy = [0.0] * count
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(count):
            grid.setdefault((math.floor(xs[i] / cell), math.floor(ys[i] / cell)), []).append(i)
        for (cx, cy), members in grid.items():
            neighbours = [members]
            for ox, oy in forward:
                other = grid.get((cx + ox, cy + oy))
                if other is not None:
                    neighbours.append(other)
            for a_pos, i in enumerate(members):
                xi, yi = xs[i], ys[i]
                for n_pos, group in enumerate(neighbours):
                    for j in group[a_pos + 1 :] if n_pos == 0 else group:
                        dx = xi - xs[j]
                        dy = yi - ys[j]
                        d2 = dx * dx + dy * dy
                        if d2 >= cell * cell:
                            continue
                        if d2 < 1e-9:  # coincident: push apart along a fixed direction
                            dx, dy, d2 = 0.01 * (1 + (i + j) % 7), 0.01, 0.0002
                        f = 1.0 / d2
                        fx[i] += dx * f
                        fy[i] += dy * f
                        fx[j] -= dx * f
                        fy[j] -= dy * f
        for i, j in pairs:
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            d = math.sqrt(dx * dx + dy * dy)
            fx[i] -= dx * d
            fy[i] -= dy * d
            fx[j] += dx * d
            fy[j] += dy * d
        for i in range(count):
            gx = fx[i] - gravity * (xs[i] - centre)
            gy = fy[i] - gravity * (ys[i] - centre)
            length = math.sqrt(gx * gx + gy * gy)
            if length > temperature:
                gx *= temperature / length
                gy *= temperature / length
            xs[i] += gx
            ys[i] += gy
        temperature -= cooling
    return list(zip(xs, ys, strict=True))


def _grouped_positions(
    groups: Sequence[Sequence[int]], count: int, forums: Sequence[int]
) -> list[tuple[float, float]]:
    """Forums in the middle, each sector a sunflower disc on a ring around them.

    Within a disc the best-connected providers sit at the centre. Linear time, so an area
    of thousands of providers is laid out instantly, and every sector is easy to find.
    """
    positions = [(0.0, 0.0)] * count
    spread = 0.62  # disc radius factor: about one edge length between neighbours
    golden = math.pi * (3.0 - math.sqrt(5.0))

    def disc(members: Sequence[int], cx: float, cy: float) -> None:
        for rank, index in enumerate(members):
            r = spread * math.sqrt(rank + 0.5)
            positions[index] = (cx + r * math.cos(rank * golden), cy + r * math.sin(rank * golden))

    def radius(size: int) -> float:
        return spread * math.sqrt(size) + 0.5

    disc(forums, 0.0, 0.0)
    if not groups:
        return positions
    gap = 2.0
    radii = [radius(len(g)) for g in groups]
    budget = [2 * r + gap for r in radii]
    total = sum(budget)
    centres = []
    travelled = 0.0
    for share in budget:
        centres.append(2 * math.pi * (travelled + share / 2) / total - math.pi / 2)
        travelled += share
    inner = (radius(len(forums)) if forums else 0.0) + gap
    ring = max(total / (2 * math.pi), inner + max(radii))
    if len(groups) > 1:
        # Arc lengths were shared out; chords are shorter, so widen the ring until
        # neighbouring discs no longer touch.
        for _ in range(60):
            crowded = False
            for k in range(len(groups)):
                nxt = (k + 1) % len(groups)
                step = (centres[nxt] - centres[k]) % (2 * math.pi) or 2 * math.pi
                chord = 2 * ring * math.sin(min(step, math.pi) / 2)
                if chord < radii[k] + radii[nxt] + gap:
                    crowded = True
                    break
            if not crowded:
                break
            ring *= 1.08
    for members, angle in zip(groups, centres, strict=True):
        disc(members, ring * math.cos(angle), ring * math.sin(angle))
    return positions


def _layout(
    nodes: Sequence[MapNode], edges: Sequence[MapEdge], degree: Mapping[str, int], seed: int
) -> dict[str, tuple[int, int]]:
    """Pixel positions for every node, the same for the same input."""
    # Lay out in id order, so the picture does not depend on the order rows arrived in.
    order = sorted(nodes, key=lambda n: n.id)
    index = {node.id: i for i, node in enumerate(order)}
    if len(order) <= SPRING_LIMIT:
        pairs = sorted({(index[e.source], index[e.target]) for e in edges})
        raw = _spring_positions(len(order), pairs, seed)
        scale = 100.0
    else:
        forums: list[int] = []
        by_sector: dict[str, list[int]] = {}
        for i, node in enumerate(order):
            if node.kind == "forum":
                forums.append(i)
            else:
                by_sector.setdefault(node.sectors[0] if node.sectors else "", []).append(i)

        def busiest_first(i: int) -> tuple[int, str, str]:
            return (-degree.get(order[i].id, 0), order[i].label.casefold(), order[i].id)

        groups = [
            sorted(by_sector[key], key=busiest_first)
            for key in sorted(by_sector, key=sector_sort_key)
        ]
        raw = _grouped_positions(groups, len(order), sorted(forums, key=busiest_first))
        scale = 60.0
    if not raw:
        return {}
    mean_x = sum(x for x, _ in raw) / len(raw)
    mean_y = sum(y for _, y in raw) / len(raw)
    return {
        node.id: (round((x - mean_x) * scale), round((y - mean_y) * scale))
        for node, (x, y) in zip(order, raw, strict=True)
    }
