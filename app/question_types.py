"""The web layer's view of the question-type registry: each type's template partials and
script are found through the registry, so adding a type never touches ``app/``.

Templates include a type's partial as ``{% include qtype.template('take') %}``; the
pages that need types' scripts load ``question_types.script`` (every registered type's
script, one file), which fills ``window.questionTypes`` before ``attempt.js`` runs.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response
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
    parts = [kind.script.read_text() for kind in REGISTRY.values() if kind.script]
    response = Response("\n".join(parts), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
