"""A version keeps the file it was published from: downloads give it back byte for
byte, and a web edit changes only the edited question in it, comments kept."""

from __future__ import annotations

import io
from pathlib import Path

from app.bank.services import load_version
from question_bank.bank_format import parse_bank
from tests.app.bank_admin_fixtures import SMALL_BANK, admin_client, post_form, publish_small

SHIPPED = Path(__file__).resolve().parents[2] / "question_bank" / "banks" / "party-basics.yaml"
BASE = "/admin/banks"
COMMENTED = SMALL_BANK.replace("questions:\n", "questions:\n  # ---- 党章 ----\n").replace(
    "  - id: j-1", "  # 判断题：答案写 对/错\n  - id: j-1"
)


def comment_lines(data: bytes) -> list[str]:
    return [line for line in data.decode("utf-8").splitlines() if line.lstrip().startswith("#")]


def test_an_imported_file_is_downloaded_byte_for_byte(runner, client, ctx):
    assert runner.invoke(args=["bank", "import", str(SHIPPED)]).exit_code == 0
    admin_client(client)
    assert client.get(f"{BASE}/party-basics/versions/1.yaml").data == SHIPPED.read_bytes()
    source = client.get(f"{BASE}/party-basics/versions/1/source")
    assert source.data == SHIPPED.read_bytes()
    assert "filename=party-basics.yaml" in source.headers["Content-Disposition"]
    assert "下载原文件（party-basics.yaml）" in client.get(
        f"{BASE}/party-basics/versions"
    ).get_data(as_text=True)


def test_a_web_edit_keeps_every_comment_and_changes_only_the_edited_question(runner, client, ctx):
    assert runner.invoke(args=["bank", "import", str(SHIPPED)]).exit_code == 0
    admin_client(client)
    original = SHIPPED.read_bytes()
    assert len(comment_lines(original)) == 14
    page = client.get(f"{BASE}/party-basics/questions/education-0052/edit")
    assert page.status_code == 200
    data = {
        "type": "fill", "topic": "education", "difficulty": "5",
        "stem": "《中国共产党党员教育管理工作条例》自2019年____起施行。",
        "answer": "5月6日 | 5月6号 | 五月六日 | 2019年5月6日",
        "explanation": "《条例》第四十六条规定，本条例自2019年5月6日起施行。",
        "source": "《中国共产党党员教育管理工作条例》第四十六条", "tags": "附则",
        "shuffle_options": "y", "seen_version": 1,
    }  # fmt: skip
    response = post_form(client, f"{BASE}/party-basics/questions/education-0052/edit", data)
    assert response.status_code == 302
    revised = client.get(f"{BASE}/party-basics/versions/2.yaml").data
    assert comment_lines(revised) == comment_lines(original)
    bank, report = parse_bank(revised)
    assert report.ok and bank == load_version("party-basics", 2)[1]
    changed = set(revised.decode().splitlines()) ^ set(original.decode().splitlines())
    assert changed == {
        "    answer: [[5月6日, 5月6号, 五月六日]]",
        "    answer: [[5月6日, 5月6号, 五月六日, 2019年5月6日]]",
    }


def test_an_edit_keeps_the_excludes_and_retiring_drops_references(client, ctx):
    publish_small(
        SMALL_BANK.replace(
            "    source: 党章第七条\n", "    source: 党章第七条\n    excludes: [f-1]\n"
        )
    )
    admin_client(client)
    page = client.get(f"{BASE}/small/questions/j-1/edit").get_data(as_text=True)
    assert 'value="f-1"' in page
    assert (
        post_form(client, f"{BASE}/small/questions/f-1/retire", {"seen_version": 1}).status_code
        == 302
    )
    _, content = load_version("small")
    assert [q.excludes for q in content.questions if q.id == "j-1"] == [()]


def test_an_uploaded_file_is_kept_and_a_version_without_one_is_written_as_yaml(client, ctx):
    admin_client(client)
    response = post_form(
        client,
        f"{BASE}/upload",
        {"file": (io.BytesIO(COMMENTED.encode()), "小题库.yaml")},
        content_type="multipart/form-data",
    )
    token = response.headers["Location"].rsplit("/", 1)[-1]
    assert post_form(client, f"{BASE}/uploads/{token}/publish", {}).status_code == 302
    assert client.get(f"{BASE}/small/versions/1.yaml").data == COMMENTED.encode()
    assert client.get(f"{BASE}/small/versions/1/source").data == COMMENTED.encode()
    publish_small(SMALL_BANK.replace("一年", "两年"))
    written = client.get(f"{BASE}/small/versions/2.yaml").data
    assert comment_lines(written) == []
    assert parse_bank(written)[0] == load_version("small", 2)[1]
    assert client.get(f"{BASE}/small/versions/2/source").status_code == 404
