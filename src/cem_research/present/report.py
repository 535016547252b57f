"""Executed notebooks → one self-contained HTML report per client, and the index.

The report is rendered here rather than by a generic notebook exporter so that it is a
document for a client: code hidden, no external scripts or stylesheets (figures are
embedded as PNG data), an executive summary built from the notebooks' recorded findings,
a table of contents, a methods appendix and a reproducibility stamp.  Every piece of
client-supplied text is HTML-escaped; verbatims are also masked for personal data by the
functions that quote them (:func:`cem_research.text.safe_text`).
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

from cem_research import __version__
from cem_research.present.findings import MIME, STEPS, slug

REMOVE_TAGS = {"parameters", "injected-parameters", "remove_cell", "remove-cell", "hide"}
CSS = """
:root { --own: #c0392b; --comp: #7f8c8d; --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; }
* { box-sizing: border-box; }
body { font: 16px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); max-width: 1040px; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; } h2 { margin-top: 3rem; border-bottom: 2px solid var(--line);
     padding-bottom: .3rem; } h3 { margin-top: 2rem; } h4 { margin-top: 1.5rem; }
.subtitle { color: var(--muted); margin: 0 0 2rem; }
nav.toc { background: #f5f7fa; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.5rem; }
nav.toc ol { margin: .25rem 0; } nav.toc li { margin: .1rem 0; }
section.summary { border: 2px solid var(--own); border-radius: 8px; padding: 1rem 1.5rem; margin: 1.5rem 0;
                  page-break-after: always; }
.finding { background: #fff8e6; border-left: 4px solid #f0b429; padding: .5rem .9rem; margin: 1rem 0; }
.skipped { background: #f5f7fa; border-left: 4px solid #9aa5b1; padding: .5rem .9rem; margin: 1rem 0;
           color: var(--muted); }
.step-tag { font-size: .8rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .75rem 0; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f7fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
pre { background: #f5f7fa; padding: .75rem; overflow-x: auto; font-size: .85rem; }
blockquote { border-left: 3px solid var(--line); margin: .5rem 0; padding: .2rem 1rem; color: #323f4b; }
.stamp { font-size: .85rem; color: var(--muted); }
@media print { body { max-width: none; } h2 { page-break-before: always; } section.summary h2,
  nav.toc + h2 { page-break-before: avoid; } }
"""


def _markdown():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


class _Doc:
    """Collects body HTML, headings (for the table of contents) and findings."""

    def __init__(self):
        self.parts: list[str] = []
        self.headings: list[tuple[int, str, str]] = []
        self.ids: set[str] = set()
        self.findings: list[dict] = []
        self.md = _markdown()

    def unique_id(self, base: str) -> str:
        cand, i = base, 2
        while cand in self.ids:
            cand, i = f"{base}-{i}", i + 1
        self.ids.add(cand)
        return cand

    def add_markdown(self, source: str, shift: int) -> None:
        rendered = self.md(source)

        def heading(m):
            level = min(int(m.group(1)) + shift, 6)
            inner = m.group(2)
            text = html.unescape(re.sub(r"<[^>]+>", "", inner))
            hid = self.unique_id(slug(text))
            if level <= 3:
                self.headings.append((level, hid, text))
            return f'<h{level} id="{hid}">{inner}</h{level}>'

        self.parts.append(re.sub(r"<h([1-6])>(.*?)</h\1>", heading, rendered, flags=re.S))

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
            alt = html.escape(str(alt or data.get("text/plain", "figure")), quote=True)[:300]
            png = data["image/png"].replace("\n", "")
            self.parts.append(f'<figure><img src="data:image/png;base64,{png}" alt="{alt}"></figure>')
        elif "text/html" in data:
            frag = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
            if re.search(r"<\s*script|javascript:|\son\w+\s*=", frag, re.I):
                frag = f"<pre>{html.escape(frag)}</pre>"  # never pass executable markup through
            self.parts.append(f'<div class="table-wrap">{frag}</div>')
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
        text = html.escape(f.get("text", ""))
        if f.get("kind") == "skipped":
            self.parts.append(f'<div class="skipped" id="{fid}"><strong>Not analysed for this client:'
                              f'</strong> {text}</div>')
        else:
            self.parts.append(f'<div class="finding" id="{fid}"><strong>Finding.</strong> {text}</div>')


def render_notebook(doc: _Doc, nb, shift: int = 1) -> None:
    """Append one executed notebook's narrative and outputs (no code) to ``doc``."""
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_TAGS:
            continue
        if cell.cell_type == "markdown":
            doc.add_markdown(cell.source, shift)
        elif cell.cell_type == "code":
            for out in cell.get("outputs", []):
                doc.add_output(out)


def _summary(doc: _Doc) -> str:
    rows = []
    for step, title in STEPS.items():
        items = [f for f in doc.findings if f["step"] == step and f.get("kind") == "finding" and f["headline"]]
        if not items:
            items = [f for f in doc.findings if f["step"] == step and f.get("kind") == "finding"][:1]
        skipped = [f for f in doc.findings if f["step"] == step and f.get("kind") == "skipped"]
        lis = []
        for f in items:
            target = f["anchor"] if f["anchor"] in doc.ids else f["id"]
            lis.append(f'<li>{html.escape(f["text"])} <a href="#{target}">(evidence: '
                       f'{html.escape(f["section"])})</a></li>')
        if not lis:
            lis.append("<li>No result for this step: " + html.escape(
                "; ".join(f["text"] for f in skipped[:2]) or "the notebook recorded no finding") + "</li>")
        rows.append(f'<h3>Step {step} — {html.escape(title)}</h3><ul>{"".join(lis)}</ul>')
    return ('<section class="summary" id="executive-summary"><h2>Executive summary</h2>'
            '<p>The headline result of each of Schmitt\'s five CEM steps for this client, each with its '
            'estimate and 95% interval; follow a link to the analysis that supports it.</p>'
            + "".join(rows) + "</section>")


HOW_TO_READ = """
<h2 id="how-to-read-this-report">How to read this report</h2>
<p>The report follows Bernd Schmitt's five steps of Customer Experience Management: analyse the
customer's experiential world, build the experiential platform, design the brand experience,
structure the customer interface, and engage in continuous innovation. Each section ends with a
<span class="finding" style="display:inline;padding:0 .3rem">finding</span> in plain words.</p>
<ul>
<li><strong>Intervals.</strong> Every estimate is shown with its 95% confidence interval (the range
that would contain the true value in 95 of 100 repeated surveys). Where two intervals overlap a lot,
do not read much into the difference.</li>
<li><strong>Significance and size.</strong> Differences are tested; p-values are corrected for the
number of comparisons (Holm), and an effect size (Hedges' g: 0.2 small, 0.5 medium, 0.8 large) says
whether a difference matters, not only whether it is real.</li>
<li><strong>Reliability first.</strong> Multi-item scales are checked (Cronbach's alpha) before they are
interpreted; scales below 0.70 are flagged wherever they are used.</li>
<li><strong>Colours.</strong> The client's own brand is always shown in red, competitors in grey tones.</li>
<li><strong>n.</strong> Sample sizes are given on every chart and table; small groups have wide intervals.</li>
</ul>
"""

METHODS = """
<p><strong>Tests used.</strong> Means with Student-t 95% intervals; proportions with Wilson intervals;
Net Promoter Score (promoters 9–10 minus detractors 0–6) with a normal-approximation interval; group
differences by Welch's ANOVA with Games–Howell pairwise comparisons, or Welch's t-tests against the own
brand, with Hedges' g; Holm's correction across every family of comparisons; Cronbach's alpha (raw, and
standardised as reported by PLS software) with its 95% interval, corrected item–total correlations and
alpha-if-item-deleted, also within every compared segment and wave; key-driver analysis by the Shapley/LMG
decomposition of R², cross-checked with Johnson's relative weights, with percentile-bootstrap intervals; VADER sentiment (Hutto &amp; Gilbert 2014) via NLTK;
characteristic and rising terms by Dunning's log-likelihood (G²) keyness with corrected p-values.</p>
"""


def _table(rows: list[list], header: list[str]) -> str:
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f'<div class="table-wrap"><table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table></div>'


def _weighting_methods(meta: dict) -> str:
    """The survey-weighting paragraph of the methods appendix ("" when the client declares none)."""
    w = meta.get("weighting")
    if not w:
        return ""
    targets = "; ".join(f"{col}: " + ", ".join(f"{lv} {100 * t:.1f}%" for lv, t in levels.items())
                        for col, levels in w.get("targets", {}).items())
    trim = (f"trimmed to {w['trim'][0]:g}–{w['trim'][1]:g} times the mean weight and raked again"
            if w.get("trim") else "not trimmed")
    rows = [[x["wave"], x["n"], f"{x['n_eff']:.1f}", f"{x['deff']:.2f}", f"{x['min']:.2f}–{x['max']:.2f}",
             x["iterations"], "yes" if x["converged"] else f"no (largest margin gap {100 * x['max_margin_error']:.1f} pts)"]
            for x in w.get("waves", [])]
    return ("<h3 id='survey-weighting-method'>Survey weighting</h3>"
            f"<p>Own-brand respondents were weighted by raking (iterative proportional fitting, Deming &amp; "
            f"Stephan 1940){' within each wave' if w.get('by_wave') else ' over all waves'} to the target "
            f"shares {html.escape(targets)}, starting from {html.escape(str(w.get('base', 'equal')))} weights; "
            f"weights were normalised to mean 1, {trim}. Competitor ratings keep weight 1. Standard errors use "
            "Kish's effective sample size n_eff = (Σw)²/Σw².</p>"
            + _table(rows, ["wave", "n", "n_eff", "design effect", "weight range", "iterations", "converged"]))


def _methods_appendix(client: str, root: Path, meta: dict, doc: _Doc) -> str:
    from cem_research.client.config import load_config
    from cem_research.client.data import read_processed, read_snapshot
    from cem_research.client.paths import find_raw_dir, processed_dir
    from cem_research.steps.platform import reliability_table

    parts = ['<h2 id="methods-appendix">Methods appendix</h2>', METHODS]
    try:
        raw_dir, folder = find_raw_dir(client, None), processed_dir(client, root)
        if meta.get("snapshot"):  # the data the notebooks of this run read
            data = read_snapshot(client, folder, meta["snapshot"], raw_dir)
        else:
            data = read_processed(load_config(raw_dir, client), folder)
        n = data.ratings.groupby(["wave", "brand_kind"]).size().unstack(fill_value=0)
        n = n.reindex([w for w in data.waves if w in n.index])
        parts.append("<h3 id='sample-sizes'>Sample sizes per wave</h3>")
        parts.append(_table([[w, *map(int, r)] for w, r in n.iterrows()], ["wave", *n.columns]))
        fmt = (lambda v: "–" if v != v else f"{v:.2f}")  # noqa: E731
        rel = [[r["label"], int(r["k"]), int(r["n"]), fmt(r["alpha"]),
                f"[{fmt(r['alpha_ci_low'])}, {fmt(r['alpha_ci_high'])}]", fmt(r["alpha_std"]),
                r["reliability_flag"] or "ok"]
               for _, r in reliability_table(data).iterrows()]  # step 2's table: the one home of the flags
        parts.append(_weighting_methods(meta))
        parts.append("<h3 id='reliability'>Reliability of the scales (own brand)</h3>")
        parts.append(_table(rel, ["construct", "items", "n", "alpha (raw)", "95% CI", "alpha (standardised)",
                                  "flag"]))
    except Exception as exc:  # noqa: BLE001 - the appendix says what it could not show
        parts.append(f"<p>Sample sizes and reliability could not be tabulated: {html.escape(str(exc))}</p>")
    parts.append("<h3 id='data-accounting'>Every row accounted for</h3>")
    acc_rows = []
    for a in meta.get("accounting", []):
        excl = "; ".join(f"{k}: {v}" for k, v in a.get("excluded", {}).items()) or "none"
        acc_rows.append([a["file"], a["read"], a["kept"], excl])
    parts.append(_table(acc_rows, ["file", "rows read", "rows kept", "rows excluded (reason: count)"]))
    missing = {k: v for k, v in meta.get("missing_answers", {}).items() if v}
    parts.append(f"<p><strong>Missing answers.</strong> {html.escape(meta.get('missing_rule', ''))}. "
                 f"{sum(missing.values())} item answers were blank across {len(missing)} items; "
                 f"construct scores missing: {html.escape(str({k: v for k, v in meta.get('missing_scores', {}).items() if v}) or 'none')}.</p>")
    extra = meta.get("extra_columns") or {}
    if extra:
        parts.append("<p><strong>Undeclared columns</strong> (read, not analysed): " + html.escape(
            "; ".join(f"{f}: {', '.join(c)}" for f, c in extra.items())) + ".</p>")
    skipped = [f for f in doc.findings if f.get("kind") == "skipped"]
    parts.append("<h3 id='skipped-analyses'>Analyses skipped for this client, and why</h3>")
    if skipped:
        parts.append("<ul>" + "".join(f"<li>Step {f['step']}, {html.escape(f['section'])}: "
                                      f"{html.escape(f['text'])}</li>" for f in skipped) + "</ul>")
    else:
        parts.append("<p>None: the client's data supported every analysis.</p>")
    return "".join(parts)


def _stamp(meta: dict, parameters: dict) -> str:
    rows = [[f, c] for f, c in sorted(meta.get("checksums", {}).items())]
    params = ", ".join(f"{k} = {v!r}" for k, v in parameters.items() if k != "raw_root")
    return ('<h2 id="reproducibility">Reproducibility</h2><div class="stamp">'
            f"<p>Made by cem-research {html.escape(__version__)} on "
            f"{html.escape(time.strftime('%Y-%m-%d %H:%M %Z'))} with parameters {html.escape(params)}; "
            f"processed-data fingerprint {html.escape(str(meta.get('fingerprint', '')))}. "
            "Re-make it with <code>make report CLIENT=" + html.escape(str(parameters.get("client", ""))) +
            "</code>. SHA-256 of every raw input file:</p>" + _table(rows, ["file", "sha256"]) + "</div>")


def build_report(client: str, root: Path, notebooks: list[Path], meta: dict, parameters: dict) -> Path:
    """Assemble ``reports/<client>/report.html`` from the executed notebooks.

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
        The report, written atomically.
    """
    import nbformat

    from cem_research.client.io import write_text
    from cem_research.client.paths import reports_dir

    rdir = reports_dir(client, root)
    doc = _Doc()
    for nb_path in notebooks:
        executed = rdir / "notebooks" / nb_path.name
        if not executed.exists():
            raise FileNotFoundError(f"executed notebook {executed.name} is missing")
        render_notebook(doc, nbformat.read(executed, as_version=4), shift=1)
    body = "".join(doc.parts)
    appendix = _methods_appendix(client, root, meta, doc)
    toc_items = "".join(f'<li style="margin-left:{(lvl - 2) * 1.2}rem"><a href="#{hid}">{html.escape(t)}</a></li>'
                        for lvl, hid, t in doc.headings if lvl == 2)
    toc = ('<nav class="toc" id="contents"><strong>Contents</strong><ol>'
           '<li><a href="#executive-summary">Executive summary</a></li>'
           '<li><a href="#how-to-read-this-report">How to read this report</a></li>'
           f'{toc_items}<li><a href="#methods-appendix">Methods appendix</a></li>'
           '<li><a href="#reproducibility">Reproducibility</a></li></ol></nav>')
    name = meta.get("name") or client
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(name)} — Customer experience research report</title>"
            f"<style>{CSS}</style></head><body>"
            f"<h1>{html.escape(name)}</h1><p class='subtitle'>Customer experience research report · "
            f"waves {html.escape(', '.join(meta.get('waves', [])))}</p>"
            f"{_summary(doc)}{toc}{HOW_TO_READ}{body}{appendix}{_stamp(meta, parameters)}</body></html>\n")
    out = rdir / "report.html"
    write_text(out, page)
    return out


def build_index(root: Path, outcomes=None) -> Path:
    """Write ``reports/index.html`` linking every client's report (and this run's failures)."""
    from cem_research.client.io import write_text
    from cem_research.client.paths import list_clients, reports_dir

    failed = {o.client: o.error for o in (outcomes or []) if not o.ok}
    clients = sorted(set(list_clients(root / "data" / "raw")) | set(failed) |
                     {p.parent.name for p in (root / "reports").glob("*/report.html")})
    rows = []
    for c in clients:
        rep = reports_dir(c, root) / "report.html"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rep.stat().st_mtime)) if rep.exists() else ""
        link = f'<a href="{html.escape(c)}/report.html">{html.escape(c)}</a>' if rep.exists() else html.escape(c)
        status = ("failed in the last run: " + html.escape(failed[c]) + (" (previous report kept)"
                  if rep.exists() else "")) if c in failed else ("ok" if rep.exists() else "no report yet")
        rows.append(f"<tr><td>{link}</td><td>{when}</td><td>{status}</td></tr>")
    page = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>cem-research reports</title>'
            f"<style>{CSS}</style></head><body><h1>Client reports</h1>"
            f"<p class='subtitle'>cem-research {html.escape(__version__)}</p>"
            "<table><thead><tr><th>client</th><th>report updated</th><th>status</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></body></html>\n")
    out = reports_dir(None, root) / "index.html"
    write_text(out, page)
    return out
