"""Sending email over SMTP, one message at a time, saying which ones the server refused.

Callers never hold a database transaction open while this runs (network I/O inside a
write transaction would hold SQLite's write lock, and a PostgreSQL transaction, for as
long as the mail server takes)."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    def message(self, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        return message

    def deliver(self, messages: Sequence[EmailMessage]) -> Delivery:
        """Send each message, over one connection, and say what became of each.

        A message the server refuses does not stop the others. A connection that cannot be
        opened fails them all, unsent; one that breaks while a message is on the wire leaves
        that message in doubt (it may have been delivered) and the rest unsent."""
        delivery = Delivery()
        in_flight: int | None = None
        done = 0
        if not messages:
            return delivery
        try:
            with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                for index, message in enumerate(messages):
                    in_flight = index
                    try:
                        smtp.send_message(message)
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                            smtplib.SMTPSenderRefused) as exc:
                        delivery.refused[index] = _reason(exc)
                        in_flight = None
                        smtp.rset()
                    else:
                        delivery.sent.append(index)
                    in_flight, done = None, index + 1
        except (smtplib.SMTPException, OSError) as exc:
            if in_flight is not None:
                delivery.in_doubt[in_flight] = _reason(exc)
                done = in_flight + 1
            for index in range(done, len(messages)):
                delivery.refused[index] = _reason(exc)
        return delivery


@dataclass
class Delivery:
    """What became of each message, by its index in the list given to ``deliver``."""

    sent: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # certainly not delivered
    in_doubt: dict[int, str] = field(default_factory=dict)  # the connection broke mid-message


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {text.decode(errors='replace')}"
                         for to, (code, text) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else error
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
