"""Ranking hooks: what real (never demo) collaboratives learned, for search and buddy matching to call.

* ``document_learning(services, doc_id)``: the change-idea counts of one corpus document ("tested by 9
  teams, adopted by 6, improvement signal in 4"), shown on the document response and page;
* ``document_evidence(services)``: those counts for every document, for a search ranking signal;
* ``provider_signals(services, topic)``: per provider, sustained special-cause improvement its team showed on
  the topic, as ``SpcSignal`` records (metric ``collaborative:<id>/<measure>``) buddy evidence can count.

All read the service's cached ``evidence()`` (recomputed only when the store changes); each returns empty
when the store is not open.
"""

from __future__ import annotations

from typing import Any

from learnsys.oversight.spc import SpcSignal


def _service(services: Any) -> Any:
    return getattr(services, "collaboratives", None)


def document_learning(services: Any, doc_id: str) -> dict[str, Any] | None:
    service = _service(services)
    return service.document_counts(doc_id) if service is not None else None


def document_evidence(services: Any) -> dict[str, dict[str, Any]]:
    service = _service(services)
    return service.evidence()["documents"] if service is not None else {}


def provider_signals(services: Any, topic: str) -> dict[str, list[SpcSignal]]:
    service = _service(services)
    if service is None:
        return {}
    out: dict[str, list[SpcSignal]] = {}
    for ods, items in service.evidence()["providers"].items():
        for item in items:
            if item["topic"] != topic:
                continue
            out.setdefault(ods, []).append(SpcSignal(
                ods, f"collaborative:{item['collaborative']}/{item['measure_id']}", "shift", "improvement", "",
                item["start"], item["end"], (item["start"], item["end"])))
    return out


def with_learning(services: Any, doc_id: str) -> dict[str, Any]:
    """``{"collaborative_learning": counts}`` for a document response, or ``{}`` when no real team tested it."""
    counts = document_learning(services, doc_id)
    return {"collaborative_learning": counts} if counts else {}
