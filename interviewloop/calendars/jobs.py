"""The calendar sync job, on the task queue."""

from __future__ import annotations

from flask import Flask

from interviewloop.calendars.service import SYNC_JOB, settings, sync_due
from interviewloop.queue import job, task_queue


@job(SYNC_JOB, retries=5, retry_delay=60, every_minutes=5)
def sync_calendars(app: Flask) -> None:
    """One run, then the next one queued for this run's failures (with the backoff's wait),
    and at once if the batch was full. The periodic run catches writes whose job was lost."""
    from interviewloop.db import db

    config = settings(db.session)
    if not config.enabled:
        return
    run = sync_due(db.session_scope, config)
    queue = task_queue(app)
    if run.more_due:
        queue.enqueue(SYNC_JOB)
    if run.retry_in is not None:
        queue.enqueue(SYNC_JOB, delay=run.retry_in)
