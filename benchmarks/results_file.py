"""What every benchmark's JSON says about the machine, and how it is written."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """The Python, platform and CPU count a run was measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def write_results(out: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` (keys sorted, two-space indent) to ``out`` and say so."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")
