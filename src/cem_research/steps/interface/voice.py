"""Section "Voice of the customer at the interface": sentiment of the verbatims per touchpoint, the
terms that characterise each touchpoint's complaints, and typical quotes (personal data masked).

Only the verbatims VADER reads are scored (English, or the client's English translation); the others are
counted per language beside the chart (:func:`touchpoint_coverage`)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps.interface.common import NEGATIVE, STEP, has
from cem_research.steps.interface.frames import own_feedback, touchpoint_events, touchpoint_feedback
from cem_research.steps.section import Section, Settings, Shown
from cem_research.steps.world.feedback import MIN_INTERVAL_N, MIN_RANKED_N

__all__ = ["scored_touchpoint_feedback", "touchpoint_coverage", "touchpoint_sentiment", "complaint_terms",
           "representative_quotes", "quotes_markdown", "VoiceResult", "InterfaceVoice"]


def scored_touchpoint_feedback(data) -> pd.DataFrame | None:
    """:func:`touchpoint_feedback` (the scored verbatims about touchpoints) with ``text`` the text that was
    scored: the client's English translation where the score came from it, so that terms and quotes are
    in one language."""
    from cem_research.text import analysed_text

    fb = touchpoint_feedback(data)
    return None if fb is None else fb.assign(text=analysed_text(fb))


def touchpoint_coverage(data) -> pd.DataFrame:
    """The own brand's verbatims about touchpoints per language, scored or not
    (:func:`cem_research.text.language_summary`)."""
    from cem_research.text import language_summary

    fb = own_feedback(data)
    if fb is None or "touchpoint" not in fb.columns:
        return language_summary(None)
    return language_summary(fb[fb["touchpoint"].notna()])


def touchpoint_sentiment(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Sentiment of the verbatims about each touchpoint (own brand).

    Parameters
    ----------
    data : ClientData
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        One row per touchpoint, most negative first: ``touchpoint, n, compound, ci_low, ci_high,
        share_negative, negative_ci_low, negative_ci_high, share_positive``.  ``compound`` is the mean
        VADER compound score (-1..1) with its t interval; negative = compound <= -0.05, positive =
        >= 0.05 (Hutto & Gilbert 2014); Wilson interval for the negative share.  ``None`` without
        scored verbatims about touchpoints.
    """
    fb = touchpoint_feedback(data)
    if fb is None:
        return None
    m = stats.mean_ci(fb, "compound", by="touchpoint", confidence=confidence).rename(columns={"mean": "compound"})
    m.loc[m["n"] < MIN_INTERVAL_N, ["ci_low", "ci_high"]] = np.nan  # two comments make no interval
    g = fb.groupby("touchpoint", sort=False)["compound"]
    neg = g.apply(lambda s: int((s <= NEGATIVE).sum()))
    pos = g.apply(lambda s: float((s >= -NEGATIVE).mean()))
    m["n_negative"] = m["touchpoint"].map(neg)
    m["share_negative"] = m["n_negative"] / m["n"]
    lo, hi = stats.proportion_ci(m["n_negative"].to_numpy(float), m["n"].to_numpy(float), confidence=confidence)
    m["negative_ci_low"], m["negative_ci_high"] = lo, hi
    m["share_positive"] = m["touchpoint"].map(pos)
    cols = ["touchpoint", "n", "compound", "ci_low", "ci_high", "share_negative", "negative_ci_low",
            "negative_ci_high", "share_positive"]
    return m.sort_values(["compound", "touchpoint"], kind="stable")[cols].reset_index(drop=True)


