"""interviewloop.tokens: the one way secrets and signed links are made."""

from __future__ import annotations

import hashlib
import types

import pytest

from interviewloop import tokens


def test_a_new_secret_is_returned_once_with_the_digest_to_store() -> None:
    secret, digest = tokens.new_secret("ila_")
    assert secret.startswith("ila_") and len(secret) > 40
    assert digest == hashlib.sha256(secret.encode()).hexdigest() == tokens.secret_hash(secret)
    assert secret not in digest
    assert tokens.new_secret()[0] != tokens.new_secret()[0]


@pytest.mark.parametrize("text", ["", None, "short", "a" * 101, "has space" * 3, "x'; DROP--" * 3])
def test_what_no_secret_looks_like_costs_no_query(text: str | None) -> None:
    assert not tokens.looks_like_secret(text)


def test_a_made_secret_looks_like_one() -> None:
    assert tokens.looks_like_secret(tokens.new_secret("ilf_")[0])


def _clock_at(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    # itsdangerous reads the clock through its own module's `time`.
    monkeypatch.setattr("itsdangerous.timed.time", types.SimpleNamespace(time=lambda: seconds))


def test_a_signed_link_opens_only_for_its_purpose_and_until_it_expires(
        monkeypatch: pytest.MonkeyPatch) -> None:
    signer = tokens.LinkSigner("k" * 32)
    start = 1_796_000_000
    _clock_at(monkeypatch, start)
    link = signer.sign("rsvp", {"interview": 7, "answer": "accepted"})
    _clock_at(monkeypatch, start + 3600)
    assert signer.load("rsvp", link, max_age_seconds=7200) == {"interview": 7,
                                                               "answer": "accepted"}
    assert signer.load("availability", link, max_age_seconds=7200) is None
    assert tokens.LinkSigner("other" * 8).load("rsvp", link, max_age_seconds=7200) is None
    assert signer.load("rsvp", link[:-2] + ("A" if link[-2] != "A" else "B") + link[-1],
                       max_age_seconds=7200) is None
    assert signer.load("rsvp", "", max_age_seconds=7200) is None
    assert signer.load("rsvp", "x" * 2000, max_age_seconds=7200) is None
    _clock_at(monkeypatch, start + 7201)
    assert signer.load("rsvp", link, max_age_seconds=7200) is None
