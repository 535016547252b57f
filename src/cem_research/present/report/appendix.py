"""The frame of the report and its technical appendix: style, reading guide, methods appendix, stamp."""

from __future__ import annotations

import html
import time
from pathlib import Path

from cem_research import __version__
from cem_research.present import narrative as nv
from cem_research.present.plots import KIND_LABELS
from cem_research.present.report.render import Doc
from cem_research.present.report.wording import reword, reword_html

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
                  page-break-after: always; break-after: page; }
section.pageone h2 { margin-top: .5rem; } section.pageone h3 { margin: 1.2rem 0 .4rem; }
.tiles { display: flex; flex-wrap: wrap; gap: 1rem; margin: .5rem 0; }
.tile { flex: 1 1 260px; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; background: #fafbfc; }
.tile-head { font-weight: 600; } .tile strong { font-size: 1.6rem; }
.small { color: var(--muted); font-size: .85rem; } .up { color: #1f7a3a; } .down { color: #b42318; }
.flat { color: var(--muted); }
ul.steps { list-style: none; padding-left: 0; } ul.steps li, ol.actions li { margin: .35rem 0; }
ul.steps .step-tag { display: block; }
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
.more { font-size: .9rem; margin: .25rem 0 1.5rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { page-break-before: always; } section.summary h2, nav.toc + h2 { page-break-before: avoid; }
  h3, h4 { break-after: avoid; } figure, .finding, tr { break-inside: avoid; }
  table { font-size: 7.5pt; } th, td { padding: 2px 4px; }
  .table-wrap { overflow: visible; }
  h1 { font-size: 1.6rem; } .subtitle { margin-bottom: .8rem; }
  section.summary { font-size: 10pt; padding: .4rem 1rem .6rem; margin: .6rem 0; line-height: 1.4; }
  section.pageone h3 { margin: .7rem 0 .25rem; } .tiles { margin: .2rem 0; gap: .6rem; }
  .tile { padding: .35rem .7rem; } .tile strong { font-size: 1.3rem; }
  ul.steps li, ol.actions li { margin: .2rem 0; }
}
"""



HOW_TO_READ = """
<h2 id="how-to-read-this-report">How to read this report</h2>
<p>The report follows Bernd Schmitt's five steps of Customer Experience Management: analyse the
customer's experiential world, build the experiential platform, design the brand experience,
structure the customer interface, and engage in continuous innovation. Each section opens with its
<span class="finding" style="display:inline;padding:0 .3rem">finding</span>, followed by the chart or
table that shows it; every full table and test is in the technical appendix
(<code>appendix.html</code>, beside this report), linked from each section.</p>
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
decomposition of R², cross-checked with Johnson's relative weights, with percentile-bootstrap intervals; VADER sentiment (Hutto &amp; Gilbert 2014) via NLTK,
of the verbatims VADER reads only (English, or the client's English translation; the language of each verbatim identified with py3langid, Lui &amp; Baldwin 2012);
characteristic and rising terms by Dunning's log-likelihood (G²) keyness with corrected p-values.</p>
"""



def table(doc: Doc, header: list[str], rows: list[list], caption: str = "", data: list[list] | None = None,
          names: list[str] | None = None) -> str:
    """An appendix table (escaped HTML), registered in ``doc.tables`` for ``tables/``.

    Parameters
    ----------
    doc : Doc
    header : list of str
        Column labels the reader sees.
    rows : list of list
        The cells as shown.
    caption : str
        What the table holds (the CSV index lists it).
    data : list of list, optional
        The same rows as numbers, for the CSV (default ``rows``).
    names : list of str, optional
        Code names of the columns (default: the labels).
    """
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    cols = [{"name": str(n), "label": str(h), "unit": None} for n, h in zip(names or header, header)]
    payload = {"schema": "cem-research.table.v1", "caption": caption, "columns": cols,
               "rows": [list(r) for r in (data if data is not None else rows)]}
    doc.tables.append({"step": None, "section": doc.section, "payload": payload})
    cap = f"<p><em>{html.escape(caption)}</em></p>" if caption else ""
    return reword_html(f'{cap}<div class="table-wrap"><table><thead><tr>{th}</tr></thead>'
                       f"<tbody>{trs}</tbody></table></div>")


def weighting_methods(doc: Doc, meta: dict, segment_labels: dict | None = None) -> str:
    """The survey-weighting paragraph of the methods appendix ("" when the client declares none);
    ``segment_labels`` names the weighting variables (default: their column names)."""
    w = meta.get("weighting")
    if not w:
        return ""
    names = segment_labels or {}
    targets = "; ".join(f"{names.get(col, col)}: " + ", ".join(f"{lv} {100 * t:.1f}%" for lv, t in levels.items())
                        for col, levels in w.get("targets", {}).items())
    trim = (f"trimmed to {w['trim'][0]:g}–{w['trim'][1]:g} times the mean weight and raked again"
            if w.get("trim") else "not trimmed")
    waves = w.get("waves", [])
    rows = [[x["wave"], x["n"], f"{x['n_eff']:.1f}", f"{x['deff']:.2f}", f"{x['min']:.2f}–{x['max']:.2f}",
             x["iterations"], "yes" if x["converged"] else f"no (largest margin gap {100 * x['max_margin_error']:.1f} pts)"]
            for x in waves]
    data = [[x["wave"], x["n"], x["n_eff"], x["deff"], x["min"], x["max"], x["iterations"], bool(x["converged"])]
            for x in waves]
    doc.section = "Survey weighting"
    head = ("<h3 id='survey-weighting-method'>Survey weighting</h3>"
            f"<p>Own-brand respondents were weighted by raking (iterative proportional fitting, Deming &amp; "
            f"Stephan 1940){' within each wave' if w.get('by_wave') else ' over all waves'} to the target "
            f"shares {html.escape(targets)}, starting from {html.escape(str(w.get('base', 'equal')))} weights; "
            f"weights were normalised to mean 1, {trim}. Competitor ratings keep weight 1. Standard errors use "
            "Kish's effective sample size (Σw)²/Σw².</p>")
    tab = table(doc, ["wave", "n", "effective n", "design effect", "weight range", "iterations", "converged"], rows,
                "Survey weights per wave", data=data,
                names=["wave", "n", "n_eff", "deff", "weight_range", "iterations", "converged"])
    # the CSV splits the weight range in two columns
    doc.tables[-1]["payload"]["columns"][4:5] = [{"name": "weight_min", "label": "smallest weight", "unit": None},
                                                 {"name": "weight_max", "label": "largest weight", "unit": None}]
    return head + tab


def _counts(counts: dict) -> str:
    """``{"a": 2, "b": 1}`` → ``"a 2, b 1"`` (a reader's list, never a Python dict)."""
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def _missing_answers(meta: dict, cfg=None) -> str:
    """The "Missing answers" paragraph: the scoring rule, blank and coded ("no answer") answers per item,
    missing construct scores, and any warning raised while the data were read.  With the client's
    configuration ``cfg``, constructs are named by their labels and items by their wording.

    >>> print(_missing_answers({"missing_rule": "rule", "missing_answers": {"q1": 3, "q2": 0},
    ...                         "missing_codes": {"q1": {"-99": 2}}, "missing_scores": {}}))
    <p><strong>Missing answers.</strong> rule. 3 item answers were missing across 1 item: 1 blank and 2 \
coded as no answer (declared <code>missing:</code> codes; q1: -99 ×2); construct scores missing: none.</p>
    """
    missing = {k: v for k, v in meta.get("missing_answers", {}).items() if v}
    scores = {nv.label(cfg, k) if cfg is not None else k: v
              for k, v in meta.get("missing_scores", {}).items() if v}
    codes = {k: v for k, v in (meta.get("missing_codes") or {}).items() if k in missing and v}
    total = sum(missing.values())
    if codes:
        coded = sum(sum(v.values()) for v in codes.values())
        per_item = "; ".join(f"{nv.item_label(cfg, k) if cfg is not None else k}: "
                             + ", ".join(f"{c} ×{n}" for c, n in v.items()) for k, v in codes.items())
        what = (f"{total} item answers were missing across {len(missing)} item{'s' if len(missing) != 1 else ''}: "
                f"{total - coded} blank and {coded} coded as no answer (declared <code>missing:</code> codes; "
                f"{html.escape(per_item)})")
    else:
        what = f"{total} item answers were blank across {len(missing)} items"
    text = (f"<p><strong>Missing answers.</strong> {html.escape(meta.get('missing_rule', ''))}. {what}; "
            f"construct scores missing: {html.escape(_counts(scores))}.</p>")
    warned = meta.get("warnings") or []
    if warned:
        text += ("<p><strong>Warnings when the data were read</strong> (not refused): "
                 + html.escape(" ".join(warned)) + "</p>")
    return text


def languages_methods(doc: Doc, meta: dict) -> str:
    """The languages of the verbatims and how many of each were scored for sentiment ("" without verbatims).

    Read from ``meta["languages"]`` (written when the client was processed).
    """
    info = meta.get("languages")
    if not info:
        return ""
    rows = info.get("by_language") or []
    how = (f"declared in client.yaml ({html.escape(str(info.get('declared')))}), not detected"
           if info.get("declared") else "identified per comment with py3langid (its model ships with the package; "
           "a short or ambiguous comment takes the most likely of the client's languages)")
    translation = info.get("translation_column")
    scorer = ("VADER reads English only: English comments are scored as written"
              + (f", the others from the client's machine translation (column {html.escape(str(translation))})"
                 if translation else "") + "; every other comment is kept and counted, but has no sentiment score "
              "and is left out of every sentiment figure (never counted as neutral).")
    missed = [r for r in rows if r.get("not_scored")]
    said = ("Not scored: " + "; ".join(f"{html.escape(r['language_name'])}, {nv.count(r['not_scored'], 'comment')}"
                                      for r in missed) + "." if missed else "Every comment was scored.")
    doc.section = "Languages of the verbatims"
    return ("<h3 id='languages'>Languages of the verbatims</h3>"
            f"<p>The language of the verbatims was {how}. {scorer} {said}</p>"
            + table(doc, ["language", "comments", "scored as written", "scored from the translation", "not scored"],
                    [[r["language_name"], int(r["comments"]), int(r["scored_text"]), int(r["scored_translation"]),
                      int(r["not_scored"])] for r in rows], "Verbatims per language and their sentiment scoring",
                    names=["language", "comments", "scored_text", "scored_translation", "not_scored"]))


def methods_appendix(client: str, root: Path, meta: dict, doc: Doc, findings: list[dict] | None = None) -> str:
    """The methods appendix: tests, sample sizes, reliability, weighting, row accounting, skipped analyses.

    ``findings`` are the report's recorded findings (default ``doc.findings``): their skip lines are listed.
    """
    from cem_research.client.config import load_config
    from cem_research.client.data import read_processed, read_snapshot
    from cem_research.client.paths import find_raw_dir, processed_dir
    from cem_research.steps.platform import reliability_table

    doc.step, doc.section = None, "Methods appendix"
    parts = ['<h2 id="methods-appendix">Methods appendix</h2>', METHODS]
    cfg = None
    try:
        raw_dir, folder = find_raw_dir(client, None), processed_dir(client, root)
        if meta.get("snapshot"):  # the data the notebooks of this run read
            data = read_snapshot(client, folder, meta["snapshot"], raw_dir)
        else:
            data = read_processed(load_config(raw_dir, client), folder)
        cfg = data.config
        n = data.ratings.groupby(["wave", "brand_kind"]).size().unstack(fill_value=0)
        n = n.reindex([w for w in data.waves if w in n.index])
        doc.section = "Sample sizes per wave"
        parts.append("<h3 id='sample-sizes'>Sample sizes per wave</h3>")
        parts.append(table(doc, ["wave", *(KIND_LABELS.get(k, str(k)) for k in n.columns)],
                           [[w, *map(int, r)] for w, r in n.iterrows()],
                           "Rows analysed per wave and kind of brand", names=["wave", *map(str, n.columns)]))
        fmt = (lambda v: "–" if v != v else nv.num(v))  # noqa: E731
        rel_frame = reliability_table(data)  # step 2's table: the one home of the flags
        rel = [[r["label"], int(r["k"]), int(r["n"]), fmt(r["alpha"]),
                f"[{fmt(r['alpha_ci_low'])}, {fmt(r['alpha_ci_high'])}]", fmt(r["alpha_std"]),
                r["reliability_flag"] or "ok"] for _, r in rel_frame.iterrows()]
        rel_data = [[r["label"], int(r["k"]), int(r["n"]), *(None if v != v else float(v) for v in (
                    r["alpha"], r["alpha_ci_low"], r["alpha_ci_high"], r["alpha_std"])), r["reliability_flag"] or "ok"]
                    for _, r in rel_frame.iterrows()]
        parts.append(weighting_methods(doc, meta, data.config.segments))
        doc.section = "Reliability of the scales (own brand)"
        parts.append("<h3 id='reliability'>Reliability of the scales (own brand)</h3>")
        parts.append(table(doc, ["construct", "items", "n", "alpha (raw)", "95% CI", "alpha (standardised)", "flag"],
                           rel, "Cronbach's alpha of each scale with its 95% interval", data=rel_data))
        doc.tables[-1]["payload"]["columns"] = [
            {"name": nm, "label": lb, "unit": None} for nm, lb in zip(
                ["construct", "k", "n", "alpha", "alpha_ci_low", "alpha_ci_high", "alpha_std", "flag"],
                ["construct", "items", "n", "alpha (raw)", "95% CI low", "95% CI high", "alpha (standardised)",
                 "flag"])]
    except Exception as exc:  # noqa: BLE001 - the appendix says what it could not show
        parts.append(f"<p>Sample sizes and reliability could not be tabulated: {html.escape(str(exc))}</p>")
    doc.section = "Every row accounted for"
    parts.append("<h3 id='data-accounting'>Every row accounted for</h3>")
    acc_rows = []
    for a in meta.get("accounting", []):
        excl = "; ".join(f"{k}: {v}" for k, v in a.get("excluded", {}).items()) or "none"
        acc_rows.append([a["file"], a["read"], a["kept"], excl])
    parts.append(table(doc, ["file", "rows read", "rows kept", "rows excluded (reason: count)"], acc_rows,
                       "Rows read, kept and excluded per input file"))
    parts.append(_missing_answers(meta, cfg))
    parts.append(languages_methods(doc, meta))
    extra = meta.get("extra_columns") or {}
    if extra:
        parts.append("<p><strong>Undeclared columns</strong> (read, not analysed): " + html.escape(
            "; ".join(f"{f}: {', '.join(c)}" for f, c in extra.items())) + ".</p>")
    skipped = [f for f in (doc.findings if findings is None else findings) if f.get("kind") == "skipped"]
    parts.append("<h3 id='skipped-analyses'>Analyses skipped for this client, and why</h3>")
    if skipped:
        parts.append("<ul>" + "".join(f"<li>Step {f['step']}, {html.escape(f['section'])}: "
                                      f"{html.escape(reword(f['text']))}</li>" for f in skipped) + "</ul>")
    else:
        parts.append("<p>No analysis was skipped: the client's data supported every one.</p>")
    return "".join(parts)


def _parameter(name: str, value) -> str:
    """``client = 'x'``; a parameter left unset reads ``wave = all`` (never Python's ``None``)."""
    if value is None:
        return f"{name} = " + {"wave": "all"}.get(name, "default")
    return f"{name} = {value!r}"


def stamp(doc: Doc, meta: dict, parameters: dict) -> str:
    """The reproducibility stamp: version, time, parameters, fingerprint and every input's checksum."""
    doc.step, doc.section = None, "Reproducibility"
    checks = sorted(meta.get("checksums", {}).items())
    params = ", ".join(_parameter(k, v) for k, v in parameters.items() if k != "raw_root")
    return ('<h2 id="reproducibility">Reproducibility</h2><div class="stamp">'
            f"<p>Made by cem-research {html.escape(__version__)} on "
            f"{html.escape(time.strftime('%Y-%m-%d %H:%M %Z'))} with parameters {html.escape(params)}; "
            f"processed-data fingerprint {html.escape(str(meta.get('fingerprint', '')))}. "
            "Re-make it with <code>make report CLIENT=" + html.escape(str(parameters.get("client", ""))) +
            "</code>.</p>"
            + table(doc, ["file", "sha256"], [[f, c] for f, c in checks], "SHA-256 of every raw input file")
            + "</div>")
