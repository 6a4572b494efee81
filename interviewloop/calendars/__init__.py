"""Real calendars: each interviewer's own CalDAV calendar (CALDAV_URL) holds their
interviews, and bookings warn over the busy times it shows."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give every session the app makes the CalDAV settings, and register the sync job."""
    from interviewloop.calendars import jobs  # noqa: F401 - registers the job
    from interviewloop.calendars.client import SETTINGS_INFO, CalDAVSettings

    config = app.config
    sessions = app.extensions["interviewloop.db"]["sessions"]
    caldav = CalDAVSettings(url=config["CALDAV_URL"], username=config["CALDAV_USERNAME"],
                            password=config["CALDAV_PASSWORD"],
                            collection=config["CALDAV_COLLECTION"],
                            timeout=config["CALDAV_TIMEOUT_SECONDS"],
                            retry_seconds=config["CALDAV_RETRY_SECONDS"])
    sessions.configure(info={**sessions.kw.get("info", {}), SETTINGS_INFO: caldav})
