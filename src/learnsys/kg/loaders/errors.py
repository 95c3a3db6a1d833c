"""Load errors that name the file and line."""

from __future__ import annotations

import csv
from pathlib import Path


class LoadError(ValueError):
    """A reference file could not be loaded; ``problems`` lists ``file:line: message`` strings.

    Loading is all-or-nothing: a file with any malformed row is refused whole, so a bad
    file never half-updates the graph and the previous build stays in service.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("\n".join(shown) + more)


class RowErrors:
    """Collects row problems for one file and raises them together."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def raise_if_any(self) -> None:
        if self.problems:
            raise LoadError(self.problems)


def parse_float(text: str | None) -> float | None:
    """A number, or None for the blanks and markers published files use for missing data."""
    if text is None:
        return None
    text = text.strip().replace(",", "")
    if text in ("", "NA", "N/A", "-", "*", "..", "nan", "NaN"):
        return None
    return float(text)


def read_table(path: Path, required: set[str] | frozenset[str], kind: str = "") -> tuple[
        RowErrors, list[str], list[tuple[int, dict[str, str]]]]:
    """A CSV file with a header: (errors collector, column names, [(line, row)]).

    Refuses the file at once (``LoadError`` on line 1) when a required column is missing.
    """
    errors = RowErrors(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        missing = set(required) - set(fields)
        if missing:
            errors.add(1, f"{kind}missing columns: {', '.join(sorted(missing))}")
            errors.raise_if_any()
        rows = list(enumerate(reader, start=2))
    return errors, fields, rows
