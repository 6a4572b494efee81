"""What a candidate's private pages ask of the features above (scheduling), which connect
receivers here (interviewloop/wiring.py); availability never imports them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

_signals = Namespace()


@dataclass(frozen=True)
class Person:
    """Someone the candidate meets: what a candidate may know of them, and nothing else."""

    name: str
    title: str


@dataclass(frozen=True)
class ItineraryItem:
    """A scheduled stage as the candidate may see it: no questions, rubric, notes, links
    to internal pages, status or email addresses, by construction."""

    stage: str
    starts_at: datetime
    ends_at: datetime
    location: str
    people: tuple[Person, ...]


#: Sent by the itinerary (page and email) with ``candidate_id``. A receiver (scheduling)
#: returns the candidate's live interviews as ``ItineraryItem`` objects, in a constant
#: number of queries.
listing_itinerary = _signals.signal("listing-itinerary")
