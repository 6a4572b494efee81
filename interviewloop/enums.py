"""Vocabulary shared by several features, stored by value as strings."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    INTERVIEWER = "interviewer"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Level(enum.StrEnum):
    JUNIOR = "junior"
    SENIOR = "senior"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {"junior": "Junior", "senior": "Senior", "staff": "Staff / principal"}[self.value]


class Category(enum.StrEnum):
    SYSTEM_DESIGN = "system_design"
    MLOPS_OPERATIONS = "mlops_operations"
    CODING_IMPLEMENTATION = "coding_implementation"
    BEHAVIOURAL_JUDGMENT = "behavioural_judgment"

    @property
    def label(self) -> str:
        return {
            "system_design": "System design",
            "mlops_operations": "MLOps and operations",
            "coding_implementation": "Coding and implementation",
            "behavioural_judgment": "Behavioural and judgment",
        }[self.value]


class PanelRole(enum.StrEnum):
    """Why someone sits on an interview's panel. Only the panel's own seats count: a
    trainee's scorecard (shadow or reverse-shadow) is a practice card (interviewloop/pools)."""

    PANEL = "panel"
    SHADOW = "shadow"  # a trainee watching a qualified interviewer
    REVERSE_SHADOW = "reverse_shadow"  # a trainee leading, watched by the qualified panel

    @property
    def label(self) -> str:
        return {"panel": "panel", "shadow": "shadow", "reverse_shadow": "reverse shadow"}[
            self.value]

    @property
    def counts(self) -> bool:
        """Whether this seat's scorecard counts (debrief, tally, offer gate, analytics)."""
        return self is PanelRole.PANEL
