"""The question bank YAML format (DESIGN.md section 3): reading and validating it.

``parse_bank`` is the one validation code path, behind the CLI and the web upload;
each type reads its own ``answer`` (``question_bank.types``). Writing: ``bank_writer``.
"""

from __future__ import annotations

import re
import string

from ruamel.yaml.nodes import Node

from question_bank.diagnostics import Report
from question_bank.excludes import ExcludeRef, check_excludes, exclude_refs, read_excludes
from question_bank.model import Bank, Question
from question_bank.nodes import NodeReader, read_document
from question_bank.text import normalize_key, normalize_text
from question_bank.types import REGISTRY
from question_bank.yaml_compose import paused_garbage_collection
from question_bank.yaml_source import DEFAULT_MAX_BYTES, position

BANK_FIELDS = ("bank", "title", "topics", "questions")
OPTIONAL_BANK_FIELDS = ("practice",)
QUESTION_FIELDS = (
    "id", "type", "topic", "difficulty", "stem", "options", "answer",
    "explanation", "source", "tags", "shuffle_options", "excludes",
)  # fmt: skip
BANK_NAME = re.compile(r"[a-z0-9-]{2,64}")
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_OPTIONS = 8


@paused_garbage_collection()  # a large bank makes a million objects and no cycles
def parse_bank(
    data: bytes, filename: str = "<bank>", max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Bank | None, Report]:
    """Read and validate a bank file; the bank is None whenever there is any error."""
    report = Report(filename)
    document = read_document(
        data, report, kind="题库", owner="题库", max_bytes=max_bytes,
        known=BANK_FIELDS + OPTIONAL_BANK_FIELDS, required=BANK_FIELDS,
    )  # fmt: skip
    if document is None:
        return None, report
    reader, fields = document
    name = _bank_name(fields, reader)
    title = reader.text(fields["title"][1], "title") if "title" in fields else None
    topics = _topics(fields["topics"][1], reader) if "topics" in fields else None
    questions = (
        _questions(fields["questions"][1], report, topics or {}) if "questions" in fields else []
    )
    practice = reader.boolean(fields["practice"][1], "practice") if "practice" in fields else True
    if not report.ok or name is None or title is None or topics is None or practice is None:
        return None, report
    return Bank(name, title, tuple(topics.items()), tuple(questions), practice), report


def _bank_name(fields: dict[str, tuple[Node, Node]], reader: NodeReader) -> str | None:
    if "bank" not in fields:
        return None
    node = fields["bank"][1]
    name = reader.text(node, "bank")
    if name is not None and not BANK_NAME.fullmatch(name):
        reader.error(
            node, "bank", f"题库名“{name}”不合规；只能用小写字母、数字和“-”，长 2 到 64 个字符"
        )
        return None
    return name


def _topics(node: Node, reader: NodeReader) -> dict[str, str] | None:
    entries = reader.mapping(node, "topics")
    if entries is None:
        return None
    if not entries:
        reader.error(node, "topics", "topics 为空；至少列出一个主题（主题编号: 主题名称）")
        return None
    topics: dict[str, str] = {}
    for topic_id, (key_node, value_node) in entries.items():
        if not IDENTIFIER.fullmatch(topic_id):
            reader.error(
                key_node, "topics", f"主题编号“{topic_id}”不合规；只能用字母、数字、“_”和“-”"
            )
        title = reader.text(value_node, "topics")
        if title is not None:
            topics[topic_id] = title
    return topics


def _questions(node: Node, report: Report, topics: dict[str, str]) -> list[Question]:
    reader = NodeReader(report, "题库")
    items = reader.sequence(node, "questions")
    if items is None:
        return []
    if not items:
        reader.error(node, "questions", "questions 为空；题库至少要有一道题")
    seen_ids: dict[str, int] = {}
    seen_stems: dict[str, str] = {}
    questions: list[Question] = []
    refs: list[ExcludeRef] = []
    for item in items:
        question = _question(item, report, topics, seen_ids, refs)
        if question is None:
            continue
        stem_key = normalize_text(question.stem)
        if stem_key in seen_stems:
            NodeReader(report, f"题目 {question.id}", question.id).warning(
                item, "stem", f"题干与题目 {seen_stems[stem_key]} 相同；请确认不是重复录入"
            )
        else:
            seen_stems[stem_key] = question.id
        questions.append(question)
    check_excludes(refs, set(seen_ids), report)
    return questions


