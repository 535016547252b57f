"""Step 1, "What customers say": the sentiment, words and typical quotes of the comments on the own brand.

Each comment VADER can read (English, or the client's English machine translation of another language) was
scored when the client was processed (``compound`` from -1 to +1); the others carry no score, are left
out of every sentiment statistic and are counted per language (:func:`sentiment_coverage`,
:func:`coverage_note`).  This module joins the commenter's segments (:func:`feedback_frame`), summarises the tone by touchpoint and
segment (:func:`sentiment_summary`), finds the words that set each touchpoint apart
(:func:`feedback_terms`) and picks typical -- not extreme -- quotes with personal data masked
(:func:`representative_quotes`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.steps.section import Section, Settings, Shown
from cem_research.steps.world.common import POLARITIES, STEP, finding_kwargs, is_text, memo
from cem_research.steps.world.frames import segment_columns, shared_customer_segments

#: Fewest comments for a mean sentiment to get an interval (two comments say nothing of their spread).
MIN_INTERVAL_N = 3
#: Fewest comments for a touchpoint to be ranked lowest or highest in the finding.
MIN_RANKED_N = 5


def own_comments(data) -> pd.DataFrame:
    """Every comment about the own brand (or no brand), scored for sentiment or not (read-only)."""

    def build():
        fb = data.feedback
        if fb is None:
            return pd.DataFrame()
        own = data.config.brand
        keep = fb["brand"].isna() | (fb["brand"] == own) if "brand" in fb else pd.Series(True, index=fb.index)
        return fb[keep]

    return memo(data, "own_comments", build)


def own_feedback(data) -> pd.DataFrame:
    """Comments about the own brand (or no brand) with a sentiment score (read-only).

    A comment in a language VADER does not read (and without a translation) has no score and is not
    here: :func:`sentiment_coverage` counts it.  ``text`` is the text that was scored (the client's
    translation where the score came from it; the original stays in ``original_text``).
    """

    def build():
        from cem_research.text import analysed_text

        fb = own_comments(data)
        if fb.empty:
            return fb
        fb = fb[fb["compound"].notna()]
        if "sentiment_source" in fb and (fb["sentiment_source"] == "translation").any():
            fb = fb.assign(original_text=fb["text"], text=analysed_text(fb))
        return fb

    return memo(data, "own_feedback", build)


def sentiment_coverage(data) -> pd.DataFrame:
    """Own-brand comments per language, scored for sentiment or not (:func:`cem_research.text.language_summary`)."""
    from cem_research.text import language_summary

    def build():
        comments = own_comments(data)
        out = language_summary(comments)
        out.attrs["identified"] = "language" in comments.columns
        return out

    return memo(data, "sentiment_coverage", build)


def coverage_note(coverage: pd.DataFrame | None) -> str:
    """The sentence shown beside every sentiment figure: which comments were not scored, and which were
    scored from a translation ("" when every comment was scored as written).

    Parameters
    ----------
    coverage : DataFrame or None
        :func:`sentiment_coverage` (or :func:`cem_research.text.language_summary` of any comments).

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> cov = pd.DataFrame({"language_name": ["English", "Spanish"], "comments": [9, 312], "scored_text": [9, 0],
    ...                     "scored_translation": [0, 0], "not_scored": [0, 312]})
    >>> coverage_note(cov)
    'Sentiment covers the comments VADER reads (English); not scored (Spanish, 312 comments).'
    """
    if coverage is None or coverage.empty:
        return ""
    out = []
    missed = coverage[coverage["not_scored"] > 0]
    if len(missed):
        out.append("Sentiment covers the comments VADER reads (English); not scored ("
                   + "; ".join(f"{r.language_name}, {nv.count(r.not_scored, 'comment')}"
                               for r in missed.itertuples()) + ").")
    moved = coverage[coverage["scored_translation"] > 0]
    if len(moved):
        out.append("Scored from the client's English machine translation: "
                   + "; ".join(f"{r.language_name}, {nv.count(r.scored_translation, 'comment')}"
                               for r in moved.itertuples()) + ".")
    return " ".join(out)


def coverage_finding(coverage: pd.DataFrame | None) -> dict | None:
    """The finding that says what share of the own brand's comments was analysed for sentiment (key
    ``sentiment_coverage``; page one repeats its first sentence).  ``None`` without comments, or when
    their languages were not identified (a table built without ``language``: ``coverage.attrs``)."""
    if coverage is None or coverage.empty or not coverage.attrs.get("identified", True):
        return None
    n = int(coverage["comments"].sum())
    own, moved = int(coverage["scored_text"].sum()), int(coverage["scored_translation"].sum())
    share = (own + moved) / n
    names = coverage.loc[coverage["scored_text"] > 0, "language_name"].tolist()
    if own + moved == n and moved == 0:
        how = f"all in {nv.join(names)}" if names else "all scored"
    else:
        how = ", ".join([*([f"{nv.count(own, 'comment')} in {nv.join(names)}"] if own else []),
                         *([f"{nv.count(moved, 'comment')} from the client's machine translation"] if moved else [])]
                        ) or "none"
    text = f"Sentiment analysed for {nv.pct(share)} of the {nv.count(n, 'own-brand comment')} ({how})"
    missed = coverage[coverage["not_scored"] > 0]
    if len(missed):
        text += "; not scored, as VADER reads English only: " + "; ".join(
            f"{r.language_name}, {nv.count(r.not_scored, 'comment')}" for r in missed.itertuples())
    text += "."
    return finding_kwargs(text, key="sentiment_coverage", value=share)


def _touchpoint_ranks(data) -> dict[str, int]:
    """Earliest journey position (index in ``cfg.journey``) of each touchpoint in the touchpoint file."""

    def build():
        tp = data.touchpoints
        if tp is None or "stage" not in tp or not data.config.journey:
            return {}
        order = {st: i for i, st in enumerate(data.config.journey)}
        col = tp["touchpoint"]
        if not is_text(col):
            ranks = tp.assign(_o=tp["stage"].map(order)).groupby("touchpoint")["_o"].min()
            return {str(k): int(v) for k, v in ranks.dropna().items()}
        # on codes: map each distinct stage once, then the minimum per touchpoint
        stage_codes, stages = pd.factorize(tp["stage"])
        pos = np.array([order.get(st, np.nan) for st in stages] + [np.nan], dtype=float)[stage_codes]
        codes, names = pd.factorize(col)
        has = codes >= 0
        ranks = pd.Series(pos[has]).groupby(codes[has]).min().dropna()
        return {str(names[k]): int(v) for k, v in ranks.items()}

    return memo(data, "touchpoint_ranks", build)


def touchpoint_order(data, touchpoints: Sequence[str]) -> list[str]:
    """Touchpoints in journey order: by the earliest stage at which they occur in the touchpoint file
    (stage order of ``cfg.journey``), then alphabetically; touchpoints without events last."""
    rank = _touchpoint_ranks(data)
    big = len(data.config.journey) + 1
    return sorted(dict.fromkeys(map(str, touchpoints)), key=lambda t: (rank.get(t, big), t))


def feedback_frame(data) -> pd.DataFrame | None:
    """Own-brand verbatims with sentiment, polarity and the respondent's segments.

    Segments are joined from the own-brand survey rows on the respondent id (and wave, when both files
    carry it; otherwise the respondent's latest survey wave).

    Returns
    -------
    DataFrame or None
        The feedback columns (``row, respondent, wave, brand, touchpoint, text, compound, pos, neu, neg``),
        ``polarity`` (``positive`` if compound >= 0.05, ``negative`` if <= -0.05, else ``neutral``) and
        the segment columns of :func:`segment_columns` (missing where the respondent is not in the survey).
        ``None`` without own-brand feedback.
    """
    out = shared_feedback_frame(data)
    return None if out is None else out.copy()


def _touchpoint_categorical(data, col: pd.Series) -> pd.Categorical:
    """Touchpoints as text, categorical in :func:`touchpoint_order`."""
    if not is_text(col):
        tps = col.astype("string").astype(object).where(col.notna())
        return pd.Categorical(tps, categories=touchpoint_order(data, tps.dropna().unique()))
    codes, names = pd.factorize(col)  # distinct texts: convert and place each once
    names = [str(t) for t in pd.Series(names, dtype=col.dtype).astype("string").astype(object)]
    cats = touchpoint_order(data, names)
    pos = {t: i for i, t in enumerate(cats)}
    remap = np.array([pos[t] for t in names] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=cats)


def _survey_rows(data, fb: pd.DataFrame, cs: pd.DataFrame, use_wave: bool) -> np.ndarray | None:
    """Row of ``cs`` (the segment frame) matching each comment, -1 when none (see :func:`feedback_frame`).

    ``None`` when the ids are not all present text (the caller then joins by labels).
    """
    cols = ["respondent", *(["wave"] if use_wave else [])]
    if not all(is_text(f[c]) and not f[c].isna().any() for f in (fb, cs) for c in cols):
        return None
    n = len(cs)
    if n == 0:
        return np.full(len(fb), -1, dtype=np.int64)

    def codes(col):
        return pd.factorize(pd.concat([cs[col], fb[col]], ignore_index=True))[0].astype(np.int64)

    key = codes("respondent")
    if use_wave:  # drop_duplicates(["respondent", "wave"], keep="last"): the last survey row of each pair
        w = codes("wave")
        key = key * (int(w.max()) + 1) + w
        order = np.arange(n)
    else:  # the respondent's latest wave (in wave order; waves not in the order sort last), then last row
        worder = {w: i for i, w in enumerate(data.waves)}
        order = cs["wave"].astype(str).map(worder).sort_values(kind="mergesort").index.to_numpy()
    cs_key, fb_key = key[:n][order], key[n:]
    uniq, first = np.unique(cs_key[::-1], return_index=True)  # first in reversed order = last row
    rows = order[::-1][first]
    at = np.minimum(np.searchsorted(uniq, fb_key), len(uniq) - 1)
    return np.where(uniq[at] == fb_key, rows[at], -1)


def shared_feedback_frame(data) -> pd.DataFrame | None:
    """:func:`feedback_frame`, built once per data object (read-only: callers must not modify it)."""
    return memo(data, "feedback_frame", lambda: _build_feedback_frame(data))


def _build_feedback_frame(data) -> pd.DataFrame | None:
    """:func:`feedback_frame` (built once by :func:`shared_feedback_frame`)."""
    if WhatCustomersSay().skip_reason(data, Settings()) is not None:
        return None
    from cem_research.text import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

    fb = own_feedback(data).copy()
    if "touchpoint" in fb and fb["touchpoint"].notna().any():
        fb["touchpoint"] = _touchpoint_categorical(data, fb["touchpoint"])
    fb["polarity"] = np.where(fb["compound"] >= POSITIVE_THRESHOLD, "positive",
                              np.where(fb["compound"] <= NEGATIVE_THRESHOLD, "negative", "neutral"))
    segs = list(segment_columns(data))
    if segs and "respondent" in fb and fb["respondent"].notna().any():
        cs = shared_customer_segments(data)
        use_wave = "wave" in fb and fb["wave"].notna().any()
        rows = _survey_rows(data, fb, cs, use_wave)
        if rows is not None:
            for s in segs:
                codes = cs[s].cat.codes.to_numpy()
                fb[s] = pd.Categorical.from_codes(np.where(rows >= 0, codes[rows], -1), dtype=cs[s].dtype)
            return fb.reset_index(drop=True)
        cs = cs.assign(respondent=cs["respondent"].astype(str), wave=cs["wave"].astype(str))
        fb_resp = fb["respondent"].astype("string").astype(object)
        if use_wave:
            key = pd.Series(list(zip(fb_resp, fb["wave"].astype("string").astype(object))), index=fb.index)
            look = cs.drop_duplicates(["respondent", "wave"], keep="last").set_index(["respondent", "wave"])
            idx = pd.MultiIndex.from_tuples(key.tolist(), names=["respondent", "wave"])
        else:
            order = {w: i for i, w in enumerate(data.waves)}
            cs = cs.assign(_o=cs["wave"].map(order)).sort_values("_o", kind="mergesort")
            look = cs.drop_duplicates("respondent", keep="last").set_index("respondent")
            idx = pd.Index(fb_resp.tolist(), name="respondent")
        matched = look.reindex(idx)
        for s in segs:
            col = matched[s]
            fb[s] = pd.Categorical(col.to_numpy(), categories=cs[s].cat.categories,
                                   ordered=bool(cs[s].cat.ordered))
    return fb.reset_index(drop=True)


def sentiment_summary(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Sentiment of own-brand comments overall, by touchpoint and by segment.

    Returns
    -------
    DataFrame or None
        Columns ``dimension`` (``all``, ``touchpoint`` or a segment column), ``dimension_label``,
        ``level``, ``n``, ``compound`` (mean VADER compound, -1..1) with ``ci_low, ci_high`` (t interval,
        :func:`cem_research.stats.mean_ci`), ``share_positive`` (compound >= 0.05) with ``positive_low,
        positive_high`` and ``share_negative`` (<= -0.05) with ``negative_low, negative_high`` (Wilson,
        :func:`cem_research.stats.proportion_ci`). Comments are the unit: a respondent who wrote several
        comments counts several times. ``None`` without own-brand feedback.
    """
    fb = shared_feedback_frame(data)
    if fb is None:
        return None
    dims = [("all", "All comments")]
    if "touchpoint" in fb and fb["touchpoint"].notna().any():
        dims.append(("touchpoint", "Touchpoint"))
    dims += [(s, lab) for s, lab in segment_columns(data).items() if s in fb and fb[s].notna().any()]
    is_pos = (fb["polarity"] == "positive").to_numpy()
    is_neg = (fb["polarity"] == "negative").to_numpy()
    parts = []
    for dim, label in dims:
        frame = fb.assign(all="all comments") if dim == "all" else fb
        m = stats.mean_ci(frame, "compound", by=dim, confidence=confidence).drop(columns=["n_eff", "sd"])
        m = m.rename(columns={dim: "level", "mean": "compound"})
        m.loc[m["n"] < MIN_INTERVAL_N, ["ci_low", "ci_high"]] = np.nan  # two comments make no interval
        polarity = frame.assign(_pos=is_pos, _neg=is_neg).groupby(dim, observed=True, sort=False)
        pos, neg = polarity["_pos"].sum(), polarity["_neg"].sum()
        m["share_positive"] = m["level"].map(pos).to_numpy(dtype=float) / m["n"]
        m["share_negative"] = m["level"].map(neg).to_numpy(dtype=float) / m["n"]
        m["positive_low"], m["positive_high"] = stats.proportion_ci(m["level"].map(pos).to_numpy(dtype=float),
                                                                    m["n"].to_numpy(dtype=float), confidence)
        m["negative_low"], m["negative_high"] = stats.proportion_ci(m["level"].map(neg).to_numpy(dtype=float),
                                                                    m["n"].to_numpy(dtype=float), confidence)
        m.insert(0, "dimension_label", label)
        m.insert(0, "dimension", dim)
        parts.append(m)
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    return out[["dimension", "dimension_label", "level", "n", "compound", "ci_low", "ci_high", "share_positive",
                "positive_low", "positive_high", "share_negative", "negative_low", "negative_high"]]


def feedback_terms(data, top: int = 6, min_count: int | None = None, language: str | None = None) -> pd.DataFrame | None:
    """Words and two-word phrases that characterise each touchpoint's comments (keyness, G²).

    Parameters
    ----------
    data : ClientData
    top : int, default 6
        Terms kept per touchpoint.
    min_count : int, optional
        Minimum number of comments containing a term; default 5, or 3 with fewer than 300 comments.
    language : str, optional
        The analysed comments (default): the scored ones, in English (as written or translated). A language
        code: the own brand's comments in that language that were not scored, with its stopwords --
        languages are never mixed in one keyness table.

    Returns
    -------
    DataFrame or None
        :func:`cem_research.text.characteristic_terms` with ``group`` renamed ``touchpoint``: columns
        ``touchpoint, rank, term, n, target_docs, reference_docs, target_share, reference_share,
        log_ratio, g2, p_unc, p_corr, significant, direction``. ``None`` without feedback or touchpoints.
    """
    from cem_research import text as textmod

    fb = shared_feedback_frame(data)
    if language is not None and fb is not None:
        fb = own_comments(data)
        fb = fb[fb["compound"].isna() & (fb["language"] == language)] if "language" in fb else fb.iloc[:0]
        if "touchpoint" in fb and fb["touchpoint"].notna().any():
            fb = fb.assign(touchpoint=_touchpoint_categorical(data, fb["touchpoint"]))
    if fb is None or "touchpoint" not in fb or fb["touchpoint"].nunique() < 2:
        return None
    if min_count is None:
        min_count = 5 if len(fb) >= 300 else 3
    out = textmod.characteristic_terms(fb, "text", "touchpoint", ngram_range=(1, 2), min_count=min_count, top=top,
                                       language=language or "en")
    return out.rename(columns={"group": "touchpoint"})


def unscored_terms(data, min_comments: int = 30) -> dict[str, pd.DataFrame]:
    """:func:`feedback_terms` of each language whose own-brand comments were not scored, with at least
    ``min_comments`` of them (language code -> table; tables with no term left out)."""
    cov = sentiment_coverage(data)
    out = {}
    for r in cov[cov["not_scored"] >= min_comments].itertuples():
        terms = feedback_terms(data, language=r.language) if r.language else None
        if terms is not None and len(terms):
            out[r.language] = terms
    return out


def terms_table(terms: pd.DataFrame) -> pd.DataFrame:
    """:func:`feedback_terms` condensed for reading: one row per touchpoint, terms joined.

    Returns
    -------
    DataFrame
        Columns ``touchpoint, n_terms, significant_terms, terms`` (terms in rank order, ``*`` marks
        terms significant after Benjamini-Hochberg correction).
    """
    rows = []
    for tp, sub in terms.groupby("touchpoint", sort=False):
        words = [f"{t}{'*' if s else ''}" for t, s in zip(sub["term"], sub["significant"])]
        rows.append({"touchpoint": tp, "n_terms": len(sub), "significant_terms": int(sub["significant"].sum()),
                     "terms": ", ".join(words)})
    return pd.DataFrame(rows, columns=["touchpoint", "n_terms", "significant_terms", "terms"])


def representative_quotes(data, n: int = 3, max_chars: int = 240) -> pd.DataFrame | None:
    """``n`` representative comments per polarity, masked and escaped for display.

    A comment is representative when its compound score is close to the median of its polarity
    (positive: compound >= 0.05; negative: <= -0.05) -- typical rather than extreme. Quotes are spread
    over touchpoints (at most one per touchpoint while others remain), duplicates are dropped.

    Parameters
    ----------
    data : ClientData
    n : int, default 3
    max_chars : int, default 240
        Passed to :func:`cem_research.text.safe_text`.

    Returns
    -------
    DataFrame or None
        Columns ``polarity, rank, touchpoint, compound, quote``; a comment scored from the client's
        translation is quoted in the translation, marked "[machine translation from <language>]";
        ``quote`` (and ``touchpoint``) are HTML-escaped with PII masked, so they may be inserted into HTML as they are (see
        :func:`quotes_html`). ``None`` without own-brand feedback.
    """
    from cem_research.text import language_name, safe_text

    fb = shared_feedback_frame(data)
    if fb is None:
        return None
    rows = []
    for pol in POLARITIES:
        sub = fb[fb["polarity"] == pol].copy()
        if sub.empty:
            continue
        sub["_dist"] = (sub["compound"] - sub["compound"].median()).abs()
        sub["_key"] = sub["text"].astype(str).str.strip().str.lower()
        sub = sub.drop_duplicates("_key").sort_values(["_dist", "row"], kind="mergesort")
        tps = sub["touchpoint"].astype("string").fillna("") if "touchpoint" in sub else pd.Series("", index=sub.index)
        chosen, seen = [], set()
        for idx in sub.index:
            if tps[idx] not in seen:
                chosen.append(idx)
                seen.add(tps[idx])
            if len(chosen) == n:
                break
        for idx in sub.index:
            if len(chosen) >= n:
                break
            if idx not in chosen:
                chosen.append(idx)
        for rank, idx in enumerate(chosen, start=1):
            r = sub.loc[idx]
            quote = safe_text(r["text"], max_chars=max_chars)
            if "original_text" in r and r.get("sentiment_source") == "translation":  # the text that was scored
                quote += f" [machine translation from {html.escape(language_name(r.get('language')))}]"
            rows.append({"polarity": pol, "rank": rank, "touchpoint": html.escape(str(tps[idx])),
                         "compound": float(r["compound"]), "quote": quote})
    return pd.DataFrame(rows, columns=["polarity", "rank", "touchpoint", "compound", "quote"])


def quotes_html(quotes: pd.DataFrame | None, cfg=None) -> str:
    """Quotes as HTML block quotes, grouped by polarity (content already escaped by ``safe_text``).

    Touchpoints are named in words (:func:`cem_research.present.narrative.value_label` with ``cfg``).

    Returns
    -------
    str
        HTML fragment (no scripts, no attributes from data).
    """
    if quotes is None or quotes.empty:
        return "<p><em>No quotes to show.</em></p>"
    parts = []
    for pol in POLARITIES:
        sub = quotes[quotes["polarity"] == pol]
        if sub.empty:
            continue
        parts.append(f"<h4>Typical {pol} comments</h4>")
        for _, r in sub.iterrows():
            where = f" \u2014 <em>{nv.value_label(cfg, 'touchpoint', r['touchpoint'])}</em>" if r["touchpoint"] else ""
            parts.append(f"<blockquote>\u201c{r['quote']}\u201d{where} (compound {nv.signed(r['compound'])})"
                         "</blockquote>")
    return "\n".join(parts)


def ranked_touchpoints(summary: pd.DataFrame) -> pd.DataFrame:
    """The touchpoint rows of :func:`sentiment_summary` that may be ranked lowest or highest: those with at
    least :data:`MIN_RANKED_N` comments (the finding and its appendix test rank the same rows)."""
    return summary[(summary["dimension"] == "touchpoint") & (summary["n"] >= MIN_RANKED_N)]


def extreme_gap(touchpoints: pd.DataFrame, confidence: float = 0.95) -> dict | None:
    """Is the touchpoint with the highest mean sentiment really above the one with the lowest?

    The two are picked *after* looking at every touchpoint, so the test is corrected for all
    :math:`m = k(k-1)/2` pairs of the :math:`k` touchpoints (Bonferroni; the extreme pair is the one a
    reader would have chosen whichever it is).

    Parameters
    ----------
    touchpoints : DataFrame
        Rows of :func:`sentiment_summary` for the touchpoints (``level, n, compound, ci_low, ci_high``).
    confidence : float, default 0.95

    Returns
    -------
    dict or None
        ``diff`` (highest minus lowest mean), ``se, df, p_unc, p_corr, m, significant`` and ``ci_low,
        ci_high`` (the Welch interval at level :math:`1 - \\alpha/m`, which excludes 0 exactly when
        ``significant``); the SDs are recovered from the t intervals of the summary.  ``None`` with
        fewer than two touchpoints or fewer than 2 comments in either.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"level": ["a", "b", "c"], "n": [50, 50, 50], "compound": [0.1, 0.2, 0.5],
    ...                   "ci_low": [0.0, 0.1, 0.4], "ci_high": [0.2, 0.3, 0.6]})
    >>> g = extreme_gap(t)
    >>> (round(g["diff"], 2), g["m"], g["significant"])
    (0.4, 3, True)
    """
    from scipy import stats as sps

    tp = touchpoints[touchpoints["n"] >= 2]
    k = len(tp)
    if k < 2:
        return None
    lo, hi = tp.loc[tp["compound"].idxmin()], tp.loc[tp["compound"].idxmax()]
    alpha = 1 - confidence

    def var_of_mean(r):  # (half-width of the t interval / t quantile)^2
        return ((r["ci_high"] - r["ci_low"]) / 2 / sps.t.ppf(1 - alpha / 2, r["n"] - 1)) ** 2

    va, vb = var_of_mean(hi), var_of_mean(lo)
    se = float(np.sqrt(va + vb))
    if not np.isfinite(se) or se == 0:
        return None
    df = float((va + vb) ** 2 / (va ** 2 / (hi["n"] - 1) + vb ** 2 / (lo["n"] - 1)))
    diff = float(hi["compound"] - lo["compound"])
    m = k * (k - 1) // 2
    p_unc = float(2 * sps.t.sf(abs(diff) / se, df))
    half = float(sps.t.ppf(1 - alpha / (2 * m), df)) * se
    p_corr = min(1.0, p_unc * m)
    return {"diff": diff, "se": se, "df": df, "p_unc": p_unc, "p_corr": p_corr, "m": m,
            "significant": bool(p_corr < alpha), "ci_low": diff - half, "ci_high": diff + half}


def feedback_finding(summary: pd.DataFrame | None, terms: pd.DataFrame | None = None,
                     confidence: float = 0.95, cfg=None) -> dict:
    """Plain-words summary of the verbatims: tone overall, weakest and strongest touchpoint, its words.

    Parameters
    ----------
    summary : DataFrame or None
        :func:`sentiment_summary`.
    terms : DataFrame, optional
        :func:`feedback_terms`.
    confidence : float, default 0.95
        Level of the intervals (as computed), for the sentence.
    cfg : ClientConfig, optional
        Labels of the touchpoints (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="share_negative"``, value = share of negative
        comments overall, with its Wilson interval).
    """
    if summary is None or summary.empty:
        return finding_kwargs("No customer comments to analyse.", key="share_negative")
    a = summary[summary["dimension"] == "all"].iloc[0]
    text = (f"Of {int(a['n']):,} comments on the own brand, {nv.pct(a['share_positive'])} are positive "
            f"({nv.pct_ci(a['positive_low'], a['positive_high'], confidence=confidence)}) and "
            f"{nv.pct(a['share_negative'])} negative "
            f"({nv.pct_ci(a['negative_low'], a['negative_high'], confidence=confidence)}); mean VADER compound "
            f"{nv.signed(a['compound'])} ({nv.ci(a['ci_low'], a['ci_high'], confidence=confidence)})")
    tp = ranked_touchpoints(summary)

    def word(touchpoint):
        return nv.value_label(cfg, "touchpoint", touchpoint)

    if len(tp) >= 2:
        lo = tp.loc[tp["compound"].idxmin()]
        hi = tp.loc[tp["compound"].idxmax()]
        gap = extreme_gap(tp, confidence=confidence)
        text += (f". Among the {len(tp)} touchpoints with at least {MIN_RANKED_N} comments, sentiment is lowest "
                 f"for {word(lo['level'])} (compound {nv.signed(lo['compound'])}, "
                 f"{nv.ci(lo['ci_low'], lo['ci_high'], confidence=confidence)}; {nv.pct(lo['share_negative'])} "
                 f"negative, n = {int(lo['n']):,}) "
                 f"and highest for {word(hi['level'])} ({nv.signed(hi['compound'])}, "
                 f"{nv.ci(hi['ci_low'], hi['ci_high'], confidence=confidence)})")
        if gap is not None:
            verdict = ("a real difference" if gap["significant"] else
                       "not a significant difference, so this ranking is exploratory")
            text += (f"; the gap of {nv.num(gap['diff'])} between them is {verdict} (Welch t, Bonferroni over the "
                     f"{nv.count(gap['m'], 'touchpoint pair')}, {nv.p(gap['p_corr'])}; "
                     f"{nv.adj_ci(gap['ci_low'], gap['ci_high'], confidence=confidence)})")
        if terms is not None and len(terms):
            words = terms[terms["touchpoint"].astype(str) == lo["level"]]["term"].head(3).tolist()
            if words:
                text += f"; what sets {word(lo['level'])} comments apart: {nv.join([repr(w) for w in words])}"
    return finding_kwargs(text + ".", key="share_negative", value=a["share_negative"],
                    ci=(a["negative_low"], a["negative_high"]))



class QuotesHtml(str):
    """Quotes as an HTML fragment (:func:`quotes_html`, client text already escaped), shown as HTML.

    A ``str`` whose notebook display is the HTML itself (``text/html``), not Markdown.
    """

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_markdown_(self):  # no Markdown form: the notebook shows the HTML
        return None


@dataclass(frozen=True, eq=False)
class FeedbackResult:
    """The tables of "What customers say".

    Attributes
    ----------
    summary : DataFrame
        :func:`sentiment_summary`.
    terms : DataFrame or None
        :func:`feedback_terms` (``None`` with fewer than two touchpoints).
    quotes : DataFrame
        :func:`representative_quotes`.
    coverage : DataFrame or None
        :func:`sentiment_coverage`: comments per language, scored or not.
    other_terms : dict
        :func:`unscored_terms`: the characteristic words of each language that was not scored.
    """

    summary: pd.DataFrame
    terms: pd.DataFrame | None
    quotes: pd.DataFrame
    coverage: pd.DataFrame | None = None
    other_terms: dict = field(default_factory=dict)


class WhatCustomersSay(Section):
    """What customers say: VADER sentiment by touchpoint and segment, characteristic words, typical quotes."""

    step = STEP
    title = "What customers say"

    def skip_reason(self, data, settings: Settings) -> str | None:
        fb = data.feedback
        if fb is None or fb.empty:
            return "the client supplies no verbatim feedback file ('feedback:' in client.yaml)"
        if own_comments(data).empty:
            return "the feedback file holds no comments about the client's own brand"
        if own_feedback(data).empty:
            cov = sentiment_coverage(data)
            return ("no comment on the own brand could be scored for sentiment: VADER reads English only, and "
                    "the comments are in " + nv.join(cov["language_name"].tolist()) + " without a translation "
                    "column ('feedback: {translation: ...}' in client.yaml)")
        return None

    def compute(self, data, settings: Settings) -> FeedbackResult:
        return FeedbackResult(summary=sentiment_summary(data, confidence=settings.confidence),
                              terms=feedback_terms(data), quotes=representative_quotes(data),
                              coverage=sentiment_coverage(data), other_terms=unscored_terms(data))

    def findings(self, result: FeedbackResult, data, settings: Settings) -> list[dict]:
        out = [feedback_finding(result.summary, result.terms, confidence=settings.confidence, cfg=data.config)]
        coverage = coverage_finding(result.coverage)
        return out + ([coverage] if coverage is not None else [])

    def present(self, result: FeedbackResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import world as world_plots

        r, ci = result, nv.level(settings.confidence)
        summary = r.summary.assign(level=[v if d == "all" else nv.value_label(data.config, d, v)
                                          for d, v in zip(r.summary["dimension"], r.summary["level"])])
        out = [Shown("table", summary.drop(columns=["dimension"]), f"Sentiment of own-brand comments ({ci} CIs)",
                     {"percent": ("share_positive", "positive_low", "positive_high", "share_negative",
                                  "negative_low", "negative_high")}, layer="appendix"),
               Shown("figure", world_plots.sentiment_figure(r.summary, confidence=settings.confidence, cfg=data.config),
                     "Dot charts: mean VADER sentiment of the own brand's comments (-1 negative to +1 positive) by "
                     f"touchpoint and by segment level, with {ci} intervals and a dashed line at zero",
                     layer="appendix")]
        tp = ranked_touchpoints(r.summary)
        gap = extreme_gap(tp, confidence=settings.confidence) if len(tp) >= 2 else None
        if gap is not None:  # the test behind the finding's "lowest ... highest" sentence
            lo, hi = tp.loc[tp["compound"].idxmin()], tp.loc[tp["compound"].idxmax()]
            row = {"lowest": nv.value_label(data.config, "touchpoint", lo["level"]),
                   "highest": nv.value_label(data.config, "touchpoint", hi["level"]),
                   **{k: gap[k] for k in ("diff", "ci_low", "ci_high", "p_unc", "p_corr", "m")}}
            out.append(Shown("table", pd.DataFrame([row]),
                             f"Highest minus lowest touchpoint sentiment (touchpoints with at least {MIN_RANKED_N} "
                             f"comments; Welch t, Bonferroni over the touchpoint pairs, adjusted {ci} CI)",
                             {"rename": {"diff": "difference", "m": "pairs compared"}}, layer="appendix"))
        note = coverage_note(r.coverage)
        if note:  # beside the sentiment table and figure: what they leave out
            out.append(Shown("markdown", note, layer="appendix"))
        if r.terms is not None:
            terms = nv.label_values(terms_table(r.terms), data.config)
            english = " (English comments)" if r.other_terms else ""
            out.append(Shown("table", terms, f"Most characteristic words per touchpoint{english} (keyness)",
                             layer="appendix"))
        from cem_research.text import language_name

        for code, table in r.other_terms.items():
            out.append(Shown("table", nv.label_values(terms_table(table), data.config),
                             f"Most characteristic words per touchpoint, {language_name(code)} comments "
                             "(not scored for sentiment; keyness within the language)", layer="appendix"))
        out.append(Shown("markdown", QuotesHtml(quotes_html(r.quotes, data.config))))
        if note:
            out.append(Shown("markdown", note))
        return out
