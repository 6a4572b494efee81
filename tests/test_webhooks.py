"""Webhooks, against a real HTTP receiver on loopback (tests/webhookreceiver.py) that checks
signatures with the code of docs/api.md: events are written only by changes that commit,
carry ids and never scorecard content, are retried with backoff until accepted (the same
event id each time, processed once) or given up after the retry window, are never sent to
loopback or private addresses unless allowed, and each endpoint's delivery log pages in a
constant number of queries."""

from __future__ import annotations

import contextlib
import json
import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from interviewloop import create_app
from interviewloop.audit.service import SYSTEM, Actor
from interviewloop.auth.models import User
from interviewloop.db import db, utcnow
from interviewloop.debrief import service as debrief
from interviewloop.errors import Conflict, NotFound
from interviewloop.queue import task_queue
from interviewloop.requisitions import candidates
from interviewloop.requisitions import service as requisitions
from interviewloop.requisitions.models import Requisition
from interviewloop.scheduling import service as scheduling
from interviewloop.webhooks import addresses, delivery, service
from interviewloop.webhooks.models import (
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from tests.conftest import app_config, log_in, post
from tests.factories import (
    held_interview,
    make_interview,
    make_requisition,
    next_monday,
    write_scorecard,
)
from tests.webhookreceiver import webhook_receiver

ALL = [e.value for e in EventType]


@pytest.fixture
def receiver():
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def make_app(connection, tmp_path):
    def make(**overrides):
        return create_app(app_config(
            DB_BIND=connection, DATABASE_URL="sqlite://",
            TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}",
            **{"WEBHOOKS_ALLOW_PRIVATE": True, **overrides}))

    return make


@pytest.fixture
def app(make_app):
    return make_app()


class Clock:
    """The delivery job's clock: real time, moved on by the test."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self):
        return utcnow() + self.offset

    def move(self, **amount) -> None:
        self.offset += timedelta(**amount)


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(delivery, "clock", moved)
    return moved


def register(session, receiver, events=ALL, *, url=None, active=True):
    made = service.create_endpoint(
        session, SYSTEM, service.EndpointInput(url=url or receiver.url, events=list(events),
                                               active=active), allow_private=True)
    receiver.secret = made.secret
    return made.endpoint


def burst(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output


def deliveries(session):
    return session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)
                           .execution_options(populate_existing=True)).all()


@pytest.fixture
def team(db_session, make_user):
    return {"manager": make_user("hiring_manager"), "recruiter": make_user("recruiter"),
            "admin": make_user("admin")}


def open_in_a_request(app, team, requisition_id: int, *, commit: bool) -> None:
    """Open a draft requisition through the service in the app's own session."""
    with app.app_context():
        requisition = db.session.get_one(Requisition, requisition_id)
        recruiter = db.session.get_one(User, team["recruiter"].id)
        requisitions.open_requisition(db.session, Actor(recruiter), requisition)
        assert task_queue(app).huey.pending_count() == 0  # nothing before the commit
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


def draft(db_session, team):
    requisition = make_requisition(db_session, team["manager"], team["recruiter"], status="draft")
    for who in ("manager", "recruiter"):
        requisitions.confirm_definition(db_session, Actor(team[who]), requisition)
    db_session.flush()
    return requisition


