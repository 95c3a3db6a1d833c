"""Variation between trusts: national percentile, rank within trust type, and position against peers.

Peer groups: ``trust-type`` (same trust type), ``family`` (acute incl. specialist; mental health and
community), ``region`` (same NHS England region and family), or ``nearest`` (the ``k`` nearest trusts of the
same family by the standardised Health Foundation peer-finder context variables).
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from dataclasses import asdict, dataclass

from learnsys.kg.records import ReferenceData
from learnsys.oversight.metrics import index_of

PEER_GROUPS = ("trust-type", "family", "region", "nearest")


@dataclass
class VariationRow:
    provider: str
    name: str
    trust_type: str | None
    region: str
    value: float
    national_percentile: float  # share of trusts this one does at least as well as (100 = best)
    national_rank: int
    rank_in_type: int
    n_in_type: int
    peer_group: str
    peers: int
    peer_median: float | None
    difference_from_peer_median: float | None
    rank_in_peers: int
    position: str  # better | worse | same | n/a (direction "none")


def _better_count(value: float, others: list[float], direction: str) -> int:
    if direction == "lower":
        return sum(o < value for o in others)
    return sum(o > value for o in others)


def _at_least_as_good(value: float, others: list[float], direction: str) -> int:
    if direction == "lower":
        return sum(o >= value for o in others)
    return sum(o <= value for o in others)


def standardised_context(data: ReferenceData) -> dict[str, list[float]]:
    """Peer-finder variables as z-scores (variables missing for a trust are set to the mean, 0)."""
    variables = sorted({k for ctx in data.context.values() for k in ctx})
    stats = {}
    for var in variables:
        xs = [ctx[var] for ctx in data.context.values() if var in ctx and ctx[var] is not None]
        if len(xs) > 1 and statistics.pstdev(xs) > 0:
            stats[var] = (statistics.fmean(xs), statistics.pstdev(xs))
    return {
        ods: [((ctx[v] - m) / s) if ctx.get(v) is not None else 0.0 for v, (m, s) in stats.items()]
        for ods, ctx in data.context.items()
    }


def variation(
    data: ReferenceData, metric: str, period: str, peer_group: str = "trust-type", k: int = 10
) -> list[VariationRow]:
    """Every trust with a value for ``metric`` in ``period``, placed nationally and against its peers."""
    if peer_group not in PEER_GROUPS:
        raise ValueError(f"peer_group must be one of {', '.join(PEER_GROUPS)}")
    m = data.metrics[metric]
    direction = m.direction
    values = {o.provider: o.value for o in index_of(data).at(metric, period) if o.provider in data.providers}
    everyone = list(values.values())
    by_type: dict[str | None, list[str]] = {}
    for ods in values:
        by_type.setdefault(data.providers[ods].trust_type, []).append(ods)
    z = standardised_context(data) if peer_group == "nearest" else {}
    rows = []
    for ods, value in values.items():
        p = data.providers[ods]
        same_type = by_type[p.trust_type]
        if peer_group == "trust-type":
            peers = [o for o in same_type if o != ods]
            label = f"trust type: {p.trust_type}"
        elif peer_group == "family":
            peers = [o for o in values if o != ods and data.providers[o].family == p.family]
            label = f"family: {p.family}"
        elif peer_group == "region":
            peers = [
                o
                for o in values
                if o != ods
                and data.providers[o].region_code == p.region_code
                and data.providers[o].family == p.family
            ]
            label = f"region {p.region_code}, {p.family}"
        else:
            candidates = [o for o in values if data.providers[o].family == p.family and o in z and o != ods]
            peers = (
                [o for _, o in sorted((math.dist(z[ods], z[o]), o) for o in candidates)[:k]]
                if ods in z
                else []
            )
            label = f"{len(peers)} nearest by peer-finder variables" if peers else "no peer-finder context"
        peer_values = [values[o] for o in peers]
        median = statistics.median(peer_values) if peer_values else None
        diff = None if median is None else round(value - median, 4)
        if direction not in ("higher", "lower") or diff is None:
            position = "n/a"
        elif diff == 0:
            position = "same"
        else:
            position = "better" if (diff > 0) == (direction == "higher") else "worse"
        others = [v for o, v in values.items() if o != ods]
        rows.append(
            VariationRow(
                provider=ods,
                name=p.name,
                trust_type=p.trust_type,
                region=p.region_code,
                value=value,
                national_percentile=round(100 * _at_least_as_good(value, others, direction) / len(others), 1)
                if others
                else 100.0,
                national_rank=1 + _better_count(value, everyone, direction),
                rank_in_type=1 + _better_count(value, [values[o] for o in same_type], direction),
                n_in_type=len(same_type),
                peer_group=label,
                peers=len(peers),
                peer_median=median,
                difference_from_peer_median=diff,
                rank_in_peers=1 + _better_count(value, peer_values, direction),
                position=position,
            )
        )
    rows.sort(key=lambda r: (r.national_rank, r.provider))
    return rows


def to_csv(rows: list[VariationRow]) -> str:
    out = io.StringIO()
    fields = list(VariationRow.__dataclass_fields__)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return out.getvalue()
