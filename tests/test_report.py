"""The report's frame: skipped sections as one line, tables for re-use, the index, no notebook leaks."""

from __future__ import annotations

import json
import os
import re
import time

import nbformat
import numpy as np
import pandas as pd
import pytest

from cem_research.present import findings
from cem_research.present.report import Doc, render_notebook, visible_text
from cem_research.present.report.export import write_tables
from cem_research.present.report.index import index_rows, render_index
from cem_research.present.report.keyfigures import key_figures
from cem_research.present.report.wording import client_markdown, reword
from cem_research.present.show import TABLE_MIME, table_bundle, table_payload

from conftest import DEMO, REPO, make_project

#: What must never reach a client's eyes (issue 13): notebook talk, configuration, Python reprs, double escapes.
LEAKS = [re.compile(p) for p in (r"(?i)notebook", r"(?i)cell below", r"client\.yaml", r"\bNone\b(?! of\b)",
                                 r"&amp;amp;", r"&amp;lt;", r"\{'[^']*': ")]


def _skip_out(reason):
    return nbformat.v4.new_output("display_data", data={
        findings.MIME: {"kind": "skipped", "step": 4, "section": "Journeys", "anchor": "journeys",
                        "text": reason, "headline": False, "key": None, "value": None, "ci": None},
        "text/markdown": "*Not analysed*"})


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _code(*outputs):
    cell = nbformat.v4.new_code_cell("x = Section().run(data, settings)")
    cell.outputs = list(outputs)
    return cell


