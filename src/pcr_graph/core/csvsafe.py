"""CSV cells that a spreadsheet cannot run: every CSV pcr-graph writes passes its cells here.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (CSV injection). Following OWASP's guidance such a
cell is prefixed with a single quote, which the spreadsheet shows as text and does not
evaluate. A cell that is a plain number (``-3``, ``+1.5``) cannot be a formula and is kept.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP)."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text that no spreadsheet evaluates.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell("-3"), safe_cell("@SUM(A1)"), safe_cell("Oak Lodge")
    ('-3', "'@SUM(A1)", 'Oak Lodge')
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    """Every cell of one row through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


def read_cell(text: str) -> str:
    """Undo :func:`safe_cell` when a CSV we wrote is read back (a rejects workbook re-imported).

    Examples
    --------
    >>> read_cell("'=1+1"), read_cell("'quoted"), read_cell("plain")
    ('=1+1', "'quoted", 'plain')
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_text(header: Iterable[object] | None, rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text (LF line ends), every cell through :func:`safe_cell`."""
    out = io.StringIO()
    writer = SafeWriter(out)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class SafeWriter:
    """A :func:`csv.writer` (LF line ends) whose every cell goes through :func:`safe_cell`."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        # With LF line ends the csv module leaves a lone CR unquoted, and readers then split
        # the row there; a row holding one is written with every cell quoted.
        self._quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row."""
        cells = safe_row(row)
        writer = self._quoted if any("\r" in cell for cell in cells) else self._writer
        writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write several rows."""
        for row in rows:
            self.writerow(row)
