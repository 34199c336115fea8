"""libyaml's syntax errors in the words of a bank author, at the line that needs the fix.

libyaml names a problem in English and gives two places: where the construct it was
reading began (the context) and where it gave up (the problem). For an unclosed quote or
bracket, or a missing “: ”, the place to fix is where the construct began; for everything
else it is where libyaml gave up. The English never reaches the author.
"""

from __future__ import annotations

from ruamel.yaml.error import MarkedYAMLError

# Contexts whose start, not the place libyaml gave up, is where the author must look.
_FIX_AT_CONTEXT = (
    "while scanning a quoted scalar",
    "while parsing a flow sequence",
    "while parsing a flow mapping",
    "while scanning a simple key",
)

# (words in libyaml's context, words in its problem, what to tell the author).
_MESSAGES = (
    (
        "quoted scalar",
        "end of stream",
        "引号没有闭合：从这里开始的引号到文件末尾都没有配对的引号；请补上",
    ),
    ("quoted scalar", "document", "引号没有闭合：从这里开始的引号没有配对的引号；请补上"),
    (
        "quoted scalar",
        "escape",
        "双引号内的反斜杠“\\”后不是有效的转义字符；反斜杠本身请写成“\\\\”，或改用单引号",
    ),
    ("flow sequence", "", "方括号“[”没有闭合：列表各项以逗号分隔，最后以“]”结束；请补上“]”"),
    ("flow mapping", "", "花括号“{”没有闭合：各项以逗号分隔，最后以“}”结束；请补上“}”"),
    (
        "simple key",
        "",
        "这一行缺少“: ”：字段名后的冒号要紧跟一个空格（如“stem: 题干”）；或上一行的内容没有结束",
    ),
    (
        "",
        "mapping values are not allowed",
        "此处不能出现“: ”：这一行可能比上一行的字段缩进得更深，或文字中含有“: ”（请给整段文字加引号）",
    ),
    (
        "",
        "expected '-' indicator",
        "缩进不一致：这一行没有和上面同一列表的“- ”对齐；同一层的内容应从同一列开始",
    ),
    (
        "",
        "expected key",
        "此处应为“字段名: 值”：请检查这一行的缩进是否与同一层的字段对齐，是否有多余的“-”，引号后是否还有文字",
    ),
    (
        "",
        "block sequence entries are not allowed",
        "此处不能开始列表（“- ”）：列表应另起一行，并比所属的字段缩进更深",
    ),
    ("", "cannot start any token", "出现了不能作为开头的字符{char}；请给这段文字加引号"),
    ("", "expected node content", "此处缺少内容：可能多了逗号、冒号或“-”"),
    ("", "tab character", "用制表符（Tab）缩进；YAML 只允许空格缩进，请改为空格"),
    ("anchor", "", "“&”或“*”后应为别名的名字；文字以 & 或 * 开头时请给整段文字加引号"),
    ("alias", "", "“&”或“*”后应为别名的名字；文字以 & 或 * 开头时请给整段文字加引号"),
    ("tag", "", "“!”开头的标记无法识别；文字以 ! 开头时请给整段文字加引号"),
    ("block scalar", "", "“|”或“>”后的同一行只能是注释；多行文字请从下一行开始并缩进"),
    ("directive", "", "“%”开头的指令无法识别；文字以 % 开头时请给整段文字加引号"),
    ("", "document start", "此处应为文件的开始；一个文件只能有一份内容（不要用“---”分隔多份）"),
)
_FALLBACK = "无法解析此处；请检查缩进、冒号“: ”和引号"


def describe_syntax_error(exc: MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """Line and column (from 1) of the place to fix, and the problem in Chinese only."""
    context = exc.context or ""
    problem = exc.problem or ""
    mark = exc.problem_mark
    if exc.context_mark is not None and context in _FIX_AT_CONTEXT:
        mark = exc.context_mark
    if mark is None:
        mark = exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    words = next((m for c, p, m in _MESSAGES if c in context and p in problem), _FALLBACK)
    if "{char}" in words:
        words = words.format(char=_quoted_char_at(text, line, column))
    return line, column, f"YAML 语法错误：{words}"


def _quoted_char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line)
    if len(lines) >= line and 0 < column <= len(lines[line - 1]):
        return f"“{lines[line - 1][column - 1]}”"
    return ""
