"""What loops ask of the features above them (scheduling), which connect receivers here
(interviewloop/wiring.py); loops never import them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent before a loop's stages change (their questions, their place, removal), with
#: ``stages``. A receiver raises a DomainError to refuse (scheduling: a stage is scheduled).
stages_changing = _signals.signal("stages-changing")

#: Sent before a stage is removed, with ``stage``. A receiver raises a DomainError to refuse
#: (scheduling: the stage has interviews, cancelled ones too, whose history needs it).
stage_removing = _signals.signal("stage-removing")

#: Sent by the loop page with ``stage_ids`` (the loop's). A receiver (scheduling) returns ``{stage id: what to
#: show of its live interview}`` (its time, and each panelist's answer to the invite for
#: the shared ``rsvp_badges``: scheduling/badges.py).
describing_stages = _signals.signal("describing-stages")
