"""What scorecards ask of (and tell) the features above them (debrief, webhooks), which
connect receivers here (interviewloop/wiring.py); scorecards never import them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent before a scorecard of ``interview`` is written (or first saved). A receiver raises a
#: DomainError to refuse (debrief: a decision was made on it).
scorecard_editing = _signals.signal("scorecard-editing")

#: Sent by ``save`` when a scorecard is first submitted (not on later edits), with
#: ``scorecard``, in the transaction that submits it. A receiver (webhooks) records the event
#: by ids only: nothing of what the scorecard says leaves through a signal's receiver.
scorecard_submitted = _signals.signal("scorecard-submitted")
