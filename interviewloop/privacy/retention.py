"""Retention rules: "erase the personal data of candidates rejected (or withdrawn) more than
N days ago". A candidate's outcome is at least as old as their last change (``updated_at``:
recording the outcome changed the row), so a rule never erases anyone sooner than it says.

``matching`` is the one query for the preview and for applying a rule, so the preview lists
exactly whom applying would erase. Candidates with interviews still to come are held back
(erasure refuses them) and counted apart."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Exists, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from interviewloop import limits
from interviewloop.audit.service import SYSTEM, Actor, record
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, DomainError, NotFound
from interviewloop.paging import FIRST, LIST_PAGE, Cursor, Keyset, Page, keyset_page, row_id
from interviewloop.privacy.models import CandidateErasure, RetentionRule
from interviewloop.privacy.service import erase_candidate
from interviewloop.requisitions.models import Candidate, CandidateStatus
from interviewloop.scheduling.models import Interview, InterviewStatus

OUTCOMES = {"rejected": CandidateStatus.REJECTED, "withdrawn": CandidateStatus.WITHDRAWN}


class InvalidRule(DomainError):
    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleRule(Conflict):
    def __init__(self) -> None:
        super().__init__("Someone else changed this rule while you were editing. Your input "
                         "is shown below; check the rule and save again.")


@dataclass
class RuleInput:
    name: str
    outcomes: list[str]
    after_days: int | None
    enabled: bool = True


def _clean(session: Session, data: RuleInput, rule: RetentionRule | None) -> dict[str, object]:
    name = (data.name or "").strip()
    if len(name) not in limits.RETENTION_RULE_NAME:
        raise InvalidRule(f"A rule's name is 1 to {limits.RETENTION_RULE_NAME.high} "
                          "characters.", "name")
    clash = session.scalar(select(RetentionRule.id).where(RetentionRule.name == name))
    if clash is not None and (rule is None or clash != rule.id):
        raise InvalidRule("A retention rule with this name exists already.", "name")
    unknown = set(data.outcomes) - set(OUTCOMES)
    if unknown or not data.outcomes:
        raise InvalidRule("Choose the outcomes the rule applies to: rejected, withdrawn or "
                          "both.", "outcomes")
    if data.after_days is None or data.after_days not in limits.RETENTION_DAYS:
        raise InvalidRule(f"Wait {limits.RETENTION_DAYS.low} to {limits.RETENTION_DAYS.high:,} "
                          "days.", "after_days")
    return {"name": name, "rejected": "rejected" in data.outcomes,
            "withdrawn": "withdrawn" in data.outcomes, "after_days": data.after_days,
            "enabled": bool(data.enabled)}


def create_rule(session: Session, actor: Actor, data: RuleInput) -> RetentionRule:
    rule = RetentionRule(created_by_id=actor.person.id, **_clean(session, data, None))
    session.add(rule)
    session.flush()
    record(session, actor, "retention_rule_created", rule, name=rule.name,
           outcomes=rule.outcomes, after_days=rule.after_days, enabled=rule.enabled)
    return rule


def update_rule(session: Session, actor: Actor, rule: RetentionRule, data: RuleInput, *,
                seen_version: int) -> RetentionRule:
    if seen_version != rule.version:
        raise StaleRule
    values = _clean(session, data, rule)
    changed = sorted(k for k, v in values.items() if getattr(rule, k) != v)
    for name, value in values.items():
        setattr(rule, name, value)
    session.flush()
    if changed:
        record(session, actor, "retention_rule_updated", rule, fields=changed,
               outcomes=rule.outcomes, after_days=rule.after_days, enabled=rule.enabled)
    return rule


def rules(session: Session) -> list[RetentionRule]:
    return list(session.scalars(select(RetentionRule).order_by(RetentionRule.name)))


def get_rule(session: Session, rule_id: int) -> RetentionRule:
    rule = session.get(RetentionRule, rule_id)
    if rule is None:
        raise NotFound("No such retention rule.")
    return rule


def _due(rule: RetentionRule, now: datetime) -> Select[Candidate]:
    """Candidates with the rule's outcomes, unchanged for its days, not yet erased."""
    statuses = [OUTCOMES[name] for name in rule.outcomes]
    return select(Candidate).where(
        Candidate.status.in_(statuses),
        Candidate.updated_at <= now - timedelta(days=rule.after_days),
        ~exists().where(CandidateErasure.candidate_id == Candidate.id))


def _coming(now: datetime) -> Exists:
    return exists().where(and_(Interview.candidate_id == Candidate.id,
                               Interview.status == InterviewStatus.SCHEDULED,
                               Interview.ends_at > now))


def matching(rule: RetentionRule, now: datetime) -> Select[Candidate]:
    """Whom applying the rule now erases."""
    return _due(rule, now).where(~_coming(now))


MATCH_ORDER = Keyset((Candidate.id,), (row_id,))


@dataclass(frozen=True)
class Preview:
    rule: RetentionRule
    count: int  # candidates applying the rule now would erase
    held_back: int  # due, but with interviews still to come
    page: Page[Candidate]


def _count(session: Session, stmt: Select[Candidate]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def preview(session: Session, rule: RetentionRule, *, now: datetime | None = None,
            cursor: Cursor = FIRST, size: int = LIST_PAGE) -> Preview:
    now = now or utcnow()
    page = keyset_page(session, matching(rule, now), MATCH_ORDER, cursor, lambda c: (c.id,),
                       size=size)
    return Preview(rule, _count(session, matching(rule, now)),
                   _count(session, _due(rule, now).where(_coming(now))), page)


@dataclass
class RuleRun:
    rule_id: int
    name: str
    erased: list[int] = field(default_factory=list)  # candidate ids (or, dry, to be erased)
    refused: list[tuple[int, str]] = field(default_factory=list)


def apply_retention(transaction: Callable[[], AbstractContextManager[Session]], *,
                    dry_run: bool = False, now: datetime | None = None) -> list[RuleRun]:
    """Apply every enabled rule: each matching candidate erased in a transaction of its
    own (``transaction()`` commits when its block ends), so that a long run keeps what it
    did. A dry run only lists them, changing nothing. Running it twice erases nobody twice."""
    now = now or utcnow()
    with transaction() as session:
        runs = [(RuleRun(rule.id, rule.name), list(session.scalars(
                    matching(rule, now).with_only_columns(Candidate.id).order_by(Candidate.id))))
                for rule in rules(session) if rule.enabled]
    if dry_run:
        for run, ids in runs:
            run.erased.extend(ids)
        return [run for run, _ in runs]
    for run, ids in runs:
        for candidate_id in ids:
            try:
                with transaction() as session:
                    rule = session.get_one(RetentionRule, run.rule_id)
                    candidate = session.get_one(Candidate, candidate_id)
                    done = erase_candidate(session, SYSTEM, candidate,
                                           f"Retention rule #{rule.id}: {rule.name}",
                                           rule=rule, now=now)
                    if not done.already:
                        run.erased.append(candidate_id)
            except DomainError as exc:  # changed meanwhile (an interview booked): next run
                run.refused.append((candidate_id, str(exc)))
    return [run for run, _ in runs]
