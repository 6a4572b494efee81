"""availability: candidates' private links and available windows; people's job titles

A candidate gets a private link (issue 10): signed, naming its row and the row's random
nonce, in force until it expires or is revoked (one unrevoked link per candidate). Behind it
the candidate enters the windows they are available, stored in UTC (CHECK ends after
start). People get a job title, shown with their name to the candidates they interview.

Revision ID: 433adbe2399a
Revises: 3476978604cd
Create Date: 2026-12-02 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from interviewloop.db import UTCDateTime

revision: str = "433adbe2399a"
down_revision: str | None = "3476978604cd"  # after the webhooks revision (parallel branches)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "candidate_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("emailed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("expires_at > created_at",
                           name=op.f("ck_candidate_links_expires_after_creation")),
        sa.CheckConstraint("length(nonce) >= 16", name=op.f("ck_candidate_links_nonce_length")),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_candidate_links_candidate_id_candidates"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_candidate_links_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_links")),
        sa.UniqueConstraint("nonce", name=op.f("uq_candidate_links_nonce")),
    )
    with op.batch_alter_table("candidate_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_links_candidate_id"), ["candidate_id"],
                              unique=False)
        batch_op.create_index("uq_candidate_links_unrevoked", ["candidate_id"], unique=True,
                              sqlite_where=sa.text("revoked_at IS NULL"),
                              postgresql_where=sa.text("revoked_at IS NULL"))
    op.create_table(
        "candidate_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at",
                           name=op.f("ck_candidate_windows_ends_after_start")),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_candidate_windows_candidate_id_candidates"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_windows")),
    )
    with op.batch_alter_table("candidate_windows", schema=None) as batch_op:
        batch_op.create_index("ix_candidate_windows_candidate_time",
                              ["candidate_id", "starts_at"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_title", sa.String(length=120), server_default="",
                                      nullable=False))
        batch_op.create_check_constraint("job_title_length", "length(job_title) <= 120")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_job_title_length"), type_="check")
        batch_op.drop_column("job_title")
    with op.batch_alter_table("candidate_windows", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_windows_candidate_time")
    op.drop_table("candidate_windows")
    with op.batch_alter_table("candidate_links", schema=None) as batch_op:
        batch_op.drop_index("uq_candidate_links_unrevoked",
                            sqlite_where=sa.text("revoked_at IS NULL"),
                            postgresql_where=sa.text("revoked_at IS NULL"))
        batch_op.drop_index(batch_op.f("ix_candidate_links_candidate_id"))
    op.drop_table("candidate_links")
