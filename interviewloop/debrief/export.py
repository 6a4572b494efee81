"""The debrief as CSV: what the debrief page shows, section by section (each a header row,
its rows, then a blank row): the ratings, the per-area statistics, where the questions
differed, each interviewer's summary and question notes, the pre-offer signals, the
hiring manager's pre-offer answers and the decision. Built from the page's own data, so
it carries exactly what the viewer may see there."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from interviewloop.debrief.models import ANSWERS
from interviewloop.scorecards.models import RATING_LABELS, PreOfferQuestion

Who = Callable[[int, str], str]
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """Typed text as a CSV cell a spreadsheet shows, never runs: a leading ' (OWASP's
    advice against CSV injection) before a cell that would start a formula."""
    return "'" + text if text.startswith(FORMULA_LEAD) else text


def format_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _section(writer: Any, header: Sequence[str], rows: Sequence[Sequence[Any]],
             first: bool = False) -> None:
    if not first:
        writer.writerow([])
    writer.writerow(header)
    writer.writerows(rows)


def debrief_csv(data: dict[str, Any], who: Who) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    candidate, cards, areas = data["candidate"], data["cards"], data["areas"]
    ratings = []
    for card in cards:
        for area in areas:
            rating = data["ratings"].get((card.id, area.id))
            value = rating.rating if rating else None
            ratings.append([csv_cell(candidate.name), csv_cell(who(card.interviewer_id,
                                                             card.interviewer_name)),
                            csv_cell(card.stage_name), csv_cell(area.name), value or "",
                            RATING_LABELS[value] if value is not None else "not assessed",
                            csv_cell(rating.evidence) if rating else "",
                            card.recommendation.value])
    _section(writer, ["candidate", "interviewer", "stage", "area", "rating", "rating_label",
                      "evidence", "recommendation"], ratings, first=True)
    _section(writer, ["area", "raters", "mean", "lowest", "highest", "spread", "flag"], [
        [csv_cell(s.area.name), s.count, f"{s.mean:.2f}" if s.mean is not None else "",
         s.low or "", s.high or "", s.spread if s.spread is not None else "",
         "disagreement" if s.disagreement else "coverage gap" if s.coverage_gap else ""]
        for s in data["stats"]])
    if data["set_differences"]:  # like with like: where this candidate's questions differ
        _section(writer, ["stage with other questions", "other candidates differing",
                          "other candidates", "why"],
                 [[csv_cell(d.stage), d.differing, d.others, csv_cell("; ".join(d.why))]
                  for d in data["set_differences"]])
    _section(writer, ["interviewer", "stage", "recommendation", "summary"], [
        [csv_cell(who(c.interviewer_id, c.interviewer_name)), csv_cell(c.stage_name),
         c.recommendation.value, csv_cell(c.summary)] for c in cards])
    titles = data["question_titles"]
    _section(writer, ["interviewer", "stage", "question", "notes"], [
        [csv_cell(who(c.interviewer_id, c.interviewer_name)), csv_cell(c.stage_name),
         csv_cell(titles.get(n.loop_question_id, "Question")), csv_cell(n.notes)]
        for c in cards for n in c.notes if n.notes])
    _section(writer, ["pre-offer question", "interviewer", "signal", "evidence"], [
        [csv_cell(q.text), csv_cell(who(sig.interviewer_id, sig.name)), sig.value,
         csv_cell(sig.evidence)] for q in PreOfferQuestion for sig in data["signals"][q]])
    check = data["check"]
    if check is not None:
        _section(writer, ["pre-offer answer", "answer", "evidence", "answered_by",
                          "answered_at", "passed"], [
            [csv_cell(PreOfferQuestion(n).text), getattr(check, n).value,
             csv_cell(getattr(check, f"{n}_evidence")), csv_cell(check.manager.name),
             format_utc(check.answered_at), "yes" if check.passed else "no"]
            for n in ANSWERS])
    decision = data["decision"]
    if decision is not None:
        _section(writer, ["decision", "decided_by", "decided_at", "rationale", "waived",
                          "waiver"], [
            [decision.kind.value, csv_cell(decision.decided_by.name),
             format_utc(decision.decided_at), csv_cell(decision.rationale),
             csv_cell(decision.waived or ""), csv_cell(decision.waiver or "")]])
    return out.getvalue()
