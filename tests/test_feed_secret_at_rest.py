"""The calendar feed's secret is kept only as a hash: shown once, compared by hash, and the
revision that moved existing secrets to hashes keeps their addresses working."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from sqlalchemy import select

from interviewloop import create_app
from interviewloop.audit.service import SYSTEM
from interviewloop.auth import service
from interviewloop.auth.models import User
from interviewloop.db import make_engine
from tests.conftest import app_config, migrate, new_database_url, post

REVISION = "b7d3e9a1c5f2"  # users: the calendar feed's secret kept as a hash


def test_only_the_hash_is_stored(db_session, make_user):
    user = make_user()
    token = service.new_calendar_token(db_session, SYSTEM, user)
    db_session.flush()
    stored = db_session.execute(sa.text("SELECT * FROM users WHERE id = :id"),
                                {"id": user.id}).mappings().one()
    assert token not in {str(v) for v in stored.values()}
    assert stored["calendar_token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert service.user_for_calendar_token(db_session, token).id == user.id
    # The hash itself is no credential.
    assert service.user_for_calendar_token(db_session, stored["calendar_token_hash"]) is None


def test_the_address_is_shown_once_then_the_page_says_why_not(login, make_user):
    client = login(make_user())
    made = post(client, "/account/calendar")
    assert made.status_code == 200
    url = re.search(r'<code id="feed-url">([^<]+)</code>', made.get_data(as_text=True)).group(1)
    assert "shown only this once" in made.get_data(as_text=True)
    page = client.get("/account").get_data(as_text=True)
    assert url not in page and 'id="feed-url"' not in page
    assert "cannot be shown again" in page and "Make a new link" in page


def test_the_migration_keeps_existing_feed_addresses_working(tmp_path_factory):
    from alembic.script import ScriptDirectory

    from interviewloop.cli import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    url = new_database_url(tmp_path_factory, "feedhash")
    migrate(url, script.get_revision(REVISION).down_revision)
    engine = make_engine(url)
    old_token = "A" * 20 + "old-feed-secret_kept-by-calendar"[:23]
    users = sa.Table("users", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        for n, token in enumerate([old_token, None]):
            conn.execute(users.insert().values(
                email=f"u{n}@example.com", name=f"U{n}", password_hash="x",
                created_at=sa.func.now(), calendar_token=token))
    migrate(url, REVISION)
    try:
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("users")}
            hashes = dict(conn.execute(sa.text("SELECT email, calendar_token_hash FROM users")).all())
        assert "calendar_token" not in columns
        assert hashes == {"u0@example.com": hashlib.sha256(old_token.encode()).hexdigest(),
                          "u1@example.com": None}
        # Then on to the newest schema, which the app's models are.
        migrate(url)
        app = create_app(app_config(DATABASE_URL=url))
        # The address already in someone's calendar app still answers, through the app.
        response = app.test_client().get(f"/calendar/{old_token}.ics")
        assert response.status_code == 200 and "BEGIN:VCALENDAR" in response.get_data(as_text=True)
        with app.app_context():
            from interviewloop.db import db

            assert db.session.scalar(select(User.email).where(
                User.calendar_token_hash.is_not(None))) == "u0@example.com"
        app.extensions["interviewloop.db"]["bind"].dispose()
    finally:
        engine.dispose()
