"""A synthetic England: tens of thousands of invented providers, for scale tests and benchmarks.

:func:`synthesise` builds 42 invented areas in 7 invented regions, with providers in the
real sector mix of England (at 55,000 providers: about 15,000 care homes, 12,000 home-care
agencies, 6,500 GP practices, 220 NHS trusts, 153 councils …; scaled proportionally for
any other size), collaboration links in realistic patterns and planning forums with
members. :meth:`SyntheticEngland.turtle` streams it as Turtle that every pcr-graph command
accepts: it conforms to the SHACL shapes, every gap rule runs on it, every area renders.

Everything is invented and says so *in the data*: every area, region, provider, forum,
link and evidence item is named "Synthetic …" and carries ``pcr:fictional true``, and the
file holds a dataset description saying what it is. No real organisation or area name, and
no real area IRI, is used: the IRIs live under ``id/synthetic/``. Only the sector *counts*
mimic the real sector mix.

The link patterns:

- NHS trusts are hubs: most care homes (70-95 % depending on the area) and home-care
  agencies have a discharge-coordination link to an acute or community trust of their
  area, a few to a neighbouring area's trust instead (a gap the rules should find);
- GP practices sit in primary-care clusters of 4-8 (one n-ary shared-governance link
  each), linked to community trusts, NHS 111, out-of-hours services, pharmacies, care
  homes (enhanced health in care homes), hospices and voluntary groups (social
  prescribing);
- trusts share a mutual-aid compact per area and some mutual aid with neighbouring areas;
- councils plan jointly with trusts and engage the voluntary sector and Healthwatch;
- each area (but one) has planning forums (ICS board, A&E delivery board, discharge cell,
  cancer alliance board) whose membership leaves social care or the voluntary sector out in
  some areas, as the reviews found;
- every link cites evidence; some evidence predates the pandemic response.

The same ``providers`` and ``seed`` always give byte-identical Turtle.

Modules: ``params`` (sizes, sector mix, link patterns), ``model`` (the dataset and its
Turtle) and ``builder`` (drawing it from a seed).
"""

from __future__ import annotations

from pcr_graph.ingest.synth.builder import synthesise, write_synthetic
from pcr_graph.ingest.synth.model import SyntheticEngland, SynthEvidence, SynthForum, SynthLink
from pcr_graph.ingest.synth.params import (
    AREAS,
    REGIONS,
    SECTOR_MIX,
    SYNTHETIC,
    link_types,
    sector_counts,
)

__all__ = [
    "AREAS",
    "REGIONS",
    "SECTOR_MIX",
    "SYNTHETIC",
    "SynthEvidence",
    "SynthForum",
    "SynthLink",
    "SyntheticEngland",
    "link_types",
    "sector_counts",
    "synthesise",
    "write_synthetic",
]
