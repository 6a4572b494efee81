"""The `interviewloop` console script: Flask's own commands plus ours."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from interviewloop.audit.service import SYSTEM
from interviewloop.config import PROJECT_ROOT
from interviewloop.errors import DomainError

if TYPE_CHECKING:  # alembic loads only for the commands that migrate
    from alembic.config import Config

DEFAULT_BANK = PROJECT_ROOT / "question_bank"


def _create_app() -> Flask:
    from interviewloop import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli() -> None:
    """Structured interview loops for hiring production AI engineers."""


def register_commands(app: Flask) -> None:
    from interviewloop.queue.worker import worker

    for command in (init_db, import_questions, create_user, create_token, demo, send_reminders,
                    apply_retention, worker):
        app.cli.add_command(command)


def alembic_config(database_url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url",
                           database_url or current_app.config["DATABASE_URL"])
    return config


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Migrate the database to the latest revision (alembic upgrade head)."""
    from alembic import command

    command.upgrade(alembic_config(), "head")
    click.echo("Database is at the latest revision.")


@click.command("import-questions")
@with_appcontext
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
def import_questions(path: Path | None) -> None:
    """Validate and import the question bank from PATH (default: question_bank/)."""
    from interviewloop.bank.importer import BankImportError, import_bank, load_bank
    from interviewloop.db import db

    try:
        data = load_bank(path or current_app.config["BANK_PATH"])
    except BankImportError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        raise click.ClickException(f"{len(exc.errors)} problem(s); nothing was imported.") from exc
    with db.session_scope() as session:
        report = import_bank(session, SYSTEM, data)
    click.echo(f"Question bank imported: {report}.")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "recruiter", "hiring_manager", "interviewer"]))
@click.option("--time-zone", default="UTC", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_user(email: str, name: str, roles: tuple[str, ...], time_zone: str,
                password: str) -> None:
    """Create a user, with the same checks as the admin page."""
    from interviewloop.auth import service
    from interviewloop.auth.login import hasher
    from interviewloop.db import db

    try:
        with db.session_scope() as session:
            user = service.create_user(session, SYSTEM, hasher(), email=email, name=name,
                                       password=password, roles=roles, time_zone=time_zone)
            click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("create-token")
@with_appcontext
@click.option("--email", required=True, help="The account the token acts as.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="e.g. read:requisitions; repeat for more.")
@click.option("--days", default=90, show_default=True, type=int, help="Days until it expires.")
@click.option("--name", default="Command line", show_default=True)
def create_token(email: str, scopes: tuple[str, ...], days: int, name: str) -> None:
    """Print a new API token for the account EMAIL (for scripts and tests): only its hash
    is kept, so this is the one time it is shown."""
    from interviewloop.api.service import create_token_from_cli
    from interviewloop.auth import service
    from interviewloop.db import db

    try:
        with db.session_scope() as session:
            user = service.find_user_by_email(session, email)
            if user is None:
                raise click.ClickException(f"No account with the email {email!r}.")
            made = create_token_from_cli(session, user, name=name, scopes=scopes, days=days)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(made.secret)


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo users (and data); running it again changes nothing."""
    from sqlalchemy import select

    from interviewloop.auth.login import hasher
    from interviewloop.bank.importer import import_bank, load_bank
    from interviewloop.bank.models import CapabilityArea
    from interviewloop.db import db
    from interviewloop.demo import load_demo

    password = current_app.config["DEMO_PASSWORD"]
    with db.session_scope() as session:
        if session.scalar(select(CapabilityArea.id).limit(1)) is None:
            import_bank(session, SYSTEM, load_bank(current_app.config["BANK_PATH"]))
            click.echo("Imported the question bank first.")
        created = load_demo(session, hasher(), password)
    click.echo(f"Demo data ready ({created} users created). Log in with any of these, "
               f"password {password!r}:")
    from interviewloop.demo import DEMO_USERS

    for email, _name, roles in DEMO_USERS:
        click.echo(f"  {email:<28} {', '.join(roles)}")


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Email overdue scorecards to their interviewers (and, later, hiring managers).

    The worker does this by itself every 15 minutes; this command (for cron, or to see what
    goes out) queues what is owed in the outbox and delivers the reminders due at once. Each
    reminder goes out at most once; ones the mail server refuses (or could not take, being
    down) are tried again after a wait. Under MAIL_DELIVERY=outbox they are only kept."""
    from datetime import timedelta

    from interviewloop.db import db, utcnow
    from interviewloop.outbox.delivery import mailer_for
    from interviewloop.scorecards.reminders import send_reminders as send

    config = current_app.config
    deliver = config["MAIL_DELIVERY"] == "smtp"
    run = send(db.session_scope, mailer_for(config), now=utcnow(),
               due_hours=config["SCORECARD_DUE_HOURS"],
               escalate_hours=config["SCORECARD_ESCALATE_HOURS"], deliver=deliver,
               first_wait=timedelta(seconds=config["MAIL_RETRY_SECONDS"]),
               max_attempts=config["MAIL_MAX_ATTEMPTS"])
    if not deliver:
        click.echo(f"{run.queued} reminder(s) queued and kept in the outbox "
                   "(MAIL_DELIVERY=outbox): read them at /admin/mail.")
        return
    for reminder in run.sent:
        click.echo(f"sent to {reminder.recipient}: {reminder.subject}")
    for reminder, reason in run.in_doubt:
        click.echo(f"in doubt (the connection broke while sending; not sent again) to "
                   f"{reminder.recipient}: {reminder.subject}: {reason}", err=True)
    for reminder, reason in run.refused:
        click.echo(f"not sent, will be tried again after a wait, to {reminder.recipient}: "
                   f"{reminder.subject}: {reason}", err=True)
    click.echo(f"{len(run.sent)} reminder(s) sent.")
    if run.refused or run.in_doubt:
        raise click.ClickException(
            f"{len(run.refused) + len(run.in_doubt)} reminder(s) could not be sent "
            f"through {config['SMTP_HOST']}:{config['SMTP_PORT']}.")


@click.command("apply-retention")
@with_appcontext
@click.option("--dry-run", is_flag=True,
              help="Only list whom each rule would erase now (the preview); change nothing.")
def apply_retention(dry_run: bool) -> None:
    """Apply the retention rules (for cron): erase the personal data of every candidate an
    enabled rule matches, each in a transaction of its own. The worker also does this once
    a day. Running it again erases nobody twice."""
    from interviewloop.db import db
    from interviewloop.privacy.retention import apply_retention as apply

    runs = apply(db.session_scope, dry_run=dry_run)
    if not runs:
        click.echo("No retention rule is enabled: nothing to do.")
    verb = "would erase" if dry_run else "erased"
    for run in runs:
        ids = ", ".join(f"#{i}" for i in run.erased) or "nobody"
        click.echo(f"Rule #{run.rule_id} ({run.name}): {verb} {len(run.erased)} "
                   f"candidate(s): {ids}.")
        for candidate_id, reason in run.refused:
            click.echo(f"  held back #{candidate_id}: {reason}", err=True)
    if dry_run:
        click.echo("Dry run: nothing was changed.")
