"""Hostile text shared by the hardening tests: SPARQL breakouts and XSS payloads."""

from __future__ import annotations

SPARQL_BREAKOUTS: tuple[str, ...] = (
    '" } UNION { ?s ?p ?o } #',
    "' } UNION { ?s ?p ?o } #",
    '"""',
    "'''",
    '\\" . ?s ?p ?o . #',
    "} } SELECT * WHERE { ?s ?p ?o",
    "{",
    "}",
    "# comment",
    "QOP\n} UNION { ?s ?p ?o",
    "QOP\r\nSERVICE <http://127.0.0.1:1/> { ?s ?p ?o }",
    "SERVICE <http://example.org/sparql> { ?x ?y ?z }",
    "LOAD <file:///etc/passwd>",
    "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "DROP ALL",
    "\\u0022 } #",
    "> ; ?p ?o . <",
    "<http://example.org/> ?p ?o",
    "?area",
    "$area",
    "QOP' OR '1'='1",
    "\u0000",
    "\u2028\u2029",
    "FILTER(true) }",
    '2020-03-01"^^xsd:date } #',
)
"""At least twenty payloads that would break out of a query if spliced into its text."""

XSS_PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    "' onmouseover='alert(1)",
    '<a href="javascript:alert(1)">x</a>',
    "{{7*7}}",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "\u2028<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
)
"""At least ten payloads that run script if a page inserts them unescaped."""
