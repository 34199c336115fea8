"""Valid edge cases, hostile input, and export → import giving the same content."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.bank_format import parse_bank
from question_bank.bank_writer import dump_bank
from question_bank.model import Bank, Question

HEADER = "bank: demo\ntitle: 演示题库\ntopics:\n  charter: 党章\nquestions:\n"


def one(question_yaml: str) -> Question:
    parsed, report = parse_bank((HEADER + question_yaml).encode(), "demo.yaml")
    assert report.errors == [], [d.format() for d in report.errors]
    return parsed.questions[0]


def test_numbers_dates_and_yes_no_stay_text_as_written():
    q = one(
        "  - id: q1\n    type: single\n    topic: charter\n    stem: 中国共产党成立于（　）年。\n"
        "    options:\n      A: 1921\n      B: 07\n      C: yes\n      D: 2024-01-01\n      E: 1e3\n      F: no\n"
        "    answer: A\n    source: 党章\n"
    )
    assert q.options == (
        ("A", "1921"),
        ("B", "07"),
        ("C", "yes"),
        ("D", "2024-01-01"),
        ("E", "1e3"),
        ("F", "no"),
    )


@pytest.mark.parametrize(
    ("written", "keys"),
    [("a", ("A",)), ("Ａ", ("A",)), ("ｂ", ("B",)), (" C ", ("C",)), ('"d"', ("D",))],
)
def test_single_keys_are_read_after_nfkc_and_upper_casing(written, keys):
    q = one(
        "  - id: q1\n    type: single\n    topic: charter\n    stem: 题（　）\n"
        f"    options: {{A: 甲, B: 乙, C: 丙, D: 丁}}\n    answer: {written}\n    source: 党章\n"
    )
    assert q.keys == keys


@pytest.mark.parametrize(
    "written",
    ["ACD", "acd", "A,C,D", "A, C, D", "A、C、D", "[A, C, D]", "[d, a, c]", "ＡＣＤ", "[Ａ, c, D]"],
)
def test_multiple_answers_in_every_spelling(written):
    q = one(
        "  - id: q1\n    type: multiple\n    topic: charter\n    stem: 题（　）\n"
        f"    options: {{A: 甲, B: 乙, C: 丙, D: 丁}}\n    answer: {written}\n    source: 党章\n"
    )
    assert q.keys == ("A", "C", "D")


@pytest.mark.parametrize(
    ("written", "value"),
    [("true", "true"), ("false", "false"), ("True", "true"), ("对", "true"), ("错", "false"),
     ("正确", "true"), ("错误", "false"), ("√", "true"), ("×", "false")],
)  # fmt: skip
def test_judge_answers(written, value):
    q = one(
        f"  - id: q1\n    type: judge\n    topic: charter\n    stem: 判断\n    answer: {written}\n    source: 党章\n"
    )
    assert q.keys == (value,)


def test_fill_with_alternatives_and_full_width_underscores():
    q = one(
        "  - id: q1\n    type: fill\n    topic: charter\n    stem: 预备期为____年，从____之日算起；\n"
        "    answer: [[一, 1], 支部大会通过他为预备党员]\n    source: 党章第七条\n"
    )
    assert q.blanks == (("一", "1"), ("支部大会通过他为预备党员",))
    q2 = one(
        "  - id: q1\n    type: fill\n    topic: charter\n    stem: 预备期为＿＿＿＿年\n    answer: [一]\n    source: 党章\n"
    )
    assert q2.blanks == (("一",),)


def test_text_is_kept_as_written_including_multiline_and_symbols():
    q = one(
        "  - id: q1\n    type: judge\n    topic: charter\n    stem: |\n      第一行：说明\n      第二行 # 不是注释\n"
        "    answer: true\n    explanation: '「引号」和 #号 与 : 冒号'\n    source: 党章\n"
    )
    assert q.stem == "第一行：说明\n第二行 # 不是注释\n"
    assert q.explanation == "「引号」和 #号 与 : 冒号"


def test_byte_order_mark_is_allowed():
    text = (
        HEADER
        + "  - id: q1\n    type: judge\n    topic: charter\n    stem: 判断\n    answer: 对\n    source: 党章\n"
    )
    parsed, report = parse_bank(b"\xef\xbb\xbf" + text.encode(), "bom.yaml")
    assert report.errors == [] and parsed.questions[0].id == "q1"


def test_difficulty_defaults_to_three_and_shuffle_to_true():
    q = one(
        "  - id: q1\n    type: judge\n    topic: charter\n    stem: 判断\n    answer: 对\n    source: 党章\n"
    )
    assert (q.difficulty, q.shuffle_options) == (3, True)


# Hostile input: a clear message, and nothing returned to import.
def _bomb() -> bytes:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines).encode()


HOSTILE = [
    ("alias bomb", _bomb(), "别名"),
    ("50 MB file", b"#" * (50 * 1024 * 1024), "文件过大"),
    ("deep nesting", b"a: " + b"[" * 500 + b"]" * 500, "嵌套层次过深"),
    (
        "GBK file",
        (
            HEADER
            + "  - id: q1\n    type: judge\n    topic: charter\n    stem: 判断\n    answer: 对\n"
        ).encode("gbk"),
        "GB18030/GBK",
    ),
    ("binary garbage", bytes(range(256)) * 10, "不是 UTF-8"),
    ("empty file", b"", "文件为空"),
    ("top level is a list", b"- a\n- b\n", "映射"),
    ("not yaml at all", b"{{{{", "YAML 语法错误"),
]


@pytest.mark.parametrize(("case", "data", "words"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_is_refused_with_a_clear_message(case, data, words):
    parsed, report = parse_bank(data, "hostile.yaml")
    assert parsed is None
    assert any(words in d.message for d in report.errors), [d.format() for d in report.errors]


def test_small_aliases_are_fine():
    text = (
        HEADER
        + "  - id: q1\n    type: judge\n    topic: charter\n    stem: &s 判断\n    answer: 对\n    source: *s\n"
    )
    parsed, report = parse_bank(text.encode())
    assert report.errors == [] and parsed.questions[0].source == "判断"


# Export then import gives identical content.
TRICKY = [
    "1921",
    "07",
    "yes",
    "no",
    "null",
    "~",
    "true",
    "2024-01-01",
    "1e3",
    "0x1F",
    "- a",
    "a: b",
    "#c",
    "'q'",
    '"q"',
    "[x]",
    "{y}",
    "&z",
    "*w",
    "!t",
    "%p",
    "@u",
    "`v`",
    "  lead",
    "trail  ",
    "多\n行",
    "：全角",
]
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")),
        min_size=1,
        max_size=30,
    ),
).filter(lambda s: s.strip() != "")


@st.composite
def questions(draw, qid: str) -> Question:
    kind = draw(st.sampled_from(["single", "multiple", "judge", "fill", "ordering"]))
    stem = draw(TEXT)
    base = {"id": qid, "type": kind, "topic": "t", "difficulty": draw(st.integers(1, 5)), "explanation": draw(st.none() | TEXT),
            "source": draw(st.none() | TEXT), "tags": tuple(draw(st.lists(TEXT, max_size=3))), "shuffle_options": draw(st.booleans())}  # fmt: skip
    if kind == "ordering":  # always shown shuffled: shuffle_options is never false
        base["shuffle_options"] = True
    if kind in ("single", "multiple", "ordering"):
        texts = draw(
            st.lists(
                TEXT, min_size=4, max_size=6, unique_by=lambda s: " ".join(s.split()).casefold()
            )
        )
        from question_bank.model import normalize_text

        if len({normalize_text(t) for t in texts}) != len(texts):
            texts = [f"选项{i}" for i in range(len(texts))]
        options = tuple(zip(string.ascii_uppercase, texts, strict=False))
        if kind == "ordering":
            order = draw(st.permutations([k for k, _ in options]))
            return Question(stem=stem, options=options, keys=tuple(order), **base)
        picked = draw(
            st.lists(
                st.sampled_from([k for k, _ in options]),
                min_size=1 if kind == "single" else 2,
                max_size=1 if kind == "single" else 4,
                unique=True,
            )
        )
        return Question(stem=stem, options=options, keys=tuple(sorted(picked)), **base)
    if kind == "judge":
        return Question(stem=stem, keys=(draw(st.sampled_from(["true", "false"])),), **base)
    blanks = tuple(
        tuple(draw(st.lists(TEXT, min_size=1, max_size=3))) for _ in range(draw(st.integers(1, 3)))
    )
    return Question(
        stem=stem.replace("_", "") + "".join(" ____ " for _ in blanks), blanks=blanks, **base
    )


@st.composite
def banks(draw) -> Bank:
    count = draw(st.integers(1, 6))
    qs = tuple(draw(questions(f"q{i}")) for i in range(count))
    return Bank("demo", draw(TEXT), (("t", draw(TEXT)),), qs)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banks())
def test_export_then_import_gives_identical_content(bank):
    text = dump_bank(bank)
    parsed, report = parse_bank(text.encode(), "export.yaml")
    assert report.errors == [], (text, [d.format() for d in report.errors])
    assert parsed == bank
    assert parsed.content_hash == bank.content_hash