def _question(
    node: Node,
    report: Report,
    topics: dict[str, str],
    seen_ids: dict[str, int],
    refs: list[ExcludeRef],
) -> Question | None:
    fields = NodeReader(report, "题目").mapping(node, "questions")
    if fields is None:
        return None
    qid = _question_id(fields, report, seen_ids)
    reader = NodeReader(report, f"题目 {qid}" if qid else f"第 {position(node).line} 行的题目", qid)
    reader.reject_unknown(fields, QUESTION_FIELDS)
    errors_before = len(report.errors)
    for required in ("id", "type", "topic", "stem", "answer"):
        if required not in fields:
            reader.error(node, required, f"缺少必填字段“{required}”")
    kind = _question_type(fields, reader)
    topic = _topic(fields, reader, topics)
    stem = reader.text(fields["stem"][1], "stem") if "stem" in fields else None
    difficulty = (
        reader.integer(fields["difficulty"][1], "difficulty", 1, 5) if "difficulty" in fields else 3
    )
    options = _options(fields, reader, kind)
    keys_blanks = None
    if kind is not None and stem is not None and options is not None and "answer" in fields:
        keys_blanks = REGISTRY[kind].read_answer(
            fields["answer"][1], reader, [k for k, _ in options], stem
        )
    optional = {
        name: reader.text(fields[name][1], name, required=False)
        for name in ("explanation", "source")
        if name in fields
    }
    if optional.get("source") is None:
        reader.warning(
            fields["source"][1] if "source" in fields else node,
            "source",
            "缺少 source（出处）；发布的题库每道题都应注明依据的文件和条款",
        )
    tags = _tags(fields, reader)
    shuffle = (
        reader.boolean(fields["shuffle_options"][1], "shuffle_options")
        if "shuffle_options" in fields
        else True
    )
    excludes = read_excludes(fields["excludes"][1], reader) if "excludes" in fields else ()
    if excludes and qid is not None:
        refs += exclude_refs(qid, fields["excludes"][1], excludes)
    if len(report.errors) > errors_before or None in (
        qid,
        kind,
        topic,
        stem,
        difficulty,
        keys_blanks,
        tags,
        shuffle,
        excludes,
    ):
        return None
    keys, blanks = keys_blanks
    question = Question(
        id=qid, type=kind, topic=topic, stem=stem, difficulty=difficulty, options=options,
        keys=keys, blanks=blanks, explanation=optional.get("explanation"), source=optional.get("source"),
        tags=tags, shuffle_options=shuffle, excludes=excludes,
    )  # fmt: skip
    return question if REGISTRY[kind].check_question(question, fields, reader) else None


def _question_id(fields, report: Report, seen_ids: dict[str, int]) -> str | None:
    if "id" not in fields:
        return None
    id_node = fields["id"][1]
    qid = NodeReader(report, "题目").text(id_node, "id")
    if qid is None:
        return None
    reader = NodeReader(report, f"题目 {qid}", qid)
    if not IDENTIFIER.fullmatch(qid):
        reader.error(
            id_node, "id", f"题目编号“{qid}”不合规；只能用字母、数字、“_”和“-”，最长 64 个字符"
        )
        return None
    if qid in seen_ids:
        reader.error(
            id_node,
            "id",
            f"题目编号“{qid}”重复（第一次出现在第 {seen_ids[qid]} 行）；每道题的 id 必须唯一",
        )
        return None
    seen_ids[qid] = position(id_node).line
    return qid


def _question_type(fields, reader: NodeReader) -> str | None:
    if "type" not in fields:
        return None
    node = fields["type"][1]
    kind = reader.text(node, "type")
    if kind is not None and kind not in REGISTRY:
        known = "、".join(f"{name}（{t.short_title}）" for name, t in REGISTRY.items())
        reader.error(node, "type", f"题型“{kind}”未知；应为 {known} 之一")
        return None
    return kind


def _topic(fields, reader: NodeReader, topics: dict[str, str]) -> str | None:
    if "topic" not in fields:
        return None
    node = fields["topic"][1]
    topic = reader.text(node, "topic")
    if topic is not None and topic not in topics:
        known = "、".join(topics) or "（topics 中尚无主题）"
        reader.error(node, "topic", f"主题“{topic}”未在 topics 中列出；已列出的有：{known}")
        return None
    return topic


def _options(fields, reader: NodeReader, kind: str | None) -> tuple[tuple[str, str], ...] | None:
    if kind is None:
        return ()
    if not REGISTRY[kind].has_options:
        if "options" in fields:
            reader.error(
                fields["options"][0], "options", f"{kind} 题不应有 options；请删除，或更改 type"
            )
            return None
        return ()
    if "options" not in fields:
        reader.error(
            fields["type"][1],
            "options",
            f"{kind} 题缺少 options；请列出 2 到 {MAX_OPTIONS} 个选项 A、B、C……",
        )
        return None
    node = fields["options"][1]
    entries = reader.mapping(node, "options")
    if entries is None:
        return None
    if not 2 <= len(entries) <= MAX_OPTIONS:
        reader.error(node, "options", f"选项有 {len(entries)} 个；应为 2 到 {MAX_OPTIONS} 个")
        return None
    options: list[tuple[str, str]] = []
    texts: dict[str, str] = {}
    for expected, (key, (key_node, value_node)) in zip(
        string.ascii_uppercase, entries.items(), strict=False
    ):
        normal = normalize_key(key)
        if normal != expected:
            reader.error(
                key_node,
                "options",
                f"选项键“{key}”不对；选项应依次为 A、B、C……，此处应为“{expected}”",
            )
            return None
        text = reader.text(value_node, "options")
        if text is None:
            return None
        same = texts.get(normalize_text(text))
        if same:
            reader.error(
                value_node,
                "options",
                f"选项 {normal} 与选项 {same} 的文字相同；每个选项的文字必须不同",
            )
            return None
        texts[normalize_text(text)] = normal
        options.append((normal, text))
    return tuple(options)


def _tags(fields, reader: NodeReader) -> tuple[str, ...] | None:
    if "tags" not in fields:
        return ()
    items = reader.sequence(fields["tags"][1], "tags")
    if items is None:
        return None
    tags = [reader.text(item, "tags") for item in items]
    return None if None in tags else tuple(tags)