def complaint_terms(data, top: int = 5, min_count: int = 3) -> pd.DataFrame | None:
    """The most characteristic terms of each touchpoint's negative verbatims.

    Parameters
    ----------
    data : ClientData
    top : int, default 5
        Terms per touchpoint.
    min_count : int, default 3
        Fewest documents a term must occur in.

    Returns
    -------
    DataFrame or None
        ``touchpoint, rank, term, target_docs, target_share, log_ratio, g2, p_corr, significant``;
        ``None`` when fewer than two touchpoints have negative verbatims.

    Notes
    -----
    ``text.characteristic_terms`` (Dunning log-likelihood keyness of one touchpoint's negative
    comments against the other touchpoints' negative comments, uni- and bigrams, Benjamini-Hochberg)
    on verbatims with compound <= -0.05.
    """
    from cem_research import text

    fb = scored_touchpoint_feedback(data)
    if fb is None:
        return None
    neg = fb[fb["compound"] <= NEGATIVE]
    if neg["touchpoint"].nunique() < 2:
        return None
    res = text.characteristic_terms(neg, "text", "touchpoint", ngram_range=(1, 2), min_count=min_count, top=top)
    if res.empty:
        return None
    res = res.rename(columns={"group": "touchpoint"})
    cols = ["touchpoint", "rank", "term", "target_docs", "target_share", "log_ratio", "g2", "p_corr", "significant"]
    return res[cols].reset_index(drop=True)


def representative_quotes(data, touchpoints: Sequence[str] | None = None, per_touchpoint: int = 1,
                          max_chars: int = 200) -> pd.DataFrame | None:
    """Representative negative verbatims per touchpoint, made safe for display.

    For each touchpoint the negative verbatims (compound <= -0.05) closest to the touchpoint's
    median negative compound are chosen (ties: file order) -- typical, not the most extreme.  The
    text goes through ``text.safe_text`` (PII masked, shortened, HTML-escaped).

    Parameters
    ----------
    data : ClientData
    touchpoints : list of str, optional
        Touchpoints to quote (default: all with negative verbatims, most negative first).
    per_touchpoint : int, default 1
    max_chars : int, default 200

    Returns
    -------
    DataFrame or None
        ``touchpoint, compound, quote`` (``quote`` is HTML-escaped: show it with
        :func:`quotes_markdown`, not through a table that escapes again).
    """
    from cem_research import text

    fb = scored_touchpoint_feedback(data)
    if fb is None:
        return None
    neg = fb[fb["compound"] <= NEGATIVE]
    if neg.empty:
        return None
    if touchpoints is None:
        touchpoints = neg.groupby("touchpoint")["compound"].mean().sort_values().index.tolist()
    rows = []
    for name in touchpoints:
        sub = neg[neg["touchpoint"] == name]
        if sub.empty:
            continue
        med = sub["compound"].median()
        pick = sub.assign(__d=(sub["compound"] - med).abs()).sort_values(["__d", "row"], kind="stable")
        for _, r in pick.head(per_touchpoint).iterrows():
            rows.append({"touchpoint": name, "compound": float(r["compound"]),
                         "quote": text.safe_text(r["text"], max_chars=max_chars)})
    return pd.DataFrame(rows, columns=["touchpoint", "compound", "quote"]) if rows else None


def quotes_markdown(quotes: pd.DataFrame, cfg=None) -> str:
    """A Markdown list of the quotes of :func:`representative_quotes`.

    Parameters
    ----------
    quotes : DataFrame
        ``touchpoint, compound, quote`` (quotes HTML-escaped by ``text.safe_text``).
    cfg : ClientConfig, optional
        Labels of the touchpoints (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    str
        One item per quote: the touchpoint in bold, its compound score and the quote; client text
        is escaped for Markdown (:func:`cem_research.present.narrative.md`), so it cannot add markup.
    """
    return "\n".join(f"- **{nv.md(nv.value_label(cfg, 'touchpoint', r['touchpoint']))}** "
                     f"(compound {nv.signed(r['compound'])}): "
                     f"“{nv.md(html.unescape(str(r['quote'])))}”" for _, r in quotes.iterrows())


@dataclass(frozen=True)
class VoiceResult:
    """Result of :class:`InterfaceVoice`.

    Attributes
    ----------
    sentiment : DataFrame
        :func:`touchpoint_sentiment`.
    complaints, quotes : DataFrame or None
        :func:`complaint_terms` and :func:`representative_quotes`.
    coverage : DataFrame or None
        :func:`touchpoint_coverage`.
    """

    sentiment: pd.DataFrame
    complaints: pd.DataFrame | None
    quotes: pd.DataFrame | None
    coverage: pd.DataFrame | None = None


