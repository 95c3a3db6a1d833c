"""Build the knowledge graph into a versioned folder (N-Triples + manifest) and load it back."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from learnsys.corpus.documents import Document
from learnsys.kg.graph_builder import build_graph
from learnsys.kg.records import Assessment, ReferenceData
from learnsys.kg.store import GraphStore
from learnsys.versioned import VersionedDir

GRAPH_FILE = "graph.nt"
MANIFEST = "manifest.json"


def file_hashes(paths: Iterable[Path], root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(paths):
        if path.is_file():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out


def graph_builds(index_dir: Path) -> VersionedDir:
    return VersionedDir(index_dir / "graph")


def build_graph_index(index_dir: Path, ontology_dir: Path, data: ReferenceData, documents: list[Document],
                      inputs: dict[str, str], extra_assessments: Iterable[Assessment] = (),
                      signals: Iterable[Any] = (), progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Write a new graph build and switch to it atomically; returns its manifest."""
    started = time.perf_counter()
    extra = list(extra_assessments)
    progress(f"graph: building from {len(data.providers)} providers, {len(data.observations)} observations, "
             f"{len(data.assessments) + len(extra)} assessments, {len(documents)} documents")
    signals = list(signals)
    graph = build_graph(data, documents, ontology_dir, extra, signals)
    with graph_builds(index_dir).new_build() as folder:
        path = folder / GRAPH_FILE
        graph.serialize(destination=str(path), format="nt", encoding="utf-8")
        triples = len(graph)
        manifest = {
            "kind": "graph",
            "build_id": folder.name.removeprefix(".tmp-"),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.perf_counter() - started, 2),
            "inputs": inputs,
            "counts": {
                "triples": triples,
                "providers": len(data.providers),
                "icbs": len(data.icbs),
                "regions": len(data.regions),
                "lins": len(data.lins),
                "observations": len(data.observations),
                "assessments_official": sum(a.official for a in data.assessments),
                "assessments_indicative": len(extra) + sum(not a.official for a in data.assessments),
                "documents": len(documents),
                "signals": len(signals),
            },
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    progress(f"graph: {triples} triples in {manifest['build_seconds']} s")
    return manifest


def current_manifest(index_dir: Path) -> dict[str, Any] | None:
    folder = graph_builds(index_dir).current()
    if folder is None:
        return None
    return json.loads((folder / MANIFEST).read_text())


def load_graph_store(index_dir: Path, **limits: Any) -> GraphStore | None:
    folder = graph_builds(index_dir).current()
    if folder is None:
        return None
    return GraphStore.from_ntriples(folder / GRAPH_FILE, **limits)