# ---- skipped sections ----------------------------------------------------------------------------
def test_skipped_section_shows_its_heading_and_one_line():
    teaching = "**What is computed.** A long explanation of the journey analysis.\n\n**How to read it.** More."
    nb = _notebook(nbformat.v4.new_markdown_cell(f"## Journeys\n\n{teaching}"),
                   nbformat.v4.new_markdown_cell("A second paragraph of teaching text."),
                   _code(_skip_out("the client supplies no touchpoint events")),
                   _code(_skip_out("the client supplies no touchpoint events")),
                   nbformat.v4.new_markdown_cell("## The human touch\n\nWhat is computed here."),
                   _code(nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"})))
    doc = Doc()
    render_notebook(doc, nb)
    body = "".join(doc.parts)
    assert '<h3 id="journeys">Journeys</h3>' in body
    assert "long explanation" not in body and "second paragraph" not in body
    assert body.count("the client supplies no touchpoint events") == 1, "a reason is said once"
    assert "What is computed here." in body, "a section with output keeps its text"


def test_section_with_a_finding_and_a_skip_keeps_its_text():
    found = nbformat.v4.new_output("display_data", data={
        findings.MIME: {"kind": "finding", "step": 2, "section": "Drivers", "anchor": "drivers", "text": "A drives B.",
                        "headline": True, "key": None, "value": None, "ci": None}, "text/markdown": "x"})
    nb = _notebook(nbformat.v4.new_markdown_cell("## Drivers\n\nHow drivers are estimated."),
                   _code(found), _code(_skip_out("too few answers for the cross-check")))
    doc = Doc()
    render_notebook(doc, nb)
    body = "".join(doc.parts)
    assert "How drivers are estimated." in body and "A drives B." in body and "too few answers" in body


# ---- leaks ---------------------------------------------------------------------------------------
def test_notebook_instructions_and_config_talk_stay_out():
    md = ("This notebook answers three questions (`layer:` in client.yaml).\n\n"
          "**Edit the proposal in the cell below.** Set `platform_override` to a dict. Leave it as `None`.\n\n"
          "Experience dimensions declared in client.yaml: Sensory.")
    out = client_markdown(md)
    assert "This step answers three questions." in out
    assert "cell below" not in out and "None" not in out and "client.yaml" not in out
    assert reword("against 5.00, client.yaml; gap") == "against 5.00, set for this study; gap"


def test_tagged_cells_stay_out():
    hidden = nbformat.v4.new_markdown_cell("Only for notebook users.")
    hidden.metadata["tags"] = ["report-hide"]
    doc = Doc()
    render_notebook(doc, _notebook(nbformat.v4.new_markdown_cell("# Step 1"), hidden))
    assert "notebook users" not in "".join(doc.parts)


def test_character_references_are_escaped_once():
    doc = Doc()
    doc.add_markdown("Proposed platform for **Bean &amp; Co.**: Holm p &lt; .001; raw <b>tag</b> & bare",
                     shift=2)
    body = "".join(doc.parts)
    assert "Bean &amp; Co." in body and "&amp;amp;" not in body and "&amp;lt;" not in body
    assert "&lt;b&gt;" in body, "raw HTML in markdown is still escaped"
    assert visible_text(body).count("Bean & Co.") == 1


def test_figure_alt_text_is_never_a_figure_repr():
    doc = Doc()
    doc.section = "Tracking across waves"
    doc.add_output(nbformat.v4.new_output("display_data", data={
        "image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 1210x1166 with 10 Axes>"}))
    assert "Figure size" not in doc.parts[0] and 'alt="Chart: Tracking across waves"' in doc.parts[0]


# ---- tables for re-use ---------------------------------------------------------------------------
def _frame():
    return pd.DataFrame({"wave": pd.Categorical(["W1", "W2"]), "mean": [5.123456, np.nan],
                         "n": np.array([10, 12], dtype="int64"), "share": [0.25, 0.5], "ok": [True, False]})


def test_table_payload_keeps_the_numbers_json_safe():
    p = table_payload(_frame(), "Means", percent=("share",), rename={"mean": "Mean"})
    json.dumps(p, allow_nan=False)
    assert [c["name"] for c in p["columns"]] == ["wave", "mean", "n", "share", "ok"]
    assert p["columns"][1]["label"] == "Mean" and p["columns"][3]["unit"] == "share (0-1)"
    assert p["rows"][0] == ["W1", 5.123456, 10, 0.25, True] and p["rows"][1][1] is None


def test_table_bundle_has_html_and_payload():
    bundle = table_bundle(_frame(), "Means", percent=("share",))
    assert "<table" in bundle["text/html"] and bundle[TABLE_MIME]["caption"] == "Means"


def test_tables_are_written_whole_with_an_index(tmp_path):
    doc = Doc()
    doc.step, doc.section = 5, "Tracking across waves"
    bundle = table_bundle(_frame(), "Means", percent=("share",))
    doc.add_output(nbformat.v4.new_output("display_data", data=bundle))
    doc.add_output(nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><th>a</th></tr>"
                                                                              "<tr><td>1</td></tr></table>"}))
    entries = write_tables(tmp_path / "tables", "x", doc.tables)
    index = json.loads((tmp_path / "tables" / "index.json").read_text())
    assert len(index["tables"]) == len(entries) == 2
    assert index["tables"][0]["section"] == "Tracking across waves" and index["tables"][0]["step"] == 5
    first = pd.read_csv(tmp_path / "tables" / index["tables"][0]["file"])
    assert first["mean"].iloc[0] == pytest.approx(5.123456), "the CSV holds the unrounded number"
    assert index["tables"][1]["values"] == "as shown"


# ---- the index -----------------------------------------------------------------------------------
def _tracking_tables():
    def t(cols, rows):
        return {"step": 5, "section": "Tracking across waves",
                "payload": {"columns": [{"name": c} for c in cols], "rows": rows}}
    return [t(["title", "wave", "mean", "ci_low", "ci_high"], [["Satisfaction", "W1", 5.0, 4.9, 5.1],
                                                               ["Satisfaction", "W2", 5.3, 5.2, 5.4]]),
            t(["title", "from_wave", "to_wave", "diff", "ci_low", "ci_high", "significant"],
              [["Satisfaction", "W1", "W2", 0.3, 0.15, 0.45, True]]),
            t(["wave", "nps", "ci_low", "ci_high", "change", "change_ci_low", "change_ci_high"],
              [["W1", 8.0, 2.0, 14.0, None, None, None], ["W2", 14.0, 8.0, 20.0, 6.0, -2.0, 14.0]])]


