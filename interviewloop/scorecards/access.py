"""Independence: who may see which scorecards on a candidate.

- A draft is visible to its author alone.
- Someone on the panel of any of the candidate's interviews sees no other scorecard
  (no rating, note, signal or recommendation) until every scorecard of theirs on that
  candidate is submitted, whatever their role.
- After that, interviewers see the panel's submitted scorecards, unless the requisition
  keeps them hidden until the debrief (every held interview's scorecards submitted).
- The requisition's hiring manager and recruiter and admins see every submitted
  scorecard, subject to the rule above when they also interview the candidate.
- A trainee's scorecard (shadow or reverse-shadow seat) is a practice card: its author
  and their coach (the named coach, or the pool's owner) read it, nobody else, and the
  coach only once their own scorecards on that candidate are in. It counts nowhere (not
  in the debrief, tally, offer gate, analytics, submitted counts) and a trainee's seat owes
  nothing: both through the two clauses below, the one place that says so. The trainee
  is otherwise an interviewer of the candidate like any other: they see nothing before
  every card of theirs (the practice one included) is in, and then what other
  interviewers see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from interviewloop.auth.models import User
from interviewloop.db import utcnow
from interviewloop.enums import PanelRole
from interviewloop.errors import NotFound
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.pools.access import can_read_practice
from interviewloop.pools.models import Pool, PoolMember
from interviewloop.pools.service import pool_for_stage
from interviewloop.requisitions.candidates import get_candidate
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.requisitions.service import (
    can_manage,
    get_requisition,
    managed_clause,
    visible_clause,
    visible_to,
)
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.models import Scorecard, ScorecardStatus


def counted_clause(scorecard: Any = Scorecard) -> ColumnElement[bool]:
    """The scorecard counts (it is not a trainee's practice card). ``scorecard``: the
    Scorecard entity or an alias of it. Every read that tallies, averages, gates or counts
    scorecards filters with this."""
    counts: ColumnElement[bool] = scorecard.panel_role == PanelRole.PANEL
    return counts


def owes_clause(panelist: Any = Panelist) -> ColumnElement[bool]:
    """The panelist's seat owes a counted scorecard (a trainee's seat owes none: a missing
    practice card holds no debrief, gate or decision back). ``panelist``: Panelist or an
    alias of it."""
    owes: ColumnElement[bool] = panelist.role == PanelRole.PANEL
    return owes


@dataclass(frozen=True)
class PanelAccess:
    """What a viewer may see of a candidate's scorecards, and why not, if not."""

    sees_panel: bool
    reason: str = ""


def _live_interviews_with(viewer: User, candidate: Candidate) -> Select[int]:
    return select(Interview.id).join(Panelist, Panelist.interview_id == Interview.id).where(
        Interview.candidate_id == candidate.id, Interview.status == InterviewStatus.SCHEDULED,
        Panelist.user_id == viewer.id)


def own_pending(session: Session, viewer: User, candidate: Candidate) -> bool:
    """Does the viewer interview this candidate without a submitted scorecard for it?"""
    submitted = exists().where(Scorecard.interview_id == Interview.id,
                               Scorecard.interviewer_id == viewer.id,
                               Scorecard.status == ScorecardStatus.SUBMITTED)
    return session.scalar(select(
        exists(_live_interviews_with(viewer, candidate).where(~submitted)))) or False


def interviews_candidate(session: Session, viewer: User, candidate: Candidate) -> bool:
    return session.scalar(select(exists(_live_interviews_with(viewer, candidate)))) or False


def debrief_open(session: Session, candidate: Candidate) -> bool:
    """Every panelist of every interview held so far has submitted (trainees aside)."""
    # Correlated by name: SQLAlchemy correlates a subquery only to the one enclosing it, so
    # the innermost would take Interview as a table of its own (any interview of any
    # candidate): the debrief would open once each panelist had submitted a card anywhere.
    missing = exists().where(
        Panelist.interview_id == Interview.id, owes_clause(),
        ~exists().where(and_(Scorecard.interview_id == Interview.id,
                             Scorecard.interviewer_id == Panelist.user_id,
                             Scorecard.status == ScorecardStatus.SUBMITTED))
        .correlate(Interview, Panelist))
    return not session.scalar(select(exists().where(
        Interview.candidate_id == candidate.id, Interview.status == InterviewStatus.SCHEDULED,
        Interview.starts_at <= utcnow(), missing)))


