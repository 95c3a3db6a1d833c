"""The five buddy factors, each a 0..1 matrix over [mentee, mentor] for one family table, and the data
behind one pair's values (with periods) for the explanation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from learnsys.buddies.candidates import FamilyTable
from learnsys.buddies.config import BuddyConfig
from learnsys.corpus.documents import Document
from learnsys.kg.records import ReferenceData

SHOWN_VARIABLES = ("patients", "attendances", "fte_staff", "deprivation", "urban", "degree_of_specialisation")


@dataclass
class Evidence:
    """Per provider: corpus documents on the topic and special-cause improvement signals on its measures."""

    documents: dict[str, list[Document]] = field(default_factory=dict)
    signals: dict[str, list[Any]] = field(default_factory=dict)  # learnsys.oversight.spc.SpcSignal
    spc_available: bool = True


def context_similarity(distance: np.ndarray) -> np.ndarray:
    """exp(-distance) from the peer model's distances; a pair without one gets the family median similarity
    (so missing context neither helps nor hurts a mentor)."""
    sim = np.exp(-distance)
    known = sim[~np.isnan(sim)]
    fill = float(np.median(known)) if known.size else 0.0
    return np.where(np.isnan(sim), fill, sim)


def complementarity(pct: np.ndarray) -> np.ndarray:
    """How far ahead each mentor is on the mentee's weakest measures: sum over measures of the mentee's
    weakness (1 - percentile) times the mentor's lead in percentile points, over the sum of weaknesses."""
    weak = np.where(np.isnan(pct), 0.0, 1.0 - pct)  # [n, m]
    lead = np.clip(np.nan_to_num(pct[None, :, :], nan=-1.0) - np.nan_to_num(pct[:, None, :], nan=2.0), 0, None)
    total = weak.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.einsum("im,ijm->ij", weak, lead) / np.where(total > 0, total, 1.0)[:, None]
    return np.where(total[:, None] > 0, out, 0.0)


def proximity(data: ReferenceData, ods: list[str], config: BuddyConfig) -> np.ndarray:
    providers = [data.providers[c] for c in ods]
    lin_of = {m: lin.id for lin in data.lins.values() for m in lin.members}
    icb = np.array([p.icb_code for p in providers])
    region = np.array([p.region_code for p in providers])
    lin = np.array([lin_of.get(c, f"none-{c}") for c in ods])
    return (
        config.proximity_icb * (icb[:, None] == icb[None, :])
        + config.proximity_region * (region[:, None] == region[None, :])
        + config.proximity_lin * (lin[:, None] == lin[None, :])
    )


def evidence_vector(table: FamilyTable, evidence: Evidence, config: BuddyConfig) -> np.ndarray:
    docs = np.array(
        [
            min(len(evidence.documents.get(c, [])), config.evidence_documents_for_full)
            / config.evidence_documents_for_full
            for c in table.ods
        ]
    )
    metrics = np.array(
        [
            min(len({s.metric for s in evidence.signals.get(c, [])}), config.evidence_signals_for_full)
            / config.evidence_signals_for_full
            for c in table.ods
        ]
    )
    return 0.5 * docs + 0.5 * metrics


def capacity_parts(table: FamilyTable) -> list[dict[str, Any]]:
    """Spare capacity of each provider as a mentor, from three published signals (each 0..1)."""
    out = []
    for s in table.standings:
        seg = {1: 1.0, 2: 0.5}.get(s.segment or 0, 0.0)
        finance = 0.5 if s.financial_deficit is None else (0.0 if s.financial_deficit else 1.0)
        people = s.domain_segments.get("people-workforce")
        workforce = 0.5 if people is None else (4 - min(max(people, 1), 4)) / 3
        out.append(
            {
                "segment": seg,
                "finance": finance,
                "workforce": workforce,
                "value": (seg + finance + workforce) / 3,
            }
        )
    return out


