"""The iterative composer builds the same tree libyaml's own composer built, faster."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from ruamel.yaml.cyaml import CBaseLoader
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from question_bank.bank_format import parse_bank
from question_bank.diagnostics import Report
from question_bank.yaml_compose import compose
from question_bank.yaml_source import load

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    *sorted((ROOT / "question_bank" / "banks").glob("*.yaml")),
    *sorted((ROOT / "question_bank" / "exams").glob("*.yaml")),
    ROOT / "certificates" / "rules.yaml",
]


def shape(node: Node) -> object:
    """Kind, position, style and value of every node: what the readers look at."""
    where = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, ScalarNode):
        return ("scalar", where, node.style, node.value)
    if isinstance(node, SequenceNode):
        return ("seq", where, [shape(child) for child in node.value])
    assert isinstance(node, MappingNode)
    return ("map", where, [(shape(k), shape(v)) for k, v in node.value])


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_same_tree_as_libyamls_composer(path):
    text = path.read_text(encoding="utf-8")
    root, aliased = compose(text, 64)
    assert not aliased
    assert shape(root) == shape(CBaseLoader(text).get_single_node())


def test_anchors_and_aliases_share_the_node():
    root, aliased = compose("a: &x [1, 2]\nb: *x\nc: &y text\nd: *y\n", 64)
    (_, a), (_, b), (_, c), (_, d) = root.value
    assert aliased and a is b and c is d and c.value == "text"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a: 1\nb: *nowhere\n", 2, 4, "未定义的别名"),
        ("a: 1\n---\nb: 2\n", 2, 1, "第二份内容"),
        ("", 1, 1, "文件为空"),
        ("# only a comment\n", 1, 1, "文件为空"),
    ],
)
def test_what_cannot_be_one_tree_is_reported(text, line, column, words):
    report = Report("f.yaml")
    assert load(text.encode(), report) is None
    [error] = report.errors
    assert (error.line, error.column) == (line, column) and words in error.message


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collection_is_left_as_it_was(enabled):
    (gc.enable if enabled else gc.disable)()
    try:
        parse_bank(FILES[0].read_bytes())
        compose("a: [1, {b: 2}]", 64)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
