"""``flask bank validate`` starts without the app: no database layer, no web layer.

It took 1.9 s on a 20-line file, nearly all of it importing what validation does not
need (bench/bench_cli.py prints the figures beside their baselines).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import atexit, runpy, sys
heavy = ("sqlalchemy", "app.models", "openpyxl", "pyhanko", "reportlab", "alembic")
atexit.register(lambda: print("loaded:", [m for m in heavy if m in sys.modules], file=sys.stderr))
sys.argv = ["flask", "bank", "validate", sys.argv[1]]
runpy.run_module("flask", run_name="__main__")
"""


def test_validate_imports_neither_the_database_nor_the_web_layer(tmp_path):
    bank = tmp_path / "b.yaml"
    bank.write_text("bank: b\ntitle: 题库\ntopics:\n  t: 主题\nquestions: []\n", encoding="utf-8")
    env = os.environ | {"FLASK_APP": "app", "SECRET_KEY": "test"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(bank)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "b.yaml" in result.stdout + result.stderr
    assert "loaded: []" in result.stderr, result.stderr


def test_the_commands_that_need_the_app_still_load_it(runner, ctx):
    result = runner.invoke(args=["bank", "list"])
    assert result.exit_code == 0 and "尚无题库" in result.output
