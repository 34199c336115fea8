"""Deeply nested YAML through the web: the bank upload and the exam YAML editor answer
with a message; before the fix each of these requests killed the worker (SIGSEGV).

The requests run in a child process with its own app and database, so a crash fails
this test instead of killing pytest.
"""

from __future__ import annotations

from tests.deep_yaml import CRASH_INPUTS, run_child

CHILD = """
import io, json
from flask_migrate import upgrade
from app import create_app
from app.models import Role
from tests.auth import csrf_token, login
from tests.factories import make_user
from tests.deep_yaml import CRASH_INPUTS

app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": DATABASE,
                  "SERVER_NAME": "exam.test"})
out = []
with app.app_context():
    upgrade()
    client = app.test_client()
    make_user("admin", role=Role.SYSTEM_ADMIN, name="管理员")
    login(client, "admin")
    for name, text in CRASH_INPUTS.items():
        token = csrf_token(client, "/admin/banks/upload")
        bank = client.post("/admin/banks/upload", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "b.yaml")})
        token = csrf_token(client, "/admin/exams/new/yaml")
        exam = client.post("/admin/exams/new/yaml", data={"csrf_token": token, "source": text})
        out.append([name, bank.status_code, bank.get_data(as_text=True),
                    exam.status_code, exam.get_data(as_text=True)])
print(json.dumps(out))
"""


def test_upload_and_exam_editor_refuse_deep_nesting(tmp_path):
    database = f"sqlite:///{tmp_path / 'web.db'}"
    results = run_child(f"DATABASE = {database!r}\n{CHILD}", SECRET_KEY="test")
    assert [r[0] for r in results] == list(CRASH_INPUTS)
    for name, bank_status, bank_html, exam_status, exam_html in results:
        assert bank_status == 200 and "嵌套层次过深" in bank_html, name
        assert "未做任何更改" in bank_html, name
        assert exam_status == 200 and "嵌套层次过深" in exam_html, name
