"""Documents in the store of record: versions and review (no HTTP, no validation of the text itself).

A document has versions. A submission (``submit``, or ``revise`` for a new version of an existing document)
is ``submitted`` and not served; a reviewer ``publish``es it (the previous published version becomes
``superseded``) or ``reject``s it with a reason; ``withdraw`` takes a published document out of service and
keeps every version. ``seed`` loads the repository's ``corpus/`` files as published versions, once per file
content. Every write is one ``Database.write()`` transaction with its audit row (before and after).

Callers validate a text (``learnsys.corpus_store.validate``) before handing it in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnsys.store import audit
from learnsys.store.accounts import Account
from learnsys.store.db import Database
from learnsys.store.errors import StoreError
from learnsys.store.tables import DocumentVersion, StoredDocument, utcnow

SEED_ACTOR = "seed:corpus"
ENTITY = "document"
SERVED = "published"


class DocumentStoreError(StoreError):
    """A document request the store refuses; ``status`` is the HTTP-like kind, ``field`` what is wrong."""

    status = 409
    field = "id"


class DocumentMissing(DocumentStoreError, LookupError):
    status = 404
    field = "doc_id"


class DocumentExists(DocumentStoreError):
    pass


class NothingToReview(DocumentStoreError):
    pass


class NotPermitted(DocumentStoreError, PermissionError):
    status = 403
    field = "Authorization"


@dataclass(frozen=True)
class Version:
    document_id: str
    number: int
    status: str
    author: str
    submitted_at: datetime
    reviewer: str | None
    reviewed_at: datetime | None
    note: str | None
    content_hash: str

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["submitted_at"] = self.submitted_at.isoformat()
        data["reviewed_at"] = self.reviewed_at.isoformat() if self.reviewed_at else None
        return data


@dataclass(frozen=True)
class Shown:
    """One version of a document as a caller may see it, with the document's own status."""

    id: str
    type: str
    document_status: str
    published_version: int | None
    version: Version
    content: str


@dataclass(frozen=True)
class SeedReport:
    added: list[str]
    updated: list[str]
    unchanged: int


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _version(row: DocumentVersion) -> Version:
    return Version(row.document_id, row.number, row.status, row.author, row.submitted_at, row.reviewer,
                   row.reviewed_at, row.note, row.content_hash)


def _state(doc: StoredDocument | None) -> dict[str, Any] | None:
    return None if doc is None else {"status": doc.status, "type": doc.type,
                                     "published_version": doc.published_version}


def _document(session: Session, doc_id: str) -> StoredDocument:
    doc = session.get(StoredDocument, doc_id)
    if doc is None:
        raise DocumentMissing(f"no document {doc_id!r}")
    return doc


def _next_number(session: Session, doc_id: str) -> int:
    top = session.execute(select(func.max(DocumentVersion.number))
                          .where(DocumentVersion.document_id == doc_id)).scalar_one_or_none()
    return int(top or 0) + 1


def _pending(session: Session, doc_id: str) -> DocumentVersion | None:
    return session.execute(select(DocumentVersion).where(DocumentVersion.document_id == doc_id,
                                                         DocumentVersion.status == "submitted")
                           .order_by(DocumentVersion.number.desc()).limit(1)).scalar_one_or_none()


def _published(session: Session, doc: StoredDocument) -> DocumentVersion | None:
    if doc.published_version is None:
        return None
    return session.execute(select(DocumentVersion).where(DocumentVersion.document_id == doc.id,
                                                         DocumentVersion.number == doc.published_version)
                           ).scalar_one_or_none()


def _add_version(session: Session, doc_id: str, text: str, status: str, author: str,
                 author_id: int | None) -> DocumentVersion:
    row = DocumentVersion(document_id=doc_id, number=_next_number(session, doc_id), status=status, content=text,
                          content_hash=text_hash(text), author=author, author_id=author_id)
    session.add(row)
    return row


def _supersede(session: Session, doc: StoredDocument) -> None:
    current = _published(session, doc)
    if current is not None:
        current.status = "superseded"


