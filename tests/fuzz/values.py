"""Form values: mostly sensible ones, with crafted bad ones mixed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

BAD_TEXT = st.sampled_from([
    "", "   ", "abc", "-1", "0", str(2**40), "9" * 30, "1.5", "1e3", "null", "[]",
    "NUL\x00byte", "ünïcødé ✓ 🧪 مرحبا", "<script>alert(1)</script>", "' OR 1=1 --",
    "=HYPERLINK(\"http://x\")", "x" * 5_001, "\r\n\t", "\u202e\u200b",
])
BAD_ID = st.sampled_from(["abc", "-1", "0", str(2**31), str(2**40), "", "1.0", " 1"])
BAD_DATE = st.sampled_from([
    "", "tomorrow", "2026-13-01T10:00", "2026-02-30T10:00", "10:00 2026-01-01",
    "2026-01-01", "2026-01-01T25:00", "0000-00-00T00:00", "9999-12-31T23:59",
    "2027-03-28T02:30",  # a time that does not exist in Europe (DST gap)
    "0001-01-01T00:00",
])


class BadValues:
    """Whether this step mixes bad values in (drawn per step, so that most requests are
    well formed and the world moves on, and a few are full of crafted bad values)."""

    on = False


def maybe(good, bad=BAD_TEXT):
    """``good``; in a step that mixes bad values in, a crafted bad value one time in four."""

    @st.composite
    def pick(draw):
        if BadValues.on and draw(st.integers(0, 3), label="bad value?") == 3:
            return draw(bad)
        return draw(good)

    return pick()


def text_with(marker: str):
    return maybe(st.sampled_from([f"Evidence {marker}: walked through a real incident.",
                                  f"{marker} — ünïcødé notes", f"{marker}"]))


def future_slot():
    """A start in the weeks ahead, from a small set so that bookings often collide: (weeks
    ahead, day of the week, (hour, minute) UTC). The rule writes it in the booker's zone."""
    return st.tuples(st.integers(1, 2), st.just(0), st.sampled_from([(9, 0), (9, 30), (10, 0)]))


def slot_time(slot) -> datetime:
    weeks, day, (hour, minute) = slot
    today = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return today + timedelta(days=7 * weeks - today.weekday() + day)
