"""A process that creates the app imports only what serving requests needs.

Every web process, job worker and ``flask`` command creates the app, and the suite and a
deployment start dozens of them: pyHanko (signing, 0.6 s of CPU to import) and pypinyin
(its phrase dictionary, 0.4 s) were a third of each start's 3.5 s; openpyxl another 0.2
s. They are imported by what signs a certificate, what writes a name's pinyin and what
writes a workbook.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.pinyin import initials, sort_key

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from app import create_app
create_app()
print([m for m in ("pyhanko", "pypinyin", "openpyxl") if m in sys.modules])
"""


def test_creating_the_app_imports_no_signer_pinyin_dictionary_or_workbook_writer(tmp_path):
    env = os.environ | {"SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/app.db"
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_name_still_gets_its_pinyin_once_the_dictionary_is_loaded_on_first_use():
    assert sort_key("李建国") == "li jian guo"
    assert initials("李建国") == "ljg"
