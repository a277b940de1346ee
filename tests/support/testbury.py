"""A small fictional workbook, Testbury, and a version of it with the mistakes people make.

Every area, provider and forum name says "(fictional)"; nothing here describes a real
place or organisation. :func:`bad_files` makes typical spreadsheet mistakes in it: a
region typed freely, a forum kind outside the list (both descriptive: warnings only), an
area row with no name, an evidence row with a British date, a sector typo, a link-type
typo. :data:`FIXES` corrects each rejected row, by file and key.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

GOOD: dict[str, str] = {
    "areas.csv": (
        "area_id,name,ons_code,ods_code,region\n"
        "tb,Testbury Health and Care Partnership (fictional),,,Midlands\n"
        "ob,Oldbridge Care Partnership (fictional),,,Midlands\n"
    ),
    "evidence.csv": (
        "evidence_id,title,publisher,date,url,quote\n"
        "E1,Testbury discharge hub minutes (fictional),Testbury Council (fictional),"
        "2020-09-01,https://example.org/testbury/e1,We meet every morning to clear beds.\n"
        "E2,Oldbridge mutual aid log (fictional),Oldbridge Trust (fictional),2020-11-02,,\n"
        "E3,Testbury interview notes (fictional),Fictional review team,2020-10-14,"
        "https://example.org/testbury/e3,The 111 service and GPs share one rota.\n"
    ),
    "providers.csv": (
        "provider_id,name,sector,area,ods_code,cqc_location_id,cqc_provider_id,notes\n"
        "tb-acute,Testbury General Hospital (fictional),acute-trust;emergency-department,tb,,,,\n"
        "tb-gp,Testbury Lane Surgery (fictional),gp-practice,tb,,,,\n"
        "tb-111,Testbury 111 (fictional),nhs-111,tb,,,,\n"
        "tb-home,Willow House Care Home (fictional),care-home,tb,,,,\n"
        "tb-la,Testbury Council (fictional),local-authority,tb,,,,\n"
        "ob-acute,Oldbridge Infirmary (fictional),acute-trust,ob,,,,\n"
        "ob-home,Oldbridge Court Care Home (fictional),care-home,ob,,,,\n"
        "ob-la,Oldbridge Council (fictional),local-authority,ob,,,,\n"
    ),
    "forums.csv": (
        "forum_id,name,area,kind,notes\n"
        "tb-board,Testbury Partnership Board (fictional),tb,partnership-board,\n"
        "ob-board,Oldbridge Partnership Board (fictional),ob,partnership-board,\n"
    ),
    "memberships.csv": (
        "forum_id,provider_id,role,start,end\n"
        "tb-board,tb-acute,member,2020-04-01,\n"
        "tb-board,tb-la,chair,2020-04-01,\n"
        "ob-board,ob-acute,member,,\n"
        "ob-board,ob-la,chair,,\n"
    ),
    "links.csv": (
        "link_id,type,participants,area,start,end,themes,evidence,notes\n"
        "L1,discharge-coordination,tb-acute;tb-home,tb,2020-04-01,,ensuring-access,E1,\n"
        "L2,shared-pathway,tb-111;tb-gp,tb,,,ensuring-access,E3,\n"
        "L3,mutual-aid,ob-acute;ob-home,ob,,,safety-and-staff-skills,E2,\n"
        "L4,discharge-coordination,ob-acute;ob-home,ob,,,,E2,\n"
        "L5,joint-planning,tb-la;tb-acute,tb,,,,,\n"
    ),
}
"""The corrected workbook: imports strictly with no problem and no warning."""


def bad_files() -> dict[str, str]:
    """:data:`GOOD` with typical mistakes (see the module docstring)."""
    files = dict(GOOD)
    files["areas.csv"] = (
        GOOD["areas.csv"]
        .replace("(fictional),,,Midlands\nob", "(fictional),,,east midlands\nob")
        .replace("ob,Oldbridge Care Partnership (fictional),", "ob,,")
    )
    files["evidence.csv"] = GOOD["evidence.csv"].replace("2020-10-14", "14/10/2020")
    files["providers.csv"] = GOOD["providers.csv"].replace(
        "Home (fictional),care-home,tb", "Home (fictional),carehome,tb"
    )
    files["forums.csv"] = GOOD["forums.csv"].replace("tb,partnership-board", "tb,weekly huddle")
    files["links.csv"] = GOOD["links.csv"].replace("L5,joint-planning", "L5,Joint planing")
    return files


FIXES: dict[tuple[str, str], dict[str, str]] = {
    ("areas.csv", "ob"): {"name": "Oldbridge Care Partnership (fictional)"},
    ("evidence.csv", "E3"): {"date": "2020-10-14"},
    ("providers.csv", "tb-home"): {"sector": "care-home"},
    ("links.csv", "L5"): {"type": "joint-planning"},
}
"""What corrects each row :func:`bad_files` spoils, by (file, key)."""

REJECTED_AT_SOURCE = {("areas.csv", 3), ("evidence.csv", 4), ("providers.csv", 5), ("links.csv", 6)}
"""The (file, line) of every row with a problem of its own in :func:`bad_files`."""


def write(folder: Path, files: dict[str, str]) -> Path:
    """Write ``files`` into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def fix_folder(folder: Path) -> int:
    """Correct, in place, every row of a rejects folder that :data:`FIXES` knows; the count."""
    from pcr_graph.ingest.workbook import TEMPLATE

    fixed = 0
    for name, spec in TEMPLATE.items():
        path = folder / name
        if not path.exists():
            continue
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        key_column = spec.required[0]
        for row in rows:
            change = FIXES.get((name, row[key_column]))
            if change:
                row.update(change)
                fixed += 1
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return fixed
