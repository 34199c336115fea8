"""Deep nesting is refused with a message, never a crash, in every reader of YAML files.

Each case runs in a child process: before the fix these inputs killed the process with
SIGSEGV, which would have taken pytest down with it.
"""

from __future__ import annotations

import pytest

from question_bank.bank_format import parse_bank
from tests.deep_yaml import CRASH_INPUTS, run_child

READERS = {
    "bank": "from question_bank.bank_format import parse_bank as parse",
    "exam": "from question_bank.exam_format import parse_exam as parse",
    "rules": "from certificates.rules_format import parse_rules as parse",
}


@pytest.mark.parametrize("reader", READERS)
def test_crash_inputs_are_refused_by_every_reader(reader):
    code = f"""
import json
{READERS[reader]}
from tests.deep_yaml import CRASH_INPUTS
out = []
for name, text in CRASH_INPUTS.items():
    result, report = parse(text.encode(), name)
    out.append([name, result is None, [(d.line, d.column, d.message) for d in report.errors]])
print(json.dumps(out))
"""
    for name, refused, errors in run_child(code):
        assert refused, name
        assert len(errors) == 1, (name, errors)
        assert "嵌套层次过深（超过 64 层）" in errors[0][2], (name, errors)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("[" * 100_000, 1, 65),
        ("- " * 50_000, 1, 129),
        ("bank: b\nquestions:\n" + "".join(" " * i + "a:\n" for i in range(2, 200)), 66, 66),
    ],
)
def test_the_message_points_at_the_first_level_too_many(text, line, column):
    _, report = run_child(
        "import json\nfrom question_bank.bank_format import parse_bank\n"
        f"bank, report = parse_bank({text!r}.encode())\n"
        "print(json.dumps([None, [(d.line, d.column) for d in report.errors]]))"
    )
    assert report == [[line, column]]


def test_refusing_stops_reading_at_the_limit():
    """The reader stops at level 65: a 400 KB file costs no more than a small one."""
    seconds = run_child(
        "import json, time\nfrom question_bank.bank_format import parse_bank\n"
        "text = ('{a: ' * 100_000).encode()\nstart = time.process_time()\nparse_bank(text)\n"
        "print(json.dumps(time.process_time() - start))"
    )
    assert seconds < 0.5


def test_nesting_within_the_limit_still_reads():
    bank, report = parse_bank(b"bank: [" + b"[" * 60 + b"]" * 60 + b"]\n")
    assert bank is None and not any("嵌套" in d.message for d in report.errors)


def test_the_cli_refuses_them(tmp_path):
    paths = []
    for name, text in CRASH_INPUTS.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        paths.append(str(path))
    code = f"""
import json, subprocess, sys
result = subprocess.run([sys.executable, "-m", "flask", "bank", "validate", *{paths!r}],
                        capture_output=True, text=True)
print(json.dumps([result.returncode, result.stdout, result.stderr]))
"""
    status, out, err = run_child(
        code,
        FLASK_APP="app",
        SECRET_KEY="test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
    )
    assert status == 1, err
    for path in paths:
        assert f"{path}: 无效" in out
    assert err.count("嵌套层次过深") == len(paths), err
