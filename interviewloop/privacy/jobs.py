"""Privacy's background job: the retention rules, applied once a day by the worker (the
same as `interviewloop apply-retention`, for those who run it from cron instead)."""

from __future__ import annotations

import logging

from flask import Flask

from interviewloop.db import db
from interviewloop.privacy.retention import apply_retention
from interviewloop.queue import job

RETENTION_JOB = "apply_retention"
log = logging.getLogger(__name__)


@job(RETENTION_JOB, retries=2, retry_delay=600, every_minutes=24 * 60)
def retention(app: Flask) -> None:
    """Erase whom the enabled rules say; run twice, it erases nobody twice."""
    for run in apply_retention(db.session_scope):
        if run.erased or run.refused:
            log.info("retention rule %s: %d erased, %d held back", run.name, len(run.erased),
                     len(run.refused))
