"""Executed notebook → report body: markdown, findings, tables and figures, without code.

A notebook's cells are walked in *blocks*: a markdown cell that starts with a heading (or a section's
own heading, :class:`cem_research.present.narrative.SectionMarkdown`) opens a new block, and the block
is rendered once it is complete.  A block whose only output is a skip line (the client's data cannot
support the section) shows its heading and that one line, nothing else.

With a technical appendix (``Doc(appendix=Doc(...))``) a block is split in two layers:

* the client's report gets the heading, the section's findings first (the lead), then the outputs of
  the client layer (:class:`cem_research.steps.section.Shown` ``layer='client'``) and a link to the
  appendix;
* the appendix gets the same heading, the notebook's explanation of the method (its markdown) and
  the outputs of the appendix layer (full tables, tests, checks).

Without an appendix every output goes to the one document, in notebook order.
"""

from __future__ import annotations

import html
import re
from html.entities import html5
from html.parser import HTMLParser

from cem_research.present.findings import MIME, slug
from cem_research.present.report.wording import HIDE_TAGS, client_markdown, reword, reword_html
from cem_research.present.show import LAYER_KEY, TABLE_MIME

_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HEADING = re.compile(r"^\s*(#{1,6})\s+\S")


def _markdown():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def protect_entities(source: str) -> tuple[str, dict[str, str]]:
    """Replace valid HTML character references in markdown by placeholders.

    The step modules write markdown for Jupyter, where ``&amp;`` and ``&lt;`` are character
    references; a markdown renderer that escapes raw HTML would escape them a second time
    ("Bean &amp;amp; Co.").  References are swapped for alphanumeric placeholders before rendering
    and put back after (:func:`restore_entities`); anything else stays escaped.
    """
    found: dict[str, str] = {}

    def keep(m):
        name = m.group(1)
        if not name.startswith("#") and f"{name};" not in html5:
            return m.group(0)
        token = f"cemENTITY{len(found)}x"
        found[token] = f"&{name};"
        return token

    return _ENTITY.sub(keep, source), found


def restore_entities(rendered: str, found: dict[str, str]) -> str:
    """Put back the character references :func:`protect_entities` replaced."""
    for token, entity in found.items():
        rendered = rendered.replace(token, entity)
    return rendered


