"""Webhooks: signed deliveries of what happens (candidates added, interviews scheduled,
moved or cancelled, scorecards submitted, pre-offer checks answered, decisions, requisitions
opened) to the endpoints admins register. The events are written by hooks.py (wired for
every entry point by interviewloop/wiring.py) and sent by the job in jobs.py."""
