from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviewloop.auth.models import User
from interviewloop.constraints import explain
from interviewloop.db import Base, utcnow


class AuditEvent(Base):
    """Who did what to which object, when (UTC) and from where. Rows are never updated."""

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("length(action) > 0", name="action_not_empty"),
        # The log filtered by action, newest first, and the list of actions (audit/service.py).
        Index("ix_audit_events_action_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="raise")


# What each constraint means to a person when it fires (interviewloop/constraints.py).
explain("ck_audit_events_action_not_empty", "An audit entry needs an action.", status=422)
