"""The collaborative service: every read and write of the workspace, over the store of record.

One implementation used by the API, the CLI, the MCP tools and the demo loader. Knows accounts (who may do
what) but nothing of HTTP. Each write is one transaction with its audit row (``store.audit.record``), and
bumps the row's version, which callers see as an ETag.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from learnsys.collaboratives import errors
from learnsys.collaboratives.dashboard import CollaborativeData, TeamData, dashboard, improving
from learnsys.collaboratives.learning import ChangeIdeaCounts, change_idea_counts, provider_evidence
from learnsys.collaboratives.model import (
    SYNTHETIC_NOTE,
    ChangePointSpec,
    CollaborativeSpec,
    CycleSpec,
    FeedbackSpec,
    LearningSessionSpec,
    MeasureSpec,
    ReportSpec,
    TeamSpec,
    ValueSpec,
    WaveSpec,
    parse_month,
)
from learnsys.collaboratives.tables import (
    CaseStudyRow,
    ChangePointRow,
    CollaborativeRow,
    CycleRow,
    FeedbackRow,
    LearningSessionRow,
    MeasureRow,
    ReportRow,
    TeamRow,
    ValueRow,
    WaveRow,
)
from learnsys.collaboratives.team_chart import CycleMark, MeasureInfo, TeamChart
from learnsys.collaboratives.values_csv import ValuesCsvError, parse_values_csv
from learnsys.kg.records import ReferenceData
from learnsys.store import audit
from learnsys.store.accounts import Account

NATIONAL = "national"


def etag(kind: str, ident: str | int, version: int) -> str:
    return f'"{kind}-{ident}-v{version}"'


def check_if_match(if_match: str | None, current: str | None, *, require: bool = True) -> None:
    """Optimistic concurrency: an existing record changes only with a matching If-Match (or ``*``)."""
    if current is None:
        if if_match and if_match.strip() != "*":
            raise errors.PreconditionFailed("absent")
        return
    if not if_match:
        if require:
            raise errors.PreconditionRequired(current)
        return
    given = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    if "*" not in given and current not in given:
        raise errors.PreconditionFailed(current)


def _this_month(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year}-{today.month:02d}"


def _row_dict(row: Any, *skip: str) -> dict[str, Any]:
    out = {c.name: getattr(row, c.key) for c in row.__table__.columns if c.name not in skip}
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in out.items()}


class CollaborativeService:
    """Reads and writes of collaboratives, teams, measures, values, cycles, reports and feedback."""

    def __init__(self, database: Any, reference: ReferenceData,
                 on_change: Callable[[str], None] | None = None):
        self.database = database
        self.reference = reference
        self.on_change = on_change  # called with a collaborative id after each committed write
        self._evidence_cache: tuple[int, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ permissions
    def _provider_name(self, ods: str) -> str:
        p = self.reference.providers.get(ods)
        return p.name if p else ods

    def can_read(self, account: Account | None, collab: CollaborativeRow, session: Session) -> bool:
        if collab.demo:
            return True
        if account is None:
            return False
        if account.is_admin or account.is_reviewer or account.covers_collaborative(collab.id, collab.region):
            return True
        if account.role == "team" and account.provider:
            found = session.scalar(select(TeamRow.id).where(TeamRow.collaborative_id == collab.id,
                                                            TeamRow.provider == account.provider))
            return found is not None
        return False

    def _require_read(self, account: Account | None, collab: CollaborativeRow, session: Session) -> None:
        if not self.can_read(account, collab, session):
            if account is None:
                raise errors.Unauthorized()
            raise errors.Forbidden(f"Your account ({account.role}) is not part of collaborative {collab.id}.")

    @staticmethod
    def _require_runner(account: Account, collab: CollaborativeRow) -> None:
        """Create, enrol, waves and sessions: admin, or the regional team of the collaborative's region."""
        if not (account.is_admin or (collab.region != NATIONAL and account.covers_region(collab.region))):
            raise errors.Forbidden(f"Only an admin or the regional team of {collab.region} may change "
                                   f"collaborative {collab.id}; you are {account.role}.")

    @staticmethod
    def _require_team_writer(account: Account, team: TeamRow) -> None:
        """Values, cycles, reports, change points, case studies: the team's own users (or an admin)."""
        if not (account.is_admin or (account.role == "team" and account.provider == team.provider)):
            raise errors.Forbidden(f"Only team users of provider {team.provider} may write team {team.id}'s data; "
                                   f"you are {account.role}{' for ' + account.provider if account.provider else ''}.")

    @staticmethod
    def _require_faculty(account: Account, collab: CollaborativeRow) -> None:
        if not (account.is_admin or account.covers_collaborative(collab.id, collab.region)):
            raise errors.Forbidden(f"Only the faculty of collaborative {collab.id} may give feedback and scores.")

    # ------------------------------------------------------------------ lookups
    @staticmethod
    def _collab(session: Session, cid: str) -> CollaborativeRow:
        row = session.get(CollaborativeRow, cid)
        if row is None:
            raise errors.NotFound("collaborative", cid, "collaborative_id")
        return row

    @staticmethod
    def _team(session: Session, team_id: str) -> TeamRow:
        row = session.get(TeamRow, team_id)
        if row is None:
            raise errors.NotFound("team", team_id, "team_id")
        return row

    def _readable_team(self, s: Session, account: Account | None, team_id: str) -> tuple[TeamRow, CollaborativeRow]:
        """The team and its collaborative, if ``account`` may read them (404, 401 or 403 otherwise)."""
        team = self._team(s, team_id)
        collab = self._collab(s, team.collaborative_id)
        self._require_read(account, collab, s)
        return team, collab

    @staticmethod
    def _measures(session: Session, cid: str, team_id: str | None = None) -> list[MeasureRow]:
        rows = session.scalars(select(MeasureRow).where(MeasureRow.collaborative_id == cid)
                               .order_by(MeasureRow.position, MeasureRow.id)).all()
        return [m for m in rows if m.team_id is None or m.team_id == team_id]

    def _measure(self, session: Session, team: TeamRow, measure_id: str) -> MeasureRow:
        for m in self._measures(session, team.collaborative_id, team.id):
            if m.measure_id == measure_id:
                return m
        raise errors.NotFound("measure", measure_id, "measure_id")

    def _changed(self, cid: str) -> None:
        if self.on_change is not None:
            self.on_change(cid)

    # ------------------------------------------------------------------ collaboratives
    def list(self, account: Account | None) -> list[dict[str, Any]]:
        with self.database.read() as s:
            rows = s.scalars(select(CollaborativeRow).order_by(CollaborativeRow.created_at)).all()
            counts = dict(s.execute(select(TeamRow.collaborative_id, func.count()).group_by(
                TeamRow.collaborative_id)).all())
            return [self._summary(r, counts.get(r.id, 0)) for r in rows if self.can_read(account, r, s)]

    @staticmethod
    def _summary(row: CollaborativeRow, teams: int) -> dict[str, Any]:
        out = {"id": row.id, "title": row.title, "priority_area": row.priority_area, "region": row.region,
               "start": row.start.isoformat(), "end": row.end.isoformat() if row.end else None, "demo": row.demo,
               "teams": teams}
        if row.demo:
            out["synthetic"] = SYNTHETIC_NOTE
        return out

    def create(self, account: Account, spec: CollaborativeSpec) -> tuple[dict[str, Any], str]:
        if not (account.is_admin or (spec.region != NATIONAL and account.covers_region(spec.region))):
            raise errors.Forbidden(f"Only an admin or the regional team of {spec.region} may create this "
                                   f"collaborative; you are {account.role}.")
        if spec.region != NATIONAL and spec.region not in self.reference.regions:
            raise errors.Invalid(f"unknown region {spec.region!r}", "region")
        with self.database.write() as s:
            if s.get(CollaborativeRow, spec.id) is not None:
                raise errors.Conflict(f"collaborative {spec.id!r} exists", "id")
            self._add_collaborative(s, spec, account.actor)
            s.flush()
            audit.record(s, account.actor, "create", "collaborative", spec.id, None, spec.model_dump(mode="json"))
        self._changed(spec.id)
        return self.get(account, spec.id)

    def _add_collaborative(self, s: Session, spec: CollaborativeSpec, actor: str) -> CollaborativeRow:
        row = CollaborativeRow(id=spec.id, title=spec.title, priority_area=spec.priority_area, region=spec.region,
                               aim=spec.aim, start=spec.start, end=spec.end, change_package=list(spec.change_package),
                               faculty=list(spec.faculty), demo=spec.demo, created_by=actor, version=1)
        s.add(row)
        for k, m in enumerate(spec.measures):
            s.add(self._measure_row(spec.id, m, k))
        return row

    @staticmethod
    def _team_row(cid: str, spec: TeamSpec, values_version: int) -> TeamRow:
        return TeamRow(id=spec.id, collaborative_id=cid, provider=spec.provider, name=spec.name,
                       sponsor=spec.sponsor.model_dump() if spec.sponsor else None,
                       members=[m.model_dump() for m in spec.members], aim=spec.aim, aim_target=spec.aim_target,
                       aim_date=spec.aim_date, targets=dict(spec.targets), wave=spec.wave, version=1,
                       values_version=values_version)

    @staticmethod
    def _measure_row(cid: str, m: MeasureSpec, position: int, team_id: str | None = None) -> MeasureRow:
        return MeasureRow(collaborative_id=cid, measure_id=m.id, team_id=team_id, position=position, name=m.name,
                          type=m.type, unit=m.unit, direction=m.direction, definition=m.definition,
                          numerator=m.numerator, denominator=m.denominator, target=m.target,
                          source_document=m.source_document)

    def get(self, account: Account | None, cid: str) -> tuple[dict[str, Any], str]:
        with self.database.read() as s:
            row = self._collab(s, cid)
            self._require_read(account, row, s)
            teams = s.scalars(select(TeamRow).where(TeamRow.collaborative_id == cid).order_by(TeamRow.id)).all()
            out = self._summary(row, len(teams))
            out.update(
                aim=row.aim, change_package=row.change_package, faculty=row.faculty, version=row.version,
                measures=[self._measure_dict(m) for m in self._measures(s, cid)],
                waves=[{"number": w.number, "members": w.members, "faculty": w.faculty,
                        "start": w.start.isoformat() if w.start else None}
                       for w in s.scalars(select(WaveRow).where(WaveRow.collaborative_id == cid)
                                          .order_by(WaveRow.number))],
                learning_sessions=[{"id": ls.id, "title": ls.title, "date": ls.date.isoformat(),
                                    "presenters": ls.presenters}
                                   for ls in s.scalars(select(LearningSessionRow).where(
                                       LearningSessionRow.collaborative_id == cid).order_by(LearningSessionRow.date))],
                teams=[self._team_dict(t) for t in teams],
            )
            if row.plan_id:
                out["plan_id"] = row.plan_id
            return out, etag("collaborative", cid, row.version)

    @staticmethod
    def _measure_dict(m: MeasureRow) -> dict[str, Any]:
        return {"id": m.measure_id, "name": m.name, "type": m.type, "unit": m.unit, "direction": m.direction,
                "definition": m.definition, "numerator": m.numerator, "denominator": m.denominator,
                "target": m.target, "source_document": m.source_document, "team_id": m.team_id}

    def _team_dict(self, t: TeamRow) -> dict[str, Any]:
        return {"team_id": t.id, "collaborative_id": t.collaborative_id, "provider": t.provider,
                "provider_name": self._provider_name(t.provider), "name": t.name, "sponsor": t.sponsor,
                "members": t.members, "aim": t.aim, "aim_target": t.aim_target,
                "aim_date": t.aim_date.isoformat() if t.aim_date else None, "targets": t.targets, "wave": t.wave,
                "version": t.version}

    def enrol(self, account: Account, cid: str, spec: TeamSpec) -> tuple[dict[str, Any], str]:
        provider = self.reference.providers.get(spec.provider)
        if provider is None:
            raise errors.Invalid(f"unknown provider ODS code {spec.provider!r}", "provider")
        with self.database.write() as s:
            collab = self._collab(s, cid)
            self._require_runner(account, collab)
            if collab.region != NATIONAL and provider.region_code != collab.region:
                raise errors.Invalid(f"provider {spec.provider} is in region {provider.region_code}, not the "
                                     f"collaborative's region {collab.region}", "provider")
            if s.get(TeamRow, spec.id) is not None:
                raise errors.Conflict(f"team {spec.id!r} exists", "id")
            measure_ids = {m.measure_id for m in self._measures(s, cid)}
            unknown = sorted(set(spec.targets) - measure_ids)
            if unknown:
                raise errors.Invalid(f"targets name unknown measures: {', '.join(unknown)}", "targets")
            row = self._team_row(cid, spec, values_version=0)
            s.add(row)
            collab.version += 1
            s.flush()
            audit.record(s, account.actor, "enrol", "team", spec.id, None,
                         {"collaborative": cid, **spec.model_dump(mode="json")})
            out = self._team_dict(row)
        self._changed(cid)
        return out, etag("team", spec.id, 1)

    def add_waves(self, account: Account, cid: str, waves: list[WaveSpec], plan: dict[str, Any] | None = None,
                  plan_id: str | None = None) -> list[dict[str, Any]]:
        """Waves entered directly, or taken from a saved wave plan's result (``plan``)."""
        if plan is not None:
            waves = [WaveSpec(number=w["number"], members=[m["ods"] for m in w["members"]],
                              faculty=[f["ods"] for f in w["faculty"]]) for w in plan["waves"]]
        for w in waves:
            unknown = [c for c in (*w.members, *w.faculty) if c not in self.reference.providers]
            if unknown:
                raise errors.Invalid(f"wave {w.number} names unknown providers: {', '.join(unknown)}", "waves")
        with self.database.write() as s:
            collab = self._collab(s, cid)
            self._require_runner(account, collab)
            before = [_row_dict(w) for w in s.scalars(select(WaveRow).where(WaveRow.collaborative_id == cid))]
            s.execute(delete(WaveRow).where(WaveRow.collaborative_id == cid))
            for w in waves:
                s.add(WaveRow(collaborative_id=cid, number=w.number, members=list(w.members),
                              faculty=list(w.faculty), start=w.start))
            if plan_id:
                collab.plan_id = plan_id
            collab.version += 1
            audit.record(s, account.actor, "set-waves", "collaborative", cid, {"waves": before},
                         {"waves": [w.model_dump(mode="json") for w in waves], "plan_id": plan_id})
        self._changed(cid)
        return [w.model_dump(mode="json") for w in waves]

    def waves_from_plan(self, account: Account, cid: str, plan_id: str) -> list[dict[str, Any]]:
        """The waves of a wave plan a regional user saved in the store."""
        from learnsys.store.tables import SavedPlan

        with self.database.read() as s:
            plan = s.get(SavedPlan, plan_id)
            if plan is None or plan.kind != "wave-plan":
                raise errors.NotFound("saved wave plan", plan_id, "plan_id")
            result = dict(plan.result)
        return self.add_waves(account, cid, [], plan=result, plan_id=plan_id)

    def add_session(self, account: Account, cid: str, spec: LearningSessionSpec) -> dict[str, Any]:
        with self.database.write() as s:
            collab = self._collab(s, cid)
            self._require_runner(account, collab)
            row = LearningSessionRow(collaborative_id=cid, title=spec.title, date=spec.date,
                                     presenters=list(spec.presenters))
            s.add(row)
            collab.version += 1
            s.flush()
            audit.record(s, account.actor, "add-session", "learning-session", str(row.id), None,
                         {"collaborative": cid, **spec.model_dump(mode="json")})
            return {"id": row.id, **spec.model_dump(mode="json")}

    # ------------------------------------------------------------------ teams
    def team(self, account: Account | None, team_id: str) -> tuple[dict[str, Any], str]:
        with self.database.read() as s:
            team, collab = self._readable_team(s, account, team_id)
            out = self._team_dict(team)
            out["collaborative"] = self._summary(collab, 0) | {"teams": None}
            out["measures"] = [self._measure_dict(m) for m in self._measures(s, collab.id, team.id)]
            out["cycles"] = [self._cycle_dict(c) for c in self._cycles(s, team_id)]
            out["reports"] = [self._report_dict(s, r) for r in s.scalars(
                select(ReportRow).where(ReportRow.team_id == team_id).order_by(ReportRow.month))]
            out["values_version"] = team.values_version
            if collab.demo:
                out["synthetic"] = SYNTHETIC_NOTE
            return out, etag("team", team_id, team.version)

    def add_team_measure(self, account: Account, team_id: str, spec: MeasureSpec) -> dict[str, Any]:
        """A measure one team adds for itself (visible on its own charts only)."""
        with self.database.write() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            taken = {m.measure_id for m in s.scalars(select(MeasureRow).where(
                MeasureRow.collaborative_id == team.collaborative_id))}
            if spec.id in taken:
                raise errors.Conflict(f"measure {spec.id!r} exists in this collaborative", "id")
            row = self._measure_row(team.collaborative_id, spec, 1000, team_id)
            s.add(row)
            audit.record(s, account.actor, "add-measure", "measure", f"{team_id}/{spec.id}", None,
                         spec.model_dump(mode="json"))
            return self._measure_dict(row)

    def values(self, account: Account | None, team_id: str) -> tuple[dict[str, Any], str]:
        with self.database.read() as s:
            team, collab = self._readable_team(s, account, team_id)
            rows = s.scalars(select(ValueRow).where(ValueRow.team_id == team_id)
                             .order_by(ValueRow.month, ValueRow.measure_id)).all()
            out = {"team_id": team_id, "values_version": team.values_version,
                   "values": [self._value_dict(v) for v in rows]}
            if collab.demo:
                out["synthetic"] = SYNTHETIC_NOTE
            return out, etag("values", team_id, team.values_version)

    def get_value(self, account: Account | None, team_id: str, measure_id: str,
                  month: str) -> tuple[dict[str, Any], str]:
        with self.database.read() as s:
            self._readable_team(s, account, team_id)
            row = s.scalar(select(ValueRow).where(ValueRow.team_id == team_id, ValueRow.measure_id == measure_id,
                                                  ValueRow.month == month))
            if row is None:
                raise errors.NotFound("value", f"{measure_id} {month}", "month")
            return self._value_dict(row), etag("value", f"{team_id}/{measure_id}/{month}", row.version)

    def get_report(self, account: Account | None, team_id: str, month: str) -> tuple[dict[str, Any], str]:
        with self.database.read() as s:
            self._readable_team(s, account, team_id)
            row = s.scalar(select(ReportRow).where(ReportRow.team_id == team_id, ReportRow.month == month))
            if row is None:
                raise errors.NotFound("report", f"{team_id} {month}", "month")
            return self._report_dict(s, row), etag("report", f"{team_id}-{month}", row.version)

    @staticmethod
    def _value_dict(v: ValueRow) -> dict[str, Any]:
        return {"measure_id": v.measure_id, "month": v.month, "value": v.value, "numerator": v.numerator,
                "denominator": v.denominator, "note": v.note, "entered_by": v.entered_by,
                "entered_at": v.entered_at.isoformat(), "version": v.version}

    def _check_value(self, measure: MeasureRow, month: str, value: float, today: date | None) -> None:
        if month > _this_month(today):
            raise errors.Invalid(f"{month} is in the future", "month")
        if measure.unit == "%" and not 0 <= value <= 100:
            raise errors.Invalid(f"{value:g} is outside 0-100 for a percentage", "value")

    def put_value(self, account: Account, team_id: str, measure_id: str, month: str, spec: ValueSpec,
                  if_match: str | None, today: date | None = None) -> tuple[dict[str, Any], str, bool]:
        """Set one month's value. Returns (value, ETag, created)."""
        try:
            month = parse_month(month)
        except ValueError as exc:
            raise errors.Invalid(str(exc), "month") from exc
        with self.database.write() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            measure = self._measure(s, team, measure_id)
            self._check_value(measure, month, spec.value, today)
            row = s.scalar(select(ValueRow).where(ValueRow.team_id == team_id, ValueRow.measure_id == measure_id,
                                                  ValueRow.month == month))
            ident = f"{team_id}/{measure_id}/{month}"
            current = etag("value", ident, row.version) if row is not None else None
            check_if_match(if_match, current)
            before = self._value_dict(row) if row is not None else None
            if row is None:
                row = ValueRow(team_id=team_id, measure_id=measure_id, month=month, version=1,
                               value=spec.value, numerator=spec.numerator, denominator=spec.denominator,
                               note=spec.note, entered_by=account.actor)
                s.add(row)
            else:
                row.value, row.numerator, row.denominator, row.note = (spec.value, spec.numerator,
                                                                       spec.denominator, spec.note)
                row.entered_by, row.version = account.actor, row.version + 1
                row.entered_at = audit_now()
            team.values_version += 1
            s.flush()
            after = self._value_dict(row)
            audit.record(s, account.actor, "update" if before else "create", "value", ident, before, after)
            cid = team.collaborative_id
        self._changed(cid)
        return after, etag("value", ident, after["version"]), before is None

    def import_csv(self, account: Account, team_id: str, text: str, filename: str = "values.csv",
                   if_match: str | None = None, today: date | None = None) -> dict[str, Any]:
        """Validate the whole file, then write every value in one transaction (or nothing)."""
        with self.database.read() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            units = {m.measure_id: m.unit for m in self._measures(s, team.collaborative_id, team_id)}
        try:
            parsed = parse_values_csv(text, units, filename, today=today)
        except ValuesCsvError as exc:
            raise errors.Invalid(str(exc), "file", errors=[
                {"line": line, "field": column, "message": message} for line, column, message in exc.problems
            ]) from exc
        created = updated = unchanged = 0
        with self.database.write() as s:
            team = self._team(s, team_id)
            check_if_match(if_match, etag("values", team_id, team.values_version), require=False)
            existing = {(v.measure_id, v.month): v for v in s.scalars(
                select(ValueRow).where(ValueRow.team_id == team_id))}
            changes = []
            for p in parsed:
                row = existing.get((p.measure, p.month))
                if row is None:
                    s.add(ValueRow(team_id=team_id, measure_id=p.measure, month=p.month, value=p.value,
                                   note="", entered_by=account.actor, version=1))
                    created += 1
                    changes.append({"measure_id": p.measure, "month": p.month, "before": None, "after": p.value})
                elif row.value != p.value:
                    changes.append({"measure_id": p.measure, "month": p.month, "before": row.value,
                                    "after": p.value})
                    row.value, row.entered_by, row.version = p.value, account.actor, row.version + 1
                    row.entered_at = audit_now()
                    updated += 1
                else:
                    unchanged += 1
            if changes:
                team.values_version += 1
            audit.record(s, account.actor, "import-csv", "team-values", team_id, None,
                         {"file": filename, "created": created, "updated": updated, "changes": changes})
            version = team.values_version
            cid = team.collaborative_id
        self._changed(cid)
        return {"team_id": team_id, "file": filename, "values": len(parsed), "created": created,
                "updated": updated, "unchanged": unchanged, "months": len({p.month for p in parsed}),
                "etag": etag("values", team_id, version)}

    # ------------------------------------------------------------------ cycles
    @staticmethod
    def _cycles(s: Session, team_id: str) -> list[CycleRow]:
        return list(s.scalars(select(CycleRow).where(CycleRow.team_id == team_id).order_by(CycleRow.number)))

    @staticmethod
    def _cycle_dict(c: CycleRow) -> dict[str, Any]:
        return {"number": c.number, "change_idea": c.change_idea, "document_id": c.document_id, "plan": c.plan,
                "prediction": c.prediction, "start": c.start.isoformat(),
                "end": c.end.isoformat() if c.end else None, "did": c.did, "learned": c.learned,
                "decision": c.decision, "measures": c.measures, "created_by": c.created_by, "version": c.version}

    def _check_cycle(self, s: Session, team: TeamRow, spec: CycleSpec, documents: Iterable[str] | None) -> None:
        known = {m.measure_id for m in self._measures(s, team.collaborative_id, team.id)}
        unknown = sorted(set(spec.measures) - known)
        if unknown:
            raise errors.Invalid(f"unknown measures: {', '.join(unknown)}", "measures")
        if spec.document_id and documents is not None and spec.document_id not in documents:
            raise errors.Invalid(f"no corpus document {spec.document_id!r}", "document_id")

    def add_cycle(self, account: Account, team_id: str, spec: CycleSpec,
                  documents: Iterable[str] | None = None) -> tuple[dict[str, Any], str]:
        with self.database.write() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            self._check_cycle(s, team, spec, documents)
            number = (s.scalar(select(func.max(CycleRow.number)).where(CycleRow.team_id == team_id)) or 0) + 1
            row = CycleRow(team_id=team_id, number=number, created_by=account.actor, version=1,
                           **spec.model_dump(exclude={"measures"}), measures=list(spec.measures))
            s.add(row)
            s.flush()
            out = self._cycle_dict(row)
            audit.record(s, account.actor, "create", "pdsa-cycle", f"{team_id}/{number}", None, out)
            cid = team.collaborative_id
        self._changed(cid)
        return out, etag("cycle", f"{team_id}-{number}", 1)

    def update_cycle(self, account: Account, team_id: str, number: int, spec: CycleSpec, if_match: str | None,
                     documents: Iterable[str] | None = None) -> tuple[dict[str, Any], str]:
        with self.database.write() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            row = s.scalar(select(CycleRow).where(CycleRow.team_id == team_id, CycleRow.number == number))
            if row is None:
                raise errors.NotFound("PDSA cycle", str(number), "number")
            check_if_match(if_match, etag("cycle", f"{team_id}-{number}", row.version))
            self._check_cycle(s, team, spec, documents)
            before = self._cycle_dict(row)
            for key, value in spec.model_dump(exclude={"measures"}).items():
                setattr(row, key, value)
            row.measures = list(spec.measures)
            row.version += 1
            s.flush()
            out = self._cycle_dict(row)
            audit.record(s, account.actor, "update", "pdsa-cycle", f"{team_id}/{number}", before, out)
            cid = team.collaborative_id
        self._changed(cid)
        return out, etag("cycle", f"{team_id}-{number}", out["version"])

    # ------------------------------------------------------------------ reports and feedback
    @staticmethod
    def _report_dict(s: Session, r: ReportRow) -> dict[str, Any]:
        feedback = s.scalars(select(FeedbackRow).where(FeedbackRow.report_id == r.id).order_by(FeedbackRow.id))
        return {"month": r.month, "progress_score": r.progress_score, "faculty_score": r.faculty_score,
                "narrative": r.narrative, "submitted_by": r.submitted_by, "submitted_at": r.submitted_at.isoformat(),
                "version": r.version,
                "feedback": [{"text": f.text, "progress_score": f.progress_score, "author": f.author,
                              "at": f.created_at.isoformat()} for f in feedback]}

    def put_report(self, account: Account, team_id: str, spec: ReportSpec, if_match: str | None,
                   today: date | None = None) -> tuple[dict[str, Any], str, bool]:
        if spec.month > _this_month(today):
            raise errors.Invalid(f"{spec.month} is in the future", "month")
        with self.database.write() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            row = s.scalar(select(ReportRow).where(ReportRow.team_id == team_id, ReportRow.month == spec.month))
            ident = f"{team_id}-{spec.month}"
            check_if_match(if_match, etag("report", ident, row.version) if row is not None else None)
            before = self._report_dict(s, row) if row is not None else None
            if row is None:
                row = ReportRow(team_id=team_id, month=spec.month, progress_score=spec.progress_score,
                                narrative=spec.narrative, submitted_by=account.actor, version=1)
                s.add(row)
            else:
                row.progress_score, row.narrative, row.submitted_by = (spec.progress_score, spec.narrative,
                                                                       account.actor)
                row.version += 1
            s.flush()
            out = self._report_dict(s, row)
            audit.record(s, account.actor, "update" if before else "create", "report", ident, before, out)
            cid = team.collaborative_id
        self._changed(cid)
        return out, etag("report", ident, out["version"]), before is None

    def add_feedback(self, account: Account, team_id: str, month: str, spec: FeedbackSpec) -> dict[str, Any]:
        with self.database.write() as s:
            team = self._team(s, team_id)
            collab = self._collab(s, team.collaborative_id)
            self._require_faculty(account, collab)
            row = s.scalar(select(ReportRow).where(ReportRow.team_id == team_id, ReportRow.month == month))
            if row is None:
                raise errors.NotFound("report", f"{team_id} {month}", "month")
            before = self._report_dict(s, row)
            s.add(FeedbackRow(report_id=row.id, text=spec.text, progress_score=spec.progress_score,
                              author=account.actor))
            if spec.progress_score is not None:
                row.faculty_score = spec.progress_score
                row.version += 1
            s.flush()
            out = self._report_dict(s, row)
            audit.record(s, account.actor, "feedback", "report", f"{team_id}-{month}", before, out)
        self._changed(collab.id)
        return out

    def add_change_point(self, account: Account, team_id: str, measure_id: str,
                         spec: ChangePointSpec) -> dict[str, Any]:
        with self.database.write() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            self._measure(s, team, measure_id)
            exists = s.scalar(select(ChangePointRow).where(ChangePointRow.team_id == team_id,
                                                           ChangePointRow.measure_id == measure_id,
                                                           ChangePointRow.month == spec.month))
            if exists is not None:
                raise errors.Conflict(f"a change point at {spec.month} exists", "month")
            s.add(ChangePointRow(team_id=team_id, measure_id=measure_id, month=spec.month, reason=spec.reason,
                                 created_by=account.actor))
            audit.record(s, account.actor, "create", "change-point", f"{team_id}/{measure_id}/{spec.month}", None,
                         spec.model_dump())
            cid = team.collaborative_id
        self._changed(cid)
        return {"measure_id": measure_id, **spec.model_dump()}

    # ------------------------------------------------------------------ charts, dashboard, learning
    def _team_data(self, s: Session, teams: list[TeamRow]) -> list[TeamData]:
        ids = [t.id for t in teams]
        if not ids:
            return []
        values: dict[str, dict[str, dict[str, float]]] = {}
        for team_id, measure_id, month, value in s.execute(
                select(ValueRow.team_id, ValueRow.measure_id, ValueRow.month, ValueRow.value)
                .where(ValueRow.team_id.in_(ids))):
            values.setdefault(team_id, {}).setdefault(measure_id, {})[month] = value
        cycles: dict[str, list[CycleMark]] = {}
        for c in s.scalars(select(CycleRow).where(CycleRow.team_id.in_(ids)).order_by(CycleRow.number)):
            cycles.setdefault(c.team_id, []).append(CycleMark(c.number, c.change_idea, c.start.isoformat(),
                                                              c.decision, tuple(c.measures), c.document_id))
        points: dict[str, dict[str, list[dict[str, str]]]] = {}
        for p in s.scalars(select(ChangePointRow).where(ChangePointRow.team_id.in_(ids))):
            points.setdefault(p.team_id, {}).setdefault(p.measure_id, []).append(
                {"month": p.month, "reason": p.reason})
        scores: dict[str, dict[str, float]] = {}
        reported: dict[str, set[str]] = {}
        for r in s.scalars(select(ReportRow).where(ReportRow.team_id.in_(ids))):
            scores.setdefault(r.team_id, {})[r.month] = r.faculty_score if r.faculty_score is not None \
                else r.progress_score
            reported.setdefault(r.team_id, set()).add(r.month)
        return [TeamData(t.id, t.provider, t.name, self._provider_name(t.provider), t.wave, dict(t.targets or {}),
                         values.get(t.id, {}), cycles.get(t.id, []), points.get(t.id, {}), scores.get(t.id, {}),
                         reported.get(t.id, set())) for t in teams]

    @staticmethod
    def _measure_info(m: MeasureRow) -> MeasureInfo:
        return MeasureInfo(m.measure_id, m.name, m.unit, m.direction, m.target)

    def snapshot(self, s: Session, collab: CollaborativeRow, team_ids: set[str] | None = None) -> CollaborativeData:
        teams = list(s.scalars(select(TeamRow).where(TeamRow.collaborative_id == collab.id).order_by(TeamRow.id)))
        if team_ids is not None:
            teams = [t for t in teams if t.id in team_ids]
        measures = [self._measure_info(m) for m in self._measures(s, collab.id) if m.team_id is None]
        return CollaborativeData(collab.id, collab.title, collab.priority_area, collab.demo, measures,
                                 self._team_data(s, teams))

    def chart(self, account: Account | None, team_id: str, measure_id: str) -> tuple[TeamChart, bool]:
        """The team's chart on a measure and whether the collaborative is a demo."""
        with self.database.read() as s:
            team, collab = self._readable_team(s, account, team_id)
            measure = self._measure(s, team, measure_id)
            data = self._team_data(s, [team])[0]
            return data.chart(self._measure_info(measure)), collab.demo

    def dashboard(self, account: Account | None, cid: str, month: str | None = None) -> dict[str, Any]:
        if month is not None:
            try:
                month = parse_month(month)
            except ValueError as exc:
                raise errors.Invalid(str(exc), "month") from exc
        with self.database.read() as s:
            collab = self._collab(s, cid)
            self._require_read(account, collab, s)
            return dashboard(self.snapshot(s, collab), month)

    def team_summary(self, account: Account | None, team_id: str) -> dict[str, Any]:
        """How a team is doing: per measure its latest value, variation, assurance and signals; its latest
        progress score and cycles (what the assistant tools answer "how is team X doing" from)."""
        with self.database.read() as s:
            team, collab = self._readable_team(s, account, team_id)
            data = self._team_data(s, [team])[0]
            measures = [self._measure_info(m) for m in self._measures(s, collab.id, team.id)]
            cycles = [self._cycle_dict(c) for c in self._cycles(s, team_id)]
        rows = []
        for m in measures:
            chart = data.chart(m)
            latest = chart.series[-1] if chart.series else (None, None)
            rows.append({"measure_id": m.id, "name": m.name, "unit": m.unit, "direction": m.direction,
                         "latest": latest[1], "latest_month": latest[0], "months": chart.months,
                         "variation": chart.variation, "assurance": chart.assurance, "target": chart.target,
                         "improvement_signals": [{"rule": sig.rule, "start": sig.start, "end": sig.end}
                                                 for sig in chart.improvement_signals()],
                         "reason": chart.reason})
        months = sorted(data.scores)
        improving_now = [r["name"] for r in rows if r["variation"] and r["variation"].startswith(
            "special_cause_improvement")]
        concern_now = [r["name"] for r in rows if r["variation"] and r["variation"].startswith("special_cause_concern")]
        sentence = (f"{team.name} ({team.provider}, {collab.title}): "
                    + (f"progress score {data.scores[months[-1]]:g} in {months[-1]}; " if months else "no report yet; ")
                    + f"{len(cycles)} PDSA cycle{'s' if len(cycles) != 1 else ''}; "
                    + (f"special-cause improvement on {', '.join(improving_now)}" if improving_now
                       else "no measure in special-cause improvement")
                    + (f"; concern on {', '.join(concern_now)}" if concern_now else "") + ".")
        out = {"team_id": team_id, "name": team.name, "provider": team.provider,
               "provider_name": self._provider_name(team.provider), "collaborative_id": collab.id,
               "collaborative": collab.title, "demo": collab.demo,
               "progress_score": data.scores[months[-1]] if months else None,
               "progress_score_month": months[-1] if months else None,
               "cycles": [{k: c[k] for k in ("number", "change_idea", "start", "decision", "document_id")}
                          for c in cycles],
               "measures": rows, "summary": sentence}
        if collab.demo:
            out["synthetic"] = SYNTHETIC_NOTE
        return out

    def improved_teams(self, account: Account | None, measure_id: str,
                       collaborative_id: str | None = None) -> dict[str, Any]:
        """Teams whose measure is now in special-cause improvement, or had an improvement signal, across the
        collaboratives the caller can read (what "which teams improved measure M" is answered from)."""
        rows, demo_used, searched = [], False, 0
        with self.database.read() as s:
            collabs = s.scalars(select(CollaborativeRow).order_by(CollaborativeRow.id)).all()
            for collab in collabs:
                if collaborative_id and collab.id != collaborative_id:
                    continue
                if not self.can_read(account, collab, s):
                    continue
                infos = [m for m in self._measures(s, collab.id) if m.measure_id == measure_id and m.team_id is None]
                if not infos:
                    continue
                searched += 1
                info = self._measure_info(infos[0])
                for team in self.snapshot(s, collab).teams:
                    chart = team.chart(info)
                    good = chart.improvement_signals()
                    if not good and not improving(chart.variation):
                        continue
                    demo_used = demo_used or collab.demo
                    rows.append({"team_id": team.id, "name": team.name, "provider": team.provider,
                                 "collaborative_id": collab.id, "demo": collab.demo, "variation": chart.variation,
                                 "assurance": chart.assurance, "months": chart.months,
                                 "latest": chart.series[-1][1] if chart.series else None,
                                 "improvement_signals": [{"rule": g.rule, "start": g.start, "end": g.end}
                                                         for g in good],
                                 "sustained": any(g.rule == "shift" for g in good)})
        if collaborative_id and not searched:
            raise errors.NotFound("measure in that collaborative", measure_id, "measure")
        rows.sort(key=lambda r: (not improving(r["variation"]), not r["sustained"], r["team_id"]))
        out: dict[str, Any] = {"measure_id": measure_id, "collaboratives_searched": searched, "teams": rows}
        if demo_used:
            out["synthetic"] = SYNTHETIC_NOTE
        return out

    def _real_collaboratives(self, s: Session, team_ids: set[str] | None = None) -> list[CollaborativeData]:
        rows = s.scalars(select(CollaborativeRow).where(CollaborativeRow.demo.is_(False))).all()
        return [self.snapshot(s, r, team_ids) for r in rows]

    def document_counts(self, document_id: str) -> dict[str, Any] | None:
        """The change-idea counts for one corpus document (None when no real team has tested it)."""
        with self.database.read() as s:
            team_ids = set(s.scalars(select(CycleRow.team_id).where(CycleRow.document_id == document_id)))
            if not team_ids:
                return None
            counts: dict[str, ChangeIdeaCounts] = change_idea_counts(self._real_collaboratives(s, team_ids))
        found = counts.get(document_id)
        return found.to_dict() if found else None

    def evidence(self) -> dict[str, Any]:
        """Ranking evidence over every real collaborative, cached until the store changes:
        ``{"documents": {doc id: counts}, "providers": {ods: [sustained improvement on a topic]}}``."""
        from learnsys.store.changes import latest_sequence

        with self.database.read() as s:
            seq = latest_sequence(s)
            cached = self._evidence_cache
            if cached is not None and cached[0] == seq:
                return cached[1]
            data = self._real_collaboratives(s)
        value = {"documents": {k: v.to_dict() for k, v in change_idea_counts(data).items()},
                 "providers": provider_evidence(data)}
        with self._lock:
            self._evidence_cache = (seq, value)
        return value

    # ------------------------------------------------------------------ case studies
    def case_study_inputs(self, account: Account, team_id: str, measure_id: str) -> dict[str, Any]:
        """What a case-study draft is made of (the caller drafts it and submits it for review)."""
        with self.database.read() as s:
            team = self._team(s, team_id)
            self._require_team_writer(account, team)
            collab = self._collab(s, team.collaborative_id)
            if collab.demo:
                raise errors.Invalid("a demonstration collaborative's synthetic data cannot become a case study",
                                     "team_id")
            measure = self._measure(s, team, measure_id)
            data = self._team_data(s, [team])[0]
            cycles = self._cycles(s, team_id)
            return {"collaborative": {"id": collab.id, "title": collab.title,
                                      "priority_area": collab.priority_area},
                    "team": self._team_dict(team) | {"id": team.id},
                    "chart": data.chart(self._measure_info(measure)),
                    "cycles": [self._cycle_dict(c) for c in cycles]}

    def link_case_study(self, account: Account, team_id: str, measure_id: str, document_id: str) -> None:
        """Record that the team drafted ``document_id`` (already submitted for review) from ``measure_id``."""
        with self.database.write() as s:
            self._require_team_writer(account, self._team(s, team_id))
            s.add(CaseStudyRow(team_id=team_id, measure_id=measure_id, document_id=document_id,
                               created_by=account.actor))
            audit.record(s, account.actor, "draft-case-study", "team", team_id, None,
                         {"measure_id": measure_id, "document_id": document_id})

    # ------------------------------------------------------------------ bulk (demo loader, benchmarks)
    def load_bulk(self, account: Account, spec: CollaborativeSpec, teams: list[dict[str, Any]],
                  waves: list[WaveSpec] | None = None, replace: bool = False) -> dict[str, Any]:
        """Create a collaborative with its teams, values, cycles and reports in one audited transaction.
        ``teams``: ``{"spec": TeamSpec, "values": {measure: {month: v}}, "cycles": [CycleSpec],
        "reports": [ReportSpec]}``. ``replace`` first removes an existing collaborative of the same id
        (demo data only)."""
        if not account.is_admin and not (spec.region != NATIONAL and account.covers_region(spec.region)):
            raise errors.Forbidden("Only an admin or the region's team may load a collaborative.")
        with self.database.write() as s:
            existing = s.get(CollaborativeRow, spec.id)
            if existing is not None:
                if not (replace and existing.demo and spec.demo):
                    raise errors.Conflict(f"collaborative {spec.id!r} exists", "id")
                self._remove(s, spec.id)
            self._add_collaborative(s, spec, account.actor)
            for w in waves or []:
                s.add(WaveRow(collaborative_id=spec.id, number=w.number, members=list(w.members),
                              faculty=list(w.faculty), start=w.start))
            s.flush()
            n_values = 0
            for item in teams:
                t: TeamSpec = item["spec"]
                s.add(self._team_row(spec.id, t, values_version=1))
                s.flush()
                for measure_id, series in item.get("values", {}).items():
                    for month, value in series.items():
                        s.add(ValueRow(team_id=t.id, measure_id=measure_id, month=month, value=value, note="",
                                       entered_by=account.actor, version=1))
                        n_values += 1
                for number, c in enumerate(item.get("cycles", []), start=1):
                    s.add(CycleRow(team_id=t.id, number=number, created_by=account.actor, version=1,
                                   **c.model_dump(exclude={"measures"}), measures=list(c.measures)))
                for r in item.get("reports", []):
                    s.add(ReportRow(team_id=t.id, month=r.month, progress_score=r.progress_score,
                                    narrative=r.narrative, submitted_by=account.actor, version=1))
            audit.record(s, account.actor, "load", "collaborative", spec.id, None,
                         {"demo": spec.demo, "teams": len(teams), "values": n_values,
                          "measures": [m.id for m in spec.measures]})
        self._changed(spec.id)
        return {"id": spec.id, "teams": len(teams), "values": n_values, "demo": spec.demo}

    @staticmethod
    def _remove(s: Session, cid: str) -> None:
        team_ids = list(s.scalars(select(TeamRow.id).where(TeamRow.collaborative_id == cid)))
        report_ids = list(s.scalars(select(ReportRow.id).where(ReportRow.team_id.in_(team_ids))))
        s.execute(delete(FeedbackRow).where(FeedbackRow.report_id.in_(report_ids)))
        for table in (ReportRow, ValueRow, CycleRow, ChangePointRow, CaseStudyRow):
            s.execute(delete(table).where(table.team_id.in_(team_ids)))
        s.execute(delete(TeamRow).where(TeamRow.collaborative_id == cid))
        for table in (MeasureRow, WaveRow, LearningSessionRow):
            s.execute(delete(table).where(table.collaborative_id == cid))
        s.execute(delete(CollaborativeRow).where(CollaborativeRow.id == cid))
        s.flush()

    def graph_inputs(self, cid: str) -> dict[str, Any] | None:
        """Everything the RDF projection needs for one collaborative (None if it no longer exists)."""
        with self.database.read() as s:
            collab = s.get(CollaborativeRow, cid)
            if collab is None:
                return None
            data = self.snapshot(s, collab)
            return {
                "collaborative": self._summary(collab, len(data.teams)) | {"aim": collab.aim,
                                                                           "change_package": collab.change_package},
                "waves": [{"number": w.number, "members": w.members, "faculty": w.faculty}
                          for w in s.scalars(select(WaveRow).where(WaveRow.collaborative_id == cid))],
                "measures": [self._measure_dict(m) for m in self._measures(s, cid) if m.team_id is None],
                "data": data,
                "cycles": {t.id: [self._cycle_dict(c) for c in self._cycles(s, t.id)] for t in data.teams},
            }

    def collaborative_ids(self) -> list[str]:
        with self.database.read() as s:
            return list(s.scalars(select(CollaborativeRow.id)))


def audit_now() -> Any:
    from learnsys.store.tables import utcnow

    return utcnow()
