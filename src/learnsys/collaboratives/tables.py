"""The collaboratives' tables, declared on the store's ``Base`` (migration ``collab_0001``).

Who and when columns use the store's ``Actor`` and ``Stamp`` types. Every row a user edits carries a
``version`` (the ETag of optimistic concurrency); every write is audited by the service in the same
transaction, with the row before and after.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnsys.store.tables import Actor, Base, Stamp


class CollaborativeRow(Base):
    __tablename__ = "collaboratives"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    priority_area: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(20), index=True)
    aim: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    change_package: Mapped[list[Any]] = mapped_column(JSON, default=list)
    faculty: Mapped[list[Any]] = mapped_column(JSON, default=list)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    plan_id: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[Actor]
    created_at: Mapped[Stamp]


class MeasureRow(Base):
    """A measure with its operational definition; ``team_id`` set when one team added it for itself."""

    __tablename__ = "collab_measures"
    __table_args__ = (UniqueConstraint("collaborative_id", "measure_id", name="uq_collab_measures_measure"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaborative_id: Mapped[str] = mapped_column(ForeignKey("collaboratives.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(10))
    definition: Mapped[str] = mapped_column(Text)
    numerator: Mapped[str | None] = mapped_column(Text)
    denominator: Mapped[str | None] = mapped_column(Text)
    target: Mapped[float | None] = mapped_column(Float)
    source_document: Mapped[str | None] = mapped_column(String(200))


class WaveRow(Base):
    __tablename__ = "collab_waves"
    __table_args__ = (UniqueConstraint("collaborative_id", "number", name="uq_collab_waves_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaborative_id: Mapped[str] = mapped_column(ForeignKey("collaboratives.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    members: Mapped[list[Any]] = mapped_column(JSON, default=list)
    faculty: Mapped[list[Any]] = mapped_column(JSON, default=list)
    start: Mapped[date | None] = mapped_column(Date)


class LearningSessionRow(Base):
    __tablename__ = "collab_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaborative_id: Mapped[str] = mapped_column(ForeignKey("collaboratives.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    date: Mapped[date] = mapped_column(Date)
    presenters: Mapped[list[Any]] = mapped_column(JSON, default=list)


class TeamRow(Base):
    __tablename__ = "collab_teams"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    collaborative_id: Mapped[str] = mapped_column(ForeignKey("collaboratives.id"), index=True)
    provider: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(300))
    sponsor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    members: Mapped[list[Any]] = mapped_column(JSON, default=list)
    aim: Mapped[str] = mapped_column(Text, default="")
    aim_target: Mapped[float | None] = mapped_column(Float)
    aim_date: Mapped[date | None] = mapped_column(Date)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    wave: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    values_version: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every change to its values
    created_at: Mapped[Stamp]


class ValueRow(Base):
    __tablename__ = "collab_values"
    __table_args__ = (UniqueConstraint("team_id", "measure_id", "month", name="uq_collab_values_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("collab_teams.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    value: Mapped[float] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[Actor]
    entered_at: Mapped[Stamp]
    version: Mapped[int] = mapped_column(Integer, default=1)


class CycleRow(Base):
    __tablename__ = "collab_cycles"
    __table_args__ = (UniqueConstraint("team_id", "number", name="uq_collab_cycles_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("collab_teams.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    change_idea: Mapped[str] = mapped_column(String(300))
    document_id: Mapped[str | None] = mapped_column(String(200), index=True)
    plan: Mapped[str] = mapped_column(Text)
    prediction: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    did: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(10))
    measures: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by: Mapped[Actor]
    version: Mapped[int] = mapped_column(Integer, default=1)


class ReportRow(Base):
    __tablename__ = "collab_reports"
    __table_args__ = (UniqueConstraint("team_id", "month", name="uq_collab_reports_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("collab_teams.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    progress_score: Mapped[float] = mapped_column(Float)
    narrative: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[Actor]
    submitted_at: Mapped[Stamp]
    faculty_score: Mapped[float | None] = mapped_column(Float)  # the faculty's agreed score, from feedback
    version: Mapped[int] = mapped_column(Integer, default=1)


class FeedbackRow(Base):
    __tablename__ = "collab_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("collab_reports.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    progress_score: Mapped[float | None] = mapped_column(Float)
    author: Mapped[Actor]
    created_at: Mapped[Stamp]


class ChangePointRow(Base):
    __tablename__ = "collab_change_points"
    __table_args__ = (UniqueConstraint("team_id", "measure_id", "month", name="uq_collab_change_points_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("collab_teams.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    reason: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[Actor]


class CaseStudyRow(Base):
    """A case study a team drafted from its data: the store document it was submitted as."""

    __tablename__ = "collab_case_studies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("collab_teams.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[Actor]
    created_at: Mapped[Stamp]
