"""排序题: options to be put in a required order (``answer: CADB``).

Scored all or nothing, or under ``partial`` by the share of items in their right
position. Always shown shuffled, and never in the right order, since the written order
of the options may be the answer itself; so ``shuffle_options: false`` is refused. An
ordering the candidate never touched is unanswered: the page sends no order until then.
"""

from __future__ import annotations

import random
from types import MappingProxyType

from question_bank.text import normalize_key
from question_bank.types.base import (
    ALL_OR_NOTHING,
    PARTIAL,
    InvalidResponse,
    QuestionType,
    all_or_nothing,
    answer_keys,
    not_an_option,
    share,
)

_ARROWS = str.maketrans({"→": " ", ">": " ", "-": " "})


class Ordering(QuestionType):
    name = "ordering"
    title = "排序题"
    short_title = "排序"
    editor_hint = "排序：按正确顺序写出全部选项字母，如 CADB"
    has_options = True
    scoring_modes = (ALL_OR_NOTHING, PARTIAL)
    scoring_titles = MappingProxyType(
        {
            ALL_OR_NOTHING: "顺序全部正确才得分",
            PARTIAL: "按排在正确位置的项数比例得分",
        }
    )
    stat_headings = ("正确顺序", "排对人次")

    def read_answer(self, node, reader, options, stem):
        keys = answer_keys(node, reader, _ARROWS)
        if keys is None:
            return None
        wrong = [k for k in keys if k not in options]
        if wrong:
            reader.error(node, "answer", not_an_option("、".join(wrong), options))
            return None
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            reader.error(
                node,
                "answer",
                f"答案中选项 {'、'.join(repeated)} 重复出现；排序题的答案要把每个选项恰好写一次",
            )
            return None
        missing = [k for k in options if k not in keys]
        if missing:
            reader.error(
                node,
                "answer",
                f"答案缺少选项 {'、'.join(missing)}；排序题的答案要按正确顺序写出全部 "
                f"{len(options)} 个选项，如 {''.join(reversed(options))}",
            )
            return None
        return tuple(keys), ()

    def check_question(self, question, fields, reader):
        if not question.shuffle_options:
            reader.error(
                fields["shuffle_options"][1],
                "shuffle_options",
                "排序题总是打乱显示（按书写顺序显示可能直接泄露答案）；请删除 shuffle_options: false",
            )
            return False
        return True

    def answer_value(self, question):
        return "".join(question.keys)

    def keys_from_answer(self, answer):
        return tuple(answer), ()

    def option_order(self, question, rng: random.Random, shuffle):
        """Shuffled whatever the exam says, and never starting in the right order."""
        keys = [key for key, _ in question.options]
        while True:
            order = tuple(rng.sample(keys, len(keys)))
            if order != question.keys:
                return order

    def arranged(self, choices, response):
        """The choices in the order the candidate left them (as shown, if untouched)."""
        if not response:
            return choices
        by_key = {choice[0]: choice for choice in choices}
        return [by_key[key] for key in response if key in by_key]

    def normalize_response(self, question, raw):
        if raw is None:
            return None
        keys = sorted(key for key, _ in question.options)
        if (
            not isinstance(raw, list | tuple)
            or not all(isinstance(item, str) for item in raw)
            or sorted(normalize_key(item) for item in raw) != keys
        ):
            raise InvalidResponse("排序题的答案应为全部选项排成的一个顺序，每项恰好一次")
        return tuple(normalize_key(item) for item in raw)

    def response_from_form(self, values):
        picked = [v for v in values if v.strip()]
        return picked or None

    def score(self, question, response, points, mode):
        right = sum(a == b for a, b in zip(response, question.keys, strict=True))
        if mode == PARTIAL:
            return share(right, len(question.keys), points)
        return all_or_nothing(right == len(question.keys), points)

    def key_response(self, question):
        return list(question.keys)

    def response_words(self, question, response, order=None):
        shown = {key: (letter, text) for key, letter, text in self.choices(question, order)}
        return " → ".join(f"{shown[key][0]}．{shown[key][1]}" for key in response)

    def stat_categories(self, question):
        """One row per position: how many put the right option there."""
        texts = dict(question.options)
        return [
            (str(i), f"第 {i} 位", f"{key}．{texts[key]}", False)
            for i, key in enumerate(question.keys, start=1)
        ]

    def stat_chosen(self, question, response):
        return tuple(
            str(i)
            for i, (given, right) in enumerate(zip(response, question.keys, strict=False), 1)
            if given == right
        )

    # Formats: the answer as the keys in order (CADB); Moodle's qtype_ordering lists
    # the items as written, each answer's fraction its place in the right order.

    moodle_qtype = "ordering"
    gift_refusal = "GIFT 没有排序题"

    def moodle_answers(self, question):
        place = {key: i for i, key in enumerate(question.keys, start=1)}
        return [(str(place[key]), text) for key, text in question.options]

    def from_moodle(self, answers):
        options = dict(zip("ABCDEFGHIJKLMNOP", (text for _, text in answers), strict=False))
        placed = sorted(zip(options, answers, strict=False), key=lambda pair: pair[1][0])
        return {"options": options, "answer": "".join(key for key, _ in placed)}
