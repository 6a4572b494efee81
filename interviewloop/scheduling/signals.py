"""What scheduling asks of the features above it (scorecards), which connect receivers
here (interviewloop/wiring.py); scheduling never imports them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by ``reschedule`` before the panel changes, with ``interview`` and ``keeping`` (the
#: ids of the new panel). A receiver raises a DomainError to refuse (scorecards: someone
#: leaving the panel has started a scorecard).
panel_changing = _signals.signal("panel-changing")

#: Sent by ``board_page`` with ``interview_ids`` (the page's live interviews). A receiver
#: (scorecards) returns ``{interview id: submitted scorecards}`` for those interviews.
counting_scorecards = _signals.signal("counting-scorecards")
