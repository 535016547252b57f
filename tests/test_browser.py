"""The report renders in a real headless browser (Debian's Chromium, driven by Playwright)."""

from __future__ import annotations

import pytest

from cem_research.present.pdf import find_browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]


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
    assert "About this report" in state["h2"]
    assert len(state["images"]) >= 3, "the client layer shows the charts that prove its findings"
    for w, h, shown in state["images"]:
        assert w > 0 and h > 0 and shown > 0
    for alt in state["alts"]:  # a description of the chart, never matplotlib's repr
        assert len(alt.split()) >= 3 and not alt.startswith("<Figure"), alt
    assert state["scripts"] == 0, "no <script> at all, so none can come from customer text"
    for href in state["tocLinks"]:
        if href.startswith("#"):
            assert page.locator(f"[id='{href[1:]}']").count() == 1, href
    assert "appendix.html" in state["tocLinks"]
    page.goto(report.with_name("appendix.html").as_uri())
    h2 = page.evaluate("() => Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
    assert "Methods appendix" in h2 and "Reproducibility" in h2 and "All headline findings" in h2
    assert errors == []
    page.close()


#: Width check at 1,280 px: every table within its column; images with a description; headers in words.
LAYOUT = """() => {
  const tables = [...document.querySelectorAll('table')];
  const wide = tables.filter(t => { const p = t.parentElement;
      return t.scrollWidth > p.clientWidth + 2 || p.scrollWidth > p.clientWidth + 2; })
    .map(t => (t.closest('div') && t.closest('div').previousElementSibling
               ? t.closest('div').previousElementSibling.textContent : '').slice(0, 80) + ' ' + t.scrollWidth);
  const alts = [...document.images].map(i => i.getAttribute('alt') || '');
  const heads = [...document.querySelectorAll('th')].filter(th => th.offsetParent !== null)
    .map(th => th.textContent.trim());
  return {wide, alts, heads, tables: tables.length};
}"""


@pytest.mark.parametrize("page_name", ["report.html", "appendix.html"])
def test_demo_reports_fit_1280_px(demo_reports, browser, page_name):
    """At 1,280 px no table is wider than the text column, every image has a descriptive alt text and
    no visible table header is a code name (issue 13), in every demo report and its appendix."""
    import re

    from conftest import DEMO

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for client in DEMO:
        page.goto((demo_reports / "reports" / client / page_name).as_uri())
        state = page.evaluate(LAYOUT)
        assert state["tables"] > 0
        assert state["wide"] == [], f"{client}/{page_name}: tables wider than the column: {state['wide'][:5]}"
        for alt in state["alts"]:
            assert len(alt.split()) >= 4 and not alt.startswith("<Figure"), f"{client}: alt {alt!r}"
        codes = [h for h in state["heads"] if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)]
        assert codes == [], f"{client}/{page_name}: code-name headers {codes}"
    page.close()


def test_pdf_is_printed(built_project, tmp_path):
    if find_browser() is None:
        pytest.skip("no Chromium")
    from cem_research.present.pdf import html_to_pdf

    pdf = html_to_pdf(built_project["root"] / "reports" / "tiny" / "report.html", tmp_path / "r.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