def test_a_signed_event_is_retried_until_accepted_and_processed_once(
        app, db_session, team, receiver, clock, login):
    endpoint = register(db_session, receiver, [EventType.REQUISITION_OPENED])
    requisition = draft(db_session, team)
    receiver.statuses = [500, 500]  # then 200
    open_in_a_request(app, team, requisition.id, commit=True)
    assert task_queue(app).huey.pending_count() == 1  # queued once the change committed
    burst(app)
    assert [r.signed for r in receiver.received] == [True]
    (row,) = deliveries(db_session)
    assert row.state == DeliveryState.RETRYING and row.attempts == 1 and row.last_status == 500
    wait = row.next_attempt_at - row.window_started_at
    assert timedelta(seconds=20) <= wait <= timedelta(seconds=40)  # 30 s, give or take
    burst(app)  # not due yet: nothing sent
    assert len(receiver.received) == 1
    clock.move(minutes=1)
    burst(app)
    clock.move(minutes=3)
    burst(app)
    clock.move(hours=2)
    burst(app)  # delivered: nothing more
    assert [r.signed for r in receiver.received] == [True, True, True]
    ids = {r.event["id"] for r in receiver.received}
    bodies = {r.body for r in receiver.received}
    assert len(ids) == 1 and len(bodies) == 1  # a retry is the same event, byte for byte
    assert receiver.processed == list(ids)
    event = receiver.received[0].event
    assert event["type"] == "requisition.opened"
    assert event["data"] == {"requisition_id": requisition.id, "title": requisition.title,
                             "level": "senior", "team": requisition.team, "status": "open"}
    assert [r.headers["Interviewloop-Delivery-Attempt"] for r in receiver.received] == [
        "1", "2", "3"]
    assert {r.headers["Interviewloop-Event-Id"] for r in receiver.received} == ids
    (row,) = deliveries(db_session)
    assert (row.state, row.attempts, row.last_status) == (DeliveryState.DELIVERED, 3, 200)

    # Redeliver from the log: the same event id again, which the receiver drops.
    admin = login(team["admin"])
    page = admin.get(f"/admin/webhooks/{endpoint.id}")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("Redeliver</button>") == 3
    answer = post(admin, f"/admin/webhooks/{endpoint.id}/deliveries/{row.id}/redeliver")
    assert answer.status_code == 302
    burst(app)
    assert len(receiver.received) == 4 and receiver.received[3].event["id"] in ids
    assert receiver.received[3].signed and receiver.processed == list(ids)
    codes = db_session.scalars(select(WebhookAttempt.status_code)
                               .order_by(WebhookAttempt.id)).all()
    assert codes == [500, 500, 200, 200]
    text = admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert text.count(event["id"]) == 4 and "HTTP 500" in text


def test_an_event_whose_transaction_rolls_back_is_never_sent(app, db_session, team, receiver,
                                                             clock):
    register(db_session, receiver, [EventType.REQUISITION_OPENED])
    requisition = draft(db_session, team)
    open_in_a_request(app, team, requisition.id, commit=False)
    assert task_queue(app).huey.pending_count() == 0
    burst(app)
    assert receiver.received == []
    assert db_session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_every_event_comes_from_its_service_with_ids_and_never_scorecard_content(
        db_session, make_user, bank):
    everything = register(db_session, _Unused(), ALL)
    register(db_session, _Unused(), [EventType.CANDIDATE_CREATED])
    register(db_session, _Unused(), ALL, active=False)
    held = held_interview(db_session, make_user)
    requisition, candidate = held["requisition"], held["candidate"]
    cards = [write_scorecard(db_session, held[who], requisition, held["interview"],
                             rating=4, evidence="Secret evidence text.", notes="Secret note.",
                             summary="Secret summary.") for who in ("first", "second")]
    write_scorecard(db_session, held["first"], requisition, held["interview"], rating=3,
                    evidence="Edited evidence.")  # an edit is not a second submission
    later = make_interview(db_session, requisition, held["recruiter"], candidate,
                           held["loop"].stages[1], [held["first"]], next_monday())
    later = scheduling.get_interview(db_session, later.id)  # with what the pages load
    scheduling.reschedule(db_session, Actor(held["recruiter"]), requisition, later,
                          scheduling.ScheduleInput(interviewer_ids=[held["first"].id],
                                                   starts_at=next_monday(hour=14),
                                                   minutes=60))
    scheduling.cancel(db_session, Actor(held["recruiter"]), requisition, later, "Moved on.")
    check = debrief.answer_pre_offer(db_session, Actor(held["manager"]), requisition, candidate,
                                     dict.fromkeys(("owned_system", "failure_handling",
                                                    "reduces_risk"),
                                                   ("strong", "Secret pre-offer evidence.")))
    decision = debrief.record_decision(db_session, Actor(held["manager"]), requisition,
                                       candidate, "offer", "Secret rationale.",
                                       "Secret waiver.")
    events = db_session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)).all()
    assert [e.type.value for e in events] == [
        "requisition.opened", "candidate.created", "interview.scheduled",
        "scorecard.submitted", "scorecard.submitted", "interview.scheduled",
        "interview.rescheduled", "interview.cancelled", "pre_offer.answered",
        "decision.recorded"]
    bodies = [json.loads(e.body) for e in events]
    assert len({b["id"] for b in bodies}) == len(bodies)
    for body, event in zip(bodies, events, strict=True):
        assert set(body) == {"id", "type", "occurred_at", "data"}
        assert body["id"] == event.uid and body["type"] == event.type.value
        assert "Secret" not in event.body and "Edited" not in event.body
    submitted = [b["data"] for b in bodies if b["type"] == "scorecard.submitted"]
    assert submitted == [{"scorecard_id": card.id, "interview_id": held["interview"].id,
                          "candidate_id": candidate.id, "requisition_id": requisition.id,
                          "interviewer_id": card.interviewer_id} for card in cards]
    assert bodies[-2]["data"] == {"pre_offer_check_id": check.id, "candidate_id": candidate.id,
                                  "requisition_id": requisition.id, "passed": True}
    assert bodies[-1]["data"] == {"decision_id": decision.id, "candidate_id": candidate.id,
                                  "requisition_id": requisition.id, "kind": "offer",
                                  "candidate_status": "offer"}
    moved = bodies[6]["data"]
    assert moved["interview_id"] == later.id and moved["sequence"] == 1
    assert moved["interviewer_ids"] == [held["first"].id]
    # One delivery per event for the endpoint that wants all; one for the one that wants
    # candidates only; none for the inactive one.
    per_endpoint = dict(db_session.execute(
        select(WebhookDelivery.endpoint_id, func.count()).group_by(WebhookDelivery.endpoint_id)
    ).all())
    assert per_endpoint == {everything.id: len(events), everything.id + 1: 1}


