"""The background task queue: Huey, on a SQLite file by default and on Redis in production.

Features name their jobs with ``@job``; a job is asked for inside a transaction with
``enqueue_after_commit`` and reaches the queue only when that transaction commits (a rolled
back one drops it). Jobs carry no state worth losing: each one reads what it must do from the
database and is idempotent, so running it twice, or a retry, never does the work twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

QUEUE_INFO = "interviewloop.task_queue"  # the app's TaskQueue, in every app session's info
WANTED_INFO = "interviewloop.jobs_after_commit"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., Any]  # run(app, **kwargs), inside an app context
    retries: int  # when it raises: tried again this many times, retry_delay seconds apart
    retry_delay: int
    every_minutes: int | None  # also run on this period by a long-running worker


JOBS: dict[str, Job] = {}


def job(name: str, *, retries: int = 5, retry_delay: int = 30,
        every_minutes: int | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``run(app, **kwargs)`` as the job ``name``."""

    def register(run: Callable[..., Any]) -> Callable[..., Any]:
        JOBS[name] = Job(name, run, retries, retry_delay, every_minutes)
        return run

    return register


def enqueue_after_commit(session: Session, name: str, **kwargs: Any) -> None:
    """Ask for job ``name`` once this session's transaction commits (asked twice, queued once).

    Sessions that no app made (a test's own session, a script's) carry no queue: the job is
    dropped at commit, and the work it would do waits for the next run of that job."""
    wanted: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]] = (
        session.info.setdefault(WANTED_INFO, {}))
    wanted[(name, tuple(sorted(kwargs.items())))] = kwargs


@event.listens_for(Session, "after_commit")
def _enqueue_wanted(session: Session) -> None:
    wanted = session.info.pop(WANTED_INFO, None)
    queue: TaskQueue | None = session.info.get(QUEUE_INFO)
    if not wanted or queue is None:
        return
    for (name, _key), kwargs in wanted.items():
        try:
            queue.enqueue(name, **kwargs)
        except Exception:  # the change is committed; a periodic run of the job catches up
            log.exception("Could not queue job %s after commit", name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_wanted(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(WANTED_INFO, None)


def period(every_minutes: int) -> Callable[[Any], bool]:
    """Huey's schedule for a job run every ``every_minutes``: a divisor of 60 minutes, or a
    whole number of hours dividing a day (anything else would drift: cron's */45 fires at
    :00 and :45)."""
    if 60 % every_minutes == 0:
        schedule: Callable[[Any], bool] = crontab(minute=f"*/{every_minutes}")
        return schedule
    hours, rest = divmod(every_minutes, 60)
    if rest or 24 % hours:
        raise ValueError(f"A job runs every divisor of 60 minutes or of 24 hours, not {every_minutes}.")
    schedule = crontab(minute="0", hour=f"*/{hours}")
    return schedule


def make_huey(url: str, *, name: str = "interviewloop") -> Huey:
    """A Huey on ``redis://``/``rediss://`` or on a SQLite file (``sqlite:///path`` or a path)."""
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(name, url=url, results=False)
    path = url.removeprefix("sqlite:///")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, results=False)


class TaskQueue:
    """The app's queue. Huey is built on first use, so that an app that never queues
    anything opens no connection to the queue's store."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._huey: Huey | None = None
        self._tasks: dict[str, TaskWrapper] = {}
        self._periodic: list[TaskWrapper] = []

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            # TASK_QUEUE_NAME (not an environment setting) lets tests share one Redis.
            huey = make_huey(self.app.config["TASK_QUEUE_URL"],
                             name=self.app.config.get("TASK_QUEUE_NAME", "interviewloop"))
            for each in JOBS.values():
                self._tasks[each.name] = huey.task(
                    retries=each.retries, retry_delay=each.retry_delay,
                    name=each.name)(self._runner(each))
                if each.every_minutes:
                    self._periodic.append(huey.periodic_task(
                        period(each.every_minutes),
                        name=f"{each.name}_periodic")(self._runner(each)))
            self._huey = huey
        return self._huey

    def _runner(self, each: Job) -> Callable[..., Any]:
        app = self.app

        def run(**kwargs: Any) -> None:
            with app.app_context():
                each.run(app, **kwargs)

        run.__name__ = each.name
        return run

    def enqueue(self, name: str, *, delay: timedelta | None = None, **kwargs: Any) -> None:
        self.huey  # noqa: B018 - builds the tasks
        task = self._tasks[name]
        if delay is None:
            task(**kwargs)
        else:
            task.schedule(kwargs=kwargs, delay=max(delay.total_seconds(), 0.001))

    def run_burst(self) -> tuple[int, int]:
        """Run what is queued, the retries and delayed jobs now due, then each periodic job
        once; return how many of each ran. For tests and cron (``worker --burst``)."""
        huey = self.huey
        if hasattr(huey.storage, "blocking"):  # Redis: an empty queue answers at once
            huey.storage.blocking = False
        for task in huey.read_schedule():
            huey.enqueue(task)
        ran = self._drain()
        for periodic in self._periodic:
            huey.execute(periodic.s())
        return ran + self._drain(), len(self._periodic)

    def _drain(self) -> int:
        ran = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            ran += 1
        return ran

    def run_worker(self, workers: int) -> None:
        """Run until stopped (SIGINT / SIGTERM), with periodic jobs."""
        self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                  check_worker_health=True).run()


def init_app(app: Flask) -> TaskQueue:
    """Give the app its queue, and every session the app makes a way to reach it."""
    queue = TaskQueue(app)
    app.extensions["interviewloop.queue"] = queue
    sessions = app.extensions["interviewloop.db"]["sessions"]
    sessions.configure(info={**sessions.kw.get("info", {}), QUEUE_INFO: queue})
    return queue


def task_queue(app: Flask) -> TaskQueue:
    queue: TaskQueue = app.extensions["interviewloop.queue"]
    return queue
