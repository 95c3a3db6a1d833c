"""``learnsys search|eval|ingest|remove``: registered into the main CLI by ``register(subparsers)``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from learnsys.config import get_settings
from learnsys.search.filters import FILTER_NAMES

MODES = ("hybrid", "bm25", "dense", "bm25-doc-plain")  # = learnsys.search.retriever.MODES (kept import-free)


def _progress(message: str) -> None:
    print(f"[learnsys] {message}", file=sys.stderr, flush=True)


def _reference() -> Any:
    from learnsys.kg.reference import load_reference_data

    settings = get_settings()
    return load_reference_data(settings.data_dir, settings.lin_membership_file)


def _service(reference: Any = None) -> Any:
    from learnsys.search.service import SearchService

    return SearchService(get_settings(), reference if reference is not None else _reference())


def cmd_search(args: argparse.Namespace) -> int:
    from learnsys.search.service import InvalidSearch, SearchRequest, SearchUnavailable

    filters: dict[str, list[str]] = {}
    for item in args.filter or []:
        name, _, value = item.partition("=")
        filters.setdefault(name.strip(), []).extend(v for v in value.split(",") if v)
    service = _service()
    request = SearchRequest(
        args.query,
        args.k,
        args.offset,
        filters,
        None,
        args.for_provider,
        args.mode,
        not args.no_boost,
        args.similar_to,
    )
    try:
        response = service.search(request)
    except InvalidSearch as exc:
        print(f"error: {exc.field}: {exc}", file=sys.stderr)
        return 2
    except SearchUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(response, indent=2))
        return 0
    print(
        f"{response['total']} results for {args.query!r}"
        + (f" (expanded: {', '.join(response['expanded_terms'])})" if response["expanded_terms"] else "")
    )
    for i, r in enumerate(response["results"], start=args.offset + 1):
        e = r["explanation"]
        print(f"{i:>3}. [{r['score']:.3f}] {r['id']} ({r['type']}; {', '.join(r['providers']) or '-'})")
        print(f"     {r['title']}")
        print(
            f"     lexical #{e['lexical_rank']} dense #{e['dense_rank']} boost {e['graph_boost']:.3f}"
            + (f" - {e['boost_reason']}" if e["boost_reason"] else "")
        )
        if e.get("similar_to"):
            print(f"     peer: {e['similar_to']}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from learnsys.corpus.documents import load_corpus
    from learnsys.search.build import build_index
    from learnsys.search.dense import EmbeddingCache, Encoder
    from learnsys.search.evaluate import evaluate_index, evaluation_config, load_beir, load_project_set
    from learnsys.search.graph_boost import GraphBooster
    from learnsys.search.index_store import embedding_cache_dir
    from learnsys.search.retriever import HybridRetriever
    from learnsys.search.terminology import Terminology

    settings = get_settings()
    encoder = Encoder.shared()
    cache = EmbeddingCache(embedding_cache_dir(settings.index_dir, encoder.name), encoder.dim)
    terminology = Terminology.load(settings.ontology_dir / "terminology.ttl")
    reference = None
    if args.beir:
        dataset = load_beir(Path(args.beir), args.split)
    else:
        reference = _reference()
        documents, _ = load_corpus(settings.corpus_dir)
        try:
            dataset = load_project_set(settings.corpus_dir, documents)
        except FileNotFoundError as exc:
            print(f"error: no project evaluation set ({exc}); run scripts/merge_eval_parts.py", file=sys.stderr)
            return 1
    expand = args.expand == "on"
    _progress(f"indexing {len(dataset.documents)} documents of {dataset.name} ...")
    index, embedded = build_index(dataset.documents, encoder, cache, reference=reference)
    _progress(f"{len(index.chunks)} chunks ({embedded} newly embedded); running {len(dataset.queries)} queries ...")
    retriever = HybridRetriever(encoder, terminology, GraphBooster(reference) if reference else None)
    Encoder.limit_threads(1)  # one query at a time: see docs/search.md
    modes = ["bm25-doc-plain", "bm25", "dense", "hybrid"] if args.mode == "all" else [args.mode]
    results = {
        mode: evaluate_index(index, retriever, dataset, evaluation_config(mode, expand=expand, boost=not args.no_boost))
        for mode in modes
    }
    if args.json:
        print(json.dumps(results[modes[0]] if len(modes) == 1 else results, indent=2))
        return 0
    print(
        f"{dataset.name}: {len(dataset.queries)} queries, "
        f"{len(dataset.documents)} documents, {len(index.chunks)} chunks"
    )
    print(f"{'mode':<15} {'nDCG@10':>8} {'R@10':>7} {'R@100':>7} {'MRR@10':>7} {'ms/q':>6}")
    for mode, m in results.items():
        print(
            f"{mode:<15} {m['ndcg@10']:>8.4f} {m['recall@10']:>7.4f} {m['recall@100']:>7.4f} "
            f"{m['mrr@10']:>7.4f} {m['ms_per_query']:>6.1f}"
        )
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from learnsys.search.service import DocumentExists, DocumentNotFound, ingest_file
    from learnsys.search.validation import InvalidDocument

    try:
        doc, manifest = ingest_file(_service(), Path(args.path))
    except InvalidDocument as exc:
        for field, line, message in exc.problems:
            print(f"{args.path}:{line}: {field}: {message}", file=sys.stderr)
        return 1
    except (DocumentExists, DocumentNotFound, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"ingested {doc.id} ({doc.type}); search build {manifest['build_id']}: "
        f"{manifest['counts']['embedded_new']} chunk(s) newly embedded"
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from learnsys.search.service import DocumentNotFound
    from learnsys.search.validation import InvalidDocument

    try:
        manifest = _service().remove_document(args.id)
    except DocumentNotFound:
        print(f"error: no document {args.id!r} in the corpus", file=sys.stderr)
        return 1
    except InvalidDocument as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"removed {args.id}; search build {manifest['build_id']}")
    return 0


def register(subparsers: Any) -> None:
    """Add the search subcommands to the ``learnsys`` parser."""
    search = subparsers.add_parser("search", help="search the corpus (hybrid BM25 + dense + graph boost)")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10)
    search.add_argument("--offset", type=int, default=0)
    search.add_argument("--mode", choices=list(MODES), default="hybrid")
    search.add_argument(
        "--filter",
        action="append",
        metavar="NAME=VALUE",
        help=f"repeatable; NAME one of {', '.join(FILTER_NAMES)}",
    )
    search.add_argument("--for-provider", metavar="ODS", help="personalise for this provider")
    search.add_argument("--similar-to", metavar="ODS", help="documents from this trust's peers first")
    search.add_argument("--no-boost", action="store_true", help="switch the knowledge-graph boost off")
    search.add_argument("--json", action="store_true")
    search.set_defaults(handler=cmd_search)

    ev = subparsers.add_parser("eval", help="nDCG@10, recall@10/100, MRR@10 on a BEIR dataset or corpus/eval")
    ev.add_argument("--beir", metavar="DIR", help="BEIR folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv)")
    ev.add_argument("--split", default=None, help="qrels split (default: test, or the only one present)")
    ev.add_argument("--mode", choices=[*MODES, "all"], default="hybrid")
    ev.add_argument(
        "--expand",
        choices=["on", "off"],
        default="on",
        help="terminology query expansion (default on, as in the service)",
    )
    ev.add_argument("--no-boost", action="store_true", help="switch the knowledge-graph boost off")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(handler=cmd_eval)

    ingest = subparsers.add_parser("ingest", help="validate a document, add it to corpus/ and reindex incrementally")
    ingest.add_argument("path")
    ingest.set_defaults(handler=cmd_ingest)

    remove = subparsers.add_parser("remove", help="remove a document from corpus/ and reindex incrementally")
    remove.add_argument("id")
    remove.set_defaults(handler=cmd_remove)
