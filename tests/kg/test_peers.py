"""The one peer model: its definition on the shipped data, explicit missing values, and the same peer list
wherever a trust's peers are used (search personalisation, variation peer groups, buddy similarity)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from learnsys.config import REPO_ROOT, Settings
from learnsys.kg.peers import DEFAULT_K, MIN_SHARED_VARIABLES, VARIABLES, PeerModel, transform
from learnsys.kg.records import ReferenceData
from learnsys.kg.reference import load_reference_data


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_data(REPO_ROOT / "data" / "reference")


def test_peers_are_the_k_nearest_of_the_same_family(ref: ReferenceData) -> None:
    model = ref.peer_model
    with_context = [o for o in ref.context if ref.providers[o].family in ("acute", "mental-health-community")]
    assert len(with_context) > 150
    for ods in with_context:
        peers = model.peers(ods)
        assert len(peers) == DEFAULT_K
        assert ods not in {p.ods for p in peers}
        assert all(ref.providers[p.ods].family == ref.providers[ods].family for p in peers)
        distances = [p.distance for p in peers]
        assert distances == sorted(distances)
        farthest = distances[-1]
        others = [model.distance(ods, o) for o in with_context if o != ods and o not in {p.ods for p in peers}]
        assert all(d is None or d >= farthest - 1e-6 for d in others)  # nobody outside the list is nearer
    a, b = model.peers("RXN")[0].ods, "RXN"
    assert model.distance(a, b) == pytest.approx(model.distance(b, a))
    assert model.similarity(a, b) == pytest.approx(math.exp(-model.distance(a, b)))
    assert model.distance("RXN", next(o for o in with_context if ref.providers[o].family != "acute")) is None
    assert model.peers("RXN", k=3) == model.peers("RXN")[:3]
    assert model.peers("NOPE") == []


def test_standardised_within_family(ref: ReferenceData) -> None:
    model = ref.peer_model
    acute = [o for o in ref.context if ref.providers[o].family == "acute"]
    beds = [model.standardised(o)["fte_staff"] for o in acute]
    assert abs(float(np.mean(beds))) < 1e-3 and float(np.std(beds)) == pytest.approx(1.0, abs=1e-3)
    assert transform("fte_staff", 1000.0) == pytest.approx(math.log(1001.0))
    assert transform("degree_of_specialisation", -999.0) == pytest.approx(-math.log(1000.0))  # sign kept
    assert transform("urban", 0.8) == 0.8


def test_missing_values_are_left_out_of_the_pair_not_imputed(ref: ReferenceData) -> None:
    context = {k: dict(v) for k, v in ref.context.items()}
    base = ReferenceData(providers=ref.providers, context=context)
    keep = VARIABLES[:MIN_SHARED_VARIABLES + 2]
    context["RXN"] = {v: x for v, x in context["RXN"].items() if v in keep}
    model = PeerModel.from_reference(base)
    other = model.peers("RXN")[0].ods
    za, zb = model.standardised("RXN"), model.standardised(other)
    shared = [v for v in za if v in zb]
    assert set(shared) <= set(keep)
    expected = math.sqrt(sum((za[v] - zb[v]) ** 2 for v in shared) / len(shared))
    assert model.distance("RXN", other) == pytest.approx(expected, abs=1e-3)
    context["RXN"] = {v: x for v, x in context["RXN"].items() if v in VARIABLES[: MIN_SHARED_VARIABLES - 1]}
    sparse = PeerModel.from_reference(ReferenceData(providers=ref.providers, context=context))
    assert sparse.peers("RXN") == []  # too few variables to compare: no peers rather than guessed ones
    assert sparse.has_context("RXN")


def test_variation_nearest_group_is_the_peer_list(ref: ReferenceData) -> None:
    from learnsys.oversight.variation import variation

    rows = variation(ref, "ae_4h_all", "2025-07", peer_group="nearest", k=DEFAULT_K)
    have_value = {r.provider for r in rows}
    checked = 0
    for r in rows:
        expected = [p.ods for p in ref.peer_model.peers(r.provider) if p.ods in have_value]
        assert r.peer_codes == expected
        assert r.peers == len(expected)
        checked += bool(expected)
    assert checked > 100


def test_buddy_context_ranks_mentors_by_the_peer_list(tmp_path: Path) -> None:
    from learnsys.buddies.cli import load_buddy_services
    from learnsys.buddies.matcher import BuddyMatcher

    services = load_buddy_services(Settings(index_dir=tmp_path))
    matcher = BuddyMatcher(services)
    model = matcher.model("uec")
    data = services.reference
    checked = 0
    for fam in model.families.values():
        table, context = fam.table, fam.factors["context"]
        for i, ods in enumerate(table.ods):
            in_table = [p.ods for p in data.peer_model.peers(ods) if p.ods in table.index]
            if not in_table:
                continue
            dist = fam.aux["distance"][i]
            ranked = sorted((dist[j], table.ods[j]) for j in range(len(table.ods))
                            if j != i and not np.isnan(dist[j]))
            assert [o for _, o in ranked[: len(in_table)]] == in_table
            j = table.index[in_table[0]]
            assert context[i, j] == pytest.approx(data.peer_model.similarity(ods, in_table[0]))
            checked += 1
    assert checked > 100
    flagged = 0
    for mentee in model.families["acute"].table.ods[:20]:
        peers = {p.ods for p in data.peer_model.peers(mentee)}
        for buddy in matcher.rank(mentee, "uec", k=20)["buddies"]:
            assert buddy["factor_details"]["context"]["data"]["peer"] == (buddy["ods"] in peers)
            flagged += buddy["ods"] in peers
    assert flagged > 0


def test_search_personalisation_names_the_peer_list(ref: ReferenceData, tmp_path: Path) -> None:
    from learnsys.search.build import build_search
    from learnsys.search.dense import Encoder
    from learnsys.search.service import SearchRequest, SearchService
    from tests.search.conftest import make_settings

    settings = make_settings(tmp_path)
    encoder = Encoder.shared()
    build_search(settings, reference=ref, encoder=encoder)
    service = SearchService(settings, ref, encoder=encoder)
    service.refresh(force=True)
    doc_providers = {p for d in service.index().docs for p in d.providers}
    askers = sorted({o for o in ref.context for p in ref.peer_model.peers(o) if p.ods in doc_providers})[:12]
    close = family = 0
    pattern = re.compile(r"(\w+) is (a close peer of|in the same trust family as) (\w+)")
    for asker in askers:
        for query in ("reduce waits in the emergency department", "elective recovery waiting list"):
            out = service.search(SearchRequest(query, k=10, for_provider=asker))
            for r in out["results"]:
                for other, kind, me in pattern.findall(r["explanation"].get("boost_reason") or ""):
                    assert me == asker
                    is_peer = other in {p.ods for p in ref.peer_model.peers(asker)}
                    assert is_peer == (kind == "a close peer of")
                    close += is_peer
                    family += not is_peer
    assert close > 0


def test_peer_list_survives_a_copy_of_the_data(ref: ReferenceData) -> None:
    copy = replace(ref)
    assert [p.ods for p in copy.peer_model.peers("RXN")] == [p.ods for p in ref.peer_model.peers("RXN")]
