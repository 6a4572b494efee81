"""The evidence the demo's past scorecards carry (demo_history.py), written as a real panel
would: most of it concrete, some of it the kinds the evidence nudges look for
(scorecards/nudges.py), in a different mix per interviewer, from a seeded generator.

Each piece is one of these kinds (``KINDS``), so that the rules can be measured against
what was planted (scripts/nudge_figures.py; the figures are in docs/analytics.md):

- concrete: what the candidate said or did, with a detail (varied: an action and a detail,
  with numbers drawn per piece);
- rubric: the level's expectation for the area, copied (sometimes after a word or two);
- thin: a few words with no detail;
- stock: one sentence of the interviewer's own, pasted into every area and candidate;
- waffle: long and vague, no detail, in words of its own (the rules are not built to
  catch it: it shows what they miss).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from interviewloop.bank.service import areas as all_areas
from interviewloop.bank.service import expectations_by_area
from interviewloop.enums import Level
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scorecards import nudges
from interviewloop.scorecards.models import EvidenceNudge, Rating, Scorecard, ScorecardStatus
from interviewloop.scorecards.service import ScorecardInput

KINDS = ("concrete", "rubric", "thin", "stock", "waffle")
# Per demo interviewer, in order: the chance of each kind.
MIX = (
    (0.85, 0.00, 0.05, 0.00, 0.10),
    (0.60, 0.00, 0.30, 0.00, 0.10),
    (0.55, 0.30, 0.00, 0.00, 0.15),
    (0.60, 0.00, 0.05, 0.25, 0.10),
)
# Per demo interviewer, in order: the chance they rewrite a nudged piece before submitting
# (the rest submit it as it was). Different on purpose, so that the interviewers page's
# "changed after the nudge" tells them apart; about two in five overall.
ACTS_ON_NUDGE = (0.75, 0.35, 0.15, 0.50)

ACTIONS = {
    "application-engineering": [
        "Designed the fallback when the model times out: a cached answer after {ms} ms",
        "Wrote the retry wrapper live, with jitter and a cap of {n} attempts",
        "Turned a vague product ask into {n} acceptance checks on model output",
        "Sketched streaming the answer to the UI and cancelling it on navigation",
    ],
    "ml-systems": [
        "Proposed an eval set of {k} logged queries split by intent before retraining",
        "Found the label leak in our feature join and moved the cut-off {n} days back",
        "Compared offline recall against the online click rate and said why they differ",
        "Planned a nightly backfill with idempotent writes keyed by event id",
    ],
    "infrastructure-cloud": [
        "Walked through a blue-green deploy on Kubernetes with health checks every {n} s",
        "Sized the GPU pool for {k} requests a minute and named the autoscaling signal",
        "Debugged the sample outage from the load balancer logs in about {n} minutes",
        "Put the model weights behind a versioned bucket path and pinned the image digest",
    ],
    "mlops-discipline": [
        "Set a drift alarm on the embedding distribution with a {n}% threshold",
        "Described rolling back a bad model by flipping the registry alias, in {n} minutes",
        "Named who is paged when the p95 latency passes {ms} ms, and what they check first",
        "Added a shadow run of {n} days before promoting the retrained model",
    ],
    "technical-leadership": [
        "Explained to the product manager why launch waits {n} days for the rollback path",
        "Laid out two options with their cost per {k} requests and picked one",
        "Described mentoring a junior through their first on-call week",
        "Wrote the decision down as a one-page note and named the reviewers",
    ],
}
DETAILS = [
    "; asked what happens at {n}x traffic, they changed the design",
    ", and named the metric they would watch first",
    "; when pushed on cost they cut it by about {n}%",
    ", then tested the unhappy path with a malformed payload",
    "",
]
THIN = ["Good.", "Solid answer.", "Fine, no concerns.", "Strong.", "Did well here.",
        "Seemed fine overall.", "Ok.", "Reasonable answer, nothing major."]
STOCK = [
    "Good discussion overall, covered the main points and would be happy to work with them.",
    "Solid performance across the board with a clear and structured way of thinking.",
    "Candidate did well and showed the right mindset for the role we are hiring for.",
    "Nothing of concern here, answers were in line with what we expect from candidates.",
]
# Waffle: vague clauses put together anew each time (a waffler rarely repeats themselves).
WAFFLE = [
    ["Gave a reasonably thoughtful answer", "Their approach was sensible",
     "Overall a decent showing", "I came away with a positive impression",
     "They seemed comfortable with the topic", "A fairly balanced discussion"],
    ["that touched on most of what we would want", "and they communicated it well enough",
     "and they handled follow up questions without much trouble",
     "and they clearly have some experience of this kind of work",
     "with a sensible structure to how they thought about it"],
    ["although some parts could have gone deeper.", "even if specifics were a little light.",
     "and I think they would grow into it with support.", "though it stayed high level.",
     "which is broadly what I hoped to see."],
]
CONTEXTS = ["", " for their search product", " on the support bot", " in the ranking service",
            " for the fraud model", " on their last team's RAG stack", " in a take-home system"]


def evidence(rng: np.random.Generator, interviewer: int, area_slug: str, rubric: str
             ) -> tuple[str, str]:
    """(kind, text) of one piece of evidence by the ``interviewer``-th demo interviewer."""
    kind = KINDS[int(rng.choice(len(KINDS), p=MIX[interviewer % len(MIX)]))]
    numbers = {"ms": int(rng.integers(2, 20)) * 50, "n": int(rng.integers(2, 30)),
               "k": int(rng.integers(2, 20)) * 100}
    if kind == "concrete":
        return kind, concrete(rng, area_slug, numbers)
    if kind == "rubric" and rubric:
        lead = ["", "Meets it: ", "Yes. "][int(rng.integers(3))]
        return kind, lead + rubric
    if kind == "stock":
        return kind, STOCK[interviewer % len(STOCK)]
    if kind == "waffle":
        return kind, " ".join(part[int(rng.integers(len(part)))] for part in WAFFLE)
    return "thin", THIN[int(rng.integers(len(THIN)))]


def concrete(rng: np.random.Generator, area_slug: str, numbers: dict[str, int] | None = None
             ) -> str:
    """A concrete piece: an action in the area, a context and a detail."""
    numbers = numbers or {"ms": int(rng.integers(2, 20)) * 50, "n": int(rng.integers(2, 30)),
                          "k": int(rng.integers(2, 20)) * 100}
    actions = ACTIONS.get(area_slug, ACTIONS["application-engineering"])
    action = actions[int(rng.integers(len(actions)))]
    detail = DETAILS[int(rng.integers(len(DETAILS)))]
    context = CONTEXTS[int(rng.integers(len(CONTEXTS)))]
    return (action + context + detail).format(**numbers) + "."


def kind_of(text: str, rubric_texts: set[str]) -> str:
    """Which kind a piece of the demo's evidence was written as (for the figures)."""
    if text in THIN:
        return "thin"
    if text in STOCK:
        return "stock"
    if text.startswith(tuple(WAFFLE[0])):
        return "waffle"
    if any(text.endswith(r) for r in rubric_texts if r):
        return "rubric"
    return "concrete"


