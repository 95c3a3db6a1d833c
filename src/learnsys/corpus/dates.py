"""Dates in the corpus: ``published`` at day, month or year precision, and the periods metrics report.

``published`` carries only what the source shows: ``YYYY-MM-DD`` (day), ``YYYY-MM`` (month) or ``YYYY``
(year). A metric period is free text ("2022/23", "Q1 2024/25", "January 2025", "2020/21 vs 2023/24");
``period_end`` finds the latest date the text names (NHS financial years end on 31 March).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

PRECISIONS = ("day", "month", "year")
PUBLISHED_FORMS = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|" \
         r"apr|jun|jul|aug|sept|sep|oct|nov|dec)"
# Seasons and vague qualifiers: the earliest month-end the words allow (a check must not refuse on a guess).
QUALIFIER_MONTH = {"early": 1, "spring": 3, "mid": 5, "summer": 6, "autumn": 9, "late": 9, "end of": 12}

# Words that make a period a target or forecast rather than data already reported.
NOT_DATA = re.compile(r"\b(target|projection|projected|expected|forecast|planned|aim|years from)\b", re.I)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def published_form(text: str) -> str | None:
    """The precision a ``published`` value is written in (day/month/year), or None if malformed."""
    match = _PUBLISHED.match(text or "")
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            date(int(year), int(month), int(day))
            return "day"
        if month:
            date(int(year), int(month), 1)
            return "month"
    except ValueError:
        return None
    return "year"


def published_range(text: str) -> tuple[date, date] | None:
    """(first day, last day) a ``published`` value can mean; None if malformed."""
    form = published_form(text)
    if form is None:
        return None
    parts = [int(p) for p in text.split("-")]
    if form == "day":
        day = date(*parts)
        return day, day
    if form == "month":
        return date(parts[0], parts[1], 1), month_end(parts[0], parts[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _financial_year_end(first: int, second: str) -> date | None:
    """'2022/23' -> 31 March 2023; the second part must be the following year (two or four digits)."""
    following = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
    if following != first + 1:
        return None
    return date(following, 3, 31)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bq([1-4])\s*(?:of\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})\b"), "fy-quarter"),
    (re.compile(r"\bwinter\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\b"), "winter"),
    (re.compile(r"\b(\d{4})\s*[/-]\s*(\d{2})\b"), "fy"),
    (re.compile(r"\b(\d{4})\s*/\s*(\d{4})\b"), "fy4"),
    (re.compile(r"\bq([1-4])\s*(\d{4})\b"), "quarter"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"\s+(\d{4})\b"), "day"),
    (re.compile(r"\b" + _MONTH + r"\s+(\d{4})\b"), "month"),
    (re.compile(r"\b(early|spring|mid|summer|autumn|late|end of)[\s-]+(\d{4})\b"), "qualified"),
    (re.compile(r"\b((?:19|20)\d{2})\b"), "year"),
]


# A date that opens a period ("from May 2012", "since 2022") says when the data began, not when it ended.
START_MARKER = re.compile(r"(?:\bfrom|\bsince|\bbegan in|\bestablished|\blaunched|\bstarted|\bopened|\bopening in)"
                          r"(?:\s+in)?\s*$")


def period_dates(period: str) -> list[date]:
    """The date each date expression in a metric period reports data to, in the order found.

    A date opening a period ("from May 2012") counts by its first day, otherwise by its last."""
    text = (period or "").lower().replace("\u2013", "-").replace("\u2014", "-")
    original = text
    found: list[tuple[int, date]] = []
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(text):
            span = _range_of(kind, match.groups())
            if span is not None:
                opens = START_MARKER.search(original[max(0, match.start() - 25): match.start()])
                found.append((match.start(), span[0] if opens else span[1]))
            # blank the match so a later, looser pattern does not read it again
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return [when for _, when in sorted(found, key=lambda item: item[0])]


def _range_of(kind: str, groups: tuple[str, ...]) -> tuple[date, date] | None:
    """(first day, last day) of one matched date expression."""
    try:
        if kind == "fy-quarter":
            fy_end = _financial_year_end(int(groups[1]), groups[2])
            if fy_end is None:
                return None
            quarter = int(groups[0])
            year, first_month = (fy_end.year - 1, 1 + 3 * quarter) if quarter < 4 else (fy_end.year, 1)
            return date(year, first_month, 1), month_end(year, first_month + 2)
        if kind == "winter":
            fy_end = _financial_year_end(int(groups[0]), groups[1])
            return (date(fy_end.year - 1, 12, 1), date(fy_end.year - 1, 12, 31)) if fy_end else None
        if kind in ("fy", "fy4"):
            fy_end = _financial_year_end(int(groups[0]), groups[1])
            return (date(fy_end.year - 1, 4, 1), fy_end) if fy_end else None
        if kind == "quarter":
            year, last = int(groups[1]), 3 * int(groups[0])
            return date(year, last - 2, 1), month_end(year, last)
        if kind == "day":
            day = date(int(groups[2]), MONTHS[groups[1]], int(groups[0]))
            return day, day
        if kind == "month":
            year, month = int(groups[1]), MONTHS[groups[0]]
            return date(year, month, 1), month_end(year, month)
        if kind == "qualified":
            year, month = int(groups[1]), QUALIFIER_MONTH[groups[0]]
            return date(year, 1, 1), month_end(year, month)
        if kind == "year":
            return date(int(groups[0]), 1, 1), date(int(groups[0]), 12, 31)
    except (ValueError, KeyError):
        return None
    return None


def period_end(period: str) -> date | None:
    """The latest date a metric period reports data to, or None (no date, or a target/forecast)."""
    if NOT_DATA.search(period or ""):
        return None
    ends = period_dates(period)
    return max(ends) if ends else None