class _Unused:
    url = "https://hooks.example.com/in"
    secret = ""


def test_a_delivery_still_failing_after_the_retry_window_is_given_up(
        app, db_session, team, receiver, clock):
    endpoint = register(db_session, receiver, [EventType.REQUISITION_OPENED])
    receiver.statuses = [500] * 10
    make_requisition(db_session, team["manager"], team["recruiter"])
    burst(app)
    clock.move(hours=23)
    burst(app)
    (row,) = deliveries(db_session)
    assert (row.state, row.attempts) == (DeliveryState.RETRYING, 2)  # still inside the day
    clock.move(hours=2)
    burst(app)
    (row,) = deliveries(db_session)
    assert (row.state, row.attempts, row.next_attempt_at) == (DeliveryState.GIVEN_UP, 3, None)
    clock.move(days=3)
    burst(app)
    assert len(receiver.received) == 3 and len({r.event["id"] for r in receiver.received}) == 1
    assert receiver.processed == []
    assert service.delivery_counts(db_session, endpoint) == {DeliveryState.GIVEN_UP: 1}


def test_with_private_addresses_off_the_loopback_receiver_is_refused_unsent(
        make_app, db_session, team, receiver, clock):
    app = make_app(WEBHOOKS_ALLOW_PRIVATE=False)
    register(db_session, receiver, [EventType.REQUISITION_OPENED],  # registered while allowed
             url=f"https://127.0.0.1:{receiver.port}/hooks/in")
    make_requisition(db_session, team["manager"], team["recruiter"])
    burst(app)
    assert receiver.received == []
    (row,) = deliveries(db_session)
    assert row.state == DeliveryState.RETRYING and row.last_status is None
    assert "127.0.0.1 is a loopback address" in row.last_error


