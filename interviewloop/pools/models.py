"""Interviewer pools: for each kind of loop stage (question category and level), who is
qualified to sit on its panels and who is training for it (shadow, then reverse-shadow),
each trainee's coach, and the history of every change of membership."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop import limits
from interviewloop.auth.models import User
from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow
from interviewloop.enums import Category, Level, PanelRole


class PoolState(enum.StrEnum):
    """Where a member stands in a pool: training starts with shadows, then reverse-shadows,
    then the member is qualified to sit on panels."""

    SHADOW = "shadow"
    REVERSE_SHADOW = "reverse_shadow"
    QUALIFIED = "qualified"

    @property
    def label(self) -> str:
        return {"shadow": "shadow", "reverse_shadow": "reverse shadow",
                "qualified": "qualified"}[self.value]

    @property
    def next(self) -> PoolState | None:
        """The state a promotion leads to (none: already qualified)."""
        return {PoolState.SHADOW: PoolState.REVERSE_SHADOW,
                PoolState.REVERSE_SHADOW: PoolState.QUALIFIED}.get(self)

    @property
    def seat(self) -> PanelRole:
        """The panel seat a member in this state takes on an interview."""
        return {PoolState.SHADOW: PanelRole.SHADOW,
                PoolState.REVERSE_SHADOW: PanelRole.REVERSE_SHADOW}.get(self, PanelRole.PANEL)


class Pool(Base):
    """The interviewers of one kind of stage: every loop stage of this category in a loop
    of this level draws its panel from the pool's qualified members."""

    __tablename__ = "pools"
    __table_args__ = (UniqueConstraint("category", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"))
    # Signs off promotions and manages members (with admins); coaches trainees without one.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship(lazy="raise")

    @property
    def name(self) -> str:
        return f"{self.category.label}, {self.level.label.lower()}"


class PoolMember(Base):
    __tablename__ = "pool_members"
    __table_args__ = (
        CheckConstraint("coach_id IS NULL OR coach_id <> user_id", name="coach_not_self"),
        Index("ix_pool_members_user_id", "user_id"),
    )

    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    state: Mapped[PoolState] = mapped_column(str_enum(PoolState, "state"))
    # The trainee's coach, when not the pool's owner.
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    since: Mapped[datetime] = mapped_column(default=utcnow)  # in this state since

    pool: Mapped[Pool] = relationship(lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id], lazy="raise")


class PoolChange(Base):
    """One change of a pool's membership: added (no ``before``), promoted, coach changed,
    removed (no ``after``); who did it, when, and the trainee's counts at that moment."""

    __tablename__ = "pool_changes"
    __table_args__ = (
        CheckConstraint("kind IN ('added', 'promoted', 'coach', 'removed')", name="kind_known"),
        CheckConstraint("(kind = 'added') = (before IS NULL)", name="added_has_no_before"),
        CheckConstraint("(kind = 'removed') = (after IS NULL)", name="removed_has_no_after"),
        CheckConstraint("shadows >= 0 AND reverse_shadows >= 0", name="counts_nonnegative"),
        CheckConstraint(f"length(note) <= {limits.CHANGE_REASON}", name="note_length"),
        Index("ix_pool_changes_pool_id_id", "pool_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(Text)
    before: Mapped[PoolState | None] = mapped_column(str_enum(PoolState, "before"))
    after: Mapped[PoolState | None] = mapped_column(str_enum(PoolState, "after"))
    shadows: Mapped[int] = mapped_column(default=0)
    reverse_shadows: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("uq_pools_category_level", "That kind of stage already has a pool.")
explain("pk_pool_members", "That person is already in the pool (it may have been a moment "
        "ago): reload the page.")
explain("ck_pool_members_coach_not_self", "A trainee's coach is someone else.", status=422)
explain("ck_pool_members_state", "A member is a shadow, a reverse shadow or qualified.",
        status=422)
explain("ck_pool_changes_added_has_no_before", "A member's history starts when they are added.",
        status=422)
explain("ck_pool_changes_removed_has_no_after", "A member who leaves a pool has no state in it.",
        status=422)
