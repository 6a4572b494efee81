"""Import the question bank from the YAML files in question_bank/.

Everything is read and validated before anything is written: a bad file imports
nothing, and each error names the file, the question and the field. The import is
idempotent by slug; a question gone from the files is retired, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from interviewloop import limits
from interviewloop.audit.service import Actor, record
from interviewloop.bank.models import (
    BenchmarkQuestion,
    CapabilityArea,
    Competency,
    LevelExpectation,
    Question,
)
from interviewloop.bank.schema import (
    MAPPING,
    SLUG_RE,
    TEXT,
    TEXT_LIST,
    WHOLE_NUMBER,
    QuestionInput,
    field_problems,
    item_label,
    validate_question,
)
from interviewloop.bank.service import apply_question_input
from interviewloop.bank.signals import bank_imported, checking_job_descriptions
from interviewloop.db import utcnow
from interviewloop.enums import Category, Level
from interviewloop.errors import DomainError

# libyaml's safe loader when PyYAML has it: the same documents, several times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BankImportError(DomainError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class BankData:
    areas: list[dict[str, Any]] = field(default_factory=list)
    benchmarks: list[dict[str, Any]] = field(default_factory=list)
    competencies: list[dict[str, Any]] = field(default_factory=list)
    questions: list[QuestionInput] = field(default_factory=list)
    loop_templates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.retired} retired")


class _Reader:
    """Collects every error instead of stopping at the first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []

    def error(self, path: Path, where: str, message: str) -> None:
        self.errors.append(f"{path.relative_to(self.root.parent)}: {where}: {message}")

    def load_list(self, path: Path, key: str) -> list[Any]:
        if not path.is_file():
            self.error(path, "file", "is missing")
            return []
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.error(path, "file", f"is not valid YAML ({str(exc).splitlines()[0]})")
            return []
        items = document.get(key) if isinstance(document, dict) else None
        if not isinstance(items, list):
            self.error(path, "file", f"needs a top-level list named {key!r}")
            return []
        return items

    def records(self, path: Path, key: str, noun: str,
                fields: dict[str, str]) -> list[dict[str, Any]]:
        """The items of a list of slugged mappings whose ``fields`` all hold their kind."""
        good, seen = [], set()
        for index, item in enumerate(self.load_list(path, key)):
            label = item_label(noun, index, item, "slug")
            if not isinstance(item, dict):
                self.error(path, label, "must be a mapping")
                continue
            problems = field_problems(item, fields)
            for problem in problems:
                self.error(path, label, problem)
            slug = item.get("slug")
            if isinstance(slug, str) and not SLUG_RE.match(slug):
                self.error(path, label, "field 'slug' must be lowercase words joined by hyphens")
            elif isinstance(slug, str) and slug in seen:
                self.error(path, label, "field 'slug' is used twice")
            if isinstance(slug, str):
                seen.add(slug)
            if not problems:
                good.append(item)
        return good


QUESTION_FIELDS = ("slug", "category", "title", "prompt", "signals", "red_flags", "areas",
                   "levels", "benchmarks", "minutes")


