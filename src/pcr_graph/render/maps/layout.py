"""Node positions, computed once in Python so the same input always gives the same picture.

A seeded force-directed layout for small areas, a sector-grouped layout for big ones.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


def _raw_layout(
    order: Sequence[MapNode], edges: Sequence[MapEdge], degree: Mapping[str, int], seed: int
) -> list[tuple[float, float]]:
    """Positions in units of one edge length, for nodes in ``order`` (sorted by id)."""
    index = {node.id: i for i, node in enumerate(order)}
    if len(order) <= SPRING_LIMIT:
        pairs = sorted({(index[e.source], index[e.target]) for e in edges})
        return _spring_positions(len(order), pairs, seed)
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
        sorted(by_sector[key], key=busiest_first) for key in sorted(by_sector, key=sector_sort_key)
    ]
    return _grouped_positions(groups, len(order), sorted(forums, key=busiest_first))


# --------------------------------------------------------------------------------------
# Label boxes: overlap removal and the zoom at which each label may show

#: Label font size in canvas pixels at the first view; the page keeps labels this size on
#: screen (times the first view's scale) whatever the zoom.
LABEL_FONT = 14
#: Estimated width of one character at :data:`LABEL_FONT` (DejaVu Sans, the widest common
#: system-ui face, measures 7.2-8.0; the page shrinks labels further if a face is wider).
_CHAR_WIDTH = 8.0
_LABEL_GAP = 11.0  # vis draws a label this far below its shape
_PAD = 4.0
#: Smallest on-screen label (pixels) worth showing every label at the first view for.
MIN_SCREEN_FONT = 9.0
#: On-screen label size (pixels) when only the labels that matter show at first.
SCREEN_FONT = 12.0
#: Areas with at most this many providers show every label at the first view.
ALL_LABELS_LIMIT = 100
#: Width / height of the drawing: a landscape window's map pane (1400x900 window: 1032x782).
_ASPECT = 1.32


@dataclass(frozen=True)
class Footprint:
    """A node's size and its label's box (canvas pixels, label at :data:`LABEL_FONT`)."""

    size: float
    label_width: float
    label_height: float = LABEL_FONT + _PAD

    @staticmethod
    def of(label: str, size: float) -> Footprint:
        """The footprint of a node drawn with radius ``size`` and ``label``."""
        if not label:
            return Footprint(size, 0.0, 0.0)
        lines = label.split("\n")
        width = _CHAR_WIDTH * max(len(line) for line in lines) + 2 * _PAD
        return Footprint(size, width, LABEL_FONT * len(lines) + _PAD)


def _box(x: float, y: float, fp: Footprint, zoom: float = 1.0) -> tuple[float, float, float, float]:
    """The label box (left, top, right, bottom) at ``zoom`` times the first view's scale."""
    half = fp.label_width / (2 * zoom)
    top = y + fp.size + _LABEL_GAP
    return (x - half, top, x + half, top + fp.label_height / zoom)


def _whole(x: float, y: float, fp: Footprint) -> tuple[float, float, float, float]:
    """Shape and label together, with a margin."""
    left, _top, right, bottom = _box(x, y, fp)
    half = max(fp.size, (right - left) / 2) + _PAD
    return (x - half, y - fp.size - _PAD, x + half, bottom + _PAD)


def remove_overlaps(
    points: list[tuple[float, float]], footprints: Sequence[Footprint], rounds: int = 400
) -> list[tuple[float, float]]:
    """Push apart every two nodes whose shape-and-label boxes overlap, least move first.

    Each overlapping pair moves apart along the axis that needs the smaller move, half each
    way; a sweep over x finds the pairs. Plain Python in a fixed order: deterministic.
    """
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    count = len(points)
    for _ in range(rounds):
        boxes = [_whole(xs[i], ys[i], footprints[i]) for i in range(count)]
        order = sorted(range(count), key=lambda i: (boxes[i][0], i))
        widest = max((b[2] - b[0] for b in boxes), default=0.0)
        moved = False
        for pos, i in enumerate(order):
            bi = boxes[i]
            for j in order[pos + 1 :]:
                bj = boxes[j]
                if bj[0] >= bi[2]:
                    if bj[0] - bi[0] > widest:
                        break
                    continue
                over_x = min(bi[2], bj[2]) - max(bi[0], bj[0])
                over_y = min(bi[3], bj[3]) - max(bi[1], bj[1])
                if over_x <= 0 or over_y <= 0:
                    continue
                moved = True
                cxi, cxj = (bi[0] + bi[2]) / 2, (bj[0] + bj[2]) / 2
                cyi, cyj = (bi[1] + bi[3]) / 2, (bj[1] + bj[3]) / 2
                if over_x * 0.6 <= over_y:  # prefer sideways: labels are wide
                    step = over_x / 2 + 0.5
                    sign = 1.0 if (cxj, j) >= (cxi, i) else -1.0
                    xs[i] -= sign * step
                    xs[j] += sign * step
                else:
                    step = over_y / 2 + 0.5
                    sign = 1.0 if (cyj, j) >= (cyi, i) else -1.0
                    ys[i] -= sign * step
                    ys[j] += sign * step
                bi = _whole(xs[i], ys[i], footprints[i])
                boxes[i] = bi
                boxes[j] = _whole(xs[j], ys[j], footprints[j])
        if not moved:
            break
    return list(zip(xs, ys, strict=True))


