"""The email outbox: mail kept in the database, sent by the delivery job."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give every session the app makes the settings its services write mail with (and the
    signer for the links in it: accept / decline), and register the delivery job."""
    from interviewloop.outbox import delivery  # noqa: F401 - registers the job
    from interviewloop.outbox.service import SETTINGS_INFO, MailSettings
    from interviewloop.tokens import SIGNER_INFO, LinkSigner

    sessions = app.extensions["interviewloop.db"]["sessions"]
    mail = MailSettings(sender=app.config["SMTP_FROM"],
                        base_url=app.config["BASE_URL"].rstrip("/"))
    sessions.configure(info={**sessions.kw.get("info", {}), SETTINGS_INFO: mail,
                             SIGNER_INFO: LinkSigner(app.config["SECRET_KEY"])})
