"""The change sequence: every write transaction takes the next number; servers poll it to follow each other.

Taking the number updates the single ``change_counter`` row, so on PostgreSQL concurrent writers queue on
that row lock and commit in sequence order (a poller reading ``seq > last`` never skips a late commit); on
SQLite ``BEGIN IMMEDIATE`` already serialises writers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from learnsys.store.tables import AuditEvent, ChangeCounter

log = logging.getLogger(__name__)


def take_sequence(session: Session) -> int:
    """The next change number, locked until this transaction ends."""
    seq = session.execute(
        update(ChangeCounter).where(ChangeCounter.id == 1).values(seq=ChangeCounter.seq + 1)
        .returning(ChangeCounter.seq)).scalar_one_or_none()
    if seq is None:  # the migration inserts the row; this only guards a hand-made schema
        session.add(ChangeCounter(id=1, seq=1))
        session.flush()
        seq = 1
    return int(seq)


def latest_sequence(session: Session) -> int:
    return int(session.execute(select(ChangeCounter.seq).where(ChangeCounter.id == 1)).scalar_one_or_none() or 0)


def changed_entities(session: Session, since: int) -> tuple[int, set[str]]:
    """(latest sequence, entity types changed after ``since``)."""
    latest = latest_sequence(session)
    if latest <= since:
        return latest, set()
    types = session.execute(select(AuditEvent.entity_type).where(AuditEvent.seq > since).distinct()).scalars()
    return latest, set(types)


class ChangePoller:
    """A daemon thread that calls ``on_change(entity_types)`` when the store's sequence moves past ``since``.

    ``poke()`` wakes it at once (after a write on this server); otherwise it checks every ``interval_s``.
    A failing callback is logged and retried at the next tick (the sequence it saw is not marked done).
    """

    def __init__(self, database: object, on_change: Callable[[set[str]], None], *, since: int,
                 interval_s: float = 2.0):
        self.database = database
        self.on_change = on_change
        self.since = since
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="learnsys-change-poller")
        self.on_stop: Callable[[], None] | None = None  # e.g. end a helper thread fed by this poller

    def start(self) -> ChangePoller:
        self._thread.start()
        return self

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(10)
        if self.on_stop is not None:
            self.on_stop()

    def check(self) -> bool:
        """One poll: apply changes after ``since``; True when something changed."""
        with self.database.read() as session:  # type: ignore[attr-defined]
            latest, types = changed_entities(session, self.since)
        if latest <= self.since:
            return False
        self.on_change(types)
        self.since = latest
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.check()
            except Exception:  # the database or a refresh failed: try again at the next tick
                log.exception("applying store changes failed; retrying")