def _extent(points: Sequence[tuple[float, float]]) -> float:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


def fit_aspect(
    points: list[tuple[float, float]], aspect: float = _ASPECT
) -> list[tuple[float, float]]:
    """Stretch one axis so the drawing is ``aspect`` wide per unit high.

    Stretching only moves nodes further apart, so it creates no overlap.
    """
    if len(points) < 2:
        return points
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    width = (max(xs) - min(xs)) or 1.0
    height = (max(ys) - min(ys)) or 1.0
    fx, fy = 1.0, 1.0
    if width / height < aspect:
        fx = aspect * height / width
    else:
        fy = width / (aspect * height)
    return [(x * fx, y * fy) for x, y in points]


def reveal_zooms(
    points: Sequence[tuple[float, float]],
    footprints: Sequence[Footprint],
    priority: Sequence[int],
    cap: float = 8.0,
) -> list[float]:
    """The zoom (relative to the first view) from which each node's label may show.

    Labels keep their size on screen, so zooming in by ``z`` shrinks every label box by
    ``z`` in canvas units. Taken in ``priority`` order, each label gets the smallest zoom at
    which it clears every label shown at that zoom; so at any zoom the shown labels never
    overlap. Labels that would need more than ``cap`` never show (the name is in the tooltip).
    """
    count = len(points)
    zoom = [math.inf] * count
    cell = max((fp.label_width for fp in footprints), default=1.0) or 1.0
    # Each label box as plain floats (its centre's x, the y of its label line, its size):
    # the pair test below runs some 150,000 times for an area of 2,000 providers.
    xs = [x for x, _ in points]
    ys = [y + fp.size for (_, y), fp in zip(points, footprints, strict=True)]
    widths = [fp.label_width for fp in footprints]
    heights = [fp.label_height for fp in footprints]
    # The labels shown so far, by column (of width ``cell``) and by row of their label line
    # (of height ``row``, the tallest label). Two boxes overlap at zoom 1 only if their
    # label lines are less than half their heights apart, so a label is tested against
    # those shown in the 3 columns around its own (as ever) whose line lies within that
    # reach (and a row more each way), instead of every label of the 3 x 3 cells around
    # it: the same labels that can overlap it, a quarter of the tests.
    row = max(max(heights, default=1.0), 1.0)
    shown: dict[tuple[int, int], list[int]] = {}
    band = [0] * count
    for i in priority:
        width, height = widths[i], heights[i]
        if width <= 0:
            continue
        x, y = xs[i], ys[i]
        need = 1.0
        gx, gy = math.floor(x / cell), math.floor(points[i][1] / cell)
        reach = (height + row) / 2
        low, high = math.floor((y - reach) / row) - 1, math.floor((y + reach) / row) + 1
        near = [
            j
            for ox in (-1, 0, 1)
            for r in range(low, high + 1)
            for j in shown.get((gx + ox, r), ())
            if -1 <= band[j] - gy <= 1
        ]
        for j in near:
            # The least zoom at which the two label boxes no longer overlap.
            dx, dy = abs(x - xs[j]), abs(y - ys[j])
            need_x = (width + widths[j]) / (2 * dx) if dx > 0 else math.inf
            need_y = (height + heights[j]) / (2 * dy) if dy > 0 else math.inf
            sep = need_x if need_x < need_y else need_y
            if sep > zoom[j] and sep > need:
                need = sep
                if need > cap:
                    break  # it never shows: need only grows
        if need <= cap:
            zoom[i] = round(need, 3)
            band[i] = gy
            shown.setdefault((gx, math.floor(y / row)), []).append(i)
    return zoom


