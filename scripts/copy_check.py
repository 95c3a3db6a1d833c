#!/usr/bin/env python3
"""List runs of 10 or more words that corpus documents share with saved source texts.

    scripts/copy_check.py --sources /tmp/sources [--sources more.txt] [--min 10] [DOCUMENT.md ...]

``--sources`` is a folder of plain-text files (or single files), each the text of a cited source saved while
writing or fact-checking; they are never committed. Documents default to the whole corpus. Words are compared
after lower-casing and removing punctuation, so "Same-day emergency care (SDEC)" matches "same day emergency care
sdec". The prose of a document is checked: title, summary, steps, measure definitions and body. Prints one line a
run (document, source file, length in words, the run) and exits 1 when any run is found.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from learnsys.corpus.documents import Document, corpus_files, load_document  # noqa: E402

WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-case words with punctuation removed ("don't" -> "don", "t"; "£1.5m" -> "1", "5m")."""
    return WORD.findall(text.lower().replace("\u2019", "'"))


def prose(doc: Document) -> str:
    measures = " ".join(f"{m.get('name', '')}. {m.get('how', '')}" for m in doc.measures if isinstance(m, dict))
    return "\n".join([doc.title, doc.summary, *doc.steps, measures, doc.body])


def shared_runs(doc_words: list[str], source_words: list[str], minimum: int) -> list[tuple[int, int]]:
    """(start, length) in ``doc_words`` of each maximal run of at least ``minimum`` words found in the source."""
    grams = {tuple(source_words[i:i + minimum]) for i in range(len(source_words) - minimum + 1)}
    hits = [i for i in range(len(doc_words) - minimum + 1) if tuple(doc_words[i:i + minimum]) in grams]
    runs: list[tuple[int, int]] = []
    for i in hits:
        if runs and i <= runs[-1][0] + runs[-1][1] - minimum + 1:
            start, _ = runs[-1]
            runs[-1] = (start, i + minimum - start)
        else:
            runs.append((i, minimum))
    return runs


def source_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, action="append", required=True,
                        help="saved source texts: a file or folder (repeat for more)")
    parser.add_argument("--min", type=int, default=10, help="shortest run to report, in words (default 10)")
    parser.add_argument("documents", type=Path, nargs="*", help="documents (default: the whole corpus)")
    args = parser.parse_args(argv)
    documents = args.documents or corpus_files(ROOT / "corpus")
    sources = [(path, words(path.read_text(encoding="utf-8", errors="replace"))) for path in source_files(args.sources)]
    found = 0
    for path in documents:
        doc = load_document(path)
        doc_words = words(prose(doc))
        for source, source_words in sources:
            for start, length in shared_runs(doc_words, source_words, args.min):
                found += 1
                print(f"{doc.id}\t{source.name}\t{length}\t{' '.join(doc_words[start:start + length])}")
    print(f"{found} run(s) of {args.min}+ shared words in {len(documents)} document(s) against {len(sources)} "
          "source text(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