@pytest.mark.parametrize(("url", "kind"), [
    ("http://127.0.0.1:8080/in", "loopback"),
    ("https://127.9.9.9/in", "loopback"),
    ("https://10.1.2.3/in", "private"),
    ("https://192.168.0.10/in", "private"),
    ("https://[::1]/in", "loopback"),
    ("https://[::ffff:127.0.0.1]/in", "loopback"),
    ("https://[fe80::1]/in", "link-local"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://224.0.0.1/in", "multicast"),
    ("https://0.0.0.0/in", "unspecified"),
    ("https://100.64.0.1/in", "non-public"),
    ("https://localhost/in", "loopback"),  # a name that resolves to loopback
])
def test_non_public_addresses_are_refused_before_any_connection(url, kind):
    with pytest.raises(addresses.RefusedAddress, match=f"is an? {kind} address"):
        addresses.resolve(url.replace("http://", "https://"), allow_private=False)
    allowed = addresses.resolve(url.replace("https://", "http://"), allow_private=True)
    assert allowed.address  # the setting lets it through


@pytest.mark.parametrize(("url", "reason"), [
    ("http://hooks.example.com/in", "must start with https://"),
    ("https://127.0.0.1/in", "loopback"),
    ("https://[::1]:8443/in", "loopback"),
    ("https://10.0.0.7/in", "private"),
    ("https://localhost:9000/in", "localhost is this machine"),
    ("https://user:pw@hooks.example.com/in", "no user name or password"),
    ("ftp://hooks.example.com/in", "must start with https://"),
    ("https:///in", "no host"),
])
def test_registration_refuses_what_would_never_be_sent(url, reason):
    with pytest.raises(addresses.RefusedAddress, match=reason):
        addresses.check_url(url, allow_private=False)


def test_the_connection_goes_to_the_checked_address(monkeypatch, receiver):
    """The name is resolved once, every answer checked, and the request sent to the checked
    address with the URL's host in the Host header (a second lookup could be rebound)."""
    # hooks.example.test is rebound after its first answer, to where nothing listens.
    answers = {"hooks.example.test": [["127.0.0.1"], ["127.0.0.2"]],
               "mixed.example.test": [["93.184.215.14", "127.0.0.1"]]}
    real_dns = socket.getaddrinfo

    def fake_dns(host, port, *args, **kwargs):
        if host not in answers:  # an address (urllib3 looks the checked one up too)
            return real_dns(host, port, *args, **kwargs)
        given = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in given]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    receiver.secret = "ilw_test"
    claimed = delivery.Claimed(1, 1, f"http://hooks.example.test:{receiver.port}/in", "ilw_test",
                               "evt_" + "0" * 32, "candidate.created", b'{"id":"evt_x"}', 1,
                               utcnow())
    outcome = delivery.attempt(claimed, delivery.DeliverySettings(allow_private=True))
    assert outcome.delivered and outcome.error == ""
    (got,) = receiver.received
    assert got.headers["Host"] == f"hooks.example.test:{receiver.port}" and got.signed
    with pytest.raises(addresses.RefusedAddress, match=r"mixed\.example\.test resolves to 127"):
        addresses.resolve("https://mixed.example.test/in", allow_private=False)


