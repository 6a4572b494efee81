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