def _first_scale(points: Sequence[tuple[float, float]], fps: Sequence[Footprint]) -> float:
    """The scale vis's fit gives in the map pane of a 1400x900 window (1032x782)."""
    boxes = [_whole(x, y, fp) for (x, y), fp in zip(points, fps, strict=True)]
    width = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    height = max(b[3] for b in boxes) - min(b[1] for b in boxes)
    return min(1.6, 1032 / max(width, 1.0), 782 / max(height, 1.0)) * 0.95


def _scaled(fp: Footprint, font: float) -> Footprint:
    ratio = font / LABEL_FONT
    return Footprint(fp.size, fp.label_width * ratio, fp.label_height * ratio)


@dataclass(frozen=True)
class Arrangement:
    """Where each node goes, from which zoom its label shows, and the label font."""

    positions: dict[str, tuple[int, int]]
    zooms: dict[str, float]
    font: float
    """Label font size in canvas pixels at the first view."""


def arrange(
    nodes: Sequence[MapNode],
    edges: Sequence[MapEdge],
    degree: Mapping[str, int],
    footprints: Mapping[str, Footprint],
    priority: Mapping[str, float],
    seed: int,
) -> Arrangement:
    """Pixel positions for every node, the zoom from which each label shows, the label font.

    Up to :data:`ALL_LABELS_LIMIT` providers: a force layout scaled to the labels, then
    overlap removal on every shape-and-label box, so every label shows at the first view
    and none overlaps, if that leaves labels of at least :data:`MIN_SCREEN_FONT` pixels.
    Otherwise, and for bigger areas, labels of :data:`SCREEN_FONT` screen pixels in order
    of ``priority`` (higher first), each from the zoom at which it clears the others. The
    drawing is stretched to a landscape pane's proportions. The same input gives the same
    numbers. ``footprints`` are measured at :data:`LABEL_FONT`.
    """
    order = sorted(nodes, key=lambda n: n.id)
    if not order:
        return Arrangement({}, {}, LABEL_FONT)
    raw = _raw_layout(order, edges, degree, seed)
    fps = [footprints[node.id] for node in order]
    providers = sum(1 for node in order if node.kind != "forum")
    font = float(LABEL_FONT)
    points: list[tuple[float, float]] = []
    if providers <= ALL_LABELS_LIMIT:
        wholes = [_whole(0.0, 0.0, fp) for fp in fps]
        need = 0.8 * sum((b[2] - b[0]) * (b[3] - b[1]) for b in wholes)
        xs, ys = [p[0] for p in raw], [p[1] for p in raw]
        spread = max((max(xs) - min(xs)) * (max(ys) - min(ys)), 1e-6)
        k = math.sqrt(need / spread)
        points = fit_aspect(remove_overlaps([(x * k, y * k) for x, y in raw], fps))
        if LABEL_FONT * _first_scale(points, fps) < MIN_SCREEN_FONT:
            points = []
    if not points:
        k = 100.0 if len(order) <= SPRING_LIMIT else 60.0
        points = [(x * k, y * k) for x, y in raw]
        shapes = [Footprint(fp.size, 0.0, 0.0) for fp in fps]
        if len(order) <= SPRING_LIMIT:
            points = remove_overlaps(points, shapes)
        points = fit_aspect(points)
        font = max(float(LABEL_FONT), round(SCREEN_FONT / _first_scale(points, shapes), 1))
        fps = [_scaled(fp, font) for fp in fps]
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    rounded = [(round(x - mean_x), round(y - mean_y)) for x, y in points]
    ranked = sorted(range(len(order)), key=lambda i: (-priority.get(order[i].id, 0.0), order[i].id))
    zooms = reveal_zooms([(float(x), float(y)) for x, y in rounded], fps, ranked)
    return Arrangement(
        {node.id: rounded[i] for i, node in enumerate(order)},
        {node.id: zooms[i] for i, node in enumerate(order)},
        font,
    )


def wrap_label(text: str, width: int = 20, lines: int = 2) -> str:
    r"""``text`` on at most ``lines`` lines of about ``width`` characters (``…`` if cut).

    >>> wrap_label("Wyndle Vale Community Health NHS Trust")
    'Wyndle Vale\nCommunity Health…'
    >>> wrap_label("Short name")
    'Short name'
    """
    words = " ".join(text.split()).split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
            continue
        out.append(current)
        current = word
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return "\n".join(line if len(line) <= width else _cut(line, width) for line in out)


def _cut(line: str, width: int) -> str:
    """``line`` cut to ``width`` characters with ``…``, at a word break when one is near."""
    cut = line[: width - 1]
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
