"""A real CalDAV server (Radicale, from PyPI) on loopback for the calendar tests: started in
a subprocess on a free port with a temporary storage folder and an htpasswd account that can
read and write every calendar (the app's service account), stopped and started again on the
same port and storage to play a server that is down for a while."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import caldav

from tests.mailserver import free_port

USERNAME, PASSWORD = "interviewloop", "caldav-test-secret"


class Radicale:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (folder / "users").write_text(f"{USERNAME}:{PASSWORD}\n")
        (folder / "config").write_text(f"""
[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {folder / 'users'}
htpasswd_encryption = plain
delay = 0
[rights]
type = authenticated
[storage]
filesystem_folder = {folder / 'storage'}
[logging]
level = warning
""")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with (self.folder / "radicale.log").open("ab") as log:  # the child keeps its copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
                stdout=log, stderr=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Radicale exited: "
                                   + (self.folder / "radicale.log").read_text()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                self.client().propfind(self.url)  # answers, not only listens
                return
            except Exception:  # refused (OSError), or the client's own connection error
                time.sleep(0.05)
        raise RuntimeError("Radicale did not answer within 20 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def client(self) -> caldav.DAVClient:
        return caldav.DAVClient(url=self.url, username=USERNAME, password=PASSWORD, timeout=5,
                                enable_rfc6764=False)

    def collection_url(self, email: str) -> str:
        return f"{self.url}{quote(email, safe='@')}/calendar/"

    def make_calendar(self, email: str) -> None:
        with self.client() as client:
            client.mkcol(f"{self.url}{quote(email, safe='@')}/", "")
            assert client.mkcalendar(self.collection_url(email)).status == 201

    def events(self, email: str) -> list:
        """Every event in the person's calendar, read back with the caldav client."""
        with self.client() as client:
            calendar = caldav.Calendar(client=client, url=self.collection_url(email))
            return sorted((item.icalendar_component for item in calendar.events()),
                          key=lambda event: str(event["uid"]))

    def add_busy(self, email: str, uid: str, starts_at: datetime, ends_at: datetime,
                 summary: str = "Dentist") -> None:
        body = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//busy//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{starts_at:%Y%m%dT%H%M%SZ}\r\nDTEND:{ends_at:%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
        with self.client() as client:
            response = client.put(f"{self.collection_url(email)}{uid}.ics", body,
                                  {"Content-Type": "text/calendar; charset=utf-8"})
            assert response.status in (201, 204)


@contextmanager
def radicale_server(folder: Path) -> Iterator[Radicale]:
    server = Radicale(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def silent_server() -> Iterator[str]:
    """An address that accepts connections and never answers: a calendar server that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
