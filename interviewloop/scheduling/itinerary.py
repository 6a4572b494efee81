"""Scheduling's answer to the candidate's itinerary (``listing_itinerary``): each live
interview with only what a candidate may see of it. Two queries, however many stages."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.auth.models import User
from interviewloop.availability.signals import ItineraryItem, Person
from interviewloop.loops.models import LoopStage
from interviewloop.scheduling.models import Interview, InterviewStatus, Panelist


def itinerary_items(session: Session, *, candidate_id: int) -> list[ItineraryItem]:
    rows = session.execute(
        select(Interview.id, LoopStage.name, Interview.starts_at, Interview.ends_at,
               Interview.location)
        .join(LoopStage, LoopStage.id == Interview.stage_id)
        .where(Interview.candidate_id == candidate_id,
               Interview.status == InterviewStatus.SCHEDULED)
        .order_by(Interview.starts_at, Interview.id)).all()
    people: dict[int, list[Person]] = defaultdict(list)
    if rows:
        for interview_id, name, title in session.execute(
                select(Panelist.interview_id, User.name, User.job_title)
                .join(User, User.id == Panelist.user_id)
                .where(Panelist.interview_id.in_([r.id for r in rows]))
                .order_by(User.name, User.id)):
            people[interview_id].append(Person(name, title))
    return [ItineraryItem(stage=r.name, starts_at=r.starts_at, ends_at=r.ends_at,
                          location=r.location, people=tuple(people[r.id])) for r in rows]
