"""Taking a candidate's strings out of text that also holds other things: mail bodies, their
iCalendar parts (folded lines, escaped commas), and JSON (audit details, interview changes,
scorecard snapshots). Pure functions: no session."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from interviewloop.privacy.catalogue import ERASED, FREE_TEXT_KEYS

SHORTEST = 3  # a shorter string (a name such as "Al") would be replaced inside other words


@dataclass(frozen=True)
class Replacements:
    """(what, with what) pairs, longest first, matched without regard to case."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[str | None, str]]) -> Replacements:
        kept = {old.strip(): new for old, new in pairs
                if old is not None and len(old.strip()) >= SHORTEST}
        return cls(tuple(sorted(kept.items(), key=lambda p: -len(p[0]))))

    def in_text(self, value: str) -> str:
        if "BEGIN:VCALENDAR" in value:
            return _in_icalendar(value, self)
        return self._plain(value)

    def _plain(self, value: str) -> str:
        for old, new in self.pairs:
            # A function, not a template: the replacement is taken as it is.
            value = re.compile(re.escape(old), re.IGNORECASE).sub(_literal(new), value)
        return value

    def in_json(self, value: Any, *, key: str | None = None) -> Any:
        """Every string replaced in; under a free-text key, the whole text erased."""
        if isinstance(value, dict):
            return {k: self.in_json(v, key=k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.in_json(v, key=key) for v in value]
        if isinstance(value, str):
            if key in FREE_TEXT_KEYS and value:
                return ERASED
            return self.in_text(value)
        return value


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


# --- iCalendar (RFC 5545): lines folded at 75 octets, TEXT values escaped -------------------

_FOLD = re.compile(r"\r?\n[ \t]")


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str, width: int = 75) -> str:
    """One content line folded into lines of at most ``width`` octets (never inside a
    UTF-8 character), continuation lines starting with a space."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        if size + octets > width:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def _in_icalendar(value: str, replacements: Replacements) -> str:
    escaped = Replacements(tuple(sorted(
        {*replacements.pairs, *((_escape(o), _escape(n)) for o, n in replacements.pairs)},
        key=lambda p: -len(p[0]))))
    lines = _FOLD.sub("", value).split("\r\n" if "\r\n" in value else "\n")
    return "\r\n".join(fold(escaped._plain(line)) if line else line for line in lines)


def unfolded(value: str) -> str:
    """The text with iCalendar line folds undone (for searching it)."""
    return _FOLD.sub("", value)


def scorecard_snapshot(content: dict[str, Any]) -> dict[str, Any]:
    """A scorecard as scorecards.service.content_of made it, every written text erased:
    ratings, the recommendation and the signals' values kept."""

    def erased(text: Any) -> Any:
        return ERASED if isinstance(text, str) and text else text

    def pair(value: Any) -> Any:
        return [value[0], *[erased(v) for v in value[1:]]] if isinstance(value, list) else value

    snapshot = dict(content)
    snapshot["summary"] = erased(content.get("summary", ""))
    for name in ("ratings", "signals"):
        if isinstance(content.get(name), dict):
            snapshot[name] = {k: pair(v) for k, v in content[name].items()}
    if isinstance(content.get("notes"), dict):
        snapshot["notes"] = {k: erased(v) for k, v in content["notes"].items()}
    return snapshot
