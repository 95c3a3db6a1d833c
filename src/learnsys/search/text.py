"""Tokenisation shared by indexing, query expansion and snippets: lowercase words, stop words, stems."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

# Words, numbers and ampersand/apostrophe compounds ("a&e", "a&g", "patient's").
TOKEN_RE = re.compile(r"[a-z0-9]+(?:[&'’][a-z0-9]+)*")
STOPWORDS: frozenset[str] = frozenset(STOPWORDS_EN)
_STEMMER = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lowercase word tokens, stop words kept (for phrase matching)."""
    return [w.replace("’", "'").removesuffix("'s") for w in TOKEN_RE.findall(text.lower())]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def terms(text: str) -> list[str]:
    """Index terms: words without stop words, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def label_key(text: str) -> tuple[str, ...]:
    """Stemmed word sequence (stop words kept) for matching phrases such as terminology labels."""
    return tuple(stem(w) for w in words(text))
