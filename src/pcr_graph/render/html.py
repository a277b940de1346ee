"""Escaping and the small page-building helpers every page the product writes shares.

Everything that reaches HTML passes through :func:`esc` (element content, attributes) or
:func:`script_json` (data inside ``<script>``); :func:`csp_hash` allows exactly one inline
script. The read-only SPARQL endpoint (``share.server``) imports these three from here.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pcr_graph.core.files import atomic_write_text

__all__ = [
    "STATIC_PAGE_HEAD",
    "csp_hash",
    "esc",
    "fill_template",
    "notices_html",
    "page_nav",
    "plural",
    "relative_href",
    "script_json",
    "write_html",
]


def esc(text: object) -> str:
    """HTML-escape ``text`` for element content and quoted attribute values.

    U+2028 and U+2029 are harmless in HTML but are written as references too, so no
    untrusted line separator reaches the page raw.
    """
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("\u2028", "&#x2028;").replace("\u2029", "&#x2029;")


_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE = re.compile("[<>&'\u2028\u2029]")


def script_json(value: object) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or line separators.

    ``'`` is escaped too, so no markup-significant character of untrusted text is left raw.
    The six characters only ever occur inside JSON strings, where ``\\uXXXX`` means the
    same thing, so the result still parses to ``value``.

    The bytes are those of ``json.dumps(value, ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))``, escaped. orjson writes them (0.01 s instead of 0.08 s for the
    8 MB of the largest area's map at 55,000 providers) unless its text could differ from
    the standard library's: a float under 1e-4 (``0.00001`` for ``1e-05``), a NaN or an
    infinity (``null`` for ``NaN``), or anything it cannot write; then the standard
    library writes it (``tests/render/test_html.py`` compares the two).
    """
    import orjson  # inside: only pages with data need it

    # Dataclasses and datetimes, which json.dumps refuses, are not orjson's to write either.
    options = (
        orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
    )
    try:
        data = orjson.dumps(value, option=options)
    except TypeError:  # orjson.JSONEncodeError, for one: a lone surrogate, a huge int
        data = b""
    if not data or b"null" in data or b"0.0000" in data or _NEGATIVE_EXPONENT.search(data):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)
    for char, escaped in _JSON_ESCAPES.items():
        data = data.replace(char.encode("utf-8"), escaped.encode("ascii"))
    return data.decode("utf-8")


# "e-" after a digit; the literal first, so the search skips ahead (one alternation over the
# 8 MB of a big map took 0.09 s, this and two `in` 0.013 s).
_NEGATIVE_EXPONENT = re.compile(rb"e-(?<=[0-9]e-)")


def csp_hash(script: str) -> str:
    """The Content-Security-Policy source (``'sha256-…'``) that allows exactly ``script``."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def relative_href(href: str) -> str:
    """A link target that can only point at a file beside the index page."""
    if href.startswith(("/", "\\")) or "\\" in href:
        raise ValueError(f"index href must be a relative file name, not {href!r}")
    # "javascript:x.html" is a legal file name; "./" keeps the browser reading it as one.
    return "./" + href if _SCHEME.match(href) else href


_TOKEN = re.compile(r"@@([A-Z]+)@@")


def fill_template(template: str, parts: Mapping[str, str]) -> str:
    """Replace each ``@@NAME@@`` in ``template`` by ``parts[NAME]``, in one pass.

    Text put in is never scanned again, so a name containing ``@@DATA@@`` is just text.
    """
    return _TOKEN.sub(lambda m: parts[m.group(1)], template)


def plural(count: int, word: str) -> str:
    """``"1 gap"``, ``"2 gaps"``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


NAV_CSS = (
    "nav.pages{font-size:.9rem;margin:.15rem 0 0}"
    "nav.pages ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1rem}"
    "nav.pages a{color:#0b5394;display:inline-block;padding:.2rem 0;min-height:24px}"
    ".notice{margin:.3rem 0 0;padding:.35rem .6rem;border:2px solid #8a5a00;"
    "background:#fff4d6;color:#3d2a00;border-radius:4px;font-weight:600}"
)
"""Style of :func:`page_nav` and :func:`notices_html` (each page adds it to its own CSS)."""


def page_nav(pages: Sequence[tuple[str, str]]) -> str:
    """Links to the other pages of one build (index, report, overview, maps): ``(href, text)``.

    Every ``href`` must be relative (:func:`relative_href`); "" when there are none.
    """
    if not pages:
        return ""
    items = "".join(
        f'<li><a href="{esc(relative_href(href))}">{esc(text)}</a></li>' for href, text in pages
    )
    return f'<nav class="pages" aria-label="Other pages"><ul>{items}</ul></nav>\n'


def notices_html(notices: Sequence[str]) -> str:
    """Visible notices about the data behind a page (say, an import that was incomplete)."""
    return "".join(f'<p class="notice" role="note">{esc(text)}</p>\n' for text in notices)


STATIC_PAGE_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<link rel="icon" href="data:,">
<style>@@CSS@@</style>
</head>
<body>
<header>
<h1>@@TITLE@@</h1>
"""
"""The start of every script-free page (index, gap report): a policy that allows no script
and no network load, then the title, up to the open ``<header>``'s heading."""


def write_html(path: Path, html: str) -> None:
    """Write a page atomically (a crash leaves the old file or the new one, whole).

    Parameters
    ----------
    path : Path
        Target file; missing parent folders are created.
    html : str
        The page, written as UTF-8.
    """
    atomic_write_text(Path(path), html)
