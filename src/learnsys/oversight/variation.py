"""Variation between trusts: national percentile, rank within trust type, and position against peers.

Peer groups: ``trust-type`` (same trust type), ``family`` (acute incl. specialist; mental health and
community), ``region`` (same NHS England region and family), or ``nearest`` (the trust's ``k`` peers from
``learnsys.kg.peers.PeerModel``, the same list search and buddies use; those without a value for the metric
in the period are left out of the median, so a row can have fewer than ``k``).
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import asdict, dataclass

from learnsys.kg.records import ReferenceData
from learnsys.oversight.metrics import index_of
from learnsys.ranking import percentile_of, rank_among

PEER_GROUPS = ("trust-type", "family", "region", "nearest")


@dataclass
class VariationRow:
    provider: str
    name: str
    trust_type: str | None
    region: str
    value: float
    national_percentile: float  # learnsys.ranking.percentiles x 100: 100 = best, 0 = worst, ties averaged
    national_rank: int
    rank_in_type: int
    n_in_type: int
    peer_group: str
    peers: int
    peer_codes: list[str]  # the peers compared, for the ``nearest`` group (others are named by peer_group)
    peer_median: float | None
    difference_from_peer_median: float | None
    rank_in_peers: int
    position: str  # better | worse | same | n/a (direction "none")


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
            nearest = [peer.ods for peer in data.peer_model.peers(ods, k)]
            peers = [o for o in nearest if o in values]
            label = (f"{len(peers)} of {len(nearest)} nearest peers (peer model) with a value" if nearest
                     else "no peer-finder context")
        peer_values = [values[o] for o in peers]
        median = statistics.median(peer_values) if peer_values else None
        diff = None if median is None else round(value - median, 4)
        if direction not in ("higher", "lower") or diff is None:
            position = "n/a"
        elif diff == 0:
            position = "same"
        else:
            position = "better" if (diff > 0) == (direction == "higher") else "worse"
        rows.append(
            VariationRow(
                provider=ods,
                name=p.name,
                trust_type=p.trust_type,
                region=p.region_code,
                value=value,
                national_percentile=round(100 * percentile_of(value, everyone, direction), 1),
                national_rank=rank_among(value, everyone, direction),
                rank_in_type=rank_among(value, [values[o] for o in same_type], direction),
                n_in_type=len(same_type),
                peer_group=label,
                peers=len(peers),
                peer_codes=peers if peer_group == "nearest" else [],
                peer_median=median,
                difference_from_peer_median=diff,
                rank_in_peers=rank_among(value, peer_values, direction),
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
        writer.writerow({**asdict(row), "peer_codes": " ".join(row.peer_codes)})
    return out.getvalue()
