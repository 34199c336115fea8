"""A sample question of every type: the rows of the Excel template, and the
questions people see when they first open it."""

from __future__ import annotations

from question_bank.model import Bank, Question

SAMPLE_BANK = Bank(
    "party-basics",
    "党务基本知识题库",
    (("charter", "中国共产党章程"), ("branch", "中国共产党支部工作条例（试行）")),
    (
        Question(
            "charter-0001", "single", "charter", "党的最高领导机关是（　）。", 2,
            (("A", "党的全国代表大会和它所产生的中央委员会"), ("B", "中央政治局"),
             ("C", "中央政治局常务委员会"), ("D", "中央书记处")),
            ("A",), explanation="党章第十条：党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。",
            source="《中国共产党章程》第十条", tags=("组织原则",),
        ),
        Question(
            "charter-0002", "multiple", "charter", "党员的纪律处分有（　）。", 3,
            (("A", "警告"), ("B", "严重警告"), ("C", "撤销党内职务"), ("D", "降级")),
            ("A", "B", "C"), source="《中国共产党章程》第四十二条",
        ),
        Question(
            "charter-0003", "judge", "charter", "预备党员的预备期为一年。", 1,
            keys=("true",), source="《中国共产党章程》第七条",
        ),
        Question(
            "branch-0001", "fill", "branch",
            "党支部是党的基础组织，是党的组织体系的____，是党在社会基层组织中的____。", 3,
            blanks=(("基本单元",), ("战斗堡垒",)), source="《中国共产党支部工作条例（试行）》第二条",
        ),
    ),
)  # fmt: skip
