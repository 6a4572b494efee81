"""Bulk seeding of loops and held interviews, as the services would have written them.

The requisition's first loop is built through `build_loop`, which fixes its question set;
every other candidate on the requisition gets that same set (DESIGN.md: the same questions
for every candidate of a job; no candidate here had a question elsewhere and none was
retired since, so there are no alternates). So each further loop is a copy of the first:
its stages, their focus areas, its questions (pointing at the set's) and its coverage
gaps, with the audit row `build_loop` writes. They go in with SQLAlchemy Core, many rows
per statement. Interviews are booked the way `schedule_stage` books them (the panel with
the interview's times repeated, the "scheduled" change, the audit row), in lanes so that
nobody on a panel, and no candidate, has two interviews at once. Not written: the invite
mails and calendar pushes the booking queues, which no page reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select

from interviewloop.audit.models import AuditEvent
from interviewloop.db import Base, utcnow
from interviewloop.loops.models import Loop, LoopQuestion, LoopStage, LoopStageArea, QuestionSet
from interviewloop.scheduling.models import Interview, InterviewChange, Panelist

CHUNK = 5_000  # rows per INSERT statement sent (insertmanyvalues batches within it)
INTERVIEW_GAP = timedelta(minutes=30)  # between one interview's end and the next's start
LOCATION = "Video call"


@dataclass(frozen=True)
class Held:
    interview_id: int
    candidate_id: int
    stage_id: int
    panel: tuple[int, ...]
    ends_at: datetime


def chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterator[Sequence[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def insert_ids(conn: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``model``'s table many at a time; their new ids, in order."""
    table = cast(Table, model.__table__)
    ids: list[int] = []
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for part in chunks(rows):
        ids += conn.scalars(stmt, part)
    return ids


PARAMETERS = 30_000  # bound parameters per multi-row INSERT (SQLite allows 32,766)


