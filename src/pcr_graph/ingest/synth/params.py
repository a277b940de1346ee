"""The parameters of the synthetic England: sizes, the sector mix, link patterns, prefixes."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib.namespace import DCMITYPE

from pcr_graph.core.errors import UsageError
from pcr_graph.core.namespaces import BASE, PREFIXES
from pcr_graph.core.vocab import link_types as link_type_scheme

AREAS = 42
"""Synthetic areas, as many as England has ICS footprints."""


REGIONS = 7
"""Synthetic regions, as many as NHS England has."""


REFERENCE_SIZE = 55_000
"""The provider count the sector mix below is given for."""


MIN_PROVIDERS = 200
"""Fewer providers than this cannot give every area an acute trust and a council."""


MAX_PROVIDERS = 2_000_000


SECTOR_MIX: tuple[tuple[str, int], ...] = (
    ("care-home", 15_000),
    ("domiciliary-care", 12_000),
    ("pharmacy", 8_500),
    ("dental", 7_000),
    ("gp-practice", 6_500),
    ("voluntary-sector", 4_415),
    ("education", 600),
    ("hospice", 200),
    ("urgent-treatment-centre", 170),
    ("local-authority", 153),
    ("healthwatch", 152),
    ("acute-trust", 128),
    ("out-of-hours", 60),
    ("mental-health", 50),
    ("community-health", 31),
    ("nhs-111", 30),
    ("ambulance", 11),
)
"""Providers per sector in a synthetic England of :data:`REFERENCE_SIZE` providers.

Counts of the real sector mix, rounded (220 NHS trusts: 128 acute, 50 mental health, 31
community, 11 ambulance; 153 councils; about 15,000 care homes and 12,000 home-care
agencies registered with the CQC; 6,500 GP practices)."""


PER_AREA_FLOOR = ("acute-trust", "local-authority")
"""Sectors every area has at least one provider of, whatever the size."""


SECTOR_NAMES = {
    "care-home": "care home",
    "domiciliary-care": "home-care agency",
    "pharmacy": "pharmacy",
    "dental": "dental practice",
    "gp-practice": "GP practice",
    "voluntary-sector": "voluntary group",
    "education": "college",
    "hospice": "hospice",
    "urgent-treatment-centre": "urgent treatment centre",
    "local-authority": "council",
    "healthwatch": "Healthwatch",
    "acute-trust": "acute hospital trust",
    "out-of-hours": "out-of-hours service",
    "mental-health": "mental health trust",
    "community-health": "community health trust",
    "nhs-111": "NHS 111 service",
    "ambulance": "ambulance service",
}


def link_types() -> tuple[str, ...]:
    """The link type notations, in the vocabulary's list order (``ontology/link-types.ttl``)."""
    types = link_type_scheme()
    return tuple(types.notation[concept] for concept in types.ordered())


_THEME_OF = {
    "mutual-aid": "safety-and-staff-skills",
    "shared-governance": "governance-and-shared-planning",
    "discharge-coordination": "ensuring-access",
    "information-sharing": "use-of-technology",
    "staff-redeployment": "safety-and-staff-skills",
    "joint-planning": "governance-and-shared-planning",
    "joint-training": "safety-and-staff-skills",
    "shared-pathway": "ensuring-access",
    "community-engagement": "tackling-inequalities",
}


