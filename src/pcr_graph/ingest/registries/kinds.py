"""The kinds of registry file, and the ODS code lists the importers read."""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib.namespace import SKOS

from pcr_graph.core.namespaces import PCR

Progress = Callable[[int, int], None]
"""``progress(rows_done, rows_total)`` for one file."""

FileProgress = Callable[[str, int, int], None]
"""``progress(file_name, rows_done, rows_total)`` across a folder."""

ONS_SUBICB = "ons-subicb-icb"
ONS_STP21 = "ons-stp21"
ONS_CCG21 = "ons-ccg21"
ODS_TRUSTS = "ods-trusts"
ODS_PRACTICES = "ods-practices"
CQC_HOMES = "cqc-care-homes"
CQC_LA_LOOKUP = "cqc-la-lookup"
ODS_COMMISSIONERS = "ods-commissioners"
ODS_PCN = "ods-pcn"
GP_PCN_MAP = "gp-practice-pcn-map"
ODS_SUCCESSIONS = "ods-successions"
UNRECOGNISED = "unrecognised"

KINDS: tuple[str, ...] = (
    ONS_SUBICB,
    ONS_CCG21,
    ONS_STP21,
    CQC_LA_LOOKUP,
    ODS_COMMISSIONERS,
    ODS_TRUSTS,
    ODS_PRACTICES,
    CQC_HOMES,
    ODS_PCN,
    GP_PCN_MAP,
    ODS_SUCCESSIONS,
)
"""Every kind :func:`detect` can return, in the order :func:`import_registries` imports them
(successions last: they link codes the other files defined)."""

LOOKUP_KINDS = frozenset(
    {ONS_SUBICB, ONS_CCG21, ONS_STP21, CQC_LA_LOOKUP, ODS_COMMISSIONERS, ODS_SUCCESSIONS}
)
"""Kinds read into the :class:`~.lookup.Lookup` before any file is imported."""

HISTORY_KINDS = frozenset({"ods-trusts", "ods-practices", ODS_PCN, GP_PCN_MAP})
"""Kinds of which several releases are told apart: the newest is current, the older history."""

PROGRESS_EVERY = 1000
"""Rows between two progress calls."""

ODS_COLUMNS = 27

STATUS = {"A": "active", "C": "closed", "D": "dormant", "P": "proposed"}
"""ODS status codes (column 13 of epraccur)."""

SETTING_NAMES: dict[str, str] = {
    "0": "other",
    "1": "walk-in centre",
    "2": "out-of-hours service",
    "3": "walk-in centre and out-of-hours service",
    "4": "GP practice",
    "8": "public health service",
    "9": "community health service",
    "10": "hospital service",
    "11": "optometry service",
    "12": "urgent and emergency care",
    "13": "hospice",
    "14": "care home or nursing home",
    "15": "Border Force",
    "16": "young offender institution",
    "17": "secure training centre",
    "18": "secure children's home",
    "19": "immigration removal centre",
    "20": "court",
    "21": "police custody",
    "22": "sexual assault referral centre",
    "24": "other justice estate",
    "25": "prison",
    "26": "primary care network",
}
"""ODS prescribing settings (column 26 of epraccur)."""

SETTING_SECTORS: dict[str, tuple[str, ...]] = {
    "1": ("urgent-treatment-centre",),
    "2": ("out-of-hours",),
    "3": ("out-of-hours", "urgent-treatment-centre"),
    "4": ("gp-practice",),
    "8": ("public-health",),
    "9": ("community-health",),
    "10": ("nhs-trust",),
    "12": ("urgent-treatment-centre",),
    "13": ("hospice",),
    "14": ("care-home",),
    "26": ("primary-care",),
}
"""Prescribing setting → sector notations. Settings not listed are rejected: 0 says nothing
about the kind of service, and optometry, the justice estate (15–25) and sexual assault
referral centres are not provider types pcr-graph models."""

MULTI_VALUED = frozenset({SKOS.note, PCR.sourceLocation, PCR.sector, PCR.operatesIn, PCR.release})

QCODE = re.compile(r"^Q[0-9A-Z]{2}$")
ODS_CODE = re.compile(r"^[0-9A-Z]{3,6}$")
DATE8 = re.compile(r"^\d{8}$")
CCG_CODE = re.compile(r"^\d\d[0-9A-Z]$")
"""A CCG or Sub-ICB location code, such as 00C or 15N."""
