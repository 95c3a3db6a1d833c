"""Improvement collaboratives: measures, waves, learning sessions, teams, monthly values, PDSA cycles,
reports, faculty feedback, change points and case-study drafts (tables in ``learnsys.collaboratives.tables``).

Revision ID: collab_0001
Branch: collab (needs the store's accounts and audit, store_0001)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from learnsys.store.tables import UtcDateTime

revision = "collab_0001"
down_revision = None
branch_labels = ("collab",)
depends_on = "store_0001"


def upgrade() -> None:
    op.create_table(
        "collaboratives",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("priority_area", sa.String(length=80), nullable=False),
        sa.Column("region", sa.String(length=20), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("change_package", sa.JSON(), nullable=False),
        sa.Column("faculty", sa.JSON(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("plan_id", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaboratives")),
    )
    with op.batch_alter_table("collaboratives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collaboratives_demo"), ["demo"], unique=False)
        batch_op.create_index(batch_op.f("ix_collaboratives_region"), ["region"], unique=False)

    op.create_table(
        "collab_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaborative_id", sa.String(length=64), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("numerator", sa.Text(), nullable=True),
        sa.Column("denominator", sa.Text(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("source_document", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["collaborative_id"], ["collaboratives.id"], name=op.f("fk_collab_measures_collaborative_id_collaboratives")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_measures")),
        sa.UniqueConstraint("collaborative_id", "measure_id", name="uq_collab_measures_measure"),
    )
    with op.batch_alter_table("collab_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_measures_collaborative_id"), ["collaborative_id"], unique=False)

    op.create_table(
        "collab_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaborative_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("presenters", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaborative_id"], ["collaboratives.id"], name=op.f("fk_collab_sessions_collaborative_id_collaboratives")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_sessions")),
    )
    with op.batch_alter_table("collab_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_sessions_collaborative_id"), ["collaborative_id"], unique=False)

    op.create_table(
        "collab_teams",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("collaborative_id", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sponsor", sa.JSON(), nullable=True),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("aim_target", sa.Float(), nullable=True),
        sa.Column("aim_date", sa.Date(), nullable=True),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collaborative_id"], ["collaboratives.id"], name=op.f("fk_collab_teams_collaborative_id_collaboratives")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_teams")),
    )
    with op.batch_alter_table("collab_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_teams_collaborative_id"), ["collaborative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_collab_teams_provider"), ["provider"], unique=False)

    op.create_table(
        "collab_waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaborative_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("faculty", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["collaborative_id"], ["collaboratives.id"], name=op.f("fk_collab_waves_collaborative_id_collaboratives")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_waves")),
        sa.UniqueConstraint("collaborative_id", "number", name="uq_collab_waves_number"),
    )
    with op.batch_alter_table("collab_waves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_waves_collaborative_id"), ["collaborative_id"], unique=False)

    op.create_table(
        "collab_case_studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["collab_teams.id"], name=op.f("fk_collab_case_studies_team_id_collab_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_case_studies")),
    )
    with op.batch_alter_table("collab_case_studies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_case_studies_team_id"), ["team_id"], unique=False)

    op.create_table(
        "collab_change_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["collab_teams.id"], name=op.f("fk_collab_change_points_team_id_collab_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_change_points")),
        sa.UniqueConstraint("team_id", "measure_id", "month", name="uq_collab_change_points_month"),
    )
    with op.batch_alter_table("collab_change_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_change_points_team_id"), ["team_id"], unique=False)

    op.create_table(
        "collab_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("change_idea", sa.String(length=300), nullable=False),
        sa.Column("document_id", sa.String(length=200), nullable=True),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("prediction", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("did", sa.Text(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["collab_teams.id"], name=op.f("fk_collab_cycles_team_id_collab_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_cycles")),
        sa.UniqueConstraint("team_id", "number", name="uq_collab_cycles_number"),
    )
    with op.batch_alter_table("collab_cycles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_cycles_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_collab_cycles_team_id"), ["team_id"], unique=False)

    op.create_table(
        "collab_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("progress_score", sa.Float(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=320), nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("faculty_score", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["collab_teams.id"], name=op.f("fk_collab_reports_team_id_collab_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_reports")),
        sa.UniqueConstraint("team_id", "month", name="uq_collab_reports_month"),
    )
    with op.batch_alter_table("collab_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_reports_team_id"), ["team_id"], unique=False)

    op.create_table(
        "collab_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=320), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["collab_teams.id"], name=op.f("fk_collab_values_team_id_collab_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_values")),
        sa.UniqueConstraint("team_id", "measure_id", "month", name="uq_collab_values_month"),
    )
    with op.batch_alter_table("collab_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_values_team_id"), ["team_id"], unique=False)

    op.create_table(
        "collab_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("progress_score", sa.Float(), nullable=True),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["collab_reports.id"], name=op.f("fk_collab_feedback_report_id_collab_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collab_feedback")),
    )
    with op.batch_alter_table("collab_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collab_feedback_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("collab_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_feedback_report_id"))

    op.drop_table("collab_feedback")
    with op.batch_alter_table("collab_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_values_team_id"))

    op.drop_table("collab_values")
    with op.batch_alter_table("collab_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_reports_team_id"))

    op.drop_table("collab_reports")
    with op.batch_alter_table("collab_cycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_cycles_team_id"))
        batch_op.drop_index(batch_op.f("ix_collab_cycles_document_id"))

    op.drop_table("collab_cycles")
    with op.batch_alter_table("collab_change_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_change_points_team_id"))

    op.drop_table("collab_change_points")
    with op.batch_alter_table("collab_case_studies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_case_studies_team_id"))

    op.drop_table("collab_case_studies")
    with op.batch_alter_table("collab_waves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_waves_collaborative_id"))

    op.drop_table("collab_waves")
    with op.batch_alter_table("collab_teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_teams_provider"))
        batch_op.drop_index(batch_op.f("ix_collab_teams_collaborative_id"))

    op.drop_table("collab_teams")
    with op.batch_alter_table("collab_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_sessions_collaborative_id"))

    op.drop_table("collab_sessions")
    with op.batch_alter_table("collab_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collab_measures_collaborative_id"))

    op.drop_table("collab_measures")
    with op.batch_alter_table("collaboratives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collaboratives_region"))
        batch_op.drop_index(batch_op.f("ix_collaboratives_demo"))

    op.drop_table("collaboratives")
