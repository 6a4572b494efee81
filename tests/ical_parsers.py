"""Two independent readings of an invite: Python's icalendar and Mozilla's ical.js (from npm,
installed in tests/js by `make test`, or here on first use). Both give the same plain dict."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC
from pathlib import Path

from icalendar import Calendar

JS = Path(__file__).parent / "js"


def _ensure_icaljs() -> None:
    if not (JS / "node_modules" / "ical.js").is_dir():
        subprocess.run([shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund",
                        "--prefix", str(JS)], check=True, capture_output=True, timeout=300)


def _utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def by_icaljs(ics: str) -> dict:
    _ensure_icaljs()
    out = subprocess.run(["node", str(JS / "parse-ics.mjs")], input=ics.encode(), check=True,
                         capture_output=True, timeout=60).stdout
    parsed = json.loads(out)
    for event in parsed["events"]:
        for key in ("dtstart", "dtend"):
            event[key] = event[key].replace(".000Z", "Z")
    return parsed


def _address(prop) -> dict:
    return {"value": str(prop), "params": {k.upper(): str(v) for k, v in prop.params.items()}}


def by_icalendar(ics: str) -> dict:
    calendar = Calendar.from_ical(ics)
    events = []
    for event in calendar.walk("VEVENT"):
        attendees = event.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        events.append({
            "uid": str(event["UID"]), "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]) if "STATUS" in event else None,
            "dtstart": _utc(event.decoded("DTSTART")), "dtend": _utc(event.decoded("DTEND")),
            "summary": str(event["SUMMARY"]), "location": str(event.get("LOCATION")) if
            "LOCATION" in event else None, "description": str(event["DESCRIPTION"]),
            "organizer": _address(event["ORGANIZER"]) if "ORGANIZER" in event else None,
            "attendees": [_address(a) for a in attendees]})
    return {"method": str(calendar["METHOD"]), "events": events}


def parse_both(ics: str) -> dict:
    """The invite as both parsers read it; they must agree on every field."""
    python, mozilla = by_icalendar(ics), by_icaljs(ics)
    assert python == mozilla, (python, mozilla)
    return python
