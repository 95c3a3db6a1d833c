"""What kind of document a question asks for, from its framing.

"How did others do X", "trusts that cut X", "X: what worked", "X results" ask for evidence that someone
did X: case studies. "How to X", "guide to X", "steps for X" ask for a method: guides. The framing words
themselves ("others", "trusts that") say nothing about X, so they are left out of the lexical query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ORGS = r"(?:others?|other (?:trusts?|organisations?|providers?|hospitals?|systems?|teams?|places?|areas?)|"
_ORGS += r"trusts?|organisations?|providers?|hospitals?|teams?|systems?|icbs?|places?|areas?|anyone|people)"

CASE_STUDY_FRAMES = [
    rf"\bhow (?:did|have|has|do|are) {_ORGS}\b",
    rf"\b(?:what|where|which) {_ORGS} (?:did|have|has)\b",
    r"\bother (?:trusts?|organisations?|providers?|hospitals?|systems?|teams?)\b",
    r"\b(?:trusts?|organisations?|providers?|hospitals?|teams?|systems?|icbs?) (?:that|which|who|where)\b",
    r"\bwho (?:has|have) (?:done|tried|managed|reduced|improved|cut)\b",
    r"\b(?:examples?|case stud(?:y|ies)) (?:of|where|from)\b",
    r"\bwhat (?:worked|works|has worked)\b",
    r"\blessons(?: learned| learnt)?(?: from)?\b",
    r"\b(?:results|outcomes|impact)(?: of| from)?\b",
]
GUIDE_FRAMES = [
    r"^how (?:to|do i|do we|can i|can we|should we)\b",
    r"\b(?:guide|guidance|toolkit|steps|checklist) (?:to|for|on)\b",
    r"\bbest practice\b",
]
_CASE = re.compile("|".join(CASE_STUDY_FRAMES), re.I)
_GUIDE = re.compile("|".join(GUIDE_FRAMES), re.I)


@dataclass(frozen=True)
class Intent:
    wants: str | None  # "case-study", "guide" or None
    frame: str = ""  # the framing words found

    @property
    def reason(self) -> str:
        if self.wants == "case-study":
            return f"the question ({self.frame!r}) asks what others did: case studies first"
        if self.wants == "guide":
            return f"the question ({self.frame!r}) asks how to do it: guides first"
        return ""


def question_intent(text: str) -> Intent:
    """The document type a question's framing asks for (case-study framing wins when both appear)."""
    case = _CASE.search(text)
    if case:
        return Intent("case-study", case.group(0).strip())
    guide = _GUIDE.search(text)
    if guide:
        return Intent("guide", guide.group(0).strip())
    return Intent(None)


def framing_words(text: str) -> set[str]:
    """Lower-case words of the case-study framing, left out of the lexical query."""
    found: set[str] = set()
    for match in _CASE.finditer(text):
        found.update(match.group(0).lower().split())
    return found
