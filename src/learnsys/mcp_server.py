"""``learnsys mcp``: an MCP server exposing learnsys to chat assistants (the ``mcp`` package's MCPServer).

Tools: ``search_practice``, ``get_document``, ``find_buddies``, ``provider_profile``, ``sparql_select``,
``collaborative_team_status``, ``teams_improving_measure``.
Each is a thin layer over the same ``Services`` object (and the same functions) the HTTP API uses.
Transport: stdio by default; ``--transport http`` serves streamable HTTP at ``http://HOST:PORT/mcp``.

Nothing but protocol messages may go to stdout on the stdio transport: progress goes to stderr. The
graph and indexes load in a background thread as the server starts, so the handshake and ``tools/list``
answer at once; a tool call waits for the load to finish.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from typing import Annotated, Any, Literal

from pydantic import Field

from learnsys import __version__
from learnsys.config import Settings, get_settings
from learnsys.services import Services

SERVER_NAME = "learnsys"
INSTRUCTIONS = """learnsys answers questions about improvement practice in the NHS in England.
- search_practice finds case studies and how-to guides (what a trust did, what changed, by how much) and
  returns snippets, providers, source URLs and a citation string to quote. Then call get_document for the
  full text and measured results of a document you want to rely on.
- provider_profile describes one NHS trust by its ODS code (e.g. RXN): region, ICB, latest published metrics,
  NHS Oversight Framework segment (official, or indicative when computed by learnsys - always say which)
  and the support its segment brings.
- find_buddies suggests stronger comparable trusts that could support a trust on a topic, with reasons.
- sparql_select runs a read-only SPARQL SELECT over the knowledge graph for anything else.
- collaborative_team_status says how one improvement-collaborative team is doing (measures, SPC, cycles);
  teams_improving_measure lists teams whose measure shows special-cause improvement. Say when data is synthetic.
