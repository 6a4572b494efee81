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
