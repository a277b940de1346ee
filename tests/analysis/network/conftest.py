"""The Testshire fixture as a project and an opened store."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project
from tests.support.testshire import make_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path)


@pytest.fixture
def store(project: Project) -> Store:
    return project.open()
