"""Filling in a scorecard: drafts, submission, edits with their history. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, Integer, Select, bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import LoaderOption

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.auth.models import User
from interviewloop.bank.models import CapabilityArea, Question
from interviewloop.db import utcnow
from interviewloop.errors import Conflict, DomainError, Forbidden, NotFound
from interviewloop.loops.models import LoopQuestion, LoopStage
from interviewloop.requisitions.models import Candidate, CandidateStatus, Requisition
from interviewloop.requisitions.service import visible_to
from interviewloop.scheduling.models import Interview, Panelist
from interviewloop.scheduling.service import kit_stage
from interviewloop.scorecards.access import counted_clause, panel_access
from interviewloop.scorecards.models import (
    RATING_LABELS,
    PreOfferQuestion,
    PreOfferSignal,
    QuestionNote,
    Rating,
    Recommendation,
    Scorecard,
    ScorecardRevision,
    ScorecardStatus,
    SignalValue,
)
from interviewloop.scorecards.queries import due_at as due_at  # the pages ask the service
from interviewloop.scorecards.signals import scorecard_editing, scorecard_submitted

MAX_EVIDENCE = limits.EVIDENCE
DECIDED = (CandidateStatus.OFFER, CandidateStatus.REJECTED, CandidateStatus.HIRED)
DECISION_LOCKS = "A decision is recorded for this candidate: the scorecards are locked."


class IncompleteScorecard(DomainError):
    """``missing``: each piece a submission lacks, in words; ``fields``: the form field each
    is about, in the same order (the page links each to its field)."""

    status_code = 422

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        self.missing = [text for _field, text in missing]
        self.fields = [field for field, _text in missing]
        super().__init__("To submit, " + "; ".join(self.missing))


class ContradictoryRecommendation(DomainError):
    """Allowed, once the author confirms."""

    status_code = 409


class StaleScorecard(Conflict):
    def __init__(self) -> None:
        super().__init__("This scorecard was saved from somewhere else (another tab?) since "
                         "you opened it. Nothing was overwritten: your input is below; "
                         "compare it with the saved version and save again.")


class InvalidScorecard(DomainError):
    status_code = 422


@dataclass
class ScorecardInput:
    ratings: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # area id
    notes: dict[int, str] = field(default_factory=dict)  # loop question id
    signals: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    recommendation: str | None = None
    summary: str = ""
    confirm_contradiction: bool = False


# --- loading ------------------------------------------------------------------------------------

def _scorecard_options() -> list[LoaderOption]:
    return [selectinload(Scorecard.ratings), selectinload(Scorecard.notes),
            selectinload(Scorecard.signals), selectinload(Scorecard.interviewer),
            selectinload(Scorecard.revisions).selectinload(ScorecardRevision.author)]


def own_scorecard(session: Session, interview: Interview, user_id: int) -> Scorecard | None:
    return session.scalar(select(Scorecard).where(
        Scorecard.interview_id == interview.id, Scorecard.interviewer_id == user_id)
        .options(*_scorecard_options()))


def form_context(session: Session, user: User, interview_id: int
                 ) -> tuple[Interview, Requisition, Scorecard | None]:
    """An interview for ``user``'s scorecard form and the form's saves, its requisition and
    the user's scorecard on it (None before their first save); 404 unless the user is on
    the panel and may see the requisition (as requisitions.service.get_requisition
    refuses it). The interview comes with its candidate, the panel's seats (who writes, in
    which seat) and its stage with the focus areas and the questions' signals and red
    flags; the scorecard with its ratings, notes and signals. Neither the people nor the
    history (a save adds a revision without reading the earlier ones): the form shows none
    of them. Six statements, whatever the data."""
    row = session.execute(_form_read(user.is_admin), {"interview_id": interview_id,
                                                      "user_id": user.id}).unique().one_or_none()
    if row is None:
        raise NotFound("No such interview.")
    interview, requisition, scorecard = row
    if all(p.user_id != user.id for p in interview.panel):
        raise NotFound("You are not on this interview's panel.")
    if requisition is None:
        raise NotFound("No such requisition.")
    return interview, requisition, scorecard


@cache
def _form_read(admin: bool) -> Select[Interview, Requisition, Scorecard]:
    """form_context's statement, built once for admins and once for the rest: its loader
    options cost more to build than the statement takes to run (1.5 ms a request)."""
    viewer: BindParameter[int] = bindparam("user_id", type_=Integer)
    stage = joinedload(Interview.stage)
    return (
        select(Interview, Requisition, Scorecard)
        .where(Interview.id == bindparam("interview_id"))
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Requisition, (Requisition.id == Candidate.requisition_id)
                   & visible_to(admin, viewer))
        .outerjoin(Scorecard, (Scorecard.interview_id == Interview.id)
                   & (Scorecard.interviewer_id == viewer))
        .options(joinedload(Interview.candidate), joinedload(Interview.panel),
                 # Not joined: SQLite would read every stage's areas to join them.
                 stage.selectinload(LoopStage.focus_areas),
                 stage.selectinload(LoopStage.questions).joinedload(LoopQuestion.question)
                 .joinedload(Question.points),
                 selectinload(Scorecard.ratings), selectinload(Scorecard.notes),
                 selectinload(Scorecard.signals)))


def get_scorecard(session: Session, scorecard_id: int) -> Scorecard:
    scorecard = session.scalar(select(Scorecard).where(Scorecard.id == scorecard_id)
                               .options(*_scorecard_options()))
    if scorecard is None:
        raise NotFound("No such scorecard.")
    return scorecard


def stage_for(session: Session, interview: Interview) -> LoopStage:
    return kit_stage(session, interview)


NOT_STARTED = "The interview has not started yet: scorecards are submitted after it."


def not_started(interview: Interview, now: datetime) -> bool:
    """Before its start an interview's scorecard is a draft only (it cannot be submitted)."""
    return interview.starts_at > now


