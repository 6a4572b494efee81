"""The CalDAV server (RFC 4791), through the `caldav` client library: write an event into a
collection (PUT of ``<uid>.ics``, so a second PUT of the same UID replaces it), delete it,
and read the busy times in a range (a calendar-query REPORT with a time-range filter).

Every failure (refused, timed out, an HTTP error) is a ``CalendarUnreachable``: callers
record it and go on; booking never waits longer than the configured timeout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib.url import URL

from interviewloop.config import COLLECTION_FIELDS

SETTINGS_INFO = "interviewloop.caldav_settings"


class CalendarUnreachable(Exception):
    """The server did not answer, or refused; the message says how (no credentials)."""


@dataclass(frozen=True)
class CalDAVSettings:
    """CALDAV_* (an app's sessions carry its own, see ``calendars.init_app``)."""

    url: str | None = None
    username: str | None = None
    password: str | None = None
    collection: str = "{email}/calendar/"
    timeout: int = 4
    retry_seconds: int = 60

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    def collection_url(self, email: str, own: str | None = None) -> str:
        """The person's collection under CALDAV_URL: their ``own`` path (set by an admin),
        else the pattern filled in."""
        fields = dict(zip(COLLECTION_FIELDS, (email, email.partition("@")[0]), strict=True))
        path = (own or self.collection.format(**fields)).lstrip("/")
        if not path.endswith("/"):
            path += "/"
        return str(URL.objectify(self.url or "").join(quote(path, safe="/@")))


@dataclass(frozen=True)
class Busy:
    starts_at: datetime
    ends_at: datetime
    uid: str


def _when(value: date | datetime, zone: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=ZoneInfo(zone)) if value.tzinfo is None else value
    return datetime.combine(value, time(), ZoneInfo(zone))  # an all-day event: its local day


class CalendarServer:
    """One connection to the server; use it as a context manager."""

    def __init__(self, settings: CalDAVSettings) -> None:
        self.settings = settings
        # Basic auth up front (meant for https): no 401 round trip before every request.
        self.client = DAVClient(url=settings.url, username=settings.username,
                                password=settings.password, timeout=settings.timeout,
                                auth_type="basic" if settings.username else None,
                                enable_rfc6764=False)

    def __enter__(self) -> CalendarServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.client.close()

    @staticmethod
    def object_url(collection_url: str, uid: str) -> str:
        return str(URL.objectify(collection_url).join(quote(uid, safe="") + ".ics"))

    def _call(self, what: str, call: Any) -> Any:
        try:
            return call()
        except Exception as exc:  # refused, timed out, DNS, a DAV error: all the same here
            raise CalendarUnreachable(f"{what}: {type(exc).__name__}: {exc}"[:500]) from exc

    def put(self, collection_url: str, uid: str, body: bytes) -> None:
        url = self.object_url(collection_url, uid)
        response = self._call("PUT", lambda: self.client.put(
            url, body.decode(), {"Content-Type": "text/calendar; charset=utf-8"}))
        if response.status not in (200, 201, 204):
            raise CalendarUnreachable(f"PUT answered {response.status}")

    def delete(self, collection_url: str, uid: str) -> None:
        url = self.object_url(collection_url, uid)
        response = self._call("DELETE", lambda: self.client.delete(url))
        if response.status not in (200, 204, 404, 410):  # already gone is gone
            raise CalendarUnreachable(f"DELETE answered {response.status}")

    def busy(self, collection_url: str, starts_at: datetime, ends_at: datetime, *,
             zone: str = "UTC") -> list[Busy]:
        """Events that make the person busy between the two times (recurrences expanded;
        free / transparent and cancelled events left out)."""
        calendar = Calendar(client=self.client, url=collection_url)
        found = self._call("REPORT", lambda: calendar.search(
            start=starts_at.astimezone(UTC), end=ends_at.astimezone(UTC), event=True,
            expand=True))
        result = []
        for item in found:
            event = item.icalendar_component
            if str(event.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
                continue
            if str(event.get("status", "")).upper() == "CANCELLED":
                continue
            start = _when(event.decoded("dtstart"), zone)
            if "dtend" in event:
                end = _when(event.decoded("dtend"), zone)
            elif "duration" in event:
                end = start + event.decoded("duration")
            else:
                end = start + (timedelta(days=1) if not isinstance(event.decoded("dtstart"),
                                                                   datetime) else timedelta())
            if start < ends_at and end > starts_at:
                result.append(Busy(start, end, str(event.get("uid", ""))))
        return sorted(result, key=lambda b: b.starts_at)
