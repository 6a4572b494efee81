"""requisitions candidates loops bank order index

Revision ID: 77b357e15780
Revises: 698d8a53087d
Create Date: 2026-11-27 05:07:26.691549
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import interviewloop.db

revision: str = "77b357e15780"
down_revision: str | None = "698d8a53087d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loop_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("junior", "senior", "staff", name="level", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_templates")),
        sa.UniqueConstraint("level", name=op.f("uq_loop_templates_level")),
    )
    op.create_table(
        "loop_template_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
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
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 80", name=op.f("ck_loop_template_stages_name_length")),
        sa.CheckConstraint("minutes BETWEEN 5 AND 240", name=op.f("ck_loop_template_stages_minutes_range")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_loop_template_stages_position_nonnegative")),
        sa.CheckConstraint(
            "question_count BETWEEN 1 AND 5", name=op.f("ck_loop_template_stages_question_count_range")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["loop_templates.id"],
            name=op.f("fk_loop_template_stages_template_id_loop_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_template_stages")),
    )
    with op.batch_alter_table("loop_template_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loop_template_stages_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "requisitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column(
            "level",
            sa.Enum("junior", "senior", "staff", name="level", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("team", sa.String(length=120), nullable=False),
        sa.Column("hiring_manager_id", sa.Integer(), nullable=False),
        sa.Column("recruiter_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "open", "closed", name="status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("ships", sa.Text(), nullable=True),
        sa.Column("owns_after_launch", sa.Text(), nullable=True),
        sa.Column("success_measures", sa.Text(), nullable=True),
        sa.Column("fails_in_seat", sa.Text(), nullable=True),
        sa.Column("surface_system", sa.Text(), nullable=True),
        sa.Column("surface_inputs", sa.Text(), nullable=True),
        sa.Column("surface_models", sa.Text(), nullable=True),
        sa.Column("surface_orchestration", sa.Text(), nullable=True),
        sa.Column("surface_apis", sa.Text(), nullable=True),
        sa.Column("surface_data_stores", sa.Text(), nullable=True),
        sa.Column("surface_observability", sa.Text(), nullable=True),
        sa.Column("surface_failure_modes", sa.Text(), nullable=True),
        sa.Column("surface_pager", sa.Text(), nullable=True),
        sa.Column("comp_currency", sa.String(length=3), nullable=False),
        sa.Column("comp_min", sa.Integer(), nullable=False),
        sa.Column("comp_max", sa.Integer(), nullable=False),
        sa.Column("manager_confirmed_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recruiter_confirmed_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hide_scorecards_until_debrief", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", interviewloop.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)", name=op.f("ck_requisitions_closed_has_time")
        ),
        sa.CheckConstraint(
            "status <> 'open' OR (opened_at IS NOT NULL AND length(coalesce(ships, '')) > 0 AND length(coalesce(owns_after_launch, '')) > 0 AND length(coalesce(success_measures, '')) > 0 AND length(coalesce(fails_in_seat, '')) > 0)",
            name=op.f("ck_requisitions_open_needs_definition"),
        ),
        sa.CheckConstraint("comp_max >= comp_min", name=op.f("ck_requisitions_comp_band_ordered")),
        sa.CheckConstraint("comp_min >= 0", name=op.f("ck_requisitions_comp_min_nonnegative")),
        sa.CheckConstraint(
            "length(comp_currency) = 3 AND comp_currency = upper(comp_currency)",
            name=op.f("ck_requisitions_comp_currency_code"),
        ),
        sa.CheckConstraint("length(team) BETWEEN 1 AND 120", name=op.f("ck_requisitions_team_length")),
        sa.CheckConstraint("length(title) BETWEEN 1 AND 120", name=op.f("ck_requisitions_title_length")),
        sa.ForeignKeyConstraint(
            ["hiring_manager_id"], ["users.id"], name=op.f("fk_requisitions_hiring_manager_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recruiter_id"], ["users.id"], name=op.f("fk_requisitions_recruiter_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisitions")),
    )
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_requisitions_hiring_manager_id"), ["hiring_manager_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_requisitions_recruiter_id"), ["recruiter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requisitions_status"), ["status"], unique=False)

    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "withdrawn",
                "rejected",
                "offer",
                "hired",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_candidates_email_lowercase")),
        sa.CheckConstraint("length(email) BETWEEN 3 AND 254", name=op.f("ck_candidates_email_length")),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 120", name=op.f("ck_candidates_name_length")),
        sa.ForeignKeyConstraint(
            ["requisition_id"], ["requisitions.id"], name=op.f("fk_candidates_requisition_id_requisitions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("requisition_id", "email", name=op.f("uq_candidates_requisition_id_email")),
    )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidates_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidates_requisition_id"), ["requisition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidates_status"), ["status"], unique=False)

    op.create_table(
        "loop_template_stage_areas",
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["capability_areas.id"],
            name=op.f("fk_loop_template_stage_areas_area_id_capability_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["loop_template_stages.id"],
            name=op.f("fk_loop_template_stage_areas_stage_id_loop_template_stages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("stage_id", "area_id", name=op.f("pk_loop_template_stage_areas")),
    )
    op.create_table(
        "requisition_members",
        sa.Column("requisition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requisition_id"],
            ["requisitions.id"],
            name=op.f("fk_requisition_members_requisition_id_requisitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_requisition_members_user_id_users")),
        sa.PrimaryKeyConstraint("requisition_id", "user_id", name=op.f("pk_requisition_members")),
    )
    with op.batch_alter_table("requisition_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requisition_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "loops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("junior", "senior", "staff", name="level", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("created_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", interviewloop.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("coverage_gaps", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_loops_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["loop_templates.id"], name=op.f("fk_loops_template_id_loop_templates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loops")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_loops_candidate_id")),
    )
    op.create_table(
        "loop_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loop_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
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
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 80", name=op.f("ck_loop_stages_name_length")),
        sa.CheckConstraint("minutes BETWEEN 5 AND 240", name=op.f("ck_loop_stages_minutes_range")),
        sa.CheckConstraint("position >= 0", name=op.f("ck_loop_stages_position_nonnegative")),
        sa.ForeignKeyConstraint(
            ["loop_id"], ["loops.id"], name=op.f("fk_loop_stages_loop_id_loops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_stages")),
        sa.UniqueConstraint("id", "loop_id", name=op.f("uq_loop_stages_id_loop_id")),
        sa.UniqueConstraint("loop_id", "position", name=op.f("uq_loop_stages_loop_id_position")),
    )
    with op.batch_alter_table("loop_stages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loop_stages_loop_id"), ["loop_id"], unique=False)

    op.create_table(
        "loop_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loop_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_loop_questions_position_nonnegative")),
        sa.ForeignKeyConstraint(
            ["loop_id"], ["loops.id"], name=op.f("fk_loop_questions_loop_id_loops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_loop_questions_question_id_questions")
        ),
        sa.ForeignKeyConstraint(
            ["stage_id", "loop_id"],
            ["loop_stages.id", "loop_stages.loop_id"],
            name=op.f("fk_loop_questions_stage_id_loop_stages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_questions")),
        sa.UniqueConstraint("loop_id", "question_id", name=op.f("uq_loop_questions_loop_id_question_id")),
    )
    with op.batch_alter_table("loop_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loop_questions_question_id"), ["question_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loop_questions_stage_id"), ["stage_id"], unique=False)

    op.create_table(
        "loop_stage_areas",
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["capability_areas.id"], name=op.f("fk_loop_stage_areas_area_id_capability_areas")
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["loop_stages.id"],
            name=op.f("fk_loop_stage_areas_stage_id_loop_stages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("stage_id", "area_id", name=op.f("pk_loop_stage_areas")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_retired_at"))
        batch_op.create_index(
            "ix_questions_active_order",
            ["category", "title", "id"],
            unique=False,
            sqlite_where=sa.text("retired_at IS NULL"),
            postgresql_where=sa.text("retired_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_questions_active_order",
            sqlite_where=sa.text("retired_at IS NULL"),
            postgresql_where=sa.text("retired_at IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_questions_retired_at"), ["retired_at"], unique=False)

    op.drop_table("loop_stage_areas")
    with op.batch_alter_table("loop_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loop_questions_stage_id"))
        batch_op.drop_index(batch_op.f("ix_loop_questions_question_id"))

    op.drop_table("loop_questions")
    with op.batch_alter_table("loop_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loop_stages_loop_id"))

    op.drop_table("loop_stages")
    op.drop_table("loops")
    with op.batch_alter_table("requisition_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requisition_members_user_id"))

    op.drop_table("requisition_members")
    op.drop_table("loop_template_stage_areas")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_status"))
        batch_op.drop_index(batch_op.f("ix_candidates_requisition_id"))
        batch_op.drop_index(batch_op.f("ix_candidates_email"))

    op.drop_table("candidates")
    with op.batch_alter_table("requisitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requisitions_status"))
        batch_op.drop_index(batch_op.f("ix_requisitions_recruiter_id"))
        batch_op.drop_index(batch_op.f("ix_requisitions_hiring_manager_id"))

    op.drop_table("requisitions")
    with op.batch_alter_table("loop_template_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loop_template_stages_template_id"))

    op.drop_table("loop_template_stages")
    op.drop_table("loop_templates")