# --- rules --------------------------------------------------------------------------------------

def _ensure_author(actor: Actor, interview: Interview) -> None:
    if actor.user is None or all(p.user_id != actor.user.id for p in interview.panel):
        raise Forbidden("Only the interviewers on this interview's panel write its scorecards.")
    if interview.is_cancelled:
        raise Conflict("This interview was cancelled; it has no scorecards.")


def _ensure_editable(session: Session, interview: Interview) -> None:
    """A decision locks the scorecards it was made on: those of interviews scheduled before
    it. (After a hold, an interview scheduled later is still written up.) Debrief, which
    holds the decisions, says; the candidate's status is checked here too."""
    scorecard_editing.send(session, interview=interview)
    candidate = session.get_one(Candidate, interview.candidate_id)
    if candidate.status in DECIDED:
        raise Conflict(DECISION_LOCKS)


def _clean(data: ScorecardInput, areas: dict[int, CapabilityArea], question_ids: set[int]
           ) -> ScorecardInput:
    for area_id, (rating, evidence) in data.ratings.items():
        if area_id not in areas:
            raise InvalidScorecard("Unknown capability area.")
        if rating is not None and rating not in RATING_LABELS:
            raise InvalidScorecard(f"{areas[area_id].name}: ratings go from 1 to 4.")
        if len(evidence) > MAX_EVIDENCE:
            raise InvalidScorecard(f"{areas[area_id].name}: keep the evidence under "
                                   f"{MAX_EVIDENCE} characters.")
    for question_id, notes in data.notes.items():
        if question_id not in question_ids:
            raise InvalidScorecard("Notes for a question that is not in this stage.")
        if len(notes) > MAX_EVIDENCE:
            raise InvalidScorecard(f"Keep question notes under {MAX_EVIDENCE} characters.")
    for question, (value, evidence) in data.signals.items():
        if question not in {q.value for q in PreOfferQuestion}:
            raise InvalidScorecard("Unknown pre-offer question.")
        if value is not None and value not in {v.value for v in SignalValue}:
            raise InvalidScorecard("A pre-offer signal is yes, no or not observed.")
        if len(evidence) > limits.SIGNAL_EVIDENCE:
            raise InvalidScorecard(f"Keep each pre-offer line under {limits.SIGNAL_EVIDENCE:,} "
                                   "characters.")
    if data.recommendation and data.recommendation not in {r.value for r in Recommendation}:
        raise InvalidScorecard("Unknown recommendation.")
    if len(data.summary) > MAX_EVIDENCE:
        raise InvalidScorecard(f"Keep the summary under {MAX_EVIDENCE} characters.")
    return data


def missing_for_submit(data: ScorecardInput, stage: LoopStage,
                       areas: dict[int, CapabilityArea]) -> list[tuple[str, str]]:
    """Every piece a submission still lacks: (the form field it is about, in words)."""
    missing = []
    for area in stage.focus_areas:
        rating, _evidence = data.ratings.get(area.id, (None, ""))
        if rating is None:
            missing.append((f"rating_{area.id}", f"rate {area.name} (a focus area of this stage)"))
    for area_id, (rating, evidence) in sorted(data.ratings.items()):
        if rating is not None and not evidence.strip():
            missing.append((f"evidence_{area_id}",
                            f"write the evidence behind your {areas[area_id].name} rating"))
    if not data.recommendation:
        missing.append(("recommendation", "choose an overall recommendation"))
    for question, (value, evidence) in data.signals.items():
        if value in (SignalValue.YES, SignalValue.NO) and not evidence.strip():
            missing.append((f"signal_evidence_{question}",
                            f"add a line of evidence for “{PreOfferQuestion(question).text}”"))
    return missing


