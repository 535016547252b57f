"""Page one of the client report: key figures, one sentence per Schmitt step, the top five actions.

Everything on page one is read from what the executed notebooks displayed or recorded (the tracking
tables through :func:`cem_research.present.report.keyfigures.key_figures`, the findings, the innovation
agenda's table payload); nothing is recomputed.  The full list of headline findings, with all their
statistics, follows page one as "All headline findings" (:func:`all_headline_findings`).
"""

from __future__ import annotations

import html
import re

from cem_research.present import narrative as nv
from cem_research.present.findings import STEPS, slug
from cem_research.present.report.index import figure_cell
from cem_research.present.report.keyfigures import TRACKING, key_figures
from cem_research.present.report.render import APPENDIX_FILE, Doc
from cem_research.present.report.wording import reword

#: Title of the section whose table payload is the innovation agenda.
AGENDA = "Innovation agenda"
#: How many agenda rows page one lists.
TOP_ACTIONS = 5
#: Words before a full stop that do not end a sentence.
ABBREVIATIONS = frozenset({"e.g", "i.e", "vs", "etc", "cf", "co", "inc", "ltd", "corp", "dr", "mr", "mrs",
                           "ms", "st", "no", "approx", "fig", "al"})
#: A step sentence longer than this is cut at its last top-level ";" within the limit.
MAX_SENTENCE_WORDS = 45
#: A parenthesis holding any of these is statistics (interval, test, n, effect size, scale), left to the
#: evidence the sentence links to: page one speaks business language (:func:`plain`).
STATISTICS = re.compile(r"\bCI\b|\bp\s*[<=>]|Holm|Hedges|\bg\s*=|\bn\s*=|G²|Welch|Games|ANOVA|alpha|omega"
                        r"|R²|%|\d\s*(?:to|–)\s*-?\d|\bon \d|\bvs\.? -?\d|Wilson|Newcombe|Krippendorff|kappa")
#: The finding (by key) that leads a step on page one when the step records it; else its first headline.
LEAD_KEYS = {2: ("positioning",), 5: ("rising_theme",)}


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: up to the first ". " that ends a sentence.

    A full stop ends a sentence when it is outside parentheses, followed by a space and an upper-case
    letter, digit or quote, and not the end of an abbreviation ("e.g.", "vs.", "Co.").  Decimals never
    split ("4.33" has no space after the point).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        The sentence, ending with its full stop.

    Examples
    --------
    >>> first_sentence("Bean & Co. leads on 4.88 (e.g. vs. Roast). It is behind on 1.")
    'Bean & Co. leads on 4.88 (e.g. vs. Roast).'
    >>> first_sentence("No full stop here")
    'No full stop here'
    """
    text = " ".join(str(text).split())
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch in ".!?" and depth == 0 and text[i + 1:i + 2] == " ":
            nxt = text[i + 2:i + 3]
            word = re.search(r"([A-Za-z.]+)$", text[:i])
            if (nxt.isupper() or nxt.isdigit() or nxt in "'\"‘“") and not (
                    ch == "." and word and word.group(1).lower().strip(".") in ABBREVIATIONS):
                return text[:i + 1]
    return text


def plain(sentence: str) -> str:
    """``sentence`` without its statistical parentheses (intervals, tests, n): what page one shows.

    The numbers stay in the finding the sentence links to; a parenthesis with words only stays.

    Examples
    --------
    >>> plain("Daily users score highest, 4.33 (95% CI 4.22 to 4.43, n = 384), 0.66 above weekly "
    ...       "(Holm p < .001; Hedges g = 0.61).")
    'Daily users score highest, 4.33, 0.66 above weekly.'
    >>> plain("Fix first: Mobile app order (Concentrate here).")
    'Fix first: Mobile app order (Concentrate here).'
    """
    depth, start, keep = 0, 0, []
    for i, ch in enumerate(sentence):
        if ch == "(":
            if depth == 0:
                keep.append(sentence[start:i])
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                group = sentence[start:i + 1]
                keep.append("" if STATISTICS.search(group) else group)
                start = i + 1
    keep.append(sentence[start:])
    out = "".join(keep)
    out = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s{2,}", " ", out))
    return re.sub(r"([,;:])(?=[.;,])", "", out).strip()


def shorten(sentence: str, limit: int = MAX_SENTENCE_WORDS) -> str:
    """``sentence`` cut at its last top-level ";" within ``limit`` words (as it is when it is short).

    Examples
    --------
    >>> shorten("A is 1 (x; y); B is 2; C is 3.", limit=5)
    'A is 1 (x; y).'
    """
    if len(sentence.split()) <= limit:
        return sentence
    depth, cut, words = 0, None, 0
    for i, ch in enumerate(sentence):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == " ":
            words += 1
            if words >= limit:
                break
        elif ch == ";" and depth == 0:
            cut = i
    return sentence[:cut].rstrip(" ,") + "." if cut else sentence


def _target(doc: Doc, f: dict) -> str:
    return f["anchor"] if f.get("anchor") in doc.ids else f["id"]


def _step_findings(doc: Doc, step: int) -> list[dict]:
    """The headline findings of a step (its first finding when none is marked headline)."""
    items = [f for f in doc.findings if f["step"] == step and f.get("kind") == "finding" and f.get("headline")]
    return items or [f for f in doc.findings if f["step"] == step and f.get("kind") == "finding"][:1]


def _skip_reasons(doc: Doc, step: int) -> list[str]:
    return list(dict.fromkeys(reword(f["text"]).strip().rstrip(".") for f in doc.findings
                              if f["step"] == step and f.get("kind") == "skipped"))


def main_outcome_title(tables: list[dict]) -> str | None:
    """Title of the main outcome as the tracking table lists it (its first outcome row, which the
    sections list first); ``None`` without a tracking table."""
    for t in tables:
        if t.get("section") != TRACKING:
            continue
        names = [c.get("name") for c in t["payload"].get("columns", [])]
        if {"title", "mean"} <= set(names):
            for row in t["payload"].get("rows", []):
                rec = dict(zip(names, row))
                if rec.get("role", "outcome") == "outcome" and rec.get("title"):
                    return str(rec["title"])
    return None


def agenda_rows(tables: list[dict]) -> tuple[list[dict], str]:
    """The innovation agenda's rows (as records, in the order shown) and its caption; ``([], "")`` without one."""
    for t in tables:
        if t.get("section") != AGENDA:
            continue
        names = [c.get("name") for c in t["payload"].get("columns", [])]
        if {"opportunity", "gain"} <= set(names):
            return [dict(zip(names, r)) for r in t["payload"].get("rows", [])], t["payload"].get("caption") or ""
    return [], ""


