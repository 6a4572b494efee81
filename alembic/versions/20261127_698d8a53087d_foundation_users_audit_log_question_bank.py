"""foundation users audit log question bank

Revision ID: 698d8a53087d
Revises:
Create Date: 2026-11-27 04:54:11.640938
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "698d8a53087d"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benchmark_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "length(slug) BETWEEN 1 AND 80", name=op.f("ck_benchmark_questions_slug_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_questions")),
        sa.UniqueConstraint("slug", name=op.f("uq_benchmark_questions_slug")),
    )
    op.create_table(
        "capability_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "length(slug) BETWEEN 1 AND 80", name=op.f("ck_capability_areas_slug_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capability_areas")),
        sa.UniqueConstraint("slug", name=op.f("uq_capability_areas_slug")),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "system_design",
                "mlops_operations",
                "coding_implementation",
                "behavioural_judgment",
                name="category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("suggested_minutes", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("retired_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "origin IN ('bank_file', 'web')", name=op.f("ck_questions_origin_known")
        ),
        sa.CheckConstraint(
            "length(prompt) BETWEEN 1 AND 4000", name=op.f("ck_questions_prompt_length")
        ),
        sa.CheckConstraint("length(slug) BETWEEN 1 AND 80", name=op.f("ck_questions_slug_length")),
        sa.CheckConstraint(
            "length(title) BETWEEN 1 AND 200", name=op.f("ck_questions_title_length")
        ),
        sa.CheckConstraint(
            "suggested_minutes BETWEEN 5 AND 120", name=op.f("ck_questions_minutes_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("slug", name=op.f("uq_questions_slug")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questions_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_retired_at"), ["retired_at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_email_lowercase")),
        sa.CheckConstraint("failed_logins >= 0", name=op.f("ck_users_failed_logins_nonnegative")),
        sa.CheckConstraint("length(email) BETWEEN 3 AND 254", name=op.f("ck_users_email_length")),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 120", name=op.f("ck_users_name_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint("length(action) > 0", name=op.f("ck_audit_events_action_not_empty")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)

    op.create_table(
        "competencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "length(slug) BETWEEN 1 AND 80", name=op.f("ck_competencies_slug_length")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["capability_areas.id"],
            name=op.f("fk_competencies_area_id_capability_areas"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competencies")),
        sa.UniqueConstraint("slug", name=op.f("uq_competencies_slug")),
    )
    with op.batch_alter_table("competencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competencies_area_id"), ["area_id"], unique=False)

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.CheckConstraint("length(token) = 43", name=op.f("ck_login_sessions_token_length")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token", name=op.f("uq_login_sessions_token")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "question_areas",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["capability_areas.id"],
            name=op.f("fk_question_areas_area_id_capability_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_areas_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "area_id", name=op.f("pk_question_areas")),
    )
    with op.batch_alter_table("question_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_areas_area_id"), ["area_id"], unique=False)

    op.create_table(
        "question_benchmarks",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("benchmark_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benchmark_id"],
            ["benchmark_questions.id"],
            name=op.f("fk_question_benchmarks_benchmark_id_benchmark_questions"),
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_benchmarks_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "benchmark_id", name=op.f("pk_question_benchmarks")),
    )
    with op.batch_alter_table("question_benchmarks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_benchmarks_benchmark_id"), ["benchmark_id"], unique=False
        )

    op.create_table(
        "question_levels",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "junior", "senior", "staff", name="level", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_levels_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("question_id", "level", name=op.f("pk_question_levels")),
    )
    with op.batch_alter_table("question_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_levels_level"), ["level"], unique=False)

    op.create_table(
        "question_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "kind IN ('signal', 'red_flag')", name=op.f("ck_question_points_kind_known")
        ),
        sa.CheckConstraint(
            "length(text) BETWEEN 1 AND 500", name=op.f("ck_question_points_text_length")
        ),
        sa.CheckConstraint("position >= 0", name=op.f("ck_question_points_position_nonnegative")),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_points_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_points")),
        sa.UniqueConstraint(
            "question_id",
            "kind",
            "position",
            name=op.f("uq_question_points_question_id_kind_position"),
        ),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "recruiter",
                "hiring_manager",
                "interviewer",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    op.create_table(
        "level_expectations",
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "junior", "senior", "staff", name="level", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competencies.id"],
            name=op.f("fk_level_expectations_competency_id_competencies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("competency_id", "level", name=op.f("pk_level_expectations")),
    )


def downgrade() -> None:
    op.drop_table("level_expectations")
    op.drop_table("user_roles")
    op.drop_table("question_points")
    with op.batch_alter_table("question_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_levels_level"))

    op.drop_table("question_levels")
    with op.batch_alter_table("question_benchmarks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_benchmarks_benchmark_id"))

    op.drop_table("question_benchmarks")
    with op.batch_alter_table("question_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_areas_area_id"))

    op.drop_table("question_areas")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
    with op.batch_alter_table("competencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competencies_area_id"))

    op.drop_table("competencies")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    op.drop_table("users")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_retired_at"))
        batch_op.drop_index(batch_op.f("ix_questions_category"))

    op.drop_table("questions")
    op.drop_table("capability_areas")
    op.drop_table("benchmark_questions")