Always cite the source URLs or citation strings you were given; never present indicative assessments as official."""

MARK_RE = re.compile(r"</?mark>")


class ServicesLoader:
    """Loads ``Services`` once in a background thread; tool calls wait for it."""

    def __init__(self, settings: Settings, services: Services | None = None):
        self.settings = settings
        self._services = services
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._started = threading.Lock()
        self._running = False
        if services is not None:
            self._done.set()

    def start(self) -> None:
        """Start loading (once)."""
        with self._started:
            if self._running or self._done.is_set():
                return
            self._running = True
        threading.Thread(target=self._load, daemon=True, name="learnsys-mcp-load").start()

    def _load(self) -> None:
        from learnsys.pipeline import load_services

        try:
            self._services = load_services(self.settings, progress=lambda m: print(f"[learnsys] {m}",
                                                                                   file=sys.stderr, flush=True))
        except BaseException as exc:  # noqa: BLE001 - reported to every tool call
            self._error = exc
        finally:
            self._done.set()

    def get(self, timeout: float = 600.0) -> Services:
        from mcp.server.mcpserver.exceptions import ToolError

        self.start()
        if not self._done.wait(timeout):
            raise ToolError("learnsys is still loading its graph and indexes; try again shortly")
        if self._services is None:
            raise ToolError(f"learnsys could not load its data: {self._error}")
        return self._services


def _problem_text(exc: Exception) -> str:
    detail = getattr(exc, "detail", "") or str(exc)
    title = getattr(exc, "title", "")
    field = getattr(exc, "field", None)
    return f"{title}: {detail}" + (f" (field: {field})" if field else "") if title else detail


def create_server(settings: Settings | None = None, services: Services | None = None) -> Any:
    """The MCP server with the learnsys tools (``services`` given: use it, else load in background)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp_types import ToolAnnotations

    loader = ServicesLoader(settings or (services.settings if services else get_settings()), services)
    server = MCPServer(SERVER_NAME, title="learnsys: NHS improvement knowledge graph and best-practice search",
                       instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
    server.loader = loader  # type: ignore[attr-defined]

    @server.tool(title="Search NHS improvement practice", annotations=read_only)
    def search_practice(
        query: Annotated[str, Field(min_length=1, max_length=2000, description=(
            "The question or topic in plain words, e.g. 'stop patients waiting on trolleys' or 'PIFU "
            "dermatology'. NHS acronyms (A&E, UEC, PIFU, RTT) are expanded automatically."))],
        k: Annotated[int, Field(ge=1, le=20, description="How many documents to return (best first).")] = 5,
        priority_area: Annotated[list[str] | None, Field(description=(
            "Only documents on these priority areas (notations such as 'uec', 'elective', 'cancer', "
            "'mental-health').")) ] = None,
        region: Annotated[list[str] | None, Field(description=(
            "Only practice from providers in these NHS England regions (codes such as 'Y62' North West, "
            "'Y56' London)."))] = None,
        provider: Annotated[list[str] | None, Field(description="Only documents naming these ODS codes.")] = None,
        type: Annotated[Literal["case-study", "guide"] | None, Field(description=(
            "'case-study' for what one organisation did; 'guide' for how-to guidance."))] = None,
        published_after: Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description=(
            "Only documents published after this date (YYYY-MM-DD)."))] = None,
        for_provider: Annotated[str | None, Field(max_length=10, description=(
            "ODS code of the user's own trust: prefers practice from similar trusts that are stronger "
            "where it is weaker."))] = None,
    ) -> dict[str, Any]:
        """Search case studies and how-to guides on improving NHS services (hybrid keyword + semantic search
        with knowledge-graph ranking). Returns the best documents with id, title, type, providers (ODS codes
        and names), a plain-text snippet, source URLs, a citation string to quote, and why each ranked.
        Use get_document with a result's id for the full text and its measured results."""
        from datetime import date

        from learnsys.api.routes.context import citation
        from learnsys.search.service import InvalidSearch, SearchRequest, SearchUnavailable

        services = loader.get()
        if services.search is None:
            raise ToolError("the search index is not loaded; run `learnsys build`")
        filters = {name: values for name, values in (
            ("priority_area", priority_area), ("region", region), ("provider", provider),
            ("type", [type] if type else None)) if values}
        request = SearchRequest(query, k=k, filters=filters,
                                published_after=date.fromisoformat(published_after) if published_after else None,
                                for_provider=for_provider.upper() if for_provider else None)
        try:
            found = services.search.search(request)
            index = services.search.index()
        except InvalidSearch as exc:
            raise ToolError(f"invalid {exc.field}: {exc}") from exc
        except SearchUnavailable as exc:
            raise ToolError(str(exc)) from exc
        data = services.reference
        results = []
        for r in found["results"]:
            doc = index.docs[index.doc_pos[r["id"]]]
            names = [data.providers[o].name if o in data.providers else o for o in r["providers"]]
            ex = r["explanation"]
            results.append({
                "id": r["id"], "title": r["title"], "type": r["type"], "published": r.get("published", ""),
                "providers": [{"ods": o, "name": n} for o, n in zip(r["providers"], names, strict=True)],
                "priority_areas": r.get("priority_areas", []), "score": r["score"],
                "snippet": MARK_RE.sub("", r["snippet"]).replace("&amp;", "&").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'"),
                "section": r.get("section", ""), "source_urls": r.get("sources", []),
                "citation": citation(doc, r.get("section", ""), names),
                "why": (f"keyword rank {ex['lexical_rank']}, meaning rank {ex['dense_rank']}, graph boost "
                        f"{ex['graph_boost']:+.3f}{' (' + ex['boost_reason'] + ')' if ex['boost_reason'] else ''}"),
            })
        return {"query": query, "total": found["total"], "expanded_terms": found.get("expanded_terms", []),
                "results": results}

    @server.tool(title="Get one case study or guide", annotations=read_only)
    def get_document(
        doc_id: Annotated[str, Field(min_length=1, max_length=200, description=(
            "The document id from a search_practice result, e.g. 'bolton-pifu-dermatology'."))],
    ) -> dict[str, Any]:
        """Fetch one corpus document in full: title, type, providers, priority areas, published date, summary,
        the measured results (metrics with baseline, result, unit and period), steps, sources (with URLs) and
        the Markdown body. Quote its sources when you use it."""
        services = loader.get()
        doc = services.documents.get(doc_id)  # the store's published documents (withdrawn ones are not here)
        if doc is None:
            raise ToolError(f"no document {doc_id!r}; use an id returned by search_practice")
        return doc.to_dict()

    @server.tool(title="Find buddy trusts", annotations=read_only)
    def find_buddies(
        ods: Annotated[str, Field(min_length=3, max_length=5, description=(
            "ODS code of the trust that needs support, e.g. 'RXN'."))],
        topic: Annotated[str, Field(min_length=1, max_length=80, description=(
            "Priority area to be supported on: a notation or label such as 'uec' (urgent and emergency "
            "care), 'elective', 'cancer', 'diagnostics'."))] = "uec",
        k: Annotated[int, Field(ge=1, le=20, description="How many buddies to return.")] = 5,
    ) -> dict[str, Any]:
        """Suggest buddy trusts for a provider on a topic: comparable trusts (same trust-type family) that are
        at least as good on the topic's headline metric and NOF domain score, ranked by a weighted score of
        complementarity, similarity of context, evidence (case studies, special-cause improvement),
        proximity (ICB, region) and spare capacity. Each buddy lists its factor contributions, evidence and
        the data (with periods) behind them, and whether assessments are official or indicative."""
        from learnsys.buddies.matcher import UnknownProvider, matcher_for
        from learnsys.buddies.topics import UnknownTopic

        services = loader.get()
        try:
            return matcher_for(services).rank(ods, topic, k=k)
        except UnknownProvider as exc:
            raise ToolError(f"no provider with ODS code {ods!r}") from exc
        except UnknownTopic as exc:
            raise ToolError(str(exc)) from exc

    @server.tool(title="Profile of one NHS trust", annotations=read_only)
    def provider_profile(
        ods: Annotated[str, Field(min_length=3, max_length=5, description=(
            "ODS code of an NHS trust, e.g. 'RXN' (Lancashire Teaching Hospitals)."))],
    ) -> dict[str, Any]:
        """One trust: name, type, region, ICB and Learning and Improvement Network; its latest value of every
        published metric (with period, national median and direction of good); its NHS Oversight Framework
        assessments - 'official' ones from NHS England, 'indicative' ones computed by learnsys (never present
        those as official) - the current one; and the support offers its segment brings."""
        from learnsys.api.problems import ProblemError
        from learnsys.api.routes.providers import get_provider

        services = loader.get()
        try:
            return get_provider(services, ods)
        except ProblemError as exc:
            raise ToolError(_problem_text(exc)) from exc

    @server.tool(title="Read-only SPARQL SELECT over the knowledge graph", annotations=read_only)
    def sparql_select(
        query: Annotated[str, Field(min_length=1, max_length=20_000, description=(
            "A SPARQL 1.1 SELECT query. Prefixes ls:, id:, skos:, org:, prov:, dct:, schema:, rdf:, rdfs:, xsd: "
            "are predeclared. Example: SELECT ?name WHERE { ?t a ls:AcuteTrust ; ls:region id:org/Y62 ; "
            "skos:prefLabel ?name }"))],
        limit: Annotated[int, Field(ge=1, le=1000, description="At most this many rows are returned.")] = 100,
    ) -> dict[str, Any]:
        """Run a read-only SPARQL SELECT query over the learnsys knowledge graph: NHS trusts (ODS), regions,
        ICBs, Learning and Improvement Networks, metric observations, NOF assessments (official and
        indicative), SPC signals, corpus documents and SKOS concept schemes (ontology: W3C ORG, SKOS, PROV-O,
        Dublin Core, schema.org). Returns the variables and rows as plain values; time-limited and capped."""
        from learnsys.kg.store import QueryError, QueryTimeout

        services = loader.get()
        try:
            result = services.graph.query(query, max_results=limit)
        except QueryError as exc:
            raise ToolError(str(exc)) from exc
        except QueryTimeout as exc:
            raise ToolError(f"{exc}; narrow the query or add a LIMIT") from exc
        if result.kind != "select":
            raise ToolError(f"only SELECT queries are accepted here (this was a {result.kind} query)")
        rows = [{k: v["value"] for k, v in row.items()} for row in result.rows]
        return {"variables": result.variables, "rows": rows, "count": len(rows), "truncated": result.truncated}

    from learnsys.collaboratives.mcp_tools import register_tools

    register_tools(server, loader, read_only, ToolError)
    return server


def cmd_mcp(args: argparse.Namespace) -> int:
    server = create_server(get_settings())
    server.loader.start()
    if args.transport == "stdio":
        server.run("stdio")
    else:
        print(f"[learnsys] MCP over streamable HTTP at http://{args.host}:{args.port}/mcp", file=sys.stderr,
              flush=True)
        server.run("streamable-http", host=args.host, port=args.port)
    return 0


def register(subparsers: Any) -> None:
    """Add ``learnsys mcp`` to the command line."""
    p = subparsers.add_parser("mcp", help="MCP server for chat assistants (stdio by default)")
    p.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                   help="stdio (default) or streamable HTTP")
    p.add_argument("--host", default="127.0.0.1", help="HTTP transport: host to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001, help="HTTP transport: port (default 8001)")
    p.set_defaults(handler=cmd_mcp)
