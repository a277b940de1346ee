"""Importing public registry files (ONS, NHS ODS, CQC) as RDF, with an account of every row.

Eleven kinds of file are recognised, in the folder given and its subfolders, by their header,
sheets or (for the header-less ODS files) the shape of their rows, never by their names:

``ons-subicb-icb``
    ONS Sub-ICB location → ICB lookup (July 2022), under its ``SICBL22*`` or older
    ``LOC22*`` column names. Each row is a :data:`~pcr_graph.core.namespaces.PCR.SubArea`.
``ons-ccg21``
    ONS CCG names and codes (April 2021): the 2021 CCG name (``skos:altLabel``) and code
    (``pcr:onsCode2021``) of each Sub-ICB location, merged into the node above.
``ons-stp21``
    ONS STP → region lookup (April 2021): the 2021 name and code of each area, merged into
    the reference area (``graph/areas.ttl`` holds the same facts).
``ods-trusts``
    NHS ODS ``etr``/``ect``: NHS trusts and care trusts.
``ods-practices``
    NHS ODS ``epraccur``: GP practices and other prescribing settings.
``cqc-care-homes``
    CQC care-home lists (with or without CQC location ids).
``cqc-la-lookup``
    Local authority → ICB (and Sub-ICB) lookups derived from the CQC directory; they place
    care homes, whose lists name a local authority, in an area. They add no triples.
``ods-commissioners``
    NHS ODS ``eccg``: CCGs and Sub-ICB locations, open and closed, with their area; it
    places the CCGs named by older releases (the 2019 PCNs) in an area.
``ods-pcn``
    NHS ODS ePCN workbooks (``.xlsx``): Primary Care Networks and the dated memberships of
    their practices (:mod:`.pcn`).
``gp-practice-pcn-map``
    NHS Digital's practice → PCN mapping of the "patients registered at a GP practice"
    publication: one undated membership per practice.
``ods-successions``
    NHS ODS ``succ``: which organisation code succeeded which (mergers, CCG → Sub-ICB
    location), linking the old and new codes of one organisation (:mod:`.successions`).

Every row ends in exactly one of *imported* (a new node), *merged* (its facts went onto a
node another row or file already defines) or *rejected* (with a reason), and rows that were
imported but look inconsistent are *reported*; :class:`Accounting` holds the figures.
Nothing is dropped silently and nothing is guessed.

Decisions worth knowing
-----------------------
- ODS does not say which kind of trust a trust is: names containing ``AMBULANCE`` get the
  ``ambulance`` sector, every other trust the ``nhs-trust`` grouping.
- A provider needs an area. A trust whose commissioning code is not one of the 42 areas
  (``Q99``: Wales and elsewhere) is rejected with that reason. A practice is placed in the
  area of its Sub-ICB commissioner, else in the area it states; only when neither is one of
  the 42 areas / 106 Sub-ICB locations is it rejected.
- Prescribing settings map to sectors where the sector scheme has one; setting 0 ("other")
  is rejected rather than guessed, as are optometry, the justice estate and sexual assault
  referral centres (see :data:`SETTING_SECTORS` and :data:`SETTING_NAMES`).
- Two releases of one ODS register: the newest is current (facts on the provider node);
  older ones become one ``pcr:RegistryRecord`` per row, kept apart from the current facts.
  The release month is that of the latest date in the file (ODS lists scheduled changes,
  so the December 2019 ``epraccur`` is labelled ``epraccur 2020-01``).
- CQC lists are extracts, not releases of one register: homes in several lists merge into
  one node (same CQC location id, or same name and postcode).
- Telephone numbers that lost their leading zero get it back (reported); numbers mangled
  into scientific notation or cut short are not kept (reported).
- A merged row adds only facts for properties the node does not have yet (plus notes and
  its source location), so a node never gets two names.
"""

from pcr_graph.ingest.registries.accounting import Accounting, RegistryProblem, write_problems
from pcr_graph.ingest.registries.imports import import_file, import_registries
from pcr_graph.ingest.registries.kinds import (
    CQC_HOMES,
    CQC_LA_LOOKUP,
    GP_PCN_MAP,
    KINDS,
    LOOKUP_KINDS,
    ODS_COMMISSIONERS,
    ODS_PCN,
    ODS_PRACTICES,
    ODS_SUCCESSIONS,
    ODS_TRUSTS,
    ONS_CCG21,
    ONS_STP21,
    ONS_SUBICB,
    PROGRESS_EVERY,
    SETTING_NAMES,
    SETTING_SECTORS,
    STATUS,
    UNRECOGNISED,
    FileProgress,
    Progress,
)
from pcr_graph.ingest.registries.lookup import Lookup
from pcr_graph.ingest.registries.tables import detect
from pcr_graph.ingest.registries.values import restore_telephone

__all__ = [
    "CQC_HOMES",
    "CQC_LA_LOOKUP",
    "GP_PCN_MAP",
    "KINDS",
    "LOOKUP_KINDS",
    "ODS_COMMISSIONERS",
    "ODS_PCN",
    "ODS_PRACTICES",
    "ODS_SUCCESSIONS",
    "ODS_TRUSTS",
    "ONS_CCG21",
    "ONS_STP21",
    "ONS_SUBICB",
    "PROGRESS_EVERY",
    "SETTING_NAMES",
    "SETTING_SECTORS",
    "STATUS",
    "UNRECOGNISED",
    "Accounting",
    "FileProgress",
    "Lookup",
    "Progress",
    "RegistryProblem",
    "detect",
    "import_file",
    "import_registries",
    "restore_telephone",
    "write_problems",
]
