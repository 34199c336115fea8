"""单选题: options A, B, …, one of them right; all or nothing."""

from __future__ import annotations

from question_bank.text import normalize_key
from question_bank.types.base import (
    KEY_SEPARATORS,
    QuestionType,
    all_or_nothing,
    letters_in,
    not_an_option,
    option_key,
)


class SingleChoice(QuestionType):
    name = "single"
    title = "单选题"
    short_title = "单选"
    editor_hint = "单选：A"
    has_options = True

    def read_answer(self, node, reader, options, stem):
        text = reader.text(node, "answer")
        if text is None:
            return None
        key = normalize_key(text)
        if len(KEY_SEPARATORS.sub("", key)) > 1:
            reader.error(
                node,
                "answer",
                f"单选题只能有一个答案，而这里是“{text}”；多个答案请把 type 改为 multiple",
            )
            return None
        if key not in options:
            reader.error(node, "answer", not_an_option(text, options))
            return None
        return (key,), ()

    def answer_value(self, question):
        return question.keys[0]

    def keys_from_answer(self, answer):
        return (answer,), ()

    def normalize_response(self, question, raw):
        if raw is None or raw == "":
            return None
        return option_key(question, raw)

    def key_response(self, question):
        return question.keys[0]

    def score(self, question, response, points, mode):
        return all_or_nothing(response == question.keys[0], points)

    # Formats.

    moodle_qtype = "multichoice"
    aiken = True

    def gift_body(self, question, escape, feedback):
        answers = " ".join(
            f"{'=' if key in question.keys else '~'}{escape(text)}"
            for key, text in question.options
        )
        return f"{escape(question.stem)} {{{answers}{feedback}}}"

    def moodle_answers(self, question):
        return [("100" if key in question.keys else "0", text) for key, text in question.options]

    def paper_claims(self, has_options, answer):
        return has_options and letters_in(answer) <= 1

    def moodle_claims(self, qtype, positive):
        return qtype == self.moodle_qtype and positive <= 1
