"""The Testshire fixture as a project and an opened store."""

from tests.support.testshire import project, store

__all__ = ["project", "store"]
