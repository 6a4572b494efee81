"""Reports across candidates: inter-rater reliability and interviewer calibration
(issue 12)."""