def load_bank(root: Path) -> BankData:
    """Read and validate every bank file under ``root``; raise BankImportError on any problem."""
    root = Path(root)
    reader = _Reader(root)
    data = BankData()
    data.areas = reader.records(root / "areas.yaml", "areas", "area",
                                {"slug": TEXT, "name": TEXT, "description": TEXT})
    data.benchmarks = reader.records(root / "benchmarks.yaml", "benchmarks", "benchmark",
                                     {"slug": TEXT, "text": TEXT, "description": TEXT})
    area_slugs = {a["slug"] for a in data.areas}
    bench_slugs = {b["slug"] for b in data.benchmarks}

    rubric = root / "rubric.yaml"
    for comp in reader.records(rubric, "competencies", "competency",
                               {"slug": TEXT, "name": TEXT, "area": TEXT, "expectations": MAPPING}):
        label = f"competency {comp['slug']!r}"
        if comp["area"] not in area_slugs:
            reader.error(rubric, label, f"field 'area': unknown area {comp['area']!r}")
        expectations = comp["expectations"]
        for problem in field_problems(expectations, {lv.value: TEXT for lv in Level}):
            reader.error(rubric, label, problem.replace("field '", "field 'expectations.", 1))
        extra = set(map(str, expectations)) - {lv.value for lv in Level}
        if extra:
            reader.error(rubric, label, f"field 'expectations': unknown levels {sorted(extra)}")
        data.competencies.append(comp)

    question_dir = root / "questions"
    files = sorted(question_dir.glob("*.yaml")) if question_dir.is_dir() else []
    if not files:
        reader.error(question_dir, "folder", "has no .yaml files")
    seen: dict[str, Path] = {}
    for path in files:
        for index, item in enumerate(reader.load_list(path, "questions")):
            label = item_label("question", index, item, "slug")
            if not isinstance(item, dict):
                reader.error(path, label, "must be a mapping")
                continue
            unknown = set(map(str, item)) - set(QUESTION_FIELDS)
            if unknown:
                reader.error(path, label, f"unknown fields {sorted(unknown)}")
            raw: dict[str, Any] = {  # as read; validate_question says what is wrong with it
                name: item.get(name, [] if name == "benchmarks" else None)
                for name in QUESTION_FIELDS
            }
            question = QuestionInput(**raw)
            for invalid in validate_question(question, areas=area_slugs, benchmarks=bench_slugs):
                reader.error(path, label, f"field {invalid.field!r} {invalid.message}")
            if isinstance(question.slug, str):  # else reported above, and unhashable
                if question.slug in seen:
                    reader.error(path, label,
                                 f"field 'slug' is also used in {seen[question.slug].name}")
                else:
                    seen[question.slug] = path
            data.questions.append(question)

    data.loop_templates = _read_loop_templates(reader, root / "loop_templates.yaml", area_slugs)
    _check_job_descriptions(reader, root / "job_descriptions.yaml")
    if reader.errors:
        raise BankImportError(reader.errors)
    return data


STAGE_FIELDS = {"name": TEXT, "category": TEXT, "minutes": WHOLE_NUMBER,
                "questions": WHOLE_NUMBER, "focus": TEXT_LIST}


def _read_loop_templates(reader: _Reader, path: Path, area_slugs: set[str]) -> list[dict]:
    """One template per level, each an ordered list of stages."""
    good, levels = [], set()
    for index, item in enumerate(reader.load_list(path, "templates")):
        label = item_label("template", index, item, "level")
        if not isinstance(item, dict):
            reader.error(path, label, "must be a mapping")
            continue
        level = item.get("level")
        problems = []
        if not isinstance(level, str) or level not in {lv.value for lv in Level}:
            problems.append(f"field 'level' must be junior, senior or staff, not {level!r}"[:200])
        elif level in levels:
            problems.append("field 'level' is used twice")
        else:
            levels.add(level)
        problems += field_problems(item, {"name": TEXT, "description": TEXT})
        stages = item.get("stages")
        if not isinstance(stages, list) or not stages:
            problems.append("field 'stages' needs at least one stage")
            stages = []
        for number, stage in enumerate(stages, start=1):
            problems += [f"stage {number}: {p}" for p in _stage_problems(stage, area_slugs)]
        for problem in problems:
            reader.error(path, label, problem)
        if not problems:
            good.append(item)
    missing = {lv.value for lv in Level} - levels
    if missing and not reader.errors:
        reader.error(path, "templates", f"no template for {', '.join(sorted(missing))}")
    return good