def contradiction(data: ScorecardInput) -> str | None:
    """A recommendation at odds with most of the ratings, in words; None if consistent."""
    given = [r for r, _e in data.ratings.values() if r is not None]
    if not given or not data.recommendation:
        return None
    low, high = sum(r <= 2 for r in given), sum(r >= 3 for r in given)
    if data.recommendation == Recommendation.STRONG_HIRE and low > len(given) / 2:
        return (f"You recommend a strong hire, but rated {low} of {len(given)} areas no or "
                "strong no. Confirm to submit as it is.")
    if data.recommendation == Recommendation.STRONG_NO_HIRE and high > len(given) / 2:
        return (f"You recommend a strong no hire, but rated {high} of {len(given)} areas yes "
                "or strong yes. Confirm to submit as it is.")
    return None


def check_submittable(data: ScorecardInput, interview: Interview, stage: LoopStage,
                      areas: dict[int, CapabilityArea], now: datetime) -> None:
    """Refuse, as a submission would, what is not ready to submit."""
    if not_started(interview, now):
        raise Conflict(NOT_STARTED)
    missing = missing_for_submit(data, stage, areas)
    if missing:
        raise IncompleteScorecard(missing)
    warning = contradiction(data)
    if warning and not data.confirm_contradiction:
        raise ContradictoryRecommendation(warning)


# --- content ------------------------------------------------------------------------------------

def content_of(scorecard: Scorecard) -> dict:
    """A plain snapshot of what the scorecard says (revisions keep these)."""
    return {
        "recommendation": scorecard.recommendation.value if scorecard.recommendation else None,
        "summary": scorecard.summary,
        "ratings": {str(r.area_id): [r.rating, r.evidence] for r in
                    sorted(scorecard.ratings, key=lambda r: r.area_id)},
        "notes": {str(n.loop_question_id): n.notes for n in
                  sorted(scorecard.notes, key=lambda n: n.loop_question_id)},
        "signals": {s.question.value: [s.value.value, s.evidence] for s in
                    sorted(scorecard.signals, key=lambda s: s.question.value)},
    }


def input_of(scorecard: Scorecard) -> ScorecardInput:
    return ScorecardInput(
        ratings={r.area_id: (r.rating, r.evidence) for r in scorecard.ratings},
        notes={n.loop_question_id: n.notes for n in scorecard.notes},
        signals={s.question.value: (s.value.value, s.evidence) for s in scorecard.signals},
        recommendation=scorecard.recommendation.value if scorecard.recommendation else None,
        summary=scorecard.summary)


def _apply(scorecard: Scorecard, data: ScorecardInput) -> None:
    ratings = {r.area_id: r for r in scorecard.ratings}
    for area_id, (rating, evidence) in data.ratings.items():
        row = ratings.get(area_id)
        if row is None:
            scorecard.ratings.append(Rating(area_id=area_id, rating=rating,
                                            evidence=evidence.strip()))
        else:
            row.rating, row.evidence = rating, evidence.strip()
    notes = {n.loop_question_id: n for n in scorecard.notes}
    for question_id, text in data.notes.items():
        if question_id in notes:
            notes[question_id].notes = text.strip()
        elif text.strip():
            scorecard.notes.append(QuestionNote(loop_question_id=question_id, notes=text.strip()))
    signals = {s.question.value: s for s in scorecard.signals}
    for question, (value, evidence) in data.signals.items():
        signal_row = signals.get(question)
        if value is None:
            if signal_row is not None:
                scorecard.signals.remove(signal_row)
            continue
        if signal_row is None:
            scorecard.signals.append(PreOfferSignal(question=PreOfferQuestion(question),
                                                    value=SignalValue(value),
                                                    evidence=evidence.strip()))
        else:
            signal_row.value, signal_row.evidence = SignalValue(value), evidence.strip()
    scorecard.recommendation = Recommendation(data.recommendation) if data.recommendation \
        else None
    scorecard.summary = data.summary.strip()
    scorecard.updated_at = utcnow()


# --- operations ---------------------------------------------------------------------------------

SUBMITTED_NO_AUTOSAVE = ("This scorecard is submitted, so it is not saved as you type: use "
                         "Save changes (earlier versions are kept).")


