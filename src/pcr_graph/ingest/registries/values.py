"""Small value helpers: names, postcodes, dates, telephone numbers, release labels, node IRIs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from pcr_graph.core.ids import area_iri, mint
from pcr_graph.ingest.registries.kinds import (
    CQC_LA_LOOKUP,
    DATE8,
    GP_PCN_MAP,
    ODS_COMMISSIONERS,
    ODS_PCN,
    ODS_PRACTICES,
    ODS_SUCCESSIONS,
    ODS_TRUSTS,
    ONS_CCG21,
    ONS_STP21,
    ONS_SUBICB,
)
from pcr_graph.ingest.registries.tables import (
    Table,
    subicb_prefix,
)


def name_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def postcode_key(text: str) -> str:
    return "".join(text.split()).upper()


def missing(text: str) -> bool:
    return text.strip() in ("", "NA")


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if not DATE8.match(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@cache
def date_literal(text: str) -> Literal | None:
    day = parse_date(text)
    return None if day is None else Literal(day.isoformat(), datatype=XSD.date)


def restore_telephone(text: str) -> tuple[str | None, str]:
    """A telephone number fit to keep, and a note when it had to be repaired or dropped.

    Spreadsheets turn telephone numbers into numbers: the leading zero goes, and long ones
    become scientific notation, losing digits for good.

    >>> restore_telephone("1617486414")
    ('01617486414', 'telephone 1617486414 lost its leading zero; kept as 01617486414')
    >>> restore_telephone("01642 672351")
    ('01642 672351', '')
    >>> restore_telephone("1617777e3")[0] is None
    True
    >>> restore_telephone("NA")
    (None, '')
    """
    text = text.strip()
    if missing(text):
        return None, ""
    digits = text.replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", digits):
        return None, (
            f"telephone {text} was turned into scientific notation; its last digits are "
            "lost, so it is not kept"
        )
    if not digits.isdigit():
        return None, f"telephone {text} is not a telephone number; not kept"
    if digits.startswith("0"):
        return text, ""
    if len(digits) == 10:
        fixed = "0" + text
        return fixed, f"telephone {text} lost its leading zero; kept as {fixed}"
    return None, (
        f"telephone {text} has {len(digits)} digits, too few for a UK number even with its "
        "leading zero; not kept"
    )


@cache
def area_node(code: str) -> URIRef:
    return area_iri(code)


@cache
def subarea_node(code: str) -> URIRef:
    return mint("subarea", code)


def release_month(rows: Iterable[list[str]], columns: Sequence[int]) -> str:
    latest = ""
    for cells in rows:
        for column in columns:
            value = cells[column].strip() if column < len(cells) else ""
            if value > latest and parse_date(value) is not None:
                latest = value
    return f"{latest[:4]}-{latest[4:6]}" if latest else "undated"


def release_of(table: Table) -> str:
    """A label for the release of a file, from its contents only."""
    rows = [cells for _, cells in table.rows]
    if table.kind == ONS_SUBICB:
        year = re.sub(r"\D", "", subicb_prefix(table.header))
        return f"ons-subicb-icb 20{year}"
    if table.kind == ONS_STP21:
        return "ons-stp 2021"
    if table.kind == ONS_CCG21:
        return "ons-ccg 2021"
    if table.kind == CQC_LA_LOOKUP:
        return "cqc-la-lookup 2022"
    if table.kind == ODS_TRUSTS:
        return f"ods-trusts {release_month(rows, (10, 11))}"
    if table.kind == ODS_PRACTICES:
        return f"epraccur {release_month(rows, (10, 11, 15, 16))}"
    if table.kind == ODS_COMMISSIONERS:
        return f"ods-commissioners {release_month(rows, (10, 11))}"
    if table.kind == ODS_SUCCESSIONS:
        return f"ods-successions {release_month(rows, (3,))}"
    if table.kind == ODS_PCN and len(table.parts) == 2:
        dates = [[c] for part in table.parts for _, cells in part.rows for c in cells]
        return f"ePCN {release_month(dates, (0,))}"
    if table.kind == GP_PCN_MAP:
        (column,) = table.columns("EXTRACT_DATE")
        months = sorted({extract_month(c[column]) for c in rows if column < len(c)} - {""})
        return f"gp-pcn-map {months[-1] if months else 'undated'}"
    if "INSPECTION_DATE" in table.header:
        (column,) = table.columns("INSPECTION_DATE")
        inspected = [c[column].replace("-", "") for c in rows if column < len(c)]
        return f"cqc-care-homes {release_month([[d] for d in inspected], (0,))}"
    return "cqc-care-homes undated"


def extract_month(text: str) -> str:
    """``2022-01`` from an extract date written ``01Jan2022``, else "".

    >>> extract_month("01Jan2022"), extract_month("soon")
    ('2022-01', '')
    """
    try:
        return dt.datetime.strptime(text.strip(), "%d%b%Y").strftime("%Y-%m")
    except ValueError:
        return ""


def release_key(release: str) -> str:
    """The date part of a release label (``undated`` sorts before any date)."""
    tail = release.rsplit(" ", 1)[-1]
    return tail if tail[:1].isdigit() else ""
