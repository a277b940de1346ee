"""Click-to-next-frame latency on a vis-network map, measured inside the page.

The time runs from the pointer going down on the canvas to the first animation frame that
starts after vis-network has handled the click (so it includes the redraw the click asks
for). Benchmarks report these numbers; tests never assert a time.
"""

from __future__ import annotations

from playwright.sync_api import Page

ARM_JS = r"""
() => {
  window.__pcrClick = null;
  const canvas = window.pcrNetwork.canvas.frame.canvas;
  const start = () => { window.__pcrDown = performance.now(); };
  canvas.addEventListener("pointerdown", start, {capture: true, once: true});
  window.pcrNetwork.once("click", () => {
    requestAnimationFrame(() => {
      window.__pcrClick = performance.now() - window.__pcrDown;
    });
  });
}
"""


def node_position(page: Page, node_id: str) -> tuple[float, float]:
    """Where ``node_id`` is drawn, in page coordinates."""
    x, y = page.evaluate(
        """(id) => {
          const net = window.pcrNetwork;
          const p = net.canvasToDOM(net.getPositions([id])[id]);
          const r = net.canvas.frame.canvas.getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }""",
        node_id,
    )
    return float(x), float(y)


def click_latency_ms(page: Page, node_id: str) -> float:
    """Click the node ``node_id`` and return milliseconds to the next frame."""
    x, y = node_position(page, node_id)
    page.evaluate(ARM_JS)
    page.mouse.click(x, y)
    # Polled from the page: a string predicate would need eval, which the map's CSP forbids.
    result = page.evaluate(
        """() => new Promise((resolve) => {
          const check = () => window.__pcrClick !== null ? resolve(window.__pcrClick)
            : setTimeout(check, 5);
          check();
        })"""
    )
    return float(result)
