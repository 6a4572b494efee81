"""Times are stored in UTC and shown in each viewer's own time zone, with the zone named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_local(moment: datetime | None, zone_name: str | None, *, with_date: bool = True) -> str:
    """E.g. 'Thu 3 Dec 2026, 14:00 CET (Europe/Berlin)'. The names are strftime's (its C
    locale), spelled here: a board formats a time in every cell, and each strftime call
    cost as much as the rest of this together."""
    if moment is None:
        return ""
    local = to_local(moment, zone_name)
    abbreviation = local.tzname()
    clock = f"{local.hour:02d}:{local.minute:02d} {abbreviation}"
    name = zone_name or "UTC"
    suffix = f" ({name})" if name != abbreviation else ""
    if not with_date:
        return clock + suffix
    return (f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year}, "
            f"{clock}{suffix}")


def format_span(starts_at: datetime, ends_at: datetime, zone_name: str | None) -> str:
    """E.g. 'Tue 8 Dec 2026, 09:00 CET to 12:30 CET': the end's date only when it differs."""
    start, end = to_local(starts_at, zone_name), to_local(ends_at, zone_name)

    def day(local: datetime) -> str:
        return f"{local:%a} {local.day} {local:%b %Y}"

    until = f"{end:%H:%M} {end.tzname()}"
    if end.date() != start.date():
        until = f"{day(end)}, {until}"
    return f"{day(start)}, {start:%H:%M} {start.tzname()} to {until}"


def clock(minute: int) -> str:
    """Minutes after local midnight as a wall clock: 540 is '09:00', 1440 '24:00'."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def wall_clock(day: date, minute: int, zone_name: str | None) -> datetime:
    """``minute`` minutes after midnight on ``day``, by the wall clock in ``zone_name``, in UTC.
    Counted on the wall clock, not in elapsed time: 09:00 is 09:00 on the day the clocks
    change too. A time that happens twice is the first; one the change skips is the moment
    of the change (the first wall-clock time after the gap)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    tz = zone(zone_name)
    first = naive.replace(tzinfo=tz)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return first.astimezone(UTC)
    # In a gap: the change lies between the two readings; find it to the minute.
    low, high = sorted((first.astimezone(UTC), naive.replace(tzinfo=tz, fold=1).astimezone(UTC)))
    before = low.astimezone(tz).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class WorkingHours:
    """When someone works, in their own time zone: from ``starts`` to ``ends`` (minutes after
    local midnight) on the weekdays in ``days`` (a bit per weekday, Monday the lowest)."""

    starts: int = 9 * 60
    ends: int = 17 * 60
    days: int = 0b0011111  # Monday to Friday

    def works_on(self, weekday: int) -> bool:
        return bool(self.days >> weekday & 1)

    @property
    def weekdays(self) -> list[int]:
        return [d for d in range(7) if self.works_on(d)]

    def describe(self) -> str:
        """E.g. '09:00 to 17:00, Mon Tue Wed Thu Fri'."""
        return (f"{clock(self.starts)} to {clock(self.ends)}, "
                + " ".join(WEEKDAYS[d] for d in self.weekdays))

    def intervals(self, zone_name: str | None, starts_at: datetime, ends_at: datetime
                  ) -> list[tuple[datetime, datetime]]:
        """The working time within [starts_at, ends_at), in UTC, one interval per local
        working day (each day converted on its own, so that a change of the clocks moves
        the UTC times, never the local ones), in order."""
        tz = zone(zone_name)
        day, last = starts_at.astimezone(tz).date(), ends_at.astimezone(tz).date()
        found = []
        while day <= last:
            if self.works_on(day.weekday()):
                begin = max(wall_clock(day, self.starts, zone_name), starts_at)
                end = min(wall_clock(day, self.ends, zone_name), ends_at)
                if begin < end:
                    found.append((begin, end))
            day += timedelta(days=1)
        return found
