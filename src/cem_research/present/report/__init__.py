"""Executed notebooks → one self-contained HTML report per client, its tables as CSV, and the index.

The report is rendered here rather than by a generic notebook exporter so that it is a
document for a client: code hidden, no external scripts or stylesheets (figures are
embedded as PNG data), an executive summary built from the notebooks' recorded findings,
a table of contents, a methods appendix and a reproducibility stamp.  Every piece of
client-supplied text is HTML-escaped; verbatims are also masked for personal data by the
functions that quote them (:func:`cem_research.text.safe_text`).

Modules: :mod:`.render` (notebook → body; skipped sections as one line), :mod:`.wording` (what the
notebooks say to their users stays out), :mod:`.appendix` (summary, methods, stamp),
:mod:`.export` (``tables/``), :mod:`.keyfigures` and :mod:`.index` (``reports/index.html``).
"""

from __future__ import annotations

import html
import time
from pathlib import Path

from cem_research.present.report.appendix import CSS, HOW_TO_READ, methods_appendix, stamp
from cem_research.present.report.export import write_tables
from cem_research.present.report.index import build_index
from cem_research.present.report.keyfigures import key_figures
from cem_research.present.report.pageone import all_headline_findings, page_one
from cem_research.present.report.render import APPENDIX_FILE, Doc, render_notebook, visible_text


__all__ = ["Doc", "build_index", "build_report", "render_notebook", "visible_text"]


def _step_of(name: str) -> int | None:
    """Step number of a notebook from its name (``03_brand_experience.ipynb`` → 3)."""
    head = name[:2]
    return int(head) if head.isdigit() and 1 <= int(head) <= 5 else None


def _main_title(client: str, meta: dict) -> str | None:
    """Display title of the client's main outcome (``None`` when it cannot be read)."""
    try:
        from cem_research.client.config import load_config
        from cem_research.client.paths import find_raw_dir

        cfg = load_config(find_raw_dir(client, None), client)
        c = cfg.constructs.get(cfg.main_outcome) if cfg.main_outcome else None
        return c.title if c is not None else cfg.main_outcome
    except Exception:  # noqa: BLE001 - the index then shows no main-outcome figure
        return None


def build_report(client: str, root: Path, notebooks: list[Path], meta: dict, parameters: dict) -> Path:
    """Assemble ``reports/<client>/report.html``, ``tables/`` and ``report.json`` from the executed notebooks.

    Parameters
    ----------
    client : str
    root : Path
        Project folder.
    notebooks : list of Path
        Source notebooks, in order; their executed copies are read from
        ``reports/<client>/notebooks/``.
    meta : dict
        The processed data's ``meta.json``.
    parameters : dict
        Parameters the notebooks ran with (shown in the reproducibility stamp).

    Returns
    -------
    Path
        The report (the client's layer); the technical appendix is written beside it
        (``appendix.html``, linked from the report).  Every table either shows is also written as CSV under ``tables/`` (with
        ``tables/index.json``), and its headline figures to ``report.json`` for the index; each
        output is written whole or not at all.
    """
    import nbformat

    from cem_research.client.io import write_json, write_text
    from cem_research.client.paths import reports_dir

    rdir = reports_dir(client, root)
    app = Doc(id_prefix="appendix-")
    doc = Doc(appendix=app)
    for nb_path in notebooks:
        executed = rdir / "notebooks" / nb_path.name
        if not executed.exists():
            raise FileNotFoundError(f"executed notebook {executed.name} is missing")
        doc.step = app.step = _step_of(nb_path.name)
        doc.section = app.section = ""
        render_notebook(doc, nbformat.read(executed, as_version=4), shift=1)
    name = meta.get("name") or client
    main_title = _main_title(client, meta)
    waves = html.escape(", ".join(meta.get("waves", [])))
    def head(title: str) -> str:
        return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>")
    tables_note = ('<p class="stamp">Every table of the report and of this appendix is also in the folder '
                   "<code>tables/</code> beside it, as CSV with unrounded numbers (<code>tables/index.json</code> "
                   "lists each table's section, caption and columns).</p>")

    # the technical appendix: every full table, test and check, the method of each section
    app_body = "".join(app.parts)
    app_toc = "".join(f'<li><a href="#{hid}">{html.escape(t)}</a></li>' for lvl, hid, t in app.headings
                      if lvl == 2)
    methods = methods_appendix(client, root, meta, app, findings=doc.findings)
    app_stamp = stamp(app, meta, parameters)
    appendix_page = (head(f"{name} — Technical appendix")
                     + f"<h1>{html.escape(name)}: technical appendix</h1><p class='subtitle'>Customer experience "
                     f"research · waves {waves} · <a href='report.html'>back to the report</a></p>"
                     '<nav class="toc" id="contents"><strong>Contents</strong><ol>'
                     '<li><a href="#all-headline-findings">All headline findings</a></li>'
                     f'{app_toc}<li><a href="#methods-appendix">Methods</a></li>'
                     '<li><a href="#reproducibility">Reproducibility</a></li></ol></nav>'
                     + all_headline_findings(doc, href="report.html")
                     + f'<main id="technical-appendix" class="appendix">{app_body}{methods}{app_stamp}</main>'
                     + tables_note + "</body></html>\n")

    # the client's report
    toc_items = "".join(f'<li><a href="#{hid}">{html.escape(t)}</a></li>' for lvl, hid, t in doc.headings
                        if lvl == 2)
    toc = ('<nav class="toc" id="contents"><strong>Contents</strong><ol>'
           '<li><a href="#executive-summary">Executive summary</a></li>'
           '<li><a href="#how-to-read-this-report">How to read this report</a></li>'
           f'{toc_items}<li><a href="{APPENDIX_FILE}">Technical appendix</a> (every table, test and check, '
           "methods, reproducibility)</li></ol></nav>")
    about = (f'<h2 id="about-this-report">About this report</h2><p>Every full table, test, correction, '
             f'reliability check and the accounting of every data row is in the '
             f'<a href="{APPENDIX_FILE}">technical appendix</a>; its reproducibility stamp says how to '
             f"make this report again.</p>{tables_note}")
    page = (head(f"{name} — Customer experience research report")
            + f"<h1>{html.escape(name)}</h1><p class='subtitle'>Customer experience research report · "
            f"waves {waves}</p>{page_one(doc, main_title)}{toc}{HOW_TO_READ}{''.join(doc.parts)}{about}"
            "</body></html>\n")

    tables = ([{**t, "layer": "client"} for t in doc.tables]
              + [{**t, "layer": "appendix"} for t in app.tables])
    write_tables(rdir / "tables", client, tables)
    write_json(rdir / "report.json", {
        "schema": "cem-research.report.v1", "client": client, "name": name, "waves": list(meta.get("waves", [])),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S"), "tables": len(tables),
        "key_figures": key_figures(doc.every_table(), main_title)})
    write_text(rdir / APPENDIX_FILE, appendix_page)
    out = rdir / "report.html"
    write_text(out, page)
    return out
