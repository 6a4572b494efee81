"""The state machine's step report is in tests/conftest.py (a terminal-summary hook must be
in an initial conftest)."""
