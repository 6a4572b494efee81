"""The state machine: random people in random roles doing random things in random order."""

from __future__ import annotations

from tests.fuzz.base import MachineBase
from tests.fuzz.rules_admin import AdminRules
from tests.fuzz.rules_hiring import HiringRules
from tests.fuzz.rules_scoring import ScoringRules


class InterviewLoopMachine(HiringRules, ScoringRules, AdminRules, MachineBase):
    pass
