"""Writing a bank as a Word paper that ``docx.read`` reads back to the same bank:
numbered questions by section, a page break, the answer key with each question's
fields, then the bank's id, title and topics."""

from __future__ import annotations

import io

from question_bank.formats.base import Export
from question_bank.formats.docx import INFO_HEADING, NUMERALS
from question_bank.model import TYPE_TITLES, Bank, Question
from question_bank.types import REGISTRY


def paper(bank: Bank) -> Export:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_heading(bank.title, level=1)
    numbered: list[tuple[int, Question]] = []
    for index, kind in enumerate(
        k for k in TYPE_TITLES if any(q.type == k for q in bank.questions)
    ):
        document.add_heading(f"{NUMERALS[index]}、{TYPE_TITLES[kind]}", level=2)
        for question in (q for q in bank.questions if q.type == kind):
            numbered.append((len(numbered) + 1, question))
            document.add_paragraph(f"{len(numbered)}. {question.stem}")
            for key, text in question.options:
                document.add_paragraph(f"{key}. {text}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("参考答案", level=1)
    for number, question in numbered:
        document.add_paragraph(f"{number}. 【答案】{REGISTRY[question.type].answer_text(question)}")
        for line in _key_lines(question):
            document.add_paragraph(line)
    document.add_heading(INFO_HEADING, level=2)
    document.add_paragraph(f"题库编号：{bank.name}")
    document.add_paragraph(f"题库名称：{bank.title}")
    if not bank.practice:
        document.add_paragraph("用于练习：否")
    for topic, title in bank.topics:
        document.add_paragraph(f"主题：{topic} {title}")
    stream = io.BytesIO()
    document.save(stream)
    return Export(stream.getvalue())


def _key_lines(question: Question) -> list[str]:
    lines = [f"编号：{question.id}", f"主题：{question.topic}", f"难度：{question.difficulty}"]
    if question.explanation:
        lines.append(f"解析：{question.explanation}")
    if question.source:
        lines.append(f"出处：{question.source}")
    if question.tags:
        lines.append(f"标签：{'、'.join(question.tags)}")
    if question.excludes:
        lines.append(f"互斥题：{'、'.join(question.excludes)}")
    if not question.shuffle_options:
        lines.append("选项乱序：否")
    return lines
