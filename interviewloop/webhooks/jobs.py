"""The webhook delivery job, on the task queue."""

from __future__ import annotations

from flask import Flask

from interviewloop.queue import job, task_queue
from interviewloop.webhooks.delivery import deliver_due, settings_of
from interviewloop.webhooks.service import DELIVERY_JOB


@job(DELIVERY_JOB, retries=3, retry_delay=60, every_minutes=5)
def deliver_webhooks(app: Flask) -> None:
    """The job: one run, then queue the next one for this run's failures (and at once if the
    batch was full). The periodic run catches deliveries whose job was lost."""
    from interviewloop.db import db

    run = deliver_due(db.session_scope, settings_of(app.config))
    queue = task_queue(app)
    if run.more_due:
        queue.enqueue(DELIVERY_JOB)
    if run.retry_in is not None:
        queue.enqueue(DELIVERY_JOB, delay=run.retry_in)
