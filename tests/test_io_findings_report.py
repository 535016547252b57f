"""Atomic outputs, findings, and the HTML report renderer (on synthetic notebooks)."""

import json
import os
from pathlib import Path

import nbformat
import pytest

from cem_research.present import findings
from cem_research.client.errors import ContractError, format_rows
from cem_research.client.io import atomic_dir, atomic_path, write_text
from cem_research.present.report import Doc, render_notebook


def test_atomic_path_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("good")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_atomic_dir_swaps_only_when_complete(tmp_path):
    target = tmp_path / "client"
    target.mkdir()
    (target / "a.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_dir(target) as tmp:
            (tmp / "a.txt").write_text("new")
            raise KeyboardInterrupt
    assert (target / "a.txt").read_text() == "old"
    with atomic_dir(target) as tmp:
        (tmp / "a.txt").write_text("new")
    assert (target / "a.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client"]


def test_write_text_replaces(tmp_path):
    write_text(tmp_path / "x.txt", "1")
    write_text(tmp_path / "x.txt", "2")
    assert (tmp_path / "x.txt").read_text() == "2"


def test_contract_error_is_one_line():
    err = ContractError("answers outside\nthe scale", client="c", file="s.csv", column="q1",
                        rows=[9, 3, 3, 4, 5, 6, 7])
    assert str(err) == "client 'c', file 's.csv', column 'q1', rows 3, 4, 5, 6, 7 (+1 more): answers outside the scale"
    assert "\n" not in str(err)
    assert format_rows([2]) == "row 2"


def test_findings_payload_and_validation():
    f = findings.record(2, "What drives the outcomes", "Affective drives satisfaction.", headline=True,
                        key="top", value=0.3, ci=(0.2, 0.4))
    assert f["anchor"] == "what-drives-the-outcomes" and f["ci"] == [0.2, 0.4]
    with pytest.raises(ValueError):
        findings.record(6, "x", "y")
    s = findings.skip(4, "Journeys", "no touchpoint file")
    assert s["kind"] == "skipped"


def _executed_notebook():
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("client = 'x'")
    params.metadata["tags"] = ["parameters"]
    params.outputs = [nbformat.v4.new_output("stream", name="stdout", text="secret log")]
    heading = nbformat.v4.new_markdown_cell("# Step 1\n\n## Who the customer is\n\nText <b>x</b>.")
    out = nbformat.v4.new_code_cell("show()")
    out.outputs = [
        nbformat.v4.new_output("display_data", data={
            findings.MIME: {"kind": "finding", "step": 1, "section": "Who the customer is",
                            "anchor": "who-the-customer-is", "text": "Daily users <script>alert(1)</script>",
                            "headline": True, "key": None, "value": None, "ci": None},
            "text/markdown": "**Finding.** ..."}),
        nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<img src=x onerror=alert(1)>"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
    ]
    nb.cells = [heading, params, out]
    return nb


def test_render_notebook_hides_code_and_escapes():
    doc = Doc()
    render_notebook(doc, _executed_notebook())
    body = "".join(doc.parts)
    assert "secret log" not in body and "client = 'x'" not in body and "show()" not in body
    assert "<script" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x onerror" not in body
    assert '<h3 id="who-the-customer-is">' in body
    assert "data:image/png;base64,iVBORw0KGgo=" in body
    assert doc.findings[0]["step"] == 1
