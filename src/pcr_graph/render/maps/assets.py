"""What every map page inlines: vis-network (from pyvis), the page template, CSS and script.

The template, CSS and script live beside this module in ``static/``; vis-network is the
copy pyvis ships, so a map opens with no internet.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from pcr_graph.render.html import csp_hash
from pcr_graph.render.maps.model import RenderError

__all__ = ["map_csp", "static_text", "vis_assets"]

_VIS_DIR = "templates/lib/vis-9.1.2"


@cache
def vis_assets() -> tuple[str, str]:
    """The vis-network script shipped with pyvis, and the CSS rules the map needs."""
    from importlib.util import find_spec

    spec = find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise RenderError("pyvis is not installed; it provides the vis-network library")
    folder = Path(spec.origin).parent / _VIS_DIR
    js_file, css_file = folder / "vis-network.min.js", folder / "vis-network.css"
    for needed in (js_file, css_file):
        if not needed.is_file():
            raise RenderError(f"vis-network file missing from the pyvis package: {needed}")
    script = js_file.read_text(encoding="utf-8")
    if re.search(r"</script|<!--", script, re.IGNORECASE):
        # Would end (or confuse) the inline <script> element; never true for vis 9.1.2.
        raise RenderError(f"{js_file} cannot be inlined in a <script> element")
    css = css_file.read_text(encoding="utf-8")
    # Only the tooltip rule: the rest styles the editor and configurator, which maps do
    # not use (and is 200 kB).
    rules = [rule.strip() + "}" for rule in css.split("}") if "vis-tooltip" in rule]
    return script, "".join(rules)


@cache
def static_text(name: str) -> str:
    """A file of ``static/`` (``map.html``, ``map.css``, ``map.js``), as text."""
    text = files("pcr_graph.render.maps").joinpath("static", name).read_text(encoding="utf-8")
    if name.endswith(".js") and re.search(r"</script|<!--", text, re.IGNORECASE):
        raise RenderError(f"static/{name} cannot be inlined in a <script> element")
    return text


def map_csp(*scripts: str) -> str:
    """The page's Content-Security-Policy: exactly ``scripts`` may run, nothing loads."""
    hashes = " ".join(csp_hash(script) for script in scripts)
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
