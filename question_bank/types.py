"""The four question types: a small registry, each type knowing how to read its answer.

Scoring and option shuffling live with the types too (see ``scoring``), so adding a
type means adding one class here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from ruamel.yaml.nodes import Node, SequenceNode

from question_bank.nodes import NodeReader

BLANK = re.compile(r"_{4,}")
_KEY_SEPARATORS = re.compile(r"[\s,，、;；]+")
_JUDGE_WORDS = {
    "true": True, "对": True, "正确": True, "√": True,
    "false": False, "错": False, "错误": False, "×": False,
}  # fmt: skip


def normalize_key(text: str) -> str:
    """Option keys are read after NFKC and upper-casing: ``a`` and ``Ａ`` mean ``A``."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def count_blanks(stem: str) -> int:
    return len(BLANK.findall(unicodedata.normalize("NFKC", stem)))


class QuestionType:
    name: ClassVar[str]
    has_options: ClassVar[bool] = False

    def read_answer(
        self, node: Node, reader: NodeReader, options: list[str], stem: str
    ) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]] | None:
        """(keys, blanks) from the ``answer`` node, or None after reporting why not."""
        raise NotImplementedError


class SingleChoice(QuestionType):
    name = "single"
    has_options = True

    def read_answer(self, node, reader, options, stem):
        text = reader.text(node, "answer")
        if text is None:
            return None
        key = normalize_key(text)
        if len(_KEY_SEPARATORS.sub("", key)) > 1:
            reader.error(
                node,
                "answer",
                f"单选题只能有一个答案，而这里是“{text}”；多个答案请把 type 改为 multiple",
            )
            return None
        if key not in options:
            reader.error(node, "answer", _not_an_option(text, options))
            return None
        return (key,), ()


class MultipleChoice(QuestionType):
    name = "multiple"
    has_options = True

    def read_answer(self, node, reader, options, stem):
        if isinstance(node, SequenceNode):
            texts = [reader.text(item, "answer") for item in node.value]
            if None in texts:
                return None
            keys = [normalize_key(t) for t in texts]
        else:
            text = reader.text(node, "answer")
            if text is None:
                return None
            keys = list(_KEY_SEPARATORS.sub("", normalize_key(text)))
        wrong = [k for k in keys if k not in options]
        if wrong:
            reader.error(node, "answer", _not_an_option("、".join(wrong), options))
            return None
        if len(set(keys)) != len(keys):
            reader.error(node, "answer", f"答案中有重复的选项“{''.join(keys)}”；每个选项只写一次")
            return None
        if len(keys) < 2:
            reader.error(
                node, "answer", "多选题至少要有两个正确选项；只有一个答案请把 type 改为 single"
            )
            return None
        return tuple(sorted(keys)), ()


class Judge(QuestionType):
    name = "judge"

    def read_answer(self, node, reader, options, stem):
        text = reader.text(node, "answer")
        if text is None:
            return None
        value = _JUDGE_WORDS.get(unicodedata.normalize("NFKC", text).strip().lower())
        if value is None:
            reader.error(
                node,
                "answer",
                f"判断题答案应为 true 或 false（也可写 对/错、正确/错误、√/×），而不是“{text}”",
            )
            return None
        return ("true",) if value else ("false",), ()


class Fill(QuestionType):
    name = "fill"

    def read_answer(self, node, reader, options, stem):
        items = reader.sequence(node, "answer")
        if items is None:
            return None
        blanks: list[tuple[str, ...]] = []
        for item in items:
            accepted = item.value if isinstance(item, SequenceNode) else [item]
            texts = [reader.text(a, "answer") for a in accepted]
            if None in texts or not texts:
                if not texts:
                    reader.error(item, "answer", "空的可接受答案列表；每个空至少写一个答案")
                return None
            blanks.append(tuple(texts))
        expected = count_blanks(stem)
        if expected == 0:
            reader.error(node, "answer", "题干中没有填空位置；请用四个或更多下划线“____”标出每个空")
            return None
        if expected != len(blanks):
            reader.error(
                node,
                "answer",
                f"题干有 {expected} 个空，答案却有 {len(blanks)} 项；每个空对应一项答案",
            )
            return None
        return (), tuple(blanks)


def _not_an_option(text: str, options: list[str]) -> str:
    return f"答案“{text}”不是本题的选项；可选的是 {'、'.join(options)}"


REGISTRY: dict[str, QuestionType] = {
    t.name: t for t in (SingleChoice(), MultipleChoice(), Judge(), Fill())
}
