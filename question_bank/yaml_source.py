"""Reading YAML source files into position-carrying nodes, safely.

Scalars are kept exactly as written (YAML 1.2 leaves ``yes``/``no`` as text and we go
further: ``1921`` and ``2024-01-01`` stay text too), so every reader of the tree decides
what a scalar means for its own field. Hostile input (alias bombs, deep nesting, huge
files, wrong encodings) is refused with a clear message before it can cost much.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from question_bank.diagnostics import Report
from question_bank.yaml_compose import ComposeError, SecondDocument, TooDeep, compose
from question_bank.yaml_errors import describe_syntax_error

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
ALIAS_EXPANSION_SLACK = 1_000

_BOM = b"\xef\xbb\xbf"
_FULLWIDTH_COLON_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*：")
_LEADING_WS = re.compile(r"^[ \t]*")
# Either mistake anywhere in the text, found in one scan before looking line by line.
_SUSPECT = re.compile(r"^[ ]*\t|^[ \t]*(?:-[ \t]+)?[A-Za-z_][A-Za-z0-9_]*[ \t]*：", re.MULTILINE)


@dataclass(frozen=True)
class Position:
    line: int
    column: int


def position(node: Node) -> Position:
    """Where a node starts, counted from 1."""
    mark = node.start_mark
    return Position(mark.line + 1, mark.column + 1)


def is_null(node: Node) -> bool:
    return (
        isinstance(node, ScalarNode)
        and node.style in (None, "")
        and node.value in ("", "~", "null")
    )


def load(
    data: bytes, report: Report, max_bytes: int = DEFAULT_MAX_BYTES, kind: str = "题库"
) -> Node | None:
    """Parse ``data`` into a node tree, or record why not and return None; ``kind`` names
    the file in messages (题库, 试卷规则, 认证规则)."""
    if len(data) > max_bytes:
        report.error(
            1, 1, f"文件过大（{_size(len(data))}），上限为 {_size(max_bytes)}；请拆分后分别导入"
        )
        return None
    text = _decode(data, report)
    if text is None or not _lexically_sound(text, report):
        return None
    try:
        root, aliased = compose(text, MAX_DEPTH)
    except MarkedYAMLError as exc:
        report.error(*describe_syntax_error(exc, text))
        return None
    except TooDeep as exc:
        report.error(exc.line, exc.column, _too_deep(kind))
        return None
    except ComposeError as exc:
        report.error(exc.line, exc.column, _compose_problem(exc, kind))
        return None
    if root is None:
        report.error(1, 1, f"文件为空；请提供{kind}的内容")
        return None
    if aliased and not _within_bounds(root, len(text), report, kind):
        return None
    return root


def _size(count: int) -> str:
    if count < 1048576:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1048576:.1f} MB".replace(".0 MB", " MB")


def _decode(data: bytes, report: Report) -> str | None:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = "请以 UTF-8 编码保存后重试"
        try:
            data.decode("gb18030")
            hint = "文件看起来是 GB18030/GBK 编码；" + hint
        except UnicodeDecodeError:
            pass
        report.error(
            line, column, f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节无法解码）；{hint}"
        )
        return None


def _lexically_sound(text: str, report: Report) -> bool:
    """Catch the mistakes YAML reports badly: tab indentation and full-width colons."""
    if not _SUSPECT.search(text):
        return True
    sound = True
    for number, line in enumerate(text.splitlines(), start=1):
        indent = _LEADING_WS.match(line).group()
        if "\t" in indent:
            report.error(
                number,
                indent.index("\t") + 1,
                "用制表符（Tab）缩进；YAML 只允许空格缩进，请改为空格",
            )
            sound = False
        colon = _FULLWIDTH_COLON_KEY.match(line)
        if colon:
            column = line.index("：", colon.end(2)) + 1
            report.error(
                number,
                column,
                f"“{colon.group(2)}”后是全角冒号“：”；字段名后应为半角冒号“:”加空格",
                field=colon.group(2),
            )
            sound = False
    return sound


def _too_deep(kind: str) -> str:
    return f"嵌套层次过深（超过 {MAX_DEPTH} 层）；{kind}不需要这样的结构"


def _compose_problem(exc: ComposeError, kind: str) -> str:
    if isinstance(exc, SecondDocument):
        return f"文件中有第二份内容（“---”之后）；一个{kind}文件只能有一份内容"
    return "引用了未定义的别名（*）；请先用 & 定义，或给以 * 开头的文字加引号"


def _within_bounds(root: Node, text_length: int, report: Report, kind: str) -> bool:
    """Refuse alias bombs and nesting made deep through aliases, without recursion
    (without aliases the composer has already bounded both).

    Walks the tree as it would be expanded, but never further than a budget that a file
    of this size cannot need without aliases: an alias bomb stops at the budget.
    """
    budget = text_length + ALIAS_EXPANSION_SLACK
    stack: list[tuple[Node, int]] = [(root, 1)]
    visited = 0
    while stack:
        node, depth = stack.pop()
        visited += 1
        if visited > budget:
            report.error(1, 1, f"YAML 别名（&/*）展开后过大；{kind}中请勿用别名大量引用")
            return False
        if depth > MAX_DEPTH:
            where = position(node)
            report.error(where.line, where.column, _too_deep(kind))
            return False
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return True
