"""interviewloop: structured interview loops for hiring production AI engineers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from interviewloop.config import load_config


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(os.environ, overrides, instance_path=app.instance_path))
    os.makedirs(app.instance_path, exist_ok=True)

    from interviewloop import errors, security
    from interviewloop.auth import login as auth_login
    from interviewloop.db import db

    db.init_app(app)
    auth_login.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from interviewloop.admin.views import bp as admin_bp
    from interviewloop.auth.views import bp as auth_bp
    from interviewloop.bank.views import bp as bank_bp
    from interviewloop.home import bp as home_bp

    for blueprint in (home_bp, auth_bp, admin_bp, bank_bp):
        app.register_blueprint(blueprint)

    from interviewloop.cli import register_commands

    register_commands(app)
    return app
