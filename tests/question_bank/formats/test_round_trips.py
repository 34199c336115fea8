"""YAML → format → YAML keeps every question, type and key for each format that can
hold them all; the lossy formats drop exactly the questions they say they drop.

Texts are those people type into a paper or a sheet: no separators the formats use
themselves (``；`` and ``|`` between fill answers, ``、`` between tags), no line breaks,
no spaces at either end.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.bank_format import parse_bank
from question_bank.bank_writer import dump_bank
from question_bank.formats import read_bank, write_bank
from question_bank.model import Bank, Question

WORD = st.text(
    alphabet=st.sampled_from("党的章程支部组织生活会纪律处分ABCxyz0123456789=~#{}:-《》“”（"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s)
TOPICS = (("charter", "中国共产党章程"), ("branch", "支部工作条例"))


@st.composite
def question(draw, qid: str) -> Question:
    kind = draw(st.sampled_from(["single", "multiple", "judge", "fill", "ordering"]))
    base = {
        "id": qid, "type": kind, "topic": draw(st.sampled_from([t for t, _ in TOPICS])),
        "difficulty": draw(st.integers(1, 5)), "explanation": draw(st.none() | WORD),
        "source": draw(st.none() | WORD), "tags": tuple(draw(st.lists(WORD, max_size=2, unique=True))),
        "shuffle_options": draw(st.booleans()),
    }  # fmt: skip
    stem = draw(WORD)
    if kind == "ordering":
        count = draw(st.integers(2, 6))
        options = tuple(
            zip(string.ascii_uppercase, [f"{draw(WORD)}{i}" for i in range(count)], strict=False)
        )
        order = draw(st.permutations([key for key, _ in options]))
        return Question(
            stem=stem, options=options, keys=tuple(order), **base | {"shuffle_options": True}
        )
    if kind in ("single", "multiple"):
        count = draw(st.integers(2, 6))
        texts = [f"{draw(WORD)}{i}" for i in range(count)]
        keys = draw(
            st.lists(
                st.sampled_from(string.ascii_uppercase[:count]),
                min_size=1 if kind == "single" else 2,
                max_size=1 if kind == "single" else count,
                unique=True,
            )
        )
        options = tuple(zip(string.ascii_uppercase, texts, strict=False))
        return Question(stem=stem, options=options, keys=tuple(sorted(keys)), **base)
    if kind == "judge":
        return Question(stem=stem, keys=(draw(st.sampled_from(["true", "false"])),), **base)
    blanks = tuple(
        tuple(draw(st.lists(WORD, min_size=1, max_size=2, unique=True)))
        for _ in range(draw(st.integers(1, 3)))
    )
    parts = [draw(WORD) for _ in range(len(blanks) + 1)]
    return Question(stem="____".join(parts), blanks=blanks, **base)


@st.composite
def banks(draw) -> Bank:
    questions = tuple(draw(question(f"q-{i}")) for i in range(draw(st.integers(1, 6))))
    first, *rest = questions
    if rest and draw(st.booleans()):
        first = Question(**{**first.__dict__, "excludes": (rest[0].id,)})
    return Bank("demo", "演示题库", TOPICS, (first, *rest), draw(st.booleans()))


def through(bank: Bank, name: str) -> tuple[Bank | None, list[str]]:
    """The bank written to ``name`` and read back, then through YAML (None when the
    export holds no question at all)."""
    export = write_bank(bank, name)
    if len(export.dropped) == len(bank.questions):
        return None, [d.question_id for d in export.dropped]
    result = read_bank(export.data, f"bank.{name}", name)
    assert result.bank is not None, [d.format() for d in result.report.errors]
    again, report = parse_bank(dump_bank(result.bank).encode())
    assert report.ok
    return again, [d.question_id for d in export.dropped]


def essentials(question: Question) -> tuple:
    return question.type, question.stem, question.options, question.keys, question.blanks


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(banks())
def test_excel_keeps_the_whole_bank(bank):
    assert through(bank, "xlsx") == (bank, [])


@SETTINGS
@given(banks())
def test_word_keeps_every_question_grouped_by_type(bank):
    again, dropped = through(bank, "docx")
    assert dropped == [] and (again.name, again.title, again.topics) == (
        bank.name,
        bank.title,
        bank.topics,
    )
    assert sorted(again.questions, key=lambda q: q.id) == sorted(bank.questions, key=lambda q: q.id)


@SETTINGS
@given(banks())
def test_moodle_xml_drops_exactly_the_fill_questions_with_several_blanks(bank):
    again, dropped = through(bank, "moodle")
    expected = [q.id for q in bank.questions if q.type == "fill" and len(q.blanks) > 1]
    assert dropped == expected
    kept = [q for q in bank.questions if q.id not in expected]
    if not kept:
        return
    assert [Question(**{**q.__dict__, "excludes": ()}) for q in kept] == list(again.questions)
    assert again.topics == bank.topics


@SETTINGS
@given(banks())
def test_gift_drops_exactly_the_ordering_and_several_blank_questions(bank):
    again, dropped = through(bank, "gift")
    expected = [
        q.id
        for q in bank.questions
        if q.type == "ordering" or (q.type == "fill" and len(q.blanks) > 1)
    ]
    assert dropped == expected
    kept = [q for q in bank.questions if q.id not in expected]
    if not kept:
        return
    assert [q.id for q in again.questions] == [q.id for q in kept]
    assert [essentials(q) for q in again.questions] == [essentials(q) for q in kept]
    assert [q.explanation for q in again.questions] == [q.explanation for q in kept]


@SETTINGS
@given(banks())
def test_aiken_drops_exactly_the_questions_that_are_not_single_choice(bank):
    export = write_bank(bank, "aiken")
    assert [d.question_id for d in export.dropped] == [
        q.id for q in bank.questions if q.type != "single"
    ]
    singles = [q for q in bank.questions if q.type == "single"]
    if not singles:
        return
    result = read_bank(export.data, "bank.txt")
    assert [essentials(q) for q in result.bank.questions] == [essentials(q) for q in singles]