def _stage_problems(stage: object, area_slugs: set[str]) -> list[str]:
    if not isinstance(stage, dict):
        return ["must be a mapping"]
    problems = field_problems(stage, STAGE_FIELDS)
    if problems:
        return problems
    if len(stage["name"].strip()) not in limits.STAGE_NAME:
        problems.append(f"field 'name' must be 1 to {limits.STAGE_NAME.high} characters")
    if stage["category"] not in {c.value for c in Category}:
        problems.append(f"field 'category' unknown: {stage['category']!r}")
    minutes, count = limits.STAGE_MINUTES, limits.QUESTIONS_PER_STAGE
    if stage["minutes"] not in minutes:
        problems.append(f"field 'minutes' must be from {minutes.low} to {minutes.high}")
    if stage["questions"] not in count:
        problems.append(f"field 'questions' must be from {count.low} to {count.high}")
    panel = stage.get("panel", 1)  # optional: how many interviewers its panel needs
    if type(panel) is not int or panel not in limits.PANEL_SIZE:
        problems.append(f"field 'panel' must be a whole number from {limits.PANEL_SIZE.low} "
                        f"to {limits.PANEL_SIZE.high}")
    unknown = [a for a in stage["focus"] if a not in area_slugs]
    if not stage["focus"] or unknown:
        problems.append(f"field 'focus' needs known area slugs (unknown: {unknown})")
    return problems


def _check_job_descriptions(reader: _Reader, path: Path) -> None:
    """Job descriptions are read when one is generated; the import checks them the same way
    (requisitions say what is wrong), so a broken file is found here rather than on a
    requisition's page."""
    templates = reader.load_list(path, "templates")
    for _receiver, problems in checking_job_descriptions.send(path, templates=templates):
        for label, problem in problems:
            reader.error(path, label, problem)


def import_bank(session: Session, actor: Actor, data: BankData) -> ImportReport:
    """Write validated bank data: upsert by slug, retire file questions no longer present."""
    areas = _upsert(session, CapabilityArea, data.areas, ("name", "description"))
    benchmarks = _upsert(session, BenchmarkQuestion, data.benchmarks, ("text", "description"))
    for comp in data.competencies:
        comp["area_id"] = areas[comp["area"]].id
    competencies = _upsert(session, Competency, data.competencies, ("name", "area_id"))
    existing_expectations = {
        (e.competency_id, e.level): e for e in session.scalars(select(LevelExpectation))
    }
    for comp in data.competencies:
        for level in Level:
            text = comp["expectations"][level.value].strip()
            key = (competencies[comp["slug"]].id, level)
            if key in existing_expectations:
                existing_expectations[key].text = text
            else:
                session.add(LevelExpectation(competency_id=key[0], level=level, text=text))

    report = ImportReport()
    existing = {
        q.slug: q for q in session.scalars(
            select(Question).options(
                selectinload(Question.points), selectinload(Question.level_rows),
                selectinload(Question.areas), selectinload(Question.benchmarks),
            )
        )
    }
    for item in data.questions:
        question = existing.get(item.slug)
        if question is None:
            question = Question(slug=item.slug, origin="bank_file", points=[], level_rows=[],
                                areas=[], benchmarks=[])
            session.add(question)
            report.created += 1
        question.origin = "bank_file"
        changed = apply_question_input(question, item, areas, benchmarks)
        if question.id is not None:
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
    in_files = {q.slug for q in data.questions}
    now = utcnow()
    for slug, question in existing.items():
        if question.origin == "bank_file" and slug not in in_files and not question.is_retired:
            question.retired_at = now
            report.retired += 1
    session.flush()
    bank_imported.send(session, templates=data.loop_templates, areas=areas)  # loops write them
    record(session, actor, "bank_imported", created=report.created, updated=report.updated,
           retired=report.retired)
    return report


def _upsert(session: Session, model: type[Any], items: list[dict[str, Any]],
            fields: tuple[str, ...]) -> dict[str, Any]:
    rows = {row.slug: row for row in session.scalars(select(model))}
    for position, item in enumerate(items):
        row = rows.get(item["slug"])
        if row is None:
            row = model(slug=item["slug"])
            session.add(row)
            rows[row.slug] = row
        row.position = position
        for name in fields:
            value = item[name]
            setattr(row, name, value.strip() if isinstance(value, str) else value)
    session.flush()
    return rows