def _tiles(doc: Doc, main_title: str | None) -> str:
    figs = key_figures(doc.every_table(), main_title)
    tiles = [("Main outcome", figs["main_outcome"], 2, False), ("Net Promoter Score", figs["nps"], 0, True)]
    body = "".join(f'<div class="tile"><div class="tile-head">{html.escape(head)}</div>'
                   f"{figure_cell(fig, digits, signed=signed)}</div>" for head, fig, digits, signed in tiles)
    return ('<h3 id="key-figures">Key figures</h3><p class="small">Latest wave and change from the previous '
            f'one.</p><div class="tiles">{body}</div>')


def _steps(doc: Doc) -> str:
    lis = []
    for step, title in STEPS.items():
        items = _step_findings(doc, step)
        head = f'<span class="step-tag">Step {step} · {html.escape(title)}</span> '
        if items:
            leads = [g for g in items if g.get("key") in LEAD_KEYS.get(step, ())]
            f = (leads or items)[0]
            # and news the step's first finding would hide: a significantly rising theme in the verbatims
            said = [f, *(g for g in items if g is not f and g.get("key") == "rising_theme")]
            body = " ".join(f'{html.escape(shorten(plain(first_sentence(reword(g["text"])))))} '
                            f'<a href="#{_target(doc, g)}">Evidence</a>' for g in said)
            lis.append(f'<li>{head}{body}</li>')
        else:
            reasons = _skip_reasons(doc, step)
            why = reasons[0] if reasons else "no analysis of this step recorded a result"
            lis.append(f"<li>{head}Not analysed: {html.escape(why)}.</li>")
    return f'<h3 id="step-by-step">What we found, step by step</h3><ul class="steps">{"".join(lis)}</ul>'


