"""Evidence nudges before submit (issue 12): where a rating's evidence is unlikely to help
the debrief, say so once, never block.

Four rules, the first that applies names the nudge (tuned on the demo history;
docs/analytics.md gives what they catch and miss):

- copies the rubric: most of its word trigrams are in the rubric shown beside the rating
  (the area, its competencies' expectations at every level, the rating meanings) or in the
  stage's questions' signals and red flags;
- thin: a few words with no concrete detail (no number, name, quotation or technical term);
- the same across areas: near-identical to the evidence of another area on this card;
- the same as on another candidate: near-identical to evidence the author wrote on another
  candidate's submitted scorecard.

The scorecard form's first submit with nudges saves the card as a draft, keeps the nudges
(scorecard_evidence_nudges) and shows them with the input; the next submit goes through,
edited or not, and records for each nudge whether its evidence changed. A scorecard is
nudged at most once. Autosave and edits of a submitted scorecard are never nudged; nor is
the JSON API (its clients are programs).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interviewloop.audit.service import Actor
from interviewloop.bank.models import CapabilityArea
from interviewloop.bank.service import expectations_by_area
from interviewloop.db import utcnow
from interviewloop.enums import Level
from interviewloop.loops.models import LoopStage
from interviewloop.requisitions.models import Requisition
from interviewloop.scheduling.models import Interview
from interviewloop.scorecards import service
from interviewloop.scorecards.access import counted_clause
from interviewloop.scorecards.models import (
    EvidenceNudge,
    NudgeRule,
    Rating,
    Scorecard,
    ScorecardStatus,
    rating_meanings,
)

COPY_SHARE = 0.6  # this share of the evidence's word trigrams found in the rubric: a copy
SAME_SHARE = 0.8  # trigram Jaccard similarity from which two pieces of evidence are "the same"
THIN_WORDS = 8  # fewer words than this, with no concrete detail: thin
OTHER_CANDIDATES_READ = 300  # the author's latest pieces of evidence compared against

MESSAGES = {
    NudgeRule.COPIES_RUBRIC: "This reads like the rubric's own words. What did the candidate "
                             "say or do that shows it?",
    NudgeRule.SAME_ACROSS_AREAS: "This is the same evidence as for {other}. What in this area, "
                                 "specifically?",
    NudgeRule.SAME_AS_OTHER_CANDIDATE: "You wrote the same evidence on another candidate. What "
                                       "was particular to this one?",
    NudgeRule.THIN: "A few words with no concrete detail. An example, a number or what they "
                    "said helps the debrief.",
}

_WORD = re.compile(r"[^\W_]+")
# Concrete detail: a number, a quotation, an acronym or a name (a capital inside a
# sentence), or a technical term (letters joined by . _ / - or holding a digit).
_CONCRETE = re.compile(r"\d|[\"\u201c\u201d\u2018\u2019']\w|(?<=\w )[A-Z]|\b[A-Z]{2,}\b|\w[._/-]\w")


@dataclass(frozen=True)
class Nudge:
    area_id: int
    rule: NudgeRule
    message: str


# Memoised: each piece of evidence is compared with many others (every area's, and the
# author's evidence on other candidates), so its words and trigrams are computed once.
@functools.lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


@functools.lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[tuple[str, ...]]:
    w = words(text)
    return frozenset(w[i:i + 3] for i in range(len(w) - 2))


def same(a: str, b: str) -> bool:
    """Near-identical: the same words, or trigram Jaccard similarity from SAME_SHARE."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    ta, tb = trigrams(a), trigrams(b)
    small, large = sorted((len(ta), len(tb)))
    # Jaccard is at most small / large: most pairs are ruled out without a set operation.
    if not small or small < SAME_SHARE * large:
        return False
    shared = len(ta & tb)
    return shared / (small + large - shared) >= SAME_SHARE


def copies(evidence: str, rubric: frozenset[tuple[str, ...]]) -> bool:
    grams = trigrams(evidence)
    return len(grams) >= 2 and len(grams & rubric) / len(grams) >= COPY_SHARE


def thin(evidence: str) -> bool:
    return len(words(evidence)) < THIN_WORDS and not _CONCRETE.search(evidence)


def question_points(stage: LoopStage) -> list[str]:
    """The signals and red flags of the stage's questions (the kit beside the form)."""
    return [point for lq in stage.questions
            for point in (*lq.question.signals, *lq.question.red_flags)]


def rubric_texts(session: Session, level: Level, areas: Iterable[CapabilityArea],
                 points: Iterable[str] = ()) -> dict[int, frozenset[tuple[str, ...]]]:
    """area -> the trigrams of the rubric shown beside its rating (the area, its
    competencies' expectations at every level, the rating meanings) and of ``points``."""
    expectations = expectations_by_area(session)
    shared = [*rating_meanings(level.label).values(), *points]
    result = {}
    for area in areas:
        parts = [area.name, area.description, *shared]
        for competency, texts in expectations.get(area.id, []):
            parts += [competency.name, *texts.values()]
        result[area.id] = frozenset().union(*(trigrams(p) for p in parts))
    return result


