"""The browser journeys' widths (tests/browser/conftest.py): one per database in `make test`,
both with BROWSER_WIDTHS=both; and every journey runs at the run's width."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.browser.conftest import browser_widths, email_at

JOURNEYS = sorted((Path(__file__).resolve().parent / "browser").glob("test_*journey.py"))


@pytest.mark.parametrize(("environ", "widths"), [
    ({}, ["desktop"]),
    ({"TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/x"}, ["phone"]),
    ({"BROWSER_WIDTHS": "both"}, ["desktop", "phone"]),
    ({"BROWSER_WIDTHS": "both", "TEST_DATABASE_URL": "postgresql://x"}, ["desktop", "phone"]),
    ({"BROWSER_WIDTHS": "phone"}, ["phone"]),
    ({"BROWSER_WIDTHS": "desktop", "TEST_DATABASE_URL": "postgresql://x"}, ["desktop"]),
])
def test_each_database_runs_the_journeys_at_one_width_unless_both_are_asked_for(
        environ, widths) -> None:
    assert browser_widths(environ) == widths


def test_an_unknown_width_is_a_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match="say both, desktop or phone"):
        browser_widths({"BROWSER_WIDTHS": "tablet"})


def test_each_widths_run_has_its_own_addresses() -> None:
    assert email_at("ann@example.com", "desktop") == "ann@example.com"
    assert email_at("ann@example.com", "phone") == "ann.phone@example.com"


def widthless(path: Path) -> list[str]:
    """The module's tests that do not get the width, themselves or through its fixtures."""
    functions = [node for node in ast.parse(path.read_text()).body
                 if isinstance(node, ast.FunctionDef)]
    args = {f.name: {a.arg for a in f.args.args} for f in functions}
    given = {"width"}
    while True:  # fixtures of the module that take the width, directly or through another
        more = {name for name, takes in args.items() if takes & given} - given
        if not more:
            break
        given |= more
    return [f"{path.name}::{name}" for name, takes in args.items()
            if name.startswith("test_") and "axe" not in name and not takes & given]


def test_every_journey_runs_at_the_runs_width() -> None:
    assert len(JOURNEYS) >= 11
    # (The SSO module's axe check of its login page is no journey.)
    assert [name for path in JOURNEYS for name in widthless(path)] == [], (
        "a journey without the width fixture runs at one width only")