def test_key_figures_come_from_the_tracking_tables():
    k = key_figures(_tracking_tables(), "Satisfaction")
    assert k["main_outcome"]["value"] == 5.3 and k["main_outcome"]["change"] == 0.3
    assert k["main_outcome"]["significant"] is True and k["main_outcome"]["previous_wave"] == "W1"
    assert k["nps"]["value"] == 14.0 and k["nps"]["change_ci"] == [-2.0, 14.0] and k["nps"]["significant"] is False
    assert key_figures([], "Satisfaction") == {"main_outcome": None, "nps": None}


def test_index_rows_show_names_figures_status_and_links(tmp_path):
    from cem_research.client.io import write_json
    from cem_research.run.pipeline import ClientOutcome

    for c in ("a_client", "b_client", "c_client"):
        (tmp_path / "data" / "raw" / c).mkdir(parents=True)
        (tmp_path / "data" / "raw" / c / "survey.csv").write_text("x\n")
        (tmp_path / "reports" / c).mkdir(parents=True)
        (tmp_path / "reports" / c / "report.html").write_text("<html></html>")
    old = time.time() - 3600
    os.utime(tmp_path / "data" / "raw" / "a_client" / "survey.csv", (old, old))
    write_json(tmp_path / "reports" / "a_client" / "report.json",
               {"name": "Bean & <Co>", "waves": ["W1", "W2"], "key_figures": key_figures(_tracking_tables(), "Satisfaction")})
    (tmp_path / "reports" / "a_client" / "report.pdf").write_bytes(b"%PDF")
    future = time.time() + 3600
    os.utime(tmp_path / "data" / "raw" / "b_client" / "survey.csv", (future, future))
    rows = index_rows(tmp_path, [ClientOutcome("c_client", ok=False, error="client 'c_client': bad column")])
    status = {r["client"]: r["status"] for r in rows}
    assert status == {"a_client": "ok", "b_client": "stale", "c_client": "failed"}
    page = render_index(rows)
    assert "Bean &amp; &lt;Co&gt;" in page and "<Co>" not in page
    assert 'href="a_client/report.pdf"' in page and 'href="b_client/report.pdf"' not in page
    assert "5.30" in page and "+0.30 since W1" in page and "▲ up" in page
    assert "no clear change" in page, "the NPS change's interval includes 0"
    assert "bad column" in page


# ---- the four demo reports ---------------------------------------------------------------------
def _both_layers(root, client) -> str:
    """The client's report and its technical appendix, as one markup string."""
    rdir = root / "reports" / client
    return (rdir / "report.html").read_text() + (rdir / "appendix.html").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("client", DEMO)
def test_demo_report_has_no_leaks(demo_reports, client):
    page = re.sub(r'src="data:[^"]*"', "", _both_layers(demo_reports, client))
    text = visible_text(page)
    for pattern in LEAKS:
        haystack = page if pattern.pattern.startswith("&") else text  # double escapes show in the markup
        m = pattern.search(haystack)
        assert m is None, f"{client}: {pattern.pattern!r} in …{haystack[max(0, m.start() - 80):m.end() + 80]}…"


@pytest.mark.slow
@pytest.mark.parametrize("client", DEMO)
def test_demo_report_has_no_code_name_table_header(demo_reports, client):
    """Every header a reader sees, appendix included, is in words (issue: no visible code names)."""
    page = _both_layers(demo_reports, client)
    headers = [visible_text(h).strip() for h in re.findall(r"<th\b[^>]*>(.*?)</th>", page, flags=re.S)]
    assert headers, "the report has tables"
    codes = sorted({h for h in headers if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)})
    assert codes == [], f"{client}: code-name headers {codes}"


