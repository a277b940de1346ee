"""The shared page helpers: notices and links between pages, on every page the product writes."""

from __future__ import annotations

import json
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcr_graph.render.html import _JSON_ESCAPES, notices_html, page_nav, script_json
from pcr_graph.render.maps import (
    IndexEntry,
    Overview,
    OverviewArea,
    render_area_html,
    render_index_html,
    render_overview_html,
)
from pcr_graph.render.report_html import to_html
from tests.render.test_maps import XSS_PAYLOADS, sample_area

NOTICE = "Import 'wb' was incomplete: 3 rows rejected <b>"


class _Collect(HTMLParser):
    """The text of each ``<p class="notice">``, and each link inside ``<nav class="pages">``."""

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[str] = []
        self.navs: list[list[tuple[str, str]]] = []
        self._in: str | None = None
        self._href = ""
        self._nav = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        css = dict(attrs).get("class")
        if tag == "p" and css == "notice":
            self._in = "notice"
            self.notices.append("")
        elif tag == "nav" and css == "pages":
            self.navs.append([])
            self._nav = True
        elif tag == "a" and self._nav and self._in is None:
            self._in, self._href = "a", dict(attrs).get("href") or ""
            self.navs[-1].append((self._href, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "a"):
            self._in = None
        elif tag == "nav":
            self._nav = False

    def handle_data(self, data: str) -> None:
        if self._in == "notice":
            self.notices[-1] += data
        elif self._in == "a":
            href, text = self.navs[-1][-1]
            self.navs[-1][-1] = (href, text + data)


def _collect(page: str) -> _Collect:
    parser = _Collect()
    parser.feed(page)
    parser.close()
    return parser


def _notices(page: str) -> list[str]:
    return _collect(page).notices


def _nav(page: str) -> list[tuple[str, str]]:
    navs = _collect(page).navs
    assert len(navs) == 1
    return navs[0]


def test_area_map_shows_notices_and_links_to_other_pages() -> None:
    area = replace(sample_area(), notices=(NOTICE,), pages=(("../index.html", "All areas"),))
    page = render_area_html(area)
    assert _notices(page) == [NOTICE]
    assert _nav(page) == [("../index.html", "All areas")]
    assert "<b>" not in page.split('id="pcr-data"')[0]


def test_overview_and_index_show_notices() -> None:
    overview = Overview(
        title="Overview",
        areas=(OverviewArea(id="a", label="A", providers=3),),
        notices=(NOTICE,),
        pages=(("index.html", "Index"),),
    )
    page = render_overview_html(overview)
    assert _notices(page) == [NOTICE]
    assert _nav(page) == [("index.html", "Index")]
    index = render_index_html(
        "Index", [IndexEntry("maps/a.html", "A", 3, 0, ())], notices=(NOTICE, "second")
    )
    assert _notices(index) == [NOTICE, "second"]


def test_no_notice_no_nav_by_default() -> None:
    page = render_area_html(sample_area())
    assert _notices(page) == []
    assert 'class="pages"' not in page
    assert notices_html(()) == "" and page_nav(()) == ""


def test_report_links_to_other_pages() -> None:
    from pcr_graph.analysis.gaps import GapReport

    page = to_html(GapReport(rules=[], hits=[], areas=[]), pages=(("index.html", "Index"),))
    assert _nav(page) == [("index.html", "Index")]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_notices_and_nav_escape_their_text(payload: str) -> None:
    found = _collect(notices_html((payload,)) + page_nav((("a.html", payload),)))
    assert found.notices == [payload]
    assert found.navs == [[("a.html", payload)]]


def test_nav_refuses_absolute_links() -> None:
    with pytest.raises(ValueError, match="relative"):
        page_nav((("/etc/passwd", "x"),))


def _standard_library(value: object) -> str:
    """What script_json wrote before orjson: json.dumps, then the six escapes."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


_PIECES = ["a", "<", ">", "&", "'", '"', "\\", "/", "\u2028", "\u2029", "\x00", "\x1f", "\x7f"]
_TEXT = st.lists(
    st.sampled_from([*_PIECES, "é", "\uffff", "\U0001f600", "\ud800", "e-", "0.0000", "null"]),
    max_size=6,
).map("".join)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.sampled_from([1e-05, 1.5e-07, 1e16, 1e22, -0.0, 0.6000000000000001])
    | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_script_json_writes_the_standard_librarys_bytes(value: object) -> None:
    # orjson writes the data of the big pages; where its text could differ (tiny floats,
    # NaN, what it cannot write) the standard library does: the bytes are always json's.
    assert script_json(value) == _standard_library(value)


def test_script_json_orjson_path_on_a_map_and_unicode_keys() -> None:
    keys = {"\uffff": 1, "\U0001f600": 2, "é": 3, "z": [0.25, 12.5, 1e16], "<\u2028>": "'&"}
    assert script_json(keys) == _standard_library(keys)
    page = render_area_html(sample_area())
    data = page.split('id="pcr-data">', 1)[1].split("</script>", 1)[0]
    assert "</" not in data and "\u2028" not in data
    assert data == _standard_library(json.loads(data))
