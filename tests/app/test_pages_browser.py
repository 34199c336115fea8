"""Every page, for every role, in a real browser at desktop (1366×768) and phone (390×844)
sizes: no page is wider than the screen, and axe-core finds no WCAG 2.2 A/AA violation.

Set UX_SCREENSHOTS=DIR to keep a full-page screenshot of each page for people to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.app.ux_world import build_world, log_in

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PARTS = 3  # the pages are checked in this many tests (``_part``)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
OVERFLOWING = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 0.5)
  .slice(0, 4).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))"""
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => v.id + ': ' + v.help + ' @ ' +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def _shot(page, size: str, who: str, path: str) -> None:
    folder = os.environ.get("UX_SCREENSHOTS")
    if folder:
        name = re.sub(r"[^A-Za-z0-9]+", "_", f"{who or 'anon'}{path}").strip("_")
        page.screenshot(path=str(Path(folder) / f"{name}-{size}.png"), full_page=True)


def _problems(page, path: str, width: int) -> list[str]:
    problems = []
    page.wait_for_load_state()  # a form's answer may be in the DOM before its stylesheets apply
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        culprits = page.evaluate(OVERFLOWING, width)
        problems.append(f"{path}: {wide} px wide on a {width} px screen: {culprits}")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a script tag: the CSP refuses those
    problems += [f"{path}: {v}" for v in page.evaluate(RUN_AXE, WCAG)]
    return problems


def _part(pages: dict[str, list[str]], part: int) -> dict[str, list[str]]:
    """The ``part``-th of ``PARTS`` runs of the pages in order (each role's pages together,
    so a part logs in as few roles as it can): the parts run on the suite's workers side by
    side, where the whole took one worker ~50 s."""
    every = [(who, path) for who, paths in pages.items() for path in paths]
    size = -(-len(every) // PARTS)
    mine: dict[str, list[str]] = {}
    for who, path in every[part * size : (part + 1) * size]:
        mine.setdefault(who, []).append(path)
    return mine


@pytest.mark.browser
@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("size", VIEWPORTS)
def test_every_page_fits_the_screen_and_passes_axe(browser, live_url, ctx, size, part):
    world = build_world()
    viewport = VIEWPORTS[size]
    problems: list[str] = []
    for who, paths in _part(world.pages, part).items():
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        if who:
            log_in(page, live_url, who)
        for path in paths:
            reply = page.goto(live_url + path)
            assert reply is not None and reply.status in (200, 404), (path, reply and reply.status)
            _shot(page, size, who, path)
            problems += _problems(page, f"{who or 'anonymous'} {path}", viewport["width"])
        context.close()
    assert not problems, "\n".join(problems)


def test_the_parts_cover_every_page_once_in_order():
    pages = {who: [f"/{who}/{n}" for n in range(count)]
             for who, count in {"": 4, "candidate": 6, "taker": 1, "admin": 38}.items()}  # fmt: skip
    parts = [_part(pages, part) for part in range(PARTS)]
    seen = [(who, path) for part in parts for who, paths in part.items() for path in paths]
    assert seen == [(who, path) for who, paths in pages.items() for path in paths]
