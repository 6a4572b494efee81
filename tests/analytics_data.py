"""Synthetic hiring history with known structure, for the analytics tests: candidates
with a one-stage loop held days ago, a panel per candidate, every scorecard submitted,
inserted with Core for speed (600 scorecards in well under a second)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import insert

from interviewloop.db import utcnow
from interviewloop.demo_history import insert_decisions
from interviewloop.loops.models import Loop, LoopQuestion, LoopStage, LoopStageArea
from interviewloop.requisitions.models import Candidate
from interviewloop.scheduling.models import Interview, Panelist
from interviewloop.scorecards.models import Rating, Scorecard

HOUR = timedelta(hours=1)

# rate(candidate number, interviewer index, area position) -> 1..4 or None (not assessed)
RateFn = Callable[[int, int, int], int | None]


def plant(session, requisition, panel: Sequence, areas: Sequence, rate: RateFn, *,
          count: int, start: int = 0, tag: str = "plant", hours_to_feedback: float = 3,
          focus_positions: Sequence[int] = (), decide: Callable[[int], str | None] = lambda n: None,
          recommend: Callable[[int, int], str] = lambda n, i: "hire", days_ago: float = 5,
          asks: Callable[[int], Sequence[int]] = lambda n: ()) -> list[int]:
    """``count`` candidates on ``requisition``, each interviewed once by everyone in
    ``panel``, their stage asking the bank questions ``asks(n)``; ``decide(n)`` is "offer",
    "reject" or None; returns the candidate ids."""
    now = utcnow().replace(microsecond=0)
    numbers = range(start, start + count)
    cids = list(session.scalars(insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True), [
        {"requisition_id": requisition.id, "name": f"{tag.title()} {n:04}",
         "email": f"{tag}-{n}@example.net", "source": "", "notes": "",
         "status": {"offer": "offer", "reject": "rejected"}.get(decide(n) or "", "active"),
         "version": 1} for n in numbers]))
    loop_ids = list(session.scalars(insert(Loop).returning(Loop.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "level": requisition.level.value, "template_id": None,
         "coverage_gaps": [], "created_at": now, "updated_at": now, "version": 1} for cid in cids]))
    stage_ids = list(session.scalars(insert(LoopStage).returning(
        LoopStage.id, sort_by_parameter_order=True), [
        {"loop_id": lid, "position": 0, "name": "Stage", "category": "system_design",
         "minutes": 60} for lid in loop_ids]))
    asked = [{"loop_id": lid, "stage_id": sid, "question_id": qid, "position": k}
             for n, lid, sid in zip(numbers, loop_ids, stage_ids, strict=True)
             for k, qid in enumerate(asks(n))]
    if asked:
        session.execute(insert(LoopQuestion), asked)
    by_position = {a.position: a for a in areas}
    if focus_positions:
        session.execute(insert(LoopStageArea), [
            {"stage_id": sid, "area_id": by_position[p].id} for sid in stage_ids
            for p in focus_positions])
    starts = [now - timedelta(days=days_ago) - timedelta(minutes=n) for n in numbers]
    iids = list(session.scalars(insert(Interview).returning(Interview.id, sort_by_parameter_order=True), [
        {"stage_id": sid, "candidate_id": cid, "starts_at": at, "ends_at": at + HOUR,
         "location": "", "status": "scheduled", "ical_uid": f"{tag}-{sid}@test", "sequence": 0,
         "created_at": now, "version": 1}
        for sid, cid, at in zip(stage_ids, cids, starts, strict=True)]))
    session.execute(insert(Panelist), [
        {"interview_id": iid, "user_id": person.id, "starts_at": at, "ends_at": at + HOUR,
         "live": True} for iid, at in zip(iids, starts, strict=True) for person in panel])
    cards = [(n, i, iid, cid, at) for n, iid, cid, at in zip(numbers, iids, cids, starts, strict=True)
             for i in range(len(panel))]
    card_ids = list(session.scalars(insert(Scorecard).returning(Scorecard.id, sort_by_parameter_order=True), [
        {"interview_id": iid, "interviewer_id": panel[i].id, "candidate_id": cid,
         "status": "submitted", "recommendation": recommend(n, i), "summary": "",
         "created_at": now, "updated_at": now,
         "submitted_at": at + HOUR + timedelta(hours=hours_to_feedback), "version": 1}
        for n, i, iid, cid, at in cards]))
    session.execute(insert(Rating), [
        {"scorecard_id": card, "area_id": area.id, "rating": rate(n, i, area.position),
         "evidence": "Planted."}
        for (n, i, _iid, _cid, _at), card in zip(cards, card_ids, strict=True) for area in areas])
    decide_all(session, requisition,
               [(cid, decide(n), now) for n, cid in zip(numbers, cids, strict=True)])
    session.flush()
    return cids


def decide_all(session, requisition, decisions) -> None:
    """(candidate id, "offer" / "reject" / None, when), as the demo's history inserts them."""
    insert_decisions(session, requisition, [d for d in decisions if d[1]])


# (added days ago, per stage the days ago its interview started or None, decision, decided
# days ago)
Path = tuple[float, Sequence[float | None], str | None, float | None]


def funnel_history(session, requisition, paths: Sequence[Path], *, tag: str = "funnel",
                   names: Sequence[str] = ("Screen", "Design", "Values")) -> list[int]:
    """Candidates with loops of len(names) stages; each held interview lasts an hour."""
    now = utcnow().replace(microsecond=0)
    ago = [now - timedelta(days=days) for days, _s, _d, _a in paths]
    cids = list(session.scalars(insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True), [
        {"requisition_id": requisition.id, "name": f"{tag.title()} {n:04}",
         "email": f"{tag}-{n}@example.net", "source": "", "notes": "", "status": "active",
         "version": 1, "created_at": at, "updated_at": at} for n, at in enumerate(ago)]))
    loop_ids = list(session.scalars(insert(Loop).returning(Loop.id, sort_by_parameter_order=True), [
        {"candidate_id": cid, "level": requisition.level.value, "template_id": None,
         "coverage_gaps": [], "created_at": now, "updated_at": now, "version": 1} for cid in cids]))
    stages = [(cid, lid, p) for cid, lid in zip(cids, loop_ids, strict=True) for p in range(len(names))]
    stage_ids = list(session.scalars(insert(LoopStage).returning(
        LoopStage.id, sort_by_parameter_order=True), [
        {"loop_id": lid, "position": p, "name": names[p], "category": "system_design",
         "minutes": 60} for _cid, lid, p in stages]))
    held = {(cid, p): days for cid, (_a, days_of, _d, _x) in zip(cids, paths, strict=True)
            for p, days in enumerate(days_of) if days is not None}
    rows = [{"stage_id": sid, "candidate_id": cid, "starts_at": now - timedelta(days=held[(cid, p)]),
             "ends_at": now - timedelta(days=held[(cid, p)]) + HOUR, "location": "",
             "status": "scheduled", "ical_uid": f"{tag}-{sid}@test", "sequence": 0,
             "created_at": now, "version": 1}
            for (cid, _lid, p), sid in zip(stages, stage_ids, strict=True) if (cid, p) in held]
    if rows:
        session.execute(insert(Interview), rows)
    decide_all(session, requisition, [
        (cid, kind, now - timedelta(days=days) if days is not None else now)
        for cid, (_a, _s, kind, days) in zip(cids, paths, strict=True)])
    session.flush()
    return cids
