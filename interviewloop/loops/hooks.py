"""What loops do when a feature below them says so (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from interviewloop.bank.models import CapabilityArea
from interviewloop.enums import Category, Level
from interviewloop.loops.models import Loop, LoopTemplate, LoopTemplateStage


def import_templates(session: Session, *, templates: list[dict[str, Any]],
                     areas: dict[str, CapabilityArea]) -> None:
    """On ``bank_imported``: upsert templates by level; a template's stages are rewritten
    only when they change (loops copy their stages, so nothing points at a template's
    stages)."""
    existing = {t.level: t for t in session.scalars(select(LoopTemplate).options(
        selectinload(LoopTemplate.stages).selectinload(LoopTemplateStage.focus_areas)))}
    for item in templates:
        level = Level(item["level"])
        template = existing.get(level) or LoopTemplate(level=level, stages=[])
        session.add(template)
        template.name, template.description = item["name"].strip(), item["description"].strip()
        wanted = [(s["name"].strip(), Category(s["category"]), s["minutes"], s["questions"],
                   s.get("panel", 1), sorted(s["focus"])) for s in item["stages"]]
        current = [(s.name, s.category, s.minutes, s.question_count, s.panel_size,
                    sorted(a.slug for a in s.focus_areas)) for s in template.stages]
        if wanted == current:
            continue
        template.stages.clear()
        session.flush()
        for position, (name, category, minutes, count, panel, focus) in enumerate(wanted):
            template.stages.append(LoopTemplateStage(
                position=position, name=name, category=category, minutes=minutes,
                question_count=count, panel_size=panel,
                focus_areas=[areas[slug] for slug in focus]))
    session.flush()


def coverage_gaps(session: Session, *, candidate_ids: Collection[int]) -> dict[int, int]:
    """On ``listing_loops``: how many coverage gaps each candidate's loop has, for those of
    the candidates that have a loop."""
    rows = session.execute(select(Loop.candidate_id, Loop.coverage_gaps)
                           .where(Loop.candidate_id.in_(list(candidate_ids))))
    return {candidate_id: len(gaps or []) for candidate_id, gaps in rows}
