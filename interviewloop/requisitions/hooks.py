"""What requisitions say when the bank asks (connected in interviewloop/wiring.py)."""

from __future__ import annotations

from pathlib import Path

from interviewloop.requisitions.job_description import template_problems


def job_description_problems(path: Path, *, templates: list[object]) -> list[tuple[str, str]]:
    """On ``checking_job_descriptions``: the job description templates are checked as they
    will be read when a job description is generated."""
    return template_problems(templates)