# ---- writes -------------------------------------------------------------------------------------------
def seed(database: Database, files: dict[str, tuple[str, str]]) -> SeedReport:
    """Load corpus files ``{id: (type, text)}`` as published versions, in one transaction.

    A file whose text was seeded before adds nothing; a changed file becomes a new published version; a file
    whose text equals the published version (an export written back) only records that it was seen.
    """
    added, updated, unchanged = [], [], 0
    with database.write() as session:
        existing = {d.id: d for d in session.execute(select(StoredDocument)).scalars()}
        for doc_id, (doc_type, raw) in sorted(files.items()):
            text = normalise(raw)
            digest = text_hash(text)
            doc = existing.get(doc_id)
            if doc is not None and doc.seed_hash == digest:
                unchanged += 1
                continue
            before = _state(doc)
            if doc is None:
                doc = StoredDocument(id=doc_id, type=doc_type, status=SERVED, seed_hash=digest)
                session.add(doc)
                session.flush()
            else:
                current = _published(session, doc)
                doc.seed_hash = digest
                if current is not None and current.content_hash == digest:
                    audit.record(session, SEED_ACTOR, "document.seed-seen", ENTITY, doc_id, before, _state(doc))
                    unchanged += 1
                    continue
                _supersede(session, doc)
            row = _add_version(session, doc_id, text, SERVED, SEED_ACTOR, None)
            row.reviewer, row.reviewed_at = SEED_ACTOR, utcnow()
            session.flush()
            doc.type, doc.status, doc.published_version, doc.updated_at = doc_type, SERVED, row.number, utcnow()
            audit.record(session, SEED_ACTOR, "document.seed", ENTITY, doc_id, before,
                         {**(_state(doc) or {}), "version": row.number, "content_hash": digest})
            (added if before is None else updated).append(doc_id)
    return SeedReport(added, updated, unchanged)


def submit(database: Database, user: Account, doc_id: str, doc_type: str, text: str) -> Version:
    """A new document, status ``submitted`` (not served until published)."""
    text = normalise(text)
    with database.write() as session:
        if session.get(StoredDocument, doc_id) is not None:
            raise DocumentExists(f"document {doc_id!r} exists; use PUT to submit a new version")
        doc = StoredDocument(id=doc_id, type=doc_type, status="submitted")
        session.add(doc)
        session.flush()
        row = _add_version(session, doc_id, text, "submitted", user.actor, user.id)
        session.flush()
        audit.record(session, user.actor, "document.submit", ENTITY, doc_id, None,
                     {**(_state(doc) or {}), "version": row.number, "content_hash": row.content_hash})
        return _version(row)


def revise(database: Database, user: Account, doc_id: str, doc_type: str, text: str) -> Version:
    """A new version of an existing document, under review; the published version stays served.
    A still-pending submission of the same document is replaced (marked ``superseded``)."""
    text = normalise(text)
    with database.write() as session:
        doc = _document(session, doc_id)
        if not _may_see_drafts(user, session, doc_id) and doc.status != SERVED:
            raise DocumentMissing(f"no document {doc_id!r}")
        before = _state(doc)
        pending = _pending(session, doc_id)
        if pending is not None:
            pending.status = "superseded"
        row = _add_version(session, doc_id, text, "submitted", user.actor, user.id)
        session.flush()
        if doc.status in ("rejected", "withdrawn"):
            doc.status = "submitted"
        doc.updated_at = utcnow()
        audit.record(session, user.actor, "document.revise", ENTITY, doc_id,
                     {**(before or {}), "pending_version": pending.number if pending else None},
                     {**(_state(doc) or {}), "version": row.number, "content_hash": row.content_hash,
                      "type": doc_type})
        return _version(row)


def publish(database: Database, reviewer: Account, doc_id: str) -> Version:
    """Publish the pending submission: it is served from now on (the previous version is superseded)."""
    _require_reviewer(reviewer)
    with database.write() as session:
        doc = _document(session, doc_id)
        row = _pending(session, doc_id)
        if row is None:
            raise NothingToReview(f"document {doc_id!r} has no submission waiting for review")
        before = _state(doc)
        _supersede(session, doc)
        row.status, row.reviewer, row.reviewed_at = SERVED, reviewer.actor, utcnow()
        doc.status, doc.published_version, doc.updated_at = SERVED, row.number, utcnow()
        doc.type = _type_of(row.content, doc.type)
        audit.record(session, reviewer.actor, "document.publish", ENTITY, doc_id, before,
                     {**(_state(doc) or {}), "version": row.number})
        return _version(row)


