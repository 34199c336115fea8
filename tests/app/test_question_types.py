"""The web layer knows question types only through the registry: no file in ``app/``
names one, and every registered type brings the partials and script the pages use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from question_bank.types import REGISTRY

APP = Path(__file__).resolve().parents[2] / "app"


def test_no_file_in_app_names_a_question_type():
    names = "|".join(sorted({"single", "multiple", "judge", "fill", "ordering", *REGISTRY}))
    quoted = re.compile(rf"[\"']({names})[\"']")
    naming = sorted(
        str(path.relative_to(APP.parent))
        for path in APP.rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".html", ".js", ".css"}
        and quoted.search(path.read_text(encoding="utf-8"))
    )
    assert naming == []


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_type_brings_its_partials_and_script(name):
    kind = REGISTRY[name]
    for part in ("take", "practice"):
        assert (kind.directory() / "templates" / f"{part}.html").is_file()
    assert kind.asset("js") is not None
    assert f".{name} = {{" in kind.asset("js").read_text(encoding="utf-8")


def test_the_types_scripts_and_styles_are_served_as_one_file_each(client):
    script = client.get("/assets/question-types.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    text = script.get_data(as_text=True)
    assert all(f".{name} = {{" in text for name in REGISTRY)  # each fills window.questionTypes
    style = client.get("/assets/question-types.css")
    assert style.status_code == 200 and ".ordering-move" in style.get_data(as_text=True)
