"""The report renders in a real headless browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import pytest

from cem_research.present.pdf import FLAGS, find_browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():
    if find_browser() is None:
        pytest.skip("no Chromium on this machine: `make browser` (root) or apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_browser(),
                              args=[f for f in FLAGS if f != "--headless"])
        yield b
        b.close()


def test_report_renders_in_chromium(built_project, browser):
    report = built_project["root"] / "reports" / "tiny" / "report.html"
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    state = page.evaluate("""() => ({
        h1: document.querySelectorAll('h1').length,
        h2: Array.from(document.querySelectorAll('h2')).map(h => h.textContent),
        images: Array.from(document.images).map(i => [i.naturalWidth, i.naturalHeight,
                                                      i.getBoundingClientRect().width]),
        alts: Array.from(document.images).map(i => i.getAttribute('alt') || ''),
        scripts: document.querySelectorAll('script').length,
        tocLinks: Array.from(document.querySelectorAll('nav.toc a')).map(a => a.getAttribute('href')),
    })""")
    assert errors == []
    assert state["h1"] == 1
    assert state["h2"][0] == "Executive summary"
    assert "Methods appendix" in state["h2"] and "Reproducibility" in state["h2"]
    assert len(state["images"]) >= 5, "every notebook draws figures"
    for w, h, shown in state["images"]:
        assert w > 0 and h > 0 and shown > 0
    for alt in state["alts"]:  # a description of the chart, never matplotlib's repr
        assert len(alt.split()) >= 3 and not alt.startswith("<Figure"), alt
    assert state["scripts"] == 0, "no <script> at all, so none can come from customer text"
    for href in state["tocLinks"]:
        assert page.locator(f"[id='{href[1:]}']").count() == 1, href
    page.close()


def test_pdf_is_printed(built_project, tmp_path):
    if find_browser() is None:
        pytest.skip("no Chromium")
    from cem_research.present.pdf import html_to_pdf

    pdf = html_to_pdf(built_project["root"] / "reports" / "tiny" / "report.html", tmp_path / "r.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
