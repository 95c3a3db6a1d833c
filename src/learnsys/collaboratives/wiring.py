"""Attach the collaborative service to the running ``Services``: writes refresh the RDF graph at once."""

from __future__ import annotations

import logging
import threading
from typing import Any

from learnsys.collaboratives.graph import project, project_all
from learnsys.collaboratives.service import CollaborativeService

log = logging.getLogger(__name__)
_PROJECTION = threading.Lock()


def attach(services: Any) -> CollaborativeService | None:
    """``services.collaboratives`` over ``services.store`` (None without a store), projected into the graph."""
    if services.store is None:
        return None

    def changed(cid: str) -> None:
        if services.graph is None:
            return
        try:
            with _PROJECTION:
                project(services.graph, service, cid)
        except Exception:  # the store holds the truth; the graph catches up at the next change or restart
            log.exception("projecting collaborative %s into the graph failed", cid)

    service = CollaborativeService(services.store, services.reference, on_change=changed)
    services.collaboratives = service
    if services.graph is not None:
        reproject(services.graph, service)
    return service


def reproject(graph: Any, service: CollaborativeService | None) -> None:
    """Every collaborative into a (new) graph store, e.g. after the graph is rebuilt from files."""
    if service is not None:
        with _PROJECTION:
            project_all(graph, service)
