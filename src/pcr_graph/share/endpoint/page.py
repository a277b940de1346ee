"""The HTML page at ``/``: a query box, and the named queries with a button each.

Offline and strict: every text is escaped, the script and style are inline with their
hashes in the Content-Security-Policy, and the page fetches nothing but this endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_PAGE_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
.note { color: #555; margin-top: 0; }
textarea { width: 100%; height: 14rem; font: 13px/1.4 ui-monospace, monospace; }
.controls { display: flex; gap: .6rem; align-items: center; margin: .5rem 0; }
#status { color: #444; }
#status.error { color: #a40000; }
table { border-collapse: collapse; margin: .5rem 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #f1f1f1; }
pre { background: #f6f6f6; padding: .6rem; overflow: auto; max-height: 30rem; }
.rules td:first-child { white-space: nowrap; font-family: ui-monospace, monospace; }
"""

_PAGE_JS = """
"use strict";
const byId = (id) => document.getElementById(id);
const queries = JSON.parse(byId("queries").textContent);
const mediaTypes = {
  json: "application/sparql-results+json", csv: "text/csv",
  tsv: "text/tab-separated-values", xml: "application/sparql-results+xml",
  turtle: "text/turtle", jsonld: "application/ld+json", nt: "application/n-triples",
  rdfxml: "application/rdf+xml",
};
function showStatus(text, isError) {
  const status = byId("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}
function cellText(term) {
  if (!term) { return ""; }
  if (term["xml:lang"]) { return term.value + " @" + term["xml:lang"]; }
  return term.value;
}
function showTable(data) {
  const out = byId("results");
  if ("boolean" in data) {
    const pre = document.createElement("pre");
    pre.textContent = String(data.boolean);
    out.replaceChildren(pre);
    return 1;
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of data.head.vars) {
      row.insertCell().textContent = cellText(binding[name]);
    }
  }
  out.replaceChildren(table);
  return data.results.bindings.length;
}
async function run(text) {
  const choice = byId("format").value;
  const accept = choice === "table"
    ? "application/sparql-results+json, text/turtle;q=0.9" : mediaTypes[choice];
  showStatus("running…", false);
  byId("results").replaceChildren();
  let response;
  try {
    response = await fetch("sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": accept },
      body: text,
    });
  } catch (error) {
    showStatus("the endpoint could not be reached: " + error, true);
    return;
  }
  const body = await response.text();
  if (!response.ok) {
    showStatus(response.status + " " + body, true);
    return;
  }
  const truncated = response.headers.get("X-PCR-Truncated") === "true";
  const type = (response.headers.get("Content-Type") || "").split(";")[0];
  let count = "";
  if (choice === "table" && type === "application/sparql-results+json") {
    count = showTable(JSON.parse(body)) + " rows";
  } else {
    const pre = document.createElement("pre");
    pre.textContent = body;
    byId("results").replaceChildren(pre);
    count = type;
  }
  showStatus(count + (truncated ? " (cut at the row limit)" : ""), false);
}
byId("run").addEventListener("click", () => run(byId("query").value));
for (const button of document.querySelectorAll("button[data-rule]")) {
  button.addEventListener("click", () => {
    const text = queries[button.dataset.rule];
    byId("query").value = text;
    run(text);
  });
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pcr-graph SPARQL endpoint</title>
<style>@@CSS@@</style>
</head>
<body>
<h1>pcr-graph SPARQL endpoint</h1>
<p class="note">Read-only SPARQL 1.1 over @@TRIPLES@@. Queries run for at most @@TIMEOUT@@;
answers stop at @@ROWS@@ rows. The endpoint is <code>/sparql</code>
(GET <code>?query=</code> or POST).</p>
<textarea id="query" spellcheck="false" aria-label="SPARQL query">@@EXAMPLE@@</textarea>
<div class="controls">
<button id="run" type="button">Run query</button>
<label>Answer as <select id="format">
<option value="table">table</option><option value="json">SPARQL JSON</option>
<option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="xml">SPARQL XML</option><option value="turtle">Turtle</option>
<option value="jsonld">JSON-LD</option><option value="nt">N-Triples</option>
<option value="rdfxml">RDF/XML</option>
</select></label>
<span id="status" role="status"></span>
</div>
<div id="results"></div>
<h2>Named queries and gap rules</h2>
<table class="rules">
<thead><tr><th>query</th><th>kind</th><th>severity</th><th>summary</th><th></th></tr></thead>
<tbody>
@@RULES@@
</tbody>
</table>
<script type="application/json" id="queries">@@QUERIES@@</script>
<script>@@JS@@</script>
</body>
</html>
"""

_EXAMPLE = """SELECT ?area ?label WHERE {
  ?area a pcr:Area ; skos:prefLabel ?label .
}
ORDER BY ?label
LIMIT 50"""


def page_csp() -> str:
    """The Content-Security-Policy of the page: its own script and style, fetches to itself."""
    from pcr_graph.render.html import csp_hash  # render's HTML helpers, loaded with the page

    return (
        "default-src 'none'; "
        f"script-src {csp_hash(_PAGE_JS)}; style-src {csp_hash(_PAGE_CSS)}; "
        "connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def render_page(queries: Sequence[Any], triples: int, timeout: float, max_rows: int) -> str:
    """The HTML page at ``/``: a query box, and the named queries with a button each.

    ``queries`` are :class:`~pcr_graph.analysis.queries.NamedQuery` objects; every text from them
    is escaped, and their query texts travel as script-safe JSON.
    """
    from pcr_graph.render.html import esc, script_json  # loaded only when the page is built

    rows = []
    for named in queries:
        params = ", ".join(p.name for p in named.params)
        summary = named.summary + (f" (parameters: {params}, unbound here)" if params else "")
        rows.append(
            f"<tr><td>{esc(named.name)}</td><td>{esc(named.family)}</td>"
            f"<td>{esc(named.header.get('severity', ''))}</td><td>{esc(summary)}</td>"
            f'<td><button type="button" data-rule="{esc(named.name)}">Run</button></td></tr>'
        )
    values = {
        "CSS": _PAGE_CSS,
        "JS": _PAGE_JS,
        "TRIPLES": esc(f"{triples:,} triples"),
        "TIMEOUT": esc(f"{timeout:g} s"),
        "ROWS": esc(f"{max_rows:,}"),
        "EXAMPLE": esc(_EXAMPLE),
        "RULES": "\n".join(rows),
        "QUERIES": script_json({q.name: q.text for q in queries}),
    }
    return re.sub(r"@@([A-Z]+)@@", lambda m: values[m.group(1)], _PAGE)
