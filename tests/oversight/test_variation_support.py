"""Variation between trusts and the support each segment brings."""

from __future__ import annotations

import csv
import io
import statistics

from learnsys.config import REPO_ROOT
from learnsys.oversight.support import provider_support, support_table
from learnsys.oversight.variation import to_csv, variation


def test_variation_places_every_trust(ref) -> None:
    rows = variation(ref, "ae_4h_all", "2025-07")
    assert len(rows) > 100
    best = rows[0]
    assert best.national_rank == 1 and best.national_percentile == 100.0
    assert all(0 <= r.national_percentile <= 100 and 1 <= r.rank_in_type <= r.n_in_type for r in rows)
    acute = [r for r in rows if r.trust_type == "acute"]
    assert sorted(r.rank_in_type for r in acute)[0] == 1


def test_lower_is_better_ranks_the_smallest_first(ref) -> None:
    rows = variation(ref, "ae_12h_dta_per_1000", "2025-07")
    assert rows[0].value == min(r.value for r in rows)


def test_nearest_peers_by_context_variables(ref) -> None:
    rows = variation(ref, "ae_4h_all", "2025-07", peer_group="nearest", k=5)
    with_context = [r for r in rows if r.peers]
    assert all(1 <= r.peers <= 5 and len(r.peer_codes) == r.peers for r in with_context)
    acute = [r for r in with_context if r.trust_type == "acute"]
    assert len(acute) > 80 and sum(r.peers == 5 for r in acute) > 0.8 * len(acute)  # acute peers run A&E too
    for r in with_context:  # the median is over the peers' values in the period
        values = {x.provider: x.value for x in rows}
        assert r.peer_median == statistics.median(values[o] for o in r.peer_codes)
    assert all(r.position in ("better", "worse", "same") for r in with_context)
    region = variation(ref, "ae_4h_all", "2025-07", peer_group="region")
    assert all(r.peer_group.startswith("region") for r in region)


def test_variation_csv(ref) -> None:
    text = to_csv(variation(ref, "rtt_18w_pct", "2025-07"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {"provider", "value", "national_percentile", "rank_in_type", "peer_median"} <= set(
        rows[0]
    )


def test_support_table_from_the_ontology() -> None:
    table = support_table(REPO_ROOT / "ontology")
    assert sorted(table) == [1, 2, 3, 4, 5]
    assert any(o["id"] == "npip" for o in table[5]["offers"])
    assert table[1]["organisation_role"] and table[4]["improvement_driven_by"]


def test_support_uses_official_segment_when_present_else_indicative(ref) -> None:
    acute = provider_support(ref, "RGT", REPO_ROOT / "ontology")
    assert acute["status"] == "official" and acute["assessment"]["official"] is True
    assert acute["support"]["segment"] == acute["segment"]
    ambulance = provider_support(ref, "RX9", REPO_ROOT / "ontology")
    assert ambulance["status"] == "indicative" and ambulance["assessment"]["official"] is False
    assert "not an official" in ambulance["note"]


def test_recovery_support_programme_means_segment_5(ref) -> None:
    result = provider_support(ref, "RAJ", REPO_ROOT / "ontology")  # OF5007 = 1 in the Q1 2025/26 file
    assert result["segment"] == 5 and result["status"] == "official"
    assert any(o["id"] == "npip" for o in result["support"]["offers"])
    assert "Recovery Support Programme" in result["note"]


def test_support_table_from_the_graph_store_matches_the_files() -> None:
    import pyoxigraph as ox

    from learnsys.kg.store import GraphStore

    store = ox.Store()
    for path in (REPO_ROOT / "ontology").rglob("*.ttl"):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert support_table(graph=GraphStore(store)) == support_table(REPO_ROOT / "ontology")
