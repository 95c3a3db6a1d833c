"""Snippets: the best window of a chunk, with query terms (and expanded synonyms) in <mark>."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from learnsys.search.text import STOPWORDS, TOKEN_RE, stem

SNIPPET_WORDS = 40
_SPLIT = re.compile(r"(\s+)")


@lru_cache(maxsize=100_000)
def _word_stems(word: str) -> frozenset[str]:
    """Stems of the index terms inside one whitespace-separated word."""
    return frozenset(stem(t.removesuffix("'s")) for t in TOKEN_RE.findall(word.lower()) if t not in STOPWORDS)


def _is_match(word: str, stems: set[str]) -> bool:
    return not _word_stems(word).isdisjoint(stems)


def _mark(word: str) -> str:
    """Wrap the word part of a whitespace token, leaving surrounding punctuation outside."""
    match = re.match(r"^(\W*)(.*?)(\W*)$", word, flags=re.S)
    if not match or not match.group(2):
        return f"<mark>{html.escape(word)}</mark>"
    pre, core, post = match.groups()
    return f"{html.escape(pre)}<mark>{html.escape(core)}</mark>{html.escape(post)}"


def make_snippet(text: str, stems: set[str], max_words: int = SNIPPET_WORDS) -> str:
    """HTML-escaped snippet of at most ``max_words`` words around the densest run of matches."""
    text = re.sub(r"[*_`]+|^\s*#+\s*|^\s*>\s*", "", text, flags=re.M)  # drop Markdown emphasis and markers
    tokens = text.split()
    if not tokens:
        return ""
    hits = [_is_match(w, stems) for w in tokens]
    start = 0
    if len(tokens) > max_words and any(hits):
        best, window = -1, sum(hits[:max_words])
        best, start = window, 0
        for i in range(1, len(tokens) - max_words + 1):
            window += hits[i + max_words - 1] - hits[i - 1]
            if window > best:
                best, start = window, i
        first = hits.index(True, start)
        start = max(0, min(start, first - 5))
    end = min(len(tokens), start + max_words)
    out = [(_mark(w) if hit else html.escape(w)) for w, hit in zip(tokens[start:end], hits[start:end], strict=True)]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(tokens) else ""
    return prefix + " ".join(out) + suffix
