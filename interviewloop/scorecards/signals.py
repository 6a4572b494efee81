"""What scorecards ask of the features above them (debrief), which connect receivers here
(interviewloop/wiring.py); scorecards never import them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent before a scorecard of ``interview`` is written (or first saved). A receiver raises a
#: DomainError to refuse (debrief: a decision was made on it).
scorecard_editing = _signals.signal("scorecard-editing")