def panel_access(session: Session, viewer: User, requisition: Requisition,
                 candidate: Candidate, *, pending: bool | None = None) -> PanelAccess:
    """``pending``: own_pending, when the caller has read it with the candidate
    (own_pending_clause, as panel_of does)."""
    if own_pending(session, viewer, candidate) if pending is None else pending:
        return PanelAccess(False, "Submit your own scorecard for this candidate first: "
                                  "interviewers score independently.")
    if can_manage(viewer, requisition):
        return PanelAccess(True)
    if not interviews_candidate(session, viewer, candidate):
        return PanelAccess(False, "Only the candidate's interviewers and the hiring team's "
                                  "managers see scorecards.")
    if requisition.hide_scorecards_until_debrief and not debrief_open(session, candidate):
        return PanelAccess(False, "This requisition keeps scorecards hidden from other "
                                  "interviewers until every scorecard is in.")
    return PanelAccess(True)


@cache
def _panel_query(is_admin: bool) -> Select[Requisition, Candidate, bool]:
    """panel_of's statement, built once (building it cost about what running it does)."""
    viewer: BindParameter[Any] = bindparam("viewer_id")
    return (select(Requisition, Candidate, _own_pending_of(viewer))
            .join(Candidate, Candidate.requisition_id == Requisition.id)
            .where(Requisition.id == bindparam("requisition_id"),
                   Candidate.id == bindparam("candidate_id"), visible_to(is_admin, viewer)))


def panel_of(session: Session, viewer: User, requisition_id: int, candidate_id: int
             ) -> tuple[Requisition, Candidate, PanelAccess]:
    """The requisition (get_requisition's rule, without its team), its candidate and what
    ``viewer`` may see of the candidate's panel: the three, and own_pending, read in one
    statement (the debrief's pages ask this on every request). With no such row, the two
    reads again, so that each says what is missing (NotFound)."""
    row = session.execute(_panel_query(viewer.is_admin), {
        "viewer_id": viewer.id, "requisition_id": requisition_id,
        "candidate_id": candidate_id}).one_or_none()
    if row is None:
        requisition = get_requisition(session, viewer, requisition_id, team=False)
        candidate = get_candidate(session, requisition, candidate_id)
        return requisition, candidate, panel_access(session, viewer, requisition, candidate)
    requisition, candidate, pending = row
    return requisition, candidate, panel_access(session, viewer, requisition, candidate,
                                                pending=bool(pending))


def may_view(session: Session, viewer: User, requisition: Requisition,
             scorecard: Scorecard) -> bool:
    if scorecard.interviewer_id == viewer.id:
        return True
    if scorecard.status != ScorecardStatus.SUBMITTED:
        return False
    if scorecard.is_practice:
        return may_read_practice(session, viewer, scorecard)
    candidate = session.get_one(Candidate, scorecard.candidate_id)
    return panel_access(session, viewer, requisition, candidate).sees_panel


def may_read_practice(session: Session, viewer: User, scorecard: Scorecard) -> bool:
    """A practice card: its author's, and (submitted) their coach's, once the coach has no
    scorecard of their own pending on that candidate. The hiring team does not read it."""
    if scorecard.interviewer_id == viewer.id:
        return True
    if not scorecard.is_practice or scorecard.status != ScorecardStatus.SUBMITTED:
        return False
    stage_id = session.scalar(select(Interview.stage_id).where(
        Interview.id == scorecard.interview_id))
    pool = pool_for_stage(session, session.get_one(LoopStage, stage_id))
    member = session.get(PoolMember, (pool.id, scorecard.interviewer_id)) if pool else None
    if not can_read_practice(viewer, pool, member, scorecard.interviewer_id):
        return False
    candidate = session.get_one(Candidate, scorecard.candidate_id)
    return not own_pending(session, viewer, candidate)


def readable_requisition(session: Session, viewer: User, scorecard: Scorecard) -> Requisition:
    """The scorecard's requisition, if ``viewer`` may read the scorecard; NotFound if not
    (the scorecard page and the API both ask this). A practice card is its author's and
    their coach's, who need not be on the hiring team; the hiring team does not read it."""
    requisition_id = session.scalar(select(Candidate.requisition_id).where(
        Candidate.id == scorecard.candidate_id))
    if requisition_id is None:
        raise NotFound("No such scorecard.")
    if scorecard.is_practice:
        if not may_read_practice(session, viewer, scorecard):
            raise NotFound("No such scorecard.")
        return session.get_one(Requisition, requisition_id)
    requisition = get_requisition(session, viewer, requisition_id)
    if not may_view(session, viewer, requisition, scorecard):
        raise NotFound("No such scorecard.")
    return requisition


# --- the same rule as SQL, for pages that aggregate over many candidates (analytics) ------

# Aliases throughout: the caller's query may itself select from these tables, and a bare
# Interview here would be correlated to (taken as) the caller's row. Made once: an alias
# costs more to build than the rest of a clause (the debrief builds these on every
# request), and one alias may sit in sibling subqueries of a statement (each EXISTS has its
# own FROM); only the nesting below correlates them, as it must.
_I1, _P1, _S1 = aliased(Interview), aliased(Panelist), aliased(Scorecard)
_I2, _P2 = aliased(Interview), aliased(Panelist)
_I3, _P3, _S3 = aliased(Interview), aliased(Panelist), aliased(Scorecard)
_I4, _ST4, _L4 = aliased(Interview), aliased(LoopStage), aliased(Loop)
_PO4, _M4 = aliased(Pool), aliased(PoolMember)