def other_evidence(session: Session, interviewer_id: int, candidate_id: int) -> list[str]:
    """The author's latest evidence on other candidates' submitted scorecards (one query)."""
    return list(session.scalars(
        select(Rating.evidence).join(Scorecard, Scorecard.id == Rating.scorecard_id)
        .where(Scorecard.interviewer_id == interviewer_id, Scorecard.candidate_id != candidate_id,
               Scorecard.status == ScorecardStatus.SUBMITTED, counted_clause(),
               Rating.evidence != "")
        .order_by(Scorecard.submitted_at.desc(), Rating.area_id).limit(OTHER_CANDIDATES_READ)))


def find(data: service.ScorecardInput, areas: dict[int, CapabilityArea],
         rubric: dict[int, frozenset[tuple[str, ...]]], others: list[str]) -> list[Nudge]:
    """The nudges for the rated areas' evidence, at most one per area (the first rule that
    applies, in the order above)."""
    given = [(area_id, evidence) for area_id, (rating, evidence) in sorted(data.ratings.items())
             if rating is not None and evidence.strip()]
    found = []
    for area_id, evidence in given:
        twin = next((areas[other].name for other, text in given
                     if other != area_id and same(evidence, text)), None)
        if copies(evidence, rubric.get(area_id, frozenset())):
            rule, message = NudgeRule.COPIES_RUBRIC, MESSAGES[NudgeRule.COPIES_RUBRIC]
        elif thin(evidence):
            rule, message = NudgeRule.THIN, MESSAGES[NudgeRule.THIN]
        elif twin is not None:
            rule = NudgeRule.SAME_ACROSS_AREAS
            message = MESSAGES[rule].format(other=twin)
        elif any(same(evidence, text) for text in others):
            rule, message = NudgeRule.SAME_AS_OTHER_CANDIDATE, MESSAGES[NudgeRule.SAME_AS_OTHER_CANDIDATE]
        else:
            continue
        found.append(Nudge(area_id, rule, message))
    return found


def digest(evidence: str) -> str:
    return hashlib.sha256(evidence.strip().encode()).hexdigest()


def nudged_before(session: Session, scorecard: Scorecard | None) -> bool:
    return scorecard is not None and session.scalar(
        select(EvidenceNudge.rule).where(EvidenceNudge.scorecard_id == scorecard.id).limit(1)
    ) is not None


def _settle(session: Session, scorecard: Scorecard, *, checked: bool) -> None:
    """On submit: for each nudge still open, whether its evidence changed; the digest goes.
    ``checked``: the rules looked at this submission's evidence (set after the save: a
    change before it would be flushed early and read as another tab's save)."""
    if checked:
        scorecard.evidence_checked = True
    evidence = {r.area_id: r.evidence for r in scorecard.ratings}
    for nudge in session.scalars(select(EvidenceNudge).where(
            EvidenceNudge.scorecard_id == scorecard.id, EvidenceNudge.changed.is_(None))):
        nudge.changed = digest(evidence.get(nudge.area_id, "")) != nudge.evidence_digest
        nudge.evidence_digest = None
    session.flush()


def submit(session: Session, actor: Actor, requisition: Requisition, interview: Interview,
           scorecard: Scorecard | None, data: service.ScorecardInput, *, seen_version: int,
           areas: dict[int, CapabilityArea], stage: LoopStage,
           now: datetime | None = None) -> tuple[Scorecard, list[Nudge]]:
    """The scorecard form's submit. The first time a submittable card has nudges, it is
    saved as a draft with its nudges kept, and they are returned; otherwise it is
    submitted (service.save, refusals and all) and the open nudges settled."""
    now = now or utcnow()
    if scorecard is not None and (scorecard.is_submitted or nudged_before(session, scorecard)):
        checked = not scorecard.is_submitted  # nudged once already: this submit goes in
        saved = service.save(session, actor, requisition, interview, scorecard, data,
                             submit=True, seen_version=seen_version, areas=areas, stage=stage,
                             now=now)
        _settle(session, saved, checked=checked)
        return saved, []
    # Every refusal of a save, then of a submission, before any nudge is looked for.
    draft = service.save(session, actor, requisition, interview, scorecard, data, submit=False,
                         seen_version=seen_version, areas=areas, stage=stage, now=now)
    service.check_submittable(data, interview, stage, areas, now)
    found = find(data, areas, rubric_texts(session, requisition.level, areas.values(),
                                          question_points(stage)),
                 other_evidence(session, draft.interviewer_id, draft.candidate_id))
    if found:
        session.add_all(EvidenceNudge(scorecard_id=draft.id, area_id=n.area_id, rule=n.rule,
                                      nudged_at=now,
                                      evidence_digest=digest(data.ratings[n.area_id][1]))
                        for n in found)
        session.flush()
        return draft, found
    saved = service.save(session, actor, requisition, interview, draft, data, submit=True,
                         seen_version=draft.version, areas=areas, stage=stage, now=now)
    _settle(session, saved, checked=True)
    return saved, []