@pytest.mark.slow
@pytest.mark.parametrize("client", DEMO)
def test_demo_report_names_items_by_their_question(demo_reports, client):
    """Issue 15: readers see each item's question wording, never its column code."""
    from cem_research.client.config import load_config

    cfg = load_config(REPO / "data" / "raw" / client)
    text = visible_text(re.sub(r'src="data:[^"]*"', "", _both_layers(demo_reports, client)))
    items = [i for c in cfg.constructs.values() for i in c.items]
    leaked = sorted({i for i in items if re.search(rf"\b{re.escape(i)}\b", text)})
    assert not leaked, f"{client}: item codes shown to readers: {leaked}"
    multi = [i for c in cfg.constructs.values() if len(c.items) > 1 for i in c.items]
    assert all(cfg.questions[i] in text for i in multi)  # the item analysis lists every question


@pytest.mark.slow
@pytest.mark.parametrize("client", DEMO)
def test_demo_report_tables_are_written_as_csv(demo_reports, client):
    rdir = demo_reports / "reports" / client
    index = json.loads((rdir / "tables" / "index.json").read_text())
    for layer, name in (("client", "report.html"), ("appendix", "appendix.html")):
        page = (rdir / name).read_text()
        listed = [e for e in index["tables"] if e["layer"] == layer]
        # a wide table is shown in parts (several <table>s in one wrapper): one CSV per table shown
        assert len(listed) == page.count('class="table-wrap"'), f"every table of {name} is listed"
    for entry in index["tables"]:
        frame = pd.read_csv(rdir / "tables" / entry["file"])
        assert list(frame.columns) == [c["name"] for c in entry["columns"]]
        assert len(frame) == entry["rows"] and entry["section"]


@pytest.mark.slow
def test_broken_clients_beside_the_demo_clients_fail_alone(demo_reports):
    """Issue 16: one run with each once-fatal bad input beside the demo clients builds every demo report;
    the index marks each broken client failed with its one-line reason, and the demo clients ok."""
    from conftest import HIGH_CASES

    rows = {r["client"]: r for r in json.loads((demo_reports / "reports" / "index.json").read_text())["rows"]}
    for c in DEMO:
        assert rows[c]["status"] == "ok" and (demo_reports / "reports" / c / "report.html").exists()
    for c in HIGH_CASES:
        expected = (REPO / "tests" / "bad_inputs" / c / "expected.txt").read_text().strip()
        assert rows[c]["status"] == "failed", c
        assert "\n" not in rows[c]["reason"] and expected in rows[c]["reason"], (c, rows[c]["reason"])
        assert not (demo_reports / "reports" / c / "report.html").exists()
    html_index = (demo_reports / "reports" / "index.html").read_text()
    assert all(c in html_index for c in HIGH_CASES)


@pytest.mark.slow
def test_demo_index_lists_display_names_and_figures(demo_reports):
    page = (demo_reports / "reports" / "index.html").read_text()
    assert "Bean &amp; Co. Coffee" in page and "Pulse Fitness" in page
    info = json.loads((demo_reports / "reports" / "coffee_house" / "report.json").read_text())
    assert info["key_figures"]["nps"]["value"] is not None and info["key_figures"]["main_outcome"]["value"] is not None
    assert 'href="coffee_house/report.html"' in page


@pytest.mark.slow
def test_skipped_sections_are_short_in_hotel_group(demo_reports):
    page = (demo_reports / "reports" / "hotel_group" / "report.html").read_text()
    step4 = page[page.index('id="step-4'):page.index('id="step-5')]
    assert "What is computed" not in step4, "a skipped section shows only its skip line"
    assert step4.count('class="skipped"') >= 5


