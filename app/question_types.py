"""The web layer's view of the question-type registry: each type's template partials and
script are found through the registry, so adding a type never touches ``app/``.

Templates include a type's partial as ``{% include qtype.template('take') %}``; the
pages that need types' scripts load ``question_types.script`` (every registered type's
script, one file), which fills ``window.questionTypes`` before ``attempt.js`` runs;
every page links the types' styles (``question_types.style``).
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask, Response, request
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from question_bank.types import REGISTRY

bp = Blueprint("question_types", __name__)


def init_app(app: Flask) -> None:
    """Templates under ``qtypes/<name>/`` come from the type's own folder."""
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "qtypes": PrefixLoader(
                        {
                            name: FileSystemLoader(kind.directory() / "templates")
                            for name, kind in REGISTRY.items()
                        }
                    )
                }
            ),
        ]
    )
    app.jinja_env.globals["question_types"] = REGISTRY
    app.register_blueprint(bp)


@bp.get("/assets/question-types.js")
def script() -> Response:
    """The registered types' scripts as one static file (same origin, cacheable)."""
    return _assets("js", "text/javascript")


@bp.get("/assets/question-types.css")
def style() -> Response:
    """The registered types' styles as one stylesheet."""
    return _assets("css", "text/css")


def _assets(suffix: str, mimetype: str) -> Response:
    response = Response(_bundle(suffix), mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.add_etag()
    return response.make_conditional(request)


@cache
def _bundle(suffix: str) -> str:
    """Read once per process: every test page asks for it, and the files never change
    while the process runs."""
    paths = (kind.asset(suffix) for kind in REGISTRY.values())
    return "\n".join(path.read_text(encoding="utf-8") for path in paths if path)
