"""CSV cells that a spreadsheet cannot run: every CSV pcr-graph writes passes its cells here.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (CSV injection). Following OWASP's guidance such a
cell is prefixed with a single quote, which the spreadsheet shows as text and does not
evaluate. A cell that is a plain number (``-3``, ``+1.5``) cannot be a formula and is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