def test_registering_a_private_url_is_refused_with_the_input_kept(make_app, team):
    admin = make_app(WEBHOOKS_ALLOW_PRIVATE=False).test_client()
    assert log_in(admin, team["admin"].email).status_code == 302
    answer = post(admin, "/admin/webhooks/new", {"url": "https://10.0.0.7/hooks",
                                                 "events": ["candidate.created"],
                                                 "active": "y"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "private address" in text
    assert 'value="https://10.0.0.7/hooks"' in text


def test_the_delivery_log_pages_in_the_same_queries_with_3_and_600_attempts(
        db_session, team, login, count_queries):
    admin = login(team["admin"])
    small, large = (register(db_session, _Unused(), ALL) for _ in range(2))
    for endpoint, count in ((small, 3), (large, 600)):
        add_attempts(db_session, endpoint.id, count)

    def queries(url):
        admin.get(url)
        with count_queries() as seen:
            answer = admin.get(url)
        assert answer.status_code == 200
        return len(seen), answer.get_data(as_text=True)

    few, _ = queries(f"/admin/webhooks/{small.id}")
    many, text = queries(f"/admin/webhooks/{large.id}")
    assert few == many
    assert text.count("Redeliver</button>") == service.LOG_PAGE
    older = text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert queries(older)[0] == few
    assert admin.get(f"/admin/webhooks/{large.id}?after=not-ours").status_code == 400


def test_a_delivery_a_worker_is_sending_is_not_redelivered_under_it(db_session):
    endpoint = register(db_session, _Unused(), [EventType.CANDIDATE_CREATED])
    service.emit(db_session, EventType.CANDIDATE_CREATED, {"candidate_id": 1})
    (row,) = deliveries(db_session)
    row.lease_until = utcnow() + timedelta(minutes=1)
    db_session.flush()
    with pytest.raises(Conflict, match="A worker is sending this event now"):
        service.redeliver(db_session, SYSTEM, endpoint, row.id)
    with pytest.raises(NotFound):  # another endpoint's delivery
        service.redeliver(db_session, SYSTEM, register(db_session, _Unused(), ALL), row.id)


def add_attempts(session, endpoint_id: int, count: int) -> None:
    now = utcnow()
    event_ids = session.scalars(insert(WebhookEvent).returning(
        WebhookEvent.id, sort_by_parameter_order=True), [
        {"uid": f"evt_{endpoint_id:04d}{n:028d}", "type": "candidate.created",
         "occurred_at": now, "body": "{}"} for n in range(count)]).all()
    delivery_ids = session.scalars(insert(WebhookDelivery).returning(
        WebhookDelivery.id, sort_by_parameter_order=True), [
        {"event_id": e, "endpoint_id": endpoint_id, "state": "retrying", "attempts": 1,
         "window_started_at": now, "next_attempt_at": now + timedelta(days=9),
         "last_error": "HTTP 500"} for e in event_ids]).all()
    session.execute(insert(WebhookAttempt), [
        {"delivery_id": d, "endpoint_id": endpoint_id, "started_at": now, "duration_ms": 12,
         "status_code": 500, "error": "HTTP 500"} for d in delivery_ids])
    session.flush()


def test_candidates_added_from_the_api_or_the_pages_emit_one_event(db_session, team):
    register(db_session, _Unused(), [EventType.CANDIDATE_CREATED])
    requisition = make_requisition(db_session, team["manager"], team["recruiter"])
    candidate = candidates.add_candidate(
        db_session, Actor(team["recruiter"]), requisition, candidates.CandidateInput(
            name="Ada", email="ada@example.net", source="ATS", external_source="greenhouse",
            external_id="gh-41"))
    (event,) = db_session.scalars(select(WebhookEvent)).all()
    assert json.loads(event.body)["data"] == {
        "candidate_id": candidate.id, "requisition_id": requisition.id, "status": "active",
        "external_source": "greenhouse", "external_id": "gh-41"}
    assert "Ada" not in event.body and "ada@example.net" not in event.body


def test_https_sends_the_urls_host_for_sni_and_checks_the_certificate(monkeypatch, tmp_path):
    """Over https the connection still goes to the checked address, but TLS names the URL's
    host (SNI) and the certificate must be valid for it: a self-signed one is refused."""
    import ssl
    import subprocess
    import threading

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=hooks.example.test", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one() -> None:
        conn, _ = listener.accept()
        with conn, context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)  # the client hangs up in the handshake

    server = threading.Thread(target=lambda: _quietly(serve_one), daemon=True)
    server.start()
    real_dns = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, p, *a, **k: real_dns(
        "127.0.0.1" if host == "hooks.example.test" else host, p, *a, **k))
    claimed = delivery.Claimed(1, 1, f"https://hooks.example.test:{port}/in", "ilw_test",
                               "evt_" + "0" * 32, "candidate.created", b"{}", 1, utcnow())
    outcome = delivery.attempt(claimed, delivery.DeliverySettings(allow_private=True))
    server.join(timeout=10)
    listener.close()
    assert names == ["hooks.example.test"]
    assert not outcome.delivered and outcome.status is None
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error



def _quietly(run) -> None:
    with contextlib.suppress(OSError):  # ssl.SSLError too: the client refused the certificate
        run()


def test_a_trainees_practice_card_is_no_event(db_session, bank, make_user):
    from tests.test_pools import build, shadowed

    world = build(db_session, make_user)
    register(db_session, _Unused(), [EventType.SCORECARD_SUBMITTED])
    _interview, counted, practice = shadowed(world)
    assert practice.is_practice and practice.is_submitted
    sent = [json.loads(e.body)["data"]["scorecard_id"]
            for e in db_session.scalars(select(WebhookEvent))]
    assert sent == [counted.id]
