"""The worker timeout is a backstop far above any request (issue 10, item 19)."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_gunicorn_reads_a_timeout_well_above_any_request():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["timeout"] >= 60
    assert settings["graceful_timeout"] < settings["timeout"]
    assert settings["bind"].startswith("127.0.0.1:")
