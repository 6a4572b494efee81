"""interviewloop: structured interview loops for hiring production AI engineers."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

# Every feature's signal receivers, connected whenever any part of the package is imported.
from interviewloop import wiring  # noqa: F401
from interviewloop.config import load_config


class RowIdConverter(IntegerConverter):
    """``<int:...>`` capped at the largest id an INTEGER key column holds (PostgreSQL int4):
    a bigger id is a 404, not a database out-of-range error (500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# The number url_for_each routes a row's URL with: the largest id (RowIdConverter), not
# otherwise in a URL.
ROW_STAND_IN = 2**31 - 1


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(os.environ, overrides, instance_path=app.instance_path))
    app.url_map.converters["int"] = RowIdConverter
    os.makedirs(app.instance_path, exist_ok=True)

    from interviewloop import calendars, errors, outbox, queue, ratelimit, security
    from interviewloop.auth import login as auth_login
    from interviewloop.db import db
    from interviewloop.sso import provider as sso_provider

    db.init_app(app)
    queue.init_app(app)
    outbox.init_app(app)
    calendars.init_app(app)
    # The features' jobs, on the queue before its first use.
    from interviewloop.privacy import jobs as _privacy_jobs  # noqa: F401
    from interviewloop.scheduling import jobs as _scheduling_jobs  # noqa: F401
    from interviewloop.scorecards import jobs as _scorecard_jobs  # noqa: F401
    from interviewloop.webhooks import jobs as _webhook_jobs  # noqa: F401

    auth_login.init_app(app)
    ratelimit.init_app(app)
    sso_provider.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from interviewloop.admin.views import bp as admin_bp
    from interviewloop.analytics.views import bp as analytics_bp
    from interviewloop.auth.views import bp as auth_bp
    from interviewloop.availability.views import bp as availability_bp
    from interviewloop.bank.views import bp as bank_bp
    from interviewloop.calendars.views import bp as calendars_bp
    from interviewloop.debrief.views import bp as debrief_bp
    from interviewloop.home import bp as home_bp
    from interviewloop.loops.views import bp as loops_bp
    from interviewloop.outbox.views import bp as outbox_bp
    from interviewloop.pools.views import bp as pools_bp
    from interviewloop.privacy.views import bp as privacy_bp
    from interviewloop.requisitions.views import bp as requisitions_bp
    from interviewloop.scheduling.views import bp as scheduling_bp
    from interviewloop.scorecards.views import bp as scorecards_bp
    from interviewloop.sso.views import bp as sso_bp
    from interviewloop.webhooks.views import bp as webhooks_bp

    for blueprint in (home_bp, auth_bp, admin_bp, bank_bp, requisitions_bp, loops_bp,
                      scheduling_bp, scorecards_bp, debrief_bp, analytics_bp, outbox_bp,
                      calendars_bp, sso_bp, pools_bp, privacy_bp, webhooks_bp,
                      availability_bp):
        app.register_blueprint(blueprint)

    from interviewloop.api import token_views
    from interviewloop.api import views as api_views

    app.register_blueprint(token_views.bp)
    api_views.init_app(app)  # after errors.init_app: it wraps those handlers for /api/
    _template_filters(app)

    from interviewloop.cli import register_commands

    register_commands(app)
    return app


def _template_filters(app: Flask) -> None:
    """Times in the viewer's own zone, with the zone named; the limits, named once; the URLs
    of a page's rows, routed once."""
    from datetime import datetime

    from flask import g, url_for
    from flask_login import current_user

    from interviewloop import limits
    from interviewloop.timezones import format_local, format_span

    app.jinja_env.globals["limits"] = limits

    def viewer_zone() -> str:
        # Looked up once per request, and read back in one step: a board renders a time in
        # every cell.
        zone: str | None = g.get("viewer_zone")
        if zone is None:
            zone = current_user.time_zone if current_user.is_authenticated else "UTC"
            g.viewer_zone = zone
        return zone

    @app.template_filter("local")
    def local(moment: datetime, with_date: bool = True) -> str:
        return format_local(moment, viewer_zone(), with_date=with_date)

    @app.template_global("span_in")
    def span_in(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
        """A stretch of time in a named zone (a candidate's, say), not only the viewer's."""
        return format_span(starts_at, ends_at, zone_name)

    @app.template_global("url_for_each")
    def url_for_each(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
        """``url_for(endpoint, **values, key=n)`` for each ``n`` of a page's rows, routed
        once: the URL around a stand-in number, the row's number put in its place (a page
        with a form per row routes dozens of URLs that differ only there)."""
        def route(n: int) -> str:
            return url_for(endpoint, **{**values, key: n})

        built = route(ROW_STAND_IN)
        before, found, after = built.partition(str(ROW_STAND_IN))
        if not found or after.find(str(ROW_STAND_IN)) >= 0:  # not in the URL once: route each
            return route
        return lambda n: f"{before}{int(n)}{after}"

    @app.template_filter("local_iso")
    def local_iso(text: str) -> str:
        return format_local(datetime.fromisoformat(text), viewer_zone())