def _start(session: Session, actor: Actor, interview: Interview) -> Scorecard:
    """A new, empty draft (a form opened before any save has version 0)."""
    from sqlalchemy.exc import IntegrityError

    seat = next(p.role for p in interview.panel if p.user_id == actor.person.id)
    scorecard = Scorecard(interview_id=interview.id, interviewer_id=actor.person.id,
                          panel_role=seat,  # a trainee's seat makes it a practice card
                          candidate_id=interview.candidate_id, ratings=[], notes=[],
                          signals=[], revisions=[], status=ScorecardStatus.DRAFT)
    try:
        with session.begin_nested():
            session.add(scorecard)
            session.flush()
    except IntegrityError:  # another tab created it a moment ago
        raise StaleScorecard from None
    return scorecard


def save(session: Session, actor: Actor, requisition: Requisition, interview: Interview,
         scorecard: Scorecard | None, data: ScorecardInput, *, submit: bool,
         seen_version: int, areas: dict[int, CapabilityArea], stage: LoopStage,
         now: datetime | None = None, draft_only: bool = False) -> Scorecard:
    """Save a draft, submit, or edit a submitted scorecard (keeping what it said before).

    ``scorecard`` is None for the first save; ``seen_version`` is the version the form
    was filled in on (0 for a new scorecard), so a save from a stale tab is refused.
    ``draft_only`` (saving as the author types) refuses a submitted scorecard: each edit of
    one keeps a revision, so it is saved deliberately."""
    now = now or utcnow()
    _ensure_author(actor, interview)
    assert actor.user is not None  # _ensure_author refuses a system actor
    if scorecard is not None and scorecard.interviewer_id != actor.user.id:
        raise Forbidden("Only its author edits a scorecard.")
    if draft_only and (submit or (scorecard is not None and scorecard.is_submitted)):
        raise Conflict(SUBMITTED_NO_AUTOSAVE)
    # Every refusal comes before the first write: a refused first save leaves no draft.
    _ensure_editable(session, interview)
    if seen_version != (scorecard.version if scorecard else 0):
        raise StaleScorecard
    _clean(data, areas, {lq.id for lq in stage.questions})
    was_submitted = scorecard is not None and scorecard.is_submitted
    if submit or was_submitted:
        check_submittable(data, interview, stage, areas, now)
    if scorecard is None:
        scorecard = _start(session, actor, interview)

    before = content_of(scorecard)
    # Whether the author could see other scorecards at this moment (their own is in).
    candidate = session.get_one(Candidate, scorecard.candidate_id)
    could_see = was_submitted and panel_access(session, actor.person, requisition,
                                               candidate).sees_panel
    _apply(scorecard, data)
    try:
        session.flush()
    except StaleDataError:  # another tab's save committed after this one read the version
        raise StaleScorecard from None
    after = content_of(scorecard)
    if was_submitted:
        if after != before:
            changes = sorted(k for k in after if after[k] != before[k])
            # One answer for the revision and the audit log (there was nothing to see
            # if nobody else had submitted).
            seen_others = bool(could_see and _others_submitted(session, scorecard))
            # Added without reading the earlier revisions (the backref puts it in
            # ``scorecard.revisions`` only if they are loaded).
            session.add(ScorecardRevision(
                scorecard=scorecard, author_id=actor.person.id, kind="edited", content=before,
                changes=changes, after_seeing_others=seen_others))
            record(session, actor, "scorecard_edited", scorecard, changes=changes,
                   after_seeing_others=seen_others)
    elif submit:
        scorecard.status = ScorecardStatus.SUBMITTED
        scorecard.submitted_at = now
        session.add(ScorecardRevision(scorecard=scorecard, author_id=actor.person.id,
                                      kind="submitted", content=after))
        # No content in the audit log: it must not become a way round independence.
        record(session, actor, "scorecard_submitted", scorecard,
               interview_id=scorecard.interview_id)
    session.flush()
    if submit and not was_submitted:
        scorecard_submitted.send(session, scorecard=scorecard)
    return scorecard


SUBMITTED_NO_AUTOSAVE = ("This scorecard is submitted: it is not saved as you type. Use Save "
                         "changes (earlier versions are kept).")


def _others_submitted(session: Session, scorecard: Scorecard) -> bool:
    return session.scalar(select(Scorecard.id).where(
        Scorecard.candidate_id == scorecard.candidate_id, Scorecard.id != scorecard.id,
        Scorecard.status == ScorecardStatus.SUBMITTED, counted_clause()).limit(1)) is not None


def panel_member(session: Session, interview_id: int, user_id: int) -> bool:
    return session.get(Panelist, (interview_id, user_id)) is not None
