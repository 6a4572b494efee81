"""Erasing one candidate's personal data, and exporting everything held on them.

Both reach the same rows: ``scopes`` says, for every table the catalogue names as holding
personal data, which of its rows are this candidate's. Erasure then treats each personal
column as the catalogue says (a placeholder, NULL, scrubbed, or the row deleted); export
writes those rows out whole. Ratings, outcomes and codes stay, so the candidate is still
counted by calibration statistics, as "Erased candidate #<id>".

No Flask here; callers commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, Text, and_, cast, delete, false, or_, select, update
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.calendars import service as calendars
from interviewloop.db import Base, utcnow
from interviewloop.debrief import notify as decision_mail
from interviewloop.debrief.models import Decision, PreOfferCheck
from interviewloop.errors import Conflict, DomainError, Forbidden, NotFound
from interviewloop.loops.models import Loop
from interviewloop.outbox.models import MailState, OutboxMail
from interviewloop.privacy.catalogue import (
    ERASED,
    ERASED_EMAIL,
    ERASED_NAME,
    How,
    Personal,
    personal_columns,
)
from interviewloop.privacy.models import CandidateErasure, RetentionRule
from interviewloop.privacy.scrub import Replacements, scorecard_snapshot
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling import reminders as interview_reminders
from interviewloop.scheduling.models import Interview, InterviewChange, InterviewStatus
from interviewloop.scorecards import reminders as scorecard_reminders
from interviewloop.scorecards.models import Scorecard

WITHDRAWN = "Withdrawn: the candidate's personal data was erased before it was sent."


class InvalidErasure(DomainError):
    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Subject:
    """The candidate being erased or exported, and what ties other rows to them."""

    candidate: Candidate
    interview_ids: list[int]
    interview_uids: list[str]
    scorecard_ids: list[int]
    loop_ids: list[int]
    decision_ids: list[int]
    check_ids: list[int]
    replacements: Replacements
    mail_ids: list[int] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.candidate.id


def _ids(session: Session, column: Any, where: ColumnElement[bool]) -> list[Any]:
    return list(session.scalars(select(column).where(where)))


def subject_of(session: Session, candidate: Candidate) -> Subject:
    cid = candidate.id
    interviews = session.execute(select(Interview.id, Interview.ical_uid, Interview.location)
                                 .where(Interview.candidate_id == cid)).all()
    interview_ids = [i.id for i in interviews]
    changes = session.execute(select(InterviewChange.reason, InterviewChange.before,
                                     InterviewChange.after).where(
        InterviewChange.interview_id.in_(interview_ids))).all()
    # What they were, as well as what they are: earlier mail and audit details quote them.
    earlier = [change.reason for change in changes] + [
        snapshot.get("location") for change in changes for snapshot in (change.before, change.after)
        if isinstance(snapshot, dict) and isinstance(snapshot.get("location"), str)]
    # The hiring team's mail of a decision quotes its rationale and waiver.
    earlier += [text for row in session.execute(select(Decision.rationale, Decision.waiver)
                                                .where(Decision.candidate_id == cid))
                for text in row if text]
    subject = Subject(
        candidate=candidate, interview_ids=interview_ids,
        interview_uids=[i.ical_uid for i in interviews],
        scorecard_ids=_ids(session, Scorecard.id, Scorecard.candidate_id == cid),
        loop_ids=_ids(session, Loop.id, Loop.candidate_id == cid),
        decision_ids=_ids(session, Decision.id, Decision.candidate_id == cid),
        check_ids=_ids(session, PreOfferCheck.id, PreOfferCheck.candidate_id == cid),
        replacements=Replacements.of([
            (candidate.name, ERASED_NAME.format(id=cid)),
            (candidate.email, ERASED_EMAIL.format(id=cid)),
            (candidate.external_id, ERASED),
            (candidate.external_source, ERASED),  # a webhook event quotes both
            *((i.location, ERASED) for i in interviews),
            *((text, ERASED) for text in earlier)]))
    subject.mail_ids = _ids(session, OutboxMail.id, _mail_of(subject))
    return subject


def _mail_of(subject: Subject) -> ColumnElement[bool]:
    """Mail to the candidate, or about their interviews (invites, reminders) or decisions
    (the hiring team's message), or naming their email."""
    email, key = subject.candidate.email, OutboxMail.idempotency_key
    prefixes = (interview_reminders.KEY_PREFIX, scorecard_reminders.KEY_PREFIX)
    return or_(OutboxMail.recipient == email,
               OutboxMail.body.contains(email, autoescape=True),
               *(key.contains(uid, autoescape=True) for uid in subject.interview_uids),
               *(key.startswith(f"{prefix}{iid}:", autoescape=True)
                 for iid in subject.interview_ids for prefix in prefixes),
               *(key.startswith(f"{decision_mail.KEY_PREFIX}{did}:", autoescape=True)
                 for did in subject.decision_ids))


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _about(objects: list[tuple[str, list[int]]]) -> ColumnElement[bool]:
    c = _table("audit_events").c
    return or_(false(), *(and_(c.object_type == kind, c.object_id.in_(ids))
                          for kind, ids in objects if ids))


#: For each table holding personal data (catalogue.personal_columns), the rows that are
#: this candidate's. A table missing here makes erasure and export refuse to run at all.
SCOPES: dict[str, Callable[[Subject], ColumnElement[bool]]] = {
    "candidates": lambda s: _table("candidates").c.id == s.id,
    "scorecards": lambda s: _table("scorecards").c.candidate_id == s.id,
    "candidate_links": lambda s: _table("candidate_links").c.candidate_id == s.id,
    "scorecard_ratings": lambda s: _table("scorecard_ratings").c.scorecard_id.in_(s.scorecard_ids),
    "scorecard_question_notes":
        lambda s: _table("scorecard_question_notes").c.scorecard_id.in_(s.scorecard_ids),
    "scorecard_signals": lambda s: _table("scorecard_signals").c.scorecard_id.in_(s.scorecard_ids),
    "scorecard_revisions":
        lambda s: _table("scorecard_revisions").c.scorecard_id.in_(s.scorecard_ids),
    "pre_offer_checks": lambda s: _table("pre_offer_checks").c.candidate_id == s.id,
    "decisions": lambda s: _table("decisions").c.candidate_id == s.id,
    "interviews": lambda s: _table("interviews").c.candidate_id == s.id,
    "interview_changes": lambda s: _table("interview_changes").c.interview_id.in_(s.interview_ids),
    "calendar_pushes": lambda s: _table("calendar_pushes").c.interview_id.in_(s.interview_ids),
    "outbox_mail": lambda s: _table("outbox_mail").c.id.in_(s.mail_ids),
    "audit_events": lambda s: or_(
        _about([("candidates", [s.id]), ("interviews", s.interview_ids),
                ("scorecards", s.scorecard_ids), ("loops", s.loop_ids),
                ("decisions", s.decision_ids), ("pre_offer_checks", s.check_ids),
                ("outbox_mail", s.mail_ids)]),
        cast(_table("audit_events").c.detail, Text).contains(s.candidate.email, autoescape=True)),
    # The candidate's own events only (bodies are compact JSON with sorted keys): matching
    # the external id as text would reach other candidates' events that contain it.
    "webhook_events": lambda s: _table("webhook_events").c.body
        .contains(f'"candidate_id":{s.id},', autoescape=True),
    "api_idempotent_requests": lambda s: _table("api_idempotent_requests").c.response_body
        .contains(s.candidate.email, autoescape=True),
}


def _check_scopes() -> dict[str, dict[str, Personal]]:
    personal = personal_columns()
    missing = sorted(set(personal) - set(SCOPES))
    if missing:  # a new table of personal data that erasure would not reach
        raise RuntimeError(f"No scope for the personal data in {', '.join(missing)}.")
    return personal


def erasure_of(session: Session, candidate_id: int) -> CandidateErasure | None:
    return session.scalar(select(CandidateErasure).where(
        CandidateErasure.candidate_id == candidate_id))


def upcoming_interviews(session: Session, candidate: Candidate, now: datetime) -> int:
    return len(_ids(session, Interview.id, and_(
        Interview.candidate_id == candidate.id, Interview.status == InterviewStatus.SCHEDULED,
        Interview.ends_at > now)))


@dataclass(frozen=True)
class Erasure:
    record: CandidateErasure
    already: bool  # erased before: nothing was done this time
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows changed or deleted
    mail_withdrawn: int = 0
    calendars_rewritten: int = 0


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) not in limits.ERASURE_REASON:
        raise InvalidErasure(f"Give the reason for the erasure, 1 to "
                             f"{limits.ERASURE_REASON.high} characters.", "reason")
    return reason


