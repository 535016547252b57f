"""Executed notebook → report body: markdown, findings, tables and figures, without code.

A notebook's cells are walked in *blocks*: a markdown cell that starts with a heading opens a new
block, and the block's markdown is held back until the block is complete.  A block whose only
output is a skip line (the client's data cannot support the section) then shows its heading and
that one line, nothing else; the notebook keeps its teaching text.
"""

from __future__ import annotations

import html
import re
from html.entities import html5
from html.parser import HTMLParser

from cem_research.present.findings import MIME, slug
from cem_research.present.report.wording import HIDE_TAGS, client_markdown, reword, reword_html
from cem_research.present.show import TABLE_MIME

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
    """Collects body HTML, headings (for the table of contents), findings and tables."""

    def __init__(self):
        self.parts: list[str] = []
        self.headings: list[tuple[int, str, str]] = []
        self.ids: set[str] = set()
        self.findings: list[dict] = []
        self.tables: list[dict] = []
        self.step: int | None = None
        self.section: str = ""
        self.md = _markdown()

    def unique_id(self, base: str) -> str:
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
        """Append HTML; a table in it is registered for ``tables/`` (its payload, else parsed from the HTML)."""
        self.parts.append(fragment)
        n = len(re.findall(r"<table\b", fragment, re.I))
        if not n:
            return
        if payload is not None and n == 1:
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
            self.add_fragment(f'<div class="table-wrap">{reword_html(frag)}</div>', data.get(TABLE_MIME))
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


def _shows_something(out: dict) -> bool:
    return out.get("output_type") != "stream" and not _is_skip(out)


def _flush(doc: Doc, block: list[tuple[str, object]], shift: int) -> None:
    """Render one block: all of it, or only its heading and skip line when that is all it recorded."""
    outputs = [o for kind, o in block if kind == "out"]
    if _skip_only(block):
        first = next((o for kind, o in block if kind == "md"), "")
        line = next((ln for ln in str(first).splitlines() if ln.strip()), "")
        if _HEADING.match(line):
            doc.add_markdown(line, shift)
        seen: set[str] = set()
        for o in outputs:
            if _is_skip(o) and o["data"][MIME].get("text") not in seen:
                seen.add(o["data"][MIME].get("text"))
                doc.add_output(o)
        return
    for kind, item in block:
        if kind == "md":
            doc.add_markdown(item, shift)
        else:
            doc.add_output(item)


def _skip_only(block: list[tuple[str, object]]) -> bool:
    outputs = [o for kind, o in block if kind == "out"]
    return bool(outputs) and any(_is_skip(o) for o in outputs) and not any(_shows_something(o) for o in outputs)


def render_notebook(doc: Doc, nb, shift: int = 1) -> None:
    """Append one executed notebook's narrative and outputs (no code) to ``doc``.

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
            blocks[-1].extend(("out", out) for out in cell.get("outputs", []))
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