class InterfaceVoice(Section):
    """What customers say about each touchpoint."""

    step = STEP
    title = "Voice of the customer at the interface"

    def skip_reason(self, data, settings: Settings) -> str | None:
        fb = own_feedback(data)
        if fb is None:
            return "the client supplies no verbatim comments (a feedback file in client.yaml)"
        if "touchpoint" not in fb.columns or fb["touchpoint"].notna().sum() == 0:
            return "the verbatim comments are not linked to touchpoints (no touchpoint column)"
        if touchpoint_feedback(data) is None:
            if fb["touchpoint"].notna().any() and fb["compound"].isna().all():
                return ("no verbatim about a touchpoint could be scored for sentiment (VADER reads English only; "
                        "declare a translation column to score the others)")
            return "no verbatim comments about touchpoints"
        return None

    def compute(self, data, settings: Settings) -> VoiceResult:
        return VoiceResult(sentiment=touchpoint_sentiment(data, settings.confidence),
                           complaints=complaint_terms(data), quotes=representative_quotes(data),
                           coverage=touchpoint_coverage(data))

    def findings(self, result: VoiceResult, data, settings: Settings) -> list[dict]:
        c = settings.confidence
        sentiment, terms = result.sentiment, result.complaints
        ok = sentiment[sentiment["n"] >= MIN_RANKED_N]
        among = (f"Among the {len(ok)} touchpoints with at least {MIN_RANKED_N} comments, v" if len(ok) >= 2
                 and len(ok) < len(sentiment) else "V")
        ok = ok if len(ok) else sentiment
        w = ok.iloc[0]
        b = ok.iloc[-1]
        worst, warmest = (nv.value_label(data.config, "touchpoint", r["touchpoint"]) for r in (w, b))
        text = (f"{among}erbatims about {worst} are the most negative: mean compound {nv.num(w['compound'])} "
                f"({nv.ci(w['ci_low'], w['ci_high'], confidence=c)}), {nv.pct(w['share_negative'])} negative "
                f"({nv.pct_ci(w['negative_ci_low'], w['negative_ci_high'], confidence=c)}; n = {int(w['n'])}); "
                f"{warmest} gets the warmest ({nv.num(b['compound'])}, "
                f"{nv.ci(b['ci_low'], b['ci_high'], confidence=c)}).")
        if terms is not None and len(terms):
            t = terms[terms["touchpoint"] == w["touchpoint"]]
            if len(t):
                text += (f" Complaints about {worst} are characterised by "
                         + nv.join(f"“{x}”" for x in t["term"].head(3)) + ".")
        ci = (float(w["ci_low"]), float(w["ci_high"])) if np.isfinite(w["ci_low"]) else None
        return [{"text": text, "key": "most_negative_touchpoint", "value": float(w["compound"]), "ci": ci}]

    def present(self, result: VoiceResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import interface as charts

        level = nv.ci_label(settings.confidence)
        sentiment = result.sentiment
        tp = touchpoint_events(data)
        kinds = tp.groupby("touchpoint")["interface"].first().to_dict() if has(tp, "interface") else {}
        ax = charts.sentiment_chart(sentiment, kinds, ci_label=level, cfg=data.config)
        table = nv.label_values(sentiment, data.config)
        shown = [Shown("table", table, f"Sentiment of verbatims per touchpoint (VADER compound, {level})",
                       {"percent": ("share_negative", "negative_ci_low", "negative_ci_high", "share_positive")},
                       layer="appendix"),
                 Shown("figure", ax.figure,
                       f"Dot chart: mean sentiment (VADER compound) of the comments about each touchpoint, most "
                       f"negative first, with {level}s, the number of comments and a line at zero")]
        from cem_research.steps.world.feedback import coverage_note

        note = coverage_note(result.coverage)
        if note:  # beside the chart and table: the comments they leave out
            shown.append(Shown("markdown", note))
        if result.complaints is not None:
            shown.append(Shown("table", nv.label_values(result.complaints, data.config),
                               "Terms characterising each touchpoint's negative comments (keyness, G²)",
                               {"percent": ("target_share",)}, layer="appendix"))
        if result.quotes is not None:
            shown.append(Shown("markdown", quotes_markdown(result.quotes, data.config)))
        return shown
