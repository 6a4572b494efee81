"""Connects each feature's receivers to the signals of the features below it.

Features import only features below them (DESIGN.md, "Architecture"); where a lower one
must ask a higher one (a guard, a count for its page), it sends a signal and the higher one
answers. This module is imported by the package itself (interviewloop/__init__.py), so every
entry point (the app, the CLI, a script or a test calling a service directly) has every
receiver connected: a guard cannot be skipped because its feature was never imported.
"""

from __future__ import annotations

from interviewloop.analytics import hooks as analytics
from interviewloop.availability.signals import listing_itinerary
from interviewloop.bank.signals import bank_imported, checking_job_descriptions
from interviewloop.calendars import busy as calendar_busy
from interviewloop.calendars import hooks as calendars
from interviewloop.debrief import hooks as debrief
from interviewloop.debrief.signals import decision_recorded, pre_offer_answered, reading_ratings
from interviewloop.loops import hooks as loops
from interviewloop.loops.signals import describing_stages, stage_removing, stages_changing
from interviewloop.pools.signals import counting_training
from interviewloop.privacy import hooks as privacy
from interviewloop.requisitions import hooks as requisitions
from interviewloop.requisitions.signals import (
    candidate_changing,
    candidate_created,
    listing_loops,
    requisition_opened,
    team_member_removing,
)
from interviewloop.scheduling import hooks as scheduling
from interviewloop.scheduling import itinerary as scheduling_itinerary
from interviewloop.scheduling.signals import (
    checking_calendar_lag,
    checking_calendars,
    checking_candidate,
    counting_scorecards,
    describing_interview,
    interview_changed,
    panel_changing,
    reading_busy_times,
)
from interviewloop.scorecards import hooks as scorecards
from interviewloop.scorecards.signals import scorecard_editing, scorecard_submitted
from interviewloop.webhooks import hooks as webhooks

CONNECTIONS = (
    (checking_job_descriptions, requisitions.job_description_problems),
    (bank_imported, loops.import_templates),
    (listing_loops, loops.coverage_gaps),
    (team_member_removing, scheduling.refuse_removing_panelists),
    (stages_changing, scheduling.refuse_changing_scheduled_stages),
    (stages_changing, scheduling.drop_proposals_of_changing_stages),
    (stage_removing, scheduling.refuse_removing_stages_with_history),
    (describing_stages, scheduling.describe_stages),
    (panel_changing, scorecards.keep_writers_on_panel),
    (counting_scorecards, scorecards.submitted_counts),
    (counting_training, scorecards.training_seats),
    (scorecard_editing, debrief.lock_decided_scorecards),
    (interview_changed, calendars.sync_calendars_of),
    (checking_calendars, calendar_busy.checking_calendars),
    (reading_busy_times, calendar_busy.reading_busy_times),
    (describing_interview, calendars.calendar_notes),
    (checking_calendar_lag, calendars.calendars_behind),
    (listing_itinerary, scheduling_itinerary.itinerary_items),
    (candidate_changing, privacy.refuse_editing_erased),
    (checking_candidate, privacy.refuse_booking_erased),
    (reading_ratings, analytics.adjusted_ratings),
    # The analytics reports' cache (analytics/cache.py) forgets on each change they read.
    (scorecard_submitted, analytics.forget_reports),
    (scorecard_editing, analytics.forget_reports),
    (decision_recorded, analytics.forget_reports),
    (pre_offer_answered, analytics.forget_reports),
    (interview_changed, analytics.forget_reports),
    (candidate_created, analytics.forget_reports),
    (requisition_opened, analytics.forget_reports),
    # Webhooks: each event is written in the transaction of the change that causes it.
    (requisition_opened, webhooks.requisition_opened),
    (candidate_created, webhooks.candidate_created),
    (interview_changed, webhooks.interview_changed),
    (scorecard_submitted, webhooks.scorecard_submitted),
    (pre_offer_answered, webhooks.pre_offer_answered),
    (decision_recorded, webhooks.decision_recorded),
)

for signal, receiver in CONNECTIONS:
    signal.connect(receiver)