def _erased_value(entry: Personal, old: Any, subject: Subject) -> Any:
    if entry.how == How.NULL:
        return None
    if old is None:
        return None
    if entry.how == How.PLACEHOLDER:
        return old if old == "" else (entry.placeholder or "").format(id=subject.id)
    if entry.how == How.SCORECARD_SNAPSHOT:
        return scorecard_snapshot(old) if isinstance(old, dict) else old
    if isinstance(old, str):
        return subject.replacements.in_text(old)
    return subject.replacements.in_json(old)


def _withdraw_mail_to(session: Session, subject: Subject) -> int:
    """Mail to the candidate: withdrawn if not yet sent (nor in doubt), and blanked."""
    withdrawn = 0
    for mail in session.scalars(select(OutboxMail).where(
            OutboxMail.id.in_(subject.mail_ids),
            OutboxMail.recipient == subject.candidate.email)):
        if mail.state in (MailState.PENDING, MailState.REFUSED):
            withdrawn += mail.state == MailState.PENDING or mail.next_attempt_at is not None
            mail.state, mail.next_attempt_at, mail.last_error = MailState.REFUSED, None, WITHDRAWN
        mail.idempotency_key = f"erased:{mail.id}"
        mail.recipient = ERASED_EMAIL.format(id=subject.id)
        mail.subject = mail.body = ERASED
        mail.calendar = mail.calendar_method = None
    session.flush()
    return withdrawn


