"""What the evidence nudges catch and miss on the demo's history (docs/analytics.md).

Run after `interviewloop demo` against the same database (DATABASE_URL): for each kind of
evidence the demo planted (interviewloop/demo_evidence.py), how many pieces there are and
how many each rule nudged; then the leniency shrinkage's k estimated from the history
(method of moments). Prints a Markdown table."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.analytics.queries import RatingRow
from interviewloop.analytics.service import leniency_offsets
from interviewloop.db import db
from interviewloop.demo_evidence import KINDS, first_expectations, kind_of
from interviewloop.demo_history import history_titles
from interviewloop.requisitions.models import Candidate, Requisition
from interviewloop.scorecards.models import EvidenceNudge, Rating, Scorecard


def main() -> None:
    app = create_app()
    with app.app_context():
        session = db.session
        history = list(session.scalars(select(Requisition.id).where(
            Requisition.title.in_(list(history_titles().values())))))
        rubric = {t for texts in first_expectations(session).values() for t in texts.values()}
        rows = session.execute(
            select(Rating.scorecard_id, Rating.area_id, Rating.rating, Rating.evidence,
                   Scorecard.interviewer_id, Scorecard.candidate_id)
            .join(Scorecard, Scorecard.id == Rating.scorecard_id)
            .join(Candidate, Candidate.id == Scorecard.candidate_id)
            .where(Candidate.requisition_id.in_(history), Rating.rating.is_not(None))).all()
        rules = defaultdict(set)
        rewritten = set()  # nudged, then rewritten before submit: the nudged text is gone
        for card, area, rule, changed in session.execute(select(
                EvidenceNudge.scorecard_id, EvidenceNudge.area_id, EvidenceNudge.rule,
                EvidenceNudge.changed)):
            rules[(card, area)].add(rule.value)
            if changed:
                rewritten.add((card, area))
        table: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
        for card, area, _rating, evidence, _who, _cid in rows:
            if (card, area) in rewritten:
                continue
            kind = kind_of(evidence, rubric)
            table[kind]["pieces"] += 1
            fired = rules.get((card, area), set())
            table[kind]["nudged"] += bool(fired)
            for rule in fired:
                table[kind][rule] += 1
        names = ["copies_rubric", "thin", "same_across_areas", "same_as_other_candidate"]  # rule order
        print("| kind | pieces | nudged | " + " | ".join(names) + " |")
        print("|---|---|---|" + "---|" * len(names))
        for kind, c in table.items():
            share = f"{100 * c['nudged'] / c['pieces']:.0f}%" if c["pieces"] else "-"
            print(f"| {kind} | {c['pieces']} | {c['nudged']} ({share}) | "
                  + " | ".join(str(c[n]) for n in names) + " |")
        print(f"\n{len(rewritten)} nudged pieces were rewritten before submit (left out above)")
        per = leniency_offsets([RatingRow(who, cid, area, rating, False, False)
                                for _c, area, rating, _e, who, cid in rows])
        # Method of moments: per-candidate offsets d_ic; sigma2 their variance within an
        # interviewer; tau2 the variance of the interviewers' means beyond sigma2 / n.
        within, means, sizes = [], [], []
        for entries in per.values():
            d = np.asarray([s / n for s, n in entries])
            within.append(d.var(ddof=1))
            means.append(d.mean())
            sizes.append(len(d))
        sigma2 = float(np.mean(within))
        tau2 = float(np.var(means, ddof=1) - np.mean([sigma2 / n for n in sizes]))
        print(f"\nleniency: {len(per)} interviewers, candidates each {sizes}, "
              f"offsets {[round(float(m), 2) for m in means]}")
        print(f"sigma2 = {sigma2:.3f}, tau2 = {tau2:.3f}, k = sigma2 / tau2 = "
              f"{sigma2 / tau2 if tau2 > 0 else float('inf'):.1f}")


if __name__ == "__main__":
    main()
