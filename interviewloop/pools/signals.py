"""What pools ask of the features above them (scorecards), which connect receivers here
(interviewloop/wiring.py); pools never import them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by ``pools.service.progress`` with ``category``, ``level``, ``user_ids`` and ``now``.
#: A receiver (scorecards) returns ``{user id: {PanelRole: seats}}``: the trainee seats
#: each person held on interviews of that kind of stage that are over, with their practice
#: card submitted (what a promotion counts).
counting_training = _signals.signal("counting-training")