def visible_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment (tags stripped, references decoded)."""
    fragment = re.sub(r"<(style|script)\b[^>]*>.*?</\1>", " ", fragment, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


class Doc:
    """Collects body HTML, headings (for the table of contents), findings and tables.

    Parameters
    ----------
    appendix : Doc, optional
        The technical appendix the appendix layer of every section goes to (see the module notes).
    id_prefix : str
        Prefix of the element ids this document makes (the appendix uses ``"appendix-"``, so that
        its ids never clash with the report's).
    """

    def __init__(self, appendix: "Doc | None" = None, id_prefix: str = ""):
        self.appendix = appendix
        self.id_prefix = id_prefix
        self.parts: list[str] = []
        self.headings: list[tuple[int, str, str]] = []
        self.ids: set[str] = set()
        self.findings: list[dict] = []
        self.tables: list[dict] = []
        self.step: int | None = None
        self.section: str = ""
        self.md = _markdown()

    def every_table(self) -> list[dict]:
        """The tables of this document and of its appendix, in report order."""
        return self.tables + (self.appendix.tables if self.appendix is not None else [])

    def unique_id(self, base: str) -> str:
        base = self.id_prefix + base
        cand, i = base, 2
        while cand in self.ids:
            cand, i = f"{base}-{i}", i + 1
        self.ids.add(cand)
        return cand

    def add_markdown(self, source: str, shift: int) -> None:
        protected, found = protect_entities(client_markdown(source))
        rendered = restore_entities(self.md(protected), found)

        def heading(m):
            level = min(int(m.group(1)) + shift, 6)
            inner = m.group(2)
            text = visible_text(inner).strip()
            hid = self.unique_id(slug(text))
            if level <= 3:
                self.headings.append((level, hid, text))
            if level <= 3:
                self.section = text
            return f'<h{level} id="{hid}">{inner}</h{level}>'

        rendered = re.sub(r"<h([1-6])>(.*?)</h\1>", heading, rendered, flags=re.S)
        self.add_fragment(rendered)

    def add_fragment(self, fragment: str, payload: dict | None = None) -> None:
        """Append HTML; a table in it is registered for ``tables/``: its payload (once, however many parts
        it is shown in), else each ``<table>`` parsed from the HTML."""
        self.parts.append(fragment)
        n = len(re.findall(r"<table\b", fragment, re.I))
        if not n:
            return
        if payload is not None:  # one table, perhaps shown in parts (a wide one split by columns)
            self.tables.append({"step": self.step, "section": self.section, "payload": payload})
            return
        for p in parse_tables(fragment):
            self.tables.append({"step": self.step, "section": self.section, "payload": p})

    def add_output(self, out: dict) -> None:
        otype = out.get("output_type")
        if otype == "stream":
            return  # logs and warnings are not part of a client report
        if otype == "error":
            self.parts.append(f"<pre>{html.escape(out.get('ename', ''))}: "
                              f"{html.escape(out.get('evalue', ''))}</pre>")
            return
        data = out.get("data", {})
        if MIME in data:
            self.add_finding(data[MIME])
        elif "image/png" in data:
            meta = (out.get("metadata") or {}).get("image/png") or {}
            alt = meta.get("alt") if isinstance(meta, dict) else None
            if not alt:
                plain = "".join(data.get("text/plain", ""))
                alt = f"Chart: {self.section}" if not plain or plain.startswith("<Figure") else plain
            alt = html.escape(str(alt), quote=True)[:300]
            png = "".join(data["image/png"]).replace("\n", "")
            self.parts.append(f'<figure><img src="data:image/png;base64,{png}" alt="{alt}"></figure>')
        elif "text/html" in data:
            frag = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
            if re.search(r"<\s*script|javascript:|\son\w+\s*=", frag, re.I):
                self.parts.append(f"<pre>{html.escape(frag)}</pre>")  # never pass executable markup through
                return
            wrap = "table-wrap" if re.search(r"<table\b", frag, re.I) else "html-output"
            self.add_fragment(f'<div class="{wrap}">{reword_html(frag)}</div>', data.get(TABLE_MIME))
        elif "text/markdown" in data:
            src = data["text/markdown"]
            # markdown a step module marks as a section (e.g. weighting.section_intro) keeps the heading
            # level of a markdown cell, so that an optional section looks like any other
            meta = (out.get("metadata") or {}).get("text/markdown") or {}
            section = isinstance(meta, dict) and bool((meta.get("cem_research") or {}).get("section"))
            self.add_markdown("".join(src) if isinstance(src, list) else src, shift=1 if section else 2)
        elif "text/plain" in data:
            txt = data["text/plain"]
            self.parts.append(f"<pre>{html.escape(''.join(txt) if isinstance(txt, list) else txt)}</pre>")

    def add_finding(self, f: dict) -> None:
        fid = self.unique_id(f"finding-{len(self.findings) + 1}")
        f = {**f, "id": fid}
        self.findings.append(f)
        text = html.escape(reword(f.get("text", "")))
        if f.get("kind") == "skipped":
            self.parts.append(f'<div class="skipped" id="{fid}"><strong>Not analysed for this client:'
                              f'</strong> {text}</div>')
        else:
            self.parts.append(f'<div class="finding" id="{fid}"><strong>Finding.</strong> {text}</div>')


class _TableParser(HTMLParser):
    """Cells of every ``<table>`` in a fragment, as text (``th`` and ``td`` alike)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def parse_tables(fragment: str) -> list[dict]:
    """Table payloads read back from HTML (for a table shown without one): the cells as shown."""
    parser = _TableParser()
    parser.feed(fragment)
    out = []
    for rows in parser.tables:
        rows = [r for r in rows if r]
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        cols = [{"name": h or f"column_{i + 1}", "label": h, "unit": None} for i, h in enumerate(header)]
        out.append({"schema": "cem-research.table.v1", "caption": "", "columns": cols, "rows": body,
                    "source": "html"})
    return out


def _is_skip(out: dict) -> bool:
    data = out.get("data") or {}
    return MIME in data and (data[MIME] or {}).get("kind") == "skipped"


def _is_finding(out: dict) -> bool:
    return MIME in (out.get("data") or {})


def _shows_something(out: dict) -> bool:
    return out.get("output_type") != "stream" and not _is_skip(out)


def layer_of(out: dict) -> str:
    """The report layer of an output (``'client'`` unless its metadata says ``'appendix'``)."""
    meta = out.get("metadata") or {}
    return str((meta.get(LAYER_KEY) or {}).get("layer") or "client") if isinstance(meta, dict) else "client"


def _section_markdown(out: dict) -> str | None:
    """The markdown of a section's own heading output (:class:`~cem_research.present.narrative.SectionMarkdown`)."""
    data = out.get("data") or {}
    meta = (out.get("metadata") or {}).get("text/markdown") or {}
    if "text/markdown" in data and isinstance(meta, dict) and (meta.get("cem_research") or {}).get("section"):
        src = data["text/markdown"]
        return "".join(src) if isinstance(src, list) else src
    return None


def _split_heading(source: str) -> tuple[str, str]:
    """``(heading line, rest)`` of a markdown text that opens with a heading (else ``("", source)``)."""
    lines = source.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None or not _HEADING.match(lines[first]):
        return "", source
    return lines[first], "\n".join(lines[first + 1:])


def _skip_lines(doc: Doc, outputs: list[dict]) -> None:
    seen: set[str] = set()
    for o in outputs:
        if _is_skip(o) and o["data"][MIME].get("text") not in seen:
            seen.add(o["data"][MIME].get("text"))
            doc.add_output(o)


def _flush(doc: Doc, block: list[tuple[str, object]], shift: int) -> None:
    """Render one block: all of it, or only its heading and skip line when that is all it recorded."""
    outputs = [o for kind, o in block if kind == "out"]
    if _skip_only(block):
        kind, first = block[0]
        source = _section_markdown(first) if kind == "sec" else str(first) if kind == "md" else ""
        heading, _ = _split_heading(source or "")
        if heading:
            doc.add_markdown(heading, shift)
        _skip_lines(doc, outputs)
        return
    if doc.appendix is not None:
        _flush_layers(doc, block, shift)
        return
    for kind, item in block:
        if kind == "md":
            doc.add_markdown(item, shift)
        else:
            doc.add_output(item)


def _flush_layers(doc: Doc, block: list[tuple[str, object]], shift: int) -> None:
    """One block in two layers: heading, findings, client outputs and a link here; method and the
    appendix outputs in ``doc.appendix``."""
    app = doc.appendix
    app.step = doc.step
    heading, method = "", []
    for i, (kind, item) in enumerate(block):
        source = item if kind == "md" else _section_markdown(item) if kind == "sec" else None
        if source is None:
            continue
        if i == 0:
            heading, source = _split_heading(source)
        if source.strip():
            method.append(source)
    outputs = [o for kind, o in block if kind == "out"]
    if heading:
        doc.add_markdown(heading, shift)
    for o in outputs:
        if _is_finding(o) and not _is_skip(o):
            doc.add_output(o)
    _skip_lines(doc, outputs)
    for o in outputs:
        if not _is_finding(o) and layer_of(o) == "client":
            doc.add_output(o)
    extra = [o for o in outputs if not _is_finding(o) and layer_of(o) == "appendix" and _shows_something(o)]
    if not (extra or method):
        return
    before = len(app.headings)
    if heading:
        app.add_markdown(heading, shift)
    app.section = doc.section
    target = app.headings[before][1] if len(app.headings) > before else ""
    for source in method:
        app.add_markdown(source, shift)
    for o in extra:
        app.add_output(o)
    if extra and target:
        doc.parts.append(f'<p class="more"><a href="{APPENDIX_FILE}#{target}">Full tables and tests for '
                         f'this section: technical appendix</a></p>')


#: File name of the technical appendix, beside ``report.html``.
APPENDIX_FILE = "appendix.html"


def _skip_only(block: list[tuple[str, object]]) -> bool:
    outputs = [o for kind, o in block if kind == "out"]
    return bool(outputs) and any(_is_skip(o) for o in outputs) and not any(_shows_something(o) for o in outputs)


def render_notebook(doc: Doc, nb, shift: int = 1) -> None:
    """Append one executed notebook's narrative and outputs (no code) to ``doc`` (and its appendix).

    A section (a markdown cell opening with a heading, and the cells up to the next heading) whose
    only output is a skip line shows its heading and that line; its teaching text stays in the notebook.
    When every section of a notebook is skipped, its introduction shows only its heading too.
    """
    blocks: list[list[tuple[str, object]]] = [[]]
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & HIDE_TAGS:
            continue
        if cell.cell_type == "markdown":
            if blocks[-1] and _HEADING.match(next((ln for ln in cell.source.splitlines() if ln.strip()), "")):
                blocks.append([])
            blocks[-1].append(("md", cell.source))
        elif cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if doc.appendix is not None and _section_markdown(out) is not None:
                    blocks.append([("sec", out)])
                else:
                    blocks[-1].append(("out", out))
    blocks = [b for b in blocks if b]
    rest = [b for b in blocks[1:] if any(kind == "out" for kind, _ in b)]
    intro_outputs = blocks and any(kind == "out" and _shows_something(o) for kind, o in blocks[0])
    if rest and all(_skip_only(b) for b in rest) and not intro_outputs:
        first = next((str(item) for kind, item in blocks[0] if kind == "md"), "")
        line = next((ln for ln in first.splitlines() if ln.strip()), "")
        if _HEADING.match(line):
            doc.add_markdown(line, shift)
            blocks = blocks[1:]
    for block in blocks:
        _flush(doc, block, shift)
