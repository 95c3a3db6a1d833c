"""Periods as learnsys writes them: months ``YYYY-MM``, NHS financial quarters ``YYYY/YY Qn`` (Q1 = April to
June) and years ``YYYY``; the one place month and quarter arithmetic is done."""

from __future__ import annotations

import re

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
QUARTER = re.compile(r"(\d{4})/(\d{2}) Q([1-4])")


def is_month(period: str) -> bool:
    return MONTH.fullmatch(period) is not None


def is_quarter(period: str) -> bool:
    return QUARTER.fullmatch(period) is not None


def add_months(month: str, n: int) -> str:
    """``month`` moved by ``n`` months (negative = earlier): add_months('2025-01', -1) == '2024-12'."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty when ``last`` is before ``first``)."""
    out: list[str] = []
    month = first
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def months_back(last: str, n: int) -> str:
    """The first month of the ``n``-month window ending with ``last``."""
    return add_months(last, -(n - 1))


def quarter_of(month: str) -> str:
    """The financial quarter a month falls in: '2025-07' -> '2025/26 Q2', '2026-02' -> '2025/26 Q4'."""
    year, m = int(month[:4]), int(month[5:7])
    start = year if m >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d} Q{(m - 4) % 12 // 3 + 1}"


def quarter_months(quarter: str) -> tuple[str, str, str]:
    """The three months of a financial quarter: '2025/26 Q1' -> ('2025-04', '2025-05', '2025-06')."""
    match = QUARTER.fullmatch(quarter)
    if match is None:
        raise ValueError(f"not a quarter: {quarter!r} (expected e.g. 2025/26 Q1)")
    first = add_months(f"{match[1]}-04", 3 * (int(match[3]) - 1))
    return first, add_months(first, 1), add_months(first, 2)


def next_quarter(quarter: str) -> str:
    """'2025/26 Q4' -> '2026/27 Q1'."""
    return quarter_of(add_months(quarter_months(quarter)[-1], 1))


def latest(periods: list[str] | set[str]) -> str | None:
    """The latest of periods written the same way (they sort as text)."""
    return max(periods, default=None)
