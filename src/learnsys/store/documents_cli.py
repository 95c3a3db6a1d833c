"""``learnsys export corpus DIR``: the store's published documents written out as corpus/ Markdown files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from learnsys.config import get_settings


def _progress(message: str) -> None:
    print(f"[learnsys] {message}", file=sys.stderr, flush=True)


def cmd_export_corpus(args: argparse.Namespace) -> int:
    from learnsys.pipeline import store_documents
    from learnsys.published import export_corpus

    _, _, database = store_documents(get_settings(), _progress)  # seeds first, as serve does
    written = export_corpus(database, Path(args.dir))
    print(f"wrote {len(written)} published document(s) to {args.dir}")
    return 0


def register(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="write store contents back out as files").add_subparsers(
        dest="export_command", required=True)
    corpus = export.add_parser("corpus", help="published documents as DIR/{case-studies,guides}/ID.md")
    corpus.add_argument("dir")
    corpus.set_defaults(handler=cmd_export_corpus)
