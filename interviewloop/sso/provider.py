"""The identity provider, through Authlib: discovery, the authorization URL (code flow with
PKCE S256, ``state`` and ``nonce``), the code exchange, and the ID token's check (signature
against the provider's JWKS, ``iss``, ``aud``, ``exp``, ``nonce``, ``at_hash``).

One Authlib client per app (tests make many apps); the discovery document and the JWKS are
fetched once and kept on it (a key id it does not know makes Authlib fetch the JWKS again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError

TIMEOUT_SECONDS = 10  # each request to the provider; a person is waiting
LEEWAY_SECONDS = 60  # clock difference allowed between the provider and this app
_CLAIM_REASONS = {"aud": "audience", "iss": "issuer", "nonce": "nonce", "exp": "expired",
                  "azp": "audience"}


class ProviderRefused(Exception):
    """The provider's answer did not check out; ``reason`` names what failed (audit log)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    nonce: str
    code_verifier: str


def enabled(config: Any) -> bool:
    return bool(config.get("OIDC_ISSUER"))


def init_app(app: Flask) -> None:
    if not enabled(app.config):
        return
    oauth = OAuth(app)
    oauth.register(
        "oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                       "timeout": TIMEOUT_SECONDS},
    )
    app.extensions["interviewloop.sso"] = oauth


def _client() -> Any:
    client = current_app.extensions["interviewloop.sso"].create_client("oidc")
    issuer = current_app.config["OIDC_ISSUER"]
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderRefused("discovery", f"discovery failed: {type(exc).__name__}") from exc
    if metadata.get("issuer", "").rstrip("/") != issuer:
        # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer asked.
        raise ProviderRefused("discovery", "the discovery document names another issuer")
    return client


def redirect_uri() -> str:
    """Where the provider sends people back; register exactly this at the provider."""
    base: str = current_app.config["BASE_URL"]
    return base.rstrip("/") + "/login/sso/callback"


def authorization() -> Authorization:
    """A fresh authorization request (random state, nonce and PKCE verifier)."""
    found = _client().create_authorization_url(redirect_uri())
    return Authorization(url=found["url"], state=found["state"], nonce=found["nonce"],
                         code_verifier=found["code_verifier"])


def verified_claims(code: str, *, code_verifier: str, nonce: str) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and return the ID token's claims, once its
    signature and claims check out; raise ProviderRefused otherwise."""
    if not nonce:  # Authlib skips the nonce check when it is given none
        raise ProviderRefused("nonce", "no nonce was kept for this sign-in")
    client = _client()
    try:
        token = client.fetch_access_token(redirect_uri=redirect_uri(), code=code,
                                          code_verifier=code_verifier)
    except (OAuthError, requests.RequestException, ValueError) as exc:
        raise ProviderRefused("code_exchange", f"the code exchange failed: {exc}") from exc
    if "id_token" not in token:
        raise ProviderRefused("no_id_token", "the provider sent no ID token")
    issuer = current_app.config["OIDC_ISSUER"]
    try:
        claims = client.parse_id_token(
            token, nonce=nonce, leeway=LEEWAY_SECONDS,
            claims_options={"iss": {"essential": True, "values": [issuer, issuer + "/"]}})
    except ExpiredTokenError as exc:
        raise ProviderRefused("expired", "the ID token has expired") from exc
    except ClaimError as exc:
        reason = _CLAIM_REASONS.get(exc.claim, "claims")
        raise ProviderRefused(reason, f"the ID token's {exc.claim!r} claim is wrong") from exc
    except BadSignatureError as exc:
        raise ProviderRefused("signature", "the ID token's signature is not the provider's") from exc
    except (JoseError, ValueError, requests.RequestException) as exc:
        raise ProviderRefused("token", f"the ID token could not be read: {exc}") from exc
    found = dict(claims)
    if "email" not in found:
        found = _with_userinfo(client, token, found)
    return found


def _with_userinfo(client: Any, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """Claims the ID token left out (a provider may keep email for its userinfo endpoint,
    as OpenID Connect Core 5.4 allows), asked with the access token just issued. The
    answer counts only for the same subject (Core 5.3.2); the token's own claims win."""
    if not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    try:
        info = dict(client.userinfo(token=token))
    except (OAuthError, requests.RequestException, ValueError) as exc:
        raise ProviderRefused("userinfo", f"the userinfo request failed: {exc}") from exc
    if info.get("sub") != claims.get("sub"):
        raise ProviderRefused("userinfo", "the userinfo answer is about someone else")
    return {**info, **claims}
