"""多选题: two or more right options; all or nothing, or partial for a subset of them."""

from __future__ import annotations

from fractions import Fraction
from types import MappingProxyType

from question_bank.types.base import (
    ALL_OR_NOTHING,
    PARTIAL,
    InvalidResponse,
    QuestionType,
    Verdict,
    answer_keys,
    letters_in,
    not_an_option,
    option_key,
)
from question_bank.types.format_mapping import weight


class MultipleChoice(QuestionType):
    name = "multiple"
    title = "多选题"
    short_title = "多选"
    editor_hint = "多选：ACD"
    has_options = True
    scoring_modes = (ALL_OR_NOTHING, PARTIAL)
    scoring_titles = MappingProxyType(
        {
            ALL_OR_NOTHING: "多选、少选、错选均不得分",
            PARTIAL: "少选按选对比例得分，错选不得分",
        }
    )

    def read_answer(self, node, reader, options, stem):
        keys = answer_keys(node, reader)
        if keys is None:
            return None
        wrong = [k for k in keys if k not in options]
        if wrong:
            reader.error(node, "answer", not_an_option("、".join(wrong), options))
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

    def answer_value(self, question):
        return list(question.keys)

    def keys_from_answer(self, answer):
        return tuple(answer), ()

    def normalize_response(self, question, raw):
        if raw is None:
            return None
        if not isinstance(raw, list | tuple) or len(raw) > len(question.options):
            raise InvalidResponse("多选题的答案应为若干选项组成的列表")
        keys = tuple(sorted({option_key(question, item) for item in raw}))
        return keys or None

    def response_from_form(self, values):
        picked = [v for v in values if v.strip()]
        return picked or None

    def key_response(self, question):
        return list(question.keys)

    def score(self, question, response, points, mode):
        """Partial scoring: a choice of only correct keys earns the share of the points
        that it covers (two of three → 2/3); any wrong key earns nothing."""
        chosen, correct = set(response), set(question.keys)
        if chosen == correct:
            return points, Verdict.CORRECT
        if mode == PARTIAL and chosen < correct:
            return points * len(chosen) / len(correct), Verdict.PARTIAL
        return Fraction(0), Verdict.WRONG

    # Formats: GIFT and Moodle weigh each key equally and every wrong option -100%.

    moodle_qtype = "multichoice"

    def gift_body(self, question, escape, feedback):
        part = weight(100 / len(question.keys))
        answers = " ".join(
            f"~%{part if key in question.keys else '-100'}%{escape(text)}"
            for key, text in question.options
        )
        return f"{escape(question.stem)} {{{answers}{feedback}}}"

    def moodle_answers(self, question):
        part = weight(100 / len(question.keys))
        return [(part if key in question.keys else "-100", text) for key, text in question.options]

    def paper_claims(self, has_options, answer):
        return has_options and letters_in(answer) > 1

    def moodle_claims(self, qtype, positive):
        return qtype == self.moodle_qtype and positive > 1