def live(interview: Any) -> ColumnElement[bool]:  # an aliased Interview
    return and_(interview.candidate_id == Candidate.id,
                interview.status == InterviewStatus.SCHEDULED)


def own_pending_clause(viewer: User) -> ColumnElement[bool]:
    """own_pending as SQL, for a query over Candidate: the viewer sits on one of the
    candidate's live panels (in any seat) without their scorecard for it submitted."""
    return _own_pending_of(viewer.id)


def _own_pending_of(viewer_id: Any) -> ColumnElement[bool]:
    """own_pending_clause for the viewer's id, or a bound parameter for it."""
    i1, p1, s1 = _I1, _P1, _S1
    return exists().where(live(i1), p1.interview_id == i1.id, p1.user_id == viewer_id,
                          ~exists().where(s1.interview_id == i1.id,
                                          s1.interviewer_id == viewer_id,
                                          s1.status == ScorecardStatus.SUBMITTED))


def sees_panel_clause(viewer: User, now: datetime) -> ColumnElement[bool]:
    """True for the rows of a query over Candidate joined to its Requisition whose debrief
    ``viewer`` may open: get_requisition's team rule, then panel_access, condition by
    condition (own_pending, can_manage, interviews_candidate, debrief_open). Kept beside
    panel_access so that the two change together; tests/test_analytics_access.py checks
    they agree for every kind of viewer."""
    pending = own_pending_clause(viewer)
    i2, p2 = _I2, _P2
    interviews = exists().where(live(i2), p2.interview_id == i2.id, p2.user_id == viewer.id)
    i3, p3, s3 = _I3, _P3, _S3
    panelist_missing = exists().where(  # correlated by name: as debrief_open's
        p3.interview_id == i3.id, owes_clause(p3),
        ~exists().where(s3.interview_id == i3.id, s3.interviewer_id == p3.user_id,
                        s3.status == ScorecardStatus.SUBMITTED).correlate(i3, p3))
    is_open = ~exists().where(live(i3), i3.starts_at <= now, panelist_missing)
    return and_(
        Candidate.requisition_id == Requisition.id, visible_clause(viewer), ~pending,
        or_(managed_clause(viewer),
            and_(interviews, or_(not_(Requisition.hide_scorecards_until_debrief), is_open))))


def coached_clause(viewer: User) -> ColumnElement[bool]:
    """For a query over Scorecard: ``viewer`` coaches its author in the pool of the card's
    stage (pools/access.coaches_of: the pool's owner, or the author's named coach)."""
    i4, st4, l4, p4, m4 = _I4, _ST4, _L4, _PO4, _M4
    # Correlated by name (to the pool, and to the caller's Scorecard two levels up): else
    # the caller's Scorecard would be a table of its own here, and a coach of one member
    # would read every member's practice cards.
    named = exists().where(m4.pool_id == p4.id, m4.user_id == Scorecard.interviewer_id,
                           m4.coach_id == viewer.id).correlate(p4, Scorecard)
    # Correlated by name too: the API's list asks this inside an EXISTS over the card's
    # candidate, two levels below the Scorecard.
    return exists().where(i4.id == Scorecard.interview_id, st4.id == i4.stage_id,
                          l4.id == st4.loop_id, p4.category == st4.category,
                          p4.level == l4.level, or_(p4.owner_id == viewer.id, named)
                          ).correlate(Scorecard)


def may_view_submitted_clause(viewer: User, now: datetime) -> ColumnElement[bool]:
    """may_view (and, for practice cards, may_read_practice) as SQL, for a query over
    submitted Scorecards joined to their Candidate and its Requisition: the author's own;
    a counted card where sees_panel_clause holds; a practice card for its coach once their
    own scorecards on the candidate are in. tests/test_scorecard_independence.py checks it
    agrees with may_view for every kind of viewer."""
    mine = Scorecard.interviewer_id == viewer.id
    counted = counted_clause()
    return and_(
        Scorecard.status == ScorecardStatus.SUBMITTED,
        or_(and_(counted, or_(and_(mine, visible_clause(viewer)),
                              sees_panel_clause(viewer, now))),
            and_(~counted, or_(mine, and_(coached_clause(viewer),
                                          ~own_pending_clause(viewer))))))


def can_chase(user: User | None, requisition: Requisition) -> bool:
    """Send an interviewer a reminder about a scorecard they owe: the requisition's hiring
    manager and recruiter, and admins (who see whose cards are owed, never their contents);
    not its interviewers, nor anyone off its team."""
    return can_manage(user, requisition)
