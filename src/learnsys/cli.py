"""The ``learnsys`` command line: a thin layer over the pipeline and services."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from learnsys.config import get_settings

Handler = Callable[[argparse.Namespace], int]


def _progress(message: str) -> None:
    print(f"[learnsys] {message}", file=sys.stderr, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from learnsys.api.app import create_app
    from learnsys.pipeline import load_services

    settings = get_settings()
    services = load_services(settings, progress=_progress)
    _progress(f"serving on http://{args.host}:{args.port}")
    uvicorn.run(create_app(services), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from learnsys.pipeline import build

    manifests = build(get_settings(), progress=_progress, search=not args.graph_only)
    print(json.dumps({k: {"build_id": v.get("build_id"), "counts": v.get("counts")} for k, v in manifests.items()},
                     indent=2))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from learnsys.corpus.validate import validate_corpus_dir
    from learnsys.kg.graph_builder import build_graph
    from learnsys.kg.reference import load_reference_data
    from learnsys.kg.shacl import load_shapes, validate_graph
    from learnsys.pipeline import concept_notations, derived_records

    settings = get_settings()
    data = load_reference_data(settings.data_dir, settings.lin_membership_file)
    documents, problems = validate_corpus_dir(settings.corpus_dir, data, concept_notations(settings))
    for problem in problems:
        print(problem)
    if args.corpus_only:
        print(f"corpus: {len(documents)} documents, {len(problems)} problem(s)")
        return 1 if problems else 0
    indicative, signals = derived_records(data)
    graph = build_graph(data, documents, settings.ontology_dir, indicative, signals)
    violations = validate_graph(graph, load_shapes(settings.ontology_dir))
    for violation in violations:
        print(f"SHACL {violation.severity}: {violation}")
    ok = not problems and not violations
    print(f"{'conforms' if ok else 'does not conform'}: {len(graph)} triples, {len(documents)} documents, "
          f"{len(problems)} corpus problem(s), {len(violations)} SHACL violation(s)")
    return 0 if ok else 1


def cmd_sparql(args: argparse.Namespace) -> int:
    from learnsys.kg.build import load_graph_store
    from learnsys.kg.store import QueryError, QueryTimeout
    from learnsys.pipeline import build

    settings = get_settings()
    store = load_graph_store(settings.index_dir, timeout_s=settings.sparql_timeout_s,
                             max_results=settings.sparql_max_results)
    if store is None:
        build(settings, progress=_progress, search=False)
        store = load_graph_store(settings.index_dir)
    query = Path(args.query[1:]).read_text() if args.query.startswith("@") else args.query
    try:
        result = store.query(query)
    except (QueryError, QueryTimeout) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.kind == "graph":
        sys.stdout.write(result.serialize_graph("json-ld" if args.format == "json" else "turtle").decode())
    elif args.format == "json" or result.kind == "ask":
        print(json.dumps(result.to_sparql_json(), indent=1))
    else:
        print("\t".join(result.variables))
        for row in result.rows:
            print("\t".join(row.get(v, {}).get("value", "") for v in result.variables))
    return 0


def cmd_nof_import(args: argparse.Namespace) -> int:
    """Add a NOF data file or league table of any quarter: check it, copy it in, rebuild the graph."""
    import os
    import shutil

    from learnsys.kg.loaders import nof
    from learnsys.pipeline import build

    settings = get_settings()
    source = Path(args.file)
    if not source.is_file():
        print(f"error: {source}: no such file", file=sys.stderr)
        return 2
    data_files, league_tables = nof.discover_file(source)
    if data_files:
        load = nof.load_nof_data(source, "import-check", args.quarter)
        summary = f"{len(load.assessments)} assessments, {len(load.observations)} observations"
    elif league_tables:
        summary = f"{len(nof.load_league_table(source, 'import-check', args.quarter))} league-table rows"
    else:
        print(f"error: {source}:1: neither a NOF data file (Metric_ID column) nor a league table "
              "(Average_score column)", file=sys.stderr)
        return 1
    target = settings.data_dir / "nof" / source.name
    partial = target.with_name(f".{target.name}.part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    _progress(f"{source.name}: {summary}; copied to {target}")
    build(settings, progress=_progress, search=False)
    return 0


def cmd_corpus_stats(args: argparse.Namespace) -> int:
    from learnsys.corpus.documents import load_corpus
    from learnsys.corpus.stats import corpus_stats, format_stats
    from learnsys.kg.reference import load_reference_data

    settings = get_settings()
    documents, errors = load_corpus(settings.corpus_dir)
    for error in errors:
        print(error, file=sys.stderr)
    stats = corpus_stats(documents, load_reference_data(settings.data_dir))
    print(json.dumps(stats, indent=2) if args.json else format_stats(stats))
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="learnsys", description="Knowledge graph and best-practice search "
                                     "for the NHS improvement system.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the HTTP API (building the graph and indexes first if needed)")
    serve.add_argument("--host", default=get_settings().host)
    serve.add_argument("--port", type=int, default=get_settings().port)
    serve.set_defaults(handler=cmd_serve)
    build = sub.add_parser("build", help="build the graph and search indexes into indexes/")
    build.add_argument("--graph-only", action="store_true", help="build the knowledge graph only")
    build.set_defaults(handler=cmd_build)
    validate = sub.add_parser("validate", help="check the corpus and run SHACL over the whole graph")
    validate.add_argument("--corpus-only", action="store_true", help="check the corpus documents only")
    validate.set_defaults(handler=cmd_validate)
    sparql = sub.add_parser("sparql", help="run a read-only SPARQL query (text, or @file)")
    sparql.add_argument("query")
    sparql.add_argument("--format", choices=["table", "json"], default="table")
    sparql.set_defaults(handler=cmd_sparql)
    nof_import = sub.add_parser("nof-import", help="add a NOF data file or league table (any quarter) and rebuild")
    nof_import.add_argument("file")
    nof_import.add_argument("--quarter", help="e.g. '2026/27 Q1' when neither a Quarter column nor the file name "
                            "gives it")
    nof_import.set_defaults(handler=cmd_nof_import)
    corpus = sub.add_parser("corpus", help="corpus tools").add_subparsers(dest="corpus_command", required=True)
    stats = corpus.add_parser("stats", help="counts by type, priority area, region, provider and publisher")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=cmd_corpus_stats)
    for module in _plugin_modules():
        module.register(sub)
    return parser


def _plugin_modules() -> list:
    """Subsystem command modules, each exposing ``register(subparsers)``."""
    from learnsys import mcp_server
    from learnsys.buddies import cli as buddies_cli
    from learnsys.collaboratives import cli as collaboratives_cli
    from learnsys.oversight import cli as oversight_cli
    from learnsys.search import cli as search_cli
    from learnsys.store import cli as store_cli
    from learnsys.store import documents_cli

    return [search_cli, oversight_cli, buddies_cli, mcp_server, store_cli, documents_cli, collaboratives_cli]


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.handler(args)
    except Exception as exc:  # a clear message (file and line where the loader gives one), not a traceback
        from learnsys.corpus.documents import DocumentError
        from learnsys.kg.loaders.errors import LoadError
        from learnsys.pipeline import CorpusInvalid
        from learnsys.store.errors import StoreError

        if isinstance(exc, LoadError | DocumentError | CorpusInvalid | StoreError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
