"""Corpus checks report each problem with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnsys.config import REPO_ROOT, Settings
from learnsys.corpus.documents import DocumentError, parse_document
from learnsys.corpus.validate import validate_corpus
from learnsys.kg.reference import load_reference_data
from learnsys.pipeline import concept_notations

GOOD = """---
id: {id}
title: "A real-format case study"
type: {type}
providers: [RXN]
priority_areas: [uec]
msf: []
nof_domains: [access]
methods: [model-for-improvement]
metrics:
  - name: "Four-hour performance"
    baseline: 70
    result: 80
    unit: percent
    period: "2023"
published: 2023-05-01
sources:
  - url: https://www.england.nhs.uk/example
    title: "Example"
    publisher: NHS England
summary: "Two sentences."
{extra}---
## The problem
Text.
"""


@pytest.fixture(scope="module")
def vocab():
    return load_reference_data(REPO_ROOT / "data" / "reference"), concept_notations(Settings())


def write(folder: Path, doc_id: str, text: str) -> Path:
    path = folder / f"{doc_id}.md"
    path.write_text(text)
    return path


def check(tmp_path: Path, vocab, *texts: tuple[str, str]) -> list[str]:
    data, notations = vocab
    paths = [write(tmp_path, doc_id, text) for doc_id, text in texts]
    _docs, problems = validate_corpus(paths, data, notations)
    return [str(p) for p in problems]


def test_good_document_passes(tmp_path, vocab) -> None:
    assert check(tmp_path, vocab, ("good-one", GOOD.format(id="good-one", type="case-study", extra=""))) == []


def test_unknown_concepts_and_codes(tmp_path, vocab) -> None:
    text = GOOD.format(id="bad-one", type="case-study", extra="").replace("[uec]", "[uec, astrology]") \
        .replace("[RXN]", "[RXN, XXX]")
    problems = check(tmp_path, vocab, ("bad-one", text))
    assert f"{tmp_path / 'bad-one.md'}:5: unknown ODS code 'XXX' (not a provider, ICB or region in the graph)" \
        in problems
    assert any(p.endswith(":6: unknown priority-area concept 'astrology'") for p in problems)


def test_guide_with_broken_exemplar(tmp_path, vocab) -> None:
    extra = "steps: [one]\nmeasures:\n  - name: m\n    how: run chart\nexemplars: [no-such-case]\n"
    problems = check(tmp_path, vocab, ("guide-one", GOOD.format(id="guide-one", type="guide", extra=extra)))
    assert any("guide-one.md:26: exemplar 'no-such-case' is not a document" in p for p in problems)


def test_duplicate_ids_and_missing_sources(tmp_path, vocab) -> None:
    (tmp_path / "a").mkdir()
    first = write(tmp_path / "a", "dup", GOOD.format(id="dup", type="case-study", extra=""))
    text = GOOD.format(id="dup", type="case-study", extra="")
    text = text[: text.index("sources:")] + "sources: []\n" + text[text.index("summary:"):]
    second = write(tmp_path, "dup", text)
    data, notations = vocab
    _docs, problems = validate_corpus([first, second], data, notations)
    messages = [str(p) for p in problems]
    assert any("duplicate id 'dup'" in m and str(second) in m for m in messages)
    assert any(m.startswith(f"{second}:17: at least one source") for m in messages)


def test_malformed_front_matter_names_the_line() -> None:
    with pytest.raises(DocumentError) as err:
        parse_document("---\nid: x\ntitle: [unclosed\ntype: guide\n---\nbody\n", "doc.md")
    assert err.value.line >= 3 and "not valid YAML" in err.value.message
    with pytest.raises(DocumentError, match="doc.md:1: missing YAML front matter"):
        parse_document("no front matter", "doc.md")