def insert_all(conn: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` as multi-row INSERTs, as many rows a statement as the parameters
    allow. Not executemany: psycopg sends that a statement per row, and each would fire
    the tables' statement-level triggers (loops/revisions.py, usage.py) once per row."""
    table = cast(Table, model.__table__)
    for part in chunks(rows, max(1, PARAMETERS // len(table.columns))):
        conn.execute(insert(table).values(list(part)))


def audit_row(at: datetime, actor_id: int, action: str, object_type: str, object_id: int,
              **detail: Any) -> dict[str, Any]:
    return {"at": at, "actor_id": actor_id, "action": action, "object_type": object_type,
            "object_id": object_id, "ip": None, "detail": detail}


def copy_loops(conn: Connection, model_candidate_id: int, candidate_ids: Iterable[int],
               actor_id: int) -> int:
    """Give each of ``candidate_ids`` a copy of ``model_candidate_id``'s loop (built by
    build_loop from the requisition's set), in the caller's transaction. Returns the
    number of loops written."""
    targets = list(candidate_ids)
    if not targets:
        return 0
    model = conn.execute(select(Loop).where(Loop.candidate_id == model_candidate_id)).one()
    stages = conn.execute(select(LoopStage).where(LoopStage.loop_id == model.id)
                          .order_by(LoopStage.position)).all()
    focus = conn.execute(select(LoopStageArea).where(
        LoopStageArea.stage_id.in_([s.id for s in stages]))).all()
    questions = conn.execute(select(LoopQuestion).where(LoopQuestion.loop_id == model.id)
                             .order_by(LoopQuestion.stage_id, LoopQuestion.position)).all()
    now = utcnow()
    loop_ids = insert_ids(conn, Loop, [
        {"candidate_id": c, "level": model.level, "template_id": model.template_id,
         "question_set_id": model.question_set_id, "created_at": now, "updated_at": now,
         "coverage_gaps": model.coverage_gaps, "version": 1} for c in targets])
    stage_ids = insert_ids(conn, LoopStage, [
        {"loop_id": loop_id, "position": s.position, "name": s.name, "category": s.category,
         "minutes": s.minutes} for loop_id in loop_ids for s in stages])
    per_loop = len(stages)
    new_stage = {(n, s.id): stage_ids[n * per_loop + i]
                 for n in range(len(loop_ids)) for i, s in enumerate(stages)}
    insert_all(conn, LoopStageArea, [
        {"stage_id": new_stage[(n, f.stage_id)], "area_id": f.area_id}
        for n in range(len(loop_ids)) for f in focus])
    insert_all(conn, LoopQuestion, [
        {"loop_id": loop_id, "stage_id": new_stage[(n, q.stage_id)],
         "question_id": q.question_id, "position": q.position,
         "set_question_id": q.set_question_id, "alternate_reason": None}
        for n, loop_id in enumerate(loop_ids) for q in questions])
    # What build_loop records (interviewloop/loops/service.py).
    gaps, number = len(model.coverage_gaps or []), _set_number(conn, model.question_set_id)
    insert_all(conn, AuditEvent, [
        audit_row(now, actor_id, "loop_built", "loops", loop_id, candidate_id=c, seed=None,
                  gaps=gaps, question_set=number, alternates=[])
        for loop_id, c in zip(loop_ids, targets, strict=True)])
    return len(loop_ids)


def _set_number(conn: Connection, set_id: int | None) -> int | None:
    if set_id is None:
        return None
    return conn.scalar(select(QuestionSet.number).where(QuestionSet.id == set_id))


def hold_interviews(conn: Connection, candidate_ids: Sequence[int],
                    interviewer_ids: Sequence[int], recruiter_id: int, *,
                    now: datetime | None = None) -> list[Held]:
    """Every stage of each candidate's loop booked, as if a week ahead, with a panel of two,
    and held: the last interview ended a day before ``now``. Interviews run in lanes (one
    pair of interviewers each per time slot, the pairs rotating from slot to slot), a
    candidate's stages one after another in one lane; so no one is ever booked twice at a
    time and each interviewer sits on about as many interviews as the others. In the
    caller's transaction."""
    if len(interviewer_ids) < 2:
        raise ValueError("a panel of two needs two interviewers")
    wanted = set(candidate_ids)
    stages = [row for row in conn.execute(
        select(Loop.candidate_id, LoopStage.id, LoopStage.minutes).join(LoopStage)
        .order_by(Loop.candidate_id, LoopStage.position)) if row[0] in wanted]
    people, lanes = list(interviewer_ids), len(interviewer_ids) // 2
    slot = timedelta(minutes=max((m for _c, _s, m in stages), default=60)) + INTERVIEW_GAP
    by_candidate: dict[int, list[tuple[int, int]]] = {}
    for candidate_id, stage_id, minutes in stages:
        by_candidate.setdefault(candidate_id, []).append((stage_id, minutes))
    # Lane by lane: each lane's next free slot; a candidate takes the emptiest lane.
    plan: list[tuple[int, int, int, int]] = []  # (slot, lane, candidate, stage) ...
    minutes_of: dict[int, int] = {}
    free = [0] * lanes
    for candidate_id, own in by_candidate.items():
        lane = min(range(lanes), key=lambda n: (free[n], n))
        for stage_id, minutes in own:
            plan.append((free[lane], lane, candidate_id, stage_id))
            minutes_of[stage_id] = minutes
            free[lane] += 1
    slots = max(free, default=0)
    end = (now or utcnow()).replace(second=0, microsecond=0) - timedelta(days=1)
    first = end - slots * slot
    interviews: list[dict[str, Any]] = []
    panels: list[dict[str, Any]] = []
    held_panels: list[tuple[int, ...]] = []
    for n, lane, candidate_id, stage_id in plan:
        starts = first + n * slot
        ends = starts + timedelta(minutes=minutes_of[stage_id])
        # The pairs of slot n: lane j sits (j + n) and (j + n + lanes), modulo the people.
        panel = tuple(sorted((people[(lane + n) % (2 * lanes)],
                              people[(lane + n + lanes) % (2 * lanes)])))
        interviews.append({
            "stage_id": stage_id, "candidate_id": candidate_id, "starts_at": starts,
            "ends_at": ends, "location": LOCATION, "status": "scheduled",
            "ical_uid": f"{uuid.uuid4()}@interviewloop", "sequence": 0,
            "created_by_id": recruiter_id, "created_at": starts - timedelta(days=7),
            "cancelled_at": None, "version": 1})
        held_panels.append(panel)
    ids = insert_ids(conn, Interview, interviews)
    changes, audit = [], []
    for interview_id, row, panel in zip(ids, interviews, held_panels, strict=True):
        panels += [{"interview_id": interview_id, "user_id": user_id,
                    "starts_at": row["starts_at"], "ends_at": row["ends_at"], "live": True,
                    "rsvp": "needs_action", "rsvp_at": None, "role": "panel"}
                   for user_id in panel]
        # What schedule_stage records (interviewloop/scheduling/service.py).
        snapshot = {"starts_at": row["starts_at"].isoformat(),
                    "ends_at": row["ends_at"].isoformat(), "location": LOCATION,
                    "panel": list(panel)}
        changes.append({"interview_id": interview_id, "at": row["created_at"],
                        "actor_id": recruiter_id, "kind": "scheduled", "before": {},
                        "after": snapshot, "reason": ""})
        audit.append(audit_row(row["created_at"], recruiter_id, "interview_scheduled",
                               "interviews", interview_id, stage_id=row["stage_id"],
                               candidate_id=row["candidate_id"], panel=list(panel)))
    insert_all(conn, Panelist, panels)
    insert_all(conn, InterviewChange, changes)
    insert_all(conn, AuditEvent, audit)
    return [Held(i, r["candidate_id"], r["stage_id"], p, r["ends_at"])
            for i, r, p in zip(ids, interviews, held_panels, strict=True)]