def compute_factors(
    table: FamilyTable, data: ReferenceData, evidence: Evidence, config: BuddyConfig
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Factor matrices [mentee, mentor] (values 0..1) and the per-family inputs explanations need."""
    n = len(table.ods)
    dist = data.peer_model.distance_matrix(table.ods)
    sim = context_similarity(dist)
    cap = capacity_parts(table)
    ev = evidence_vector(table, evidence, config)
    factors = {
        "complementarity": complementarity(table.pct) if table.metrics else np.zeros((n, n)),
        "context": sim,
        "evidence": np.broadcast_to(ev[None, :], (n, n)),
        "proximity": proximity(data, table.ods, config),
        "capacity": np.broadcast_to(np.array([c["value"] for c in cap])[None, :], (n, n)),
    }
    return factors, {"distance": dist, "capacity": cap}


def _r(x: float | None, places: int = 3) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), places)


def explain_pair(
    table: FamilyTable,
    aux: dict[str, Any],
    data: ReferenceData,
    evidence: Evidence,
    i: int,
    j: int,
    config: BuddyConfig,
) -> dict[str, Any]:
    """The data behind each factor of mentee ``i`` and mentor ``j`` (values with their periods)."""
    mentee, mentor = table.ods[i], table.ods[j]
    measures = []
    for k, metric in enumerate(table.metrics):
        if np.isnan(table.pct[i, k]):
            continue
        lead = (table.pct[j, k] - table.pct[i, k]) if not np.isnan(table.pct[j, k]) else None
        measures.append(
            {
                "metric": metric,
                "label": data.metrics[metric].label,
                "direction": table.directions[k],
                "weakness": _r(1 - table.pct[i, k]),
                "mentee": {
                    "value": _r(table.values[i, k], 2),
                    "period": table.periods[i][k],
                    "percentile": _r(table.pct[i, k]),
                },
                "mentor": {
                    "value": _r(table.values[j, k], 2),
                    "period": table.periods[j][k],
                    "percentile": _r(table.pct[j, k]),
                },
                "lead": _r(lead),
            }
        )
    measures.sort(key=lambda m: (-(m["weakness"] or 0), m["metric"]))
    ctx_year = {"mentee": data.context_year.get(mentee), "mentor": data.context_year.get(mentor)}
    shown = {
        v: {"mentee": data.context.get(mentee, {}).get(v), "mentor": data.context.get(mentor, {}).get(v)}
        for v in SHOWN_VARIABLES
    }
    dist = aux["distance"][i, j]
    pm, pj = data.providers[mentee], data.providers[mentor]
    lin_m, lin_j = data.lin_of(mentee), data.lin_of(mentor)
    cap = aux["capacity"][j]
    docs = evidence.documents.get(mentor, [])
    sigs = evidence.signals.get(mentor, [])
    st = table.standings[j]
    return {
        "complementarity": {
            "measures": measures,
            "method": "weakness-weighted lead in percentile points within the family",
        },
        "context": {
            "distance": _r(dist),
            "imputed": bool(np.isnan(dist)),
            "peer": any(p.ods == mentor for p in data.peer_model.peers(mentee)),
            "year": ctx_year,
            "variables": shown,
            "source": "NHS Trust Peer Finder variables (The Health Foundation file)",
        },
        "evidence": {
            "documents": [d.id for d in docs],
            "improvement_signals": len(sigs),
            "spc": "learnsys.oversight.spc" if evidence.spc_available else "not available",
        },
        "proximity": {
            "same_icb": pm.icb_code == pj.icb_code,
            "same_region": pm.region_code == pj.region_code,
            "same_lin": bool(lin_m and lin_j and lin_m.id == lin_j.id),
            "icb": pj.icb_code,
            "region": pj.region_code,
            "lin": lin_j.id if lin_j else None,
        },
        "capacity": {
            "segment": st.segment,
            "segment_period": st.period,
            "segment_status": st.status,
            "financial_deficit": st.financial_deficit,
            "people_workforce_domain_segment": st.domain_segments.get("people-workforce"),
            "domain_period": st.domain_period,
            "parts": {k: _r(cap[k]) for k in ("segment", "finance", "workforce")},
        },
    }
