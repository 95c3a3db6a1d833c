#!/usr/bin/env python3
"""Merge corpus/eval/parts/*.jsonl into the BEIR-format project evaluation set.

Each part line: {"_id": "q-uec-01", "text": "...", "qrels": {"doc-id": 2, "other-doc-id": 1}}.
Writes corpus/eval/queries.jsonl and corpus/eval/qrels/test.tsv; fails (exit 1) on duplicate query ids,
grades outside 0-2, or judged documents that are not in the corpus (unless --allow-missing).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from learnsys.corpus.documents import load_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="drop judgements of documents not in the corpus instead of failing",
    )
    args = parser.parse_args(argv)
    eval_dir = args.corpus / "eval"
    documents, _ = load_corpus(args.corpus)
    known = {d.id for d in documents}
    queries: dict[str, str] = {}
    qrels: list[tuple[str, str, int]] = []
    problems: list[str] = []
    for part in sorted((eval_dir / "parts").glob("*.jsonl")):
        for line_no, line in enumerate(part.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{part.relative_to(args.corpus)}:{line_no}"
            try:
                item = json.loads(line)
                qid, text, judged = str(item["_id"]), str(item["text"]).strip(), dict(item["qrels"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                problems.append(f"{where}: not a query line ({exc})")
                continue
            if qid in queries:
                problems.append(f"{where}: duplicate query id {qid!r}")
                continue
            if not text:
                problems.append(f"{where}: empty query text")
                continue
            kept = 0
            for doc_id, grade in judged.items():
                if not isinstance(grade, int) or not 0 <= grade <= 2:
                    problems.append(f"{where}: grade of {doc_id!r} must be 0, 1 or 2")
                elif doc_id not in known:
                    if not args.allow_missing:
                        problems.append(f"{where}: judged document {doc_id!r} is not in the corpus")
                else:
                    qrels.append((qid, doc_id, grade))
                    kept += grade > 0
            if kept:
                queries[qid] = text
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and not args.allow_missing:
        return 1
    qrels = [q for q in qrels if q[0] in queries]
    (eval_dir / "qrels").mkdir(parents=True, exist_ok=True)
    with (eval_dir / "queries.jsonl").open("w", encoding="utf-8") as out:
        for qid, text in queries.items():
            out.write(json.dumps({"_id": qid, "text": text, "metadata": {}}) + "\n")
    with (eval_dir / "qrels" / "test.tsv").open("w", encoding="utf-8") as out:
        out.write("query-id\tcorpus-id\tscore\n")
        for qid, doc_id, grade in qrels:
            out.write(f"{qid}\t{doc_id}\t{grade}\n")
    print(
        f"{len(queries)} queries, {len(qrels)} judgements -> {eval_dir / 'queries.jsonl'}, "
        f"{eval_dir / 'qrels' / 'test.tsv'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
