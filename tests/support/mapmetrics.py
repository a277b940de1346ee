"""Measure a drawn vis-network map in Chromium: label overlaps, canvas share, click latency.

Label boxes are vis-network's own (``node.labelModule.size``, in canvas coordinates, set
when the label is drawn), so an overlap counted here is an overlap a reader sees.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

MEASURE_JS = r"""
() => {
  const net = window.pcrNetwork;
  const body = net.body;
  const boxes = [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const grow = (l, t, r, b) => {
    minX = Math.min(minX, l); minY = Math.min(minY, t);
    maxX = Math.max(maxX, r); maxY = Math.max(maxY, b);
  };
  for (const id of body.nodeIndices) {
    const node = body.nodes[id];
    if (node.options.hidden) { continue; }
    const shape = node.shape;
    grow(node.x - shape.width / 2, node.y - shape.height / 2,
         node.x + shape.width / 2, node.y + shape.height / 2);
    const s = node.labelModule.size;
    const text = node.options.label;
    if (!text || node.labelModule.elementOptions.font.size <= 0 || s.width <= 0) { continue; }
    boxes.push({id: id, l: s.left, t: s.top, r: s.left + s.width, b: s.top + s.height});
    grow(s.left, s.top, s.left + s.width, s.top + s.height);
  }
  let pairs = 0;
  const touched = new Set();
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) {
        pairs++; touched.add(a.id); touched.add(b.id);
      }
    }
  }
  const canvas = net.canvas.frame.canvas;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  let share = 0;
  if (isFinite(minX)) {
    const p = net.canvasToDOM({x: minX, y: minY});
    const q = net.canvasToDOM({x: maxX, y: maxY});
    const cw = Math.max(0, Math.min(q.x, w) - Math.max(p.x, 0));
    const ch = Math.max(0, Math.min(q.y, h) - Math.max(p.y, 0));
    share = (cw * ch) / (w * h);
  }
  const fonts = boxes.map(b => body.nodes[b.id].labelModule.elementOptions.font.size
    * net.getScale());
  return {labels: boxes.length, pairs: pairs, touched: touched.size, share: share,
          width: w, height: h, scale: net.getScale(),
          screenFont: fonts.length ? Math.min(...fonts) : 0};
}
"""


def measure(page: Page) -> dict[str, Any]:
    """Label boxes drawn, overlapping pairs, labels touching another, canvas share."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    result: dict[str, Any] = page.evaluate(MEASURE_JS)
    return result