# ---- page one (issue 13, item 1) ----------------------------------------------------------------
def _page_one_doc(tracking=True, agenda_rows=7):
    from cem_research.present.report.pageone import AGENDA

    doc = Doc()
    doc.tables = _tracking_tables() if tracking else []
    if agenda_rows:
        cols = ["rank", "opportunity", "kind", "step", "gain", "gain_ci_low", "gain_ci_high"]
        rows = [[i + 1, f"option_{i + 1}", "close a gap", "3 – design the brand experience", 1.0 / (i + 1),
                 0.5 / (i + 1), 1.5 / (i + 1)] for i in range(agenda_rows)]
        doc.tables.append({"step": 5, "section": AGENDA, "payload": {
            "caption": "Innovation agenda, ranked by expected gain in satisfaction points",
            "columns": [{"name": c} for c in cols], "rows": rows}})
    doc.ids.add("innovation-agenda")
    for step, text in ((1, "Bean & Co. leads on Affective (4.88 vs. 4.06, e.g. in Q2). Second sentence here."),
                       (2, "Driven by Affective (43%, 95% CI 35% to 52%). More.")):
        doc.add_finding({"kind": "finding", "step": step, "section": "S", "anchor": "s", "text": text,
                         "headline": True})
    for _ in range(2):
        doc.add_finding({"kind": "skipped", "step": 4, "section": "Journeys", "anchor": "journeys",
                         "text": "the client supplies no touchpoint events ('touchpoints:' in client.yaml)",
                         "headline": False})
    return doc


def test_first_sentence_keeps_decimals_and_abbreviations():
    from cem_research.present.report.pageone import first_sentence

    assert first_sentence("Mean 4.33 (e.g. daily). Next one.") == "Mean 4.33 (e.g. daily)."
    assert first_sentence("Bean & Co. Coffee leads vs. Roast Republic. Then.") == "Bean & Co. Coffee leads vs. Roast Republic."
    assert first_sentence("A (see p. 3. Ok) is 1.5. B.") == "A (see p. 3. Ok) is 1.5."
    assert first_sentence("One sentence only") == "One sentence only"


def test_page_one_tiles_show_the_tracking_figures():
    from cem_research.present.report.pageone import page_one

    page = page_one(_page_one_doc())
    one = page[:page.index('id="step-by-step"')]
    assert "Satisfaction, W2" in one and "5.30" in one and "95% CI 5.20 to 5.40" in one
    assert "+0.30 since W1" in one and "▲ up" in one, "the Holm verdict of the tracking table marks the change"
    assert "+14" in one and "+6 since W1" in one and "no clear change" in one, "the NPS change's interval includes 0"


def test_page_one_says_not_tracked_for_one_wave():
    from cem_research.present.report.pageone import page_one

    page = page_one(_page_one_doc(tracking=False))
    tiles = page[page.index('id="key-figures"'):page.index('id="step-by-step"')]
    assert tiles.count("not tracked") == 2


def test_page_one_has_one_sentence_per_step_and_one_skip_line():
    from cem_research.present.report.pageone import page_one

    page = page_one(_page_one_doc())
    steps = page[page.index('id="step-by-step"'):page.index('id="top-actions"')]
    assert steps.count("<li>") == 5
    # the first sentence, its statistics left to the evidence it links to
    assert "Bean &amp; Co. leads on Affective. <a" in steps and "4.06" not in steps
    assert "Driven by Affective. <a" in steps
    assert "Second sentence" not in steps and "More." not in steps
    assert steps.count("Not analysed: the client supplies no touchpoint events.") == 1
    assert "client.yaml" not in steps


def test_page_one_lists_the_first_five_agenda_rows_in_order():
    from cem_research.present.report.pageone import page_one

    page = page_one(_page_one_doc())
    actions = page[page.index('id="top-actions"'):]
    names = re.findall(r"<strong>(.*?)</strong>", actions)
    assert names == [f"Option {i}" for i in range(1, 6)]
    assert "expected gain +1.00 satisfaction points (95% CI 0.50 to 1.50)" in actions
    assert "close a gap (step 3)" in actions and 'href="#innovation-agenda"' in actions
    assert "<table" not in page, "page one adds no table (tables/index.json lists every table)"
    none = page_one(_page_one_doc(agenda_rows=0))
    assert "No innovation agenda for this client" in none and "<ol" not in none


