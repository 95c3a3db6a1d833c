"""A team's case-study draft submitted into the store's document review queue (never published here).

The draft is made from the team's own records (``case_study.draft_case_study``), checked with the same
validation as any submitted document, submitted through ``store.documents.submit`` (audited there) and
linked to the team (audited by the collaborative service). A reviewer publishes it; only then is it searchable.
"""

from __future__ import annotations

from typing import Any

from learnsys import published
from learnsys.collaboratives import errors
from learnsys.collaboratives.case_study import AdoptedChange, NoSustainedImprovement, draft_case_study
from learnsys.collaboratives.model import CaseStudyRequest
from learnsys.search.validation import InvalidDocument
from learnsys.store import documents as doc_store
from learnsys.store.accounts import Account


def submit_case_study(services: Any, service: Any, account: Account, team_id: str, body: CaseStudyRequest,
                      base_url: str) -> dict[str, Any]:
    """Draft, validate and submit; returns the submitted version and the draft text."""
    inputs = service.case_study_inputs(account, team_id, body.measure)
    team = inputs["team"]
    changes = [AdoptedChange(c["change_idea"], c["decision"], c["start"], c["learned"], c["document_id"])
               for c in inputs["cycles"] if c["decision"]]
    source = f"{base_url}/v1/teams/{team_id}/measures/{body.measure}/spc"
    try:
        doc_id, text = draft_case_study(collaborative=inputs["collaborative"], team=team,
                                        provider_name=team["provider_name"], chart=inputs["chart"],
                                        changes=changes, source_url=source, title=body.title)
    except NoSustainedImprovement as exc:
        raise errors.Invalid(str(exc), "measure") from exc
    try:
        doc = published.validate_submission(text, services.store, services.settings, services.reference,
                                            expected_id=doc_id)
        version = doc_store.submit(services.store, account, doc.id, doc.type, text)
    except InvalidDocument as exc:
        raise errors.Invalid(f"the draft failed the corpus checks: {exc}", exc.problems[0][0]) from exc
    except doc_store.DocumentStoreError as exc:
        if exc.status == 409:
            raise errors.Conflict(str(exc), "measure") from exc
        raise errors.CollaborativeError(str(exc), exc.field) from exc
    service.link_case_study(account, team_id, body.measure, doc_id)
    return {"document_id": doc_id, "team_id": team_id, "measure": body.measure, "status": version.status,
            "version": version.number, "review_queue": "/v1/submissions", "content": text}
