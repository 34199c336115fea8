"""判断题: a statement that is right or wrong; all or nothing."""

from __future__ import annotations

import unicodedata

from question_bank.types.base import InvalidResponse, QuestionType, all_or_nothing

_JUDGE_WORDS = {
    "true": True, "对": True, "正确": True, "√": True,
    "false": False, "错": False, "错误": False, "×": False,
}  # fmt: skip
_CHOICES = [("true", "", "正确"), ("false", "", "错误")]


class Judge(QuestionType):
    name = "judge"
    title = "判断题"
    short_title = "判断"
    editor_hint = "判断：对 或 错"

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

    def answer_value(self, question):
        return question.keys == ("true",)

    def keys_from_answer(self, answer):
        return ("true",) if answer else ("false",), ()

    def choices(self, question, order=None):
        return list(_CHOICES)

    def normalize_response(self, question, raw):
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
        raise InvalidResponse("判断题的答案应为 true 或 false")

    def key_response(self, question):
        return question.keys == ("true",)

    def score(self, question, response, points, mode):
        return all_or_nothing(response == (question.keys == ("true",)), points)

    def response_words(self, question, response, order=None):
        return "正确" if response else "错误"

    def editor_answer(self, question):
        return "对" if question.keys == ("true",) else "错"

    # Formats.

    moodle_qtype = "truefalse"

    def answer_text(self, question):
        return "正确" if question.keys == ("true",) else "错误"

    def paper_claims(self, has_options, answer):
        return (
            not has_options
            and unicodedata.normalize("NFKC", answer).strip().lower() in _JUDGE_WORDS
        )

    def gift_body(self, question, escape, feedback):
        return f"{escape(question.stem)} {{{'T' if question.keys == ('true',) else 'F'}{feedback}}}"

    def moodle_answers(self, question):
        right = question.keys == ("true",)
        return [("100" if right else "0", "true"), ("0" if right else "100", "false")]

    def from_moodle(self, answers):
        right = [text.lower() for fraction, text in answers if fraction > 0]
        return {"answer": right[0] if len(right) == 1 else ""}
