"""gunicorn's settings for interviewloop: gunicorn reads this file from the directory it is
started in (README "Production"; bench/serve.py and the suite's live servers start there)."""

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded the app, its objects (modules, the mappers, compiled
    templates: some hundreds of thousands) live as long as the worker: freeze them out of
    the garbage collector, whose full passes would otherwise walk them all every few dozen
    requests (about 150 ms a pass at 10,000 candidates)."""
    gc.freeze()
