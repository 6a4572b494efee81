"""Where each interview stands in each interviewer's own calendar (CalDAV): one row per
interview and person, so that the recruiter sees a calendar that is behind, and the sync job
knows what it still owes."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from interviewloop.constraints import explain
from interviewloop.db import Base, str_enum, utcnow

COLLECTION_LENGTH = 500


class SyncState(enum.StrEnum):
    PENDING = "pending"  # not written yet
    SYNCED = "synced"  # the calendar holds the event as wanted (or holds none, as wanted)
    FAILED = "failed"  # the last try failed: tried again at next_attempt_at


class CalendarPush(Base):
    __tablename__ = "calendar_pushes"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        CheckConstraint("wanted_sequence >= 0", name="wanted_sequence_nonnegative"),
        CheckConstraint("(state = 'synced') = (synced_at IS NOT NULL)", name="synced_has_time"),
        Index("ix_calendar_pushes_due", "state", "next_attempt_at"),
    )

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # The collection the event is written to (kept: a later delete goes where the put went).
    collection_url: Mapped[str] = mapped_column(String(1000))
    present: Mapped[bool]  # True: the event should be there (as at wanted_sequence); False: gone
    wanted_sequence: Mapped[int]
    state: Mapped[SyncState] = mapped_column(str_enum(SyncState, "state"),
                                             default=SyncState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)  # since the last change
    last_error: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    # A worker writing this row holds it until then (another worker skips it meanwhile).
    lease_until: Mapped[datetime | None]
    synced_at: Mapped[datetime | None]


class CalendarAccount(Base):
    """A person whose calendar is not where CALDAV_COLLECTION says: their own collection,
    set by an admin (a path under CALDAV_URL, never another server)."""

    __tablename__ = "calendar_accounts"
    __table_args__ = (
        CheckConstraint(f"length(collection) BETWEEN 1 AND {COLLECTION_LENGTH}",
                        name="collection_length"),
        CheckConstraint("collection NOT LIKE '%://%' AND collection NOT LIKE '%..%'",
                        name="collection_is_a_path"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    collection: Mapped[str] = mapped_column(String(COLLECTION_LENGTH))


explain("pk_calendar_accounts", "This person's calendar was set a moment ago; try again.")
explain("ck_calendar_accounts_collection_length",
        f"Give the calendar's path in 1 to {COLLECTION_LENGTH} characters.", status=422)
explain("ck_calendar_accounts_collection_is_a_path",
        "Give a path under the calendar server's address, not another address.", status=422)
explain("fk_calendar_accounts_user_id_users", "No such person.")
explain("pk_calendar_pushes", "This calendar write was already asked for.")
explain("ck_calendar_pushes_attempts_nonnegative", "Attempts are counted from zero.", status=422)
explain("ck_calendar_pushes_wanted_sequence_nonnegative", "Sequences count from zero.",
        status=422)
explain("ck_calendar_pushes_synced_has_time", "A synced calendar records when.", status=422)
explain("ck_calendar_pushes_state", "A calendar write is pending, synced or failed.", status=422)
explain("fk_calendar_pushes_interview_id_interviews", "No such interview.")
explain("fk_calendar_pushes_user_id_users", "No such person.")
