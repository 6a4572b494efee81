"""Scheduling's background job: the reminders before interviews (registered on the queue
when the app is made; `interviewloop worker` runs it every few minutes)."""

from __future__ import annotations

from flask import Flask

from interviewloop.db import db, utcnow
from interviewloop.queue import job
from interviewloop.scheduling.reminders import queue_reminders

INTERVIEW_REMINDERS_JOB = "interview_reminders"


@job(INTERVIEW_REMINDERS_JOB, retries=3, retry_delay=60, every_minutes=5)
def interview_reminders(app: Flask) -> None:
    """Queue the reminders owed now (their emails go when this commits, through the
    outbox's delivery job). Run twice, or retried, it queues nothing twice."""
    with db.session_scope() as session:
        queue_reminders(session, now=utcnow(), hours=app.config["INTERVIEW_REMINDER_HOURS"])
