"""A pass's result page waiting for its certificates, in a real browser (issue 12): once the
job issues them, the certificate box fills in from the status answer without loading the
page again (at a close that second result page, once per pass, was the web's largest
avoidable cost), and looks as the server renders it, on a phone in large print and on a
desktop; the link downloads that certificate's PDF, and the page passes axe-core."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.jobs.queue import huey
from app.models import Certificate
from tests.app import test_submitting
from tests.app.test_browser import log_in
from tests.app.test_pages_browser import AXE, RUN_AXE, WCAG
from tests.app.test_result_certificates_browser import as_worker, submitted_pass

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("signing", "fresh_catalog"),
]

real_queue = test_submitting.real_queue  # a fixture: papers wait for a worker

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SHOTS = Path("/tmp/certbox-shots")


def run_next_job(app) -> str:
    """What a worker does with the next queued job, on a thread as a worker's own."""
    ran: list[str] = []

    def next_job() -> None:
        task = huey.dequeue()
        huey.execute(task)
        ran.append(task.name)

    as_worker(app, next_job)
    db.session.expire_all()  # the worker committed in another session
    return ran[0]


def box_shape(page, selector: str) -> dict:
    """What the reader sees of the box: its classes and each line's classes, text and link."""
    return page.eval_on_selector(
        selector,
        """box => ({
          classes: box.className,
          lines: Array.from(box.children, p => ({
            tag: p.tagName, classes: p.className, text: p.textContent.replace(/\\s+/g, " ").trim(),
            links: Array.from(p.querySelectorAll("a"), a => [a.textContent, a.getAttribute("href")]),
          })),
        })""",
    )


@pytest.mark.parametrize(
    ("viewport", "text_size"),
    [(PHONE, "标准字号"), (PHONE, "特大字号"), (DESKTOP, "标准字号")],
    ids=["phone", "phone-large", "desktop"],
)
def test_the_certificates_fill_the_box_without_loading_the_page(
    browser, live_url, app, ctx, real_queue, viewport, text_size
):
    attempt_id = submitted_pass()
    assert run_next_job(app) == "score_attempt"  # scored; its certificates queued after it
    page = browser.new_page(viewport=viewport)
    log_in(page, live_url)
    page.click(f"button[aria-label={text_size}]")
    result_url = f"{live_url}/attempts/{attempt_id}/result"
    page.goto(result_url)
    box = page.locator(".result-certificates")
    expect(box).to_have_text("证书正在生成，请稍后刷新。")
    expect(box).to_have_attribute("role", "status")  # a live region from the start
    page.evaluate("window.sameDocument = true")  # gone if the page is loaded again
    loads = []
    page.on("framenavigated", lambda frame: loads.append(frame.url))
    page.on("request", lambda r: r.resource_type == "document" and loads.append(r.url))
    page.wait_for_event("requestfinished", lambda r: "/status" in r.url, timeout=10_000)
    expect(box).to_have_text("证书正在生成，请稍后刷新。")  # not issued yet: still waiting

    assert run_next_job(app) == "certify_passes"
    link = box.get_by_role("link", name="下载证书（PDF）")
    expect(link).to_be_visible(timeout=20_000)
    certificate = db.session.scalars(select(Certificate)).one()
    expect(box).to_contain_text(f"编号 {certificate.number}")
    assert page.evaluate("window.sameDocument") is True and loads == []
    filled = box_shape(page, ".result-certificates")
    assert box.get_attribute("id") is None  # waits no more

    shown = box.bounding_box()
    assert shown["x"] >= 0 and shown["x"] + shown["width"] <= viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    SHOTS.mkdir(exist_ok=True)
    size = "large" if text_size == "特大字号" else "standard"
    page.screenshot(path=str(SHOTS / f"filled-{viewport['width']}-{size}.png"), full_page=True)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate(RUN_AXE, WCAG) == []

    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{certificate.number}.pdf"
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert certificate.number in text

    page.goto(result_url)  # as a reload (or a page without JavaScript) shows it
    assert box_shape(page, ".result-certificates") == filled
    page.close()


def test_without_javascript_a_reload_shows_the_certificates(
    browser, live_url, app, ctx, real_queue
):
    attempt_id = submitted_pass()
    assert run_next_job(app) == "score_attempt"
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    log_in(page, live_url)
    page.goto(f"{live_url}/attempts/{attempt_id}/result")
    expect(page.locator(".result-certificates")).to_have_text("证书正在生成，请稍后刷新。")
    assert run_next_job(app) == "certify_passes"
    page.reload()
    expect(page.get_by_role("link", name="下载证书（PDF）")).to_be_visible()
    context.close()