def _erase_rows(session: Session, subject: Subject) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, columns in _check_scopes().items():
        table, where = _table(name), SCOPES[name](subject)
        if any(e.how == How.DELETE_ROW for e in columns.values()):
            result = session.execute(delete(table).where(where))
            counts[name] = getattr(result, "rowcount", 0) or 0
            continue
        keys = list(table.primary_key.columns)
        changed = 0
        for row in session.execute(select(*keys, *(table.c[c] for c in columns)).where(where)):
            values = {}
            for column, entry in columns.items():
                old = row._mapping[column]
                new = _erased_value(entry, old, subject)
                if new != old:
                    values[column] = new
            if not values:
                continue
            if "version" in table.c:  # an open form on the old text is refused (409)
                values["version"] = table.c.version + 1
            session.execute(update(table).where(*(k == row._mapping[k.name] for k in keys))
                            .values(**values))
            changed += 1
        counts[name] = changed
    return counts


def erase_candidate(session: Session, actor: Actor, candidate: Candidate, reason: str, *,
                    rule: RetentionRule | None = None, now: datetime | None = None) -> Erasure:
    """Replace every personal field of ``candidate`` everywhere it is held, keep the ratings
    and outcomes, withdraw mail to them not yet sent, write their interviews to calendars
    again, and record that (not what) it was erased. Erasing again does nothing.

    Refused while the candidate has interviews still to come: cancel them first."""
    if rule is None and actor.user is None:
        raise Forbidden("Only a person (an admin) erases a candidate without a retention rule.")
    reason = clean_reason(reason)
    earlier = erasure_of(session, candidate.id)
    if earlier is not None:
        return Erasure(earlier, already=True)
    now = now or utcnow()
    coming = upcoming_interviews(session, candidate, now)
    if coming:
        raise Conflict(f"This candidate has {coming} interview(s) still to come: cancel them "
                       "first (the panel and the candidate are told), then erase.")
    session.flush()
    subject = subject_of(session, candidate)
    kept_reason = subject.replacements.in_text(reason)[:limits.ERASURE_REASON.high]
    withdrawn = _withdraw_mail_to(session, subject)
    counts = _erase_rows(session, subject)
    session.expire_all()  # the rows above changed under the session's objects
    rewritten = calendars.rewrite(session, subject.interview_ids, now=now)
    erasure = CandidateErasure(candidate_id=subject.id, erased_at=now,
                               erased_by_id=actor.user_id if rule is None else None,
                               rule_id=rule.id if rule is not None else None,
                               reason=kept_reason)
    session.add(erasure)
    session.flush()
    record(session, actor, "candidate_erased", candidate, reason=kept_reason,
           rule_id=rule.id if rule is not None else None,
           rows={k: v for k, v in counts.items() if v}, mail_withdrawn=withdrawn)
    session.flush()
    return Erasure(erasure, already=False, rows=counts, mail_withdrawn=withdrawn,
                   calendars_rewritten=rewritten)


