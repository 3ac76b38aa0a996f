"""Front ends that register themselves: the library finds the web app through a packaging entry point
(group ``reportqa.frontends``, declared in pyproject.toml) instead of importing ``ui``, so the dependency
points one way only — ``ui`` depends on ``rag``, never the reverse."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

GROUP = "reportqa.frontends"


class FrontEndMissing(RuntimeError):
    """The named front end is not installed (or the package metadata is stale: reinstall with pip)."""


def front_end(name: str = "web") -> Any:
    """The module registered as front end ``name`` (``web`` → ``ui.app``: ``build_app``, ``serve``)."""
    found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not found:
        raise FrontEndMissing(f"front end {name!r} is not installed (entry point group {GROUP}); "
                              "run `pip install -e .` (make setup) in the repository")
    return found[0].load()
