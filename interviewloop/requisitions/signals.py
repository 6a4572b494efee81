"""What requisitions ask of (and tell) the features above them (loops, scheduling,
webhooks), which connect receivers here (interviewloop/wiring.py); requisitions never import
them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by ``remove_member`` before a person leaves the hiring team, with ``requisition``
#: and ``user_id``. A receiver raises a DomainError to refuse (scheduling: they are on a
#: scheduled interview's panel).
team_member_removing = _signals.signal("team-member-removing")

#: Sent by ``candidate_rows`` with ``candidate_ids`` (a page of them). A receiver (loops)
#: returns ``{candidate id: coverage gaps}`` for those of them that have a loop.
listing_loops = _signals.signal("listing-loops")

#: Sent by ``update_candidate`` before a candidate's details change, with ``candidate``. A
#: receiver raises a DomainError to refuse (privacy: their personal data was erased, and an
#: edit would put it back).
candidate_changing = _signals.signal("candidate-changing")
#: Sent by ``open_requisition`` once the requisition is flushed as open, with
#: ``requisition``, in the transaction that opens it. A receiver (webhooks) records the event.
requisition_opened = _signals.signal("requisition-opened")

#: Sent by ``add_candidate`` once the candidate is flushed, with ``candidate``, in the
#: transaction that adds them. A receiver (webhooks) records the event.
candidate_created = _signals.signal("candidate-created")
