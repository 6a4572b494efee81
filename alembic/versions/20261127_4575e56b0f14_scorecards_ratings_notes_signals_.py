"""scorecards ratings notes signals revisions reminders

Revision ID: 4575e56b0f14
Revises: 4b56cdf5d3e7
Create Date: 2026-11-27 05:22:39.724304
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "4575e56b0f14"
down_revision: str | None = "4b56cdf5d3e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scorecard_reminders",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.String(length=16), nullable=False),
        sa.Column("sent_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "threshold IN ('interviewer', 'manager')", name=op.f("ck_scorecard_reminders_threshold_known")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_scorecard_reminders_interview_id_interviews")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["users.id"], name=op.f("fk_scorecard_reminders_interviewer_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "interview_id", "interviewer_id", "threshold", name=op.f("pk_scorecard_reminders")
        ),
    )
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "submitted", name="status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "recommendation",
            sa.Enum(
                "strong_no_hire",
                "no_hire",
                "hire",
                "strong_hire",
                name="recommendation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status = 'draft' OR (recommendation IS NOT NULL AND submitted_at IS NOT NULL)",
            name=op.f("ck_scorecards_submitted_is_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_scorecards_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id", "interviewer_id"],
            ["interview_panelists.interview_id", "interview_panelists.user_id"],
            name=op.f("fk_scorecards_interview_id_interview_panelists"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_scorecards_interview_id_interviews")
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["users.id"], name=op.f("fk_scorecards_interviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecards")),
        sa.UniqueConstraint(
            "interview_id", "interviewer_id", name=op.f("uq_scorecards_interview_id_interviewer_id")
        ),
    )
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecards_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scorecards_interview_id"), ["interview_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scorecards_interviewer_id"), ["interviewer_id"], unique=False)

    op.create_table(
        "scorecard_question_notes",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("loop_question_id", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint("length(notes) <= 5000", name=op.f("ck_scorecard_question_notes_notes_length")),
        sa.ForeignKeyConstraint(
            ["loop_question_id"],
            ["loop_questions.id"],
            name=op.f("fk_scorecard_question_notes_loop_question_id_loop_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_scorecard_question_notes_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scorecard_id", "loop_question_id", name=op.f("pk_scorecard_question_notes")),
    )
    op.create_table(
        "scorecard_ratings",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.CheckConstraint("length(evidence) <= 5000", name=op.f("ck_scorecard_ratings_evidence_length")),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 4", name=op.f("ck_scorecard_ratings_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["capability_areas.id"], name=op.f("fk_scorecard_ratings_area_id_capability_areas")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_scorecard_ratings_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scorecard_id", "area_id", name=op.f("pk_scorecard_ratings")),
    )
    op.create_table(
        "scorecard_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("after_seeing_others", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('submitted', 'edited')", name=op.f("ck_scorecard_revisions_kind_known")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_scorecard_revisions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_scorecard_revisions_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_revisions")),
    )
    with op.batch_alter_table("scorecard_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorecard_revisions_scorecard_id"), ["scorecard_id"], unique=False
        )

    op.create_table(
        "scorecard_signals",
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column(
            "question",
            sa.Enum(
                "owned_system",
                "failure_handling",
                "reduces_risk",
                name="question",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "value",
            sa.Enum("yes", "no", "not_observed", name="value", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.CheckConstraint("length(evidence) <= 1000", name=op.f("ck_scorecard_signals_evidence_length")),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_scorecard_signals_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("scorecard_id", "question", name=op.f("pk_scorecard_signals")),
    )


def downgrade() -> None:
    op.drop_table("scorecard_signals")
    with op.batch_alter_table("scorecard_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecard_revisions_scorecard_id"))

    op.drop_table("scorecard_revisions")
    op.drop_table("scorecard_ratings")
    op.drop_table("scorecard_question_notes")
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecards_interviewer_id"))
        batch_op.drop_index(batch_op.f("ix_scorecards_interview_id"))
        batch_op.drop_index(batch_op.f("ix_scorecards_candidate_id"))

    op.drop_table("scorecards")
    op.drop_table("scorecard_reminders")
