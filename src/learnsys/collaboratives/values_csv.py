"""The monthly-values spreadsheet a team keeps: one row per month, one column per measure.

Header ``month,<measure_id>,...``; months ``YYYY-MM``; an empty cell means "no value this month". The
file is validated whole: every problem is collected with its line (and column), and nothing is written
unless there are none.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from learnsys.collaboratives.model import parse_month

MAX_ROWS = 600  # 50 years of months: anything longer is not a team's spreadsheet
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class ParsedValue:
    month: str
    measure: str
    value: float
    line: int


class ValuesCsvError(ValueError):
    """The file is refused; ``problems`` are ``(line, column, message)`` in file order."""

    def __init__(self, filename: str, problems: list[tuple[int, str, str]]):
        self.filename, self.problems = filename, problems
        line, column, message = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{filename}:{line}: {column}: {message}{more}")

    def lines(self) -> list[str]:
        return [f"{self.filename}:{line}: {column}: {message}" for line, column, message in self.problems]


def _month_now(today: date | None) -> str:
    today = today or date.today()
    return f"{today.year}-{today.month:02d}"


def parse_values_csv(
    text: str,
    units: Mapping[str, str],
    filename: str = "values.csv",
    today: date | None = None,
) -> list[ParsedValue]:
    """Every value in the file, or ``ValuesCsvError`` naming each bad line. ``units``: measure id -> unit."""
    problems: list[tuple[int, str, str]] = []
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        empty = "the file is empty; the first line must be month,<measure_id>,..."
        raise ValuesCsvError(filename, [(1, "header", empty)])
    header = [cell.strip() for cell in rows[0]]
    if header[0].lower() != "month":
        problems.append((1, "header", f"the first column must be 'month', not {header[0]!r}"))
    measures = header[1:]
    if not measures:
        problems.append((1, "header", "no measure columns: write month,<measure_id>,..."))
    for k, measure in enumerate(measures, start=2):
        if measure not in units:
            known = ", ".join(sorted(units)) or "none"
            message = f"unknown measure {measure!r}; this team's measures: {known}"
            problems.append((1, measure or f"column {k}", message))
        elif measures.index(measure) != k - 2:
            problems.append((1, measure, f"measure {measure!r} appears in more than one column"))
    if len(rows) - 1 > MAX_ROWS:
        problems.append((MAX_ROWS + 2, "month", f"more than {MAX_ROWS} rows"))
    latest = _month_now(today)
    seen: dict[str, int] = {}
    out: list[ParsedValue] = []
    for line, row in enumerate(rows[1 : MAX_ROWS + 1], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append((line, "row", f"{len(row)} cells where the header has {len(header)}"))
            continue
        try:
            month = parse_month(row[0])
        except ValueError as exc:
            problems.append((line, "month", str(exc)))
            month = None
        if month is not None:
            if month > latest:
                problems.append((line, "month", f"{month} is in the future"))
            elif month in seen:
                problems.append((line, "month", f"{month} already given on line {seen[month]}"))
            else:
                seen[month] = line
        for measure, cell in zip(measures, row[1:], strict=True):
            cell = cell.strip()
            if not cell or measure not in units:
                continue
            try:
                value = float(cell)
            except ValueError:
                problems.append((line, measure, f"{cell!r} is not a number"))
                continue
            if not math.isfinite(value):
                problems.append((line, measure, f"{cell!r} is not a finite number"))
            elif units[measure] == "%" and not 0 <= value <= 100:
                problems.append((line, measure, f"{value:g} is outside 0-100 for a percentage"))
            elif month is not None:
                out.append(ParsedValue(month, measure, value, line))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ValuesCsvError(filename, sorted(problems, key=lambda p: p[0]))
    if not out:
        raise ValuesCsvError(filename, [(2, "month", "the file has no values")])
    return out


def values_to_csv(months: list[str], measures: list[str], values: Mapping[tuple[str, str], float]) -> str:
    """The same shape back out (``values``: (month, measure) -> value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["month", *measures])
    for month in months:
        writer.writerow([month, *("" if (month, m) not in values else f"{values[month, m]:.10g}" for m in measures)])
    return buffer.getvalue()
