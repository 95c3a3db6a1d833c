"""Who to contact and how far to trust a document: ``contact``, ``evidence``, ``setting``, ``scale`` and
``published`` with its ``published_precision``.

These are read from the front matter mapping after YAML loading (``provenance_fields``) and checked by
``check_provenance``; each problem names the front-matter key so the validator can give its line.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from learnsys.corpus.dates import PRECISIONS, PUBLISHED_FORMS, published_form

# Strongest first: a document's evidence is the strongest type among its cited sources.
EVIDENCE_LEVELS = ("peer-reviewed", "external-evaluation", "national-programme", "trust-reported")
SETTINGS = ("acute", "mental-health", "community", "ambulance", "primary-care", "system")
SCALES = ("ward-team", "department", "trust", "system")
LABELS = {
    "evidence": {"peer-reviewed": "Peer-reviewed study", "external-evaluation": "External evaluation",
                 "national-programme": "National programme report", "trust-reported": "Reported by the organisation"},
    "setting": {"acute": "Acute", "mental-health": "Mental health", "community": "Community",
                "ambulance": "Ambulance", "primary-care": "Primary care", "system": "System (several organisations)"},
    "scale": {"ward-team": "Ward or team", "department": "Department or service", "trust": "Whole organisation",
              "system": "System (several organisations)"},
}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")
# Role or shared mailboxes an organisation publishes for enquiries (the local part names no person).
SHARED_MAILBOX = re.compile(r"^(?:[a-z0-9]+[.-])*(?:enquir\w*|info|contact\w*|admin|office|team|service\w*|"
                            r"communications|comms|press|media|referrals?|hello|support|improvement\w*|qi|pals)"
                            r"(?:[.-][a-z0-9]+)*@", re.I)


def published_text(value: Any) -> str:
    """The ``published`` value as written: a YAML date becomes YYYY-MM-DD, a bare year YYYY."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def provenance_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The provenance fields of a front-matter mapping, as ``Document`` keyword arguments."""
    contact = meta.get("contact")
    if isinstance(contact, dict):
        contact = {str(k): " ".join(str(v).split()) for k, v in contact.items() if v is not None}
    return {
        "contact": contact if isinstance(contact, dict) else ({} if contact is None else {"invalid": str(contact)}),
        "evidence": str(meta.get("evidence") or "").strip(),
        "setting": str(meta.get("setting") or "").strip(),
        "scale": str(meta.get("scale") or "").strip(),
        "published": published_text(meta.get("published")),
        "published_precision": str(meta.get("published_precision") or "").strip(),
    }


def personal_details(text: str) -> list[str]:
    """Email addresses and phone numbers in ``text`` that are not an organisation's shared mailbox."""
    found = [email for email in EMAIL.findall(text) if not SHARED_MAILBOX.match(email)]
    return found + [phone.strip() for phone in PHONE.findall(text)]


def check_provenance(doc: Any, *, required: bool = True) -> list[tuple[str, str]]:
    """(front-matter key, message) for each problem with the provenance fields of ``doc``.

    ``required``: case studies must carry contact, evidence, setting and scale; guides evidence, setting and
    scale (contact optional). Values that are present are always checked."""
    problems: list[tuple[str, str]] = []
    is_case = doc.type == "case-study"
    for key, allowed in (("evidence", EVIDENCE_LEVELS), ("setting", SETTINGS), ("scale", SCALES)):
        value = getattr(doc, key)
        if not value:
            if required:
                problems.append((key, f"{key} is required: one of {', '.join(allowed)}"))
        elif value not in allowed:
            problems.append((key, f"{key} must be one of {', '.join(allowed)}, got {value!r}"))
    contact = doc.contact
    if not contact:
        if required and is_case:
            problems.append(("contact", "contact is required: the team that led the work (team) and the "
                                        "organisation's page to ask (url)"))
    elif "invalid" in contact or set(contact) - {"team", "url"}:
        problems.append(("contact", "contact must be a mapping with 'team' and 'url' only"))
    else:
        if not contact.get("team"):
            problems.append(("contact", "contact.team is required: the team or role that led the work"))
        if not str(contact.get("url", "")).startswith(("https://", "http://")):
            problems.append(("contact", "contact.url must be the organisation's http(s) page to ask"))
        for detail in personal_details(contact.get("team", "")):
            problems.append(("contact", f"contact names personal details {detail!r}; give the team or role and "
                                        "the organisation's page instead"))
        if str(contact.get("url", "")).lower().startswith(("mailto:", "tel:")):
            problems.append(("contact", "contact.url must be a web page, not an email address or phone number"))
    published, precision = doc.published, doc.published_precision
    if published:
        form = published_form(published)
        if form is None:
            problems.append(("published", "published must be YYYY-MM-DD, YYYY-MM or YYYY (a real date), "
                                          f"got {published!r}"))
        elif not precision:
            if required:
                problems.append(("published_precision", f"published_precision is required with published: "
                                                        f"{form} for {published!r}"))
        elif precision not in PRECISIONS:
            problems.append(("published_precision", f"published_precision must be one of {', '.join(PRECISIONS)}, "
                                                    f"got {precision!r}"))
        elif precision != form:
            problems.append(("published_precision", f"published_precision {precision!r} does not match published "
                                                    f"{published!r} (a {precision} is written "
                                                    f"{PUBLISHED_FORMS[precision]})"))
    elif precision:
        problems.append(("published_precision", "published_precision is given but published is not"))
    return problems