def _page_one_of(root, client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((root / "reports" / client / "report.html").read_text(), "html.parser")
    return soup, soup.find(id="executive-summary")


@pytest.mark.slow
@pytest.mark.parametrize("client", DEMO)
def test_demo_page_one_is_at_most_400_words(demo_reports, client):
    soup, one = _page_one_of(demo_reports, client)
    first = next(t for t in soup.find_all(True) if "summary" in (t.get("id") or "").lower())
    assert first is one, "page one is the element the report checks count"
    words = len(one.get_text(" ", strip=True).split())
    assert words <= 400, f"{client}: page one has {words} words"
    appendix = (demo_reports / "reports" / client / "appendix.html").read_text()
    assert 'id="all-headline-findings"' in appendix, "the full headline findings are in the appendix"
    assert len(one.select("ul.steps > li")) == 5


@pytest.mark.slow
@pytest.mark.parametrize("client", DEMO)
def test_demo_page_one_tiles_and_actions_come_from_the_payloads(demo_reports, client):
    from cem_research.present import narrative as nv

    rdir = demo_reports / "reports" / client
    index = json.loads((rdir / "tables" / "index.json").read_text())["tables"]
    _, one = _page_one_of(demo_reports, client)
    tiles = [t.get_text(" ", strip=True) for t in one.select(".tile")]
    nps_file = next(e["file"] for e in index if e["section"] == "Tracking across waves"
                    and {"nps", "change_ci_low"} <= {c["name"] for c in e["columns"]})
    nps = pd.read_csv(rdir / "tables" / nps_file).dropna(subset=["nps"]).iloc[-1]
    assert nv.signed(nps["nps"], 0) in tiles[1] and nv.ci(nps["ci_low"], nps["ci_high"], 0) in tiles[1]
    assert nv.signed(nps["change"], 0) in tiles[1]
    track_file = next(e["file"] for e in index if e["section"] == "Tracking across waves"
                      and {"title", "role", "mean"} <= {c["name"] for c in e["columns"]})
    track = pd.read_csv(rdir / "tables" / track_file)
    main = track[track["role"] == "outcome"]
    main = main[main["title"] == main["title"].iloc[0]].iloc[-1]
    assert nv.num(main["mean"]) in tiles[0] and nv.ci(main["ci_low"], main["ci_high"]) in tiles[0]
    agenda_file = next((e["file"] for e in index if e["section"] == "Innovation agenda"
                        and "opportunity" in {c["name"] for c in e["columns"]}), None)
    items = [li.get_text(" ", strip=True) for li in one.select("ol.actions > li")]
    if agenda_file is None:
        assert items == []
        return
    agenda = pd.read_csv(rdir / "tables" / agenda_file).head(5)
    assert len(items) == len(agenda)
    for item, (_, row) in zip(items, agenda.iterrows()):
        assert nv.signed(row["gain"]) in item and nv.ci(row["gain_ci_low"], row["gain_ci_high"]) in item
        assert row["opportunity"].replace("_", " ").lower() in item.lower()


# ---- the client layer's budgets (issue 13) ------------------------------------------------------
#: At most this many figures and A4 pages in a client's report (the technical appendix is apart).
FIGURE_BUDGET, PAGE_BUDGET = 15, 25


@pytest.mark.slow
@pytest.mark.parametrize("client", DEMO)
def test_demo_client_layer_within_budgets(demo_reports, client, tmp_path):
    from cem_research.present.pdf import find_browser, html_to_pdf, page_count

    rdir = demo_reports / "reports" / client
    page = (rdir / "report.html").read_text()
    figures = page.count("<img ")
    assert 3 <= figures <= FIGURE_BUDGET, f"{client}: {figures} figures in the client layer"
    appendix = (rdir / "appendix.html").read_text()
    assert 'id="technical-appendix"' in appendix and 'href="appendix.html' in page
    if find_browser() is None:
        pytest.skip("no Chromium to print the PDF: `make browser`")
    pages = page_count(html_to_pdf(rdir / "report.html", tmp_path / "report.pdf"))
    assert pages <= PAGE_BUDGET, f"{client}: the printed report has {pages} A4 pages"
