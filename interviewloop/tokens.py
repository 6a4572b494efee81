"""Secrets handed to people, made one way for every feature.

Three kinds:

* **Stored secrets** (calendar feeds, API tokens, candidate links): 256 random bits shown once;
  only their SHA-256 is kept, so a copy of the database opens nothing. The secret is random,
  so a fast unsalted digest is enough: nobody can guess their way back to it. Revoking or
  expiring one is a change to its row.
* **Derived secrets** (webhook signing secrets): the HMAC of a stored random seed under the
  app's secret key, shown once; the party it is given to needs the secret itself, so it
  cannot be a hash, yet the database alone does not hold it.
* **Signed links** (accept or decline an invite): nothing stored; the link carries what it
  does, signed with the app's secret key and a purpose, and expires. A link signed for one
  purpose is refused for any other.

Every secret starts with a short prefix naming what it is (``ilf_`` a feed, ``ila_`` an API
token, ``ilw_`` a webhook signing secret), so a leaked one is recognisable in a log or a
secret scanner.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

_SECRET = re.compile(r"[A-Za-z0-9_-]{16,100}")

#: The key under which an app's sessions carry its LinkSigner (``Session.info``), so that
#: services writing mail can sign links without knowing about the app.
SIGNER_INFO = "interviewloop.link_signer"


def new_secret(prefix: str = "") -> tuple[str, str]:
    """A fresh secret and the digest to store for it: ``(secret, secret_hash(secret))``."""
    secret = prefix + secrets.token_urlsafe(32)
    return secret, secret_hash(secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_secret(text: str | None) -> bool:
    """Whether ``text`` could be a secret this module made; anything else costs no query."""
    return bool(text) and _SECRET.fullmatch(text or "") is not None


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class LinkSigner:
    """Signed, expiring, single-purpose links (``purpose`` is the serializer's salt)."""

    def __init__(self, secret_key: str | bytes) -> None:
        self._secret_key = secret_key

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret_key, salt=f"interviewloop.{purpose}")

    def sign(self, purpose: str, data: Any) -> str:
        return str(self._serializer(purpose).dumps(data))

    def derive(self, purpose: str, seed: str, prefix: str = "") -> str:
        """A secret for ``purpose`` made from a stored random ``seed`` and the app's secret key
        (HMAC-SHA256): the same on every call, so it need not be stored, and not computable
        from the database alone (webhook signing secrets)."""
        key = self._secret_key.encode() if isinstance(self._secret_key, str) else self._secret_key
        digest = hmac.new(key, f"interviewloop.{purpose}:{seed}".encode(), hashlib.sha256)
        return prefix + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")

    def load(self, purpose: str, token: str, *, max_age_seconds: int) -> Any | None:
        """What was signed, or None for a link that is forged, altered, expired or for another
        purpose (the caller answers 404 either way: a stranger learns nothing from it)."""
        if not token or len(token) > 1000:
            return None
        try:
            return self._serializer(purpose).loads(token, max_age=max_age_seconds)
        except BadData:
            return None


def signer_of(session_info: Mapping[str, Any]) -> LinkSigner | None:
    """The LinkSigner a session carries: every session the app makes has one (outbox's
    ``init_app``); a bare session (a script, a race test) has none."""
    signer = session_info.get(SIGNER_INFO)
    return signer if isinstance(signer, LinkSigner) else None


def app_signer(session_info: Mapping[str, Any]) -> LinkSigner:
    """The LinkSigner of a session the app made (a view's): its absence is a bug."""
    signer = signer_of(session_info)
    if signer is None:  # every app session has one (outbox.init_app)
        raise RuntimeError("The app's sessions carry no link signer.")
    return signer
