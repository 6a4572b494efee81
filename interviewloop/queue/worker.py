"""`interviewloop worker`: run the background jobs."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from interviewloop.queue import task_queue


@click.command("worker")
@click.option("--burst", is_flag=True,
              help="Run what is queued (and retries now due, and each periodic job once), "
                   "then exit. For cron and tests.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads (a long-running worker only).")
@with_appcontext
def worker(burst: bool, workers: int) -> None:
    """Run the background task queue's worker (any number may run side by side)."""
    queue = task_queue(current_app)
    where = current_app.config["TASK_QUEUE_URL"]
    if burst:
        ran, periodic = queue.run_burst()
        click.echo(f"{ran} job(s) run from {where}, and {periodic} periodic job(s).")
        return
    click.echo(f"Worker on {where}, {workers} thread(s); stop with Ctrl-C.")
    queue.run_worker(workers)
