"""Job descriptions: the level's template (question_bank/job_descriptions.yaml) merged
with the requisition's answers. ATS-friendly: plain headings and text, no tables.

What people typed is shown as typed, never as markup: the HTML preview is autoescaped;
the Markdown download backslash-escapes every character that could start Markdown or
HTML; the text download drops HTML tags (keeping the words between them) and breaks any
``<`` that could still open one, since applicant tracking systems may render it as HTML.
Every value is one line there, so pasted line breaks cannot start a block either.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from interviewloop.bank.schema import TEXT, TEXT_LIST, field_problems, item_label
from interviewloop.enums import Level
from interviewloop.errors import DomainError
from interviewloop.requisitions.models import PRODUCTION_SURFACE, Requisition

PLACEHOLDERS = ("team", "title")


class TemplateError(DomainError):
    pass


@dataclass(frozen=True)
class JDTemplate:
    level: Level
    title: str
    role_summary: str
    what_you_will_do: tuple[str, ...]
    what_we_are_looking_for: tuple[str, ...]


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class JobDescription:
    title: str
    sections: list[Section]

    def as_text(self) -> str:
        return self._render(plain_text, title="{}", heading=str.upper)

    def as_markdown(self) -> str:
        return self._render(markdown_text, title="# {}", heading="## {}".format)

    def _render(self, clean: Callable[[str], str], *, title: str,
                heading: Callable[[str], str]) -> str:
        lines = [title.format(clean(self.title)), ""]
        for section in self.sections:
            lines += [heading(section.heading), ""]
            lines += [p for para in section.paragraphs for p in (clean(para), "")]
            if section.bullets:
                lines += [f"- {clean(b)}" for b in section.bullets] + [""]
        return "\n".join(lines).rstrip() + "\n"


def _one_line(value: str) -> str:
    return " ".join(value.split())


# CommonMark shows a backslash-escaped punctuation character as itself. These can start
# emphasis, code, links, images, raw HTML, entities, tables, strikethrough or headings
# anywhere in a line...
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~&#])")
# ...and these at its start: a list item ("- ", "+ ", "1. ", "1) ") or a setext underline.
_MARKDOWN_LIST_MARK = re.compile(r"^([-+=])")
_MARKDOWN_ORDERED_MARK = re.compile(r"^(\d+)([.)])")


def markdown_text(value: str) -> str:
    """``value`` as Markdown that renders as exactly that text."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", _one_line(value))
    text = _MARKDOWN_LIST_MARK.sub(r"\\\1", text)
    return _MARKDOWN_ORDERED_MARK.sub(r"\1\\\2", text)


_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>|<[!?][^>]*>")
_HTML_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def plain_text(value: str) -> str:
    """``value`` with HTML tags and comments dropped (their words kept), and a space after
    any ``<`` left that an HTML parser would read as the start of a tag ("a <b" stays
    readable as "a < b"); "x < 5" is untouched."""
    text = _HTML_TAG.sub(" ", _HTML_COMMENT.sub(" ", value))
    return _one_line(_HTML_TAG_OPEN.sub("< ", text))


TEMPLATE_FIELDS = {"title": TEXT, "role_summary": TEXT, "what_you_will_do": TEXT_LIST,
                   "what_we_are_looking_for": TEXT_LIST}


@cache
def load_templates(path: Path) -> dict[Level, JDTemplate]:
    """Read and check the templates file; every level needs one."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path}: cannot be read ({exc})") from exc
    items = document.get("templates") if isinstance(document, dict) else None
    problems = template_problems(items)
    if problems or not isinstance(items, list):  # not a list is one of the problems
        raise TemplateError(f"{path}: the templates are malformed: "
                            + "; ".join(f"{label}: {problem}" for label, problem in problems))
    return {Level(item["level"]): JDTemplate(
        level=Level(item["level"]), title=item["title"].strip(),
        role_summary=" ".join(item["role_summary"].split()),
        what_you_will_do=tuple(item["what_you_will_do"]),
        what_we_are_looking_for=tuple(item["what_we_are_looking_for"]),
    ) for item in items}


def template_problems(items: object) -> list[tuple[str, str]]:
    """(where, what) for everything wrong with the templates list (empty when it is good).
    The bank import reports these too, so a broken file never reaches a requisition."""
    if not isinstance(items, list):
        return [("file", "needs a top-level list named 'templates'")]
    problems, levels = [], set()
    for index, item in enumerate(items):
        label = item_label("template", index, item, "level")
        if not isinstance(item, dict):
            problems.append((label, "must be a mapping"))
            continue
        level = item.get("level")
        if not isinstance(level, str) or level not in {lv.value for lv in Level}:
            problems.append((label, "field 'level' must be junior, senior or staff"))
        elif level in levels:
            problems.append((label, "field 'level' is used twice"))
        else:
            levels.add(level)
        wrong = field_problems(item, TEMPLATE_FIELDS)
        problems += [(label, problem) for problem in wrong]
        if not any("'role_summary'" in problem for problem in wrong):
            try:
                item["role_summary"].format(**dict.fromkeys(PLACEHOLDERS, ""))
            except (KeyError, IndexError, ValueError) as exc:
                problems.append((label, f"field 'role_summary' has a placeholder other than "
                                        f"{{team}} and {{title}} ({exc!r})"))
    missing = [lv.value for lv in Level if lv.value not in levels]
    if missing and not problems:
        problems.append(("templates", f"no template for {', '.join(missing)}"))
    return problems


def job_description(requisition: Requisition, template: JDTemplate) -> JobDescription:
    summary = template.role_summary.format(team=requisition.team, title=requisition.title)
    sections = [Section("Role summary", [summary])]
    own = [("What you will ship", requisition.ships),
           ("What you will own after launch", requisition.owns_after_launch),
           ("How success is judged", requisition.success_measures)]
    sections += [Section(heading, _paragraphs(text)) for heading, text in own if text]
    surface = [f"{label}: {' '.join(value.split())}" for name, label in PRODUCTION_SURFACE.items()
               if (value := getattr(requisition, name))]
    if surface:
        sections.append(Section("The system you will work on", bullets=surface))
    sections.append(Section("What you will do", bullets=list(template.what_you_will_do)))
    sections.append(Section("What we are looking for",
                            bullets=list(template.what_we_are_looking_for)))
    sections.append(Section("Compensation", [
        f"The base salary range for this role is {requisition.comp_min:,} to "
        f"{requisition.comp_max:,} {requisition.comp_currency} a year."]))
    # "Which candidate would fail in this seat" is the team's own yardstick: not published.
    return JobDescription(title=requisition.title, sections=sections)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
