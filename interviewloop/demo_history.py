"""Past hiring for the demo (`make run`), so that the analytics reports show something
real: three closed requisitions, one per level, each with candidates interviewed over the
last months, every scorecard in, and decisions (offers and rejections; the newest still
undecided). Built with bulk inserts (a fraction of a second), deterministic (a seeded
generator), idempotent (skipped when the first history requisition exists).

What is planted, for the reports to find:
- interviewers rate with different leniency (Ines high, Iris low; docs/analytics.md);
- every candidate on a requisition is asked the same questions (comparable loops), and one
  question (a system-design question for every level) is asked in every past loop, across
  the three requisitions, so that it is over-exposed;
- one question in the senior loop's second stage gets ratings in its areas that are
  unrelated to the candidate (and so to the outcome): it does not discriminate;
- candidates leave the funnel at each stage, so each stage has a pass-through rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from interviewloop.audit.service import Actor
from interviewloop.auth.models import User
from interviewloop.bank.models import Question, QuestionArea, QuestionLevel
from interviewloop.bank.service import areas as all_areas
from interviewloop.db import utcnow
from interviewloop.debrief.models import ANSWERS, Decision, PreOfferCheck
from interviewloop.demo_evidence import Writer, first_expectations, plant_nudges
from interviewloop.enums import Category, Level
from interviewloop.loops.models import (
    Loop,
    LoopQuestion,
    LoopStage,
    LoopStageArea,
    LoopTemplate,
    LoopTemplateStage,
)
from interviewloop.requisitions import service as requisitions_service
from interviewloop.requisitions.models import Candidate, CandidateStatus, Requisition
from interviewloop.scheduling.models import Interview, Panelist
from interviewloop.scorecards.models import Rating, Scorecard

PER_LEVEL = 24  # past candidates on each history requisition
SEED = 2026
LENIENCY = (0.8, 0.0, -0.6, 0.2)  # added to the truth by each demo interviewer, in order
HOUR = timedelta(hours=1)


def history_titles() -> dict[Level, str]:
    return {level: f"{level.label} AI Engineer (earlier round)" for level in Level}


def load_history(session: Session, manager: User, recruiter: User,
                 interviewers: list[User], spec_of: dict[str, dict[str, Any]]) -> None:
    titles = history_titles()
    if session.scalar(select(Requisition.id).where(Requisition.title == titles[Level.JUNIOR])):
        return
    rng = np.random.default_rng(SEED)
    areas = all_areas(session)
    write = Writer(SEED + 1, [u.id for u in interviewers], first_expectations(session))
    templates = {t.level: t for t in session.scalars(select(LoopTemplate).options(
        selectinload(LoopTemplate.stages).selectinload(LoopTemplateStage.focus_areas)))}
    bank = _bank(session)
    exposed = _exposed(bank)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    made = []
    for level in Level:
        template = templates.get(level)
        if template is None:
            continue
        requisition = _requisition(session, manager, recruiter, interviewers, titles[level],
                                   spec_of[level.value])
        made.append(requisition.id)
        _candidates(session, rng, requisition, template, bank, exposed, areas, interviewers,
                    recruiter, now, write)
        requisitions_service.close_requisition(session, Actor(manager), requisition)
    session.flush()
    plant_nudges(session, made, write)


# question id -> (category, levels, area ids), active questions only
Bank = dict[int, tuple[Category, set[Level], set[int]]]


def _bank(session: Session) -> Bank:
    result: Bank = {}
    for qid, category in session.execute(select(Question.id, Question.category)
                                         .where(Question.retired_at.is_(None))
                                         .order_by(Question.id)):
        result[qid] = (Category(category), set(), set())
    for qid, level in session.execute(select(QuestionLevel.question_id, QuestionLevel.level)):
        if qid in result:
            result[qid][1].add(Level(level))
    for qid, area in session.execute(select(QuestionArea.question_id, QuestionArea.area_id)):
        if qid in result:
            result[qid][2].add(area)
    return result


def _exposed(bank: Bank) -> int | None:
    """The question asked in every past loop: the first system-design question for the most
    levels."""
    design = [qid for qid, (cat, _lv, _a) in bank.items() if cat == Category.SYSTEM_DESIGN]
    return max(design, key=lambda q: (len(bank[q][1]), -q)) if design else None


def _requisition(session: Session, manager: User, recruiter: User, interviewers: list[User],
                 title: str, spec: dict[str, Any]) -> Requisition:
    as_recruiter = Actor(recruiter)
    requisition = requisitions_service.create_requisition(
        session, as_recruiter, requisitions_service.RequisitionInput(
            title=title, level=spec["level"], team=spec["team"], hiring_manager_id=manager.id,
            recruiter_id=recruiter.id, comp_currency="USD", comp_min=spec["comp"][0],
            comp_max=spec["comp"][1],
            answers={k: spec[k] for k in
                     ("ships", "owns_after_launch", "success_measures", "fails_in_seat")},
            surface={"surface_system": spec["ships"],
                     "surface_pager": f"The {spec['team']} team's weekly rota"}))
    for interviewer in interviewers:
        requisitions_service.add_member(session, as_recruiter, requisition, interviewer.id)
    requisitions_service.confirm_definition(session, Actor(manager), requisition)
    requisitions_service.confirm_definition(session, as_recruiter, requisition)
    requisitions_service.open_requisition(session, as_recruiter, requisition)
    return requisition


def _stage_questions(bank: Bank, level: Level, stage: LoopTemplateStage, n: int,
                     fixed: list[int], taken: set[int] | None = None) -> list[int]:
    """The stage's questions: ``fixed`` first, then the bank's questions of the stage's
    category and level from the n-th on, none already ``taken`` by another stage of the
    loop. Every past candidate on a requisition was asked the same set."""
    taken = taken or set()
    pool = [q for q, (cat, levels, _a) in bank.items()
            if cat == stage.category and level in levels and q not in fixed and q not in taken]
    picked = list(fixed)
    for k in range(len(pool)):
        if len(picked) >= stage.question_count:
            break
        picked.append(pool[(n * stage.question_count + k) % len(pool)])
    return picked


def _candidates(session: Session, rng: np.random.Generator, requisition: Requisition,
                template: LoopTemplate, bank: Bank, exposed: int | None, areas: list[Any],
                interviewers: list[User], recruiter: User, now: datetime, write: Writer) -> None:
    level = requisition.level
    stages = template.stages
    exposed_at = next((p for p, s in enumerate(stages) if s.category == Category.SYSTEM_DESIGN
                       and exposed is not None and level in bank[exposed][1]), None)
    # The senior loop's second stage asks a question whose ratings follow nothing.
    weak_stage = 1 if level == Level.SENIOR and len(stages) > 1 else None
    special = {q for q in (exposed,) if q is not None}
    weak = (next(iter(_stage_questions(bank, level, stages[1], 0, [], set(special))), None)
            if weak_stage is not None else None)
    if weak is not None:
        special.add(weak)
    strength = rng.uniform(1.3, 3.9, size=PER_LEVEL)
    added = [now - timedelta(days=float(d)) for d in np.linspace(150, 15, PER_LEVEL)]
    cids = list(session.scalars(insert(Candidate).returning(
        Candidate.id, sort_by_parameter_order=True), [
        {"requisition_id": requisition.id, "name": f"Past {level.label.split()[0]} {n + 1:02}",
         "email": f"past-{level.value}-{n + 1}@example.net", "source": "Earlier round",
         "notes": "", "status": "active", "version": 1, "created_at": at, "updated_at": at}
        for n, at in enumerate(added)]))
    loop_ids = list(session.scalars(insert(Loop).returning(Loop.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "level": level.value, "template_id": template.id,
         "coverage_gaps": [], "created_at": at, "updated_at": at, "version": 1}
        for cid, at in zip(cids, added, strict=True)]))
    plan = [(n, cid, lid, p) for n, (cid, lid) in enumerate(zip(cids, loop_ids, strict=True))
            for p in range(len(stages))]
    stage_ids = list(session.scalars(insert(LoopStage).returning(
        LoopStage.id, sort_by_parameter_order=True), [
        {"loop_id": lid, "position": p, "name": stages[p].name,
         "category": stages[p].category.value, "minutes": stages[p].minutes}
        for _n, _cid, lid, p in plan]))
    stage_of = {(n, p): sid for (n, _c, _l, p), sid in zip(plan, stage_ids, strict=True)}
    session.execute(insert(LoopStageArea), [
        {"stage_id": stage_of[(n, p)], "area_id": a.id}
        for n, _cid, _lid, p in plan for a in stages[p].focus_areas])
    asked: list[dict[str, Any]] = []
    taken: dict[int, set[int]] = {}
    for n, _cid, lid, p in plan:
        fixed = ([exposed] if p == exposed_at and exposed is not None else []) + \
            ([weak] if p == weak_stage and weak is not None else [])
        mine = taken.setdefault(lid, set(special))
        # One set per requisition, each level's from its own place in the bank.
        chosen = _stage_questions(bank, level, stages[p], list(Level).index(level), fixed, mine)
        mine.update(chosen)
        for k, qid in enumerate(chosen):
            asked.append({"loop_id": lid, "stage_id": stage_of[(n, p)], "question_id": qid,
                          "position": k})
    session.execute(insert(LoopQuestion), asked)
    weak_areas = bank[weak][2] if weak is not None else set()
    interviews, cards, decisions = [], [], []
    for n, cid in enumerate(cids):
        at = added[n] + timedelta(days=float(rng.integers(4, 12)), hours=10)
        means: list[float] = []
        decision: str | None = None
        for p in range(len(stages)):
            if at + HOUR > now:
                break
            panel = [interviewers[(n + p) % len(interviewers)],
                     interviewers[(n + p + 1) % len(interviewers)]]
            ratings: list[list[int]] = []
            for who in panel:
                lenient = LENIENCY[interviewers.index(who) % len(LENIENCY)]
                given = []
                for a in areas:
                    if p == weak_stage and a.id in weak_areas:
                        given.append(int(rng.integers(1, 5)))
                    else:
                        truth = strength[n] + rng.normal(0, 0.35) + lenient
                        given.append(int(min(4, max(1, round(truth + rng.normal(0, 0.45))))))
                ratings.append(given)
            interviews.append((stage_of[(n, p)], cid, at, panel))
            cards.append((stage_of[(n, p)], cid, at, panel, ratings))
            means.append(float(np.mean(ratings)))
            last = at
            at = at + timedelta(days=float(rng.integers(3, 10)))
            if p < len(stages) - 1 and np.mean(means) < 2.0 and rng.random() < 0.6:
                decision = "reject"
                break
        else:
            decision = "offer" if np.mean(means) >= 2.9 else "reject"
        decided_at = last + timedelta(days=float(rng.integers(1, 6))) if means else None
        if decision and decided_at is not None and decided_at < now - timedelta(days=2):
            decisions.append((cid, decision, decided_at))
    _insert_interviews(session, requisition, recruiter, interviews, cards, areas, write)
    insert_decisions(session, requisition, decisions)


def _insert_interviews(session: Session, requisition: Requisition, recruiter: User,
                       interviews: list[Any], cards: list[Any], areas: list[Any],
                       write: Writer) -> None:
    iids = list(session.scalars(insert(Interview).returning(
        Interview.id, sort_by_parameter_order=True), [
        {"stage_id": sid, "candidate_id": cid, "starts_at": at, "ends_at": at + HOUR,
         "location": "Video call", "status": "scheduled",
         "ical_uid": f"history-{sid}@interviewloop.demo", "sequence": 0,
         "created_by_id": recruiter.id, "created_at": at - timedelta(days=5), "version": 1}
        for sid, cid, at, _panel in interviews]))
    session.execute(insert(Panelist), [
        {"interview_id": iid, "user_id": who.id, "starts_at": at, "ends_at": at + HOUR,
         "live": True}
        for iid, (_sid, _cid, at, panel) in zip(iids, interviews, strict=True) for who in panel])
    rows = [(iid, cid, at, who, given)
            for iid, (_sid, cid, at, panel, ratings) in zip(iids, cards, strict=True)
            for who, given in zip(panel, ratings, strict=True)]
    card_ids = list(session.scalars(insert(Scorecard).returning(
        Scorecard.id, sort_by_parameter_order=True), [
        {"interview_id": iid, "interviewer_id": who.id, "candidate_id": cid,
         "status": "submitted", "recommendation": _recommend(given),
         "summary": "Summary from an earlier round.", "created_at": at, "updated_at": at,
         "submitted_at": at + HOUR * (3 + 10 * (who.id % 3)), "version": 1}
        for iid, cid, at, who, given in rows]))
    session.execute(insert(Rating), [
        {"scorecard_id": card, "area_id": a.id, "rating": value,
         "evidence": write(who.id, a.id, a.slug, requisition.level)}
        for card, (_i, _c, _a, who, given) in zip(card_ids, rows, strict=True)
        for a, value in zip(areas, given, strict=True)])


def _recommend(given: list[int]) -> str:
    mean = sum(given) / len(given)
    return ("strong_hire" if mean >= 3.5 else "hire" if mean >= 2.7
            else "no_hire" if mean >= 1.8 else "strong_no_hire")


def insert_decisions(session: Session, requisition: Requisition,
                     decisions: list[tuple[int, str, datetime]]) -> None:
    """(candidate, "offer" or "reject", when) in bulk: each offer with its passed
    pre-offer check (the database refuses an offer without one); statuses to match."""
    offers = [(cid, at) for cid, kind, at in decisions if kind == "offer"]
    checks = dict(zip([cid for cid, _at in offers], session.scalars(insert(PreOfferCheck).returning(
        PreOfferCheck.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "manager_id": requisition.hiring_manager_id, "passed": True,
         "answered_at": at, "version": 1, **dict.fromkeys(ANSWERS, "strong"),
         **{f"{name}_evidence": "Consistent, first-hand evidence across the panel."
            for name in ANSWERS}} for cid, at in offers]), strict=True)) if offers else {}
    if decisions:
        session.execute(insert(Decision), [
            {"candidate_id": cid, "kind": kind, "decided_at": at,
             "rationale": "Decided in the debrief of an earlier round.",
             "decided_by_id": requisition.hiring_manager_id,
             "pre_offer_check_id": checks.get(cid),
             "pre_offer_passed": True if kind == "offer" else None}
            for cid, kind, at in decisions])
    for kind, status in (("offer", CandidateStatus.OFFER), ("reject", CandidateStatus.REJECTED)):
        ids = [cid for cid, k, _at in decisions if k == kind]
        if ids:
            session.execute(update(Candidate).where(Candidate.id.in_(ids)).values(status=status))
