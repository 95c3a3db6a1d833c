"""Does a metric's baseline or result appear in the document's own text?

A figure in the front matter must also be stated in the body, so a reader can see it in context and a
checker can trace it to a source. Numbers match as written in English prose: ``1500`` matches "1,500" or
"1500", ``2500000`` matches "2.5 million" or "£2.5m", ``40000`` matches "£40k", small whole numbers match
their word ("three").
"""

from __future__ import annotations

import re
from functools import lru_cache

NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(million|mn|m|billion|bn|k)\b)?",
                     re.I)
SCALE = {"million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "k": 1e3}


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


@lru_cache(maxsize=512)
def numbers_in(text: str) -> tuple[float, ...]:
    """Every number the text states, as values (scaled by million/m/bn/k where written)."""
    values: list[float] = []
    for whole, fraction, scale in _NUMBER.findall(text):
        number = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        values.append(number)
        if scale:
            values.append(number * SCALE[scale.lower()])
    lowered = text.lower()
    values += [float(i) for i, word in enumerate(NUMBER_WORDS) if re.search(rf"\b{word}\b", lowered)]
    return tuple(values)


def value_in_text(value: float | int, text: str) -> bool:
    """True when ``value`` (sign ignored) is stated in ``text``."""
    target = abs(float(value))
    return any(_close(target, found) for found in numbers_in(text))


def missing_figures(metrics: list[dict], body: str) -> list[tuple[int, str, float]]:
    """(metric index, 'baseline'/'result', value) for each metric value the body does not state."""
    text = body.replace("\u2212", "-")
    missing: list[tuple[int, str, float]] = []
    for number, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            continue
        for key in ("baseline", "result"):
            value = metric.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not value_in_text(value, text):
                missing.append((number, key, value))
    return missing
