"""What the debrief tells the features above it (webhooks), which connect receivers here
(interviewloop/wiring.py); the debrief never imports them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by ``answer_pre_offer`` once the check is flushed, with ``check`` and ``candidate``,
#: in the transaction that answers it. A receiver (webhooks) records the event.
pre_offer_answered = _signals.signal("pre-offer-answered")

#: Sent by ``record_decision`` once the decision is flushed, with ``decision`` and
#: ``candidate``, in the transaction that records it. A receiver (webhooks) records the event.
decision_recorded = _signals.signal("decision-recorded")

#: Sent by the debrief page with ``viewer``, ``candidate_id`` and ``ratings`` (each rating on
#: it as (scorecard id, interviewer id, area id, rating or None)). A receiver (analytics)
#: returns reading aids, {(scorecard id, area id): an object with ``value`` and ``offset``},
#: from what the viewer may see; the page shows them beside the ratings, which decide.
reading_ratings = _signals.signal("reading-ratings")