def reject(database: Database, reviewer: Account, doc_id: str, reason: str) -> Version:
    """Reject the pending submission with a reason; a published version stays served."""
    _require_reviewer(reviewer)
    with database.write() as session:
        doc = _document(session, doc_id)
        row = _pending(session, doc_id)
        if row is None:
            raise NothingToReview(f"document {doc_id!r} has no submission waiting for review")
        before = _state(doc)
        row.status, row.reviewer, row.reviewed_at, row.note = "rejected", reviewer.actor, utcnow(), reason
        if doc.published_version is None:
            doc.status = "rejected"
        doc.updated_at = utcnow()
        audit.record(session, reviewer.actor, "document.reject", ENTITY, doc_id, before,
                     {**(_state(doc) or {}), "version": row.number, "reason": reason})
        return _version(row)


def withdraw(database: Database, reviewer: Account, doc_id: str) -> Version:
    """Take a published document out of service; its versions stay (the served one becomes ``withdrawn``)."""
    _require_reviewer(reviewer)
    with database.write() as session:
        doc = _document(session, doc_id)
        row = _published(session, doc)
        if doc.status != SERVED or row is None:
            raise NothingToReview(f"document {doc_id!r} is not published")
        before = _state(doc)
        row.status, row.note = "withdrawn", f"withdrawn by {reviewer.actor}"
        doc.status, doc.published_version, doc.updated_at = "withdrawn", None, utcnow()
        audit.record(session, reviewer.actor, "document.withdraw", ENTITY, doc_id, before,
                     {**(_state(doc) or {}), "version": row.number})
        return _version(row)


def _type_of(text: str, default: str) -> str:
    from learnsys.corpus.documents import DocumentError, parse_document

    try:
        return parse_document(text).type
    except DocumentError:
        return default


def _require_reviewer(user: Account) -> None:
    if not user.is_reviewer:
        raise NotPermitted(f"reviewing documents needs the role reviewer or admin; you are {user.role}")


def _may_see_drafts(user: Account | None, session: Session, doc_id: str) -> bool:
    if user is None:
        return False
    if user.is_reviewer:
        return True
    return session.execute(select(DocumentVersion.id).where(DocumentVersion.document_id == doc_id,
                                                            DocumentVersion.author_id == user.id).limit(1)
                           ).first() is not None


# ---- reads --------------------------------------------------------------------------------------------
def get(database: Database, doc_id: str, user: Account | None = None) -> Shown:
    """The published version to anyone; otherwise the latest submission, to its author and reviewers.
    Anything the caller may not see is ``DocumentMissing`` (its existence is not revealed)."""
    with database.read() as session:
        doc = session.get(StoredDocument, doc_id)
        if doc is None:
            raise DocumentMissing(f"no document {doc_id!r}")
        row = _published(session, doc) if doc.status == SERVED else None
        if row is None:
            if not _may_see_drafts(user, session, doc_id):
                raise DocumentMissing(f"no document {doc_id!r}")
            row = session.execute(select(DocumentVersion).where(DocumentVersion.document_id == doc_id)
                                  .order_by(DocumentVersion.number.desc()).limit(1)).scalar_one()
        return Shown(doc.id, doc.type, doc.status, doc.published_version, _version(row), row.content)


def versions(database: Database, doc_id: str, user: Account | None = None) -> list[Version]:
    """Every version with who and when (published documents to anyone; drafts as ``get`` allows)."""
    get(database, doc_id, user)  # raises when the caller may not see the document at all
    with database.read() as session:
        rows = session.execute(select(DocumentVersion).where(DocumentVersion.document_id == doc_id)
                               .order_by(DocumentVersion.number)).scalars()
        return [_version(r) for r in rows]


def review_queue(database: Database) -> list[Version]:
    """Submissions waiting for review, oldest first."""
    with database.read() as session:
        rows = session.execute(select(DocumentVersion).where(DocumentVersion.status == "submitted")
                               .order_by(DocumentVersion.submitted_at, DocumentVersion.id)).scalars()
        return [_version(r) for r in rows]


def published_texts(database: Database) -> dict[str, str]:
    """``{id: text}`` of every published document: what the index and the graph serve."""
    with database.read() as session:
        rows = session.execute(
            select(DocumentVersion.document_id, DocumentVersion.content)
            .join(StoredDocument, (StoredDocument.id == DocumentVersion.document_id)
                  & (StoredDocument.published_version == DocumentVersion.number))
            .where(StoredDocument.status == SERVED)).all()
    return {doc_id: content for doc_id, content in rows}


def fingerprint(texts: dict[str, str]) -> str:
    """One hash of a published set, to tell whether what is served matches what is stored."""
    digest = hashlib.sha256()
    for doc_id in sorted(texts):
        digest.update(f"{doc_id}\0{text_hash(texts[doc_id])}\n".encode())
    return digest.hexdigest()[:16]
