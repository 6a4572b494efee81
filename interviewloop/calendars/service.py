"""Keeping each interviewer's own calendar in step with their interviews.

A change to an interview marks, in its own transaction, what each affected person's
calendar should now hold (``want_sync``: the event as at the interview's SEQUENCE, or no
event) and asks for the sync job once that commits. The job (``sync_due``) claims what is
due (a lease, committed), writes to the server with no transaction open, and records each
result (committed): synced, or failed and tried again later, each wait twice the last.
Writing is idempotent (a PUT of the interview's UID replaces the event, a DELETE of a
missing one is done), so a retry, a second worker or a crash never makes a second event."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.calendars.accounts import collection_urls
from interviewloop.calendars.client import (
    SETTINGS_INFO,
    CalDAVSettings,
    CalendarServer,
    CalendarUnreachable,
)
from interviewloop.calendars.models import CalendarPush, SyncState
from interviewloop.db import among, utcnow
from interviewloop.loops.models import LoopStage
from interviewloop.queue import enqueue_after_commit
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scheduling.calendar import resource
from interviewloop.scheduling.invites import panel_event
from interviewloop.scheduling.models import Interview, Panelist

SYNC_JOB = "sync_calendars"
BATCH = 50
MAX_WAIT = timedelta(hours=1)
DUE = (SyncState.PENDING, SyncState.FAILED)


def settings(session: Session) -> CalDAVSettings:
    return session.info.get(SETTINGS_INFO) or CalDAVSettings()


def want_sync(session: Session, interview: Interview, previous_panel: Iterable[int] = (),
              *, now: datetime | None = None) -> None:
    """Mark what each person's calendar should now hold for ``interview`` (as flushed):
    the event for each live panelist, none for someone taken off it or once cancelled."""
    config = settings(session)
    if not config.enabled:
        return
    now = now or utcnow()
    panel = {p.user_id for p in interview.panel}
    wanted = dict.fromkeys(panel, not interview.is_cancelled)
    rows = {r.user_id: r for r in session.scalars(
        select(CalendarPush).where(CalendarPush.interview_id == interview.id))}
    for user_id in set(previous_panel) | set(rows):  # off the panel: no event for them
        wanted.setdefault(user_id, False)
    new = [user_id for user_id, present in wanted.items() if present and user_id not in rows]
    urls = collection_urls(session, config, session.scalars(
        select(User).where(User.id.in_(new)))) if new else {}
    for user_id, present in wanted.items():
        row = rows.get(user_id)
        if row is None:
            if not present:
                continue  # never written there: nothing to take away
            row = CalendarPush(interview_id=interview.id, user_id=user_id,
                               collection_url=urls[user_id])
            session.add(row)
        elif (row.present, row.wanted_sequence) == (present, interview.sequence):
            continue
        elif not present and not row.present and row.state == SyncState.SYNCED:
            continue  # already taken away: later changes are not theirs
        row.present, row.wanted_sequence = present, interview.sequence
        row.state, row.attempts, row.synced_at = SyncState.PENDING, 0, None
        row.changed_at, row.next_attempt_at, row.lease_until = now, now, None
    session.flush()
    enqueue_after_commit(session, SYNC_JOB)


def rewrite(session: Session, interview_ids: Iterable[int], *,
            now: datetime | None = None) -> int:
    """Write these interviews' events again, as they now are, to every calendar that holds
    them (after the candidate's personal data was erased, say: the event named them).
    Returns how many calendars are to be written."""
    ids = list(interview_ids)
    if not ids:
        return 0
    now = now or utcnow()
    rows = list(session.scalars(select(CalendarPush).where(
        CalendarPush.interview_id.in_(ids), CalendarPush.present.is_(True))))
    for row in rows:
        row.state, row.attempts, row.synced_at = SyncState.PENDING, 0, None
        row.changed_at, row.next_attempt_at, row.lease_until = now, now, None
    session.flush()
    if rows:
        enqueue_after_commit(session, SYNC_JOB)
    return len(rows)


@dataclass(frozen=True)
class Claimed:
    interview_id: int
    user_id: int
    collection_url: str
    uid: str
    sequence: int
    body: bytes | None  # the event to PUT; None: DELETE it


@dataclass
class SyncRun:
    synced: list[Claimed] = field(default_factory=list)
    failed: list[tuple[Claimed, str]] = field(default_factory=list)
    retry_in: timedelta | None = None
    more_due: bool = False


def _body(session: Session, interview: Interview, now: datetime) -> bytes:
    candidate = session.get_one(Candidate, interview.candidate_id)
    requisition = session.get_one(Requisition, candidate.requisition_id)
    stage = session.get_one(LoopStage, interview.stage_id)
    panel = list(session.scalars(select(User).join(Panelist, Panelist.user_id == User.id)
                                 .where(Panelist.interview_id == interview.id)
                                 .order_by(User.name, User.id)))
    text = panel_event(session, interview, requisition, candidate, stage, panel)
    return resource(interview, text, now=now)


def claim_due(session: Session, *, now: datetime, lease: timedelta, batch: int = BATCH
              ) -> tuple[list[Claimed], bool]:
    rows = session.scalars(
        select(CalendarPush).where(
            CalendarPush.state.in_(DUE), CalendarPush.next_attempt_at <= now,
            or_(CalendarPush.lease_until.is_(None), CalendarPush.lease_until <= now))
        .order_by(CalendarPush.next_attempt_at, CalendarPush.interview_id,
                  CalendarPush.user_id)
        .limit(batch + 1).with_for_update(skip_locked=True)).all()
    bodies: dict[int, tuple[Interview, bytes]] = {}
    claimed = []
    for row in rows[:batch]:
        interview = session.get_one(Interview, row.interview_id)
        if row.present and row.interview_id not in bodies:
            bodies[row.interview_id] = (interview, _body(session, interview, now))
        row.lease_until, row.attempts = now + lease, row.attempts + 1
        claimed.append(Claimed(row.interview_id, row.user_id, row.collection_url,
                               interview.ical_uid, row.wanted_sequence,
                               bodies[row.interview_id][1] if row.present else None))
    session.flush()
    return claimed, len(rows) > batch


def retry_wait(attempts: int, first: timedelta) -> timedelta:
    wait: timedelta = first * 2 ** max(attempts - 1, 0)
    return min(wait, MAX_WAIT)


def sync_due(transaction: Callable[[], AbstractContextManager[Session]],
             config: CalDAVSettings, *, now: datetime | None = None, batch: int = BATCH
             ) -> SyncRun:
    """One run of the sync job. ``transaction()`` opens a writing session that commits when
    its block ends."""
    now = now or utcnow()
    with transaction() as session:
        claimed, more = claim_due(session, now=now, batch=batch,
                                  lease=timedelta(seconds=config.timeout * 3 + 30))
    run = SyncRun(more_due=more)
    if not claimed:
        return run
    results: list[str | None] = []
    with CalendarServer(config) as server:
        for item in claimed:
            try:
                if item.body is None:
                    server.delete(item.collection_url, item.uid)
                else:
                    server.put(item.collection_url, item.uid, item.body)
                results.append(None)
            except CalendarUnreachable as exc:
                results.append(str(exc))
    done_at = utcnow()
    first = timedelta(seconds=config.retry_seconds)
    with transaction() as session:
        for item, error in zip(claimed, results, strict=True):
            row = session.get(CalendarPush, (item.interview_id, item.user_id))
            if row is None:
                continue
            row.lease_until = None
            if row.wanted_sequence != item.sequence or row.present != (item.body is not None):
                continue  # changed meanwhile: still pending, the next run writes it
            if error is None:
                row.state, row.synced_at, row.last_error = SyncState.SYNCED, done_at, ""
                row.next_attempt_at = None
                run.synced.append(item)
            else:
                wait = retry_wait(row.attempts, first)
                row.state, row.last_error = SyncState.FAILED, error[:2000]
                row.next_attempt_at = done_at + wait
                run.retry_in = min(run.retry_in or wait, wait)
                run.failed.append((item, error))
        session.flush()
    return run


@dataclass(frozen=True)
class PersonSync:
    name: str
    row: CalendarPush

    @property
    def behind(self) -> bool:
        return self.row.state != SyncState.SYNCED


def sync_states(session: Session, interview: Interview) -> list[PersonSync]:
    """Each person's calendar for this interview (one query), by name."""
    rows = session.execute(
        select(CalendarPush, User.name).join(User, User.id == CalendarPush.user_id)
        .where(CalendarPush.interview_id == interview.id)
        .order_by(User.name, User.id)).all()
    return [PersonSync(name, row) for row, name in rows]


def behind_calendars(session: Session, interview_ids: list[int]) -> dict[int, list[str]]:
    """For each of these interviews with a calendar behind (not yet written, or failed and
    waiting for its retry), whose (one query, by name)."""
    found: dict[int, list[str]] = {}
    for interview_id, name in session.execute(
            select(CalendarPush.interview_id, User.name).join(User, User.id == CalendarPush.user_id)
            .where(among(CalendarPush.interview_id, "ids", session.get_bind().dialect.name),
                   CalendarPush.state != SyncState.SYNCED)
            .order_by(CalendarPush.interview_id, User.name, User.id), {"ids": interview_ids}):
        found.setdefault(interview_id, []).append(name)
    return found
