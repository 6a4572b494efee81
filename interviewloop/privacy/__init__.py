"""Candidate data: what is personal (``catalogue``), erasure on request, retention rules that
erase by themselves, and the export of everything held on one candidate (issue 13)."""
