"""Every picture a guide in docs/guide/ shows is taken by a browser journey (guide_shot with
that name, run with GUIDE_SCREENSHOTS=1), so the guides stay current; and it is there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide"


def shown() -> dict[str, str]:
    """image name -> the guide that shows it."""
    return {name: page.name for page in sorted(GUIDE.glob("*.md"))
            for name in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page.read_text(), re.S)}


def taken() -> set[str]:
    calls = r"guide_shot\(\s*\w+\s*,\s*\"([^\"]+)\""
    return {name for test in (ROOT / "tests" / "browser").glob("test_*.py")
            for name in re.findall(calls, test.read_text())}


def test_every_guide_picture_is_taken_by_a_journey_and_is_there() -> None:
    pictures = shown()
    assert len(set(pictures.values())) >= 4  # a guide per role, each with one
    untaken = {name: page for name, page in pictures.items() if name not in taken()}
    assert untaken == {}, "no browser journey takes these (guide_shot)"
    missing = {name for name in pictures if not (GUIDE / name).is_file()}
    assert missing == set(), "run the journeys with GUIDE_SCREENSHOTS=1"
