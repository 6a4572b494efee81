"""A candidate's private link (no account): the windows they are available, in their own
time zone, and their itinerary. The recruiter makes and revokes the link from the
candidate's loop page and sees the windows there, in their own zone."""
