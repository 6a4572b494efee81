"""A lower feature's signal has its higher feature's receiver however the package is entered:
a fresh interpreter that imports only the modules that send (no app, no fixtures, none of
the receiving features) still has every guard connected, so no entry point (a CLI command,
a script) can skip one."""

from __future__ import annotations

import json
import subprocess
import sys

RECEIVERS = {
    "interviewloop.bank.signals:bank_imported": ["import_templates"],
    "interviewloop.bank.signals:checking_job_descriptions": ["job_description_problems"],
    "interviewloop.requisitions.signals:listing_loops": ["coverage_gaps"],
    "interviewloop.requisitions.signals:team_member_removing": ["refuse_removing_panelists"],
    "interviewloop.loops.signals:stages_changing": ["drop_proposals_of_changing_stages",
                                                     "refuse_changing_scheduled_stages"],
    "interviewloop.loops.signals:stage_removing": ["refuse_removing_stages_with_history"],
    "interviewloop.loops.signals:describing_stages": ["describe_stages"],
    "interviewloop.scheduling.signals:panel_changing": ["keep_writers_on_panel"],
    "interviewloop.scheduling.signals:counting_scorecards": ["submitted_counts"],
    "interviewloop.pools.signals:counting_training": ["training_seats"],
    "interviewloop.scorecards.signals:scorecard_editing": ["forget_reports",
                                                          "lock_decided_scorecards"],
    "interviewloop.scheduling.signals:interview_changed": ["forget_reports", "interview_changed",
                                                           "sync_calendars_of"],
    "interviewloop.scheduling.signals:checking_calendars": ["checking_calendars"],
    "interviewloop.scheduling.signals:reading_busy_times": ["reading_busy_times"],
    "interviewloop.scheduling.signals:describing_interview": ["calendar_notes"],
    "interviewloop.scheduling.signals:checking_calendar_lag": ["calendars_behind"],
    "interviewloop.availability.signals:listing_itinerary": ["itinerary_items"],
    "interviewloop.requisitions.signals:candidate_changing": ["refuse_editing_erased"],
    "interviewloop.scheduling.signals:checking_candidate": ["refuse_booking_erased"],
    "interviewloop.requisitions.signals:requisition_opened": ["forget_reports", "requisition_opened"],
    "interviewloop.requisitions.signals:candidate_created": ["candidate_created", "forget_reports"],
    "interviewloop.scorecards.signals:scorecard_submitted": ["forget_reports", "scorecard_submitted"],
    "interviewloop.debrief.signals:pre_offer_answered": ["forget_reports", "pre_offer_answered"],
    "interviewloop.debrief.signals:decision_recorded": ["decision_recorded", "forget_reports"],
    "interviewloop.debrief.signals:reading_ratings": ["adjusted_ratings"],
}

PROBE = """
import importlib, json, sys
found = {}
for signal_path in sys.argv[1:]:
    module, name = signal_path.split(":")
    signal = getattr(importlib.import_module(module), name)
    found[signal_path] = sorted(ref().__name__ for ref in signal.receivers.values())
print(json.dumps(found))
"""


def test_each_signal_is_connected_when_only_the_senders_are_imported():
    result = subprocess.run([sys.executable, "-c", PROBE, *RECEIVERS], capture_output=True,
                            text=True, check=True, timeout=60)
    assert json.loads(result.stdout) == RECEIVERS


def test_every_connection_is_checked_here():
    from interviewloop.wiring import CONNECTIONS

    assert len(CONNECTIONS) == sum(len(receivers) for receivers in RECEIVERS.values())
