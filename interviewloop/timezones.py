"""Times are stored in UTC and shown in each viewer's own time zone, with the zone named."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped by a daylight-saving change in that zone."""


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_local(moment: datetime, zone_name: str | None) -> datetime:
    return moment.astimezone(zone(zone_name))


def from_local(naive: datetime, zone_name: str) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC datetime; refuses skipped times."""
    local = naive.replace(tzinfo=zone(zone_name))
    try:
        back = local.astimezone(UTC).astimezone(zone(zone_name))
    except OverflowError:  # within a day of year 1 or 9999: UTC would leave the calendar
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} is outside the calendar this "
                                   "app can book.") from None
    if back.replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name} (the clocks change then).")
    return local.astimezone(UTC)


def format_local(moment: datetime | None, zone_name: str | None, *, with_date: bool = True) -> str:
    """E.g. 'Thu 3 Dec 2026, 14:00 CET (Europe/Berlin)'."""
    if moment is None:
        return ""
    local = to_local(moment, zone_name)
    clock = f"{local:%H:%M} {local.tzname()}"
    name = zone_name or "UTC"
    suffix = f" ({name})" if name != local.tzname() else ""
    if not with_date:
        return clock + suffix
    return f"{local:%a} {local.day} {local:%b %Y}, {clock}{suffix}"
