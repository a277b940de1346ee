"""The notebook API: docs/api.md's worked example runs, and ``import pcr_graph`` stays lazy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import pcr_graph

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.S | re.M)


def test_the_documented_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _blocks()
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)  # an empty folder: no workspace, the map saved here
    namespace: dict[str, object] = {}
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"docs/api.md block {number}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "Wyndle Vale" in out
    assert (tmp_path / "wyndle-vale.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_every_documented_name_is_exported() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`pg\.(\w+)\(", text))
    assert documented <= set(pcr_graph.__all__)
    for name in pcr_graph.__all__:
        assert getattr(pcr_graph, name) is not None
    assert "open_project" in dir(pcr_graph)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = pcr_graph.nope  # type: ignore[attr-defined]


def test_import_pcr_graph_loads_nothing_heavy() -> None:
    code = (
        "import sys, pcr_graph; "
        "print(sorted(m for m in ('rdflib', 'pyoxigraph', 'networkx', 'pyshacl') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_map_view_escapes_its_page_into_a_sandboxed_frame() -> None:
    from pcr_graph.app.api import AreaMapView
    from pcr_graph.render.maps import AreaMap

    view = AreaMapView(AreaMap(area_id="x", title='A "quoted" <area>'), '<p a="1">&</p>')
    frame = view._repr_html_()
    assert 'sandbox="allow-scripts"' in frame
    assert 'srcdoc="&lt;p a=&quot;1&quot;&gt;&amp;&lt;/p&gt;"' in frame
    assert 'title="A &quot;quoted&quot; &lt;area&gt;"' in frame


@pytest.mark.slow
def test_mypy_sees_the_lazily_exported_types(tmp_path: Path) -> None:
    """The names ``__getattr__`` imports at run time are typed for mypy (and IDEs)."""
    snippet = tmp_path / "notebook.py"
    snippet.write_text(
        "import pcr_graph as pg\n"
        "store = pg.open_project()\n"
        "reveal_type(store)\n"
        "reveal_type(pg.gap_report(store))\n"
        "reveal_type(pg.area_map(store, 'wv'))\n",
        encoding="utf-8",
    )
    src = Path(pcr_graph.__file__).resolve().parents[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            str(snippet),
        ],
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(src), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout
    assert 'Revealed type is "pcr_graph.store.engines.Store"' in result.stdout
    assert 'Revealed type is "pcr_graph.analysis.gaps.GapReport"' in result.stdout
    assert 'Revealed type is "pcr_graph.app.api.AreaMapView"' in result.stdout
