"""A browsable page of the API, rendered on the server from the OpenAPI document itself
(no script from elsewhere: the app's Content-Security-Policy allows none)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates")


@docs_bp.get("/docs")
def docs() -> ResponseReturnValue:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    spec = api.spec.to_dict()
    operations = [(path, method, op) for path, item in spec["paths"].items()
                  for method, op in item.items() if method in {"get", "post", "patch", "put",
                                                               "delete"}]
    return render_template("api/docs.html", spec=spec, operations=operations)
