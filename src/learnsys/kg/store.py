"""A read-only SPARQL store over the built graph (Oxigraph), with a time limit and a result cap."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from learnsys.kg.namespaces import PREFIXES

DEFAULT_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


class QueryError(ValueError):
    """The query is malformed or is not a read-only query form."""


class QueryTimeout(TimeoutError):
    """The query ran past the time limit."""


@dataclass
class QueryResult:
    kind: str  # "select", "ask" or "graph"
    variables: list[str]
    rows: list[dict[str, Any]]  # SPARQL JSON bindings for SELECT
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    truncated: bool = False

    def to_sparql_json(self) -> dict[str, Any]:
        """``application/sparql-results+json`` for SELECT and ASK."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        return {"head": {"vars": self.variables}, "results": {"bindings": self.rows}}

    def serialize_graph(self, fmt: str) -> bytes:
        """CONSTRUCT / DESCRIBE results as Turtle or JSON-LD."""
        triples = self.triples or []
        if fmt == "json-ld":
            return json.dumps(_jsonld(triples), indent=1).encode()
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=DEFAULT_PREFIXES)


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _jsonld(triples: list[ox.Triple]) -> list[dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    for t in triples:
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else f"_:{t.subject.value}"
        node = nodes.setdefault(subject, {"@id": subject})
        if isinstance(t.object, ox.NamedNode):
            value: dict[str, Any] = {"@id": t.object.value}
        elif isinstance(t.object, ox.BlankNode):
            value = {"@id": f"_:{t.object.value}"}
        else:
            value = {"@value": t.object.value}
            if t.object.language:
                value["@language"] = t.object.language
            elif t.object.datatype:
                value["@type"] = t.object.datatype.value
        node.setdefault(t.predicate.value, []).append(value)
    return list(nodes.values())


def _take(results: Any, limit: int, deadline: float, cancelled: threading.Event) -> tuple[list[Any], bool]:
    """Up to ``limit`` results (and whether more were left), checking the time limit as they stream."""
    taken: list[Any] = []
    for item in results:
        if len(taken) >= limit:
            return taken, True
        if cancelled.is_set() or time.monotonic() > deadline:
            raise QueryTimeout("the query ran past the time limit")
        taken.append(item)
    return taken, False


class GraphStore:
    """The built graph in an in-memory Oxigraph store. Only query forms are accepted; updates never run."""

    def __init__(self, store: ox.Store, timeout_s: float = 5.0, max_results: int = 10_000):
        self._store, self.timeout_s, self.max_results = store, timeout_s, max_results

    @classmethod
    def from_ntriples(cls, path: Path, **limits: Any) -> GraphStore:
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        return cls(store, **limits)

    def __len__(self) -> int:
        return len(self._store)

    def add_ntriples(self, data: bytes) -> None:
        """Add statements computed by the application itself (never from a client)."""
        self._store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES)

    def replace_graph(self, name: str, data: bytes | None) -> None:
        """Replace the named graph ``name`` (statements the application computes, e.g. one collaborative)
        with ``data`` (N-Triples), or drop it when ``data`` is None. Queries see named graphs as part of
        the default graph."""
        graph = ox.NamedNode(name)
        if self._store.contains_named_graph(graph):
            self._store.remove_graph(graph)
        if data:
            self._store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def query(self, sparql: str, timeout_s: float | None = None, max_results: int | None = None) -> QueryResult:
        """Run a SELECT, ASK, CONSTRUCT or DESCRIBE query within the time limit and result cap."""
        limit = self.max_results if max_results is None else min(max_results, self.max_results)
        timeout = self.timeout_s if timeout_s is None else min(timeout_s, self.timeout_s)
        outcome: dict[str, Any] = {}
        cancelled = threading.Event()

        def run() -> None:
            try:
                outcome["result"] = self._evaluate(sparql, limit, time.monotonic() + timeout, cancelled)
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=run, daemon=True, name="sparql-query")
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            cancelled.set()
            raise QueryTimeout(f"the query ran longer than {timeout:g} s")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def _evaluate(self, sparql: str, limit: int, deadline: float, cancelled: threading.Event) -> QueryResult:
        try:
            answer = self._store.query(sparql, prefixes=DEFAULT_PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", [], [], boolean=bool(answer))
        if isinstance(answer, ox.QueryTriples):
            triples, truncated = _take(answer, limit, deadline, cancelled)
            return QueryResult("graph", [], [], triples=triples, truncated=truncated)
        variables = [v.value for v in answer.variables]
        solutions, truncated = _take(answer, limit, deadline, cancelled)
        rows = [{v: _term_json(s[v]) for v in variables if s[v] is not None} for s in solutions]
        return QueryResult("select", variables, rows, truncated=truncated)

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """Convenience for internal callers: SELECT rows as plain Python values."""
        result = self.query(sparql)
        return [{k: v["value"] for k, v in row.items()} for row in result.rows]
