"""Report how many steps the state machine really ran (read from the test reports, so it
works under xdist too)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:
    lines = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            props = dict(getattr(report, "user_properties", []))
            if getattr(report, "when", "") == "call" and "fuzz_steps" in props:
                lines.append(f"{report.nodeid} [{outcome}]: {props['fuzz_summary']}")
    if lines:
        terminalreporter.write_sep("-", "state machine")
        for line in lines:
            terminalreporter.write_line(line)