def get_candidate(session: Session, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound("No such candidate.")
    return candidate


def find_candidates(session: Session, email: str, *, limit: int = 50) -> list[Candidate]:
    """Candidates with this email, on any requisition (an admin answering a request)."""
    email = email.strip().lower()
    if not email:
        return []
    return list(session.scalars(select(Candidate).where(Candidate.email == email)
                                .order_by(Candidate.id).limit(limit)))


def held_rows(session: Session, candidate: Candidate) -> dict[str, int]:
    """How many rows of each table hold this candidate's personal data (for the
    confirmation page)."""
    subject = subject_of(session, candidate)
    found = {}
    for name in _check_scopes():
        table = _table(name)
        found[name] = len(session.execute(
            select(*table.primary_key.columns).where(SCOPES[name](subject))).all())
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


#: What the export leaves out, being staff's rather than the candidate's: the calendars of
#: the panel (where their events are written), and the staff's addresses in the audit log.
EXPORT_LEAVES_OUT = frozenset({"calendar_pushes", ("audit_events", "ip")})


def export_candidate(session: Session, actor: Actor, candidate: Candidate, *,
                     now: datetime | None = None) -> dict[str, Any]:
    """Everything held on the candidate, for a subject access request: every row of every
    table that holds their personal data (the rows erasure would reach), whole, but for
    what is staff's (``EXPORT_LEAVES_OUT``) and mail to others (the panel's invites carry
    their own accept / decline links). Audited (that it was exported, by whom: not what)."""
    subject = subject_of(session, candidate)
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in _check_scopes():
        if name in EXPORT_LEAVES_OUT:
            continue
        table = _table(name)
        keys = list(table.primary_key.columns)
        where = SCOPES[name](subject)
        if name == "outbox_mail":  # only mail to them: the panel's carries its answer links
            where = and_(where, table.c.recipient == candidate.email)
        rows = session.execute(select(table).where(where).order_by(*keys))
        tables[name] = [{k: _plain(v) for k, v in row._mapping.items()
                         if (name, k) not in EXPORT_LEAVES_OUT} for row in rows]
    erasure = erasure_of(session, candidate.id)
    record(session, actor, "candidate_exported", candidate)
    session.flush()
    return {"candidate_id": candidate.id, "exported_at": (now or utcnow()).isoformat(),
            "erased_at": erasure.erased_at.isoformat() if erasure else None,
            "tables": tables}

