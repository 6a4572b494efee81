"""Times are stored in UTC and shown in each viewer's own time zone, with the zone named."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped by a daylight-saving change in that zone."""


class AmbiguousLocalTime(ValueError):
    """The wall-clock time happens twice (the clocks go back) and nobody said which."""


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_local(moment: datetime, zone_name: str | None) -> datetime:
    return moment.astimezone(zone(zone_name))


def readings(naive: datetime, zone_name: str) -> list[datetime]:
    """The local times a wall-clock time can be in ``zone_name`` (aware, in ``fold`` order):
    one as a rule, two when the clocks go back (the first, fold 0, before they do), none
    when they skip it."""
    found: list[datetime] = []
    for fold in (0, 1):
        local = naive.replace(tzinfo=zone(zone_name), fold=fold)
        try:
            back = local.astimezone(UTC).astimezone(zone(zone_name))
        except OverflowError:
            return []
        if back.replace(tzinfo=None) == naive and all(local.utcoffset() != f.utcoffset()
                                                      for f in found):
            found.append(local)
    return found


def describe_reading(local: datetime) -> str:
    """E.g. '01:30 CEST (UTC+02:00)': enough to tell the two 01:30s of a day apart."""
    offset = local.strftime("%z")
    return f"{local:%H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"


def from_local(naive: datetime, zone_name: str, *, fold: int | None = 0) -> datetime:
    """A wall-clock time in ``zone_name`` as an aware UTC datetime; refuses skipped times.
    A time that happens twice is the first (fold 0) or the second (fold 1); with
    ``fold=None`` the caller must say which, or AmbiguousLocalTime is raised."""
    if fold is None:
        found = readings(naive, zone_name)
        if len(found) > 1:
            first, second = (describe_reading(f) for f in found)
            raise AmbiguousLocalTime(
                f"{naive:%Y-%m-%d %H:%M} happens twice in {zone_name} (the clocks go back): "
                f"choose {first} or {second}.")
        fold = 0
    local = naive.replace(tzinfo=zone(zone_name), fold=fold)
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


def format_span(starts_at: datetime, ends_at: datetime, zone_name: str | None) -> str:
    """E.g. 'Tue 8 Dec 2026, 09:00 CET to 12:30 CET': the end's date only when it differs."""
    start, end = to_local(starts_at, zone_name), to_local(ends_at, zone_name)

    def day(local: datetime) -> str:
        return f"{local:%a} {local.day} {local:%b %Y}"

    until = f"{end:%H:%M} {end.tzname()}"
    if end.date() != start.date():
        until = f"{day(end)}, {until}"
    return f"{day(start)}, {start:%H:%M} {start.tzname()} to {until}"