class Writer:
    """Writes the history's evidence: a seeded generator of its own (so that the ratings'
    generator, and the leniency and outcomes planted with it, stay as they were)."""

    def __init__(self, seed: int, interviewer_ids: list[int],
                 rubric: dict[int, dict[object, str]]) -> None:
        self.rng = np.random.default_rng(seed)
        self.order = {uid: k for k, uid in enumerate(interviewer_ids)}
        self.rubric = rubric  # area id -> {level: the expectation text}

    def __call__(self, interviewer_id: int, area_id: int, area_slug: str, level: object) -> str:
        rubric = self.rubric.get(area_id, {}).get(level, "")
        return evidence(self.rng, self.order.get(interviewer_id, 0), area_slug, rubric)[1]


def first_expectations(session: Session) -> dict[int, dict[object, str]]:
    """area id -> {level: the expectation of the area's first competency}."""
    return {area_id: dict(comps[0][1]) for area_id, comps in expectations_by_area(session).items()
            if comps}


def plant_nudges(session: Session, requisition_ids: Iterable[int],
                 write: Writer | None = None) -> None:
    """The history as if every card had been submitted through the nudges: the rules run on
    each card in the order they came in (against its author's earlier evidence) and the
    nudges are kept. With ``write``, each nudged piece is rewritten as a concrete one before
    submit with its author's chance (ACTS_ON_NUDGE), its nudges then marked changed; the
    others stay as nudged (unchanged). Without it, none is acted on."""
    areas = {a.id: a for a in all_areas(session)}
    rows = session.execute(
        select(Scorecard.id, Scorecard.interviewer_id, Scorecard.candidate_id,
               Scorecard.submitted_at, Requisition.level, Rating.area_id, Rating.rating,
               Rating.evidence)
        .join(Rating, Rating.scorecard_id == Scorecard.id)
        .join(Candidate, Candidate.id == Scorecard.candidate_id)
        .join(Requisition, Requisition.id == Candidate.requisition_id)
        .where(Requisition.id.in_(list(requisition_ids)),
               Scorecard.status == ScorecardStatus.SUBMITTED)
        .order_by(Scorecard.submitted_at, Scorecard.id, Rating.area_id)).all()
    cards: dict[int, list] = defaultdict(list)
    for row in rows:
        cards[row[0]].append(row)
    rubric = {level: nudges.rubric_texts(session, Level(level), areas.values()) for level in Level}
    earlier: dict[int, list[tuple[int, str]]] = defaultdict(list)  # author -> (candidate, text)
    planted, rewritten = [], []
    for card_id, card in cards.items():
        _id, who, candidate, at, level, *_rest = card[0]
        data = ScorecardInput(ratings={r[5]: (r[6], r[7]) for r in card})
        others = [text for cid, text in earlier[who][-nudges.OTHER_CANDIDATES_READ:]
                  if cid != candidate]
        found = nudges.find(data, areas, rubric[Level(level)], others)
        final = {r[5]: r[7] for r in card}
        changed = set()
        if write is not None:
            chance = ACTS_ON_NUDGE[write.order.get(who, 0) % len(ACTS_ON_NUDGE)]
            for area_id in sorted({n.area_id for n in found}):
                if write.rng.random() < chance:
                    changed.add(area_id)
                    final[area_id] = concrete(write.rng, areas[area_id].slug)
                    rewritten.append({"scorecard_id": card_id, "area_id": area_id,
                                      "evidence": final[area_id]})
        planted += [{"scorecard_id": card_id, "area_id": n.area_id, "rule": n.rule.value,
                     "nudged_at": at, "evidence_digest": None, "changed": n.area_id in changed}
                    for n in found]
        earlier[who] += [(candidate, text) for text in final.values() if text]
    if planted:
        session.execute(insert(EvidenceNudge), planted)
    if rewritten:
        session.execute(update(Rating), rewritten)  # by primary key, one statement
    if cards:
        session.execute(update(Scorecard).where(Scorecard.id.in_(list(cards)))
                        .values(evidence_checked=True))
