"""Where a webhook may be sent (SSRF): an endpoint's URL is checked when it is registered,
and its host is resolved and every address checked before each delivery, which then
connects to the address that was checked (so a DNS answer that changes between the check
and the connection, "DNS rebinding", cannot send it elsewhere).

Refused unless ``WEBHOOKS_ALLOW_PRIVATE`` is on: plain http, and any address that is not
globally routable (loopback, private, link-local, shared, multicast, reserved, unspecified,
and IPv6 addresses that embed one of those)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from interviewloop.errors import InvalidInput
from interviewloop.webhooks.models import URL_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(InvalidInput):
    """A URL or address webhooks are not sent to; the message says why."""

    def __init__(self, message: str, field: str | None = "url") -> None:
        super().__init__(message, field)


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the checked address to connect to, and the URL's own host
    for the Host header and, over https, for SNI and the certificate's name."""

    scheme: str
    host: str
    port: int
    address: str
    path: str  # with its query

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _why_not_public(address: IPAddress) -> str | None:
    """What kind of address this is, if one webhooks are not sent to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if address.teredo:
            embedded = address.teredo[1]
        if embedded is not None:
            return _why_not_public(embedded)
    for kind, flag in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                       ("multicast", address.is_multicast),
                       ("unspecified", address.is_unspecified),
                       ("reserved", address.is_reserved), ("private", address.is_private)):
        if flag:
            return kind
    if not address.is_global:  # e.g. 100.64.0.0/10, shared address space
        return "non-public"
    return None


def check_address(address: IPAddress, *, allow_private: bool) -> None:
    kind = None if allow_private else _why_not_public(address)
    if kind is not None:
        raise RefusedAddress(f"{address} is a {kind} address: webhooks are sent to public "
                             "addresses only (WEBHOOKS_ALLOW_PRIVATE is off).")


def _parts(url: str, *, allow_private: bool) -> SplitResult:
    if len(url) > URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise RefusedAddress(f"Enter a URL of at most {URL_LENGTH} characters, without spaces.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedAddress("That is not a valid URL.") from None
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise RefusedAddress("The URL must start with https://" + (
            " or http://." if allow_private else " (plain http is allowed only with "
            "WEBHOOKS_ALLOW_PRIVATE)."))
    if not parts.hostname:
        raise RefusedAddress("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedAddress("Put no user name or password in the URL: deliveries are "
                             "signed with the endpoint's secret instead.")
    if parts.fragment:
        raise RefusedAddress("A URL with a #fragment is not sent anywhere; leave it out.")
    if port == 0:
        raise RefusedAddress("The URL's port is 1 to 65535.")
    return parts


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL as it is kept, if webhooks may be registered to it (RefusedAddress if not).
    A host given as an address, or a name that is this machine, is checked now; any other
    name is resolved, and its addresses checked, at each delivery."""
    parts = _parts(url, allow_private=allow_private)
    host = (parts.hostname or "").rstrip(".")
    if not allow_private:
        if host == "localhost" or host.endswith(".localhost"):
            raise RefusedAddress("localhost is this machine: webhooks are sent to public "
                                 "addresses only (WEBHOOKS_ALLOW_PRIVATE is off).")
        literal = _literal(host)
        if literal is not None:
            check_address(literal, allow_private=False)
    return url


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address it has (any refused one refuses the
    delivery: a name whose answers mix public and private addresses is not trusted), then
    pick the first to connect to. RefusedAddress says why not."""
    parts = _parts(url, allow_private=allow_private)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RefusedAddress(f"Could not resolve {host}: {exc}") from None
    addresses: list[IPAddress] = []
    for *_rest, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RefusedAddress(f"{host} has no address.")
    for address in addresses:
        try:
            check_address(address, allow_private=allow_private)
        except RefusedAddress as exc:
            raise RefusedAddress(f"{host} resolves to {exc}") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, str(addresses[0]), path)