_PATTERNS: tuple[tuple[str, float, str, tuple[str, ...], bool], ...] = (
    # (sector, share of its providers, link type, partner sectors, aimed at inequalities)
    ("care-home", 0.9, "shared-pathway", ("gp-practice",), False),  # enhanced health
    ("care-home", 0.5, "information-sharing", ("acute-trust", "community-health"), False),
    ("care-home", 0.5, "joint-training", ("community-health",), False),  # infection control
    ("care-home", 0.5, "information-sharing", ("local-authority",), False),
    ("care-home", 0.5, "information-sharing", ("pharmacy",), False),  # medicines
    ("care-home", 0.25, "mutual-aid", ("care-home",), False),
    ("care-home", 0.15, "joint-training", ("hospice",), False),
    ("care-home", 0.1, "community-engagement", ("voluntary-sector",), True),
    ("domiciliary-care", 0.3, "information-sharing", ("acute-trust", "community-health"), False),
    ("domiciliary-care", 0.7, "information-sharing", ("local-authority",), False),
    ("domiciliary-care", 0.5, "shared-pathway", ("gp-practice",), False),
    ("domiciliary-care", 0.4, "joint-training", ("community-health",), False),
    ("domiciliary-care", 0.2, "mutual-aid", ("domiciliary-care",), False),
    ("domiciliary-care", 0.15, "community-engagement", ("voluntary-sector",), True),
    ("gp-practice", 0.6, "information-sharing", ("nhs-111",), False),
    ("gp-practice", 0.5, "shared-pathway", ("out-of-hours",), False),
    ("gp-practice", 0.5, "information-sharing", ("acute-trust",), False),
    ("gp-practice", 0.3, "shared-pathway", ("mental-health",), False),
    ("pharmacy", 0.9, "information-sharing", ("gp-practice",), False),
    ("pharmacy", 0.4, "shared-pathway", ("gp-practice",), False),
    ("pharmacy", 0.2, "information-sharing", ("nhs-111",), False),
    ("pharmacy", 0.2, "mutual-aid", ("pharmacy",), False),
    ("pharmacy", 0.2, "community-engagement", ("local-authority",), True),
    ("dental", 0.35, "shared-pathway", ("gp-practice",), False),
    ("dental", 0.15, "community-engagement", ("local-authority",), True),
    ("dental", 0.1, "shared-pathway", ("acute-trust",), False),
    ("voluntary-sector", 0.6, "community-engagement", ("local-authority",), True),
    ("voluntary-sector", 0.45, "shared-pathway", ("gp-practice",), False),  # social prescribing
    ("voluntary-sector", 0.2, "shared-pathway", ("mental-health",), True),
    ("voluntary-sector", 0.1, "community-engagement", ("acute-trust",), True),
    ("voluntary-sector", 0.1, "joint-training", ("hospice",), False),
    ("education", 0.7, "shared-pathway", ("mental-health",), True),
    ("education", 0.3, "joint-planning", ("local-authority",), False),
    ("urgent-treatment-centre", 0.5, "information-sharing", ("nhs-111",), False),
    ("out-of-hours", 1.0, "shared-pathway", ("nhs-111",), False),
    ("healthwatch", 1.0, "community-engagement", ("local-authority",), True),
    ("healthwatch", 1.0, "community-engagement", ("acute-trust",), True),
    ("hospice", 1.0, "shared-pathway", ("acute-trust",), False),
    ("hospice", 1.0, "joint-training", ("community-health",), False),
)
"""Everyday collaboration: each provider of the sector, with that chance, gets a link of
the type with one provider of the partner sectors in its area."""


_EVIDENCE_PER_TYPE = 2


_STALE_SHARE = 0.08
"""Share of evidence items dated before March 2020 (the stale-evidence rule finds them)."""


SYNTHETIC = BASE + "id/synthetic/"
"""Every synthetic IRI starts with this."""


_PREFIXES = (
    *((p, PREFIXES[p]) for p in ("pcr", "sector", "linktype", "theme", "forumkind")),
    *((p, PREFIXES[p]) for p in ("org", "skos", "prov", "dcterms")),
    ("dctype", str(DCMITYPE)),
    ("xsd", PREFIXES["xsd"]),
    ("sa", SYNTHETIC + "area/"),
    ("sr", SYNTHETIC + "region/"),
    ("sp", SYNTHETIC + "provider/"),
    ("sl", SYNTHETIC + "link/"),
    ("se", SYNTHETIC + "evidence/"),
    ("sf", SYNTHETIC + "forum/"),
    ("sm", SYNTHETIC + "membership/"),
)


_CHUNK = 1 << 16


def _region_of(area: int) -> int:
    return area * REGIONS // AREAS


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder, ties by position)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def sector_counts(providers: int) -> dict[str, int]:
    """Providers per sector for a synthetic England of ``providers`` providers.

    The :data:`SECTOR_MIX` scaled to ``providers``, with every sector present at least once
    and every area given an acute trust and a council (taken from the largest sectors).

    Examples
    --------
    >>> counts = sector_counts(55_000)
    >>> counts["care-home"], counts["gp-practice"], counts["local-authority"]
    (15000, 6500, 153)
    >>> sum(sector_counts(1_000).values())
    1000
    """
    if not MIN_PROVIDERS <= providers <= MAX_PROVIDERS:
        raise UsageError(
            f"--providers must be between {MIN_PROVIDERS} and {MAX_PROVIDERS} (got {providers})"
        )
    names = [s for s, _ in SECTOR_MIX]
    floors = {s: AREAS if s in PER_AREA_FLOOR else 1 for s in names}
    counts = dict(zip(names, _apportion(providers, [n for _, n in SECTOR_MIX]), strict=True))
    counts = {s: max(n, floors[s]) for s, n in counts.items()}
    for _ in range(sum(counts.values()) - providers):
        # Raising a sector to its floor takes a provider from the largest sector above its own.
        donor = max(
            (s for s in names if counts[s] > floors[s]), key=lambda s: (counts[s], -names.index(s))
        )
        counts[donor] -= 1
    return counts


__all__ = [
    "AREAS",
    "MAX_PROVIDERS",
    "MIN_PROVIDERS",
    "PER_AREA_FLOOR",
    "REFERENCE_SIZE",
    "REGIONS",
    "SECTOR_MIX",
    "SECTOR_NAMES",
    "SYNTHETIC",
    "link_types",
    "sector_counts",
]
