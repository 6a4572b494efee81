"""The debrief (aggregated in SQL), the pre-offer check and the decision it gates."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased, joinedload

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User
from interviewloop.bank.models import CapabilityArea
from interviewloop.bank.service import areas as bank_areas
from interviewloop.db import plain_rows, utcnow
from interviewloop.debrief.models import ANSWERS, Answer, Decision, DecisionKind, PreOfferCheck
from interviewloop.debrief.notify import tell_hiring_team
from interviewloop.debrief.signals import decision_recorded, pre_offer_answered, reading_ratings
from interviewloop.errors import Conflict, DomainError, Forbidden
from interviewloop.loops.models import Loop, LoopStage
from interviewloop.requisitions.models import Candidate, CandidateStatus, Requisition
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist
from interviewloop.scorecards.access import counted_clause, owes_clause
from interviewloop.scorecards.models import (
    PreOfferQuestion,
    PreOfferSignal,
    QuestionNote,
    Rating,
    Recommendation,
    Scorecard,
    ScorecardStatus,
)

DISAGREEMENT_SPREAD = 2
MIN_RATERS = 2


class InvalidPreOffer(DomainError):
    status_code = 422

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


class InvalidDecision(DomainError):
    """The decision form is incomplete (a form error, like the pre-offer form's)."""

    status_code = 422


@dataclass(frozen=True)
class AreaStats:
    area: CapabilityArea
    count: int
    mean: float | None
    low: int | None
    high: int | None

    @property
    def spread(self) -> int | None:
        return None if self.low is None or self.high is None else self.high - self.low

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD

    @property
    def coverage_gap(self) -> bool:
        return self.count < MIN_RATERS


def area_stats(session: Session, candidate: Candidate, areas: list[CapabilityArea]
               ) -> list[AreaStats]:
    """Per area: how many rated it, the mean, lowest and highest, over the submitted
    counted scorecards' ratings (read as (area, rating) pairs; a debrief has a few dozen)."""
    return stats_of(session.execute(
        select(Rating.area_id, Rating.rating)
        .join(Scorecard, Scorecard.id == Rating.scorecard_id)
        .where(Scorecard.candidate_id == candidate.id, counted_clause(),
               Scorecard.status == ScorecardStatus.SUBMITTED)).all(), areas)


def stats_of(ratings: Iterable[tuple[int, int | None]], areas: list[CapabilityArea]
             ) -> list[AreaStats]:
    """The per-area statistics of (area id, rating) pairs; unrated ones (None) not counted.
    The debrief page passes the ratings of the scorecards it has loaded (no second read)."""
    by_area: dict[int, list[int]] = {}
    for area_id, rating in ratings:
        if rating is not None:
            by_area.setdefault(area_id, []).append(rating)
    return [AreaStats(area, len(got), sum(got) / len(got), min(got), max(got))
            if (got := by_area.get(area.id)) else AreaStats(area, 0, None, None, None)
            for area in areas]


def tally_of(recommendations: Iterable[Recommendation | None]) -> dict[Recommendation, int]:
    """How many scorecards recommend each way (every recommendation present, 0 or more)."""
    counts = Counter(recommendations)
    return {r: counts[r] for r in Recommendation}


class CardRating(NamedTuple):
    area_id: int
    rating: int | None  # None: not assessed
    evidence: str


class CardNote(NamedTuple):
    loop_question_id: int
    notes: str


class Card(NamedTuple):
    """A submitted counted scorecard as the debrief shows it, read as plain rows: building
    the ORM objects (scorecard, ratings, notes, interview, stage, interviewer) cost more
    than the page's SQL."""

    id: int
    interviewer_id: int
    interviewer_name: str
    stage_name: str
    recommendation: Recommendation
    summary: str
    ratings: tuple[CardRating, ...]  # by area id
    notes: tuple[CardNote, ...]  # by loop question id


# The debrief's statements are built once (functools.cache) and run with the candidate's
# id (and the time) as parameters: building a select costs about as much as running one
# of these small ones.
Rows = Select[*tuple[Any, ...]]


def _candidate_id() -> BindParameter[Any]:
    return bindparam("candidate_id")


def _of(candidate: Candidate) -> dict[str, Any]:
    return {"candidate_id": candidate.id}


def _submitted_counted() -> ColumnElement[bool]:
    return and_(Scorecard.candidate_id == _candidate_id(), counted_clause(),
                Scorecard.status == ScorecardStatus.SUBMITTED)


@cache
def _cards_query() -> Rows:
    return (select(Scorecard.id, Scorecard.interviewer_id, User.name, LoopStage.name,
                   Scorecard.recommendation, Scorecard.summary,
                   Rating.area_id, Rating.rating, Rating.evidence)
            .join(Interview, Interview.id == Scorecard.interview_id)
            .join(LoopStage, LoopStage.id == Interview.stage_id)
            .join(User, User.id == Scorecard.interviewer_id)
            .outerjoin(Rating, Rating.scorecard_id == Scorecard.id)
            .where(_submitted_counted())
            .order_by(Interview.starts_at, Scorecard.id, Rating.area_id))


def cards_and_signals(session: Session, candidate: Candidate
                      ) -> tuple[list[Card], dict[PreOfferQuestion, list[Signal]]]:
    """The candidate's submitted counted scorecards by interview time, and their pre-offer
    signals under the three questions, in two statements: the cards with their ratings
    (one row per rating), then the question notes and the signals together (_extras_query)."""
    rows = plain_rows(session, _cards_query(), _of(candidate))
    notes, signals = _notes_and_signals(session, candidate)
    cards = []
    for card_id, group in groupby(rows, key=itemgetter(0)):
        card_rows = list(group)
        _id, who, name, stage, recommendation, summary, *_rating = card_rows[0]
        assert recommendation is not None  # a submitted card has one (submitted_is_complete)
        ratings = tuple(CardRating(*row[6:]) for row in card_rows
                        if row[6] is not None)  # a card without ratings: one row, no area
        cards.append(Card(card_id, who, name, stage, recommendation, summary, ratings,
                          notes.get(card_id, ())))
    return cards, signals


def reading_aids(session: Session, viewer: User, candidate: Candidate, cards: list[Card]
                 ) -> dict[tuple[int, int], Any]:
    """{(scorecard, area): a reading aid} from the features above (analytics: the rating
    with its interviewer's leniency removed), for the debrief page only."""
    ratings = [(c.id, c.interviewer_id, r.area_id, r.rating) for c in cards for r in c.ratings]
    aids: dict[tuple[int, int], Any] = {}
    for _receiver, found in reading_ratings.send(session, viewer=viewer,
                                                 candidate_id=candidate.id, ratings=ratings):
        aids.update(found)
    return aids


class CardState(enum.StrEnum):
    """Where a panelist's scorecard stands."""

    SUBMITTED = "submitted"
    DRAFT = "draft"  # started, the interview held, not yet due
    OVERDUE = "overdue"
    DUE = "due"  # not started, the interview held, not yet overdue
    UPCOMING = "upcoming"  # the interview has not started


class Interviewer(NamedTuple):
    id: int
    name: str


class PanelState(NamedTuple):
    """One panelist's seat on a live interview and where their scorecard stands (plain
    values: the debrief builds no interview, stage or user objects for them)."""

    interview_id: int
    stage_name: str
    starts_at: datetime
    interviewer: Interviewer
    scorecard_id: int | None
    state: CardState


_STAGE, _SEAT = 0, 1  # the kinds of row of _stages_and_seats_query


@cache
def _stages_and_seats_query() -> CompoundSelect:
    """The candidate's planned stages (whether each was held) and the seats of its live
    interviews with their scorecards, one statement for both (a UNION ALL, each side padded
    with NULLs to the same columns, the first select typing them): a stage's row is (kind,
    held, position, name), in the loop's order; a seat's (kind, None, None, stage name,
    interview, starts, ends, panelist id, name, scorecard, status), by time and name."""
    nothing = null()
    held = exists().where(Interview.stage_id == LoopStage.id,
                          Interview.status == InterviewStatus.SCHEDULED,
                          Interview.ends_at <= bindparam("now"))
    stages = (select(literal_column(str(_STAGE)).label("kind"), held.label("held"),
                     LoopStage.position, LoopStage.name,
                     type_coerce(nothing, Integer).label("interview_id"),
                     type_coerce(nothing, Interview.starts_at.type).label("starts_at"),
                     type_coerce(nothing, Interview.ends_at.type).label("ends_at"),
                     type_coerce(nothing, Integer).label("user_id"),
                     type_coerce(nothing, Text).label("user_name"),
                     type_coerce(nothing, Integer).label("scorecard_id"),
                     type_coerce(nothing, Scorecard.status.type).label("status"))
              .join(Loop, Loop.id == LoopStage.loop_id)
              .where(Loop.candidate_id == _candidate_id()))
    seats: Rows = (
        select(literal_column(str(_SEAT)), nothing, nothing, LoopStage.name, Interview.id,
               Interview.starts_at, Interview.ends_at, User.id, User.name, Scorecard.id,
               Scorecard.status)
        .join(Panelist, Panelist.interview_id == Interview.id)
        .join(User, User.id == Panelist.user_id)
        .join(LoopStage, LoopStage.id == Interview.stage_id)
        .outerjoin(Scorecard, and_(Scorecard.interview_id == Interview.id,
                                   Scorecard.interviewer_id == User.id))
        .where(Interview.candidate_id == _candidate_id(), owes_clause(),
               Interview.status == InterviewStatus.SCHEDULED))
    both = union_all(stages, seats)
    c = both.selected_columns
    return both.order_by(c.kind, c.position, c.starts_at, c.user_name)


def coverage_and_states(session: Session, candidate: Candidate, *, now: datetime,
                        due_hours: int) -> tuple[StageCoverage, list[PanelState]]:
    """stage_coverage and every panelist of every live interview with the state of their
    scorecard, in one statement (_stages_and_seats_query)."""
    held: list[tuple[str, bool]] = []
    states = []
    for (kind, done, _position, stage, interview_id, starts_at, ends_at, user_id, name,
         scorecard_id, status) in plain_rows(session, _stages_and_seats_query(),
                                             {**_of(candidate), "now": now}):
        if kind == _STAGE:
            held.append((stage, done))
        else:
            states.append(PanelState(
                interview_id, stage, starts_at, Interviewer(user_id, name), scorecard_id,
                card_state(status, starts_at, ends_at, now=now, due_hours=due_hours)))
    coverage = StageCoverage(len(held), sum(1 for _name, done in held if done),
                             [name for name, done in held if not done])
    return coverage, states


def card_state(status: ScorecardStatus | None, starts_at: datetime, ends_at: datetime, *,
               now: datetime, due_hours: int) -> CardState:
    """Where a seat's scorecard stands (status None: not started)."""
    if status == ScorecardStatus.SUBMITTED:
        return CardState.SUBMITTED
    if ends_at + timedelta(hours=due_hours) < now:
        return CardState.OVERDUE
    if starts_at > now:
        return CardState.UPCOMING
    return CardState.DRAFT if status == ScorecardStatus.DRAFT else CardState.DUE


class Signal(NamedTuple):
    """One interviewer's pre-offer signal on one question."""

    interviewer_id: int
    name: str
    value: str
    evidence: str


_NOTE, _SIGNAL = 0, 1  # the kinds of row of _extras_query


@cache
def _extras_query() -> CompoundSelect:
    """The question notes and the pre-offer signals of the submitted counted scorecards,
    one statement for both (a UNION ALL, each side padded with NULLs to the same columns):
    (kind, scorecard, loop question, notes) for a note, ordered by scorecard and question;
    (kind, scorecard, None, evidence, interviewer id, name, question, value) for a signal,
    ordered by the interviewer's name. The first select types the columns."""
    nothing = null()
    notes = (select(literal_column(str(_NOTE)).label("kind"), QuestionNote.scorecard_id,
                    QuestionNote.loop_question_id, QuestionNote.notes.label("text"),
                    type_coerce(nothing, Integer).label("user_id"),
                    type_coerce(nothing, Text).label("user_name"),
                    type_coerce(nothing, PreOfferSignal.question.type).label("question"),
                    type_coerce(nothing, PreOfferSignal.value.type).label("value"))
             .join(Scorecard, Scorecard.id == QuestionNote.scorecard_id)
             .where(_submitted_counted()))
    signals: Rows = (
        select(literal_column(str(_SIGNAL)), PreOfferSignal.scorecard_id, nothing,
               PreOfferSignal.evidence, User.id, User.name, PreOfferSignal.question,
               PreOfferSignal.value)
        .join(Scorecard, Scorecard.id == PreOfferSignal.scorecard_id)
        .join(User, User.id == Scorecard.interviewer_id)
        .where(_submitted_counted()))
    both = union_all(notes, signals)
    c = both.selected_columns
    return both.order_by(c.kind, c.user_name, c.scorecard_id, c.loop_question_id, c.question)


def _notes_and_signals(session: Session, candidate: Candidate
                       ) -> tuple[dict[int, tuple[CardNote, ...]],
                                  dict[PreOfferQuestion, list[Signal]]]:
    """{scorecard id: its question notes} and the signals under each question."""
    notes: dict[int, list[CardNote]] = {}
    signals: dict[PreOfferQuestion, list[Signal]] = {q: [] for q in PreOfferQuestion}
    for kind, card_id, loop_question_id, text, user_id, name, question, value in plain_rows(
            session, _extras_query(), _of(candidate)):
        if kind == _NOTE:
            notes.setdefault(card_id, []).append(CardNote(loop_question_id, text))
        else:
            signals[question].append(Signal(user_id, name, value.value, text))
    return {card_id: tuple(got) for card_id, got in notes.items()}, signals


def _outstanding(candidate: Candidate) -> Select[Any]:
    """Panelists of live interviews (held or not) whose scorecard is not submitted."""
    submitted = exists().where(and_(Scorecard.interview_id == Interview.id,
                                    Scorecard.interviewer_id == Panelist.user_id,
                                    Scorecard.status == ScorecardStatus.SUBMITTED))
    return (select(func.count()).select_from(Panelist)
            .join(Interview, Interview.id == Panelist.interview_id)
            .where(Interview.candidate_id == candidate.id, owes_clause(),
                   Interview.status == InterviewStatus.SCHEDULED, ~submitted))


def outstanding_count(session: Session, candidate: Candidate) -> int:
    return session.scalar(_outstanding(candidate)) or 0


def _scheduled(candidate: Candidate) -> Select[Any]:
    return select(func.count()).select_from(Interview).where(
        Interview.candidate_id == candidate.id, Interview.status == InterviewStatus.SCHEDULED)


@dataclass(frozen=True)
class StageCoverage:
    """How many of the loop's planned stages were held (an interview of it has ended)."""

    planned: int
    held: int
    unheld: list[str]  # the names of the planned stages not held, in the loop's order


def stage_coverage(session: Session, candidate: Candidate, *, now: datetime) -> StageCoverage:
    """The loop's planned stages and which were held (coverage_and_states, the seats left:
    no scorecard's state depends on them here)."""
    return coverage_and_states(session, candidate, now=now, due_hours=0)[0]


def offer_gaps(coverage: StageCoverage, stats: list[AreaStats]) -> list[str]:
    """What an offer would be made without: planned stages not held and capability areas
    rated by too few interviewers. An offer despite them needs a waiver with a reason."""
    return [*(f"{name}: not held" for name in coverage.unheld),
            *(f"{s.area.name}: rated by {s.count} interviewer{'s' if s.count != 1 else ''}"
              for s in stats if s.coverage_gap)]


def pre_offer_blocker(session: Session, candidate: Candidate,
                      states: list[PanelState] | None = None) -> str | None:
    """Why the pre-offer check cannot be answered yet, or None when it can.

    ``states``: the candidate's panel states (coverage_and_states), when the caller has them. Any
    seat among them is on a scheduled interview, and their seats not submitted are exactly
    the outstanding scorecards (the same seats, one scorecard per seat), so no count is read
    again; with none, an interview may still be scheduled (with trainees only), so it asks."""
    if states:
        scheduled = len(states)
        outstanding = sum(1 for s in states if s.state != CardState.SUBMITTED)
    else:
        scheduled, outstanding = session.execute(select(  # one statement for both counts
            _scheduled(candidate).scalar_subquery(),
            _outstanding(candidate).scalar_subquery())).one()
    if not scheduled:
        return "No interview has been scheduled for this candidate yet."
    if outstanding:
        return (f"{outstanding} scorecard{'s are' if outstanding != 1 else ' is'} still "
                "outstanding; the check opens once every interview's scorecards are in.")
    return None


# The check and the decision each with its person in one statement (names only: no roles
# query for them).
_MANAGER = joinedload(PreOfferCheck.manager).lazyload(User.role_rows)
_DECIDED_BY = joinedload(Decision.decided_by).lazyload(User.role_rows)


@cache
def _check_query() -> Select[PreOfferCheck]:
    return (select(PreOfferCheck).where(PreOfferCheck.candidate_id == _candidate_id())
            .options(_MANAGER))


@cache
def _decision_query() -> Select[Decision]:
    return (select(Decision).where(Decision.candidate_id == _candidate_id())
            .options(_DECIDED_BY).order_by(Decision.id.desc()).limit(1))


def pre_offer_for(session: Session, candidate: Candidate) -> PreOfferCheck | None:
    return session.scalar(_check_query(), _of(candidate))


def latest_decision(session: Session, candidate: Candidate) -> Decision | None:
    return session.scalar(_decision_query(), _of(candidate))


class CheckRead(NamedTuple):
    """The pre-offer check as the debrief shows it (plain values, its manager's name)."""

    id: int
    passed: bool
    answered_at: datetime
    owned_system: Answer
    owned_system_evidence: str
    failure_handling: Answer
    failure_handling_evidence: str
    reduces_risk: Answer
    reduces_risk_evidence: str
    manager: Interviewer


class DecisionRead(NamedTuple):
    """The latest decision as the debrief shows it (plain values, who decided)."""

    id: int
    kind: DecisionKind
    rationale: str
    decided_at: datetime
    waived: str | None
    waiver: str | None
    decided_by: Interviewer


# Their columns, read in the order of their fields (the person last, read apart).
_CHECK_COLUMNS = tuple(getattr(PreOfferCheck, name) for name in CheckRead._fields[:-1])
_DECISION_COLUMNS = tuple(getattr(Decision, name) for name in DecisionRead._fields[:-1])


@cache
def _check_and_decision_query() -> Rows:
    later = aliased(Decision)  # the latest decision is the one with none after it
    latest = and_(Decision.candidate_id == Candidate.id, ~exists().where(
        later.candidate_id == Candidate.id, later.id > Decision.id))
    manager, decided_by = aliased(User), aliased(User)
    return (select(*_CHECK_COLUMNS, manager.id, manager.name,
                   *_DECISION_COLUMNS, decided_by.id, decided_by.name)
            .select_from(Candidate)
            .outerjoin(PreOfferCheck, PreOfferCheck.candidate_id == Candidate.id)
            .outerjoin(manager, manager.id == PreOfferCheck.manager_id)
            .outerjoin(Decision, latest)
            .outerjoin(decided_by, decided_by.id == Decision.decided_by_id)
            .where(Candidate.id == _candidate_id()))


def check_and_decision(session: Session, candidate: Candidate
                       ) -> tuple[CheckRead | None, DecisionRead | None]:
    """pre_offer_for and latest_decision in one statement (the debrief shows both), as
    plain values with the two people's names: from the candidate's row, whichever of the
    two there is."""
    row = plain_rows(session, _check_and_decision_query(), _of(candidate))[0]
    width = len(_CHECK_COLUMNS)  # the check's columns, its manager, the decision's, its maker
    check, (manager_id, manager_name) = row[:width], row[width:width + 2]
    decision, (decider_id, decider_name) = row[width + 2:-2], row[-2:]
    return (CheckRead._make((*check, Interviewer(manager_id, manager_name)))
            if check[0] is not None else None,
            DecisionRead._make((*decision, Interviewer(decider_id, decider_name)))
            if decision[0] is not None else None)


def decision_open(decision: Decision | DecisionRead | None) -> bool:
    """Whether the check may be answered and a decision recorded: none yet, or a hold."""
    return decision is None or decision.kind == DecisionKind.HOLD


def is_deciding_manager(user: User | None, requisition: Requisition) -> bool:
    return user is not None and user.id == requisition.hiring_manager_id


def _require_manager(actor: Actor, requisition: Requisition) -> None:
    if not is_deciding_manager(actor.user, requisition):
        raise Forbidden("Only the requisition's hiring manager answers the pre-offer check "
                        "and records decisions.")


def answer_pre_offer(session: Session, actor: Actor, requisition: Requisition,
                     candidate: Candidate, answers: dict[str, tuple[str, str]]) -> PreOfferCheck:
    """Record the three answers (strong or weak, each with evidence)."""
    _require_manager(actor, requisition)
    if not decision_open(latest_decision(session, candidate)):
        raise Conflict("A decision is recorded: the pre-offer check is closed.")
    blocker = pre_offer_blocker(session, candidate)
    if blocker:
        raise Conflict(blocker)
    problems = {}
    for name in ANSWERS:
        value, evidence = answers.get(name, ("", ""))
        if value not in {a.value for a in Answer}:
            problems[name] = f"Answer strong or weak: {PreOfferQuestion(name).text}"
        elif not evidence.strip():
            problems[name] = f"Write the evidence for: {PreOfferQuestion(name).text}"
        elif len(evidence) > limits.ANSWER:
            problems[name] = f"Keep the evidence under {limits.ANSWER:,} characters."
    if problems:
        raise InvalidPreOffer(problems)
    check = pre_offer_for(session, candidate) or PreOfferCheck(candidate_id=candidate.id)
    session.add(check)
    check.manager_id = actor.person.id
    for name in ANSWERS:
        value, evidence = answers[name]
        setattr(check, name, Answer(value))
        setattr(check, f"{name}_evidence", evidence.strip())
    check.passed = all(answers[name][0] == Answer.STRONG for name in ANSWERS)
    check.answered_at = utcnow()
    session.flush()
    record(session, actor, "pre_offer_answered", check, candidate_id=candidate.id,
           passed=check.passed, answers={n: answers[n][0] for n in ANSWERS})
    pre_offer_answered.send(session, check=check, candidate=candidate)
    return check


def offer_refusal(session: Session, candidate: Candidate,
                  check: PreOfferCheck | CheckRead | None) -> str | None:
    """Why the gate refuses an offer now (None: it allows one; a waiver may still be
    needed): asked by ``record_decision`` and by the page, which disables the offer with
    this reason beside it. ``check``: the candidate's pre-offer check, as each has read it
    (pre_offer_for; the page check_and_decision's plain read)."""
    if candidate.status in (CandidateStatus.REJECTED, CandidateStatus.WITHDRAWN):
        return f"The candidate is {candidate.status.value}: no offer."
    if check is None:
        return "No offer without the pre-offer check: answer its three questions first."
    if not check.passed:
        return ("The pre-offer check recorded a weak answer, which means keep looking: no "
                "offer can be recorded.")
    newer = session.scalar(select(func.max(Scorecard.updated_at)).where(
        Scorecard.candidate_id == candidate.id, counted_clause(),
        Scorecard.status == ScorecardStatus.SUBMITTED))
    if newer is not None and newer > check.answered_at:
        return ("Scorecards came in or changed after the pre-offer check was answered: "
                "answer it again on the full evidence before an offer.")
    return None


def record_decision(session: Session, actor: Actor, requisition: Requisition,
                    candidate: Candidate, kind: str, rationale: str, waiver: str = ""
                    ) -> Decision:
    """Offer, reject or hold. An offer with gaps (``offer_gaps``) needs ``waiver``: the
    reason to offer without them, recorded with what was waived."""
    _require_manager(actor, requisition)
    try:
        kind = DecisionKind(kind)
    except ValueError:
        raise InvalidDecision("Choose offer, reject or hold.") from None
    rationale = rationale.strip()
    if not rationale:
        raise InvalidDecision("Write the rationale for the decision.")
    if len(rationale) > limits.ANSWER:
        raise InvalidDecision(f"Keep the rationale under {limits.ANSWER:,} characters.")
    outstanding = outstanding_count(session, candidate)
    if outstanding:
        raise Conflict(f"{outstanding} scorecard(s) are outstanding: no decision until every "
                       "interview's scorecards are in.")
    check = pre_offer_for(session, candidate)
    if kind == DecisionKind.OFFER and (refused := offer_refusal(session, candidate, check)):
        raise Conflict(refused)
    waived = None
    if kind == DecisionKind.OFFER:
        gaps = offer_gaps(stage_coverage(session, candidate, now=utcnow()),
                          area_stats(session, candidate, bank_areas(session)))
        waiver = waiver.strip()
        if gaps and not waiver:
            raise InvalidDecision("An offer without " + "; ".join(gaps) + " needs a waiver: "
                                  "write why the evidence is enough, or hold.")
        if len(waiver) > limits.ANSWER:
            raise InvalidDecision(f"Keep the waiver under {limits.ANSWER:,} characters.")
        waived = "; ".join(gaps) if gaps else None
    if not candidate.in_process:  # an offer or a rejection is final
        raise Conflict(f"The candidate is already {candidate.status.value}.")
    decision = Decision(candidate_id=candidate.id, kind=kind, rationale=rationale,
                        decided_by_id=actor.person.id,
                        pre_offer_check_id=check.id if check else None,
                        pre_offer_passed=check.passed if check and kind == DecisionKind.OFFER
                        else None, waived=waived, waiver=waiver if waived else None)
    session.add(decision)
    if kind == DecisionKind.OFFER:
        candidate.status = CandidateStatus.OFFER
    elif kind == DecisionKind.REJECT:
        candidate.status = CandidateStatus.REJECTED
    session.flush()
    record(session, actor, "decision_recorded", decision, candidate_id=candidate.id,
           kind=kind.value, **({"waived": waived} if waived else {}))
    decision_recorded.send(session, decision=decision, candidate=candidate)
    tell_hiring_team(session, requisition, candidate, decision, actor.person)
    return decision
