"""What customers' verbatims say about each brand element (aspect lexicon, sentence-level sentiment).

* :func:`aspect_mentions` – the sentences of each comment that mention an element's words;
* :func:`aspect_summary` – per brand and element: share of comments mentioning it (Wilson CI)
  and the mean sentiment of the mentioning sentences (t CI), with a verdict from the interval
  adjusted for the number of elements judged (Bonferroni);
* :func:`aspect_tests` – own brand against competitors on that sentiment (Welch, Holm).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats as sps

from cem_research import stats
from cem_research.steps.brand.common import ELEMENT_LABELS, aspect_lexicon

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

SENTIMENT_CLEAR = 0.05   # VADER's neutral band: |compound| below this is neutral
MIN_MENTIONS = 5         # fewer mentions of an element are not judged

__all__ = ["SENTIMENT_CLEAR", "MIN_MENTIONS", "aspect_mentions", "aspect_summary", "aspect_tests"]


def aspect_mentions(data: "ClientData") -> pd.DataFrame | None:
    """Aspect mentions in the client's verbatims, with the sentiment of the mentioning sentences.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.text.aspect_mentions` output (``aspect, terms, sentence,
        n_sentences, compound``) with ``brand, brand_kind, wave`` carried; ``attrs`` as there plus
        ``n_texts_by_brand`` and ``unscored_by_brand`` (comments left out because VADER cannot read
        them: not English and without a translation).  ``sentence`` is raw customer text: show it only
        through :func:`cem_research.text.safe_text`.  ``None`` without verbatims.

    Notes
    -----
    The lexicon is English and the sentences are scored by VADER, so only the comments VADER reads are
    searched: English ones, and the client's English translation of the others when it declares one.
    """
    from cem_research import text as tx

    fb = data.feedback
    if fb is None or fb.empty:
        return None
    cfg = data.config
    unscored = pd.Series(dtype=int)
    if "sentiment_source" in fb.columns:
        left = fb["sentiment_source"].isna()
        unscored = fb.loc[left, "brand"].fillna(cfg.brand).astype(str).value_counts()
        fb = tx.scored_feedback(fb)
        if fb.empty:
            return None
    frame = fb[["text", "brand", "wave"]].copy()
    frame["brand"] = frame["brand"].fillna(cfg.brand).astype(str)
    frame["wave"] = frame["wave"].astype(object)
    frame["brand_kind"] = frame["brand"].map(cfg.brand_kind)
    m = tx.aspect_mentions(frame, "text", lexicon=aspect_lexicon(cfg), keep=["brand", "brand_kind", "wave"],
                           cache=data.sentiment_cache)
    m.attrs["n_texts_by_brand"] = frame["brand"].value_counts().to_dict()
    m.attrs["unscored_by_brand"] = {str(k): int(v) for k, v in unscored.items()}
    return m


def aspect_summary(data: "ClientData", mentions: pd.DataFrame | None) -> pd.DataFrame | None:
    """How often each aspect is mentioned, and how positively, per brand.

    Returns
    -------
    DataFrame or None
        One row per brand × aspect (own brand first): ``brand, brand_kind, aspect,
        element_label, n_texts, mentions, mention_share, mention_ci_low, mention_ci_high,
        compound, ci_low, ci_high, adj_ci_low, adj_ci_high, share_negative, share_positive, series,
        verdict``.  ``mention_share`` = texts mentioning the aspect / the brand's texts (Wilson CI);
        ``compound`` the mean sentence sentiment (t CI, :func:`cem_research.text.aspect_sentiment`);
        ``adj_ci_low/high`` its Bonferroni interval over the brand's judged aspects (see Notes);
        ``verdict`` "clearly positive" (adjusted interval above +.05), "clearly negative" (below
        −.05), "mixed" or "too few mentions" (< 5); ``series`` the legend label with the brand's
        number of comments (and of those not scored, when VADER could not read some).  ``None`` without
        verbatims.

    Notes
    -----
    Each brand's aspects with at least :data:`MIN_MENTIONS` mentions are judged together: the
    verdict comes from the t interval at level :math:`1 - \\alpha/m` (Bonferroni over the brand's
    :math:`m` judged aspects, :math:`\\alpha = 0.05`), so that calling one element a strength or a gap
    while looking at all of them holds at the 95% level overall.
    """
    from cem_research import text as tx

    if mentions is None:
        return None
    cfg = data.config
    n_texts = mentions.attrs.get("n_texts_by_brand", {})
    aspects = list(mentions.attrs.get("aspects") or aspect_lexicon(cfg))
    brands = [b for b in cfg.brands if n_texts.get(b, 0) > 0]
    sent = tx.aspect_sentiment(mentions, by="brand") if len(mentions) else pd.DataFrame(
        columns=["brand", "aspect", "n", "compound", "sd", "ci_low", "ci_high", "share_negative", "share_positive"])
    sent = sent.set_index(["brand", "aspect"])
    rows = []
    for b in brands:
        nt = int(n_texts.get(b, 0))
        for a in aspects:
            key = (b, a)
            have = key in sent.index
            k = int(sent.loc[key, "n"]) if have else 0
            lo, hi = stats.proportion_ci(k, nt) if nt else (np.nan, np.nan)
            row = {"brand": b, "brand_kind": cfg.brand_kind(b), "aspect": a,
                   "element_label": ELEMENT_LABELS.get(a, a.replace("_", " ").capitalize()),
                   "n_texts": nt, "mentions": k, "mention_share": k / nt if nt else np.nan,
                   "mention_ci_low": lo, "mention_ci_high": hi}
            for c in ("compound", "sd", "ci_low", "ci_high", "share_negative", "share_positive"):
                row[c] = float(sent.loc[key, c]) if have else np.nan
            rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return None
    judged = out["mentions"] >= MIN_MENTIONS
    m = judged.groupby(out["brand"]).transform("sum").clip(lower=1).to_numpy(dtype=float)
    k = out["mentions"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = sps.t.ppf(1 - 0.05 / (2 * m), k - 1) * out["sd"].to_numpy(dtype=float) / np.sqrt(k)
    ok = judged.to_numpy() & np.isfinite(half)
    out["adj_ci_low"] = np.where(ok, out["compound"] - half, np.nan)
    out["adj_ci_high"] = np.where(ok, out["compound"] + half, np.nan)
    left = mentions.attrs.get("unscored_by_brand") or {}
    out["series"] = [f"{b} (n = {n:,} comments" + (f"; {left[b]:,} not scored: not English)" if left.get(b) else ")")
                     for b, n in zip(out["brand"], out["n_texts"])]
    out["verdict"] = np.select(
        [~judged, out["adj_ci_low"] > SENTIMENT_CLEAR, out["adj_ci_high"] < -SENTIMENT_CLEAR],
        ["too few mentions", "clearly positive", "clearly negative"], default="mixed")
    cols = ["brand", "brand_kind", "aspect", "element_label", "n_texts", "mentions", "mention_share",
            "mention_ci_low", "mention_ci_high", "compound", "ci_low", "ci_high", "adj_ci_low", "adj_ci_high",
            "share_negative", "share_positive", "series", "verdict"]
    return out[cols]


def aspect_tests(data: "ClientData", mentions: pd.DataFrame | None) -> pd.DataFrame | None:
    """Own brand vs competitors: sentiment of aspect mentions (Welch, Holm over aspects).

    Returns
    -------
    DataFrame or None
        One row per aspect mentioned for both: the :func:`cem_research.stats.compare_to_reference`
        columns (``dv`` renamed ``aspect``; ``diff`` = own − competitors' mean compound) plus
        ``element_label``; ``ci_low``/``ci_high`` is the 95% interval adjusted for multiple comparisons
        (:func:`cem_research.stats.with_adjusted_interval`), which agrees with the Holm verdict.
        ``None`` when the verbatims carry no competitor brand.
    """
    if mentions is None or mentions.empty:
        return None
    cfg = data.config
    m = mentions.assign(side=np.where(mentions["brand"] == cfg.brand, "own", "competitors"))
    if (m["side"] == "competitors").sum() < 2 or (m["side"] == "own").sum() < 2:
        return None
    parts = []
    for a, sub in m.groupby("aspect", sort=False):
        if sub["side"].value_counts().reindex(["own", "competitors"]).fillna(0).min() < 2:
            continue
        t = stats.compare_to_reference(sub.assign(**{a: sub["compound"]}), a, "side", "own", correction="none")
        parts.append(t)
    if not parts:
        return None
    out = stats.adjust_pvalues(pd.concat(parts, ignore_index=True), "p_unc", "holm")
    out = stats.with_adjusted_interval(out).rename(columns={"dv": "aspect"})
    out.insert(1, "element_label", out["aspect"].map(lambda a: ELEMENT_LABELS.get(a, a)))
    return out
