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

#: Sent by ``load_bank`` with the path of question_bank/job_descriptions.yaml and its
#: ``templates`` list as read. A receiver (requisitions) returns ``[(where, what)]`` for
#: everything wrong with them, empty when they are good.
checking_job_descriptions = _signals.signal("checking-job-descriptions")
