"""A real SMTP server (aiosmtpd) on loopback for the tests that send mail."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from types import SimpleNamespace

from aiosmtpd.controller import Controller

from interviewloop.mail import Mailer


class Inbox:
    """An aiosmtpd handler that keeps what arrives, parsed. It refuses recipients in
    ``refuse``, and drops the connection in the middle of a message to ``drop``."""

    def __init__(self) -> None:
        self.messages, self.recipients = [], []
        self.refuse: set[str] = set()
        self.drop: set[str] = set()
        self.during_data = lambda: None  # called as each message arrives

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.during_data()
        if set(envelope.rcpt_tos) & self.drop:
            server.transport.close()
            return "421 gone"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def take(self) -> list[tuple[str, str, str]]:
        """(To, Subject, body) of each message received since the last take, sorted."""
        taken = sorted((str(m["To"]), str(m["Subject"]), text_of(m)) for m in self.messages)
        self.messages.clear()
        self.recipients.clear()
        return taken


def text_of(message) -> str:
    """The text/plain part of a message (the whole body when it has only that)."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(sender: str) -> Iterator[SimpleNamespace]:
    """An SMTP server on a free loopback port: .inbox, .port, and a .mailer that uses it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SimpleNamespace(inbox=inbox, port=port,
                              mailer=Mailer(host="127.0.0.1", port=port, sender=sender))
    finally:
        controller.stop()
