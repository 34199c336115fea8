"""填空题: blanks marked ``____`` in the stem, each with its accepted texts; each blank
earns its share of the points, texts compared after ``normalize_text``."""

from __future__ import annotations

import re
import unicodedata

from ruamel.yaml.nodes import SequenceNode

from question_bank.text import normalize_text
from question_bank.types.base import InvalidResponse, QuestionType, share

BLANK = re.compile(r"_{4,}")
_BLANK_SEPARATOR = re.compile(r"[；;]")
_ALTERNATIVE_SEPARATOR = re.compile(r"[|｜]")
_BLANK_PARENS = re.compile(r"[（(][\s\u3000]*[）)]")
MAX_FILL_ANSWER = 200


def count_blanks(stem: str) -> int:
    return len(BLANK.findall(unicodedata.normalize("NFKC", stem)))


class Fill(QuestionType):
    name = "fill"
    title = "填空题"
    short_title = "填空"
    editor_hint = "填空：每空一行，几个都算对的答案用“|”隔开"
    stem_hint = "填空题用四个或更多下划线“____”标出每个空"

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

    def answer_value(self, question):
        return [
            accepted[0] if len(accepted) == 1 else list(accepted) for accepted in question.blanks
        ]

    def keys_from_answer(self, answer):
        return (), tuple((a,) if isinstance(a, str) else tuple(a) for a in answer)

    def stem_parts(self, question):
        return BLANK.split(question.stem)

    def choices(self, question, order=None):
        return []

    def normalize_response(self, question, raw):
        if raw is None:
            return None
        if not isinstance(raw, list | tuple) or len(raw) != len(question.blanks):
            raise InvalidResponse(f"本题有 {len(question.blanks)} 个空，答案应为同样多项的列表")
        for text in raw:
            if not isinstance(text, str) or len(text) > MAX_FILL_ANSWER:
                raise InvalidResponse(f"每个空的答案应为不超过 {MAX_FILL_ANSWER} 字的文字")
            if any(unicodedata.category(c) in ("Cc", "Cs") and not c.isspace() for c in text):
                raise InvalidResponse("答案中含有不可见的控制字符；请重新输入")
        return tuple(raw) if any(text.strip() for text in raw) else None

    def response_from_form(self, values):
        return values if any(v.strip() for v in values) else None

    def score(self, question, response, points, mode):
        """Each blank earns its share of the points (one of two right → half)."""
        right = sum(
            normalize_text(text) in {normalize_text(a) for a in accepted}
            for text, accepted in zip(response, question.blanks, strict=True)
        )
        return share(right, len(question.blanks), points)

    def key_response(self, question):
        return [" / ".join(accepted) for accepted in question.blanks]

    def response_words(self, question, response, order=None):
        texts = list(response)
        if len(texts) == 1:
            return texts[0]
        return "；".join(f"第 {i} 空：{text}" for i, text in enumerate(texts, start=1))

    def stat_categories(self, question):
        return []

    def stat_chosen(self, question, response):
        return ()

    def editor_answer(self, question):
        return "\n".join(" | ".join(accepted) for accepted in question.blanks)

    def answer_from_editor(self, text):
        """One line per blank, accepted alternatives split by “|”."""
        blanks = []
        for line in (line for line in text.split("\n") if line.strip()):
            accepted = [a.strip() for a in line.split("|")]
            blanks.append(accepted[0] if len(accepted) == 1 else accepted)
        return blanks

    # Formats: one entry per blank separated by “；”, alternatives by “|”; GIFT and
    # Moodle short answers have one blank.

    moodle_qtype = "shortanswer"
    gift_refusal = "GIFT 一道题只能有一个填空，本题有多个空"
    moodle_refusal = "Moodle 简答题只有一个空，本题有多个空"

    def answer_text(self, question):
        return "；".join("|".join(accepted) for accepted in question.blanks)

    def answer_from_text(self, text):
        blanks = []
        for entry in _BLANK_SEPARATOR.split(text):
            accepted = [a.strip() for a in _ALTERNATIVE_SEPARATOR.split(entry) if a.strip()]
            blanks.append(accepted[0] if len(accepted) == 1 else accepted)
        return blanks

    def paper_claims(self, has_options, answer):
        return not has_options

    def paper_stem(self, text):
        """Papers also mark a blank with empty brackets, “（　）”."""
        return _BLANK_PARENS.sub("____", text)

    def gift_body(self, question, escape, feedback):
        """The answers stand where the blank is: ``自2019年{=5月6日 =5月6号}起施行。``"""
        if len(question.blanks) != 1:
            return None
        answers = " ".join(f"={escape(a)}" for a in question.blanks[0])
        blank = BLANK.search(question.stem)
        before, after = question.stem[: blank.start()], question.stem[blank.end() :]
        return f"{escape(before)}{{{answers}{feedback}}}{escape(after)}"

    def moodle_answers(self, question):
        if len(question.blanks) != 1:
            return None
        return [("100", text) for text in question.blanks[0]]

    def moodle_stem(self, text):
        """A Moodle short answer usually has no blank in its text: one goes at the end."""
        return text if BLANK.search(text) else f"{text}____"

    def from_moodle(self, answers):
        """Only full-mark answers are accepted texts."""
        return {"answer": [[text for fraction, text in answers if fraction >= 100]]}
