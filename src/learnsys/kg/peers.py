"""Trusts most like a trust: the one peer model that search, variation and buddies all use.

The definition (docs/peers.md explains the choices):

- context: The Health Foundation's NHS Trust Peer Finder variables, the latest year each trust has
  (``kg/loaders/peers.py``);
- transform: counts and money (``LOG_VARIABLES``) on a signed log scale, ``sign(x) * log(1 + |x|)``;
  shares and indices as published;
- standardise: z-score each variable within the trust's comparison family (acute incl. specialist;
  mental health and community; ambulance) with the population standard deviation; a variable with no
  spread in a family (or fewer than ``MIN_TRUSTS`` values) is not used for that family;
- missing values: a variable missing for either trust is left out of that pair (never imputed); a pair
  sharing fewer than ``MIN_SHARED_VARIABLES`` variables has no distance and the two are not peers;
- distance: root-mean-square difference of the z-scores over the variables the pair shares;
- similarity: ``exp(-distance)`` (1 = identical context);
- peers: the ``k`` (default ``DEFAULT_K``) nearest trusts of the same family, ties broken by ODS code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from learnsys.kg.loaders.peers import CONTEXT_VARIABLES
from learnsys.kg.records import ReferenceData

VARIABLES = tuple(sorted(v.removesuffix("_peers") for v in CONTEXT_VARIABLES))
# Counts and money: a 600-bed and a 1,200-bed trust differ as much as a 300- and a 600-bed one.
LOG_VARIABLES = frozenset(
    {"patients", "attendances", "fte_staff", "sites", "degree_of_specialisation", "operating_expenses"}
)
DEFAULT_K = 10
MIN_SHARED_VARIABLES = 5
MIN_TRUSTS = 3


@dataclass(frozen=True)
class Peer:
    ods: str
    distance: float


def transform(variable: str, value: float) -> float:
    """The value compared: signed log for counts and money, as published otherwise."""
    return math.copysign(math.log1p(abs(value)), value) if variable in LOG_VARIABLES else value


@dataclass(frozen=True)
class _Family:
    ods: tuple[str, ...]
    z: np.ndarray  # [trust, variable] z-scores, NaN where missing or the variable is unused
    distance: np.ndarray  # [trust, trust] RMS z-distance, NaN where fewer than MIN_SHARED_VARIABLES shared


class PeerModel:
    """Peer-finder context of every trust, standardised once; distances, similarities and k-nearest peers."""

    def __init__(self, families: dict[str, _Family], family_of: dict[str, str], k: int = DEFAULT_K):
        self._families = families
        self._family_of = family_of
        self._row = {ods: i for fam in families.values() for i, ods in enumerate(fam.ods)}
        self.k = k

    @classmethod
    def from_reference(cls, data: ReferenceData, k: int = DEFAULT_K) -> PeerModel:
        members: dict[str, list[str]] = {}
        for ods in sorted(data.context):
            provider = data.providers.get(ods)
            if provider is not None and provider.family is not None:
                members.setdefault(provider.family, []).append(ods)
        families = {name: _standardise(data, tuple(codes)) for name, codes in members.items()}
        family_of = {ods: name for name, codes in members.items() for ods in codes}
        return cls(families, family_of, k)

    def has_context(self, ods: str) -> bool:
        return ods in self._family_of

    def peers(self, ods: str, k: int | None = None) -> list[Peer]:
        """The ``k`` nearest trusts of the same family (empty when the trust has no peer-finder context)."""
        family = self._families.get(self._family_of.get(ods, ""))
        if family is None:
            return []
        row = family.distance[self._row[ods]]
        order = sorted((float(d), other) for other, d in zip(family.ods, row, strict=True)
                       if other != ods and not math.isnan(d))
        return [Peer(other, round(d, 6)) for d, other in order[: self.k if k is None else k]]

    def distance(self, a: str, b: str) -> float | None:
        """RMS z-distance of two trusts of the same family; None across families or without enough data."""
        family = self._family_of.get(a)
        if family is None or family != self._family_of.get(b):
            return None
        d = float(self._families[family].distance[self._row[a], self._row[b]])
        return None if math.isnan(d) else d

    def similarity(self, a: str, b: str) -> float | None:
        d = self.distance(a, b)
        return None if d is None else math.exp(-d)

    def distance_matrix(self, ods: list[str]) -> np.ndarray:
        """Pairwise distances [i, j] for a list of trusts, NaN where ``distance`` is None (0 on the diagonal)."""
        out = np.full((len(ods), len(ods)), np.nan)
        for i, a in enumerate(ods):
            for j, b in enumerate(ods):
                d = 0.0 if a == b else self.distance(a, b)
                out[i, j] = np.nan if d is None else d
        return out

    def standardised(self, ods: str) -> dict[str, float]:
        """The trust's z-scores by variable (the variables used for its family that it has)."""
        family = self._families.get(self._family_of.get(ods, ""))
        if family is None:
            return {}
        z = family.z[self._row[ods]]
        return {v: round(float(x), 4) for v, x in zip(VARIABLES, z, strict=True) if not math.isnan(x)}


def _standardise(data: ReferenceData, ods: tuple[str, ...]) -> _Family:
    raw = np.full((len(ods), len(VARIABLES)), np.nan)
    for i, code in enumerate(ods):
        context = data.context[code]
        for k, var in enumerate(VARIABLES):
            value = context.get(var)
            if value is not None and math.isfinite(value):
                raw[i, k] = transform(var, value)
    z = np.full(raw.shape, np.nan)
    for k in range(len(VARIABLES)):
        col = raw[:, k]
        ok = ~np.isnan(col)
        if ok.sum() >= MIN_TRUSTS and col[ok].std() > 0:
            z[ok, k] = (col[ok] - col[ok].mean()) / col[ok].std()
    present = ~np.isnan(z)
    both = present[:, None, :] & present[None, :, :]
    shared = both.sum(axis=2)
    squared = np.where(both, (np.nan_to_num(z)[:, None, :] - np.nan_to_num(z)[None, :, :]) ** 2, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.where(shared >= MIN_SHARED_VARIABLES, np.sqrt(squared / np.maximum(shared, 1)), np.nan)
    return _Family(ods, z, distance)
