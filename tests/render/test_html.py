"""The shared page helpers: notices and links between pages, on every page the product writes."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pytest

from pcr_graph.render.html import notices_html, page_nav
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
