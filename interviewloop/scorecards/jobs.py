"""Scorecards' background job: the overdue-scorecard reminders (registered on the queue
when the app is made; `interviewloop worker` runs it periodically)."""

from __future__ import annotations

from flask import Flask

from interviewloop.db import db, utcnow
from interviewloop.queue import job
from interviewloop.scorecards.reminders import queue_reminders

SCORECARD_REMINDERS_JOB = "scorecard_reminders"


@job(SCORECARD_REMINDERS_JOB, retries=3, retry_delay=60, every_minutes=15)
def scorecard_reminders(app: Flask) -> None:
    """Queue the reminders owed now; the outbox's delivery job sends them once this
    commits. Run twice, or retried, it queues nothing twice."""
    with db.session_scope() as session:
        queue_reminders(session, now=utcnow(), due_hours=app.config["SCORECARD_DUE_HOURS"],
                        escalate_hours=app.config["SCORECARD_ESCALATE_HOURS"])
