"""What the bank tells the features above it. Features import only features below them
(docs: DESIGN.md, "Architecture"), so a higher one that must act on the bank's events
connects a receiver here; interviewloop/wiring.py connects them all."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by ``import_bank`` after the bank's own rows are written, in the same transaction,
#: with ``templates`` (the validated loop templates read from question_bank/) and ``areas``
#: (capability areas by slug). Loops write the templates.
bank_imported = _signals.signal("bank-imported")
