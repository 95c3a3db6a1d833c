"""The application object: reference data, graph store, corpus and search, loaded once per process.

The API, the CLI and the MCP server are thin layers over one ``Services`` instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from learnsys.config import Settings
from learnsys.corpus.documents import Document
from learnsys.kg.concepts import Concept
from learnsys.kg.records import ReferenceData


@dataclass
class Services:
    settings: Settings
    reference: ReferenceData
    graph: Any  # learnsys.kg.store.GraphStore
    documents: dict[str, Document] = field(default_factory=dict)
    concepts: dict[str, dict[str, Concept]] = field(default_factory=dict)  # scheme -> notation -> Concept
    search: Any = None  # learnsys.search service (hot-reloads new index builds)
    store: Any = None  # learnsys.store.db.Database: the store of record (accounts, audit, documents, plans)
    follower: Any = None  # learnsys.store.changes.ChangePoller: refreshes index and graph after store changes
    collaboratives: Any = None  # learnsys.collaboratives.service.CollaborativeService (needs the store)
    ready: bool = False
