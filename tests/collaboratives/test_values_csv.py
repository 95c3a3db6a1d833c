"""The month,<measure_id>,... upload: refused whole with file:line errors, or every value returned."""

from __future__ import annotations

from datetime import date

import pytest

from learnsys.collaboratives.values_csv import ValuesCsvError, parse_values_csv, values_to_csv

UNITS = {"ae_4h": "%", "wait_min": "minutes"}
TODAY = date(2026, 6, 15)
GOOD = "month,ae_4h,wait_min\n" + "".join(f"2025-{m:02d},{70 + m / 2},{30 - m}\n" for m in range(1, 13))


def parse(text: str):
    return parse_values_csv(text, UNITS, "team.csv", today=TODAY)


def test_a_year_of_values_parses_in_file_order() -> None:
    values = parse(GOOD)
    assert len(values) == 24 and values[0].month == "2025-01" and values[0].line == 2
    assert {(v.month, v.measure): v.value for v in values}[("2025-12", "wait_min")] == 18.0


def test_empty_cells_are_no_value_and_bom_and_blank_lines_are_fine() -> None:
    values = parse("\ufeffmonth,ae_4h,wait_min\n2025-01,71.5,\n\n2025-02,,29\n")
    assert [(v.month, v.measure) for v in values] == [("2025-01", "ae_4h"), ("2025-02", "wait_min")]


def test_bad_month_on_line_7_names_line_7() -> None:
    lines = GOOD.splitlines()
    lines[6] = "2025-13,73,24"
    with pytest.raises(ValuesCsvError) as err:
        parse("\n".join(lines) + "\n")
    assert err.value.problems[0][0] == 7 and err.value.problems[0][1] == "month"
    assert str(err.value).startswith("team.csv:7: month:")


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("", 1, "header", "empty"),
        ("date,ae_4h\n2025-01,70\n", 1, "header", "'month'"),
        ("month,ae_4h,nope\n2025-01,70,1\n", 1, "nope", "unknown measure"),
        ("month,ae_4h,ae_4h\n2025-01,70,1\n", 1, "ae_4h", "more than one column"),
        ("month,ae_4h\n2025-01,70\n2025-01,71\n", 3, "month", "already given on line 2"),
        ("month,ae_4h\n2025-01,170\n", 2, "ae_4h", "outside 0-100"),
        ("month,ae_4h\n2025-01,seventy\n", 2, "ae_4h", "not a number"),
        ("month,ae_4h\n2025-01,nan\n", 2, "ae_4h", "finite"),
        ("month,ae_4h\n2025-01,70,3\n", 2, "row", "cells"),
        ("month,ae_4h\n2026-07,70\n", 2, "month", "future"),
        ("month,ae_4h\n2025-1,70\n", 2, "month", "YYYY-MM"),
        ("month,ae_4h\n2025-01,\n", 2, "month", "no values"),
    ],
)
def test_each_problem_names_its_line_and_column(text: str, line: int, column: str, fragment: str) -> None:
    with pytest.raises(ValuesCsvError) as err:
        parse(text)
    first = err.value.problems[0]
    assert (first[0], first[1]) == (line, column) and fragment in first[2]


def test_every_problem_is_collected() -> None:
    with pytest.raises(ValuesCsvError) as err:
        parse("month,ae_4h\n2025-01,x\n2025-02,70\n2025-99,70\n")
    assert [p[0] for p in err.value.problems] == [2, 4] and "1 more" in str(err.value)


def test_round_trip() -> None:
    values = parse(GOOD)
    text = values_to_csv(sorted({v.month for v in values}), ["ae_4h", "wait_min"],
                         {(v.month, v.measure): v.value for v in values})
    assert parse(text) == [v for v in values]