def _sentiment_coverage(doc: Doc) -> str:
    """What share of the verbatims was analysed for sentiment (the ``sentiment_coverage`` finding of
    "What customers say"); "" without verbatims."""
    said = [f for f in doc.findings if f.get("key") == "sentiment_coverage" and f.get("kind") == "finding"]
    if not said:
        return ""
    return (f'<p class="small">{html.escape(first_sentence(reword(said[0]["text"])))} '
            f'<a href="#{_target(doc, said[0])}">Evidence</a></p>')


def _actions(doc: Doc) -> str:
    rows, caption = agenda_rows(doc.every_table())
    head = '<h3 id="top-actions">Top five actions</h3>'
    if not rows:
        said = [f for f in doc.findings if f.get("section") == AGENDA and f.get("kind") == "finding"]
        if said:  # an agenda without opportunities says why in its finding
            return (f'{head}<p>{html.escape(plain(first_sentence(reword(said[0]["text"]))))} '
                    f'<a href="#{_target(doc, said[0])}">Evidence</a></p>')
        reasons = [reword(f["text"]).strip().rstrip(".") for f in doc.findings
                   if f.get("section") == AGENDA and f.get("kind") == "skipped"]
        why = f": {reasons[0]}" if reasons else ""
        return f'{head}<p>No innovation agenda for this client{html.escape(why)}.</p>'
    unit = re.search(r"expected gain in (.+)$", caption)
    unit = unit.group(1) if unit else "points"
    link = slug(AGENDA)
    link = link if link in doc.ids else "top-actions"
    lis = []
    for r in rows[:TOP_ACTIONS]:
        what = str(r.get("opportunity"))
        what = nv.value_label(None, "opportunity", what)  # a code in words (the section shows labels already)
        step = re.match(r"\s*(\d)\b", str(r.get("step") or ""))
        where = str(r.get("kind") or "") + (f" (step {step.group(1)})" if step else "")
        gain = (f"expected gain {nv.signed(r.get('gain'))} {unit} "
                f"({nv.ci(r.get('gain_ci_low'), r.get('gain_ci_high'))})" if r.get("gain") is not None
                else "gain not yet sized")
        if r.get("gain_ci_low") is not None and r["gain_ci_low"] <= 0:
            gain += ", which may be nil"
        lis.append(f"<li><strong>{html.escape(what)}</strong> — {html.escape(where)}; {html.escape(gain)} "
                   f'<a href="#{link}">Evidence</a></li>')
    return f'{head}<ol class="actions">{"".join(lis)}</ol>'


def page_one(doc: Doc, main_title: str | None = None) -> str:
    """Page one of the report (the element ``#executive-summary``): tiles, steps, top five actions.

    Parameters
    ----------
    doc : Doc
        The rendered report body (its findings, tables and heading ids).
    main_title : str, optional
        Display title of the main outcome (default: the first outcome of the tracking table).

    Returns
    -------
    str
        Escaped HTML; printed, it ends its page.
    """
    main_title = main_title or main_outcome_title(doc.every_table())
    return ('<section class="summary pageone" id="executive-summary"><h2>Executive summary</h2>'
            + _tiles(doc, main_title) + _steps(doc) + _sentiment_coverage(doc) + _actions(doc)
            + f'<p class="small">Every headline finding with its full statistics: '
              f'<a href="{APPENDIX_FILE}#all-headline-findings">technical appendix</a>.</p></section>')


def all_headline_findings(doc: Doc, href: str = "") -> str:
    """Every headline finding of each step in full, linked to its evidence.

    ``href`` is the file the links point into (``"report.html"`` when the list is in the appendix).
    """
    rows = []
    for step, title in STEPS.items():
        lis = [f'<li>{html.escape(reword(f["text"]))} <a href="{href}#{_target(doc, f)}">(evidence: '
               f'{html.escape(f["section"])})</a></li>' for f in _step_findings(doc, step)]
        if not lis:
            lis.append("<li>No result for this step: " + html.escape(
                "; ".join(_skip_reasons(doc, step)[:2]) or "no analysis of this step recorded a result") + ".</li>")
        rows.append(f'<h3>Step {step} — {html.escape(title)}</h3><ul>{"".join(lis)}</ul>')
    return ('<section class="headlines" id="all-headline-findings"><h2>All headline findings</h2>'
            '<p>The headline result of each of Schmitt\'s five CEM steps for this client, each with its '
            'estimate and 95% interval; follow a link to the analysis that supports it.</p>'
            + "".join(rows) + "</section>")
